"""PDF extraction on generated files (fpdf2) and on the hard-PDF and 287(g) corpora."""

import csv
import io
import itertools
import logging
import re
import textwrap
import time
import unicodedata
from collections import Counter
from datetime import UTC, datetime

import pytest
from fpdf import FPDF
from fpdf.enums import EncryptionMethod
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from indexer.errors import ExtractionError, NeedsPassword
from indexer.formats import pdf
from indexer.formats.pdf_cleanup import Line, page_text, repair_split_words, split_lines
from indexer.types import Extracted

NATO = [
    *("alfa", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett", "kilo", "lima"),
    *("mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey"),
    *("xray", "yankee", "zulu"),
]
FILLER = textwrap.wrap(
    " ".join(f"The {w} exhibit was received without objection. Counsel for {w} raised no issue." for w in NATO), 72
)
QUOTE = "the record shows, beyond any reasonable doubt, that the fox jumps over the lazy dog"
QUOTE_LINES = ["The plaintiff respectfully submits that the record shows, beyond any", "reasonable doubt, that the fox"]
QUOTE_LINES[1] += " jumps over the lazy dog. The motion should be granted in full today."


def _document(pages, **info) -> FPDF:
    doc = FPDF(unit="pt", format="letter")
    doc.set_font("Times", size=12)
    for key, value in info.items():
        getattr(doc, f"set_{key}")(value)
    for lines in pages:
        doc.add_page()
        for i, line in enumerate(lines):
            doc.text(72, 72 + 16 * i, line)
    return doc


def _pleading(interleaved: bool) -> bytes:
    """Three pleading-paper pages: numbers 1-28 in the margin, a case header and a footer."""
    doc = FPDF(unit="pt", format="letter")
    doc.set_font("Times", size=12)
    for page in range(3):
        doc.add_page()
        body = FILLER[page * 12 : (page + 1) * 12]
        if page == 1:
            body[5:5] = QUOTE_LINES
        header = f"Case 3:21-cv-0{page}234 Document 12 Filed 01/02/21 Page {page + 1} of 3"
        if not interleaved:  # like Word: header and numbers first, then the body
            doc.text(300, 40, header)
            for n in range(1, 29):
                doc.text(40, 72 + 24 * (n - 1), str(n))
        for i, line in enumerate(body):
            if interleaved:  # each number drawn just before the text on its baseline
                doc.text(40, 72 + 24 * i, str(i + 1))
            doc.text(72, 72 + 24 * i, line)
        if interleaved:
            for n in range(len(body) + 1, 29):
                doc.text(40, 72 + 24 * (n - 1), str(n))
            doc.text(300, 40, header)
        doc.text(250, 760, f"PLAINTIFF'S MOTION TO DISMISS - {page + 1}")
    return bytes(doc.output())


def _assert_follows_text_rules(extracted: Extracted) -> None:
    text = extracted.text
    assert text == text.strip()
    assert "\n\n\n" not in text and "\r" not in text and "\f" not in text
    assert not re.search(r"[ \t]\n", text)
    assert not [c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t"]
    spans = extracted.page_spans
    assert len(spans) == int(extracted.metadata["pages"])
    assert all(0 <= a <= b <= len(text) for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(spans))


@pytest.mark.parametrize("interleaved", [False, True])
def test_pleading_numbers_and_repeated_header_footer_stay_out_of_the_text(interleaved):
    extracted = pdf.extract(_pleading(interleaved))
    _assert_follows_text_rules(extracted)
    text = extracted.text
    assert QUOTE in text
    assert not re.search(r"\d", text), "line numbers, case number or page number leaked"
    assert "MOTION TO DISMISS" not in text and "Case" not in text
    pages = [text[a:b] for a, b in extracted.page_spans]
    assert [p[:40] for p in pages] == [FILLER[i * 12][:40] for i in range(3)]
    assert QUOTE in pages[1]


def test_empty_page_gets_an_empty_span_where_it_would_start():
    data = bytes(_document([["Alpha page text."], [], ["Gamma page text."]]).output())
    extracted = pdf.extract(data)
    assert extracted.text == "Alpha page text.\n\nGamma page text."
    assert extracted.page_spans == [(0, 16), (16, 16), (18, 34)]


def _encrypted(user: str, owner: str = "owner-secret") -> bytes:
    doc = _document([["Sealed settlement terms."]])
    doc.set_encryption(owner_password=owner, user_password=user, encryption_method=EncryptionMethod.AES_256)
    return bytes(doc.output())


def test_encrypted_without_password_asks_for_one():
    with pytest.raises(NeedsPassword, match="needs its password") as raised:
        pdf.extract(_encrypted("s3cret"))
    assert "wrong" not in str(raised.value)


def test_encrypted_with_wrong_passwords_says_so():
    with pytest.raises(NeedsPassword, match="wrong"):
        pdf.extract(_encrypted("s3cret"), ["guess", "another"])


def test_encrypted_opens_with_any_matching_password():
    assert pdf.extract(_encrypted("s3cret"), ["guess", "s3cret"]).text == "Sealed settlement terms."
    assert pdf.extract(_encrypted(""), ["unused"]).text == "Sealed settlement terms."


def _with_scans(layout: str) -> bytes:
    """One page per letter of ``layout``: "t" a text page, "s" an image-only page (a scan)."""
    doc = FPDF(unit="pt", format="letter")
    doc.set_font("Times", size=12)
    picture = Image.new("L", (60, 80), 200)
    for i, kind in enumerate(layout):
        doc.add_page()
        if kind == "s":
            doc.image(picture, x=36, y=36, w=540)
        else:
            doc.text(72, 72, f"Page {NATO[i]} holds a full sentence of real running text.")
    return bytes(doc.output())


def test_image_only_pages_need_ocr():
    extracted = pdf.extract(_with_scans("ss"))
    assert extracted.needs_ocr
    assert extracted.text == ""
    assert extracted.metadata["scanned_pages"] == "1-2"


def test_one_scanned_page_among_text_pages_is_reported_but_not_flagged():
    extracted = pdf.extract(_with_scans("tst"))
    assert not extracted.needs_ocr
    assert extracted.metadata["scanned_pages"] == "2"
    assert "charlie" in extracted.text


def test_document_info_gives_title_author_date():
    created = datetime(2021, 3, 4, 10, 30, tzinfo=UTC)
    info = {"title": "Motion to Dismiss", "author": "J. Doe", "creation_date": created, "producer": "Dossier tests"}
    data = _document([["Body."]], **info).output()
    extracted = pdf.extract(bytes(data))
    assert (extracted.title, extracted.author, extracted.published.isoformat()) == (
        "Motion to Dismiss",
        "J. Doe",
        "2021-03-04",
    )
    assert extracted.metadata["pages"] == "1"
    assert extracted.metadata["producer"] == "Dossier tests"


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("Microsoft Word - brief_v2.docx", ""),
        ("Microsoft Word - Document1", ""),
        ("scan_0001", ""),
        ("Untitled", ""),
        ("WSO MOA Waushara County - Signed.pdf", "WSO MOA Waushara County - Signed"),
        ("287(g) MOA TF - Wells PD", "287(g) MOA TF - Wells PD"),
    ],
)
def test_placeholder_and_file_name_titles_are_dropped(raw, title):
    assert pdf.extract(bytes(_document([["Body."]], title=raw).output())).title == title


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"PK\x03\x04 this is a zip", "not a PDF file"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "damaged PDF"),
    ],
)
def test_unreadable_input_raises_extraction_error(data, message):
    with pytest.raises(ExtractionError, match=message):
        pdf.extract(data)


