"""OCR of scanned PDF pages with the Tesseract program, run inside the sandboxed extraction workers.

Tesseract is the engine (see docs/decisions.md, "OCR"): the ``tesseract`` program as a subprocess, at low
priority and one thread (``OMP_THREAD_LIMIT=1``: with its default threads it is four times slower on a
busy two-core machine). ``$DOSSIER_TESSERACT`` names another program path; ``$DOSSIER_OCR_LANG`` another
language (default ``eng``). A page is rendered with PDFium at 300 dpi onto white, in grayscale.

:func:`ocr_page` is the worker entry point (``ExtractorPool(extractor="indexer.ocr:ocr_page")``): one job
is one page, its ``kind`` being ``"ocr-page:<number>"``. :func:`merge` puts OCR text into an extraction's
page text and recomputes the page spans.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from indexer.errors import ExtractionError
from indexer.formats.cleanup import join_pages
from indexer.types import Extracted

DPI = 300
_MAX_PIXELS = 40_000_000
_PAGE_KIND = "ocr-page:"
INSTALL_HINT = "OCR needs Tesseract: sudo apt install tesseract-ocr tesseract-ocr-eng"


class OcrUnavailable(ExtractionError):
    """The OCR engine (or its language data) is not installed."""


@dataclass(frozen=True)
class Engine:
    """What the OCR cache is keyed by, beside the file's hash."""

    name: str
    version: str
    language: str
    program: str

    @property
    def label(self) -> str:
        return f"{self.name} {self.version} ({self.language})"


#: a word OCR read: its characters in the page text (start, end) and its box as fractions of the page
#: (left, top, right, bottom), so it can be drawn on the page at any zoom
WordBox = tuple[int, int, float, float, float, float]


@dataclass
class PageText:
    text: str
    words: list[WordBox] = field(default_factory=list)


def program() -> str:
    return os.environ.get("DOSSIER_TESSERACT") or "tesseract"


def language() -> str:
    return os.environ.get("DOSSIER_OCR_LANG") or "eng"


def engine(lang: str | None = None) -> Engine:
    """The installed engine reading ``lang`` (default :func:`language`), or :class:`OcrUnavailable` with one
    line on what to install."""
    return _engine(program(), lang or language())


@lru_cache(maxsize=4)
def _engine(path: str, lang: str) -> Engine:
    found = shutil.which(path)
    if not found:
        raise OcrUnavailable(f"{INSTALL_HINT} (no program {path!r} found)")
    try:
        run = subprocess.run([found, "--version"], capture_output=True, timeout=30)
        available = _languages(found)
    except (OSError, subprocess.SubprocessError) as exc:
        raise OcrUnavailable(f"{INSTALL_HINT} ({path!r} does not run: {exc})") from exc
    first = (run.stdout or run.stderr).decode(errors="replace").strip().splitlines()
    version = first[0].split()[-1] if first else "unknown"
    for wanted in lang.split("+"):
        if wanted not in available:
            hint = f"sudo apt install tesseract-ocr-{wanted}"
            raise OcrUnavailable(f"OCR needs Tesseract's {wanted!r} language data: {hint}")
    return Engine("tesseract", version, lang, found)


def installed_languages() -> list[str]:
    """The language codes the installed engine has data for (``osd`` left out), [] without an engine."""
    found = shutil.which(program())
    try:
        return [code for code in _languages(found) if code != "osd"] if found else []
    except (OSError, subprocess.SubprocessError):
        return []


def _languages(found: str) -> list[str]:
    listed = subprocess.run([found, "--list-langs"], capture_output=True, timeout=30)
    return listed.stdout.decode(errors="replace").split()[1:] if listed.returncode == 0 else []


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


_niced = False


def _lower_priority() -> None:
    """Run this worker at low priority, once (``os.nice`` adds up)."""
    global _niced
    if not _niced:
        _niced = True
        with contextlib.suppress(OSError):
            os.nice(10)


