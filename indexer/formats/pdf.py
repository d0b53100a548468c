"""PDF text extraction: per-page text, page spans, document info, scans flagged for OCR.

Page text comes from PDFium (pypdfium2): about 20x faster than pypdf and as close to pdftotext's
words and order (bench/pdf_text.py). pypdf opens the file first: it decides encryption and
passwords, reads the document info, and reads a page's text where PDFium cannot.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Sequence

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from pypdf import PageObject, PasswordType, PdfReader, apply_configuration
from pypdf.errors import DependencyError, LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject

from indexer.errors import ExtractionError, NeedsPassword
from indexer.formats import pdf_cleanup as cleanup
from indexer.formats.cleanup import join_pages, normalize_text
from indexer.formats.dates import parse_date
from indexer.ocr import page_list  # the "scanned_pages" listing OCR reads back (ocr.scanned_pages)
from indexer.types import Extracted

# pypdf reports every repaired defect through logging; they are not the user's concern.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)

# Resource limits against hostile or broken files; no external jbig2dec process is ever started.
_LIMITS = {
    "jbig2dec_binary": None,
    "maximum_declared_stream_length": 50_000_000,
    "zlib_maximum_output_length": 50_000_000,
    "lzw_maximum_output_length": 50_000_000,
    "run_length_maximum_output_length": 50_000_000,
    "brotli_maximum_output_length": 50_000_000,
    "array_based_stream_maximum_output_length": 50_000_000,
    "image_maximum_buffer_size": 50_000_000,
    "xform_maximum_invocations_per_extraction": 2_000,
}
# A page with an image and fewer non-space characters than this is a scan; a document needs OCR
# when at least half of its readable pages are scans, or when it has no text at all.
_SCAN_CHARS = 20
_MAX_ERRORS_LISTED = 10
_HIDDEN = 2 | 32  # annotation flags Hidden and NoView
_MAX_FIELD_DEPTH = 20
_FILE_NAME = re.compile(r"\.(pdf|docx?|rtf|odt|wpd|txt|html?|xlsx?|pptx?|png|jpe?g|tiff?|gif)$", re.IGNORECASE)
_GENERIC_TITLE = re.compile(r"\W*|untitled.*|title|document\s*\d*|binder\s*\d*|powerpoint presentation", re.I)
_OFFICE_PREFIX = re.compile(r"^Microsoft (Word|PowerPoint|Excel) - ")
_JUNK_AUTHOR = re.compile(r"\W*|unknown|(ARRAY|HASH)\(0x[0-9a-f]+\)", re.IGNORECASE)


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Extract the text of a PDF, one span of ``text`` per page.

    Raises ``NeedsPassword`` if the file is encrypted and neither the empty password nor any of
    ``passwords`` opens it, and ``ExtractionError`` for anything else that stops extraction.
    """
    if not data:
        raise ExtractionError("file is empty")
    if b"%PDF-" not in data[:1024]:
        raise ExtractionError("not a PDF file")
    with apply_configuration(**_LIMITS):
        try:
            return _extract(data, passwords)
        except ExtractionError:
            raise
        except Exception as exc:  # pypdf raises anything at all on damaged input
            raise ExtractionError(_reason(exc)) from exc


def _extract(data: bytes, passwords: Sequence[str]) -> Extracted:
    reader = PdfReader(io.BytesIO(data))
    password = _unlock(reader, passwords)
    document = _open_pdfium(data, password)
    try:
        count = len(document) if document is not None else len(reader.pages)
        if count == 0:
            raise ExtractionError("damaged PDF: it has no pages")
        pages: list[list[cleanup.Line]] = []
        vocabularies: list[set[str]] = []
        errors: dict[int, str] = {}
        scans: list[int] = []
        for number in range(1, count + 1):
            lines, vocabulary, scan = _read_page(document, reader, number - 1, errors)
            if scan:
                scans.append(number)
            vocabularies.append(vocabulary)
            pages.append(cleanup.drop_line_numbers(lines))
    finally:
        if document is not None:
            document.close()
    if len(errors) == count:
        raise ExtractionError(next(iter(errors.values())))
    pages = cleanup.drop_repeated_edges(pages)
    cleanup.repair_split_words(pages, vocabularies)
    vocabulary = cleanup.words(pages)
    text, spans = join_pages([normalize_text(cleanup.page_text(lines, vocabulary)) for lines in pages])
    readable = count - len(errors)
    extracted = Extracted(
        text=text,
        page_spans=spans,
        needs_ocr=2 * len(scans) >= readable or not text,
    )
    _add_info(reader, extracted)
    extracted.metadata["pages"] = str(count)
    if scans:
        extracted.metadata["scanned_pages"] = page_list(scans)
    if errors:
        listed = [f"page {n}: {reason}" for n, reason in list(errors.items())[:_MAX_ERRORS_LISTED]]
        more = len(errors) - len(listed)
        extracted.metadata["page_errors"] = "; ".join(listed) + (f"; and {more} more" if more else "")
    return extracted


