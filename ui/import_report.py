"""The report shown after an import: every file in one of four groups, copyable as text."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.models import ImportReport

DocIdRole = Qt.ItemDataRole.UserRole + 20
GROUPS = (
    ("imported", "Imported"),
    ("duplicates", "Already in the archive"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
)


def summary(report: ImportReport) -> str:
    """'41 imported, 2 duplicates, 1 failed' (and cancelled when it was)."""
    counts = [
        f"{len(report.imported)} imported",
        f"{len(report.duplicates)} already in the archive",
        f"{len(report.skipped)} skipped",
        f"{len(report.failed)} failed",
    ]
    return ", ".join(counts) + (" — cancelled; files not reached are listed as skipped" if report.cancelled else "")


def detail(group: str, entry: dict, titles: dict[int, str]) -> str:
    """The second column of a report row."""
    if group == "imported":
        notes = [entry["cut"]] if entry.get("cut") else []
        notes += ["no text layer: needs OCR"] if entry.get("needs_ocr") else []
        return entry.get("title", "") + "".join(f" ({note})" for note in notes)
    if group == "duplicates":
        return f"same as: {titles.get(entry['id'], 'document ' + str(entry['id']))} (double-click to open)"
    if entry.get("needs_password"):
        return f"{entry['error']}: use Enter password below"
    return entry.get("reason") or entry.get("error") or ""


def as_text(report: ImportReport, titles: dict[int, str]) -> str:
    """Plain-text report for the clipboard."""
    lines = [summary(report), ""]
    for group, heading in GROUPS:
        entries = getattr(report, group)
        if entries:
            lines.append(f"{heading} ({len(entries)}):")
            lines += [f"  {entry['path']}\t{detail(group, entry, titles)}" for entry in entries]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


class ReportModel(QAbstractItemModel):
    """The four groups, each with its files as children; rows are made when a view asks for them, so a
    50,000-file report opens at once."""

    def __init__(self, report: ImportReport, titles: dict[int, str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.groups = [(group, heading, getattr(report, group)) for group, heading in GROUPS]
        self.titles = titles

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1 if parent.isValid() else 0)

    def parent(self, child: QModelIndex = QModelIndex()) -> QModelIndex:
        if not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, 0)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self.groups[parent.row()][2])
        return 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("File", "Result")[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == 0:
            _group, heading, entries = self.groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return f"{heading} ({len(entries)})"
            return None
        group, _heading, entries = self.groups[index.internalId() - 1]
        entry = entries[index.row()]
        if role == DocIdRole:
            return entry.get("id")
        text = Path(entry["path"]).name if index.column() == 0 else detail(group, entry, self.titles)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return _plain(entry["path"] if index.column() == 0 else text)
        return None

    def group_index(self, group: str) -> QModelIndex:
        """The heading row of ``group`` (``imported``, ``duplicates``, ``skipped`` or ``failed``)."""
        return self.index([name for name, _heading, _entries in self.groups].index(group), 0)


class ImportReportDialog(QDialog):
    """Non-modal report; double-clicking an imported or duplicate file opens its document."""

    open_document = Signal(int)
    retry_with_password = Signal(list, str)  # (paths, password)

    def __init__(self, report: ImportReport, titles: dict[int, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import report")
        self.report = report
        self.text = as_text(report, titles)
        heading = QLabel(summary(report))
        heading.setWordWrap(True)
        self.model = ReportModel(report, titles, self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        for group, _heading, entries in self.model.groups:
            if group == "failed" or 0 < len(entries) <= 20:
                self.tree.expand(self.model.group_index(group))
        self.tree.setColumnWidth(0, min(self.tree.sizeHintForColumn(0) + 24, 340))
        self.tree.activated.connect(self._activated)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy report")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text))
        buttons.rejected.connect(self.close)
        self.locked = [entry["path"] for entry in report.failed if entry.get("needs_password")]
        self.password_button = QPushButton(f"Enter &password for {_files(len(self.locked))}…")
        self.password_button.setToolTip("Import the encrypted PDFs again with their password")
        self.password_button.clicked.connect(self._ask_password)
        buttons.addButton(self.password_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.password_button.setVisible(bool(self.locked))  # after addButton, which shows it
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(760, 480)

    def _ask_password(self) -> None:
        password, ok = QInputDialog.getText(
            self,
            "Password",
            f"Password to open {_files(len(self.locked))} (it is used for this import only, never stored):",
            QLineEdit.EchoMode.Password,
        )
        if ok and password:
            self.retry_with_password.emit(self.locked, password)
            self.close()

    def _activated(self, index: QModelIndex) -> None:
        doc_id = index.data(DocIdRole)
        if doc_id is not None:
            self.open_document.emit(int(doc_id))


def _files(count: int) -> str:
    return "1 encrypted PDF" if count == 1 else f"{count} encrypted PDFs"


def _plain(text: str) -> str:
    """A tooltip that shows ``text`` as written, even when it looks like HTML."""
    return f"<p>{html.escape(text)}</p>"
