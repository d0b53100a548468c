"""The index is derived data: deleted, damaged or stale, it is repaired from the store."""

import os
import shutil
import time

from app.archive import Archive


def test_deleted_index_is_rebuilt_at_open(archive_dir, sample_files):
    with Archive.open(archive_dir) as archive:
        archive.import_paths([sample_files])
    shutil.rmtree(archive_dir / "index")
    with Archive.open(archive_dir) as archive:
        assert archive.stats()["indexed"] == 3
        assert archive.search("calamity").total == 1


def test_schema_version_change_triggers_rebuild(archive_dir, sample_files):
    with Archive.open(archive_dir) as archive:
        archive.import_paths([sample_files])
    (archive_dir / "index" / "SCHEMA_VERSION").write_text("0\n")
    with Archive.open(archive_dir) as archive:
        assert archive.search("omaha").total == 1


def test_check_repairs_index_differences_and_reports_blobs(archive, sample_files):
    report = archive.import_paths([sample_files])
    ids = [entry["id"] for entry in report.imported]
    archive.index.write(deletions=[ids[0]])
    from indexer.types import IndexDoc

    archive.index.write(upserts=[IndexDoc(999, "ghost", "ghost text", "text")])
    corrupt = archive.document(ids[1])
    archive.blobs.path(corrupt.sha256).write_bytes(b"changed on disk")
    archive.blobs.path(archive.document(ids[2]).sha256).unlink()
    (archive.blobs.root / "ab").mkdir(exist_ok=True)
    leftover = archive.blobs.root / "ab" / ".tmp-leftover"
    leftover.write_bytes(b"partial")
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))  # left by a crash two hours ago
    in_flight = archive.blobs.root / "ab" / ("ab" + "0" * 62)
    in_flight.write_bytes(b"stored by an import in another process, whose transaction comes next")

    result = archive.check()

    assert result.missing_from_index == [ids[0]]
    assert result.stale_in_index == [999]
    assert result.corrupt_blobs == [ids[1]]
    assert result.missing_blobs == [ids[2]]
    assert result.orphan_blobs_removed == [".tmp-leftover"]
    assert in_flight.exists()  # too young to be an orphan
    assert not result.ok
    assert archive.index.ids() == set(ids)


def test_reindex_from_scratch_keeps_every_document(archive, sample_files):
    archive.import_paths([sample_files])
    assert archive.reindex() == 3
    assert archive.search("denver OR omaha OR prairie").total == 3


def test_check_reports_what_the_opening_already_repaired(archive_dir, sample_files):
    from indexer.search_index import SearchIndex

    with Archive.open(archive_dir) as archive:
        ids = [entry["id"] for entry in archive.import_paths([sample_files]).imported]
    damaged = SearchIndex(archive_dir / "index")
    damaged.write(deletions=[ids[0]])
    damaged.close()
    with Archive.open(archive_dir) as archive:  # the opening repairs the index
        assert archive.search_ids("").total == len(ids)
        report = archive.check()
        assert report.missing_from_index == [ids[0]]
        assert archive.check().missing_from_index == []


def test_a_long_rebuild_is_left_to_index_pending_and_searches_answer_meanwhile(archive_dir, sample_files, monkeypatch):
    import app.archive

    with Archive.open(archive_dir) as archive:
        archive.import_paths([sample_files])
    (archive_dir / "index" / "SCHEMA_VERSION").write_text("0\n")  # an upgrade: the index is rebuilt
    monkeypatch.setattr(app.archive, "OPEN_INDEX_LIMIT", 1)
    with Archive.open(archive_dir) as archive:
        found = archive.search("omaha")
        assert (found.total, found.unindexed) == (0, 3)
        steps = []
        assert archive.index_pending(progress=lambda done, total: steps.append((done, total))) == 3
        assert steps[-1] == (3, 3)
        found = archive.search("omaha")
        assert (found.total, found.unindexed) == (1, 0)
