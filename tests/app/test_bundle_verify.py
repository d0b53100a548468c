"""Verification of incoming bundles: a valid bag passes; every hostile or damaged one is refused with a
message saying what is wrong and what to do, and nothing is left on disk."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import bagit
import pytest

from app.bundles import limits
from app.bundles.verify import verify_bundle
from app.errors import BadBundle
from tests.app.bundle_fixtures import (
    TEXTS,
    TOP,
    UUID,
    bag_entries,
    edit_json,
    local_offset,
    make_bag,
    original_bytes,
    patch_central,
    rebag,
    retag,
    sha256,
    valid_bundle,
    write_zip,
    zip_bag,
)

ADVICE = ("export it again", "not a Dossier bundle", "Update Dossier")
FIRST = sha256(original_bytes("Council minutes"))
SECOND = sha256(original_bytes("Budget memo"))
LENGTH = len(TEXTS["Council minutes"])


def _snapshot(root: Path) -> dict[Path, tuple[int, int] | None]:
    """Every path under ``root``, with size and mtime for files (folders may only change by their listing)."""
    return {
        path: (path.stat().st_size, path.stat().st_mtime_ns) if path.is_file() else None for path in root.rglob("*")
    }


def rejected(bundle: Path, tmp_path: Path, match: str) -> str:
    """Verify ``bundle`` expecting refusal; check the message and that nothing was written anywhere."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    before = _snapshot(tmp_path)
    with pytest.raises(BadBundle, match=match) as caught:
        verify_bundle(bundle, workdir=work)
    assert _snapshot(tmp_path) == before
    assert list(work.iterdir()) == []
    message = str(caught.value)
    assert any(advice in message for advice in ADVICE), message
    return message


@pytest.fixture
def bag(tmp_path: Path) -> Path:
    return make_bag(tmp_path / "src")


def with_extra(bag: Path, tmp_path: Path, *extra: tuple[str | zipfile.ZipInfo, bytes]) -> Path:
    return write_zip(tmp_path / "bundle.zip", [*bag_entries(bag), *extra])


# --- a valid bundle -------------------------------------------------------------------------------------


def test_valid_bundle_passes_and_gives_parsed_content(tmp_path: Path):
    bundle = valid_bundle(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    with verify_bundle(bundle, workdir=work) as verified:
        assert verified.folder.parent == work
        assert [doc["title"] for doc in verified.documents["documents"]] == list(TEXTS)
        assert verified.annotations["items"][0]["dossier:fields"]["uuid"] == UUID
        assert verified.info["Dossier-Format"] == "1"
        assert verified.info["Contact-Name"] == "Ana"
        assert verified.text(FIRST) == TEXTS["Council minutes"]
        assert verified.original(SECOND).read_bytes() == original_bytes("Budget memo")
        with pytest.raises(KeyError):
            verified.original("../" + FIRST)
        assert bagit.Bag(str(verified.folder)).is_valid()
    assert list(work.iterdir()) == []


def test_folder_entries_in_the_zip_are_accepted(bag: Path, tmp_path: Path):
    folders = [(f"{TOP}/", b""), (f"{TOP}/data/", b""), (f"{TOP}/data/documents/", b""), (f"{TOP}/data/text/", b"")]
    bundle = write_zip(tmp_path / "bundle.zip", [*folders, *bag_entries(bag)])
    with verify_bundle(bundle, workdir=tmp_path) as verified:
        assert len(verified.documents["documents"]) == 2


# --- the zip itself -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("../escaped", r"outside the archive \('\.\.'\)"),
        (f"{TOP}/../../escaped", r"outside the archive"),
        ("/{tmp}/escaped", "absolute path"),
        ("C:/escaped", "absolute path"),
        ("C:\\escaped", "backslash"),
        (f"{TOP}\\data\\escaped", "backslash"),
    ],
)
def test_zip_slip_names_are_refused_before_extraction(bag: Path, tmp_path: Path, name: str, match: str):
    bundle = with_extra(bag, tmp_path, (name.format(tmp=tmp_path.as_posix().lstrip("/")), b"owned"))
    message = rejected(bundle, tmp_path, match)
    assert message.startswith("Unsafe bundle, rejected before anything was extracted")
    assert not (tmp_path / "escaped").exists()


