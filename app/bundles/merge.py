"""Merging a verified bundle into an archive: documents by hash, annotations and each edited document field
(title, date, source) by UUID or field and revision, tags by their latest addition or removal, custom
jurisdictions and stance vocabularies by union. Importing the same bundle twice changes nothing; a true
conflict keeps both versions and lists them for review. A newsroom sync merges what it pulls here too."""

from __future__ import annotations

import uuid as uuids
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from app.anchoring import make_anchor, reanchor
from app.bundles.signing import UNSIGNED, Signer
from app.bundles.texts import extract_again
from app.bundles.verify import VerifiedBundle, verify_bundle
from app.errors import BadBundle, DossierError
from app.lock import write_api
from app.models import DOCUMENT_FIELDS, Annotation, FieldVersion, Stance, StanceRule, Tag, Versioned
from app.scratch import scratch_folder
from app.store.annotations import AnnotationStore
from app.store.changes import ChangeLog
from app.store.db import transaction
from app.store.documents import NewDocument
from app.store.tags import TagStore
from app.timestamps import now
from indexer.extract import extractor_version
from indexer.types import Extracted

#: Who made what an unsigned bundle brings: a name here, so that it is never taken for this archive's own
#: work (recorded without a name) and signed with our name in our next bundle.
ANONYMOUS = "anonymous"
FIELD_CONFLICT_REVIEW = "{where} changed the {field} here too: this is its value; keep one of the two"


@dataclass
class MergeReport:
    """What an import added, what was already there, and what conflicted."""

    documents_added: list[str] = field(default_factory=list)  # titles
    documents_existing: list[str] = field(default_factory=list)
    annotations_added: int = 0
    annotations_updated: int = 0  # the bundle had a newer revision
    annotations_unchanged: int = 0  # same revision, or ours is newer
    conflicts: list[dict] = field(default_factory=list)  # {"uuid", "copy", "quote"}: both sides changed
    fields_updated: int = 0  # document titles, dates and sources the bundle had a newer value of
    field_conflicts: list[dict] = field(default_factory=list)  # {"sha256", "field", "ours", "theirs"}
    tags_added: int = 0
    tags_existing: int = 0
    tags_removed: int = 0  # removed there after they were added here
    jurisdictions_added: list[str] = field(default_factory=list)
    stances_added: list[str] = field(default_factory=list)
    tags_not_placed: int = 0  # passage tags whose passage is not in our text of the document
    texts_not_taken: list[str] = field(default_factory=list)  # titles whose bundle text is not their original's
    texts_carried: int = 0  # new documents whose carried text was taken (trusted: see _trusted_texts)
    reindexed: int = 0  # documents whose indexed fields changed
    changes: tuple[int, int] = (0, 0)  # the change log's head before and after the merge's transaction
    regex_rules_skipped: int = 0  # regex rules of new stances, not taken over from someone else's bundle
    signer: Signer = UNSIGNED

    @property
    def changed(self) -> bool:
        """Whether the import changed the archive at all."""
        return bool(
            self.documents_added
            or self.annotations_added
            or self.annotations_updated
            or self.conflicts
            or self.fields_updated
            or self.field_conflicts
            or self.tags_added
            or self.tags_removed
            or self.jurisdictions_added
            or self.stances_added
        )

    def to_json(self) -> dict:
        """JSON-ready dict."""
        return {**self.__dict__, "signer": self.signer.to_json(), "changed": self.changed}


def import_bundle(
    archive,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
    passwords: Iterable[str] = (),
    *,
    known_signers_only: bool = False,
) -> MergeReport:
    """Verify a bundle completely, then merge it (nothing is written when verification fails, or when
    ``known_signers_only`` and no trusted key signed it). The texts of new documents are extracted again from
    their originals (``passwords`` for encrypted PDFs)."""
    archive._require_writable()
    with open_bundle(archive, path) as bundle:
        if known_signers_only and bundle.signer.status != "known":
            raise BadBundle(
                f"The bundle is {bundle.signer.describe()}, and only bundles signed by a trusted key are "
                "to be imported. Trust the sender's key first, if you have checked it with them."
            )
        return merge_verified(archive, bundle, progress, passwords)


