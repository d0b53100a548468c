"""SQL for documents, their stored text and the to-index queue."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from app.models import Document
from app.store.db import rows_in


@dataclass
class NewDocument:
    """Everything recorded for a freshly imported file."""

    sha256: str
    kind: str
    title: str
    source_path: str
    file_name: str
    size: int
    imported_at: str
    text: str
    page_spans: list[tuple[int, int]]
    author: str = ""
    published: date | None = None
    site: str = ""
    needs_ocr: bool = False
    metadata: dict[str, str] | None = None


# what a results list can be ordered by, besides relevance and the index's newest-first
METADATA_ORDERS = {
    "title": "lower(title)",
    "kind": "kind",
    "source": "lower(CASE WHEN site != '' THEN site ELSE file_name END)",
    "date": "published",
}
_SCAN_ABOVE = 20_000  # ids beyond which one scan of the table beats lookups by id


class DocumentStore:
    """Rows of ``documents``, ``document_text`` and ``index_queue``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def insert(self, doc: NewDocument) -> int:
        """Insert a document, its text and its index-queue entry (call inside a transaction)."""
        cursor = self.conn.execute(
            """INSERT INTO documents (sha256, kind, title, author, published, site, source_path, file_name,
                                      size, pages, needs_ocr, metadata, imported_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                doc.sha256,
                doc.kind,
                doc.title,
                doc.author,
                doc.published.isoformat() if doc.published else None,
                doc.site,
                doc.source_path,
                doc.file_name,
                doc.size,
                len(doc.page_spans) or None,
                int(doc.needs_ocr),
                json.dumps(doc.metadata or {}),
                doc.imported_at,
            ),
        )
        doc_id = cursor.lastrowid
        self.conn.execute(
            "INSERT INTO document_text (doc_id, text, page_spans) VALUES (?, ?, ?)",
            (doc_id, doc.text, json.dumps(doc.page_spans)),
        )
        self.queue([doc_id])
        return doc_id

    def update(self, doc_id: int, **values: object) -> None:
        """Change editable metadata columns (title, published, site) and queue the document for the index."""
        allowed = {"title", "published", "site"}
        if not values or not set(values) <= allowed:
            raise ValueError(f"editable fields are {sorted(allowed)}")
        if "published" in values and isinstance(values["published"], date):
            values["published"] = values["published"].isoformat()
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.conn.execute(f"UPDATE documents SET {assignments} WHERE id = ?", [*values.values(), doc_id])
        self.queue([doc_id])

    def replace_text(self, doc_id: int, text: str, page_spans: list[tuple[int, int]]) -> None:
        """Store a re-extracted text (inside a transaction, with the annotations it moves)."""
        self.conn.execute(
            "UPDATE document_text SET text = ?, page_spans = ? WHERE doc_id = ?", (text, json.dumps(page_spans), doc_id)
        )
        self.conn.execute("UPDATE documents SET pages = ? WHERE id = ?", (len(page_spans) or None, doc_id))

    def id_for_sha(self, sha256: str) -> int | None:
        """The document holding this original, if any."""
        row = self.conn.execute("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def get(self, doc_id: int) -> Document | None:
        """One document's metadata."""
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _document(row) if row else None

    def get_many(self, ids: Iterable[int]) -> dict[int, Document]:
        """Metadata for several documents, keyed by id."""
        return {row["id"]: _document(row) for row in rows_in(self.conn, "SELECT * FROM documents WHERE id", list(ids))}

    def order_ids(self, ids: Sequence[int], key: str, descending: bool = False) -> list[int]:
        """``ids`` ordered by a metadata column of ``METADATA_ORDERS``; equal values keep their given order and
        documents without the value (no date) come last either way."""
        rank = {doc_id: i for i, doc_id in enumerate(ids)}
        sql = f"SELECT id, {METADATA_ORDERS[key]} AS value FROM documents"
        rows = self.conn.execute(sql) if len(ids) > _SCAN_ABOVE else rows_in(self.conn, f"{sql} WHERE id", list(ids))
        values = [(rank[row[0]], row[1]) for row in rows if row[0] in rank]
        values.sort()
        present = [pair for pair in values if pair[1] not in (None, "")]
        present.sort(key=lambda pair: pair[1], reverse=descending)  # stable: ties stay in the given order
        return [ids[i] for i, _ in present] + [ids[i] for i, value in values if value in (None, "")]

    def published_dates(self, ids: Sequence[int] | None = None) -> dict[int, date | None]:
        """The published date of each document (of ``ids``, or of every one): what a timeline buckets."""
        sql = "SELECT id, published FROM documents"
        wanted = None if ids is None else set(ids)
        if wanted is None or len(wanted) > _SCAN_ABOVE:
            rows = self.conn.execute(sql)
        else:
            rows = rows_in(self.conn, f"{sql} WHERE id", list(wanted))
        return {
            row[0]: date.fromisoformat(row[1]) if row[1] else None for row in rows if wanted is None or row[0] in wanted
        }

    def text(self, doc_id: int) -> str | None:
        """The stored text passages are anchored to."""
        row = self.conn.execute("SELECT text FROM document_text WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def page_spans(self, doc_id: int) -> list[tuple[int, int]]:
        """Character range of each page in the stored text (empty for unpaged formats)."""
        row = self.conn.execute("SELECT page_spans FROM document_text WHERE doc_id = ?", (doc_id,)).fetchone()
        return [tuple(span) for span in json.loads(row[0])] if row else []

    def ids(self, among: Sequence[int] | None = None) -> set[int]:
        """Every document id, or those of ``among`` that are documents."""
        if among is None:
            return {row[0] for row in self.conn.execute("SELECT id FROM documents")}
        return {row[0] for row in rows_in(self.conn, "SELECT id FROM documents WHERE id", among)}

    def hashes(self) -> dict[str, int]:
        """sha256 -> id for every document."""
        return {row[0]: row[1] for row in self.conn.execute("SELECT sha256, id FROM documents")}

    def count(self) -> int:
        """Number of documents."""
        return self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def counts_by_kind(self) -> dict[str, int]:
        """Documents per kind."""
        rows = self.conn.execute("SELECT kind, COUNT(*) FROM documents GROUP BY kind ORDER BY kind")
        return {row[0]: row[1] for row in rows}

    def iter_for_index(self, ids: Iterable[int] | None = None) -> Iterator[tuple[Document, str]]:
        """(document, text) pairs for the index, in id order; all documents when ``ids`` is None."""
        sql = "SELECT d.*, t.text AS body FROM documents d JOIN document_text t ON t.doc_id = d.id"
        if ids is None:
            rows = self.conn.execute(sql + " ORDER BY d.id")
        else:
            rows = rows_in(self.conn, f"{sql} WHERE d.id", sorted(ids), "ORDER BY d.id")
        for row in rows:
            yield _document(row), row["body"]

    def queue(self, ids: Iterable[int]) -> None:
        """Mark documents as needing (re)indexing (inside the transaction that changed them)."""
        self.conn.executemany("INSERT OR IGNORE INTO index_queue (doc_id) VALUES (?)", [(i,) for i in ids])

    def queued(self) -> list[int]:
        """Documents waiting to be indexed."""
        return [row[0] for row in self.conn.execute("SELECT doc_id FROM index_queue ORDER BY doc_id")]

    def queued_count(self) -> int:
        """How many documents wait to be indexed."""
        return self.conn.execute("SELECT COUNT(*) FROM index_queue").fetchone()[0]

    def dequeue(self, ids: Iterable[int]) -> None:
        """Forget queue entries once the index has them."""
        self.conn.executemany("DELETE FROM index_queue WHERE doc_id = ?", [(i,) for i in ids])


def _document(row: sqlite3.Row) -> Document:
    return Document(
        id=row["id"],
        sha256=row["sha256"],
        kind=row["kind"],
        title=row["title"],
        author=row["author"],
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        site=row["site"],
        source_path=row["source_path"],
        file_name=row["file_name"],
        size=row["size"],
        pages=row["pages"],
        needs_ocr=bool(row["needs_ocr"]),
        metadata=json.loads(row["metadata"]),
        imported_at=row["imported_at"],
    )
