"""Errors a user can cause or fix; anything else is a bug."""


class DossierError(Exception):
    """A problem the user can act on; the message says what happened and what to do."""


class ArchiveLocked(DossierError):
    """Another process is writing to this archive."""


class ArchiveTooNew(DossierError):
    """The archive was written by a newer Dossier."""


class NotFound(DossierError):
    """No document (or other object) with that id."""


class BadQuery(DossierError):
    """The search query cannot be run."""


class BadBundle(DossierError):
    """A bundle that is damaged, incomplete, tampered with or unsafe; nothing of it was imported."""
