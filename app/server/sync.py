"""Syncing a laptop's archive with a newsroom server's project: push what this archive changed since its last
push, then pull what the server got since the last pull, and merge it with the bundle merge
(:func:`app.bundles.merge.merge_verified`): the pulled rows are laid out as a verified bundle would be, so the
same three-way decision keeps both sides' edits and lists true conflicts for review. The server takes a pushed
annotation by the same decision (:func:`app.bundles.merge.compare_versions`); where both sides changed it, the
server keeps its copy and stores the pushed one beside it as a conflicting version, which every other laptop
then pulls onto its review list.

Each push batch is one server transaction, each pull batch one local transaction; where the sync stands is
recorded only after its part is complete, and both directions are idempotent, so a sync cut anywhere (killed,
the connection lost) leaves both sides consistent and the next one completes it."""

from __future__ import annotations

import hashlib
import os
import uuid as uuids
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field, replace

from app.bundles.export import sync_records
from app.bundles.merge import (
    MergeReport,
    compare_fields,
    compare_tags,
    compare_versions,
    history_of,
    merge_verified,
)
from app.bundles.verify import VerifiedBundle
from app.errors import DossierError
from app.models import DOCUMENT_FIELDS, Annotation, FieldVersion
from app.scratch import scratch_folder
from app.store.annotations import AnnotationStore
from app.store.server_rows import ServerRows
from app.store.sync_state import SyncState
from app.store.tags import TagStore
from app.timestamps import now
from indexer.extract import extractor_version

BATCH = 200  # documents per server transaction and per local merge (DOSSIER_SYNC_BATCH changes it)
ProgressFn = Callable[[str, int, int], None]  # (phase, done, total)
CONFLICT_REVIEW = (
    "another laptop changed this annotation too before syncing: this is {who}'s version; keep one of the two"
)


class SyncCancelled(DossierError):
    """The person stopped the sync; what was done so far stays, the next sync does the rest."""


@dataclass
class SyncReport:
    """What one sync pushed and pulled."""

    server: str
    project: str
    pushed_documents: int = 0
    pushed_tags: int = 0
    pushed_annotations: int = 0
    pushed_fields: int = 0  # titles, dates and sources the server took
    pushed_tag_removals: int = 0
    conflicts_on_server: int = 0  # pushed annotation versions kept beside the server's for review
    field_conflicts_on_server: int = 0  # pushed field values kept beside the server's for review
    pulled_documents: int = 0
    pulled_tags: int = 0
    pulled_tag_removals: int = 0
    pulled_annotations: int = 0  # added or updated here
    pulled_fields: int = 0
    texts_carried: int = 0  # pulled documents whose text was taken as the server holds it (not extracted again)
    conflicts: list[dict] = field(default_factory=list)  # from the merge: {"uuid", "copy", "quote"}
    field_conflicts: list[dict] = field(default_factory=list)  # from the merge: {"sha256", "field", ...}
    server_seq: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.pushed_documents or self.pushed_tags or self.pushed_annotations or self.conflicts_on_server
            or self.pushed_fields or self.pushed_tag_removals or self.pulled_documents or self.pulled_tags
            or self.pulled_annotations or self.conflicts or self.pulled_fields or self.pulled_tag_removals
            or self.field_conflicts or self.field_conflicts_on_server
        )  # fmt: skip

    def to_json(self) -> dict:
        return {**self.__dict__, "changed": self.changed}


def sync(
    archive, conn, server: str, project: str, progress: ProgressFn | None = None, cancel: Callable | None = None
) -> SyncReport:
    """Push, then pull, one project (``conn``: a connection from :func:`app.server.connect.connect`)."""
    rows = ServerRows(conn)
    project_id = _project(rows, project)
    report = SyncReport(server, project)
    state = archive.sync_state(server, project)
    state = _push(archive, rows, project_id, state, report, progress, cancel)
    _pull(archive, rows, project_id, state, report, progress, cancel)
    return report


