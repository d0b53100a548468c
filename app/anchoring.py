"""Passage anchors (W3C Web Annotation selectors) and re-anchoring them in re-extracted text.

Re-anchoring tries, in order: the old offsets, the quote (exact or ignoring whitespace) chosen by its
prefix/suffix, then a strict fuzzy match. Anything doubtful gives ``None``: the caller lists the annotation
for review instead of moving it silently.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from diff_match_patch import diff_match_patch

CONTEXT = 32
LOCATE_PREFIX = 16  # characters of prefix (folded) that pick an occurrence in locate_loosely
# A place is accepted when its support, the share of the stored selector (prefix, quote and suffix, whitespace
# collapsed, each part's similarity weighted by its length) found there, reaches SUPPORT_MIN and one side of the
# context is at least SIDE_MIN similar. So a short quote needs both sides of its context, a long one can lose
# one. A side of unrelated text scores 0.3 or less (99th percentile, measured on the 287(g) corpus).
SIDE_MIN = 0.8
SUPPORT_MIN = 0.8
# Among several occurrences of the quote the best must beat the runner-up by this much; nearness to the old
# offset adds at most PROXIMITY, so it breaks near-ties but never decides alone.
MARGIN = 0.1
PROXIMITY = 0.05
# A quote with more occurrences than this (a word or two) has only the ones with the most untouched context
# ranked (each ranking costs two diffs: 4 s for 6,800 occurrences of "the" in 840,000 characters).
SHORTLIST = 50
# A fuzzy placement must be this similar to the quote (1 - Levenshtein distance / length, whitespace collapsed).
FUZZY_MIN = 0.9
# diff_match_patch's locator: patterns of at most PIECE characters (its Match_MaxBits), a lenient error budget
# (candidates are verified afterwards), searched around the old offset and around at most HINTS occurrences of
# the prefix and of the suffix; MATCH_DISTANCE keeps each search within a few hundred characters (searching a
# whole 800,000-character text takes seconds).
PIECE = 32
MATCH_THRESHOLD = 0.4
MATCH_DISTANCE = 1000
HINTS = 4
_SPACE = re.compile(r"\s+")
#: Typographic variants a person types plainly: curly quotes, primes and dashes (one character for one, so
#: offsets hold). What is typed with straight quotes and a hyphen finds the text's curly quotes and dashes.
PLAIN_TYPOGRAPHY = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4`", "'")
    | dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"')
    | dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-")
)


@dataclass(frozen=True)
class Anchor:
    """W3C Web Annotation selectors for a passage of a document's stored text."""

    exact: str  # TextQuoteSelector.exact
    prefix: str  # up to CONTEXT chars before
    suffix: str  # up to CONTEXT chars after
    start: int  # TextPositionSelector (Python str offsets into the stored text)
    end: int


@dataclass(frozen=True)
class Placement:
    """Where an anchor landed in a text, how it was found and how sure that is (0..1)."""

    start: int
    end: int
    method: str  # "position" | "quote" | "context" | "fuzzy"
    confidence: float


