"""View > Timeline: the current results and their stances by month (or year); dragging over a range narrows the
search to it by writing ``date:[FROM to TO]`` into the search field, where the user sees and can edit it.

Keyboard: Left/Right move the selection a bucket, Shift+Left/Right stretch it, Enter applies it, Escape (or a
click) clears it. The timeline follows the window's query without the clause it wrote itself, so the whole span
stays in view with the chosen range highlighted while the results shrink to it.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app import wording
from app.archive import Archive
from app.timeline import Timeline, with_date_clause, without_date_clause
from app.timeline_svg import Layout, layout, render
from ui.figure_export import FigureExport, fitted
from ui.ops import Op, OpRunner

_DRAG_PX = 4  # a move this far with the button down is a drag, not a jittery click (bars can be 6 px)


class TimelineCanvas(QWidget):
    """Paints the SVG scaled to fit (aspect kept) with the selected buckets highlighted over it.

    ``chosen(first, last)``: a drag ended over buckets ``first`` to ``last``, or Enter applied the selection;
    ``cleared()``: a click or Escape took the selection away; ``selection_changed()`` on every change."""

    chosen = Signal(int, int)
    cleared = Signal()
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.renderer = QSvgRenderer(self)
        self.timeline: Timeline | None = None
        self.geometry_: Layout | None = None
        self.anchor: int | None = None  # where the selection started (a drag's press, the first arrow key)
        self.cursor_: int | None = None  # where it ends (the drag's current bucket, Shift+arrows move it)
        self._press: QPointF | None = None
        self._dragging = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(420, 240)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.IBeamCursor)
        self.setAccessibleName("Timeline")

    def load(self, timeline: Timeline, svg: str) -> None:
        self.timeline, self.geometry_ = timeline, layout(timeline)
        self.renderer.load(QByteArray(svg.encode("utf-8")))
        self.update()

    def sizeHint(self) -> QSize:
        return self.renderer.defaultSize() if self.renderer.isValid() else QSize(960, 420)

    # -- the selection ----------------------------------------------------------------------------

    def selection(self) -> tuple[int, int] | None:
        """The selected buckets as (first, last) indices, or None."""
        if self.anchor is None or self.cursor_ is None:
            return None
        return (min(self.anchor, self.cursor_), max(self.anchor, self.cursor_))

    def select(self, anchor: int | None, cursor: int | None = None) -> None:
        count = self.geometry_.count if self.geometry_ else 0
        if anchor is None or count == 0:
            self.anchor = self.cursor_ = None
        else:
            self.anchor = max(0, min(count - 1, anchor))
            self.cursor_ = max(0, min(count - 1, anchor if cursor is None else cursor))
        self.update()
        self.selection_changed.emit()

    def clear_selection(self) -> None:
        had = self.selection() is not None
        self.select(None)
        if had:
            self.cleared.emit()

    # -- geometry ---------------------------------------------------------------------------------

    def target(self) -> QRectF:
        """Where the drawing is in the widget."""
        return fitted(self.renderer, self.size())

    def to_svg_x(self, x: float) -> float:
        target, view = self.target(), self.renderer.viewBoxF()
        return (x - target.x()) * view.width() / target.width() if target.width() else -1.0

    def position_of(self, index: int) -> QPointF:
        """The widget point in the middle of a bucket's slot, half way up (for tests)."""
        x, y, w, h = self.geometry_.slot_box(index)
        return self._to_widget(QPointF(x + w / 2, y + h / 2))

    def _to_widget(self, point: QPointF) -> QPointF:
        target, view = self.target(), self.renderer.viewBoxF()
        return QPointF(
            target.x() + point.x() * target.width() / view.width(),
            target.y() + point.y() * target.height() / view.height(),
        )

    def bucket_at(self, point: QPointF) -> int | None:
        return self.geometry_.bucket_at(self.to_svg_x(point.x())) if self.geometry_ else None

    # -- painting ---------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if self.renderer.isValid():
            self.renderer.render(painter, self.target())
        chosen = self.selection()
        if chosen is not None and self.geometry_ is not None:
            x0, y, _, h = self.geometry_.slot_box(chosen[0])
            x1, _, w1, _ = self.geometry_.slot_box(chosen[1])
            top_left, bottom_right = self._to_widget(QPointF(x0, y)), self._to_widget(QPointF(x1 + w1, y + h))
            area = QRectF(top_left, bottom_right)
            highlight = self.palette().color(QPalette.ColorRole.Highlight)
            fill = QColor(highlight)
            fill.setAlpha(60)
            painter.fillRect(area, fill)
            painter.setPen(QPen(highlight, 2))
            painter.drawRect(area)
        if self.hasFocus():
            pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 1, Qt.PenStyle.DotLine)
            painter.setPen(pen)
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    # -- mouse ------------------------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.geometry_ is not None:
            self._press, self._dragging = event.position(), False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        index = self.bucket_at(event.position())
        if self._press is not None and self.geometry_ is not None:
            moved = (event.position() - self._press).manhattanLength()
            if self._dragging or moved >= min(QApplication.startDragDistance(), _DRAG_PX):
                start = self.geometry_.nearest(self.to_svg_x(self._press.x()))
                end = self.geometry_.nearest(self.to_svg_x(event.position().x()))
                if start is not None:
                    self._dragging = True
                    self.select(start, end)
        elif index is not None and self.timeline is not None:
            QToolTip.showText(event.globalPosition().toPoint(), self.timeline.tooltip(self.timeline.buckets[index]))
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._press is not None:
            dragged, self._press, self._dragging = self._dragging, None, False
            chosen = self.selection()
            if dragged and chosen is not None:
                self.chosen.emit(*chosen)
            else:
                self.clear_selection()  # a click
        super().mouseReleaseEvent(event)

    # -- keyboard ---------------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:
        key, count = event.key(), self.geometry_.count if self.geometry_ else 0
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and count:
            step = -1 if key == Qt.Key.Key_Left else 1
            if self.selection() is None:
                start = count - 1 if step < 0 else 0
                self.select(start)
            elif event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.select(self.anchor, self.cursor_ + step)
            else:
                first, last = self.selection()
                step = max(-first, min(count - 1 - last, step))  # the whole selection moves, its width kept
                self.select(self.anchor + step, self.cursor_ + step)
            event.accept()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selection() is not None:
            self.chosen.emit(*self.selection())
            event.accept()
        elif key == Qt.Key.Key_Escape and self.selection() is not None:
            self.clear_selection()
            event.accept()
        else:
            super().keyPressEvent(event)


