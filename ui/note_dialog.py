"""The Note dialog: the passage an annotation marks (read-only), and everything it carries to choose: note, colour,
tags, jurisdiction and stance, privacy."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.archive import Archive
from app.models import COLOURS, Annotation
from ui.tag_panel import JurisdictionField, StanceBox
from ui.theme import highlight_colour, lock_icon

PRIVATE_TIP = "A private note stays in this archive: exported bundles leave it out unless you include private notes"


class NoteDialog(QDialog):
    """A new annotation's fields, or an existing one's to change: :meth:`values` holds all of them,
    :meth:`changes` those the person changed."""

    def __init__(
        self, passage: str, archive: Archive, annotation: Annotation | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Note")
        self.passage = QPlainTextEdit(f"“{' '.join(passage.split())}”")
        self.passage.setReadOnly(True)
        self.passage.setMaximumHeight(self.passage.fontMetrics().lineSpacing() * 5 + 12)
        self.colour = QComboBox()
        for name in COLOURS:
            self.colour.addItem(name, name)
            self.colour.setItemData(
                self.colour.count() - 1, highlight_colour(name, self), Qt.ItemDataRole.DecorationRole
            )
        self.tags = QLineEdit(placeholderText="follow-up, quote (separated by commas)")
        self.jurisdiction = JurisdictionField(archive)
        self.stance = StanceBox()
        self.stance.set_vocabularies(archive.stance_sets())
        self.private_box = QCheckBox("&Private note", toolTip=PRIVATE_TIP, icon=lock_icon())
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Your note on this passage")
        if annotation is not None:
            self._show(annotation, archive)
        form = QFormLayout()
        form.addRow("Passage", self.passage)
        form.addRow("&Colour", self.colour)
        form.addRow("&Tags", self.tags)
        form.addRow("&Jurisdiction", self.jurisdiction)
        form.addRow("&Stance", self.stance)
        form.addRow("", self.private_box)
        form.addRow("&Note", self.editor)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._initial = self.values()
        self.editor.setFocus()
        self.resize(560, 480)

    @classmethod
    def for_annotation(cls, annotation: Annotation, archive: Archive, parent: QWidget | None = None) -> NoteDialog:
        """The dialog for an existing annotation."""
        return cls(annotation.exact, archive, annotation, parent)

    def _show(self, annotation: Annotation, archive: Archive) -> None:
        self.colour.setCurrentIndex(max(self.colour.findData(annotation.colour), 0))
        self.tags.setText(", ".join(annotation.tags))
        place = archive.gazetteer.get(annotation.jurisdiction) if annotation.jurisdiction else None
        self.jurisdiction.setText(place.display if place else annotation.jurisdiction or "")
        self.stance.setCurrentIndex(max(self.stance.findData(annotation.stance_key), 0))
        self.private_box.setChecked(annotation.private)
        self.editor.setPlainText(annotation.note)

    def values(self) -> dict[str, object]:
        """Every field as chosen, in :meth:`Archive.annotate`'s words."""
        return {
            "note": self.note(),
            "colour": self.colour.currentData(),
            "tags": sorted({tag.strip().lower() for tag in self.tags.text().split(",") if tag.strip()}),
            "jurisdiction": self.jurisdiction.text().strip() or None,
            "stance": self.stance.current_key(),
            "private": self.private(),
        }

    def changes(self) -> dict[str, object]:
        """The fields the person changed since the dialog opened."""
        return {name: value for name, value in self.values().items() if value != self._initial[name]}

    def note(self) -> str:
        """The note as written (without surrounding blank space)."""
        return self.editor.toPlainText().strip()

    def private(self) -> bool:
        """Whether the note is to stay private."""
        return self.private_box.isChecked()
