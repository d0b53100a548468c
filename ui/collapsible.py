"""A column of collapsible sections (the reader's side panel): each a header button over its body, sized by a
splitter; a collapsed section keeps only its header. Sizes and collapsed sections are saved as one state."""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtWidgets import QSizePolicy, QSplitter, QToolButton, QVBoxLayout, QWidget

_OPEN_HEIGHT = 16_777_215  # QWIDGETSIZE_MAX


class Section(QWidget):
    """A titled part of the side panel; clicking the title (or its shortcut) collapses and expands it."""

    toggled = Signal(bool)  # expanded

    def __init__(self, title: str, body: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.body = body
        self.header = QToolButton(checkable=True, checked=True, autoRaise=True)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(body, 1)
        self.header.toggled.connect(self._toggled)
        self.set_count(None)
        self._toggled(True)

    def expanded(self) -> bool:
        """Whether the body shows."""
        return self.header.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        """Show or hide the body."""
        self.header.setChecked(expanded)

    def set_count(self, count: int | None) -> None:
        """Show how many items the section holds beside its title (None: no count)."""
        self.header.setText(self.title if count is None else f"{self.title}  ({count})")

    def _toggled(self, expanded: bool) -> None:
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)
        self.setMaximumHeight(_OPEN_HEIGHT if expanded else self.header.sizeHint().height())
        self.toggled.emit(expanded)


class SectionStack(QSplitter):
    """Sections one above the other, resizable; ``save_state``/``restore_state`` keep sizes and collapse."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setChildrenCollapsible(False)
        self.sections: list[Section] = []

    def add_section(self, title: str, body: QWidget, stretch: int = 1) -> Section:
        """Append a section holding ``body``."""
        section = Section(title, body)
        self.addWidget(section)
        self.setStretchFactor(self.count() - 1, stretch)
        self.sections.append(section)
        return section

    def save_state(self) -> QByteArray:
        """Sizes and which sections are collapsed, as bytes for QSettings."""
        state = {
            "splitter": bytes(self.saveState().toBase64()).decode("ascii"),
            "collapsed": [s.title for s in self.sections if not s.expanded()],
        }
        return QByteArray(json.dumps(state).encode("utf-8"))

    def restore_state(self, data: QByteArray | bytes | None) -> bool:
        """Apply a saved state; False (and nothing changed) when it cannot be read."""
        try:
            state = json.loads(bytes(data or b"").decode("utf-8"))
            collapsed = set(state["collapsed"])
            splitter = QByteArray.fromBase64(state["splitter"].encode("ascii"))
        except (ValueError, KeyError, TypeError, AttributeError):
            return False
        for section in self.sections:
            section.set_expanded(section.title not in collapsed)
        return self.restoreState(splitter)
