"""The Archive facade: the one object the CLI and the GUI open and call."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from app.annotating import Annotating
from app.authorship import searchable_notes
from app.batch_tagging import BatchTagging
from app.blobs import BlobStore
from app.changes import Changes
from app.errors import ArchiveBusy, ArchiveLocked, BadQuery, DossierError, NotFound
from app.import_process import import_in_child
from app.importer import CancelFn, Importer, ProgressFn
from app.lock import WRITE_WAIT_S, WriterLock, write_api
from app.models import (
    CheckReport,
    Document,
    FieldVersion,
    HitList,
    ImportReport,
    MetadataConflict,
    SearchHit,
    SearchResult,
)
from app.ocring import Ocring
from app.relations import Relating
from app.scratch import remove_leftovers
from app.stance_map import StanceMap, build_stance_map
from app.store import migrations
from app.store.annotations import AnnotationStore
from app.store.changes import ChangeLog
from app.store.db import connect, transaction
from app.store.documents import DocumentStore
from app.store.tags import TagStore
from app.syncing import Syncing
from app.tagging import Tagging
from app.text_check import differing_texts
from app.timeline import Timeline, build_timeline
from indexer.errors import IndexBusy, IndexUnavailable, QueryError
from indexer.sandbox import ExtractorPool, Job, Limits
from indexer.search_index import SearchIndex
from indexer.types import IndexDoc
from indexer.writer_process import WriterProcess

DB_NAME = "dossier.sqlite3"
HELPER_BUSY_S = 300.0  # an import process waits this long for a write the window holds (a long bundle merge)
INDEX_BATCH = 500
RENDERED_KINDS = ("html", "markdown")  # originals shown as a safe page in the Original tab
# orders of a result: best match, newest or oldest first, or by title, kind or source (A-Z, or Z-A with -desc)
SORTS = ("relevance", "date", "oldest", "title", "title-desc", "kind", "kind-desc", "source", "source-desc")
ORPHAN_GRACE_S = 3600.0  # a younger original without a document may be another process's import in flight
DISPLAY_LIMITS = Limits(seconds=30.0, memory_bytes=1024**3, workers=1)

StepFn = Callable[[int, int], None]
#: An opening indexes waiting documents up to this many; a longer queue (a rebuild) is left to
#: :meth:`Archive.index_pending`, so that no command waits minutes for it before answering.
OPEN_INDEX_LIMIT = 1000


class Archive(Tagging, BatchTagging, Annotating, Relating, Ocring, Syncing):
    """A self-contained archive folder: SQLite store, blob store and derived search index."""

    def __init__(self, folder: Path, *, writable: bool, read_only_reason: str = "") -> None:
        self.folder = folder
        self.writable = writable
        self.read_only_reason = read_only_reason  # why a read-only archive is, for the status bar and errors
        self._guard = threading.RLock()  # serializes writes; the write connection is used only under it
        self._activity = ""  # what the thread holding the guard is doing, for the busy message
        self.write_wait = WRITE_WAIT_S  # how long a write waits for another's turn (:meth:`writing`)
        self._import_lock = threading.Lock()  # one import at a time; other writes interleave between batches
        self._local = threading.local()  # one read connection per thread
        self._read_conns: list = []
        self._read_conns_lock = threading.Lock()
        self.closed = False
        self._lock = WriterLock(folder) if writable else None
        self._immutable = False  # a read-only medium: nothing can change the database under us
        self._found_at_open = CheckReport()  # index differences repaired by the opening, for `check` to report
        self.extraction_limits = Limits()

    @classmethod
    def open(cls, folder: str | os.PathLike, *, shared: bool = False) -> Archive:
        """Open (creating if needed) for writing. Writes take turns with other processes per transaction
        (:mod:`app.lock`), so a window and command-line commands write to the same archive. A folder that cannot
        be written (a read-only USB stick) opens read-only. ``shared`` (read-only commands) does not wait for
        another process's write to run the opening maintenance: it opens read-only meanwhile."""
        folder = Path(folder)
        if not (folder / DB_NAME).exists():
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DossierError(
                    f"Cannot create an archive in {folder} ({exc.strerror}); choose another folder."
                ) from exc
        if not WriterLock.can_write(folder):
            if not (folder / DB_NAME).exists():
                raise DossierError(f"{folder} cannot be written, so no archive can be created there.")
            reason = f"the folder {folder} cannot be written (a read-only disk or folder)"
            return cls._opened(cls(folder, writable=False, read_only_reason=reason), immutable=True)
        archive = cls(folder, writable=True)
        if shared:
            archive.write_wait = 0.0
        try:
            return cls._opened(archive)
        except ArchiveBusy:
            if not shared or not (folder / DB_NAME).exists():
                raise
        reason = "another Dossier was writing when this one opened"
        return cls._opened(cls(folder, writable=False, read_only_reason=reason))

    @classmethod
    def open_for_helper(cls, folder: str | os.PathLike) -> Archive:
        """Open for writing in the window's import process: no migration or index repair, which the window did;
        its writes take turns like every process's, waiting longer (the window may be merging a bundle)."""
        archive = cls(Path(folder), writable=True)
        archive.write_wait = HELPER_BUSY_S
        return cls._opened(archive, maintain=False)

    @classmethod
    def _opened(cls, archive: Archive, *, maintain: bool = True, immutable: bool = False) -> Archive:
        archive._immutable = immutable
        try:
            archive._open_parts(maintain)
        except BaseException:
            archive.close()
            raise
        return archive

    def _open_parts(self, maintain: bool = True) -> None:
        db_path = self.folder / DB_NAME
        self.conn = connect(
            db_path,
            readonly=not self.writable,
            busy_seconds=10.0 if maintain else HELPER_BUSY_S,
            immutable=self._immutable,
        )
        if self.writable and maintain:
            self._open_maintained()
            if self._reader().queued_count() <= OPEN_INDEX_LIMIT:  # more: a rebuild, left to index_pending
                with suppress(ArchiveBusy):  # per batch, so others write between batches; the rest stays queued
                    self._index_queued()
            return
        migrations.refuse_newer(self.conn)
        if migrations.version(self.conn) != migrations.LATEST:  # an upgrade needs a writing open
            where = (
                f"cannot be done here ({self.read_only_reason}): copy the archive folder to a disk you can write "
                "to and open it there"
                if self._immutable
                else "is done by a Dossier that opens it for writing: try again in a moment"
            )
            raise DossierError(
                f"The archive {self.folder} was made by an older Dossier and needs an upgrade, which {where}."
            )
        self._open_stores(maintain)

    @write_api("opening the archive")
    def _open_maintained(self) -> None:
        """Migrate, open (or rebuild) the index, prune the change log and find index differences, in one turn."""
        migrations.migrate(self.conn, self.folder / DB_NAME, self.folder / "backups")
        self._open_stores(maintain=True)
        with transaction(self.conn):
            ChangeLog(self.conn).prune()
        self._found_at_open = self._repair_differences()
        remove_leftovers(self.folder)  # what a killed import-bundle left unpacked

    def _open_stores(self, maintain: bool) -> None:
        self.documents = DocumentStore(self.conn)
        self.blobs = BlobStore(self.folder / "blobs")
        try:
            self.index = SearchIndex(self.folder / "index", writable=self.writable, rebuild=maintain)
        except IndexUnavailable as exc:
            if not maintain and self.writable:  # the import process of a window
                raise DossierError(f"The import could not open the search index ({exc}); import again.") from exc
            raise DossierError(
                f"The archive is being changed by another Dossier and {exc}; try again in a moment."
            ) from exc

    def close(self) -> None:
        """Release the index and the database connections: each of them, even when closing another fails
        (also what a failed open had opened)."""
        self.closed = True
        with ExitStack() as closing, self._read_conns_lock:
            for part in [self.__dict__.get("conn"), *self._read_conns, self.__dict__.get("index")]:
                if part is not None:
                    closing.callback(part.close)

    @contextmanager
    def writing(self, activity: str) -> Iterator[None]:
        """Hold the archive for one write (a transaction and its index update): this process's thread guard,
        then the inter-process lock, each waited for up to ``write_wait`` seconds before :class:`ArchiveBusy`.
        Methods declare it with :func:`app.lock.write_api`; nested writes on the same thread just go on."""
        self._require_writable()
        if not self._guard.acquire(timeout=self.write_wait):
            raise ArchiveBusy(
                f"This Dossier is busy with {self._activity or 'a change'} in {self.folder}. "
                "Try again when it has finished."
            )
        previous = self._activity
        self._activity = previous or activity
        try:
            with self._lock.held(self._activity, self.write_wait):
                yield
        finally:
            self._activity = previous
            self._guard.release()

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
                    self._index_queued()  # child committed but did not index
            known = self._reader().hashes()
            indexing = _ImportIndexing(self)
            importer = Importer(
                known,
                self._store_batch,
                indexing.flush,
                lambda data: self.blobs.put(data, sync=False),
                self.extraction_limits,
                self._store_links,
                indexing.searchable,
            )
            try:
                report = importer.run(paths, passwords, progress, cancel)
            except BaseException:
                indexing.abandon()  # what it had not committed stays queued for the next opening
                raise
            indexing.finish()
            self._merge_index()
            return report

    @write_api("importing files")
    def _store_batch(self, batch) -> list[int]:
        self.blobs.sync([doc.sha256 for _, doc in batch])
        with transaction(self.conn):
            return [self.documents.insert(doc) for _, doc in batch]

    # -- reading -----------------------------------------------------------------------------

    def _reader(self) -> DocumentStore:
        """The store on this thread's own read connection, so reads never share a writer's transaction."""
        if self.closed:
            raise DossierError(f"The archive {self.folder} has been closed.")
        store = getattr(self._local, "store", None)
        if store is None:
            conn = connect(self.folder / DB_NAME, readonly=True, immutable=self._immutable)
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
        """An HTML or Markdown original as a page safe to display: no scripts, no resources to load (parsed in a
        sandbox)."""
        doc = self.document(doc_id)
        if doc.kind not in RENDERED_KINDS:
            raise DossierError(f"Document {doc_id} is a {doc.kind} file, not a web page or Markdown.")
        data = self.blobs.path(doc.sha256).read_bytes()
        with ExtractorPool(DISPLAY_LIMITS, extractor="indexer.formats.html_sanitize:display") as pool:
            (outcome,) = pool.run([Job(doc_id, doc.kind, data)])
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
        unindexed = self._reader().queued_count()
        return SearchResult(query, found.total, hits, found.facets, page, found.warnings, unindexed)

    def search_ids(
        self,
        query: str,
        *,
        sort: str = "relevance",
        filters: Mapping[str, Iterable[str]] | None = None,
        excludes: Mapping[str, Iterable[str]] | None = None,
    ) -> HitList:
        """Every matching id in order (``sort``: one of ``SORTS``) plus facet counts: what a results list pages
        through lazily."""
        if sort not in SORTS:
            raise BadQuery(f"Unknown order {sort!r}: use one of {', '.join(SORTS)}.")
        expanded, warnings = self.expand_query(query)
        with _user_query():
            found = self.index.hit_ids(
                expanded, sort="date" if sort == "date" else "relevance", filters=filters, excludes=excludes
            )
        ids = found.ids
        if sort not in ("relevance", "date"):  # by a metadata column: ordered in SQLite, ties by relevance
            key, _, descending = sort.partition("-")
            ids = self._reader().order_ids(ids, "date" if key == "oldest" else key, descending=bool(descending))
        return HitList(query, ids, found.scores, found.facets, warnings + found.warnings)

    def hits(
        self, query: str, ids: Sequence[int], scores: Mapping[int, float] | None = None, *, snippets: bool = True
    ) -> list[SearchHit]:
        """Rows for some ids of a result: metadata and, with ``snippets``, the best passage for ``query``."""
        reader = self._reader()
        docs = reader.get_many(ids)
        present = [i for i in ids if i in docs]
        marked = {}
        if snippets:
            with _user_query():
                notes = AnnotationStore(reader.conn).for_documents(present)
                marked = self.index.snippets(
                    query,
                    present,
                    lambda i: reader.text(i) or "",
                    lambda i: searchable_notes(notes[i]),
                )
        tags = self.tag_labels(present)
        return [_hit(docs[i], (scores or {}).get(i, 0.0), marked.get(i, ""), tags[i]) for i in present]

    def stance_map(
        self,
        query: str = "",
        *,
        filters: Mapping[str, Iterable[str]] | None = None,
        excludes: Mapping[str, Iterable[str]] | None = None,
    ) -> StanceMap:
        """Where each place stands in the documents ``query`` and the facet filters find (all when empty): see
        :mod:`app.stance_map`."""
        return build_stance_map(self, query, filters, excludes)

    def timeline(
        self,
        query: str = "",
        filters: Mapping[str, Iterable[str]] | None = None,
        excludes: Mapping[str, Iterable[str]] | None = None,
    ) -> Timeline:
        """The documents ``query`` (and facet filters) finds and their stances by date (all when empty): see
        :mod:`app.timeline`."""
        return build_timeline(self, query, filters, excludes)

    def match_spans(self, query: str, doc_id: int) -> list[tuple[int, int]]:
        """Where the query's words occur in the stored text of a document."""
        with _user_query():
            return self.index.match_spans(query, self.text(doc_id))

    def change_head(self) -> int:
        """The change log's newest sequence number: where a reader starts watching."""
        return ChangeLog(self._reader().conn).head()

    def changes_since(self, seq: int) -> tuple[int, Changes]:
        """What any process changed after ``seq``, and the sequence number to ask from next time."""
        return ChangeLog(self._reader().conn).since(seq)

    def waiting_for_index(self, doc_ids: Iterable[int]) -> set[int]:
        """Which of these documents a write has changed but not yet indexed: a change log entry is visible
        once its transaction commits, a moment before the index has the change."""
        wanted = set(doc_ids)
        return {doc_id for doc_id in self._reader().queued() if doc_id in wanted} if wanted else set()

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
            "queued_for_index": reader.queued_count(),
            "schema_version": migrations.version(reader.conn),
        }

    # -- editing -------------------------------------------------------------------------------

    @write_api("editing a document")
    def update_metadata(self, doc_id: int, **values: object) -> Document:
        """Change a document's title, date (``published``, a date or None) or source (``site``)."""
        self.document(doc_id)
        if "title" in values and not str(values["title"]).strip():
            raise DossierError("A title cannot be empty.")
        with transaction(self.conn):
            self.documents.update(doc_id, **values)
        self._index_queued(only=[doc_id])
        return self.document(doc_id)

    def metadata_conflicts(self, doc_id: int | None = None) -> list[MetadataConflict]:
        """Fields of documents (title, date, source) changed here and in another copy since they last agreed:
        the other copy's value, kept on the review list beside ours until a person chooses."""
        return self._reader().conflicts(doc_id)

    @write_api("settling a conflict")
    def resolve_metadata_conflict(self, conflict_id: int, keep: str) -> Document:
        """Keep ``"ours"`` or ``"theirs"`` of a field changed on both sides, at a revision after both versions
        with a history that holds the other copy's (as :meth:`resolve_conflict` does for an annotation), so that
        the choice travels and the other copy takes it instead of raising the conflict again."""
        if keep not in ("ours", "theirs"):
            raise DossierError(f"Keep 'ours' or 'theirs', not {keep!r}.")
        conflict = self._reader().conflict(int(conflict_id))
        if conflict is None:
            raise NotFound(f"There is no conflict {conflict_id} (see `dossier annotations --review`).")
        doc = self.document(conflict.doc_id)
        copy, ours = conflict.theirs, doc.field_version(conflict.theirs.name)
        later = (ours.version_at(r) for r in range(copy.revision + 1, ours.revision + 1))
        lineage = [*copy.history, copy.version, *later]
        if None in lineage:
            lineage = lineage[: lineage.index(None)]
        if ours.version not in lineage:  # both values in the history: each copy sees its own was settled
            lineage.append(ours.version)
        value = copy.value if keep == "theirs" else ours.value
        settled = FieldVersion(copy.name, value, copy.first_revision + len(lineage), lineage)
        with transaction(self.conn):
            self.documents.set_fields(doc.id, [settled], doc.revisions)
            self.documents.drop_conflicts(doc.id, copy.name, [copy.version, *lineage])
            self.documents.queue([doc.id])
        self._index_queued(only=[doc.id])
        return self.document(doc.id)

    # -- index maintenance ---------------------------------------------------------------------

    def reindex(self, progress: StepFn | None = None, cancel: CancelFn | None = None) -> int:
        """Rebuild the index from the store, a batch per turn; an interrupted rebuild resumes at the next open."""
        self._clear_index()
        count = self._index_queued(progress, cancel, merge=False)
        self._merge_index()
        return count

    def index_pending(self, progress: StepFn | None = None, cancel: CancelFn | None = None) -> int:
        """Index what is waiting (an upgrade's rebuild, an interrupted reindex, more than an opening indexes):
        the window does it in the background, ``dossier reindex --resume`` in the foreground; meanwhile
        searches answer from what the index holds."""
        count = self._index_queued(progress, cancel, merge=False)
        self._merge_index()
        return count

    @write_api("rebuilding the search index")
    def _clear_index(self) -> None:
        with transaction(self.conn):
            self.documents.queue(self.documents.ids())
        self.index.clear()

    @write_api("merging the search index")
    def _merge_index(self) -> None:
        with suppress(IndexBusy):  # busy: another process writes; its next commit merges
            self.index.merge()

    def repair_index(self) -> CheckReport:
        """Bring the index in line with the store (run at every writable open)."""
        report = self._repair_differences()
        self._index_queued()
        return report

    @write_api("repairing the search index")
    def _repair_differences(self) -> CheckReport:
        """Queue what the index lacks and delete what it should not hold; the caller indexes the queue."""
        report = CheckReport(documents=self.documents.count(), index_rebuilt=self.index.rebuilt)
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
        return report

    def check(
        self, progress: StepFn | None = None, *, deep: bool = False, passwords: Sequence[str] = ()
    ) -> CheckReport:
        """Verify every original against its hash, remove orphan blobs, and repair the index; the report
        includes the index differences this process found (and repaired) when it opened the archive.
        ``deep`` also extracts every original again and lists the stored texts that differ (slow)."""
        self._require_writable()
        report = self.repair_index()
        found, self._found_at_open = self._found_at_open, CheckReport()
        report.missing_from_index = sorted({*found.missing_from_index, *report.missing_from_index})
        report.stale_in_index = sorted({*found.stale_in_index, *report.stale_in_index})
        report.index_rebuilt = report.index_rebuilt or found.index_rebuilt
        hashes = self._reader().hashes()
        for done, (sha, doc_id) in enumerate(sorted(hashes.items(), key=lambda item: item[1]), 1):
            state = self.blobs.verify(sha)  # reading only: other processes write meanwhile
            if state is None:
                report.missing_blobs.append(doc_id)
            elif state is False:
                report.corrupt_blobs.append(doc_id)
            if progress:
                progress(done, len(hashes))
        report.orphan_blobs_removed = self._remove_orphans()
        if deep:
            report.deep = True
            report.texts_differ, report.texts_unchecked = differing_texts(self, passwords, progress)
        return report

    @write_api("removing orphan originals")
    def _remove_orphans(self) -> list[str]:
        """Delete originals no document records, unless written in the last hour: an import in another process
        stores its originals before the transaction that records them."""
        hashes, removed = self.documents.hashes(), []
        for path in self.blobs.files():
            if path.name not in hashes and path.stat().st_mtime < time.time() - ORPHAN_GRACE_S:
                path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed

    def _index_queued(
        self,
        progress: StepFn | None = None,
        cancel: CancelFn | None = None,
        merge: bool = True,
        only: Iterable[int] | None = None,
        chunk: int = INDEX_BATCH,
    ) -> int:
        """Index queued documents, a batch per turn on the write lock (``only`` those of them, for an edit or an
        import batch, so that no process indexes another's documents); ``merge=False`` defers segment merging to
        the caller; ``chunk`` documents per index commit. While another process holds the
        index, what is left stays queued for the next call."""
        wanted = None if only is None else set(only)
        total = len(self._queued(self._reader(), wanted))
        done = 0
        while not (cancel and cancel()):
            try:
                indexed = self._index_batch(wanted, merge, chunk)
            except IndexBusy:
                break
            if not indexed:
                break
            done += indexed
            if progress:
                progress(done, max(total, done))
        return done

    def _indexing_beside(self) -> _ImportIndexing:
        """Index flushes committed by a writer process while the caller stores its next batch (an import's, a
        pull's); ``finish()`` it at the end."""
        return _ImportIndexing(self)

    @write_api("indexing documents")
    def _index_batch(self, wanted: set[int] | None, merge: bool, size: int) -> int:
        """Index the next ``size`` documents of the queue (read again: another process may have indexed some
        meanwhile), their texts streamed from the store into the index writer."""
        chunk = self._queued(self.documents, wanted)[:size]
        if not chunk:
            return 0
        present = self.documents.ids(among=chunk)
        rows = self.documents.iter_for_index(chunk)
        tags = TagStore(self.conn).for_documents(present)
        notes = AnnotationStore(self.conn).for_documents(present)
        upserts = (_index_doc(doc, text, self.index_terms(tags[doc.id], notes[doc.id])) for doc, text in rows)
        self.index.write(upserts=upserts, deletions=[i for i in chunk if i not in present], merge=merge)
        with transaction(self.conn):
            self.documents.dequeue(chunk)
        return len(chunk)

    @write_api("indexing documents")
    def _start_index_batch(self, writer: WriterProcess, wanted: set[int]) -> tuple[list[int], int]:
        """Hand the queued documents among ``wanted`` to ``writer`` (read as :meth:`_index_batch` reads them);
        returns them and the change log's head, for :meth:`_dequeue_written`."""
        chunk = self._queued(self.documents, wanted)
        if not chunk:
            return [], 0
        head = ChangeLog(self.conn).head()
        present = self.documents.ids(among=chunk)
        rows = self.documents.iter_for_index(chunk)
        tags = TagStore(self.conn).for_documents(present)
        notes = AnnotationStore(self.conn).for_documents(present)
        upserts = (_index_doc(doc, text, self.index_terms(tags[doc.id], notes[doc.id])) for doc, text in rows)
        writer.start(upserts, deletions=[i for i in chunk if i not in present])
        return chunk, head

    @write_api("indexing documents")
    def _dequeue_written(self, chunk: list[int], head: int) -> None:
        """Dequeue documents a writer process committed, except those changed since it read them (their
        change is not in the index yet: they stay queued for the next pass)."""
        _, changed = ChangeLog(self.conn).since(head)
        if changed.everything or changed.vocabulary or changed.jurisdictions:
            return
        with transaction(self.conn):
            self.documents.dequeue([doc_id for doc_id in chunk if doc_id not in changed.touched])

    @staticmethod
    def _queued(store: DocumentStore, wanted: set[int] | None) -> list[int]:
        queued = store.queued()
        return queued if wanted is None else [doc_id for doc_id in queued if doc_id in wanted]

    def _require_writable(self) -> None:
        if not self.writable:
            raise ArchiveLocked(
                f"The archive {self.folder} is open read-only: {self.read_only_reason}. "
                "Open it again from a writable place to make changes."
            )


