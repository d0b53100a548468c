"""Turn a PDF's per-page lines (from PDFium, or pypdf as the fallback) into clean running text.

PDFium spaces words by their geometry and marks a line-end hyphen it joined with U+FFFE; its lines
are split back at that mark so the hyphen rules below decide.

pypdf's "plain" mode keeps the content-stream order (right for multi-column pages) but splits
words in justified text because it ignores word spacing (``Tw``); its "layout" mode spaces words
correctly but interleaves columns. So pypdf's lines come from plain mode, with their position taken
from its text visitor, and split words are rejoined where the layout-mode words of the same page
show the whole word. Pleading-paper line numbers and repeated page headers/footers are dropped, and
lines are rejoined into paragraphs only where the geometry says the line runs on.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pypdf import PageObject

_LETTERS = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"\b[^\W\d_]+\b")  # letters only, not the "th" of "20th"
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_LINE_NUMBER = re.compile(r"\s*(\d{1,2})(?:\s+|$)")
_LIST_ITEM = re.compile(r"([•●▪■◦○·*–—-]|\(?[0-9]{1,2}[.)]|\(?[a-zA-Z][.)]|\([ivxIVX]{1,4}\)|¶)\s")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_HYPHENATED = re.compile(r"([^\W\d_]+)-$")
_PDFIUM_LINE_END = re.compile(r"\r\n|[\r\n]|(?<=\ufffe)(?![\r\n])")
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_OPENING = "([{“‘\"'"
_CLOSING = ".,;:!?)]}”’\"'"
_EDGE_LINES = 4  # non-blank lines at each end of a page that may be header or footer
_MIN_LINE_NUMBERS = 10  # pleading paper numbers 1..28; fewer in a row is a coincidence
_MIN_PROSE_LINE = 30  # characters; pages of shorter full lines are tables or lists, never joined


@dataclass
class Line:
    """One line of a page as pypdf's plain mode emits it, with where its first glyph sits."""

    text: str
    x: float | None = None
    y: float | None = None
    size: float = 0.0


@dataclass
class Field:
    """Text an annotation shows on a page (a form field's value), with its box (left, bottom, right, top)."""

    text: str
    rect: tuple[float, float, float, float]


def insert_fields(lines: list[Line], fields: list[Field]) -> list[Line]:
    """Merge ``fields`` into a page's lines as lines of their own, at their place in reading order.

    A field goes after the line it sits on (a blank "and the______" filled in), or else after the
    nearest line above it; fields on one line follow each other left to right. A value is never
    put inside a line, so it cannot split a word.
    """
    after: dict[int, list[Field]] = {}
    for field in fields:
        _left, bottom, _right, top = field.rect
        placed = [(i, line) for i, line in enumerate(lines) if line.text and line.y is not None]
        same = [(abs(line.y - bottom), i) for i, line in placed if bottom - line.size <= line.y <= top]
        above = [(line.y - top, i) for i, line in placed if line.y > top]
        best = min(same or above, default=(0.0, -1))[1]
        after.setdefault(best, []).append(field)
    result = []
    for i in range(-1, len(lines)):
        if i >= 0:
            result.append(lines[i])
        for field in sorted(after.get(i, []), key=lambda f: (-f.rect[3], f.rect[0])):
            left, bottom, _right, top = field.rect
            result.append(Line(field.text, left, bottom, min(top - bottom, 12.0)))
    return result


def read_lines(page: PageObject) -> list[Line]:
    """Extract ``page`` in plain mode, keeping each line's start position and font size."""
    lines = [Line("")]

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        _a, _b, c, d, e, f = tm
        x = e * cm[0] + f * cm[2] + cm[4]
        y = e * cm[1] + f * cm[3] + cm[5]
        scale = math.hypot(c * cm[0] + d * cm[2], c * cm[1] + d * cm[3])
        for i, piece in enumerate(text.split("\n")):
            if i:
                lines.append(Line(""))
            line = lines[-1]
            if i == 0 and line.x is None and piece.strip():
                line.x, line.y, line.size = x, y, abs(size) * scale
            line.text += piece

    page.extract_text(visitor_text=visit)
    for line in lines:
        line.text = clean(line.text)
    return lines


def split_lines(text: str, locate: Callable[[int], tuple[float, float, float]] | None) -> list[Line]:
    """Lines of PDFium's text for a page, each placed by ``locate(index)`` of its first glyph (x, y, size).

    PDFium joins a word hyphenated at a line end and marks the hyphen with U+FFFE; the line is
    broken there again, with a plain hyphen, so the page's hyphen rules decide whether to join.
    """
    lines = []
    start = 0
    for end in [m.start() for m in _PDFIUM_LINE_END.finditer(text)] + [len(text)]:
        raw = text[start:end]
        first = start + len(raw) - len(raw.lstrip())
        line = Line(clean(raw.replace("\ufffe", "-")))
        if locate is not None and line.text:
            line.x, line.y, line.size = locate(first)
        lines.append(line)
        start = end + (2 if text.startswith("\r\n", end) else 1 if end < len(text) and text[end] in "\r\n" else 0)
    return lines


