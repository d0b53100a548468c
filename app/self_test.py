"""``dossier --self-test``: exercise the installed app end to end, one line per step, stopping at the first failure.

Not imports alone: a small document of every kind is made on the spot and read by sandboxed extraction workers
(a fresh process each, as at import), then imported into a temporary archive, OCRed, searched with snippets,
exported as a bundle and verified. In the packaged app this is what finds a missing hidden import, data file or
worker start-up problem; the window's part (``dossier-gui --self-test``) is in :mod:`ui.self_test`.

Everything is written to a temporary folder, removed at the end: the user's archive and settings are not touched.
"""

from __future__ import annotations

import email.message
import io
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.archive import Archive
from indexer import ocr
from indexer.extract import KINDS, kind_for
from indexer.sandbox import ExtractorPool, Job, Outcome

#: The word every sample document holds: rare enough that a search for it finds the samples only.
MARKER = "zephyrwind"
_SENTENCE = f"Dossier self-test {MARKER} document"


class Skipped(Exception):
    """A step that cannot run here (e.g. no OCR engine installed): said in its line, not a failure."""


@dataclass
class Step:
    """One line of the self-test: ``run(context)`` returns what it found, raises on failure."""

    name: str
    run: Callable[[Context], str]


@dataclass
class Context:
    """What the steps share: the scratch folder, the sample files, the open archive."""

    folder: Path
    separate_process: bool = False  # import in a child process, as the window does
    samples: dict[str, Path] = field(default_factory=dict)  # kind -> file
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    archive: Archive | None = None
    ocr_ready: bool = False
    hit_ids: dict[str, int] = field(default_factory=dict)  # kind -> a document found by the search
    bundle: Path | None = None

    def open_archive(self) -> Archive:
        if self.archive is None:
            raise RuntimeError("no archive open (an earlier step did not run)")
        return self.archive


def run_steps(steps: Iterable[Step], context: Context, out: Callable[[str], None] = print) -> int:
    """Run ``steps`` in order, printing ``ok``/``skip``/``FAIL`` lines; 1 at the first failure, else 0."""
    for step in steps:
        started = time.monotonic()
        try:
            found = step.run(context)
        except Skipped as exc:
            out(f"skip  {step.name}: {exc}")
            continue
        except Exception as exc:
            out(f"FAIL  {step.name}: {type(exc).__name__}: {exc}")
            return 1
        out(f"ok    {step.name}: {found} ({time.monotonic() - started:.1f} s)")
    return 0


def check(condition: object, problem: str) -> None:
    """Fail the step with ``problem`` unless ``condition``."""
    if not condition:
        raise AssertionError(problem)


# -- sample documents ----------------------------------------------------------------------------------------


def _pdf() -> bytes:
    """A one-page PDF with a text line in a standard font (no font file needed), written with pypdf."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=612, height=792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 18 Tf 72 700 Td ({_SENTENCE} in PDF) Tj ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(content)
    writer.add_metadata({"/Title": "Self-test PDF"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Self-test DOCX", level=1)
    document.add_paragraph(f"{_SENTENCE} in Word.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _odf(kind: str) -> bytes:
    from odf.opendocument import OpenDocumentPresentation, OpenDocumentSpreadsheet, OpenDocumentText
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    text = f"{_SENTENCE} in {kind}"
    if kind == "odt":
        document = OpenDocumentText()
        document.text.addElement(P(text=text))
    elif kind == "ods":
        document = OpenDocumentSpreadsheet()
        grid, row, cell = Table(name="Sheet"), TableRow(), TableCell()
        cell.addElement(P(text=text))
        row.addElement(cell)
        grid.addElement(row)
        document.spreadsheet.addElement(grid)
    else:
        from odf.draw import Frame, Page, TextBox

        document = OpenDocumentPresentation()
        page, frame, box = Page(name="one", masterpagename="Default"), Frame(width="20cm", height="2cm"), TextBox()
        box.addElement(P(text=text))
        frame.addElement(box)
        page.addElement(frame)
        document.presentation.addElement(page)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _epub() -> bytes:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("dossier-self-test")
    book.set_title("Self-test EPUB")
    book.set_language("en")
    chapter = epub.EpubHtml(title="One", file_name="one.xhtml", lang="en")
    chapter.content = f"<html><body><h1>One</h1><p>{_SENTENCE} in an e-book.</p></body></html>"
    book.add_item(chapter)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", chapter]
    out = io.BytesIO()
    epub.write_epub(out, book)
    return out.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Item", "Note"])
    book.active.append(["one", f"{_SENTENCE} in a workbook"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _eml(kind: str = "eml") -> bytes:
    message = email.message.EmailMessage()
    message["From"] = "Self Test <self-test@example.org>"
    message["To"] = "reader@example.org"
    message["Subject"] = f"Self-test {kind}"
    message["Date"] = "Fri, 04 Dec 2026 10:00:00 +0000"
    message.set_content(f"{_SENTENCE} in a mail ({kind}).\n")
    return message.as_bytes()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("inside/note.txt", f"{_SENTENCE} inside a zip.\n")
    return out.getvalue()


def png(text: str = f"Dossier self test {MARKER}") -> bytes:
    """A scan-like image of one line of ``text``, large enough for Tesseract."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1400, 200), 255)
    ImageDraw.Draw(image).text((40, 60), text, fill=0, font=ImageFont.load_default(size=64))
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()


