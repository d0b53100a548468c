"""Office, e-book and table formats on real corpus files, and a damaged file of each kind."""

from __future__ import annotations

import io
import shutil
import zipfile

import openpyxl
import pytest
from odf.opendocument import OpenDocumentPresentation, OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from indexer import extract as extract_module
from indexer.errors import ExtractionError
from indexer.extract import extract, kind_for, supported_suffixes
from indexer.formats import table

OFFICE = "office"


def _read(corpus, *parts: str) -> bytes:
    path = corpus.joinpath(OFFICE, *parts)
    if not path.is_file():
        pytest.skip(f"corpus file missing: {path}")
    return path.read_bytes()


def _needs(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (see .ci/run)")


# --- RTF ---------------------------------------------------------------------------------------


def test_rtf_declared_code_page_decodes(corpus):
    doc = extract("rtf", _read(corpus, "rtf", "tika", "testRTFWindowsCodepage1250.rtf"))
    assert doc.text == "zażółć gęślą jaźń\nZAŻÓŁĆ GĘŚLĄ JAŹŃ"


def test_rtf_text_title_and_author(corpus):
    doc = extract("rtf", _read(corpus, "rtf", "tika", "testRTFWord2010CzechCharacters.rtf"))
    assert doc.text.startswith("Článek týdne\nČást svitku s textem Knihy Izajáš")
    assert "Svitky od Mrtvého moře" in doc.text
    japanese = extract("rtf", _read(corpus, "rtf", "tika", "testRTF-ms932.rtf"))
    assert japanese.text == "Hello\nこんにちは\nTest\nテスト"
    assert japanese.author == "shinsuke"


def test_rtf_lone_surrogates_do_not_survive(corpus):
    doc = extract("rtf", _read(corpus, "rtf", "tika", "testRTFInvalidUnicode.rtf"))
    assert doc.text.startswith("Unpaired hi")
    doc.text.encode("utf-8")  # would raise on a lone surrogate


def test_not_rtf_is_refused():
    with pytest.raises(ExtractionError, match="not an RTF file"):
        extract("rtf", b"plain words, no rtf header")


# --- OpenDocument ---------------------------------------------------------------------------


def test_odt_paragraphs_tables_and_metadata(corpus):
    doc = extract("odt", _read(corpus, "odt", "tika", "testNPEOpenDocument.odt"))
    assert doc.title == "Práctica de GnuPG"
    assert doc.author == "Carmen Eugenio Maneiro"
    assert str(doc.published) == "2006-08-15"
    assert "Traducción al castellano de la Práctica sobre GnuPG" in doc.text
    styled = extract("odt", _read(corpus, "odt", "tika", "testODTStyles2.odt"))
    assert "Identificatie vredegerecht | Vredegerecht Name" in styled.text


def test_odt_with_missing_thumbnail_and_embedded_formula(corpus):
    assert extract("odt", _read(corpus, "odt", "tika", "testODTNoMeta.odt")).text == "Test text"
    formula = extract("odt", _read(corpus, "odt", "tika", "testODFwithOOo3.odt"))
    assert "Tika is part of the Lucene project." in formula.text


def test_odt_encrypted_and_not_a_zip(corpus):
    with pytest.raises(ExtractionError, match="password-protected"):
        extract("odt", _read(corpus, "odt", "tika", "testODTEncrypted.odt"))
    with pytest.raises(ExtractionError, match="not a readable zip"):
        extract("odt", _read(corpus, "odt", "tika", "testODTnotaZipFile.odt"))


def test_ods_is_table_text_and_odp_slides_read():
    sheet = OpenDocumentSpreadsheet()
    grid = Table(name="Budget")
    for values in (["Item", "Cost"], ["Paper", "12"]):
        row = TableRow()
        for value in values:
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        grid.addElement(row)
    sheet.spreadsheet.addElement(grid)
    buffer = io.BytesIO()
    sheet.save(buffer)
    assert extract("ods", buffer.getvalue()).text == "Budget\nItem | Cost\nPaper | 12"
    from odf.draw import Frame, Page, TextBox

    slides = OpenDocumentPresentation()
    page = Page(name="one", masterpagename="Default")
    frame = Frame(width="10cm", height="2cm", x="1cm", y="1cm")
    box = TextBox()
    box.addElement(P(text="Quarterly review"))
    frame.addElement(box)
    page.addElement(frame)
    slides.presentation.addElement(page)
    buffer = io.BytesIO()
    slides.save(buffer)
    assert extract("odp", buffer.getvalue()).text == "Quarterly review"


def test_opendocument_without_content_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with pytest.raises(ExtractionError, match=r"no content\.xml"):
        extract("odt", buffer.getvalue())


# --- EPUB -----------------------------------------------------------------------------------


def test_epub_chapters_in_spine_order_with_metadata(corpus):
    doc = extract("epub", _read(corpus, "epub", "tika", "testEPUB.epub"))
    assert doc.title == "An ePub for Tika"
    assert doc.author == "Bart Hanssens"
    one = doc.text.index("This is the text for chapter One")
    two = doc.text.index("This is the text for chapter Two")
    assert one < two
    orwell = extract("epub", _read(corpus, "epub", "tika", "testEPUB_xml_ext.epub"))
    assert orwell.title == "1984" and orwell.author == "George Orwell"
    assert "the clocks were striking thirteen" in orwell.text


def test_epub_with_two_authors(corpus):
    doc = extract("epub", _read(corpus, "epub", "tika", "testEPUB_multi-metadata-vals.epub"))
    assert doc.title == "The Inheritors"
    assert doc.author == "Joseph Conrad, Ford Madox Ford"


def test_damaged_epub_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/epub+zip")
    with pytest.raises(ExtractionError, match="not a readable EPUB"):
        extract("epub", buffer.getvalue())


# --- legacy Word and WordPerfect ------------------------------------------------------------


def test_doc_via_antiword(corpus):
    _needs("antiword")
    doc = extract("doc", _read(corpus, "doc_wpd", "freelaw_doctor", "word-doc.doc"))
    assert "Attorney General of Indiana" in doc.text
    assert "Monica Foster" in doc.text
    sample = extract("doc", _read(corpus, "doc_wpd", "tika", "testWORD.doc"))
    assert sample.title == "Sample Word Document Title"
    assert "This is a sample Microsoft Word Document." in sample.text


def test_word6_doc_via_catdoc(corpus):
    _needs("antiword")
    _needs("catdoc")
    doc = extract("doc", _read(corpus, "doc_wpd", "tika", "testWORD6.doc"))
    assert doc.text == "The quick brown fox jumps over the lazy dog"


def test_protected_docs_say_why(corpus):
    _needs("antiword")
    with pytest.raises(ExtractionError, match="encrypted"):
        extract("doc", _read(corpus, "doc_wpd", "tika", "testWORD_protected_passtika.doc"))
    with pytest.raises(ExtractionError, match="rights-protected"):
        extract("doc", _read(corpus, "doc_wpd", "tika", "testWORD_protected_drm.doc"))


def test_doc_that_is_not_word_is_refused():
    with pytest.raises(ExtractionError, match="not a Word 97-2003 document"):
        extract("doc", b"just some bytes that are no document at all")


def test_missing_converter_names_the_package(corpus, monkeypatch):
    data = _read(corpus, "doc_wpd", "freelaw_doctor", "word-doc.doc")
    monkeypatch.setenv("PATH", "")
    with pytest.raises(ExtractionError, match=r"apt install antiword"):
        extract("doc", data)
    with pytest.raises(ExtractionError, match=r"apt install libwpd-tools"):
        extract("wordperfect", _read(corpus, "doc_wpd", "freelaw_doctor", "word-perfect.wpd"))


def test_wordperfect_via_wpd2text(corpus):
    _needs("wpd2text")
    doc = extract("wordperfect", _read(corpus, "doc_wpd", "freelaw_doctor", "word-perfect.wpd"))
    assert "Jeffrey A. Modisett" in doc.text
    assert "Deputy Attorney General" in doc.text
    old = extract("doc", _read(corpus, "doc_wpd", "tika", "testWordPerfect_42.doc"))  # WordPerfect 4.2 named .doc
    assert old.text.startswith("Sluwe Sjaantje sloeg de slome slager")


def test_damaged_wordperfect_is_refused():
    _needs("wpd2text")
    with pytest.raises(ExtractionError, match="not a readable WordPerfect document"):
        extract("wordperfect", b"\xffWPC garbage that is no document")


# --- CSV and XLSX ---------------------------------------------------------------------------


def test_csv_rows_become_lines():
    data = b'name;city\nAda Lovelace;London\n"Smith; J";Paris\n'
    assert extract("csv", data).text == "name | city\nAda Lovelace | London\nSmith; J | Paris"


def test_binary_csv_is_refused():
    with pytest.raises(ExtractionError, match="binary data"):
        extract("csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x08\x06")


def test_xlsx_sheets_and_values():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Grants"
    sheet.append(["Recipient", "Amount"])
    sheet.append(["Library", 1200.0])
    book.create_sheet("Notes").append(["approved in March"])
    buffer = io.BytesIO()
    book.save(buffer)
    text = extract("xlsx", buffer.getvalue()).text
    assert text == "Grants\nRecipient | Amount\nLibrary | 1200\n\nNotes\napproved in March"


def test_damaged_xlsx_is_refused():
    with pytest.raises(ExtractionError, match="not a readable zip"):
        extract("xlsx", b"PK\x03\x04 truncated")


def test_table_rows_are_capped_and_the_cut_is_said(monkeypatch):
    monkeypatch.setattr(table, "MAX_ROWS", 3)
    doc = extract("csv", b"".join(b"row%d,x\n" % n for n in range(10)))
    lines = doc.text.splitlines()
    assert "cut" in doc.metadata
    assert lines[:3] == ["row0 | x", "row1 | x", "row2 | x"]
    assert lines[3].startswith("[table cut here") and len(lines) == 4


# --- registration ---------------------------------------------------------------------------


def test_new_suffixes_are_registered_and_listed(tmp_path):
    for suffix in (".rtf", ".odt", ".ods", ".odp", ".epub", ".doc", ".wpd", ".csv", ".xlsx"):
        assert kind_for(tmp_path / f"file{suffix.upper()}") is not None
        assert suffix in supported_suffixes()
    assert set(extract_module.KINDS.values()) == set(extract_module._MODULES)


def test_rtf_headers_footers_and_groups_with_a_stray_star_are_read(corpus):
    boarding = extract("rtf", _read(corpus, "rtf", "tika", "testRTFBoldPlain.rtf"))  # all its text is a header
    assert boarding.text.startswith("Animal Hospital\n(555) 555-1212") and boarding.title == "Animal Hospital"
    various = extract("rtf", _read(corpus, "rtf", "tika", "testRTFVarious.rtf"))
    assert "This is the header text." in various.text and "This is the footer text." in various.text
    assert various.title == "Footnote appears here"  # the body's first line, not the running header
    fox = extract("rtf", _read(corpus, "rtf", "tika", "testRTFIgnoredControlWord.rtf"))
    assert fox.text == "The quick brown fox jumps over the lazy dog"


def test_rtf_without_text_says_what_it_holds(corpus):
    with pytest.raises(ExtractionError, match="only pictures or embedded objects"):
        extract("rtf", _read(corpus, "rtf", "tika", "testBinControlWord.rtf"))
    with pytest.raises(ExtractionError, match="contains no text"):
        extract("rtf", _read(corpus, "rtf", "tika", "test_list_override.rtf"))


def test_rtf_title_skips_the_question_marks_word_writes_before_the_unicode_one(corpus):
    doc = extract("rtf", _read(corpus, "rtf", "tika", "testRTFJapanese.rtf"))
    assert doc.title.startswith("ゾルゲと尾崎")
