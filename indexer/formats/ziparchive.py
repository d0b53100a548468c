"""Zip archives (a FOIA release, a folder sent as one file): checked with the zip-safety rules before any member
is read; the text lists the members, and each file member is returned for the importer to import as a document."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import PurePosixPath

from indexer.errors import ExtractionError, NeedsPassword
from indexer.formats.cleanup import normalize_text
from indexer.types import Extracted, Member
from indexer.zipsafety import UnsafeZip, ZipLimits, open_checked

#: One zip's budget: what a worker unpacks and hands back to the importer in one go.
LIMITS = ZipLimits(max_members=10_000, max_total_size=256 * 1024 * 1024)
#: Entries that are a file system's bookkeeping, not files someone put in the zip.
_BOOKKEEPING = ("__MACOSX/",)
_BOOKKEEPING_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """The listing of a zip and its file members; ExtractionError for a damaged, unsafe or encrypted zip."""
    try:
        archive = open_checked(data, LIMITS)
    except UnsafeZip as exc:
        raise ExtractionError(f"the zip is refused by the zip-safety rules: {exc}") from exc
    with archive:
        files = [info for info in archive.infolist() if not info.is_dir() and not _bookkeeping(info.filename)]
        if not files:
            raise ExtractionError("the zip holds no files")
        encrypted = [info for info in files if info.flag_bits & 0x1]
        password = _password(archive, encrypted, passwords) if encrypted else None
        if encrypted and password is None and len(encrypted) == len(files):
            if passwords:
                raise NeedsPassword("the zip is encrypted and none of the passwords given opens it")
            raise NeedsPassword("the zip is encrypted: import again with its password (--password)")
        members, lines = [], []
        for info in files:
            lines.append(f"{info.filename} ({info.file_size:,} bytes)")
            members.append(_member(archive, info, password))
    count = f"{len(files)} file" + ("s" if len(files) != 1 else "")
    return Extracted(
        text=normalize_text(f"Zip archive of {count}:\n\n" + "\n".join(lines)),
        metadata={"files": str(len(files))},
        members=members,
    )


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, password: bytes | None) -> Member:
    if info.flag_bits & 0x1 and password is None:
        return Member(info.filename, b"", "member", "the member is encrypted and no password given opens it")
    try:
        return Member(info.filename, archive.read(info, pwd=password if info.flag_bits & 0x1 else None), "member")
    except NotImplementedError as exc:  # a compression method or an AES encryption zipfile cannot read
        return Member(info.filename, b"", "member", f"the member cannot be unpacked ({exc})")
    except (zipfile.BadZipFile, RuntimeError, ValueError, EOFError, OSError) as exc:
        return Member(info.filename, b"", "member", f"the member is damaged ({exc})")


def _password(archive: zipfile.ZipFile, encrypted: list[zipfile.ZipInfo], passwords: Sequence[str]) -> bytes | None:
    """The first given password that unpacks the first encrypted member, if any."""
    for candidate in passwords:
        secret = candidate.encode("utf-8")
        try:
            archive.read(encrypted[0], pwd=secret)
        except (RuntimeError, zipfile.BadZipFile, NotImplementedError, ValueError):
            continue
        return secret
    return None


def _bookkeeping(name: str) -> bool:
    return name.startswith(_BOOKKEEPING) or PurePosixPath(name).name.lower() in _BOOKKEEPING_NAMES
