"""Annotating from the viewer: select, highlight, undo, redo, note, jump from the panel, all annotations."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon

from tests.ui.helpers import type_query
from ui.annotations_dialog import AnnotationsDialog
from ui.annotations_panel import AnnotationRole
from ui.note_dialog import NoteDialog


def _open(qtbot, window, query="omaha"):
    type_query(qtbot, window, query)
    window.results.selectRow(0)
    qtbot.waitUntil(lambda: window.viewer.doc is not None)
    return window.viewer


def _select(view, words: str) -> None:
    start = view.text.index(words)
    view.select_span(start, start + len(words))


def test_highlight_undo_redo_and_jump(qtbot, make_window, imported):
    window = make_window(imported)
    viewer = _open(qtbot, window)
    panel, view = viewer.annotations_panel, viewer.text_view
    _select(view, "does not intend to participate")
    assert panel.toolbar.isVisible()
    window.highlight_action.trigger()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    (annotation,) = imported.annotations(viewer.doc.id)
    assert annotation.exact == "does not intend to participate"
    assert view.highlights == [(annotation.start, annotation.end, "yellow")]

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    assert imported.annotations(viewer.doc.id) == [] and len(imported.annotations(trash=True)) == 1
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert imported.annotations(viewer.doc.id)[0].uuid == annotation.uuid

    view.select_span(0, 0)
    panel.list.setCurrentIndex(panel.model.item(0).index())
    assert view.selection_offsets() == (annotation.start, annotation.end)


def test_note_colour_and_delete_are_undoable(qtbot, make_window, imported):
    window = make_window(imported)
    viewer = _open(qtbot, window)
    panel = viewer.annotations_panel
    _select(viewer.text_view, "the chief said")
    window.note_action.trigger()
    dialog = window.findChild(NoteDialog)
    assert dialog.passage.toPlainText() == "“the chief said”" and not dialog.private()
    dialog.editor.setPlainText("Chief Schmaderer\n")
    dialog.accept()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    panel.list.setCurrentIndex(panel.model.item(0).index())
    panel.colour_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and panel.model.item(0).data(AnnotationRole).colour == "green")
    annotation = panel.model.item(0).data(AnnotationRole)
    assert annotation.note == "Chief Schmaderer" and annotation.revision == 2
    panel.list.setCurrentIndex(panel.model.item(0).index())
    panel.delete_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and panel.model.item(0).data(AnnotationRole).colour == "yellow")
    type_query(qtbot, window, "note:schmaderer")
    assert window.results_model.rowCount() == 1


def test_all_annotations_filters_and_jumps(qtbot, make_window, imported, qtmodeltester):
    imported.annotate(imported.search_ids("omaha").ids[0], quote="any raids", note="raid policy", colour="pink")
    imported.annotate(imported.search_ids("calamity").ids[0], quote="calamity", tags=["quote"])
    window = make_window(imported)
    window.show_annotations()
    dialog = window.findChild(AnnotationsDialog)
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 2
    dialog.colour.setCurrentIndex(dialog.colour.findData("pink"))
    assert dialog.model.rowCount() == 1 and dialog.model.item(0, 2).text() == "raid policy"
    dialog.colour.setCurrentIndex(0)
    dialog.tag.setText("quote")
    assert dialog.model.rowCount() == 1
    dialog.table.activated.emit(dialog.model.index(0, 0))
    view = window.viewer.text_view
    assert view.text[slice(*view.selection_offsets())] == "calamity"


def test_a_bundle_conflict_is_settled_from_the_review_list(qtbot, make_window, imported, tmp_path):
    from app.archive import Archive
    from app.bundles.export import export_bundle
    from app.bundles.merge import import_bundle

    doc_id = imported.search_ids("omaha").ids[0]
    mine = imported.annotate(doc_id, quote="any raids", note="raid policy")
    with Archive.open(tmp_path / "colleague") as other:
        import_bundle(other, export_bundle(imported, [doc_id], tmp_path / "1.zip").path)
        other.update_annotation(mine.uuid, note="the colleague's reading")
        imported.update_annotation(mine.uuid, colour="green")
        theirs = export_bundle(other, other.search_ids("").ids, tmp_path / "2.zip").path
    (conflict,) = import_bundle(imported, theirs).conflicts
    window = make_window(imported)
    _open(qtbot, window)
    window.show_annotations()
    dialog = window.findChild(AnnotationsDialog)
    dialog.view_box.setCurrentIndex(dialog.view_box.findData("review"))
    assert dialog.keep_theirs_button.isVisible() and not dialog.keep_theirs_button.isEnabled()
    dialog.table.selectRow(0)
    assert dialog.selected().uuid == conflict["copy"] and dialog.keep_theirs_button.isEnabled()
    compared = dialog.comparison.text()
    assert "Ours: “raid policy”; green" in compared and "The bundle's: “the colleague's reading”; yellow" in compared
    dialog.keep_theirs_button.click()
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.model.rowCount() == 0)
    assert imported.annotations(review=True) == []
    settled = imported.annotation(mine.uuid)
    assert (settled.note, settled.colour) == ("the colleague's reading", "yellow")
    panel = window.viewer.annotations_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and "the colleague's reading" in panel.model.item(0).text())


def test_a_title_changed_on_both_sides_is_settled_from_the_review_list(qtbot, make_window, imported, tmp_path):
    from app.archive import Archive
    from app.bundles.export import export_bundle
    from app.bundles.merge import import_bundle

    doc_id = imported.search_ids("omaha").ids[0]
    with Archive.open(tmp_path / "colleague") as other:
        import_bundle(other, export_bundle(imported, [doc_id], tmp_path / "1.zip").path)
        other.update_metadata(other.search_ids("omaha").ids[0], title="Omaha: the colleague's title")
        theirs = export_bundle(other, other.search_ids("").ids, tmp_path / "2.zip").path
    imported.update_metadata(doc_id, title="Omaha: our title")
    assert len(import_bundle(imported, theirs).field_conflicts) == 1
    window = make_window(imported)
    window.show_annotations()
    dialog = window.findChild(AnnotationsDialog)
    dialog.view_box.setCurrentIndex(dialog.view_box.findData("review"))
    assert dialog.model.rowCount() == 1 and dialog.model.item(0, 1).text() == "title: Omaha: the colleague's title"
    dialog.table.selectRow(0)
    assert dialog.keep_theirs_button.isEnabled() and not dialog.restore_button.isVisible()
    assert "Ours: “Omaha: our title”\nTheirs: “Omaha: the colleague's title”" in dialog.comparison.text()
    dialog.keep_theirs_button.click()
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.model.rowCount() == 0)
    assert imported.document(doc_id).title == "Omaha: the colleague's title" and imported.metadata_conflicts() == []


def test_the_note_dialog_shows_the_passage_and_what_the_annotation_carries(qtbot, make_window, imported):
    doc_id = imported.search_ids("omaha").ids[0]
    imported.annotate(
        doc_id,
        quote="does not intend to participate",
        note="source: a council aide",
        colour="pink",
        tags=["raids", "quote"],
        jurisdiction="Omaha, NE",
        stance="sanctuary",
        private=True,
    )
    window = make_window(imported)
    viewer = _open(qtbot, window)
    panel = viewer.annotations_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    panel.list.setCurrentIndex(panel.model.item(0).index())
    panel.note_button.click()
    dialog = window.findChild(NoteDialog)
    assert dialog.isVisible() and dialog.passage.isReadOnly()
    assert dialog.passage.toPlainText() == "“does not intend to participate”"
    assert dialog.colour.currentData() == "pink" and dialog.tags.text() == "quote, raids"
    assert dialog.jurisdiction.text() == "Omaha, NE" and dialog.stance.currentText().startswith("Sanctuary")
    assert dialog.private() and dialog.editor.toPlainText() == "source: a council aide"

    dialog.editor.setPlainText("the aide, on background")
    dialog.private_box.setChecked(False)
    dialog.colour.setCurrentIndex(dialog.colour.findData("blue"))
    assert dialog.changes() == {"note": "the aide, on background", "private": False, "colour": "blue"}
    gone = []
    dialog.destroyed.connect(lambda: gone.append(True))
    dialog.accept()
    qtbot.waitUntil(lambda: gone == [True])  # deleted after use, not kept for the window's lifetime
    qtbot.waitUntil(lambda: "the aide, on background" in panel.model.item(0).text())
    (annotation,) = imported.annotations(doc_id)
    assert (annotation.note, annotation.private, annotation.colour) == ("the aide, on background", False, "blue")
    assert annotation.revision == 2 and annotation.tags == ["quote", "raids"] and annotation.stance == "sanctuary"


def test_a_new_note_gets_colour_tags_jurisdiction_and_stance_from_the_dialog(qtbot, make_window, imported):
    window = make_window(imported)
    viewer = _open(qtbot, window)
    panel = viewer.annotations_panel
    _select(viewer.text_view, "the chief said")
    window.note_action.trigger()
    dialog = window.findChild(NoteDialog)
    dialog.editor.setPlainText("on video")
    dialog.colour.setCurrentIndex(dialog.colour.findData("green"))
    dialog.tags.setText("Quote, follow-up")
    dialog.jurisdiction.setText("Omaha, NE")
    dialog.stance.setCurrentIndex(dialog.stance.findData("immigration-enforcement/sanctuary"))
    dialog.accept()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    (made,) = imported.annotations(viewer.doc.id)
    assert (made.note, made.colour, made.tags) == ("on video", "green", ["follow-up", "quote"])
    assert imported.gazetteer.get(made.jurisdiction).display == "Omaha, NE" and made.stance == "sanctuary"


def _has_the_lock(icon: QIcon) -> bool:
    """Whether the padlock's dark body is drawn in the icon (on a light highlight colour)."""
    image = icon.pixmap(16, 16).toImage()
    return any(image.pixelColor(x, y).lightness() < 80 for x in range(image.width()) for y in range(image.height()))


