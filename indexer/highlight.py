"""Where a query matches inside a text: words and whole phrases, as character spans, and snippets.

The same spans drive the results' snippets and the viewer's hit navigation, so a phrase is one
hit (not one per word) and a word under NOT is never marked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from whoosh import query

SNIPPET_CHARS = 240
SNIPPET_LEAD = 80
SCAN_CHARS = 20_000  # a snippet looks for hits this much text at a time
SCAN_OVERLAP = 500  # so a phrase across the end of one stretch is found in the next
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Needles:
    """What to look for in one field's text: index words, and phrases as word sequences with a slop."""

    words: frozenset[str]
    phrases: tuple[tuple[tuple[str, ...], int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


def needles(parsed: query.Query, expand: Callable[[query.Query], Iterable[str]], fieldname: str = "body") -> Needles:
    """The words and phrases of ``fieldname`` a query looks for (wildcards and fuzzy terms through
    ``expand``, the index's words they stand for; anything under NOT left out)."""
    words: set[str] = set()
    phrases: list[tuple[tuple[str, ...], int]] = []
    for node in _positive_leaves(parsed):
        if node.field() != fieldname:
            continue
        if isinstance(node, query.Phrase):
            phrases.append((tuple(node.words), max(node.slop, 1)))
            continue
        if isinstance(node, (query.Wildcard, query.Prefix, query.FuzzyTerm, query.Regex)):
            found = expand(node)
        else:
            found = (text for _, text in node.terms())
        words.update(w.decode("utf-8") if isinstance(w, bytes) else str(w) for w in found)
    return Needles(frozenset(words), tuple(phrases))


def match_spans(text: str, wanted: Needles, analyzer) -> list[tuple[int, int]]:
    """Character ranges of the matched words and phrases in ``text``, in order, not overlapping."""
    if not wanted:
        return []
    tokens = _candidates(text, wanted, analyzer)
    spans = [(start, end) for word, start, end, _ in tokens if word in wanted.words]
    for words, slop in wanted.phrases:
        spans.extend(_phrase_spans(tokens, words, slop))
    return _without_overlaps(sorted(spans))


def _candidates(text: str, wanted: Needles, analyzer) -> list[tuple[str, int, int, int]]:
    """(stem, start, end, position) of the tokens of ``text`` that may be wanted words, through the body
    analyzer's own tokenizer, lowercasing and stemmer. Stemming keeps a word's first letter, so only tokens
    that begin like a wanted word are stemmed: stemming every token was most of a search's time."""
    tokenizer, _lowercase, stemmer = analyzer.items
    firsts = {word[0] for word in wanted.words} | {word[0] for words, _slop in wanted.phrases for word in words}
    stem = stemmer._stem
    out = []
    for position, match in enumerate(tokenizer.expression.finditer(text)):
        word = match.group().lower()
        if word[0] in firsts:
            out.append((stem(word), match.start(), match.end(), position))
    return out


def first_spans(text: str, wanted: Needles, analyzer, stretch: int = SCAN_CHARS) -> list[tuple[int, int]]:
    """The spans of the first stretch of ``text`` that has any: a snippet needs one good window, and
    tokenizing all of a 300-page PDF for each result row would hold the GIL the GUI needs. Stretches end at
    whitespace; where there is none near, a word cut at the end of a stretch is not taken as a hit."""
    start = 0
    while wanted and start < len(text):
        end = len(text) if len(text) - start <= stretch else _after_space(text, start + stretch)
        spans = [
            (s + start, e + start)
            for s, e in match_spans(text[start:end], wanted, analyzer)
            if e + start < end or end == len(text) or text[end - 1].isspace()
        ]
        if spans:
            return spans
        if end >= len(text):
            break
        start = max(_after_space(text, end - min(SCAN_OVERLAP, stretch // 2)), start + 1)
    return []


def _after_space(text: str, at: int) -> int:
    """Just after the first whitespace at or after ``at`` (within 200 characters), else ``at``."""
    space = _SPACE.search(text, at, at + 200)
    return space.end() if space else at


def snippet(text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS) -> str:
    """HTML-escaped passage of about ``width`` characters around the densest group of spans,
    matches wrapped in ``<mark>``; the opening of the text when nothing matched."""
    if not spans:
        lead = " ".join(text[:300].split())
        return html.escape(lead if len(lead) < 200 else lead[:200].rsplit(" ", 1)[0] + " …")
    best = _densest(spans, width - SNIPPET_LEAD)
    start = _word_start(text, max(spans[best][0] - SNIPPET_LEAD, 0))
    end = _word_end(text, min(start + width, len(text)))
    parts, cursor = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts += [html.escape(text[cursor:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        cursor = e
    parts.append(html.escape(text[cursor:end]))
    body = " ".join("".join(parts).split())
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")


def _phrase_spans(
    tokens: list[tuple[str, int, int, int]], words: tuple[str, ...], slop: int
) -> Iterator[tuple[int, int]]:
    """Each run of tokens holding ``words`` in order, each within ``slop`` positions of the previous."""
    for first, (word, start, _, _) in enumerate(tokens):
        if not words or word != words[0]:
            continue
        at: int | None = first
        for wanted in words[1:]:
            at = _next_within(tokens, at, wanted, slop)
            if at is None:
                break
        if at is not None:
            yield start, tokens[at][2]


def _next_within(tokens: list[tuple[str, int, int, int]], at: int, wanted: str, slop: int) -> int | None:
    for i in range(at + 1, len(tokens)):
        if tokens[i][3] - tokens[at][3] > slop:
            return None
        if tokens[i][0] == wanted:
            return i
    return None


def _without_overlaps(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _densest(spans: list[tuple[int, int]], width: int) -> int:
    """Index of the span that starts the window of ``width`` characters holding the most spans (one pass)."""
    best, best_count, end = 0, 0, 0
    for first, (start, _) in enumerate(spans):
        end = max(end, first)
        while end < len(spans) and spans[end][1] <= start + width:
            end += 1
        if end - first > best_count:
            best, best_count = first, end - first
    return best


def _word_start(text: str, at: int) -> int:
    if at == 0:
        return 0
    space = text.find(" ", at, at + 30)
    return space + 1 if space != -1 else at


def _word_end(text: str, at: int) -> int:
    if at >= len(text):
        return len(text)
    space = text.rfind(" ", max(at - 30, 0), at)
    return space if space != -1 else at


def _positive_leaves(node: query.Query) -> Iterator[query.Query]:
    if isinstance(node, query.Not):
        return
    if isinstance(node, query.AndNot):
        yield from _positive_leaves(node.a)
    elif node.is_leaf():
        yield node
    else:
        for child in node.children():
            yield from _positive_leaves(child)
