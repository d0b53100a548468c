"""Imports run in a child process (as the GUI runs them): same report, progress and cancel, a crash that loses
nothing committed, and edits made meanwhile that wait for the index instead of failing."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest
from whoosh import index as whoosh_index

import indexer.search_index
from app.archive import Archive
from app.errors import DossierError
from app.import_process import PROCESS_NAME
from app.store.db import transaction


def _memos(folder, count):
    folder.mkdir()
    for number in range(count):
        (folder / f"memo-{number:03}.txt").write_text(f"Sheriff memo {number} about detainer requests.\n")
    return folder


def test_a_child_process_import_reports_what_an_in_process_one_does(archive, sample_files, tmp_path):
    seen = []
    report = archive.import_paths([sample_files], progress=seen.append, separate_process=True)
    with Archive.open(tmp_path / "other") as other:
        expected = other.import_paths([sample_files])
    strip = lambda group: sorted((e["path"], e.get("reason")) for e in group)  # noqa: E731
    for name in ("imported", "duplicates", "skipped", "failed"):
        assert strip(getattr(report, name)) == strip(getattr(expected, name)), name
    assert [p.done for p in seen] == list(range(1, 7)) and seen[-1].total == 6
    stats = archive.stats()
    assert stats["documents"] == stats["indexed"] == 3 and stats["queued_for_index"] == 0
    assert archive.search_ids("calamity").total == 1


def test_cancel_reaches_the_child_and_every_file_is_accounted_for(archive, tmp_path):
    folder = _memos(tmp_path / "many", 300)
    cancelled = []
    report = archive.import_paths(
        [folder], progress=cancelled.append, cancel=lambda: bool(cancelled), separate_process=True
    )
    assert report.cancelled and report.total == 300 and len(report.imported) < 300
    assert {e["reason"] for e in report.skipped} == {"import cancelled"}
    assert archive.stats()["documents"] == archive.stats()["indexed"] == len(report.imported)


def test_a_killed_import_process_is_a_readable_error_and_loses_nothing_committed(archive, sample_files, tmp_path):
    folder = _memos(tmp_path / "many", 300)
    archive.import_paths([sample_files])
    with archive._guard, transaction(archive.conn):  # committed, not yet indexed: as a child killed mid-batch leaves it
        archive.documents.conn.execute("DELETE FROM index_queue")
        archive.documents.queue([1])
    archive.index.write(deletions=[1])

    def kill_the_child(_progress):
        for child in multiprocessing.active_children():
            if child.name == PROCESS_NAME:
                os.kill(child.pid, signal.SIGKILL)

    with pytest.raises(DossierError, match=r"import stopped unexpectedly.*code -9.*import the same files again"):
        archive.import_paths([folder], progress=kill_the_child, separate_process=True)
    stats = archive.stats()
    landed = stats["documents"] - 3
    assert landed < 300 and stats["indexed"] == landed + 3 and stats["queued_for_index"] == 0  # all searchable
    report = archive.import_paths([folder], separate_process=True)
    assert (len(report.imported), len(report.duplicates)) == (300 - landed, landed)
    assert archive.check().ok
    assert archive.search_ids("sheriff").total == 300 and archive.stats()["indexed"] == 303


def test_an_edit_while_another_process_holds_the_index_is_saved_and_indexed_later(imported, monkeypatch):
    monkeypatch.setattr(indexer.search_index, "WRITE_LOCK_TIMEOUT_S", 0.05)
    doc_id = imported.search_ids("calamity").ids[0]
    lock = whoosh_index.open_dir(imported.folder / "index").lock("WRITELOCK")
    assert lock.acquire()  # as an import process holds it during a batch
    try:
        imported.update_metadata(doc_id, title="Denver editorial on raids")
        assert imported.stats()["queued_for_index"] == 1
        assert imported.search_ids('title:"denver editorial"').ids == []
    finally:
        lock.release()
    imported.import_paths([], separate_process=True)  # the end of an import indexes what waited
    assert imported.stats()["queued_for_index"] == 0
    assert imported.search_ids('title:"denver editorial"').ids == [doc_id]


def test_an_import_whose_index_is_held_elsewhere_finishes_and_leaves_it_queued(archive, sample_files, monkeypatch):
    monkeypatch.setattr(indexer.search_index, "WRITE_LOCK_TIMEOUT_S", 0.05)
    lock = whoosh_index.open_dir(archive.folder / "index").lock("WRITELOCK")
    assert lock.acquire()  # the window (another process) holds the index through the whole import
    try:
        report = archive.import_paths([sample_files])
    finally:
        lock.release()
    assert len(report.imported) == 3 and archive.stats()["queued_for_index"] == 3
    assert archive.repair_index().missing_from_index == [] and archive.search_ids("calamity").total == 1


def test_a_helper_never_rebuilds_the_index_it_cannot_open(imported, monkeypatch):
    index_dir = imported.folder / "index"
    (index_dir / "SCHEMA_VERSION").write_text("999\n")  # as if another version's index
    files = sorted(p.name for p in index_dir.iterdir())
    with pytest.raises(DossierError, match=r"import could not open the search index .*missing or from another"):
        Archive.open_for_helper(imported.folder)
    assert sorted(p.name for p in index_dir.iterdir()) == files  # nothing deleted, nothing created
    (index_dir / "SCHEMA_VERSION").write_text(f"{indexer.search_index.SCHEMA_VERSION}\n")
    real, failures = whoosh_index.open_dir, []

    def committing_elsewhere(*args, **kwargs):
        if len(failures) < 2:  # the newest table of contents was replaced while it was read
            failures.append(1)
            raise FileNotFoundError(2, "No such file or directory: '_MAIN_7.toc'")
        return real(*args, **kwargs)

    monkeypatch.setattr(whoosh_index, "open_dir", committing_elsewhere)
    with Archive.open_for_helper(imported.folder) as helper:
        assert helper.search_ids("calamity").total == 1 and len(failures) == 2


def test_a_bundle_import_is_refused_while_files_are_imported(imported, tmp_path):
    from app.bundles.export import export_bundle
    from app.bundles.merge import import_bundle

    bundle = export_bundle(imported, imported.search_ids("").ids, tmp_path / "all.zip").path
    with imported._import_lock, pytest.raises(DossierError, match="Another import is running"):
        import_bundle(imported, bundle)
    assert not import_bundle(imported, bundle).changed


def test_a_child_that_does_not_stop_when_cancelled_is_ended(archive, tmp_path, monkeypatch):
    import app.import_process

    monkeypatch.setattr(app.import_process, "STOP_GRACE_S", 1.0)
    folder = _memos(tmp_path / "many", 300)
    stopped = []

    def freeze_the_child_then_cancel(_progress):
        for child in multiprocessing.active_children():
            if child.name == PROCESS_NAME and not stopped:
                os.kill(child.pid, signal.SIGSTOP)  # frozen: it never reads the cancel
                stopped.append(child)

    with pytest.raises(DossierError, match="did not stop when asked, so it was ended"):
        archive.import_paths(
            [folder], progress=freeze_the_child_then_cancel, cancel=lambda: bool(stopped), separate_process=True
        )
    assert not stopped[0].is_alive()
    report = archive.import_paths([folder], separate_process=True)
    assert len(report.imported) + len(report.duplicates) == 300
