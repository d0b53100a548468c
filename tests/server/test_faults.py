"""A sync cut midway (the process killed, the server dropping the connection) leaves both sides consistent,
and the next sync completes it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from app.archive import DB_NAME, Archive
from app.server.sync import SyncCancelled

from .test_sync import bbc, snapshot

pytestmark = pytest.mark.server


def _blocked_backend(newsroom, role: str, deadline_s: float = 60.0) -> int:
    """The pid of ``role``'s server process once it waits for a row lock (polled until then)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        rows = newsroom.query("SELECT pid FROM pg_stat_activity WHERE usename = %s AND wait_event_type = 'Lock'", role)
        if rows:
            return rows[0][0]
        time.sleep(0.05)
    raise AssertionError(f"{role}'s sync never reached its second batch")


@pytest.mark.parametrize("cut", ["killed", "connection dropped"])
def test_a_sync_cut_in_its_second_batch_completes_on_the_next_run(newsroom, tmp_path, corpus, cut):
    folder = tmp_path / "laptop"
    with Archive.open(folder) as laptop:
        laptop.import_paths(bbc(corpus, "sport", 1, 2, 3, 4, 5, 6))
        ids = sorted(laptop.documents.ids())
        laptop.annotate(ids[3], start=0, end=8, note="in the second batch")
        laptop.tag(ids[4], "Texas", "cooperates")
        in_second_batch = laptop.document(ids[2]).sha256
    (desk,) = newsroom.query("SELECT id FROM dossier.projects WHERE name = 'desk'")[0]
    # an administrator's open transaction holds a row the second batch (two documents a batch) inserts too
    blocker = psycopg.connect(newsroom.admin.replace("/postgres?", f"/{newsroom.db}?"))
    blocker.execute(
        "INSERT INTO dossier.documents (project_id, sha256, kind, title, file_name, size, text, original) "
        "VALUES (%s, %s, 'text', 'held', 'held.txt', 1, '', '\\x00')",
        (desk, in_second_batch),
    )
    env = {**os.environ, "DOSSIER_SYNC_BATCH": "2"}
    argv = [sys.executable, "-c", "from app.cli import main; raise SystemExit(main())", "sync", "--archive",
            str(folder), "--server", newsroom.url("alice"), "--project", "desk"]  # fmt: skip
    sync = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def first_batch_committed() -> None:
        assert newsroom.query("SELECT count(*) FROM dossier.documents")[0][0] == 2

    _cut(newsroom, sync, blocker, newsroom.roles["alice"], cut, first_batch_committed)
    assert newsroom.query("SELECT count(*) FROM dossier.documents")[0][0] == 2  # the cut batch left nothing
    assert newsroom.query("SELECT count(*) FROM dossier.annotations")[0][0] == 0
    with Archive.open(folder) as laptop:
        assert laptop.sync_states() == []  # nothing recorded: the next sync pushes everything again
        done = laptop.sync(newsroom.url("alice"), "desk")
        assert done.pushed_documents == 4 and done.pushed_annotations == 1 and done.pushed_tags == 1
        assert not laptop.sync().changed
        with Archive.open(tmp_path / "colleague") as colleague:
            colleague.sync(newsroom.url("bob"), "desk")
            assert snapshot(colleague) == snapshot(laptop)


def test_a_cancelled_sync_leaves_nothing_half_done_and_the_next_one_completes(newsroom, laptops):
    a, _b = laptops
    with pytest.raises(SyncCancelled):
        a.sync(newsroom.url("alice"), "desk", cancel=lambda: True)
    assert newsroom.query("SELECT count(*) FROM dossier.documents")[0][0] == 0 and a.sync_states() == []
    assert a.sync(newsroom.url("alice"), "desk").pushed_documents == 4


