"""The search box's Newsroom scope (issue 17): before the search field, a scope box (Local archive | Newsroom:
<project>) shown once this archive has synced with a server. In Newsroom scope the words typed search the
project on the server (PostgreSQL full-text search) in the background, the hits take the results' place, and
one action pulls the selected ones into this archive. Installed on the main window by :func:`install`; nothing
connects anywhere until a person picks the Newsroom scope and types."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app import wording
from app.server.connect import PasswordNeeded, Unreachable
from app.server.search import SearchCancelled
from ui.ops import Op, OpRunner
from ui.results_model import DocIdRole, MetaRole, SnippetRole
from ui.snippet_delegate import SnippetDelegate, row_height_for

DEBOUNCE_MS = 250  # a server round trip per search: a little longer than the local search's pause
LIMIT = 50
ShaRole = Qt.ItemDataRole.UserRole + 10
LOCAL_SCOPE = "Local archive"


@dataclass(frozen=True)
class Scope:
    """A server's project this archive synced with."""

    server: str
    project: str

    @property
    def label(self) -> str:
        return f"Newsroom: {self.project}"


def snippet_marks(snippet: str) -> str:
    """``ts_headline``'s ``<<word>>`` marks as the ``<mark>`` of the local results' snippets, the rest escaped."""
    return html.escape(snippet).replace("&lt;&lt;", "<mark>").replace("&gt;&gt;", "</mark>")


class ServerHitsModel(QAbstractListModel):
    """Server hits in the roles :class:`SnippetDelegate` paints (title, "where · kind · date", snippet)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hits: list[dict] = []

    def set_hits(self, hits: list[dict]) -> None:
        self.beginResetModel()
        self.hits = hits
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit["title"] or hit["file_name"] or hit["sha256"][:16]
        if role == MetaRole:
            where = "✓ In this archive" if hit["local_id"] else "On the server only"
            date = hit["published"].isoformat() if hit["published"] else "undated"
            return " · ".join(part for part in (where, hit["site"] or "", hit["kind"], date) if part)
        if role == SnippetRole:
            return snippet_marks(hit["snippet"] or "")
        if role == DocIdRole:
            return hit["local_id"]
        if role == ShaRole:
            return hit["sha256"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return ("Already in this archive: select it to read it" if hit["local_id"]
                    else "Only on the server: pull it (Enter) to read, tag and annotate it here")  # fmt: skip
        return None


class NewsroomSearch(QObject):
    """Search as you type on the server: debounced; a newer query cancels the search in flight on the server
    (its answer is dropped, never waited for); only the newest query's answer is shown."""

    results_ready = Signal(str, list, float)  # query, hits, milliseconds the search took
    failed = Signal(str, str, object)  # query, message, the error (a PasswordNeeded asks for a password)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = OpRunner(1, self)  # the searcher's one connection runs one search at a time
        self.searcher = None
        self.query = ""
        self._generation = 0
        self._in_flight = 0
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._launch)
        self.latencies: list[float] = []  # of the searches shown (figures for the decisions log)

    def use(self, searcher) -> None:
        """Search with ``searcher`` (an :class:`app.server.search.ServerSearcher`) from now on."""
        old, self.searcher = self.searcher, searcher
        if old is not None:
            old.close()

    def request(self, query: str, *, immediate: bool = False) -> None:
        self.query = query
        self._generation += 1
        if self.searcher is not None and self._in_flight:
            self.searcher.cancel()  # its page would be thrown away: stop it on the server now
        if immediate:
            self._timer.stop()
            self._launch()
        else:
            self._timer.start()

    def busy(self) -> bool:
        return self._timer.isActive() or self._in_flight > 0

    def _launch(self) -> None:
        searcher, query, generation = self.searcher, self.query, self._generation
        if searcher is None:
            return
        if not query.strip():
            self.results_ready.emit(query, [], 0.0)
            return
        started = time.perf_counter()
        op = Op(lambda: searcher.search(query, LIMIT))
        op.succeeded.connect(lambda hits: self._done(generation, query, hits, started))
        op.failed.connect(lambda message: self._failed(generation, query, message, op.error))
        op.crashed.connect(lambda exc: self._failed(generation, query, f"The search failed unexpectedly: {exc}", exc))
        op.finished.connect(self._ended)
        self._in_flight += 1
        self.busy_changed.emit(True)
        self.runner.start(op)

    def _ended(self) -> None:
        self._in_flight -= 1
        if not self.busy():
            self.busy_changed.emit(False)

    def _done(self, generation: int, query: str, hits: list[dict], started: float) -> None:
        if generation == self._generation:  # an older query's answer is dropped
            elapsed = (time.perf_counter() - started) * 1000
            self.latencies.append(elapsed)
            self.results_ready.emit(query, hits, elapsed)

    def _failed(self, generation: int, query: str, message: str, error) -> None:
        if generation != self._generation:
            return
        if isinstance(error, SearchCancelled):  # the cancel meant for an older search reached this one: again
            if self.searcher is not None:
                self._launch()
            return
        self.failed.emit(query, message, error)

    def close(self) -> None:
        """Stop: cancel the search in flight, wait for its thread, close the connection."""
        self._timer.stop()
        if self.searcher is not None:
            self.searcher.cancel()
        self.runner.close()
        if self.searcher is not None:
            self.searcher.close()
            self.searcher = None


