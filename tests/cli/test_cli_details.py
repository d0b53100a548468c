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


def test_annotate_quote_typed_with_straight_quotes_finds_curly_ones(capsys, tmp_path, corpus):
    archive = str(tmp_path / "a")
    doc_id = _import(capsys, archive, corpus / "seed" / "npr-cities-immigration-crackdown-2025.md")
    code, out, err = run(capsys, "--archive", archive, "annotate", str(doc_id), "--quote", '"a calamity."', "--json")
    assert code == 0, err
    assert json.loads(out)["target"]["selector"][0]["exact"] == "“a calamity.”"
    code, out, err = run(capsys, "--archive", archive, "annotate", str(doc_id), "--quote", "it's likely the city")
    assert code == 0, err


def test_quotes_and_dashes_typed_plainly_find_their_typographic_forms():
    from app.anchoring import find_quote, fold, quote_spans

    text = "Chief Brian O\u2019Hara said \u2014 twice \u2014 that it was \u201cfine\u201d."
    assert text[slice(*find_quote(text, "O'Hara said - twice"))] == "O\u2019Hara said \u2014 twice"
    assert quote_spans(text, '"fine"') == [(text.index("\u201c"), text.index("\u201d") + 1)]
    assert fold("O\u2019Hara")[0] == fold("O'Hara")[0]
