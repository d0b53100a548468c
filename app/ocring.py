"""OCR of the documents that need it, after an import: page jobs in the sandboxed workers, cached text.

A mixin of :class:`app.archive.Archive`. Each scanned page is one job (``indexer.ocr:ocr_page``) so that
progress counts pages ("OCR: page 12 of 40"), two workers share one long document and a cancel stops
between pages. When all of a document's scanned pages are read, their text goes in through the same path
as a re-extraction (:meth:`Annotating._replace_text`): page spans are recomputed and annotations made
before OCR re-anchor. The page texts are cached by the original's sha256, the engine, its version and the
language (``ocr_cache``), so re-extracting or re-running OCR never reads a page twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app import settings
from app.annotating import ReextractReport
from app.errors import DossierError
from app.store.db import transaction
from app.store.ocr_cache import OcrStore
from indexer import ocr
from indexer.sandbox import ExtractorPool, Job
from indexer.types import Extracted

INSTALL_HINT = ocr.INSTALL_HINT  # what to install for OCR, in one line


@dataclass
class OcrReport:
    """What an OCR run did."""

    documents: int = 0  # documents that needed OCR
    read: int = 0  # documents whose OCR text is now in the store and index
    pages: int = 0  # scanned pages to read
    pages_ocr: int = 0  # pages the engine read in this run
    pages_cached: int = 0  # pages taken from the cache
    engine: str = ""
    cancelled: bool = False
    failed: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        """JSON-ready dict."""
        return self.__dict__.copy()


class Ocring:
    """OCR operations of the archive (see :class:`app.archive.Archive`)."""

    @staticmethod
    def ocr_languages() -> list[str]:
        """Languages OCR can read here (Tesseract's codes, e.g. ``eng``, ``deu``), [] when it is not installed."""
        return ocr.installed_languages()

    def ocr_words(self, doc_id: int) -> dict[int, list[tuple[int, int, float, float, float, float]]]:
        """Boxes of the words OCR read on a document's scanned pages, by page number (1-based): each
        ``(start, end, left, top, right, bottom)``, the offsets into its stored text, the box as fractions of the
        page. Pages read before boxes were kept, and pages whose own text was used, have none."""
        doc = self.document(doc_id)
        pages, words = OcrStore(self._reader().conn).words(doc.sha256)
        return _placed_words(self.text(doc_id), self.page_spans(doc_id), pages, words)

    def documents_needing_ocr(self, among: Iterable[int] | None = None) -> list[int]:
        """Ids of documents with scanned pages that OCR has not read yet."""
        return OcrStore(self._reader().conn).needing(sorted(among) if among is not None else None)

    def ocr(
        self,
        doc_ids: Iterable[int] | None = None,
        *,
        force: bool = False,
        language: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> OcrReport:
        """OCR every document that needs it (or ``doc_ids``; ``force`` reads them again, from the cache
        where it has them with their word boxes) in ``language`` (Tesseract's code, e.g. ``deu`` or ``spa+eng``;
        default: the ``ocr_language`` setting, else English). ``progress(page, pages)``; ``cancel()`` stops
        between pages, keeping what is read."""
        self._require_writable()
        cancel = cancel or (lambda: False)
        try:
            engine = ocr.engine(language or settings.ocr_language())
        except ocr.OcrUnavailable as exc:
            raise DossierError(str(exc)) from exc
        if force and doc_ids is not None:
            ids = sorted(self._reader().ids(list(doc_ids)))
        else:
            ids = self.documents_needing_ocr(doc_ids)
        report = OcrReport(documents=len(ids), engine=engine.label)
        store = OcrStore(self._reader().conn)
        wanted: dict[int, list[int]] = {}
        done: dict[int, dict[int, str]] = {}
        boxes: dict[int, dict[int, list]] = {}
        for doc_id in ids:
            doc = self.document(doc_id)
            pages = _pages_to_read(doc.metadata, doc.pages or 1, doc.kind)
            cached, cached_boxes = store.cached(doc.sha256, engine.name, engine.version, engine.language)
            # a forced run reads again the pages cached before word boxes were kept (schema step 9)
            done[doc_id] = {n: cached[n] for n in pages if n in cached and (n in cached_boxes or not force)}
            boxes[doc_id] = {n: cached_boxes[n] for n in done[doc_id] if n in cached_boxes}
            wanted[doc_id] = [n for n in pages if n not in done[doc_id]]
            report.pages += len(pages)
            report.pages_cached += len(done[doc_id])
        finished = report.pages_cached

        def tick() -> None:
            if progress:
                progress(finished, report.pages)

        tick()
        for doc_id in [d for d in ids if not wanted[d]]:  # all from the cache
            self._ocr_land(doc_id, done[doc_id], boxes[doc_id], engine, report)
        jobs = self._ocr_jobs(ids, wanted, engine.language)
        keys: dict[int, tuple[int, int]] = {}
        failed: set[int] = set()
        with ExtractorPool(self.extraction_limits, extractor="indexer.ocr:ocr_page") as pool:
            for outcome in pool.run(_keyed(jobs, keys), cancel):
                doc_id, number = keys.pop(outcome.key)
                if outcome.extracted is None:
                    report.failed.append({"id": doc_id, "page": number, "error": outcome.error})
                    failed.add(doc_id)
                    done[doc_id][number] = ""
                else:
                    done[doc_id][number] = outcome.extracted.text
                    boxes[doc_id][number] = [list(word) for word in outcome.extracted.words]
                    report.pages_ocr += 1
                wanted[doc_id].remove(number)
                finished += 1
                tick()
                if not wanted[doc_id]:
                    self._ocr_land(doc_id, done[doc_id], boxes[doc_id], engine, report, cache=doc_id not in failed)
        report.cancelled = cancel()
        return report

    def _ocr_jobs(self, ids: list[int], wanted: dict[int, list[int]], language: str):
        for doc_id in ids:
            if not wanted[doc_id]:
                continue
            doc = self.document(doc_id)
            data = self.blobs.path(doc.sha256).read_bytes()
            for number in list(wanted[doc_id]):
                yield (doc_id, number), Job(0, ocr.page_job_kind(number, doc.kind, language), data)

    def _ocr_land(
        self,
        doc_id: int,
        pages: dict[int, str],
        boxes: dict[int, list],
        engine: ocr.Engine,
        report: OcrReport,
        cache: bool = True,
    ) -> None:
        """Put a document's OCR text in the store and index, re-anchoring its annotations."""
        doc = self.document(doc_id)
        read = {n: t for n, t in pages.items() if t}
        text, spans = ocr.merge(self.text(doc_id), self.page_spans(doc_id), read)
        self._replace_text(doc_id, Extracted(text=text, page_spans=spans), ReextractReport())
        with self.writing("recording OCR"), transaction(self.conn):
            store = OcrStore(self.conn)
            if cache:  # a document with a failed page is not cached: the next run tries it again
                store.put(doc.sha256, engine.name, engine.version, engine.language, pages, boxes)
            store.mark_read(doc_id, engine.label, ocr.page_list(sorted(pages)))
            self.documents.queue([doc_id])
        self._index_queued(only=[doc_id])
        report.read += 1


def _placed_words(text: str, spans: list[tuple[int, int]], pages: dict[int, str], words: dict[int, list]):
    """Word boxes by page (1-based) with offsets into the stored ``text``: for each page whose stored text is the
    OCR text the boxes were read with (a page whose own text layer won keeps none)."""
    placed = {}
    for number, boxes in words.items():
        if 0 < number <= len(spans) and boxes:
            start, end = spans[number - 1]
            if text[start:end] == pages.get(number):
                placed[number] = [(start + a, start + b, *box) for a, b, *box in boxes]
    return placed


def _keyed(jobs, keys: dict[int, tuple[int, int]]):
    for key, (where, job) in enumerate(jobs):
        keys[key] = where
        job.key = key
        yield job


def _pages_to_read(metadata: dict, pages: int, kind: str) -> list[int]:
    listing = metadata.get("scanned_pages")
    if listing:
        return ocr.scanned_pages(listing)
    return list(range(1, pages + 1))


def cached_ocr(conn, sha256: str) -> dict[int, str]:
    """The cached OCR page texts of an original (for a re-extraction), or {}."""
    return OcrStore(conn).cached_any(sha256)