def open_bundle(archive, path: Path) -> VerifiedBundle:
    """The bundle at ``path`` verified, unpacked in the archive's own scratch space (so that a killed import
    leaves nothing behind for long); ``close()`` it when done."""
    stack = ExitStack()
    try:
        work = stack.enter_context(scratch_folder(archive.folder, "bundle"))
        bundle = verify_bundle(Path(path), workdir=work)
    except BaseException:
        stack.close()
        raise
    bundle.cleanup = stack.close
    return bundle


def merge_verified(
    archive,
    bundle: VerifiedBundle,
    progress: Callable[[int, int], None] | None = None,
    passwords: Iterable[str] = (),
    *,
    index: Callable[[set[int]], None] | None = None,
) -> MergeReport:
    """Merge a bundle that :func:`open_bundle` verified (the window shows its signer in between). The documents
    whose indexed fields changed are indexed before it returns, or handed to ``index`` (a pull's batches are
    indexed beside the next one's merge)."""
    archive._require_writable()
    if not archive._import_lock.acquire(blocking=False):  # its merge would hold the database for long
        raise DossierError("Another import is running in this archive: import the bundle when it has finished.")
    try:
        report = _merge(archive, bundle, progress, passwords, index)
    finally:
        archive._import_lock.release()
    report.signer = bundle.signer
    return report


def _merge(archive, bundle: VerifiedBundle, progress, passwords: Iterable[str], index) -> MergeReport:
    report = MergeReport()
    docs = bundle.documents["documents"]
    known = archive._reader().hashes()
    new = [doc for doc in docs if doc["sha256"] not in known]
    steps = len(new) + len(docs) + 1  # extractions, originals, the merge itself
    step = (lambda done, _total: progress(done, steps)) if progress else None
    trusted = _trusted_texts(bundle, new)
    fresh = extract_again(bundle, [doc for doc in new if doc["sha256"] not in trusted], archive.extraction_limits,
                          passwords, step)  # fmt: skip
    for doc in new:
        if doc["sha256"] in trusted:
            fresh[doc["sha256"]] = Extracted(
                text=bundle.text(doc["sha256"]), page_spans=[tuple(s) for s in doc["page_spans"]],
                needs_ocr=doc["needs_ocr"],
            )  # fmt: skip
    report.texts_carried = len(trusted)
    added = []  # originals this import stores: removed again if the merge is refused
    stored = []
    for done, doc in enumerate(docs, 1):  # originals first, synced, before the rows that record them
        if doc["sha256"] not in known:
            if not archive.blobs.path(doc["sha256"]).exists():
                added.append(doc["sha256"])
            stored.append(archive.blobs.put(bundle.original_bytes(doc["sha256"]), sync=False))
        if progress:
            progress(len(new) + done, steps)
    archive.blobs.sync(stored)  # all at once (one syncfs on Linux), as an import does, before any row records them
    # where our text of a document (stored, or just extracted from the original of a new one) differs from
    # the bundle's (another extractor, or an altered bundle), passages are anchored again on ours: by quote and
    # context, or sent to review
    texts = {}
    for doc in docs:
        sha = doc["sha256"]
        ours = archive.text(known[sha]) if sha in known else fresh[sha].text
        theirs = bundle.text(sha)
        if ours != theirs:
            texts[sha] = (theirs, ours)
            if sha not in known:
                report.texts_not_taken.append(doc["title"])
    try:
        _write(archive, bundle, texts, fresh, report, index)
    except BaseException:
        _remove_unrecorded(archive, added)
        raise
    if progress:
        progress(steps, steps)
    return report


def _trusted_texts(bundle: VerifiedBundle, docs: list[dict]) -> set[str]:
    """The new documents whose carried text is taken as it is, instead of being extracted again in the sandbox:
    those the carrier vouches for (:attr:`VerifiedBundle.trusted_texts`: a newsroom server's, checked by the
    sync), or any of a bundle signed by a key this person trusts; in either case only a text made by the same
    extractor version as ours (``extractor``), so that it is the text our extraction would give."""
    ours = extractor_version()
    vouched = set(bundle.trusted_texts) if bundle.signer.status != "known" else {d["sha256"] for d in docs}
    return {d["sha256"] for d in docs if d["sha256"] in vouched and d.get("extractor") == ours}