def pull_documents(archive, conn, server: str, project: str, shas: list[str], progress=None) -> SyncReport:
    """Pull some documents of a project (server search hits) with all their tags and annotations, without
    moving where the sync stands (the next sync pulls the rest, and these again at no cost)."""
    rows = ServerRows(conn)
    project_id = _project(rows, project)
    report = SyncReport(server, project)
    with conn.transaction():
        rows.lock(project_id, shared=True)
        missing = set(shas) - {doc["sha256"] for doc in rows.documents(project_id, shas, set())}
        if missing:
            raise DossierError(f"The project {project} holds no document {sorted(missing)[0]}.")
        tags = rows.changed_tags(project_id, None, shas)
        annotations = rows.changed_annotations(project_id, None, shas)
        kept = rows.changed_field_versions(project_id, None, shas)
        places, stance_sets, _ = rows.changed_vocabulary(project_id, 0)
    pulled = _Pulled(shas, tags, annotations, kept, places, stance_sets)
    _merge_batches(archive, rows, project_id, pulled, report, progress, None)
    return report


def _project(rows: ServerRows, name: str) -> int:
    project_id = rows.project_id(name)
    if project_id is None:
        raise DossierError(
            f"The server has no project {name!r} that you ({rows.session_role()}) are a member of: ask its "
            "administrator to add you (`dossier server member-add`)."
        )
    return project_id


# -- push -------------------------------------------------------------------------------------------


def _push(archive, rows: ServerRows, project_id: int, state: SyncState, report: SyncReport, progress, cancel):
    head = archive.change_head()
    ids = _changed_documents(archive, state.pushed_head)
    role = rows.session_role()
    for done, batch in _batches(ids, cancel):
        documents, annotations = sync_records(archive, batch, role)
        by_sha = {doc.sha256: doc for doc in archive.documents_by_id(batch).values()}
        with rows.conn.transaction():
            rows.lock(project_id, shared=False)
            present = rows.present(project_id, by_sha)
            fields = rows.document_fields(project_id, present)
            tags = rows.tag_states(project_id, by_sha)
            for doc in documents["documents"]:
                local = by_sha[doc["sha256"]]
                if doc["sha256"] not in present:
                    text = archive.text(local.id)
                    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
                    rows.insert_document(project_id, doc, text, _original(archive, local), digest)
                    report.pushed_documents += 1
                else:
                    _push_fields(rows, project_id, doc, fields[doc["sha256"]], report)
                _push_tags(rows, project_id, doc, tags, report)
            rows.insert_vocabulary(project_id, documents["jurisdictions"], documents["stance_sets"])
            _push_annotations(rows, project_id, annotations, role, report)
        if progress:
            progress("push", done, len(ids))
    state = replace(state, pushed_head=head, synced_at=now())
    archive._save_sync_state(state)
    return state


def _changed_documents(archive, since: int) -> list[int]:
    """The documents whose rows, tags or annotations changed after local change ``since`` (all at first)."""
    every = archive._reader().ids()
    if since == 0:
        return sorted(every)
    _head, changes = archive.changes_since(since)
    return sorted(every if changes.everything else changes.touched & every)


def _original(archive, doc) -> bytes:
    data = archive.original_path(doc.id).read_bytes()
    if hashlib.sha256(data).hexdigest() != doc.sha256:
        raise DossierError(
            f"The original of document {doc.id} ({doc.title}) is damaged (its checksum changed), so it was not "
            "pushed; run `dossier check`."
        )
    return data


