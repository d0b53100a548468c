"""Whoosh queries answered over whole postings lists with numpy: every hit scored, counted and ordered at once.

Whoosh's matchers step through postings one Python call per document per clause, which is most of a query's
time at 100,000 documents. Here each clause of a parsed query becomes, per segment, a boolean array (which
documents match) and a float array (their scores), read a postings block at a time and combined with array
operations. Scores are Whoosh's BM25F, term for term (the same idf, average lengths, per-field B and K1, query
boosts), so the order is the one Whoosh's own collector gives; phrases check positions only on the documents
that hold every word. Words a wildcard or fuzzy clause stands for are scored each and added up. Clauses with no
array form are matched by Whoosh on that segment and their scores copied in.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, count, islice
from pickle import loads

import numpy as np
from rapidfuzz.distance import Levenshtein
from whoosh import formats, query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import _length_byte_cache

from indexer.errors import QueryError
from indexer.query import MAX_EXPANSIONS

_LENGTHS = np.array(_length_byte_cache, dtype=np.float64)  # a length byte -> the length Whoosh scores with
EXPANDING = (query.Prefix, query.Wildcard, query.FuzzyTerm, query.Regex, query.TermRange)
_PREFIX_LISTS = 32  # word lists kept per segment for fuzzy words, by field and first letters
_SEGMENT_NUMBERS = count()
DECODED_POSTINGS = 2_000_000  # postings kept decoded across queries (16 bytes each), the least recently used dropped


@dataclass
class Matches:
    """One clause on one segment: which documents match and with what score."""

    mask: np.ndarray  # bool, one per document number of the segment
    scores: np.ndarray  # float64, 0 where the mask is False


class DecodedPostings:
    """Terms' document numbers and weights (and phrases' matches) as arrays, kept across queries up to
    DECODED_POSTINGS entries in all (the least recently used goes first). Reading a term is unpickling and
    decompressing blocks that also hold every posting's positions: about half of a two-word query at 100,000
    documents, and typing repeats the words of the query before. A segment's postings never change
    (deletions are applied after)."""

    def __init__(self, limit: int = DECODED_POSTINGS) -> None:
        self.limit = limit
        self._kept: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._size = 0

    def get(self, key: tuple, read: Callable[[], tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """The postings under ``key``, from ``read()`` when not kept."""
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
            return found
        found = read()
        self._kept[key] = found
        self._size += len(found[0])
        while self._size > self.limit and len(self._kept) > 1:
            _key, (docnums, _weights) = self._kept.popitem(last=False)
            self._size -= len(docnums)
        return found


class SegmentArrays:
    """What the arrays of one segment need from it, read once while the segment lives: field lengths, the
    words fuzzy terms are compared with, and (in ``decoded``, shared by a searcher's segments) its terms'
    postings. A segment's postings and lengths never change."""

    def __init__(self, reader, decoded: DecodedPostings | None = None) -> None:
        self.size = reader.doc_count_all()
        self._lengths: dict[str, np.ndarray] = {}
        self._words: dict[tuple[str, str], list[str]] = {}
        self._decoded = decoded or DecodedPostings()
        self._key = next(_SEGMENT_NUMBERS)  # never reused, unlike id(): a merged segment's terms age out

    def kept(self, key: tuple, read: Callable[[], tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """Two arrays about this segment under ``key`` (a term's document numbers and weights, a phrase's
        mask and scores), ``read()`` when not kept."""
        return self._decoded.get((self._key, *key), read)

    def lengths(self, reader, fieldname: str) -> np.ndarray:
        """Each document's length of ``fieldname`` as Whoosh scores it (one byte, decoded)."""
        if fieldname not in self._lengths:
            raw = np.zeros(self.size, dtype=np.uint8)
            column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is not None and column._count:
                data = column._dbfile.get(column._basepos, column._count)
                raw[: len(data)] = np.frombuffer(data, dtype=np.uint8)
            self._lengths[fieldname] = _LENGTHS[raw]
        return self._lengths[fieldname]

    def words(self, reader, fieldname: str, prefix: str) -> list[str]:
        """The segment's words of ``fieldname`` that start with ``prefix``."""
        key = (fieldname, prefix)
        if key not in self._words:
            if len(self._words) >= _PREFIX_LISTS:
                self._words.clear()
            self._words[key] = [w.decode("utf-8") for w in reader.expand_prefix(fieldname, prefix)]
        return self._words[key]

    def expand(self, reader, q: query.Query) -> list[str]:
        """The segment's words a wildcard, prefix, fuzzy, regex or word-range clause stands for; a clause
        that stands for too many is refused."""
        if isinstance(q, query.FuzzyTerm):
            near = [
                w
                for w in self.words(reader, q.fieldname, q.text[: q.prefixlength])
                if Levenshtein.distance(w, q.text, score_cutoff=q.maxdist) <= q.maxdist
            ]
        else:
            near = [
                b.decode("utf-8") if isinstance(b, bytes) else b for b in islice(q._btexts(reader), MAX_EXPANSIONS + 1)
            ]
        if len(near) > MAX_EXPANSIONS:
            what = f"{q.start} to {q.end}" if isinstance(q, query.TermRange) else q.text
            raise QueryError(f"{what!r} matches too many different words; narrow it down")
        return near


class Evaluator:
    """Answers one parsed query on one top-level searcher, a segment at a time.

    ``check`` is called before each segment and often inside slow clauses: it raises to stop a search."""

    def __init__(self, searcher, arrays: Callable[[object], SegmentArrays], check: Callable[[], None]) -> None:
        self.top = searcher
        self.weighting = searcher.weighting
        self.arrays = arrays
        self.check = check

    def segment(
        self, sub, q: query.Query, within: query.Query | None = None, without: query.Query | None = None
    ) -> Matches:
        """Matches of ``q`` on one leaf searcher that also match ``within`` and not ``without`` (filters: they
        do not score), deleted documents left out."""
        self.check()
        reader = sub.reader()
        self._sub, self._reader, self._arrays = sub, reader, self.arrays(reader)
        self._read: dict[tuple[str, bytes], list] = {}  # postings blocks read on this segment, by term
        found = self._eval(q)
        excluded = np.zeros(self._arrays.size, dtype=bool)
        if within is not None:
            excluded |= ~self._eval(within).mask
        if without is not None:
            excluded |= self._eval(without).mask
        if reader.has_deletions():
            excluded[list(reader.deleted_docs_set)] = True
        return _without(found, excluded)

    # -- clauses ---------------------------------------------------------------------------

    def _eval(self, q: query.Query) -> Matches:
        if isinstance(q, query.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, query.And):
            return self._and([self._eval(sub) for sub in q.subqueries], q.boost)
        if isinstance(q, query.Phrase) and q.fieldname in self.top.schema and q.words:
            return self._phrase(q)
        if isinstance(q, query.Or) and not q.minmatch and not q.scale:
            return self._or([self._eval(sub) for sub in q.subqueries], q.boost)
        if isinstance(q, query.AndNot):
            positive, negative = self._eval(q.a), self._eval(q.b)
            return _without(positive, negative.mask)
        if isinstance(q, query.AndMaybe):
            required, optional = self._eval(q.a), self._eval(q.b)
            return Matches(required.mask, required.scores + np.where(required.mask, optional.scores, 0.0))
        if isinstance(q, query.Require):
            required, scoring_ = self._eval(q.a), self._eval(q.b)
            return Matches(required.mask & scoring_.mask, np.where(scoring_.mask, required.scores, 0.0))
        if isinstance(q, query.Not):
            return self._constant(~self._eval(q.query).mask, 1.0)
        if isinstance(q, query.Every) and not q.fieldname:
            return self._constant(np.ones(self._arrays.size, dtype=bool), q.boost)
        if isinstance(q, EXPANDING) and q.fieldname in self.top.schema:
            words = self._arrays.expand(self._reader, q)
            return self._or([self._term(q.fieldname, w, 1.0) for w in words], q.boost)
        if q is query.NullQuery or isinstance(q, query.qcore._NullQuery):
            return self._constant(np.zeros(self._arrays.size, dtype=bool), 0.0)
        return self._by_whoosh(q)

    def _term(self, fieldname: str, text, boost: float) -> Matches:
        size, reader = self._arrays.size, self._reader
        mask, scores = np.zeros(size, dtype=bool), np.zeros(size)
        if fieldname not in self.top.schema:
            return Matches(mask, scores)
        field = self.top.schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return Matches(mask, scores)
        if (fieldname, btext) not in reader:
            return Matches(mask, scores)
        docnums, weights = self._arrays.kept((fieldname, btext), lambda: _postings(self._blocks(fieldname, btext)))
        if field.scorable:
            w = self.weighting
            B, K1 = w._field_B.get(fieldname, w.B), w.K1
            idf = self.top.idf(fieldname, btext)
            avgfl = self.top.avg_field_length(fieldname) or 1
            lengths = self._arrays.lengths(reader, fieldname)[docnums]
            values = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avgfl)))
        else:
            values = weights
        mask[docnums] = True
        scores[docnums] = values * boost if boost != 1.0 else values
        return Matches(mask, scores)

    def _and(self, parts: list[Matches], boost: float) -> Matches:
        if not parts:
            return self._constant(np.zeros(self._arrays.size, dtype=bool), 0.0)
        mask = parts[0].mask.copy()
        for part in parts[1:]:
            mask &= part.mask
        scores = np.zeros(self._arrays.size)
        for part in parts:
            scores += part.scores
        scores = np.where(mask, scores, 0.0)
        return Matches(mask, scores * boost if boost != 1.0 else scores)

    def _phrase(self, q: query.Phrase) -> Matches:
        """The documents with every word of the phrase, kept where the words' positions hold it; scored as
        the words together, as Whoosh scores a phrase. Kept with the decoded postings: checking positions is
        most of a phrase's time, and typing repeats it."""
        field = self.top.schema[q.fieldname]
        if not field.format or not field.format.supports("positions"):
            return self._by_whoosh(q)  # Whoosh says the field has no positions
        key = ("phrase", q.fieldname, tuple(q.words), q.slop, q.boost)
        return Matches(*self._arrays.kept(key, lambda: _arrays_of(self._positioned(q, field))))

    def _positioned(self, q: query.Phrase, field) -> Matches:
        found = self._and([self._term(q.fieldname, word, 1.0) for word in q.words], q.boost)
        if len(q.words) < 2 or not found.mask.any():
            return found
        decode = _decode_positions if type(field.format) is formats.Positions else field.format.decode_positions
        positions = [
            _positions(self._blocks(q.fieldname, field.to_bytes(word)), found.mask, decode) for word in q.words
        ]
        for n, docnum in enumerate(np.flatnonzero(found.mask).tolist()):
            if not _in_phrase([of_word[docnum] for of_word in positions], q.slop):
                found.mask[docnum], found.scores[docnum] = False, 0.0
            if not n % 1024:
                self.check()
        return found

    def _or(self, parts: list[Matches], boost: float) -> Matches:
        if not parts:
            return self._constant(np.zeros(self._arrays.size, dtype=bool), 0.0)
        mask, scores = parts[0].mask.copy(), parts[0].scores.copy()
        for part in parts[1:]:
            mask |= part.mask
            scores += part.scores
        return Matches(mask, scores * boost if boost != 1.0 else scores)

    def _blocks(self, fieldname: str, btext: bytes) -> list:
        """A term's postings blocks on this segment, read once however often the query names it."""
        key = (fieldname, btext)
        if key not in self._read:
            self._read[key] = list(_blocks(self._reader.postings(fieldname, btext)))
        return self._read[key]

    def _constant(self, mask: np.ndarray, score: float) -> Matches:
        return Matches(mask, np.where(mask, score, 0.0))

    def _by_whoosh(self, q: query.Query) -> Matches:
        """A clause with no array form, matched by Whoosh's own matcher on this segment."""
        size = self._arrays.size
        mask, scores = np.zeros(size, dtype=bool), np.zeros(size)
        matcher = q.matcher(self._sub, self._sub.context(weighting=self.weighting))
        seen = 0
        while matcher.is_active():
            docnum = matcher.id()
            mask[docnum], scores[docnum] = True, matcher.score()
            matcher.next()
            seen += 1
            if not seen % 1024:
                self.check()
        return Matches(mask, scores)