def make_anchor(text: str, start: int, end: int, context: int = CONTEXT) -> Anchor:
    """The anchor of ``text[start:end]``; raises ``ValueError`` for an empty or out-of-range passage."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"passage {start}-{end} is empty or outside the text (0-{len(text)})")
    if not text[start:end].strip():
        raise ValueError("the passage is only whitespace")
    return Anchor(text[start:end], text[max(0, start - context) : start], text[end : end + context], start, end)


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """The occurrences of ``quote`` with curly and straight quotes and all dashes alike
    (:data:`PLAIN_TYPOGRAPHY`), or if there are none, its occurrences also ignoring differences in whitespace
    (spans then cover the real characters, from the first non-space one to the last)."""
    text, quote = text.translate(PLAIN_TYPOGRAPHY), quote.translate(PLAIN_TYPOGRAPHY)
    spans = [(at, at + len(quote)) for at in _occurrences(text, quote, len(quote))]
    if spans:
        return spans
    view, needle = _Collapsed(text), _collapse(quote).strip()
    return [view.span(at, at + len(needle)) for at in _occurrences(view.text, needle, len(needle))]


def find_quote(text: str, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """The span of the ``occurrence``-th (1-based) occurrence of ``quote`` (see ``quote_spans``)."""
    if not quote.strip():
        raise ValueError("the quote is empty")
    if occurrence < 1:
        raise ValueError(f"--occurrence counts from 1, not {occurrence}")
    spans = quote_spans(text, quote)
    if not spans:
        raise ValueError("the quote is not in the document's text, even ignoring spaces and line breaks")
    if occurrence > len(spans):
        times = "once" if len(spans) == 1 else f"{len(spans)} times"
        raise ValueError(f"the quote occurs {times}; use --occurrence 1 to {len(spans)}")
    return spans[occurrence - 1]


def locate_loosely(folded: tuple[str, list[int]], quote: str, prefix: str = "") -> tuple[int, int] | None:
    """Where ``quote`` is in a text given as ``fold(text)``: another extraction of the same passage (pdfium's
    text of a PDF page, to draw a highlight on it), compared without whitespace, case, accents, dashes, control
    characters or compatibility forms such as ligatures. The occurrence after ``prefix`` when there is one,
    else the first; offsets into the text; None if absent."""
    haystack, where = folded
    wanted = fold(quote)[0]
    if not wanted:
        return None
    lead = fold(prefix)[0][-LOCATE_PREFIX:]
    at = haystack.find(lead + wanted) if lead else -1
    at = at + len(lead) if at >= 0 else haystack.find(wanted)
    return (where[at], where[at + len(wanted) - 1] + 1) if at >= 0 else None


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` decomposed (NFKD) and case-folded, with plain quotes (:data:`PLAIN_TYPOGRAPHY`), without
    whitespace, control characters, accents or dashes (pdfium marks a hyphen at a line break with a control
    character), and each kept character's offset."""
    chars, where = [], []
    for offset, char in enumerate(text.translate(PLAIN_TYPOGRAPHY)):
        for folded in unicodedata.normalize("NFKD", char).casefold():
            if not folded.isspace() and unicodedata.category(folded) not in _FOLDED_AWAY:
                chars.append(folded)
                where.append(offset)
    return "".join(chars), where


_FOLDED_AWAY = {"Cc", "Cf", "Cn", "Mn", "Pd"}


def reanchor(anchor: Anchor, text: str) -> Placement | None:
    """Place ``anchor`` in (re-extracted) ``text``, or ``None`` when no place is certain enough: the old offsets
    if they still hold the quote and it is unique or its context unchanged, else the occurrence of the quote
    (ignoring whitespace) that its context singles out, else a strict fuzzy match."""
    start, end = anchor.start, anchor.end
    if text[start:end] == anchor.exact and (
        text.count(anchor.exact) == 1 or _agreement(anchor, text, start, end) == 1.0
    ):
        return Placement(start, end, "position", 1.0)
    quote = _collapse(anchor.exact).strip()
    if not quote:
        return None
    view = _Collapsed(text)
    spans = [view.span(at, at + len(quote)) for at in _occurrences(view.text, quote)]
    if spans:
        if len(spans) > SHORTLIST:  # a short quote: rank only the places that keep most context unchanged
            spans = heapq.nlargest(SHORTLIST, spans, key=lambda span: _untouched(anchor, text, span))
        ranked = sorted((_rank(anchor, text, span) for span in spans), reverse=True)
        score, (first, last) = ranked[0]
        support = _support(anchor, text, first, last)
        if support >= SUPPORT_MIN:
            if len(ranked) > 1 and score - ranked[1][0] < MARGIN:
                return None
            method = "quote" if len(ranked) == 1 else "context"
            return Placement(first, last, method, support) if _singled_out(anchor, text, view, first, last) else None
        # no copy of the quote has its surroundings: the passage itself may have been edited
    return _fuzzy(anchor, text, view, quote)


def _singled_out(anchor: Anchor, text: str, view: _Collapsed, start: int, end: int) -> bool:
    """Whether no other place shows the surroundings that ``start:end`` has kept (its nearly intact prefix and
    suffix, collapsed): such a place may be the passage itself, edited, and ``start:end`` a copy of it."""
    sides = {before: side for side, before, score in _sides(anchor, text, start, end) if score >= SIDE_MIN}
    prefix, suffix = sides.get(True, ""), sides.get(False, "")
    if prefix:
        first = view.collapsed_offset(start)
        gap = 2 * (view.collapsed_offset(end) - first) + PIECE  # room for the passage, even edited
        own = first - len(prefix)
        for at in _occurrences(view.text, prefix):
            after = at + len(prefix)
            if at != own and (not suffix or suffix in view.text[after : after + gap + len(suffix)]):
                return False
        return True
    own = view.collapsed_offset(end)
    return all(at == own for at in _occurrences(view.text, suffix))