def _remove_unrecorded(archive, added: list[str]) -> None:
    """A refused merge writes nothing: remove the originals it stored that no document records."""
    recorded = archive._reader().hashes()
    for sha in added:
        if sha not in recorded:
            archive.blobs.path(sha).unlink(missing_ok=True)


@write_api("merging a bundle")
def _write(archive, bundle: VerifiedBundle, texts: dict, fresh: dict, report: MergeReport, index=None) -> None:
    """Merge in one transaction (all or nothing), then index the documents whose indexed fields it changed
    (documents it added, fields it took, tags it added or removed, annotations it added or changed)."""
    with transaction(archive.conn):
        before = ChangeLog(archive.conn).head()
        _vocabularies(archive, bundle.documents, report)
        touched: set[int] = set()
        known = archive.documents.hashes()
        ids = _documents(archive, bundle, fresh, known, report, touched)
        _fields(archive, bundle.documents, {sha: i for sha, i in ids.items() if sha in known}, report, touched)
        _tags(archive, bundle.documents["documents"], ids, texts, report, touched)
        _annotations(archive, bundle.annotations.get("items", []), ids, texts, report, touched)
        archive.documents.queue(touched)
        report.changes = (before, ChangeLog(archive.conn).head())
    report.reindexed = len(touched)
    archive._gazetteer = None  # custom jurisdictions may have arrived
    if touched and index is not None:
        index(touched)
    elif touched:
        archive._index_queued(only=touched)


def _vocabularies(archive, data: dict, report: MergeReport) -> None:
    store = TagStore(archive.conn)
    known = {row["id"] for row in store.custom_jurisdictions()}
    gazetteer = archive.gazetteer
    for place in data.get("jurisdictions", []):
        if place["id"] not in known and gazetteer.get(place["id"]) is None:
            store.add_custom_jurisdiction(
                place["id"], place["name"], place["level"], place["parent"], place.get("state"), now()
            )
            report.jurisdictions_added.append(place["name"])
    sets = {s.id: {st.id for st in s.stances} for s in store.stance_sets()}
    for stance_set in data.get("stance_sets", []):
        if stance_set["id"] not in sets:
            store.add_stance_set(stance_set["id"], stance_set["topic"])
            sets[stance_set["id"]] = set()
        for stance in stance_set["stances"]:
            if stance["id"] in sets[stance_set["id"]]:
                continue  # ours stays as it is: vocabularies are edited locally
            store.save_stance(
                Stance(stance_set["id"], stance["id"], stance["label"], stance["description"], stance["colour"])
            )
            # a regular expression from someone else could make suggestions hang: those are not taken over
            rules = [StanceRule(r["kind"], r["pattern"]) for r in stance["rules"] if r["kind"] != "regex"]
            report.regex_rules_skipped += len(stance["rules"]) - len(rules)
            store.set_rules(stance_set["id"], stance["id"], rules)
            report.stances_added.append(f"{stance_set['id']}/{stance['id']}")


def _documents(
    archive, bundle: VerifiedBundle, fresh: dict, known: dict[str, int], report: MergeReport, touched: set[int]
) -> dict:
    """Documents by hash: ours where we have them, else new ones with the text of their original (and the
    revisions of their edited fields, so that the next merge tells their edits from ours)."""
    ids = {}
    for doc in bundle.documents["documents"]:
        sha = doc["sha256"]
        if sha in known:
            ids[sha] = known[sha]
            report.documents_existing.append(doc["title"])
            continue
        new = NewDocument(
            sha256=sha,
            kind=doc["kind"],
            title=doc["title"],
            source_path=f"bundle:{doc['file_name']}",
            file_name=doc["file_name"],
            size=doc["size"],
            imported_at=now(),
            text=fresh[sha].text,
            page_spans=list(fresh[sha].page_spans),
            author=doc["author"],
            published=date.fromisoformat(doc["published"]) if doc["published"] else None,
            site=doc["site"],
            needs_ocr=fresh[sha].needs_ocr,
            metadata=doc["metadata"],
            revisions={k: v for k, v in doc.get("revisions", {}).items() if k in DOCUMENT_FIELDS},
            extractor=extractor_version(),  # extracted here, or carried from the same version (_trusted_texts)
        )
        ids[sha] = archive.documents.insert(new)
        touched.add(ids[sha])
        report.documents_added.append(doc["title"])
    return ids


