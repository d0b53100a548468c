"""One long core call at a time on a worker thread, with progress and Cancel: what the OCR and the sync controllers
share (each declares its own ``started`` and ``progressed`` signals, as their arguments differ)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.archive import Archive
from ui.ops import Op, OpRunner


class BackgroundOp(QObject):
    """Runs one call at a time; ``finished(report)``, ``failed(message)`` or ``stopped()`` (a crash) ends it."""

    finished = Signal(object)  # the call's report
    failed = Signal(str)  # one line for the user
    stopped = Signal()

    def __init__(self, archive: Archive, runner: OpRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.runner = runner
        self.op: Op | None = None
        self.error = None  # the DossierError of the last failure (its class says what to offer)

    def running(self) -> bool:
        """Whether the call is under way."""
        return self.op is not None

    def cancel(self) -> None:
        """Ask the call to stop at its next step; what it finished stays."""
        if self.op is not None:
            self.op.cancel()

    def _run(self, work, on_progress) -> None:
        """Start ``work(progress, cancel)``; each progress step (a tuple) goes to ``on_progress(*step)``."""
        op = Op(work, with_progress=True)
        op.progressed.connect(lambda step: on_progress(*step))
        op.succeeded.connect(self._succeeded)
        op.failed.connect(self._failed)
        op.crashed.connect(lambda _exc: self._stop())
        self.op = op
        self.runner.start(op)

    def _succeeded(self, report) -> None:
        self.op = None
        self.finished.emit(report)

    def _failed(self, message: str) -> None:
        self.error = self.op.error if self.op is not None else None
        self._stop()
        self.failed.emit(message)

    def _stop(self) -> None:
        self.op = None
        self.stopped.emit()
