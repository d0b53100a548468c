"""Migrations, the writer lock, crash-safe settings and the blob store."""

import sqlite3
import sys

import pytest

from app.archive import DB_NAME, Archive
from app.blobs import BlobStore, _syncfs
from app.changes import Changes
from app.errors import ArchiveTooNew
from app.store import changes as changelog
from app.store import migrations
from app.store.db import connect, transaction


def test_new_archive_is_at_latest_schema_with_durable_settings(archive):
    assert migrations.version(archive.conn) == migrations.LATEST
    assert archive.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert archive.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


@pytest.mark.parametrize("step", range(1, migrations.LATEST + 1))
def test_each_migration_step_applies_in_order(tmp_path, step):
    conn = connect(tmp_path / "db.sqlite3")
    for number in range(1, step + 1):
        with transaction(conn):
            migrations.STEPS[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"documents", "document_text", "index_queue"} <= tables


def add_step(monkeypatch, step):
    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, step])
    monkeypatch.setattr(migrations, "LATEST", len(migrations.STEPS))


def test_migrating_an_old_archive_keeps_a_backup(tmp_path, monkeypatch):
    db_path = tmp_path / DB_NAME
    conn = connect(db_path)
    with transaction(conn):
        migrations.STEPS[0](conn)
        conn.execute("PRAGMA user_version = 1")
    add_step(monkeypatch, lambda c: c.execute("CREATE TABLE later (x)"))
    later = migrations.LATEST
    assert migrations.migrate(conn, db_path, tmp_path / "backups") == list(range(2, later + 1))
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'later'").fetchone() is not None
    backup = sqlite3.connect(tmp_path / "backups" / "dossier.v1.sqlite3")
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_newer_archive_is_refused(archive_dir):
    archive_dir.mkdir()
    conn = sqlite3.connect(archive_dir / DB_NAME)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.close()
    with pytest.raises(ArchiveTooNew, match="newer Dossier"):
        Archive.open(archive_dir)


def test_a_failed_migration_step_rolls_back(tmp_path, monkeypatch):
    conn = connect(tmp_path / "db.sqlite3")

    def broken(c):
        c.execute("CREATE TABLE half (x)")
        raise RuntimeError("boom")

    add_step(monkeypatch, broken)
    with pytest.raises(RuntimeError):
        migrations.migrate(conn, tmp_path / "db.sqlite3", tmp_path / "backups")
    assert migrations.version(conn) == migrations.LATEST - 1  # every step before the broken one applied
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None