def test_a_damaged_page_does_not_lose_the_others():
    original = bytes(_document([["First."], ["Second."], ["Third."]]).output())
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    nested = DecodedStreamObject()
    nested.set_data(b"[" * 5000 + b"] TJ")  # nests deeper than pypdf's parser can recurse; PDFium reads nothing
    writer.pages[1][NameObject("/Contents")] = writer._add_object(nested)
    buffer = io.BytesIO()
    writer.write(buffer)
    extracted = pdf.extract(buffer.getvalue())
    assert extracted.text == "First.\n\nThird."
    assert extracted.page_spans == [(0, 6), (6, 6), (8, 14)]


def test_pypdf_warnings_are_not_logged(caplog, capfd):
    data = bytes(_document([["Body text."]]).output())
    damaged = re.sub(rb"startxref\s+\d+", b"startxref\n999999", data)
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    pypdf_logger.setLevel(logging.WARNING)
    try:
        PdfReader(io.BytesIO(damaged))
        assert any(r.name.startswith("pypdf") for r in caplog.records), "fixture no longer makes pypdf warn"
    finally:
        pypdf_logger.setLevel(level)
    caplog.clear()
    capfd.readouterr()
    assert pdf.extract(damaged).text == "Body text."
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert capfd.readouterr() == ("", "")