#: File name -> how to make it: one of every kind Dossier imports that a library here can write.
SAMPLES: dict[str, Callable[[], bytes]] = {
    "note.txt": lambda: f"Self-test text\n\n{_SENTENCE} in plain text.\n".encode(),
    "note.md": lambda: f"# Self-test Markdown\n\n{_SENTENCE} in *Markdown*.\n".encode(),
    "page.html": lambda: (
        "<!doctype html><html><head><title>Self-test HTML</title></head><body><article><h1>Self-test HTML</h1>"
        f"<p>{_SENTENCE} on a web page, long enough to be the page's main text for the extractor.</p>"
        "</article></body></html>"
    ).encode(),
    "paper.pdf": _pdf,
    "letter.docx": _docx,
    "letter.rtf": lambda: (
        "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Helvetica;}}\\f0 " + _SENTENCE + " in RTF.\\par}"
    ).encode(),
    "letter.odt": lambda: _odf("odt"),
    "sheet.ods": lambda: _odf("ods"),
    "slides.odp": lambda: _odf("odp"),
    "book.epub": _epub,
    "table.csv": lambda: f"item,note\none,{_SENTENCE} in CSV\n".encode(),
    "sheet.xlsx": _xlsx,
    "mail.eml": _eml,
    "mails.mbox": lambda: b"From self-test@example.org Fri Dec  4 10:00:00 2026\n" + _eml("mbox") + b"\n",
    "files.zip": _zip,
    "scan.png": png,
}
#: Kinds no library here writes (legacy binary formats): a worker is given a file that is not one and must refuse
#: it with the reader's own reason, which shows that the reader (and its helper program) loads and runs.
PROBES = {
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "Word"),
    "wordperfect": (b"\xffWPC" + b"\0" * 60, "WordPerfect"),
    "msg": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "Outlook"),
}


def make_samples(context: Context) -> str:
    folder = context.folder / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in SAMPLES.items():
        path = folder / name
        path.write_bytes(make())
        context.samples[kind_for(path)] = path
    missing = set(KINDS.values()) - set(context.samples) - set(PROBES)
    check(not missing, f"no sample for {', '.join(sorted(missing))}")
    return f"{len(context.samples)} kinds in {folder}"


# -- extraction in sandboxed workers ----------------------------------------------------------------------------


def run_workers(context: Context) -> str:
    kinds = sorted(context.samples) + sorted(PROBES)
    jobs = [
        Job(i, kind, context.samples[kind].read_bytes() if kind in context.samples else PROBES[kind][0])
        for i, kind in enumerate(kinds)
    ]
    with ExtractorPool() as pool:
        for outcome in pool.run(jobs):
            context.outcomes[kinds[outcome.key]] = outcome
    check(len(context.outcomes) == len(jobs), f"{len(jobs) - len(context.outcomes)} jobs got no answer")
    return f"{len(jobs)} files read by {pool.limits.workers} worker processes"


def extraction_step(kind: str) -> Step:
    def run(context: Context) -> str:
        outcome = context.outcomes.get(kind)
        check(outcome is not None, "no worker outcome (the worker step did not run)")
        if kind in PROBES:
            check(outcome.error, "a file that is not one was accepted")
            check(
                not outcome.error.startswith(f"the {kind} reader failed"), f"the reader broke: {outcome.error}"
            )  # an ExtractionError's reason, not a crash (such as a module missing from the app)
            return f"reader runs and refuses a non-{PROBES[kind][1]} file: {outcome.error[:70]}"
        check(outcome.extracted is not None, f"extraction failed: {outcome.error}")
        text = outcome.extracted.text
        if kind == "image":
            check(outcome.extracted.needs_ocr, "an image not flagged for OCR")
            return f"{outcome.extracted.metadata.get('size')} image, flagged for OCR"
        members = outcome.extracted.members
        if kind in ("zip", "mbox"):  # a container: its files (messages) become documents of their own
            check(any(MARKER.encode() in m.data for m in members), f"no member holds the marker word: {members}")
            return f"{len(members)} member{'s' * (len(members) != 1)} taken out"
        check(MARKER in text, f"the text lacks the marker word: {text[:80]!r}")
        return f"{len(text)} characters"

    return Step(f"extract {kind}", run)


def ocr_worker(context: Context) -> str:
    try:
        engine = ocr.engine("eng")
    except ocr.OcrUnavailable as exc:
        raise Skipped(f"Tesseract is missing, OCR is not tested: {exc}") from exc
    job = Job(0, ocr.page_job_kind(1, "image", "eng"), context.samples["image"].read_bytes())
    with ExtractorPool(extractor="indexer.ocr:ocr_page") as pool:
        (outcome,) = pool.run([job])
    check(outcome.extracted is not None, f"OCR failed: {outcome.error}")
    check(MARKER in outcome.extracted.text.lower(), f"OCR read {outcome.extracted.text!r}")
    context.ocr_ready = True
    return f"{engine.label} read {outcome.extracted.text!r}"


