"""Export documents with their tags and annotations as a zipped BagIt bag (see notes/bundle-spec.md).

The bag is built in a temporary folder beside the output, zipped to ``<out>.partial`` and only then moved
to its final name, so a failed or interrupted export never leaves a half bundle where the user looks.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import shutil
import tempfile
import time
import zipfile
import zlib
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import bagit

from app.authorship import own_names
from app.bundles.limits import FIXED_MEMBERS, excess
from app.bundles.report import Entry, ReportDocument, ReportHeader, render_report
from app.bundles.schemas import FORMAT, VERSION, W3C_CONTEXT, original_name
from app.bundles.signing import sign_bag
from app.errors import DossierError
from app.jurisdictions.gazetteer import Gazetteer
from app.models import DOCUMENT_FIELDS, Annotation, Document, Tag, stance_labels

BAG_NAME = "dossier-bundle"
CSV_COLUMNS = (
    "uuid", "document title", "document sha256", "page", "start", "end", "quote", "note", "colour", "tags",
    "jurisdiction", "jurisdiction id", "stance", "created", "modified", "revision",
)  # fmt: skip
_CHUNK = 1 << 20


@dataclass
class ExportReport:
    """What went into a bundle."""

    path: Path
    documents: int
    annotations: int
    tags: int
    private_notes_left_out: int

    def to_json(self) -> dict:
        """The CLI's ``export --json`` shape."""
        return {**dataclasses.asdict(self), "path": str(self.path)}


@dataclass
class _Item:
    """One exported document with what belongs to it."""

    doc: Document
    tags: list[Tag]
    annotations: list[Annotation]
    spans: list[tuple[int, int]]
    trashed: list[Annotation] = dataclasses.field(default_factory=list)  # tombstones, so deletions merge too
    removed: list[Tag] = dataclasses.field(default_factory=list)  # removed tags (``created_at``: when), likewise


