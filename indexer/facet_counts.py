"""Facet counts of a result from bitsets of each facet value, read once per index segment.

Whoosh's own facet grouping reads every posting of every facet value and builds a list over every document
on every query (most of a search's time at 100,000 documents). Here each segment's facet postings become one
Python int per value (bit n set: document n has the value) the first time a searcher sees the segment, kept
while the segment lives; a query then costs one AND and a popcount per value. A segment's postings never
change; documents deleted from it stay in its bitsets but never match a query, so they are never counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher

Bits = dict[str, dict[str, int]]  # field -> value -> bitset over a reader's document numbers


class FacetCounter:
    """Counts facet values over sets of document numbers of one searcher at a time."""

    def __init__(self, fields: Sequence[str]) -> None:
        self.fields = tuple(fields)
        self._segments: dict[object, Bits] = {}  # segment id -> its bitsets (local document numbers)
        self._searcher_key: object = None
        self._bits: Bits = {}

    def counts(self, searcher, docnums: Iterable[int]) -> dict[str, dict[str, int]]:
        """How many of ``docnums`` have each value of each facet field, most frequent first, zeros left out."""
        matched = bitset(docnums, searcher.doc_count_all())
        out = {}
        for name, values in self._global_bits(searcher).items():
            counted = {value: n for value, bits in values.items() if (n := (matched & bits).bit_count())}
            out[name] = dict(sorted(counted.items(), key=lambda item: (-item[1], item[0])))
        return out

    def _global_bits(self, searcher) -> Bits:
        """The bitsets over the searcher's document numbers: its segments' bitsets shifted to their offsets."""
        if self._searcher_key is searcher:
            return self._bits
        merged: Bits = {name: {} for name in self.fields}
        live = {}
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            key = _segment_key(reader)
            live[key] = local = self._segments.get(key) or _segment_bits(reader, self.fields)
            for name, values in local.items():
                into = merged[name]
                for value, bits in values.items():
                    into[value] = into.get(value, 0) | (bits << offset)
        self._segments = live  # segments merged away are forgotten
        self._searcher_key, self._bits = searcher, merged
        return merged


def bitset(docnums: Iterable[int], size: int) -> int:
    """An int with bit n set for each n in ``docnums`` (each below ``size``)."""
    buffer = bytearray((size >> 3) + 1)
    for n in docnums:
        buffer[n >> 3] |= 1 << (n & 7)
    return int.from_bytes(buffer, "little")


def _segment_key(reader) -> object:
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else id(reader)


def _segment_bits(reader, fields: Sequence[str]) -> Bits:
    out: Bits = {}
    for name in fields:
        values = out[name] = {}
        for text in reader.lexicon(name):
            values[text.decode("utf-8")] = bitset(_docnums(reader.postings(name, text)), reader.doc_count_all())
    return out


def _docnums(matcher) -> Iterable[int]:
    """Every document number of a term's postings, deleted ones included, a block at a time where the
    codec allows (Whoosh's matcher interface walks them one call per posting)."""
    while isinstance(matcher, FilterMatcher):  # the segment's deletions: see the module docstring
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        return matcher.all_ids()
    ids: list[int] = []
    while matcher.is_active():
        matcher._read_ids()
        ids.extend(matcher._ids)
        matcher._next_block()
    return ids
