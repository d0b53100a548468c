"""Tag > Tag all results: a preview to uncheck documents in, a background apply with progress, one undo step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.helpers import settle, type_query
from ui.batch_tag_dialog import BatchTagDialog
from ui.tag_preview_dialog import DocIdRole, TagPreviewDialog

ANTI = "immigration-enforcement/anti-sanctuary"


@pytest.fixture
def preview(qtbot, make_window, imported, monkeypatch):
    """The window with Tag all results chosen (United States, anti-sanctuary, or another choice of the dialog)
    and its preview open."""

    def open_preview(choice=("tag", "United States", ANTI)):
        def pick(dialog):
            dialog.choice = choice
            return BatchTagDialog.DialogCode.Accepted

        monkeypatch.setattr(BatchTagDialog, "exec", pick)
        window = make_window(imported)
        settle(qtbot, window)
        window.batch_tag_action.trigger()
        qtbot.waitUntil(lambda: (d := window.findChild(TagPreviewDialog)) is not None and d.isVisible())
        return window, window.findChild(TagPreviewDialog)

    return open_preview


def _row_of(model, doc_id: int) -> int:
    return next(r for r in range(model.rowCount()) if model.index(r, 0).data(DocIdRole) == doc_id)


def test_the_preview_unchecking_the_progress_and_one_undo_step(qtbot, qtmodeltester, preview, imported):
    ids = imported.search_ids("").ids
    window, dialog = preview()
    model = dialog.model
    qtmodeltester.check(model)
    titles = imported.documents_by_id(ids)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [titles[i].title for i in ids]
    assert {model.index(r, 1).data() for r in range(3)} == {"United States (federal) · Anti-sanctuary"}
    assert dialog.ok_button.text() == "&Tag 3 documents"

    left_out = ids[1]  # unchecked with the keyboard, as a person would
    dialog.table.setCurrentIndex(model.index(_row_of(model, left_out), 0))
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert model.index(_row_of(model, left_out), 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert model.index(_row_of(model, left_out), 1).data() == "left out"
    assert dialog.ok_button.text() == "&Tag 2 documents"
    qtmodeltester.check(model)

    seen = []
    window.bulk_tagger.progressed.connect(seen.append)
    shown = []
    window.bulk_tagger.started.connect(lambda _count: shown.append(window.bulk_progress.isVisible()))
    with qtbot.waitSignal(window.bulk_tagger.finished) as applied:
        dialog.ok_button.click()
    assert applied.args[0].tagged == [i for i in ids if i != left_out]
    assert [(p.done, p.total) for p in seen] == [(1, 2), (2, 2)]
    assert window.statusBar().currentMessage() == "Tagged 2 documents with United States (federal) · Anti-sanctuary"
    assert [bool(imported.tags(i)) for i in ids] == [i != left_out for i in ids]
    assert shown == [True] and not window.bulk_progress.isVisible()
    assert (window.bulk_progress.bar.value(), window.bulk_progress.bar.format()) == (2, "2 / 2")
    type_query(qtbot, window, "stance:anti-sanctuary")
    assert window.results_model.rowCount() == 2

    assert window.undo_action.text().replace("&", "") == "Undo Tag 2 documents"
    with qtbot.waitSignal(window.bulk_tagger.undone):
        window.undo_action.trigger()
    assert all(imported.tags(i) == [] for i in ids)
    assert window.statusBar().currentMessage() == (
        "Undone: Removed United States (federal) · Anti-sanctuary from 2 documents"
    )
    qtbot.waitUntil(lambda: window.results_model.rowCount() == 0)

    assert window.redo_action.text().replace("&", "") == "Redo Tag 2 documents"
    with qtbot.waitSignal(window.bulk_tagger.finished):
        window.redo_action.trigger()
    assert [bool(imported.tags(i)) for i in ids] == [i != left_out for i in ids]


def test_documents_tagged_that_way_already_are_shown_greyed_with_the_reason(qtbot, qtmodeltester, preview, imported):
    ids = imported.search_ids("").ids
    imported.tag(ids[0], "United States", ANTI)
    _window, dialog = preview()
    model = dialog.model
    qtmodeltester.check(model)
    row = _row_of(model, ids[0])
    assert model.index(row, 1).data() == "already tagged United States (federal) · Anti-sanctuary"
    assert not model.flags(model.index(row, 0)) & Qt.ItemFlag.ItemIsEnabled
    assert model.index(row, 0).data(Qt.ItemDataRole.CheckStateRole) is None
    assert dialog.ok_button.text() == "&Tag 2 documents"
    for other in ids[1:]:
        model.setData(model.index(_row_of(model, other), 0), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert dialog.ok_button.text() == "&Tag 0 documents" and not dialog.ok_button.isEnabled()


def test_cancel_stops_the_tagging_and_says_so(qtbot, preview, imported):
    window, dialog = preview()
    # the apply waits for its turn until Cancel is pressed; the signal is awaited once the archive is let go
    with qtbot.waitSignal(window.bulk_tagger.finished) as applied, imported.writing("a test holding the archive"):
        dialog.ok_button.click()
        assert window.bulk_progress.isVisible() and window.bulk_progress.label.text() == "Tagging…"
        window.bulk_progress.cancel_button.click()
        assert not window.bulk_progress.cancel_button.isEnabled()
    assert applied.args[0].cancelled
    assert window.statusBar().currentMessage() == (
        "Cancelled: tagged 0 of 3 documents with United States (federal) · Anti-sanctuary"
    )
    assert not window.bulk_progress.isVisible()
    assert all(imported.tags(i) == [] for i in imported.search_ids("").ids)
    with qtbot.waitSignal(window.bulk_tagger.undone):
        window.undo_action.trigger()
    assert window.statusBar().currentMessage() == (
        "Nothing to undo: that tagging has no tags left (cancelled before any, or removed since)"
    )


def test_accepting_suggestions_is_previewed_with_each_documents_tags_and_one_undo_step(
    qtbot, qtmodeltester, preview, imported
):
    ids = imported.search_ids("").ids
    omaha = imported.search_ids("omaha").ids[0]
    prairie = imported.search_ids("prairie").ids[0]
    imported.tag(prairie, "Grand Prairie, TX")
    window, dialog = preview(("suggestions", 0.8))
    model = dialog.model
    qtmodeltester.check(model)
    assert dialog.windowTitle() == "Accept suggestions"
    assert model.index(_row_of(model, omaha), 1).data() == (
        "Omaha, NE; Omaha Police Department, NE; Omaha Police Department, NE · Refuses to join raids"
    )
    assert model.index(_row_of(model, prairie), 1).data() == "its suggestions are tagged or rejected already"
    assert dialog.ok_button.text() == "&Accept suggestions on 2 documents"

    model.setData(model.index(_row_of(model, omaha), 0), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert dialog.ok_button.text() == "&Accept suggestions on 1 document"
    seen = []
    window.bulk_tagger.progressed.connect(seen.append)
    with qtbot.waitSignal(window.bulk_tagger.finished) as applied:
        dialog.ok_button.click()
    (denver,) = set(ids) - {omaha, prairie}
    assert applied.args[0].tagged == [denver] and [(p.done, p.total) for p in seen] == [(1, 1)]
    assert window.statusBar().currentMessage() == (
        "Tagged 1 document with the suggestions scoring 80% or more (2 tags, 1 unchanged)"
    )
    assert {(t.stance, t.from_suggestion) for t in imported.tags(denver)} == {(None, True), ("opposes", True)}
    assert imported.tags(omaha) == []

    assert window.undo_action.text().replace("&", "") == "Undo Accept suggestions on 1 document"
    with qtbot.waitSignal(window.bulk_tagger.undone):
        window.undo_action.trigger()
    assert imported.tags(denver) == [] and len(imported.tags(prairie)) == 1
    assert window.statusBar().currentMessage() == "Undone: Removed 2 accepted suggestions from 1 document"


def test_after_a_cancel_the_undo_step_says_and_redoes_what_was_done(qtbot, preview, imported):
    ids = imported.search_ids("").ids
    window, dialog = preview()
    # the apply waits for its turn until the archive is let go, and is cancelled on the worker thread once the
    # first document is tagged
    with qtbot.waitSignal(window.bulk_tagger.finished) as applied, imported.writing("a test holding the archive"):
        dialog.ok_button.click()
        op = window.bulk_tagger.op
        op.progressed.connect(lambda _progress: op.cancel(), Qt.ConnectionType.DirectConnection)
        assert window.undo_action.text().replace("&", "") == "Undo Tag 3 documents"
    (done,) = applied.args[0].tagged
    assert applied.args[0].cancelled
    assert window.undo_action.text().replace("&", "") == "Undo Tag 1 document"
    with qtbot.waitSignal(window.bulk_tagger.undone):
        window.undo_action.trigger()
    assert all(imported.tags(i) == [] for i in ids)
    assert window.redo_action.text().replace("&", "") == "Redo Tag 1 document"
    with qtbot.waitSignal(window.bulk_tagger.finished) as again:
        window.redo_action.trigger()
    assert again.args[0].tagged == [done] and not again.args[0].cancelled
    assert [bool(imported.tags(i)) for i in ids] == [i == done for i in ids]
