"""Helpers for GUI tests: wait for background work without sleeping."""

from __future__ import annotations

from contextlib import contextmanager

from app.lock import WriterLock


def settle(qtbot, window) -> None:
    """Wait until no search, snippet or task is pending."""
    qtbot.waitUntil(
        lambda: (
            not (
                window.controller.busy()
                or any(runner.busy() for runner in window.runners())
                or window.results_model.snippets_pending()
            )
        )
    )


def type_query(qtbot, window, text: str) -> None:
    """Type into the search field like a user and wait for the result."""
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, text)
    settle(qtbot, window)


@contextmanager
def writer_lock_held_elsewhere(archive, wait: float = 5.0):
    """Hold the archive's inter-process writer lock as another Dossier would (a CLI command mid-write);
    the archive's own writes wait up to ``wait`` seconds for it (a GUI-thread write would freeze that long)."""
    archive.write_wait = wait
    with WriterLock(archive.folder).held("a test holding the archive", 30):
        yield
