"""Importing from the GUI: one background import at a time, a progress bar with Cancel, then the report."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.archive import Archive
from app.importer import ImportProgress
from app.models import ImportReport
from ui.ops import Op, OpRunner
from ui.status_progress import StatusProgress


class ImportController(QObject):
    """Starts :meth:`Archive.import_paths` on a worker, the work itself in a child process (so the GUI thread
    never waits for the GIL behind it), and relays its progress and outcome."""

    started = Signal(int)  # number of paths given
    progressed = Signal(object)  # ImportProgress
    batch_landed = Signal()  # new documents are searchable
    finished = Signal(object)  # ImportReport
    failed = Signal(str)  # a message for the user
    stopped = Signal()  # ended without a report (failed or crashed; a crash is reported by the crash handler)

    def __init__(self, archive: Archive, runner: OpRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.runner = runner
        self.op: Op | None = None
        self.last: ImportProgress | None = None

    def running(self) -> bool:
        """Whether an import is under way."""
        return self.op is not None

    def start(self, paths: Sequence[str | Path], passwords: Sequence[str] = ()) -> bool:
        """Import files and folders in the background; False when one is already running."""
        if self.op is not None or not paths:
            return False
        paths = [str(p) for p in paths]
        op = Op(
            lambda progress, cancel: self.archive.import_paths(
                paths, passwords=passwords, progress=progress, cancel=cancel, separate_process=True
            ),
            with_progress=True,
        )
        op.progressed.connect(self._progressed)
        op.succeeded.connect(self._succeeded)
        op.failed.connect(self._failed)
        op.crashed.connect(lambda _exc: self._stop())
        self.op, self.last = op, None
        self.started.emit(len(paths))
        self.runner.start(op)
        return True

    def cancel(self) -> None:
        """Stop after the files in flight; everything done so far is kept."""
        if self.op is not None:
            self.op.cancel()

    def _progressed(self, progress: ImportProgress) -> None:
        landed = progress.searchable > (self.last.searchable if self.last else 0)
        self.last = progress
        self.progressed.emit(progress)
        if landed:
            self.batch_landed.emit()

    def _succeeded(self, report: ImportReport) -> None:
        self.op = None
        self.finished.emit(report)

    def _failed(self, message: str) -> None:
        self._stop()
        self.failed.emit(message)

    def _stop(self) -> None:
        self.op = None
        self.stopped.emit()


class ImportProgressBar(StatusProgress):
    """Files done of total, the current file, rate and time left, and a Cancel button."""

    def __init__(self, controller: ImportController, parent: QWidget | None = None) -> None:
        super().__init__(
            controller.cancel,
            tip="Stop importing; what is already imported stays (Esc while the bar has focus)",
            cancelling="Cancelling: finishing the files in flight…",
            parent=parent,
        )
        self.controller = controller
        controller.started.connect(self._started)
        controller.progressed.connect(self._progressed)
        controller.finished.connect(lambda _report: self.hide())
        controller.stopped.connect(self.hide)
        self._t0 = 0.0

    def _started(self, _count: int) -> None:
        self._t0 = time.monotonic()
        self.bar.setRange(0, 0)  # busy until the first file is settled and the total is known
        self.begin("Looking for files…")

    def _progressed(self, p: ImportProgress) -> None:
        self.bar.setRange(0, max(p.total, 1))
        self.bar.setValue(p.done)
        self.bar.setFormat(f"{p.done} / {p.total}")
        elapsed = max(time.monotonic() - self._t0, 1e-6)
        rate = p.done / elapsed
        left = (p.total - p.done) / rate if rate > 0 else 0
        self.label.setText(f"Importing {Path(p.path).name} · {rate:.1f} files/s · {_duration(left)} left")
        self.label.setToolTip(p.path)


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds // 60 % 60:02d} min"
