"""`dossier tag --query`: a dry run that writes nothing, a batch with a summary, and `tag-undo` for it."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import run


@pytest.fixture
def archive(capsys, tmp_path, corpus) -> str:
    """The seed article and five White House articles of March 2025, one of them tagged already."""
    folder = str(tmp_path / "a")
    sources = [corpus / "seed", corpus / "topic" / "wh_sanctuary" / "articles" / "2025-03"]
    assert run(capsys, "--archive", folder, "import", *map(str, sources))[0] == 0
    assert (
        run(capsys, "--archive", folder, "tag", "1", "--jurisdiction", "United States", "--stance", "anti-sanctuary")[0]
        == 0
    )
    return folder


def _hits(capsys, archive: str, query: str) -> list[int]:
    return [hit["id"] for hit in json.loads(run(capsys, "--archive", archive, "search", query, "--json")[1])["hits"]]


def test_a_dry_run_lists_each_document_and_writes_nothing(capsys, archive):
    found = _hits(capsys, archive, "sanctuary")
    assert len(found) >= 3 and 1 in found
    args = ["--archive", archive, "tag", "--query", "sanctuary", "--jurisdiction", "US", "--stance", "anti-sanctuary"]
    code, out, _ = run(capsys, *args, "--dry-run")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(found) + 1
    assert "#1 " in out and "already tagged United States (federal) · Anti-sanctuary" in out
    assert lines[-1] == (
        f"would tag {len(found) - 1} documents with United States (federal) · Anti-sanctuary; 1 unchanged "
        "(dry run: nothing was written)"
    )
    plan = json.loads(run(capsys, *args, "--dry-run", "--json")[1])
    assert [e["doc_id"] for e in plan["entries"]] == found
    assert (plan["to_tag"], plan["unchanged"]) == (len(found) - 1, 1)
    assert {"doc_id", "title", "reason", "tags"} == set(plan["entries"][0])
    assert _hits(capsys, archive, "stance:anti-sanctuary") == [1]
    assert json.loads(run(capsys, "--archive", archive, "tag-batches", "--json")[1]) == []


def test_a_batch_and_tag_undo_round_trip(capsys, archive):
    found = _hits(capsys, archive, "sanctuary")
    code, out, _ = run(capsys, "--archive", archive, "tag", "--query", "sanctuary", "--jurisdiction", "US",
                       "--stance", "anti-sanctuary")  # fmt: skip
    assert code == 0
    summary, undo_hint = out.splitlines()
    assert summary == f"Tagged {len(found) - 1} documents with United States (federal) · Anti-sanctuary (1 unchanged)"
    batch = undo_hint.split()[1].rstrip(":")
    assert undo_hint == f"batch {batch}: `dossier tag-undo {batch}` removes these tags again"
    assert sorted(_hits(capsys, archive, "stance:anti-sanctuary")) == sorted(found)
    (listed,) = json.loads(run(capsys, "--archive", archive, "tag-batches", "--json")[1])
    assert (listed["batch"], listed["documents"]) == (batch, len(found) - 1)

    code, out, _ = run(capsys, "--archive", archive, "tag-undo", batch, "--json")
    assert code == 0 and json.loads(out)["removed"] == len(found) - 1
    assert _hits(capsys, archive, "stance:anti-sanctuary") == [1]  # the tag made before the batch stays
    code, _, err = run(capsys, "--archive", archive, "tag-undo", batch)
    assert code == 1 and "undone already" in err and "dossier tag-batches" in err


def test_bad_usage_of_tag_exits_2(capsys, archive):
    assert run(capsys, "--archive", archive, "tag", "--jurisdiction", "US")[0] == 2
    assert run(capsys, "--archive", archive, "tag", "1", "--query", "x", "--jurisdiction", "US")[0] == 2
    assert run(capsys, "--archive", archive, "tag", "1", "--jurisdiction", "US", "--dry-run")[0] == 2
    code, _, err = run(capsys, "--archive", archive, "tag", "--query", "x", "--jurisdiction", "US", "--remove")
    assert code == 2 and "take an ID" in err


def test_suggest_accepts_above_a_score_for_a_query_as_one_batch(capsys, archive):
    found = _hits(capsys, archive, "sanctuary")
    args = ["--archive", archive, "suggest", "--query", "sanctuary", "--accept-above", "0.9"]
    code, out, _ = run(capsys, *args, "--dry-run")
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(found) + 1
    seed = next(line for line in lines if "npr-cities" in line)
    assert "Omaha, NE; " in seed and "Refuses to join raids" in seed  # places first, then (place, stance) pairs
    assert lines[-1] == (
        f"would tag {len(found)} documents with the suggestions scoring 90% or more (dry run: nothing was written)"
    )
    plan = json.loads(run(capsys, *args, "--dry-run", "--json")[1])
    assert plan["from_suggestion"] and plan["to_tag"] == len(found)
    assert json.loads(run(capsys, "--archive", archive, "tag-batches", "--json")[1]) == []

    code, out, _ = run(capsys, *args)
    summary, undo_hint = out.splitlines()
    assert code == 0 and summary.startswith(f"Tagged {len(found)} documents with the suggestions scoring 90% or more (")
    batch = undo_hint.split()[1].rstrip(":")
    assert undo_hint == f"batch {batch}: `dossier tag-undo {batch}` removes these tags again"
    assert len(_hits(capsys, archive, "jurisdiction:omaha")) == 1
    code, out, _ = run(capsys, "--archive", archive, "tag-undo", batch)
    assert (
        code == 0
        and out.startswith("Removed ")
        and out.rstrip().endswith(f"accepted suggestions from {len(found)} documents")
    )
    assert _hits(capsys, archive, "jurisdiction:omaha") == []


def test_bad_usage_of_suggest_exits_2(capsys, archive):
    assert run(capsys, "--archive", archive, "suggest", "--query", "x")[0] == 2
    assert run(capsys, "--archive", archive, "suggest", "1", "--dry-run")[0] == 2
    assert run(capsys, "--archive", archive, "suggest", "1", "--query", "x", "--accept-above", "0.5")[0] == 2
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "--archive", archive, "suggest", "1", "--accept-above", "80")
    assert exit_.value.code == 2 and "a score from 0 to 1" in capsys.readouterr().err
