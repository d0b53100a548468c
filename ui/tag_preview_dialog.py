"""The preview of a bulk tagging: each document with the tags it would get (uncheck to leave one out)."""

from __future__ import annotations

import html

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import wording
from app.batch_tagging import TagPlan

DocIdRole = Qt.ItemDataRole.UserRole + 1
_COLUMNS = ("Document", "Gets")


class TagPreviewModel(QAbstractTableModel):
    """One row per document of a plan; those that would get tags are checkable (checked at first)."""

    checked_changed = Signal(int)  # how many documents are checked now

    def __init__(self, plan: TagPlan, parent=None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.unchecked: set[int] = set()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.plan.entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.plan.entries[index.row()].reason:  # gets nothing: shown greyed, with the reason
            return Qt.ItemFlag.ItemNeverHasChildren
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry = self.plan.entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return entry.title
            return entry.reason or ("left out" if entry.doc_id in self.unchecked else entry.label)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"#{entry.doc_id} {entry.title}" if index.column() == 0 else entry.reason or entry.label
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0 and not entry.reason:
            checked = entry.doc_id not in self.unchecked
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == DocIdRole:
            return entry.doc_id
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or role != Qt.ItemDataRole.CheckStateRole
            or not self.flags(index) & (Qt.ItemFlag.ItemIsUserCheckable)
        ):
            return False
        doc_id = self.plan.entries[index.row()].doc_id
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.unchecked.discard(doc_id)
        else:
            self.unchecked.add(doc_id)
        self.dataChanged.emit(index, index.siblingAtColumn(1))
        self.checked_changed.emit(self.checked_count())
        return True

    def checked_count(self) -> int:
        """How many documents would get tags as things are checked."""
        return len(self.plan.to_tag) - len(self.unchecked)

    def chosen(self) -> TagPlan:
        """The plan without the unchecked documents."""
        return self.plan.without(self.unchecked)


class TagPreviewDialog(QDialog):
    """Shows a :class:`TagPlan` before anything is written; accepted, :meth:`chosen` is what to apply."""

    def __init__(self, plan: TagPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestions = plan.from_suggestion
        self.setWindowTitle("Accept suggestions" if self.suggestions else "Tag all results")
        self.model = TagPreviewModel(plan, self)
        unchanged = len(plan.entries) - len(plan.to_tag)
        gets = (
            f"the tags beside it: <b>{html.escape(plan.label)}</b>"
            if self.suggestions
            else f"<b>{html.escape(plan.label)}</b>"
        )
        text = f"Each checked document gets {gets}. Uncheck those that should not."
        if unchanged:
            verb = "gets" if unchanged == 1 else "get"
            text += f"<br>{wording.count(unchanged, 'document')} {verb} nothing (the reason is beside each)."
        heading = QLabel(text)
        heading.setWordWrap(True)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        if self.suggestions:  # several tags a document: the tags get the room, titles a fixed share
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
            header.setStretchLastSection(True)
            header.resizeSection(0, 300)
        else:
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.ok_button = QPushButton()
        self.ok_button.setDefault(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.model.checked_changed.connect(self._update_button)
        self._update_button(self.model.checked_count())
        self.resize(720, 460)

    def chosen(self) -> TagPlan:
        """The plan with the unchecked documents left out."""
        return self.model.chosen()

    def _update_button(self, count: int) -> None:
        verb = "&Accept suggestions on" if self.suggestions else "&Tag"
        self.ok_button.setText(f"{verb} {wording.count(count, 'document')}")
        self.ok_button.setEnabled(count > 0)