def test_lock_of_a_process_that_died_mid_write_is_reclaimed(archive_dir):
    import subprocess
    import sys

    code = (
        "import os, sys; from app.archive import Archive; "
        "Archive.open(sys.argv[1]).writing('importing files').__enter__(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(archive_dir)], check=True)
    with Archive.open(archive_dir) as reopened:
        reopened.write_wait = 0.0
        assert reopened.add_stance_set("housing", "Housing").id == "housing"


def test_blob_store_is_content_addressed_and_idempotent(tmp_path):
    blobs = BlobStore(tmp_path / "blobs")
    digest = blobs.put(b"council memo")
    assert blobs.put(b"council memo") == digest
    assert blobs.read(digest) == b"council memo"
    assert blobs.verify(digest) is True
    blobs.path(digest).write_bytes(b"tampered")
    assert blobs.verify(digest) is False
    assert blobs.verify("0" * 64) is None


def test_blobs_written_unsynced_are_made_durable_by_one_sync_per_batch(tmp_path):
    blobs = BlobStore(tmp_path / "blobs")
    digests = [blobs.put(f"memo {n}".encode(), sync=False) for n in range(300)]
    blobs.sync(digests)
    assert [blobs.read(d) for d in digests[:2]] == [b"memo 0", b"memo 1"]
    assert not [path for path in blobs.files() if path.name.startswith(".tmp-")]
    # on Linux the batch is one syncfs of the file system, not a fsync per file
    assert _syncfs(tmp_path) is sys.platform.startswith("linux")


def test_version_2_adds_tags_and_the_stance_presets(archive):
    conn = archive.conn
    sets = [row[0] for row in conn.execute("SELECT id FROM stance_sets ORDER BY position")]
    assert sets == ["immigration-enforcement", "generic"]
    order = [row[0] for row in conn.execute("SELECT id FROM stances WHERE set_id = ? ORDER BY position", (sets[0],))]
    assert order == [
        "sanctuary", "refuses-raids", "denies-access", "opposes", "neutral", "cooperates", "anti-sanctuary",
        "threatens-enforcement",
    ]  # fmt: skip
    assert conn.execute("SELECT COUNT(*) FROM stance_rules").fetchone()[0] > 10
    holders = dict(conn.execute("SELECT id, holders FROM stances WHERE set_id = ?", (sets[0],)).fetchall())
    assert (holders["threatens-enforcement"], holders["cooperates"], holders["opposes"]) == ("federal", "local", "")


def _rules(conn, stance):
    query = "SELECT kind, pattern FROM stance_rules WHERE stance_id = ? ORDER BY id"
    return [tuple(r) for r in conn.execute(query, (stance,))]


def test_version_11_adds_the_new_stances_without_touching_what_a_person_made(archive, sample_files):
    """An archive made before issue 15 (presets of _v2, no holders) keeps its stances, edits and tags."""
    from app.store.migrations import _V2_RULES, _v11

    conn = archive.conn
    doc_id = archive.import_paths([sample_files / "omaha.txt"]).imported[0]["id"]
    archive.tag(doc_id, "Omaha, NE", "sanctuary")
    insert = "INSERT INTO stance_rules (set_id, stance_id, kind, pattern) VALUES ('immigration-enforcement', ?, ?, ?)"
    with conn:  # back to what _v2 made before issue 15
        conn.execute("DELETE FROM stances WHERE id IN ('refuses-raids', 'denies-access', 'threatens-enforcement')")
        for stance, rules in _V2_RULES.items():
            conn.execute("DELETE FROM stance_rules WHERE stance_id = ?", (stance,))
            conn.executemany(insert, [(stance, kind, pattern) for kind, pattern in rules])
        conn.execute("DELETE FROM stance_rules WHERE stance_id = 'anti-sanctuary'")  # a person's edit
        conn.execute(insert, ("anti-sanctuary", "phrase", "my own rule"))
        conn.execute("UPDATE stances SET label = 'Protective' WHERE id = 'sanctuary'")
        conn.execute("ALTER TABLE stances DROP COLUMN holders")
    with conn:
        _v11(conn)
    query = "SELECT id FROM stances WHERE set_id = 'immigration-enforcement' ORDER BY position"
    assert [r[0] for r in conn.execute(query)] == [
        "sanctuary", "opposes", "neutral", "cooperates", "anti-sanctuary", "refuses-raids", "denies-access",
        "threatens-enforcement",
    ]  # fmt: skip
    assert _rules(conn, "anti-sanctuary") == [("phrase", "my own rule")]  # edited: kept
    assert ("phrase", "will not participate") not in _rules(conn, "sanctuary")  # unedited: the new rules
    assert ("phrase", "will not participate") in _rules(conn, "refuses-raids")  # with the stance that says it
    assert conn.execute("SELECT label FROM stances WHERE id = 'sanctuary'").fetchone()[0] == "Protective"
    assert [(t.jurisdiction, t.stance) for t in archive.tags(doc_id)] == [
        ("ocd-division/country:us/state:ne/place:omaha", "sanctuary")
    ]


def test_change_log_records_writes_of_every_connection(archive, sample_files):
    start = archive.change_head()
    report = archive.import_paths([sample_files / "denver.md"])
    doc_id = report.imported[0]["id"]
    head, changes = archive.changes_since(start)
    assert doc_id in changes.documents and not changes.annotations
    archive.tag(doc_id, "ocd-division/country:us/state:co/place:denver")
    head2, changes = archive.changes_since(head)
    assert changes.tags == {doc_id} and not changes.documents and head2 > head
    assert archive.changes_since(head2) == (head2, Changes())
    assert not archive.changes_since(head2)[1]


def test_a_reader_behind_the_pruned_log_is_told_everything_changed(archive, sample_files, monkeypatch):
    monkeypatch.setattr(changelog, "KEEP", 1)
    archive.import_paths([sample_files / "denver.md", sample_files / "omaha.txt"])
    with transaction(archive.conn):
        changelog.ChangeLog(archive.conn).prune()
    assert archive.changes_since(0)[1].everything


def test_lists_of_ids_past_sqlites_parameter_limit_are_read_in_chunks(imported):
    from app.store.annotations import AnnotationStore
    from app.store.documents import DocumentStore
    from app.store.tags import TagStore

    conn = imported.conn
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)  # most builds' limit (Debian's allows 250,000)
    doc_id = imported.search_ids("omaha").ids[0]
    many = [*range(100_000, 140_000), doc_id]
    assert list(DocumentStore(conn).get_many(many)) == [doc_id]
    assert [d.id for d, _ in DocumentStore(conn).iter_for_index(many)] == [doc_id]
    assert len(TagStore(conn).for_documents(many)) == len(many)
    assert len(AnnotationStore(conn).for_documents(many)) == len(many)


def test_closing_releases_the_database_even_when_the_index_fails_to_close(archive_dir):
    opened = Archive.open(archive_dir)
    opened.search_ids("")  # a read connection of this thread too

    def fails() -> None:
        raise OSError(5, "Input/output error")

    opened.index.close = fails
    with pytest.raises(OSError):
        opened.close()
    for conn in [opened.conn, *opened._read_conns]:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            conn.execute("SELECT 1")
