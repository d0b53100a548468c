"""SQL for the links between a container document (an email, a mailbox, a zip) and the documents inside it,
and for the messages of an email thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

RELATIONS = ("attachment", "message", "member")


@dataclass(frozen=True)
class Link:
    """``child_id`` lies in ``parent_id`` at ``member_path`` as an attachment, a message or a member."""

    parent_id: int
    child_id: int
    relation: str
    member_path: str


class LinkStore:
    """Rows of ``document_links``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, links: Iterable[Link]) -> None:
        """Record links (inside a transaction); a link already recorded is kept as it is."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO document_links (parent_id, child_id, relation, member_path) VALUES (?, ?, ?, ?)",
            [(link.parent_id, link.child_id, link.relation, link.member_path) for link in links],
        )

    def children(self, parent_id: int) -> list[Link]:
        """What lies inside a document, by member path."""
        rows = self.conn.execute(
            "SELECT * FROM document_links WHERE parent_id = ? ORDER BY member_path", (parent_id,)
        ).fetchall()
        return [_link(row) for row in rows]

    def parents(self, child_id: int) -> list[Link]:
        """Every container a document was found in."""
        rows = self.conn.execute("SELECT * FROM document_links WHERE child_id = ? ORDER BY rowid", (child_id,))
        return [_link(row) for row in rows]

    def all(self) -> list[Link]:
        """Every link (for a bundle)."""
        return [_link(row) for row in self.conn.execute("SELECT * FROM document_links ORDER BY rowid")]

    def thread(self, doc_id: int, keys: Iterable[str]) -> list[int]:
        """Other documents whose thread, or own Message-ID, is one of ``keys``, oldest first."""
        wanted = sorted({key for key in keys if key})
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        rows = self.conn.execute(
            f"""SELECT id FROM documents
                WHERE (json_extract(metadata, '$.thread') IN ({marks})
                       OR json_extract(metadata, '$.message_id') IN ({marks}))
                  AND id != ?
                ORDER BY published IS NULL, published, id""",
            [*wanted, *wanted, doc_id],
        )
        return [row[0] for row in rows]


def _link(row: sqlite3.Row) -> Link:
    return Link(row["parent_id"], row["child_id"], row["relation"], row["member_path"])
