"""What a new, empty archive shows: how to import, and a place to drop files."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    """A friendly first screen; drops are handled by the main window (the whole window accepts them)."""

    import_files = Signal()
    import_folder = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel("<h2>Your archive is empty</h2>", alignment=Qt.AlignmentFlag.AlignCenter)
        body = QLabel(
            "Drop files or folders here — web pages (HTML), PDF, Word (DOCX), Markdown and text.<br>"
            "Dossier keeps a copy of each original, extracts its text and makes it searchable, all on this computer.",
            alignment=Qt.AlignmentFlag.AlignCenter,
            wordWrap=True,
        )
        files = QPushButton("Import files…  (Ctrl+I)")
        folder = QPushButton("Import a folder…  (Ctrl+Shift+I)")
        files.clicked.connect(self.import_files)
        folder.clicked.connect(self.import_folder)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(files)
        buttons.addWidget(folder)
        buttons.addStretch(1)
        hint = QLabel("Or from a terminal: <code>dossier import FOLDER</code>", alignment=Qt.AlignmentFlag.AlignCenter)
        hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for widget in (heading, body):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(hint)
        layout.addStretch(3)
