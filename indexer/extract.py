"""Which extractor handles which file, and the single entry point that runs one."""

import importlib
from collections.abc import Sequence
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
}
_MODULES = {"text": "plaintext", "markdown": "markdown", "html": "html", "pdf": "pdf", "docx": "docx"}


def kind_for(path: Path) -> str | None:
    """The document kind for a file name, or None when Dossier cannot import it."""
    return KINDS.get(path.suffix.lower())


def supported_suffixes() -> str:
    """Human list of supported suffixes, for messages."""
    return ", ".join(sorted({s for s in KINDS if s not in (".text", ".markdown", ".xhtml")}))


def extract(kind: str, data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Run the extractor for ``kind`` on ``data`` (call this only inside a sandboxed worker)."""
    module = importlib.import_module(f"indexer.formats.{_MODULES[kind]}")
    return module.extract(data, passwords)
