"""Tag > Add custom jurisdiction: a school district, a police department, a tribal nation under any parent."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.archive import Archive
from app.jurisdictions.model import Jurisdiction
from ui.ops import Op, OpRunner
from ui.tag_panel import JurisdictionField

LEVELS = ("school district", "police department", "sheriff's office", "tribal nation", "special district", "agency")


class JurisdictionDialog(QDialog):
    """Asks for a name, a level and a parent; ``added`` holds the new jurisdiction once Save has stored it
    (an op on ``runner``: the dialog closes when it is done)."""

    def __init__(self, archive: Archive, runner: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add custom jurisdiction")
        self.archive = archive
        self.runner = runner
        self.added: Jurisdiction | None = None
        self.name = QLineEdit(placeholderText="e.g. Omaha Public Schools")
        self.level = QComboBox(editable=True)
        self.level.addItems(LEVELS)
        self.parent_field = JurisdictionField(archive)
        self.parent_field.setPlaceholderText("the jurisdiction it belongs to, e.g. Omaha, NE")
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: palette(link)")
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Level", self.level)
        form.addRow("&Belongs to", self.parent_field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def save(self) -> None:
        """Add it in the background and close; or say what is wrong and stay open."""
        if not self.save_button.isEnabled():  # a save is under way
            return
        name, level, parent = self.name.text(), self.level.currentText(), self.parent_field.text()
        op = Op(lambda: self.archive.add_jurisdiction(name, level, parent))
        op.succeeded.connect(self._added)
        op.failed.connect(self.error.setText)
        op.finished.connect(self._settled)
        self.error.setText("Saving…")
        self.save_button.setEnabled(False)
        self.runner.start(op)

    def _added(self, jurisdiction: Jurisdiction) -> None:
        self.added = jurisdiction
        self.accept()

    def _settled(self) -> None:
        self.save_button.setEnabled(True)
