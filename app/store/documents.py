"""SQL for documents, their stored text and the to-index queue."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from app.models import DOCUMENT_FIELDS, Document, FieldVersion, MetadataConflict
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
    revisions: dict[str, dict] | None = None  # edited fields' revisions (a document that arrives from elsewhere)
    extractor: str | None = None  # the extractor version that made ``text`` (None: unknown)


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
                                      size, pages, needs_ocr, metadata, imported_at, revisions, extractor)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
                json.dumps(doc.revisions or {}),
                doc.extractor,
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
        """Change editable metadata columns (title, published, site) and queue the document for the index; each
        field whose value changes goes one revision up (what a merge tells an edit by)."""
        if not values or not set(values) <= set(DOCUMENT_FIELDS):
            raise ValueError(f"editable fields are {sorted(DOCUMENT_FIELDS)}")
        if "published" in values and isinstance(values["published"], date):
            values["published"] = values["published"].isoformat()
        current = self.get(doc_id)
        if current is None:
            return
        changed = [
            current.field_version(name).revised(value)
            for name, value in values.items()
            if value != current.field_version(name).value
        ]
        if changed:
            self.set_fields(doc_id, changed, current.revisions)
            self.queue([doc_id])

    def set_fields(self, doc_id: int, fields: Sequence[FieldVersion], revisions: dict[str, dict]) -> None:
        """Store fields with their revisions (an edit here, or another copy's version a merge took)."""
        revisions = {**revisions, **{f.name: f.record() for f in fields}}
        assignments = "".join(f"{f.name} = ?, " for f in fields)
        self.conn.execute(
            f"UPDATE documents SET {assignments}revisions = ? WHERE id = ?",
            [*(f.value for f in fields), json.dumps(revisions), doc_id],
        )

    # -- fields changed on both sides, for a person to choose (the review list) --------------------

    def add_conflict(self, doc_id: int, theirs: FieldVersion, review: str) -> bool:
        """Keep another copy's value of a field beside ours; False when it is kept already."""
        cursor = self.conn.execute(
            """INSERT OR IGNORE INTO metadata_conflicts (doc_id, field, value, revision, history, version, review)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (doc_id, theirs.name, theirs.value, theirs.revision, json.dumps(theirs.history), theirs.version, review),
        )
        return bool(cursor.rowcount)

    def conflicts(self, doc_id: int | None = None) -> list[MetadataConflict]:
        """The kept values (of one document, or of all), by document and field."""
        where, args = ("WHERE c.doc_id = ?", (doc_id,)) if doc_id is not None else ("", ())
        rows = self.conn.execute(
            f"""SELECT c.*, d.title, d.published, d.site FROM metadata_conflicts c JOIN documents d ON d.id = c.doc_id
                {where} ORDER BY c.doc_id, c.field, c.id""",
            args,
        )
        return [
            MetadataConflict(
                row["id"],
                row["doc_id"],
                FieldVersion(row["field"], row["value"], row["revision"], json.loads(row["history"])),
                row[row["field"]],
                row["review"],
            )
            for row in rows
        ]

    def conflict(self, conflict_id: int) -> MetadataConflict | None:
        """One kept value."""
        row = self.conn.execute("SELECT doc_id FROM metadata_conflicts WHERE id = ?", (conflict_id,)).fetchone()
        if row is None:
            return None
        return next(c for c in self.conflicts(row[0]) if c.id == conflict_id)

    def drop_conflicts(self, doc_id: int, name: str, versions: Iterable[str]) -> int:
        """Forget kept values of a field (settled); returns how many went."""
        return sum(
            self.conn.execute(
                "DELETE FROM metadata_conflicts WHERE doc_id = ? AND field = ? AND version = ?", (doc_id, name, v)
            ).rowcount
            for v in set(versions)
        )

    def replace_text(
        self, doc_id: int, text: str, page_spans: list[tuple[int, int]], extractor: str | None = None
    ) -> None:
        """Store a re-extracted text (inside a transaction, with the annotations it moves); ``extractor``: the
        extractor version that made it (None when OCR read some of it)."""
        self.conn.execute(
            "UPDATE document_text SET text = ?, page_spans = ? WHERE doc_id = ?", (text, json.dumps(page_spans), doc_id)
        )
        self.conn.execute(
            "UPDATE documents SET pages = ?, extractor = ? WHERE id = ?", (len(page_spans) or None, extractor, doc_id)
        )

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
        revisions=json.loads(row["revisions"]),
        extractor=row["extractor"],
    )
