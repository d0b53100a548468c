"""Fixtures for driving the real main window offscreen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings(tmp_path):
    """Window settings in a temp file, never the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, settings):
    """Build a MainWindow on an archive; waits for its first result; shuts it down after the test."""
    from ui.main_window import MainWindow

    windows = []

    def make(archive):
        window = MainWindow(archive, settings)
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        qtbot.waitUntil(lambda: window.hits is not None and not window.controller.busy())
        return window

    yield make
    for window in windows:
        window.shutdown()
