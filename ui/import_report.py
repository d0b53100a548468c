"""The report shown after an import: every file in one of four groups, copyable as text."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QStandardItem, QStandardItemModel
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
        return entry.get("title", "")
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
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["File", "Result"])
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        for group, title in GROUPS:
            entries = getattr(report, group)
            parent_item = QStandardItem(f"{title} ({len(entries)})")
            for entry in entries:
                name = QStandardItem(Path(entry["path"]).name)
                result = QStandardItem(detail(group, entry, titles))
                name.setToolTip(_plain(entry["path"]))
                result.setToolTip(_plain(result.text()))
                if "id" in entry:
                    name.setData(entry["id"], DocIdRole)
                    result.setData(entry["id"], DocIdRole)
                parent_item.appendRow([name, result])
            self.model.appendRow([parent_item, QStandardItem()])
            if group == "failed" or 0 < len(entries) <= 20:
                self.tree.expand(parent_item.index())
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
        self.password_button.setVisible(bool(self.locked))
        self.password_button.clicked.connect(self._ask_password)
        buttons.addButton(self.password_button, QDialogButtonBox.ButtonRole.ActionRole)
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