def _arrays_of(matches: Matches) -> tuple[np.ndarray, np.ndarray]:
    return matches.mask, matches.scores


def _without(positive: Matches, excluded: np.ndarray) -> Matches:
    mask = positive.mask & ~excluded
    return Matches(mask, np.where(mask, positive.scores, 0.0))


def _blocks(matcher) -> Iterator[tuple[np.ndarray, np.ndarray, Callable[[], Sequence[bytes]]]]:
    """A term's postings a block at a time: document numbers (deleted ones included), weights, and a
    function that reads the block's values (positions) when a phrase needs them."""
    while isinstance(matcher, FilterMatcher):  # the segment's deletions: applied once per segment
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):  # inlined postings of rare words: Whoosh's own walk
        ids, weights, values = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value())
            matcher.next()
        yield np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64), lambda: values
        return
    while matcher.is_active():
        matcher._read_data()
        data, n = matcher._data, matcher._blocklength
        weights = data[1]
        if weights is None or isinstance(weights, float):
            weights = np.full(n, 1.0 if weights is None else weights)
        yield np.cumsum(data[0]), np.asarray(weights, dtype=np.float64), lambda data=data: data[2]
        matcher._next_block()


def term_docnums(reader, fieldname: str, btext: bytes) -> np.ndarray:
    """Every document number of a term's postings on one segment, deleted ones included."""
    return _postings(list(_blocks(reader.postings(fieldname, btext))))[0]