class TimelineView(FigureExport, QDialog):
    """Non-modal. :meth:`follow` draws the timeline of a query in the background (the window calls
    :meth:`refresh` with each new result); a chosen range asks the window to search for the query with the
    range's clause (``filter_results(query)``)."""

    figure, file_stem = "timeline", "timeline"

    filter_results = Signal(str)
    drawn = Signal()  # a timeline is on screen (or its error)

    def __init__(
        self, archive: Archive, runner: OpRunner, query_source=None, parent: QWidget | None = None, facets_source=None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Timeline")
        self.archive = archive
        self.runner = runner
        self.query_source = query_source or (lambda: "")
        self.facets_source = facets_source or (lambda: ({}, {}))  # the window's facet (filters, excludes)
        self.timeline: Timeline | None = None
        self.svg = ""
        self.query: str | None = None  # the query drawn (the window's, without the clause written here)
        self.applied: str | None = None  # the date clause this view wrote into the search field
        self._chosen_labels: tuple[str, str] | None = None  # the applied selection, kept across redraws
        self._pending: str | None = None
        self._building = False
        self.canvas = TimelineCanvas()
        self.canvas.chosen.connect(self._apply)
        self.canvas.cleared.connect(self._cleared)
        self.canvas.selection_changed.connect(self._describe_selection)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.selection_label = QLabel()
        self.selection_label.setWordWrap(True)
        hint = QLabel("Drag over the bars to show their documents; a click or Escape clears. Keys: ← → move, "
                      "Shift+← → stretch, Enter applies.")  # fmt: skip
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.save_svg = QPushButton("Export &SVG…")
        self.save_svg.clicked.connect(lambda: self._choose_export("svg"))
        self.save_png = QPushButton("Export &PNG…")
        self.save_png.clicked.connect(lambda: self._choose_export("png"))
        for button in (self.save_svg, self.save_png):
            button.setAutoDefault(False)  # Enter applies the selection, it does not export
        buttons = QHBoxLayout()
        buttons.addWidget(self.caption, 1)
        buttons.addWidget(self.save_svg)
        buttons.addWidget(self.save_png)
        layout_ = QVBoxLayout(self)
        layout_.addWidget(self.canvas, 1)
        layout_.addWidget(self.selection_label)
        layout_.addWidget(hint)
        layout_.addLayout(buttons)
        self.resize(1000, 480)
        self.canvas.setFocus()

    # -- drawing ----------------------------------------------------------------------------------

    def base_query(self) -> str:
        """The window's query without the clause this view wrote (forgotten once the user edits it away)."""
        current = self.query_source()
        if self.applied and self.applied not in current:
            self.applied, self._chosen_labels = None, None
            self.canvas.select(None)
        return without_date_clause(current, self.applied).strip()

    def refresh(self, *_changes) -> None:
        """Draw the timeline of the window's current query again (new results, changed tags)."""
        self.follow(self.base_query())

    def follow(self, query: str) -> None:
        """Draw the timeline of ``query`` (one asked for while one is drawn waits; only the last counts)."""
        if self._building:
            self._pending = query
            return
        self._building = True
        filters, excludes = self.facets_source()
        op = Op(lambda: (query, self.archive.timeline(query, filters or None, excludes or None)))
        op.succeeded.connect(self._built)
        op.failed.connect(self._failed)
        op.finished.connect(self._done)
        self.caption.setText("Drawing the timeline…")
        self.runner.start(op)

    def _built(self, result: tuple[str, Timeline]) -> None:
        self.query, self.timeline = result
        self.svg = render(self.timeline)
        self.canvas.load(self.timeline, self.svg)
        labels = [b.label for b in self.timeline.buckets]
        if self._chosen_labels and all(label in labels for label in self._chosen_labels):
            self.canvas.select(*(labels.index(label) for label in self._chosen_labels))
        elif self.canvas.selection() is not None:
            self.canvas.select(None)  # the buckets changed under it
        timeline = self.timeline
        where = f"the results of “{self.query}”" if self.query.strip() else "the whole archive"
        undated = len(timeline.undated.documents)
        self.caption.setText(
            f"{wording.count(timeline.dated_documents, 'dated document')} in {where}"
            + (f", {undated:,} undated ({timeline.describe(timeline.undated)})" if undated else "")
            + "."
            + ("  " + " ".join(timeline.warnings) if timeline.warnings else "")
        )

    def _failed(self, message: str) -> None:
        self.caption.setText(f"The timeline could not be drawn: {message}")

    def _done(self) -> None:
        self._building = False
        if self._pending is not None:
            query, self._pending = self._pending, None
            self.follow(query)
        else:
            self.drawn.emit()

    # -- the selection ----------------------------------------------------------------------------

    def _describe_selection(self) -> None:
        chosen, timeline = self.canvas.selection(), self.timeline
        if chosen is None or timeline is None:
            self.selection_label.setText("")
            return
        first, last = (timeline.buckets[i] for i in chosen)
        span = first.label if first is last else f"{first.label} to {last.label}"
        documents = set().union(*(b.documents for b in timeline.buckets[chosen[0] : chosen[1] + 1]))
        applied = self.applied == timeline.clause(*chosen)
        self.selection_label.setText(
            f"{span}: {wording.count(len(documents), 'document')}"
            + ("  (shown in the results)" if applied else "  (Enter shows them)")
        )

    def _apply(self, first: int, last: int) -> None:
        """Write the range's clause into the query (in place of the one written before) and search."""
        clause = self.timeline.clause(first, last)
        query = with_date_clause(self.query_source(), clause, self.applied)
        self.applied = clause
        self._chosen_labels = (self.timeline.buckets[first].label, self.timeline.buckets[last].label)
        self._describe_selection()
        self.filter_results.emit(query)

    def _cleared(self) -> None:
        """Take the clause this view wrote back out of the query."""
        clause, self.applied, self._chosen_labels = self.applied, None, None
        current = self.query_source()
        if clause and clause in current:
            self.filter_results.emit(without_date_clause(current, clause))

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.canvas.selection() is not None:
            self.canvas.clear_selection()  # the first Escape clears; the next closes the view
            return
        super().keyPressEvent(event)


def show_timeline(window) -> TimelineView:
    """View > Timeline of the main window: one at a time, following its results and the archive's changes, a
    chosen range searched for in the window."""
    view = getattr(window, "timeline_view", None)
    if view is not None:
        view.raise_()
        view.activateWindow()
        return view
    view = window.timeline_view = TimelineView(
        window.archive,
        window.task_runner,
        lambda: window.search_field.text(),
        window,
        facets_source=lambda: (window.current_spec().filters, window.current_spec().excludes),
    )
    view.filter_results.connect(window._search_for)
    window.results_shown.connect(view.refresh)
    window.watcher.changed.connect(view.refresh)
    view.destroyed.connect(lambda: setattr(window, "timeline_view", None))
    window._keep_while_open(view)
    view.show()
    view.refresh()
    return view
