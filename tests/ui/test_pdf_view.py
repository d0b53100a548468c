"""The PDF view: loading (and refusing) files, paging, zoom, search highlights, white pages."""

from __future__ import annotations

import pytest
from fpdf import FPDF
from PySide6.QtGui import QColor, QPalette, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView

from ui.pdf_view import PdfView

PAGES = ("First page about Denver", "Omaha police will not join raids", "Third page, Grand Prairie")


def _write_pdf(path, password: str = ""):
    pdf = FPDF()
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.set_font("Helvetica", size=24)
    for text in PAGES:
        pdf.add_page()
        pdf.cell(text=text)
    pdf.output(str(path))
    return path


@pytest.fixture
def view(qtbot):
    widget = PdfView()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def loaded(view, qtbot, tmp_path):
    with qtbot.waitSignal(view.page_changed) as first:
        assert view.load(_write_pdf(tmp_path / "three.pdf")) is None
    assert first.args == [0]
    return view


def test_load_shows_every_page_from_the_first(loaded):
    assert loaded.page_count == 3
    assert loaded.current_page() == 0
    assert loaded.page_box.value() == 1
    assert loaded.page_total.text().strip() == "of 3"
    assert loaded.pdf_view.pageMode() == QPdfView.PageMode.MultiPage
    assert not loaded.previous_page.isEnabled()
    assert loaded.next_page.isEnabled()


def test_go_to_page_scrolls_there_and_signals(loaded, qtbot):
    bar = loaded.pdf_view.verticalScrollBar()
    with qtbot.waitSignal(loaded.page_changed) as moved:
        loaded.go_to_page(2)
    assert moved.args == [2]
    assert loaded.page_box.value() == 3
    assert loaded.next_page.isEnabled() is False
    bottom = bar.value()
    with qtbot.waitSignal(loaded.page_changed) as moved:
        loaded.previous_page.trigger()
    assert moved.args == [1]
    assert 0 < bar.value() < bottom
    page_top = bar.value()
    bar.setValue(page_top + 40)  # scrolled within the page: going to it again returns to its top
    loaded.go_to_page(1)
    assert bar.value() == page_top
    with qtbot.waitSignal(loaded.page_changed) as moved:
        loaded.page_box.setValue(1)
    assert moved.args == [0]
    assert bar.value() == loaded.pdf_view.documentMargins().top()


def test_search_highlights_the_match_on_its_page(loaded, qtbot):
    with qtbot.waitSignal(loaded.search_finished) as finished:
        loaded.set_search("Omaha")
    assert finished.args == [1]
    assert loaded.match_count == 1
    assert loaded.pdf_view.searchModel().resultAtIndex(0).page() == 1
    assert loaded.current_match == 0
    assert loaded.current_page() == 1
    assert loaded.next_match() == 0
    assert loaded.previous_match() == 0
    with qtbot.waitSignal(loaded.search_finished) as finished:
        loaded.set_search("crackdown")
    assert finished.args == [0]
    assert loaded.next_match() == -1
    assert loaded.current_match == -1


def test_matches_are_visited_in_turn(view, qtbot, tmp_path):
    pdf = FPDF()
    pdf.set_font("Helvetica", size=14)
    for page in range(3):
        pdf.add_page()
        pdf.cell(text=f"Sheriff at the top of page {page}")
        pdf.set_y(260)
        pdf.cell(text="sheriff at the bottom")
    pdf.output(str(tmp_path / "six.pdf"))
    assert view.load(tmp_path / "six.pdf") is None
    with qtbot.waitSignal(view.search_finished) as finished:
        view.set_search("sheriff")
    assert finished.args == [6]
    bar = view.pdf_view.verticalScrollBar()
    positions = [bar.value()]
    for expected in range(1, 6):
        assert view.next_match() == expected
        positions.append(bar.value())
    assert positions == sorted(positions)
    assert len(set(positions)) == 6  # a match at the foot of a page scrolls further than its top
    assert view.current_page() == 2
    assert view.next_match() == 0
    assert view.previous_match() == 5


