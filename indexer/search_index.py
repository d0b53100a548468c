"""The Whoosh full-text index: derived data, rebuildable at any time from the store.

Only document ids are stored in the index; callers pass the text back in for snippets.
A schema version in a sidecar file triggers a rebuild when the schema changes.
"""

from __future__ import annotations

import copyreg
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, time
from pathlib import Path
from time import monotonic

import numpy as np
from whoosh import collectors, fields, formats, index, query, writing
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StandardAnalyzer, StemFilter, StemmingAnalyzer, StopFilter
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from indexer import posting_pool
from indexer.errors import IndexBusy, IndexUnavailable, QueryError
from indexer.highlight import Needles, first_spans, match_spans, needles, snippet
from indexer.merge_policy import level_merge, to_merge
from indexer.query import parse_query
from indexer.ranking import Ranking
from indexer.searcher_cache import SearcherCache, bitset
from indexer.types import HitIds, IndexDoc
from indexer.vector_search import Evaluator

SCHEMA_VERSION = 8
READ_RETRIES = 5
WRITE_LOCK_TIMEOUT_S = 30.0
WRITER_MB = 64  # a writer's posting pool (it spills to sorted runs on disk past this)
FACET_FIELDS = ("kind", "year", "jurisdiction", "stance", "tag", "status")
DEFAULT_FIELDS = ["title", "body", "note", "file"]
MAIL_FIELDS = ("from", "to", "cc", "subject")  # an email's headers
SEARCH_SECONDS = 0.8  # a search running longer stops and says so
_VERSION_FILE = "SCHEMA_VERSION"
_DEFAULT_WORD = RegexTokenizer().expression.pattern
#: Whoosh's default word pattern with its groups made non-capturing, so that ``findall`` gives whole words.
_WORD = re.compile(re.sub(r"(?<!\\)\((?!\?)", "(?:", _DEFAULT_WORD))
STEM_CACHE = 200_000  # spellings remembered by the fused indexing (then forgotten all at once)
_stems: dict[str, str] = {}


def file_name_analyzer():
    """File names as words: "MAINE__Wells_Police_Department__MOA.pdf" -> maine, well, polic, depart, moa, pdf
    (split at underscores too, stemmed; a possessive's "s" dropped, so "Attorney General's Office" matches
    "Attorney_Generals_Office"). FOIA releases and saved records name a document's agency and state there."""
    return RegexTokenizer(r"[^\W_]+") | LowercaseFilter() | StopFilter(stoplist=["s"], minsize=1) | StemFilter()


def build_schema() -> fields.Schema:
    """The index schema: stemmed title/body, keyword facets, a sortable date."""
    stem = StemmingAnalyzer(stoplist=None, minsize=1)  # stop words indexed: "will not participate" is an exact phrase
    facet = {"lowercase": True, "commas": True, "scorable": False}
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        title=fields.TEXT(analyzer=stem),
        body=fields.TEXT(analyzer=stem),
        note=fields.TEXT(analyzer=stem),
        file=fields.TEXT(analyzer=file_name_analyzer()),
        author=fields.TEXT(analyzer=StandardAnalyzer()),
        source=fields.TEXT(analyzer=StandardAnalyzer()),
        kind=fields.KEYWORD(**facet),
        year=fields.KEYWORD(**facet),
        date=fields.DATETIME(sortable=True),
        jurisdiction=fields.KEYWORD(**facet),
        tagged=fields.KEYWORD(lowercase=True, commas=True, scorable=False),  # jurisdictions without ancestors
        stance=fields.KEYWORD(**facet),
        tag=fields.KEYWORD(**facet),
        **{name: fields.TEXT(analyzer=StandardAnalyzer()) for name in MAIL_FIELDS},
        status=fields.KEYWORD(**facet),  # needs-ocr, ocr
    )