def test_nul_byte_in_a_name_is_refused(bag: Path, tmp_path: Path):
    # zipfile cuts names at NUL, so the name seen by zipfile alone would look harmless
    name = f"{TOP}/data/text/{'0' * 64}.txt" + "\x01../../escaped"
    data = with_extra(bag, tmp_path, (name, b"x")).read_bytes().replace(b"\x01../../escaped", b"\x00../../escaped")
    (tmp_path / "bundle.zip").write_bytes(data)
    rejected(tmp_path / "bundle.zip", tmp_path, "NUL byte")


def test_symlink_member_is_refused(bag: Path, tmp_path: Path):
    link = zipfile.ZipInfo(f"{TOP}/data/text/{'0' * 64}.txt")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    rejected(with_extra(bag, tmp_path, (link, b"/etc/passwd")), tmp_path, "symbolic link")


def test_duplicate_names_are_refused(bag: Path, tmp_path: Path):
    rejected(with_extra(bag, tmp_path, (f"{TOP}/data/report.html", b"<p>other</p>")), tmp_path, "duplicate entry")


def test_overlapping_entries_are_refused(bag: Path, tmp_path: Path):
    bundle = zip_bag(bag, tmp_path / "bundle.zip")
    data = bundle.read_bytes()
    shared = local_offset(data, f"{TOP}/data/annotations.csv")
    bundle.write_bytes(patch_central(data, f"{TOP}/data/report.html", offset=shared))
    rejected(bundle, tmp_path, "overlap")


