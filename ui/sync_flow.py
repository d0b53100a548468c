"""File > Sync: the newsroom sync (:meth:`Archive.sync`) in the background, with progress and Cancel in the
status bar. Installed on the main window by :func:`install`; nothing connects anywhere until a person asks."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from app import wording
from app.archive import Archive
from ui.ops import Op, OpRunner
from ui.status_progress import StatusProgress

PHASES = {"push": "sending", "pull": "receiving"}


class SyncController(QObject):
    """Runs :meth:`Archive.sync` on a worker thread."""

    started = Signal(str)  # the project
    progressed = Signal(str, int, int)  # phase ("push", "pull"), documents done, of
    finished = Signal(object)  # SyncReport
    failed = Signal(str)
    stopped = Signal()

    def __init__(self, archive: Archive, runner: OpRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.runner = runner
        self.op: Op | None = None

    def running(self) -> bool:
        return self.op is not None

    def start(self, server: str, project: str) -> bool:
        """Sync with ``server``'s ``project``; False when a sync already runs."""
        if self.op is not None:
            return False
        op = Op(
            lambda progress, cancel: self.archive.sync(
                server, project, progress=lambda *step: progress(step), cancel=cancel
            ),
            with_progress=True,
        )
        op.progressed.connect(lambda step: self.progressed.emit(*step))
        op.succeeded.connect(self._succeeded)
        op.failed.connect(self._failed)
        op.crashed.connect(lambda _exc: self._stop())
        self.op = op
        self.started.emit(project)
        self.runner.start(op)
        return True

    def cancel(self) -> None:
        """Stop between batches: what was sent or received stays, the next sync does the rest."""
        if self.op is not None:
            self.op.cancel()

    def _succeeded(self, report) -> None:
        self.op = None
        self.finished.emit(report)

    def _failed(self, message: str) -> None:
        self._stop()
        self.failed.emit(message)

    def _stop(self) -> None:
        self.op = None
        self.stopped.emit()


class SyncProgressBar(StatusProgress):
    """ "Sync with desk: sending 200 of 1,000 documents" with a bar and Cancel."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(
            controller.cancel,
            button="Cancel sync",
            tip="Stop syncing; what was sent or received stays, the next sync does the rest",
            cancelling="Cancelling the sync: finishing the batch in flight…",
            label_width=0,
            parent=parent,
        )
        self.project = ""
        controller.started.connect(self._started)
        controller.progressed.connect(self._progressed)
        controller.finished.connect(lambda _report: self.hide())
        controller.stopped.connect(self.hide)

    def _started(self, project: str) -> None:
        self.project = project
        self.bar.setRange(0, 0)
        self.begin(f"Sync with {project}: connecting…")

    def _progressed(self, phase: str, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.label.setText(f"Sync with {self.project}: {PHASES.get(phase, phase)} {done:,} of "
                           f"{wording.count(total, 'document')}")  # fmt: skip


class SyncDialog(QDialog):
    """Which server and project to sync with (the last ones filled in); the password stays in pgpass."""

    def __init__(self, server: str = "", project: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync with the newsroom server")
        self.server = QLineEdit(server, placeholderText="postgresql://you@db.newsroom.example/dossier")
        self.project = QLineEdit(project, placeholderText="e.g. city-hall")
        self.server.setMinimumWidth(420)
        form = QFormLayout()
        form.addRow("Server:", self.server)
        form.addRow("Project:", self.project)
        note = QLabel(
            "Your password is read from your pgpass file (~/.pgpass), never kept in the archive. Private notes "
            "stay on this computer."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sync")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, str]:
        return self.server.text().strip(), self.project.text().strip()


class SyncFlow(QObject):
    """File > Sync on one window: the action, the dialog, the progress strip and the outcome message."""

    def __init__(self, window, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.controller = SyncController(window.archive, window.task_runner, self)
        self.progress = SyncProgressBar(self.controller)
        window.statusBar().addPermanentWidget(self.progress, 1)
        self.action = QAction("S&ync with newsroom server…", window)
        self.action.setShortcut("Ctrl+Shift+Y")
        self.action.setToolTip("Send your changes to the newsroom's PostgreSQL server and receive your colleagues'")
        self.action.triggered.connect(self.choose)
        menu.addAction(self.action)
        window.addAction(self.action)
        self.controller.finished.connect(self._finished)
        self.controller.failed.connect(lambda message: window.statusBar().showMessage(message))
        self.last_message = ""

    def choose(self) -> bool:
        """Ask for the server and project (the last ones filled in), then sync."""
        if self.controller.running():
            self.window.statusBar().showMessage("A sync is running: see its progress below.", 5000)
            return False
        states = self.window.archive.sync_states()
        dialog = SyncDialog(*((states[0].server, states[0].project) if states else ("", "")), parent=self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        server, project = dialog.values()
        return self.start(server, project)

    def start(self, server: str, project: str) -> bool:
        if not self.window.archive.writable:
            self.window.statusBar().showMessage(self.window.read_only_message("sync"), 8000)
            return False
        if not server or not project:
            self.window.statusBar().showMessage("Give the server and the project to sync with.", 5000)
            return False
        return self.controller.start(server, project)

    def cancel(self) -> None:
        self.controller.cancel()

    def _finished(self, report) -> None:
        self.window.watcher.poll()
        conflicts = len(report.conflicts) + report.conflicts_on_server
        parts = [
            f"Synced with {report.project}: sent {wording.count(report.pushed_documents, 'document')}, received "
            f"{wording.count(report.pulled_documents, 'document')} and "
            f"{wording.count(report.pulled_annotations, 'annotation')}."
        ]
        if conflicts:
            parts.append(
                f"{wording.count(conflicts, 'annotation')} changed here and elsewhere: both versions are on the "
                "review list."
            )
        self.last_message = " ".join(parts)
        self.window.statusBar().showMessage(self.last_message)


def install(window, menu: QMenu) -> SyncFlow:
    """Add File > Sync to ``window`` (a MainWindow) in ``menu``."""
    return SyncFlow(window, menu)