def _fields(archive, data: dict, ids: dict[str, int], report: MergeReport, touched: set[int]) -> None:
    """Each edited field of a document we had (``ids``: those we had before this merge) by the three-way
    decision (:func:`compare_fields`) on its versions: a newer value there is taken, ours stays where only ours
    changed, and where both changed theirs is kept on the review list beside ours. A bundle from before fields
    had revisions (format 1) carries none: ours stay. ``field_versions`` (a newsroom server's, never a bundle's)
    are more values of a field that another copy kept for review: merged the same way, so that each copy lists
    them (a value a settled field went through loses on its own)."""
    store = archive.documents
    offered = [
        (doc["sha256"], FieldVersion(name, doc[name], at["revision"], at["history"]))
        for doc in data["documents"]
        if "revisions" in doc
        for name in DOCUMENT_FIELDS
        for at in [doc["revisions"].get(name, {"revision": 1, "history": []})]
    ]
    for kept in data.get("field_versions", []):
        offered.append((kept["sha256"], FieldVersion(kept["field"], kept["value"], kept["revision"], kept["history"])))
    for sha, theirs in offered:
        if sha not in ids:
            continue
        doc = store.get(ids[sha])
        ours = doc.field_version(theirs.name)
        outcome = compare_fields(ours, theirs)
        if outcome == "theirs":
            taken = replace(theirs, history=_history(ours, theirs))
            store.set_fields(doc.id, [taken], doc.revisions)
            store.drop_conflicts(doc.id, theirs.name, [*taken.history, taken.version])  # settled into it
            if taken.value != ours.value:
                report.fields_updated += 1
                touched.add(doc.id)
        elif outcome == "ours":  # values another copy went through are settled there: off our review list
            store.drop_conflicts(doc.id, theirs.name, theirs.history)
        else:
            review = FIELD_CONFLICT_REVIEW.format(where="another copy", field=_FIELD_NAMES[theirs.name])
            if store.add_conflict(doc.id, theirs, review):
                report.field_conflicts.append(
                    {"sha256": sha, "field": theirs.name, "ours": ours.value, "theirs": theirs.value}
                )


_FIELD_NAMES = {"title": "title", "published": "date", "site": "source"}


def compare_fields(ours: FieldVersion, theirs: FieldVersion) -> str:
    """The decision between two copies of one document field: :func:`_compare`'s, except that of two copies
    with the same value the one at the higher revision is taken (a conflict settled there, which holds the
    other value in its history, so that this copy takes that value off its review list), and that two values
    nobody edited (the titles two imports of one file found) settle on the lower version, not on review; for a
    newsroom server to take the same decision on a push."""
    if ours.version == theirs.version:
        return "theirs" if theirs.revision > ours.revision else "ours"
    if ours.revision == theirs.revision == 1:  # edited on neither side: two imports of one file; both copies
        return "theirs" if theirs.version < ours.version else "ours"  # settle on the same value, unasked
    return _compare(ours, theirs)


def compare_tags(ours: tuple[bool, str] | None, theirs: tuple[bool, str]) -> str:
    """Which side's state of one tag to keep, each ``(removed, when)``: ``(False, created_at)`` for a tag that
    is there, ``(True, removed_at)`` for its tombstone, None for a side that never had it. The later addition
    or removal wins; at the same second a removal does (timestamps are to the second). ``"ours"`` or
    ``"theirs"``; the same decision for a bundle merge, a pull and the server taking a push."""
    if ours is None:
        return "theirs"
    if theirs[1] != ours[1]:
        return "theirs" if theirs[1] > ours[1] else "ours"
    return "theirs" if theirs[0] and not ours[0] else "ours"


