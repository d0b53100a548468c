"""File > Export bundle and File > Import bundle from the window."""

from __future__ import annotations

import zipfile

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app import keyring
from app import settings as user_settings
from app.archive import Archive
from app.bundles.export import export_bundle
from app.bundles.merge import open_bundle
from tests.app.bundle_fixtures import flip_a_byte
from tests.ui.helpers import settle, type_query
from ui import bundle_actions
from ui.bundle_dialogs import ExportDialog, SignatureDialog
from ui.bundle_import_dialog import ImportBundleDialog


def test_export_the_results_then_import_them_into_another_archive(qtbot, make_window, imported, tmp_path, monkeypatch):
    omaha = imported.search_ids("omaha").ids[0]
    imported.annotate(omaha, quote="does not intend to participate", note="key quote")
    window = make_window(imported)
    type_query(qtbot, window, "omaha OR calamity")
    out = tmp_path / "two.zip"
    user_settings.set_sign_as("")
    monkeypatch.setattr(ExportDialog, "exec", lambda dialog: ExportDialog.DialogCode.Accepted)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    window.export_action.trigger()
    qtbot.waitUntil(lambda: "Exported 2 documents and 1 annotation to" in window.statusBar().currentMessage())
    assert out.exists()

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    with Archive.open(tmp_path / "other") as other:
        receiver = make_window(other)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(out), ""))
        monkeypatch.setattr(ImportBundleDialog, "exec", lambda dialog: ImportBundleDialog.DialogCode.Accepted)
        receiver.import_bundle_action.trigger()
        qtbot.waitUntil(lambda: len(shown) == 1)
        assert shown[0].startswith("Unsigned.\n\nDocuments: 2 added, 0 already in the archive.")
        settle(qtbot, receiver)
        type_query(qtbot, receiver, "note:key")
        assert receiver.results_model.rowCount() == 1
        receiver.shutdown()


def test_a_damaged_bundle_is_refused_with_a_message(qtbot, make_window, imported, tmp_path, monkeypatch):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"this is not a zip file")
    window = make_window(imported)
    boxes = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: boxes.append(box) or QMessageBox.StandardButton.Ok)
    window.import_bundle(str(bad))
    qtbot.waitUntil(lambda: bool(boxes))
    assert boxes[0].windowTitle() == "The bundle was not imported" and "not a readable zip" in boxes[0].text()
    assert imported.stats()["documents"] == 3


def _accept_export(monkeypatch, out, seen=None):
    """The export dialog accepted as it opens (recorded in ``seen``) and the file dialog answering ``out``."""

    def accept(dialog):
        if seen is not None:
            seen.append(dialog)
        return ExportDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportDialog, "exec", accept)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))


def test_private_notes_stay_out_unless_ticked_and_the_dialog_counts_them(qtbot, make_window, imported, tmp_path,
                                                                          monkeypatch):  # fmt: skip
    user_settings.set_sign_as("")
    omaha = imported.search_ids("omaha").ids[0]
    imported.annotate(omaha, quote="does not intend to participate", note="my source is the chief", private=True)
    imported.annotate(omaha, quote="the chief said", note="shared note")
    window = make_window(imported)
    type_query(qtbot, window, "omaha")
    out = tmp_path / "omaha.zip"
    seen = []

    def accept(dialog):  # what the dialog says once it has counted, before the user saves
        qtbot.waitUntil(lambda: dialog.private_counts is not None)
        seen.append((dialog.private.isChecked(), dialog.private.text(), dialog.private_count.text()))
        return ExportDialog.DialogCode.Accepted

    _accept_export(monkeypatch, out)
    monkeypatch.setattr(ExportDialog, "exec", accept)
    window.export_action.trigger()
    qtbot.waitUntil(lambda: "1 private note left out" in window.statusBar().currentMessage())
    checked, label, count = seen[0]
    assert not checked and label == "Include private notes"
    assert "hold 1 private note" in count
    with zipfile.ZipFile(out) as zf:
        everything = b"".join(zf.read(name) for name in zf.namelist())
    assert b"my source is the chief" not in everything and b"shared note" in everything


def test_the_first_export_asks_whom_to_sign_as_then_remembers(qtbot, make_window, imported, tmp_path, monkeypatch):
    asked = []

    def answer(dialog):
        asked.append(dialog)
        dialog.field.setText("  Jane Doe ")
        return SignatureDialog.DialogCode.Accepted

    monkeypatch.setattr(SignatureDialog, "exec", answer)
    window = make_window(imported)
    for name in ("one.zip", "two.zip"):
        _accept_export(monkeypatch, tmp_path / name)
        window.export_action.trigger()
        qtbot.waitUntil(lambda name=name: name in window.statusBar().currentMessage())
    assert len(asked) == 1 and user_settings.sign_as() == "Jane Doe"
    with zipfile.ZipFile(tmp_path / "two.zip") as zf:
        assert "Contact-Name: Jane Doe" in zf.read("dossier-bundle/bag-info.txt").decode()


def _tampered_seed_bundle(corpus, tmp_path):
    """A real bundle of the seed article with one byte of its original changed inside the zip; its title."""
    with Archive.open(tmp_path / "sender") as sender:
        sender.import_paths([corpus / "seed"])
        doc = sender.document(sender.search_ids("").ids[0])
        good = export_bundle(sender, [doc.id], tmp_path / "good.zip").path
    return flip_a_byte(good, tmp_path / "bad.zip", "data/documents/"), doc


