"""What a person is told when files of a bundle no longer match their checksums: each damaged file named
in words (the original of which document, the annotations, ...), the checksums kept for the details."""

from __future__ import annotations

import json
from pathlib import Path

import bagit

from app.wording import count

_SHOWN = 3  # files named in the message; the details list them all
_FILES = {
    "data/documents.json": "documents.json (the list of documents and their tags)",
    "data/annotations.jsonld": "annotations.jsonld (the annotations)",
    "data/annotations.csv": "annotations.csv (the annotations as a table)",
    "data/report.html": "report.html (the bundle's report)",
    "bagit.txt": "bagit.txt (the bundle's format)",
    "bag-info.txt": "bag-info.txt (who exported the bundle, what and when)",
    "manifest-sha256.txt": "manifest-sha256.txt (the checksums of the files)",
}


def describe(problems: list[bagit.ManifestErrorDetail], folder: Path) -> str:
    """One sentence naming the damaged files, e.g. 'This bundle was damaged or changed after export: the
    original of “Cities refuse …” (data/documents/d049d6aa….md) was changed'."""
    titles = _titles(folder)
    parts = [_problem(p, titles) for p in problems[:_SHOWN]]
    if len(problems) > _SHOWN:
        parts.append(f"and {count(len(problems) - _SHOWN, 'other file')}")
    return "This bundle was damaged or changed after export: " + "; ".join(parts)


def unreadable(rel: str, folder: Path) -> str:
    """The sentence for a member the zip cannot give back intact (its CRC or compressed data is wrong);
    ``folder`` holds what was unpacked before it (documents.json comes first, to name documents)."""
    return (
        f"This bundle was damaged after export: {_file(rel, _titles(folder))} cannot be unpacked intact "
        "(the zip's own check of it fails)"
    )


def details(problems: list[bagit.ManifestErrorDetail]) -> str:
    """bagit's own line per file, with the expected and found checksums."""
    return "\n".join(str(p) for p in problems)


def _problem(problem: bagit.ManifestErrorDetail, titles: dict[str, str]) -> str:
    what = _file(problem.path, titles)
    if isinstance(problem, bagit.FileMissing):
        return f"{what} is missing"
    if isinstance(problem, bagit.UnexpectedFile):
        return f"{what} was added"
    return f"{what} was changed"


def _file(path: str, titles: dict[str, str]) -> str:
    if path in _FILES:
        return _FILES[path]
    folder, _, name = path.rpartition("/")
    if folder not in ("data/documents", "data/text"):
        return path
    sha = name.split(".", 1)[0]
    short = f"{folder}/{sha[:8]}…{name[len(sha) :]}"
    title = titles.get(sha)
    of = f"“{title[:60]}{'…' if len(title) > 60 else ''}”" if title else "a document"
    return f"{'the original' if folder == 'data/documents' else 'the stored text'} of {of} ({short})"


def _titles(folder: Path) -> dict[str, str]:
    """Titles by sha256 as documents.json gives them, only to name files (it may be damaged itself)."""
    try:
        documents = json.loads((folder / "data" / "documents.json").read_bytes())["documents"]
        return {d["sha256"]: " ".join(d["title"].split()) for d in documents if isinstance(d["title"], str)}
    except (OSError, ValueError, RecursionError, KeyError, TypeError, AttributeError):
        return {}