class NewsroomPage(QWidget):
    """What takes the results' place in Newsroom scope: a line of status, the hits, the Pull button, and, when
    the server cannot be searched, what to do about it."""

    pull_requested = Signal()  # Enter on the hits

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ServerHitsModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(SnippetDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setAlternatingRowColors(True)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setMinimumHeight(row_height_for(self.list.fontMetrics()) * 2)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.pull_button = QPushButton("Pull into this archive")
        self.pull_button.setToolTip("Copy the selected documents, with their tags and notes, into this archive (Enter)")
        self.pull_button.setEnabled(False)
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.retry_button = QPushButton("Try again")
        self.password_button = QPushButton("Enter password…")
        self.problem_box = QWidget()
        box = QVBoxLayout(self.problem_box)
        box.addStretch(1)
        icon = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(32, 32))
        box.addWidget(icon)
        box.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.password_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        box.addStretch(2)
        self.problem_box.hide()
        bottom = QHBoxLayout()
        bottom.setContentsMargins(4, 0, 0, 0)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.pull_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.problem_box, 1)
        layout.addLayout(bottom)
        self.list.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        enter = event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if watched is self.list and enter:
            self.pull_requested.emit()
            return True
        return super().eventFilter(watched, event)

    def show_hits(self, hits: list[dict]) -> None:
        """Show ``hits``; the documents selected before stay selected (a search again after a pull)."""
        selected = set(self.selected_shas())
        current = self.list.currentIndex()
        current_sha = current.data(ShaRole) if current.isValid() else None
        self.problem_box.hide()
        self.list.show()
        self.model.set_hits(hits)
        model, selection = self.list.selectionModel(), QItemSelection()
        for row, hit in enumerate(hits):
            if hit["sha256"] in selected:
                selection.select(self.model.index(row), self.model.index(row))
            if hit["sha256"] == current_sha:
                model.setCurrentIndex(self.model.index(row), QItemSelectionModel.SelectionFlag.NoUpdate)
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def show_problem(self, message: str, *, password: bool) -> None:
        self.model.set_hits([])
        self.list.hide()
        self.problem.setText(message)
        self.password_button.setVisible(password)
        self.problem_box.show()
        self.status.setText("")

    def selected_shas(self) -> list[str]:
        rows = sorted(index.row() for index in self.list.selectionModel().selectedRows())
        return [self.model.hits[row]["sha256"] for row in rows]


