"""SQL for the ``sync_state`` table: how far each server's sync has got in this archive."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class SyncState:
    """The server's newest change pulled, and the local change head whose changes were pushed."""

    server: str
    project: str
    pulled_seq: int = 0
    pushed_head: int = 0
    synced_at: str | None = None


class SyncStateStore:
    """Rows of ``sync_state``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, server: str, project: str) -> SyncState:
        row = self.conn.execute(
            "SELECT * FROM sync_state WHERE server = ? AND project = ?", (server, project)
        ).fetchone()
        if row is None:
            return SyncState(server, project)
        return SyncState(row["server"], row["project"], row["pulled_seq"], row["pushed_head"], row["synced_at"])

    def all(self) -> list[SyncState]:
        rows = self.conn.execute("SELECT * FROM sync_state ORDER BY synced_at DESC")
        return [SyncState(r["server"], r["project"], r["pulled_seq"], r["pushed_head"], r["synced_at"]) for r in rows]

    def save(self, state: SyncState) -> None:
        """Record it (inside a transaction)."""
        self.conn.execute(
            """INSERT INTO sync_state (server, project, pulled_seq, pushed_head, synced_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (server, project) DO UPDATE SET pulled_seq = excluded.pulled_seq,
                   pushed_head = excluded.pushed_head, synced_at = excluded.synced_at""",
            (state.server, state.project, state.pulled_seq, state.pushed_head, state.synced_at),
        )
