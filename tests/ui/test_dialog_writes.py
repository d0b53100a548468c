"""No core write on the GUI thread: the dialogs' writes are ops, so the window answers while another
Dossier (a CLI command) holds the archive's writer lock, and closing the window waits for them."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from tests.ui.helpers import settle, writer_lock_held_elsewhere
from ui.annotations_dialog import AnnotationsDialog
from ui.jurisdiction_dialog import JurisdictionDialog
from ui.ops import OpRunner
from ui.stance_dialog import StanceDialog, StanceRole


@pytest.fixture
def runner():
    pool = OpRunner()
    yield pool
    pool.close()


def test_all_annotations_restores_and_empties_the_trash_while_another_dossier_writes(qtbot, make_window, imported):
    doc_id = imported.search_ids("omaha").ids[0]
    kept = imported.delete_annotation(imported.annotate(doc_id, quote="any raids", note="raid policy").uuid)
    imported.delete_annotation(imported.annotate(doc_id, quote="the chief said").uuid)
    window = make_window(imported)
    window.show_annotations()
    dialog = window.findChild(AnnotationsDialog)
    dialog.view_box.setCurrentIndex(dialog.view_box.findData("trash"))
    row = next(r for r in range(dialog.model.rowCount()) if dialog.model.item(r, 2).text() == "raid policy")
    dialog.table.selectRow(row)

    with writer_lock_held_elsewhere(imported):
        dialog.restore_button.click()  # returns at once; on the GUI thread it would wait for the lock
        assert dialog.busy() and not dialog.restore_button.isEnabled()
        assert imported.annotation(kept.uuid).deleted is not None
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.model.rowCount() == 1)
    assert imported.annotation(kept.uuid).deleted is None

    with writer_lock_held_elsewhere(imported):
        dialog.empty_button.click()
        assert dialog.busy() and len(imported.annotations(trash=True)) == 1
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.model.rowCount() == 0)
    assert imported.annotations(trash=True) == []


def test_a_write_that_finds_the_archive_busy_says_so_in_the_dialog(qtbot, make_window, imported):
    doc_id = imported.search_ids("omaha").ids[0]
    imported.delete_annotation(imported.annotate(doc_id, quote="any raids").uuid)
    window = make_window(imported)
    window.show_annotations()
    dialog = window.findChild(AnnotationsDialog)
    dialog.view_box.setCurrentIndex(dialog.view_box.findData("trash"))
    dialog.table.selectRow(0)
    with writer_lock_held_elsewhere(imported, wait=0.0):
        dialog.restore_button.click()
        qtbot.waitUntil(lambda: not dialog.busy())
    assert "busy with a test holding the archive in another Dossier" in dialog.error.text()
    assert dialog.restore_button.isEnabled() and len(imported.annotations(trash=True)) == 1


def test_stances_are_saved_and_added_while_another_dossier_writes(qtbot, imported, runner, monkeypatch):
    dialog = StanceDialog(imported, runner)
    qtbot.addWidget(dialog)
    dialog.tree.setCurrentIndex(dialog.model.item(0).child(0).index())
    dialog.label.setText("Sanctuary city")
    with writer_lock_held_elsewhere(imported):
        assert dialog.save()
        assert dialog.busy() and not dialog.save_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.error.text() == "Saved.")
    assert dialog.tree.currentIndex().data(StanceRole).label == "Sanctuary city"

    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Police budget", True))
    with writer_lock_held_elsewhere(imported):
        dialog.new_set_button.click()
        assert dialog.busy()
    qtbot.waitUntil(lambda: not dialog.busy())
    assert dialog.error.text() == "Added the vocabulary Police budget."
    assert [s.topic for s in imported.stance_sets()][-1] == "Police budget"
    budget = dialog.model.item(dialog.model.rowCount() - 1)
    dialog.tree.setCurrentIndex(budget.index())
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Cuts", True))
    with writer_lock_held_elsewhere(imported):
        dialog.new_stance_button.click()
        assert dialog.busy()
    qtbot.waitUntil(lambda: not dialog.busy())
    assert dialog.tree.currentIndex().data(StanceRole).label == "Cuts"


def test_a_custom_jurisdiction_is_added_while_another_dossier_writes(qtbot, imported, runner):
    dialog = JurisdictionDialog(imported, runner)
    qtbot.addWidget(dialog)
    dialog.name.setText("Omaha Public Schools")
    dialog.parent_field.setText("Omaha, NE")
    with writer_lock_held_elsewhere(imported):
        dialog.save()
        assert dialog.added is None and not dialog.save_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.added is not None)
    assert dialog.result() == JurisdictionDialog.DialogCode.Accepted
    assert imported.resolve_jurisdiction("Omaha Public Schools").display == dialog.added.display


def test_closing_the_window_waits_for_an_annotation_write(qtbot, make_window, imported):
    window = make_window(imported)
    doc_id = imported.search_ids("omaha").ids[0]
    window.open_document(doc_id)
    settle(qtbot, window)
    editor = window.viewer.annotation_editor
    assert editor.runner in window.runners()
    with writer_lock_held_elsewhere(imported):
        editor.create(doc_id, 0, 5, note="written before the window closes")
        assert any(runner.busy() for runner in window.runners())
    window.shutdown()
    assert [a.note for a in imported.annotations(doc_id)] == ["written before the window closes"]
