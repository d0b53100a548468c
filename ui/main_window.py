"""The search-first main window: search field, facets, results, viewer, import, status."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import wording
from app.archive import Archive
from app.changes import Changes
from app.models import HitList, ImportReport, stance_labels
from ui import newsroom_scope, sync_flow
from ui.annotations_dialog import AnnotationsDialog
from ui.batch_tag_dialog import BatchTagDialog
from ui.bulk_tagging import BulkTagger, BulkTagProgress
from ui.bundle_actions import BundleActions
from ui.change_watcher import ChangeWatcher
from ui.empty_state import EmptyState
from ui.facets import FacetPanel, FacetState, FilterChips, value_label
from ui.import_flow import ImportController, ImportProgressBar
from ui.import_report import ImportReportDialog
from ui.jurisdiction_dialog import JurisdictionDialog
from ui.map_view import MapView
from ui.ocr_flow import OcrController, OcrProgressBar, choose_ocr_language
from ui.ops import Op, OpRunner
from ui.query_help import QueryHelpPopup
from ui.results_model import COLUMN_SORTS, DocIdRole, ResultsModel
from ui.search_controller import SearchController, SearchSpec
from ui.shortcut_guard import WindowShortcutsFirst
from ui.snippet_delegate import SnippetDelegate, row_height_for
from ui.stance_dialog import StanceDialog
from ui.tag_preview_dialog import TagPreviewDialog
from ui.theme import app_icon, icon
from ui.timeline_view import TimelineView, show_timeline
from ui.viewer import DocumentViewer

SORTS = (
    ("relevance", "Best match"),
    ("date", "Newest first"),
    ("oldest", "Oldest first"),
    ("title", "Title A–Z"),
    ("title-desc", "Title Z–A"),
    ("kind", "Kind A–Z"),
    ("kind-desc", "Kind Z–A"),
    ("source", "Source A–Z"),
    ("source-desc", "Source Z–A"),
)
OPTIONAL_COLUMNS = (
    (1, "&Kind"),
    (2, "&Date"),
    (3, "&Source"),
    (4, "&Tags"),
)  # hidden at first: the row already says them


class MainWindow(BundleActions, QMainWindow):
    """One window on one archive. ``archive_requested`` asks the app to open another archive folder."""

    archive_requested = Signal(str, bool)  # (folder, create)
    results_shown = Signal()  # a result (or an error) is on screen

    def __init__(self, archive: Archive, settings: QSettings | None = None, *, remember: bool = True) -> None:
        super().__init__()
        self.archive = archive
        self.settings = settings or QSettings()
        self.remember = remember  # False for screenshots: leave the user's saved layout alone
        self.search_runner = OpRunner(1, self)  # one search at a time (the controller keeps only the newest)
        self.snippet_runner = OpRunner(1, self)  # one block of snippets at a time: a search never waits behind them
        self.task_runner = OpRunner(2, self)
        self.watcher = ChangeWatcher(archive, self.task_runner, self)
        self.controller = SearchController(archive, self.search_runner, self)
        self.imports = ImportController(archive, self.task_runner, self)
        self.ocr = OcrController(archive, self.task_runner, self)
        self.facet_state = FacetState(self)
        self.doc_count: int | None = None
        self.hits: HitList | None = None
        self._reports: list[QDialog] = []  # the non-modal dialogs on screen
        self.map_view: MapView | None = None  # View > Stance map, while it is open
        self.timeline_view: TimelineView | None = None  # View > Timeline, while it is open
        self.setWindowTitle(f"Dossier — {archive.folder}")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_menus()
        WindowShortcutsFirst(self).watch(self.findChildren(QLineEdit))  # Ctrl+E exports from the search box
        self._connect()
        self._restore_settings()
        self.update_stats()
        self.search(immediate=True)
        self._index_pending()

    # -- construction --------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.search_field = QLineEdit(placeholderText='Search the archive — e.g. omaha police, "will not participate"')
        self.search_field.setClearButtonEnabled(True)
        self.help_button = QToolButton(text="?", toolTip="Search syntax (F1)")
        self.sort_box = QComboBox(toolTip="Order of results (Ctrl+1, Ctrl+2)")
        for key, label in SORTS:
            self.sort_box.addItem(label, key)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setStyleSheet("color: palette(link)")
        self.message.hide()
        self.chips = FilterChips(self.facet_state, describe=self.describe_facet)
        self.search_bar = top = QHBoxLayout()  # the Newsroom scope's button goes first (ui/newsroom_scope.py)
        top.addWidget(self.search_field, 1)
        top.addWidget(self.help_button)
        top.addWidget(self.sort_box)

        self.facets = FacetPanel(self.facet_state, describe=self.describe_facet)
        self.results_model = ResultsModel(self.archive, self.snippet_runner, self)
        self.results = QTableView()
        self.results.setModel(self.results_model)
        self.results.setItemDelegateForColumn(0, SnippetDelegate(self.results))
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setWordWrap(False)
        self.results.setShowGrid(False)
        self.results.setAlternatingRowColors(True)
        self.results.verticalHeader().hide()
        row_height = row_height_for(self.results.fontMetrics())
        self.results.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.results.verticalHeader().setDefaultSectionSize(row_height)
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # best match until a column is clicked
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.setToolTip("Click a column to order the results by it; right-click to choose the columns")
        metrics = self.results.fontMetrics()
        for column, sample in (
            (1, "Markdown"),
            (2, "2025-01-31"),
            (3, "a-source-name.org"),
            (4, "Omaha, NE: Sanctuary"),
        ):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
            header.hideSection(column)
        self.empty = EmptyState()
        self.no_hits = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.results_stack = QStackedWidget()
        for widget in (self.results, self.empty, self.no_hits):
            self.results_stack.addWidget(widget)

        self.viewer = DocumentViewer(self.archive, self.task_runner)
        self.viewer.details.editable = self.archive.writable
        self.viewer.details.read_only_reason = self.archive.read_only_reason
        self.bulk_tagger = BulkTagger(self.archive, self.viewer.annotation_editor.stack, self)

        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.chips)
        column.addWidget(self.results_stack, 1)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.facets)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.viewer)
        self.splitter.setSizes([200, 420, 780])
        self.splitter.setStretchFactor(2, 1)

        root = QWidget()
        layout = QVBoxLayout(root)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(root)

        self.status_label = QLabel()
        self.progress = ImportProgressBar(self.imports)
        self.statusBar().addPermanentWidget(self.progress, 1)
        self.ocr_progress = OcrProgressBar(self.ocr)
        self.statusBar().addPermanentWidget(self.ocr_progress, 1)
        self.bulk_progress = BulkTagProgress(self.bulk_tagger)
        self.statusBar().addPermanentWidget(self.bulk_progress, 1)
        self.statusBar().addPermanentWidget(self.status_label)
        self.help_popup = QueryHelpPopup(self)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        sp = QStyle.StandardPixmap
        self.import_files_action = self._action(
            file_menu, "&Import files…", "Ctrl+I", self.choose_files, icon("document-import", sp.SP_FileIcon)
        )
        self.import_folder_action = self._action(
            file_menu, "Import &folder…", "Ctrl+Shift+I", self.choose_folder, icon("folder-open", sp.SP_DirOpenIcon)
        )
        self.read_scans_action = self._action(file_menu, "&Read scans (OCR)", "Ctrl+Shift+R", self.read_scans)
        self._action(file_menu, "OCR &language…", None, self.choose_ocr_language)
        self.sync_flow = sync_flow.install(self, file_menu)  # File > Sync with newsroom server (ui/sync_flow.py)
        self.newsroom = newsroom_scope.install(self, self.sync_flow, self.search_bar)  # the search box's scope
        file_menu.addSeparator()
        self.export_action = self._action(file_menu, "&Export bundle…", "Ctrl+E", self.export_bundle)
        self.import_bundle_action = self._action(file_menu, "Import &bundle…", "Ctrl+Shift+B", self.choose_bundle)
        self.sign_as_action = self._action(file_menu, "&Sign bundles as…", None, self.choose_signature)
        file_menu.addSeparator()
        self._action(
            file_menu,
            "&New archive folder…",
            "Ctrl+Shift+N",
            lambda: self.choose_archive(create=True),
            icon("folder-new", sp.SP_FileDialogNewFolder),
        )
        self._action(
            file_menu,
            "&Open archive folder…",
            QKeySequence.StandardKey.Open,
            self.choose_archive,
            icon("document-open", sp.SP_DialogOpenButton),
        )
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        edit_menu = self.menuBar().addMenu("&Edit")
        self.find_action = self._action(edit_menu, "&Find", "Ctrl+F", self.focus_search)
        self.find_action.setShortcuts([QKeySequence("Ctrl+F"), QKeySequence("Ctrl+K")])
        self._action(
            edit_menu,
            "Copy &citation",
            "Ctrl+Shift+C",
            self.viewer.copy_citation,
            icon("edit-copy", sp.SP_FileLinkIcon),
        )
        self._action(edit_menu, "Clear search and &filters", "Ctrl+Backspace", self.clear_search)
        edit_menu.addSeparator()
        stack = self.viewer.annotation_editor.stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        for action in (self.undo_action, self.redo_action):
            edit_menu.addAction(action)
            self.addAction(action)
        panel = self.viewer.annotations_panel
        self.highlight_action = self._action(
            edit_menu, "&Highlight selection", "Ctrl+H", lambda: panel.highlight_selection()
        )
        self.note_action = self._action(edit_menu, "Add &note to selection…", "Ctrl+M", panel.note_selection)

        view_menu = self.menuBar().addMenu("&View")
        self._action(view_menu, "Sort by best &match", "Ctrl+1", lambda: self.sort_box.setCurrentIndex(0))
        self._action(view_menu, "Sort &newest first", "Ctrl+2", lambda: self.sort_box.setCurrentIndex(1))
        self._action(view_menu, "Sort by &title", "Ctrl+4", lambda: self._sort_by("title"))
        self.columns_menu = view_menu.addMenu("Result &columns")
        self.column_actions = {}
        for column, label in OPTIONAL_COLUMNS:
            action = self.columns_menu.addAction(label)
            action.setCheckable(True)
            action.toggled.connect(
                lambda shown, c=column: self.results.horizontalHeader().setSectionHidden(c, not shown)
            )
            self.column_actions[column] = action
        view_menu.addSeparator()
        self._action(view_menu, "&Next hit", "F3", self.viewer.next_hit, icon("go-down", sp.SP_ArrowDown))
        self._action(view_menu, "&Previous hit", "Shift+F3", self.viewer.previous_hit, icon("go-up", sp.SP_ArrowUp))
        self._action(view_menu, "Show &original", "Ctrl+3", self.viewer.show_original)
        self._action(view_menu, "All &annotations…", "Ctrl+Shift+A", self.show_annotations)
        self._action(view_menu, "Stance &map…", "Ctrl+Shift+M", self.show_map)
        self._action(view_menu, "T&imeline…", "Ctrl+Shift+L", lambda: show_timeline(self))  # Ctrl+Shift+T tags
        self._action(view_menu, "Open original in its &application", "Ctrl+Shift+O", self.viewer.open_original)

        tag_menu = self.menuBar().addMenu("&Tag")
        self.batch_tag_action = self._action(tag_menu, "Tag all &results…", "Ctrl+Shift+T", self.tag_results)
        self.stances_action = self._action(tag_menu, "Edit &stances and rules…", None, self.edit_stances)
        self.add_jurisdiction_action = self._action(tag_menu, "Add custom &jurisdiction…", None, self.add_jurisdiction)

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "Search &syntax", QKeySequence.StandardKey.HelpContents, self.show_query_help)
        self._action(help_menu, "&About Dossier", None, self.about)
        # the viewer's own buttons show the same shortcuts; the menu actions own them
        for button in (
            self.viewer.prev_button,
            self.viewer.next_button,
            self.viewer.cite_button,
            self.viewer.open_button,
        ):
            button.setShortcut(QKeySequence())

    def _action(self, menu, text: str, shortcut, slot, icon: QIcon | None = None) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(icon)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _connect(self) -> None:
        self.search_field.textChanged.connect(lambda: self.search())
        self.search_field.returnPressed.connect(self._focus_results)
        self.help_button.clicked.connect(self.show_query_help)
        self.sort_box.currentIndexChanged.connect(self._sort_changed)
        header = self.results.horizontalHeader()
        header.sectionClicked.connect(self._header_clicked)
        header.customContextMenuRequested.connect(lambda point: self.columns_menu.exec(header.mapToGlobal(point)))
        self.facet_state.changed.connect(lambda: self.search(immediate=True))
        self.watcher.changed.connect(self._archive_changed)
        self.viewer.annotation_editor.changed.connect(lambda _doc_id: self.watcher.poll())
        self.controller.results_ready.connect(self._show_results)
        self.controller.query_failed.connect(self._show_query_error)
        self.results.selectionModel().currentRowChanged.connect(self._row_changed)
        self.results.activated.connect(lambda _index: self.viewer.text_view.setFocus())
        self.empty.import_files.connect(self.choose_files)
        self.empty.import_folder.connect(self.choose_folder)
        self.imports.batch_landed.connect(self.watcher.poll)
        self.imports.started.connect(lambda _n: self.update_stats())
        self.imports.finished.connect(self._import_finished)
        self.imports.failed.connect(lambda message: self._error("Import failed", message))
        self.imports.stopped.connect(self._import_stopped)
        self.ocr.finished.connect(lambda _report: self.watcher.poll())
        self.ocr.failed.connect(lambda message: self.statusBar().showMessage(message))
        self.viewer.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.viewer.metadata_saved.connect(lambda _doc_id: self.watcher.poll())
        self.viewer.tag_panel.tags_changed.connect(lambda _doc_id: self.watcher.poll())
        self.bulk_tagger.finished.connect(lambda result: self._bulk_tagging_done(result.summary()))
        self.bulk_tagger.undone.connect(self._bulk_tagging_done)
        self.bulk_tagger.failed.connect(lambda message: self._error("Could not tag", message))

    # -- searching -------------------------------------------------------------------------------

    def describe_facet(self, field: str, value: str) -> tuple[str, str | None]:
        """A facet value's label and, for jurisdictions, the parent it nests under."""
        if field == "jurisdiction":
            place = self.archive.gazetteer.get(value)
            return (place.display, place.parent) if place else (value, None)
        if field == "stance":
            return stance_labels(self.archive.stance_sets()).get(value, value), None
        return value_label(field, value), None

    def current_spec(self) -> SearchSpec:
        """What the search field, sort box and facets ask for."""
        return SearchSpec(
            query=self.search_field.text(),
            sort=self.sort_box.currentData(),
            filters=self.facet_state.filters(),
            excludes=self.facet_state.excludes(),
        )

    def search(self, immediate: bool = False) -> None:
        """Ask for results of the current spec (debounced unless ``immediate``), on the server in Newsroom scope."""
        if self.newsroom.active:
            self.newsroom.request(self.search_field.text(), immediate=immediate)
        else:
            self.controller.request(self.current_spec(), immediate=immediate)

    def _show_results(self, spec: SearchSpec, hits: HitList) -> None:
        selected = self.selected_id()
        scrolled = self.results.verticalScrollBar().value()
        same_query = self.hits is not None and self.hits.query == hits.query
        reading = self.viewer.doc.id if self.viewer.doc is not None else None
        listed = reading is not None and self.results_model.row_of(reading) >= 0
        self.hits = hits
        self.message.setText("\n".join(hits.warnings))
        self.message.setVisible(bool(hits.warnings))
        self.results_model.set_hits(hits)
        self.facets.set_counts(hits.facets)
        self._update_results_page(spec)
        row = self.results_model.row_of(selected) if selected is not None else -1
        if row >= 0:
            self.results.selectionModel().setCurrentIndex(
                self.results_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        if listed and self.results_model.row_of(reading) < 0:  # it left the results: no stale reader beside them
            self.viewer.clear()
        if same_query:  # a refresh (new documents, an edit): stay where the reader was
            self.results.verticalScrollBar().setValue(scrolled)
        self.update_stats()
        self.results_shown.emit()

    def _update_results_page(self, spec: SearchSpec) -> None:
        if self.newsroom.active:  # the server's hits stay in the results' place
            return
        if self.doc_count == 0 and not spec.query.strip():
            self.results_stack.setCurrentWidget(self.empty)
        elif self.hits is not None and self.hits.total == 0:
            self.no_hits.setText(
                "No documents match.<br>Check the spelling, use fewer words, try <code>word~</code> "
                "for similar spellings, or remove a filter."
            )
            self.results_stack.setCurrentWidget(self.no_hits)
        else:
            self.results_stack.setCurrentWidget(self.results)

    def _show_query_error(self, message: str) -> None:
        self.message.setText(f"{message} Press F1 for the search syntax.")
        self.message.show()
        self.results_shown.emit()

    def _row_changed(self, current, _previous) -> None:
        doc_id = current.data(DocIdRole) if current.isValid() else None
        if doc_id is None:
            return
        if self.viewer.doc is None or self.viewer.doc.id != doc_id or self.viewer.query != self.results_model.query:
            self.viewer.show_document(doc_id, self.results_model.query)

    def selected_id(self) -> int | None:
        """Id of the highlighted result."""
        index = self.results.selectionModel().currentIndex()
        return index.data(DocIdRole) if index.isValid() else None

    def open_document(self, doc_id: int) -> None:
        """Show a document (selecting it in the results when it is there)."""
        row = self.results_model.row_of(doc_id)
        if row >= 0:
            self.results.selectRow(row)
            self.results.scrollTo(self.results_model.index(row, 0))
        if self.viewer.doc is None or self.viewer.doc.id != doc_id:
            self.viewer.show_document(doc_id, self.results_model.query)

    def focus_search(self) -> None:
        """Put the caret in the search field with its text selected."""
        self.search_field.setFocus()
        self.search_field.selectAll()

    def clear_search(self) -> None:
        """Empty the search field and drop every filter."""
        self.search_field.clear()
        self.facet_state.clear()

    def _sort_by(self, key: str) -> None:
        self.sort_box.setCurrentIndex(max(self.sort_box.findData(key), 0))

    def _header_clicked(self, column: int) -> None:
        """A header click orders by that column; a second click reverses the order (tags have no order)."""
        if column not in COLUMN_SORTS:
            return
        first, second = COLUMN_SORTS[column]
        self._sort_by(second if self.sort_box.currentData() == first else first)

    def _sort_changed(self) -> None:
        key = self.sort_box.currentData()
        header = self.results.horizontalHeader()
        for column, pair in COLUMN_SORTS.items():
            if key in pair:
                order = (
                    Qt.SortOrder.AscendingOrder
                    if key in ("title", "kind", "oldest", "source")
                    else Qt.SortOrder.DescendingOrder
                )
                header.setSortIndicator(column, order)
                break
        else:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # best match: no column
        self.search(immediate=True)

    def _focus_results(self) -> None:
        if self.newsroom.active:
            self.newsroom.focus_results()
            return
        self.controller.request(self.current_spec(), immediate=True)
        if self.results_model.rowCount():
            self.results.setFocus()
            if not self.results.selectionModel().currentIndex().isValid():
                self.results.selectRow(0)

    def show_query_help(self) -> None:
        """Open the syntax popup under the search field."""
        self.help_popup.show_below(self.search_field)

    # -- importing -------------------------------------------------------------------------------

    def choose_files(self) -> None:
        """File > Import files."""
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import files", self._last_dir(), "Documents (*.html *.htm *.pdf *.docx *.md *.txt);;All files (*)"
        )
        self.import_paths(paths)

    def choose_folder(self) -> None:
        """File > Import folder."""
        folder = QFileDialog.getExistingDirectory(self, "Import a folder (with its subfolders)", self._last_dir())
        if folder:
            self.import_paths([folder])

    def choose_ocr_language(self) -> None:
        """File > OCR language: the language later OCR runs read scans in (the CLI's ``ocr --set-lang``)."""
        if code := choose_ocr_language(self, self.archive.ocr_languages()):
            self.statusBar().showMessage(f"Scans will be read in {code}: File > Read scans (OCR) reads them.", 5000)

    def read_scans(self) -> bool:
        """OCR, in the background, every document whose scanned pages wait (imported before, or a stopped run)."""
        if not self.archive.writable:
            self._error("Cannot read scans", self.read_only_message("read scans"))
            return False
        if self.ocr.running():
            self.statusBar().showMessage("OCR is already reading scans: see its progress below.", 5000)
            return False
        if not self.ocr.start():
            self.statusBar().showMessage("No scanned pages wait for OCR.", 5000)
            return False
        return True

    def import_paths(self, paths: list[str], passwords: list[str] | None = None) -> bool:
        """Start a background import (the menu actions and drops end here)."""
        if not paths:
            return False
        if not self.archive.writable:
            self._error("Cannot import", self.read_only_message("import"))
            return False
        if not self.imports.start(paths, passwords or ()):
            self._error("An import is running", "Wait for it to finish, or cancel it, then import these files.")
            return False
        self.settings.setValue("last_import_dir", str(Path(paths[0]).parent))
        return True

    def _import_stopped(self) -> None:
        self.update_stats()  # no longer "importing…"
        self.watcher.poll()

    def _import_finished(self, report: ImportReport) -> None:
        self._import_stopped()
        ids = [entry["id"] for entry in report.duplicates]
        titles = {i: d.title for i, d in self.archive.documents_by_id(ids).items()} if ids else {}
        dialog = ImportReportDialog(report, titles, self)
        dialog.open_document.connect(self.open_document)
        dialog.retry_with_password.connect(lambda paths, password: self.import_paths(paths, [password]))
        self._keep_while_open(dialog)
        dialog.show()
        if self.archive.writable and not report.cancelled:  # the scans it brought: read in the background
            self.ocr.start([entry["id"] for entry in report.imported])

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and all(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if self.import_paths(paths):
            event.acceptProposedAction()

    # -- status ----------------------------------------------------------------------------------

    def _index_pending(self) -> None:
        """Index in the background what the opening left waiting (an upgrade's rebuild, a stopped reindex);
        searches answer from the index meanwhile, and the status bar counts down."""
        if not self.archive.writable:
            return
        op = Op(
            lambda progress, cancel: self.archive.index_pending(lambda *step: progress(step), cancel),
            with_progress=True,
        )
        op.progressed.connect(lambda _step: self.update_stats())
        op.succeeded.connect(lambda indexed: indexed and self.search(immediate=True))
        op.failed.connect(lambda message: self.statusBar().showMessage(f"Indexing stopped: {message}", 10000))
        self.task_runner.start(op)

    def update_stats(self) -> None:
        """Refresh the status bar counts in the background."""
        op = Op(self.archive.stats)
        op.succeeded.connect(self._show_stats)
        self.task_runner.start(op)

    def _show_stats(self, stats: dict) -> None:
        self.doc_count = stats["documents"]
        parts = [wording.count(stats["documents"], "document")]
        if self.hits is not None and not self.newsroom.active:  # the server's hits are counted above them
            parts.append(wording.count(self.hits.total, "hit"))
        if self.imports.running():
            parts.append("importing…")
        elif stats["queued_for_index"]:
            parts.append(f"indexing {stats['queued_for_index']:,}…")
        else:
            parts.append("index up to date")
        if not self.archive.writable:
            parts.append("read-only (the archive folder cannot be written)")
        self.status_label.setText(" · ".join(p for p in parts if p))
        self._update_results_page(self.controller.spec)

    def tag_results(self) -> None:
        """Tag > Tag all results: one tag on every document of the current result, or accept their suggestions
        above a confidence; either is previewed, then runs as one undo step."""
        ids = list(self.hits.ids) if self.hits else []
        if not ids or not self.archive.writable:
            self.statusBar().showMessage("Search first: the tag goes on every document of the result", 5000)
            return
        if self.bulk_tagger.running():
            self.statusBar().showMessage("A tagging is running: wait for it to finish, or cancel it", 5000)
            return
        dialog = BatchTagDialog(self.archive, len(ids), self)
        if not self._ask(dialog) or dialog.choice is None:
            return
        if dialog.choice[0] == "tag":
            _, place, stance = dialog.choice
            op = Op(lambda: self.archive.plan_tags(ids, place, stance))
        else:
            threshold = dialog.choice[1]
            op = Op(lambda: self.archive.plan_suggestions(ids, threshold))
            self.statusBar().showMessage(f"Gathering the suggestions of {wording.count(len(ids), 'document')}…")
        op.succeeded.connect(self._preview_tagging)
        op.failed.connect(lambda message: self._error("Could not tag", message))
        self.task_runner.start(op)

    def _preview_tagging(self, plan) -> None:
        """Show what a bulk tagging would do; accepted, it runs as one undo step."""
        self.statusBar().clearMessage()
        dialog = TagPreviewDialog(plan, self)
        dialog.accepted.connect(lambda: self.bulk_tagger.tag(dialog.chosen()))
        self._keep_while_open(dialog)
        dialog.open()

    def _bulk_tagging_done(self, summary: str) -> None:
        self.statusBar().showMessage(summary, 8000)
        self.watcher.poll()

    def show_annotations(self) -> None:
        """View > All annotations: a filterable list across the archive, with the review list and the trash."""
        dialog = AnnotationsDialog(self.archive, self.task_runner, self)
        dialog.open_passage.connect(self.open_passage)
        dialog.changed.connect(lambda _doc_id: self.watcher.poll())
        self.watcher.changed.connect(dialog.archive_changed)
        self._keep_while_open(dialog)
        dialog.show()

    def show_map(self) -> MapView:
        """View > Stance map: the map of the current results, drawn again as they (or the tags) change."""
        if self.map_view is not None:
            self.map_view.raise_()
            self.map_view.activateWindow()
            return self.map_view
        view = self.map_view = MapView(self.archive, self.task_runner, self.current_spec, self)
        view.open_passage.connect(self.open_passage)
        view.open_document.connect(self.open_document)
        view.filter_results.connect(self._search_for)
        self.results_shown.connect(view.refresh)
        self.watcher.changed.connect(view.refresh)
        view.destroyed.connect(lambda: setattr(self, "map_view", None))
        self._keep_while_open(view)
        view.show()
        view.refresh()
        return view

    def _search_for(self, query: str) -> None:
        self.search_field.setText(query)
        self.search(immediate=True)

    def open_passage(self, doc_id: int, start: int, end: int) -> None:
        """Show a document with a passage selected."""
        self.open_document(doc_id)
        self.viewer.tabs.setCurrentWidget(self.viewer.text_view)
        self.viewer.text_view.select_span(start, end)

    def edit_stances(self) -> None:
        """Tag > Edit stances and rules."""
        dialog = StanceDialog(self.archive, self.task_runner, self)
        dialog.saved.connect(self.watcher.poll)
        self._ask(dialog)

    def add_jurisdiction(self) -> None:
        """Tag > Add custom jurisdiction."""
        dialog = JurisdictionDialog(self.archive, self.task_runner, self)
        if self._ask(dialog) and dialog.added is not None:
            self.statusBar().showMessage(f"Added {dialog.added.display} ({dialog.added.level})", 8000)
            self.watcher.poll()

    def _keep_while_open(self, dialog: QDialog) -> None:
        """Track a non-modal dialog (the window closes it on shutdown); it is deleted once closed."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._reports.remove(dialog))
        self._reports.append(dialog)

    @staticmethod
    def _ask(dialog: QDialog) -> bool:
        """Run a modal dialog; whether it was accepted. It is deleted after (what it holds stays readable
        until the event loop runs again), not kept as a child of the window for as long as the window lives."""
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()

    def _archive_changed(self, changes: Changes) -> None:
        """Let each pane catch up with what this window or another process (a CLI command) changed; the
        watcher emits only non-empty sets, and any change may alter hits or facets. The window's own writes
        end by asking the watcher (``watcher.poll()``) instead of refreshing panes by hand."""
        if not changes.everything:
            self.results_model.refresh_documents(set(changes.touched))
        self.controller.refresh()
        doc = self.viewer.doc
        if doc is not None and changes.concerns(doc.id):
            if changes.everything or doc.id in changes.tags:
                self.viewer.tag_panel.reload()
            if changes.everything or doc.id in changes.annotations:
                self.viewer.annotations_panel.document_changed(doc.id)
        if changes.vocabulary or changes.everything:
            self.viewer.tag_panel.vocabularies_changed()
        if changes.jurisdictions or changes.everything:
            self.viewer.tag_panel.jurisdiction.forget_names()

    # -- archives, settings, errors ------------------------------------------------------------------

    def choose_archive(self, create: bool = False) -> None:
        """File > New/Open archive folder."""
        title = "Choose an empty folder for the new archive" if create else "Open an archive folder"
        folder = QFileDialog.getExistingDirectory(self, title, str(self.archive.folder.parent))
        if folder:
            self.archive_requested.emit(folder, create)

    def about(self) -> None:
        """Help > About."""
        QMessageBox.about(
            self,
            "About Dossier",
            f"<b>Dossier</b> — an offline research archive.<br>Archive: {self.archive.folder}<br>"
            "Nothing leaves this computer: no network, no telemetry.",
        )

    def read_only_message(self, doing: str) -> str:
        """Why this window cannot ``doing`` (import, …) and what to do: its archive was opened read-only."""
        return (
            f"This archive is open read-only: {self.archive.read_only_reason}. To {doing}, open it again "
            "(File > Open archive folder) from a place you can write to."
        )

    def _error(self, title: str, message: str) -> None:
        QMessageBox.warning(self, title, message)

    def _last_dir(self) -> str:
        return str(self.settings.value("last_import_dir", str(Path.home())))

    def _restore_settings(self) -> None:
        if geometry := self.settings.value("window/geometry"):
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        if state := self.settings.value("window/state"):
            self.restoreState(state)
        layout = self._layout_key()
        if splitter := self.settings.value(f"{layout}/splitter"):
            self.splitter.restoreState(splitter)
        if reader := self.settings.value(f"{layout}/reader"):
            self.viewer.split.restoreState(reader)
        if side := self.settings.value(f"{layout}/side"):
            self.viewer.side.restore_state(side)
        if header := self.settings.value("window/results_columns"):
            self.results.horizontalHeader().restoreState(header)
        for column, action in self.column_actions.items():
            action.setChecked(not self.results.horizontalHeader().isSectionHidden(column))
        self._sort_by(self.settings.value("search/sort", "relevance"))

    def _layout_key(self) -> str:
        """Pane sizes and collapsed sections are remembered per archive (folders differ in what they hold)."""
        return "layout/" + hashlib.sha1(str(self.archive.folder.resolve()).encode("utf-8")).hexdigest()[:16]

    def save_settings(self) -> None:
        """Remember window layout and sort order."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        layout = self._layout_key()
        self.settings.setValue(f"{layout}/splitter", self.splitter.saveState())
        self.settings.setValue(f"{layout}/reader", self.viewer.split.saveState())
        self.settings.setValue(f"{layout}/side", self.viewer.side.save_state())
        self.settings.setValue("window/results_columns", self.results.horizontalHeader().saveState())
        self.settings.setValue("search/sort", self.sort_box.currentData())

    def closeEvent(self, event) -> None:
        if self.imports.running():
            answer = QMessageBox.question(
                self, "Import running", "An import is running. Cancel it and close? Files already imported are kept."
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.imports.cancel()
        if self.remember:
            self.save_settings()
        self.shutdown()
        super().closeEvent(event)

    def runners(self) -> tuple[OpRunner, ...]:
        """The pools background calls run on."""
        editor = self.viewer.annotation_editor.runner
        runners = self.search_runner, self.snippet_runner, self.task_runner, self.bulk_tagger.runner, editor
        return (*runners, self.newsroom.search.runner)

    def shutdown(self) -> None:
        """Stop background work: cancel an import, wait for running calls, drop their late results."""
        self.imports.cancel()
        self.ocr.cancel()
        self.sync_flow.cancel()
        self.newsroom.close()
        self.watcher.stop()
        for runner in self.runners():
            runner.close()
        for dialog in list(self._reports):
            dialog.close()
