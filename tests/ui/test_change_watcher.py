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
    window.open_document(doc_id)
    type_query(qtbot, window, "schmaderer")
    assert window.viewer.tag_panel.tag_model.rowCount() == 0

    tagged = _cli(imported.folder, "tag", str(doc_id), "--jurisdiction", "Omaha, NE", "--stance", "sanctuary")
    assert tagged.returncode == 0, tagged.stderr
    noted = _cli(imported.folder, "annotate", str(doc_id), "--quote", "Omaha police", "--note", "Chief Schmaderer")
    assert noted.returncode == 0, noted.stderr

    qtbot.waitUntil(lambda: window.results_model.rowCount() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.viewer.tag_panel.tag_model.rowCount() == 1, timeout=10_000)
    assert "Omaha, NE" in window.viewer.tag_panel.tag_model.item(0).text()
