"""Which extractor handles which file, and the single entry point that runs one."""

import hashlib
import importlib
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path

from indexer.types import Extracted

#: File suffix -> document kind. The kind names the module under ``indexer.formats``.
KINDS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".rtf": "rtf",
    ".odt": "odt",
    ".ods": "ods",
    ".odp": "odp",
    ".epub": "epub",
    ".doc": "doc",
    ".wpd": "wordperfect",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".eml": "eml",
    ".mbox": "mbox",
    ".msg": "msg",
    ".zip": "zip",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}
#: The most text one document keeps (about 2,500 pages); the rest is cut at import and the report says so.
MAX_TEXT_CHARS = 5_000_000
_MODULES = {
    "text": "plaintext",
    "markdown": "markdown",
    "html": "html",
    "pdf": "pdf",
    "docx": "docx",
    "rtf": "rtf",
    "odt": "opendocument",
    "ods": "opendocument",
    "odp": "opendocument",
    "epub": "epub",
    "doc": "doc",
    "wordperfect": "wordperfect",
    "csv": "table:extract_csv",
    "xlsx": "table:extract_xlsx",
    "eml": "mail:extract_eml",
    "mbox": "mail:extract_mbox",
    "msg": "outlook",
    "zip": "ziparchive",
    "image": "image",
}


#: Raise when an extractor's output changes (a fix, a new format option): texts extracted before then are no longer
#: taken over as they are by a pull or a bundle merge (see :func:`extractor_version`).
TEXT_FORMAT = 1
#: The distributions whose code turns originals into text: a new version of any may change a text.
_PARSERS = (
    "dossier", "pypdf", "pypdfium2", "trafilatura", "lxml", "lxml_html_clean", "python-docx", "charset-normalizer",
    "markdown-it-py", "PyYAML", "python-dateutil", "striprtf", "odfpy", "EbookLib", "extract-msg", "openpyxl",
    "pillow",
)  # fmt: skip


@cache
def extractor_version() -> str:
    """A short name for the extractors of this installation (:data:`TEXT_FORMAT` and the versions of the
    parsing libraries): two installations with the same one extract the same text from the same original."""
    parts = [f"text-format={TEXT_FORMAT}"]
    for name in _PARSERS:
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=none")
    return f"{TEXT_FORMAT}-{hashlib.sha256(';'.join(parts).encode()).hexdigest()[:12]}"


def kind_for(path: Path) -> str | None:
    """The document kind for a file name, or None when Dossier cannot import it."""
    return KINDS.get(path.suffix.lower())


def supported_suffixes() -> str:
    """Human list of supported suffixes, for messages."""
    return ", ".join(sorted({s for s in KINDS if s not in (".text", ".markdown", ".xhtml", ".jpeg", ".tif")}))


def extract(kind: str, data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Run the extractor for ``kind`` on ``data`` (call this only inside a sandboxed worker); a text longer
    than :data:`MAX_TEXT_CHARS` is cut there, so that no document costs the archive unbounded time or memory."""
    name, _, function = _MODULES[kind].partition(":")
    module = importlib.import_module(f"indexer.formats.{name}")
    return _bounded(getattr(module, function or "extract")(data, passwords))


def _bounded(extracted: Extracted) -> Extracted:
    if len(extracted.text) <= MAX_TEXT_CHARS:
        return extracted
    extracted.cut_from = len(extracted.text)
    extracted.text = extracted.text[:MAX_TEXT_CHARS]
    extracted.page_spans = [
        (start, min(end, MAX_TEXT_CHARS)) for start, end in extracted.page_spans if start < MAX_TEXT_CHARS
    ]
    return extracted
