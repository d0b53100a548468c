"""Normalisation every extractor applies so stored text follows one set of rules."""

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TRAILING = re.compile(r"[ \t]+\n")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Unify newlines, drop control characters and trailing blanks, keep at most one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    text = _TRAILING.sub("\n", text + "\n")
    return _BLANK_RUNS.sub("\n\n", text).strip()


def first_line_title(text: str, limit: int = 160) -> str:
    """The first non-empty line, cut at a word boundary, as a fallback title."""
    for line in text.splitlines():
        line = line.strip(" #*-\t")
        if line:
            return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + "…"
    return ""


def join_pages(texts: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join page texts with blank lines; an empty page gets an empty span where it would start."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    end = 0
    for text in texts:
        if not text:
            spans.append((end, end))
            continue
        start = end + 2 if parts else 0
        parts.append(text)
        end = start + len(text)
        spans.append((start, end))
    return "\n\n".join(parts), spans
