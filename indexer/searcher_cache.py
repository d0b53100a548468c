"""What every query needs from a searcher's segments, read once per segment: document ids, facet bitsets, field
lengths and dates.

Whoosh's own facet grouping reads every posting of every facet value and builds a list over every document
on every query (most of a search's time at 100,000 documents), and its id column is read one Python call per
hit. Here each segment's ids become a list, and its facet postings one Python int per value (bit n set:
document n has the value), the first time a searcher meets the segment; they are kept while the segment
lives. A query then costs a list lookup per hit, and one AND and a popcount per facet value. A segment's
postings never change; documents deleted from it stay in its bitsets but never match a query, so they are
never counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from indexer.vector_search import DecodedPostings, SegmentArrays, term_docnums

Bits = dict[str, dict[str, int]]  # field -> value -> bitset over a reader's document numbers


@dataclass
class _Segment:
    ids: list[int]  # document number -> document id
    bits: Bits | None = None  # read when a query first counts facets (an opening only needs the ids)
    arrays: SegmentArrays | None = None  # read when a query first scores on the segment
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # sort keys by column name


class SearcherCache:
    """Ids and facet counts over the document numbers of one searcher at a time (callers serialise use)."""

    def __init__(self, facet_fields: Sequence[str]) -> None:
        self.facet_fields = tuple(facet_fields)
        self._segments: dict[object, _Segment] = {}  # by segment id
        self._searcher: object = None
        self._ids: list[int] = []
        self._bits: Bits | None = None
        self._id_array: np.ndarray | None = None
        self._keys: dict[str, np.ndarray] = {}
        self._decoded = DecodedPostings()  # terms' postings, shared by the segments' arrays

    def doc_ids(self, searcher) -> list[int]:
        """Document number -> document id, over all of the searcher's segments."""
        self._load(searcher)
        return self._ids

    def id_array(self, searcher) -> np.ndarray:
        """:meth:`doc_ids` as an array."""
        self._load(searcher)
        if self._id_array is None:
            self._id_array = np.array(self._ids, dtype=np.int64)
        return self._id_array

    def arrays(self, reader) -> SegmentArrays:
        """The field lengths and word lists of one of the last searcher's segments."""
        segment = self._segments[_segment_key(reader)]
        if segment.arrays is None:
            segment.arrays = SegmentArrays(reader, self._decoded)
        return segment.arrays

    def expand(self, searcher, q) -> set[str]:
        """The words of any of the searcher's segments a wildcard or fuzzy clause stands for."""
        self._load(searcher)
        words: set[str] = set()
        for sub, _offset in searcher.leaf_searchers():
            reader = sub.reader()
            words.update(self.arrays(reader).expand(reader, q))
        return words

    def sort_keys(self, searcher, column: str, key: Callable[[int], int]) -> np.ndarray:
        """``key`` of each document's value in a sortable column, over all of the searcher's segments."""
        self._load(searcher)
        if column not in self._keys:
            parts = []
            for sub, _offset in searcher.leaf_searchers():
                reader = sub.reader()
                segment = self._segments[_segment_key(reader)]
                if column not in segment.columns:
                    values = reader.column_reader(column, translate=False) if reader.doc_count_all() else ()
                    segment.columns[column] = np.array([key(v) for v in values], dtype=np.int64)
                parts.append(segment.columns[column])
            self._keys[column] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return self._keys[column]

    def live_ids(self, searcher) -> set[int]:
        """The ids of the searcher's documents that are not deleted."""
        self._load(searcher)
        out: set[int] = set()
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            ids = self._ids[offset : offset + reader.doc_count_all()]
            if reader.has_deletions():
                out.update(doc_id for n, doc_id in enumerate(ids) if not reader.is_deleted(n))
            else:
                out.update(ids)
        return out

    def facet_counts(self, searcher, matched: int) -> dict[str, dict[str, int]]:
        """How many of the documents in the bitset ``matched`` have each value of each facet field, most
        frequent first, zeros left out."""
        out = {}
        for name, values in self._facet_bits(searcher).items():
            counted = {value: n for value, bits in values.items() if (n := (matched & bits).bit_count())}
            out[name] = dict(sorted(counted.items(), key=lambda item: (-item[1], item[0])))
        return out

    def _load(self, searcher) -> None:
        """Join the segments' ids for a searcher not seen last (read for segments not seen before)."""
        if self._searcher is searcher:
            return
        ids: list[int] = []
        live = {}
        for sub, _offset in searcher.leaf_searchers():
            reader = sub.reader()
            key = _segment_key(reader)
            live[key] = segment = self._segments.get(key) or _Segment(_read_ids(reader))
            ids += segment.ids
        self._segments = live  # segments merged away are forgotten
        self._searcher, self._ids, self._bits = searcher, ids, None
        self._id_array, self._keys = None, {}

    def _facet_bits(self, searcher) -> Bits:
        """The segments' bitsets shifted to each segment's offset, joined once per searcher."""
        self._load(searcher)
        if self._bits is None:
            merged: Bits = {name: {} for name in self.facet_fields}
            for sub, offset in searcher.leaf_searchers():
                reader = sub.reader()
                segment = self._segments[_segment_key(reader)]
                if segment.bits is None:
                    segment.bits = _read_bits(reader, self.facet_fields)
                for name, values in segment.bits.items():
                    into = merged[name]
                    for value, bits in values.items():
                        into[value] = into.get(value, 0) | (bits << offset)
            self._bits = merged
        return self._bits


def bitset(mask: np.ndarray) -> int:
    """An int with bit n set where the boolean array ``mask`` is True."""
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


def _segment_key(reader) -> object:
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else id(reader)


def _read_ids(reader) -> list[int]:
    return list(map(int, reader.column_reader("id"))) if reader.doc_count_all() else []


def _read_bits(reader, facet_fields: Sequence[str]) -> Bits:
    size = reader.doc_count_all()
    bits: Bits = {}
    for name in facet_fields:
        values = bits[name] = {}
        for text in reader.lexicon(name):
            mask = np.zeros(size, dtype=bool)
            mask[term_docnums(reader, name, text)] = True  # deleted ones too: see the module docstring
            values[text.decode("utf-8")] = bitset(mask)
    return bits
