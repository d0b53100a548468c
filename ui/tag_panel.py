"""The viewer's Tags and Suggestions sections: the document's tags, adding one (whole document or selected passage), and
the suggestions a person accepts or rejects, with their evidence marked in the text."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.archive import Archive
from app.models import StanceSet, Tag, stance_labels
from ui.ops import Op, OpRunner
from ui.text_view import TextView

TagRole = Qt.ItemDataRole.UserRole + 30  # a Tag on tag rows
SuggestionRole = Qt.ItemDataRole.UserRole + 31  # ("jurisdiction"|"stance", suggestion) on suggestion rows


class StanceBox(QComboBox):
    """Stances of every vocabulary, "(no stance)" first; ``current_key()`` is "set/id" or None."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # as wide as a short label, not the longest "label · topic": the side panel stays narrow, the reader wide
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)

    def set_vocabularies(self, sets: list[StanceSet]) -> None:
        """Fill from the archive's stance vocabularies."""
        self.clear()
        self.addItem("(no stance)", None)
        for stance_set in sets:
            for stance in stance_set.stances:
                self.addItem(f"{stance.label}  ·  {stance_set.topic}", stance.key)
                self.setItemData(self.count() - 1, QColor(stance.colour), Qt.ItemDataRole.DecorationRole)
                self.setItemData(self.count() - 1, stance.description, Qt.ItemDataRole.ToolTipRole)

    def current_key(self) -> str | None:
        """The chosen stance, or None."""
        return self.currentData()


