"""Scratch folders for work in flight (an unpacked bundle), inside the archive's own ``tmp/`` folder.

Each folder has a lock file beside it, held (an OS lock) for as long as the work runs; the OS releases it
when the process dies. So a folder whose lock can be taken was left by a process that was killed: the next
opening of the archive removes it, and never one that another live process is still using.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout

SCRATCH = "tmp"
_LOCK = ".lock"


@contextmanager
def scratch_folder(archive_folder: Path, purpose: str) -> Iterator[Path]:
    """A new, empty folder ``tmp/<purpose>-<random>`` of the archive, removed again afterwards."""
    root = Path(archive_folder) / SCRATCH
    root.mkdir(exist_ok=True)
    while True:  # the lock before the folder exists, so that no cleaner takes the folder for a leftover
        folder = root / f"{purpose}-{uuid.uuid4().hex}"
        lock = FileLock(folder.with_name(folder.name + _LOCK), thread_local=False)
        lock.acquire()
        if Path(lock.lock_file).exists():  # not removed by a cleaner that took it in the instant it was made
            break
        lock.release()
    try:
        folder.mkdir()
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        lock.release()
        Path(lock.lock_file).unlink(missing_ok=True)


def remove_leftovers(archive_folder: Path) -> list[str]:
    """Remove what killed processes left in ``tmp/``; returns the names removed. Folders in use stay."""
    root = Path(archive_folder) / SCRATCH
    if not root.is_dir():
        return []
    removed = []
    for lock_path in sorted(root.glob(f"*{_LOCK}")):
        lock = FileLock(lock_path, thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue  # a live process works there
        try:
            folder = lock_path.with_name(lock_path.name.removesuffix(_LOCK))
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder.name)
        finally:
            lock.release()
            with suppress(OSError):
                lock_path.unlink()
    for folder in sorted(root.iterdir()):  # a folder without its lock file is no process's
        if folder.is_dir() and not folder.with_name(folder.name + _LOCK).exists():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