def test_zoom_buttons_and_shortcuts(loaded, qtbot):
    assert loaded.zoom_in.toolTip() == "Zoom in (Ctrl++)"
    assert loaded.zoom_out.toolTip() == "Zoom out (Ctrl+-)"
    assert loaded.fit_width.toolTip() == "Fit width (Ctrl+0)"
    pdf = loaded.pdf_view
    fit = (pdf.viewport().width() - 12) / 595.28 / (pdf.logicalDpiY() / 72)
    loaded.zoom_in.trigger()
    assert pdf.zoomMode() == QPdfView.ZoomMode.Custom
    assert pdf.zoomFactor() == pytest.approx(fit * 1.25, rel=0.01)
    pdf.setFocus()
    qtbot.keyClick(pdf, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert pdf.zoomFactor() == pytest.approx(fit, rel=0.01)
    qtbot.keyClick(pdf, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert pdf.zoomFactor() == pytest.approx(fit * 1.25, rel=0.01)
    qtbot.keyClick(pdf, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert pdf.zoomMode() == QPdfView.ZoomMode.FitToWidth


def test_pages_are_painted_white_over_the_dark_backdrop(loaded, qtbot):
    viewport = loaded.pdf_view.viewport()

    def rendered() -> bool:
        image = viewport.grab().toImage()
        return any(image.pixelColor(x, y).lightness() < 100 for x in range(40, 300, 2) for y in range(20, 100, 2))

    qtbot.waitUntil(rendered)  # the page's text is drawn: the rendered image, not just the placeholder
    image = loaded.grab().toImage()
    origin = viewport.mapTo(loaded, viewport.rect().topLeft())
    blank = image.pixelColor(origin.x() + viewport.width() // 2, origin.y() + 400)
    assert blank == QColor(255, 255, 255)
    backdrop = image.pixelColor(origin.x() + 2, origin.y() + 400)
    assert backdrop.rgb() == loaded.pdf_view.palette().color(QPalette.ColorRole.Dark).rgb()


def test_unreadable_files_give_a_message(view, tmp_path):
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert view.load(garbage) == "This file is not a readable PDF; it may be damaged or incomplete."
    assert view.page_count == 0
    assert not view.zoom_in.isEnabled()
    assert view.load(tmp_path / "missing.pdf") == "The file is missing; it may have been moved or deleted."


def test_password_protected_pdf(view, tmp_path):
    locked = _write_pdf(tmp_path / "locked.pdf", password="s3cret")
    assert view.load(locked) == "This PDF is protected by a password."
    assert view.load(locked, password="guess") == "The password for this PDF is wrong."
    assert view.load(locked, password="s3cret") is None
    assert view.page_count == 3


def test_clear_closes_the_document(loaded, qtbot):
    with qtbot.waitSignal(loaded.search_finished):
        loaded.set_search("Omaha")
    loaded.clear()
    assert loaded.pdf_view.document().status() == QPdfDocument.Status.Null
    assert loaded.page_count == 0
    assert loaded.match_count == 0
    assert loaded.current_page() == -1
    assert loaded.page_total.text() == ""


def _tint_inside_and_outside(view, page: int) -> tuple[int, int, int]:
    """Red pixels inside the highlight's rectangle on ``page``, red pixels just above it, and dark pixels
    inside it: the glyphs Qt drew there, so the rectangle is where QPdfView put the words."""
    pdf = view.pdf_view
    rect = pdf.page_rects()[page].translated(-pdf.horizontalScrollBar().value(), -pdf.verticalScrollBar().value())
    points = pdf.document().pagePointSize(page)
    (polygon,) = pdf.shapes(page)[0][0]
    box = polygon.boundingRect()
    scale = rect.width() / points.width()
    left, top = rect.left() + box.left() * scale, rect.top() + box.top() * scale
    width, height = box.width() * scale, box.height() * scale
    image = pdf.viewport().grab().toImage()

    def red(x: float, y: float) -> bool:
        colour = image.pixelColor(round(x), round(y))
        return colour.red() > 200 and colour.green() < 90 and colour.blue() < 90

    def dark(x: float, y: float) -> bool:
        return image.pixelColor(round(x), round(y)).lightness() < 90

    grid = [(left + width * i / 40, top + height * j / 8) for i in range(1, 40) for j in range(1, 8)]
    inside = sum(red(x, y) for x, y in grid)
    above = sum(red(left + width * i / 10, top - height) for i in range(1, 10))
    return inside, above, sum(dark(x, y) for x, y in grid)


def test_annotated_passages_are_painted_on_their_page_at_any_zoom(loaded, qtbot):
    red = QColor("#ff0000")
    placed = loaded.set_highlights(
        [(2, "police  will\nnot", "Omaha ", red), (3, "not on this page", "", red), (9, "no such page", "", red)]
    )
    assert placed == 1 and list(loaded.pdf_view.highlights) == [1]
    loaded.go_to_page(1)
    for zoom in (None, loaded.zoom_in):
        if zoom:
            zoom.trigger()
            loaded.go_to_page(1)
        qtbot.waitUntil(lambda: _tint_inside_and_outside(loaded, 1)[2] > 20)  # the page is rendered
        inside, above, _ = _tint_inside_and_outside(loaded, 1)
        assert inside > 100 and above == 0
    loaded.clear()
    assert loaded.pdf_view.highlights == {}


def test_a_passage_found_on_the_next_page_is_painted_from_its_own_start(view, tmp_path):
    pdf = FPDF()
    pdf.set_font("Helvetica", size=20)
    for text in ("Opening remarks only", "Alpha beta gamma delta epsilon"):
        pdf.add_page()
        pdf.cell(text=text)
    pdf.output(str(tmp_path / "two.pdf"))
    assert view.load(tmp_path / "two.pdf") is None
    assert view.set_highlights([(1, "gamma delta", "", QColor("red"))]) == 1  # noted on page 1, printed on 2
    ((polygons, _colour),) = view.pdf_view.shapes(1)
    painted = [view._document.getSelection(1, p.boundingRect().topLeft(), p.boundingRect().bottomRight()).text()
               for p in polygons]  # fmt: skip
    assert painted == ["gamma delta"] and 0 not in view.pdf_view.highlights


def test_offsets_reach_pdfium_in_utf16_units(loaded, monkeypatch):
    page = "x \U0001d400\U0001d401 alpha beta gamma"  # two characters outside the BMP: two UTF-16 units each

    class PageText:
        def text(self) -> str:
            return page

    monkeypatch.setattr(loaded._document, "getAllText", lambda index: PageText())
    red = QColor("red")
    assert loaded.set_highlights([(1, "gamma", "", red)]) == 1
    assert loaded.pdf_view.highlights == {0: [(page.index("gamma") + 2, 5, red)]}
