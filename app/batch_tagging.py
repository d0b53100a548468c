"""Tagging a whole result as one batch a person reviews first and can undo as one step.

:meth:`BatchTagging.plan_tags` (one tag on every document) and :meth:`plan_suggestions` (each document's own
suggestions above a confidence) say what each document would get (nothing is written), :meth:`apply_plan` writes
the plan in turns on the writer lock under a batch id kept in ``tags.batch``, and :meth:`undo_batch` removes
exactly the tags of that batch that are still its own. A mixin of :class:`app.archive.Archive`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace

from app import wording
from app.errors import DossierError
from app.lock import write_api
from app.models import Tag, stance_labels
from app.store.db import transaction
from app.store.tags import TagStore
from app.timestamps import now

TURN_S = 0.25  # a turn on the writer lock lasts about this long, so other writers interleave
TURN_DOCUMENTS = 500  # and tags at most this many documents: one index batch (app.archive.INDEX_BATCH)
RECENT_BATCHES = 20


def new_batch_id() -> str:
    """A short id for a bulk tagging, easy to type into `dossier tag-undo`."""
    return secrets.token_hex(4)


class UnknownBatch(DossierError):
    """No tag carries that batch id."""


@dataclass(frozen=True)
class NewTag:
    """A whole-document tag a plan would add: a jurisdiction and optionally a stance; ``label`` for a person."""

    jurisdiction: str
    stance_set: str | None
    stance: str | None
    label: str


@dataclass(frozen=True)
class PlannedTag:
    """One document of a plan and the tags it would get; ``reason`` says why it gets none ("" when it does)."""

    doc_id: int
    title: str
    reason: str = ""
    tags: tuple[NewTag, ...] = ()

    @property
    def label(self) -> str:
        """What the document gets, for a person: "Omaha, NE; Omaha, NE · Sanctuary"."""
        return "; ".join(tag.label for tag in self.tags)


@dataclass(frozen=True)
class TagPlan:
    """What a bulk tagging would do: the tags of each document, and ``label``, what they are in a few words
    ("Omaha, NE · Sanctuary" for one tag on every document). ``from_suggestion``: they are accepted suggestions."""

    label: str
    entries: tuple[PlannedTag, ...]
    from_suggestion: bool = False

    @property
    def to_tag(self) -> list[PlannedTag]:
        """The documents that get tags."""
        return [entry for entry in self.entries if not entry.reason]

    def without(self, doc_ids: Iterable[int]) -> TagPlan:
        """The plan with some documents left out (unchecked in the preview)."""
        left_out = set(doc_ids)
        return replace(self, entries=tuple(e for e in self.entries if e.doc_id not in left_out))

    def only(self, doc_ids: Iterable[int]) -> TagPlan:
        """The plan of just these documents (those a cancelled apply tagged)."""
        kept = set(doc_ids)
        return replace(self, entries=tuple(e for e in self.entries if e.doc_id in kept))

    def to_json(self) -> dict:
        """JSON-ready dict, with counts."""
        return {**asdict(self), "to_tag": len(self.to_tag), "unchanged": len(self.entries) - len(self.to_tag)}


@dataclass(frozen=True)
class BatchProgress:
    """How far :meth:`BatchTagging.apply_plan` is: ``done`` of ``total`` documents, the last one's title."""

    done: int
    total: int
    title: str


@dataclass
class BatchResult:
    """What a bulk tagging did. ``already``: tagged the same way meanwhile; ``missing``: no longer in the archive;
    ``unchanged``: the plan's documents that were to get nothing."""

    batch: str
    label: str
    total: int
    unchanged: int = 0
    tagged: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    cancelled: bool = False
    tags: int = 0  # tags written (a document may get several)

    @property
    def handled(self) -> int:
        """How many of the documents were dealt with so far."""
        return len(self.tagged) + len(self.already) + len(self.missing)

    def summary(self) -> str:
        """One line for a person, e.g. "Tagged 17 documents with Omaha, NE · Sanctuary (1 unchanged)"."""
        done = f"Tagged {wording.count(len(self.tagged), 'document')} with {self.label}"
        if self.cancelled:
            done = (
                f"Cancelled: tagged {len(self.tagged):,} of {wording.count(self.total, 'document')} with {self.label}"
            )
        unchanged = self.unchanged + len(self.already)
        extra = [wording.count(self.tags, "tag")] if self.tags != len(self.tagged) else []
        extra += [f"{unchanged:,} unchanged"] if unchanged else []
        extra += [f"{len(self.missing):,} no longer in the archive"] if self.missing else []
        return done + (f" ({', '.join(extra)})" if extra else "")

    def to_json(self) -> dict:
        """JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class TagBatch:
    """A bulk tagging that still has tags (for listing and undoing)."""

    batch: str
    label: str
    documents: int
    created_at: str

    def to_json(self) -> dict:
        """JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class BatchUndo:
    """What undoing a batch removed."""

    batch: str
    label: str
    removed: int
    documents: list[int]

    def summary(self) -> str:
        """One line for a person."""
        return f"Removed {self.label} from {wording.count(len(self.documents), 'document')}"

    def to_json(self) -> dict:
        """JSON-ready dict."""
        return asdict(self)