# -- the archive -------------------------------------------------------------------------------------------------


def open_archive(context: Context) -> str:
    context.archive = Archive.open(context.folder / "archive")
    sets = context.archive.stance_sets()
    check(sets, "no stance presets (resources/stances.json) in a new archive")
    return f"new archive in {context.archive.folder}, {len(sets)} stance preset sets"


def import_samples(context: Context) -> str:
    archive = context.open_archive()
    report = archive.import_paths([context.folder / "documents"], separate_process=context.separate_process)
    check(not report.failed, f"failed: {report.failed}")
    check(len(report.imported) >= len(context.samples), f"{len(report.imported)} of {len(context.samples)} imported")
    where = "in a child process" if context.separate_process else "in this process"
    return f"{len(report.imported)} documents imported {where}"


def ocr_archive(context: Context) -> str:
    if not context.ocr_ready:
        raise Skipped(f"no OCR engine ({ocr.INSTALL_HINT})")
    report = context.open_archive().ocr(language="eng")
    check(report.documents == 1 and report.pages_ocr == 1 and not report.failed, f"OCR run: {report.to_json()}")
    return f"{report.pages_ocr} scanned page read into the archive"


def search(context: Context) -> str:
    archive = context.open_archive()
    result = archive.search(MARKER, page_size=100)
    kinds = {hit.kind for hit in result.hits}
    context.hit_ids = {hit.kind: hit.id for hit in result.hits}
    # a zip's or a mailbox's own text lists its files: the member documents hold the word
    wanted = set(context.samples) - {"zip", "mbox"} - (set() if context.ocr_ready else {"image"})
    check(wanted <= kinds, f"no hit of kind {', '.join(sorted(wanted - kinds))}")
    unmarked = [hit.title for hit in result.hits if "<mark>" not in hit.snippet]
    check(not unmarked, f"snippets without the match marked: {unmarked}")
    return f"{result.total} hits of {len(kinds)} kinds, each snippet marking {MARKER!r}"


def stance_map(context: Context) -> str:
    from app.jurisdictions.gazetteer import Gazetteer
    from app.stance_map_svg import render

    places = len(Gazetteer.load())
    svg = render(context.open_archive().stance_map(MARKER))
    check(places > 1000, f"the gazetteer holds {places} places")
    check(svg.startswith("<svg") or "<svg" in svg[:200], "the map is not an SVG")
    return f"gazetteer of {places} places, map of {len(svg)} bytes"


def export(context: Context) -> str:
    from app.bundles.export import export_bundle

    archive = context.open_archive()
    ids = sorted(archive.search_ids("").ids)
    context.bundle = context.folder / "self-test-bundle.zip"
    report = export_bundle(archive, ids, context.bundle, query="all documents")
    check(report.documents == len(ids), f"{report.documents} of {len(ids)} documents exported")
    return f"{report.documents} documents in {context.bundle.name} ({context.bundle.stat().st_size // 1024} KiB)"


def verify(context: Context) -> str:
    from app.bundles.verify import verify_bundle

    check(context.bundle is not None, "no bundle (the export step did not run)")
    expected = len(context.open_archive().search_ids("").ids)
    with verify_bundle(context.bundle, workdir=context.folder) as bundle:
        count = len(bundle.documents["documents"])
    check(count == expected, f"the bundle holds {count} of {expected} documents")
    return f"complete and unaltered, {count} documents"


def core_steps() -> list[Step]:
    """The steps both commands run, in order."""
    extract_kinds = [kind for kind in dict.fromkeys([*(kind_for(Path(n)) for n in SAMPLES), *PROBES])]
    return [
        Step("make sample documents", make_samples),
        Step("start sandboxed extraction workers", run_workers),
        *(extraction_step(kind) for kind in extract_kinds),
        Step("OCR in a worker", ocr_worker),
        Step("open a temporary archive", open_archive),
        Step("import the samples", import_samples),
        Step("OCR the scan in the archive", ocr_archive),
        Step("search with snippets", search),
        Step("stance map with the gazetteer", stance_map),
        Step("export a bundle", export),
        Step("verify the bundle", verify),
    ]


def describe_app() -> str:
    """Which Dossier runs: packaged or from source."""
    frozen = getattr(sys, "frozen", False)
    return f"Dossier self-test ({'packaged app in ' + str(Path(sys.executable).parent) if frozen else 'from source'})"


def self_test(extra: Iterable[Step] = (), *, separate_process: bool = False, out: Callable[[str], None] = print) -> int:
    """Run the core steps, then ``extra`` (the window's), in a scratch folder; the exit code."""
    out(describe_app())
    folder = Path(tempfile.mkdtemp(prefix="dossier-self-test-"))
    context = Context(folder, separate_process=separate_process)
    try:
        code = run_steps([*core_steps(), *extra], context, out)
    finally:
        if context.archive is not None:
            context.archive.close()
        shutil.rmtree(folder, ignore_errors=True)
    out("self-test passed" if code == 0 else "self-test FAILED")
    return code