def test_a_tampered_bundle_names_the_changed_file_in_words_and_leaves_no_status(
    qtbot, make_window, imported, corpus, tmp_path, monkeypatch
):
    bad, doc = _tampered_seed_bundle(corpus, tmp_path)
    boxes = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: boxes.append(box) or QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: boxes.append(text))
    window = make_window(imported)
    window.import_bundle(str(bad))
    qtbot.waitUntil(lambda: bool(boxes))
    (box,) = boxes
    assert box.windowTitle() == "The bundle was not imported"
    assert box.text() == (
        f"This bundle was damaged or changed after export: the original of “{doc.title}” "
        f"(data/documents/{doc.sha256[:8]}….md) was changed. Ask the sender to export it again."
    )
    assert box.textFormat() == Qt.TextFormat.PlainText  # a title the bundle chose is never rich text
    assert f'expected="{doc.sha256}"' in box.detailedText()  # the checksums, under Details only
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "")  # not "Verifying and merging…"
    assert imported.stats()["documents"] == 3


def test_a_failed_export_leaves_no_status_message(qtbot, make_window, imported, tmp_path, monkeypatch):
    user_settings.set_sign_as("")
    window = make_window(imported)
    errors = []
    monkeypatch.setattr(window, "_error", lambda title, text: errors.append((title, text)))
    _accept_export(monkeypatch, tmp_path / "no such folder" / "b.zip")
    window.export_action.trigger()
    qtbot.waitUntil(lambda: bool(errors))
    assert errors[0][0] == "Export failed" and "does not exist" in errors[0][1]
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "")  # not "Exporting bundle…"


def test_importing_into_a_read_only_archive_says_why_it_is_read_only(qtbot, make_window, imported, tmp_path,
                                                                     monkeypatch):  # fmt: skip
    with imported.writing("merging a bundle"), Archive.open(imported.folder, shared=True) as read_only:
        assert not read_only.writable
        window = make_window(read_only)
        errors = []
        monkeypatch.setattr(window, "_error", lambda title, text: errors.append((title, text)))
        window.import_bundle(str(tmp_path / "any.zip"))
        window.shutdown()
    assert errors == [("Cannot import", "This archive opened read-only (another Dossier was writing when this one "
                       "opened), so no bundle can be merged into it. Close Dossier and open the archive again; if its "
                       "folder cannot be written, copy the archive to a writable place first.")]  # fmt: skip


def _signed_by_someone_else(imported, tmp_path, monkeypatch):
    """A bundle of ``imported`` exported by "Ana Ruiz" with her own key; then the test goes on as someone else."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "ana"))
    out = tmp_path / "ana.zip"
    export_bundle(imported, imported.search_ids("").ids, out, signed_as="Ana Ruiz")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "ben"))
    return out


def test_the_window_shows_who_signed_a_bundle_and_can_trust_the_key(qtbot, make_window, imported, tmp_path,
                                                                     monkeypatch):  # fmt: skip
    bundle = _signed_by_someone_else(imported, tmp_path, monkeypatch)
    asked, shown = [], []

    def answer(dialog):
        asked.append(dialog.sender.text())
        dialog.trust.setChecked(True)
        dialog.trust_name.setText("Ana at the Herald")
        return ImportBundleDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportBundleDialog, "exec", answer)
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    with Archive.open(tmp_path / "ben-archive") as other:
        window = make_window(other)
        window.import_bundle(str(bundle))
        qtbot.waitUntil(lambda: len(shown) == 1)
        key = keyring.trusted()
        (kid,) = key
        assert "a key you do not know yet, which calls itself “Ana Ruiz”" in asked[0]
        assert "Key ID: " + "\u00a0".join(kid[i : i + 4] for i in range(0, 16, 4)) in asked[0]
        assert key[kid].name == "Ana at the Herald"
        assert shown[0].startswith("Signed by an unknown key")
        assert other.stats()["documents"] == 3
        window.shutdown()


def test_a_bundle_not_confirmed_writes_nothing_and_leaves_no_folder(qtbot, make_window, imported, tmp_path,
                                                                    monkeypatch):  # fmt: skip
    bundle = _signed_by_someone_else(imported, tmp_path, monkeypatch)
    verified = []

    def spy(archive, path):
        verified.append(open_bundle(archive, path))
        return verified[-1]

    monkeypatch.setattr(bundle_actions, "open_bundle", spy)
    monkeypatch.setattr(ImportBundleDialog, "exec", lambda dialog: ImportBundleDialog.DialogCode.Rejected)
    with Archive.open(tmp_path / "ben-archive") as other:
        window = make_window(other)
        window.import_bundle(str(bundle))
        qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "The bundle was not imported")
        assert other.stats()["documents"] == 0
        assert not verified[0].folder.exists()
        assert keyring.trusted() == {}
        window.shutdown()


def test_the_export_and_signature_dialogs_are_deleted_after_use(qtbot, make_window, imported, tmp_path, monkeypatch):
    window = make_window(imported)
    seen = []
    _accept_export(monkeypatch, tmp_path / "b.zip", seen)
    monkeypatch.setattr(
        SignatureDialog, "exec", lambda dialog: seen.append(dialog) or SignatureDialog.DialogCode.Accepted
    )
    window.export_action.trigger()
    qtbot.waitUntil(lambda: (tmp_path / "b.zip").exists())
    qtbot.waitUntil(lambda: not any(shiboken6.isValid(dialog) for dialog in seen))
    assert len(seen) == 2