def _push_fields(rows: ServerRows, project_id: int, doc: dict, server: dict, report: SyncReport) -> None:
    """Each edited field of a pushed document by the merge's decision against the server's value: a newer
    value is taken, one changed on both sides is kept beside the server's for review (every laptop pulls it)."""
    revisions = dict(server["revisions"])
    for name in DOCUMENT_FIELDS:
        ours = FieldVersion(name, server[name], **revisions.get(name, {"revision": 1, "history": []}))
        theirs = FieldVersion(name, doc[name], **doc["revisions"].get(name, {"revision": 1, "history": []}))
        outcome = compare_fields(ours, theirs)
        if outcome == "theirs":
            taken = FieldVersion(name, theirs.value, theirs.revision, history_of(ours, theirs))
            revisions[name] = taken.record()
            rows.set_field(project_id, doc["sha256"], name, taken.value, revisions)
            report.pushed_fields += taken.value != ours.value
        elif outcome == "conflict":
            kept = {"field": name, "version": theirs.version, "value": theirs.value, **theirs.record()}
            report.field_conflicts_on_server += rows.put_field_version(project_id, doc["sha256"], kept)


def _push_tags(rows: ServerRows, project_id: int, doc: dict, server: dict, report: SyncReport) -> None:
    """Each pushed tag and tag removal by the merge's decision (:func:`compare_tags`) against the server's."""
    sha = doc["sha256"]
    for tag, removed in [(t, False) for t in doc["tags"]] + [(t, True) for t in doc["removed_tags"]]:
        key = (sha, tag["jurisdiction"], tag["stance_set"], tag["stance"], tag["start"], tag["end"])
        state = (removed, tag["removed_at"] if removed else tag["created_at"])
        if compare_tags(server.get(key), state) == "theirs":
            if removed and server.get(key) is None:
                tag = {**tag, "created_by": "", "created_at": tag["removed_at"], "from_suggestion": False}
            rows.put_tag(project_id, sha, tag, tag["removed_at"] if removed else None)
            if removed:
                report.pushed_tag_removals += server.get(key) is not None
            else:
                report.pushed_tags += 1
            server[key] = state


def _push_annotations(rows: ServerRows, project_id: int, items: list[dict], role: str, report: SyncReport) -> None:
    """Each pushed annotation by the merge's decision against the server's copy."""
    server = rows.annotations(project_id, [item["fields"]["uuid"] for item in items])
    for item in items:
        fields = {**item["fields"], "review": None}  # a review reason is this archive's own
        theirs = Annotation(doc_id=0, **fields)
        stored = server.get(theirs.uuid)
        if stored is None:
            if not theirs.deleted:  # a deletion of what the server never had: nothing to tell
                rows.put_annotation(project_id, item["sha256"], fields, item["withheld"], replace=False)
                report.pushed_annotations += 1
            continue
        ours = Annotation(doc_id=0, **stored)
        outcome = compare_versions(ours, theirs)
        if outcome == "theirs":
            taken = replace(theirs, history=history_of(ours, theirs))
            rows.put_annotation(project_id, item["sha256"], _fields(taken), item["withheld"], replace=True)
            report.pushed_annotations += 1
            _retire_copies(rows, project_id, item["sha256"], taken, role)
        elif ours.version == theirs.version:  # this laptop agrees with the server (it took the server's in)
            _retire_copies(rows, project_id, item["sha256"], ours, role)
        elif outcome == "conflict" and not theirs.deleted:  # an edit elsewhere outweighs a deletion here
            copy = replace(
                theirs,
                uuid=str(uuids.uuid5(uuids.UUID(theirs.uuid), theirs.version)),
                review=CONFLICT_REVIEW.format(who=role),
                conflict_of=theirs.uuid,
            )
            if rows.put_annotation(project_id, item["sha256"], _fields(copy), item["withheld"], replace=False):
                report.conflicts_on_server += 1


def _retire_copies(rows: ServerRows, project_id: int, sha256: str, settled: Annotation, role: str) -> None:
    """Conflicting versions kept on the server that the settled annotation went through, or that this role
    pushed (a version that now supersedes the server's settles this role's conflict: it took the server's in):
    trashed there, so that the laptops that listed them for review take them off the list at their next sync."""
    lineage = {*settled.history, settled.version}
    for fields, pushed_by in rows.copies_of(project_id, settled.uuid):
        copy = Annotation(doc_id=0, **fields)
        if not copy.deleted and (copy.version in lineage or pushed_by == role):
            stamp = now()
            rows.put_annotation(project_id, sha256, _fields(copy.revised(stamp, deleted=stamp)), False, replace=True)


