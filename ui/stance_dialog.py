"""Tag > Edit stances: vocabularies, their stances (label, description, colour) and suggestion rules."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.archive import Archive
from app.errors import DossierError
from app.models import Stance
from app.stance_rules import format_rule, parse_rule

StanceRole = Qt.ItemDataRole.UserRole + 40  # Stance on stance rows, set id on vocabulary rows


class StanceDialog(QDialog):
    """Edits the archive's stance vocabularies; every save is checked and stored at once."""

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stances and their rules")
        self.archive = archive
        self.stance: Stance | None = None
        self.model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.label = QLineEdit()
        self.description = QLineEdit()
        self.colour = QPushButton()
        self.rules = QPlainTextEdit()
        self.rules.setPlaceholderText(
            "One rule per line:\nphrase: will not participate\nany: raids sweeps\nall: lawsuit immigration\n"
            "regex: (?i)\\bnot (?:help|assist) ICE"
        )
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: palette(link)")
        self.save_button = QPushButton("&Save stance")
        new_stance = QPushButton("New &stance…")
        new_set = QPushButton("New &vocabulary…")

        form = QFormLayout()
        form.addRow("&Label", self.label)
        form.addRow("&Description", self.description)
        form.addRow("&Colour", self.colour)
        form.addRow("&Rules", self.rules)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.error)
        right.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignRight)
        left = QVBoxLayout()
        left.addWidget(self.tree)
        row = QHBoxLayout()
        row.addWidget(new_stance)
        row.addWidget(new_set)
        left.addLayout(row)
        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(close)

        self.tree.selectionModel().currentChanged.connect(self._selected)
        self.colour.clicked.connect(self._pick_colour)
        self.save_button.clicked.connect(self.save)
        new_stance.clicked.connect(self._new_stance)
        new_set.clicked.connect(self._new_set)
        for widget in (self.save_button, new_stance, new_set):
            widget.setEnabled(archive.writable)
        self._fill()
        self.resize(860, 520)

    def _fill(self, select: tuple[str, str] | None = None) -> None:
        self.model.clear()
        for stance_set in self.archive.stance_sets():
            parent = QStandardItem(stance_set.topic)
            parent.setData(stance_set.id, StanceRole)
            for stance in stance_set.stances:
                item = QStandardItem(f"{stance.label}  ({len(stance.rules)} rules)")
                item.setData(stance, StanceRole)
                item.setData(QColor(stance.colour), Qt.ItemDataRole.DecorationRole)
                parent.appendRow(item)
            self.model.appendRow(parent)
        self.tree.expandAll()
        if select:
            for row in range(self.model.rowCount()):
                parent = self.model.item(row)
                for child in range(parent.rowCount()):
                    found = parent.child(child).data(StanceRole)
                    if (found.set_id, found.id) == select:
                        self.tree.setCurrentIndex(parent.child(child).index())

    def _selected(self, current, _previous) -> None:
        found = current.data(StanceRole) if current.isValid() else None
        self.stance = found if isinstance(found, Stance) else None
        stance = self.stance
        self.label.setText(stance.label if stance else "")
        self.description.setText(stance.description if stance else "")
        self._set_colour(stance.colour if stance else "#9e9e9e")
        self.rules.setPlainText("\n".join(format_rule(rule) for rule in stance.rules) if stance else "")
        self.error.clear()
        for widget in (self.label, self.description, self.colour, self.rules):
            widget.setEnabled(stance is not None)

    def _set_colour(self, colour: str) -> None:
        self.colour.setText(colour)
        self.colour.setStyleSheet(f"background-color: {colour}")

    def _pick_colour(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.colour.text()), self, "Stance colour")
        if chosen.isValid():
            self._set_colour(chosen.name())

    def save(self) -> bool:
        """Store the edited stance; False (with the reason shown) when something is wrong."""
        if self.stance is None:
            return False
        try:
            rules = [parse_rule(line) for line in self.rules.toPlainText().splitlines() if line.strip()]
            saved = self.archive.save_stance(
                self.stance.set_id,
                self.stance.id,
                self.label.text(),
                self.description.text(),
                self.colour.text(),
                rules,
            )
        except DossierError as exc:
            self.error.setText(str(exc))
            return False
        self._fill(select=(saved.set_id, saved.id))
        self.error.setText("Saved.")
        return True

    def _new_stance(self) -> None:
        index = self.tree.currentIndex()
        if not index.isValid():
            self.error.setText("Select a vocabulary (or one of its stances) first.")
            return
        found = index.data(StanceRole)
        set_id = found.set_id if isinstance(found, Stance) else found
        label, ok = QInputDialog.getText(self, "New stance", "Label of the new stance:")
        if ok and label.strip():
            try:
                saved = self.archive.save_stance(set_id, label, label)
            except DossierError as exc:
                self.error.setText(str(exc))
                return
            self._fill(select=(saved.set_id, saved.id))

    def _new_set(self) -> None:
        topic, ok = QInputDialog.getText(self, "New vocabulary", "Topic (e.g. 'Police budget 2026'):")
        if ok and topic.strip():
            try:
                self.archive.add_stance_set(topic, topic)
            except DossierError as exc:
                self.error.setText(str(exc))
                return
            self._fill()
