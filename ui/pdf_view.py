"""A PDF viewer: continuous pages, page and zoom controls, highlighted search matches and annotations."""

from __future__ import annotations

from bisect import bisect_left
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QGuiApplication, QIcon, QKeySequence, QPainter, QPolygonF, QTransform
from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QSpinBox, QToolBar, QVBoxLayout, QWidget

from app.anchoring import fold, locate_loosely
from ui.text_view import Utf16Map

ZOOM_STEP = 1.25
ZOOM_RANGE = (0.25, 8.0)

_ERRORS = {
    QPdfDocument.Error.FileNotFound: "The file is missing; it may have been moved or deleted.",
    QPdfDocument.Error.InvalidFileFormat: "This file is not a readable PDF; it may be damaged or incomplete.",
    QPdfDocument.Error.IncorrectPassword: "This PDF is protected by a password.",
    QPdfDocument.Error.UnsupportedSecurityScheme: "This PDF uses a kind of encryption that cannot be opened here.",
}


PageHighlight = tuple[int, str, str, QColor]  # (page, 1-based; quote; prefix; colour)


class HighlightingPdfView(QPdfView):
    """A QPdfView that also paints translucent highlights over its pages: ``highlights`` holds, per page,
    ranges of pdfium's page text (UTF-16 start, length) with a colour; their rectangles are asked of pdfium
    when the page is first painted (2 ms each), not for every page up front.

    The page rectangles follow QPdfView's own layout (``QPdfViewPrivate::calculateDocumentLayout``): pages
    stacked at the document margins and page spacing, centred, sized by the zoom mode.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.highlights: dict[int, list[tuple[int, int, QColor]]] = {}  # by 0-based page
        self.boxes: dict[int, list[tuple[QRectF, QColor]]] = {}  # by 0-based page: fractions of the page (scans)
        self._shapes: dict[int, list[tuple[list[QPolygonF], QColor]]] = {}
        self._layout: tuple[tuple, list[QRect]] = ((), [])  # page_rects and what they were computed for

    def set_highlights(self, highlights: dict[int, list[tuple[int, int, QColor]]]) -> None:
        """Paint these ranges (see the class docstring) instead of the ones before."""
        self.highlights, self._shapes = highlights, {}
        self.viewport().update()

    def set_boxes(self, boxes: dict[int, list[tuple[QRectF, QColor]]]) -> None:
        """Paint these boxes (fractions of their page: the words OCR read on a scan) instead of the ones before."""
        self.boxes = boxes
        self.viewport().update()

    def shapes(self, page: int) -> list[tuple[list[QPolygonF], QColor]]:
        """The polygons (in page points) and colour of each highlight and box on ``page``."""
        if page not in self._shapes:
            document = self.document()
            self._shapes[page] = [
                (document.getSelectionAtIndex(page, start, length).bounds(), colour)
                for start, length, colour in self.highlights.get(page, [])
            ]
        points = self.document().pagePointSize(page)
        to_points = QTransform.fromScale(points.width(), points.height())
        return self._shapes[page] + [
            ([to_points.map(QPolygonF(box))], colour) for box, colour in self.boxes.get(page, [])
        ]

    def forget_layout(self) -> None:
        """Drop the cached page rectangles (another document was loaded)."""
        self._layout = ((), [])

    def page_rects(self) -> list[QRect]:
        """Where each page is drawn, in document coordinates (before scrolling); cached per zoom and size, so
        the rectangles are shared: do not change them."""
        margins = self.documentMargins()
        key = (
            self.document().pageCount() if self.document() else 0,
            self.viewport().size().toTuple(),
            self.zoomMode(),
            self.zoomFactor(),
            (margins.left(), margins.top(), margins.right(), margins.bottom()),
            self.pageSpacing(),
            _screen_scale(),
        )
        if key != self._layout[0]:
            self._layout = (key, self._page_rects())
        return self._layout[1]

    def _page_rects(self) -> list[QRect]:
        document, viewport = self.document(), self.viewport().size()
        margins, mode, scale = self.documentMargins(), self.zoomMode(), _screen_scale()
        sizes = []
        for page in range(document.pageCount() if document else 0):
            points = document.pagePointSize(page)
            if mode == QPdfView.ZoomMode.Custom:
                size = QSizeF(points * scale * self.zoomFactor()).toSize()
            else:
                size = QSizeF(points * scale).toSize()
                if mode == QPdfView.ZoomMode.FitToWidth:
                    size = size * ((viewport.width() - margins.left() - margins.right()) / max(size.width(), 1))
                else:
                    room = viewport + QSize(-margins.left() - margins.right(), -self.pageSpacing())
                    size = size.scaled(room, Qt.AspectRatioMode.KeepAspectRatio)
            sizes.append(size)
        width = max((size.width() for size in sizes), default=0) + margins.left() + margins.right()
        rects, top = [], margins.top()
        for size in sizes:
            rects.append(QRect(QPoint((max(width, viewport.width()) - size.width()) // 2, top), size))
            top += size.height() + self.pageSpacing()
        return rects

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self.highlights and not self.boxes:
            return
        rects = self.page_rects()
        scroll = QPoint(self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        painter = QPainter(self.viewport())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)  # ink stays legible
        for page in self.highlights.keys() | self.boxes.keys():
            if page >= len(rects) or not rects[page].translated(-scroll).intersects(event.rect()):
                continue
            rect, points = rects[page].translated(-scroll), self.document().pagePointSize(page)
            to_view = QTransform.fromScale(rect.width() / points.width(), rect.height() / points.height())
            to_view *= QTransform.fromTranslate(rect.left(), rect.top())
            for polygons, colour in self.shapes(page):
                painter.setBrush(colour)
                for polygon in polygons:
                    painter.drawPolygon(to_view.map(polygon))
        painter.end()


class PdfView(QWidget):
    """Toolbar (pages, zoom) over a continuous view of all pages.

    ``page_changed(page)`` (0-based) fires when another page comes into view or is jumped to;
    ``search_finished(count)`` when a search started by :meth:`set_search` has run through the document.
    """

    page_changed = Signal(int)
    search_finished = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = QPdfDocument(self)
        self._search = QPdfSearchModel(self)
        self._search_pending = False
        self._search.setDocument(self._document)
        self.pdf_view = HighlightingPdfView(self)
        self.pdf_view.setDocument(self._document)
        self.pdf_view.setSearchModel(self._search)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._page = -1

        self.page_box = QSpinBox(keyboardTracking=False, toolTip="Page number")
        self.page_total = QLabel()
        self.previous_page = self._action("Previous page", QIcon.ThemeIcon.GoPrevious, self.go_previous_page)
        self.next_page = self._action("Next page", QIcon.ThemeIcon.GoNext, self.go_next_page)
        self.zoom_out = self._action("Zoom out", QIcon.ThemeIcon.ZoomOut, lambda: self._zoom_by(1 / ZOOM_STEP))
        self.zoom_in = self._action("Zoom in", QIcon.ThemeIcon.ZoomIn, lambda: self._zoom_by(ZOOM_STEP))
        self.fit_width = self._action("Fit width", QIcon.ThemeIcon.ZoomFitBest, self.zoom_to_fit_width)
        # Ctrl+= too: on many layouts "+" needs Shift, and Ctrl+Shift+= never reads as Ctrl++
        self.zoom_in.setShortcuts([*QKeySequence.keyBindings(QKeySequence.StandardKey.ZoomIn), QKeySequence("Ctrl+=")])
        self.zoom_out.setShortcuts(QKeySequence.StandardKey.ZoomOut)
        self.fit_width.setShortcut(QKeySequence("Ctrl+0"))
        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonFollowStyle)
        toolbar.addActions([self.previous_page, self.next_page])
        toolbar.addWidget(self.page_box)
        toolbar.addWidget(self.page_total)
        toolbar.addSeparator()
        toolbar.addActions([self.zoom_out, self.zoom_in, self.fit_width])
        for action in (self.previous_page, self.next_page, self.zoom_out, self.zoom_in, self.fit_width):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{action.text()} ({keys})" if keys else action.text())
            self.addAction(action)  # shortcuts work wherever focus is inside this widget

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(toolbar)
        layout.addWidget(self.pdf_view)
        self.page_box.valueChanged.connect(lambda number: self.go_to_page(number - 1))
        self.pdf_view.pageNavigator().currentPageChanged.connect(self._on_page)
        self._search.statusChanged.connect(self._on_search_status)
        self._update_controls()

    @property
    def page_count(self) -> int:
        return self._document.pageCount() if self._document.status() == QPdfDocument.Status.Ready else 0

    def current_page(self) -> int:
        """The page in view (0-based), -1 when no document is open."""
        return self._page

    @property
    def match_count(self) -> int:
        """Matches of the current search found so far (all of them once ``search_finished`` fired)."""
        return self._search.count()

    @property
    def searching(self) -> bool:
        """Whether a search is still running through the pages."""
        return self._search_pending

    @property
    def current_match(self) -> int:
        """Index of the framed match, -1 for none."""
        return self.pdf_view.currentSearchResultIndex()

    def load(self, path: Path, password: str = "") -> str | None:
        """Open the PDF at ``path``: None, or a message saying why it cannot be shown."""
        self.clear()
        self._document.setPassword(password)
        error = self._document.load(str(path))
        if error != QPdfDocument.Error.None_ or self._document.pageCount() == 0:
            self.clear()
            if error == QPdfDocument.Error.IncorrectPassword and password:
                return "The password for this PDF is wrong."
            return _ERRORS.get(error, "This PDF has no pages to show.")
        self._update_controls()
        self.go_to_page(0)
        return None

    def clear(self) -> None:
        """Close the document and forget the search and the highlights."""
        self.pdf_view.set_highlights({})
        self.pdf_view.set_boxes({})
        self.pdf_view.forget_layout()
        self._search.setSearchString("")
        self.pdf_view.setCurrentSearchResultIndex(-1)
        self._document.close()
        self._page = -1
        self._update_controls()

    def go_to_page(self, page: int) -> None:
        """Scroll page ``page`` (0-based, clamped to the document) to the top of the view."""
        if not self.page_count:
            return
        page = max(0, min(page, self.page_count - 1))
        navigator = self.pdf_view.pageNavigator()
        if page != navigator.currentPage():
            navigator.jump(page, QPointF(), navigator.currentZoom())
        else:  # jump() ignores the page already current; QPdfView scrolls to a page on this signal
            navigator.currentPageChanged.emit(page)

    def go_previous_page(self) -> None:
        self.go_to_page(self._page - 1)

    def go_next_page(self) -> None:
        self.go_to_page(self._page + 1)

    def set_search(self, text: str) -> None:
        """Highlight every match of ``text``; the search runs in the background (``search_finished``)."""
        self.pdf_view.setCurrentSearchResultIndex(-1)
        self._search_pending = bool(text.strip())  # the model reports Finished only after it started
        self._search.setSearchString(text.strip())

    def set_highlights(self, highlights: list[PageHighlight]) -> int:
        """Paint annotated passages on their pages, found in the page's own text (pdfium's extraction, which
        can differ from the stored text in spacing and ligatures); returns how many were placed."""
        placed: dict[int, list[tuple[int, int, QColor]]] = {}
        pages: dict[int, tuple[str, Utf16Map, tuple[str, list[int]]]] = {}  # text, UTF-16 map, folded text
        pairs: dict[int, tuple[str, list[int]]] = {}  # a page and the next, folded once (a passage may run on)
        count = 0

        def page(index: int) -> tuple[str, Utf16Map, tuple[str, list[int]]]:
            if index not in pages:
                text = self._document.getAllText(index).text() if index < self.page_count else ""
                pages[index] = text, Utf16Map(text), fold(text)  # pdfium counts UTF-16 units
            return pages[index]

        for number, quote, prefix, colour in highlights:
            index = number - 1
            if not 0 <= index < self.page_count:
                continue
            here, _units, (chars, where) = page(index)
            if index not in pairs:  # offsets into the two pages' texts joined by a newline
                after_chars, after_where = page(index + 1)[2]
                pairs[index] = chars + after_chars, where + [at + len(here) + 1 for at in after_where]
            found = locate_loosely(pairs[index], quote, prefix)
            if not found:
                continue
            count += 1
            start, end = found
            parts = [(index, start, min(end, len(here)))]
            if end > len(here) + 1:
                parts.append((index + 1, max(start - len(here) - 1, 0), end - len(here) - 1))
            for part_page, part_start, part_end in parts:
                if part_end > part_start:
                    units = pages[part_page][1]
                    first, last = units.to_qt(part_start), units.to_qt(part_end)
                    placed.setdefault(part_page, []).append((first, last - first, colour))
        self.pdf_view.set_highlights(placed)
        return count

    def set_scan_marks(self, words: dict[int, list], marks: list[tuple[int, int, QColor]]) -> int:
        """Mark, on scanned pages, the words OCR read (``words``: see ``Archive.ocr_words``) that fall in any of
        ``marks`` (start, end in the stored text, colour): hits and annotations drawn where the scan shows them.
        Returns how many words are marked."""
        ordered = sorted(marks)
        starts = [start for start, _, _ in ordered]
        boxes: dict[int, list[tuple[QRectF, QColor]]] = {}
        for number, placed in words.items():
            for start, end, left, top, right, bottom in placed:
                for _, mark_end, colour in ordered[: bisect_left(starts, end)]:
                    if mark_end > start:
                        boxes.setdefault(number - 1, []).append((QRectF(left, top, right - left, bottom - top), colour))
                        break
        self.pdf_view.set_boxes(boxes)
        return sum(len(found) for found in boxes.values())

    def next_match(self) -> int:
        """Frame and scroll to the match after the current one (wrapping); its index, -1 if none."""
        return self._show_match(self.current_match + 1)

    def previous_match(self) -> int:
        """Frame and scroll to the match before the current one (wrapping); its index, -1 if none."""
        return self._show_match(self.current_match - 1)

    def zoom_to_fit_width(self) -> None:
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def _zoom_by(self, step: float) -> None:
        scale = self._scale(max(self._page, 0)) / _screen_scale()
        self.pdf_view.setZoomFactor(max(ZOOM_RANGE[0], min(scale * step, ZOOM_RANGE[1])))
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.Custom)

    def _scale(self, page: int) -> float:
        """Pixels per point at which ``page`` is drawn."""
        if self.pdf_view.zoomMode() == QPdfView.ZoomMode.FitToWidth and self.page_count:
            margins = self.pdf_view.documentMargins()
            width = self.pdf_view.viewport().width() - margins.left() - margins.right()
            return width / self._document.pagePointSize(page).width()
        return self.pdf_view.zoomFactor() * _screen_scale()

    def _show_match(self, index: int) -> int:
        count = self.match_count
        if not count:
            return -1
        index %= count
        self.pdf_view.setCurrentSearchResultIndex(index)
        match = self._search.resultAtIndex(index)
        self.go_to_page(match.page())
        bar = self.pdf_view.verticalScrollBar()
        offset = round(match.location().y() * self._scale(match.page())) - self.pdf_view.viewport().height() // 3
        bar.setValue(bar.value() + max(offset, 0))
        return index

    def _on_search_status(self) -> None:
        if self._search.status() == QPdfSearchModel.Status.Finished and self._search.searchString():
            self._search_pending = False
            if self.match_count:
                self._show_match(0)
            self.search_finished.emit(self.match_count)

    def _on_page(self, page: int) -> None:
        if page != self._page and self.page_count:
            self._page = page
            self._update_controls()
            self.page_changed.emit(page)

    def _update_controls(self) -> None:
        count = self.page_count
        self.page_box.blockSignals(True)
        self.page_box.setRange(min(1, count), count)
        self.page_box.setValue(self._page + 1)
        self.page_box.blockSignals(False)
        self.page_total.setText(f" of {count} " if count else "")
        self.page_box.setEnabled(count > 1)
        self.previous_page.setEnabled(self._page > 0)
        self.next_page.setEnabled(0 <= self._page < count - 1)
        for action in (self.zoom_out, self.zoom_in, self.fit_width):
            action.setEnabled(count > 0)

    def _action(self, text: str, icon: QIcon.ThemeIcon, slot) -> QAction:
        action = QAction(QIcon.fromTheme(icon), text, self)
        action.triggered.connect(slot)
        return action


def _screen_scale() -> float:
    """Pixels per point at zoom 1, as QPdfView reckons it."""
    return QGuiApplication.primaryScreen().logicalDotsPerInch() / 72