class NewsroomScope(QObject):
    """The scope box, the Newsroom page and their searches and pulls, on one main window."""

    scope_changed = Signal(object)  # the Scope, or None for the local archive
    searched = Signal(list)  # the hits shown
    pulled = Signal(object)  # SyncReport of a pull
    problem_shown = Signal(str)

    def __init__(self, window, flow) -> None:
        super().__init__(window)
        self.window, self.flow = window, flow
        self.scope: Scope | None = None
        self.scopes: list[Scope] = []
        self.search = NewsroomSearch(self)
        self.page = NewsroomPage()
        window.results_stack.addWidget(self.page)
        self.box = QComboBox()
        self.box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.box.setToolTip("Where to search: this archive, or a project on the newsroom server (Ctrl+Shift+F)")
        self.box.activated.connect(lambda row: self.set_scope(self.box.itemData(row)))
        self.pull_action = QAction("&Pull selected into this archive", window)
        self.pull_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.pull_action.setEnabled(False)
        self.pull_action.triggered.connect(self.pull_selected)
        window.addAction(self.pull_action)
        self.placeholder = window.search_field.placeholderText()
        self.search.results_ready.connect(self._show)
        self.search.failed.connect(self._failed)
        self.search.busy_changed.connect(self._busy)
        self.page.pull_button.clicked.connect(self.pull_selected)
        self.page.pull_requested.connect(self.pull_selected)
        self.page.list.doubleClicked.connect(lambda _index: self.pull_selected())
        self.page.list.customContextMenuRequested.connect(self._context_menu)
        self.page.list.selectionModel().selectionChanged.connect(self._selection_changed)
        self.page.list.selectionModel().currentChanged.connect(self._selection_changed)
        self.page.retry_button.clicked.connect(lambda: self._reconnect())
        self.page.password_button.clicked.connect(self.ask_password)
        flow.controller.finished.connect(lambda _report: self.reload_scopes())
        self.pulling = False
        self.reload_scopes()

    @property
    def active(self) -> bool:
        return self.scope is not None

    def reload_scopes(self) -> None:
        """The scope choices from this archive's sync states (read locally: no socket): hidden when none."""
        self.scopes = [Scope(s.server, s.project) for s in self.window.archive.sync_states()]
        self.box.clear()
        twins = len({s.project for s in self.scopes}) < len(self.scopes)  # one project name on two servers
        for label, scope in [(LOCAL_SCOPE, None), *((s.label, s) for s in self.scopes)]:
            self.box.addItem(label, scope)
            if scope is not None and twins:
                self.box.setItemData(self.box.count() - 1, scope.server, Qt.ItemDataRole.ToolTipRole)
        self.box.setVisible(bool(self.scopes))
        self._label()

    def set_scope(self, scope: Scope | None) -> None:
        """Search this archive (None) or a server's project."""
        if scope == self.scope:
            return
        window = self.window
        self.scope = scope
        self.search.use(None if scope is None else self._searcher(scope))
        self._label()
        for widget in (window.facets, window.chips, window.sort_box, window.help_button):
            widget.setEnabled(scope is None)
        if scope is None:
            window.search_field.setPlaceholderText(self.placeholder)
            self.pull_action.setEnabled(False)
            window.search(immediate=True)
            window._update_results_page(window.current_spec())
            window.statusBar().clearMessage()
        else:
            window.message.hide()  # the local search's warnings are not about this search
            window.search_field.setPlaceholderText(
                f'Search {scope.project} on the newsroom server — e.g. police overtime "city council" -fire'
            )
            self.page.show_hits([])
            self.page.status.setText("Type to search the project on the server.")
            window.results_stack.setCurrentWidget(self.page)
            self.request(window.search_field.text(), immediate=True)
        window.update_stats()
        self.scope_changed.emit(scope)

    def choose_newsroom(self) -> bool:
        """File > Search newsroom server: the Newsroom scope of the latest sync, the caret in the search box."""
        if not self.scopes:
            self.reload_scopes()
        if not self.scopes:
            self.window.statusBar().showMessage(
                "Sync with a newsroom server first (File > Sync with newsroom server).", 8000
            )
            return False
        if self.scope is None:
            self.set_scope(self.scopes[0])
        self.window.focus_search()
        return True

    def request(self, query: str, *, immediate: bool = False) -> None:
        if not query.strip():
            self.page.show_hits([])
            self.page.status.setText("Type to search the project on the server.")
        self.search.request(query, immediate=immediate)

    def focus_results(self) -> None:
        self.search.request(self.window.search_field.text(), immediate=True)
        if self.page.model.rowCount():
            self.page.list.setFocus()
            if not self.page.list.selectionModel().hasSelection():
                self.page.list.setCurrentIndex(self.page.model.index(0))

    def pull_selected(self) -> bool:
        """Pull the selected hits (with their tags and annotations) into this archive, in the background."""
        shas = self.page.selected_shas()
        if self.scope is None or not shas or self.pulling:
            return False
        window = self.window
        if not window.archive.writable:
            window.statusBar().showMessage(window.read_only_message("pull documents"), 8000)
            return False
        scope, archive = self.scope, window.archive
        password = self.flow.passwords.get(scope.server)
        self.pulling = True
        self._selection_changed()
        self.page.status.setText(f"Pulling {wording.count(len(shas), 'document')} into this archive…")
        op = Op(lambda: archive.pull_from_server(shas, scope.server, scope.project, password=password))
        op.succeeded.connect(self._pulled)
        op.failed.connect(self._pull_failed)
        op.finished.connect(self._pull_ended)
        window.task_runner.start(op)
        return True

    # -- inside ---------------------------------------------------------------------------------

    def _searcher(self, scope: Scope, remember: bool = False):
        return self.window.archive.server_searcher(
            scope.server, scope.project, password=self.flow.passwords.get(scope.server), remember=remember
        )

    def _reconnect(self, remember: bool = False) -> None:
        if self.scope is not None:
            self.search.use(self._searcher(self.scope, remember))
            self.page.status.setText("Connecting to the newsroom server…")
            self.search.request(self.window.search_field.text(), immediate=True)

    def ask_password(self) -> None:
        """The server asked for a password: ask the person (the keyring keeps it if they say so), search again."""
        if self.scope is None:
            return
        answer = self.flow.ask_password(self.scope.server, self.page.problem.text())
        if answer is not None:
            self._reconnect(remember=answer[1])  # kept in the keyring once the server took it

    def _label(self) -> None:
        """Show the scope in use in the box (a scope no sync recorded, given by hand, gets an item of its own)."""
        rows = [row for row in range(self.box.count()) if self.box.itemData(row) == self.scope]
        if not rows:
            self.box.addItem(self.scope.label, self.scope)
            rows = [self.box.count() - 1]
        self.box.setCurrentIndex(rows[0])

    def _busy(self, busy: bool) -> None:
        if busy and self.active:
            self.page.status.setText(f"Searching {self.scope.project} on the newsroom server…")

    def _show(self, query: str, hits: list[dict], elapsed_ms: float) -> None:
        if not self.active:
            return
        self.page.show_hits(hits)
        if not query.strip():
            self.page.status.setText("Type to search the project on the server.")
        else:
            here = sum(1 for hit in hits if hit["local_id"])
            more = " (the best ones)" if len(hits) >= LIMIT else ""
            self.page.status.setText(
                f"{wording.count(len(hits), 'document')}{more} in {self.scope.project} on the server"
                + (f", {here} already in this archive" if here else "")
                + f" · {elapsed_ms:,.0f} ms"
            )
        self._selection_changed()
        self.searched.emit(hits)

    def _failed(self, _query: str, message: str, error) -> None:
        if not self.active:
            return
        password = isinstance(error, PasswordNeeded)
        if isinstance(error, Unreachable):
            message += "\n\nCheck that you are on the newsroom's network (or its VPN), then press Try again."
        self.page.show_problem(message, password=password)
        self._selection_changed()
        self.problem_shown.emit(message)

    def _selection_changed(self, *_args) -> None:
        can = self.active and not self.pulling and bool(self.page.list.selectionModel().selectedRows())
        self.page.pull_button.setEnabled(can)
        self.pull_action.setEnabled(can)
        index = self.page.list.currentIndex()
        doc_id = index.data(DocIdRole) if index.isValid() else None
        viewer = self.window.viewer
        if doc_id is not None and (viewer.doc is None or viewer.doc.id != doc_id):
            viewer.show_document(doc_id, self.window.search_field.text())  # the words marked, as in local hits

    def _context_menu(self, point) -> None:
        menu = QMenu(self.page.list)
        menu.addAction(self.pull_action)
        menu.exec(self.page.list.viewport().mapToGlobal(point))

    def _pulled(self, report) -> None:
        self.window.watcher.poll()
        self.page.status.setText(
            f"Pulled {wording.count(report.pulled_documents, 'document')} with "
            f"{wording.count(report.pulled_annotations, 'annotation')} and {wording.count(report.pulled_tags, 'tag')}"
            f" into this archive (Local archive scope shows them)."
        )
        self.pulled.emit(report)
        self.search.request(self.window.search_field.text(), immediate=True)  # the hits now say they are here

    def _pull_failed(self, message: str) -> None:
        self.page.status.setText(message)
        self.window.statusBar().showMessage(message, 10000)

    def _pull_ended(self) -> None:
        self.pulling = False
        self._selection_changed()

    def close(self) -> None:
        self.search.close()


def install(window, flow, bar: QHBoxLayout) -> NewsroomScope:
    """Put the scope box at the start of ``bar`` (the search field's row) of ``window`` (a MainWindow)."""
    scope = NewsroomScope(window, flow)
    bar.insertWidget(0, scope.box)
    return scope