def test_negative_member_offset_is_refused(bag: Path, tmp_path: Path):
    bundle = zip_bag(bag, tmp_path / "bundle.zip")
    data = bytearray(bundle.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<L", data, end + 16)
    struct.pack_into("<L", data, end + 16, offset + 4096)  # shifts every member 4 KiB before the file start
    bundle.write_bytes(bytes(data))
    rejected(bundle, tmp_path, "starts before the beginning")


def test_lying_size_header_zip_bomb_is_refused(bag: Path, tmp_path: Path):
    bundle = zip_bag(bag, tmp_path / "bundle.zip")
    bundle.write_bytes(patch_central(bundle.read_bytes(), f"{TOP}/data/report.html", file_size=2**30))
    rejected(bundle, tmp_path, "unpacked size exceeds the limit")


def test_highly_compressed_member_is_refused(bag: Path, tmp_path: Path):
    bomb = zipfile.ZipInfo(f"{TOP}/data/documents/{'0' * 64}")
    bomb.compress_type = zipfile.ZIP_DEFLATED
    bundle = with_extra(bag, tmp_path, (bomb, bytes(8 * 2**20)))
    assert bundle.stat().st_size < 200_000
    rejected(bundle, tmp_path, "suspicious compression ratio")


def test_member_over_its_own_cap_is_refused(bag: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(limits.SIZE_CAPS, "data/documents.json", 1000)
    rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, r"'dossier-bundle/data/documents.json' is too large")


def test_member_with_a_bad_crc_is_refused(bag: Path, tmp_path: Path):
    bundle = tmp_path / "bundle.zip"
    entries = bag_entries(bag)
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    data = bundle.read_bytes()
    text = TEXTS["Budget memo"].encode()
    bundle.write_bytes(data.replace(text, text.replace(b"two", b"six")))
    message = rejected(bundle, tmp_path, r"damaged after export: the original of .* \(data/documents/")
    assert "cannot be unpacked intact" in message and "CRC" not in message  # the zip's words go to the details


def test_unsupported_compression_is_refused(bag: Path, tmp_path: Path):
    entry = zipfile.ZipInfo(f"{TOP}/data/text/{'0' * 64}.txt")
    entry.compress_type = zipfile.ZIP_BZIP2
    rejected(with_extra(bag, tmp_path, (entry, b"text")), tmp_path, "compression method")


@pytest.mark.parametrize(
    ("content", "match"), [(b"", "is empty or not a file"), (b"hello, not a zip", "not a readable zip archive")]
)
def test_not_a_zip_is_refused(tmp_path: Path, content: bytes, match: str):
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(content)
    assert "not a Dossier bundle" in rejected(bundle, tmp_path, match)


def test_empty_zip_is_refused(tmp_path: Path):
    rejected(write_zip(tmp_path / "bundle.zip", []), tmp_path, "The zip archive is empty")


def test_second_top_folder_is_refused(bag: Path, tmp_path: Path):
    rejected(with_extra(bag, tmp_path, ("extra/readme.txt", b"hi")), tmp_path, "single folder 'dossier-bundle'")


def test_renamed_top_folder_is_refused(bag: Path, tmp_path: Path):
    entries = [(name.replace(TOP, "my-bag", 1), data) for name, data in bag_entries(bag)]
    rejected(write_zip(tmp_path / "bundle.zip", entries), tmp_path, "this zip holds 'my-bag'")


# --- names and manifests --------------------------------------------------------------------------------


def test_fetch_txt_is_refused(bag: Path, tmp_path: Path):
    fetch = b"https://example.org/payload 5 data/documents/" + FIRST.encode() + b"\n"
    rejected(with_extra(bag, tmp_path, (f"{TOP}/fetch.txt", fetch)), tmp_path, "fetch.txt, asking to download")


@pytest.mark.parametrize("name", [f"{TOP}/data/documents/evil.exe", f"{TOP}/data/documents/{'A' * 64}", f"{TOP}/x"])
def test_names_outside_the_allow_list_are_refused(bag: Path, tmp_path: Path, name: str):
    rejected(with_extra(bag, tmp_path, (name, b"x")), tmp_path, "has no place in a Dossier bundle")


def test_missing_required_file_is_refused(bag: Path, tmp_path: Path):
    entries = [e for e in bag_entries(bag) if not e[0].endswith("tagmanifest-sha256.txt")]
    rejected(write_zip(tmp_path / "bundle.zip", entries), tmp_path, "incomplete: it has no tagmanifest-sha256.txt")


def test_file_listed_in_the_manifest_but_missing_is_refused(bag: Path, tmp_path: Path):
    entries = [e for e in bag_entries(bag) if not e[0].endswith(f"{SECOND}.txt")]
    rejected(write_zip(tmp_path / "bundle.zip", entries), tmp_path, f"lists 'data/text/{SECOND}.txt' but the bundle")


def test_unlisted_payload_file_is_refused(bag: Path, tmp_path: Path):
    (bag / "data" / "report.html").unlink()
    rebag(bag)
    bundle = with_extra(bag, tmp_path, (f"{TOP}/data/report.html", b"<p>added later</p>"))
    rejected(bundle, tmp_path, "'data/report.html' is in the bundle but not listed in manifest-sha256.txt")


@pytest.mark.parametrize("path", ["../outside/secret", "/etc/passwd", "data\\documents.json", "data/../bagit.txt"])
def test_unsafe_manifest_paths_are_refused(bag: Path, tmp_path: Path, path: str):
    with (bag / "manifest-sha256.txt").open("a") as manifest:
        manifest.write(f"{'0' * 64}  {path}\n")
    retag(bag)  # the tag manifest agrees, so only our own path rules can catch it
    rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, "lists an unsafe path")


# --- BagIt and content ----------------------------------------------------------------------------------


def test_a_tampered_file_is_named_in_words_with_the_checksums_in_the_details(bag: Path, tmp_path: Path):
    (bag / "data" / "documents" / FIRST).write_bytes(b"forged")  # another size too: the Oxum would differ
    message = rejected(
        zip_bag(bag, tmp_path / "bundle.zip"),
        tmp_path,
        f"^This bundle was damaged or changed after export: the original of “Council minutes” "
        f"\\(data/documents/{FIRST[:8]}…\\) was changed. Ask the sender",
    )
    assert FIRST not in message  # no checksum in what a person reads
    with pytest.raises(BadBundle) as caught:
        verify_bundle(tmp_path / "bundle.zip", workdir=tmp_path / "work")
    assert f'expected="{FIRST}" found="{sha256(b"forged")}"' in caught.value.details


