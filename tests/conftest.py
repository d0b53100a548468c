"""Shared fixtures: temp archives, the licensed corpus (skipped when absent), generated files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # GUI tests never need a display


def corpus_root() -> Path:
    """The shared test corpus beside the repository (or $DOSSIER_CORPUS)."""
    return Path(os.environ.get("DOSSIER_CORPUS", REPO.parent / "shared" / "corpus"))


@pytest.fixture
def corpus() -> Path:
    """The corpus folder; tests using it are skipped where it is absent."""
    root = corpus_root()
    if not root.is_dir():
        pytest.skip(f"test corpus not found at {root}")
    return root


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Point every user data directory at a temp folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("DOSSIER_ARCHIVE", raising=False)


@pytest.fixture
def archive_dir(tmp_path) -> Path:
    """An empty folder for a new archive."""
    return tmp_path / "archive"


@pytest.fixture
def archive(archive_dir):
    """An open, empty, writable archive."""
    from app.archive import Archive

    with Archive.open(archive_dir) as opened:
        yield opened


@pytest.fixture
def sample_files(tmp_path) -> Path:
    """A small folder of generated documents in every supported text format."""
    folder = tmp_path / "inbox"
    (folder / "memos").mkdir(parents=True)
    (folder / "omaha.txt").write_text(
        "Omaha police will not join raids\n\nThe Omaha Police Department does not intend to participate "
        "in any raids, the chief said.\n",
        encoding="utf-8",
    )
    (folder / "denver.md").write_text(
        "---\ntitle: Denver calls the crackdown a calamity\ndate: 2025-01-24\nauthor: City Staff\n---\n\n"
        "# Denver\n\nDenver City Government published an editorial describing the federal immigration "
        "crackdown as *a calamity*.\n",
        encoding="utf-8",
    )
    (folder / "memos" / "cp1252.txt").write_bytes(
        "Grand Prairie chief: \u201cMy officers would not be using their time effectively.\u201d caf\u00e9\n".encode(
            "cp1252"
        )
    )
    (folder / "memos" / "copy-of-omaha.txt").write_bytes((folder / "omaha.txt").read_bytes())
    (folder / "notes.xyz").write_text("unsupported")
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture
def imported(archive, sample_files):
    """An archive holding the sample files."""
    archive.import_paths([sample_files])
    return archive
