"""OCR of scanned pages and images: real Tesseract on real corpus scans and on files made here."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from indexer import ocr

SCANS = "topic/287g/pdf"
WELLS = "MAINE__Wells_Police_Department__WellsPDME_TFM_MOA_040225.pdf"
MINERAL = "NEVADA__Mineral_County_Sheriffs_Office__MineralCountyNV_WSO_MOA_031025.pdf"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


@pytest.fixture
def tesseract():
    try:
        return ocr.engine()
    except ocr.OcrUnavailable as exc:
        pytest.skip(f"OCR engine not installed: {exc}")


def _page_image(lines: list[str]) -> Image.Image:
    """A white 'scanned' page at 150 dpi with the lines written in a serif font."""
    image = Image.new("L", (1275, 1650), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 36) if Path(FONT).exists() else ImageFont.load_default(size=36)
    for row, line in enumerate(lines):
        draw.text((120, 150 + 70 * row), line, fill=0, font=font)
    return image


def test_a_scanned_agreement_is_found_by_its_agency_and_state(archive, corpus, tesseract, tmp_path):
    source = corpus / SCANS / MINERAL
    report = archive.import_paths([source])
    doc_id = report.imported[0]["id"]
    assert report.imported[0]["needs_ocr"]
    assert archive.search('body:"Mineral County Sheriff"').total == 0  # no text layer on its scanned pages yet
    assert archive.documents_needing_ocr() == [doc_id]

    done = archive.ocr()

    assert (done.read, done.pages_cached, done.failed) == (1, 0, [])
    assert done.pages_ocr == len(ocr.scanned_pages(archive.document(doc_id).metadata["ocr_pages"]))
    assert [h.id for h in archive.search('body:"Mineral County Sheriff\'s office"').hits] == [doc_id]
    assert [h.id for h in archive.search('"Nevada"').hits] == [doc_id]
    doc = archive.document(doc_id)
    assert doc.needs_ocr is False and doc.metadata["ocr"].startswith("tesseract ")
    assert archive.documents_needing_ocr() == []
    text, spans = archive.text(doc_id), archive.page_spans(doc_id)
    assert len(spans) == 10
    assert "Warrant Service Officer Program" in text[slice(*spans[0])]  # page 1, a scan, holds its own text


def test_ocr_is_cached_so_reextract_and_a_forced_run_never_read_again(archive, corpus, tesseract):
    doc_id = archive.import_paths([corpus / SCANS / WELLS]).imported[0]["id"]
    archive.ocr()
    note = archive.annotate(doc_id, quote="TRAINING AND ASSIGNMENTS", note="before the re-extraction")
    ocr_text = archive.text(doc_id)

    again = archive.reextract([doc_id])
    forced = archive.ocr([doc_id], force=True)

    assert again.failed == [] and len(again.review) == 0
    assert archive.text(doc_id) == ocr_text  # the cached OCR text is put back on the scanned pages
    assert forced.pages_ocr == 0 and forced.pages_cached > 0
    assert [h.id for h in archive.search('"Wells Maine Police Department"').hits] == [doc_id]
    assert archive.text(doc_id)[note.start : note.end] == "TRAINING AND ASSIGNMENTS"


def test_a_mixed_pdf_gets_only_its_image_page_read_and_spans_stay_aligned(archive, tesseract, tmp_path):
    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    pdf.add_page()
    pdf.cell(text="Born digital page about Quillfeather Township.")
    pdf.add_page()
    scan = io.BytesIO()
    _page_image(["Scanned page: the Marrowdale County", "Sheriff signed it in Vermont."]).save(scan, "PNG")
    pdf.image(scan, x=0, y=0, w=210)
    pdf.add_page()
    pdf.cell(text="Third page with its own text layer, Ostrander.")
    path = tmp_path / "mixed.pdf"
    pdf.output(str(path))

    doc_id = archive.import_paths([path]).imported[0]["id"]
    assert archive.document(doc_id).metadata["scanned_pages"] == "2"
    done = archive.ocr()

    assert done.pages == 1 and done.pages_ocr == 1
    text, spans = archive.text(doc_id), archive.page_spans(doc_id)
    assert "Quillfeather" in text[slice(*spans[0])]
    assert "Marrowdale County" in text[slice(*spans[1])]
    assert "Ostrander" in text[slice(*spans[2])]
    assert [h.id for h in archive.search('"Marrowdale County Sheriff"').hits] == [doc_id]


def test_png_and_multipage_tiff_import_with_metadata_then_text_by_ocr(archive, tesseract, tmp_path):
    _page_image(["Harrowgate Borough council minutes"]).save(tmp_path / "minutes.png")
    frames = [_page_image([f"Tiff page {word} of the Pendlebury file"]) for word in ("one", "two")]
    frames[0].save(tmp_path / "pages.tiff", save_all=True, append_images=frames[1:], compression="tiff_lzw")

    report = archive.import_paths([tmp_path / "minutes.png", tmp_path / "pages.tiff"])
    ids = {Path(e["path"]).name: e["id"] for e in report.imported}
    assert report.failed == [] and sorted(ids) == ["minutes.png", "pages.tiff"]
    tiff = archive.document(ids["pages.tiff"])
    assert tiff.title == "pages" and tiff.kind == "image" and tiff.metadata["pages"] == "2"
    assert [h.id for h in archive.search("pages").hits] == [ids["pages.tiff"]]  # by title before OCR

    done = archive.ocr()

    assert done.read == 2 and done.pages_ocr == 3
    assert [h.id for h in archive.search('"Harrowgate Borough"').hits] == [ids["minutes.png"]]
    text, spans = archive.text(ids["pages.tiff"]), archive.page_spans(ids["pages.tiff"])
    assert "page two" in text[slice(*spans[1])].lower() and "page one" in text[slice(*spans[0])].lower()


def test_without_the_engine_ocr_says_what_to_install_and_import_still_works(archive_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_TESSERACT", str(tmp_path / "no-such-tesseract"))
    _page_image(["Nothing to read here"]).save(tmp_path / "scan.png")
    (tmp_path / "memo.txt").write_text("A memo about Quarrington.\n")
    run = subprocess.run(
        [sys.executable, "-m", "app.cli", "--archive", str(archive_dir), "import", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert "2 imported" in run.stdout
    assert "OCR needs Tesseract: sudo apt install tesseract-ocr tesseract-ocr-eng" in run.stderr
    assert len([line for line in run.stderr.splitlines() if "OCR needs" in line]) == 1


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_cli_ocr_after_import_and_show_says_the_engine(archive_dir, corpus):
    run = subprocess.run(
        [sys.executable, "-m", "app.cli", "--archive", str(archive_dir), "import", str(corpus / SCANS / MINERAL)],
        capture_output=True,
        text=True,
    )
    assert "OCR of 1 document" in run.stdout and "OCR 1 of 1 document read with tesseract" in run.stdout
    found = subprocess.run(
        [sys.executable, "-m", "app.cli", "--archive", str(archive_dir), "search", '"Mineral County Sheriff"'],
        capture_output=True,
        text=True,
    )
    assert "Mineral" in found.stdout
    shown = subprocess.run(
        [sys.executable, "-m", "app.cli", "--archive", str(archive_dir), "--json", "show", "1"],
        capture_output=True,
        text=True,
    )
    assert json.loads(shown.stdout)["text_from_ocr"]["engine"].startswith("tesseract ")


def test_import_json_is_one_object_with_the_ocr_that_followed(archive_dir, tesseract, tmp_path):
    memo = tmp_path / "memo.png"
    _page_image(["Omaha police will not join raids"]).save(memo)
    run = subprocess.run(
        [sys.executable, "-m", "app.cli", "--archive", str(archive_dir), "--json", "import", str(memo)],
        capture_output=True,
        text=True,
    )
    out = json.loads(run.stdout)  # a second object after the report would not parse
    assert [entry["kind"] for entry in out["imported"]] == ["image"]
    assert out["ocr"]["read"] == 1 and out["ocr"]["pages_ocr"] == 1


def test_status_finds_documents_waiting_for_ocr_and_read_by_it(archive, tesseract, tmp_path):
    _page_image(["Status page of Wickersham Parish"]).save(tmp_path / "waiting.png")
    (tmp_path / "memo.txt").write_text("A memo about Wickersham Parish.\n")
    ids = {Path(e["path"]).name: e["id"] for e in archive.import_paths([tmp_path]).imported}

    assert [h.id for h in archive.search("status:needs-ocr").hits] == [ids["waiting.png"]]
    assert archive.search("status:ocr").total == 0
    assert archive.search("Wickersham").total == 1  # the memo: the image is found by its title only
    assert archive.search("waiting OR memo").facets["status"] == {"needs-ocr": 1}
    archive.ocr()

    assert archive.search("status:needs-ocr").total == 0
    assert [h.id for h in archive.search("status:ocr Wickersham").hits] == [ids["waiting.png"]]
    assert archive.search("Wickersham").facets["status"] == {"ocr": 1}


def test_an_uninstalled_language_says_which_package_reads_it(archive, tesseract, tmp_path):
    from app import settings
    from app.errors import DossierError

    _page_image(["Ein Blatt"]).save(tmp_path / "blatt.png")
    archive.import_paths([tmp_path / "blatt.png"])
    settings.set_ocr_language("zzz")
    with pytest.raises(DossierError, match="sudo apt install tesseract-ocr-zzz"):
        archive.ocr()
    settings.set_ocr_language("")
    assert archive.ocr(language="eng").read == 1


def test_ocr_keeps_each_words_box_so_a_hit_can_be_drawn_on_the_scan(archive, tesseract, tmp_path):
    path = tmp_path / "scan.png"
    _page_image(["Omaha police will not join raids", "", "The city council voted on Tuesday"]).save(path)
    doc_id = archive.import_paths([path]).imported[0]["id"]
    archive.ocr()
    text = archive.text(doc_id)

    (boxes,) = archive.ocr_words(doc_id).values()

    assert all(text[start:end] for start, end, *_ in boxes)
    (council,) = [box for box in boxes if text[box[0] : box[1]] == "council"]
    left, top, right, bottom = council[2:]
    assert 0.15 < left < right < 0.5 and 0.16 < top < bottom < 0.22  # third line, drawn at y = 290 of 1650
    (omaha,) = [box for box in boxes if text[box[0] : box[1]] == "Omaha"]
    assert abs(omaha[2] - 120 / 1275) < 0.01 and omaha[3] < top
    archive.reextract([doc_id])
    assert archive.ocr_words(doc_id) == {1: boxes}  # the cache keeps them with the text


def test_a_forced_run_reads_again_the_pages_cached_without_word_boxes(archive, tesseract, tmp_path):
    path = tmp_path / "scan.png"
    _page_image(["Omaha police will not join raids"]).save(path)
    doc_id = archive.import_paths([path]).imported[0]["id"]
    archive.ocr()
    with archive.conn:
        archive.conn.execute("UPDATE ocr_cache SET words = '{}'")  # as cached before schema step 9
    assert archive.ocr_words(doc_id) == {}

    forced = archive.ocr([doc_id], force=True)

    assert (forced.pages_ocr, forced.pages_cached) == (1, 0)
    assert [w for w in archive.ocr_words(doc_id)[1] if archive.text(doc_id)[w[0] : w[1]] == "Omaha"]
