"""Dossier at 10k, 50k and 100k documents (and 1M, extrapolated), beside Recoll and SQLite FTS5 on the same texts.

For each size N (``--sizes``), on the first N documents of the corpus ``bench/make_corpus.py`` builds (one
corpus, of the largest size, in ``--work``; each size imports a prefix of it into a fresh archive):

1. Import with the real command, ``dossier import`` in a subprocess, timed from launch to exit; the resident
   memory of its whole process tree (the import's extraction workers included) is sampled every 0.25 s (psutil
   when installed, else /proc), and the documents stored and indexed (stored, not in the index queue) are
   counted every 5 s for the rate curve. Figures: wall time, documents/s, peak RSS of the tree, index MB,
   archive MB, index segments, when the last document was stored and indexed.
2. ``recollindex -z`` over the same files (``bench/import_search.py``'s run): files/s, its peak RSS, its MB.
3. Search: ``bench/scale_search.py``'s measurement, the window's whole answer against FTS5 on the same texts
   (p50 and p95 by query kind; FTS5's build time and size).
4. At the largest size only: ``Archive.open`` (the start-up repair) and ``check`` in a fresh process; the window,
   ``python -m ui.main --archive DIR --screenshot OUT.png`` offscreen, wall time and peak RSS, and launch to
   a usable window step by step (``bench/gui_responsiveness.py``'s launch).
5. 1M: the rate curve of the largest import, seconds per document against documents already indexed, fitted
   with a straight line (per-document cost growing with the archive) and integrated to ``--extrapolate``
   documents, plus the time the import took after its last document was indexed (the closing merge), grown
   in proportion to the documents; then a sample of that corpus (every k-th document of it beyond the largest
   size, ``--sample`` of them) is imported into the largest archive and timed, the measured rate beyond it.

Prints one JSON object, then one table (``--table FILE`` prints that of a report again). ``--keep`` leaves
the archives in ``--work`` (reused corpora are kept regardless).
Usage: ``python bench/scale.py --sizes 10000,50000,100000 [--out FILE] [--work DIR] [--table FILE]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.archive import DB_NAME, Archive
from bench import make_corpus
from bench.gui_responsiveness import launches
from bench.import_search import _log, _mb, _segments, recoll
from bench.peers import ensure
from bench.scale_search import measure

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_EVERY_S = 0.25
COUNT_EVERY_S = 5.0
CLI = [sys.executable, "-m", "app.cli"]
GUI = [sys.executable, "-m", "ui.main"]
TARGET_RSS_MB = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,100000", help="comma-separated document counts")
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dossier-scale")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=make_corpus.default_corpus(), help="the shared corpus")
    parser.add_argument("--extrapolate", type=int, default=1_000_000, help="documents to extrapolate to")
    parser.add_argument("--sample", type=int, default=5000, help="documents of the big corpus to import (0: none)")
    parser.add_argument("--skip-recoll", action="store_true")
    parser.add_argument("--skip-gui", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the archives in --work")
    parser.add_argument("--table", type=Path, metavar="FILE", help="only print the table of a JSON report")
    args = parser.parse_args()
    if args.table:
        print_table(json.loads(args.table.read_text()))
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    args.work.mkdir(parents=True, exist_ok=True)
    _log(f"corpus of {sizes[-1]} documents")
    corpus_dir = args.work / f"corpus-{sizes[-1]}-seed{args.seed}"
    report: dict = {
        "cpus": os.cpu_count(),
        "corpus": make_corpus.build(sizes[-1], corpus_dir, seed=args.seed, corpus=args.corpus),
        "sizes": {},
    }
    recollindex = None if args.skip_recoll else ensure("recollindex")
    every = make_corpus.files(corpus_dir)
    for size in sizes:
        archive_dir = args.work / f"archive-{size}"
        shutil.rmtree(archive_dir, ignore_errors=True)
        row: dict = {}
        _log(f"{size}: dossier import")
        row["import"] = import_cli(archive_dir, _import_args(corpus_dir, every, size))
        if recollindex:
            _log(f"{size}: recollindex")
            recoll_dir = args.work / f"recoll-{size}"
            shutil.rmtree(recoll_dir, ignore_errors=True)
            row["recoll"] = recoll(recoll_dir, corpus_dir, every[:size])
            shutil.rmtree(recoll_dir, ignore_errors=True)
        else:
            row["recoll"] = "skipped" if args.skip_recoll else "not installed"
        if size == sizes[-1]:
            _log(f"{size}: open and check in a fresh process")
            row["open_check"] = open_check(archive_dir)
        _log(f"{size}: search")
        with Archive.open(archive_dir) as archive:
            row["search"] = measure(archive)
        if size == sizes[-1] and not args.skip_gui:
            _log(f"{size}: window")
            row["window"] = window(archive_dir, args.work / f"window-{size}.png")
        if size == sizes[-1]:
            row["extrapolated"] = extrapolate(row["import"], args.extrapolate)
            if args.sample:
                _log(f"{size}: a sample of the {args.extrapolate} corpus on top")
                row["sample_on_top"] = sample_on_top(archive_dir, args, size)
        report["sizes"][str(size)] = row
        if not args.keep:
            shutil.rmtree(archive_dir, ignore_errors=True)
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    print_table(report)


def _import_args(corpus_dir: Path, every: list[Path], size: int) -> list[str]:
    """The command-line paths of the first ``size`` documents: whole folders where they can be."""
    whole = size // make_corpus.PER_FOLDER
    folders = sorted({p.parent for p in every[: whole * make_corpus.PER_FOLDER]})
    return [str(f) for f in folders] + [str(p) for p in every[whole * make_corpus.PER_FOLDER : size]]


# -- import -----------------------------------------------------------------------------------


class TreeMemory:
    """Samples the resident memory of a process and its descendants on a thread; ``peak_mb`` after ``stop``."""

    def __init__(self, pid: int, on_sample=None) -> None:
        self.pid, self.on_sample = pid, on_sample
        self.peak_mb = self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY_S):
            sizes = tree_rss(self.pid)
            if not sizes:
                continue
            self.peak_mb = max(self.peak_mb, round(sum(sizes) / 2**20))
            self.peak_processes = max(self.peak_processes, len(sizes))
            if self.on_sample:
                self.on_sample()


def tree_rss(pid: int) -> list[int]:
    """Resident bytes of ``pid`` and each of its descendants (empty once it has gone)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(pid)
            found = []
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    found.append(process.memory_info().rss)
            return found
        return []
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            pages = int(Path(f"/proc/{current}/statm").read_text().split()[1])
            found.append(pages * os.sysconf("SC_PAGE_SIZE"))
            todo.extend(children.get(current, []))
    return found


