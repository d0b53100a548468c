"""OpenDocument text, spreadsheets and presentations (.odt, .ods, .odp) via odfpy: paragraphs and
headings in order, tables a row per line with cells joined by `` | ``, metadata from meta.xml."""

import contextlib
import io
import zipfile
from collections.abc import Sequence
from xml.parsers.expat import ExpatError
from xml.sax import SAXException
from xml.sax.saxutils import escape

from odf import opendocument, table, teletype, text
from odf.namespaces import DCNS, METANS, OFFICENS, TABLENS, TEXTNS

from indexer.errors import ExtractionError
from indexer.formats.cleanup import first_line_title, normalize_text
from indexer.formats.dates import parse_date
from indexer.types import Extracted
from indexer.zipsafety import UnsafeZip, ZipLimits, open_checked

_LIMITS = ZipLimits(max_members=5_000, max_total_size=256 * 1024 * 1024)
#: Spreadsheet rows and cells kept per document; the rest is dropped and the text says so.
MAX_ROWS = 100_000
MAX_CELLS = 2_000_000
_REPEAT_CAP = 1_000  # a repeated row or cell is written out at most this often (empty ones never)
_TABLE = (TABLENS, "table")
_MANIFEST = "META-INF/manifest.xml"
_PARTS = ("mimetype", "content.xml", "meta.xml", "styles.xml")
_CELLS = ((TABLENS, "table-cell"), (TABLENS, "covered-table-cell"))
_PARAGRAPHS = ((TEXTNS, "p"), (TEXTNS, "h"))


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Extract an OpenDocument file after checking its zip container."""
    try:
        with open_checked(data, _LIMITS) as archive:
            names = set(archive.namelist())
            manifest = archive.read(_MANIFEST) if _MANIFEST in names else b""
            if b"encryption-data" in manifest:
                raise ExtractionError("this OpenDocument file is password-protected: save a copy without the password")
            if "content.xml" not in names:
                raise ExtractionError("not an OpenDocument file (it has no content.xml)")
            parts = {name: archive.read(name) for name in _PARTS if name in names}
    except (UnsafeZip, zipfile.BadZipFile) as exc:
        raise ExtractionError(f"damaged or unsafe OpenDocument file: {exc}") from exc
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # odfpy prints a part it cannot parse, then skips it
            document = opendocument.load(io.BytesIO(_text_parts(parts)))
    except (KeyError, ExpatError, SAXException, ValueError, zipfile.BadZipFile, AttributeError) as exc:
        raise ExtractionError(f"not a readable OpenDocument file ({exc})") from exc
    blocks = list(_blocks(document.body))
    text_ = normalize_text("\n\n".join(b for b in blocks if b.strip()))
    if not text_:
        raise ExtractionError("the OpenDocument file contains no text")
    meta = _meta(document)
    return Extracted(
        text=text_,
        title=meta.pop("title", "") or first_line_title(text_),
        author=meta.pop("creator", "") or meta.pop("initial-creator", ""),
        published=parse_date(meta.pop("creation-date", "") or meta.pop("date", "") or None),
        metadata={k: v for k, v in meta.items() if k in ("subject", "description", "keyword")},
    )


def _text_parts(parts: dict[str, bytes]) -> bytes:
    """A copy of the package with only its text parts, for odfpy, which otherwise loads every picture
    and embedded object too (and fails on a missing thumbnail or an embedded formula's DTD)."""
    entries = "".join(f'<manifest:file-entry manifest:full-path="{n}" manifest:media-type="text/xml"/>' for n in parts)
    mimetype = parts.get("mimetype", b"application/vnd.oasis.opendocument.text").decode("ascii", "replace")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{escape(mimetype, {chr(34): "&quot;"})}"/>'
        f"{entries}</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in parts.items():
            package.writestr(name, content)
        package.writestr(_MANIFEST, manifest)
    return buffer.getvalue()


def _blocks(element):
    """Paragraphs, headings and tables under ``element``, in document order."""
    for node in element.childNodes:
        if node.nodeType != node.ELEMENT_NODE:
            continue
        if node.qname == _TABLE:
            yield _table_text(node)
        elif node.qname in _PARAGRAPHS:
            yield teletype.extractText(node)
        else:
            yield from _blocks(node)


def _table_text(element) -> str:
    rows: list[str] = []
    cells = 0
    for row in element.getElementsByType(table.TableRow):
        values = []
        for cell in row.childNodes:
            if cell.qname not in _CELLS:
                continue
            value = " ".join(" ".join(teletype.extractText(p) for p in cell.getElementsByType(text.P)).split())
            repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1) if value else 1
            values.extend([value] * min(repeat, _REPEAT_CAP))
        while values and not values[-1]:
            values.pop()
        repeat = int(row.getAttribute("numberrowsrepeated") or 1) if values else 0
        for _ in range(min(repeat, _REPEAT_CAP)):
            if len(rows) >= MAX_ROWS or cells + len(values) > MAX_CELLS:
                rows.append(f"[table cut after {len(rows):,} rows: Dossier keeps {MAX_ROWS:,} rows of a sheet]")
                return "\n".join(rows)
            rows.append(" | ".join(values))
            cells += len(values)
    name = element.getAttribute("name")
    body = "\n".join(rows).strip("\n")
    return f"{name}\n{body}" if name and body and _is_sheet(element) else body


def _is_sheet(element) -> bool:
    parent = element.parentNode
    return parent is not None and parent.qname == (OFFICENS, "spreadsheet")


def _meta(document) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in document.meta.childNodes:
        if node.nodeType != node.ELEMENT_NODE or node.qname[0] not in (DCNS, METANS):
            continue
        value = " ".join(teletype.extractText(node).split())
        if value:
            key = node.qname[1]
            found[key] = f"{found[key]}, {value}" if key == "keyword" and key in found else found.get(key, value)
    return found