def _line(text, x=72.0, y=0.0, size=12.0):
    return Line(text, x, y, size)


def test_lines_join_into_paragraphs_but_headings_and_items_keep_their_breaks():
    rows = [
        ("I. PURPOSE", 72),
        ("The purpose of this agreement is to set out the terms under which the", 72),
        ("parties will cooperate, and the limits of that cooperation in detail.", 72),
        ("It ends here.", 72),
        ("A new paragraph starts with an indent and runs on past the end of the", 108),
        ("line into the next one, which is not indented at all anymore, as usual.", 72),
        ("• first item of a list that is long enough to fill most of one line", 72),
        ("• second item", 72),
    ]
    lines = [_line(text, x, 700 - 14 * i) for i, (text, x) in enumerate(rows)]
    assert page_text(lines, vocabulary=Counter()) == (
        "I. PURPOSE\n"
        "The purpose of this agreement is to set out the terms under which the parties will cooperate, and "
        "the limits of that cooperation in detail. It ends here.\n\n"
        "A new paragraph starts with an indent and runs on past the end of the line into the next one, which "
        "is not indented at all anymore, as usual.\n\n"
        "• first item of a list that is long enough to fill most of one line\n"
        "• second item"
    )


def test_a_wider_gap_between_lines_ends_a_paragraph():
    rows = ["The first paragraph fills its line completely with words and more", "words until it ends."]
    rows += ["The second paragraph, set after extra space, also fills its line and", "continues below."]
    ys = [700, 686, 660, 646]
    lines = [_line(text, 72, y) for text, y in zip(rows, ys, strict=True)]
    text = page_text(lines, vocabulary=Counter())
    assert text == f"{rows[0]} {rows[1]}\n\n{rows[2]} {rows[3]}"


@pytest.mark.parametrize(
    ("first", "second", "known", "joined"),
    [
        ("consectetuer adip-", "iscing elit", {"adipiscing": 1}, "consectetuer adipiscing elit"),
        ("under the predominant-", "factor test", {"predominant": 2, "factor": 1}, "predominant-factor test"),
        ("Cras viverra metus rhon-", "cus sem", {}, "metus rhoncus sem"),
        ("an anti-", "American policy", {}, "anti-American policy"),
    ],
)
def test_line_end_hyphens_are_joined_only_when_safe(first, second, known, joined):
    lines = [_line(first, 72, 700), _line(second, 72, 686)]
    assert joined in page_text(lines, Counter(known))


