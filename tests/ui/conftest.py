"""Fixtures for driving the real main window offscreen."""

from __future__ import annotations

import gc

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


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread():
    """As the app does (ui/collector.py): no automatic collection, which could start in an op's thread and
    destroy Qt objects there; collected on this thread after each test."""
    gc.disable()
    yield
    gc.collect()
    gc.enable()
