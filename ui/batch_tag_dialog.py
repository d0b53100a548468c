"""Tag every document of a search result at once, or accept their suggestions above a confidence."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.archive import Archive
from ui.tag_panel import JurisdictionField, StanceBox


class BatchTagDialog(QDialog):
    """Asks what to apply to ``count`` documents; ``choice`` says what the user picked."""

    def __init__(self, archive: Archive, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tag all results")
        self.choice: tuple | None = None
        self.jurisdiction = JurisdictionField(archive)
        self.stance = StanceBox()
        self.stance.set_vocabularies(archive.stance_sets())
        self.threshold = QDoubleSpinBox(suffix=" %", decimals=0, minimum=1, maximum=100, value=80)
        tag_button = QPushButton(f"&Tag {count} document{'s' if count != 1 else ''}")
        accept_button = QPushButton("Accept their &suggestions")
        form = QFormLayout()
        form.addRow("&Jurisdiction", self.jurisdiction)
        form.addRow("&Stance", self.stance)
        form.addRow("", tag_button)
        form.addRow(QLabel("Or accept, for each of these documents, every suggestion scoring at least:"))
        form.addRow(self.threshold, accept_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        tag_button.clicked.connect(self._tag)
        accept_button.clicked.connect(self._accept)

    def _tag(self) -> None:
        if self.jurisdiction.text().strip():
            self.choice = ("tag", self.jurisdiction.text(), self.stance.current_key())
            self.accept()
        else:
            self.jurisdiction.setFocus()
            self.jurisdiction.setPlaceholderText("Type a jurisdiction first, e.g. El Paso County, TX")

    def _accept(self) -> None:
        self.choice = ("suggestions", self.threshold.value() / 100)
        self.accept()
