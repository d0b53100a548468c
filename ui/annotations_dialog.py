"""View > All annotations: every annotation in the archive, filterable; the review list and the trash."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.archive import Archive
from app.changes import Changes
from app.models import COLOURS, Annotation, Document, MetadataConflict, stance_labels
from ui.note_dialog import PRIVATE_TIP
from ui.ops import Op, OpRunner
from ui.theme import highlight_colour, lock_icon

AnnotationRole = Qt.ItemDataRole.UserRole + 60
VIEWS = (("live", "Annotations"), ("review", "Needs review"), ("trash", "Trash"))
COLUMNS = ("Document", "Passage", "Note", "Tags", "Jurisdiction", "Stance", "Modified")


class AnnotationsDialog(QDialog):
    """Non-modal; ``open_passage(doc_id, start, end)`` asks the window to show a passage. Its writes (restore,
    settle a conflict, empty the trash) run as ops on ``runner``, one at a time."""

    open_passage = Signal(int, int, int)
    changed = Signal(int)  # a document whose annotations changed here (restored, conflict settled)

    def __init__(self, archive: Archive, runner: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("All annotations")
        self.archive = archive
        self.runner = runner
        self.writing: Op | None = None  # the write under way
        self.found: list[Annotation] = []
        self.fields: list[MetadataConflict] = []  # document fields changed on both sides (on the review list)
        self._stance_labels: dict[str, str] = {}
        self.view_box = QComboBox()
        for key, label in VIEWS:
            self.view_box.addItem(label, key)
        self.text = QLineEdit(placeholderText="Filter by passage, note or document title")
        self.text.setClearButtonEnabled(True)
        self.colour = QComboBox()
        self.colour.addItem("any colour", None)
        for colour in COLOURS:
            self.colour.addItem(colour, colour)
        self.stance = QComboBox()
        self.jurisdiction = QLineEdit(placeholderText="jurisdiction")
        self.tag = QLineEdit(placeholderText="tag")
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.count = QLabel()
        self.error = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: palette(link)")
        self.comparison = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)  # the two versions of a conflict
        self.restore_button = QPushButton("&Restore")
        self.empty_button = QPushButton("&Empty trash")
        self.keep_theirs_button = QPushButton("Keep the &bundle's version")
        self.keep_ours_button = QPushButton("Keep &ours")
        for button, whose in ((self.keep_theirs_button, "this version, from the bundle"), (self.keep_ours_button,
                              "the version that was here")):  # fmt: skip
            button.setToolTip(f"Both sides changed this annotation: keep {whose} and delete the other")

        filters = QHBoxLayout()
        for widget in (self.view_box, self.text, self.colour, self.stance, self.jurisdiction, self.tag):
            filters.addWidget(widget)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        for button in (self.keep_theirs_button, self.keep_ours_button, self.restore_button, self.empty_button):
            bottom.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.comparison)
        layout.addWidget(self.error)
        layout.addLayout(bottom)

        self.view_box.currentIndexChanged.connect(self.reload)
        for field in (self.text, self.jurisdiction, self.tag):
            field.textChanged.connect(self._fill)
        for box in (self.colour, self.stance):
            box.currentIndexChanged.connect(self._fill)
        self.table.activated.connect(self._activated)
        self.restore_button.clicked.connect(self._restore)
        self.empty_button.clicked.connect(self._empty)
        self.keep_theirs_button.clicked.connect(lambda: self._resolve("theirs"))
        self.keep_ours_button.clicked.connect(lambda: self._resolve("ours"))
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.resize(1100, 560)
        self.reload()

    def archive_changed(self, changes: Changes) -> None:
        """Catch up with annotations changed anywhere (the panel, another window, a CLI command)."""
        if (changes.annotations or changes.documents or changes.everything) and not self.busy():
            self.reload()

    def reload(self) -> None:
        """Fetch the chosen list again."""
        which = self.view_box.currentData()
        self.found = self.archive.annotations(trash=which == "trash", review=which == "review")
        self.fields = self.archive.metadata_conflicts() if which == "review" else []
        ids = {a.doc_id for a in self.found} | {c.doc_id for c in self.fields}
        self._titles = {d.id: d.title for d in self.archive.documents_by_id(ids).values()}
        self._places = {}
        for annotation in self.found:
            if annotation.jurisdiction and annotation.jurisdiction not in self._places:
                place = self.archive.gazetteer.get(annotation.jurisdiction)
                self._places[annotation.jurisdiction] = place.display if place else annotation.jurisdiction
        self._stance_labels = stance_labels(self.archive.stance_sets())
        current = self.stance.currentData()
        self.stance.blockSignals(True)
        self.stance.clear()
        self.stance.addItem("any stance", None)
        for key in sorted({a.stance_key for a in self.found if a.stance}, key=self._stance_label):
            self.stance.addItem(self._stance_label(key), key)
        self.stance.setCurrentIndex(max(self.stance.findData(current), 0))
        self.stance.blockSignals(False)
        self.restore_button.setVisible(which == "trash")
        self.empty_button.setVisible(which == "trash")
        for button in (self.keep_theirs_button, self.keep_ours_button):
            button.setVisible(which == "review")
        self._fill()

    def _fill(self) -> None:
        selected = self.selected()
        self.model.removeRows(0, self.model.rowCount())
        shown = [a for a in self.found if self._matches(a)]
        for annotation in shown:
            note = annotation.note if annotation.conflict_of else annotation.review or annotation.note
            row = [
                self._titles.get(annotation.doc_id, f"#{annotation.doc_id}"),
                " ".join(annotation.exact.split()),
                " · ".join(part for part in ("private" if annotation.private else "", note) if part),
                ", ".join(annotation.tags),
                self._places.get(annotation.jurisdiction or "", ""),
                self._stance_label(annotation.stance_key),
                annotation.modified[:16].replace("T", " "),
            ]
            items = [QStandardItem(value) for value in row]
            items[0].setData(annotation, AnnotationRole)
            items[1].setData(highlight_colour(annotation.colour, self), Qt.ItemDataRole.DecorationRole)
            if annotation.private:
                items[2].setData(lock_icon(), Qt.ItemDataRole.DecorationRole)
                items[2].setToolTip(PRIVATE_TIP)
            self.model.appendRow(items)
        fields = [c for c in self.fields if self._field_matches(c)]
        for conflict in fields:
            name = FIELD_LABELS[conflict.theirs.name]
            row = [self._titles.get(conflict.doc_id, f"#{conflict.doc_id}"), f"{name}: {conflict.theirs.value or ''}",
                   conflict.review, "", "", "", ""]  # fmt: skip
            items = [QStandardItem(value) for value in row]
            items[0].setData(conflict, AnnotationRole)
            self.model.appendRow(items)
        self.count.setText(f"{len(shown) + len(fields)} of {len(self.found) + len(self.fields)}")
        if selected is not None:  # keep the row selected across a reload
            rows = [row for row, item in enumerate([*shown, *fields]) if _same(item, selected)]
            if rows:
                self.table.selectRow(rows[0])
        self._update_buttons()

    def _matches(self, annotation: Annotation) -> bool:
        text = self.text.text().strip().lower()
        haystack = f"{annotation.exact} {annotation.note} {self._titles.get(annotation.doc_id, '')}".lower()
        place = self._places.get(annotation.jurisdiction or "", "").lower()
        return (
            (not text or text in haystack)
            and (self.colour.currentData() in (None, annotation.colour))
            and (self.stance.currentData() in (None, annotation.stance_key))
            and (self.jurisdiction.text().strip().lower() in place)
            and (not self.tag.text().strip() or self.tag.text().strip().lower() in annotation.tags)
        )

    def _field_matches(self, conflict: MetadataConflict) -> bool:
        text = self.text.text().strip().lower()
        haystack = f"{conflict.theirs.value} {conflict.ours} {self._titles.get(conflict.doc_id, '')}".lower()
        no_filter = self.colour.currentData() is None and self.stance.currentData() is None
        return no_filter and (not text or text in haystack) and not self.jurisdiction.text().strip() \
            and not self.tag.text().strip()  # fmt: skip

    def _stance_label(self, key: str | None) -> str:
        """A stance's label, followed by its vocabulary's topic where two vocabularies use the label."""
        return self._stance_labels.get(key, key.rsplit("/", 1)[-1]) if key else ""

    def selected(self) -> Annotation | MetadataConflict | None:
        """The annotation (or the document field changed on both sides) on the current row."""
        index = self.table.currentIndex()
        return self.model.item(index.row(), 0).data(AnnotationRole) if index.isValid() else None

    def _activated(self, index) -> None:
        annotation = self.model.item(index.row(), 0).data(AnnotationRole)
        if isinstance(annotation, Annotation) and annotation.deleted is None:
            self.open_passage.emit(annotation.doc_id, annotation.start, annotation.end)

    def _update_buttons(self) -> None:
        annotation = self.selected()
        field = isinstance(annotation, MetadataConflict)
        conflict = field or (annotation is not None and annotation.conflict_of is not None)
        can_write = self.archive.writable and not self.busy()
        for button in (self.keep_theirs_button, self.keep_ours_button):
            button.setEnabled(conflict and can_write)
        self.restore_button.setEnabled(can_write and self.model.rowCount() > 0)
        self.empty_button.setEnabled(can_write and bool(self.found))
        self.comparison.setVisible(conflict)
        if field:
            self.comparison.setText(
                f"Both sides changed the {FIELD_LABELS[annotation.theirs.name]} of this document since they last "
                f"agreed.\nOurs: “{annotation.ours or ''}”\nTheirs: “{annotation.theirs.value or ''}”"
            )
        elif conflict:
            ours = self.archive.annotation(annotation.conflict_of)
            self.comparison.setText(
                "Both sides changed this annotation since they last agreed.\n"
                f"Ours: {self._summary(ours)}\nThe bundle's: {self._summary(annotation)}"
            )

    def _summary(self, annotation: Annotation) -> str:
        """Note, colour, tags and stance of one version, for comparing two."""
        parts = [f"“{annotation.note}”" if annotation.note else "no note", annotation.colour]
        parts += [f"tags: {', '.join(annotation.tags)}"] if annotation.tags else []
        parts += [f"stance: {self._stance_label(annotation.stance_key)}"] if annotation.stance else []
        parts += ["in the trash"] if annotation.deleted else []
        return "; ".join(parts)

    def busy(self) -> bool:
        """Whether a write of this dialog is under way."""
        return self.writing is not None

    def _restore(self) -> None:
        annotation = self.selected()
        if annotation is not None:
            self._write(lambda: self.archive.restore_annotation(annotation.uuid))

    def _resolve(self, keep: str) -> None:
        annotation = self.selected()
        if isinstance(annotation, MetadataConflict):
            self._write(lambda: self.archive.resolve_metadata_conflict(annotation.id, keep))
        elif annotation is not None and annotation.conflict_of:
            self._write(lambda: self.archive.resolve_conflict(annotation.uuid, keep))

    def _empty(self) -> None:
        self._write(self.archive.empty_trash)

    def _write(self, work) -> None:
        """Run a write in the background (the archive may be busy with another Dossier's write meanwhile)."""
        if self.busy():
            return
        self.error.clear()
        self.writing = Op(work)
        self.writing.succeeded.connect(self._written)
        self.writing.failed.connect(self.error.setText)
        self.writing.finished.connect(self._settled)
        self._update_buttons()
        self.runner.start(self.writing)

    def _written(self, result: object) -> None:
        if isinstance(result, Annotation):  # restored or settled (emptying the trash changes no live list)
            self.changed.emit(result.doc_id)
        elif isinstance(result, Document):  # a field settled
            self.changed.emit(result.id)

    def _settled(self) -> None:
        self.writing = None
        self.reload()


FIELD_LABELS = {"title": "title", "published": "date", "site": "source"}


def _same(item: Annotation | MetadataConflict, other: Annotation | MetadataConflict) -> bool:
    """Whether two rows show the same thing (across a reload)."""
    if isinstance(item, MetadataConflict) or isinstance(other, MetadataConflict):
        return isinstance(item, MetadataConflict) and isinstance(other, MetadataConflict) and item.id == other.id
    return item.uuid == other.uuid