def clean(text: str) -> str:
    """Drop control/format characters, expand ligatures and collapse spaces on one line."""
    text = text.translate(_LIGATURES)
    text = "".join(
        " " if ch.isspace() else ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs") or ch == "\t"
    )
    return " ".join(text.split())


def layout_words(page: PageObject) -> set[str]:
    """Words of ``page`` as pypdf's layout mode spaces them (empty if layout mode fails)."""
    try:
        text = page.extract_text(extraction_mode="layout", layout_mode_space_vertically=False)
    except Exception:  # layout mode is only a hint: plain text stands without it
        return set()
    return set(_WORD.findall(clean(text)))


def line_words(lines: Iterable[Line]) -> set[str]:
    """The letter-only words of a page's lines: PDFium spaces words right, so they say where it spaced letters."""
    return {word for line in lines for word in _WORD.findall(line.text)}


def drop_line_numbers(lines: list[Line]) -> list[Line]:
    """Remove pleading-paper line numbers (1, 2, 3 ... in stream order) from a page's lines.

    The numbers come either as lines of their own or, when drawn on the same baseline as the
    text, as a leading number; either way only a run of at least ten in sequence counts.
    """
    expected, numbered = 1, {}
    for i, line in enumerate(lines):
        match = _LINE_NUMBER.match(line.text)
        if match and int(match.group(1)) == expected:
            numbered[i] = match.end()
            expected += 1
    if expected - 1 < _MIN_LINE_NUMBERS:
        return lines
    result = []
    for i, line in enumerate(lines):
        rest = line.text[numbered[i] :] if i in numbered else line.text
        if rest or i not in numbered:
            result.append(Line(rest, line.x, line.y, line.size))
    return result


def _edge_keys(lines: list[Line]) -> list[tuple[int, str]]:
    """Index and digit-normalised key of the lines that could be a header or footer."""
    filled = [i for i, line in enumerate(lines) if line.text]
    edge = filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]
    return [(i, re.sub(r"\d+", "#", lines[i].text.casefold())) for i in dict.fromkeys(edge)]


def drop_repeated_edges(pages: list[list[Line]]) -> list[list[Line]]:
    """Blank the lines at the top or bottom of most pages that repeat with only digits changed."""
    with_text = [lines for lines in pages if any(line.text for line in lines)]
    if len(with_text) < 2:
        return pages
    counts = Counter(key for lines in with_text for key in {key for _, key in _edge_keys(lines)})
    needed = max(2, math.ceil(len(with_text) / 2))
    repeated = {key for key, count in counts.items() if count >= needed}
    result = []
    for lines in pages:
        drop = {i for i, key in _edge_keys(lines) if key in repeated}
        if sum(1 for line in lines if line.text) == len(drop):
            drop = set()  # a page made only of "repeated" lines is content, not furniture
        result.append([Line("") if i in drop else line for i, line in enumerate(lines)])
    return result


def repair_split_words(pages: list[list[Line]], vocabularies: list[set[str]]) -> None:
    """Rejoin words plain mode split ("pers onnel") where layout mode saw the whole word.

    A pair is joined only when the joined word is among the page's layout-mode words and one
    half is no layout-mode word anywhere in the document, so "a part" stays apart whenever
    "a" and "part" are used on their own.
    """
    known = set().union(*vocabularies)
    for lines, vocabulary in zip(pages, vocabularies, strict=True):
        for line in lines:
            words = _unspace(line.text.split(" "), known)
            out = [words[0]]
            for word in words[1:]:
                a, b = out[-1].lstrip(_OPENING).split("-")[-1], word.rstrip(_CLOSING).split("-")[0]
                split = (
                    _LETTERS.fullmatch(a)
                    and _LETTERS.fullmatch(b)
                    and a + b in vocabulary
                    and (a not in known or b not in known)
                )
                if split:
                    out[-1] += word
                else:
                    out.append(word)
            line.text = " ".join(out)


