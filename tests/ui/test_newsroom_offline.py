"""Offline stays the default in the window too: an archive that never synced shows no Newsroom scope, and
opening its window loads neither the PostgreSQL driver nor the keyring, and connects nowhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json, sys
events = []
sys.addaudithook(lambda event, args: events.append(repr(args[1])) if event == "socket.connect" else None)
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from app.archive import Archive
from ui.main_window import MainWindow
app = QApplication([])
with Archive.open(sys.argv[1]) as archive:
    archive.import_paths([sys.argv[2]])
    window = MainWindow(archive, QSettings(sys.argv[3], QSettings.Format.IniFormat))
    window.show()
    window.search_field.setText("omaha")
    window.search(immediate=True)
    for runner in window.runners():
        runner.wait()
    app.processEvents()
    shown = window.newsroom.box.isVisible()
    switched = window.sync_flow.search_action.isEnabled() and window.newsroom.choose_newsroom()
    message = window.statusBar().currentMessage()
    window.shutdown()
print(json.dumps({"connects": events, "modules": sorted(m for m in ("psycopg", "keyring") if m in sys.modules),
                  "shown": shown, "switched": switched, "message": message}))
"""


def test_an_archive_that_never_synced_has_no_newsroom_scope_and_opens_no_socket(tmp_path, sample_files):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "archive"), str(sample_files), str(tmp_path / "ui.ini")],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["connects"] == [] and found["modules"] == []
    assert found["shown"] is False and found["switched"] is False
    assert found["message"] == "Sync with a newsroom server first (File > Sync with newsroom server)."
