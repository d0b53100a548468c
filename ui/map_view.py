"""View > Map: the stance map of the current results, a state's evidence on a click, export as SVG and PNG."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
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
from app.stance_map import Evidence, StanceMap
from app.stance_map_svg import render, tile_boxes
from ui.ops import Op, OpRunner

EvidenceRole = Qt.ItemDataRole.UserRole + 70


class MapCanvas(QWidget):
    """Paints the SVG scaled to fit (aspect kept); ``tile_clicked(code)`` for a click on a tile or the badge."""

    tile_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.renderer = QSvgRenderer(self)
        self.boxes = tile_boxes()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(380, 360)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def load(self, svg: str) -> None:
        self.renderer.load(QByteArray(svg.encode("utf-8")))
        self.update()

    def sizeHint(self) -> QSize:
        return self.renderer.defaultSize() if self.renderer.isValid() else QSize(760, 700)

    def target(self) -> QRectF:
        """Where the map is drawn in the widget."""
        view = self.renderer.viewBoxF()
        if view.isEmpty():
            return QRectF()
        scale = min(self.width() / view.width(), self.height() / view.height())
        w, h = view.width() * scale, view.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def position_of(self, code: str) -> QPointF:
        """The widget point at the middle of a tile (for tests and keyboard users' tooltips)."""
        x, y, w, h = self.boxes[code]
        return self._to_widget(QPointF(x + w / 2, y + h / 2))

    def code_at(self, point: QPointF) -> str | None:
        target, view = self.target(), self.renderer.viewBoxF()
        if target.isEmpty():
            return None
        x = (point.x() - target.x()) * view.width() / target.width()
        y = (point.y() - target.y()) * view.height() / target.height()
        hit = (c for c, (bx, by, bw, bh) in self.boxes.items() if bx <= x <= bx + bw and by <= y <= by + bh)
        return next(hit, None)

    def _to_widget(self, point: QPointF) -> QPointF:
        target, view = self.target(), self.renderer.viewBoxF()
        return QPointF(
            target.x() + point.x() * target.width() / view.width(),
            target.y() + point.y() * target.height() / view.height(),
        )

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if self.renderer.isValid():
            self.renderer.render(painter, self.target())
        painter.end()

    def mousePressEvent(self, event) -> None:
        code = self.code_at(event.position())
        if code is not None and event.button() == Qt.MouseButton.LeftButton:
            self.tile_clicked.emit(code)
        super().mousePressEvent(event)


class MapView(QDialog):
    """Non-modal. :meth:`follow` draws the map of a query in the background (the window calls it with each
    new result); a click on a tile lists its evidence by stance, newest first; activating one asks the
    window to show it (``open_passage(doc_id, start, end)``, ``open_document(doc_id)``)."""

    open_passage = Signal(int, int, int)
    open_document = Signal(int)
    filter_results = Signal(str)  # the query that narrows the window's results to the selected state
    drawn = Signal()  # a map is on screen (or its error)

    def __init__(self, archive: Archive, runner: OpRunner, query_source=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stance map")
        self.archive = archive
        self.query_source = query_source or (lambda: "")  # the window's current query
        self.runner = runner
        self.stance_map: StanceMap | None = None
        self.svg = ""
        self.query: str | None = None
        self.selected: str | None = None
        self._pending: str | None = None  # a query asked for while a map is being built
        self._building = False
        self.canvas = MapCanvas()
        self.canvas.tile_clicked.connect(self.select)
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
        self.filter_button.setToolTip("Narrow the search to the selected state or the federal government")
        self.filter_button.setEnabled(False)
        self.filter_button.clicked.connect(self._filter)
        save_svg = QPushButton("Export &SVG…")
        save_svg.clicked.connect(lambda: self._choose_export("svg"))
        save_png = QPushButton("Export &PNG…")
        save_png.clicked.connect(lambda: self._choose_export("png"))
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
        buttons.addWidget(self.caption, 1)
        buttons.addWidget(save_svg)
        buttons.addWidget(save_png)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.resize(1100, 700)

    # -- drawing ---------------------------------------------------------------------------------

    def refresh(self, *_changes) -> None:
        """Draw the map of the window's current query again (new results, changed tags)."""
        self.follow(self.query_source())

    def follow(self, query: str) -> None:
        """Draw the map of ``query`` (a query asked for while one is drawn waits for it; only the last counts)."""
        if self._building:
            self._pending = query
            return
        self._building = True
        op = Op(lambda: (query, self.archive.stance_map(query)))
        op.succeeded.connect(self._built)
        op.failed.connect(self._failed)
        op.finished.connect(self._done)
        self.caption.setText("Drawing the map…")
        self.runner.start(op)

    def _built(self, result: tuple[str, StanceMap]) -> None:
        self.query, self.stance_map = result
        self.svg = render(self.stance_map)
        self.canvas.load(self.svg)
        where = f"the results of “{self.query}”" if self.query.strip() else "the whole archive"
        self.caption.setText(
            f"{wording.count(self.stance_map.documents, 'document')} with confirmed stances in {where}."
            + ("  " + " ".join(self.stance_map.warnings) if self.stance_map.warnings else "")
        )
        if self.selected:
            self.select(self.selected)

    def _failed(self, message: str) -> None:
        self.caption.setText(f"The map could not be drawn: {message}")

    def _done(self) -> None:
        self._building = False
        if self._pending is not None:
            query, self._pending = self._pending, None
            self.follow(query)
        else:
            self.drawn.emit()

    # -- a state's evidence --------------------------------------------------------------------

    def select(self, code: str) -> None:
        """List the evidence of a state (or ``federal``), grouped by stance, newest first."""
        self.selected = code
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
        for key in stance_map.ordered(tile.counts):
            group = QTreeWidgetItem([f"{stance_map.labels.get(key, key)} ({tile.counts[key]})", ""])
            stance = stance_map.stance(key)
            if stance is not None:
                group.setForeground(0, QColor(stance.colour))
            self.evidence.addTopLevelItem(group)
            for item in found:
                if item.stance == key:
                    group.addChild(self._row(item))
            group.setExpanded(True)
        self.evidence.resizeColumnToContents(1)

    def _filter(self) -> None:
        code = self.selected
        tile = self.stance_map.federal if code == "federal" else self.stance_map.tiles.get(code or "")
        if tile is None:
            return
        clause = "jurisdiction:federal" if code == "federal" else f'jurisdiction:"{tile.jurisdiction.id}"'
        current = self.query_source().strip()
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

    # -- export ----------------------------------------------------------------------------------

    def _choose_export(self, kind: str) -> None:
        name, _ = QFileDialog.getSaveFileName(self, f"Export the map as {kind.upper()}", f"stance-map.{kind}")
        if name:
            self.export(Path(name) if Path(name).suffix else Path(name).with_suffix(f".{kind}"))

    def export(self, path: Path, scale: float = 2.0) -> Path:
        """Write the map as SVG or (by the suffix) PNG, drawn at ``scale`` for a sharp image."""
        if path.suffix.lower() == ".svg":
            path.write_text(self.svg, encoding="utf-8")
            return path
        size = self.canvas.renderer.defaultSize() * scale
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        self.canvas.renderer.render(painter)
        painter.end()
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        return path


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
