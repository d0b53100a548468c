"""Value types shared between the extractors, the index adapter and their callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Member:
    """A file held inside another (an email's attachment, a mailbox's message, a zip's member), which the
    importer imports as a document of its own; ``error`` says why it could not be taken out (then ``data``
    is empty)."""

    path: str  # where it lies in its container: a member path, or the attachment's file name
    data: bytes
    relation: str  # "attachment", "message" or "member"
    error: str = ""


@dataclass
class Extracted:
    """Clean text and metadata extracted from one file.

    ``text`` is the canonical text that passages are anchored to. For paged formats
    ``page_spans`` holds one ``(start, end)`` character range of ``text`` per page, in order.
    """

    text: str
    title: str = ""
    author: str = ""
    published: date | None = None
    site: str = ""
    page_spans: list[tuple[int, int]] = field(default_factory=list)
    needs_ocr: bool = False
    metadata: dict[str, str] = field(default_factory=dict)
    cut_from: int = 0  # the length of the text before it was cut to the limit (0: not cut)
    members: list[Member] = field(default_factory=list)  # files inside this one, imported as documents
    words: list[tuple[int, int, float, float, float, float]] = field(default_factory=list)  # OCR: see indexer.ocr


@dataclass
class IndexDoc:
    """What the search index holds about one document (the text itself is not stored)."""

    id: int
    title: str
    body: str
    kind: str
    site: str = ""
    file_name: str = ""
    author: str = ""
    published: date | None = None
    jurisdictions: list[str] = field(default_factory=list)  # tagged ones and the places they lie in
    tagged_jurisdictions: list[str] = field(default_factory=list)  # tagged ones only
    stances: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str = ""  # the notes of the document's annotations
    headers: dict[str, str] = field(default_factory=dict)  # an email's from, to, cc and subject
    status: list[str] = field(default_factory=list)  # "needs-ocr" (scanned pages not read yet), "ocr" (read by OCR)


@dataclass
class HitIds:
    """Every match of a query in order, relevance scores (empty for date order) and facet counts."""

    ids: list[int]
    scores: dict[int, float]
    facets: dict[str, dict[str, int]]
    warnings: list[str] = field(default_factory=list)  # parts of the query left out, in plain words
