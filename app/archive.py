"""The Archive facade: the one object the CLI and the GUI open and call."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from app.blobs import BlobStore
from app.errors import ArchiveLocked, BadQuery, DossierError, NotFound
from app.importer import CancelFn, Importer, ProgressFn
from app.lock import WriterLock
from app.models import CheckReport, Document, ImportReport, SearchHit, SearchResult
from app.store import migrations
from app.store.db import connect, transaction
from app.store.documents import DocumentStore
from indexer.errors import IndexUnavailable, QueryError
from indexer.sandbox import Limits
from indexer.search_index import SearchIndex
from indexer.types import IndexDoc

DB_NAME = "dossier.sqlite3"
INDEX_BATCH = 500

StepFn = Callable[[int, int], None]


class Archive:
    """A self-contained archive folder: SQLite store, blob store and derived search index."""

    def __init__(self, folder: Path, *, writable: bool) -> None:
        self.folder = folder
        self.writable = writable
        self._guard = threading.RLock()
        self._lock = WriterLock(folder) if writable else None
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

    def _open_parts(self) -> None:
        db_path = self.folder / DB_NAME
        self.conn = connect(db_path, readonly=not self.writable)
        if self.writable:
            migrations.migrate(self.conn, db_path, self.folder / "backups")
        elif migrations.version(self.conn) != migrations.LATEST:
            raise DossierError(
                "The archive needs an upgrade that only the Dossier holding it open can do; "
                "close that Dossier and try again."
            )
        self.documents = DocumentStore(self.conn)
        self.blobs = BlobStore(self.folder / "blobs")
        try:
            self.index = SearchIndex(self.folder / "index", writable=self.writable)
        except IndexUnavailable as exc:
            raise DossierError(
                f"The archive is open in another Dossier and {exc}; close that Dossier and try again."
            ) from exc
        if self.writable:
            self.repair_index()

    def close(self) -> None:
        """Release the index, the database and the writer lock."""
        self.index.close()
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
    ) -> ImportReport:
        """Import files and folders (recursively); see :mod:`app.importer`."""
        self._require_writable()
        with self._guard:
            importer = Importer(
                self.documents.hashes(),
                self._store_batch,
                lambda data: self.blobs.put(data, sync=False),
                self.extraction_limits,
            )
            report = importer.run(paths, passwords, progress, cancel)
            self.index.merge()
            return report

    def _store_batch(self, batch) -> list[int]:
        self.blobs.sync([doc.sha256 for _, doc in batch])
        with transaction(self.conn):
            ids = [self.documents.insert(doc) for _, doc in batch]
        self._index_queued(merge=False)
        return ids

    # -- reading -----------------------------------------------------------------------------

    def document(self, doc_id: int) -> Document:
        """Metadata of one document, or NotFound."""
        doc = self.documents.get(doc_id)
        if doc is None:
            raise NotFound(f"There is no document {doc_id} in this archive (see `dossier search` for ids).")
        return doc

    def text(self, doc_id: int) -> str:
        """The stored text of a document, exactly as passages are anchored to it."""
        self.document(doc_id)
        return self.documents.text(doc_id) or ""

    def page_spans(self, doc_id: int) -> list[tuple[int, int]]:
        """Character range of each page in :meth:`text`."""
        return self.documents.page_spans(doc_id)

    def original_path(self, doc_id: int) -> Path:
        """Where the original bytes of a document are kept."""
        return self.blobs.path(self.document(doc_id).sha256)

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
        if sort not in ("relevance", "date"):
            raise BadQuery(f"unknown sort {sort!r}: use relevance or date")
        try:
            found = self.index.search(
                query,
                page=page,
                page_size=page_size,
                sort=sort,
                filters=filters,
                excludes=excludes,
                text_for=self.documents.text if snippets else None,
            )
        except QueryError as exc:
            raise BadQuery(f"{exc}. Try `dossier search --help` for the query syntax.") from exc
        docs = self.documents.get_many(h.id for h in found.hits)
        hits = [
            SearchHit(
                h.id,
                docs[h.id].title,
                docs[h.id].kind,
                h.score,
                h.snippet,
                docs[h.id].published,
                docs[h.id].site,
                docs[h.id].file_name,
            )
            for h in found.hits
            if h.id in docs
        ]
        return SearchResult(query, found.total, hits, found.facets, page)

    def stats(self) -> dict:
        """Counts and sizes for `dossier stats` and the status bar."""
        row = self.conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(pages), 0), "
            "COALESCE(SUM(needs_ocr), 0) FROM documents"
        ).fetchone()
        return {
            "archive": str(self.folder),
            "documents": row[0],
            "bytes": row[1],
            "pages": row[2],
            "needs_ocr": row[3],
            "kinds": self.documents.counts_by_kind(),
            "indexed": self.index.doc_count(),
            "queued_for_index": len(self.documents.queued()),
            "schema_version": migrations.version(self.conn),
        }

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

    def _index_queued(self, progress: StepFn | None = None, cancel: CancelFn | None = None, merge: bool = True) -> int:
        """Index queued documents in batches; ``merge=False`` defers segment merging to the caller."""
        queued = self.documents.queued()
        done = 0
        for start in range(0, len(queued), INDEX_BATCH):
            if cancel and cancel():
                break
            chunk = queued[start : start + INDEX_BATCH]
            rows = list(self.documents.iter_for_index(chunk))
            present = {doc.id for doc, _ in rows}
            self.index.write(
                upserts=(_index_doc(doc, text) for doc, text in rows),
                deletions=[i for i in chunk if i not in present],
                merge=merge,
            )
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


def _index_doc(doc: Document, text: str) -> IndexDoc:
    return IndexDoc(
        id=doc.id,
        title=doc.title,
        body=text,
        kind=doc.kind,
        site=" ".join([doc.site, doc.file_name]),
        author=doc.author,
        published=doc.published,
    )