class BatchTagging:
    """Bulk tagging of the archive (see :class:`app.archive.Archive`)."""

    def plan_tags(self, doc_ids: Iterable[int], jurisdiction: str, stance: str | None = None) -> TagPlan:
        """What tagging ``doc_ids`` with a jurisdiction (a name or id) and an optional stance would do; writes
        nothing. A document already tagged that way, or with that jurisdiction when no stance is given, is
        listed with the reason it gets nothing."""
        place = self.resolve_jurisdiction(jurisdiction)
        stance_set, stance_id = self.resolve_stance(stance) if stance else (None, None)
        label = self._batch_label(place.id, stance_set, stance_id)
        new = (NewTag(place.id, stance_set, stance_id, label),)
        ids = list(dict.fromkeys(doc_ids))
        docs = self.documents_by_id(ids)
        tags = self._tag_reader().for_documents([i for i in ids if i in docs])
        entries = []
        for doc_id in ids:
            if doc_id not in docs:
                entries.append(PlannedTag(doc_id, f"#{doc_id}", "no longer in the archive"))
                continue
            same = [t for t in tags[doc_id] if t.start is None and t.jurisdiction == place.id]
            if stance_id is not None:
                same = [t for t in same if (t.stance_set, t.stance) == (stance_set, stance_id)]
            entry = PlannedTag(doc_id, docs[doc_id].title, f"already tagged {label}") if same else None
            entries.append(entry or PlannedTag(doc_id, docs[doc_id].title, tags=new))
        return TagPlan(label, tuple(entries))

    def plan_suggestions(self, doc_ids: Iterable[int], min_score: float) -> TagPlan:
        """What accepting, for each of ``doc_ids``, every suggestion scoring at least ``min_score`` would do;
        writes nothing. A document that would get nothing says why: nothing suggested that surely, or what
        was is tagged (or rejected) already."""
        labels = stance_labels(self.stance_sets())
        ids = list(dict.fromkeys(doc_ids))
        docs = self.documents_by_id(ids)
        entries = []
        for doc_id in ids:
            if doc_id not in docs:
                entries.append(PlannedTag(doc_id, f"#{doc_id}", "no longer in the archive"))
                continue
            found, open_ = self._suggestions(doc_id)
            title = docs[doc_id].title
            tags = tuple(
                [
                    NewTag(s.jurisdiction.id, None, None, self._batch_label(s.jurisdiction.id, None, None, labels))
                    for s in open_.jurisdictions
                    if s.score >= min_score
                ]
                + [
                    NewTag(s.jurisdiction, s.stance_set, s.stance, self._batch_label(*_parts(s), labels))
                    for s in open_.stances
                    if s.score >= min_score
                ]
            )
            if tags:
                entries.append(PlannedTag(doc_id, title, tags=tags))
            elif any(s.score >= min_score for s in [*found.jurisdictions, *found.stances]):
                entries.append(PlannedTag(doc_id, title, "its suggestions are tagged or rejected already"))
            else:
                entries.append(PlannedTag(doc_id, title, f"nothing suggested at {min_score:.0%} or more"))
        return TagPlan(f"the suggestions scoring {min_score:.0%} or more", tuple(entries), from_suggestion=True)

    def apply_plan(
        self,
        plan: TagPlan,
        progress: Callable[[BatchProgress], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        *,
        batch: str | None = None,
    ) -> BatchResult:
        """Tag the plan's documents under one batch id (a new one, or ``batch`` to apply an undone batch
        again), in turns on the writer lock; ``progress`` hears of each document. Cancelling stops after the
        document in hand; what is done stays, under the batch id, so undoing the batch still removes it."""
        self._require_writable()
        todo = plan.to_tag
        result = BatchResult(batch or new_batch_id(), plan.label, len(todo), len(plan.entries) - len(todo))
        while result.handled < len(todo):
            if cancel and cancel():
                result.cancelled = True
                break
            written = self._apply_turn(plan, todo[result.handled :], result, progress, cancel)
            self._index_queued(only=written)
        return result

    @write_api("tagging documents")
    def _apply_turn(self, plan, todo: list[PlannedTag], result: BatchResult, progress, cancel) -> list[int]:
        """One turn: tag documents for up to TURN_S (at least one unless cancelled); returns the ids written."""
        chunk = todo[:TURN_DOCUMENTS]
        present = self.documents.get_many(entry.doc_id for entry in chunk)
        started, written, when = time.monotonic(), [], now()
        with transaction(self.conn):
            store = TagStore(self.conn)
            if plan.from_suggestion:
                self._add_suggested_agencies(store, chunk, when)
            for handled, entry in enumerate(chunk):
                if (cancel and cancel()) or (handled and time.monotonic() - started > TURN_S):
                    break
                if entry.doc_id not in present:
                    result.missing.append(entry.doc_id)
                elif added := _add_tags(store, entry, plan.from_suggestion, when, result.batch):
                    result.tagged.append(entry.doc_id)
                    result.tags += added
                    written.append(entry.doc_id)
                else:
                    result.already.append(entry.doc_id)
                if progress:
                    progress(BatchProgress(result.handled, result.total, entry.title))
            self.documents.queue(written)
        return written

    def _add_suggested_agencies(self, store: TagStore, chunk: list[PlannedTag], when: str) -> None:
        """Add the agencies suggestions named (custom jurisdictions, "Omaha Police Department") that the plan
        tags and the archive does not have yet (inside the turn's transaction)."""
        proposed = self._proposed or {}
        wanted = {tag.jurisdiction for entry in chunk for tag in entry.tags}
        new = [proposed[jid] for jid in sorted(wanted) if jid in proposed and self.gazetteer.get(jid) is None]
        for place in new:
            store.add_custom_jurisdiction(place.id, place.name, place.level, place.parent, place.state, when)
        if new:
            self._gazetteer = None

    @write_api("undoing a bulk tagging")
    def undo_batch(self, batch: str) -> BatchUndo:
        """Remove the tags the bulk tagging ``batch`` added that are still its own: a tag removed since stays
        removed, and one tagged again by hand (or brought by a bundle) since is kept."""
        batch, store = batch.strip(), TagStore(self.conn)
        tags = store.in_batch(batch)
        if not tags:
            raise UnknownBatch(
                f"There is no bulk tagging {batch!r} to undo: it was undone already, its tags were removed "
                "since, or the id is mistyped."
            )
        doc_ids = sorted({t.doc_id for t in tags})
        with transaction(self.conn):
            removed = store.remove((t.id for t in tags), now())
            self.documents.queue(doc_ids)
        self._index_queued(only=doc_ids)
        kinds = {(t.jurisdiction, t.stance_set, t.stance) for t in tags}
        label = self._label_of_batch(next(iter(kinds)), len(tags), len(kinds), all(t.from_suggestion for t in tags))
        return BatchUndo(batch, label, removed, doc_ids)

    def tag_batches(self, limit: int = RECENT_BATCHES) -> list[TagBatch]:
        """The newest bulk taggings that can still be undone, newest first."""
        return [
            TagBatch(
                row["batch"],
                self._label_of_batch(
                    (row["jurisdiction"], row["stance_set"], row["stance"]), row["tags"], row["kinds"], row["suggested"]
                ),
                row["documents"],
                row["created_at"],
            )
            for row in self._tag_reader().batches(limit)
        ]

    def _label_of_batch(self, first: tuple[str, str | None, str | None], tags: int, kinds: int, suggested: bool) -> str:
        """What a batch added, for a person: its tag when all are the same ("Omaha, NE · Sanctuary"), else how
        many ("12 accepted suggestions", "12 tags"); ``first`` is (jurisdiction, stance set, stance) of one."""
        if kinds == 1:
            return self._batch_label(*first)
        return wording.count(tags, "accepted suggestion") if suggested else wording.count(tags, "tag")

    def _batch_label(
        self, jurisdiction: str, stance_set: str | None, stance: str | None, labels: dict[str, str] | None = None
    ) -> str:
        """ "Omaha, NE · Sanctuary"; ``labels`` (stance key -> label) saves reading the vocabularies again."""
        place = self.gazetteer.get(jurisdiction) or (self._proposed or {}).get(jurisdiction)
        name = place.display if place else jurisdiction
        if stance is None:
            return name
        key = f"{stance_set}/{stance}"
        return f"{name} · {(labels or stance_labels(self.stance_sets())).get(key, stance)}"


def _parts(suggestion) -> tuple[str, str, str]:
    """(jurisdiction, stance set, stance) of a stance suggestion."""
    return suggestion.jurisdiction, suggestion.stance_set, suggestion.stance


def _add_tags(store: TagStore, entry: PlannedTag, from_suggestion: bool, when: str, batch: str) -> int:
    """Add a plan entry's tags under ``batch`` (inside a transaction); how many were not there already."""
    added = 0
    for tag in entry.tags:
        new = Tag(0, entry.doc_id, tag.jurisdiction, tag.stance_set, tag.stance, None, None, "", "", when,
                  from_suggestion)  # fmt: skip
        added += store.add(new, batch=batch) is not None
    return added