def test_private_annotations_show_a_lock_and_the_word(qtbot, make_window, imported, qtmodeltester):
    doc_id = imported.search_ids("omaha").ids[0]
    imported.annotate(doc_id, quote="any raids", note="source: a council aide", private=True)
    imported.annotate(doc_id, quote="the chief said", note="on the record")
    window = make_window(imported)
    panel = _open(qtbot, window).annotations_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    marks = {}
    for row in range(panel.model.rowCount()):
        item = panel.model.item(row)
        marks[item.data(AnnotationRole).note] = (item.data(Qt.ItemDataRole.DecorationRole), item.text())
    lock, text = marks["source: a council aide"]
    assert isinstance(lock, QIcon) and _has_the_lock(lock) and "[private]" in text
    swatch, text = marks["on the record"]
    assert isinstance(swatch, QColor) and "private" not in text

    window.show_annotations()
    dialog = window.findChild(AnnotationsDialog)
    qtmodeltester.check(dialog.model)
    notes = {dialog.model.item(row, 1).text(): dialog.model.item(row, 2) for row in range(dialog.model.rowCount())}
    private, public = notes["any raids"], notes["the chief said"]
    assert private.text() == "private · source: a council aide"
    assert _has_the_lock(private.data(Qt.ItemDataRole.DecorationRole))
    assert public.text() == "on the record" and public.data(Qt.ItemDataRole.DecorationRole) is None