class SearchIndex:
    """Adapter over one Whoosh index folder; safe to use from several threads."""

    def __init__(self, folder: Path, writable: bool = True, rebuild: bool = True) -> None:
        """Open the index in ``folder``; a writable one is created or rebuilt when missing, unreadable or from
        another schema version, unless ``rebuild`` is False (a helper process that must never wipe it)."""
        self.folder = folder
        self.writable = writable
        self._write_lock = threading.RLock()  # one writer at a time
        self._read_lock = threading.RLock()  # guards the shared searcher
        self._searcher = None
        self._needles: dict[tuple[str, str, int], Needles] = {}
        self._cache = SearcherCache(FACET_FIELDS)  # guarded by the read lock, as the searcher is
        self.rebuilt = False
        # Whoosh's ``Index.schema`` re-reads the newest table of contents, a file a concurrent commit may
        # be deleting: read it once here (the schema is fixed by SCHEMA_VERSION).
        self._index, self._writes, self._schema = self._open(writable and rebuild)

    def _open(self, may_rebuild: bool) -> tuple[index.Index, index.Index, fields.Schema]:
        """The index searchers read, the same index for writers (see :func:`_for_writers`), and its schema."""
        version_file = self.folder / _VERSION_FILE
        current = version_file.read_text().strip() if version_file.exists() else None
        problem = "the search index is missing or from another version"
        if current == str(SCHEMA_VERSION):
            for _attempt in range(READ_RETRIES):
                try:
                    if not index.exists_in(self.folder):
                        break
                    opened = index.open_dir(self.folder)
                    schema = opened.schema
                    return opened, _for_writers(self.folder, schema), schema
                except FileNotFoundError:  # another process committed meanwhile: read the new table of contents
                    problem = "the search index is being rewritten; try again in a moment"
                except Exception as exc:
                    problem = f"the search index cannot be opened ({exc})"
                    break
        if not may_rebuild:
            raise IndexUnavailable(problem)
        created = self._create()
        return created, _for_writers(self.folder, created.schema), created.schema

    def _create(self) -> index.Index:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        created = index.create_in(self.folder, build_schema())
        (self.folder / _VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
        self.rebuilt = True
        return created

    def clear(self) -> None:
        """Drop every document (the caller re-adds them from the store): a commit that keeps no segment, so
        other processes' searchers see a newer generation, not a folder replaced under them."""
        with self._writing() as writer:
            writer.commit(mergetype=writing.CLEAR)

    def close(self) -> None:
        """Release searchers and file handles."""
        with self._write_lock, self._read_lock:
            self._close_searcher()
            self._index.close()

    # -- writing ---------------------------------------------------------------------------

    def write(self, upserts: Iterable[IndexDoc] = (), deletions: Iterable[int] = (), merge: bool = True) -> int:
        """Add or replace ``upserts`` and remove ``deletions`` in one commit; returns docs written.

        ``merge=False`` skips merging small segments (for the batches of a long import); call :meth:`merge`
        at the end.
        """
        with self._writing() as writer:
            count = 0
            for doc_id in deletions:
                writer.delete_by_term("id", str(doc_id))
            add = upserter(writer)
            for doc in upserts:
                add(_fields(doc))
                count += 1
            writer.commit(mergetype=level_merge if merge else writing.NO_MERGE)
        return count

    def merge(self) -> None:
        """Merge small segments once (after a series of ``merge=False`` writes), as every merging commit does
        (:mod:`indexer.merge_policy`)."""
        with self._writing() as writer:  # its segment list is read under the index's write lock
            if to_merge(writer.segments):
                writer.commit(mergetype=level_merge)
            else:
                writer.cancel()

    @contextmanager
    def _writing(self) -> Iterator:
        """A Whoosh writer (IndexBusy if another process holds the index for too long), cancelled if the work
        fails; afterwards searchers reopen on what was committed."""
        with self._write_lock:
            try:
                writer = new_writer(self._writes, WRITER_MB)
            except LockError as exc:
                raise IndexBusy("another process is writing the search index") from exc
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            with self._read_lock:
                self._close_searcher()

    # -- reading ---------------------------------------------------------------------------

    def ids(self) -> set[int]:
        """Ids of every live document in the index."""
        return self._read(self._cache.live_ids)

    def doc_count(self) -> int:
        """Number of live documents."""
        return self._read(lambda searcher: searcher.doc_count())

    def _read(self, work):
        """Run ``work(searcher)`` under the read lock. A searcher opened while a commit was removing merged
        segment files fails with FileNotFoundError: open a fresh one (the new table of contents) and retry."""
        with self._read_lock:
            for _attempt in range(READ_RETRIES):
                try:
                    return work(self._get_searcher())
                except FileNotFoundError:
                    self._close_searcher()
            raise IndexUnavailable("the search index is being rewritten; try again in a moment")

    def hit_ids(
        self,
        text: str,
        *,
        sort: str = "relevance",
        filters: Mapping[str, Iterable[str]] | None = None,
        excludes: Mapping[str, Iterable[str]] | None = None,
    ) -> HitIds:
        """Every matching document id in rank (or newest-first) order, with facet counts and the warnings
        about the parts of ``text`` that were left out."""
        parsed = parse_query(text, self._schema, DEFAULT_FIELDS)
        return self._read(lambda searcher: self._hit_ids(searcher, parsed, sort, filters, excludes))

    def _hit_ids(self, searcher, parsed, sort, filters, excludes) -> HitIds:
        """Run a parsed query on one searcher (see :meth:`hit_ids`): every segment's matches as arrays."""
        doc_ids = self._cache.id_array(searcher)
        end = monotonic() + SEARCH_SECONDS

        def check() -> None:
            if monotonic() >= end:
                raise collectors.TimeLimit

        evaluator = Evaluator(searcher, self._cache.arrays, check)
        allow, restrict = _terms(filters, query.And), _terms(excludes, query.Or)
        mask, scores = np.zeros(len(doc_ids), dtype=bool), np.zeros(len(doc_ids))
        warnings = list(parsed.warnings)
        try:
            for sub, offset in searcher.leaf_searchers():
                found = evaluator.segment(sub, parsed.query, within=allow, without=restrict)
                span = slice(offset, offset + len(found.mask))
                mask[span], scores[span] = found.mask, found.scores
        except collectors.TimeLimit:
            warnings.append(
                f"The search stopped after {SEARCH_SECONDS:g} s, so these are only the matches found by then: "
                "add words or a field (title:, kind:, date:) to narrow it down."
            )
        except (IndexError, ValueError, TypeError) as exc:
            raise QueryError(f"could not run the query: {exc}") from exc
        docnums = np.flatnonzero(mask)
        if sort == "date":
            keys = self._cache.sort_keys(searcher, "date", _newest_first_key)[docnums]
        else:
            keys = -scores[docnums]
        order = docnums[np.lexsort((docnums, keys))]
        ids = doc_ids[order].tolist()
        ranked = {} if sort == "date" else dict(zip(ids, scores[order].tolist(), strict=True))
        facets = self._cache.facet_counts(searcher, bitset(mask))
        return HitIds(ids=ids, scores=ranked, facets=facets, warnings=warnings)

    def snippets(
        self,
        text: str,
        ids: Iterable[int],
        text_for: Callable[[int], str],
        notes_for: Callable[[int], str] | None = None,
    ) -> dict[int, str]:
        """The best ``<mark>``-ed passage of each document's text for the query ``text``; when only the
        document's notes match, the passage of the notes, starting with "Note: "."""
        wanted, in_notes = self.needles(text), self.needles(text, "note")
        analyzer = self._schema["body"].analyzer
        out = {}
        for doc_id in ids:
            body = text_for(doc_id)
            spans = first_spans(body, wanted, analyzer)
            notes = notes_for(doc_id) if notes_for and in_notes and not spans else ""
            note_spans = first_spans(notes, in_notes, analyzer) if notes else []
            out[doc_id] = "Note: " + snippet(notes, note_spans) if note_spans else snippet(body, spans)
        return out

    def match_spans(self, text: str, body: str) -> list[tuple[int, int]]:
        """Character ranges in ``body`` of the words and phrases the query ``text`` looks for."""
        return match_spans(body, self.needles(text), self._schema["body"].analyzer)

    def needles(self, text: str, fieldname: str = "body") -> Needles:
        """Stemmed words and phrases of a field a query highlights (expansions bounded as in search);
        cached per query until the index changes, since every block of snippets and the viewer ask again."""
        parsed = parse_query(text, self._schema, DEFAULT_FIELDS).query

        def find(searcher) -> Needles:
            key = (text, fieldname, id(searcher))
            if key not in self._needles:
                if len(self._needles) > 64:
                    self._needles.clear()
                self._needles[key] = needles(parsed, lambda node: self._cache.expand(searcher, node), fieldname)
            return self._needles[key]

        return self._read(find)

    def _get_searcher(self):
        if self._searcher is None or not self._searcher.up_to_date():
            self._close_searcher()
            self._searcher = self._index.searcher(weighting=Ranking())
        return self._searcher

    def _close_searcher(self) -> None:
        self._needles.clear()
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None


class FusedText(fields.TEXT):
    """A stemmed TEXT field whose postings come from one loop over the text instead of Whoosh's chain of
    token generators (tokenizer, lowercase, stem: 45% of an import's indexing). The postings are the same,
    byte for byte (``tests/indexer/test_search_index.py`` compares them on corpus texts); the index's table
    of contents stores it as the plain ``TEXT`` it stands for, so the index on disk does not change."""

    def index(self, value, **kwargs):
        stem = _fused_stemmer(self)
        if stem is None or kwargs or not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        positions: dict[str, list[int]] = {}
        cache = _stems
        if len(cache) > STEM_CACHE:
            cache.clear()
        for pos, word in enumerate(_WORD.findall(value)):
            term = cache.get(word)
            if term is None:
                term = cache[word] = stem(word.lower())
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        encode, boost = self.format.encode, self.format.field_boost
        for term, found in positions.items():
            yield term.encode("utf-8"), len(found), len(found) * boost, encode(found)

    def __reduce_ex__(self, protocol):
        return copyreg._reconstructor, (fields.TEXT, object, None), self.__dict__


def _fused_stemmer(field: fields.FieldType):
    """The stem function when ``field`` indexes positions with exactly Whoosh's StemmingAnalyzer chain
    (default word pattern, lowercase, stem, nothing ignored, no stop words); None otherwise."""
    analyzer = field.analyzer
    if type(field.format) is not formats.Positions or not isinstance(analyzer, CompositeAnalyzer):
        return None
    parts = analyzer.items
    if len(parts) != 3 or [type(part) for part in parts] != [RegexTokenizer, LowercaseFilter, StemFilter]:
        return None
    tokenizer, _lower, stemmer = parts
    if tokenizer.gaps or tokenizer.expression.pattern != _DEFAULT_WORD or stemmer.ignore:
        return None
    return stemmer._stem


def fuse(schema: fields.Schema) -> None:
    """Let a writer's schema index its stemmed text fields with :class:`FusedText` (in place)."""
    for name, field in list(schema.items()):
        if type(field) is fields.TEXT and _fused_stemmer(field) is not None:
            fused = FusedText.__new__(FusedText)
            fused.__dict__.update(field.__dict__)
            schema._fields[name] = fused


def new_writer(writes: index.Index, limitmb: int):
    """A writer on ``writes`` (LockError past the lock timeout) that analyses with :class:`FusedText` and
    pools its postings in a :class:`indexer.posting_pool.CompactPool` of ``limitmb``."""
    writer = writes.writer(limitmb=limitmb, timeout=WRITE_LOCK_TIMEOUT_S)
    fuse(writer.schema)
    posting_pool.install(writer, limitmb)
    return writer


def upserter(writer) -> Callable[[dict], None]:
    """Add a document's fields with ``writer``, replacing the document of the same id if the index has one.
    Whoosh's ``update_document`` looks the id up with a query per segment for every document; a new one
    needs only the term lookup that shows no segment has it. For a few documents (an edit) that is cheapest;
    a long series of large commits wants :class:`IndexedIds`."""
    existing = writer.searcher().reader()

    def add(values: dict) -> None:
        if ("id", values["id"]) in existing:
            writer.update_document(**values)
        else:
            writer.add_document(**values)

    return add


class IndexedIds:
    """The document ids each segment holds, read once per segment and kept across commits, so that a writer
    of many large commits (the import's writer process) can tell a new document (add it) from one the index
    has (replace it): :func:`upserter`'s term lookup per segment was 9% of that writer at 100,000 documents
    (28 segments); here it is one search in a sorted array. Reading every segment's ids the first time takes
    0.36 s at 100,000 documents, and merging the arrays 18 ms a commit: too much for an edit's one document,
    so :class:`SearchIndex` keeps :func:`upserter`. An id whose document was deleted since only costs a
    needless replace."""

    def __init__(self) -> None:
        self._by_segment: dict[str, np.ndarray] = {}

    def upserter(self, writer) -> Callable[[dict], None]:
        """``add(values)`` for ``writer``: adds the document, or replaces the one of the same id."""
        held = {}
        for leaf, _base in writer.searcher().reader().leaf_readers():
            segment = leaf.segment()
            if segment is None:  # an empty index
                continue
            key = segment.segment_id()
            ids = self._by_segment.get(key)
            if ids is None:
                ids = np.fromiter((int(term) for term in leaf.field_terms("id")), dtype=np.int64)
            held[key] = ids
        self._by_segment = held  # merged segments' ids are forgotten with them
        known = np.unique(np.concatenate(list(held.values()))) if held else np.zeros(0, dtype=np.int64)

        def add(values: dict) -> None:
            doc_id = int(values["id"])
            at = int(known.searchsorted(doc_id))
            if at < len(known) and known[at] == doc_id:
                writer.update_document(**values)
            else:
                writer.add_document(**values)

        return add


def _for_writers(folder: Path, schema: fields.Schema) -> index.Index:
    """The index opened for writers: segments read with plain file reads. Mapped, the segments an import's
    writer looks ids up in stayed resident (5.5 GB at 100,000 documents, 0.39 GB without); searches keep the
    mapping, which fuzzy and wildcard expansion needs (2x slower without)."""
    return index.FileIndex(FileStorage(str(folder), supports_mmap=False), schema)


def _newest_first_key(value: int) -> int:
    """Sort key for newest first; Whoosh gives undated documents the column maximum: put them last."""
    return 1 if value >= 2**63 else -value


def _fields(doc: IndexDoc) -> dict:
    values = {
        "id": str(doc.id),
        "title": doc.title,
        "body": doc.body,
        "author": doc.author,
        "source": doc.site,
        "file": doc.file_name,
        "kind": doc.kind,
        "jurisdiction": ",".join(doc.jurisdictions),
        "tagged": ",".join(doc.tagged_jurisdictions),
        "stance": ",".join(doc.stances),
        "tag": ",".join(doc.tags),
        "note": doc.notes,
        **{name: doc.headers.get(name, "") for name in MAIL_FIELDS},
        "status": ",".join(doc.status),
    }
    if doc.published is not None:
        values["date"] = datetime.combine(doc.published, time())
        values["year"] = str(doc.published.year)
    return values


def _terms(selected: Mapping[str, Iterable[str]] | None, combine) -> query.Query | None:
    if not selected:
        return None
    clauses = [
        query.Or([query.Term(name, value.lower()) for value in values]) for name, values in selected.items() if values
    ]
    return combine(clauses) if clauses else None
