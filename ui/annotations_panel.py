"""The open document's annotations beside its text, and the floating toolbar on a text selection."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.archive import Archive
from app.models import COLOURS, Annotation, stance_labels
from ui.annotation_commands import AnnotationEditor
from ui.note_dialog import NoteDialog
from ui.ops import Op
from ui.text_view import TextView
from ui.theme import annotation_mark

AnnotationRole = Qt.ItemDataRole.UserRole + 50


class SelectionToolbar(QFrame):
    """Floats above a text selection: highlight, add a note, tag."""

    highlight = Signal()
    note = Signal()
    tag = Signal()

    def __init__(self, view: TextView) -> None:
        super().__init__(view.viewport())
        self.view = view
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(2, 2, 2, 2)
        for text, tip, signal in (
            ("Highlight", "Highlight the selection (Ctrl+H)", self.highlight),
            ("Note…", "Highlight with a note (Ctrl+M)", self.note),
            ("Tag…", "Tag the selection with a jurisdiction and stance", self.tag),
        ):
            button = QToolButton(text=text, toolTip=tip, autoRaise=True)
            button.clicked.connect(signal)
            row.addWidget(button)
        self.hide()
        view.selectionChanged.connect(self._follow)

    def _follow(self) -> None:
        cursor = self.view.textCursor()
        if not cursor.hasSelection() or not self.view.isEnabled():
            self.hide()
            return
        start = self.view.textCursor()
        start.setPosition(cursor.selectionStart())
        rect = self.view.cursorRect(start)
        self.adjustSize()
        x = max(0, min(rect.left(), self.view.viewport().width() - self.width()))
        y = rect.top() - self.height() - 4
        self.move(QPoint(x, y if y >= 0 else self.view.cursorRect(cursor).bottom() + 4))
        self.show()
        self.raise_()


class AnnotationsPanel(QWidget):
    """Lists the document's annotations; click one to jump to its passage; edit, recolour, delete."""

    tag_requested = Signal()
    shown = Signal(list)  # the placed annotations of the open document, whenever they change

    def __init__(self, archive: Archive, editor: AnnotationEditor, view: TextView, parent: QWidget | None = None):
        super().__init__(parent)
        self.archive, self.editor, self.view = archive, editor, view
        self.doc_id: int | None = None
        self.model = QStandardItemModel(self)
        self.list = QTreeView()
        self.list.setModel(self.model)
        self.list.setHeaderHidden(True)
        self.list.setRootIsDecorated(False)
        self.list.setWordWrap(True)
        self.list.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.status = QLabel(wordWrap=True)  # a long hint must not widen the side panel
        self.note_button = QPushButton("Edit &note…")
        self.colour_button = QPushButton("&Colour")
        self.delete_button = QPushButton("&Delete")
        delete_key = QShortcut(QKeySequence.StandardKey.Delete, self.list)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.delete_current)
        buttons = QHBoxLayout()
        for button in (self.note_button, self.colour_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

        self.toolbar = SelectionToolbar(view)
        self.toolbar.highlight.connect(self.highlight_selection)
        self.toolbar.note.connect(self.note_selection)
        self.toolbar.tag.connect(self.tag_requested)
        self.list.selectionModel().currentChanged.connect(self._jump)
        self.list.activated.connect(lambda _index: self.edit_note())
        self.note_button.clicked.connect(self.edit_note)
        self.colour_button.clicked.connect(self.next_colour)
        self.delete_button.clicked.connect(self.delete_current)
        self._update_buttons()

    def show_document(self, doc_id: int) -> None:
        """Load the document's annotations."""
        self.doc_id = doc_id
        self.reload()

    def reload(self) -> None:
        """Fetch the annotations again and repaint their highlights."""
        doc_id = self.doc_id
        if doc_id is None:
            return
        op = Op(lambda: (self.archive.annotations(doc_id), stance_labels(self.archive.stance_sets())))
        op.succeeded.connect(lambda result: self._loaded(doc_id, *result))
        self.editor.runner.start(op)

    def _loaded(self, doc_id: int, found: list[Annotation], stances: dict[str, str]) -> None:
        if doc_id != self.doc_id:
            return
        current = self.current()
        self.model.clear()
        for annotation in found:
            lines = [f"“{' '.join(annotation.exact.split())[:140]}”"]
            if annotation.note:
                lines.append(f"✎ {annotation.note}")
            stance = stances.get(annotation.stance_key, annotation.stance) if annotation.stance else ""
            labels = ["private" if annotation.private else "", *annotation.tags, stance,
                      "needs review" if annotation.review else ""]  # fmt: skip
            if any(labels):
                lines.append("  ".join(f"[{label}]" for label in labels if label))
            item = QStandardItem("\n".join(lines))
            item.setData(annotation, AnnotationRole)
            item.setData(annotation_mark(annotation.colour, annotation.private, self), Qt.ItemDataRole.DecorationRole)
            item.setToolTip(
                f"<p>{'p. ' + str(annotation.page) + ', ' if annotation.page else ''}"
                f"revision {annotation.revision}, {annotation.modified[:16].replace('T', ' ')}</p>"
            )
            self.model.appendRow(item)
            if current is not None and current.uuid == annotation.uuid:
                self.list.setCurrentIndex(item.index())
        placed = [a for a in found if not a.review]
        self.view.set_highlights([(a.start, a.end, a.colour) for a in placed])
        self.shown.emit(placed)
        self.status.setText(
            f"{len(found)} annotation{'s' if len(found) != 1 else ''}"
            if found
            else "No annotations: select text, then Highlight (Ctrl+H) or Note (Ctrl+M)."
        )
        self._update_buttons()

    def current(self) -> Annotation | None:
        """The selected annotation."""
        index = self.list.currentIndex()
        return index.data(AnnotationRole) if index.isValid() else None

    # -- actions ---------------------------------------------------------------------------

    def highlight_selection(self) -> bool:
        """Annotate the selected passage (Ctrl+H); False when nothing is selected."""
        span = self.view.selection_offsets()
        if self.doc_id is None or span is None or not self.archive.writable:
            return False
        self.editor.create(self.doc_id, *span)
        self.toolbar.hide()
        return True

    def note_selection(self) -> None:
        """Annotate the selected passage with a note (Ctrl+M)."""
        span = self.view.selection_offsets()
        if self.doc_id is None or span is None or not self.archive.writable:
            return
        doc_id = self.doc_id
        dialog = NoteDialog(self.view.text[span[0] : span[1]], self.archive, parent=self)
        dialog.accepted.connect(lambda: self.editor.create(doc_id, *span, **dialog.values()))
        self._show(dialog)

    def edit_note(self) -> None:
        """Change what the selected annotation carries (note, colour, tags, jurisdiction, stance, privacy), with its
        passage in view."""
        annotation = self.current()
        if annotation is None:
            return
        dialog = NoteDialog.for_annotation(annotation, self.archive, self)
        dialog.accepted.connect(lambda: (changes := dialog.changes()) and self.editor.edit(annotation, **changes))
        self._show(dialog)

    def _show(self, dialog: NoteDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.toolbar.hide()
        dialog.open()

    def next_colour(self) -> None:
        """Cycle the selected annotation's colour."""
        annotation = self.current()
        if annotation is not None:
            self.editor.edit(annotation, colour=COLOURS[(COLOURS.index(annotation.colour) + 1) % len(COLOURS)])

    def delete_current(self) -> None:
        """Move the selected annotation to the trash (Ctrl+Z brings it back)."""
        annotation = self.current()
        if annotation is not None:
            self.editor.delete(annotation)

    def _jump(self, current: QModelIndex, _previous: QModelIndex) -> None:
        annotation = current.data(AnnotationRole) if current.isValid() else None
        if annotation is not None and not annotation.review:
            self.view.select_span(annotation.start, annotation.end)
        self._update_buttons()

    def document_changed(self, doc_id: int) -> None:
        """Reload when ``doc_id`` is the document shown."""
        if doc_id == self.doc_id:
            self.reload()

    def _update_buttons(self) -> None:
        enabled = self.archive.writable and self.current() is not None
        for button in (self.note_button, self.colour_button, self.delete_button):
            button.setEnabled(enabled)