def test_split_words_are_rejoined_from_layout_words_but_real_pairs_stay():
    lines = [Line("the pers onnel and a part of it"), Line("certified o f f i c e r s o r e m p l o y e e s")]
    layout = {"the", "personnel", "and", "a", "part", "apart", "of", "it", "certified", "officers", "or", "employees"}
    repair_split_words([lines], [layout])
    assert [line.text for line in lines] == ["the personnel and a part of it", "certified officers or employees"]


def test_pdfium_lines_break_again_at_its_joined_hyphens_and_are_placed_by_their_first_glyph():
    text = "Lorem adip\ufffeiscing elit.\r\n  Next line\ufffe\r\nlast"
    lines = split_lines(text, lambda i: (float(i), 700.0 - i, 12.0))
    assert [(line.text, line.x) for line in lines] == [
        ("Lorem adip-", 0.0),
        ("iscing elit.", 11.0),
        ("Next line-", 27.0),
        ("last", 39.0),
    ]
    assert page_text(lines, Counter({"adipiscing": 1})).startswith("Lorem adipiscing elit.")


# --- the real corpus -----------------------------------------------------------------------------------------

PASSWORDS = {
    "pypdf_resources/r2-user-password.pdf": "asdfzxcv",
    "pypdf_resources/r4-aes-user-password.pdf": "asdfzxcv",
    "pypdf_resources/r6-both-passwords.pdf": "foo",
    "pypdf_resources/crazyones-encrypted-256.pdf": "password",
    "pypdf_sample_files/libreoffice-writer-password.pdf": "openpassword",
    "pdfjs/saslprep-r6.pdf": "S\u00aaSL\u00adprep",
    "pdfjs/print_protection.pdf": "password",
}
OPEN_WITHOUT_PASSWORD = [
    "pypdf_resources/r6-user-password.pdf",  # its owner password is empty, which pypdf accepts
    "pypdf_resources/r2-owner-password.pdf",
    "pypdf_resources/r5-empty-password.pdf",
    "pypdf_resources/encrypted_doc_no_id.pdf",
    "pdfjs/empty_protected.pdf",
]


def test_every_hard_pdf_extracts_or_raises_extraction_error(corpus):
    timings, outcomes = [], {}
    for path in sorted((corpus / "pdf" / "hard").rglob("*.pdf")):
        name = str(path.relative_to(corpus / "pdf" / "hard"))
        started = time.perf_counter()
        try:
            extracted = pdf.extract(path.read_bytes())
        except ExtractionError as error:
            outcomes[name] = f"{type(error).__name__}: {error}"
        else:
            _assert_follows_text_rules(extracted)
            outcomes[name] = "needs_ocr" if extracted.needs_ocr else "ok"
        timings.append((time.perf_counter() - started, name))
    assert len(outcomes) >= 70
    assert outcomes["freelaw_doctor/empty.pdf"] == "ExtractionError: file is empty"
    assert all(outcomes[name].startswith("NeedsPassword") for name in PASSWORDS)
    print("slowest:", ", ".join(f"{name} {seconds:.2f}s" for seconds, name in sorted(timings)[-5:]))


def test_a_page_no_reader_can_open_is_reported_and_the_others_kept(corpus):
    extracted = pdf.extract((corpus / "pdf" / "hard" / "pdfjs" / "Pages-tree-refs.pdf").read_bytes())
    assert extracted.text.startswith("Testcase")
    assert extracted.page_spans[1] == (len(extracted.text), len(extracted.text))
    assert extracted.metadata["page_errors"] == "page 2: damaged PDF: Detected cyclic page references."


@pytest.mark.parametrize("name", sorted(PASSWORDS))
def test_encrypted_hard_pdfs_open_with_their_password(corpus, name):
    extracted = pdf.extract((corpus / "pdf" / "hard" / name).read_bytes(), ["wrong guess", PASSWORDS[name]])
    _assert_follows_text_rules(extracted)


@pytest.mark.parametrize("name", OPEN_WITHOUT_PASSWORD)
def test_encrypted_hard_pdfs_with_an_empty_user_password_open_as_they_are(corpus, name):
    _assert_follows_text_rules(pdf.extract((corpus / "pdf" / "hard" / name).read_bytes()))


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFKC", text).split()


