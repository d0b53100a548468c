"""SQL for the stance map: every confirmed (jurisdiction, stance) a person gave a document or a passage."""

from __future__ import annotations

import sqlite3

from app.models import Annotation, Tag
from app.store.annotations import _annotation
from app.store.tags import _tag


class EvidenceStore:
    """Reads ``tags`` and ``annotations`` rows that carry a stance."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def stance_tags(self) -> list[Tag]:
        """Tags with a stance (whole documents and passages), by document and passage."""
        rows = self.conn.execute(
            "SELECT * FROM tags WHERE stance IS NOT NULL ORDER BY doc_id, start IS NOT NULL, start, id"
        )
        return [_tag(row) for row in rows]

    def stance_annotations(self) -> list[Annotation]:
        """Live annotations with a jurisdiction and a stance; a bundle's copy waiting for a person to choose
        between it and this archive's version (``conflict_of``) is not one of them."""
        rows = self.conn.execute(
            """SELECT * FROM annotations WHERE deleted IS NULL AND conflict_of IS NULL AND jurisdiction IS NOT NULL
               AND stance IS NOT NULL AND stance_set IS NOT NULL ORDER BY doc_id, start, end"""
        )
        return [_annotation(row) for row in rows]

    def documents_with_stance(self) -> set[int]:
        """Ids of the documents holding any confirmed stance: a stance tag or a live annotation with one."""
        rows = self.conn.execute(
            """SELECT doc_id FROM tags WHERE stance IS NOT NULL
               UNION SELECT doc_id FROM annotations WHERE deleted IS NULL AND conflict_of IS NULL
               AND jurisdiction IS NOT NULL AND stance IS NOT NULL AND stance_set IS NOT NULL"""
        )
        return {row[0] for row in rows}
