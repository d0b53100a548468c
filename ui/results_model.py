"""The results table: a model over hit ids that loads rows in blocks as they are shown.

Metadata for a block comes from SQLite on demand (a millisecond for a block); snippets are
highlighted on a worker and arrive a little later. ``data()`` never raises: a row that cannot be
loaded shows as disabled.
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.archive import Archive
from app.models import HitList, SearchHit
from ui.facets import value_label
from ui.ops import Op, OpRunner

log = logging.getLogger(__name__)

BLOCK = 50
SNIPPET_CHUNK = 5  # snippets computed between checks that the result is still the one shown
COLUMNS = ("Title", "Kind", "Date", "Source", "Tags")
DocIdRole = Qt.ItemDataRole.UserRole + 1
SnippetRole = Qt.ItemDataRole.UserRole + 2
MetaRole = Qt.ItemDataRole.UserRole + 3  # "source · date · kind" under the title
# the core's order a click on a column's header asks for: (first click, second click)
COLUMN_SORTS = {
    0: ("title", "title-desc"),
    1: ("kind", "kind-desc"),
    2: ("oldest", "date"),
    3: ("source", "source-desc"),
}

_Index = QModelIndex | QPersistentModelIndex


class ResultsModel(QAbstractTableModel):
    """Rows for every hit of the current query, fetched lazily (in the core's order: see ``COLUMN_SORTS``)."""

    def __init__(self, archive: Archive, runner: OpRunner, parent=None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.runner = runner
        self.query = ""
        self.ids: list[int] = []
        self._rows: dict[int, SearchHit | None] = {}  # by row; None = could not be loaded
        self._snippets: dict[int, str] = {}  # by doc id
        self._snippet_blocks: set[int] = set()
        self._generation = 0

    # -- filling ---------------------------------------------------------------------------

    def set_hits(self, hits: HitList) -> None:
        """Show a new result (resets the view)."""
        self.beginResetModel()
        self._generation += 1
        self.query = hits.query
        self.ids = list(hits.ids)
        self._rows.clear()
        self._snippets.clear()
        self._snippet_blocks.clear()
        self.endResetModel()

    def refresh_documents(self, doc_ids: set[int]) -> None:
        """Reload rows whose metadata changed."""
        for row, doc_id in enumerate(self.ids):
            if doc_id in doc_ids and row in self._rows:
                del self._rows[row]
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def row_of(self, doc_id: int) -> int:
        """Row of a document in the current result, or -1."""
        try:
            return self.ids.index(doc_id)
        except ValueError:
            return -1

    def snippets_pending(self) -> bool:
        """Whether some requested snippets have not arrived yet."""
        return any(block * BLOCK < len(self.ids) and not self._block_done(block) for block in self._snippet_blocks)

    def _block_done(self, block: int) -> bool:
        ids = self.ids[block * BLOCK : (block + 1) * BLOCK]
        return all(doc_id in self._snippets for doc_id in ids)

    # -- Qt model interface ------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._row(index.row()) is None:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.ids):
            return None
        if role == DocIdRole:
            return self.ids[index.row()]
        hit = self._row(index.row())
        if hit is None:
            return "(could not be loaded)" if role == Qt.ItemDataRole.DisplayRole and index.column() == 0 else None
        if role == SnippetRole:
            self._want_snippets(index.row() // BLOCK)
            return self._snippets.get(hit.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(hit, index.column())
        if role == MetaRole:
            return _meta(hit)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            return f"<p>{html.escape(hit.title)}</p>"  # rich text, escaped: a title is shown, never rendered
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4 and hit.tags:
            return "<p>" + "<br>".join(html.escape(tag) for tag in hit.tags) + "</p>"
        return None

    # -- loading ---------------------------------------------------------------------------

    def _row(self, row: int) -> SearchHit | None:
        if row not in self._rows:
            self._load_block(row // BLOCK)
        return self._rows.get(row)

    def _load_block(self, block: int) -> None:
        start = block * BLOCK
        ids = self.ids[start : start + BLOCK]
        try:
            hits = {hit.id: hit for hit in self.archive.hits(self.query, ids, snippets=False)}
        except Exception:  # data() must never raise; the rows show as unavailable
            log.exception("could not load result rows")
            hits = {}
        for offset, doc_id in enumerate(ids):
            self._rows[start + offset] = hits.get(doc_id)

    def _want_snippets(self, block: int) -> None:
        if block in self._snippet_blocks:
            return
        self._snippet_blocks.add(block)
        ids = self.ids[block * BLOCK : (block + 1) * BLOCK]
        query, generation = self.query, self._generation

        def load() -> dict[int, str]:
            found = {}
            for first in range(0, len(ids), SNIPPET_CHUNK):
                if generation != self._generation:  # a newer result replaced this one: stop, it is not shown
                    return {}
                chunk = ids[first : first + SNIPPET_CHUNK]
                found.update((hit.id, hit.snippet) for hit in self.archive.hits(query, chunk))
            return {doc_id: found.get(doc_id, "") for doc_id in ids}

        blank = dict.fromkeys(ids, "")
        op = Op(load)
        op.succeeded.connect(lambda snippets: self._snippets_arrived(generation, block, snippets))
        op.failed.connect(lambda _message: self._snippets_arrived(generation, block, blank))
        op.crashed.connect(lambda _exc: self._snippets_arrived(generation, block, blank))
        self.runner.start(op)

    def _snippets_arrived(self, generation: int, block: int, snippets: dict[int, str]) -> None:
        if generation != self._generation:
            return
        self._snippets.update(snippets)
        first = block * BLOCK
        last = min(first + BLOCK, len(self.ids)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, 0), [SnippetRole])


def _display(hit: SearchHit, column: int) -> str | None:
    if column == 0:
        return hit.title
    if column == 1:
        return value_label("kind", hit.kind)
    if column == 2:
        return hit.published.isoformat() if hit.published else ""
    if column == 3:
        return hit.site or hit.file_name
    if column == 4:
        return "; ".join(hit.tags)
    return None


def _meta(hit: SearchHit) -> str:
    """Where the document is from and when, for the line under its title (the file name only when the title is
    not already the file's name)."""
    source = hit.site or ("" if hit.title == hit.file_name.rsplit(".", 1)[0] else hit.file_name)
    parts = (source, hit.published.isoformat() if hit.published else "", value_label("kind", hit.kind))
    return "  ·  ".join(part for part in parts if part)
