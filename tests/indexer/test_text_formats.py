"""Plain text, Markdown and DOCX extraction on generated files and on the corpus."""

import io

import docx
import pytest

from indexer.errors import ExtractionError
from indexer.formats import docx as docx_format
from indexer.formats import markdown, plaintext


def test_plain_text_title_and_normalised_text():
    extracted = plaintext.extract(b"Ink helps drive democracy\r\n\r\n\r\nThe Kyrgyz Republic \x00uses ink.  \r\n")
    assert extracted.title == "Ink helps drive democracy"
    assert extracted.text == "Ink helps drive democracy\n\nThe Kyrgyz Republic uses ink."


def test_plain_text_utf16_with_bom():
    assert plaintext.extract("Caf\u00e9 council".encode("utf-16")).text == "Caf\u00e9 council"


def test_empty_text_is_an_error():
    with pytest.raises(ExtractionError, match="no text"):
        plaintext.extract(b"  \n\t\n")


def test_markdown_front_matter_and_plain_rendering():
    source = (
        b"---\ntitle: 'Presidential Permit: Cameron County'\ndate: '2026-07-30'\nauthor: [A. One, B. Two]\n"
        b"tags: presidential-actions\n---\n\n![photo](https://example.org/x.jpg)\nCaption line\n\n"
        b"Some **bold** text with a [link](https://example.org).\n\n- first item\n- second item\n\n"
        b"<div><p>Raw <b>HTML</b> block</p></div>\n"
    )
    extracted = markdown.extract(source)
    assert extracted.title == "Presidential Permit: Cameron County"
    assert extracted.published.isoformat() == "2026-07-30"
    assert extracted.author == "A. One, B. Two"
    assert extracted.metadata["tags"] == "presidential-actions"
    assert extracted.text == (
        "Caption line\n\nSome bold text with a link.\n\n- first item\n- second item\n\nRaw HTML block"
    )


def test_markdown_without_title_leaves_it_to_the_file_name():
    assert markdown.extract(b"![img](x.png)\nA caption, not a title.\n").title == ""


def test_markdown_with_broken_front_matter_keeps_the_text():
    extracted = markdown.extract(b"---\ntitle: [unclosed\n---\nBody text.\n")
    assert "Body text." in extracted.text


def test_markdown_with_tab_indented_html_is_stored_as_the_text_a_reader_sees():
    source = (
        '---\ntitle: Saved article\n---\n\n\t\n\t\t<p><span class="lead">Officers <a href="x">won&apos;t</a>'
        " join</span> raids.</p>\n\t\t<script>var photo = {};</script>\n\n<p>Second paragraph.</p>\n"
        "\n    print('real code stays')\n"
    )
    text = markdown.extract(source.encode()).text
    assert text == "Officers won't join raids.\n\nSecond paragraph.\n\nprint('real code stays')"


def test_saved_gothamist_articles_have_no_markup_in_their_text(corpus):
    files = sorted((corpus / "topic" / "gothamist_immigration").rglob("*.md"))
    assert files, "the corpus has no saved Gothamist articles"
    for path in files:
        text = markdown.extract(path.read_bytes()).text
        assert not any(mark in text for mark in ("<p", "</", "<img", "<span", "var photo")), path.name


def test_seed_article_text_is_clean(corpus):
    extracted = markdown.extract((corpus / "seed" / "npr-cities-immigration-crackdown-2025.md").read_bytes())
    assert "https://" not in extracted.text
    assert (
        "\u201cThe Omaha Police Department does not intend to participate in any raids,\u201d said Chief "
        "Todd Schmaderer"
    ) in extracted.text
    assert "Huntington Beach, California, passed a measure" in extracted.text


def make_docx(**props) -> bytes:
    document = docx.Document()
    document.add_heading("Ordinance 2025-14", level=1)
    document.add_paragraph("The city shall not use its resources for immigration enforcement.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Section", "Effect"
    table.cell(1, 0).text, table.cell(1, 1).text = "3(b)", "No information sharing"
    for key, value in props.items():
        setattr(document.core_properties, key, value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_tables_and_properties():
    extracted = docx_format.extract(make_docx(author="City Clerk"))
    assert extracted.title == "Ordinance 2025-14"
    assert extracted.author == "City Clerk"
    assert extracted.text == (
        "Ordinance 2025-14\n\nThe city shall not use its resources for immigration "
        "enforcement.\n\nSection | Effect\n3(b) | No information sharing"
    )


def test_docx_that_is_not_a_zip_is_a_clear_error():
    with pytest.raises(ExtractionError, match="not a readable zip"):
        docx_format.extract(b"PK\x03\x04 truncated")


def test_password_protected_docx_is_explained():
    with pytest.raises(ExtractionError, match="encrypted or legacy"):
        docx_format.extract(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)


def test_corpus_docx_files_extract_or_fail_cleanly(corpus):
    files = sorted((corpus / "office" / "docx").rglob("*.docx"))
    assert files
    extracted = 0
    for path in files:
        try:
            docx_format.extract(path.read_bytes())
            extracted += 1
        except ExtractionError as exc:
            assert str(exc)
    assert extracted >= len(files) * 0.75
