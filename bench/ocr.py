"""OCR engines on scanned 287(g) agreement pages: word accuracy against hand transcriptions and s/page.

The reference pages are ``tests/data/ocr/*.txt`` (first line names the corpus file and page). Each page is
rendered with pypdfium2 at ``--dpi`` (painted onto white) and read by:

* ``tesseract-cli``: the ``tesseract`` program as a subprocess (PNG on stdin, text on stdout).
* ``dossier``: ``indexer.ocr.ocr_image``, Dossier's OCR path (the same program, low priority), if present.
* ``tesserocr``: the tesserocr binding (its bundled libtesseract, the system's eng.traineddata).
* ``rapidocr``: rapidocr-onnxruntime with the models in its wheel (PP-OCRv4).

Word accuracy is 1 - WER (jiwer) after case folding and keeping only runs of letters/digits.
Prints one JSON object, then a table. Usage: ``python bench/ocr.py [--dpi 300] [--engines a,b]``
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jiwer
import pypdfium2 as pdfium

_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "ocr"
_SOURCE = re.compile(r"# source: (\S+\.pdf) page (\d+)")
_WORD = re.compile(r"[^\W_]+")
_TESSDATA = "/usr/share/tesseract-ocr/5/tessdata"


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _render(path: str, page: int, dpi: int):
    document = pdfium.PdfDocument(path)
    try:
        bitmap = document[page - 1].render(scale=dpi / 72, fill_color=(255, 255, 255, 255), grayscale=True)
        return bitmap.to_pil()
    finally:
        document.close()


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _tesseract_cli(image) -> str:
    run = subprocess.run(["tesseract", "stdin", "stdout", "-l", "eng"], input=_png(image), capture_output=True)
    return run.stdout.decode()


def _dossier(image) -> str:
    from indexer import ocr

    return ocr.ocr_image(image).text


def _tesserocr():
    import tesserocr

    api = tesserocr.PyTessBaseAPI(path=_TESSDATA, lang="eng")

    def read(image) -> str:
        api.SetImage(image)
        return api.GetUTF8Text()

    return read


def _rapidocr():
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR()

    def read(image) -> str:
        result, _ = engine(image.convert("RGB"))
        return "\n".join(line[1] for line in result or [])

    return read


ENGINES = {
    "tesseract-cli": lambda: _tesseract_cli,
    "dossier": lambda: _dossier,
    "tesserocr": _tesserocr,
    "rapidocr": _rapidocr,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--engines", default=",".join(ENGINES))
    args = parser.parse_args()
    pages, sources = [], []
    for reference in sorted(_DATA.glob("*.txt")):
        header, _, body = reference.read_text().partition("\n")
        match = _SOURCE.match(header)
        if not match or not Path(match[1]).exists():
            print(f"SKIPPED {reference.name}: source PDF absent")
            continue
        pages.append((reference.stem, _render(match[1], int(match[2]), args.dpi), _words(body)))
        sources.append((match[1], int(match[2])))
    report: dict[str, dict] = {}
    for name in args.engines.split(","):
        read = ENGINES[name]()
        per_page = {}
        for stem, image, truth in pages:
            start = time.perf_counter()
            text = read(image)
            seconds = time.perf_counter() - start
            per_page[stem] = {"accuracy": round(1 - jiwer.wer(truth, _words(text)), 4), "seconds": round(seconds, 2)}
        report[name] = {
            "accuracy": round(sum(p["accuracy"] for p in per_page.values()) / len(per_page), 4),
            "s_per_page": round(sum(p["seconds"] for p in per_page.values()) / len(per_page), 2),
            "pages": per_page,
        }
    throughput = _two_workers(sources) if "dossier" in report else None
    print(json.dumps({"dpi": args.dpi, "engines": report, "dossier_pages_per_s_2_workers": throughput}, indent=2))
    print(f"\n{'engine':15} {'word acc':>9} {'s/page':>7}  per page")
    for name, row in report.items():
        detail = "  ".join(f"{k}={v['accuracy']:.3f}/{v['seconds']}s" for k, v in row["pages"].items())
        print(f"{name:15} {row['accuracy']:9.3f} {row['s_per_page']:7.2f}  {detail}")
    if throughput:
        print(f"dossier through the sandboxed pool, 2 workers: {throughput} pages/s")


def _two_workers(sources: list[tuple[str, int]], rounds: int = 2) -> float:
    """Pages/s of Dossier's OCR jobs (render + Tesseract, low priority) in two sandboxed workers."""
    from indexer import ocr
    from indexer.sandbox import ExtractorPool, Job, Limits

    jobs = [
        Job(key, ocr.page_job_kind(page), Path(path).read_bytes()) for key, (path, page) in enumerate(sources * rounds)
    ]
    start = time.perf_counter()
    with ExtractorPool(Limits(workers=2), extractor="indexer.ocr:ocr_page") as pool:
        failed = [o.error for o in pool.run(jobs) if o.error]
    if failed:
        raise SystemExit(f"OCR failed: {failed[0]}")
    return round(len(jobs) / (time.perf_counter() - start), 3)


if __name__ == "__main__":
    main()
