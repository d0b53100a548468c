"""Importing from the window: the menu action, progress, the report, cancel."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from tests.ui.helpers import settle
from ui.import_report import ImportReportDialog


def test_import_folder_from_the_menu_shows_progress_then_the_report(
    qtbot, make_window, archive, sample_files, monkeypatch
):
    window = make_window(archive)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: str(sample_files))
    seen = []
    window.imports.progressed.connect(lambda p: seen.append((p.done, p.total, window.progress.isVisible())))
    with qtbot.waitSignal(window.imports.finished, timeout=60000) as finished:
        window.import_folder_action.trigger()
        assert window.progress.isVisible() and window.progress.cancel_button.isEnabled()
    report = finished.args[0]
    assert [len(report.imported), len(report.duplicates), len(report.skipped), len(report.failed)] == [3, 1, 1, 1]
    assert seen and seen[-1][:2] == (6, 6) and all(visible for *_, visible in seen)
    assert not window.progress.isVisible()

    dialog = window.findChild(ImportReportDialog)
    assert dialog is not None and dialog.isVisible() and not dialog.password_button.isVisible()
    model = dialog.model
    assert model.index(0, 0).data() == "Imported (3)"
    assert "empty.txt" in dialog.text and "notes.xyz" in dialog.text
    duplicate = model.index(0, 0, model.group_index("duplicates"))
    assert duplicate.data() == "copy-of-omaha.txt"
    assert "Omaha police will not join raids" in duplicate.siblingAtColumn(1).data()
    with qtbot.waitSignal(dialog.open_document) as opened:
        dialog.tree.activated.emit(duplicate)
    assert opened.args[0] == report.duplicates[0]["id"]

    settle(qtbot, window)
    assert window.results_model.rowCount() == 3 and "3 documents" in window.status_label.text()


def test_the_report_can_be_copied(qtbot, make_window, archive, sample_files):
    window = make_window(archive)
    with qtbot.waitSignal(window.imports.finished, timeout=60000):
        window.import_paths([str(sample_files)])
    dialog = window.findChild(ImportReportDialog)
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("3 imported, 1 already in the archive, 1 skipped, 1 failed")
    assert "Failed (1):" in copied and "empty.txt" in copied


def test_cancel_during_an_import_keeps_what_landed_and_accounts_for_every_file(qtbot, make_window, archive, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(300):
        (folder / f"memo-{number:03}.txt").write_text(f"Council memo {number} on detainer requests.\n")
    window = make_window(archive)
    window.imports.progressed.connect(lambda _p: window.progress.cancel_button.click())
    with qtbot.waitSignal(window.imports.finished, timeout=60000) as finished:
        window.import_paths([str(folder)])
    report = finished.args[0]
    assert report.cancelled and report.total == 300
    assert 0 < len(report.imported) < 300
    assert {e["reason"] for e in report.skipped} == {"import cancelled"}
    assert archive.stats()["documents"] == len(report.imported)
    settle(qtbot, window)
    assert window.results_model.rowCount() == len(report.imported)


def test_a_second_import_while_one_runs_is_refused_with_a_message(
    qtbot, make_window, archive, sample_files, monkeypatch
):
    window = make_window(archive)
    messages = []
    monkeypatch.setattr(window, "_error", lambda title, text: messages.append(title))
    with qtbot.waitSignal(window.imports.finished, timeout=60000):
        assert window.import_paths([str(sample_files)])
        assert not window.import_paths([str(sample_files)])
    assert messages == ["An import is running"]


def test_an_encrypted_pdf_can_be_imported_again_with_its_password(qtbot, make_window, archive, tmp_path, monkeypatch):
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter
    from PySide6.QtWidgets import QInputDialog

    plain = tmp_path / "plain.pdf"
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Sealed council memo about detainers.")
    pdf.output(str(plain))
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt("s3cret", algorithm="AES-256")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as out:
        writer.write(out)

    window = make_window(archive)
    with qtbot.waitSignal(window.imports.finished, timeout=60000) as first:
        window.import_paths([str(locked)])
    assert first.args[0].failed[0]["needs_password"]
    dialog = window.findChild(ImportReportDialog)
    assert dialog.password_button.isVisible() and "1 encrypted PDF" in dialog.password_button.text()
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("s3cret", True))
    with qtbot.waitSignal(window.imports.finished, timeout=60000) as second:
        dialog.password_button.click()
    assert len(second.args[0].imported) == 1
    settle(qtbot, window)
    assert window.results_model.rowCount() == 1