def _unspace(words: list[str], known: set[str]) -> list[str]:
    """Rewrite runs of three or more single letters ("o f f i c e r s o r") as known words."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        segmented = _segment("".join(run), known) if len(run) >= 3 else None
        out.extend(segmented or run)
        run = []
        out.append(word)
    return out[:-1]


def _segment(letters: str, known: set[str]) -> list[str] | None:
    """Split ``letters`` into the fewest known, evenly cased words (of one letter only a/A/I)."""
    best: list[list[str] | None] = [[]] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 30), end):
            word, head = letters[start:end], best[start]
            cased = word.islower() or word.isupper() or word.istitle()
            if head is None or not cased or word not in known or (len(word) == 1 and word not in "aAI"):
                continue
            if best[end] is None or len(head) + 1 < len(best[end]):
                best[end] = [*head, word]
    return best[-1]


def words(pages: Iterable[list[Line]]) -> Counter[str]:
    """Count the document's letter-only words, leaving out halves of words hyphenated at a line end."""
    counts: Counter[str] = Counter()
    for lines in pages:
        hyphenated = False
        for line in lines:
            found = _WORD.findall(line.text)
            if hyphenated and found and line.text[0].isalpha():
                found = found[1:]
            hyphenated = bool(_HYPHENATED.search(line.text))
            counts.update(found[:-1] if hyphenated else found)
    return counts


def page_text(lines: list[Line], vocabulary: Counter[str]) -> str:
    """Join a page's lines into paragraphs; blank lines in the source always end one."""
    filled = [line for line in lines if line.text]
    full = _full_lengths(filled)
    starts = Counter(round(line.x) for line in filled if line.x is not None)
    left = starts.most_common(1)[0][0] if starts else None
    out, i, blank = "", -1, False
    for line in lines:
        if not line.text:
            blank = True
            continue
        i += 1
        if i == 0 or blank:
            out += ("\n\n" if i else "") + line.text
            blank = False
            continue
        prev = filled[i - 1]
        gaps = [_gap(filled[j], filled[j + 1]) if 0 <= j < len(filled) - 1 else None for j in (i - 2, i - 1, i)]
        sep = _separator(prev, line, gaps, full[i - 1], left)
        if sep != "\n\n" and _HYPHENATED.search(prev.text) and _LETTERS.match(line.text):
            out = _dehyphenate(out, line.text, vocabulary)
            continue
        if sep == " " and (prev.text.endswith("-") or (_CJK.match(prev.text[-1]) and _CJK.match(line.text[0]))):
            sep = ""
        out += sep + line.text
    return out


def _full_lengths(lines: list[Line]) -> list[int]:
    """How many characters a full line has, for each line: among lines starting at the same x,
    or among all lines of the page when fewer than three start there (centred lines)."""
    lengths = sorted(len(line.text) for line in lines)
    result = []
    for line in lines:
        peers = sorted(
            len(other.text)
            for other in lines
            if line.x is not None and other.x is not None and abs(other.x - line.x) <= max(line.size, 1) / 2
        )
        peers = peers if len(peers) >= 3 else lengths
        result.append(peers[min(len(peers) - 1, int(len(peers) * 0.9))])
    return result


def _gap(upper: Line, lower: Line) -> float | None:
    """How far ``lower`` sits below ``upper``; None if unknown or not below (a new column)."""
    if upper.y is None or lower.y is None or upper.y - lower.y <= 0:
        return None
    return upper.y - lower.y


def _separator(prev: Line, line: Line, gaps: list[float | None], full: int, left: int | None) -> str:
    """Return " " if ``line`` continues ``prev``'s paragraph, a blank line if it starts a new one.

    A single newline means unsure (headings, table rows, list items): the line break is kept.
    ``gaps`` are the vertical steps before ``prev``, between the two lines and after ``line``;
    ``full`` is the length of a full line like ``prev``; ``left`` the x where most lines start.
    """
    before, gap, after = gaps
    ends_sentence = bool(_SENTENCE_END.search(prev.text))
    pitch = min((g for g in (before, after) if g and g >= line.size / 2), default=None)
    if gap and pitch and gap > 1.4 * pitch:
        return "\n\n"
    indented = gap and None not in (prev.x, line.x, left) and line.x > max(prev.x, left) + max(line.size, 1)
    if indented or _LIST_ITEM.match(line.text):
        return "\n\n" if ends_sentence else "\n"
    length = len(prev.text)
    runs_on = length >= 0.8 * full or (length >= 0.6 * full and line.text[0].islower() and not ends_sentence)
    if runs_on and full >= _MIN_PROSE_LINE:
        return " "
    return "\n\n" if ends_sentence else "\n"


def _dehyphenate(out: str, following: str, vocabulary: Counter[str]) -> str:
    """Join a word hyphenated at a line end ("adip-" + "iscing").

    The hyphen goes when the whole word occurs elsewhere, and stays when it does not but both
    halves do ("predominant-factor") or the second half is capitalised ("anti-American").
    """
    head = _HYPHENATED.search(out)
    tail = _LETTERS.match(following)
    if head and tail:
        first, second = head.group(1), tail.group()
        compound = second[0].isupper() or (vocabulary[first] and vocabulary[second])
        if vocabulary[first + second] or not compound:
            return out[:-1] + following
    return out + following