def _untouched(anchor: Anchor, text: str, span: tuple[int, int]) -> int:
    """How many characters of the stored prefix and suffix are repeated unchanged right next to ``span``."""
    prefix, suffix = _collapse(anchor.prefix), _collapse(anchor.suffix)
    before = _context(text, span[0], len(prefix), before=True)
    after = _context(text, span[1], len(suffix), before=False)
    matcher = diff_match_patch()
    return matcher.diff_commonSuffix(prefix, before) + matcher.diff_commonPrefix(suffix, after)


def _rank(anchor: Anchor, text: str, span: tuple[int, int]) -> tuple[float, tuple[int, int]]:
    """(score, span): context agreement plus a small bonus for being near the old offset."""
    nearness = 1 - min(1.0, abs(span[0] - anchor.start) / max(1, len(text)))
    return _agreement(anchor, text, *span) + PROXIMITY * nearness, span


def _fuzzy(anchor: Anchor, text: str, view: _Collapsed, quote: str) -> Placement | None:
    """Locate the quote's head and tail with ``match_main`` near the old offset and where the stored prefix or
    suffix still occurs, then accept a span only if it is nearly the quote and has the quote's surroundings;
    two such places that do not overlap are ambiguous."""
    matcher = diff_match_patch()
    matcher.Match_Threshold, matcher.Match_Distance = MATCH_THRESHOLD, MATCH_DISTANCE
    head, tail = quote[:PIECE], quote[-PIECE:]
    prefix, suffix = _collapse(anchor.prefix), _collapse(anchor.suffix)
    hints = {view.collapsed_offset(anchor.start)}
    hints.update(at + len(prefix) for at in islice(_occurrences(view.text, prefix, len(prefix)), HINTS))
    hints.update(at - len(quote) for at in islice(_occurrences(view.text, suffix, len(suffix)), HINTS))
    spans = set()
    for hint in hints:
        at = matcher.match_main(view.text, head, hint)
        if at != -1:
            spans.add((at, _end_near(matcher, view.text, quote, at)))
        at = matcher.match_main(view.text, tail, hint + len(quote) - len(tail))
        if at != -1:
            spans.add((_start_near(matcher, view.text, quote, at + len(tail)), at + len(tail)))
    accepted = []
    for span in spans:
        first, last = _refine(matcher, view.text, anchor, quote, span)
        similarity = _similarity(quote, view.text[first:last])
        if similarity < FUZZY_MIN:
            continue
        real = view.span(first, last)
        support = _support(anchor, text, *real, similarity)
        if support >= SUPPORT_MIN and _singled_out(anchor, text, view, *real):
            accepted.append((support, real))
    if not accepted:
        return None
    accepted.sort(reverse=True)
    confidence, (first, last) = accepted[0]
    if any(other[1][0] >= last or other[1][1] <= first for other in accepted[1:]):
        return None
    return Placement(first, last, "fuzzy", confidence)


def _end_near(matcher: diff_match_patch, haystack: str, quote: str, first: int) -> int:
    """The end of a quote whose head was found at ``first``: where its tail is found, else by length."""
    if len(quote) <= PIECE:
        return first + len(quote)
    tail = quote[-PIECE:]
    at = matcher.match_main(haystack, tail, first + len(quote) - len(tail))
    return at + len(tail) if at > first else first + len(quote)


def _start_near(matcher: diff_match_patch, haystack: str, quote: str, last: int) -> int:
    """The start of a quote whose tail ends at ``last``: where its head is found, else by length."""
    if len(quote) <= PIECE:
        return max(0, last - len(quote))
    at = matcher.match_main(haystack, quote[:PIECE], last - len(quote))
    return at if -1 < at < last - PIECE else max(0, last - len(quote))


def _refine(
    matcher: diff_match_patch, haystack: str, anchor: Anchor, quote: str, span: tuple[int, int]
) -> tuple[int, int]:
    """Exact ends for a rough span: diff prefix + quote + suffix against the text around it and map the
    quote's ends through the diff (text inserted at an end stays outside), without spaces at either end."""
    prefix, suffix = _collapse(anchor.prefix), _collapse(anchor.suffix)
    low = max(0, span[0] - len(prefix) - PIECE)
    high = min(len(haystack), span[1] + len(suffix) + PIECE)
    diffs = matcher.diff_main(prefix + quote + suffix, haystack[low:high], False)
    first = low + matcher.diff_xIndex(diffs, len(prefix))
    last = low + matcher.diff_xIndex(diffs, len(prefix) + len(quote))
    while first < last and haystack[first] == " ":
        first += 1
    while last > first and haystack[last - 1] == " ":
        last -= 1
    return first, last


