"""The Whoosh full-text index: derived data, rebuildable at any time from the store.

Only document ids are stored in the index; callers pass the text back in for snippets.
A schema version in a sidecar file triggers a rebuild when the schema changes.
"""

from __future__ import annotations

import html
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, time
from pathlib import Path

from whoosh import fields, highlight, index, query, sorting
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer

from indexer.errors import IndexUnavailable, QueryError
from indexer.query import check_expansions, parse_query
from indexer.types import Hit, IndexDoc, SearchPage

SCHEMA_VERSION = 1
FACET_FIELDS = ("kind", "year", "jurisdiction", "stance", "tag")
DEFAULT_FIELDS = ["title", "body"]
_VERSION_FILE = "SCHEMA_VERSION"


def build_schema() -> fields.Schema:
    """The index schema: stemmed title/body, keyword facets, a sortable date."""
    stem = StemmingAnalyzer()
    facet = {"lowercase": True, "commas": True, "scorable": False}
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=stem),
        body=fields.TEXT(analyzer=stem),
        author=fields.TEXT(analyzer=StandardAnalyzer()),
        source=fields.TEXT(analyzer=StandardAnalyzer()),
        kind=fields.KEYWORD(**facet),
        year=fields.KEYWORD(**facet),
        date=fields.DATETIME(sortable=True),
        jurisdiction=fields.KEYWORD(**facet),
        stance=fields.KEYWORD(**facet),
        tag=fields.KEYWORD(**facet),
    )


class _MarkFormatter(highlight.Formatter):
    """Escapes text and wraps matched terms in ``<mark>``."""

    between = " … "

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{html.escape(highlight.get_text(text, token, replace))}</mark>"

    def _text(self, text: str) -> str:
        return html.escape(text)


class SearchIndex:
    """Adapter over one Whoosh index folder; safe to use from several threads."""

    def __init__(self, folder: Path, writable: bool = True) -> None:
        self.folder = folder
        self.writable = writable
        self._lock = threading.RLock()
        self._searcher = None
        self.rebuilt = False
        self._index = self._open()

    def _open(self) -> index.Index:
        version_file = self.folder / _VERSION_FILE
        current = version_file.read_text().strip() if version_file.exists() else None
        if current == str(SCHEMA_VERSION) and index.exists_in(self.folder):
            try:
                return index.open_dir(self.folder)
            except Exception as exc:
                if not self.writable:
                    raise IndexUnavailable(f"the search index cannot be opened ({exc})") from exc
        if not self.writable:
            raise IndexUnavailable("the search index is missing or from another version")
        return self._create()

    def _create(self) -> index.Index:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        created = index.create_in(self.folder, build_schema())
        (self.folder / _VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
        self.rebuilt = True
        return created

    def clear(self) -> None:
        """Drop every document (the caller re-adds them from the store)."""
        with self._lock:
            self._close_searcher()
            self._index.close()
            self._index = self._create()

    def close(self) -> None:
        """Release searchers and file handles."""
        with self._lock:
            self._close_searcher()
            self._index.close()

    # -- writing ---------------------------------------------------------------------------

    def write(self, upserts: Iterable[IndexDoc] = (), deletions: Iterable[int] = (), merge: bool = True) -> int:
        """Add or replace ``upserts`` and remove ``deletions`` in one commit; returns docs written.

        ``merge=False`` skips Whoosh's small-segment merge (for the batches of a long import, which
        would otherwise rewrite earlier segments again and again); call :meth:`merge` at the end.
        """
        with self._lock:
            writer = self._index.writer(limitmb=128, timeout=30.0)
            count = 0
            try:
                for doc_id in deletions:
                    writer.delete_by_term("id", str(doc_id))
                for doc in upserts:
                    writer.update_document(**_fields(doc))
                    count += 1
                writer.commit(merge=merge)
            except BaseException:
                writer.cancel()
                raise
            self._close_searcher()
            return count

    def merge(self) -> None:
        """Merge small segments once (after a series of ``merge=False`` writes)."""
        with self._lock:
            if len(self._index._segments()) > 1:
                self.write()

    # -- reading ---------------------------------------------------------------------------

    def ids(self) -> set[int]:
        """Ids of every live document in the index."""
        with self._lock:
            return {int(f["id"]) for f in self._get_searcher().all_stored_fields()}

    def doc_count(self) -> int:
        """Number of live documents."""
        with self._lock:
            return self._get_searcher().doc_count()

    def search(
        self,
        text: str,
        *,
        page: int = 1,
        page_size: int = 20,
        sort: str = "relevance",
        filters: Mapping[str, Iterable[str]] | None = None,
        excludes: Mapping[str, Iterable[str]] | None = None,
        text_for: Callable[[int], str] | None = None,
    ) -> SearchPage:
        """Run a query; ``text_for(id)`` supplies stored text for the snippets of this page's hits."""
        parsed = parse_query(text, self._index.schema, DEFAULT_FIELDS)
        with self._lock:
            searcher = self._get_searcher()
            check_expansions(parsed, searcher.reader())
            facets = {name: sorting.FieldFacet(name, allow_overlap=True) for name in FACET_FIELDS}
            options = {
                "groupedby": facets,
                "maptype": sorting.Count,
                "filter": _terms(filters, query.And),
                "mask": _terms(excludes, query.Or),
            }
            if sort == "date":
                options["sortedby"] = _NEWEST_FIRST
            try:
                results = searcher.search_page(parsed, max(page, 1), pagelen=page_size, **options)
            except (IndexError, ValueError, TypeError) as exc:
                raise QueryError(f"could not run the query: {exc}") from exc
            results.results.formatter = _MarkFormatter()
            results.results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=90)
            hits = []
            for hit in results:
                doc_id = int(hit["id"])
                snippet = _snippet(hit, text_for(doc_id)) if text_for else ""
                hits.append(Hit(doc_id, float(hit.score or 0.0), snippet))
            groups = {name: _counts(results.results.groups(name)) for name in FACET_FIELDS}
            return SearchPage(total=results.total, hits=hits, facets=groups)

    def _get_searcher(self):
        if self._searcher is None or not self._searcher.up_to_date():
            self._close_searcher()
            self._searcher = self._index.searcher()
        return self._searcher

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None


def _newest_first_key(value: int) -> int:
    """Sort key for newest first; Whoosh gives undated documents the column maximum: put them last."""
    return 1 if value >= 2**63 else -value


_NEWEST_FIRST = sorting.TranslateFacet(_newest_first_key, sorting.FieldFacet("date"))


def _fields(doc: IndexDoc) -> dict:
    values = {
        "id": str(doc.id),
        "title": doc.title,
        "body": doc.body,
        "author": doc.author,
        "source": doc.site,
        "kind": doc.kind,
        "jurisdiction": ",".join(doc.jurisdictions),
        "stance": ",".join(doc.stances),
        "tag": ",".join(doc.tags),
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


def _snippet(hit, text: str) -> str:
    fragment = hit.highlights("body", text=text, top=1)
    if fragment:
        return fragment
    lead = " ".join(text[:300].split())
    return html.escape(lead if len(lead) < 200 else lead[:200].rsplit(" ", 1)[0] + " …")


def _counts(groups: Mapping) -> dict[str, int]:
    counts = {str(k): int(v) for k, v in groups.items() if k not in (None, "")}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
