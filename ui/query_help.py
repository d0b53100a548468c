"""The small query-syntax popup beside the search field."""

from __future__ import annotations

import html

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from indexer.query import SYNTAX_EXAMPLES


class QueryHelpPopup(QFrame):
    """Lists the query language; closes on click elsewhere or Esc."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        rows = "".join(
            f"<tr><td><code>{html.escape(example)}</code></td><td>&nbsp;&nbsp;{html.escape(meaning)}</td></tr>"
            for example, meaning in SYNTAX_EXAMPLES
        )
        label = QLabel(f"<b>Search syntax</b><table>{rows}</table>")
        label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(label)

    def show_below(self, anchor: QWidget) -> None:
        """Open just under ``anchor``."""
        self.adjustSize()
        self.move(anchor.mapToGlobal(QPoint(0, anchor.height())))
        self.show()
