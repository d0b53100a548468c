"""Import rate per format: every supported file of the shared corpus, grouped by kind, imported kind by kind.

For each kind: the files are imported into a fresh archive (``Archive.import_paths``: sandboxed extraction,
store, index; no OCR) and timed end to end (files/s, MB/s, documents made, failures); then each file is
extracted alone through one sandboxed worker to give the per-file extraction time (p50, p95). Where a
command-line extractor a user might pick instead is installed it runs on the same files, one process per
file as a user's script would: ``pdftotext`` for PDF, ``antiword`` for .doc, ``unrtf --text`` for RTF.

Text files are sampled (``--text N``, default 1,000 of the sorted ``text/`` tree): text-10k is
``bench/import_search.py``'s job. Prints one JSON object, then a table.
Usage: ``python bench/format_rates.py [--corpus DIR] [--text N] [--kinds pdf,docx]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.archive import Archive
from indexer.extract import kind_for
from indexer.sandbox import ExtractorPool, Job, Limits

PEERS = {"pdf": ["pdftotext", "-q", "{path}", "-"], "doc": ["antiword", "{path}"], "rtf": ["unrtf", "--text", "{path}"]}
FOLDERS = ("office", "pdf", "html", "md", "seed", "topic")


def corpus_dir(given: str | None) -> Path:
    return Path(given or os.environ.get("DOSSIER_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


def files_by_kind(corpus: Path, text_sample: int) -> dict[str, list[Path]]:
    """Every file Dossier reads under the corpus folders, by kind (text sampled)."""
    found: dict[str, list[Path]] = defaultdict(list)
    for folder in FOLDERS:
        for path in sorted((corpus / folder).rglob("*")):
            kind = kind_for(path) if path.is_file() else None
            if kind:
                found[kind].append(path)
    found["text"] = sorted(p for p in (corpus / "text").rglob("*.txt"))[:text_sample] + found.get("text", [])
    return dict(found)


def fixed_cost(sample: Path) -> float:
    """Seconds an import of one small file takes (worker start, index commit): subtracted for the net rate."""
    return import_rate([sample], 0.0)["seconds"]


def import_rate(files: list[Path], fixed: float) -> dict:
    """One import of ``files`` into a fresh archive; the net rate leaves out ``fixed`` seconds of start-up."""
    size = sum(path.stat().st_size for path in files)
    with tempfile.TemporaryDirectory(prefix="dossier-rates-") as folder, Archive.open(Path(folder)) as archive:
        start = time.perf_counter()
        report = archive.import_paths(files)
        seconds = time.perf_counter() - start
    return {
        "files": len(files),
        "mb": round(size / 2**20, 2),
        "seconds": round(seconds, 2),
        "files_per_s": round(len(files) / seconds, 1),
        "net_files_per_s": round(len(files) / max(seconds - fixed, 0.01), 1),
        "mb_per_s": round(size / 2**20 / seconds, 2),
        "documents": len(report.imported),
        "skipped": len(report.skipped),
        "failed": len(report.failed),
    }


def extraction_times(kind: str, files: list[Path]) -> dict:
    """Each file extracted alone by one sandboxed worker: the per-file cost without store and index."""
    times = []
    with ExtractorPool(Limits(seconds=120, workers=1)) as pool:
        list(pool.run([Job(-1, kind, files[0].read_bytes())]))  # the worker's start is not a file's cost
        for number, path in enumerate(files):
            start = time.perf_counter()
            list(pool.run([Job(number, kind, path.read_bytes())]))
            times.append(time.perf_counter() - start)
    return _percentiles(times)


def peer_times(kind: str, files: list[Path]) -> dict | None:
    """The peer command on each file, one process per file."""
    command = PEERS.get(kind)
    if not command or not shutil.which(command[0]):
        return None
    times = []
    with tempfile.TemporaryDirectory(prefix="dossier-peer-") as scratch:  # unrtf writes pictures to its folder
        for path in files:
            start = time.perf_counter()
            run = [part.format(path=path) for part in command]
            subprocess.run(run, capture_output=True, timeout=120, cwd=scratch)
            times.append(time.perf_counter() - start)
    return {"tool": command[0], **_percentiles(times)}


def _percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "total_s": round(sum(ordered), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus")
    parser.add_argument("--text", type=int, default=1000)
    parser.add_argument("--kinds", help="comma-separated kinds (default: all found)")
    args = parser.parse_args()
    corpus = corpus_dir(args.corpus)
    if not corpus.is_dir():
        sys.exit(f"corpus not found at {corpus}: set DOSSIER_CORPUS")
    groups = files_by_kind(corpus, args.text)
    wanted = args.kinds.split(",") if args.kinds else sorted(groups)
    fixed = fixed_cost(groups["text"][0])
    results = {}
    for kind in wanted:
        files = groups.get(kind, [])
        if not files:
            continue
        row = {"import": import_rate(files, fixed), "extract": extraction_times(kind, files)}
        peer = peer_times(kind, files)
        if peer:
            row["peer"] = peer
            row["extract_vs_peer_p50"] = round(row["extract"]["p50_ms"] / max(peer["p50_ms"], 0.1), 2)
        results[kind] = row
    print(json.dumps({"load": os.getloadavg(), "fixed_import_s": fixed, "kinds": results}, indent=2))
    print(f"\nimport start-up (one small file): {fixed} s; net = files / (seconds - start-up)")
    heads = ("files", 6), ("MB", 7), ("files/s", 8), ("net", 6), ("MB/s", 6), ("failed", 6), ("ext p50", 8), ("p95", 8)
    print(f"{'kind':10} " + " ".join(f"{name:>{width}}" for name, width in heads) + "  peer")
    for kind, row in results.items():
        imp, ext, peer = row["import"], row["extract"], row.get("peer")
        against = f"{peer['tool']} p50 {peer['p50_ms']} ms ({row['extract_vs_peer_p50']}x)" if peer else ""
        print(
            f"{kind:10} {imp['files']:>6} {imp['mb']:>7} {imp['files_per_s']:>8} {imp['net_files_per_s']:>6} "
            f"{imp['mb_per_s']:>6} "
            f"{imp['failed']:>6} {ext['p50_ms']:>7}ms {ext['p95_ms']:>7}ms  {against}"
        )


if __name__ == "__main__":
    main()
