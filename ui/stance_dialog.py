"""Tag > Edit stances: vocabularies, their stances (label, description, colour) and suggestion rules."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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

from app import wording
from app.archive import Archive
from app.errors import DossierError
from app.models import Stance, StanceSet
from app.stance_rules import format_rule, parse_rule
from ui.ops import Op, OpRunner

StanceRole = Qt.ItemDataRole.UserRole + 40  # Stance on stance rows, set id on vocabulary rows


class StanceDialog(QDialog):
    """Edits the archive's stance vocabularies; every save is checked at once and stored as an op on
    ``runner`` (one at a time); ``saved`` says that one was stored."""

    saved = Signal()

    def __init__(self, archive: Archive, runner: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stances and their rules")
        self.archive = archive
        self.runner = runner
        self.writing: Op | None = None  # the save under way
        self._done = ""  # what to say when it is stored
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
        self.new_stance_button = QPushButton("New &stance…")
        self.new_set_button = QPushButton("New &vocabulary…")

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
        row.addWidget(self.new_stance_button)
        row.addWidget(self.new_set_button)
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
        self.new_stance_button.clicked.connect(self._new_stance)
        self.new_set_button.clicked.connect(self._new_set)
        self._enable_writes()
        self._fill()
        self.resize(860, 520)

    def _fill(self, select: tuple[str, str] | None = None) -> None:
        self.model.clear()
        for stance_set in self.archive.stance_sets():
            parent = QStandardItem(stance_set.topic)
            parent.setData(stance_set.id, StanceRole)
            for stance in stance_set.stances:
                item = QStandardItem(f"{stance.label}  ({wording.count(len(stance.rules), 'rule')})")
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
        """Check the edited stance and store it in the background; False (with the reason shown) when
        something is wrong or a save is under way."""
        if self.stance is None or self.busy():
            return False
        try:
            rules = [parse_rule(line) for line in self.rules.toPlainText().splitlines() if line.strip()]
        except DossierError as exc:
            self.error.setText(str(exc))
            return False
        stance, label, description, colour = self.stance, self.label.text(), self.description.text(), self.colour.text()
        self._write(
            lambda: self.archive.save_stance(stance.set_id, stance.id, label, description, colour, rules), "Saved."
        )
        return True

    def busy(self) -> bool:
        """Whether a save is under way."""
        return self.writing is not None

    def _new_stance(self) -> None:
        index = self.tree.currentIndex()
        if not index.isValid():
            self.error.setText("Select a vocabulary (or one of its stances) first.")
            return
        found = index.data(StanceRole)
        set_id = found.set_id if isinstance(found, Stance) else found
        label, ok = QInputDialog.getText(self, "New stance", "Label of the new stance:")
        if ok and label.strip():
            self._write(lambda: self.archive.save_stance(set_id, label, label), f"Added the stance {label.strip()}.")

    def _new_set(self) -> None:
        topic, ok = QInputDialog.getText(self, "New vocabulary", "Topic (e.g. 'Police budget 2026'):")
        if ok and topic.strip():
            self._write(lambda: self.archive.add_stance_set(topic, topic), f"Added the vocabulary {topic.strip()}.")

    def _write(self, work, done: str) -> None:
        """Store in the background: another Dossier may be writing to the archive meanwhile."""
        if self.busy():
            return
        self.error.setText("Saving…")
        self._done = done
        self.writing = Op(work)
        self.writing.succeeded.connect(self._stored)
        self.writing.failed.connect(self.error.setText)
        self.writing.finished.connect(self._settled)
        self._enable_writes()
        self.runner.start(self.writing)

    def _stored(self, stored: Stance | StanceSet) -> None:
        self._fill(select=(stored.set_id, stored.id) if isinstance(stored, Stance) else None)
        self.error.setText(self._done)
        self.saved.emit()

    def _settled(self) -> None:
        self.writing = None
        self._enable_writes()

    def _enable_writes(self) -> None:
        for widget in (self.save_button, self.new_stance_button, self.new_set_button):
            widget.setEnabled(self.archive.writable and not self.busy())