def _agreement(anchor: Anchor, text: str, start: int, end: int) -> float:
    """How well the text around ``start:end`` matches the stored prefix and suffix (0..1, whitespace collapsed):
    the mean of both sides weighted by their length; 1.0 when the anchor has no context."""
    sides = _sides(anchor, text, start, end)
    if not sides:
        return 1.0
    return sum(len(side) * score for side, _, score in sides) / sum(len(side) for side, _, _ in sides)


def _support(anchor: Anchor, text: str, start: int, end: int, similarity: float = 1.0) -> float:
    """The share of the stored selector (prefix, quote and suffix, whitespace collapsed) found at ``start:end``:
    the parts' similarities weighted by their lengths (``similarity`` is the quote's), but 0 unless one side of
    the context is nearly intact (SIDE_MIN)."""
    quote = len(_collapse(anchor.exact).strip())
    sides = _sides(anchor, text, start, end)
    if sides and max(score for _, _, score in sides) < SIDE_MIN:
        return 0.0
    found = quote * similarity + sum(len(side) * score for side, _, score in sides)
    return found / (quote + sum(len(side) for side, _, _ in sides))


def _sides(anchor: Anchor, text: str, start: int, end: int) -> list[tuple[str, bool, float]]:
    """(stored side collapsed, whether it is the prefix, its similarity to the text there) for each side."""
    sides = [(_collapse(anchor.prefix), True), (_collapse(anchor.suffix), False)]
    return [
        (side, before, _similarity(side, _context(text, start if before else end, len(side), before)))
        for side, before in sides
        if side
    ]


def _context(text: str, at: int, size: int, before: bool) -> str:
    """``size`` characters of whitespace-collapsed text just before (or after) offset ``at``."""
    if not size:
        return ""
    window = 2 * size + 8
    while True:
        if before:
            low = max(0, at - window)
            piece = _collapse(text[low:at])
            if len(piece) >= size or low == 0:
                return piece[-size:]
        else:
            high = min(len(text), at + window)
            piece = _collapse(text[at:high])
            if len(piece) >= size or high == len(text):
                return piece[:size]
        window *= 4


def _similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / longer length, from diff_match_patch (0 for unrelated strings)."""
    if not a and not b:
        return 1.0
    matcher = diff_match_patch()
    distance = matcher.diff_levenshtein(matcher.diff_main(a, b, False))
    return max(0.0, 1 - distance / max(len(a), len(b)))


def _occurrences(haystack: str, needle: str, step: int = 1) -> Iterator[int]:
    """Offsets of ``needle`` in ``haystack``; ``step`` = len(needle) skips overlapping ones."""
    at = haystack.find(needle) if needle else -1
    while at != -1:
        yield at
        at = haystack.find(needle, at + step)


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text)


class _Collapsed:
    """A text with each run of whitespace collapsed to one space, and the offsets back to the real text."""

    def __init__(self, text: str) -> None:
        self.text = _collapse(text)
        self._starts, self._shifts = [0], [0]  # from collapsed offset _starts[k] on, real = collapsed + _shifts[k]
        for run in _SPACE.finditer(text):
            if run.end() - run.start() > 1:
                self._starts.append(run.start() - self._shifts[-1] + 1)
                self._shifts.append(run.end() - self._starts[-1])
        self._real_starts = [start + shift for start, shift in zip(self._starts, self._shifts, strict=True)]

    def real(self, offset: int) -> int:
        """The real offset of a collapsed one (a collapsed space maps to the start of its run)."""
        return offset + self._shifts[bisect.bisect_right(self._starts, offset) - 1]

    def span(self, first: int, last: int) -> tuple[int, int]:
        """The real span of the collapsed span ``first:last`` (which neither starts nor ends with a space)."""
        return self.real(first), self.real(last - 1) + 1

    def collapsed_offset(self, real: int) -> int:
        """The collapsed offset nearest to a real one (clipped to the text)."""
        k = bisect.bisect_right(self._real_starts, real) - 1
        limit = self._starts[k + 1] - 1 if k + 1 < len(self._starts) else len(self.text)
        return max(0, min(real - self._shifts[k], limit))
