"""Import and search speed of Dossier against raw Whoosh and Recoll (a benchmark script, not a test).

Measures in one run, on the corpus in ``shared/corpus`` (or $DOSSIER_CORPUS):

1. text-10k, the first N ``*.txt`` files under ``text/`` in sorted path order (see docs/performance.md):
   (a) ``Archive.import_paths`` into a fresh archive: documents/s, wall time, index and archive MB;
   (b) raw Whoosh on the same strings in memory, Dossier's schema, one writer, ``limitmb=256``, one commit;
   (c) ``recollindex -c CONFDIR -z`` over a folder of symlinks to the same files, when Recoll is installed.
2. Search latency over a fixed query list (WARMUP + RUNS per query): ``Archive.search`` with and without
   snippets on the archive from (a), and ``searcher.search(q, limit=10)`` (with and without highlights)
   on the raw index from (b), the same parsed queries.
3. PDF import (``topic/287g/pdf`` and ``pdf/hard``) into a fresh archive: documents/s and pages/s.

Prints one JSON object, then a table with ratios against docs/performance.md and against this run.
Usage: ``python bench/import_search.py [--limit N] [--out FILE] [--skip-recoll] [--corpus DIR]``
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from whoosh import index

from app.archive import Archive
from bench.peers import ensure
from indexer.extract import extract
from indexer.query import parse_query
from indexer.search_index import DEFAULT_FIELDS, build_schema

#: Figures from docs/performance.md (text-10k, 2-core machine).
BASELINE = {
    "whoosh_docs_per_s": 390.0,
    "query_p50_ms": 2.7,
    "query_p95_ms": 17.0,
    "snippets_p50_ms": 17.0,
    "snippets_p95_ms": 54.0,
    "recoll_files_per_s": 640.0,
    "pypdf_pages_per_s": 19.0,
}
WARMUP, RUNS = 1, 5
QUERIES = [
    "oil",
    "election",
    "cocoa",
    "profit",
    "music",
    "government",
    "shares",
    "interest rates",
    "oil prices",
    "film award",
    "blair labour",
    "trade deficit",
    "wheat exports",
    "coffee OR cocoa",
    "chelsea OR arsenal",
    "yen OR dollar OR sterling",
    '"stock exchange"',
    '"prime minister"',
    '"world cup"',
    '"federal reserve"',
    "kind:text",
    "kind:text election",
    "title:merger",
    "year:1987",
    "year:2005 music",
    "econom*",
    "acqui*",
    "goverment~",
    "shareholdrs~2",
    "bank NOT rates",
    "oil NOT opec",
    "(oil OR gas) prices NOT opec",
]
PDF_FOLDERS = ("topic/287g/pdf", "pdf/hard")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--limit", type=int, default=10_000, help="text files to use (default 10000)")
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    parser.add_argument("--skip-recoll", action="store_true", help="do not run recollindex")
    args = parser.parse_args()
    text_root = args.corpus / "text"
    if not text_root.is_dir():
        print(f"corpus not found: {text_root} (set --corpus or DOSSIER_CORPUS); nothing to measure")
        return
    files = sorted(text_root.rglob("*.txt"))[: args.limit]
    report: dict = {"files": len(files), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="dossier-bench-") as tmp:
        work = Path(tmp)
        _log(f"Dossier import of {len(files)} text files")
        archive, report["dossier_import"] = import_into(work / "archive", files)
        with archive:
            _log("raw Whoosh")
            docs = [_raw_doc(i, path) for i, path in enumerate(files)]
            report["raw_whoosh"] = raw_whoosh(work / "raw", docs)
            _log("Recoll")
            report["recoll"] = "skipped" if args.skip_recoll else recoll(work / "recoll", text_root, files)
            _log("search latency")
            report["search"] = search_latency(archive, work / "raw", {d["id"]: d["body"] for d in docs})
        shutil.rmtree(work / "archive")
        _log("PDF import")
        report["pdf_import"] = pdf_import(work / "pdf", args.corpus)
    report["ratios"] = ratios(report)
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    print_table(report)


def _default_corpus() -> Path:
    env = os.environ.get("DOSSIER_CORPUS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


# -- 1. indexing ------------------------------------------------------------------------------


def import_into(folder: Path, files: list[Path]) -> tuple[Archive, dict]:
    """Open a fresh archive at ``folder`` and import ``files``; returns the open archive and figures."""
    started = time.perf_counter()
    archive = Archive.open(folder)
    opened = time.perf_counter()
    first_searchable: list[float] = []

    def progress(_) -> None:
        # The first batch commit makes documents searchable; stop asking once it has happened.
        if not first_searchable and archive.index.doc_count():
            first_searchable.append(time.perf_counter() - opened)

    result = archive.import_paths(files, progress=progress)
    seconds = time.perf_counter() - opened
    stats = archive.stats()
    figures = {
        "open_s": round(opened - started, 3),
        "seconds": round(seconds, 2),
        "imported": len(result.imported),
        "duplicates": len(result.duplicates),
        "failed": len(result.failed),
        "skipped": len(result.skipped),
        "needs_ocr": stats["needs_ocr"],
        "pages": stats["pages"],
        "indexed": stats["indexed"],
        "docs_per_s": round(len(result.imported) / seconds, 1),
        "files_per_s": round(len(files) / seconds, 1),
        "pages_per_s": round(stats["pages"] / seconds, 1),
        "first_searchable_s": round(first_searchable[0], 2) if first_searchable else None,
        "index_mb": _mb(folder / "index"),
        "archive_mb": _mb(folder),
        "index_segments": _segments(folder / "index"),
        "errors": sorted({entry["error"] for entry in result.failed})[:10],
    }
    return archive, figures


def _segments(folder: Path) -> int:
    ix = index.open_dir(folder)
    try:
        with ix.reader() as reader:
            return len(reader.leaf_readers())
    finally:
        ix.close()


def _raw_doc(doc_id: int, path: Path) -> dict:
    extracted = extract("text", path.read_bytes())
    return {"id": str(doc_id), "title": extracted.title, "body": extracted.text, "kind": "text", "source": path.name}


def raw_whoosh(folder: Path, docs: list[dict]) -> dict:
    """Index in-memory ``docs`` with Dossier's schema: one writer, limitmb=256, one commit."""
    folder.mkdir()
    ix = index.create_in(folder, build_schema())
    started = time.perf_counter()
    writer = ix.writer(limitmb=256)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    seconds = time.perf_counter() - started
    ix.close()
    return {
        "seconds": round(seconds, 2),
        "docs_per_s": round(len(docs) / seconds, 1),
        "index_mb": _mb(folder),
        "index_segments": _segments(folder),
    }


