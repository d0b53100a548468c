"""Helpers for GUI tests: wait for background work without sleeping."""

from __future__ import annotations


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