def _open_pdfium(data: bytes, password: str) -> pdfium.PdfDocument | None:
    """The document in PDFium, or None where PDFium cannot open what pypdf could."""
    try:
        return pdfium.PdfDocument(data, password=password or None)
    except pdfium.PdfiumError:
        return None


def _read_page(
    document: pdfium.PdfDocument | None, reader: PdfReader, index: int, errors: dict[int, str]
) -> tuple[list[cleanup.Line], set[str], bool]:
    """Lines of one page, the words that show where it splits words, and whether it is a scan.

    PDFium reads the page; pypdf reads it where PDFium fails. A page neither can read is recorded
    in ``errors`` and comes out empty: one bad page must not lose the others.
    """

    def fields() -> list[cleanup.Field]:
        try:
            return _field_texts(reader.pages[index])
        except Exception:  # a damaged annotation list only loses the field values
            return []

    if document is not None:
        try:
            lines, scan = _pdfium_page(document, index, fields)
            return lines, cleanup.line_words(lines), scan
        except pdfium.PdfiumError:
            pass
    try:
        page = reader.pages[index]
        lines = cleanup.read_lines(page)
        words = cleanup.layout_words(page)
        shown = " ".join(line.text for line in lines)
        lines = cleanup.insert_fields(lines, [f for f in fields() if not _shown(f.text, shown)])
        return lines, words, _is_scan(lines, lambda: len(page.images) > 0)
    except Exception as exc:  # pypdf raises anything at all on a damaged page
        errors[index + 1] = _reason(exc)
        return [], set(), False


def _pdfium_page(
    document: pdfium.PdfDocument, index: int, fields: Callable[[], list[cleanup.Field]]
) -> tuple[list[cleanup.Line], bool]:
    """A page's lines as PDFium reads them, placed by their first glyph, and whether it is a scan.

    ``fields()`` (form field values, annotation text) are merged in by their place on the page,
    except where the page's own text already shows the value inside the field's box; they are only
    looked up on a page with annotations.
    """
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()

            def locate(char: int) -> tuple[float, float, float]:
                left, bottom, _right, top = textpage.get_charbox(char, loose=True)
                return left, bottom, top - bottom

            # an index into the text is a character index while no surrogate pair shifts it
            lines = cleanup.split_lines(text, locate if len(text) == textpage.count_chars() else None)
            if pdfium_raw.FPDFPage_GetAnnotCount(page) > 0:
                shown = [f for f in fields() if not _shown(f.text, textpage.get_text_bounded(*f.rect))]
                lines = cleanup.insert_fields(lines, shown)
        finally:
            textpage.close()
        images = page.get_objects(filter=(pdfium_raw.FPDF_PAGEOBJ_IMAGE,))
        return lines, _is_scan(lines, lambda: next(images, None) is not None)
    finally:
        page.close()


