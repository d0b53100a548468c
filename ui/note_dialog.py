"""The Note dialog: the passage an annotation marks (read-only), what it carries, and its note to edit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.archive import Archive
from app.models import Annotation, stance_labels
from ui.theme import highlight_colour, lock_icon

PRIVATE_TIP = "A private note stays in this archive: exported bundles leave it out unless you include private notes"


def annotation_facts(annotation: Annotation, archive: Archive) -> dict[str, str]:
    """What an annotation carries besides its note, in words: tags, jurisdiction, stance (those it has)."""
    facts = {}
    if annotation.tags:
        facts["Tags"] = ", ".join(annotation.tags)
    if annotation.jurisdiction:
        place = archive.gazetteer.get(annotation.jurisdiction)
        facts["Jurisdiction"] = place.display if place else annotation.jurisdiction
    if annotation.stance:
        facts["Stance"] = stance_labels(archive.stance_sets()).get(annotation.stance_key, annotation.stance)
    return facts


class NoteDialog(QDialog):
    """Edits the note (and privacy) of a passage; :meth:`note` and :meth:`private` hold the choice."""

    def __init__(
        self,
        passage: str,
        note: str = "",
        *,
        colour: str = "yellow",
        facts: dict[str, str] | None = None,
        private: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Note")
        self.passage = QPlainTextEdit(f"“{' '.join(passage.split())}”")
        self.passage.setReadOnly(True)
        self.passage.setMaximumHeight(self.passage.fontMetrics().lineSpacing() * 5 + 12)
        swatch = highlight_colour(colour, self).name()
        self.colour = QLabel(colour)
        self.colour.setStyleSheet(f"background-color: {swatch}; color: black; padding: 1px 6px; border-radius: 3px")
        self.colour.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        self.facts = {name: QLabel(value, textFormat=Qt.TextFormat.PlainText) for name, value in (facts or {}).items()}
        self.private_box = QCheckBox("&Private note", checked=private, toolTip=PRIVATE_TIP, icon=lock_icon())
        self.editor = QPlainTextEdit(note)
        self.editor.setPlaceholderText("Your note on this passage")
        form = QFormLayout()
        form.addRow("Passage", self.passage)
        form.addRow("Colour", self.colour)
        for name, label in self.facts.items():
            label.setWordWrap(True)
            form.addRow(name, label)
        form.addRow("", self.private_box)
        form.addRow("&Note", self.editor)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.editor.setFocus()
        self.resize(560, 420)

    @classmethod
    def for_annotation(cls, annotation: Annotation, archive: Archive, parent: QWidget | None = None) -> NoteDialog:
        """The dialog for an existing annotation."""
        return cls(
            annotation.exact,
            annotation.note,
            colour=annotation.colour,
            facts=annotation_facts(annotation, archive),
            private=annotation.private,
            parent=parent,
        )

    def note(self) -> str:
        """The note as written (without surrounding blank space)."""
        return self.editor.toPlainText().strip()

    def private(self) -> bool:
        """Whether the note is to stay private."""
        return self.private_box.isChecked()
