"""Tables (.csv via the csv module, .xlsx via openpyxl in read-only mode) as text: a row per line,
cells joined by `` | ``, each sheet headed by its name; at most :data:`MAX_ROWS` rows and
:data:`MAX_CELLS` cells, the cut noted in the text."""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime

from indexer.decode import decode_text
from indexer.errors import ExtractionError
from indexer.formats.cleanup import first_line_title, normalize_text
from indexer.types import Extracted
from indexer.zipsafety import UnsafeZip, ZipLimits, open_checked

#: Rows and cells one table document keeps; the rest is dropped and the text ends with a note.
MAX_ROWS = 100_000
MAX_CELLS = 2_000_000
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")  # never in a text file
_LIMITS = ZipLimits(max_members=5_000, max_total_size=512 * 1024 * 1024)
_CUT = "[table cut here:"


def extract_csv(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """A CSV (or TSV) file, its dialect sniffed from the start."""
    source = decode_text(data)
    if len(_CONTROL.findall(source[:8192])) > len(source[:8192]) // 100:
        raise ExtractionError("not a CSV text file (it holds binary data)")
    try:
        dialect = csv.Sniffer().sniff(source[:16384], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        text = _rows_text(csv.reader(io.StringIO(source, newline=""), dialect))
    except csv.Error as exc:
        raise ExtractionError(f"damaged CSV file ({exc})") from exc
    if not text:
        raise ExtractionError("the CSV file contains no text")
    return Extracted(text=text, title=first_line_title(text), metadata=_cut_note(text))


def extract_xlsx(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """An Excel workbook (.xlsx): every sheet's values (formulas as last computed by Excel)."""
    import openpyxl  # imported here: only workers reading workbooks pay for it

    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ExtractionError(
            "this is an encrypted or legacy Excel file, not an .xlsx: save it as .xlsx without a password"
        )
    try:
        open_checked(data, _LIMITS).close()
    except UnsafeZip as exc:
        raise ExtractionError(f"damaged or unsafe XLSX: {exc}") from exc
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, OSError) as exc:
        raise ExtractionError(f"not a readable Excel workbook ({exc})") from exc
    try:
        budget = [MAX_ROWS, MAX_CELLS]
        sheets = []
        for sheet in book.worksheets:
            body = _rows_text(sheet.iter_rows(values_only=True), budget)
            if body:
                sheets.append(f"{sheet.title}\n{body}")
            if budget[0] <= 0 or budget[1] <= 0:
                break
        props = book.properties
    finally:
        book.close()
    text = normalize_text("\n\n".join(sheets))
    if not text:
        raise ExtractionError("the workbook contains no text")
    return Extracted(
        text=text,
        title=(props.title or "").strip() or first_line_title(text),
        author=(props.creator or "").strip(),
        published=props.created.date() if isinstance(props.created, datetime) else None,
        metadata=_cut_note(text),
    )


def _rows_text(rows: Iterable[Sequence[object]], budget: list[int] | None = None) -> str:
    """Non-empty rows as lines; ``budget`` is [rows, cells] left, shared across the sheets of a workbook."""
    budget = budget if budget is not None else [MAX_ROWS, MAX_CELLS]
    lines: list[str] = []
    for row in rows:
        cells = [_cell(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if budget[0] <= 0 or budget[1] < len(cells):
            lines.append(f"{_CUT} Dossier keeps {MAX_ROWS:,} rows or {MAX_CELLS:,} cells of a document]")
            budget[0] = budget[1] = 0
            break
        budget[0] -= 1
        budget[1] -= len(cells)
        lines.append(" | ".join(cells))
    return normalize_text("\n".join(lines))


def _cut_note(text: str) -> dict[str, str]:
    """Metadata saying the table was cut, so that ``dossier show`` tells it as well as the text."""
    return {"cut": f"only the first {MAX_ROWS:,} rows / {MAX_CELLS:,} cells are kept"} if _CUT in text else {}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and not (value.hour or value.minute or value.second):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())
