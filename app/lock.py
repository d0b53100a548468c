"""Taking turns on an archive: every write holds an OS file lock for one transaction or batch, then lets go.

The lock is released by the OS when its holder dies, so a crashed process never blocks the archive. A window,
command-line commands and the window's import process all write to the same folder this way; each waits a
bounded time for the others and otherwise says who is busy with what.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from app.errors import ArchiveBusy

WRITE_WAIT_S = 30.0  # how long a write waits for another's turn before saying the archive is busy
_READ_ONLY_ERRORS = (errno.EROFS, errno.EACCES, errno.EPERM)


class WriterLock:
    """The inter-process write lock of one archive folder, reentrant within the process that holds it."""

    def __init__(self, folder: Path) -> None:
        self._info = folder / "lock.json"
        # not thread-local: the archive's thread guard admits one writing thread at a time, and a nested
        # write on that thread only counts up
        self._lock = FileLock(folder / "lock", thread_local=False)

    @staticmethod
    def can_write(folder: Path) -> bool:
        """Whether the folder can hold the lock (False on a read-only disk or folder)."""
        try:
            os.close(os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644))
        except OSError as exc:
            if exc.errno in _READ_ONLY_ERRORS:
                return False
            raise
        return True

    @contextmanager
    def held(self, activity: str, wait: float, cancel: Callable[[], bool] | None = None) -> Iterator[None]:
        """Hold the lock for one write, waiting up to ``wait`` seconds; ArchiveBusy names who holds it."""
        if self._lock.is_locked:  # a write inside a write of this thread
            yield
            return
        try:
            self._lock.acquire(timeout=wait, cancel_check=cancel)
        except Timeout:
            raise ArchiveBusy(self._message()) from None
        try:
            self._info.write_text(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "host": socket.gethostname(),
                        "since": time.strftime("%H:%M:%S"),
                        "activity": activity,
                    }
                )
            )
            yield
        finally:
            self._info.unlink(missing_ok=True)
            self._lock.release()

    def _message(self) -> str:
        try:
            holder = json.loads(self._info.read_text())
            doing = holder["activity"]
            who = f" (process {holder['pid']} on {holder['host']}, since {holder['since']})"
        except (OSError, ValueError, KeyError):
            doing, who = "a change", ""
        return (
            f"The archive {self._info.parent} is busy with {doing} in another Dossier{who}. "
            "Try again when it has finished."
        )


def write_api(activity: str) -> Callable:
    """Declare a method (or a function taking the archive first) a write: it runs under the archive's thread
    guard and the inter-process lock, both waited for a bounded time (:meth:`Archive.writing`). ``activity``
    is what others are told the archive is busy with, e.g. "tagging documents"."""

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def write(archive, *args, **kwargs):
            with archive.writing(activity):
                return method(archive, *args, **kwargs)

        return write

    return decorate
