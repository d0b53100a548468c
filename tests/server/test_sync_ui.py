"""File > Sync runs the sync in the background with progress in the status bar, then refreshes the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from ui.main_window import MainWindow

pytestmark = pytest.mark.server


def test_file_sync_runs_in_the_background_and_reports_in_the_status_bar(qtbot, newsroom, laptops, tmp_path):
    a, b = laptops
    a.sync(newsroom.url("alice"), "desk")
    window = MainWindow(b, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    flow = window.sync_flow
    assert flow.action in window.menuBar().actions()[0].menu().actions()
    seen = []
    flow.controller.progressed.connect(lambda phase, done, total: seen.append((phase, done, total)))
    try:
        with qtbot.waitSignal(flow.controller.finished, timeout=120_000) as finished:
            assert flow.start(newsroom.url("bob"), "desk")
            assert not flow.progress.isHidden() and flow.progress.label.text() == "Sync with desk: connecting…"
            assert not flow.start(newsroom.url("bob"), "desk")  # one sync at a time
        assert finished.args[0].pulled_documents == 3
        assert seen == [("push", 3, 3), ("pull", 3, 3)]  # its own pushed rows come back: left out unfetched
        assert flow.progress.isHidden()
        assert flow.last_message.startswith("Synced with desk: sent 2 documents, received 3 documents")
        qtbot.waitUntil(lambda: window.doc_count == 6, timeout=30_000)  # the window took the new documents in
    finally:
        window.shutdown()


def test_a_refused_sync_says_why_in_the_status_bar(qtbot, newsroom, laptops, tmp_path):
    _a, b = laptops
    window = MainWindow(b, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.sync_flow.controller.failed, timeout=60_000) as failed:
            window.sync_flow.start(newsroom.url("bob"), "no-such-project")
        assert "no project 'no-such-project'" in failed.args[0]
        assert window.sync_flow.progress.isHidden()
    finally:
        window.shutdown()