def export_bundle(
    archive,
    doc_ids: list[int],
    out: Path,
    *,
    query: str = "",
    include_private_notes: bool = False,
    overwrite: bool = False,
    signed_as: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    """Write the documents ``doc_ids`` (originals, texts, tags, live annotations, a report) to the zip ``out``.

    ``query`` describes the selection for the record (a search, or "all"); empty means "these ids".
    Private notes stay out unless ``include_private_notes``; even then only annotations.jsonld carries them,
    never report.html or annotations.csv. An existing ``out`` is replaced only with ``overwrite``. The
    exporter is named only as ``signed_as`` (the user's "Sign bundles as"; empty: unsigned), and so are the
    annotations and tags made in this archive: the login name never goes out.
    ``progress(done, total)`` is called as originals are copied and zipped."""
    ids = sorted(set(doc_ids))
    if not ids:
        raise DossierError("Nothing to export: select documents, or give a search (--query), --ids or --all.")
    out = Path(out)
    if out.suffix == ".partial":
        raise DossierError(f"Choose another name than {out.name}: .partial is for unfinished bundles.")
    if not out.parent.is_dir():
        raise DossierError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    if out.exists() and not overwrite:
        raise DossierError(f"{out} already exists: choose another name, or replace it (--force).")
    items, left_out = _collect(archive, ids, include_private_notes, signed_as)
    originals = {f"data/documents/{item.doc.sha256}": item.doc.size for item in items}
    _within_limits(originals, 2 * len(items) + FIXED_MEMBERS)  # before anything is written
    steps = _Steps(progress, 2 * len(items) + 1)
    now = datetime.now(UTC).replace(microsecond=0)
    header = ReportHeader(
        exported_by=signed_as,
        exported_at=now.isoformat(),
        query=query or _ids_label(ids),
        documents=len(items),
        annotations=sum(len(i.annotations) for i in items),
        tags=sum(len(i.tags) for i in items),
        private_notes_included=include_private_notes,
        private_notes_left_out=left_out,
    )
    info = {
        "Source-Organization": "Dossier",
        **({"Contact-Name": signed_as} if signed_as else {}),
        "Bagging-Date": now.date().isoformat(),
        "External-Description": "Dossier annotated bundle",
        "Dossier-Format": str(VERSION),
        "Dossier-Query": header.query,
        "Dossier-Documents": str(header.documents),
        "Dossier-Annotations": str(header.annotations),
        "Dossier-Tags": str(header.tags),
        "Dossier-Exported-At": header.exported_at,
        "Dossier-Private-Notes": "included" if include_private_notes else "left out",
        "Dossier-Private-Notes-Left-Out": str(left_out),
    }
    partial = out.with_suffix(".partial")
    workdir = Path(tempfile.mkdtemp(prefix=".dossier-export-", dir=out.parent))
    try:
        bag = workdir / BAG_NAME
        _write_payload(archive, items, bag, header, steps)
        bagit.make_bag(str(bag), info, checksums=["sha256"])
        _within_limits({p.relative_to(bag).as_posix(): p.stat().st_size for p in bag.rglob("*") if p.is_file()})
        if signed_as:
            sign_bag(bag, signed_as)
        steps.step()
        _zip(bag, partial, now, steps)
        os.replace(partial, out)
    except (OSError, bagit.BagError) as exc:
        raise DossierError(f"Could not write the bundle {out}: {exc}. Check the disk space and the folder.") from exc
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return ExportReport(out, len(items), header.annotations, header.tags, left_out)


def sync_records(archive, doc_ids: list[int], signed_as: str) -> tuple[dict, list[dict]]:
    """What a bundle of ``doc_ids`` would carry, for a newsroom sync to push: documents.json's content (the
    documents with their tags, the custom jurisdictions and stance sets they use) and, per live or trashed
    annotation, ``{"sha256", "fields", "withheld"}``. Exactly the bundle's privacy: private notes blanked
    (``withheld``), conflict copies left out, what was made here signed ``signed_as``."""
    items, _left_out = _collect(archive, sorted(set(doc_ids)), False, signed_as)
    documents = _documents_json(items, archive.gazetteer, archive.stance_sets())
    annotations = [
        {"sha256": item.doc.sha256, "fields": _fields(a), "withheld": a.private}
        for item in items
        for a in item.annotations + item.trashed
    ]
    return documents, annotations


def _within_limits(sizes: dict[str, int], members: int | None = None) -> None:
    """Refuse, with the reason, a bundle that verification would refuse (:mod:`app.bundles.limits`)."""
    reason = excess(sizes, members)
    if reason is not None:
        raise DossierError(
            f"This bundle cannot be made: {reason}, and Dossier refuses larger bundles when importing them. "
            "Export fewer documents at a time (a narrower search or selection) to make several smaller bundles."
        )


class _Steps:
    """Counts finished steps for the caller's progress callback."""

    def __init__(self, progress: Callable[[int, int], None] | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)


def _collect(archive, ids: list[int], include_private_notes: bool, signed_as: str) -> tuple[list[_Item], int]:
    """Documents with their tags and live annotations, what was made here signed ``signed_as``; private notes
    blanked unless included. Returns the items and how many notes were left out. Histories travel: their version
    hashes never cover a private note."""
    items, left_out = [], 0
    sign = _Signer(signed_as)
    for doc_id in ids:
        annotations = [  # without the copies on a choice still to make here
            dataclasses.replace(a, creator=sign(a.creator)) for a in archive.annotations(doc_id) if not a.conflict_of
        ]
        if not include_private_notes:
            left_out += sum(1 for a in annotations if a.private and a.note)
            annotations = [dataclasses.replace(a, note="") if a.private else a for a in annotations]
        doc = archive.document(doc_id)
        # deleted annotations travel as tombstones (the passage, never the note or tags), so deletions merge
        trashed = [
            dataclasses.replace(a, note="", tags=[], creator=sign(a.creator))
            for a in archive.annotations(doc_id, trash=True)
            if not a.conflict_of
        ]
        tags = [dataclasses.replace(tag, created_by=sign(tag.created_by)) for tag in archive.tags(doc_id)]
        removed = archive.removed_tags(doc_id)
        if any(tag.start is not None for tag in tags + removed):  # the text is read again when written: if needed
            text = archive.text(doc_id)
            tags = [_placed(tag, text) for tag in tags]
            removed = [tag for tag in removed if tag.start is None or text[tag.start : tag.end] == tag.quote]
        items.append(_Item(doc, tags, annotations, archive.page_spans(doc_id), trashed, removed))
    return items, left_out


class _Signer:
    """Who made an annotation or a tag, as a bundle names them: what was made here (no name, or the login name
    archives recorded before) is signed with the exporter's chosen name; a colleague's name stays theirs."""

    def __init__(self, signed_as: str) -> None:
        self.signed_as = signed_as
        self.own = own_names()

    def __call__(self, name: str) -> str:
        return self.signed_as if name in self.own else name


def _write_payload(archive, items: list[_Item], bag: Path, header: ReportHeader, steps: _Steps) -> None:
    """The payload files, in the folder that ``make_bag`` then moves into ``data/``."""
    (bag / "documents").mkdir(parents=True)
    (bag / "text").mkdir()
    for item in items:
        _copy_original(archive, item.doc, bag / "documents" / original_name(item.doc.sha256, item.doc.kind))
        (bag / "text" / f"{item.doc.sha256}.txt").write_bytes(archive.text(item.doc.id).encode("utf-8"))
        steps.step()
    gazetteer = archive.gazetteer
    stance_sets = archive.stance_sets()
    documents = _documents_json(items, gazetteer, stance_sets)
    (bag / "documents.json").write_bytes(_json_bytes(documents))
    withheld = {"dossier:noteWithheld": True}  # the receiver keeps its own note instead of this blank one
    annotations = [
        {
            **a.to_w3c(item.doc.sha256),
            "dossier:fields": _fields(a),
            **(withheld if a.private and not header.private_notes_included else {}),
        }
        for item in items
        for a in item.annotations + item.trashed
    ]
    collection = {"@context": W3C_CONTEXT, "type": "AnnotationCollection", "total": len(annotations),
                  "items": annotations}  # fmt: skip
    (bag / "annotations.jsonld").write_bytes(_json_bytes(collection))
    (bag / "annotations.csv").write_bytes(_csv_bytes(items, gazetteer, stance_labels(stance_sets)))
    html = render_report(header, _report_documents(items), _entries(items), gazetteer, stance_sets)
    (bag / "report.html").write_bytes(html.encode("utf-8"))


def _copy_original(archive, doc: Document, target: Path) -> None:
    """Copy a blob, checking on the way that it still hashes to its name."""
    digest = hashlib.sha256()
    try:
        with open(archive.original_path(doc.id), "rb") as src, open(target, "wb") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
    except FileNotFoundError as exc:
        raise DossierError(
            f"The original of document {doc.id} ({doc.title}) is missing from the archive; run `dossier check`."
        ) from exc
    if digest.hexdigest() != doc.sha256:
        raise DossierError(
            f"The original of document {doc.id} ({doc.title}) is damaged (its checksum changed); "
            "run `dossier check`, or leave it out of the export."
        )


def _documents_json(items: list[_Item], gazetteer: Gazetteer, stance_sets) -> dict:
    used = [t.jurisdiction for i in items for t in i.tags] + [
        a.jurisdiction for i in items for a in i.annotations if a.jurisdiction
    ]
    sets = {t.stance_set for i in items for t in i.tags} | {a.stance_set for i in items for a in i.annotations}
    return {
        "format": FORMAT,
        "version": VERSION,
        "documents": [_document(item, gazetteer) for item in items],
        "jurisdictions": _custom_jurisdictions(used, gazetteer),
        "stance_sets": [_stance_set(s) for s in stance_sets if s.id in sets],
    }


def _stance_set(stance_set) -> dict:
    # who may hold a stance (holders) steers this archive's suggestions only: bundles keep the format older
    # Dossiers read (their schema allows no other key)
    stances = [
        {k: v for k, v in dataclasses.asdict(s).items() if k not in ("set_id", "holders")} for s in stance_set.stances
    ]
    return {"id": stance_set.id, "topic": stance_set.topic, "stances": stances}


def _document(item: _Item, gazetteer: Gazetteer) -> dict:
    doc = item.doc
    return {
        "sha256": doc.sha256,
        "kind": doc.kind,
        "title": doc.title,
        "author": doc.author,
        "published": doc.published.isoformat() if doc.published else None,
        "site": doc.site,
        "file_name": doc.file_name,
        "size": doc.size,
        "pages": doc.pages,
        "page_spans": [[start, end] for start, end in item.spans],
        "needs_ocr": doc.needs_ocr,
        "metadata": dict(doc.metadata),
        "tags": [
            {"jurisdiction": t.jurisdiction, "jurisdiction_name": _name(t.jurisdiction, gazetteer),
             "stance_set": t.stance_set, "stance": t.stance, "start": t.start, "end": t.end, "quote": t.quote,
             "created_by": t.created_by, "created_at": t.created_at, "from_suggestion": t.from_suggestion}
            for t in item.tags
        ],
        "revisions": {name: at for name, at in doc.revisions.items() if name in DOCUMENT_FIELDS},
        "removed_tags": [
            {"jurisdiction": t.jurisdiction, "stance_set": t.stance_set, "stance": t.stance, "start": t.start,
             "end": t.end, "quote": t.quote, "removed_at": t.created_at}
            for t in item.removed
        ],
        "extractor": doc.extractor,
    }  # fmt: skip


def _custom_jurisdictions(used: list[str], gazetteer: Gazetteer) -> list[dict]:
    """Custom jurisdictions used (and their custom parents), each after its parent."""
    builtin = Gazetteer.load()
    out: dict[str, dict] = {}
    for jid in sorted(set(used)):
        chain = [gazetteer.get(jid), *gazetteer.ancestors(jid)]
        for j in reversed([j for j in chain if j is not None and j.id not in builtin]):
            out.setdefault(j.id, {"id": j.id, "name": j.name, "level": j.level, "parent": j.parent, "state": j.state})
    return list(out.values())


def _placed(tag, text: str):
    """The tag, or, when its passage was not found again after a re-extraction, the same tag on the document."""
    if tag.start is None or text[tag.start : tag.end] == tag.quote:
        return tag
    return dataclasses.replace(tag, start=None, end=None, quote="")


def _fields(annotation: Annotation) -> dict:
    fields = annotation.to_json()
    del fields["doc_id"]
    return fields


def _csv_bytes(items: list[_Item], gazetteer: Gazetteer, labels: dict[str, str]) -> bytes:
    """One row per annotation; cells that a spreadsheet would run as a formula get a leading apostrophe."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        for a in item.annotations:
            stance = f"{a.stance_set}/{a.stance}" if a.stance else ""
            jurisdiction = _name(a.jurisdiction, gazetteer) if a.jurisdiction else ""
            writer.writerow(
                [a.uuid, _cell(item.doc.title), item.doc.sha256, a.page or "", a.start, a.end, _cell(a.exact),
                 _cell(_shared_note(a)), a.colour, _cell(";".join(a.tags)), _cell(jurisdiction), a.jurisdiction or "",
                 _cell(labels.get(stance, stance)), a.created, a.modified, a.revision]
            )  # fmt: skip
    return buffer.getvalue().encode("utf-8-sig")


def _shared_note(annotation: Annotation) -> str:
    """The note as report.html and the CSV show it: a private note never goes there, even when the bundle
    carries it (those files are made to be passed on)."""
    return "" if annotation.private else annotation.note


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _report_documents(items: list[_Item]) -> list[ReportDocument]:
    """Every exported document as the report lists it, with the bag-relative paths of its files."""
    return [
        ReportDocument(
            sha256=i.doc.sha256, title=i.doc.title, kind=i.doc.kind, site=i.doc.site,
            date=i.doc.published.isoformat() if i.doc.published else "", file_name=i.doc.file_name,
            original=f"documents/{original_name(i.doc.sha256, i.doc.kind)}", text=f"text/{i.doc.sha256}.txt",
        )
        for i in items
    ]  # fmt: skip


def _entries(items: list[_Item]) -> list[Entry]:
    """Evidence for the report, per document in text order: whole-document tags, then annotations and
    passage tags."""
    out = []
    for item in items:
        doc = item.doc
        date = doc.published.isoformat() if doc.published else ""
        found = [
            Entry(a.jurisdiction, f"{a.stance_set}/{a.stance}" if a.stance else None, a.exact, _shared_note(a),
                  doc.title, a.page, date, a.start, doc.sha256)
            for a in item.annotations
        ] + [
            Entry(t.jurisdiction, f"{t.stance_set}/{t.stance}" if t.stance else None, t.quote, "", doc.title,
                  _page_of(item.spans, t.start) if t.start is not None else None, date, t.start, doc.sha256)
            for t in item.tags
        ]  # fmt: skip
        out += sorted(found, key=lambda e: -1 if e.start is None else e.start)
    return out


def _page_of(spans: list[tuple[int, int]], offset: int) -> int | None:
    if not spans:
        return None
    return max(bisect_right([start for start, _ in spans], offset), 1)


def _name(jid: str, gazetteer: Gazetteer) -> str:
    found = gazetteer.get(jid)
    return found.display if found else jid


def _ids_label(ids: list[int]) -> str:
    shown = ",".join(map(str, ids[:50]))
    return f"ids {shown}" if len(ids) <= 50 else f"ids {shown},... ({len(ids)} documents)"


def _json_bytes(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _zip(bag: Path, target: Path, now: datetime, steps: _Steps) -> None:
    """Zip the bag under one top folder, members sorted, all dated ``now``; incompressible files stored."""
    stamp = time.localtime(now.timestamp())[:6]
    files = {f"{BAG_NAME}/{p.relative_to(bag).as_posix()}": p for p in bag.rglob("*") if p.is_file()}
    with open(target, "wb") as raw:
        with zipfile.ZipFile(raw, "w") as zf:
            for name, path in sorted(files.items()):
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.file_size = path.stat().st_size
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED if _compressible(path) else zipfile.ZIP_STORED
                with open(path, "rb") as src, zf.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK)
                if path.parent.name == "documents":
                    steps.step()
        raw.flush()
        os.fsync(raw.fileno())


def _compressible(path: Path) -> bool:
    """Whether deflating pays: already-compressed originals (PDF streams, DOCX, images) are stored as is."""
    with open(path, "rb") as f:
        sample = f.read(1 << 16)
    return len(sample) < 64 or len(zlib.compress(sample, 1)) < 0.9 * len(sample)