def test_stances_of_two_vocabularies_with_the_same_id_stay_apart(qtbot, make_window, imported, qtmodeltester):
    imported.add_stance_set("budget", "Police budget")
    imported.save_stance("budget", "opposes", "Opposes enforcement")
    omaha, denver = imported.search_ids("omaha").ids[0], imported.search_ids("calamity").ids[0]
    imported.annotate(omaha, quote="any raids", jurisdiction="Omaha, NE", stance="immigration-enforcement/opposes")
    imported.annotate(denver, quote="calamity", jurisdiction="Denver, CO", stance="budget/opposes", note="cuts")
    window = make_window(imported)
    window.show_annotations()
    dialog = window.findChild(AnnotationsDialog)
    qtmodeltester.check(dialog.model)
    choices = {dialog.stance.itemText(i): dialog.stance.itemData(i) for i in range(dialog.stance.count())}
    assert choices == {
        "any stance": None,
        "Opposes enforcement (Cooperation with federal immigration enforcement)": "immigration-enforcement/opposes",
        "Opposes enforcement (Police budget)": "budget/opposes",
    }
    dialog.stance.setCurrentIndex(dialog.stance.findData("budget/opposes"))
    assert dialog.model.rowCount() == 1 and dialog.model.item(0, 1).text() == "calamity"
    assert dialog.model.item(0, 5).text() == "Opposes enforcement (Police budget)"

    panel = _open(qtbot, window, "calamity").annotations_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert "[Opposes enforcement (Police budget)]" in panel.model.item(0).text()


def test_a_stance_without_a_jurisdiction_is_refused_in_plain_words(qtbot, make_window, imported):
    omaha = imported.search_ids("omaha").ids[0]
    made = imported.annotate(omaha, quote="the chief said")
    window = make_window(imported)
    viewer = _open(qtbot, window)
    with qtbot.waitSignal(viewer.annotation_editor.failed):
        viewer.annotation_editor.edit(made, stance="sanctuary")
    message = "A stance is always about a jurisdiction: choose the jurisdiction too."
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == message)
