"""What the views of a drawing (the stance map, the timeline) share: where the drawing sits in the widget, and
its export as SVG or PNG."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QFileDialog


def fitted(renderer: QSvgRenderer, size: QSize) -> QRectF:
    """Where a drawing is painted in a widget of ``size``: scaled to fit, aspect kept, centred (empty if none)."""
    view = renderer.viewBoxF()
    if view.isEmpty():
        return QRectF()
    scale = min(size.width() / view.width(), size.height() / view.height())
    w, h = view.width() * scale, view.height() * scale
    return QRectF((size.width() - w) / 2, (size.height() - h) / 2, w, h)


class FigureExport:
    """For a dialog holding ``self.svg`` (the drawing) and ``self.canvas.renderer`` (a QSvgRenderer of it);
    ``figure`` names it in the save dialog, ``file_stem`` is the name offered."""

    figure = "drawing"
    file_stem = "drawing"

    def _choose_export(self, kind: str) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, f"Export the {self.figure} as {kind.upper()}", f"{self.file_stem}.{kind}"
        )
        if name:
            self.export(Path(name) if Path(name).suffix else Path(name).with_suffix(f".{kind}"))

    def export(self, path: Path, scale: float = 2.0) -> Path:
        """Write the drawing as SVG or (by the suffix) PNG, drawn at ``scale`` for a sharp image."""
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
