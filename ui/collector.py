"""Python's garbage collector runs on the GUI thread only.

Left automatic, a collection starts in whichever thread happens to allocate: a worker running an op can then
destroy the last reference to a Qt object caught in a reference cycle (a dialog, a widget), and Qt objects
destroyed off the GUI thread crash the process (the test suite saw a segmentation fault "Garbage-collecting"
in an op's thread). As Anki does, automatic collection is switched off and a timer collects on the GUI thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 5_000


class Collector(QObject):
    """While it lives, collection happens every few seconds on the thread that made it (the GUI thread)."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.collect)
        self.timer.start()
        self.destroyed.connect(lambda *_: gc.enable())

    @staticmethod
    def collect() -> None:
        """Collect now (reference cycles only: everything else is freed as it goes)."""
        gc.collect()
