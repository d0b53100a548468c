"""The document viewer: exact stored text, hits, originals (PDF and safe HTML), citation, open original."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fpdf import FPDF
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont
from PySide6.QtGui import QDesktopServices, QGuiApplication

from app.citation import citation
from indexer import ocr
from ui.ops import OpRunner
from ui.text_view import READING_COLUMN_CHARS, TextView, Utf16Map
from ui.theme import highlight_colour, mark_colour
from ui.viewer import ORIGINAL_TAB, DocumentViewer

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


@pytest.fixture
def viewer(qtbot, archive):
    runner = OpRunner()
    widget = DocumentViewer(archive, runner)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    yield widget
    runner.wait()


def _pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    for text in ("Council minutes, page one.", "The Omaha police will not join raids.", "Adjourned."):
        pdf.add_page()
        pdf.cell(text=text)
    pdf.output(str(path))
    return path


def test_pdf_original_shows_pages_and_the_hit(qtbot, viewer, archive, tmp_path):
    report = archive.import_paths([_pdf(tmp_path / "minutes.pdf")])
    doc_id = report.imported[0]["id"]
    with qtbot.waitSignal(viewer.ready):
        viewer.show_document(doc_id, "omaha")
    assert viewer.text_view.toPlainText() == archive.text(doc_id)
    viewer.show_original()
    assert viewer.original_stack.currentWidget() is viewer.pdf_view
    assert viewer.pdf_view.page_count == 3
    qtbot.waitUntil(lambda: viewer.pdf_view.match_count == 1)
    viewer.next_hit()
    assert viewer.current_page() == 2
    viewer.copy_citation()
    cited = QGuiApplication.clipboard().text()
    assert cited.startswith("“minutes”, ") and ", p. 2. [minutes.pdf, sha256 " in cited


def test_annotations_are_painted_on_the_pdf_pages_they_quote(qtbot, viewer, archive, tmp_path):
    doc_id = archive.import_paths([_pdf(tmp_path / "minutes.pdf")]).imported[0]["id"]
    archive.annotate(doc_id, quote="police will not join", colour="green")
    archive.annotate(doc_id, quote="Adjourned", colour="pink")
    with qtbot.waitSignal(viewer.ready):
        viewer.show_document(doc_id)
    viewer.show_original()
    qtbot.waitUntil(lambda: sorted(viewer.pdf_view.pdf_view.highlights) == [1, 2])
    (green,) = viewer.pdf_view.pdf_view.shapes(1)
    assert green[1] == highlight_colour("green", viewer) and len(green[0]) == 1
    (tmp_path / "memo.txt").write_text("A memo about the police.\n")
    memo_id = archive.import_paths([tmp_path / "memo.txt"]).imported[0]["id"]
    with qtbot.waitSignal(viewer.ready):
        viewer.show_document(memo_id)
    assert viewer.pdf_view.pdf_view.highlights == {}


def test_html_original_is_sanitized_in_a_sandbox_and_loads_nothing(qtbot, viewer, archive, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Raids</title><script>alert(1)</script></head><body><article>"
        "<h1>Police and raids</h1><p>The chief said the police would not join raids in Omaha.</p>"
        '<img src="file:///etc/hostname"><img src="/etc/hostname"></article></body></html>'
    )
    doc_id = archive.import_paths([page]).imported[0]["id"]
    viewer.show_document(doc_id, "raids")
    viewer.tabs.setCurrentIndex(ORIGINAL_TAB)
    qtbot.waitUntil(lambda: viewer.original_stack.currentWidget() is viewer.html_view, timeout=30000)
    shown = viewer.html_view.toHtml()
    assert "would not join raids" in viewer.html_view.toPlainText()
    assert "alert(1)" not in shown and "/etc/hostname" not in shown


def test_markdown_original_is_shown_rendered_with_the_query_marked(qtbot, viewer, imported):
    doc_id = imported.search_ids("calamity").ids[0]
    viewer.show_document(doc_id, "calamity")
    viewer.show_original()
    qtbot.waitUntil(lambda: viewer.original_stack.currentWidget() is viewer.html_view, timeout=30000)
    assert "describing the federal immigration crackdown as a calamity." in viewer.html_view.toPlainText()
    assert (
        "*a calamity*" not in viewer.html_view.toPlainText()
        and 'font-style:italic;">a calamity<' in viewer.html_view.toHtml()
    )
    assert viewer.html_view.extraSelections()


def test_text_documents_explain_where_their_text_is(qtbot, viewer, imported):
    doc_id = imported.search_ids("omaha").ids[0]
    viewer.show_document(doc_id)
    viewer.show_original()
    assert viewer.original_stack.currentWidget() is viewer.original_note
    assert "Text tab" in viewer.original_note.text()


def test_open_original_hands_a_named_copy_to_the_system(qtbot, viewer, imported, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    doc_id = imported.search_ids("calamity").ids[0]
    viewer.show_document(doc_id)
    viewer.open_original()
    assert len(opened) == 1 and Path(opened[0]).name == "denver.md"
    assert Path(opened[0]).read_bytes() == imported.original_path(doc_id).read_bytes()


def test_citation_names_title_source_and_date(imported):
    doc = imported.document(imported.search_ids("calamity").ids[0])
    assert citation(doc, None).startswith("“Denver calls the crackdown a calamity”, City Staff, January 24, 2025. [")


def test_hits_in_text_with_emoji_land_on_the_right_characters(qtbot):
    view = TextView()
    qtbot.addWidget(view)
    text = "😀 Omaha 😀😀 police\nsaid 🎉 raids"
    view.set_text(text)
    spans = [(text.index(w), text.index(w) + len(w)) for w in ("Omaha", "police", "raids")]
    view.set_matches(spans)
    for selection, word in zip(view.extraSelections(), ("Omaha", "police", "raids"), strict=True):
        assert selection.cursor.selectedText() == word
    view.next_match()
    cursor = view.textCursor()
    cursor.setPosition(cursor.position() + len("police"), cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    assert view.selection_offsets() == spans[1]


def test_a_wide_pane_keeps_lines_to_a_reading_measure_and_a_narrow_one_uses_its_width(qtbot):
    view = TextView()
    qtbot.addWidget(view)
    line = "The Omaha Police Department does not intend to participate in any raids, said the chief. " * 12
    view.set_text(line)
    chars = view.fontMetrics().averageCharWidth()
    view.resize(160 * chars, 400)
    view.show()
    qtbot.waitExposed(view)
    wide = view.viewport().width()
    assert READING_COLUMN_CHARS * chars <= wide <= (READING_COLUMN_CHARS + 4) * chars
    assert view.viewport().x() > 30 * chars  # centred: the column has room on both sides
    view.resize(50 * chars, 400)
    assert view.viewport().width() >= 45 * chars and view.viewport().x() < chars
    view.set_matches([(line.index("raids"), line.index("raids") + 5)])
    assert view.extraSelections()[0].cursor.selectedText() == "raids"


@given(st.text(alphabet=st.sampled_from("ab😀\n"), max_size=40), st.data())
def test_utf16_map_round_trips(text, data):
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    gaps = sorted(data.draw(st.sets(st.sampled_from(newlines))) if newlines else [])
    mapping = Utf16Map(text, gaps)
    positions = [mapping.to_qt(i) for i in range(len(text) + 1)]
    assert positions[-1] == len(text.encode("utf-16-le")) // 2 + len(gaps)
    assert [mapping.from_qt(p) for p in positions] == list(range(len(text) + 1))


def test_an_email_lists_its_attachments_and_a_click_opens_one(qtbot, viewer, archive, corpus):
    source = corpus / "office" / "msg" / "tika" / "testMSG_att_msg.msg"
    if not source.is_file():
        pytest.skip("corpus file testMSG_att_msg.msg missing")
    report = archive.import_paths([source])
    (message,) = [e["id"] for e in report.imported if e["path"] == str(source)]
    viewer.show_document(message)
    assert not viewer.related.isHidden()
    shown = viewer.related.label.text()
    assert "Attachments:" in shown and "smbprn.00009008.KdcPjl.pdf" in shown
    (pdf,) = [r.id for r in archive.related(message)["attachments"] if r.kind == "pdf"]
    viewer.related.label.linkActivated.emit(f"doc:{pdf}")
    assert viewer.doc.id == pdf
    assert "Attached to:" in viewer.related.label.text() and f'href="doc:{message}"' in viewer.related.label.text()


def test_one_line_paragraphs_are_shown_apart_and_copied_as_stored(qtbot):
    paragraph = "The Omaha Police Department does not intend to participate in any raids, the chief said. " * 2
    text = "\n".join([paragraph] * 5) + f"\n\n{paragraph}"
    view = TextView()
    qtbot.addWidget(view)
    view.set_text(text)
    assert view.toPlainText() == "\n\n".join([paragraph] * 6)  # one empty line between any two, never two
    second = len(paragraph) + 1
    view.select_span(second, second + 9)
    assert view.textCursor().selectedText() == "The Omaha" and view.selection_offsets() == (second, second + 9)
    view.select_span(0, len(text))
    assert view.createMimeDataFromSelection().text() == text


def test_texts_wrapped_by_hand_or_with_empty_lines_are_shown_as_they_are(qtbot):
    wrapped = "Omaha police will not join raids,\nthe chief said on Tuesday in a video\nposted online.\n" * 5
    spaced = ("A paragraph of a memorandum of agreement, long enough to be a paragraph on one line " * 2 + "\n\n") * 3
    view = TextView()
    qtbot.addWidget(view)
    for text in (wrapped, spaced):
        view.set_text(text)
        assert view.toPlainText() == text


def test_hits_and_annotations_are_drawn_on_a_scanned_page_over_the_words_ocr_read(qtbot, viewer, archive, tmp_path):
    try:
        ocr.engine()
    except ocr.OcrUnavailable as exc:
        pytest.skip(f"OCR engine not installed: {exc}")
    image = Image.new("L", (1275, 1650), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(SERIF, 36) if Path(SERIF).exists() else ImageFont.load_default(size=36)
    draw.text((120, 150), "Scanned page: the Marrowdale County", fill=0, font=font)
    draw.text((120, 220), "Sheriff signed it in Vermont.", fill=0, font=font)
    scan = io.BytesIO()
    image.save(scan, "PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(scan, x=0, y=0, w=210)
    pdf.output(str(tmp_path / "scan.pdf"))
    doc_id = archive.import_paths([tmp_path / "scan.pdf"]).imported[0]["id"]
    archive.ocr()
    archive.annotate(doc_id, quote="Vermont", colour="pink")

    with qtbot.waitSignal(viewer.ready):
        viewer.show_document(doc_id, "marrowdale")
    viewer.show_original()

    qtbot.waitUntil(lambda: len(viewer.pdf_view.pdf_view.boxes.get(0, [])) == 2, timeout=30_000)
    (hit, hit_colour), (note, note_colour) = sorted(viewer.pdf_view.pdf_view.boxes[0], key=lambda b: b[0].top())
    assert hit_colour == mark_colour(viewer) and note_colour == highlight_colour("pink", viewer)
    assert 0.3 < hit.left() < hit.right() < 0.8 and hit.top() < note.top() < 0.2
    assert viewer.pdf_view.pdf_view.shapes(0)  # painted with the page's highlights
