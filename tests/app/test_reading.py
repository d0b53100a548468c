"""Reading the archive the way the GUI does: all hit ids, rows with snippets, match spans, edits."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from app.errors import BadQuery, DossierError


def test_search_ids_lists_every_match_in_order_with_facets(imported):
    found = imported.search_ids("omaha OR denver OR grand")
    assert found.total == 3 and len(set(found.ids)) == 3
    assert found.facets["kind"] == {"text": 2, "markdown": 1}
    newest = imported.search_ids("", sort="date")
    assert imported.document(newest.ids[0]).title == "Denver calls the crackdown a calamity"


def test_search_pages_through_every_match_with_facets_over_all(imported):
    first, second = imported.search("", page_size=1), imported.search("", page_size=1, page=2)
    assert (len(first.hits), len(second.hits), first.total) == (1, 1, 3)
    assert first.hits[0].id != second.hits[0].id
    assert first.facets["kind"] == {"text": 2, "markdown": 1}


def test_rows_come_with_snippets_marking_fuzzy_and_wildcard_matches(imported):
    found = imported.search_ids("denvr~1")
    (hit,) = imported.hits("denvr~1", found.ids)
    assert "<mark>Denver</mark>" in hit.snippet
    (hit,) = imported.hits("crackd*", imported.search_ids("crackd*").ids)
    assert "<mark>crackdown</mark>" in hit.snippet


def test_match_spans_point_at_the_words_and_skip_negated_ones(imported):
    doc_id = imported.search_ids("calamity").ids[0]
    text = imported.text(doc_id)
    spans = imported.match_spans("denver calamity", doc_id)
    assert {text[s:e].lower() for s, e in spans} == {"denver", "calamity"}
    spans = imported.match_spans("denver NOT calamity", doc_id)
    assert {text[s:e].lower() for s, e in spans} == {"denver"}


def test_a_bad_query_is_a_readable_error(imported):
    with pytest.raises(BadQuery, match="too long"):
        imported.search_ids(" OR ".join(f"w{i}" for i in range(300)))


def test_metadata_edits_are_stored_and_searchable(imported):
    doc_id = imported.search_ids("omaha").ids[0]
    doc = imported.update_metadata(doc_id, title="Omaha chief on raids", published=date(2025, 1, 27), site="KETV")
    assert (doc.title, doc.published, doc.site) == ("Omaha chief on raids", date(2025, 1, 27), "KETV")
    assert imported.search_ids('title:"omaha chief"').ids == [doc_id]
    assert imported.search_ids("date:2025-01-27").ids == [doc_id]
    assert imported.update_metadata(doc_id, published=None).published is None
    with pytest.raises(DossierError, match="title cannot be empty"):
        imported.update_metadata(doc_id, title="  ")


def test_original_copy_has_the_file_name_and_the_bytes(imported, sample_files, tmp_path):
    doc_id = imported.search_ids("calamity").ids[0]
    copy = imported.original_copy(doc_id, tmp_path / "cache")
    assert copy.name == "denver.md" and copy.read_bytes() == (sample_files / "denver.md").read_bytes()


def test_each_thread_reads_on_its_own_connection_while_an_import_writes(archive, sample_files, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for number in range(120):
        (folder / f"note-{number}.txt").write_text(f"Sheriff memo {number} about detainers.\n")
    errors, totals = [], []
    done = threading.Event()

    def read_while_importing():
        try:
            while not done.is_set():
                totals.append(archive.search_ids("sheriff").total)
                archive.stats()
        except Exception as exc:  # any error here is the bug this test is about
            errors.append(exc)

    reader = threading.Thread(target=read_while_importing)
    reader.start()
    try:
        report = archive.import_paths([folder, sample_files])
    finally:
        done.set()
        reader.join()
    assert errors == [] and len(report.imported) == 123
    assert totals == sorted(totals) and archive.search_ids("sheriff").total == 120
    assert archive._reader().conn is not archive.conn


@pytest.mark.parametrize("scan_above", [20_000, 0])  # looked up by id, or one scan of the table
def test_results_order_by_title_source_or_date_with_undated_last(imported, monkeypatch, scan_above):
    monkeypatch.setattr("app.store.documents._SCAN_ABOVE", scan_above)

    def titles(sort):
        return [imported.document(i).title.split()[0] for i in imported.search_ids("", sort=sort).ids]

    assert titles("title") == ["Denver", "Grand", "Omaha"]
    assert titles("title-desc") == ["Omaha", "Grand", "Denver"]
    assert titles("oldest")[0] == "Denver" and titles("date")[0] == "Denver"  # the only dated one, either way
    assert titles("source") == ["Grand", "Denver", "Omaha"]  # cp1252.txt, denver.md, omaha.txt
    assert titles("kind")[0] == "Denver" and titles("kind-desc")[-1] == "Denver"  # markdown before text


def test_an_unknown_order_names_the_ones_there_are(imported):
    with pytest.raises(BadQuery, match="use one of relevance, date, oldest, title"):
        imported.search_ids("", sort="size")
