"""Tells the window what changed in its archive, whoever changed it: its own ops or another process.

The core's change log (schema v6) records every write in the same transaction; the watcher asks it, in the
background, after each write of the window and once a second for writes of other processes (a CLI command run
beside the window), and emits one :class:`Changes` for every pane to react to. A change whose documents the
writer has not indexed yet (asked a moment after its commit) is held back for a few polls, so that the results
and facets refreshed for it already show it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.archive import Archive
from app.changes import Changes
from ui.ops import Op, OpRunner

POLL_MS = 1000
HOLD_POLLS = 3  # at most this many polls wait for the index (a long import keeps documents queued)


class ChangeWatcher(QObject):
    """Emits ``changed(Changes)`` once for each batch of writes to the archive."""

    changed = Signal(object)

    def __init__(self, archive: Archive, runner: OpRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.runner = runner
        self.seq = archive.change_head()
        self._held = 0  # polls the current changes have waited for the index
        self._asking = False
        self._again = False
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._timer.start()

    def poll(self) -> None:
        """Ask the change log what happened since the last answer (one question at a time)."""
        if self._asking:
            self._again = True
            return
        self._asking = True
        op = Op(lambda seq=self.seq: self._ask(seq))
        op.succeeded.connect(self._answered)
        op.failed.connect(self._settled)
        op.crashed.connect(self._settled)
        self.runner.start(op)

    def stop(self) -> None:
        """No more polling (the window is closing)."""
        self._timer.stop()

    def _ask(self, seq: int) -> tuple[int, Changes, bool]:
        """(On a worker.) What changed since ``seq``, and whether the index still waits for some of it."""
        head, changes = self.archive.changes_since(seq)
        unindexed = not changes.everything and bool(self.archive.waiting_for_index(changes.touched))
        return head, changes, unindexed

    def _answered(self, answer: tuple[int, Changes, bool]) -> None:
        head, changes, unindexed = answer
        if unindexed and self._held < HOLD_POLLS:
            self._held += 1  # ask again from the same place at the next poll
            self._settled()
            return
        self._held = 0
        self.seq = max(head, self.seq)
        self._settled()
        if changes:
            self.changed.emit(changes)

    def _settled(self, *_: object) -> None:
        self._asking = False
        if self._again:
            self._again = False
            self.poll()
