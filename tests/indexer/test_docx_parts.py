"""Word documents whose text lies outside body paragraphs (altChunk parts, charts), and the reason
given for those that hold no text at all, on the Tika test files of the corpus."""

import io
import zipfile
from pathlib import Path

import pytest

from indexer.errors import ExtractionError
from indexer.formats import docx

_TIKA = Path("office/docx/tika")


def _read(corpus: Path, name: str) -> bytes:
    path = corpus / _TIKA / name
    if not path.is_file():
        pytest.skip(f"corpus file {path} not found")
    return path.read_bytes()


@pytest.mark.parametrize("name", ["testAltChunkHTML.docx", "testAltChunkMHT.docx"])
def test_alt_chunk_html_and_mht_are_read(corpus, name):
    text = docx.extract(_read(corpus, name)).text
    assert text.startswith("Simple paragraph with a emphasized word.")
    assert "Example of a table:" in text
    assert "ROW 2" in text
    assert "<p>" not in text and "=20" not in text  # markup and quoted-printable are decoded


def test_mht_chunk_keeps_its_own_cell_text(corpus):
    assert "Red PNG dot; ROW 1" in docx.extract(_read(corpus, "testAltChunkMHT.docx")).text


def test_chart_title_series_and_categories_are_read(corpus):
    text = docx.extract(_read(corpus, "testWORD_charts.docx")).text
    lines = text.splitlines()
    assert lines[:3] == ["wants a peach", "NUMBER", "January"]
    assert "August" in lines
    assert "5" not in lines  # the data values are numbers, not text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("2pic.docx", "holds only pictures"),
        ("headerPic.docx", "holds only pictures"),
        ("2exe.docx", "holds only embedded objects (2)"),
        ("testWPSAttachment.docx", "holds only embedded objects (9)"),
        ("testWORD_multi_authors.docx", "is empty"),
    ],
)
def test_documents_without_text_say_what_they_hold(corpus, name, reason):
    with pytest.raises(ExtractionError, match=r"the Word document " + reason.replace("(", r"\(").replace(")", r"\)")):
        docx.extract(_read(corpus, name))


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/chunk.html" ContentType="text/html"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="word/document.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
_DOC_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="chunk" Target="chunk.html"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk"/>
</Relationships>"""
_DOCUMENT = """<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>
<w:p><w:r><w:t>Before the chunk</w:t></w:r></w:p>
<w:altChunk r:id="chunk"/>
<w:altChunk r:id="missing"/>
<w:p><w:r><w:t>After the chunk</w:t></w:r></w:p>
</w:body></w:document>"""


def _docx_with_chunk() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/_rels/document.xml.rels", _DOC_RELS)
        archive.writestr("word/document.xml", _DOCUMENT)
        archive.writestr("word/chunk.html", "<html><body><p>Caf\u00e9 inside the chunk</p></body></html>")
    return out.getvalue()


def test_alt_chunk_text_stands_where_the_chunk_is_and_a_broken_link_is_skipped():
    text = docx.extract(_docx_with_chunk()).text
    assert text == "Before the chunk\n\nCaf\u00e9 inside the chunk\n\nAfter the chunk"


def test_a_document_without_core_properties_gets_no_made_up_title_or_editor(corpus):
    extracted = docx.extract(_read(corpus, "testAltChunkHTML.docx"))  # the file has no docProps/core.xml
    assert extracted.title == "Simple paragraph with a emphasized word."
    assert "last_modified_by" not in extracted.metadata  # python-docx's default says "python-docx"


def test_headers_and_footers_follow_the_body_once_each(tmp_path):
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("Memo on cooperation with immigration enforcement")
    section = document.sections[0]
    section.header.paragraphs[0].text = "Omaha Police Department, Office of the Chief"
    section.footer.paragraphs[0].text = "Case file 2025-117"
    document.add_section()  # linked to the first: the same header is not read twice
    document.add_paragraph("Second section body.")
    out = io.BytesIO()
    document.save(out)

    found = docx.extract(out.getvalue())

    assert found.text.split("\n\n") == [
        "Memo on cooperation with immigration enforcement",
        "Second section body.",
        "Omaha Police Department, Office of the Chief",
        "Case file 2025-117",
    ]
    assert found.title == "Memo on cooperation with immigration enforcement"
