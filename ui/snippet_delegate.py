"""Paints a result's title with its best snippet below, matched terms highlighted."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextDocument,
    QTextLayout,
)
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.results_model import MetaRole, SnippetRole
from ui.theme import mark_colour

TITLE_LINES = 2  # a long title wraps once, then ends in "…"
ROW_LINES = 5  # title, the source line, the snippet in what is left (two lines, or three under a short title)
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
    """Height of a result row: the title, source and snippet lines (every row the same: 100k rows stay cheap)."""
    return metrics.lineSpacing() * ROW_LINES + 3 * PAD


def wrap_title(title: str, font: QFont, width: int, most: int = TITLE_LINES) -> list[str]:
    """``title`` wrapped at word boundaries to ``width`` in ``font``: at most ``most`` lines, the last one elided
    when the title goes on."""
    layout = QTextLayout(title, font)
    layout.beginLayout()
    spans = []
    while len(spans) < most:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    lines = [title[start : start + length].rstrip() for start, length in spans]
    if spans and sum(spans[-1]) < len(title):
        lines[-1] = QFontMetrics(font).elidedText(title[spans[-1][0] :], Qt.TextElideMode.ElideRight, width)
    return lines or [""]


class SnippetDelegate(QStyledItemDelegate):
    """A result as a person reads it: the title (bold, up to two lines), where it is from and when, and the
    best passage with the query's terms marked; no widgets in cells."""

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
        muted = opt.palette.color(
            group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        rect = opt.rect.adjusted(PAD + 2, PAD, -PAD, -PAD)
        line = opt.fontMetrics.lineSpacing()

        painter.save()
        bold = QFont(opt.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(colour)
        y = rect.y()
        for text in wrap_title(title, bold, rect.width()):
            painter.drawText(rect.x(), y, rect.width(), line, Qt.AlignmentFlag.AlignLeft, text)
            y += line
        painter.setFont(opt.font)
        painter.setPen(muted)
        meta = opt.fontMetrics.elidedText(index.data(MetaRole) or "", Qt.TextElideMode.ElideMiddle, rect.width())
        painter.drawText(rect.x(), y, rect.width(), line, Qt.AlignmentFlag.AlignLeft, meta)
        y += line

        snippet = index.data(SnippetRole)
        doc = QTextDocument()
        doc.setDefaultFont(opt.font)
        doc.setDocumentMargin(0)
        doc.setTextWidth(rect.width())
        if snippet is None:
            doc.setPlainText("…")
        else:
            doc.setHtml(snippet_html(snippet, mark_colour(opt.widget).name()))
        lines_left = max((rect.bottom() - y + PAD) // line, 1)
        clip = QRectF(0, 0, rect.width(), line * lines_left)
        painter.translate(rect.x(), y + PAD // 2)
        painter.setClipRect(clip)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, muted)
        context.clip = clip
        doc.documentLayout().draw(painter, context)
        painter.restore()