class _ImportIndexing:
    """An import's index flushes: each but the last is committed by a :class:`WriterProcess` while the import
    stores its next batches (one in flight at a time); the last flush, an import too small for a second one,
    and whatever a failed or busy writer process left queued are indexed in this process."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.writer: WriterProcess | None = None
        self.in_flight: tuple[list[int], int] = ([], 0)
        self.flushed: list[int] = []  # every id handed to a flush: what this process indexes if still queued
        self.committed = 0  # of those, how many a commit has made searchable

    def flush(self, ids: list[int], last: bool) -> None:
        self.flushed += ids
        self._settle()
        if last or not _writer_processes():
            self.finish()
            return
        try:
            if self.writer is None:
                self.writer = WriterProcess(self.archive.index.folder)
            self.in_flight = self.archive._start_index_batch(self.writer, set(ids))
        except (IndexUnavailable, ArchiveBusy):  # left queued: finish() indexes them here
            self._stop()

    def searchable(self) -> int:
        """How many of the import's documents are committed to the index (settling a finished commit)."""
        if self.in_flight[0] and self.writer is not None and self.writer.done():
            self._settle()
        return self.committed

    def finish(self) -> None:
        """Wait for the commit in flight, stop the writer process, index here what is still queued."""
        self._settle()
        self._stop()
        if self.flushed:
            self.archive._index_queued(merge=False, only=self.flushed, chunk=len(self.flushed))
            self.committed = len(self.flushed)

    def abandon(self) -> None:
        """Stop the writer process without waiting for the commit in flight (its documents stay queued)."""
        self.in_flight, self.flushed = ([], 0), []
        self._stop()

    def _settle(self) -> None:
        chunk, head = self.in_flight
        if not chunk:
            return
        self.in_flight = ([], 0)
        try:
            self.writer.wait()
        except IndexUnavailable:  # nothing of that commit was kept: the documents stay queued
            self._stop()
            return
        self.committed += len(chunk)
        with suppress(ArchiveBusy):  # still queued: indexed again (replaced) by the final pass
            self.archive._dequeue_written(chunk, head)

    def _stop(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _writer_processes() -> bool:
    """Whether index flushes go to a writer process (``DOSSIER_INDEX_PROCESS=0`` keeps them in this one)."""
    return os.environ.get("DOSSIER_INDEX_PROCESS", "1") != "0"


@contextmanager
def _user_query() -> Iterator[None]:
    """Turn the index's query errors into a message that says what to fix (the CLI and the window each
    add where their syntax help is)."""
    try:
        yield
    except QueryError as exc:
        raise BadQuery(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from exc
    except IndexUnavailable as exc:
        raise DossierError(f"The search could not run: {exc}.") from exc


def _hit(doc: Document, score: float, snippet: str, tags: tuple[str, ...]) -> SearchHit:
    return SearchHit(doc.id, doc.title, doc.kind, score, snippet, doc.published, doc.site, doc.file_name, tags)


def _index_doc(doc: Document, text: str, terms: dict) -> IndexDoc:
    return IndexDoc(
        id=doc.id,
        title=doc.title,
        body=text,
        kind=doc.kind,
        site=" ".join([doc.site, doc.file_name]),
        file_name=doc.file_name,
        author=doc.author,
        published=doc.published,
        headers={name: doc.metadata.get(name, "") for name in ("from", "to", "cc", "subject")},
        status=_status(doc),
        **terms,
    )


def _status(doc: Document) -> list[str]:
    """The document's OCR status for ``status:`` searches: its scanned pages read by OCR or still waiting."""
    if doc.metadata.get("ocr"):
        return ["ocr"]
    return ["needs-ocr"] if doc.needs_ocr or doc.metadata.get("scanned_pages") else []
