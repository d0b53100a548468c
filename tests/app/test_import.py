"""Importing files and folders: every file accounted for, duplicates detected, text searchable."""

import hashlib

import pytest

from app.archive import Archive
from app.store.db import transaction


def test_import_accounts_for_every_file(archive, sample_files):
    report = archive.import_paths([sample_files, sample_files / "missing.txt"])

    imported = {entry["path"].split("inbox/")[1]: entry for entry in report.imported}
    assert sorted(imported) == ["denver.md", "memos/cp1252.txt", "omaha.txt"]
    assert imported["denver.md"]["title"] == "Denver calls the crackdown a calamity"
    assert [d["path"].endswith("copy-of-omaha.txt") for d in report.duplicates] == [True]
    assert report.duplicates[0]["id"] == imported["omaha.txt"]["id"]
    assert [s["path"].endswith("notes.xyz") for s in report.skipped] == [True]
    assert "unsupported file type '.xyz'" in report.skipped[0]["reason"]
    errors = {f["path"].rsplit("/", 1)[1]: f["error"] for f in report.failed}
    assert errors == {
        "empty.txt": "could not read the file: the file is empty",
        "missing.txt": "no such file or folder",
    }
    assert report.total == 7


def test_reimport_adds_nothing(archive, sample_files):
    archive.import_paths([sample_files])
    again = archive.import_paths([sample_files])
    assert again.imported == []
    assert len(again.duplicates) == 4
    assert archive.stats()["documents"] == 3


def test_stored_text_metadata_and_original(archive, sample_files):
    report = archive.import_paths([sample_files / "denver.md", sample_files / "memos" / "cp1252.txt"])
    denver, grand_prairie = (entry["id"] for entry in report.imported)

    doc = archive.document(denver)
    assert (doc.kind, doc.author, doc.published.isoformat()) == ("markdown", "City Staff", "2025-01-24")
    assert archive.text(denver) == (
        "Denver\n\nDenver City Government published an editorial describing the "
        "federal immigration crackdown as a calamity."
    )
    assert "\u201cMy officers would not be using their time effectively.\u201d caf\u00e9" in archive.text(grand_prairie)
    original = archive.original_path(denver).read_bytes()
    assert original == (sample_files / "denver.md").read_bytes()
    assert hashlib.sha256(original).hexdigest() == doc.sha256


def test_documents_are_searchable_after_import(archive, sample_files):
    archive.import_paths([sample_files])
    result = archive.search('"not intend to participate"')
    assert [hit.title for hit in result.hits] == ["Omaha police will not join raids"]
    assert "<mark>not intend to participate</mark>" in result.hits[0].snippet
    assert result.facets["kind"] == {"text": 2, "markdown": 1} or result.facets["kind"] == {"text": 1}


def test_the_index_is_written_in_flushes_and_progress_counts_only_what_they_hold(archive, tmp_path, monkeypatch):
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(100):
        (folder / f"doc{number:03}.txt").write_text(f"Memo {number} on council budgets and police overtime.")
    monkeypatch.setattr("app.importer.STORE_BATCH_DOCS", 5)
    monkeypatch.setattr("app.importer.INDEX_FLUSH_MIN", 10)
    monkeypatch.setattr("app.importer.INDEX_FLUSH_MAX", 20)
    monkeypatch.setenv("DOSSIER_INDEX_PROCESS", "0")  # every flush in this process, where it can be counted
    flushes, write = [], archive.index.write

    def counted(upserts=(), deletions=(), merge=True):
        written = write(upserts, deletions, merge)
        flushes.append(written)
        return written

    monkeypatch.setattr(archive.index, "write", counted)
    searchable = []
    archive.import_paths([folder], progress=lambda p: searchable.append((p.searchable, archive.index.doc_count())))
    assert sum(flushes) == 100 and 5 <= len(flushes) <= 10
    assert all(10 <= size <= 25 for size in flushes[:-1]) and max(flushes) > 10  # grows with the archive
    assert all(said == indexed for said, indexed in searchable) and searchable[-1][0] >= 80
    assert archive.search_ids("overtime").total == 100 and archive.stats()["queued_for_index"] == 0


