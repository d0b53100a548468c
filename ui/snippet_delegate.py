"""Paints a result's title with its best snippet below, matched terms highlighted."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QFont, QFontMetrics, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.results_model import SnippetRole
from ui.theme import mark_colour

SNIPPET_LINES = 2
PAD = 4
LEAD_CHARS = 40


def snippet_html(snippet: str, colour: str, lead: int = LEAD_CHARS) -> str:
    """The core's escaped snippet with ``<mark>`` turned into a span Qt's rich text can paint, and the
    text before the first match cut to about ``lead`` characters so the match shows in two lines."""
    first = snippet.find("<mark>")
    if first > lead:
        cut = snippet.find(" ", first - lead, first)
        if cut != -1:
            snippet = "… " + snippet[cut + 1 :]
    return snippet.replace("<mark>", f'<span style="background-color:{colour}">').replace("</mark>", "</span>")


def row_height_for(metrics: QFontMetrics) -> int:
    """Height of a result row: a title line and the snippet lines."""
    return metrics.lineSpacing() * (1 + SNIPPET_LINES) + 3 * PAD


class SnippetDelegate(QStyledItemDelegate):
    """Title on the first line (bold), up to two lines of snippet under it; no widgets in cells."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(400, row_height_for(option.fontMetrics))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex):
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = (
            QPalette.ColorGroup.Normal if opt.state & QStyle.StateFlag.State_Enabled else QPalette.ColorGroup.Disabled
        )
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        colour = opt.palette.color(group, text_role)
        rect = opt.rect.adjusted(PAD + 2, PAD, -PAD, -PAD)
        line = opt.fontMetrics.lineSpacing()

        painter.save()
        bold = QFont(opt.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(colour)
        elided = painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect.x(), rect.y(), rect.width(), line, Qt.AlignmentFlag.AlignLeft, elided)

        snippet = index.data(SnippetRole)
        doc = QTextDocument()
        doc.setDefaultFont(opt.font)
        doc.setDocumentMargin(0)
        doc.setTextWidth(rect.width())
        if snippet is None:
            doc.setPlainText("…")
        else:
            doc.setHtml(snippet_html(snippet, mark_colour(opt.widget).name()))
        clip = QRectF(0, 0, rect.width(), line * SNIPPET_LINES)
        painter.translate(rect.x(), rect.y() + line + PAD)
        painter.setClipRect(clip)
        context = QAbstractTextDocumentLayout.PaintContext()
        muted = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(group, muted))
        context.clip = clip
        doc.documentLayout().draw(painter, context)
        painter.restore()
