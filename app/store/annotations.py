"""SQL for passage annotations."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable

from app.models import Annotation
from app.store.db import rows_in

_FIELDS = [f.name for f in dataclasses.fields(Annotation)]  # each field has a column of the same name
_JSON = {"tags", "history"}  # list fields, stored as JSON text
_COLUMNS = ", ".join(_FIELDS)


class AnnotationStore:
    """Rows of ``annotations``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def put(self, annotation: Annotation) -> None:
        """Insert or replace an annotation (inside a transaction)."""
        values = [_column(name, getattr(annotation, name)) for name in _FIELDS]
        marks = ",".join("?" * len(values))
        self.conn.execute(f"INSERT OR REPLACE INTO annotations ({_COLUMNS}) VALUES ({marks})", values)

    def get(self, uuid: str) -> Annotation | None:
        """One annotation (also from the trash)."""
        row = self.conn.execute("SELECT * FROM annotations WHERE uuid = ?", (uuid,)).fetchone()
        return _annotation(row) if row else None

    def for_documents(self, doc_ids: Iterable[int]) -> dict[int, list[Annotation]]:
        """Live annotations of several documents, in text order."""
        ids = list(doc_ids)
        out: dict[int, list[Annotation]] = {i: [] for i in ids}
        for row in rows_in(
            self.conn, "SELECT * FROM annotations WHERE deleted IS NULL AND doc_id", ids, "ORDER BY start, end"
        ):
            out[row["doc_id"]].append(_annotation(row))
        return out

    def private_note_counts(self) -> dict[int, int]:
        """How many live private notes each document has (copies waiting for a choice left out)."""
        rows = self.conn.execute(
            "SELECT doc_id, COUNT(*) FROM annotations WHERE deleted IS NULL AND private AND note != '' "
            "AND conflict_of IS NULL GROUP BY doc_id"
        )
        return {doc_id: n for doc_id, n in rows}

    def select(self, doc_id: int | None = None, *, trash: bool = False, review: bool = False) -> list[Annotation]:
        """Annotations of one document or of all, live or in the trash, optionally only those needing review."""
        clauses = ["deleted IS NOT NULL" if trash else "deleted IS NULL"]
        args: list = []
        if doc_id is not None:
            clauses.append("doc_id = ?")
            args.append(doc_id)
        if review:
            clauses.append("review IS NOT NULL")
        rows = self.conn.execute(
            f"SELECT * FROM annotations WHERE {' AND '.join(clauses)} ORDER BY doc_id, start, end", args
        )
        return [_annotation(row) for row in rows]

    def purge(self, at: str) -> int:
        """Delete everything in the trash for good, remembering the uuids (inside a transaction)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO purged_annotations (uuid, purged) SELECT uuid, ? FROM annotations "
            "WHERE deleted IS NOT NULL",
            (at,),
        )
        return self.conn.execute("DELETE FROM annotations WHERE deleted IS NOT NULL").rowcount

    def forget(self, uuid: str, at: str) -> None:
        """Delete one annotation for good, remembering its uuid (inside a transaction)."""
        self.conn.execute("INSERT OR IGNORE INTO purged_annotations (uuid, purged) VALUES (?, ?)", (uuid, at))
        self.conn.execute("DELETE FROM annotations WHERE uuid = ?", (uuid,))

    def purged(self, uuid: str) -> bool:
        """Whether an annotation was deleted for good here."""
        return self.conn.execute("SELECT 1 FROM purged_annotations WHERE uuid = ?", (uuid,)).fetchone() is not None


def _column(name: str, value: object) -> object:
    """A field's value as stored."""
    return json.dumps(value) if name in _JSON else int(value) if name == "private" else value


def _field(name: str, value: object) -> object:
    """A stored value as the field holds it."""
    return json.loads(value) if name in _JSON else bool(value) if name == "private" else value


def _annotation(row: sqlite3.Row) -> Annotation:
    return Annotation(**{name: _field(name, row[name]) for name in _FIELDS})