class JurisdictionField(QLineEdit):
    """A jurisdiction name with completion from the gazetteer (loaded on first use)."""

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent, placeholderText="Jurisdiction, e.g. Omaha, NE")
        self.archive = archive
        self._ready = False

    def forget_names(self) -> None:
        """Rebuild the completion list at next use (a custom jurisdiction was added)."""
        self._ready = False

    def focusInEvent(self, event) -> None:
        if not self._ready:
            self._ready = True
            names = sorted({place.display for place in self.archive.gazetteer})
            completer = QCompleter(names, self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.setCompleter(completer)
        super().focusInEvent(event)


class TagPanel(QObject):
    """Tags and suggestions of the open document, as two widgets (``tags_box``, ``suggestions_box``) the side panel
    places; emits ``tags_changed`` after any change it makes (the window's change watcher then reloads it, as for a
    change made anywhere else) and ``counted`` (tags, suggestions) whenever it has loaded them."""

    tags_changed = Signal(int)
    message = Signal(str)
    counted = Signal(int, int)

    def __init__(self, archive: Archive, runner: OpRunner, text_view: TextView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive, self.runner, self.text_view = archive, runner, text_view
        self.doc_id: int | None = None
        self._generation = 0
        self._stance_labels: dict[str, str] = {}

        self.tag_model = QStandardItemModel(self)
        self.tag_list = _tree(self.tag_model)
        self.remove_button = QPushButton("&Remove")
        self.jurisdiction = JurisdictionField(archive)
        self.stance = StanceBox()
        self.tag_document_button = QPushButton("Tag &document")
        self.tag_passage_button = QPushButton("Tag &passage")
        self.tag_passage_button.setToolTip("Select text in the Text tab first")

        self.suggestion_model = QStandardItemModel(self)
        self.suggestion_list = _tree(self.suggestion_model)
        self.suggestion_list.setToolTip("Select a suggestion to see its evidence in the Text tab")
        self.accept_button = QPushButton("&Accept")
        self.reject_button = QPushButton("Re&ject")
        self.threshold = QDoubleSpinBox(suffix=" %", decimals=0, minimum=1, maximum=100, value=80)
        self.accept_all_button = QPushButton("Accept all at or above")
        self.accept_all_button.setToolTip("Accept every suggestion scoring at least this much")
        self.suggestion_status = QLabel()
        self.suggestion_status.setWordWrap(True)

        self.tags_box = QWidget()  # the side panel shows tags and suggestions as two sections
        tags_layout = QVBoxLayout(self.tags_box)
        tags_layout.addWidget(self.tag_list)
        add_row = QHBoxLayout()
        add_row.addWidget(self.jurisdiction, 2)
        add_row.addWidget(self.stance, 1)
        tags_layout.addLayout(add_row)
        buttons = QHBoxLayout()
        for button in (self.tag_document_button, self.tag_passage_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        tags_layout.addLayout(buttons)

        self.suggestions_box = QWidget()
        self.suggestions_box.setToolTip("Confirm each suggestion: nothing is tagged silently")
        suggestions_layout = QVBoxLayout(self.suggestions_box)
        suggestions_layout.addWidget(self.suggestion_status)
        suggestions_layout.addWidget(self.suggestion_list)
        for widgets in ((self.accept_button, self.reject_button), (self.accept_all_button, self.threshold)):
            row = QHBoxLayout()
            for widget in widgets:
                row.addWidget(widget)
            row.addStretch(1)
            suggestions_layout.addLayout(row)

        self.tag_document_button.clicked.connect(lambda: self._add(passage=False))
        self.tag_passage_button.clicked.connect(lambda: self._add(passage=True))
        self.jurisdiction.returnPressed.connect(lambda: self._add(passage=self.text_view.textCursor().hasSelection()))
        self.remove_button.clicked.connect(self._remove)
        self.accept_button.clicked.connect(lambda: self._decide(accept=True))
        self.reject_button.clicked.connect(lambda: self._decide(accept=False))
        self.accept_all_button.clicked.connect(self._accept_all)
        self.suggestion_list.selectionModel().currentChanged.connect(self._show_evidence)
        self.tag_list.selectionModel().currentChanged.connect(self._show_tag)
        self.text_view.selectionChanged.connect(self._update_buttons)
        for button in (self.tag_document_button, self.tag_passage_button, self.remove_button):
            button.setEnabled(archive.writable)
        self._update_buttons()

    # -- loading ---------------------------------------------------------------------------

    def show_document(self, doc_id: int) -> None:
        """Load the document's tags, then its suggestions in the background."""
        self.doc_id = doc_id
        if self.stance.count() == 0:
            self.vocabularies_changed()
        else:
            self.reload()

    def vocabularies_changed(self) -> None:
        """Stances were edited: refill the stance box and the suggestions."""
        sets = self.archive.stance_sets()
        self.stance.set_vocabularies(sets)
        self._stance_labels = stance_labels(sets)
        self.reload()

    def reload(self) -> None:
        """Fetch tags and suggestions again (after a change)."""
        doc_id = self.doc_id
        if doc_id is None:
            return
        self.suggestion_status.setText("Looking for jurisdictions and stances…")
        self._generation += 1
        generation = self._generation  # a slower, older reload must not overwrite a newer one
        op = Op(lambda: (self.archive.tags(doc_id), self.archive.suggest(doc_id)))
        op.succeeded.connect(lambda result: self._loaded(doc_id, *result) if generation == self._generation else None)
        op.failed.connect(self.suggestion_status.setText)
        self.runner.start(op)

    def _loaded(self, doc_id: int, tags: list[Tag], found) -> None:
        if doc_id != self.doc_id:
            return
        self.tag_model.clear()
        for tag in tags:
            item = QStandardItem(self._tag_label(tag))
            item.setData(tag, TagRole)
            origin = " (from a suggestion)" if tag.from_suggestion else ""
            item.setToolTip(f"<p>by {html.escape(tag.created_by or 'you')}, {tag.created_at[:10]}{origin}</p>")
            self.tag_model.appendRow(item)
        self.suggestion_model.clear()
        for place in found.jurisdictions:
            where = place.jurisdiction
            item = QStandardItem(f"{place.score:.0%}  {where.display}  [{where.level}]  ×{len(place.evidence)}")
            item.setData(("jurisdiction", place), SuggestionRole)
            self.suggestion_model.appendRow(item)
        for pair in found.stances:
            name = (self.archive.gazetteer.get(pair.jurisdiction) or found.agencies[pair.jurisdiction]).display
            stance = self._stance_labels.get(f"{pair.stance_set}/{pair.stance}", pair.stance)
            item = QStandardItem(f"{pair.score:.0%}  {name}: {stance}  ×{len(pair.evidence)}{_first_quote(pair)}")
            item.setData(("stance", pair), SuggestionRole)
            self.suggestion_model.appendRow(item)
        total = len(found.jurisdictions) + len(found.stances)
        self.suggestion_status.setText(
            f"{total} suggestion{'s' if total != 1 else ''}" if total else "No new suggestions for this document."
        )
        self._update_buttons()
        self.counted.emit(len(tags), total)

    def _tag_label(self, tag: Tag) -> str:
        place = self.archive.gazetteer.get(tag.jurisdiction)
        name = place.display if place else tag.jurisdiction
        stance = f"  ·  {self._stance_labels.get(f'{tag.stance_set}/{tag.stance}', tag.stance)}" if tag.stance else ""
        passage = f"\n    “{' '.join(tag.quote.split())[:120]}”" if tag.quote else "  (whole document)"
        return f"{name}{stance}{passage}"

    # -- actions ---------------------------------------------------------------------------

    def _add(self, passage: bool) -> None:
        if self.doc_id is None or not self.jurisdiction.text().strip():
            self.message.emit("Type a jurisdiction first, e.g. Omaha, NE")
            return
        span = self.text_view.selection_offsets() if passage else None
        if passage and span is None:
            self.message.emit("Select the passage in the Text tab first")
            return
        start, end = span or (None, None)
        doc_id, place, stance = self.doc_id, self.jurisdiction.text(), self.stance.current_key()
        self._run(lambda: self.archive.tag(doc_id, place, stance, start=start, end=end))

    def _remove(self) -> None:
        index = self.tag_list.currentIndex()
        tag = index.data(TagRole) if index.isValid() else None
        if tag is not None:
            self._run(lambda: self.archive.remove_tags([tag.id], [tag.doc_id]))

    def _decide(self, accept: bool) -> None:
        index = self.suggestion_list.currentIndex()
        found = index.data(SuggestionRole) if index.isValid() else None
        if found is None:
            return
        kind, suggestion = found
        doc_id = self.doc_id
        if kind == "jurisdiction":
            jid = suggestion.jurisdiction.id
            work = (
                (lambda: self.archive.tag(doc_id, jid, from_suggestion=True))
                if accept
                else (lambda: self.archive.reject_suggestion(doc_id, kind, jid))
            )
        else:
            stance = f"{suggestion.stance_set}/{suggestion.stance}"
            work = (
                (lambda: self.archive.tag(doc_id, suggestion.jurisdiction, stance, from_suggestion=True))
                if accept
                else (lambda: self.archive.reject_suggestion(doc_id, kind, suggestion.key))
            )
        self._run(work, logged=accept)

    def _accept_all(self) -> None:
        doc_id, threshold = self.doc_id, self.threshold.value() / 100
        if doc_id is not None:
            self._run(lambda: self.archive.accept_suggestions(doc_id, threshold))

    def _run(self, work, logged: bool = True) -> None:
        """Run a write; a rejection is not in the change log (it changes no tag), so the panel reloads itself."""
        doc_id = self.doc_id
        op = Op(work)
        op.succeeded.connect(lambda _result: self._done(doc_id, logged))
        op.failed.connect(self.message.emit)
        self.runner.start(op)

    def _done(self, doc_id: int, logged: bool) -> None:
        self.tags_changed.emit(doc_id)
        if not logged and doc_id == self.doc_id:
            self.reload()

    # -- evidence --------------------------------------------------------------------------

    def _show_evidence(self, current: QModelIndex, _previous: QModelIndex) -> None:
        found = current.data(SuggestionRole) if current.isValid() else None
        spans = [(e.start, e.end) for e in found[1].evidence if e.field == "text"] if found else []
        self.text_view.set_evidence(spans)
        self._update_buttons()

    def _show_tag(self, current: QModelIndex, _previous: QModelIndex) -> None:
        tag = current.data(TagRole) if current.isValid() else None
        self.text_view.set_evidence([(tag.start, tag.end)] if tag is not None and tag.start is not None else [])
        self._update_buttons()

    def _update_buttons(self) -> None:
        writable = self.archive.writable
        self.tag_passage_button.setEnabled(writable and self.text_view.textCursor().hasSelection())
        has_suggestion = self.suggestion_list.currentIndex().isValid()
        self.accept_button.setEnabled(writable and has_suggestion)
        self.reject_button.setEnabled(writable and has_suggestion)
        self.accept_all_button.setEnabled(writable and self.suggestion_model.rowCount() > 0)
        self.remove_button.setEnabled(writable and self.tag_list.currentIndex().isValid())


def _first_quote(suggestion) -> str:
    """The why of a suggestion, readable in the list: who holds the stance and the words that say so (a stance's
    evidence names them), then the sentence, as indented lines."""
    if not suggestion.evidence:
        return ""
    first = suggestion.evidence[0]
    quote = " ".join(first.quote.split())
    actor, cue = first.actor, " ".join(first.cue.split())
    why = f"\n    {actor}: “{cue}”" if actor and cue else ""
    return why + (f"\n    “{quote[:160]}{'…' if len(quote) > 160 else ''}”" if quote else "")


def _tree(model: QStandardItemModel) -> QTreeView:
    view = QTreeView()
    view.setModel(model)
    view.setHeaderHidden(True)
    view.setRootIsDecorated(False)
    view.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    return view
