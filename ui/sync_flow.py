"""File > Sync: the newsroom sync (:meth:`Archive.sync`) in the background, with progress and Cancel in the
status bar, and the password prompt when the server asks for one that neither the pgpass file nor the OS keyring
has. Installed on the main window by :func:`install`; nothing connects anywhere until a person asks."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
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
from app.server.connect import PasswordNeeded
from ui.background_op import BackgroundOp
from ui.status_progress import StatusProgress

PHASES = {"push": "sending", "pull": "receiving"}
REMEMBER = "Remember in the system keyring"


class SyncController(BackgroundOp):
    """Runs :meth:`Archive.sync` on a worker thread."""

    started = Signal(str)  # the project
    progressed = Signal(str, int, int)  # phase ("push", "pull"), documents done, of

    def start(self, server: str, project: str, password: str | None = None, remember: bool = False) -> bool:
        """Sync with ``server``'s ``project``; False when a sync already runs. ``password``: typed by the person
        (held in memory), else the pgpass file's or the keyring's."""
        if self.op is not None:
            return False

        def work(progress, cancel):
            return self.archive.sync(
                server, project, password=password, remember=remember, progress=lambda *step: progress(step),
                cancel=cancel,
            )  # fmt: skip

        self._run(work, self.progressed.emit)
        self.started.emit(project)
        return True


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


class PasswordBox(QWidget):
    """A password field and "Remember in the system keyring" (off, with the reason, when there is no keyring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.server import credentials

        self.field = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(REMEMBER)
        if credentials.available():
            self.remember.setChecked(True)
            self.remember.setToolTip("Kept by the operating system's password store, never in the archive")
        else:
            self.remember.setEnabled(False)
            self.remember.setToolTip("No system keyring is running: the password is used until Dossier closes")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field)
        layout.addWidget(self.remember)

    def values(self) -> tuple[str, bool]:
        return self.field.text(), self.remember.isChecked() and self.remember.isEnabled()


class SyncDialog(QDialog):
    """Which server and project to sync with (the last ones filled in); a password field only when the server
    asked for one the pgpass file and the keyring lack (``asking``: what the server said)."""

    def __init__(self, server: str = "", project: str = "", parent: QWidget | None = None, *, asking: str = "",
                 title: str = "Sync with the newsroom server", ok: str = "Sync") -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self.server = QLineEdit(server, placeholderText="postgresql://you@db.newsroom.example/dossier")
        self.project = QLineEdit(project, placeholderText="e.g. city-hall")
        self.server.setMinimumWidth(420)
        self.password = PasswordBox()
        form = QFormLayout()
        form.addRow("Server:", self.server)
        form.addRow("Project:", self.project)
        form.addRow("Password:", self.password)
        self.password.setVisible(bool(asking))
        form.labelForField(self.password).setVisible(bool(asking))
        if asking:
            self.password.field.setFocus()
        note = QLabel(
            f"{asking}\n\nThe password is used for this connection and, if you tick the box, kept in the system "
            "keyring: never in the archive, its settings or its logs."
            if asking
            else "Your password is read from your pgpass file (~/.pgpass) or the system keyring, never kept in the "
            "archive. Private notes stay on this computer."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, str]:
        return self.server.text().strip(), self.project.text().strip()


class SyncFlow(QObject):
    """File > Sync on one window: the action, the dialog, the progress strip and the outcome message; the
    passwords typed this session (``passwords``, by server URL, in memory only) for the sync and the Newsroom
    scope alike."""

    def __init__(self, window, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.passwords: dict[str, str] = {}
        self.controller = SyncController(window.archive, window.task_runner, self)
        self.progress = SyncProgressBar(self.controller)
        window.statusBar().addPermanentWidget(self.progress, 1)
        self.action = QAction("S&ync with newsroom server…", window)
        self.action.setShortcut("Ctrl+Shift+Y")
        self.action.setToolTip("Send your changes to the newsroom's PostgreSQL server and receive your colleagues'")
        self.action.triggered.connect(self.choose)
        menu.addAction(self.action)
        window.addAction(self.action)
        self.search_action = QAction("Search newsroo&m server", window)
        self.search_action.setShortcut("Ctrl+Shift+F")
        self.search_action.setToolTip("Search the project on the newsroom server from the search box")
        self.search_action.triggered.connect(lambda: window.newsroom.choose_newsroom())
        menu.addAction(self.search_action)
        window.addAction(self.search_action)
        self.controller.finished.connect(self._finished)
        self.controller.failed.connect(self._failed)
        self.last_message = ""
        self.dialog: SyncDialog | None = None  # while one is open (tests fill it in)
        self._target = ("", "")

    def choose(self, asking: str = "") -> bool:
        """Ask for the server and project (the last ones filled in; with a password field when ``asking``),
        then sync."""
        if self.controller.running():
            self.window.statusBar().showMessage("A sync is running: see its progress below.", 5000)
            return False
        states = self.window.archive.sync_states()
        server, project = self._target if asking else ((states[0].server, states[0].project) if states else ("", ""))
        self.dialog = SyncDialog(server, project, parent=self.window, asking=asking)
        try:
            if not self.window._ask(self.dialog):
                return False
            server, project = self.dialog.values()
            password, remember = self.dialog.password.values() if asking else (None, False)
        finally:
            self.dialog = None
        return self.start(server, project, password or None, remember)

    def ask_password(self, server: str, asking: str) -> tuple[str, bool] | None:
        """Ask for ``server``'s password for the Newsroom scope: (password, remember in the keyring), kept for
        this session; None when the person cancels."""
        self.dialog = SyncDialog(server, "", parent=self.window, asking=asking, title="Newsroom server password",
                                 ok="Search")  # fmt: skip
        self.dialog.project.setEnabled(False)
        self.dialog.server.setReadOnly(True)
        try:
            if not self.window._ask(self.dialog):
                return None
            password, remember = self.dialog.password.values()
        finally:
            self.dialog = None
        if not password:
            return None
        self.passwords[server] = password
        return password, remember

    def start(self, server: str, project: str, password: str | None = None, remember: bool = False) -> bool:
        if not self.window.archive.writable:
            self.window.statusBar().showMessage(self.window.read_only_message("sync"), 8000)
            return False
        if not server or not project:
            self.window.statusBar().showMessage("Give the server and the project to sync with.", 5000)
            return False
        if password:
            self.passwords[server] = password
        self._target = (server, project)
        return self.controller.start(server, project, password or self.passwords.get(server), remember)

    def cancel(self) -> None:
        self.controller.cancel()

    def _failed(self, message: str) -> None:
        self.window.statusBar().showMessage(message)
        if isinstance(self.controller.error, PasswordNeeded):
            self.passwords.pop(self._target[0], None)  # refused, or never had one: ask
            self.choose(asking=message)

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
    """Add File > Sync and File > Search newsroom server (the search box's Newsroom scope) to ``window`` (a
    MainWindow) in ``menu``."""
    return SyncFlow(window, menu)