def _image_frame(data: bytes, number: int):
    """Frame ``number`` (1-based) of an image file (a multi-page TIFF has several), in grayscale."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            for index, frame in enumerate(ImageSequence.Iterator(image), 1):
                if index == number:
                    return frame.convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ExtractionError(f"OCR: cannot read the image: {exc}") from exc
    raise ExtractionError(f"OCR: no page {number}")


def ocr_image(image, lang: str | None = None) -> PageText:
    """Text of one PIL image, with the box of every word (Tesseract's TSV output, read into lines and
    paragraphs as its plain-text output would be)."""
    found = engine(lang)
    out = io.BytesIO()
    image.save(out, format="PNG")
    try:
        run = subprocess.run(
            [found.program, "stdin", "stdout", "-l", found.language, "--psm", "3", "tsv"],
            input=out.getvalue(),
            capture_output=True,
            env=_env(),
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ExtractionError(f"OCR failed: {exc}") from exc
    if run.returncode != 0:
        raise ExtractionError(f"OCR failed: {run.stderr.decode(errors='replace').strip()[:200]}")
    return read_tsv(run.stdout.decode("utf-8", errors="replace"), *image.size)


def read_tsv(tsv: str, width: int, height: int) -> PageText:
    """Page text from Tesseract's TSV (level 5 rows are words): a paragraph's words joined by spaces across
    its lines, paragraphs one a line; each word's box kept with its place in that text."""
    parts: list[str] = []
    words: list[WordBox] = []
    length, paragraph = 0, None
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        here = (row["page_num"], row["block_num"], row["par_num"])
        if parts:
            parts.append("\n" if here != paragraph else " ")
            length += 1
        paragraph = here
        left, top = int(row["left"]), int(row["top"])
        right, bottom = left + int(row["width"]), top + int(row["height"])
        words.append((length, length + len(text), left / width, top / height, right / width, bottom / height))
        parts.append(text)
        length += len(text)
    return PageText("".join(parts), words)


def page_job_kind(number: int, kind: str = "pdf", lang: str = "") -> str:
    """The job kind that OCRs page ``number`` (1-based) of a document of ``kind`` (a PDF or an image) in
    language ``lang`` (default: :func:`language` in the worker)."""
    return f"{_PAGE_KIND}{number}:{'pdf' if kind == 'pdf' else 'image'}:{lang}"


def ocr_page(kind: str, data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Worker entry point: OCR page ``number`` (1-based) of the PDF in ``data``."""
    import pypdfium2 as pdfium

    if not kind.startswith(_PAGE_KIND):
        raise ExtractionError(f"not an OCR job: {kind}")
    number_text, _, rest = kind[len(_PAGE_KIND) :].partition(":")
    source, _, lang = rest.partition(":")
    number = int(number_text)
    _lower_priority()
    if source == "image":
        read = ocr_image(_image_frame(data, number), lang or None)
        return Extracted(text=read.text, words=read.words)
    document = None
    for password in (None, *passwords):
        try:
            document = pdfium.PdfDocument(data, password=password)
            break
        except pdfium.PdfiumError:
            continue
    if document is None:
        raise ExtractionError("OCR: PDFium cannot open the file")
    try:
        if not 1 <= number <= len(document):
            raise ExtractionError(f"OCR: no page {number}")
        page = document[number - 1]
        width, height = page.get_size()
        scale = min(DPI / 72, (_MAX_PIXELS / max(width * height, 1.0)) ** 0.5)  # a huge page is read coarser
        bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255), grayscale=True)
        image = bitmap.to_pil()
    finally:
        document.close()
    read = ocr_image(image, lang or None)
    return Extracted(text=read.text, words=read.words)


def page_list(numbers: list[int]) -> str:
    """Compress page numbers into ranges: [1, 2, 3, 7] -> "1-3, 7"."""
    ranges: list[list[int]] = []
    for n in numbers:
        if ranges and ranges[-1][1] == n - 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def scanned_pages(listing: str) -> list[int]:
    """Page numbers from the PDF extractor's ``scanned_pages`` metadata ("1-3, 7")."""
    pages: list[int] = []
    for part in filter(None, (p.strip() for p in listing.split(","))):
        first, _, last = part.partition("-")
        pages.extend(range(int(first), int(last or first) + 1))
    return pages


def merge(text: str, page_spans: list[tuple[int, int]], ocr: dict[int, str]) -> tuple[str, list[tuple[int, int]]]:
    """The text with page ``n``'s text replaced by ``ocr[n]`` (where OCR read more), spans recomputed."""
    if not page_spans:
        page_spans = [(0, len(text))]
    pages = []
    for number, (start, end) in enumerate(page_spans, 1):
        own = text[start:end]
        read = ocr.get(number, "")
        pages.append(read if len(read.strip()) > len(own.strip()) else own)
    return join_pages(pages)
