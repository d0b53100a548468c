"""A document's details; title, date and source can be edited and saved."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.models import Document


def text_source(doc: Document) -> str:
    """Where the document's text came from: OCR (which engine, which pages), OCR still to come, or the file."""
    engine = doc.metadata.get("ocr")
    if engine:
        name, _, rest = engine.partition(" ")
        pages = doc.metadata.get("ocr_pages", "")
        return f"text from OCR ({name.capitalize()} {rest})" + (f", pages {pages}" if pages else "")
    if doc.needs_ocr or doc.metadata.get("scanned_pages"):
        return "scanned pages waiting for OCR (`dossier ocr` reads them)"
    return "from the file"


def human_size(size: int) -> str:
    """1234567 -> '1.2 MB'."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


class MetadataPanel(QWidget):
    """Form of a document's metadata; emits ``save_requested(id, values)`` with the edited fields."""

    save_requested = Signal(int, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc: Document | None = None
        self.title = QLineEdit()
        self.date = QLineEdit(placeholderText="YYYY-MM-DD, or empty when unknown")
        self.source = QLineEdit(placeholderText="publisher or site")
        self.error = QLabel()
        self.error.setStyleSheet("color: palette(link)")
        names = ("Author", "Kind", "File", "Pages", "Text", "Size", "SHA-256", "Imported")
        self.facts = {name: QLabel(textFormat=Qt.TextFormat.PlainText) for name in names}
        self.editable = True
        self.read_only_reason = ""  # why the archive is read-only, when it is
        form = QFormLayout()
        form.addRow("&Title", self.title)
        form.addRow("&Date", self.date)
        form.addRow("&Source", self.source)
        for name, label in self.facts.items():
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            form.addRow(name, label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Reset)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).clicked.connect(self._save)
        self.buttons.button(QDialogButtonBox.StandardButton.Reset).clicked.connect(lambda: self.show_document(self.doc))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        layout.addStretch(1)
        for field in (self.title, self.date, self.source):
            field.textEdited.connect(self._edited)
            field.returnPressed.connect(self._save)
        self._set_dirty(False)

    def show_document(self, doc: Document | None) -> None:
        """Fill the form (or clear it)."""
        self.doc = doc
        self.title.setText(doc.title if doc else "")
        self.date.setText(doc.published.isoformat() if doc and doc.published else "")
        self.source.setText(doc.site if doc else "")
        values = {}
        if doc:
            values = {
                "Author": doc.author or "—",
                "Kind": doc.kind,
                "File": doc.file_name,
                "Pages": str(doc.pages) if doc.pages else "—",
                "Text": text_source(doc),
                "Size": human_size(doc.size),
                "SHA-256": doc.sha256,
                "Imported": doc.imported_at.replace("T", " ")[:19],
            }
        for name, label in self.facts.items():
            label.setText(values.get(name, ""))
        self.setEnabled(doc is not None)
        for field in (self.title, self.date, self.source):
            field.setReadOnly(not self.editable)
        read_only = f"Details cannot be changed: the archive is open read-only ({self.read_only_reason})."
        self.error.setText("" if self.editable else read_only)
        self._set_dirty(False)

    def save_failed(self, message: str) -> None:
        """Keep the edits on screen, say why they were not saved."""
        self.error.setText(f"Not saved: {message}")
        self._set_dirty(True)

    def _edited(self) -> None:
        self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        for button in (QDialogButtonBox.StandardButton.Save, QDialogButtonBox.StandardButton.Reset):
            self.buttons.button(button).setEnabled(dirty)

    def _save(self) -> None:
        if self.doc is None:
            return
        values: dict[str, object] = {}
        title = self.title.text().strip()
        if not title:
            self.error.setText("A title cannot be empty.")
            return
        text = self.date.text().strip()
        try:
            published = date.fromisoformat(text) if text else None
        except ValueError:
            self.error.setText(f"{text!r} is not a date: write it as YYYY-MM-DD (e.g. 2025-06-12), or leave it empty.")
            return
        if title != self.doc.title:
            values["title"] = title
        if published != self.doc.published:
            values["published"] = published
        if self.source.text().strip() != self.doc.site:
            values["site"] = self.source.text().strip()
        self.error.clear()
        self._set_dirty(False)
        if values:
            self.save_requested.emit(self.doc.id, values)
