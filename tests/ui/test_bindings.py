"""The Qt bindings do not wear down Python's None/True/False (PySide6 6.12.0 on CPython 3.11 does)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

SCRIPT = """
import sys
import ui  # applies the workaround
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication([])

class Emitter(QObject):
    fired = Signal(int)

emitter, label = Emitter(), QLabel()
for number in range(300_000):
    emitter.fired.emit(number)
    label.setText("x")
print("alive")
"""


def test_a_long_session_of_emits_and_calls_does_not_abort_the_interpreter():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and done.stdout.strip() == "alive", done.stderr[-500:]