def _small_flushes(monkeypatch) -> None:
    monkeypatch.setattr("app.importer.STORE_BATCH_DOCS", 10)
    monkeypatch.setattr("app.importer.INDEX_FLUSH_MIN", 30)
    monkeypatch.setattr("app.importer.INDEX_FLUSH_MAX", 60)


def _corpus_texts(corpus, count: int) -> list:
    files = sorted((corpus / "text").rglob("*.txt"))[:count]
    if len(files) < count:
        pytest.skip(f"fewer than {count} text files under {corpus / 'text'}")
    return files


def test_flushes_written_by_the_writer_process_hold_every_document_exactly_once(archive, corpus, monkeypatch):
    """Flushes committed by the index writer process while the import stores the next batches: every stored
    document is in the index once, nothing stays queued, progress never claims more than the index holds, and
    there is a segment per flush at most."""
    from whoosh import index as whoosh_index

    _small_flushes(monkeypatch)
    files = _corpus_texts(corpus, 240)
    seen = []
    report = archive.import_paths(files, progress=lambda p: seen.append((p.searchable, archive.index.doc_count())))
    stored = archive.documents.ids()
    assert len(stored) == len(report.imported) > 200
    assert archive.index.ids() == stored and archive.index.doc_count() == len(stored)  # no duplicates
    assert archive.stats()["queued_for_index"] == 0
    assert all(said <= indexed for said, indexed in seen) and seen[-1][0] >= len(stored) // 2
    assert any(0 < said < len(stored) for said, _ in seen)  # searchable during the import, flush by flush
    first = report.imported[0]
    assert first["id"] in archive.search_ids(f'"{first["title"]}"').ids
    opened = whoosh_index.open_dir(archive.folder / "index")
    with opened.reader() as reader:
        assert 1 < len(reader.leaf_readers()) <= len(stored) // 30 + 1
    opened.close()
    # edits and deletions after such an import still reach the index
    archive.update_metadata(first["id"], title="Zanzibar clove harvest")
    assert archive.search_ids("zanzibar").ids == [first["id"]]
    assert archive.search_ids(f'"{first["title"]}"').ids.count(first["id"]) <= 1
    assert archive.index.doc_count() == len(stored)


def test_an_edit_made_while_a_writer_process_commits_is_indexed_afterwards(archive, corpus, monkeypatch):
    """A document changed after the writer process read it stays queued when its commit is settled, so the
    next pass indexes the change instead of dropping it."""
    from indexer.writer_process import WriterProcess

    files = _corpus_texts(corpus, 20)
    monkeypatch.setenv("DOSSIER_INDEX_PROCESS", "0")
    report = archive.import_paths(files)
    ids = [entry["id"] for entry in report.imported]
    with archive.writing("test"), transaction(archive.conn):
        archive.documents.queue(ids)
    with WriterProcess(archive.folder / "index") as writer:
        chunk, head = archive._start_index_batch(writer, set(ids))
        assert sorted(chunk) == sorted(ids)
        assert writer.wait() == len(ids)
    with archive.writing("test"), transaction(archive.conn):
        archive.documents.update(ids[0], title="Zanzibar clove harvest")  # logged, not indexed yet
        archive.documents.queue([ids[0]])
    archive._dequeue_written(chunk, head)
    assert archive.documents.queued() == [ids[0]]
    assert archive.search_ids("zanzibar").ids == []
    archive.repair_index()
    assert archive.search_ids("zanzibar").ids == [ids[0]] and archive.index.doc_count() == len(ids)


