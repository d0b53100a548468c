"""E-books (.epub) via ebooklib: the spine's chapters in reading order, each read as HTML by the
``html`` extractor's visible-text path; title, author, date and language from the package metadata."""

import io
import warnings
import zipfile
from collections.abc import Sequence

import ebooklib
from ebooklib import epub
from lxml.etree import LxmlError

from indexer.decode import decode_text, sniff_html_charset
from indexer.errors import ExtractionError
from indexer.formats import html
from indexer.formats.cleanup import first_line_title, normalize_text
from indexer.formats.dates import parse_date
from indexer.types import Extracted
from indexer.zipsafety import UnsafeZip, ZipLimits, open_checked

_LIMITS = ZipLimits(max_members=10_000, max_total_size=512 * 1024 * 1024)


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Extract an EPUB file after checking its zip container."""
    try:
        with open_checked(data, _LIMITS) as archive:
            if "META-INF/encryption.xml" in archive.namelist():
                raise ExtractionError("this e-book is DRM-protected (encrypted): Dossier cannot read it")
    except UnsafeZip as exc:
        raise ExtractionError(f"damaged or unsafe EPUB: {exc}") from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ebooklib warns about its own future defaults
            book = epub.read_epub(io.BytesIO(data), options={"ignore_ncx": True})
    except (epub.EpubException, KeyError, LxmlError, ValueError, zipfile.BadZipFile, AttributeError) as exc:
        raise ExtractionError(f"not a readable EPUB e-book ({exc})") from exc
    chapters = []
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT:
            continue
        content = item.get_content()
        if content.strip():
            try:
                tree, _ = html._parse(decode_text(content, sniff_html_charset(content)))
            except ExtractionError:
                continue
            chapters.append(html._visible_text(tree))
    text = normalize_text("\n\n".join(c for c in chapters if c))
    if not text:
        raise ExtractionError("the e-book contains no text")
    meta = {name: _first(book, name) for name in ("title", "creator", "date", "language", "publisher", "subject")}
    return Extracted(
        text=text,
        title=meta["title"] or first_line_title(text),
        author=", ".join(v for v, _ in book.get_metadata("DC", "creator") if v and v.strip()),
        published=parse_date(meta["date"] or None),
        site=meta["publisher"],
        metadata={k: meta[k] for k in ("language", "subject") if meta[k]},
    )


def _first(book: epub.EpubBook, name: str) -> str:
    values = book.get_metadata("DC", name)
    return " ".join(str(values[0][0] or "").split()) if values else ""
