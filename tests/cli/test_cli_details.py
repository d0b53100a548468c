"""Smaller command-line promises: evidence from titles, tags in `show`, plurals, citations, quote folding."""

import json

from app.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _import(capsys, archive: str, path) -> int:
    out = run(capsys, "--archive", archive, "import", str(path), "--json")[1]
    return json.loads(out)["imported"][0]["id"]


def test_suggest_shows_a_place_named_only_in_the_title(capsys, tmp_path):
    source = tmp_path / "title.md"
    source.write_text(
        "---\ntitle: Omaha police will not join raids\n---\n\n"
        "The chief said officers will not take part in any raids.\n"
    )
    archive = str(tmp_path / "a")
    doc_id = _import(capsys, archive, source)
    code, out, _ = run(capsys, "--archive", archive, "suggest", str(doc_id))
    assert code == 0
    assert "Omaha, NE" in out and "in the title: “Omaha police will not join raids”" in out
    found = json.loads(run(capsys, "--archive", archive, "suggest", str(doc_id), "--json")[1])
    (omaha,) = [j for j in found["jurisdictions"] if j["name"] == "Omaha, NE"]
    assert omaha["evidence"] == [{"start": 0, "end": 5, "quote": "Omaha police will not join raids", "field": "title"}]
