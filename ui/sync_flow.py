"""File > Sync: the newsroom sync (:meth:`Archive.sync`) in the background, with progress and Cancel in the
status bar. Installed on the main window by :func:`install`; nothing connects anywhere until a person asks."""

from __future__ import annotations

import html

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import wording
from ui.background_op import BackgroundOp
from ui.ops import Op
from ui.status_progress import StatusProgress

PHASES = {"push": "sending", "pull": "receiving"}


class SyncController(BackgroundOp):
    """Runs :meth:`Archive.sync` on a worker thread."""

    started = Signal(str)  # the project
    progressed = Signal(str, int, int)  # phase ("push", "pull"), documents done, of

    def start(self, server: str, project: str) -> bool:
        """Sync with ``server``'s ``project``; False when a sync already runs."""
        if self.op is not None:
            return False

        def work(progress, cancel):
            return self.archive.sync(server, project, progress=lambda *step: progress(step), cancel=cancel)

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
        self.search_action = QAction("Search newsroo&m server…", window)
        self.search_action.setToolTip("Search the project on the newsroom server and pull documents from it")
        self.search_action.triggered.connect(self.search_server)
        menu.addAction(self.search_action)
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

    def search_server(self, server: str | None = None, project: str | None = None) -> ServerSearchDialog | None:
        """Open the server search for the given project, or that of the last sync."""
        states = self.window.archive.sync_states()
        if not (server and project):
            if not states:
                self.window.statusBar().showMessage(
                    "Sync with a newsroom server first (File > Sync with newsroom server).", 8000
                )
                return None
            server, project = states[0].server, states[0].project
        dialog = ServerSearchDialog(self, server, project)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

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


class ServerSearchDialog(QDialog):
    """Search the project on the newsroom server (PostgreSQL full-text search) and pull hits into this archive.
    Searches and pulls run on the window's task runner; the dialog stays responsive."""

    searched = Signal(list)  # the hits shown
    pulled = Signal(object)  # SyncReport of a pull

    def __init__(self, flow: SyncFlow, server: str, project: str) -> None:
        super().__init__(flow.window)
        self.flow, self.server, self.project = flow, server, project
        self.setWindowTitle(f"Search {project} on the newsroom server")
        self.resize(760, 520)
        self.query = QLineEdit(placeholderText='e.g. police overtime "city council" -fire')
        self.search_button = QPushButton("Search server")
        self.results = QListWidget()
        self.results.setWordWrap(True)
        self.results.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.pull_button = QPushButton("Pull into this archive")
        self.pull_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.query, 1)
        top.addWidget(self.search_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.pull_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.results, 1)
        layout.addLayout(bottom)
        self.query.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)
        self.pull_button.clicked.connect(self.pull_selected)
        self.results.itemSelectionChanged.connect(self._selection_changed)
        self.hits: list[dict] = []

    def search(self) -> None:
        query = self.query.text().strip()
        if not query:
            return
        self.status.setText("Searching the server…")
        archive = self.flow.window.archive
        op = Op(lambda: archive.server_search(query, self.server, self.project, limit=50))
        op.succeeded.connect(self._show)
        op.failed.connect(self.status.setText)
        self.flow.window.task_runner.start(op)

    def _show(self, hits: list[dict]) -> None:
        self.hits = hits
        self.results.clear()
        for hit in hits:
            date = hit["published"].isoformat() if hit["published"] else "undated"
            where = "in this archive" if hit["local_id"] else "on the server only"
            snippet = html.escape(hit["snippet"]).replace("&lt;&lt;", "<b>").replace("&gt;&gt;", "</b>")
            label = QLabel(
                f"<b>{html.escape(hit['title'])}</b> <span style='color: gray'>[{hit['kind']}, {date}, {where}]"
                f"</span><br>{snippet}"
            )
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, hit["sha256"])
            width = max(self.results.viewport().width() - 12, 300)
            item.setSizeHint(QSize(width, label.heightForWidth(width) + 8))
            self.results.addItem(item)
            self.results.setItemWidget(item, label)
        self.status.setText(f"{wording.count(len(hits), 'document')} on the server")
        self.searched.emit(hits)

    def _selection_changed(self) -> None:
        self.pull_button.setEnabled(bool(self.results.selectedItems()))

    def pull_selected(self) -> None:
        shas = [item.data(Qt.ItemDataRole.UserRole) for item in self.results.selectedItems()]
        if not shas:
            return
        self.status.setText(f"Pulling {wording.count(len(shas), 'document')}…")
        self.pull_button.setEnabled(False)
        archive = self.flow.window.archive
        op = Op(lambda: archive.pull_from_server(shas, self.server, self.project))
        op.succeeded.connect(self._pulled)
        op.failed.connect(self.status.setText)
        self.flow.window.task_runner.start(op)

    def _pulled(self, report) -> None:
        self.flow.window.watcher.poll()
        self.status.setText(
            f"Pulled {wording.count(report.pulled_documents, 'document')} with "
            f"{wording.count(report.pulled_annotations, 'annotation')} and {wording.count(report.pulled_tags, 'tag')}."
        )
        self.pulled.emit(report)
        self.search()  # the hits now say they are here


def install(window, menu: QMenu) -> SyncFlow:
    """Add File > Sync and File > Search newsroom server to ``window`` (a MainWindow) in ``menu``."""
    return SyncFlow(window, menu)