def recoll(folder: Path, text_root: Path, files: list[Path]) -> dict | str:
    """Time ``recollindex -z`` over symlinks to ``files``; "not installed" when Recoll is absent."""
    binary = ensure("recollindex")
    if binary is None:
        return "not installed"
    links, conf = folder / "files", folder / "conf"
    for path in files:
        link = links / path.relative_to(text_root)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path)
    conf.mkdir()
    (conf / "recoll.conf").write_text(f"topdirs = {links}\nfollowLinks = 1\nindexStemmingLanguages = english\n")
    started = time.perf_counter()
    process = subprocess.Popen([binary, "-c", str(conf), "-z"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    errors = process.stderr.read()  # to the end, which comes when recollindex exits
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        return f"recollindex failed ({process.returncode}): {errors.decode(errors='replace')[-300:]}"
    status = _recoll_status(conf)
    return {
        "seconds": round(seconds, 2),
        "files_per_s": round(len(files) / seconds, 1),
        "files_done": status.get("filesdone"),
        "db_docs": status.get("dbtotdocs"),
        "index_mb": _mb(conf / "xapiandb"),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
    }


def _recoll_status(conf: Path) -> dict[str, str]:
    """The counters recollindex leaves in ``idxstatus.txt`` (files done, documents in the database)."""
    status = conf / "idxstatus.txt"
    lines = status.read_text(errors="replace").splitlines() if status.exists() else []
    return {key.strip(): value.strip() for key, _, value in (line.partition("=") for line in lines)}


# -- 2. search --------------------------------------------------------------------------------


def _timed(run: Callable[[], object]) -> list[float]:
    for _ in range(WARMUP):
        run()
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)], 2)


def _summary(per_query: dict[str, list[float]]) -> dict:
    every = [ms for samples in per_query.values() for ms in samples]
    slowest = sorted(per_query, key=lambda q: -_percentile(per_query[q], 0.5))[:5]
    return {
        "p50_ms": _percentile(every, 0.5),
        "p95_ms": _percentile(every, 0.95),
        "slowest": {q: _percentile(per_query[q], 0.5) for q in slowest},
    }