def run_sampled(command: list[str], on_sample=None, **popen) -> tuple[float, int, int, int]:
    """Run ``command`` to its end; (wall seconds, exit code, peak RSS MB of its tree, most processes at once)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=_env(), **popen)
    memory = TreeMemory(process.pid, on_sample)
    try:
        code = process.wait()
    finally:
        memory.stop()
    return time.perf_counter() - started, code, memory.peak_mb, memory.peak_processes


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}


def import_cli(archive_dir: Path, paths: list[str]) -> dict:
    """``dossier --archive DIR import PATHS``, timed and sampled; figures from the archive afterwards."""
    curve: list[tuple[float, int, int]] = []
    started = time.perf_counter()
    next_count = [started + COUNT_EVERY_S]

    def count() -> None:
        if time.perf_counter() >= next_count[0]:
            next_count[0] += COUNT_EVERY_S
            counts = stored_and_indexed(archive_dir)
            if counts is not None:
                curve.append((round(time.perf_counter() - started, 2), *counts))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errors:
        seconds, code, peak_mb, processes = run_sampled(
            [*CLI, "--archive", str(archive_dir), "import", *paths], on_sample=count, stdout=out, stderr=errors
        )
        errors.seek(0)
        tail = errors.read()[-500:].decode(errors="replace")
        out.seek(0)
        lines = out.read().decode(errors="replace").splitlines()
    unusual = [line.strip() for line in lines[1:] if not line.startswith("  imported ")]
    with Archive.open(archive_dir) as archive:
        stats = archive.stats()
    curve.append((round(seconds, 2), stats["documents"], stats["indexed"]))
    all_indexed = next((t for t, _, indexed in curve if indexed >= stats["documents"]), seconds)
    return {
        "exit_code": code,
        "errors": tail if code else "",
        "summary": lines[0] if lines else "",
        "not_imported": unusual[:10],
        "seconds": round(seconds, 1),
        "documents": stats["documents"],
        "indexed": stats["indexed"],
        "docs_per_s": round(stats["documents"] / seconds, 1),
        "peak_rss_mb": peak_mb,
        "peak_processes": processes,
        "index_mb": _mb(archive_dir / "index"),
        "archive_mb": _mb(archive_dir),
        "index_segments": _segments(archive_dir / "index"),
        "all_stored_s": next((t for t, stored, _ in curve if stored >= stats["documents"]), seconds),
        "all_indexed_s": all_indexed,
        "after_indexed_s": round(max(0.0, seconds - all_indexed), 1),
        "curve": curve,
        "curve_is": "(seconds, documents stored, documents indexed) every few seconds",
    }


def stored_and_indexed(archive_dir: Path) -> tuple[int, int] | None:
    """Documents stored and documents indexed (stored, not queued) so far, read without taking any lock;
    None while the database is not there yet."""
    path = archive_dir / DB_NAME
    if not path.exists():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as conn:
            stored = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            queued = conn.execute("SELECT count(*) FROM index_queue").fetchone()[0]
    except sqlite3.Error:
        return None
    return stored, stored - queued


# -- open, check, window ---------------------------------------------------------------------

_OPEN_CHECK = """
import json, sys, time
started = time.perf_counter()
from app.archive import Archive
imported = time.perf_counter()
archive = Archive.open(sys.argv[1])
opened = time.perf_counter()
report = archive.check()
checked = time.perf_counter()
archive.close()
print(json.dumps({"imports_s": round(imported - started, 2), "open_s": round(opened - imported, 2),
                  "check_s": round(checked - opened, 2), "ok": report.ok, "documents": report.documents}))