def _field_texts(page: PageObject) -> list[cleanup.Field]:
    """The text a page's annotations show: text and choice field values, FreeText contents.

    Field names are labels for software, not text on the page, and are never taken. Hidden
    annotations, buttons, checkboxes and signatures are left out.
    """
    fields = []
    for ref in page.get("/Annots") or []:
        annotation = ref.get_object()
        if not isinstance(annotation, DictionaryObject) or int(annotation.get("/F", 0)) & _HIDDEN:
            continue
        subtype = annotation.get("/Subtype")
        if subtype == "/Widget":
            kind, value = _inherited(annotation, "/FT"), _inherited(annotation, "/V")
            if kind not in ("/Tx", "/Ch"):
                continue
        elif subtype == "/FreeText":
            value = annotation.get("/Contents")
        else:
            continue
        if isinstance(value, ArrayObject):  # a multiple-choice list
            value = ", ".join(str(v) for v in value)
        text = cleanup.clean(str(value)) if isinstance(value, str) else ""
        rect = annotation.get("/Rect")
        if text and isinstance(rect, ArrayObject) and len(rect) == 4:
            left, bottom, right, top = (float(v) for v in rect)
            fields.append(cleanup.Field(text, (min(left, right), min(bottom, top), max(left, right), max(bottom, top))))
    return fields


def _inherited(annotation: DictionaryObject, key: str) -> object:
    """A field entry from the widget or, as the form spec allows, from its parent fields."""
    node: object = annotation
    for _ in range(_MAX_FIELD_DEPTH):
        if not isinstance(node, DictionaryObject):
            return None
        if key in node:
            return node[key].get_object()
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return None


def _shown(value: str, text: str) -> bool:
    """True when ``text`` (the page's text, or what it has inside a field's box) already shows ``value``."""
    return " ".join(value.split()).casefold() in " ".join(cleanup.clean(text).split()).casefold()


def _unlock(reader: PdfReader, passwords: Sequence[str]) -> str:
    """Open an encrypted file with the empty password or one of ``passwords``; return the one that worked."""
    if not reader.is_encrypted:
        return ""
    for password in ("", *passwords):
        if reader.decrypt(password) != PasswordType.NOT_DECRYPTED:
            return password
    if passwords:
        raise NeedsPassword("PDF is encrypted and the password is wrong: import again with the right --password")
    raise NeedsPassword("the PDF is encrypted and needs its password")


def _is_scan(lines: list[cleanup.Line], has_image: Callable[[], bool]) -> bool:
    """True for a page that shows an image but has (almost) no text layer."""
    if sum(len(line.text.replace(" ", "")) for line in lines) >= _SCAN_CHARS:
        return False
    try:
        return has_image()
    except Exception:  # an unreadable image list just means no known images
        return False


def _add_info(reader: PdfReader, extracted: Extracted) -> None:
    """Fill title, author, date and producer from the document information dictionary."""
    meta = _safe(lambda: reader.metadata)
    if meta is None:
        return
    extracted.title = _title(_safe(lambda: meta.title))
    author = cleanup.clean(str(_safe(lambda: meta.author) or ""))
    extracted.author = "" if _JUNK_AUTHOR.fullmatch(author) else author
    extracted.published = parse_date(str(_safe(lambda: meta.creation_date_raw) or ""))
    for key, getter in (("producer", lambda: meta.producer), ("creator", lambda: meta.creator)):
        value = cleanup.clean(str(_safe(getter) or ""))
        if value:
            extracted.metadata[key] = value


def _safe(getter: Callable[[], object]) -> object:
    try:
        return getter()
    except Exception:  # a damaged info dictionary only loses the metadata
        return None


def _title(raw: object) -> str:
    """The info title, or "" when it is a placeholder or a file name ("Microsoft Word - x.doc")."""
    title = _OFFICE_PREFIX.sub("", cleanup.clean(str(raw or "")))
    stem = _FILE_NAME.sub("", title).strip()
    if (stem != title or "_" in stem) and " " not in stem:
        return ""
    return "" if _GENERIC_TITLE.fullmatch(stem) else stem


def _reason(exc: Exception) -> str:
    """A short message for an exception raised while reading a damaged or unsupported PDF."""
    if isinstance(exc, DependencyError):
        return f"cannot decrypt this PDF: {exc}"
    if isinstance(exc, NotImplementedError):
        return f"PDF uses an unsupported feature: {exc}"
    if isinstance(exc, LimitReachedError):
        return f"PDF is too large or malformed to process safely: {exc}"
    if isinstance(exc, RecursionError):
        return "damaged PDF: its structure is nested too deeply"
    if isinstance(exc, MemoryError):
        return "PDF is too large to process"
    detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, KeyError):
        detail = f"missing entry {detail}"
    return f"damaged PDF: {detail}"
