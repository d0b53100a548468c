"""Connections with the durability settings every archive uses, and write transactions."""

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


def connect(
    path: Path, readonly: bool = False, busy_seconds: float = 10.0, immutable: bool = False
) -> sqlite3.Connection:
    """Open the database in WAL mode with synchronous=FULL; autocommit, transactions explicit; a write waits up
    to ``busy_seconds`` for another connection's. ``immutable`` (read-only, on a read-only disk) tells SQLite
    nothing can change the file, so it reads a WAL database without creating its shared-memory file."""
    if readonly:
        uri = f"{path.as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
    conn.row_factory = sqlite3.Row
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


#: Ids per ``IN (...)`` list: SQLite refuses more than 32,766 parameters in one statement.
IN_CHUNK = 500


def rows_in(conn: sqlite3.Connection, sql: str, ids: Sequence, tail: str = "") -> Iterator[sqlite3.Row]:
    """Rows of ``{sql} IN (...) {tail}`` for any number of ``ids``, a chunk at a time (in order per chunk)."""
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        yield from conn.execute(f"{sql} IN ({','.join('?' * len(chunk))}) {tail}", chunk)
