"""The limits of a bundle, one set for both sides: what export may write is what verification accepts.

Verification refuses a bundle past them before unpacking anything (it cannot tell a huge bundle from a zip
bomb); export checks the same limits on what it is about to write and refuses up front with the reason, so
that Dossier never writes a bundle that another Dossier will refuse.
"""

from __future__ import annotations

from app.bundles.signing import SIGNATURE, SIGNER
from indexer.zipsafety import ZipLimits

_KIB, _MIB = 2**10, 2**20
#: Largest size of each member (the originals share ZIP_LIMITS.max_total_size); JSON is parsed in memory.
SIZE_CAPS = {
    "bagit.txt": 64 * _KIB,
    "bag-info.txt": 64 * _KIB,
    "manifest-sha256.txt": 8 * _MIB,
    "tagmanifest-sha256.txt": 64 * _KIB,
    SIGNATURE: 4 * _KIB,
    SIGNER: 4 * _KIB,
    "data/documents.json": 64 * _MIB,
    "data/annotations.jsonld": 64 * _MIB,
    "data/annotations.csv": 128 * _MIB,
    "data/report.html": 128 * _MIB,
    "data/text/": 64 * _MIB,
}
#: The whole zip: how many members, how many bytes unpacked, how compressed a member may be.
ZIP_LIMITS = ZipLimits()
#: Members a bundle has besides the originals and their texts (the JSON, CSV, report, BagIt and signature files).
FIXED_MEMBERS = 10


def member_cap(rel: str, limits: ZipLimits | None = None) -> int:
    """The largest size of the member at ``rel`` (its path inside the bag)."""
    if rel in SIZE_CAPS:
        return SIZE_CAPS[rel]
    return SIZE_CAPS["data/text/"] if rel.startswith("data/text/") else (limits or ZIP_LIMITS).max_total_size


def excess(sizes: dict[str, int], members: int | None = None, limits: ZipLimits | None = None) -> str | None:
    """What is over a limit in a bundle whose members (paths inside the bag) have ``sizes``, in words; None
    when it is within every limit. ``members`` counts the members when ``sizes`` does not list them all."""
    limits = limits or ZIP_LIMITS
    count = len(sizes) if members is None else members
    if count > limits.max_members:
        return f"it would hold {count:,} files, over the {limits.max_members:,} a bundle may hold"
    for rel, size in sorted(sizes.items()):
        if size > member_cap(rel, limits):
            return f"its {rel} would be {_mib(size)}, over the {_mib(member_cap(rel, limits))} a bundle may carry"
    total = sum(sizes.values())
    if total > limits.max_total_size:
        originals = sum(size for rel, size in sizes.items() if rel.startswith("data/documents/"))
        return (
            f"it would be {_mib(total)} unpacked ({_mib(originals)} of originals), over the "
            f"{_mib(limits.max_total_size)} a bundle may hold"
        )
    return None


def _mib(size: int) -> str:
    return f"{size / _MIB:,.1f} MiB" if size >= _MIB else f"{size:,} bytes"
