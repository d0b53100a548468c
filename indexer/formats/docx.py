"""Word documents (.docx): paragraphs, tables, altChunk parts and chart text in body order, then the headers and
footers; core properties as metadata."""

import io
from collections.abc import Sequence
from types import SimpleNamespace

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from indexer.errors import ExtractionError
from indexer.formats.cleanup import first_line_title, normalize_text
from indexer.formats.dates import parse_date
from indexer.formats.docx_parts import alt_chunk_text, chart_text, no_text_reason
from indexer.types import Extracted
from indexer.zipsafety import UnsafeZip, ZipLimits, open_checked

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_NO_PROPERTIES = SimpleNamespace(
    title="", author="", created=None, subject="", keywords="", category="", last_modified_by=""
)
_LIMITS = ZipLimits(max_members=5_000, max_total_size=256 * 1024 * 1024)


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Extract a .docx file after checking its zip container."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ExtractionError(
            "this is an encrypted or legacy Word file, not a .docx: remove the password or save it as .docx in Word"
        )
    try:
        open_checked(data, _LIMITS).close()
    except UnsafeZip as exc:
        raise ExtractionError(f"damaged or unsafe DOCX: {exc}") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractionError(f"not a readable Word document ({exc})") from exc
    text = normalize_text("\n\n".join(b for b in [*_blocks(document), *_headers_and_footers(document)] if b.strip()))
    if not text:  # text only in content controls, tracked insertions, fields or text boxes
        text = normalize_text("\n\n".join(_xml_paragraphs(document.element.body)))
    if not text:
        raise ExtractionError(no_text_reason(document))
    try:  # python-docx makes up "Word Document" by "python-docx" for a file without core properties
        document.part.package.part_related_by(RT.CORE_PROPERTIES)
        props = document.core_properties
    except KeyError:
        props = _NO_PROPERTIES
    headings = [
        p.text
        for p in document.paragraphs
        if p.style is not None and (p.style.name or "").startswith(("Title", "Heading 1")) and p.text.strip()
    ]
    title = (props.title or "").strip() or (headings[0].strip() if headings else "") or first_line_title(text)
    return Extracted(
        text=text,
        title=title,
        author=(props.author or "").strip(),
        published=parse_date(props.created),
        metadata=_properties(props),
    )


def _blocks(document) -> list[str]:
    """Paragraphs, tables and altChunk parts in body order, each chart's text after its block."""
    body = document.element.body
    blocks = []
    for element in body.iterchildren(_W + "p", _W + "tbl", _W + "altChunk"):
        if element.tag == _W + "p":
            blocks.append(Paragraph(element, document._body).text)
        elif element.tag == _W + "tbl":
            blocks.append(_table_text(Table(element, document._body)))
        else:  # content Word imports when it opens the file: an HTML, MHT or text part
            blocks.append(alt_chunk_text(document.part, element))
        blocks.extend(chart_text(document.part, element))
    return blocks


def _headers_and_footers(document) -> list[str]:
    """Each distinct header and footer text of the sections (letterheads, file numbers, "Confidential"), after the
    body so that the body's first line still names the document."""
    seen: dict[str, None] = {}
    for section in document.sections:
        for part in (
            *(section.header, section.first_page_header, section.even_page_header),
            *(section.footer, section.first_page_footer, section.even_page_footer),
        ):
            if part.is_linked_to_previous:
                continue
            text = "\n".join(p.text for p in part.paragraphs if p.text.strip())
            text += "".join(f"\n{_table_text(table)}" for table in part.tables)
            if text.strip():
                seen.setdefault(text.strip())
    return list(seen)


def _xml_paragraphs(body) -> list[str]:
    """Every paragraph's text straight from the XML, skipping compatibility fallbacks."""
    paragraphs = []
    for paragraph in body.iter(_W + "p"):
        if any(a.tag == _MC_FALLBACK for a in paragraph.iterancestors()):
            continue
        parts = [
            node.text or "" if node.tag == _W + "t" else "\t" if node.tag == _W + "tab" else "\n"
            for node in paragraph.iter(_W + "t", _W + "tab", _W + "br")
            if next(node.iterancestors(_W + "p")) is paragraph
        ]
        if "".join(parts).strip():
            paragraphs.append("".join(parts))
    return paragraphs


def _table_text(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            value = " ".join(cell.text.split())
            if not cells or cells[-1] != value:
                cells.append(value)
        rows.append(" | ".join(cells))
    return "\n".join(rows)


def _properties(props) -> dict[str, str]:
    fields = {
        "subject": props.subject,
        "keywords": props.keywords,
        "category": props.category,
        "last_modified_by": props.last_modified_by,
    }
    return {k: str(v).strip() for k, v in fields.items() if v and str(v).strip()}
