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

    def put(self, data: bytes, sync: bool = True) -> str:
        """Store ``data`` (atomically replacing any earlier copy); returns its sha256.

        With ``sync=False`` the caller must call :meth:`sync` before recording the blob anywhere.
        """
        digest = sha256_of(data)
        target = self.path(digest)
        target.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if sync:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if sync:
            _fsync(target.parent)
        return digest

    def sync(self, digests: list[str]) -> None:
        """Make blobs written with ``sync=False`` durable: fsync each file, then each folder once."""
        for digest in digests:
            _fsync(self.path(digest))
        for folder in {self.path(digest).parent for digest in digests}:
            _fsync(folder)

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


def _fsync(path: Path) -> None:
    """fsync a file, or a folder where the platform allows it (Windows needs a writable handle)."""
    is_dir = path.is_dir()
    if os.name == "nt" and is_dir:
        return
    fd = os.open(path, os.O_RDONLY if is_dir else os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
