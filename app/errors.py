"""Errors a user can cause or fix; anything else is a bug."""


class DossierError(Exception):
    """A problem the user can act on; the message says what happened and what to do, in words the window can
    show. ``cli_hint`` says how on the command line (a flag, a command); the CLI adds it, the window does not."""

    def __init__(self, message: str = "", *, cli_hint: str = "") -> None:
        super().__init__(message)
        self.cli_hint = cli_hint


class ArchiveLocked(DossierError):
    """This archive cannot be written here (opened read-only)."""


class ArchiveBusy(ArchiveLocked):
    """Another write held the archive for longer than a write waits; trying again later works."""


class ArchiveTooNew(DossierError):
    """The archive was written by a newer Dossier."""


class NotFound(DossierError):
    """No document (or other object) with that id."""


class BadQuery(DossierError):
    """The search query cannot be run."""


class BadBundle(DossierError):
    """A bundle that is damaged, incomplete, tampered with or unsafe; nothing of it was imported.

    ``details`` holds what only an expert needs (bagit's line per damaged file, with its checksums)."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details