"""


def open_check(archive_dir: Path) -> dict:
    """``Archive.open`` (its index repair) and ``check`` in a fresh interpreter, each timed, and the whole run."""
    with tempfile.TemporaryFile() as out:
        seconds, code, peak_mb, _ = run_sampled(
            [sys.executable, "-c", _OPEN_CHECK, str(archive_dir)], stdout=out, stderr=subprocess.DEVNULL
        )
        out.seek(0)
        lines = out.read().decode().splitlines()
    if code or not lines:
        return {"error": f"exit code {code}"}
    return {**json.loads(lines[-1]), "process_s": round(seconds, 2), "peak_rss_mb": peak_mb}


def window(archive_dir: Path, png: Path) -> dict:
    """The window's screenshot run (launch, first results, snippets, exit) and the launch's own steps."""
    png.unlink(missing_ok=True)
    seconds, code, peak_mb, _ = run_sampled(
        [*GUI, "--archive", str(archive_dir), "--screenshot", str(png)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    launch = launches(archive_dir, 1)
    steps = launch["runs"][0] if "runs" in launch else launch
    return {
        "screenshot_s": round(seconds, 2),
        "exit_code": code,
        "peak_rss_mb": peak_mb,
        "png": str(png) if png.exists() else None,
        "usable_s": launch.get("median_s"),
        "launch_steps": steps,
    }


# -- 1M ---------------------------------------------------------------------------------------


def extrapolate(figures: dict, target: int, tenths: int = 10) -> dict:
    """Seconds per indexed document as a straight line in documents indexed, integrated from 0 to ``target``,
    plus the time after the last document was indexed (the closing merge and commit) grown in proportion to
    the documents; and the same with the median tenth's rate held flat. The line is a least-squares fit over the
    import's tenths after the first (the time each tenth of the documents took to be indexed, read from the
    curve; the index commits in bursts, so shorter slices would be noise); a falling line is held flat."""
    documents = figures["documents"]
    marks = [0.0]
    for k in range(1, tenths + 1):
        wanted = documents * k / tenths
        marks.append(next((t for t, _, indexed in figures["curve"] if indexed >= wanted), figures["seconds"]))
    step = documents / tenths
    slices = [((k + 0.5) * step, (marks[k + 1] - marks[k]) / step) for k in range(1, tenths)]
    if documents < 1000 or len(figures["curve"]) < tenths:
        return {"error": "too few points on the import curve"}
    mean_n = sum(n for n, _ in slices) / len(slices)
    mean_c = sum(c for _, c in slices) / len(slices)
    slope = sum((n - mean_n) * (c - mean_c) for n, c in slices) / sum((n - mean_n) ** 2 for n, _ in slices)
    if slope < 0:  # no growth measured (a short or noisy curve): hold the mean cost flat
        slope = 0.0
    base = mean_c - slope * mean_n
    tail = figures["after_indexed_s"] * target / documents
    seconds = base * target + slope * target**2 / 2 + tail
    return {
        "documents": target,
        "ms_per_doc_at_0": round(base * 1000, 3),
        "ms_per_doc_more_per_100k": round(slope * 1000 * 100_000, 3),
        "closing_s": round(tail),
        "fitted_seconds": round(seconds),
        "fitted_docs_per_s": round(target / seconds, 1),
        "rate_at_target": round(1 / (base + slope * target), 1),
        "flat_seconds": round(target * sorted(c for _, c in slices)[len(slices) // 2] + tail),
        "index_mb": round(figures["index_mb"] / documents * target),
        "archive_mb": round(figures["archive_mb"] / documents * target),
    }


def sample_on_top(archive_dir: Path, args: argparse.Namespace, size: int) -> dict:
    """Import ``--sample`` documents of the ``--extrapolate``-document corpus, spread over its part beyond
    ``size``, into the ``size`` archive: the import rate an archive past that size has, measured."""
    folder = args.work / f"sample-{args.extrapolate}-of-{args.sample}-seed{args.seed}"
    manifest = make_corpus.build(args.extrapolate, folder, seed=args.seed, sample=args.sample, corpus=args.corpus)
    beyond = [p for p in make_corpus.files(folder) if int(p.stem) >= size]
    figures = import_cli(archive_dir, [str(p) for p in beyond])
    before = figures["documents"] - len(beyond)
    figures["added"] = len(beyond)
    figures["docs_per_s"] = round(len(beyond) / figures["seconds"], 1)
    figures["stride"], figures["before"] = manifest["stride"], before
    figures["build_s"] = manifest["build_s"]
    del figures["curve"]
    return figures


# -- table ------------------------------------------------------------------------------------


def rows(report: dict) -> list[tuple[str, str, str, str]]:
    """(measure, Dossier, peer, ratio) rows for every size; ``bench/report.py`` prints them with the others."""
    out = []
    for size, row in report["sizes"].items():
        n = f"{int(size) // 1000}k"
        imp, rec, search = row["import"], row["recoll"], row["search"]["summary"]
        rec_ok = isinstance(rec, dict)
        out.append(
            (
                f"{n}: import docs/s (wall)",
                f"{imp['docs_per_s']} ({imp['seconds']} s)",
                f"recollindex {rec['files_per_s']} ({rec['seconds']} s)" if rec_ok else f"recollindex {rec}",
                _x(imp["docs_per_s"], rec["files_per_s"]) if rec_ok else "-",
            )
        )
        out.append(
            (
                f"{n}: import: all stored / all indexed / exit",
                f"{imp['all_stored_s']} / {imp['all_indexed_s']} / {imp['seconds']} s",
                f"after the last is indexed: {imp['after_indexed_s']} s",
                "-",
            )
        )
        out.append(
            (
                f"{n}: import peak RSS, process tree",
                f"{imp['peak_rss_mb']} MB ({imp['peak_processes']} processes)",
                f"recollindex {rec['peak_rss_mb']} MB; goal {TARGET_RSS_MB} MB" if rec_ok else f"goal {TARGET_RSS_MB}",
                _x(imp["peak_rss_mb"], rec["peak_rss_mb"]) if rec_ok else "-",
            )
        )
        out.append(
            (
                f"{n}: index / archive MB",
                f"{imp['index_mb']} / {imp['archive_mb']} ({imp['index_segments']} segments)",
                f"Xapian {rec['index_mb']}; FTS5 {row['search'].get('fts5_mb', '-')}" if rec_ok else "-",
                _x(imp["index_mb"], rec["index_mb"]) if rec_ok else "-",
            )
        )
        out.append(
            (
                f"{n}: search p50 / p95 (shared queries)",
                f"{search['dossier_shared_p50_ms']} / {search['dossier_shared_p95_ms']} ms",
                f"FTS5 {search['fts5_p50_ms']} / {search['fts5_p95_ms']} ms",
                f"{search['ratio_p50']}x / {search['ratio_p95']}x",
            )
        )
        out.append(
            (
                f"{n}: search p50 / p95, all; fuzzy+wildcard p95",
                f"{search['dossier_p50_ms']} / {search['dossier_p95_ms']}; "
                f"{search['dossier_fuzzy_wildcard_p95_ms']} ms",
                "goal p95 20 ms at 10k, 50 at 100k; fuzzy 100",
                "-",
            )
        )
        if "dossier_first_p95_ms" in search:
            out.append(
                (
                    f"{n}: search, each query's first run p50 / p95",
                    f"{search['dossier_first_p50_ms']} / {search['dossier_first_p95_ms']} ms",
                    "terms of earlier queries already decoded",
                    "-",
                )
            )
        if "open_check" in row:
            oc = row["open_check"]
            out.append(
                (
                    f"{n}: open (start-up repair) / check",
                    f"{oc.get('open_s')} / {oc.get('check_s')} s ({oc.get('peak_rss_mb')} MB)",
                    f"imports {oc.get('imports_s')} s; process {oc.get('process_s')} s",
                    "-",
                )
            )
        if "window" in row:
            w = row["window"]
            out.append(
                (
                    f"{n}: launch to usable window",
                    f"{w['usable_s']} s; screenshot run {w['screenshot_s']} s, {w['peak_rss_mb']} MB",
                    "goal 1.5 s",
                    _x(w["usable_s"], 1.5, "of goal"),
                )
            )
        if "extrapolated" in row and "error" not in row["extrapolated"]:
            e = row["extrapolated"]
            out.append(
                (
                    f"{e['documents'] // 1000}k import, extrapolated",
                    f"{e['fitted_seconds']} s ({e['fitted_docs_per_s']} docs/s; {e['rate_at_target']} at the end; "
                    f"closing {e['closing_s']} s)",
                    f"median rate held: {e['flat_seconds']} s; index {e['index_mb']} MB, archive {e['archive_mb']} MB",
                    "-",
                )
            )
        if "sample_on_top" in row:
            s = row["sample_on_top"]
            out.append(
                (
                    f"  measured: {s['added']} more on {s['before'] / 1000:.0f}k",
                    f"{s['docs_per_s']} docs/s, {s['peak_rss_mb']} MB",
                    f"every {s['stride']}th of the big corpus",
                    "-",
                )
            )
    return out


def _x(value, peer, suffix: str = "") -> str:
    if not value or not peer:
        return "-"
    return f"{value / peer:.2f}x" + (f" {suffix}" if suffix else "")


def print_table(report: dict, title: str | None = None) -> None:
    table([("measure", "Dossier", "peer", "ratio"), *rows(report)], title)


def table(lines: list[tuple[str, ...]], title: str | None = None) -> None:
    """Print ``lines`` (the first is the header) as aligned columns."""
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(lines[0]))]
    print(f"\n{title}" if title else "")
    for n, line in enumerate(lines):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