def _tags(archive, docs: list[dict], ids: dict[str, int], texts: dict, report: MergeReport, touched: set[int]) -> None:
    """Tags and tag removals (``removed_tags``, none in a bundle of format 1) by :func:`compare_tags`."""
    store = TagStore(archive.conn)
    for doc in docs:
        doc_id = ids[doc["sha256"]]
        live = {_key(t): t for t in store.for_document(doc_id)}
        dead = {_key(t): t for t in store.removed([doc_id])[doc_id]}
        for tag, removed in [(t, False) for t in doc["tags"]] + [(t, True) for t in doc.get("removed_tags", [])]:
            if tag["start"] is not None and doc["sha256"] in texts:
                theirs, ours = texts[doc["sha256"]]
                placed = reanchor(make_anchor(theirs, tag["start"], tag["end"]), ours)
                if placed is None:
                    report.tags_not_placed += not removed  # its passage is not in our text of the document
                    continue
                tag = {**tag, "start": placed.start, "end": placed.end, "quote": ours[placed.start : placed.end]}
            incoming = Tag(
                0, doc_id, tag["jurisdiction"], tag["stance_set"], tag["stance"], tag["start"], tag["end"],
                tag["quote"], (tag.get("created_by") or ANONYMOUS), tag["removed_at"] if removed else tag["created_at"],
                tag.get("from_suggestion", False),
            )  # fmt: skip
            key = _key(incoming)
            here = live.get(key) or dead.get(key)
            ours_state = None if here is None else (key not in live, here.created_at)
            if compare_tags(ours_state, (removed, incoming.created_at)) == "ours":
                report.tags_existing += not removed
                continue
            if removed:
                if key in live:
                    store.remove([live.pop(key).id], incoming.created_at)
                    report.tags_removed += 1
                    touched.add(doc_id)
                else:
                    store.bury(incoming, incoming.created_at)  # so that it travels on, and no old copy brings it back
                dead[key] = incoming
            else:
                if store.add(incoming):
                    report.tags_added += 1
                    touched.add(doc_id)
                else:
                    report.tags_existing += 1  # the same tag, added later there
                live[key] = incoming
                dead.pop(key, None)


def _key(tag: Tag) -> tuple:
    return (tag.jurisdiction, tag.stance_set, tag.stance, tag.start, tag.end)


def _on_local_text(annotation: Annotation, texts: dict, sha: str) -> Annotation:
    """The annotation anchored on our stored text of its document, or marked for review."""
    if sha not in texts:
        return annotation
    ours = texts[sha][1]
    placed = reanchor(annotation.anchor, ours)
    if placed is None:
        return replace(
            annotation,
            review="imported from a bundle whose text of this document differs from ours; "
            f"the quote was not found: “{annotation.exact[:80]}”",
        )
    return annotation.placed_at(make_anchor(ours, placed.start, placed.end))


def _annotations(
    archive, items: list[dict], ids: dict[str, int], texts: dict, report: MergeReport, touched: set[int]
) -> None:
    store = AnnotationStore(archive.conn)
    for item in items:
        fields = dict(item["dossier:fields"])
        sha = item["target"]["source"].removeprefix("urn:sha256:")
        theirs = Annotation(doc_id=ids[sha], **{**fields, "creator": fields["creator"] or ANONYMOUS})
        if store.purged(theirs.uuid):  # deleted for good here: an older copy must not come back
            report.annotations_unchanged += 1
            continue
        ours = store.get(theirs.uuid)
        if ours is not None and ours.doc_id != theirs.doc_id:
            raise BadBundle(f"Annotation {ours.uuid} belongs to another document here; the bundle is inconsistent.")
        if ours is not None and item.get("dossier:noteWithheld"):
            theirs = replace(theirs, note=ours.note)  # the sender left the note out, it did not empty it
        if ours is None and theirs.deleted:  # a deletion of something we never had: nothing to do
            report.annotations_unchanged += 1
            continue
        theirs = _on_local_text(theirs, texts, sha)
        if ours is None:
            store.put(theirs)
            report.annotations_added += 1
            touched.add(theirs.doc_id)
            continue
        outcome = _compare(ours, theirs)
        if outcome == "theirs":
            store.put(_taken(ours, theirs))
            report.annotations_updated += 1
            touched.add(theirs.doc_id)
        elif outcome == "ours" or theirs.deleted:  # an edit here outweighs a deletion there
            report.annotations_unchanged += 1
        else:
            copy = replace(
                theirs,
                uuid=str(uuids.uuid5(uuids.UUID(theirs.uuid), theirs.version)),  # the same bundle again: same copy
                review="a bundle changed this annotation here too: this is the bundle's version; keep one of the two",
                conflict_of=ours.uuid,
            )
            if store.get(copy.uuid) is None and not store.purged(copy.uuid):
                store.put(copy)
                touched.add(copy.doc_id)
                report.conflicts.append({"uuid": ours.uuid, "copy": copy.uuid, "quote": ours.exact[:80]})
            else:
                report.annotations_unchanged += 1


