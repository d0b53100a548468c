"""Passage annotations: create, edit, trash and restore, list, and re-anchor after a re-extraction.

A mixin of :class:`app.archive.Archive`, like :mod:`app.tagging`. Every change bumps the revision
(bundles merge by it) and re-indexes the document, whose notes are searchable as ``note:``.
"""

from __future__ import annotations

import uuid as uuids
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from app.anchoring import CONTEXT, Anchor, find_quote, make_anchor, quote_spans, reanchor
from app.errors import DossierError, NotFound
from app.lock import write_api
from app.models import ANNOTATION_CONTENT, COLOURS, Annotation
from app.store.annotations import AnnotationStore
from app.store.db import transaction
from app.store.tags import TagStore
from app.timestamps import now
from indexer.extract import extractor_version
from indexer.sandbox import ExtractorPool, Job

EDITABLE = {"note", "colour", "tags", "jurisdiction", "stance", "private"}


@dataclass
class ReextractReport:
    """What a re-extraction did to texts and annotations."""

    documents: int = 0
    changed: int = 0
    failed: list[dict] = field(default_factory=list)
    kept: int = 0  # annotations exactly where they were
    moved: int = 0  # found again by quote and context (or strictly fuzzily)
    review: list[str] = field(default_factory=list)  # uuids a person should check
    tags_review: list[int] = field(default_factory=list)  # passage tags whose passage was not found again

    def to_json(self) -> dict:
        """JSON-ready dict."""
        return self.__dict__.copy()


