"""Checks on a zip archive's central directory before any member is read.

Used for DOCX files now and annotated bundles later: rejects the names and layouts that
enable path traversal and zip bombs (including overlapping entries, CVE-2024-0450).
"""

import io
import itertools
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


class UnsafeZip(ValueError):
    """The archive is malformed or hostile; the message names the first problem found."""


@dataclass(frozen=True)
class ZipLimits:
    """Budgets for one archive."""

    max_members: int = 10_000
    max_total_size: int = 512 * 1024 * 1024
    max_ratio: float = 200.0
    ratio_floor: int = 1024 * 1024


def open_checked(data: bytes, limits: ZipLimits = ZipLimits()) -> zipfile.ZipFile:
    """Open ``data`` as a zip after checking every entry; raise :class:`UnsafeZip` otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnsafeZip(f"not a readable zip archive ({exc})") from exc
    check_members(archive, data, limits)
    return archive


def check_members(archive: zipfile.ZipFile, data: bytes, limits: ZipLimits) -> None:
    """Validate names, types, sizes, ratios and the layout of every member."""
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise UnsafeZip(f"too many entries ({len(members)}, limit {limits.max_members})")
    seen: set[str] = set()
    total = 0
    for info in members:
        _check_name(info.orig_filename)  # zipfile cuts ``filename`` at a NUL byte; the raw name keeps it
        key = info.filename.rstrip("/").lower()
        if key in seen:
            raise UnsafeZip(f"duplicate entry {info.filename!r}")
        seen.add(key)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeZip(f"entry {info.filename!r} is a symbolic link")
        total += info.file_size
        if total > limits.max_total_size:
            raise UnsafeZip(f"unpacked size exceeds the limit of {limits.max_total_size // 2**20} MiB")
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UnsafeZip(f"entry {info.filename!r} has a suspicious compression ratio (zip bomb?)")
    _check_layout(members, data)


def _check_name(name: str) -> None:
    if not name or "\x00" in name or "\\" in name:
        raise UnsafeZip(f"entry name {name!r} contains a NUL byte or backslash")
    path = PurePosixPath(name)
    if path.is_absolute() or (len(name) > 1 and name[1] == ":"):
        raise UnsafeZip(f"entry {name!r} has an absolute path")
    if ".." in path.parts:
        raise UnsafeZip(f"entry {name!r} points outside the archive ('..')")


def _check_layout(members: list[zipfile.ZipInfo], data: bytes) -> None:
    """Every member's local header and data must lie in the file and not overlap the next one."""
    spans = []
    for info in members:
        start = info.header_offset
        if start < 0:  # a crafted directory offset: Python would read from the end of the file
            raise UnsafeZip(f"entry {info.filename!r} has an impossible position in the file")
        header = data[start : start + _LOCAL_HEADER.size]
        if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise UnsafeZip(f"entry {info.filename!r} has no valid local header")
        fields = _LOCAL_HEADER.unpack(header)
        end = start + _LOCAL_HEADER.size + fields[-2] + fields[-1] + info.compress_size
        if end > len(data):
            raise UnsafeZip(f"entry {info.filename!r} extends past the end of the file")
        spans.append((start, end, info.filename))
    spans.sort()
    for (_, end, name), (next_start, _, next_name) in itertools.pairwise(spans):
        if next_start < end:
            raise UnsafeZip(f"entries {name!r} and {next_name!r} overlap")
