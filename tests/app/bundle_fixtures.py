"""Small Dossier bundles built directly with bagit (not with the export code), and ways to spoil them."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import bagit

from app.models import Annotation

TOP = "dossier-bundle"
AUSTIN = "ocd-division/country:us/state:tx/place:austin"
TEXTS = {
    "Council minutes": "The city council voted to ban plastic bags.\n\nThe ban starts in June.",
    "Budget memo": "The county budget adds two clinics.",
}
UUID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def original_bytes(title: str) -> bytes:
    """The 'original' of a document: here simply its text as a file."""
    return f"{title}\n{TEXTS[title]}\n".encode()


def make_bag(root: Path) -> Path:
    """A valid bag folder ``root/dossier-bundle``: two documents, their texts, one tag and one annotation."""
    bag = root / TOP
    (bag / "documents").mkdir(parents=True)
    (bag / "text").mkdir()
    docs = []
    for title, text in TEXTS.items():
        data = original_bytes(title)
        sha = sha256(data)
        (bag / "documents" / sha).write_bytes(data)
        (bag / "text" / f"{sha}.txt").write_bytes(text.encode())
        docs.append(_document(sha, title, len(data), text))
    first = docs[0]["sha256"]
    text = TEXTS["Council minutes"]
    start = text.index("ban plastic")
    note = Annotation(UUID, 1, start, start + 17, "ban plastic bags.", text[:start], "", note="key vote")
    item = note.to_w3c(first)
    item["dossier:fields"] = {k: v for k, v in note.to_json().items() if k != "doc_id"}
    _write_json(bag / "documents.json", {**_vocabularies(), "documents": docs})
    _write_json(bag / "annotations.jsonld", _collection([item]))
    (bag / "annotations.csv").write_text("uuid,quote\n" + f"{UUID},ban plastic bags.\n", encoding="utf-8-sig")
    (bag / "report.html").write_text("<!doctype html><title>Report</title><p>ban plastic bags.</p>")
    info = {
        "Source-Organization": "Dossier",
        "Contact-Name": "Ana",
        "External-Description": "Dossier annotated bundle",
        "Dossier-Format": "1",
        "Dossier-Query": "all",
        "Dossier-Documents": "2",
        "Dossier-Annotations": "1",
        "Dossier-Private-Notes": "included",
    }
    bagit.make_bag(str(bag), info, checksums=["sha256"])
    return bag


def _document(sha: str, title: str, size: int, text: str) -> dict:
    tag = {
        "jurisdiction": AUSTIN,
        "jurisdiction_name": "Austin, TX",
        "stance_set": "bags",
        "stance": "ban",
        "start": 0,
        "end": 8,
        "quote": text[:8],
        "created_by": "ana",
        "created_at": "2025-01-02T03:04:05+00:00",
        "from_suggestion": False,
    }
    return {
        "sha256": sha,
        "kind": "text",
        "title": title,
        "author": "",
        "published": "2025-01-02",
        "site": "",
        "file_name": f"{title}.txt",
        "size": size,
        "pages": None,
        "page_spans": [],
        "needs_ocr": False,
        "metadata": {},
        "tags": [tag],
    }


def _vocabularies() -> dict:
    stance = {
        "id": "ban",
        "label": "Ban",
        "description": "",
        "colour": "#c00",
        "rules": [{"kind": "any", "pattern": "ban"}],
    }
    return {
        "format": "dossier-bundle",
        "version": 1,
        "jurisdictions": [
            {
                "id": "ocd-division/country:us/state:tx/neighborhood:riverside",
                "name": "Riverside",
                "level": "neighborhood",
                "parent": "ocd-division/country:us/state:tx",
                "state": "TX",
            }
        ],
        "stance_sets": [{"id": "bags", "topic": "Plastic bags", "stances": [stance]}],
    }


def _collection(items: list[dict]) -> dict:
    context = "http://www.w3.org/ns/anno.jsonld"
    return {"@context": context, "type": "AnnotationCollection", "total": len(items), "items": items}


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def rebag(bag: Path) -> None:
    """Recompute the manifests, tag manifest and Payload-Oxum, as a forger would after tampering."""
    bagit.Bag(str(bag)).save(manifests=True)


def retag(bag: Path) -> None:
    """Recompute only the tag manifest (after editing the payload manifest by hand)."""
    lines = [
        f"{sha256((bag / name).read_bytes())}  {name}\n"
        for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt")
    ]
    (bag / "tagmanifest-sha256.txt").write_text("".join(lines))


def edit_json(bag: Path, name: str, change: Callable[[dict], None]) -> None:
    """Change data/<name> in place and recompute every manifest."""
    path = bag / "data" / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    _write_json(path, data)
    rebag(bag)


def bag_entries(bag: Path) -> list[tuple[str, bytes]]:
    """(zip name, content) of every file of the bag, names under ``dossier-bundle/``."""
    files = sorted(p for p in bag.rglob("*") if p.is_file())
    return [(f"{TOP}/{p.relative_to(bag).as_posix()}", p.read_bytes()) for p in files]


def write_zip(out: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    """Write ``entries`` as given (hostile names, duplicates and attributes included), deflated."""
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # "Duplicate name" is what some tests want
        for name, data in entries:
            archive.writestr(name, data)
    return out


def zip_bag(bag: Path, out: Path) -> Path:
    return write_zip(out, bag_entries(bag))


def valid_bundle(root: Path) -> Path:
    """A bundle zip that passes verification."""
    return zip_bag(make_bag(root / "src"), root / "bundle.zip")


_CENTRAL = struct.Struct("<4s6H3L5H2L")  # a central directory record's fixed 46 bytes


def patch_central(data: bytes, name: str, *, file_size: int | None = None, offset: int | None = None) -> bytes:
    """Rewrite the declared size or the local header offset of member ``name`` in the central directory."""
    start = zipfile.ZipFile(io.BytesIO(data)).start_dir
    out = bytearray(data)
    while data[start : start + 4] == b"PK\x01\x02":
        fields = list(_CENTRAL.unpack_from(data, start))
        n, m, k = fields[10], fields[11], fields[12]
        if data[start + 46 : start + 46 + n].decode() == name:
            fields[9] = fields[9] if file_size is None else file_size
            fields[-1] = fields[-1] if offset is None else offset
            _CENTRAL.pack_into(out, start, *fields)
            return bytes(out)
        start += 46 + n + m + k
    raise KeyError(name)


def local_offset(data: bytes, name: str) -> int:
    return zipfile.ZipFile(io.BytesIO(data)).getinfo(name).header_offset


def flip_a_byte(bundle: Path, out: Path, member: str) -> Path:
    """A copy of the zip ``bundle`` with one byte changed in the members whose names start with ``member``
    and the manifests left as they were, as damage in transit or an edit by hand leaves them."""
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith(f"{TOP}/{member}"):
                data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
            target.writestr(info, data)
    return out
