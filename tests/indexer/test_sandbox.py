"""The extraction sandbox turns hangs, crashes, memory blow-ups and exceptions into per-file errors."""

from indexer.sandbox import ExtractorPool, Job, Limits

HOSTILE = "tests.indexer.hostile:extract"


def run(payloads: list[bytes], limits: Limits, cancel=lambda: False) -> dict[int, object]:
    jobs = [Job(key, "text", data) for key, data in enumerate(payloads)]
    with ExtractorPool(limits, extractor=HOSTILE) as pool:
        return {outcome.key: outcome for outcome in pool.run(jobs, cancel)}


def test_every_job_gets_exactly_one_outcome_despite_hostile_files():
    payloads = [b"first", b"hang", b"second", b"crash", b"third", b"oom", b"boom", b"fourth"]
    outcomes = run(payloads, Limits(seconds=3, memory_bytes=768 * 1024**2, workers=2))

    assert sorted(outcomes) == list(range(len(payloads)))
    texts = {k: o.extracted.text for k, o in outcomes.items() if o.extracted}
    assert texts == {0: "first", 2: "second", 4: "third", 7: "fourth"}
    assert "longer than 3 s" in outcomes[1].error
    assert "crashed (exit code 7)" in outcomes[3].error
    assert "memory" in outcomes[5].error
    assert "KeyError" in outcomes[6].error


def test_cancel_stops_handing_out_jobs():
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    outcomes = run([b"x"] * 50, Limits(workers=1), cancel)
    assert len(outcomes) < 50
