"""View > Map: the stance map of the current results (query and facet filters), a state's evidence and its
zoomed view on a click, a place's evidence on a click on its dot, hover tooltips, export as SVG and PNG."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QByteArray, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import wording
from app.archive import Archive
from app.stance_map import Evidence, StanceMap, newest_first
from app.stance_map_svg import StateLayout, render, state_layout, state_svg, tile_boxes, tile_tooltip
from ui.figure_export import FigureExport, fitted
from ui.ops import Op, OpRunner
from ui.search_controller import SearchSpec

EvidenceRole = Qt.ItemDataRole.UserRole + 70


class MapCanvas(QWidget):
    """Paints the SVG scaled to fit (aspect kept). On the grid, ``tile_clicked(code)`` for a click on a tile or
    the badge; on a state's zoomed view (:attr:`layout` set), ``mark_clicked(jurisdiction id)`` for a click on a
    dot or a row beside it. Hovering shows what :attr:`tooltip_for` says of the tile or mark under the mouse."""

    tile_clicked = Signal(str)
    mark_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.renderer = QSvgRenderer(self)
        self.boxes = tile_boxes()
        self.layout_: StateLayout | None = None  # the zoomed view on screen, None for the grid
        self.tooltip_for = lambda key: ""  # key (a postal code, ``federal`` or a jurisdiction id) -> text
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(380, 360)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMouseTracking(True)
        self._picture: QPixmap | None = None  # the map as last painted, for this size
        self._picture_key: tuple = ()

    def load(self, svg: str, layout: StateLayout | None = None) -> None:
        """Show the grid (``layout`` None) or a state's zoomed view."""
        self.layout_ = layout
        self.renderer.load(QByteArray(svg.encode("utf-8")))
        self._picture = None
        self.setToolTip("")
        self.update()

    def sizeHint(self) -> QSize:
        return self.renderer.defaultSize() if self.renderer.isValid() else QSize(760, 700)

    def target(self) -> QRectF:
        """Where the drawing is in the widget."""
        return fitted(self.renderer, self.size())

    def position_of(self, key: str) -> QPointF:
        """The widget point at the middle of a tile, or of the mark of a jurisdiction on a zoomed view."""
        if self.layout_ is not None:
            mark = self.layout_.mark(key)
            if mark is None:
                raise KeyError(key)
            return self._to_widget(QPointF(*mark.centre))
        x, y, w, h = self.boxes[key]
        return self._to_widget(QPointF(x + w / 2, y + h / 2))

    def code_at(self, point: QPointF) -> str | None:
        """The tile's code (grid) or the mark's jurisdiction id (zoomed view) at a widget point."""
        target, view = self.target(), self.renderer.viewBoxF()
        if target.isEmpty():
            return None
        x = (point.x() - target.x()) * view.width() / target.width()
        y = (point.y() - target.y()) * view.height() / target.height()
        if self.layout_ is not None:  # the topmost mark: dots are drawn big first
            return next((m.key for m in reversed(self.layout_.marks) if m.contains(x, y)), None)
        hit = (c for c, (bx, by, bw, bh) in self.boxes.items() if bx <= x <= bx + bw and by <= y <= by + bh)
        return next(hit, None)

    def _to_widget(self, point: QPointF) -> QPointF:
        target, view = self.target(), self.renderer.viewBoxF()
        return QPointF(
            target.x() + point.x() * target.width() / view.width(),
            target.y() + point.y() * target.height() / view.height(),
        )

    def paintEvent(self, event) -> None:
        """Paint the map drawn once per SVG and size (QSvgRenderer parses nothing again, but drawing a state's
        thousand dots on every expose, tooltip or window move cost the event loop tens of milliseconds)."""
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio)
        if self._picture is None or self._picture_key != key:
            picture = QPixmap(QSize(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio))))
            picture.setDevicePixelRatio(ratio)
            picture.fill(QColor("#ffffff"))
            if self.renderer.isValid():
                drawing = QPainter(picture)
                self.renderer.render(drawing, self.target())
                drawing.end()
            self._picture, self._picture_key = picture, key
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._picture)
        painter.end()

    def mousePressEvent(self, event) -> None:
        code = self.code_at(event.position())
        if code is not None and event.button() == Qt.MouseButton.LeftButton:
            (self.mark_clicked if self.layout_ is not None else self.tile_clicked).emit(code)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        """The tooltip of what is under the mouse (Qt shows it after the usual pause)."""
        key = self.code_at(event.position())
        text = self.tooltip_for(key) if key is not None else ""
        if text != self.toolTip():
            self.setToolTip(text)
        super().mouseMoveEvent(event)


