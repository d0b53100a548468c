"""File > Export bundle and File > Import bundle from the window."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.archive import Archive
from tests.ui.helpers import settle, type_query
from ui.bundle_dialogs import ExportDialog


def test_export_the_results_then_import_them_into_another_archive(qtbot, make_window, imported, tmp_path, monkeypatch):
    omaha = imported.search_ids("omaha").ids[0]
    imported.annotate(omaha, quote="does not intend to participate", note="key quote")
    window = make_window(imported)
    type_query(qtbot, window, "omaha OR calamity")
    out = tmp_path / "two.zip"
    monkeypatch.setattr(ExportDialog, "exec", lambda dialog: ExportDialog.DialogCode.Accepted)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    window.export_action.trigger()
    qtbot.waitUntil(lambda: "Exported 2 documents and 1 annotations" in window.statusBar().currentMessage())
    assert out.exists()

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    with Archive.open(tmp_path / "other") as other:
        receiver = make_window(other)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(out), ""))
        receiver.import_bundle_action.trigger()
        qtbot.waitUntil(lambda: len(shown) == 1)
        assert shown[0].startswith("Documents: 2 added, 0 already in the archive.")
        settle(qtbot, receiver)
        type_query(qtbot, receiver, "note:key")
        assert receiver.results_model.rowCount() == 1
        receiver.shutdown()


def test_a_damaged_bundle_is_refused_with_a_message(qtbot, make_window, imported, tmp_path, monkeypatch):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"this is not a zip file")
    window = make_window(imported)
    errors = []
    monkeypatch.setattr(window, "_error", lambda title, text: errors.append((title, text)))
    window.import_bundle(str(bad))
    qtbot.waitUntil(lambda: bool(errors))
    assert errors[0][0] == "The bundle was not imported" and errors[0][1]
    assert imported.stats()["documents"] == 3