def search_latency(archive: Archive, raw_folder: Path, texts: dict[str, str]) -> dict:
    """p50/p95 over every run of every query, for each way of searching."""
    modes: dict[str, dict[str, list[float]]] = {"dossier_snippets": {}, "dossier": {}, "raw": {}, "raw_highlights": {}}
    totals: dict[str, int] = {}
    ix = index.open_dir(raw_folder)
    with ix.searcher() as searcher:

        def raw_highlights(parsed) -> None:
            for hit in searcher.search(parsed, limit=10):
                hit.highlights("body", text=texts[hit["id"]], top=1)

        for q in QUERIES:
            parsed = parse_query(q, ix.schema, DEFAULT_FIELDS).query
            modes["dossier_snippets"][q] = _timed(lambda q=q: archive.search(q, page_size=10))
            modes["dossier"][q] = _timed(lambda q=q: archive.search(q, page_size=10, snippets=False))
            modes["raw"][q] = _timed(lambda p=parsed: searcher.search(p, limit=10))
            modes["raw_highlights"][q] = _timed(lambda p=parsed: raw_highlights(p))
            totals[q] = archive.search(q, page_size=10, snippets=False).total
    ix.close()
    return {
        "queries": len(QUERIES),
        "runs_per_query": RUNS,
        "hits": totals,
        **{mode: _summary(per_query) for mode, per_query in modes.items()},
    }


# -- 3. PDF -----------------------------------------------------------------------------------


def pdf_import(folder: Path, corpus: Path) -> dict | str:
    """Dossier import of the corpus PDFs into a fresh archive (no passwords given)."""
    if importlib.util.find_spec("indexer.formats.pdf") is None:
        return "pdf extractor missing"
    files = sorted(p for name in PDF_FOLDERS if (corpus / name).is_dir() for p in (corpus / name).rglob("*.pdf"))
    if not files:
        return "no PDFs in the corpus"
    archive, figures = import_into(folder, files)
    archive.close()
    return {"files": len(files), **figures, "pdftotext": pdftotext(files, figures["pages"])}


def pdftotext(files: list[Path], pages: int) -> dict | str:
    """``pdftotext FILE -`` on each file in turn, timed; pages/s over the pages Dossier counted in them."""
    binary = ensure("pdftotext")
    if binary is None:
        return "not installed"
    started = time.perf_counter()
    failed = 0
    for path in files:
        run = subprocess.run([binary, "-q", str(path), "-"], stdout=subprocess.DEVNULL, check=False)
        failed += run.returncode != 0
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "failed": failed, "pages_per_s": round(pages / seconds, 1)}


# -- report -----------------------------------------------------------------------------------


def _ratio(value: float | None, reference: float | None) -> float | None:
    return round(value / reference, 2) if value and reference else None


def ratios(report: dict) -> dict:
    """Throughput: this / reference (above 1 is faster). Latency: this / reference (below 1 is faster)."""
    dossier, raw = report["dossier_import"], report["raw_whoosh"]
    rec = report["recoll"] if isinstance(report["recoll"], dict) else {}
    search, pdf = report["search"], report["pdf_import"]
    out = {
        "dossier_import_vs_baseline_whoosh": _ratio(dossier["docs_per_s"], BASELINE["whoosh_docs_per_s"]),
        "dossier_import_vs_raw_whoosh": _ratio(dossier["docs_per_s"], raw["docs_per_s"]),
        "dossier_import_vs_baseline_recoll": _ratio(dossier["files_per_s"], BASELINE["recoll_files_per_s"]),
        "dossier_import_vs_recoll": _ratio(dossier["files_per_s"], rec.get("files_per_s")),
        "raw_whoosh_vs_baseline_whoosh": _ratio(raw["docs_per_s"], BASELINE["whoosh_docs_per_s"]),
        "recoll_vs_baseline_recoll": _ratio(rec.get("files_per_s"), BASELINE["recoll_files_per_s"]),
    }
    for mode, base, same_run in (
        ("dossier", "query", "raw"),
        ("dossier_snippets", "snippets", "raw_highlights"),
        ("raw", "query", None),
        ("raw_highlights", "snippets", None),
    ):
        for p in ("p50", "p95"):
            out[f"{mode}_{p}_vs_baseline"] = _ratio(search[mode][f"{p}_ms"], BASELINE[f"{base}_{p}_ms"])
            if same_run:
                out[f"{mode}_{p}_vs_{same_run}"] = _ratio(search[mode][f"{p}_ms"], search[same_run][f"{p}_ms"])
    if isinstance(pdf, dict):
        out["pdf_pages_per_s_vs_baseline_pypdf"] = _ratio(pdf["pages_per_s"], BASELINE["pypdf_pages_per_s"])
        peer = pdf["pdftotext"] if isinstance(pdf.get("pdftotext"), dict) else {}
        out["pdf_pages_per_s_vs_pdftotext"] = _ratio(pdf["pages_per_s"], peer.get("pages_per_s"))
    return out