class MapView(FigureExport, QDialog):
    """Non-modal. :meth:`follow` draws the map of a search (query and facet filters) in the background (the
    window calls it with each new result); a click on a tile lists its evidence by stance, newest first, and
    opens the state's zoomed view (Escape or the back button returns to the grid), where a click on a dot lists
    that place's evidence; activating a piece of evidence asks the window to show it
    (``open_passage(doc_id, start, end)``, ``open_document(doc_id)``); "Show its results" narrows the
    window's search to the selected state or place."""

    figure, file_stem = "map", "stance-map"

    open_passage = Signal(int, int, int)
    open_document = Signal(int)
    filter_results = Signal(str)  # the query that narrows the window's results to the selected state
    drawn = Signal()  # a map is on screen (or its error)

    def __init__(self, archive: Archive, runner: OpRunner, query_source=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stance map")
        self.archive = archive
        self.query_source = query_source or (lambda: "")  # the window's current SearchSpec (or query text)
        self.runner = runner
        self.stance_map: StanceMap | None = None
        self.svg = ""
        self.query: str | None = None
        self.spec: SearchSpec | None = None  # what the map on screen was drawn for
        self.selected: str | None = None  # the state (postal code) or ``federal`` listed
        self.place: str | None = None  # the jurisdiction of the dot listed on the zoomed view
        self.zoomed: str | None = None  # the state whose zoomed view is on screen
        self.layout_: StateLayout | None = None
        self._pending: SearchSpec | None = None  # a search asked for while a map is being built
        self._building = False
        self.canvas = MapCanvas()
        self.canvas.tile_clicked.connect(self._tile_clicked)
        self.canvas.mark_clicked.connect(self.select_place)
        self.canvas.tooltip_for = self._tooltip
        self.back_button = QPushButton("◀ &All states")
        self.back_button.setToolTip("Back to the map of every state (Escape)")
        self.back_button.clicked.connect(self.show_grid)
        self.back_button.hide()
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.heading = QLabel("Click a state to see its evidence.")
        self.heading.setWordWrap(True)
        self.evidence = QTreeWidget()
        self.evidence.setHeaderLabels(["Evidence", "Date"])
        self.evidence.setRootIsDecorated(True)
        self.evidence.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.evidence.header().setStretchLastSection(False)
        self.evidence.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.evidence.itemActivated.connect(self._activated)
        self.filter_button = QPushButton("Show its &results")
        self.filter_button.setToolTip("Narrow the search to the selected state, place or the federal government")
        self.filter_button.setEnabled(False)
        self.filter_button.clicked.connect(self._filter)
        save_svg = QPushButton("Export &SVG…")
        save_svg.clicked.connect(lambda: self._choose_export("svg"))
        save_png = QPushButton("Export &PNG…")
        save_png.clicked.connect(lambda: self._choose_export("png"))
        for button in (self.back_button, self.filter_button, save_svg, save_png):
            button.setAutoDefault(False)  # Enter in the evidence list opens the passage, it presses no button
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.heading)
        side_layout.addWidget(self.evidence)
        side_layout.addWidget(self.filter_button)
        splitter = QSplitter()
        splitter.addWidget(self.canvas)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 440])
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.caption, 1)
        buttons.addWidget(save_svg)
        buttons.addWidget(save_png)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.resize(1100, 700)

    # -- drawing ---------------------------------------------------------------------------------

    def refresh(self, *_changes) -> None:
        """Draw the map of the window's current search again (new results, changed tags)."""
        self.follow(self.query_source())

    def follow(self, spec: SearchSpec | str) -> None:
        """Draw the map of a search, its query and facet filters as the results list has them (a query text
        alone is a search without filters); one asked for while a map is drawn waits, only the last counts."""
        spec = SearchSpec(query=spec) if isinstance(spec, str) else spec
        if self._building:
            self._pending = spec
            return
        self._building = True
        op = Op(
            lambda: (
                spec,
                self.archive.stance_map(spec.query, filters=spec.filters or None, excludes=spec.excludes or None),
            )
        )
        op.succeeded.connect(self._built)
        op.failed.connect(self._failed)
        op.finished.connect(self._done)
        self.caption.setText("Drawing the map…")
        self.runner.start(op)

    def _built(self, result: tuple[SearchSpec, StanceMap]) -> None:
        self.spec, self.stance_map = result
        self.query = self.spec.query
        facets = sum(len(v) for v in (*self.spec.filters.values(), *self.spec.excludes.values()))
        where = f"the results of “{self.query}”" if self.query.strip() else "the whole archive"
        if facets:
            where += f" with {wording.count(facets, 'facet filter')}"
        self.caption.setText(
            f"{wording.count(self.stance_map.documents, 'document')} with confirmed stances in {where}."
            + ("  " + " ".join(self.stance_map.warnings) if self.stance_map.warnings else "")
        )
        self._draw()
        place = self.place
        if self.selected:
            self.select(self.selected)
        if place and self.layout_ is not None and self.layout_.mark(place) is not None:
            self.select_place(place)

    def _draw(self) -> None:
        """Put the grid or the zoomed state on the canvas, from the map on hand."""
        if self.stance_map is None:
            return
        if self.zoomed:
            self.layout_ = state_layout(self.stance_map, self.zoomed)
            self.svg = state_svg(self.stance_map, self.zoomed, layout=self.layout_)
        else:
            self.layout_ = None
            self.svg = render(self.stance_map)
        self.canvas.load(self.svg, self.layout_)
        self.back_button.setVisible(self.zoomed is not None)

    def zoom(self, code: str) -> None:
        """Show the zoomed view of a state (postal code)."""
        self.zoomed, self.place = code, None
        self._draw()

    def show_grid(self) -> None:
        """Back from a state's zoomed view to every state."""
        if self.zoomed is None:
            return
        self.zoomed, self.place = None, None
        self._draw()
        if self.selected:
            self.select(self.selected)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.zoomed is not None:
            self.show_grid()
            event.accept()
            return
        super().keyPressEvent(event)

    def _tooltip(self, key: str) -> str:
        if self.stance_map is None:
            return ""
        if self.layout_ is not None:
            mark = self.layout_.mark(key)
            return mark.tooltip if mark else ""
        return tile_tooltip(self.stance_map, key)

    def _tile_clicked(self, code: str) -> None:
        """List a state's evidence and open its zoomed view (the badge and empty states: the list only)."""
        self.select(code)
        if code != "federal" and self.stance_map is not None and code in self.stance_map.tiles:
            self.zoom(code)

    def _failed(self, message: str) -> None:
        self.caption.setText(f"The map could not be drawn: {message}")

    def _done(self) -> None:
        self._building = False
        if self._pending is not None:
            spec, self._pending = self._pending, None
            self.follow(spec)
        else:
            self.drawn.emit()

    # -- a state's evidence --------------------------------------------------------------------

    def select(self, code: str) -> None:
        """List the evidence of a state (or ``federal``), grouped by stance, newest first."""
        self.selected, self.place = code, None
        self.evidence.clear()
        stance_map = self.stance_map
        if stance_map is None:
            return
        tile = stance_map.federal if code == "federal" else stance_map.tiles.get(code)
        self.filter_button.setEnabled(tile is not None)
        if tile is None:
            self.heading.setText(f"{'The federal government' if code == 'federal' else code}: no confirmed stance.")
            return
        found = stance_map.evidence_in(tile.jurisdiction.id)
        self.heading.setText(f"{tile.jurisdiction.display}: {wording.count(len(found), 'piece')} of evidence")
        self._list(found)

    def select_place(self, jid: str) -> None:
        """On a zoomed view: list the evidence of a dot (a place and what sits under it at the same position) or
        of a row beside the map, grouped by stance, newest first; "Show its results" then narrows to it."""
        mark = self.layout_.mark(jid) if self.layout_ is not None else None
        if self.stance_map is None or mark is None:
            return
        self.place = mark.key
        places = self.stance_map.places  # a dot's places, a county, or the state itself: each has evidence
        found = sorted((e for i in mark.ids if i in places for e in places[i].evidence), key=newest_first)
        name = places[mark.key].jurisdiction.display if mark.key in places else mark.key
        self.heading.setText(f"{name}: {wording.count(len(found), 'piece')} of evidence")
        self.filter_button.setEnabled(True)
        self._list(found)

    def _list(self, found: list[Evidence]) -> None:
        """Fill the evidence list: a group per stance in vocabulary order, its evidence newest first."""
        stance_map = self.stance_map
        self.evidence.clear()
        counts = Counter(e.stance for e in found)
        for key in stance_map.ordered(counts):
            group = QTreeWidgetItem([f"{stance_map.labels.get(key, key)} ({counts[key]})", ""])
            stance = stance_map.stance(key)
            if stance is not None:
                group.setForeground(0, QColor(stance.colour))
            self.evidence.addTopLevelItem(group)
            for item in found:
                if item.stance == key:
                    group.addChild(self._row(item))
            group.setExpanded(True)
        self.evidence.resizeColumnToContents(1)
        first = self.evidence.topLevelItem(0)
        if first is not None and first.childCount():
            self.evidence.setCurrentItem(first.child(0))  # Enter opens it

    def _filter(self) -> None:
        code = self.selected
        tile = self.stance_map.federal if code == "federal" else self.stance_map.tiles.get(code or "")
        if self.place is not None:
            clause = f'jurisdiction:"{self.place}"'
        elif tile is None:
            return
        else:
            clause = "jurisdiction:federal" if code == "federal" else f'jurisdiction:"{tile.jurisdiction.id}"'
        source = self.query_source()
        current = (source if isinstance(source, str) else source.query).strip()
        self.filter_results.emit(f"{current} {clause}".strip() if clause not in current else current)

    def _row(self, evidence: Evidence) -> QTreeWidgetItem:
        place = self.stance_map.places[evidence.jurisdiction].jurisdiction.display
        what = f"“{_short(evidence.quote)}”" if evidence.start is not None else "whole document"
        when = evidence.date.isoformat() if evidence.date else ""
        row = QTreeWidgetItem([f"{place}: {evidence.title} — {what}", when])
        row.setToolTip(0, f"{place}\n{evidence.title}\n{evidence.quote}".strip())
        row.setData(0, EvidenceRole, evidence)
        return row

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        evidence = item.data(0, EvidenceRole)
        if evidence is None:
            return
        if evidence.start is not None:
            self.open_passage.emit(evidence.doc_id, evidence.start, evidence.end)
        else:
            self.open_document.emit(evidence.doc_id)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
