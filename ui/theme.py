"""Colours and icons that follow the system palette (light or dark) and scale on high-DPI screens."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QStyle, QWidget

import resources


def is_dark(widget: QWidget | None = None) -> bool:
    """Whether the current palette has a dark window background."""
    palette = widget.palette() if widget else QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def mark_colour(widget: QWidget | None = None) -> QColor:
    """Background for matched terms: a yellow that reads on light and dark palettes."""
    return QColor("#7a5c00") if is_dark(widget) else QColor("#ffe48a")


def current_mark_colour(widget: QWidget | None = None) -> QColor:
    """Background for the hit the user navigated to."""
    return QColor("#b35c00") if is_dark(widget) else QColor("#ffab40")


def _resource_icon(name: str) -> QIcon:
    return QIcon(str(Path(resources.__file__).parent / "icons" / name))


def app_icon() -> QIcon:
    """Dossier's own icon (a vector drawing, sharp at every scale)."""
    return _resource_icon("dossier.svg")


def lock_icon() -> QIcon:
    """The padlock that marks a private annotation."""
    return _resource_icon("lock.svg")


_HIGHLIGHTS = {  # light, dark
    "yellow": ("#fff59d", "#6b5e00"),
    "green": ("#c5e1a5", "#2e5a1c"),
    "blue": ("#b3e5fc", "#0d4a66"),
    "pink": ("#f8bbd0", "#6d2142"),
    "orange": ("#ffcc80", "#7a4300"),
}


def highlight_colour(name: str, widget: QWidget | None = None) -> QColor:
    """Background of an annotation of colour ``name`` in the current palette."""
    light, dark = _HIGHLIGHTS.get(name, _HIGHLIGHTS["yellow"])
    return QColor(dark if is_dark(widget) else light)


def annotation_mark(name: str, private: bool, widget: QWidget | None = None) -> QColor | QIcon:
    """An annotation's swatch in a list: its highlight colour, with the padlock on it when it is private."""
    colour = highlight_colour(name, widget)
    if not private:
        return colour
    size = QApplication.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
    ratio = widget.devicePixelRatioF() if widget else QApplication.primaryScreen().devicePixelRatio()
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(colour)
    painter = QPainter(pixmap)
    lock_icon().paint(painter, QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter)
    painter.end()
    return QIcon(pixmap)


def evidence_colour(widget: QWidget | None = None) -> QColor:
    """Background for the passage a suggestion or tag rests on (distinct from search hits)."""
    return QColor("#1f5a7a") if is_dark(widget) else QColor("#c7e6ff")


def icon(theme_name: str, fallback: QStyle.StandardPixmap) -> QIcon:
    """A freedesktop theme icon when the platform has one, else the style's own (vector-scaled) icon."""
    found = QIcon.fromTheme(theme_name)
    if not found.isNull():
        return found
    return QApplication.style().standardIcon(fallback)
