"""The main window driven like a user: search as you type, facets, opening documents, metadata."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent, QFont, QFontMetrics

from tests.ui.helpers import settle, type_query
from ui.batch_tag_dialog import BatchTagDialog
from ui.jurisdiction_dialog import JurisdictionDialog
from ui.results_model import DocIdRole, MetaRole, SnippetRole
from ui.snippet_delegate import wrap_title
from ui.stance_dialog import StanceDialog


def test_typing_a_query_shows_ranked_hits_with_snippets(qtbot, make_window, imported):
    window = make_window(imported)
    type_query(qtbot, window, "calamity")
    model = window.results_model
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == "Denver calls the crackdown a calamity"
    assert model.index(0, 2).data() == "2025-01-24"
    settle(qtbot, window)
    assert "<mark>calamity</mark>" in model.index(0, 0).data(SnippetRole)
    assert "3 documents" in window.status_label.text() and "1 hit ·" in window.status_label.text()


def test_malformed_query_says_what_to_fix_and_keeps_running(qtbot, make_window, imported):
    window = make_window(imported)
    type_query(qtbot, window, "p*")
    assert window.message.isVisible() and "at least 2 letters" in window.message.text()
    assert "Press F1 for the search syntax." in window.message.text() and "dossier" not in window.message.text()
    type_query(qtbot, window, "omaha")
    assert not window.message.isVisible() and window.results_model.rowCount() == 1


def test_no_match_page_suggests_what_to_try(qtbot, make_window, imported):
    window = make_window(imported)
    type_query(qtbot, window, "zzyzx")
    assert window.results_stack.currentWidget() is window.no_hits
    assert "No documents match" in window.no_hits.text()


def test_facet_click_filters_then_excludes_then_clears(qtbot, make_window, imported):
    window = make_window(imported)
    facets = window.facets
    kind_items = _facet_values(facets, "kind")
    assert kind_items == {"markdown": 1, "text": 2}
    facets.clicked.emit(_facet_index(facets, "kind", "text"))
    settle(qtbot, window)
    assert window.results_model.rowCount() == 2
    assert [chip.text() for chip in window.chips.chips()[:1]] == ["kind: Text  ✕"]
    facets.clicked.emit(_facet_index(facets, "kind", "text"))
    settle(qtbot, window)
    assert window.results_model.rowCount() == 1
    assert window.chips.chips()[0].text().startswith("not kind: Text")
    window.chips.chips()[0].click()
    settle(qtbot, window)
    assert window.results_model.rowCount() == 3 and window.facet_state.filters() == {}


def test_selecting_a_result_opens_the_stored_text_with_hits(qtbot, make_window, imported):
    window = make_window(imported)
    type_query(qtbot, window, "omaha raids")
    window.results.selectRow(0)
    doc_id = window.results_model.index(0, 0).data(DocIdRole)
    qtbot.waitUntil(lambda: bool(window.viewer.text_view.matches))
    view = window.viewer.text_view
    assert view.toPlainText() == imported.text(doc_id)
    found = [view.text[s:e].lower() for s, e in view.matches]
    assert set(found) == {"omaha", "raids"} and len(found) >= 3
    assert window.viewer.hit_label.text() == f"hit 1 of {len(found)}"
    window.viewer.next_hit()
    assert window.viewer.hit_label.text() == f"hit 2 of {len(found)}"
    assert view.textCursor().position() == view.matches[1][0]


def test_the_reader_clears_when_its_document_leaves_the_results(qtbot, make_window, imported):
    window = make_window(imported)
    type_query(qtbot, window, "calamity")
    window.results.selectRow(0)
    denver = window.viewer.doc.id
    type_query(qtbot, window, "calamity denver")
    assert window.viewer.doc.id == denver  # still listed: the reader stays
    type_query(qtbot, window, "omaha")
    assert window.results_model.rowCount() == 1 and window.viewer.doc is None
    assert window.viewer.stack.currentWidget() is window.viewer.placeholder
    window.open_document(denver)  # opened from elsewhere (a note, a link), not from this result
    type_query(qtbot, window, "omaha police")
    assert window.viewer.doc.id == denver


def test_editing_the_title_saves_it_and_updates_the_results(qtbot, make_window, imported):
    window = make_window(imported)
    type_query(qtbot, window, "calamity")
    window.results.selectRow(0)
    panel = window.viewer.details
    qtbot.waitUntil(lambda: panel.doc is not None)
    panel.title.setText("Denver: a calamity")
    panel.title.textEdited.emit("Denver: a calamity")
    panel.date.setText("not a date")
    panel.buttons.button(panel.buttons.StandardButton.Save).click()
    assert "is not a date" in panel.error.text()
    panel.date.setText("2025-01-25")
    with qtbot.waitSignal(window.viewer.metadata_saved):
        panel.buttons.button(panel.buttons.StandardButton.Save).click()
    doc = imported.document(panel.doc.id)
    assert doc.title == "Denver: a calamity" and doc.published.isoformat() == "2025-01-25"
    settle(qtbot, window)
    assert window.results_model.index(0, 0).data() == "Denver: a calamity"
    type_query(qtbot, window, "title:calamity date:2025-01-25")
    assert window.results_model.rowCount() == 1


def test_empty_archive_shows_how_to_import_and_accepts_a_drop(qtbot, make_window, archive, sample_files):
    window = make_window(archive)
    qtbot.waitUntil(lambda: window.doc_count == 0)
    assert window.results_stack.currentWidget() is window.empty
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sample_files / "omaha.txt"))])
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    with qtbot.waitSignal(window.imports.finished, timeout=60000):
        window.dropEvent(drop)
    settle(qtbot, window)
    assert window.results_stack.currentWidget() is window.results
    assert window.results_model.rowCount() == 1


def test_sort_order_and_layout_are_remembered(qtbot, make_window, imported, settings):
    window = make_window(imported)
    window.sort_box.setCurrentIndex(1)
    settle(qtbot, window)
    dated = window.results_model.index(0, 0).data()
    assert dated == "Denver calls the crackdown a calamity"  # the only dated document comes first
    window.save_settings()
    again = make_window(imported)
    assert again.sort_box.currentData() == "date"


def test_shortcuts_are_shown_in_menus(make_window, imported):
    window = make_window(imported)
    shortcuts = {a.text(): a.shortcut().toString() for a in window.actions()}
    assert shortcuts["&Import files…"] == "Ctrl+I"
    assert shortcuts["&Find"] == "Ctrl+F"
    assert {s.toString() for s in window.find_action.shortcuts()} == {"Ctrl+F", "Ctrl+K"}
    assert shortcuts["&Next hit"] == "F3"


def test_long_facet_names_keep_their_count_in_view_and_show_in_full_on_hover(qtbot, make_window, imported):
    imported.tag(imported.search_ids("omaha").ids[0], "Prince George's County, MD")
    window = make_window(imported)
    settle(qtbot, window)
    assert window.facets.textElideMode() == Qt.TextElideMode.ElideMiddle
    items = _facet_items(window.facets, "jurisdiction")
    county = next(item for item in items if item.text().startswith("Prince George"))
    assert county.text() == "Prince George's County  (1)"  # under Maryland, the state is not repeated
    assert county.toolTip().splitlines() == ["Prince George's County, MD  (1)", "Click to show only it"]


def test_scans_waiting_for_ocr_are_a_facet_value_a_click_away(qtbot, make_window, imported, tmp_path):
    from PIL import Image

    Image.new("L", (400, 200), 255).save(tmp_path / "scan.png")
    imported.import_paths([tmp_path / "scan.png"])  # the core call reads no text yet: OCR runs after it
    window = make_window(imported)
    settle(qtbot, window)
    (waiting,) = _facet_items(window.facets, "status")
    assert waiting.text() == "Waiting for OCR  (1)" and waiting.parent().text() == "Text"
    window.facets.clicked.emit(waiting.index())
    settle(qtbot, window)
    assert window.results_model.rowCount() == 1 and window.results_model.index(0, 0).data() == "scan"


def _facet_items(panel, field: str) -> list:
    from ui.facets import FacetRole

    found, todo = [], [panel.facet_model.item(row) for row in range(panel.facet_model.rowCount())]
    while todo:
        item = todo.pop()
        todo += [item.child(row) for row in range(item.rowCount())]
        target = item.data(FacetRole)
        found += [item] if isinstance(target, tuple) and target[0] == field else []
    return found


def _facet_values(panel, field: str) -> dict[str, int]:
    from ui.facets import FacetRole

    model = panel.facet_model
    for row in range(model.rowCount()):
        parent = model.item(row)
        if parent.data(FacetRole) == field:
            values = {}
            for child in range(parent.rowCount()):
                item = parent.child(child)
                values[item.data(FacetRole)[1]] = int(item.text().rsplit("(", 1)[1].rstrip(")"))
            return values
    return {}


def _facet_index(panel, field: str, value: str):
    from ui.facets import FacetRole

    model = panel.facet_model
    for row in range(model.rowCount()):
        parent = model.item(row)
        for child in range(parent.rowCount()):
            if parent.child(child).data(FacetRole) == (field, value):
                return parent.child(child).index()
    raise AssertionError(f"no facet {field}:{value}")


def test_f1_opens_the_syntax_help_under_the_search_field(make_window, imported):
    window = make_window(imported)
    help_action = next(a for a in window.actions() if a.text() == "Search &syntax")
    assert help_action.shortcut().toString() == "F1"
    help_action.trigger()
    assert window.help_popup.isVisible()
    assert "will not participate" in window.help_popup.findChild(type(window.message)).text()


def test_a_rebuild_left_by_the_opening_runs_in_the_background(
    qtbot, make_window, archive_dir, sample_files, monkeypatch
):
    import app.archive
    from app.archive import Archive

    with Archive.open(archive_dir) as archive:
        archive.import_paths([sample_files])
    (archive_dir / "index" / "SCHEMA_VERSION").write_text("0\n")
    monkeypatch.setattr(app.archive, "OPEN_INDEX_LIMIT", 1)
    reopened = Archive.open(archive_dir)
    try:
        assert reopened.stats()["queued_for_index"] == 3  # the window opens before they are indexed
        window = make_window(reopened)
        qtbot.waitUntil(lambda: window.results_model.rowCount() == 3)
        settle(qtbot, window)
        assert "index up to date" in window.status_label.text()
    finally:
        reopened.close()


def test_a_read_only_window_says_why_it_cannot_change_anything(qtbot, make_window, imported, sample_files, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.archive import Archive
    from tests.ui.helpers import writer_lock_held_elsewhere

    with writer_lock_held_elsewhere(imported):
        reader = Archive.open(imported.folder, shared=True)  # opens read-only while another Dossier writes
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: warnings.append((title, text)))
    window = make_window(reader)
    assert not window.import_paths([str(sample_files)])
    assert warnings == [
        (
            "Cannot import",
            "This archive is open read-only: another Dossier was writing when this one opened. To import, open it "
            "again (File > Open archive folder) from a place you can write to.",
        )
    ]
    window.open_document(reader.search_ids("omaha").ids[0])
    assert window.viewer.details.error.text() == (
        "Details cannot be changed: the archive is open read-only (another Dossier was writing when this one opened)."
    )
    window.shutdown()
    reader.close()


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        ("stances_action", StanceDialog),
        ("add_jurisdiction_action", JurisdictionDialog),
        ("batch_tag_action", BatchTagDialog),
    ],
)
def test_a_dialog_is_deleted_after_use(qtbot, make_window, imported, action, kind):
    name = kind.__name__
    window = make_window(imported)
    destroyed = []

    def close_it():
        dialog = window.findChild(kind)
        dialog.destroyed.connect(lambda: destroyed.append(name))
        dialog.reject()

    QTimer.singleShot(0, close_it)  # runs inside the dialog's own event loop
    getattr(window, action).trigger()
    qtbot.waitUntil(lambda: destroyed == [name])
    assert window.findChild(kind) is None


def test_all_annotations_is_deleted_when_closed(qtbot, make_window, imported):
    from ui.annotations_dialog import AnnotationsDialog

    window = make_window(imported)
    window.show_annotations()
    dialog = window.findChild(AnnotationsDialog)
    destroyed = []
    dialog.destroyed.connect(lambda: destroyed.append(True))
    dialog.close()
    qtbot.waitUntil(lambda: destroyed == [True])  # and so no longer reloads on every change
    assert window.findChild(AnnotationsDialog) is None


def test_result_rows_say_source_and_date_and_columns_are_optional(qtbot, make_window, imported):
    window = make_window(imported)
    type_query(qtbot, window, "calamity")
    header = window.results.horizontalHeader()
    assert [header.isSectionHidden(c) for c in range(5)] == [False, True, True, True, True]
    assert window.results_model.index(0, 0).data(MetaRole) == "denver.md  ·  2025-01-24  ·  Markdown"
    window.column_actions[2].trigger()  # View > Result columns > Date
    assert not header.isSectionHidden(2)
    window.column_actions[2].trigger()
    assert header.isSectionHidden(2)


def test_the_tags_column_says_each_place_and_stance_a_document_is_tagged_with(qtbot, make_window, imported):
    doc_id = imported.search_ids("calamity").ids[0]
    imported.tag(doc_id, "Denver, CO", "sanctuary")
    imported.tag(doc_id, "Denver, CO")
    imported.tag(doc_id, "Colorado")
    window = make_window(imported)
    type_query(qtbot, window, "calamity")
    window.column_actions[4].trigger()  # View > Result columns > Tags
    assert window.results_model.index(0, 4).data() == "Colorado; Denver, CO; Denver, CO: Sanctuary"
    window.results.horizontalHeader().sectionClicked.emit(4)  # tags have no order: the result stays as it is
    assert window.sort_box.currentData() == "relevance"
    (hit,) = imported.search("calamity").hits
    assert hit.to_json()["tags"] == ["Colorado", "Denver, CO", "Denver, CO: Sanctuary"]


def test_a_click_on_a_column_orders_the_whole_result_and_a_second_reverses_it(qtbot, make_window, imported):
    window = make_window(imported)
    header = window.results.horizontalHeader()

    def first_words():
        return [window.results_model.index(r, 0).data().split()[0] for r in range(window.results_model.rowCount())]

    header.sectionClicked.emit(0)
    settle(qtbot, window)
    assert window.sort_box.currentData() == "title" and first_words() == ["Denver", "Grand", "Omaha"]
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (0, Qt.SortOrder.AscendingOrder)
    header.sectionClicked.emit(0)
    settle(qtbot, window)
    assert window.sort_box.currentData() == "title-desc" and first_words() == ["Omaha", "Grand", "Denver"]
    window.sort_box.setCurrentIndex(0)
    settle(qtbot, window)
    assert header.sortIndicatorSection() == -1


def test_a_long_title_wraps_to_two_lines_and_ends_in_an_ellipsis(qtbot):
    font = QFont()
    width = QFontMetrics(font).horizontalAdvance("x" * 30)
    title = "Memorandum of agreement between the Department of Homeland Security and the Franklin County Sheriff"
    lines = wrap_title(title, font, width)
    assert len(lines) == 2 and lines[1].endswith("…") and title.startswith(lines[0])
    assert wrap_title("Omaha police", font, width) == ["Omaha police"]


def test_tags_suggestions_and_annotations_are_sections_beside_the_reader(qtbot, make_window, imported):
    window = make_window(imported)
    window.open_document(imported.search_ids("omaha").ids[0])
    settle(qtbot, window)
    viewer = window.viewer
    assert viewer.split.orientation() == Qt.Orientation.Horizontal and viewer.split.widget(0) is viewer.tabs
    assert [s.title for s in viewer.side.sections] == ["Tags", "Suggestions", "Annotations"]
    assert viewer.tabs.height() > 0.8 * viewer.split.height()  # the text has the pane's height
    assert viewer.tabs.width() > viewer.side.width() and viewer.tabs.width() > window.results.width()
    assert viewer.side.sizeHint().width() < 330  # no hint or long stance label widens the panel
    assert viewer.tags_section.header.text() == "Tags  (0)"
    viewer.suggestions_section.header.click()
    assert not viewer.suggestions_section.expanded() and viewer.tag_panel.suggestions_box.isHidden()
    assert viewer.suggestions_section.height() <= viewer.suggestions_section.header.sizeHint().height()


def test_panes_and_collapsed_sections_are_remembered_per_archive(qtbot, make_window, imported, tmp_path, settings):
    from app.archive import Archive

    window = make_window(imported)
    window.viewer.annotations_section.set_expanded(False)
    window.splitter.setSizes([150, 500, 750])
    window.save_settings()
    assert settings.value(f"{window._layout_key()}/splitter") == window.splitter.saveState()
    again = make_window(imported)  # sizes are restored, then fitted to the (offscreen) screen
    assert not again.viewer.annotations_section.expanded() and again.viewer.tags_section.expanded()
    with Archive.open(tmp_path / "other") as other:
        elsewhere = make_window(other)
        assert elsewhere._layout_key() != window._layout_key()
        assert elsewhere.viewer.annotations_section.expanded()
