"""PDF text: speed and quality of pypdf, PDFium (pypdfium2) and Dossier's extractor against pdftotext.

Runs every engine over the PDFs of the shared corpus (``topic/287g/pdf`` and ``pdf/**``, or $DOSSIER_CORPUS):

* ``pdftotext`` and ``pdftotext-layout``: poppler's tool as a subprocess (``-layout`` off and on).
* ``pypdf-2pass``: pypdf's ``extract_text`` per page in plain then layout mode (what Dossier did before PDFium).
* ``pypdf-plain``: plain mode only.
* ``pdfium-range`` / ``pdfium-bounded``: ``PdfTextPage.get_text_range()`` / ``get_text_bounded()`` per page.
* ``dossier``: ``indexer.formats.pdf.extract``, the whole pipeline with its cleanup.

Speed is pages/s over the files every engine read, and its ratio to pdftotext (plain). Quality is against
pdftotext's plain text (its reading order is the reference): F1 of the word multisets, the share of
pdftotext's word bigrams found in the engine's (reading order), and splices: words glued together that
pdftotext has apart ("AlabamaSecurity") and words split that pdftotext has whole ("pers onnel"). Before
comparing, all texts get NFKC, case folding and line-end hyphens joined; a word is a run of letters or digits.

Prints one JSON object, then a table per engine and the worst files by F1.
Usage: ``python bench/pdf_text.py [--corpus DIR] [--limit N] [--engines a,b]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdfium2 as pdfium
from pypdf import PdfReader

from indexer.formats import pdf as dossier_pdf

_HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\r?\n\s*(\w)")
_WORD = re.compile(r"[^\W_]+")
_WORST = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--limit", type=int, default=0, help="files (0: all)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, of: " + ", ".join(ENGINES))
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    args = parser.parse_args()
    files = _pdfs(args.corpus)
    if not files:
        print(f"SKIPPED: no PDFs under {args.corpus} (set --corpus or DOSSIER_CORPUS)")
        return
    if not shutil.which("pdftotext"):
        print("SKIPPED: pdftotext is not installed (apt-get install poppler-utils)")
        return
    files = files[: args.limit] if args.limit else files
    engines = ["pdftotext", *[e for e in args.engines.split(",") if e and e != "pdftotext"]]
    runs = {name: {str(path): _timed(ENGINES[name], path) for path in files} for name in engines}
    report = _report(args.corpus, files, runs)
    if "dossier" in report:
        report["table"] = _summary_rows(report)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps(report, indent=1, ensure_ascii=False))
    _print_table(report)


def _default_corpus() -> Path:
    env = os.environ.get("DOSSIER_CORPUS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def _pdfs(corpus: Path) -> list[Path]:
    return sorted({p.resolve() for p in corpus.glob("**/*") if p.suffix.lower() == ".pdf" and p.is_file()})


def _pdftotext(layout: bool) -> Callable[[Path], str]:
    def run(path: Path) -> str:
        flags = ["-layout"] if layout else []
        done = subprocess.run(["pdftotext", "-q", *flags, str(path), "-"], capture_output=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"pdftotext exit {done.returncode}")
        return done.stdout.decode("utf-8", "replace")

    return run


def _pypdf(two_pass: bool) -> Callable[[Path], str]:
    def run(path: Path) -> str:
        reader = PdfReader(path)
        if reader.is_encrypted:
            reader.decrypt("")
        texts = []
        for page in reader.pages:
            texts.append(page.extract_text())
            if two_pass:
                page.extract_text(extraction_mode="layout", layout_mode_space_vertically=False)
        return "\n\f".join(texts)

    return run


def _pdfium(bounded: bool) -> Callable[[Path], str]:
    def run(path: Path) -> str:
        doc = pdfium.PdfDocument(path)
        try:
            texts = []
            for index in range(len(doc)):
                page = doc[index]
                textpage = page.get_textpage()
                texts.append(textpage.get_text_bounded() if bounded else textpage.get_text_range())
                textpage.close()
                page.close()
            return "\n\f".join(texts)
        finally:
            doc.close()

    return run


def _dossier(path: Path) -> str:
    return dossier_pdf.extract(path.read_bytes()).text


ENGINES: dict[str, Callable[[Path], str]] = {
    "pdftotext": _pdftotext(False),
    "pdftotext-layout": _pdftotext(True),
    "pypdf-2pass": _pypdf(True),
    "pypdf-plain": _pypdf(False),
    "pdfium-range": _pdfium(False),
    "pdfium-bounded": _pdfium(True),
    "dossier": _dossier,
}


def _timed(engine: Callable[[Path], str], path: Path) -> dict:
    start = time.perf_counter()
    try:
        text = engine(path)
    except Exception as exc:  # a file an engine cannot read is reported, not fatal
        return {"error": f"{type(exc).__name__}: {str(exc)[:100]}", "seconds": time.perf_counter() - start}
    return {"text": text, "seconds": time.perf_counter() - start}


def _page_count(path: Path) -> int:
    try:
        doc = pdfium.PdfDocument(path)
    except Exception:  # unreadable for PDFium too: counted as no pages
        return 0
    try:
        return len(doc)
    finally:
        doc.close()


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(_HYPHEN_BREAK.sub(r"\1\2", text))


def _quality(reference: list[str], words: list[str]) -> dict:
    ref, got = Counter(reference), Counter(words)
    common = sum((ref & got).values())
    precision = common / max(1, sum(got.values()))
    recall = common / max(1, sum(ref.values()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    ref_bigrams = Counter(pairwise(reference))
    got_bigrams = Counter(pairwise(words))
    bigrams = sum(ref_bigrams.values())
    order = sum((ref_bigrams & got_bigrams).values()) / bigrams if bigrams else 1.0
    glued = {a + b for a, b in ref_bigrams}
    joined = sum(1 for w in words if w not in ref and w in glued)
    split = sum(1 for a, b in pairwise(words) if a + b in ref and (a not in ref or b not in ref))
    return {"f1": f1, "order": order, "joined": joined, "split": split}


def _report(corpus: Path, files: list[Path], runs: dict[str, dict[str, dict]]) -> dict:
    pages = {str(path): _page_count(path) for path in files}
    common = [str(p) for p in files if pages[str(p)] and all("text" in run[str(p)] for run in runs.values())]
    common = [p for p in common if _words(runs["pdftotext"][p]["text"])]  # scans have no reference text
    total_pages = sum(pages[p] for p in common)
    reference = {p: _words(runs["pdftotext"][p]["text"]) for p in common}
    base_rate = total_pages / max(1e-9, sum(runs["pdftotext"][p]["seconds"] for p in common))
    engines = {}
    for name, run in runs.items():
        seconds = sum(run[p]["seconds"] for p in common)
        per_file = {p: _quality(reference[p], _words(run[p]["text"])) for p in common}
        rate = total_pages / max(1e-9, seconds)
        slowest = max(common, key=lambda p: run[p]["seconds"] / max(1, pages[p]), default=None)
        engines[name] = {
            "seconds": round(seconds, 3),
            "pages_per_s": round(rate, 1),
            "ratio_to_pdftotext": round(rate / base_rate, 3),
            "f1": round(sum(q["f1"] for q in per_file.values()) / max(1, len(common)), 4),
            "order": round(sum(q["order"] for q in per_file.values()) / max(1, len(common)), 4),
            "joined": sum(q["joined"] for q in per_file.values()),
            "split": sum(q["split"] for q in per_file.values()),
            "errors": {Path(p).name: r["error"] for p, r in run.items() if "error" in r},
            "slowest_file": _slowest(slowest, run, pages),
            "worst": [
                {"file": Path(p).name, **{k: round(v, 3) for k, v in q.items()}}
                for p, q in sorted(per_file.items(), key=lambda item: item[1]["f1"])[:_WORST]
            ],
        }
    return {"corpus": str(corpus), "files": len(files), "compared_files": len(common), "pages": total_pages, **engines}


def _slowest(path: str | None, run: dict[str, dict], pages: dict[str, int]) -> dict | None:
    if path is None:
        return None
    return {"file": Path(path).name, "pages": pages[path], "seconds": round(run[path]["seconds"], 3)}


def _summary_rows(report: dict) -> list[list[str]]:
    """Dossier beside pdftotext, the rows bench/report.py prints."""
    ours, peer = report["dossier"], report["pdftotext"]
    what = f"{report['compared_files']} PDFs, {report['pages']} pages"
    return [
        [
            f"PDF text pages/s ({what})",
            str(ours["pages_per_s"]),
            f"pdftotext {peer['pages_per_s']}",
            f"{ours['ratio_to_pdftotext']:.2f}x",
        ],
        [
            "PDF text word F1 / order vs pdftotext's words",
            f"{ours['f1']} / {ours['order']}",
            f"pdftotext-layout {report.get('pdftotext-layout', {}).get('f1', '-')}",
            "-",
        ],
    ]


def _print_table(report: dict) -> None:
    print(f"\n{report['compared_files']} of {report['files']} PDFs ({report['pages']} pages) read by every engine")
    print(f"{'engine':18} {'pages/s':>8} {'x pdftotext':>11} {'F1':>7} {'order':>7} {'joined':>7} {'split':>6} errors")
    names = [k for k, v in report.items() if isinstance(v, dict) and "pages_per_s" in v]
    for name in names:
        e = report[name]
        print(
            f"{name:18} {e['pages_per_s']:8.1f} {e['ratio_to_pdftotext']:11.3f} {e['f1']:7.4f} {e['order']:7.4f}"
            f" {e['joined']:7d} {e['split']:6d} {len(e['errors'])}"
        )
    for name in names:
        if name == "pdftotext":
            continue
        e = report[name]
        slow = e["slowest_file"]
        if slow:
            print(f"\n{name}: slowest per page {slow['file'][:60]} ({slow['pages']} pages, {slow['seconds']} s)")
        for w in e["worst"][:4]:
            counts = f"{w['joined']:4d} joined {w['split']:4d} split"
            print(f"  {w['f1']:.3f} F1 {w['order']:.3f} order {counts}  {w['file'][:70]}")


if __name__ == "__main__":
    main()