def _taken(ours: Annotation, theirs: Annotation) -> Annotation:
    """``theirs`` as it replaces ``ours``: a deletion trashes ours with its content; where their history stops
    short (a bundle from before histories) ours fills it in; and a private note of ours is never replaced or
    made public by a merge (a private note is each archive's own: it is not part of the version)."""
    history = _history(ours, theirs)
    if theirs.deleted:
        return replace(
            ours, deleted=theirs.deleted, revision=theirs.revision, modified=theirs.modified, history=history
        )
    taken = replace(
        theirs,
        doc_id=ours.doc_id,
        creator=ours.creator,  # who made it does not change with an edit (ours is empty when it was made here)
        history=history,
        review=ours.review if ours.review else theirs.review,
    )
    if ours.private and ours.note and (taken.note != ours.note or not taken.private):
        taken = taken.revised(now(), note=ours.note, private=True)
    return taken


def _history(ours: Versioned, theirs: Versioned) -> list[str]:
    """Their history, with our versions where theirs does not reach back."""
    history = []
    for revision in range(theirs.revision - 1, 0, -1):
        version = theirs.version_at(revision) or ours.version_at(revision)
        if version is None:
            break
        history.append(version)
    return history[::-1]


def _compare(ours: Versioned, theirs: Versioned) -> str:
    """Which copy (of an annotation, or of one document field) to keep: ``"ours"``, ``"theirs"``, or
    ``"conflict"`` when both changed since the last revision at which they agreed (a three-way merge on the
    versions in their histories, aligned by revision). A side that changed and changed back counts as
    unchanged; one whose version the other went through (it took that version over, at another revision) is
    older. Copies whose histories never overlap (edited before
    Dossier kept histories) fall back to the higher revision."""
    if ours.version == theirs.version:
        return "ours"
    mine, yours = _known(ours), _known(theirs)
    shared = [r for r in mine if r in yours and mine[r] == yours[r]]
    if shared:
        base = mine[max(shared)]
        ours_changed, theirs_changed = mine[ours.revision] != base, yours[theirs.revision] != base
        if not (ours_changed and theirs_changed):
            return "theirs" if theirs_changed else "ours"
    if ours.version in theirs.history:
        return "theirs"
    if theirs.version in ours.history:
        return "ours"
    if shared or ours.revision == theirs.revision:
        return "conflict"
    return "theirs" if theirs.revision > ours.revision else "ours"


def compare_versions(ours: Versioned, theirs: Versioned) -> str:
    """The merge's decision between two copies of one annotation or document field, for a newsroom server to
    take the same one:
    ``"ours"``, ``"theirs"`` or ``"conflict"`` (see :func:`_compare`)."""
    return _compare(ours, theirs)


def history_of(ours: Versioned, theirs: Versioned) -> list[str]:
    """The history ``theirs`` keeps when it replaces ``ours`` (see :func:`_history`)."""
    return _history(ours, theirs)


def _known(copy: Versioned) -> dict[int, str]:
    """Its versions by revision, as far back as its history goes."""
    return {r: copy.version_at(r) for r in range(copy.first_revision, copy.revision + 1)}
