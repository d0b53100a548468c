"""Timestamps as the store keeps them: UTC, ISO 8601, to the second."""

from datetime import UTC, datetime


def now() -> str:
    """The current time, e.g. ``2025-01-24T17:03:00+00:00``."""
    return datetime.now(UTC).isoformat(timespec="seconds")
