"""Errors of the machine rather than of Dossier: a full or read-only disk, a busy or damaged database, a
permission refused, a failing disk. Each becomes a message that says what to do; anything else is a bug.

As in qutebrowser, SQLite errors are told apart by their code (``sqlite_errorname``), file errors by errno.
"""

from __future__ import annotations

import errno
import sqlite3

from app.errors import DossierError


class EnvironmentProblem(DossierError):
    """The machine refused an operation; the message says what happened and what to do."""


_FULL = "The disk is full, so the change was not saved. Free some space, then try again; what was saved before is safe."
_READ_ONLY = "The disk or folder is read-only, so nothing can be saved there. Copy the archive to a writable disk."
_DAMAGED = (
    "The archive's database is damaged. Keep a copy of the archive folder before anything else. Its originals "
    "(the blobs folder) are untouched: import them into a new archive, or put back a copy of the database from "
    "your backups (the archive's backups folder keeps one from before each upgrade)."
)
_IO = "The disk reported a read or write error. Copy the archive folder to a healthy disk and open it there."
_BUSY = "Another program is holding the archive's database. Close it (or wait a moment), then try again."

_BY_SQLITE_CODE = {
    "SQLITE_FULL": _FULL,
    "SQLITE_READONLY": _READ_ONLY,
    "SQLITE_CORRUPT": _DAMAGED,
    "SQLITE_NOTADB": _DAMAGED,
    "SQLITE_IOERR": _IO,
    "SQLITE_BUSY": _BUSY,
    "SQLITE_LOCKED": _BUSY,
    "SQLITE_CANTOPEN": "The archive's database cannot be opened: check that its folder exists and may be written.",
    "SQLITE_PERM": "The system refused access to the archive's database: check the folder's permissions.",
}
_BY_ERRNO = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: "Your disk quota is used up, so the change was not saved. Free some space, then try again.",
    errno.EROFS: _READ_ONLY,
    errno.EIO: _IO,
}


def environmental(exc: BaseException) -> EnvironmentProblem | None:
    """The message for an error of the machine, or None for a bug (which keeps its traceback)."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorname", None) or ""
        message = _BY_SQLITE_CODE.get("_".join(code.split("_")[:2]))  # SQLITE_IOERR_WRITE is an SQLITE_IOERR
        return EnvironmentProblem(message) if message else None
    if isinstance(exc, OSError):
        if exc.errno in (errno.EACCES, errno.EPERM):
            where = f" to {exc.filename}" if exc.filename else ""
            return EnvironmentProblem(f"The system refused access{where} (permission denied): check the permissions.")
        message = _BY_ERRNO.get(exc.errno)
        return EnvironmentProblem(message) if message else None
    return None
