"""A read-only view of sanitized HTML that loads nothing and opens links only when the user agrees."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QImage, Qt, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QMessageBox, QTextBrowser, QTextEdit, QWidget

from ui.theme import mark_colour

LINK_SCHEMES = frozenset(("http", "https", "mailto"))


def ask_to_open(parent: QWidget, url: QUrl) -> bool:
    """Ask the user, showing the full (encoded, so look-alike hosts show) URL, whether to open it."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Open link",
        "Open this link in your browser?",
        QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(bytes(url.toEncoded().data()).decode("ascii"))
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Open


class HtmlView(QTextBrowser):
    """Shows HTML it is given; every resource the markup names (image, style sheet, ...) is blank.

    ``confirm_link(url) -> bool`` decides whether a clicked web or mail link opens; it defaults
    to :func:`ask_to_open`.
    """

    def __init__(self, parent: QWidget | None = None, confirm_link: Callable[[QUrl], bool] | None = None) -> None:
        super().__init__(parent)
        self.document().setDocumentMargin(12)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.confirm_link = confirm_link or (lambda url: ask_to_open(self, url))
        self.anchorClicked.connect(self._open_link)

    def show_html(self, html: str) -> None:
        """Show ``html`` (already sanitized) from the top, without highlights."""
        self.setExtraSelections([])
        self.setHtml(html)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def highlight_terms(self, terms: Iterable[str]) -> int:
        """Highlight every case-insensitive occurrence of ``terms``, bring the first into view; the count."""
        highlight = QTextCharFormat()
        highlight.setBackground(mark_colour(self))
        selections = []
        for term in dict.fromkeys(term.strip().casefold() for term in terms if term.strip()):
            cursor = self.document().find(term)
            while not cursor.isNull():
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = highlight
                selections.append(selection)
                cursor = self.document().find(term, cursor)
        self.setExtraSelections(selections)
        if selections:
            first = min(selections, key=lambda s: s.cursor.selectionStart())
            cursor = QTextCursor(self.document())
            cursor.setPosition(first.cursor.selectionStart())
            self.setTextCursor(cursor)
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + self.cursorRect().top() - self.viewport().height() // 3)
        return len(selections)

    def loadResource(self, kind: int, name: QUrl) -> object:
        """Never load: Qt would read ``name`` as a local file if this returned nothing."""
        if kind == QTextDocument.ResourceType.ImageResource:
            image = QImage(1, 1, QImage.Format.Format_ARGB32)
            image.fill(Qt.GlobalColor.transparent)
            return image
        return ""

    def _open_link(self, url: QUrl) -> None:
        if url.scheme().lower() in LINK_SCHEMES and self.confirm_link(url):
            QDesktopServices.openUrl(url)