def _postings(blocks: list) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and weights."""
    ids, weights = [], []
    for block_ids, block_weights, _values in blocks:
        ids.append(block_ids)
        weights.append(block_weights)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(weights)


def _positions(blocks: list, wanted: np.ndarray, decode: Callable[[bytes], list[int]]) -> dict[int, list[int]]:
    """A term's positions in each document of the boolean array ``wanted``."""
    out = {}
    for block_ids, _weights, values in blocks:
        picked = np.flatnonzero(wanted[block_ids])
        if len(picked):
            block_values = values()
            for i in picked.tolist():
                out[int(block_ids[i])] = decode(block_values[i])
    return out


def _in_phrase(positions: list[list[int]], slop: int) -> bool:
    """Whether the words' positions hold the phrase in order, each within ``slop`` of the one before
    (Whoosh's SpanNear2 with ``ordered`` and ``mindist=1``): only where a partial phrase ends matters."""
    ends = set(positions[0])
    for following in positions[1:]:
        steps = range(1, slop + 1)
        ends = {end + step for end in ends for step in steps}.intersection(following)
        if not ends:
            return False
    return True


def _decode_positions(value: bytes) -> list[int]:
    """:meth:`whoosh.formats.Positions.decode_positions` without its Python loop (a phrase decodes the
    positions of every document holding all its words)."""
    return list(accumulate(loads(value[4:] if value.endswith(b".") else value[4:] + b".")))
