"""OCR text kept by the original's hash and the engine that read it, and the documents' OCR status."""

from __future__ import annotations

import json
import sqlite3


class OcrStore:
    """Rows of ``ocr_cache`` (sha256, engine, version, language) -> page texts; ``documents`` OCR columns."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def cached(self, sha256: str, engine: str, version: str, language: str) -> tuple[dict[int, str], dict[int, list]]:
        """The page texts read before from this original by this engine, version and language, and their
        word boxes."""
        row = self.conn.execute(
            "SELECT pages, words FROM ocr_cache WHERE sha256 = ? AND engine = ? AND version = ? AND language = ?",
            (sha256, engine, version, language),
        ).fetchone()
        if not row:
            return {}, {}
        return (
            {int(number): text for number, text in json.loads(row[0]).items()},
            {int(number): boxes for number, boxes in json.loads(row[1]).items()},
        )

    def cached_any(self, sha256: str) -> dict[int, str]:
        """The newest cached page texts of an original by any engine (for a re-extraction)."""
        row = self.conn.execute(
            "SELECT pages FROM ocr_cache WHERE sha256 = ? ORDER BY rowid DESC LIMIT 1", (sha256,)
        ).fetchone()
        return {int(number): text for number, text in json.loads(row[0]).items()} if row else {}

    def put(
        self, sha256: str, engine: str, version: str, language: str, pages: dict[int, str], words: dict[int, list]
    ) -> None:
        """Keep page texts and their word boxes (inside a transaction)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO ocr_cache (sha256, engine, version, language, pages, words)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                *(sha256, engine, version, language),
                json.dumps({str(n): t for n, t in sorted(pages.items())}),
                json.dumps({str(n): w for n, w in sorted(words.items())}),
            ),
        )

    def words(self, sha256: str) -> tuple[dict[int, str], dict[int, list]]:
        """The newest cached page texts of an original and the word boxes read with them."""
        row = self.conn.execute(
            "SELECT pages, words FROM ocr_cache WHERE sha256 = ? ORDER BY rowid DESC LIMIT 1", (sha256,)
        ).fetchone()
        if not row:
            return {}, {}
        pages, words = json.loads(row[0]), json.loads(row[1])
        return {int(n): t for n, t in pages.items()}, {int(n): w for n, w in words.items()}

    def needing(self, among: list[int] | None = None) -> list[int]:
        """Documents flagged as needing OCR (or with scanned pages) that OCR has not read yet."""
        rows = self.conn.execute(
            "SELECT id, needs_ocr, metadata FROM documents ORDER BY id",
        ).fetchall()
        wanted = set(among) if among is not None else None
        found = []
        for doc_id, needs_ocr, metadata in rows:
            if wanted is not None and doc_id not in wanted:
                continue
            meta = json.loads(metadata)
            if "ocr" not in meta and (needs_ocr or meta.get("scanned_pages")):
                found.append(doc_id)
        return found

    def mark_read(self, doc_id: int, label: str, pages: str) -> None:
        """Record that OCR read the document's scanned pages (inside a transaction)."""
        row = self.conn.execute("SELECT metadata FROM documents WHERE id = ?", (doc_id,)).fetchone()
        meta = json.loads(row[0]) if row else {}
        meta["ocr"] = label
        meta["ocr_pages"] = pages
        self.conn.execute("UPDATE documents SET needs_ocr = 0, metadata = ? WHERE id = ?", (json.dumps(meta), doc_id))
