"""The facet sidebar (counts per kind, year, ...) and the row of removable filter chips.

Clicking a value cycles it: include -> exclude -> off. Both widgets edit one :class:`FacetState`.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QTreeView, QWidget

FACET_TITLES = {
    "kind": "Kind",
    "year": "Year",
    "jurisdiction": "Jurisdiction",
    "stance": "Stance",
    "tag": "Tag",
    "status": "Text",
}
FacetRole = Qt.ItemDataRole.UserRole + 10  # (field, value) on value items


class FacetState(QObject):
    """Which facet values are required and which are excluded."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.included: dict[str, set[str]] = {}
        self.excluded: dict[str, set[str]] = {}

    def mode(self, field: str, value: str) -> str:
        """ "include", "exclude" or "" for one value."""
        if value in self.included.get(field, ()):
            return "include"
        if value in self.excluded.get(field, ()):
            return "exclude"
        return ""

    def cycle(self, field: str, value: str) -> None:
        """Off -> include -> exclude -> off."""
        mode = self.mode(field, value)
        self._discard(field, value)
        if mode == "":
            self.included.setdefault(field, set()).add(value)
        elif mode == "include":
            self.excluded.setdefault(field, set()).add(value)
        self.changed.emit()

    def remove(self, field: str, value: str) -> None:
        """Drop a filter (a chip's close button)."""
        self._discard(field, value)
        self.changed.emit()

    def clear(self) -> None:
        """Drop every filter."""
        if self.included or self.excluded:
            self.included.clear()
            self.excluded.clear()
            self.changed.emit()

    def filters(self) -> dict[str, tuple[str, ...]]:
        """Required values per field, for the core's search."""
        return {f: tuple(sorted(v)) for f, v in self.included.items() if v}

    def excludes(self) -> dict[str, tuple[str, ...]]:
        """Excluded values per field."""
        return {f: tuple(sorted(v)) for f, v in self.excluded.items() if v}

    def _discard(self, field: str, value: str) -> None:
        for selected in (self.included, self.excluded):
            selected.get(field, set()).discard(value)


class FacetPanel(QTreeView):
    """Facet fields with their values and counts for the current result."""

    def __init__(self, state: FacetState, parent: QWidget | None = None, describe=None) -> None:
        super().__init__(parent)
        self.state = state
        # (field, value) -> (label, parent value or None): names jurisdictions and nests them in a tree
        self.describe = describe or (lambda field, value: (value_label(field, value), None))
        self.facet_model = QStandardItemModel(self)
        self.setModel(self.facet_model)
        self.setHeaderHidden(True)
        self.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setIndentation(14)  # three levels (federal, state, county) in a narrow pane
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # "Douglas … County  (3)": the count stays in view
        self.setToolTip("Click a value to show only it, again to exclude it, a third time to clear it")
        self.clicked.connect(self._clicked)
        self.activated.connect(self._clicked)
        self._counts: dict[str, dict[str, int]] = {}
        self._collapsed: set[str] = set()
        state.changed.connect(self._rebuild)

    def set_counts(self, facets: dict[str, dict[str, int]]) -> None:
        """Show the counts of a new result."""
        self._counts = facets
        self._rebuild()

    def _rebuild(self) -> None:
        for row in range(self.facet_model.rowCount()):
            item = self.facet_model.item(row)
            if not self.isExpanded(item.index()):
                self._collapsed.add(item.data(FacetRole))
            else:
                self._collapsed.discard(item.data(FacetRole))
        self.facet_model.clear()
        for field, title in FACET_TITLES.items():
            counts = dict(self._counts.get(field, {}))
            for value in self.state.included.get(field, set()) | self.state.excluded.get(field, set()):
                counts.setdefault(value, 0)
            if not counts:
                continue
            parent = QStandardItem(title)
            parent.setData(field, FacetRole)
            parent.setSelectable(False)
            items = {}
            described = {value: self.describe(field, value) for value in counts}
            for value, count in sorted(counts.items(), key=_order(field)):
                name, above = described[value]
                short = _STATE_SUFFIX.sub("", name) if above in counts else name  # "Lake County" under Florida
                items[value] = self._value_item(field, value, count, short, name)
            for value, item in items.items():
                above = described[value][1]
                items.get(above, parent).appendRow(item)
            self.facet_model.appendRow(parent)
            if field not in self._collapsed:
                self.expand(parent.index())
                for item in items.values():
                    if item.hasChildren():
                        self.expand(item.index())

    def _value_item(self, field: str, value: str, count: int, name: str, full_name: str) -> QStandardItem:
        mode = self.state.mode(field, value)
        label = {"include": "✓ ", "exclude": "✕ "}.get(mode, "") + f"{name}  ({count})"
        item = QStandardItem(label)
        item.setData((field, value), FacetRole)
        if mode:
            font = QFont(self.font())
            font.setBold(mode == "include")
            font.setStrikeOut(mode == "exclude")
            item.setFont(font)
        hint = {"include": "Shown only: click to exclude", "exclude": "Excluded: click to clear"}
        item.setToolTip(f"{full_name}  ({count})\n{hint.get(mode, 'Click to show only it')}")
        return item

    def _clicked(self, index) -> None:
        target = index.data(FacetRole)
        if isinstance(target, tuple):
            self.state.cycle(*target)


