"""The window shows what changed, whoever changed it: its own annotation ops, or a CLI command beside it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO
from tests.ui.helpers import type_query


def _cli(folder, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "--archive", str(folder), *argv],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_note_added_in_the_window_brings_its_document_into_the_results(qtbot, make_window, imported):
    window = make_window(imported)
    type_query(qtbot, window, "schmaderer")
    assert window.results_model.rowCount() == 0
    doc_id = imported.search_ids("omaha police department").ids[0]
    window.open_document(doc_id)
    window.viewer.annotation_editor.create(doc_id, 0, 5, note="Chief Schmaderer")
    qtbot.waitUntil(lambda: window.results_model.rowCount() == 1, timeout=10_000)
    assert window.results_model.index(0, 0).data() == "Omaha police will not join raids"


def test_writes_of_a_cli_command_beside_the_window_show_without_a_restart(qtbot, make_window, imported):
    window = make_window(imported)
    doc_id = imported.search_ids("omaha police department").ids[0]
    type_query(qtbot, window, "schmaderer")
    window.open_document(doc_id)  # not in these results (opened from a link): the reader keeps it
    assert window.viewer.tag_panel.tag_model.rowCount() == 0

    tagged = _cli(imported.folder, "tag", str(doc_id), "--jurisdiction", "Omaha, NE", "--stance", "sanctuary")
    assert tagged.returncode == 0, tagged.stderr
    noted = _cli(imported.folder, "annotate", str(doc_id), "--quote", "Omaha police", "--note", "Chief Schmaderer")
    assert noted.returncode == 0, noted.stderr

    qtbot.waitUntil(lambda: window.results_model.rowCount() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.viewer.tag_panel.tag_model.rowCount() == 1, timeout=10_000)
    assert "Omaha, NE" in window.viewer.tag_panel.tag_model.item(0).text()


def _tag_facet(window) -> dict[str, str]:
    from ui.facets import FacetRole

    model = window.facets.facet_model
    for row in range(model.rowCount()):
        if model.item(row).data(FacetRole) == "tag":
            parent = model.item(row)
            return {parent.child(i).data(FacetRole)[1]: parent.child(i).text() for i in range(parent.rowCount())}
    return {}


def test_an_annotation_added_edited_deleted_and_restored_updates_results_and_facets(qtbot, make_window, imported):
    from ui.annotations_dialog import AnnotationsDialog

    window = make_window(imported)
    type_query(qtbot, window, "note:schmaderer")
    assert window.results_model.rowCount() == 0 and _tag_facet(window) == {}
    doc_id = imported.search_ids("omaha police department").ids[0]
    window.open_document(doc_id)
    editor = window.viewer.annotation_editor

    def shown(rows: int, tags: dict) -> None:
        qtbot.waitUntil(lambda: window.results_model.rowCount() == rows and _tag_facet(window) == tags)

    editor.create(doc_id, 0, 5, note="Chief Schmaderer", tags=["chief"])  # added
    shown(1, {"chief": "chief  (1)"})
    (annotation,) = imported.annotations(doc_id)
    editor.edit(annotation, note="the chief")  # edited
    shown(0, {})
    window.undo_action.trigger()  # edited back
    shown(1, {"chief": "chief  (1)"})
    editor.delete(imported.annotation(annotation.uuid))  # deleted
    shown(0, {})
    window.show_annotations()
    dialog = window.findChild(AnnotationsDialog)
    dialog.view_box.setCurrentIndex(dialog.view_box.findData("trash"))
    dialog.table.selectRow(0)
    dialog.restore_button.click()  # restored
    shown(1, {"chief": "chief  (1)"})


def test_all_annotations_shows_what_is_annotated_beside_it(qtbot, make_window, imported):
    from ui.annotations_dialog import AnnotationsDialog

    window = make_window(imported)
    window.show_annotations()
    dialog = window.findChild(AnnotationsDialog)
    assert dialog.model.rowCount() == 0
    noted = _cli(imported.folder, "annotate", str(imported.search_ids("omaha").ids[0]), "--quote", "any raids")
    assert noted.returncode == 0, noted.stderr
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert dialog.model.item(0, 1).text() == "any raids"


def test_a_change_the_index_has_not_caught_up_with_shows_once_it_has(qtbot, make_window, imported, monkeypatch):
    """A change is in the log from its commit, a moment before the writer has indexed it; here another process
    holds the index, so the note stays queued until the archive indexes what waits."""
    import indexer.search_index
    from app.archive import Archive

    window = make_window(imported)
    type_query(qtbot, window, "note:schmaderer")
    doc_id = imported.search_ids("omaha police department").ids[0]
    monkeypatch.setattr(indexer.search_index, "WRITE_LOCK_TIMEOUT_S", 0.2)
    with Archive.open(imported.folder) as other, other.index._writing() as holding:
        imported.annotate(doc_id, quote="Omaha police", note="Chief Schmaderer")
        assert imported.waiting_for_index([doc_id]) == {doc_id}
        qtbot.waitUntil(lambda: window.watcher._held > 0)  # asked, and waiting for the index
        holding.cancel()
    imported.index_pending(lambda *_: None, lambda: False)
    qtbot.waitUntil(lambda: window.results_model.rowCount() == 1, timeout=10_000)