def test_every_tampered_file_is_named(bag: Path, tmp_path: Path):
    for name in ("annotations.jsonld", "report.html", f"text/{SECOND}.txt"):
        path = bag / "data" / name
        path.write_bytes(path.read_bytes().replace(b"a", b"e", 1))
    (bag / "bag-info.txt").write_text((bag / "bag-info.txt").read_text().replace("Ana", "Eve"))
    message = rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, "damaged or changed after export")
    for words in ("annotations.jsonld (the annotations) was changed", "report.html (the bundle's report) was changed",
                  f"the stored text of “Budget memo” (data/text/{SECOND[:8]}….txt) was changed",
                  "and 1 other file"):  # fmt: skip
        assert words in message, words


def test_tampered_payload_with_recomputed_manifests_is_caught_by_its_name(bag: Path, tmp_path: Path):
    (bag / "data" / "documents" / FIRST).write_bytes(b"forged council minutes")
    rebag(bag)
    bagit.Bag(str(bag)).validate(fast=False)  # BagIt alone accepts the forgery
    message = rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, "is not the file its name promises")
    assert sha256(b"forged council minutes") in message


def test_original_under_a_wrong_sha256_name_is_refused(bag: Path, tmp_path: Path):
    wrong = "f" * 64
    (bag / "data" / "documents" / FIRST).rename(bag / "data" / "documents" / wrong)
    (bag / "data" / "text" / f"{FIRST}.txt").rename(bag / "data" / "text" / f"{wrong}.txt")
    rebag(bag)
    rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, f"data/documents/{wrong} is not the file")


def test_an_original_named_with_the_suffix_of_its_kind_passes_a_wrong_or_second_one_is_refused(bag, tmp_path):
    documents = bag / "data" / "documents"
    (documents / FIRST).rename(documents / f"{FIRST}.txt")  # the fixture's documents are of kind "text"
    rebag(bag)
    work = tmp_path / "work"
    work.mkdir()
    with verify_bundle(zip_bag(bag, tmp_path / "named.zip"), workdir=work) as verified:
        assert verified.original(FIRST).name == f"{FIRST}.txt"
        assert verified.original(SECOND).name == SECOND  # bundles made before carry bare names
    (documents / f"{FIRST}.txt").rename(documents / f"{FIRST}.pdf")
    rebag(bag)
    rejected(zip_bag(bag, tmp_path / "wrong.zip"), tmp_path, f"data/documents/{FIRST}.pdf does not have the suffix")
    (documents / f"{FIRST}.pdf").rename(documents / f"{FIRST}.txt")
    (documents / FIRST).write_bytes((documents / f"{FIRST}.txt").read_bytes())
    rebag(bag)
    rejected(zip_bag(bag, tmp_path / "twice.zip"), tmp_path, f"holds the original {FIRST} twice")


def test_text_without_original_is_refused(bag: Path, tmp_path: Path):
    (bag / "data" / "text" / f"{'0' * 64}.txt").write_text("orphan")
    rebag(bag)
    rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, "has no original")


def test_bag_info_without_dossier_format_is_not_a_bundle(bag: Path, tmp_path: Path):
    info = bagit.Bag(str(bag))
    del info.info["Dossier-Format"]
    info.save()
    assert "not a Dossier bundle" in rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, "no Dossier-Format")


def test_newer_format_asks_for_an_update(bag: Path, tmp_path: Path):
    info = bagit.Bag(str(bag))
    info.info["Dossier-Format"] = "3"
    info.save()
    rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, "has format '3'; this Dossier reads formats up to 2")


def _set(path: list, value):
    def change(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("name", "change", "match"),
    [
        ("documents.json", _set(["documents", 0, "size"], "big"), "format at documents/0/size: 'big' is not"),
        ("documents.json", _set(["version"], 3), "format at version"),
        ("annotations.jsonld", _set(["items", 0, "target", "source"], "http://x"), "format at items/0/target/source"),
        (
            "annotations.jsonld",
            _set(["items", 0, "dossier:fields", "revision"], 0),
            "format at items/0/dossier:fields/revision: 0 is less",
        ),
    ],
)
def test_json_failing_the_schema_is_refused(bag: Path, tmp_path: Path, name: str, change, match: str):
    edit_json(bag, name, change)
    rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, f"{name} does not follow the bundle {match}")