def _fields(annotation: Annotation) -> dict:
    fields = annotation.to_json()
    del fields["doc_id"]
    return fields


# -- pull -------------------------------------------------------------------------------------------


@dataclass
class _Pulled:
    """What a pull fetched of the changed rows (all but the documents' texts and originals)."""

    shas: list[str]  # the documents concerned, in the order of their changes
    tags: list[dict]  # tags and tombstones (``removed_at``)
    annotations: list[dict]
    kept: list[dict]  # values of fields kept for review (``field_versions``)
    places: list[dict]
    stance_sets: list[dict]


def _pull(archive, rows: ServerRows, project_id: int, state: SyncState, report: SyncReport, progress, cancel):
    after = state.pulled_seq
    with rows.conn.transaction():
        rows.lock(project_id, shared=True)
        documents = rows.changed_documents(project_id, after)
        tags = rows.changed_tags(project_id, after)
        annotations = rows.changed_annotations(project_id, after)
        kept = rows.changed_field_versions(project_id, after)
        places, stance_sets, newest = rows.changed_vocabulary(project_id, after)
    changed = [*documents, *((r["sha256"], r["seq"]) for r in (*tags, *annotations, *kept))]
    head = max([after, newest, *(seq for _, seq in changed)])
    shas = list(dict.fromkeys(sha for sha, _ in changed))
    pulled = _Pulled(shas, tags, annotations, kept, places, stance_sets)
    pushed = _merge_batches(archive, rows, project_id, pulled, report, progress, cancel, state.pushed_head)
    report.server_seq = head
    archive._save_sync_state(replace(state, pulled_seq=head, pushed_head=pushed, synced_at=now()))


def _merge_batches(archive, rows, project_id, pulled: _Pulled, report, progress, cancel, pushed_head: int = 0) -> int:
    """Merge the pulled rows batch by batch; returns ``pushed_head`` moved past the merges' own changes (what they
    wrote came from the server, which this sync's push already brought up to date: the next push need not send
    it again), as long as nothing else wrote to the archive in between (else the next push sends it, which
    changes nothing on the server)."""
    tags_of: dict[str, list[dict]] = {}
    removed_of: dict[str, list[dict]] = {}
    for tag in pulled.tags:
        record = {k: v for k, v in tag.items() if k not in ("sha256", "seq", "removed_at")}
        if tag["removed_at"] is None:
            tags_of.setdefault(tag["sha256"], []).append(record)
        else:
            removed_of.setdefault(tag["sha256"], []).append(
                {k: record[k] for k in ("jurisdiction", "stance_set", "stance", "start", "end", "quote")}
                | {"removed_at": tag["removed_at"]}
            )
    notes_of: dict[str, list[dict]] = {}
    for item in pulled.annotations:
        notes_of.setdefault(item["sha256"], []).append(item)
    kept_of: dict[str, list[dict]] = {}
    for kept in pulled.kept:
        kept_of.setdefault(kept["sha256"], []).append({k: v for k, v in kept.items() if k != "seq"})
    shas = _news(archive, rows, project_id, pulled.shas, tags_of, removed_of, notes_of, kept_of)
    only_vocabulary = not shas and (pulled.places or pulled.stance_sets)
    indexing = archive._indexing_beside()  # each batch indexed by a writer process while the next one merges
    try:
        for done, batch in [(0, [])] if only_vocabulary else _batches(shas, None):
            if cancel and cancel():
                raise SyncCancelled(
                    "The sync was stopped; what it fetched so far is merged, the next sync does the rest."
                )
            reader = archive._reader()
            with rows.conn.transaction():
                records = rows.documents(project_id, batch, {sha for sha in batch if reader.id_for_sha(sha) is None})
            items = [_item(a) for sha in batch for a in notes_of.get(sha, []) if not _own_version(archive, a)]
            kept = [k for sha in batch for k in kept_of.get(sha, [])]
            layout = _Layout(records, tags_of, removed_of, items, kept)
            last = done == len(shas)  # the last batch (or a single one) is indexed here, with no writer process

            def index(ids: set[int], last: bool = last) -> None:
                indexing.flush(sorted(ids), last=last)

            merged = _merge(archive, layout, pulled.places, pulled.stance_sets, index)
            _count(report, merged)
            if merged.changes[0] == pushed_head:
                pushed_head = merged.changes[1]
            if progress:
                progress("pull", done, len(shas))
    except BaseException:
        with suppress(Exception):  # what was merged is indexed (or stays queued for the next opening)
            indexing.finish()
        raise
    indexing.finish()
    if len(shas) > _batch_size():  # the segments the writer process committed, merged as after an import
        archive._merge_index()
    return pushed_head


