"""Errors raised by the indexer that a user can act on."""


class ExtractionError(Exception):
    """A file could not be turned into text; the message says why and what to do."""


class NeedsPassword(ExtractionError):
    """An encrypted file that none of the supplied passwords opens."""


class QueryError(ValueError):
    """A search query that cannot be parsed or would be too expensive to run."""


class IndexUnavailable(Exception):
    """The index is missing or outdated and this process may not rebuild it."""


class IndexBusy(IndexUnavailable):
    """Another process held the index's write lock for too long; the write can be retried later."""
