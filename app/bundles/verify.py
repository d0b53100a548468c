"""Verify an incoming bundle completely before anything of it can reach the archive.

The bundle is untrusted. Its zip central directory is checked before any member is read; members are
then copied one by one into a fresh temporary folder, under paths rebuilt from a strict allow-list of the
format's names; finally the bag is validated in full: BagIt (every checksum, the tag manifest), our own
manifest path rules, originals named by their sha256, JSON Schemas and the cross-references between
documents, texts and annotations. Any failure raises :class:`BadBundle` and leaves no file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import mmap
import re
import shutil
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import bagit
import jsonschema
from jsonschema.exceptions import best_match

from app.bundles.damage import describe, details, unreadable
from app.bundles.limits import ZIP_LIMITS, member_cap
from app.bundles.references import check_references
from app.bundles.schemas import (
    ANNOTATIONS_SCHEMA,
    DOCUMENTS_SCHEMA,
    ORIGINAL_SUFFIXES,
    READABLE_VERSIONS,
    VERSION,
    original_name,
)
from app.bundles.signing import SIGNATURE, SIGNER, UNSIGNED, Signer, check_signature
from app.bundles.validation import check_file_names, open_regular, owner
from app.errors import BadBundle
from indexer.zipsafety import UnsafeZip, ZipLimits, check_members

TOP = "dossier-bundle"
FORMATS = tuple(str(v) for v in READABLE_VERSIONS)

_RESEND = "Ask the sender to export it again."
_NOT_BUNDLE = "This is not a Dossier bundle: choose a .zip file made with Dossier's Export bundle."
_UNSAFE = "The file may be malicious: do not unpack it with other tools; ask the sender to export it again."

_PAYLOAD = (
    r"data/(?:documents\.json|annotations\.jsonld|annotations\.csv|report\.html"
    rf"|documents/[0-9a-f]{{64}}(?:\.(?:{'|'.join(re.escape(s[1:]) for s in ORIGINAL_SUFFIXES.values())}))?"
    r"|text/[0-9a-f]{64}\.txt)"
)
_TAG_FILES = ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt")
_SIGNATURE_FILES = (SIGNATURE, SIGNER)  # beside the tag manifest they sign, so listed in no manifest
_MEMBER = re.compile(
    rf"{TOP}/(?P<rel>bagit\.txt|bag-info\.txt|manifest-sha256\.txt|tagmanifest-sha256\.txt"
    rf"|{'|'.join(map(re.escape, _SIGNATURE_FILES))}|{_PAYLOAD})"
)
_PAYLOAD_PATH = re.compile(_PAYLOAD)
_TAG_PATH = re.compile(r"bagit\.txt|bag-info\.txt|manifest-sha256\.txt")
_FOLDERS = {f"{TOP}/", f"{TOP}/data/", f"{TOP}/data/documents/", f"{TOP}/data/text/"}
_REQUIRED = (*_TAG_FILES, "data/documents.json", "data/annotations.jsonld")
_MANIFEST_LINE = re.compile(r"([0-9a-f]{64}) +(\S+)")
_SHA256 = re.compile(r"[0-9a-f]{64}")

logging.getLogger("bagit").setLevel(logging.CRITICAL)  # its line per damaged file goes to BadBundle.details

_CHUNK = 2**20
_VALIDATORS = {
    "documents.json": jsonschema.Draft202012Validator(DOCUMENTS_SCHEMA),
    "annotations.jsonld": jsonschema.Draft202012Validator(ANNOTATIONS_SCHEMA),
}


@dataclass
class VerifiedBundle:
    """A bundle that passed every check, extracted to a private temporary folder; ``close()`` removes it."""

    folder: Path
    documents: dict
    annotations: dict
    info: dict[str, str]
    signer: Signer = UNSIGNED
    cleanup: Callable[[], object] | None = None  # releases what the folder was made in (its scratch space)
    trusted_texts: frozenset[str] = frozenset()  # documents whose text the carrier vouches for (a sync's checks)

    def text(self, sha256: str) -> str:
        """The stored text of document ``sha256``, exactly as exported."""
        return self._payload("text", f"{sha256}.txt", sha256).read_bytes().decode("utf-8")

    def original_bytes(self, sha256: str) -> bytes:
        """The bytes of the original of document ``sha256``."""
        return self.original(sha256).read_bytes()

    def original(self, sha256: str) -> Path:
        """Path of the original file of document ``sha256`` (inside ``folder``), with or without its suffix."""
        for suffix in ORIGINAL_SUFFIXES.values():
            with contextlib.suppress(KeyError):
                return self._payload("documents", sha256 + suffix, sha256)
        return self._payload("documents", sha256, sha256)

    def close(self) -> None:
        """Remove the extracted bag."""
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.cleanup is not None:
            self.cleanup()

    def __enter__(self) -> VerifiedBundle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _payload(self, folder: str, name: str, sha256: str) -> Path:
        path = self.folder / "data" / folder / name
        if not _SHA256.fullmatch(sha256) or not path.is_file():
            raise KeyError(f"no document {sha256!r} in this bundle")
        return path


def verify_bundle(path: Path, *, limits: ZipLimits | None = None, workdir: Path | None = None) -> VerifiedBundle:
    """Check the bundle at ``path`` completely and return it extracted; raise :class:`BadBundle` otherwise.

    Nothing is extracted before the zip's directory, names and sizes passed; on failure the temporary
    folder (created in ``workdir``, default the system's) is removed again.
    """
    limits = limits or ZIP_LIMITS
    with _checked_zip(Path(path), limits) as archive:
        plan = _plan(archive.infolist(), limits)
        folder = Path(tempfile.mkdtemp(prefix="dossier-bundle-", dir=workdir))
        try:
            _extract(archive, plan, folder, limits)
            return _check_bag(folder, [rel for _, rel in plan])
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise


def _fail(problem: str, advice: str = _RESEND) -> BadBundle:
    return BadBundle(f"{problem}. {advice}")


# --- the zip: directory, names and sizes, then member by member ---------------------------------------


@contextlib.contextmanager
def _checked_zip(path: Path, limits: ZipLimits) -> Iterator[zipfile.ZipFile]:
    """The open zip, after indexer.zipsafety's checks (run on a read-only map, not a copy in memory)."""
    try:
        file = open_regular(path)
    except OSError as exc:
        raise BadBundle(f"Cannot read {path}: {exc.strerror or exc}. Check the file name and try again.") from exc
    with file:
        try:
            view = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError) as exc:  # empty, or not a regular file
            raise _fail(f"{path.name} is empty or not a file", _NOT_BUNDLE) from exc
        with view:
            try:
                archive = zipfile.ZipFile(file)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise _fail(f"{path.name} is not a readable zip archive ({exc})", _NOT_BUNDLE) from exc
            with archive:
                try:
                    _check_raw_entries(archive.infolist())
                    check_members(archive, view, limits)
                except UnsafeZip as exc:
                    raise _fail(f"Unsafe bundle, rejected before anything was extracted: {exc}", _UNSAFE) from exc
                yield archive