def _count(report: SyncReport, merged: MergeReport) -> None:
    report.pulled_documents += len(merged.documents_added)
    report.pulled_tags += merged.tags_added
    report.pulled_tag_removals += merged.tags_removed
    report.pulled_annotations += merged.annotations_added + merged.annotations_updated
    report.pulled_fields += merged.fields_updated
    report.texts_carried += merged.texts_carried
    report.conflicts += merged.conflicts
    report.field_conflicts += merged.field_conflicts


def _news(archive, rows, project_id, shas, tags_of, removed_of, notes_of, kept_of) -> list[str]:
    """The documents among ``shas`` that bring something: new here, or with a field value, a tag, a tag removal
    or an annotation version this archive lacks (the rows a laptop pushed come back at its next pull; they are
    left out here, unfetched, so that they cost neither a transfer nor a merge)."""
    reader = archive._reader()
    ids = {sha: doc_id for sha in shas if (doc_id := reader.id_for_sha(sha)) is not None}
    tag_store = TagStore(reader.conn)
    local_tags, local_removed = tag_store.for_documents(ids.values()), tag_store.removed(ids.values())
    notes = AnnotationStore(reader.conn)
    with rows.conn.transaction():
        server_fields = rows.document_fields(project_id, list(ids))
    docs = reader.get_many(ids.values())
    out = []
    for sha in shas:
        if sha not in ids:
            out.append(sha)
            continue
        doc = docs[ids[sha]]
        have = {_tag_key(t.__dict__) for t in local_tags[ids[sha]]}
        gone = {_tag_key(t.__dict__) for t in local_removed[ids[sha]]}
        tags = [t for t in tags_of.get(sha, []) if _tag_key(t) not in have]
        removals = [t for t in removed_of.get(sha, []) if _tag_key(t) in have or _tag_key(t) not in gone]
        items = [item for item in notes_of.get(sha, []) if not _known_version(notes, item)]
        server = server_fields.get(sha, {})
        fields = bool(server) and any(
            (server[name], server["revisions"].get(name)) != (doc.field_version(name).value, doc.revisions.get(name))
            for name in DOCUMENT_FIELDS
        )
        if tags or removals or items or fields or kept_of.get(sha):
            tags_of[sha], removed_of[sha], notes_of[sha] = tags, removals, items
            out.append(sha)
    return out


def _tag_key(tag: dict) -> tuple:
    return (tag["jurisdiction"], tag["stance_set"], tag["stance"], tag["start"], tag["end"])


def _known_version(notes: AnnotationStore, item: dict) -> bool:
    """Whether this archive holds this version of the annotation already, or deleted it for good."""
    fields = item["fields"]
    ours = notes.get(fields["uuid"])
    if ours is None:
        return notes.purged(fields["uuid"])
    return ours.version == Annotation(doc_id=0, **fields).version


