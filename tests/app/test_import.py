"""Importing files and folders: every file accounted for, duplicates detected, text searchable."""

import hashlib

from app.archive import Archive


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
