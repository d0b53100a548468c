"""The document viewer: stored text with hits, the original (PDF page or safe HTML), and details."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter

from platformdirs import user_cache_path
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.archive import RENDERED_KINDS, Archive
from app.citation import citation
from app.errors import DossierError
from app.models import Document
from ui.annotation_commands import AnnotationEditor
from ui.annotations_panel import AnnotationsPanel
from ui.collapsible import SectionStack
from ui.html_view import HtmlView
from ui.metadata_panel import MetadataPanel
from ui.ops import Op, OpRunner
from ui.pdf_view import PdfView
from ui.related_panel import RelatedPanel
from ui.tag_panel import TagPanel
from ui.text_view import TextView
from ui.theme import highlight_colour, mark_colour

TEXT_TAB, ORIGINAL_TAB, DETAILS_TAB = range(3)


class DocumentViewer(QWidget):
    """Shows one document; ``ready`` is emitted once its text and hits are on screen."""

    ready = Signal(int)
    metadata_saved = Signal(int)
    message = Signal(str)  # a readable error for the status bar

    def __init__(self, archive: Archive, runner: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.runner = runner
        self.doc: Document | None = None
        self.query = ""
        self._original_loaded = False
        self._terms: list[str] = []
        self._annotations: list = []  # the open document's placed annotations (for the PDF page)
        self._scan_words: dict[int, list] = {}  # the words OCR read on its scanned pages, by page

        self.title = QLabel(textFormat=Qt.TextFormat.PlainText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.hit_label = QLabel()
        self.prev_button = _tool("Previous hit", "◀", QKeySequence("Shift+F3"))
        self.next_button = _tool("Next hit", "▶", QKeySequence("F3"))
        self.cite_button = _tool("Copy citation", "Copy citation", QKeySequence("Ctrl+Shift+C"))
        self.open_button = _tool("Open the original in its application", "Open original", QKeySequence("Ctrl+Shift+O"))
        bar = QHBoxLayout()
        for widget in (self.prev_button, self.hit_label, self.next_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.cite_button)
        bar.addWidget(self.open_button)

        self.text_view = TextView()
        self.pdf_view = PdfView()
        self.html_view = HtmlView()
        self.original_note = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.original_stack = QStackedWidget()
        for widget in (self.original_note, self.pdf_view, self.html_view):
            self.original_stack.addWidget(widget)
        self.details = MetadataPanel()
        self.related = RelatedPanel()  # attachments, containers and the thread, as links
        self.tag_panel = TagPanel(archive, runner, self.text_view)
        self.annotation_editor = AnnotationEditor(archive, self)
        self.annotations_panel = AnnotationsPanel(archive, self.annotation_editor, self.text_view)
        self.side = SectionStack()  # beside the text: the reader keeps the pane's full height
        self.tags_section = self.side.add_section("Tags", self.tag_panel.tags_box, 2)
        self.suggestions_section = self.side.add_section("Suggestions", self.tag_panel.suggestions_box, 3)
        self.annotations_section = self.side.add_section("Annotations", self.annotations_panel, 3)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.text_view, "&Text")
        self.tabs.addTab(self.original_stack, "&Original")
        self.tabs.addTab(self.details, "&Details")
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.tabs)
        self.split.addWidget(self.side)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([560, 300])
        self.placeholder = QLabel("Select a result to read it here.", alignment=Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)

        self.body = QWidget()
        inner = QVBoxLayout(self.body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.title)
        inner.addLayout(bar)
        inner.addWidget(self.related)
        inner.addWidget(self.split, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.prev_button.clicked.connect(self.previous_hit)
        self.next_button.clicked.connect(self.next_hit)
        self.cite_button.clicked.connect(self.copy_citation)
        self.open_button.clicked.connect(self.open_original)
        self.text_view.match_changed.connect(self._show_match_count)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.details.save_requested.connect(self._save_metadata)
        self.related.open_requested.connect(lambda doc_id: self.show_document(doc_id, self.query))
        self.tag_panel.message.connect(self.message)
        self.tag_panel.counted.connect(self._counted)
        self.annotation_editor.failed.connect(self.message)
        self.annotations_panel.tag_requested.connect(self.tag_selection)
        self.annotations_panel.shown.connect(self._annotations_shown)
        self._show_match_count(0, 0)

    # -- showing a document ------------------------------------------------------------------

    def show_document(self, doc_id: int, query: str = "") -> None:
        """Load a document (text now, hits and original in the background)."""
        try:
            doc = self.archive.document(doc_id)
            text = self.archive.text(doc_id)
        except DossierError as exc:
            self.message.emit(str(exc))
            return
        if self.doc is not None and self.doc.id == doc_id and self.stack.currentWidget() is self.body:
            self._requery(doc, query)  # same document, new query: keep the text and the original loaded
            return
        self.doc, self.query, self._terms, self._annotations = doc, query, [], []
        self._original_loaded = False
        self.pdf_view.clear()
        self.title.setText(doc.title)
        self.text_view.set_text(text)
        self.details.show_document(doc)
        self.related.show_related(self.archive.related(doc_id))
        self.tag_panel.show_document(doc_id)
        self.annotations_panel.show_document(doc_id)
        self.stack.setCurrentWidget(self.body)
        if self.tabs.currentIndex() == ORIGINAL_TAB:
            self._load_original()
        self._find_matches(doc_id, query)

    def _requery(self, doc: Document, query: str) -> None:
        self.doc = doc
        self.title.setText(doc.title)
        if query != self.query:
            self.query, self._terms = query, []
            self._find_matches(doc.id, query)
        else:
            self.ready.emit(doc.id)

    def _find_matches(self, doc_id: int, query: str) -> None:
        if not query.strip():
            self.text_view.set_matches([])
            if self._original_loaded and self.doc.kind == "pdf":
                self.pdf_view.set_search("")
            self.ready.emit(doc_id)
            return
        op = Op(lambda: self.archive.match_spans(query, doc_id))
        op.succeeded.connect(lambda spans: self._matches_arrived(doc_id, query, spans))
        op.failed.connect(lambda _message: self._matches_arrived(doc_id, query, []))
        self.runner.start(op)

    def tag_selection(self) -> None:
        """Show the tag fields for the selected passage."""
        self.tags_section.set_expanded(True)
        self.tag_panel.jurisdiction.setFocus()

    def clear(self) -> None:
        """Show the placeholder."""
        self.doc = None
        self.pdf_view.clear()
        self.stack.setCurrentWidget(self.placeholder)

    def show_original(self) -> None:
        """Switch to the Original tab."""
        self.tabs.setCurrentIndex(ORIGINAL_TAB)

    def _matches_arrived(self, doc_id: int, query: str, spans: list[tuple[int, int]]) -> None:
        if not self.doc or self.doc.id != doc_id or query != self.query:
            return
        self.text_view.set_matches(spans)
        words = Counter(self.text_view.text[start:end].lower() for start, end in spans)
        self._terms = [word for word, _ in words.most_common()]
        if self._original_loaded:
            self._highlight_original()
        self.ready.emit(doc_id)

    # -- hits --------------------------------------------------------------------------------

    def next_hit(self) -> None:
        """Next hit in the text (or on the PDF pages)."""
        if self.tabs.currentIndex() == ORIGINAL_TAB and self.doc and self.doc.kind == "pdf":
            self.pdf_view.next_match()
        else:
            self.text_view.next_match()

    def previous_hit(self) -> None:
        """Previous hit."""
        if self.tabs.currentIndex() == ORIGINAL_TAB and self.doc and self.doc.kind == "pdf":
            self.pdf_view.previous_match()
        else:
            self.text_view.previous_match()

    def _show_match_count(self, current: int, total: int) -> None:
        self.hit_label.setText(f"hit {current} of {total}" if total else "no hits in the text")
        self.prev_button.setEnabled(total > 1)
        self.next_button.setEnabled(total > 1)

    # -- original ----------------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if index == ORIGINAL_TAB and self.doc and not self._original_loaded:
            self._load_original()

    def _load_original(self) -> None:
        doc = self.doc
        self._original_loaded = True
        if doc.kind == "pdf":
            error = self.pdf_view.load(self.archive.original_path(doc.id))
            if error:
                self._note(f"The PDF cannot be shown here: {error}\nIts text is in the Text tab.")
                return
            self.original_stack.setCurrentWidget(self.pdf_view)
            self._scan_words = {}
            self._highlight_original()
            self._annotations_on_pdf()
            op = Op(lambda: self.archive.ocr_words(doc.id))
            op.succeeded.connect(lambda words: self._scan_words_arrived(doc.id, words))
            self.runner.start(op)
        elif doc.kind in RENDERED_KINDS:
            self._note("Preparing a safe view of the page…")
            op = Op(lambda: self.archive.original_html(doc.id))
            op.succeeded.connect(lambda html: self._html_arrived(doc.id, html))
            op.failed.connect(lambda message: self._note(message) if self.doc and self.doc.id == doc.id else None)
            self.runner.start(op)
        else:
            self._note(
                f"This is a {doc.kind} file: its text is shown in the Text tab.\n"
                "Open original (Ctrl+Shift+O) opens it in its own application."
            )

    def _html_arrived(self, doc_id: int, html: str) -> None:
        if self.doc and self.doc.id == doc_id:
            self.html_view.show_html(html)
            self.original_stack.setCurrentWidget(self.html_view)
            self._highlight_original()

    def _highlight_original(self) -> None:
        if not self._terms:
            return
        if self.doc.kind == "pdf":
            self.pdf_view.set_search(self._terms[0])
            self._mark_scans()
        elif self.doc.kind in RENDERED_KINDS:
            self.html_view.highlight_terms(self._terms)

    def _counted(self, tags: int, suggestions: int) -> None:
        self.tags_section.set_count(tags)
        self.suggestions_section.set_count(suggestions)

    def _annotations_shown(self, annotations: list) -> None:
        self._annotations = annotations
        self.annotations_section.set_count(len(annotations))
        self._annotations_on_pdf()

    def _annotations_on_pdf(self) -> None:
        if self.doc and self.doc.kind == "pdf" and self.pdf_view.page_count:
            self.pdf_view.set_highlights(
                [(a.page, a.exact, a.prefix, highlight_colour(a.colour, self)) for a in self._annotations if a.page]
            )
            self._mark_scans()

    def _scan_words_arrived(self, doc_id: int, words: dict[int, list]) -> None:
        if self.doc and self.doc.id == doc_id and self._original_loaded:
            self._scan_words = words
            self._mark_scans()

    def _mark_scans(self) -> None:
        """Hits and annotations on scanned pages, drawn over the words OCR read there (no text layer to search)."""
        if not self._scan_words:
            return
        hits = [(start, end, mark_colour(self)) for start, end in self.text_view.matches] if self.query else []
        notes = [(a.start, a.end, highlight_colour(a.colour, self)) for a in self._annotations]
        self.pdf_view.set_scan_marks(self._scan_words, notes + hits)

    def _note(self, text: str) -> None:
        self.original_note.setText(text)
        self.original_stack.setCurrentWidget(self.original_note)

    def current_page(self) -> int | None:
        """1-based page the reader is looking at (PDF view, or the text caret's page)."""
        if not self.doc or not self.doc.pages:
            return None
        if self.tabs.currentIndex() == ORIGINAL_TAB and self.doc.kind == "pdf":
            return self.pdf_view.current_page() + 1
        spans = self.archive.page_spans(self.doc.id)
        starts = [start for start, _ in spans]
        return max(bisect_right(starts, self.text_view.cursor_offset()), 1) if starts else None

    def copy_citation(self) -> None:
        """Put a citation of the open document (with the current page) on the clipboard."""
        if self.doc:
            QGuiApplication.clipboard().setText(citation(self.doc, self.current_page()))
            self.message.emit("Citation copied")

    def open_original(self) -> None:
        """Open a copy of the original in the system's application for it."""
        if not self.doc:
            return
        try:
            path = self.archive.original_copy(self.doc.id, user_cache_path("Dossier", appauthor=False) / "originals")
        except (DossierError, OSError) as exc:
            self.message.emit(f"Could not prepare the original: {exc}")
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.message.emit(f"No application opens {path.suffix or 'this file'} files here; the copy is at {path}")

    # -- metadata ----------------------------------------------------------------------------

    def _save_metadata(self, doc_id: int, values: dict) -> None:
        op = Op(lambda: self.archive.update_metadata(doc_id, **values))
        op.succeeded.connect(self._metadata_saved)
        op.failed.connect(self.details.save_failed)
        self.runner.start(op)

    def _metadata_saved(self, doc: Document) -> None:
        if self.doc and self.doc.id == doc.id:
            self.doc = doc
            self.title.setText(doc.title)
            self.details.show_document(doc)
        self.message.emit("Saved")
        self.metadata_saved.emit(doc.id)


def _tool(tip: str, text: str, shortcut: QKeySequence) -> QToolButton:
    button = QToolButton(text=text)
    button.setToolTip(f"{tip} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})")
    button.setShortcut(shortcut)
    return button