@pytest.mark.parametrize(
    ("content", "match"),
    [(b'{"format": NaN}', "NaN is not allowed"), (b'{"a": 1, "a": 2}', "repeats a key"), (b"[" * 100_000, "JSON")],
)
def test_malformed_json_is_refused(bag: Path, tmp_path: Path, content: bytes, match: str):
    (bag / "data" / "documents.json").write_bytes(content)
    rebag(bag)
    rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, f"documents.json is not valid JSON.*{match}")


def _duplicate_annotation(data: dict) -> None:
    data["items"].append(data["items"][0])
    data["total"] = 2


@pytest.mark.parametrize(
    ("name", "change", "match"),
    [
        ("annotations.jsonld", _set(["items", 0, "target", "source"], f"urn:sha256:{'e' * 64}"), "not in the bundle"),
        ("annotations.jsonld", _duplicate_annotation, f"Annotation {UUID} appears twice"),
        (
            "annotations.jsonld",
            _set(["items", 0, "dossier:fields", "end"], 10_000),
            f"outside its text of {LENGTH} char",
        ),
        ("annotations.jsonld", _set(["items", 0, "dossier:fields", "uuid"], "0000-0000"), "is not a UUID"),
        ("annotations.jsonld", _set(["items", 0, "id"], f"urn:uuid:{'1' * 32}"), "carries the fields of"),
        ("annotations.jsonld", _set(["total"], 5), "announces 5 annotations but holds 1"),
        ("documents.json", _set(["documents", 1, "sha256"], "e" * 64), "whose original is missing"),
        ("documents.json", _set(["documents", 0, "size"], 3), "a size of 3 bytes; the file has"),
        ("documents.json", _set(["documents", 0, "published"], "2025-02-30"), "invalid date '2025-02-30'"),
        ("documents.json", _set(["documents", 0, "tags", 0, "end"], None), r"offsets 0\.\.None outside"),
        ("documents.json", _set(["documents", 0, "page_spans"], [[0, 999]]), "outside its text"),
        ("documents.json", lambda d: d["jurisdictions"].append(d["jurisdictions"][0]), "jurisdictions lists an id"),
    ],
)
def test_inconsistent_content_is_refused(bag: Path, tmp_path: Path, name: str, change, match: str):
    edit_json(bag, name, change)
    rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, match)


def test_document_without_description_is_refused(bag: Path, tmp_path: Path):
    edit_json(bag, "documents.json", lambda data: data["documents"].pop())
    rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, f"data/documents/{SECOND} is not described")


def test_missing_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(BadBundle, match="Cannot read"):
        verify_bundle(tmp_path / "nowhere.zip", workdir=tmp_path)


def test_deflate_stream_garbage_is_reported_as_damage(bag: Path, tmp_path: Path):
    bundle = zip_bag(bag, tmp_path / "bundle.zip")
    data = bytearray(bundle.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(f"{TOP}/data/report.html")
    start = info.header_offset + 30 + len(info.filename)
    data[start : start + info.compress_size] = b"\xff" * info.compress_size  # deflate block type 3: invalid
    bundle.write_bytes(bytes(data))
    rejected(bundle, tmp_path, r"report.html \(the bundle's report\) cannot be unpacked intact")


def test_verified_bundle_close_is_idempotent(tmp_path: Path):
    verified = verify_bundle(valid_bundle(tmp_path), workdir=tmp_path)
    verified.close()
    verified.close()
    assert not verified.folder.exists()


@pytest.mark.parametrize(
    ("name", "change", "match"),
    [
        ("documents.json", _set(["jurisdictions", 0, "parent"], "nope"), "parent 'nope' is neither in the gazetteer"),
        (
            "documents.json",
            _set(["documents", 0, "tags", 0, "jurisdiction"], "ocd-division/country:us/state:zz"),
            "unknown jurisdiction",
        ),
        (
            "documents.json",
            _set(["documents", 0, "tags", 0, "stance"], "ghost"),
            "stance bags/ghost the bundle does not",
        ),
        (
            "annotations.jsonld",
            _set(["items", 0, "dossier:fields", "exact"], "something else"),
            "quotes text that is not at its offsets",
        ),
    ],
)
def test_records_pointing_at_nothing_are_refused(bag: Path, tmp_path: Path, name: str, change, match: str):
    edit_json(bag, name, change)
    rejected(zip_bag(bag, tmp_path / "bundle.zip"), tmp_path, match)