_STATE_SUFFIX = re.compile(r", [A-Z]{2}$")


class FilterChips(QWidget):
    """The active filters as small buttons; clicking one removes it."""

    def __init__(self, state: FacetState, parent: QWidget | None = None, describe=None) -> None:
        super().__init__(parent)
        self.state = state
        self.describe = describe or (lambda field, value: (value_label(field, value), None))
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        state.changed.connect(self._rebuild)
        self._rebuild()

    def chips(self) -> list[QToolButton]:
        """The chip buttons, in order."""
        return self.findChildren(QToolButton)

    def _rebuild(self) -> None:
        while self.row.count():
            widget = self.row.takeAt(0).widget()
            if widget:
                widget.deleteLater()
        filters = [(f, v, False) for f, vs in self.state.included.items() for v in sorted(vs)]
        filters += [(f, v, True) for f, vs in self.state.excluded.items() for v in sorted(vs)]
        for field, value, excluded in filters:
            chip = QToolButton(self)
            name = self.describe(field, value)[0]
            chip.setText(f"{'not ' if excluded else ''}{FACET_TITLES[field].lower()}: {name}  ✕")
            chip.setToolTip("Remove this filter")
            chip.setAutoRaise(False)
            chip.clicked.connect(lambda _=False, f=field, v=value: self.state.remove(f, v))
            self.row.addWidget(chip)
        if filters:
            clear = QToolButton(self, text="Clear filters", autoRaise=True)
            clear.clicked.connect(self.state.clear)
            self.row.addWidget(clear)
        else:
            self.row.addWidget(QLabel("No filters: click a value on the left to narrow the results", self))
        self.row.addStretch(1)


_KIND_NAMES = {
    "rtf": "RTF",
    "odt": "ODT",
    "ods": "ODS",
    "odp": "ODP",
    "epub": "EPUB",
    "doc": "DOC",
    "wordperfect": "WordPerfect",
    "csv": "CSV",
    "xlsx": "XLSX",
}


_STATUS_NAMES = {"ocr": "Read by OCR", "needs-ocr": "Waiting for OCR"}


def value_label(field: str, value: str) -> str:
    """How a facet value reads in the sidebar, chips and results ("PDF", "Markdown", "Read by OCR")."""
    if field == "status":
        return _STATUS_NAMES.get(value, value)
    if field == "kind":
        if value in _KIND_NAMES:
            return _KIND_NAMES[value]
        return value.upper() if value in ("pdf", "html", "docx") else value.capitalize()
    return value


def _order(field: str):
    if field == "year":
        return lambda item: (-int(item[0]) if item[0].isdigit() else 0, item[0])
    return lambda item: (-item[1], item[0])
