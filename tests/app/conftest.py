"""Fixtures for bundle round trips: the colleagues' archives B and C."""

from __future__ import annotations

import pytest

from app.archive import Archive


@pytest.fixture
def b(tmp_path):
    """A second, empty archive."""
    with Archive.open(tmp_path / "b") as opened:
        yield opened


@pytest.fixture
def c(tmp_path):
    """A third, empty archive."""
    with Archive.open(tmp_path / "c") as opened:
        yield opened