def _own_version(archive, item: dict) -> bool:
    """A conflicting version the server kept of one of ours that is our own version: nothing to review here."""
    of = item["fields"].get("conflict_of")
    if not of:
        return False
    ours = AnnotationStore(archive._reader().conn).get(of)
    return ours is not None and ours.version == Annotation(doc_id=0, **item["fields"]).version


def _item(annotation: dict) -> dict:
    """A pulled annotation as annotations.jsonld carries it."""
    return {
        "target": {"source": f"urn:sha256:{annotation['sha256']}"},
        "dossier:fields": annotation["fields"],
        **({"dossier:noteWithheld": True} if annotation["withheld"] else {}),
    }


@dataclass
class _Layout:
    """One pull batch as the merge takes it."""

    records: list[dict]  # the documents, each with its text and (for new ones) its original
    tags_of: dict[str, list[dict]]
    removed_of: dict[str, list[dict]]
    items: list[dict]  # annotations as annotations.jsonld carries them
    kept: list[dict]  # field values kept for review


class _PulledBundle(VerifiedBundle):
    """A pull batch as a verified bundle, its texts and originals in memory (written to no scratch file: that
    cost more than the merge itself)."""

    texts: dict[str, str]
    originals: dict[str, bytes]

    def text(self, sha256: str) -> str:
        return self.texts[sha256]

    def original_bytes(self, sha256: str) -> bytes:
        return self.originals[sha256]


def _merge(archive, layout: _Layout, places, stance_sets, index: Callable[[set[int]], None]) -> MergeReport:
    """The pulled rows laid out as a verified bundle, merged. A new document's text is taken as the server holds
    it when it is trustworthy (:func:`_trusted`), else extracted again from its original in the sandbox, as for
    a bundle."""
    with scratch_folder(archive.folder, "sync") as folder:
        documents, trusted, texts, originals = [], set(), {}, {}
        for record in layout.records:
            sha = record["sha256"]
            if record["original"] is not None:
                originals[sha] = _checked(record["original"], sha)
                if _trusted(record):
                    trusted.add(sha)
            texts[sha] = record["text"]
            doc = {k: v for k, v in record.items() if k not in ("text", "original", "text_sha256")}
            tags = {"tags": layout.tags_of.get(sha, []), "removed_tags": layout.removed_of.get(sha, [])}
            documents.append({**doc, **tags})
        bundle = _PulledBundle(
            folder=folder,
            documents={"documents": documents, "jurisdictions": places, "stance_sets": stance_sets,
                       "field_versions": layout.kept},
            annotations={"items": layout.items},
            info={},
            trusted_texts=frozenset(trusted),
        )  # fmt: skip
        bundle.texts, bundle.originals = texts, originals
        return merge_verified(archive, bundle, index=index)


def _trusted(record: dict) -> bool:
    """Whether a pulled text is taken as it is: made by the same extractor version as ours (so it is the text our
    own extraction of the original would give), and intact (its sha256 is the one its pusher computed; the
    server never lets a text change once pushed). The pusher is a member of the project, logged in as their own
    role: the same trust that lets their tags and annotations in."""
    text = record["text"]
    if record["extractor"] != extractor_version() or record["text_sha256"] is None:
        return False
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != record["text_sha256"]:
        return False
    return all(0 <= start <= end <= len(text) for start, end in record["page_spans"])


def _checked(data: bytes, sha: str) -> bytes:
    if hashlib.sha256(data).hexdigest() != sha:  # what the server sends is checked like a bundle's payload
        raise DossierError(f"The server sent an original that does not match its hash {sha}; nothing was merged.")
    return data


def _batch_size() -> int:
    return max(int(os.environ.get("DOSSIER_SYNC_BATCH", "") or BATCH), 1)


def _batches(items: list, cancel: Callable | None) -> Iterator[tuple[int, list]]:
    size = _batch_size()
    for start in range(0, len(items), size):
        if cancel and cancel():
            raise SyncCancelled(
                "The sync was stopped; what it sent so far is on the server, the next sync does the rest."
            )
        batch = items[start : start + size]
        yield start + len(batch), batch