def print_table(report: dict) -> None:
    """The human-readable summary of ``report``."""
    dossier, raw, rec = report["dossier_import"], report["raw_whoosh"], report["recoll"]
    search, pdf, r = report["search"], report["pdf_import"], report["ratios"]

    def x(value: float | None) -> str:
        return f"{value:.2f}x" if value is not None else "-"

    rows = [("measure", "value", "vs performance.md", "vs this run")]
    rows.append(
        (
            f"Dossier import, {report['files']} text files",
            f"{dossier['docs_per_s']} docs/s ({dossier['seconds']} s)",
            f"{x(r['dossier_import_vs_baseline_whoosh'])} Whoosh 390, "
            f"{x(r['dossier_import_vs_baseline_recoll'])} Recoll 640",
            f"{x(r['dossier_import_vs_raw_whoosh'])} raw Whoosh, {x(r['dossier_import_vs_recoll'])} Recoll",
        )
    )
    rows.append(
        (
            "  imported / duplicates / failed",
            f"{dossier['imported']} / {dossier['duplicates']} / {dossier['failed']}",
            "",
            "",
        )
    )
    rows.append(
        (
            "  index / whole archive",
            f"{dossier['index_mb']} / {dossier['archive_mb']} MB ({dossier['index_segments']} segments)",
            "32 MB (body stored)",
            f"raw {raw['index_mb']} MB",
        )
    )
    rows.append(("  first documents searchable after", f"{dossier['first_searchable_s']} s", "", ""))
    rows.append(
        (
            "raw Whoosh, same strings, one commit",
            f"{raw['docs_per_s']} docs/s ({raw['seconds']} s)",
            x(r["raw_whoosh_vs_baseline_whoosh"]),
            "",
        )
    )
    if isinstance(rec, dict):
        rows.append(
            (
                "Recoll recollindex -z",
                f"{rec['files_per_s']} files/s ({rec['seconds']} s)",
                x(r["recoll_vs_baseline_recoll"]),
                f"{rec['files_done']} files, {rec['index_mb']} MB, {rec['peak_rss_mb']} MB RSS",
            )
        )
    else:
        rows.append(("Recoll recollindex -z", rec, "", ""))
    for mode, label, base, same_run in (
        ("dossier", "Dossier search, no snippets", "2.7 / 17", "raw"),
        ("dossier_snippets", "Dossier search + snippets", "17 / 54", "raw_highlights"),
        ("raw", "raw Whoosh search(limit=10)", "2.7 / 17", None),
        ("raw_highlights", "raw Whoosh + highlights", "17 / 54", None),
    ):
        ms = search[mode]
        vs_base = r.get(f"{mode}_p50_vs_baseline")
        rows.append(
            (
                f"{label} p50/p95",
                f"{ms['p50_ms']} / {ms['p95_ms']} ms",
                f"{x(vs_base)} / {x(r.get(f'{mode}_p95_vs_baseline'))} of {base}" if vs_base else base,
                f"{x(r[f'{mode}_p50_vs_{same_run}'])} / {x(r[f'{mode}_p95_vs_{same_run}'])} of {same_run}"
                if same_run
                else "",
            )
        )
    if isinstance(pdf, dict):
        rows.append(
            (
                f"PDF import, {pdf['files']} files",
                f"{pdf['docs_per_s']} docs/s, {pdf['pages_per_s']} pages/s",
                f"{x(r['pdf_pages_per_s_vs_baseline_pypdf'])} pypdf 19 pages/s",
                f"{x(r.get('pdf_pages_per_s_vs_pdftotext'))} pdftotext; {pdf['imported']} imported, "
                f"{pdf['failed']} failed, {pdf['needs_ocr']} need OCR, "
                f"{pdf['pages']} pages, {pdf['seconds']} s",
            )
        )
    else:
        rows.append(("PDF import", pdf, "", ""))
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    print()
    for n, row in enumerate(rows):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\nslowest queries (Dossier + snippets, p50 ms): {search['dossier_snippets']['slowest']}")
    print(f"slowest queries (raw Whoosh, p50 ms): {search['raw']['slowest']}")


if __name__ == "__main__":
    main()