@pytest.mark.parametrize(("name", "passwords"), [("crazyones.pdf", ()), ("crazyones-encrypted-256.pdf", ["password"])])
def test_crazyones_matches_its_ground_truth(corpus, name, passwords):
    folder = corpus / "pdf" / "hard" / "pypdf_resources"
    expected = (folder / "crazyones.txt").read_text(encoding="utf-8")
    assert _words(pdf.extract((folder / name).read_bytes(), passwords).text) == _words(expected)


@pytest.mark.parametrize("name", ["image-pdf.pdf", "image-pdf-2.pdf"])
def test_scanned_court_documents_need_ocr(corpus, name):
    extracted = pdf.extract((corpus / "pdf" / "hard" / "freelaw_doctor" / name).read_bytes())
    assert extracted.needs_ocr


def test_two_columns_come_out_in_reading_order_with_whole_words(corpus):
    text = pdf.extract((corpus / "pdf" / "hard" / "pypdf_sample_files" / "multicolumn.pdf").read_bytes()).text
    order = ["This is a sample document", "Duis eget orci sit amet orci dignissim rutrum.", "Nam dui ligula"]
    order += ["Nulla malesuada porttitor diam", "Nam feugiat"]
    positions = [text.index(fragment) for fragment in order]
    assert positions == sorted(positions)
    assert "consectetuer adipiscing elit" in text and "adip-" not in text


def test_287g_agreements_extract_and_scans_are_flagged(corpus):
    folder = corpus / "topic" / "287g"
    with (folder / "labels.csv").open(encoding="utf-8") as handle:
        labels = {row["file"]: row["text_layer"] for row in csv.DictReader(handle)}
    pages, started = 0, time.perf_counter()
    for file, text_layer in labels.items():
        extracted = pdf.extract((folder / file).read_bytes())
        _assert_follows_text_rules(extracted)
        pages += int(extracted.metadata["pages"])
        assert extracted.needs_ocr == text_layer.startswith("no"), file
    print(f"287(g): {pages} pages at {pages / (time.perf_counter() - started):.1f} pages/s")


def test_justified_text_keeps_words_whole(corpus):
    path = next((corpus / "topic" / "287g" / "pdf").glob("TEXAS__*.pdf"))
    text = pdf.extract(path.read_bytes()).text
    assert "direction and supervision" in text and "direct ion" not in text
    assert "certified officers or employees" in text
    assert len(re.findall(r"\b(?:pers onnel|immigra tion|w ill|th e)\b", text)) == 0


def _franklin(corpus) -> Extracted:
    path = next((corpus / "topic" / "287g" / "pdf").glob("ALABAMA__Franklin_County*.pdf"))
    return pdf.extract(path.read_bytes())


def test_a_known_page_holds_its_text_within_its_span(corpus):
    extracted = _franklin(corpus)
    _assert_follows_text_rules(extracted)
    pages = [extracted.text[a:b] for a, b in extracted.page_spans]
    assert len(pages) == 14
    phrase = "Before participating LEA personnel receive authorization to perform immigration officer functions"
    assert pages[1].startswith("IV. TRAINING AND ASSIGNMENTS") and phrase in pages[1]
    assert phrase not in pages[0] and phrase not in pages[2]
    assert extracted.title == "287(g) MOA TF - Franklin County Sheriff's Office"


def test_form_text_laid_over_a_sentence_no_longer_splices_into_it(corpus):
    text = _franklin(corpus).text  # pypdf gave "Homeland\nFranklin County Sheriff's Office, AlabamaSecurity (DHS)"
    assert "a component of the Department of Homeland Security (DHS)" in text
    assert "AlabamaSecurity" not in text and "hereinafterFranklin" not in text
    assert "immig ration" not in text
