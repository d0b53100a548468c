"""A first main window: a search field over the archive and a list of hits.

The full search-first window (results model, facets, viewer, import) is the desktop app issue.
"""

from __future__ import annotations

import html
import re

from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QMainWindow, QVBoxLayout, QWidget

from app.archive import Archive
from app.errors import DossierError


class MainWindow(QMainWindow):
    """Search field, hit list and a status bar with the archive's size."""

    def __init__(self, archive: Archive) -> None:
        super().__init__()
        self.archive = archive
        self.setWindowTitle(f"Dossier — {archive.folder}")
        self.search_field = QLineEdit(placeholderText="Search the archive (e.g. omaha police, kind:pdf)")
        self.results = QListWidget()
        self.message = QLabel()
        layout = QVBoxLayout()
        for widget in (self.search_field, self.message, self.results):
            layout.addWidget(widget)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)
        self.search_field.returnPressed.connect(self.run_search)
        self.statusBar().showMessage(f"{archive.stats()['documents']} documents")
        self.resize(900, 600)

    def run_search(self) -> None:
        """Search for the field's text and list the hits."""
        self.results.clear()
        try:
            result = self.archive.search(self.search_field.text(), page_size=50)
        except DossierError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"{result.total} documents match")
        for hit in result.hits:
            snippet = html.unescape(re.sub(r"</?mark>", "", hit.snippet))
            self.results.addItem(f"{hit.title}  [{hit.kind}]\n    {' '.join(snippet.split())[:160]}")