def test_two_laptops_syncing_the_same_project_at_once_both_succeed(newsroom, laptops):
    a, b = laptops
    reports, errors = {}, []

    def run(name, laptop):
        try:
            reports[name] = laptop.sync(newsroom.url(name), "desk")
        except Exception as exc:  # reported below, with the other laptop's outcome
            errors.append(exc)

    threads = [threading.Thread(target=run, args=pair) for pair in (("alice", a), ("bob", b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and set(reports) == {"alice", "bob"}
    assert reports["alice"].pushed_documents + reports["bob"].pushed_documents == 6  # the shared file once
    a.sync()
    b.sync()
    assert snapshot(a).keys() == snapshot(b).keys() and len(snapshot(a)) == 6
    assert not a.sync().changed and not b.sync().changed


@pytest.mark.parametrize("cut", ["killed", "connection dropped"])
def test_a_pull_cut_midway_completes_on_the_next_run(newsroom, tmp_path, corpus, cut):
    with Archive.open(tmp_path / "source") as source:
        source.import_paths(bbc(corpus, "tech", 1, 2, 3, 4, 5, 6, 7, 8))
        ids = sorted(source.documents.ids())
        source.annotate(ids[5], start=0, end=8, note="pulled late")
        source.tag(ids[6], "Texas", "cooperates")
        source.update_metadata(ids[7], title="Edited before the push")
        source.sync(newsroom.url("alice"), "desk")
        expected = snapshot(source)
    folder = tmp_path / "laptop"
    Archive.open(folder).close()
    env = {**os.environ, "DOSSIER_SYNC_BATCH": "1"}  # one document a batch: a transaction each, locally
    argv = [sys.executable, "-c", "from app.cli import main; raise SystemExit(main())", "sync", "--archive",
            str(folder), "--server", newsroom.url("bob"), "--project", "desk"]  # fmt: skip
    sync = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    blocker = psycopg.connect(newsroom.admin.replace("/postgres?", f"/{newsroom.db}?"))
    try:
        end = time.monotonic() + 60
        while _documents_in(folder) == 0 and time.monotonic() < end and sync.poll() is None:
            time.sleep(0.01)  # until the first batch is merged here ...
        # ... the next batch's fetch waits on the server: the pull is cut there
        blocker.execute("LOCK TABLE dossier.documents IN ACCESS EXCLUSIVE MODE")
    except BaseException:
        sync.kill()
        blocker.close()
        raise
    _cut(newsroom, sync, blocker, newsroom.roles["bob"], cut)
    with Archive.open(folder) as laptop:
        merged = laptop.stats()["documents"]
        assert 0 < merged < 8, "the pull was not cut midway"
        assert laptop.check().ok  # what was merged is whole: originals, texts and index agree
        (state,) = laptop.sync_states()
        assert state.pulled_seq == 0  # nothing recorded as pulled: the next sync fetches everything again
        done = laptop.sync()
        assert done.pulled_documents == 8 - merged and not done.conflicts and not done.field_conflicts
        assert snapshot(laptop) == expected
        assert not laptop.sync().changed
    assert newsroom.query("SELECT count(*) FROM dossier.documents")[0][0] == 8  # the server is as it was


def _cut(newsroom, sync: subprocess.Popen, blocker, role: str, cut: str, while_blocked=lambda: None) -> None:
    """Cut ``sync`` where its server process waits on ``blocker``'s lock (killed, or its connection dropped by the
    server), then release the lock: the sync failed, and said why in words when its connection dropped."""
    try:
        backend = _blocked_backend(newsroom, role)
        while_blocked()
        if cut == "killed":
            sync.kill()
        else:
            newsroom.query("SELECT pg_terminate_backend(%s)", backend)
        _out, err = sync.communicate(timeout=60)
    finally:
        if sync.poll() is None:
            sync.kill()
        blocker.rollback()
        blocker.close()
    assert sync.returncode != 0
    if cut == "connection dropped":
        assert "dossier:" in err and "Traceback" not in err


def _documents_in(folder) -> int:
    """How many documents the archive holds, read without opening it as Dossier does (which would take turns)."""
    conn = sqlite3.connect(f"file:{folder / DB_NAME}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        conn.close()
