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


def test_a_killed_import_process_is_a_readable_error_and_loses_nothing_committed(archive, tmp_path):
    folder = _memos(tmp_path / "many", 300)

    def kill_the_child(_progress):
        for child in multiprocessing.active_children():
            if child.name == PROCESS_NAME:
                os.kill(child.pid, signal.SIGKILL)

    with pytest.raises(DossierError, match=r"import stopped unexpectedly.*code -9.*import the same files again"):
        archive.import_paths([folder], progress=kill_the_child, separate_process=True)
    landed = archive.stats()["documents"]
    assert landed < 300
    report = archive.import_paths([folder], separate_process=True)
    assert (len(report.imported), len(report.duplicates)) == (300 - landed, landed)
    assert archive.check().ok
    assert archive.search_ids("sheriff").total == 300 == archive.stats()["indexed"]


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
