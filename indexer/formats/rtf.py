"""Rich Text Format (.rtf): the text via striprtf, in the code page the file declares."""

import codecs
import re
from collections.abc import Sequence

from striprtf.striprtf import rtf_to_text

from indexer.errors import ExtractionError
from indexer.formats.cleanup import first_line_title, normalize_text
from indexer.types import Extracted

_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")
# striprtf skips header and footer groups as destinations and treats a \* inside a group as if it opened an
# ignorable destination (the spec gives it that meaning only right after "{"): both lose text a reader sees
_HEADER = re.compile(r"\{\\(?:header|footer)[lrf]?(?![a-z])")
_STRAY_STAR = re.compile(r"(?<![{\\])\\\*")
_PICTURES = re.compile(r"\\(?:object|pict|shp)(?![a-z])")
_INFO = {"title": re.compile(r"\{\\title\s+([^{}]*)\}"), "author": re.compile(r"\{\\author\s+([^{}]*)\}")}


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Extract an RTF file; ExtractionError when it is not RTF or holds no text."""
    if not data.lstrip()[:5] == b"{\\rtf":
        raise ExtractionError("not an RTF file (it does not start with {\\rtf)")
    encoding = _encoding(data)
    source = data.decode("latin-1")  # RTF is 7-bit; bytes above are kept as-is for striprtf
    body = _STRAY_STAR.sub("", source)
    text = _text(_HEADER.sub("{", body), encoding)  # headers and footers where they are declared: at the top
    if not text and _PICTURES.search(source):
        raise ExtractionError("the RTF file holds only pictures or embedded objects, no text")
    if not text:
        raise ExtractionError("the RTF file contains no text")
    info = {name: _info(pattern, source, encoding) for name, pattern in _INFO.items()}
    title = info["title"] or first_line_title(_text(body, encoding) or text)  # a running header is not the title
    return Extracted(text=text, title=title, author=info["author"])


def _text(source: str, encoding: str) -> str:
    try:
        text = normalize_text(rtf_to_text(source, encoding=encoding, errors="replace"))
    except (ValueError, IndexError, RecursionError) as exc:
        raise ExtractionError(f"damaged RTF file ({exc})") from exc
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # \u pairs joined, lone halves dropped


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
    """The first readable value of an info field: Word writes a "????" stand-in before the Unicode one."""
    for match in pattern.finditer(source):
        try:
            value = " ".join(rtf_to_text(match.group(1), encoding=encoding, errors="replace").split())
        except (ValueError, IndexError):
            continue
        if value.strip("? "):
            return value
    return ""
