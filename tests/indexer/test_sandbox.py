"""The extraction sandbox turns hangs, crashes, memory blow-ups and exceptions into per-file errors."""

from indexer.sandbox import ExtractorPool, Job, Limits

HOSTILE = "tests.indexer.hostile:extract"


def run(payloads: list[bytes], limits: Limits, cancel=lambda: False) -> dict[int, object]:
    jobs = [Job(key, "text", data) for key, data in enumerate(payloads)]
    with ExtractorPool(limits, extractor=HOSTILE) as pool:
        return {outcome.key: outcome for outcome in pool.run(jobs, cancel)}


def test_every_job_gets_exactly_one_outcome_despite_hostile_files():
    payloads = [b"first", b"crash", b"second", b"oom", b"third", b"boom", b"fourth"]
    outcomes = run(payloads, Limits(seconds=600, memory_bytes=768 * 1024**2, workers=2))

    assert sorted(outcomes) == list(range(len(payloads)))
    texts = {k: o.extracted.text for k, o in outcomes.items() if o.extracted}
    assert texts == {0: "first", 2: "second", 4: "third", 6: "fourth"}
    assert "crashed (exit code 7)" in outcomes[1].error
    assert "ran out of memory (limit 768 MiB)" in outcomes[3].error
    assert "KeyError" in outcomes[5].error


def test_a_hanging_file_is_stopped_and_the_rest_go_on():
    outcomes = run([b"hang", b"after", b"hang", b"last"], Limits(seconds=1, workers=1))
    assert "longer than 1 s" in outcomes[0].error and "longer than 1 s" in outcomes[2].error
    assert (outcomes[1].extracted.text, outcomes[3].extracted.text) == ("after", "last")


def test_cancel_stops_handing_out_jobs():
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    outcomes = run([b"x"] * 50, Limits(workers=1), cancel)
    assert len(outcomes) < 50


def test_workers_do_not_run_the_parent_s_main_module_again(tmp_path):
    """spawn would import the parent's ``__main__`` in each worker (for the window: all of Qt); they need
    nothing from it."""
    import subprocess
    import sys
    from pathlib import Path

    log = tmp_path / "imports.log"
    script = tmp_path / "main_script.py"
    script.write_text(
        "import os, sys\n"
        f"open({str(log)!r}, 'a').write(f'{{os.getpid()}}\\n')\n"
        "if __name__ == '__main__':\n"
        "    from indexer.sandbox import ExtractorPool, Job\n"
        "    from indexer.writer_process import WriterProcess\n"
        "    with ExtractorPool() as pool:\n"
        "        outcomes = list(pool.run([Job(1, 'text', b'Omaha police will not take part.')]))\n"
        "    assert outcomes[0].extracted.text.startswith('Omaha'), outcomes\n"
        "    WriterProcess(__import__('pathlib').Path(sys.argv[1])).close()\n"
    )
    from indexer.search_index import SearchIndex

    SearchIndex(tmp_path / "ix").close()
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "ix")],
        cwd=root,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": str(root)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert len(log.read_text().split()) == 1  # the script itself, not once more per worker