def test_an_import_cancelled_between_writer_process_flushes_leaves_an_index_the_opening_repairs(
    archive_dir, corpus, monkeypatch
):
    _small_flushes(monkeypatch)
    files = _corpus_texts(corpus, 200)
    seen = []
    with Archive.open(archive_dir) as archive:
        report = archive.import_paths(files, progress=seen.append, cancel=lambda: len(seen) >= 90)
        assert report.cancelled and 0 < len(report.imported) < 200
        stored = archive.documents.ids()
        assert archive.index.ids() == stored and archive.index.doc_count() == len(stored)
    with Archive.open(archive_dir) as archive:
        assert archive.index.ids() == archive.documents.ids() == stored
        assert archive.stats()["queued_for_index"] == 0


def test_an_import_that_fails_while_a_writer_process_commits_leaves_what_the_opening_indexes(
    archive_dir, corpus, monkeypatch
):
    """An import stopped by an error (as by Ctrl+C) abandons the commit in flight: what it had not committed
    stays queued, and the next opening indexes it, each document once."""
    _small_flushes(monkeypatch)
    files = _corpus_texts(corpus, 200)
    seen = []

    def progress(report) -> None:
        seen.append(report)
        if len(seen) == 120:
            raise RuntimeError("stopped")

    with Archive.open(archive_dir) as archive, pytest.raises(RuntimeError, match="stopped"):
        archive.import_paths(files, progress=progress)
    with Archive.open(archive_dir) as archive:
        stored = archive.documents.ids()
        assert 0 < len(stored) < 200
        assert archive.index.ids() == stored and archive.index.doc_count() == len(stored)
        assert archive.stats()["queued_for_index"] == 0


def test_progress_reports_each_file_and_cancel_skips_the_rest(archive, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(40):
        (folder / f"doc{number:02}.txt").write_text(f"Document number {number} about council budgets.")
    seen = []

    def cancel() -> bool:
        return len(seen) >= 5

    report = archive.import_paths([folder], progress=seen.append, cancel=cancel)
    assert report.cancelled
    assert report.total == 40
    assert {entry["reason"] for entry in report.skipped} == {"import cancelled"}
    assert 5 <= len(report.imported) < 40
    assert seen[-1].done == 40 and seen[-1].total == 40
    assert archive.stats()["documents"] == len(report.imported)


def test_documents_survive_reopen(archive_dir, sample_files):
    with Archive.open(archive_dir) as first:
        first.import_paths([sample_files])
    with Archive.open(archive_dir) as second:
        assert second.stats()["documents"] == 3
        assert second.search("calamity").total == 1


def test_copy_of_a_failed_file_and_repeated_paths_are_each_reported_once(archive, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_bad.txt").write_bytes(b" \n\t ")
    for number in range(30):
        (folder / f"m{number:02}.txt").write_text(f"Memo {number} on budgets.")
    (folder / "zz_copy.txt").write_bytes(b" \n\t ")
    report = archive.import_paths([folder, folder / "m00.txt"])
    assert report.total == 32
    assert sorted(f["path"].rsplit("/", 1)[1] for f in report.failed) == ["a_bad.txt", "zz_copy.txt"]
    assert len(report.imported) == 30 and report.duplicates == []


def test_a_failed_open_releases_the_lock(archive_dir):
    import sqlite3

    import pytest

    from app.errors import ArchiveTooNew
    from app.store import migrations

    archive_dir.mkdir()
    conn = sqlite3.connect(archive_dir / "dossier.sqlite3")
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.close()
    for _ in range(2):
        with pytest.raises(ArchiveTooNew):
            Archive.open(archive_dir)


def test_a_text_past_the_limit_is_cut_and_the_report_says_so(archive, tmp_path):
    from indexer.extract import MAX_TEXT_CHARS

    huge = tmp_path / "huge.txt"
    huge.write_text("alpha " + "word " * (MAX_TEXT_CHARS // 5) + "omega")
    report = archive.import_paths([huge])
    (entry,) = report.imported
    assert (
        entry["cut"]
        == f"only the first {MAX_TEXT_CHARS:,} characters of its {huge.stat().st_size:,} are kept and searchable"
    )
    assert len(archive.text(entry["id"])) == MAX_TEXT_CHARS
    assert archive.search_ids("alpha").ids == [entry["id"]] and archive.search_ids("omega").ids == []
