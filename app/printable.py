"""Text from files shown safely: control characters and undecodable bytes become visible escapes.

A title, file name or note may hold ANSI escapes, NUL, bidirectional overrides or bytes that are not
UTF-8. Shown as they are, they rewrite a terminal or crash the output; shown through :func:`printable`
they read as ``\\x1b``, ``\\u202e`` or ``\\xff``, the way ``ls -b`` shows names.
"""

from __future__ import annotations

import io
import json
import re

#: C0 and C1 controls but tab and newline, DEL, bidirectional overrides and isolates, and the lone
#: surrogates Python uses for bytes of a file name that are not UTF-8.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: The bold on and off the command line itself writes around matched words.
_OWN_STYLES = ("\033[1m", "\033[0m")


def printable(text: str) -> str:
    """``text`` with every unsafe character as a visible escape (a file name's raw byte as ``\\xNN``)."""
    return _UNSAFE.sub(_escape, text)


def one_line(text: str) -> str:
    """``text`` made printable, its runs of spaces, tabs and newlines one space (for titles)."""
    return printable(" ".join(text.split()))


def json_safe(encoded: str) -> str:
    """JSON text with every unsafe character as a ``\\uXXXX`` escape: still valid JSON, and lossless (a
    lone surrogate decodes back to the byte of the file name it stands for)."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def print_json(data: object) -> None:
    """Print ``data`` as the command line's ``--json`` output: indented, non-ASCII as is, controls escaped."""
    print(json_safe(json.dumps(data, ensure_ascii=False, indent=2)))


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte of a name that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


class PrintableStream(io.TextIOBase):
    """A text stream that writes through :func:`printable`, keeping the command line's own bold."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        parts = re.split("(" + "|".join(map(re.escape, _OWN_STYLES)) + ")", text)
        self.stream.write("".join(p if p in _OWN_STYLES else printable(p) for p in parts))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()
