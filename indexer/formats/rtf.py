"""Rich Text Format (.rtf): the text via striprtf, in the code page the file declares."""

import codecs
import re
from collections.abc import Sequence

from striprtf.striprtf import rtf_to_text

from indexer.errors import ExtractionError
from indexer.formats.cleanup import first_line_title, normalize_text
from indexer.types import Extracted

_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")
_INFO = {"title": re.compile(r"\{\\title\s+([^{}]*)\}"), "author": re.compile(r"\{\\author\s+([^{}]*)\}")}


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Extract an RTF file; ExtractionError when it is not RTF or holds no text."""
    if not data.lstrip()[:5] == b"{\\rtf":
        raise ExtractionError("not an RTF file (it does not start with {\\rtf)")
    encoding = _encoding(data)
    source = data.decode("latin-1")  # RTF is 7-bit; bytes above are kept as-is for striprtf
    try:
        text = normalize_text(rtf_to_text(source, encoding=encoding, errors="replace"))
    except (ValueError, IndexError, RecursionError) as exc:
        raise ExtractionError(f"damaged RTF file ({exc})") from exc
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # \u pairs joined, lone halves dropped
    if not text:
        raise ExtractionError("the RTF file contains no text")
    info = {name: _info(pattern, source, encoding) for name, pattern in _INFO.items()}
    return Extracted(text=text, title=info["title"] or first_line_title(text), author=info["author"])


def _encoding(data: bytes) -> str:
    """The ``\\ansicpg`` code page when Python knows it, else Windows-1252 (RTF's default)."""
    match = _CODEPAGE.search(data[:4096])
    if match:
        try:
            return codecs.lookup(f"cp{int(match.group(1))}").name
        except LookupError:
            pass
    return "cp1252"


def _info(pattern: re.Pattern[str], source: str, encoding: str) -> str:
    match = pattern.search(source)
    if not match:
        return ""
    try:
        return " ".join(rtf_to_text(match.group(1), encoding=encoding, errors="replace").split())
    except (ValueError, IndexError):
        return ""
