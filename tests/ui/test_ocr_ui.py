"""The document details say where the text came from: OCR with its engine, OCR still to come, or the file."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from indexer import ocr
from ui.metadata_panel import MetadataPanel


def test_details_say_text_from_ocr_with_the_engine(qtbot, archive, tmp_path):
    try:
        engine = ocr.engine()
    except ocr.OcrUnavailable as exc:
        pytest.skip(f"OCR engine not installed: {exc}")
    image = Image.new("L", (1000, 300), 255)
    ImageDraw.Draw(image).text((40, 100), "Fallowmere County", fill=0, font_size=60)
    image.save(tmp_path / "scan.png")
    (tmp_path / "memo.txt").write_text("A memo.\n")
    ids = {e["path"].rsplit("/", 1)[1]: e["id"] for e in archive.import_paths([tmp_path]).imported}
    panel = MetadataPanel()
    qtbot.addWidget(panel)

    panel.show_document(archive.document(ids["scan.png"]))
    assert panel.facts["Text"].text().startswith("scanned pages waiting for OCR")
    archive.ocr()
    panel.show_document(archive.document(ids["scan.png"]))
    assert panel.facts["Text"].text() == f"text from OCR (Tesseract {engine.version} (eng)), pages 1"
    panel.show_document(archive.document(ids["memo.txt"]))
    assert panel.facts["Text"].text() == "from the file"


def test_the_window_reads_imported_scans_in_the_background_and_they_become_searchable(
    qtbot, make_window, archive, tmp_path
):
    try:
        ocr.engine()
    except ocr.OcrUnavailable as exc:
        pytest.skip(f"OCR engine not installed: {exc}")
    image = Image.new("L", (1200, 300), 255)
    ImageDraw.Draw(image).text((40, 100), "Brackenridge Township", fill=0, font_size=64)
    image.save(tmp_path / "scan.png")
    window = make_window(archive)
    seen = []
    window.ocr.progressed.connect(lambda done, total: seen.append((done, total)))

    with qtbot.waitSignal(window.ocr.finished, timeout=120_000) as finished:
        assert window.import_paths([str(tmp_path / "scan.png")])
    assert finished.args[0].read == 1
    assert seen[-1] == (1, 1) and window.ocr_progress.isHidden()
    assert archive.search('"Brackenridge Township"').total == 1


def test_read_scans_ocrs_what_an_earlier_import_left_waiting(qtbot, make_window, archive, tmp_path):
    try:
        ocr.engine()
    except ocr.OcrUnavailable as exc:
        pytest.skip(f"OCR engine not installed: {exc}")
    image = Image.new("L", (1200, 300), 255)
    ImageDraw.Draw(image).text((40, 100), "Quillfeather Borough", fill=0, font_size=64)
    image.save(tmp_path / "scan.png")
    archive.import_paths([tmp_path / "scan.png"])  # as before an upgrade, or a cancelled OCR: it waits
    window = make_window(archive)
    assert window.read_scans_action.shortcut().toString() == "Ctrl+Shift+R"

    with qtbot.waitSignal(window.ocr.finished, timeout=120_000) as finished:
        window.read_scans_action.trigger()
    assert finished.args[0].read == 1
    assert archive.search('"Quillfeather Borough"').total == 1
    assert not window.read_scans()  # nothing waits any more, and the window says so
    assert window.statusBar().currentMessage() == "No scanned pages wait for OCR."


def test_the_ocr_language_is_chosen_among_the_installed_ones_and_remembered(qtbot, archive, monkeypatch):
    from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

    from app import settings
    from ui.ocr_flow import choose_ocr_language

    languages = archive.ocr_languages()
    if not languages:
        pytest.skip("OCR engine not installed")
    assert "eng" in languages and "osd" not in languages
    parent = QWidget()
    qtbot.addWidget(parent)
    offered, warnings = [], []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))

    def answer(code):
        def get_item(_parent, _title, _label, items, current, editable):
            offered.append((items, items[current], editable))
            return code, True

        monkeypatch.setattr(QInputDialog, "getItem", get_item)

    answer("eng")
    assert choose_ocr_language(parent, languages) == "eng" and settings.ocr_language() == "eng"
    assert offered[0] == (sorted(languages), "eng", True)
    answer("eng+xyz")
    assert choose_ocr_language(parent, languages) is None and settings.ocr_language() == "eng"
    assert warnings == ["No OCR data for xyz: sudo apt install tesseract-ocr-xyz"]
