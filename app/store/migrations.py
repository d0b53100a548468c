"""Numbered schema upgrades keyed by ``PRAGMA user_version``.

Each step runs in one transaction; the database is copied aside before the first step, and a
database newer than this code is refused.
"""

import sqlite3
from collections.abc import Callable
from pathlib import Path

from app.errors import ArchiveTooNew
from app.store.db import transaction


def _v1(conn: sqlite3.Connection) -> None:
    """Documents, their extracted text, and the durable to-index queue."""
    conn.execute("""
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            published TEXT,
            site TEXT NOT NULL DEFAULT '',
            source_path TEXT NOT NULL,
            file_name TEXT NOT NULL,
            size INTEGER NOT NULL,
            pages INTEGER,
            needs_ocr INTEGER NOT NULL DEFAULT 0,
            metadata TEXT NOT NULL DEFAULT '{}',
            imported_at TEXT NOT NULL
        )""")
    conn.execute("""
        CREATE TABLE document_text (
            doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            page_spans TEXT NOT NULL DEFAULT '[]'
        )""")
    conn.execute("CREATE TABLE index_queue (doc_id INTEGER PRIMARY KEY)")


#: Step n upgrades user_version n-1 to n. Append only; never edit a released step.
STEPS: list[Callable[[sqlite3.Connection], None]] = [_v1]
LATEST = len(STEPS)


def version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the database."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, db_path: Path, backups: Path) -> list[int]:
    """Bring the database to LATEST; returns the steps applied."""
    current = version(conn)
    if current > LATEST:
        raise ArchiveTooNew(
            f"This archive was written by a newer Dossier (schema {current}, this version "
            f"knows up to {LATEST}). Update Dossier to open it."
        )
    if current == LATEST:
        return []
    if current > 0:
        backups.mkdir(parents=True, exist_ok=True)
        conn.execute("PRAGMA wal_checkpoint(FULL)")
        target = sqlite3.connect(backups / f"{db_path.stem}.v{current}.sqlite3")
        conn.backup(target)
        target.close()
    applied = []
    for number in range(current + 1, LATEST + 1):
        with transaction(conn):
            STEPS[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
        applied.append(number)
    return applied
