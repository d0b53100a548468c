"""The small query-syntax popup beside the search field."""

from __future__ import annotations

import html

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from indexer.query import SYNTAX_HELP


class QueryHelpPopup(QFrame):
    """Lists the query language; closes on click elsewhere or Esc."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        rows = "".join(
            f"<tr><td><code>{html.escape(example)}</code></td><td>&nbsp;&nbsp;{html.escape(meaning)}</td></tr>"
            for example, meaning in _examples()
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


def _examples() -> list[tuple[str, str]]:
    """Split the shared help text (also used by the CLI) into example / meaning pairs."""
    pairs = []
    for line in SYNTAX_HELP.splitlines():
        example, _, meaning = line.partition("  ")
        pairs.append((example.strip(), meaning.strip()))
    return pairs
