"""One writer per archive: an OS file lock, released by the OS when its process dies."""

import json
import os
import socket
import time
from pathlib import Path

from filelock import FileLock, Timeout

from app.errors import ArchiveLocked


class WriterLock:
    """Exclusive write access to an archive folder; a crashed holder's lock is reclaimed."""

    def __init__(self, folder: Path) -> None:
        self._info = folder / "lock.json"
        self._lock = FileLock(folder / "lock", timeout=0)

    def acquire(self) -> None:
        """Take the lock or raise ArchiveLocked naming the holder."""
        try:
            self._lock.acquire()
        except Timeout:
            raise ArchiveLocked(self._message()) from None
        self._info.write_text(
            json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S")})
        )

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        if self._lock.is_locked:
            self._info.unlink(missing_ok=True)
            self._lock.release(force=True)

    def _message(self) -> str:
        try:
            holder = json.loads(self._info.read_text())
            who = f" (process {holder['pid']} on {holder['host']}, since {holder['since']})"
        except (OSError, ValueError, KeyError):
            who = ""
        return (
            f"The archive {self._info.parent} is open in another Dossier{who}. "
            "Close that window or wait for its command to finish, then try again."
        )
