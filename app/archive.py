"""The Archive facade: the one object the CLI and the GUI open and call."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from app.annotating import Annotating
from app.blobs import BlobStore
from app.changes import Changes
from app.errors import ArchiveLocked, BadQuery, DossierError, NotFound
from app.import_process import import_in_child
from app.importer import CancelFn, Importer, ProgressFn
from app.lock import WriterLock
from app.models import CheckReport, Document, HitList, ImportReport, SearchHit, SearchResult
from app.store import migrations
from app.store.annotations import AnnotationStore
from app.store.changes import ChangeLog
from app.store.db import connect, transaction
from app.store.documents import DocumentStore
from app.store.tags import TagStore
from app.tagging import Tagging
from indexer.errors import IndexBusy, IndexUnavailable, QueryError
from indexer.sandbox import ExtractorPool, Job, Limits
from indexer.search_index import SearchIndex
from indexer.types import IndexDoc

DB_NAME = "dossier.sqlite3"
HELPER_BUSY_S = 300.0  # an import process waits this long for a write the window holds (a long bundle merge)
INDEX_BATCH = 500
DISPLAY_LIMITS = Limits(seconds=30.0, memory_bytes=1024**3, workers=1)

StepFn = Callable[[int, int], None]


class Archive(Tagging, Annotating):
    """A self-contained archive folder: SQLite store, blob store and derived search index."""

    def __init__(self, folder: Path, *, writable: bool, locked: bool = True) -> None:
        self.folder = folder
        self.writable = writable
        self._guard = threading.RLock()  # serializes writes; the write connection is used only under it
        self._import_lock = threading.Lock()  # one import at a time; other writes interleave between batches
        self._local = threading.local()  # one read connection per thread
        self._read_conns: list = []
        self._read_conns_lock = threading.Lock()
        self.closed = False
        self._lock = WriterLock(folder) if writable and locked else None
        self.extraction_limits = Limits()

    @classmethod
    def open(cls, folder: str | os.PathLike, *, shared: bool = False) -> Archive:
        """Open (creating if needed) for writing; ``shared`` falls back to read-only when another
        process holds the writer lock instead of raising :class:`ArchiveLocked`."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        archive = cls(folder, writable=True)
        try:
            archive._lock.acquire()
        except ArchiveLocked:
            if not shared or not (folder / DB_NAME).exists():
                raise
            archive = cls(folder, writable=False)
        try:
            archive._open_parts()
        except BaseException:
            if archive._lock:
                archive._lock.release()
            if hasattr(archive, "conn"):
                archive.conn.close()
            raise
        return archive

    @classmethod
    def open_for_helper(cls, folder: str | os.PathLike) -> Archive:
        """Open for writing in a child process of the process that holds the writer lock (the import
        process): no lock of its own, and no migration or index repair, which the holder has done."""
        archive = cls(Path(folder), writable=True, locked=False)
        archive._open_parts(maintain=False)
        return archive

    def _open_parts(self, maintain: bool = True) -> None:
        db_path = self.folder / DB_NAME
        self.conn = connect(db_path, readonly=not self.writable, busy_seconds=10.0 if maintain else HELPER_BUSY_S)
        if self.writable and maintain:
            migrations.migrate(self.conn, db_path, self.folder / "backups")
        elif migrations.version(self.conn) != migrations.LATEST:
            raise DossierError(
                "The archive needs an upgrade that only the Dossier holding it open can do; "
                "close that Dossier and try again."
            )
        self.documents = DocumentStore(self.conn)
        self.blobs = BlobStore(self.folder / "blobs")
        try:
            self.index = SearchIndex(self.folder / "index", writable=self.writable, rebuild=maintain)
        except IndexUnavailable as exc:
            if not maintain:  # the import process of this very window
                raise DossierError(f"The import could not open the search index ({exc}); import again.") from exc
            raise DossierError(
                f"The archive is open in another Dossier and {exc}; close that Dossier and try again."
            ) from exc
        if self.writable and maintain:
            with transaction(self.conn):
                ChangeLog(self.conn).prune()
            self.repair_index()

    def close(self) -> None:
        """Release the index, the database and the writer lock."""
        self.closed = True
        self.index.close()
        with self._read_conns_lock:
            for conn in self._read_conns:
                conn.close()
        self.conn.close()
        if self._lock:
            self._lock.release()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- import ------------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Sequence[str | os.PathLike],
        *,
        passwords: Sequence[str] = (),
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        separate_process: bool = False,
    ) -> ImportReport:
        """Import files and folders (recursively); see :mod:`app.importer`.

        ``separate_process`` runs the work in a child process (:mod:`app.import_process`), as the GUI does:
        the import's pure-Python indexing would otherwise keep the GUI thread waiting for the GIL.
        """
        self._require_writable()
        with self._import_lock:
            if separate_process:
                paths = [str(p) for p in paths]
                try:
                    return import_in_child(self.folder, paths, passwords, self.extraction_limits, progress, cancel)
                finally:  # what an edit here could not index while the child held the index, or what a dead
                    with self._guard:  # child committed but did not index
                        self._index_queued()
            with self._guard:
                known = self.documents.hashes()
            importer = Importer(
                known,
                self._store_batch,
                lambda data: self.blobs.put(data, sync=False),
                self.extraction_limits,
            )
            report = importer.run(paths, passwords, progress, cancel)
            with self._guard, suppress(IndexBusy):  # busy: another process writes; its next commit merges
                self.index.merge()
            return report

    def _store_batch(self, batch) -> list[int]:
        self.blobs.sync([doc.sha256 for _, doc in batch])
        with self._guard:
            with transaction(self.conn):
                ids = [self.documents.insert(doc) for _, doc in batch]
            self._index_queued(merge=False, only=ids)
        return ids

    # -- reading -----------------------------------------------------------------------------

    def _reader(self) -> DocumentStore:
        """The store on this thread's own read connection, so reads never share a writer's transaction."""
        if self.closed:
            raise DossierError(f"The archive {self.folder} has been closed.")
        store = getattr(self._local, "store", None)
        if store is None:
            conn = connect(self.folder / DB_NAME, readonly=True)
            with self._read_conns_lock:
                self._read_conns.append(conn)
            store = self._local.store = DocumentStore(conn)
        return store

    def document(self, doc_id: int) -> Document:
        """Metadata of one document, or NotFound."""
        doc = self._reader().get(doc_id)
        if doc is None:
            raise NotFound(f"There is no document {doc_id} in this archive (see `dossier search` for ids).")
        return doc

    def documents_by_id(self, ids: Iterable[int]) -> dict[int, Document]:
        """Metadata of several documents (missing ids are left out)."""
        return self._reader().get_many(ids)

    def text(self, doc_id: int) -> str:
        """The stored text of a document, exactly as passages are anchored to it."""
        self.document(doc_id)
        return self._reader().text(doc_id) or ""

    def page_spans(self, doc_id: int) -> list[tuple[int, int]]:
        """Character range of each page in :meth:`text`."""
        return self._reader().page_spans(doc_id)

    def original_path(self, doc_id: int) -> Path:
        """Where the original bytes of a document are kept."""
        return self.blobs.path(self.document(doc_id).sha256)

    def original_copy(self, doc_id: int, folder: Path) -> Path:
        """A copy of the original under its own file name (for opening in another application)."""
        doc = self.document(doc_id)
        target = Path(folder) / doc.sha256[:16] / (Path(doc.file_name).name or f"document-{doc.id}")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        try:
            partial.unlink(missing_ok=True)
            shutil.copyfile(self.blobs.path(doc.sha256), partial)
            partial.chmod(0o444)  # a copy to read: edits would be lost at the next open
            os.replace(partial, target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise DossierError(
                f"Could not copy the original to {target.parent} ({exc}); is it open elsewhere?"
            ) from exc
        return target

    def original_html(self, doc_id: int) -> str:
        """An HTML original made safe to display: no scripts, no resources to load (parsed in a sandbox)."""
        doc = self.document(doc_id)
        if doc.kind != "html":
            raise DossierError(f"Document {doc_id} is a {doc.kind} file, not a web page.")
        data = self.blobs.path(doc.sha256).read_bytes()
        with ExtractorPool(DISPLAY_LIMITS, extractor="indexer.formats.html_sanitize:display") as pool:
            (outcome,) = pool.run([Job(doc_id, "html", data)])
        if outcome.error:
            raise DossierError(f"The page cannot be shown safely: {outcome.error}. Its text is in the Text tab.")
        return outcome.extracted.text

    def search(
        self,
        query: str,
        *,
        page: int = 1,
        page_size: int = 20,
        sort: str = "relevance",
        filters: Mapping[str, Iterable[str]] | None = None,
        excludes: Mapping[str, Iterable[str]] | None = None,
        snippets: bool = True,
    ) -> SearchResult:
        """Ranked (or newest-first) page of hits with snippets and facet counts."""
        found = self.search_ids(query, sort=sort, filters=filters, excludes=excludes)
        start = (max(page, 1) - 1) * page_size
        hits = self.hits(query, found.ids[start : start + page_size], found.scores, snippets=snippets)
        return SearchResult(query, found.total, hits, found.facets, page)

    def search_ids(
        self,
        query: str,
        *,
        sort: str = "relevance",
        filters: Mapping[str, Iterable[str]] | None = None,
        excludes: Mapping[str, Iterable[str]] | None = None,
    ) -> HitList:
        """Every matching id in order plus facet counts: what a results list pages through lazily."""
        if sort not in ("relevance", "date"):
            raise BadQuery(f"unknown sort {sort!r}: use relevance or date")
        with _user_query(query):
            found = self.index.hit_ids(self.expand_query(query), sort=sort, filters=filters, excludes=excludes)
        return HitList(query, found.ids, found.scores, found.facets)

    def hits(
        self, query: str, ids: Sequence[int], scores: Mapping[int, float] | None = None, *, snippets: bool = True
    ) -> list[SearchHit]:
        """Rows for some ids of a result: metadata and, with ``snippets``, the best passage for ``query``."""
        reader = self._reader()
        docs = reader.get_many(ids)
        present = [i for i in ids if i in docs]
        marked = {}
        if snippets:
            with _user_query(query):
                notes = AnnotationStore(reader.conn).for_documents(present)
                marked = self.index.snippets(
                    query,
                    present,
                    lambda i: reader.text(i) or "",
                    lambda i: "\n\n".join(a.note for a in notes[i] if a.note),
                )
        return [_hit(docs[i], (scores or {}).get(i, 0.0), marked.get(i, "")) for i in present]

    def match_spans(self, query: str, doc_id: int) -> list[tuple[int, int]]:
        """Where the query's words occur in the stored text of a document."""
        with _user_query(query):
            return self.index.match_spans(query, self.text(doc_id))

    def change_head(self) -> int:
        """The change log's newest sequence number: where a reader starts watching."""
        return ChangeLog(self._reader().conn).head()

    def changes_since(self, seq: int) -> tuple[int, Changes]:
        """What any process changed after ``seq``, and the sequence number to ask from next time."""
        return ChangeLog(self._reader().conn).since(seq)

    def stats(self) -> dict:
        """Counts and sizes for `dossier stats` and the status bar."""
        reader = self._reader()
        row = reader.conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(pages), 0), "
            "COALESCE(SUM(needs_ocr), 0) FROM documents"
        ).fetchone()
        return {
            "archive": str(self.folder),
            "documents": row[0],
            "bytes": row[1],
            "pages": row[2],
            "needs_ocr": row[3],
            "kinds": reader.counts_by_kind(),
            "indexed": self.index.doc_count(),
            "queued_for_index": len(reader.queued()),
            "schema_version": migrations.version(reader.conn),
        }

    # -- editing -------------------------------------------------------------------------------

    def update_metadata(self, doc_id: int, **values: object) -> Document:
        """Change a document's title, date (``published``, a date or None) or source (``site``)."""
        self._require_writable()
        self.document(doc_id)
        if "title" in values and not str(values["title"]).strip():
            raise DossierError("A title cannot be empty.")
        with self._guard:
            with transaction(self.conn):
                self.documents.update(doc_id, **values)
            self._index_queued(only=[doc_id])
        return self.document(doc_id)

    # -- index maintenance ---------------------------------------------------------------------

    def reindex(self, progress: StepFn | None = None, cancel: CancelFn | None = None) -> int:
        """Rebuild the index from the store; an interrupted rebuild resumes at the next open."""
        self._require_writable()
        with self._guard:
            with transaction(self.conn):
                self.documents.queue(self.documents.ids())
            self.index.clear()
            count = self._index_queued(progress, cancel, merge=False)
            self.index.merge()
            return count

    def repair_index(self) -> CheckReport:
        """Bring the index in line with the store (run at every writable open)."""
        report = CheckReport(documents=self.documents.count(), index_rebuilt=self.index.rebuilt)
        with self._guard:
            if self.index.rebuilt:
                with transaction(self.conn):
                    self.documents.queue(self.documents.ids())
                self.index.rebuilt = False
            in_store, in_index = self.documents.ids(), self.index.ids()
            report.stale_in_index = sorted(in_index - in_store)
            report.missing_from_index = sorted(in_store - in_index - set(self.documents.queued()))
            if report.missing_from_index:
                with transaction(self.conn):
                    self.documents.queue(report.missing_from_index)
            if report.stale_in_index:
                self.index.write(deletions=report.stale_in_index)
            self._index_queued()
        return report

    def check(self, progress: StepFn | None = None) -> CheckReport:
        """Verify every original against its hash, remove orphan blobs, and repair the index."""
        self._require_writable()
        with self._guard:
            report = self.repair_index()
            hashes = self.documents.hashes()
            for done, (sha, doc_id) in enumerate(sorted(hashes.items(), key=lambda item: item[1]), 1):
                state = self.blobs.verify(sha)
                if state is None:
                    report.missing_blobs.append(doc_id)
                elif state is False:
                    report.corrupt_blobs.append(doc_id)
                if progress:
                    progress(done, len(hashes))
            for path in self.blobs.files():
                if path.name not in hashes:
                    path.unlink(missing_ok=True)
                    report.orphan_blobs_removed.append(path.name)
            return report

    def _index_queued(
        self,
        progress: StepFn | None = None,
        cancel: CancelFn | None = None,
        merge: bool = True,
        only: Iterable[int] | None = None,
    ) -> int:
        """Index queued documents in batches (``only`` those of them, for an edit or an import batch, so that
        the window and an import process never index each other's documents); ``merge=False`` defers segment
        merging to the caller. While another process holds the index, what is left stays queued for the next call.
        """
        queued = self.documents.queued()
        if only is not None:
            wanted = set(only)
            queued = [doc_id for doc_id in queued if doc_id in wanted]
        done = 0
        for start in range(0, len(queued), INDEX_BATCH):
            if cancel and cancel():
                break
            chunk = queued[start : start + INDEX_BATCH]
            rows = list(self.documents.iter_for_index(chunk))
            present = {doc.id for doc, _ in rows}
            tags = TagStore(self.conn).for_documents(present)
            notes = AnnotationStore(self.conn).for_documents(present)
            upserts = (_index_doc(doc, text, self.index_terms(tags[doc.id], notes[doc.id])) for doc, text in rows)
            try:
                self.index.write(
                    upserts=upserts,
                    deletions=[i for i in chunk if i not in present],
                    merge=merge,
                )
            except IndexBusy:
                break
            with transaction(self.conn):
                self.documents.dequeue(chunk)
            done += len(chunk)
            if progress:
                progress(done, len(queued))
        return done

    def _require_writable(self) -> None:
        if not self.writable:
            raise ArchiveLocked(
                f"The archive {self.folder} is open in another Dossier; close it there to make changes here."
            )


@contextmanager
def _user_query(query: str) -> Iterator[None]:
    """Turn the index's query errors into a message that says what to fix."""
    try:
        yield
    except QueryError as exc:
        raise BadQuery(f"{exc}. Query syntax: `dossier search --help`, or ? beside the search box.") from exc
    except IndexUnavailable as exc:
        raise DossierError(f"The search could not run: {exc}.") from exc


def _hit(doc: Document, score: float, snippet: str) -> SearchHit:
    return SearchHit(doc.id, doc.title, doc.kind, score, snippet, doc.published, doc.site, doc.file_name)


def _index_doc(doc: Document, text: str, terms: dict) -> IndexDoc:
    return IndexDoc(
        id=doc.id,
        title=doc.title,
        body=text,
        kind=doc.kind,
        site=" ".join([doc.site, doc.file_name]),
        author=doc.author,
        published=doc.published,
        **terms,
    )