class Annotating:
    """Annotation operations of the archive (see :class:`app.archive.Archive`)."""

    def annotate(
        self,
        doc_id: int,
        *,
        start: int | None = None,
        end: int | None = None,
        quote: str | None = None,
        occurrence: int | None = None,
        note: str = "",
        colour: str = "yellow",
        tags: Iterable[str] = (),
        jurisdiction: str | None = None,
        stance: str | None = None,
        private: bool = False,
    ) -> Annotation:
        """Annotate a passage given by offsets or by its quote; a quote found several times needs
        ``occurrence`` (1-based), so a passage is never picked by chance."""
        self._require_writable()
        text = self.text(doc_id)
        if quote is not None:
            try:
                count = len(quote_spans(text, quote)) if occurrence is None else 1
                if count > 1:
                    raise ValueError(f"the quote occurs {count} times; say which with --occurrence 1 to {count}")
                start, end = find_quote(text, quote, occurrence or 1)
            except ValueError as exc:
                raise DossierError(str(exc)) from exc
        if start is None or end is None:
            raise DossierError("Say which passage: --quote TEXT, or --start N --end M.")
        try:
            anchor = make_anchor(text, start, end)
        except ValueError as exc:
            raise DossierError(f"{exc} (the document has {len(text)} characters).") from exc
        created = now()
        annotation = Annotation(
            uuid=str(uuids.uuid4()),
            doc_id=doc_id,
            start=anchor.start,
            end=anchor.end,
            exact=anchor.exact,
            prefix=anchor.prefix,
            suffix=anchor.suffix,
            page=_page(self.page_spans(doc_id), anchor.start),
            creator="",  # this archive's user: a bundle signs it with the name they choose, never the login name
            created=created,
            modified=created,
        )
        annotation = self._with_changes(
            annotation,
            {"note": note, "colour": colour, "tags": list(tags), "private": private}
            | ({"jurisdiction": jurisdiction} if jurisdiction else {})
            | ({"stance": stance} if stance else {}),
        )
        return self._save_annotation(annotation)

    def annotation(self, uuid: str) -> Annotation:
        """One annotation (also from the trash), or NotFound."""
        found = AnnotationStore(self._reader().conn).get(_uuid(uuid))
        if found is None:
            raise NotFound(f"There is no annotation {uuid} (see `dossier annotations`).")
        return found

    def annotations(self, doc_id: int | None = None, *, trash: bool = False, review: bool = False) -> list[Annotation]:
        """Live annotations (of one document, or all), or the trash, or those needing review."""
        if doc_id is not None:
            self.document(doc_id)
        return AnnotationStore(self._reader().conn).select(doc_id, trash=trash, review=review)

    def private_note_counts(self) -> dict[int, int]:
        """How many private notes each document has (those that have any): what an export leaves out."""
        return AnnotationStore(self._reader().conn).private_note_counts()

    def update_annotation(self, uuid: str, **changes: object) -> Annotation:
        """Change note, colour, tags, jurisdiction, stance or privacy; the revision goes up by one."""
        self._require_writable()
        unknown = set(changes) - EDITABLE - {"start", "end"}
        if unknown:
            raise DossierError(f"Cannot change {', '.join(sorted(unknown))} of an annotation.")
        current = self.annotation(uuid)
        updated = self._with_changes(current, {k: v for k, v in changes.items() if k in EDITABLE})
        if "start" in changes or "end" in changes:  # a person placed it again (e.g. from the review list)
            text = self.text(current.doc_id)
            anchor = make_anchor(text, int(changes.get("start", current.start)), int(changes.get("end", current.end)))
            updated = replace(
                updated.placed_at(anchor), review=None, page=_page(self.page_spans(current.doc_id), anchor.start)
            )
        return self._save_annotation(current.revised(now(), **_changed(current, updated)))

    def delete_annotation(self, uuid: str) -> Annotation:
        """Move an annotation to the trash (restorable)."""
        current = self.annotation(uuid)
        return self._save_annotation(current.revised(now(), deleted=now()))

    def restore_annotation(self, uuid: str) -> Annotation:
        """Bring an annotation back from the trash."""
        current = self.annotation(uuid)
        return self._save_annotation(current.revised(now(), deleted=None))

    @write_api("settling a conflict")
    def resolve_conflict(self, uuid: str, keep: str) -> Annotation:
        """Settle a conflict a bundle import left: ``uuid`` is the bundle's version (the copy on the review list);
        ``keep`` is ``"ours"`` or ``"theirs"``. The annotation gets the chosen content at a revision after both
        versions, with a history that holds both, so the choice travels in the next bundle and the other
        archive takes it instead of raising the conflict again. The copy is deleted for good."""
        if keep not in ("ours", "theirs"):
            raise DossierError(f"Keep 'ours' or 'theirs', not {keep!r}.")
        copy = self.annotation(uuid)
        if not copy.conflict_of:
            raise DossierError(
                f"Annotation {uuid} is not a bundle's conflicting version (see `dossier annotations --review`)."
            )
        ours = self.annotation(copy.conflict_of)
        chosen = copy if keep == "theirs" else ours
        lineage = [*copy.history, copy.version]  # theirs up to its revision, then ours beyond it
        lineage += [ours.version_at(r) for r in range(copy.revision + 1, ours.revision + 1)]
        if None in lineage:
            lineage = lineage[: lineage.index(None)]
        content = {name: getattr(chosen, name) for name in (*ANNOTATION_CONTENT, "deleted")}
        settled = replace(ours, **content, review=None, modified=now())
        settled = replace(settled, revision=copy.first_revision + len(lineage), history=lineage)
        with transaction(self.conn):
            store = AnnotationStore(self.conn)
            store.put(settled)
            store.forget(copy.uuid, now())
            self.documents.queue([ours.doc_id])
        self._index_queued(only=[ours.doc_id])
        return settled

    @write_api("emptying the trash")
    def empty_trash(self) -> int:
        """Delete trashed annotations for good."""
        with transaction(self.conn):
            return AnnotationStore(self.conn).purge(now())

    # -- re-extraction ---------------------------------------------------------------------

    def reextract(
        self,
        doc_ids: Iterable[int] | None = None,
        *,
        passwords: Iterable[str] = (),
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> ReextractReport:
        """Extract the text of documents again from their originals (a newer extractor) and re-anchor
        their annotations: kept, moved by quote and context, or put on the review list. None is lost."""
        self._require_writable()
        ids = sorted(doc_ids) if doc_ids is not None else sorted(self.documents.ids())
        docs = {doc_id: self.document(doc_id) for doc_id in ids}
        report = ReextractReport(documents=len(ids))
        jobs = (
            Job(doc_id, docs[doc_id].kind, self.blobs.path(docs[doc_id].sha256).read_bytes(), tuple(passwords))
            for doc_id in ids
        )
        with ExtractorPool(self.extraction_limits) as pool:
            for done, outcome in enumerate(pool.run(jobs, cancel or (lambda: False)), 1):
                if outcome.extracted is None:
                    report.failed.append({"id": outcome.key, "error": outcome.error})
                else:
                    extracted, read_by_ocr = _with_cached_ocr(self, docs[outcome.key], outcome.extracted)
                    self._replace_text(outcome.key, extracted, report, None if read_by_ocr else extractor_version())
                if progress:
                    progress(done, len(ids))
        return report

    @write_api("re-extracting texts")
    def _replace_text(self, doc_id: int, extracted, report: ReextractReport, extractor: str | None = None) -> None:
        old = self.text(doc_id)
        reader = AnnotationStore(self._reader().conn)
        every = reader.select(doc_id) + reader.select(doc_id, trash=True)  # the trash too: it can be restored
        if extracted.text == old:
            report.kept += len(every)
            return
        report.changed += 1
        moved = []
        for annotation in every:
            placed = reanchor(annotation.anchor, extracted.text)
            if placed is None:
                reason = f"the text changed and the quote was not found again: “{annotation.exact[:80]}”"
                moved.append(annotation.revised(now(), review=reason))
                report.review.append(annotation.uuid)
                continue
            new = make_anchor(extracted.text, placed.start, placed.end)
            if (new.start, new.end, new.exact) == (annotation.start, annotation.end, annotation.exact):
                report.kept += 1
                continue
            report.moved += 1
            placed_again = annotation.placed_at(new)  # a new revision: a merge must see that it moved
            page = _page(extracted.page_spans, new.start)
            moved.append(annotation.revised(now(), **_changed(annotation, placed_again), page=page, review=None))
        passages = []
        for tag in self._tag_reader().for_document(doc_id):
            if tag.start is None:
                continue
            placed = reanchor(
                Anchor(tag.quote, _before(old, tag.start), _after(old, tag.end), tag.start, tag.end), extracted.text
            )
            if placed is None:
                report.tags_review.append(tag.id)  # kept as it was; the report names it
            else:
                passages.append((tag.id, placed.start, placed.end, extracted.text[placed.start : placed.end]))
        with transaction(self.conn):
            self.documents.replace_text(doc_id, extracted.text, extracted.page_spans, extractor)
            store = AnnotationStore(self.conn)
            for annotation in moved:
                store.put(annotation)
            tags = TagStore(self.conn)
            for tag_id, start, end, quote in passages:
                tags.move(tag_id, start, end, quote)
            self.documents.queue([doc_id])
        self._index_queued(only=[doc_id])

    # -- helpers ---------------------------------------------------------------------------

    def _with_changes(self, annotation: Annotation, changes: dict) -> Annotation:
        if "colour" in changes and changes["colour"] not in COLOURS:
            raise DossierError(f"Unknown colour {changes['colour']!r}: use one of {', '.join(COLOURS)}.")
        if "tags" in changes:
            changes["tags"] = sorted({str(t).strip().lower() for t in changes["tags"] if str(t).strip()})
        if changes.get("jurisdiction"):
            changes["jurisdiction"] = self.resolve_jurisdiction(str(changes["jurisdiction"])).id
        if changes.get("stance"):
            changes["stance_set"], changes["stance"] = self.resolve_stance(str(changes["stance"]))
            if not changes.get("jurisdiction", annotation.jurisdiction):
                raise DossierError(
                    "A stance is always about a jurisdiction: choose the jurisdiction too.",
                    cli_hint="Give it with --jurisdiction J.",
                )
        elif "stance" in changes:
            changes["stance_set"] = changes["stance"] = None
        return replace(annotation, **changes)

    @write_api("annotating")
    def _save_annotation(self, annotation: Annotation) -> Annotation:
        with transaction(self.conn):
            AnnotationStore(self.conn).put(annotation)
            self.documents.queue([annotation.doc_id])
        self._index_queued(only=[annotation.doc_id])
        return annotation


def _with_cached_ocr(archive, doc, extracted):
    """A fresh extraction with the OCR text read before put back on its scanned pages (never OCR'd again), and
    whether OCR read some of it."""
    from app.ocring import cached_ocr
    from indexer.ocr import merge

    pages = cached_ocr(archive._reader().conn, doc.sha256)
    if pages:
        extracted.text, extracted.page_spans = merge(extracted.text, extracted.page_spans, pages)
    return extracted, bool(pages)


def _before(text: str, offset: int) -> str:
    return text[max(offset - CONTEXT, 0) : offset] if 0 <= offset <= len(text) else ""


def _after(text: str, offset: int) -> str:
    return text[offset : offset + CONTEXT] if 0 <= offset <= len(text) else ""


def _page(page_spans: list[tuple[int, int]], offset: int) -> int | None:
    if not page_spans:
        return None
    return max(bisect_right([start for start, _ in page_spans], offset), 1)


def _uuid(text: str) -> str:
    return text.removeprefix("urn:uuid:")


def _changed(old: Annotation, new: Annotation) -> dict:
    """The fields of ``new`` that differ from ``old``."""
    return {name: value for name, value in vars(new).items() if getattr(old, name) != value}
