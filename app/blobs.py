"""Content-addressed store of original files, named by their sha256."""

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def sha256_of(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    """Originals under ``root/ab/abcdef…``; writes are fsynced before they are recorded."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        """Where the blob with this hash lives."""
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` durably (idempotent); returns its sha256."""
        digest = sha256_of(data)
        target = self.path(digest)
        if target.exists() and target.stat().st_size == len(data):
            return digest
        target.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return digest

    def read(self, sha256: str) -> bytes:
        """The original bytes."""
        return self.path(sha256).read_bytes()

    def verify(self, sha256: str) -> bool | None:
        """True if the blob matches its name, False if corrupt, None if missing."""
        path = self.path(sha256)
        if not path.exists():
            return None
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    def files(self) -> Iterator[Path]:
        """Every file in the store, temporary ones left by a crash (``.tmp-*``) included."""
        for folder in self.root.iterdir():
            if folder.is_dir():
                yield from folder.iterdir()


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