def _check_raw_entries(infos: list[zipfile.ZipInfo]) -> None:
    """What zipsafety cannot see: zipfile cuts names at a NUL byte, and offsets can come out negative."""
    for info in infos:
        if "\x00" in info.orig_filename:
            raise UnsafeZip(f"entry name {info.orig_filename!r} contains a NUL byte")
        if info.header_offset < 0:
            raise UnsafeZip(f"entry {info.filename!r} starts before the beginning of the file")


def _plan(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> list[tuple[zipfile.ZipInfo, str]]:
    """Each file member with its path inside the bag, after checking names, encryption, method and size."""
    if not infos:
        raise _fail("The zip archive is empty", _NOT_BUNDLE)
    tops = sorted({info.filename.split("/", 1)[0] for info in infos})
    if tops != [TOP]:
        found = ", ".join(repr(top) for top in tops[:5])
        raise _fail(f"A bundle holds a single folder {TOP!r}; this zip holds {found}", _NOT_BUNDLE)
    plan = []
    for info in infos:
        name = info.filename
        if name in _FOLDERS:
            continue
        if name == f"{TOP}/fetch.txt":
            raise _fail(
                "The bundle has a fetch.txt, asking to download files from elsewhere; Dossier bundles carry all "
                "their files, so it is refused",
                _UNSAFE,
            )
        match = _MEMBER.fullmatch(name)
        if match is None:
            raise _fail(f"The bundle contains {name!r}, which has no place in a Dossier bundle", _UNSAFE)
        if info.flag_bits & 0x1:
            raise _fail(f"Entry {name!r} is encrypted; Dossier bundles are not")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _fail(f"Entry {name!r} uses a compression method Dossier bundles do not use")
        rel = match["rel"]
        if info.file_size > _cap(rel, limits):
            raise _fail(f"Entry {name!r} is too large ({info.file_size} bytes, limit {_cap(rel, limits)})", _UNSAFE)
        plan.append((info, rel))
    present = {rel for _, rel in plan}
    missing = [rel for rel in _REQUIRED if rel not in present]
    if missing:
        raise _fail(f"The bundle is incomplete: it has no {', '.join(missing)}")
    return plan


def _cap(rel: str, limits: ZipLimits) -> int:
    return member_cap(rel, limits)


def _extract(archive: zipfile.ZipFile, plan: list[tuple[zipfile.ZipInfo, str]], folder: Path, limits) -> None:
    """Copy each member to its allow-listed path (never a path taken as-is from the zip); CRC and size checked."""
    for sub in ("documents", "text"):
        (folder / "data" / sub).mkdir(parents=True)
    for info, rel in plan:
        target = folder.joinpath(*rel.split("/"))  # rel matched _MEMBER: fixed folders, hex file names
        cap = _cap(rel, limits)
        copied = 0
        try:
            with archive.open(info) as source, target.open("xb") as out:
                while chunk := source.read(_CHUNK):
                    copied += len(chunk)
                    if copied > cap:
                        raise _fail(f"Entry {info.filename!r} unpacks to more than its limit of {cap} bytes", _UNSAFE)
                    out.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise BadBundle(f"{unreadable(rel, folder)}. {_RESEND}", f"{info.filename}: {exc}") from exc


# --- the bag: manifests, BagIt, originals, JSON, cross-references ----------------------------------------


def _check_bag(folder: Path, names: list[str]) -> VerifiedBundle:
    payload = {rel for rel in names if rel.startswith("data/")}
    _check_listing(folder / "manifest-sha256.txt", _PAYLOAD_PATH, payload)
    _check_listing(folder / "tagmanifest-sha256.txt", _TAG_PATH, set(_TAG_FILES) - {"tagmanifest-sha256.txt"})
    info = _validate_bagit(folder)
    originals = _check_originals(folder, payload)
    lengths = _text_lengths(folder, payload, originals)
    documents = _load_json(folder / "data" / "documents.json")
    annotations = _load_json(folder / "data" / "annotations.jsonld")
    _check_documents(documents, originals, lengths)
    _check_suffixes(documents, payload)
    check_file_names(documents)
    _check_annotations(annotations, lengths)
    bundle = VerifiedBundle(folder, documents, annotations, info, check_signature(folder))
    check_references(documents, annotations, bundle.text)
    return bundle


def _check_listing(manifest: Path, allowed: re.Pattern, present: set[str]) -> None:
    """Our own rules on a manifest's raw lines: safe, expected paths, each file listed exactly once."""
    name = manifest.name
    try:
        lines = manifest.read_bytes().decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise _fail(f"{name} is not UTF-8 text") from exc
    listed: set[str] = set()
    for line in filter(None, (line.removesuffix("\r") for line in lines)):
        match = _MANIFEST_LINE.fullmatch(line)
        if match is None:
            raise _fail(f"{name} has a malformed line {line[:100]!r}")
        path = match[2]
        if path.startswith("/") or "\\" in path or ".." in path.split("/") or re.match(r"[A-Za-z]:", path):
            raise _fail(f"{name} lists an unsafe path {path!r} (absolute, '..' or backslash)", _UNSAFE)
        if not allowed.fullmatch(path):
            raise _fail(f"{name} lists {path!r}, which has no place in a Dossier bundle", _UNSAFE)
        if path in listed:
            raise _fail(f"{name} lists {path!r} twice")
        listed.add(path)
    if missing := sorted(listed - present):
        raise _fail(f"{name} lists {missing[0]!r} but the bundle does not contain it: the bundle is incomplete")
    if extra := sorted(present - listed):
        raise _fail(f"{extra[0]!r} is in the bundle but not listed in {name}: a file was added after export")


def _validate_bagit(folder: Path) -> dict[str, str]:
    """Full BagIt validation (every checksum, payload oxum, tag manifest); the bag-info as plain strings."""
    try:
        bag = bagit.Bag(str(folder))
        if bag.version_info < (0, 97) or bag.encoding.upper() != "UTF-8":
            version = bag.tags["BagIt-Version"]
            raise _fail(f"Unsupported BagIt version {version} or encoding {bag.encoding}", _NOT_BUNDLE)
        oxum = bag.info.pop("Payload-Oxum", None)  # checked after the checksums, which name a damaged file
        bag.validate(processes=1, fast=False)
        if oxum is not None:
            bag.info["Payload-Oxum"] = oxum
            bag.validate(processes=1, fast=True)
    except bagit.BagValidationError as exc:
        if not exc.details:
            raise _fail(f"BagIt validation failed: {str(exc)[:500]}") from exc
        raise BadBundle(f"{describe(exc.details, folder)}. {_RESEND}", details(exc.details)) from exc
    except (bagit.BagError, ValueError) as exc:
        raise _fail(f"BagIt validation failed: {str(exc)[:500]}") from exc
    info = {}
    for key, value in bag.info.items():
        if not isinstance(value, str):
            raise _fail(f"bag-info.txt repeats {key!r}")
        info[key] = value
    if "Dossier-Format" not in info:
        raise _fail("bag-info.txt has no Dossier-Format", _NOT_BUNDLE)
    if info["Dossier-Format"] not in FORMATS:
        raise BadBundle(
            f"The bundle has format {info['Dossier-Format']!r}; this Dossier reads formats up to {VERSION}. "
            "Update Dossier, or ask the sender to export it with a matching version."
        )
    return info


def _check_originals(folder: Path, payload: set[str]) -> dict[str, int]:
    """Every original's actual sha256 equals its name; returns their sizes by sha256."""
    sizes = {}
    for rel in sorted(payload):
        if not rel.startswith("data/documents/"):
            continue
        name = rel.removeprefix("data/documents/")
        sha = name.split(".")[0]
        if sha in sizes:
            raise _fail(f"The bundle holds the original {sha} twice")
        path = folder / "data" / "documents" / name
        digest = hashlib.sha256()
        with path.open("rb") as file:
            while chunk := file.read(_CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha:
            raise _fail(
                f"The original {rel} is not the file its name promises (its sha256 is {digest.hexdigest()}): "
                "it was altered after export"
            )
        sizes[sha] = path.stat().st_size
    return sizes


def _text_lengths(folder: Path, payload: set[str], originals: dict[str, int]) -> dict[str, int]:
    """Length (in characters) of each stored text; each must be UTF-8 and belong to an original."""
    lengths = {}
    for rel in sorted(payload):
        if not rel.startswith("data/text/"):
            continue
        sha = rel.removeprefix("data/text/").removesuffix(".txt")
        if sha not in originals:
            raise _fail(f"{rel} has no original in data/documents/")
        try:
            lengths[sha] = len((folder / "data" / "text" / f"{sha}.txt").read_bytes().decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise _fail(f"{rel} is not UTF-8 text") from exc
    return lengths


def _load_json(path: Path) -> dict:
    """Parse (strictly: no NaN, no repeated keys) and validate against the format's JSON Schema."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"), parse_constant=_no_constant, object_pairs_hook=_unique)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _fail(f"{path.name} is not valid JSON ({str(exc)[:200]})") from exc
    error = best_match(_VALIDATORS[path.name].iter_errors(data))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        whose = owner(data, error.absolute_path)
        raise _fail(f"{path.name} does not follow the bundle format at {where}: {error.message[:300]}{whose}")
    return data


def _no_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _unique(pairs: list[tuple[str, object]]) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError("an object repeats a key")
    return data


def _check_documents(documents: dict, originals: dict[str, int], lengths: dict[str, int]) -> None:
    """documents.json describes each original exactly once, with its size, text and in-range offsets."""
    described = set()
    for doc in documents["documents"]:
        sha = doc["sha256"]
        if sha in described:
            raise _fail(f"documents.json describes {sha} twice")
        described.add(sha)
        if sha not in originals:
            raise _fail(f"documents.json describes {sha}, whose original is missing from data/documents/")
        if sha not in lengths:
            raise _fail(f"Document {sha} has no text in data/text/")
        if doc["size"] != originals[sha]:
            raise _fail(f"documents.json gives {sha} a size of {doc['size']} bytes; the file has {originals[sha]}")
        for name, at in doc.get("revisions", {}).items():
            if len(at["history"]) >= at["revision"]:
                raise _fail(f"Document {sha} gives its {name} a history longer than its revisions")
        try:
            date.fromisoformat(doc["published"] or "2000-01-01")
        except ValueError as exc:
            raise _fail(f"Document {sha} has an invalid date {doc['published']!r}") from exc
        tags = [*doc["tags"], *doc.get("removed_tags", [])]
        passages = [(tag["start"], tag["end"]) for tag in tags if (tag["start"], tag["end"]) != (None, None)]
        spans = [*doc["page_spans"], *passages]
        for start, end in spans:
            _check_span(f"Document {sha}", start, end, lengths[sha])
    if undescribed := sorted(set(originals) - described):
        raise _fail(f"data/documents/{undescribed[0]} is not described in documents.json")
    for key, items in (("jurisdictions", documents["jurisdictions"]), ("stance_sets", documents["stance_sets"])):
        _check_unique(f"documents.json {key}", [item["id"] for item in items])
    for stance_set in documents["stance_sets"]:
        _check_unique(f"stance set {stance_set['id']!r}", [stance["id"] for stance in stance_set["stances"]])


def _check_suffixes(documents: dict, payload: set[str]) -> None:
    """An original stored with a suffix has the one of its kind, so that it opens as what it is."""
    for doc in documents["documents"]:
        sha, expected = doc["sha256"], original_name(doc["sha256"], doc["kind"])
        stored = next(rel for rel in payload if rel.startswith(f"data/documents/{sha}"))
        if stored not in (f"data/documents/{sha}", f"data/documents/{expected}"):
            raise _fail(f"{stored} does not have the suffix of a {doc['kind']} document")


def _check_annotations(annotations: dict, lengths: dict[str, int]) -> None:
    """Unique, well-formed uuids; each target names a document of the bundle; offsets inside its text."""
    items = annotations["items"]
    if annotations["total"] != len(items):
        raise _fail(f"annotations.jsonld announces {annotations['total']} annotations but holds {len(items)}")
    seen = set()
    for item in items:
        fields = item["dossier:fields"]
        try:
            key = uuid.UUID(fields["uuid"])
        except ValueError as exc:
            raise _fail(f"Annotation id {fields['uuid']!r} is not a UUID") from exc
        if item["id"] != f"urn:uuid:{fields['uuid']}":
            raise _fail(f"Annotation {item['id']!r} carries the fields of {fields['uuid']!r}")
        if key in seen:
            raise _fail(f"Annotation {fields['uuid']} appears twice")
        seen.add(key)
        sha = item["target"]["source"].removeprefix("urn:sha256:")
        if sha not in lengths:
            raise _fail(f"Annotation {fields['uuid']} points at document {sha}, which is not in the bundle")
        _check_span(f"Annotation {fields['uuid']}", fields["start"], fields["end"], lengths[sha])


def _check_span(what: str, start: int | None, end: int | None, length: int) -> None:
    if start is None or end is None or not 0 <= start <= end <= length:
        raise _fail(f"{what} has offsets {start}..{end} outside its text of {length} characters")


def _check_unique(what: str, ids: list[str]) -> None:
    if len(set(ids)) != len(ids):
        raise _fail(f"{what} lists an id twice")
