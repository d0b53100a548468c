"""Smaller command-line promises: evidence from titles, tags in `show`, plurals, citations, quote folding."""

import json

import pytest

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


def test_show_lists_the_documents_tags(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    doc_id = _import(capsys, archive, sample_files / "omaha.txt")
    run(capsys, "--archive", archive, "tag", str(doc_id), "--jurisdiction", "Omaha, NE", "--stance", "sanctuary")
    run(capsys, "--archive", archive, "tag", str(doc_id), "--jurisdiction", "Omaha, NE", "--start", "0", "--end", "5")
    shown = json.loads(run(capsys, "--archive", archive, "show", str(doc_id), "--json")[1])
    assert [(t["jurisdiction_name"], t["stance_label"], t["quote"]) for t in shown["tags"]] == [
        ("Omaha, NE", "Sanctuary", ""),
        ("Omaha, NE", None, "Omaha"),
    ]
    out = run(capsys, "--archive", archive, "show", str(doc_id))[1]
    assert "tags         2 tags\n  Omaha, NE: Sanctuary (whole document)\n  Omaha, NE on “Omaha”\n" in out


def test_counts_are_worded_with_the_right_plural(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    _import(capsys, archive, sample_files / "omaha.txt")
    out = run(capsys, "--archive", archive, "import", str(sample_files / "memos" / "copy-of-omaha.txt"))[1]
    assert out.startswith("0 imported, 1 duplicate, 0 skipped, 0 failed")
    assert run(capsys, "--archive", archive, "search", "omaha")[1].startswith("1 document matches 'omaha'")
    assert run(capsys, "--archive", archive, "reindex")[1] == "indexed 1 document\n"
    assert run(capsys, "--archive", archive, "check")[1].startswith("1 document checked")
    run(capsys, "--archive", archive, "stance-set-add", "budget", "--topic", "Police budget")
    out = run(capsys, "--archive", archive, "stance-edit", "budget/cuts", "--label", "Cuts", "--rule", "any: defund")[1]
    assert out.startswith("budget/cuts: Cuts (1 rule)")


def test_cite_refuses_a_page_the_document_does_not_have(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    doc_id = _import(capsys, archive, sample_files / "omaha.txt")
    code, out, err = run(capsys, "--archive", archive, "cite", str(doc_id), "--page", "2")
    assert code == 1 and out == "" and "without pages: cite it without a page" in err
    code, out, _ = run(capsys, "--archive", archive, "cite", str(doc_id))
    assert code == 0 and out.startswith("“Omaha police will not join raids”")


def test_cite_refuses_a_page_past_the_end_of_a_pdf(tmp_path):
    from app.citation import citation
    from app.errors import DossierError
    from app.models import Document

    doc = Document(7, "ab" * 32, "pdf", "MOA", "/x/moa.pdf", "moa.pdf", 10, "2025-01-01", pages=3)
    assert citation(doc, 3).endswith("p. 3. [moa.pdf, sha256 abababababab]")
    with pytest.raises(DossierError, match="has 3 pages; there is no page 4"):
        citation(doc, 4)


def test_search_during_a_rebuild_says_what_is_not_searchable_yet(capsys, tmp_path, sample_files, monkeypatch):
    import app.archive

    archive = str(tmp_path / "a")
    main(["--archive", archive, "import", str(sample_files)])
    (tmp_path / "a" / "index" / "SCHEMA_VERSION").write_text("0\n")
    monkeypatch.setattr(app.archive, "OPEN_INDEX_LIMIT", 1)
    capsys.readouterr()
    assert main(["--archive", archive, "search", "omaha"]) == 0
    err = capsys.readouterr().err
    assert "warning: 3 documents not searchable yet (the index is being rebuilt)" in err
    assert main(["--archive", archive, "reindex", "--resume", "--json"]) == 0
    assert '"indexed": 3' in capsys.readouterr().out
    assert main(["--archive", archive, "search", "omaha"]) == 0
    captured = capsys.readouterr()
    assert "1 document matches" in captured.out and "not searchable" not in captured.err


@pytest.mark.parametrize("query", ["kind:pfd", "omaha title:", "jurisdiction:omha"])
def test_a_write_by_query_refuses_a_query_not_understood_in_full(capsys, tmp_path, sample_files, query):
    """Left out, a mistyped clause would widen the export or the tagging to the whole archive."""
    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(sample_files))
    out = tmp_path / "k.zip"
    code, _, err = run(capsys, "--archive", archive, "export", "--query", query, "--out", str(out))
    assert code == 1 and "was not understood, so nothing was exported" in err and not out.exists()
    code, _, err = run(capsys, "--archive", archive, "tag", "--query", query, "--jurisdiction", "Denver")
    assert code == 1 and "nothing was tagged" in err
    code, _, _ = run(capsys, "--archive", archive, "tag", "--query", "omaha", "--jurisdiction", "Denver")
    assert code == 0  # a query understood in full still writes


def test_json_works_before_the_command_too(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(sample_files / "omaha.txt"))
    code, out, _ = run(capsys, "--json", "--archive", archive, "search", "omaha date:2025-13")
    assert code == 0 and json.loads(out)["warnings"]
    code, out, _ = run(capsys, "--archive", archive, "search", "omaha")
    assert not out.startswith("{")


def test_show_lists_a_messages_attachment_documents_apart_from_their_file_names(capsys, tmp_path, corpus):
    message = corpus / "office" / "msg" / "tika" / "testMSG_att_msg.msg"
    if not message.is_file():
        pytest.skip(f"corpus file {message} missing")
    archive = str(tmp_path / "a")
    doc_id = _import(capsys, archive, message)
    out = run(capsys, "--archive", archive, "show", str(doc_id))[1]
    names = next(line for line in out.splitlines() if line.startswith("attachments "))
    assert "Test Attachment.msg" in names and "smbprn.00009008.KdcPjl.pdf" in names
    listed = out.split("attachment documents\n", 1)[1].splitlines()[:2]
    assert listed[0].endswith("[msg]  (Test Attachment.msg)")
    assert listed[1].endswith("[pdf]  (smbprn.00009008.KdcPjl.pdf)")
