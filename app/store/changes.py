"""Reading and pruning the change log that the schema's triggers write."""

import sqlite3

from app.changes import Changes

KINDS = ("document", "tag", "annotation", "vocabulary", "jurisdiction")  # what the triggers write
KEEP = 100_000  # log rows kept; a reader further behind than this is told that everything changed


class ChangeLog:
    """The ``changes`` table on one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def head(self) -> int:
        """The newest sequence number (0 for an empty log)."""
        return self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0]

    def since(self, seq: int) -> tuple[int, Changes]:
        """The newest sequence number and what changed after ``seq``."""
        oldest, head = self.conn.execute("SELECT MIN(seq), COALESCE(MAX(seq), 0) FROM changes").fetchone()
        if oldest is not None and seq < oldest - 1:
            return head, Changes(everything=True)
        found: dict[str, set] = {kind: set() for kind in KINDS}
        rows = self.conn.execute("SELECT DISTINCT kind, doc_id FROM changes WHERE seq > ? AND seq <= ?", (seq, head))
        for kind, doc_id in rows:
            found[kind].add(doc_id)
        return head, Changes(
            documents=frozenset(found["document"]),
            tags=frozenset(found["tag"]),
            annotations=frozenset(found["annotation"]),
            vocabulary=bool(found["vocabulary"]),
            jurisdictions=bool(found["jurisdiction"]),
        )

    def prune(self) -> None:
        """Keep the newest :data:`KEEP` rows (call inside a write transaction)."""
        self.conn.execute("DELETE FROM changes WHERE seq <= (SELECT MAX(seq) FROM changes) - ?", (KEEP,))
