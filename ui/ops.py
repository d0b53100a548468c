"""Background operations: run a core call on a worker thread, get the result back on the GUI thread.

The core never sees Qt: it gets a plain ``progress`` callback and a ``cancel`` function. Results and
errors come back through queued signals, so slots always run on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QStatusBar

from app.environment import environmental
from app.errors import DossierError
from ui.crash import private_traceback

log = logging.getLogger(__name__)


class Op(QObject):
    """One background call; connect to its signals before :meth:`OpRunner.start` runs it."""

    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)  # a message for the user (a DossierError, kept as ``error`` for its details)
    crashed = Signal(object)  # an unexpected exception (a bug): goes to the crash handler
    finished = Signal()

    def __init__(self, fn: Callable[..., Any], *, with_progress: bool = False) -> None:
        super().__init__()
        self.fn = fn
        self.with_progress = with_progress
        self.error: DossierError | None = None
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Ask the core call to stop at its next check."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled.is_set()

    def run(self) -> None:
        """Run the call here (on a worker thread) and emit the outcome."""
        try:
            if self.with_progress:
                result = self.fn(progress=self.progressed.emit, cancel=self._cancelled.is_set)
            else:
                result = self.fn()
        except DossierError as exc:
            self.error = exc
            self.failed.emit(str(exc))
        except Exception as exc:
            if problem := environmental(exc):  # disk full, read-only, damaged: a message, not a crash
                self.error = problem
                self.failed.emit(str(problem))
            else:  # a bug: report it, keep the app running
                log.error("background operation failed:\n%s", private_traceback(exc))
                self.crashed.emit(exc)
        else:
            self.succeeded.emit(result)
        self.finished.emit()


def show_while_running(op: Op, bar: QStatusBar, message: str) -> None:
    """Show ``message`` in the status bar while ``op`` runs, and clear it when the op ends, however it ends
    (unless an outcome put its own message there meanwhile)."""
    bar.showMessage(message)
    op.finished.connect(lambda: bar.currentMessage() == message and bar.clearMessage())


class _Task(QRunnable):
    def __init__(self, op: Op) -> None:
        super().__init__()
        self.op = op

    def run(self) -> None:
        self.op.run()


class OpRunner(QObject):
    """Starts ops on its own thread pool and keeps them alive until they finish.

    ``crashed`` repeats every op's unexpected exception, so one crash handler sees them all.
    """

    crashed = Signal(object)

    def __init__(self, threads: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self.pool.setExpiryTimeout(-1)  # keep threads: each holds its own read connection to the archive
        self._running: set[Op] = set()
        self._closed = False

    def start(self, op: Op) -> Op:
        """Run ``op`` in the background; returns it for chaining (ignored once the runner is closed)."""
        if self._closed:
            op.deleteLater()
            return op
        self._running.add(op)
        op.crashed.connect(self.crashed)
        op.finished.connect(self._finished)
        self.pool.start(_Task(op))
        return op

    def close(self) -> None:
        """Refuse new ops, wait for running ones, and drop their results (the window is going away)."""
        self._closed = True
        for op in list(self._running):
            op.cancel()
            op.blockSignals(True)
        self.pool.waitForDone()
        for op in self._running:
            op.deleteLater()
        self._running.clear()

    def _finished(self) -> None:
        op = self.sender()
        self._running.discard(op)
        op.deleteLater()

    def busy(self) -> bool:
        """Whether any op is still running."""
        return bool(self._running)

    def wait(self, msecs: int = -1) -> bool:
        """Block until every op is done (shutdown and tests only)."""
        return self.pool.waitForDone(msecs)
