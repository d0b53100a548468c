"""GUI responsiveness of the desktop app: launch time and event-loop stalls (a benchmark script, not a test).

Measures, on the corpus in ``shared/corpus`` (or $DOSSIER_CORPUS), with Qt's offscreen platform:

1. Launch to a usable window on a DOCS-document archive (the first DOCS ``text/**/*.txt`` files in sorted
   path order, built once into ``--archive-dir`` and reused): each run is a fresh interpreter
   (``--child-launch DIR``) timed from just before ``Popen`` to one event-loop turn after the window's
   ``results_shown`` ("usable") and after the result list's first paint, with the child's own steps.
2. Event-loop stalls while the window imports LIMIT mixed files (HTML, PDF, Markdown, text; passed as files in a
   deterministic shuffled order) into a fresh archive, with a user typing a new query every 400 ms and selecting
   a result now and then. A 5 ms QTimer heartbeat measures how late each beat is (blocked time). For the longest
   gaps it keeps the GUI-side slots that ran (timed by wrapping them), the GUI thread's time on a core / waiting
   for one / off (the GIL, a lock, I/O), each thread's CPU time with its sampled Python stack, and the garbage
   collections, so each stall shows what held the GUI thread.
3. The same heartbeat and typing for ``--idle-seconds`` on the big archive with no import (search costs alone).
4. With ``--with-map``: test 2 again with View > Stance map open (it redraws on every result and every change
   the import lands), switching between the grid and Texas's zoomed view now and then, as a user would.

Prints one JSON object, then tables. Targets (issue "desktop app"): no stall over 100 ms, a window in under 1.5 s.
``--switch-interval-ms`` sets ``sys.setswitchinterval`` for the stall tests, to try that as a fix.
Usage: ``python bench/gui_responsiveness.py [--limit N] [--docs N] [--out FILE] [--skip-launch] [--skip-import]
[--with-map]``
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from contextlib import suppress
from functools import cache, wraps
from pathlib import Path

STARTED = time.time()  # the child's "interpreter is up" mark: only the standard library is imported

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_STALL_MS, TARGET_WINDOW_S = 100.0, 1.5
BEAT_MS = 5
TYPE_EVERY_MS = 400
SELECT_EVERY = 3  # typing ticks between result selections
TAIL_MS = 2000  # keep measuring after the import finished (final refresh, report dialog)
IMPORT_TIMEOUT_S = 900
STALL_MS = 50.0  # gaps above this are kept with their slots and stack samples
SAMPLE_EVERY_S, SAMPLE_AFTER_S = 0.005, 0.02  # stack samples: how often, once a beat is this overdue
CLOCK_EVERY_S = 0.01  # per-thread CPU clock snapshots
QUERIES = ("police", "court ruling", "market*", "minister~", "oil prices", '"prime minister"', "election", "trade")
#: Share of the import file list per kind (the rest is split between Markdown and text).
HTML_SHARE, PDF_SHARE = 450 / 2000, 100 / 2000
MARKER = "dossier-bench.json"  # beside the archive's own files: what the cached archive was built from


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child-launch", metavar="DIR", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help="corpus folder (default ../shared/corpus or $DOSSIER_CORPUS)")
    parser.add_argument("--limit", type=int, default=2000, help="files for the import test (default 2000)")
    parser.add_argument("--docs", type=int, default=20_000, help="documents in the big archive (default 20000)")
    parser.add_argument("--archive-dir", type=Path, default=Path(tempfile.gettempdir()) / "dossier-bench-20k")
    parser.add_argument("--launches", type=int, default=3, help="fresh-process launches to time (default 3)")
    parser.add_argument("--idle-seconds", type=float, default=30.0, help="typing on the big archive (0 skips)")
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    parser.add_argument("--skip-launch", action="store_true", help="do not time launches")
    parser.add_argument("--skip-import", action="store_true", help="do not run the import test")
    parser.add_argument("--with-map", action="store_true", help="also run the import test with the map view open")
    parser.add_argument(
        "--switch-interval-ms", type=float, help="set sys.setswitchinterval for the stall tests (to try a fix)"
    )
    args = parser.parse_args()
    if args.child_launch:
        child_launch(args.child_launch)
        return

    from import_search import _default_corpus, _log

    corpus = args.corpus or _default_corpus()
    if not (corpus / "text").is_dir():
        print(f"corpus not found: {corpus / 'text'} (set --corpus or DOSSIER_CORPUS); nothing to measure")
        return
    from PySide6 import __version__ as pyside_version

    from ui.main import tune_interpreter

    tune_interpreter()  # as the app does at start
    if args.switch_interval_ms:
        sys.setswitchinterval(args.switch_interval_ms / 1000)

    report: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "note": "2 cores shared with other work: stalls and times vary from run to run",
            "python": platform.python_version(),
            "pyside6": pyside_version,
            "gil_switch_interval_ms": sys.getswitchinterval() * 1000,
            "qpa": os.environ["QT_QPA_PLATFORM"],
            "pyside_refcount_leak": refcount_leak(),
        },
        "targets": {"max_stall_ms": TARGET_STALL_MS, "window_s": TARGET_WINDOW_S},
    }
    needs_archive = not args.skip_launch or args.idle_seconds > 0
    if needs_archive:
        _log(f"archive of {args.docs} text files at {args.archive_dir}")
        report["archive"] = build_archive(args.archive_dir, corpus, args.docs)
    if not args.skip_launch:
        _log(f"{args.launches} launches")
        report["launch"] = launches(args.archive_dir, args.launches)
    if not args.skip_import:
        files = import_files(corpus, args.limit)
        _log(f"import of {len(files)} files with typing")
        report["import"] = import_stalls(files)
    if args.with_map:
        files = import_files(corpus, args.limit)
        _log(f"import of {len(files)} files with typing, the stance map open")
        report["import_map"] = import_stalls(files, with_map=True)
    if args.idle_seconds > 0:
        _log(f"{args.idle_seconds:.0f} s of typing on the big archive")
        report["idle"] = idle_stalls(args.archive_dir, args.idle_seconds)
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    print_tables(report)


# -- 1. launch ----------------------------------------------------------------------------------


def build_archive(folder: Path, corpus: Path, docs: int) -> dict:
    """Import the first ``docs`` text files into ``folder`` unless it already holds them."""
    from app.archive import Archive

    files = sorted((corpus / "text").rglob("*.txt"))[:docs]
    marker = folder / MARKER
    if folder.is_dir() and any(folder.iterdir()) and not marker.exists():
        raise SystemExit(f"{folder} was not built by this benchmark; choose another --archive-dir")
    if marker.exists():
        built = json.loads(marker.read_text())
        with Archive.open(folder) as archive:
            documents = archive.documents.count()
        if built["files"] == len(files) and built["documents"] == documents:
            return {**built, "reused": True}
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    with Archive.open(folder) as archive:
        result = archive.import_paths(files)
        documents = archive.documents.count()
    seconds = time.perf_counter() - started
    built = {
        "folder": str(folder),
        "files": len(files),
        "documents": documents,
        "duplicates": len(result.duplicates),
        "failed": len(result.failed),
        "build_s": round(seconds, 1),
        "build_docs_per_s": round(documents / seconds, 1),
    }
    marker.write_text(json.dumps(built) + "\n")
    return {**built, "reused": False}


def launches(folder: Path, runs: int) -> dict:
    """Time ``runs`` fresh-process launches; steps are cumulative seconds from just before Popen."""
    samples = []
    for _ in range(runs):
        t0 = time.time()
        child = subprocess.run(
            [sys.executable, __file__, "--child-launch", str(folder)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        marks = [line for line in child.stdout.splitlines() if line.startswith("LAUNCH ")]
        if child.returncode or not marks:
            return {"error": f"child failed ({child.returncode}): {child.stderr[-500:]}"}
        child_marks = json.loads(marks[-1].removeprefix("LAUNCH "))
        run = {name: round(epoch - t0, 3) for name, epoch in child_marks.pop("epochs").items()}
        samples.append({**run, **child_marks})
    return {
        "runs": samples,
        "median_s": _median(samples, "usable"),
        "median_rows_painted_s": _median(samples, "rows_painted"),
        "steps": "seconds from just before Popen: interpreter (script starts), imports (PySide6, app, ui), "
        "qapplication, archive_open, window (constructed and shown), first_results (results_shown), "
        "usable (one event-loop turn later), rows_painted (one turn after the result list's first paint)",
    }


def _median(samples: list[dict], step: str) -> float | None:
    values = [s[step] for s in samples if step in s]
    return round(statistics.median(values), 3) if values else None


def child_launch(folder: Path) -> None:
    """Open ``folder`` as the app does, print the epoch of each step as one ``LAUNCH {json}`` line, exit."""
    epochs = {"interpreter": STARTED}
    from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from app.archive import Archive
    from ui.main_window import MainWindow

    epochs["imports"] = time.time()
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Dossier")
    epochs["qapplication"] = time.time()
    archive = Archive.open(folder, shared=True)
    epochs["archive_open"] = time.time()
    with tempfile.TemporaryDirectory(prefix="dossier-bench-settings-") as tmp:
        window = MainWindow(archive, QSettings(str(Path(tmp) / "gui.ini"), QSettings.Format.IniFormat))
        window.show()
        epochs["window"] = time.time()
        extra: dict = {}

        def finish() -> None:
            if "rows_loaded" in extra:
                return
            extra["rows_loaded"] = len(window.results_model._rows)  # rows the first paint asked for
            extra["hits"] = window.hits.total if window.hits else None
            print("LAUNCH " + json.dumps({"epochs": epochs, **extra}), flush=True)
            window.shutdown()
            app.quit()

        def mark(step: str, then: str) -> None:
            epochs.setdefault(step, time.time())
            if then in epochs:
                finish()

        class PaintWatch(QObject):
            """One event-loop turn after the result list's first paint, marks ``rows_painted``."""

            def eventFilter(self, watched, event) -> bool:
                if event.type() == QEvent.Type.Paint:
                    QTimer.singleShot(0, lambda: mark("rows_painted", "usable"))
                return False

        watch = PaintWatch()

        def first_results() -> None:
            if "first_results" not in epochs:
                epochs["first_results"] = time.time()
                QTimer.singleShot(0, lambda: mark("usable", "rows_painted"))
                window.results.viewport().installEventFilter(watch)

        window.results_shown.connect(first_results)
        QTimer.singleShot(30_000, finish)  # report what was reached rather than hang
        app.exec()
        archive.close()


# -- 2. and 3. stalls ----------------------------------------------------------------------------


def refcount_leak() -> dict:
    """References to None a void C++ call drops (PySide6 6.12.0 on CPython 3.11 drops one; ``ui`` makes
    None/True/False effectively immortal so the app survives it)."""
    from PySide6.QtCore import QTimer

    import ui  # noqa: F401  (applies the workaround)

    timer, calls = QTimer(), 10_000
    before = sys.getrefcount(None)
    for _ in range(calls):
        timer.stop()
    return {"none_refs_lost_per_void_call": round((before - sys.getrefcount(None)) / calls, 2)}


def _refcounts() -> dict[str, int]:
    return {"None": sys.getrefcount(None), "True": sys.getrefcount(True), "False": sys.getrefcount(False)}


def _refs_lost(before: dict[str, int]) -> dict[str, int]:
    """References to None/True/False that went missing since ``before`` (negative: gained)."""
    now = _refcounts()
    return {name: count - now[name] for name, count in before.items()}


def import_files(corpus: Path, limit: int) -> list[Path]:
    """A user's mixed folder: HTML pages, PDFs, Markdown and text, in a stable shuffled order."""
    html = sorted(p for p in (corpus / "html").rglob("*") if p.suffix.lower() in (".html", ".htm"))
    pdf = sorted(corpus.rglob("*.pdf"))
    md = sorted(corpus.rglob("*.md"))
    md = [p for p in md if p.name not in ("README.md", "PROVENANCE.md")]
    txt = sorted((corpus / "text").rglob("*.txt"))
    chosen = _spread(html, round(limit * HTML_SHARE)) + _spread(pdf, round(limit * PDF_SHARE))
    rest = limit - len(chosen)
    chosen += _spread(md, rest // 2)
    chosen += _spread(txt, limit - len(chosen))
    return sorted(chosen, key=lambda p: hashlib.sha1(str(p.relative_to(corpus)).encode()).hexdigest())


def _spread(items: list[Path], n: int) -> list[Path]:
    """Up to ``n`` items evenly spaced through ``items`` (every one when there are fewer)."""
    if n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


class Tracer:
    """Times GUI-side slots (wrapped on their classes) into a ring of (start, end, name)."""

    def __init__(self) -> None:
        self.events: deque[tuple[float, float, str]] = deque(maxlen=50_000)
        self.totals: dict[str, list[float]] = {}  # name -> [calls, total s, max s]

    def wrap(self, cls: type, name: str) -> None:
        original = getattr(cls, name)
        label = f"{cls.__name__}.{name}"

        @wraps(original)
        def traced(*args, **kwargs):
            return self.call(label, original, *args, **kwargs)

        setattr(cls, name, traced)

    def call(self, label: str, fn: Callable, *args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            end = time.perf_counter()
            self.events.append((start, end, label))
            total = self.totals.setdefault(label, [0, 0.0, 0.0])
            total[0] += 1
            total[1] += end - start
            total[2] = max(total[2], end - start)

    def between(self, start: float, end: float) -> list[dict]:
        """Slots that ran (at least partly) in ``start..end``, the longest first."""
        found: dict[str, list[float]] = {}
        for s, e, label in reversed(self.events):
            if e < start:
                break
            if s <= end:
                entry = found.setdefault(label, [0, 0.0])
                entry[0] += 1
                entry[1] += min(e, end) - max(s, start)
        ordered = sorted(found.items(), key=lambda item: -item[1][1])
        return [{"slot": label, "calls": n, "ms": round(s * 1000, 1)} for label, (n, s) in ordered]

    def summary(self) -> dict:
        ordered = sorted(self.totals.items(), key=lambda item: -item[1][2])
        return {
            label: {"calls": n, "total_ms": round(s * 1000, 1), "max_ms": round(m * 1000, 1)}
            for label, (n, s, m) in ordered
        }

    def reset(self) -> None:
        self.events.clear()
        self.totals.clear()


#: The GUI-side slots that can take time: (module, class, method names), wrapped by :func:`install_tracer`.
TRACED_SLOTS = (
    (
        "ui.main_window",
        "MainWindow",
        ("_show_results", "_show_stats", "_archive_changed", "_import_finished", "_row_changed"),
    ),
    ("ui.results_model", "ResultsModel", ("set_hits", "_load_block", "_snippets_arrived")),
    ("ui.facets", "FacetPanel", ("set_counts",)),
    ("ui.snippet_delegate", "SnippetDelegate", ("paint",)),
    ("ui.search_controller", "SearchController", ("_launch", "_done")),
    ("ui.import_flow", "ImportController", ("_progressed", "_succeeded")),
    ("ui.import_flow", "ImportProgressBar", ("_progressed",)),
    ("ui.import_report", "ImportReportDialog", ("__init__",)),
    ("ui.viewer", "DocumentViewer", ("show_document", "_matches_arrived")),
    ("ui.text_view", "TextView", ("set_text", "set_matches")),
    ("ui.metadata_panel", "MetadataPanel", ("show_document",)),
    ("ui.map_view", "MapView", ("refresh", "_built", "_draw", "select", "zoom", "show_grid")),
    ("ui.map_view", "MapCanvas", ("paintEvent", "load")),
)


@cache
def install_tracer() -> Tracer:
    """Wrap the :data:`TRACED_SLOTS` (before any window is built, so connections see them)."""
    import importlib

    from ui.ops import Op

    original_run = Op.run

    def run_op(op: Op) -> None:  # on a pool thread: remember its kernel id, to match stacks with CPU times
        NATIVE_IDS[threading.get_ident()] = threading.get_native_id()
        original_run(op)

    Op.run = run_op
    tracer = Tracer()
    for module, cls, names in TRACED_SLOTS:
        for name in names:
            tracer.wrap(getattr(importlib.import_module(module), cls), name)
    return tracer


#: This script's own frames around the measured code (a GUI stack of only these is the event loop in C++).
_PLUMBING = ("traced", "call", "import_stalls", "idle_stalls", "main", "<module>", "run_op")
IN_QT = "(no Python frame: in Qt's C++ code, or waiting for the GIL)"
NATIVE_IDS: dict[int, int] = {}  # Python thread ident -> kernel thread id, filled as pool threads run ops


def _short(path: str) -> str:
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    return str(Path(path).relative_to(ROOT)) if path.startswith(str(ROOT)) else Path(path).name


def _stack(frame) -> tuple[str, ...]:
    """Innermost-first ``file:line function`` of a thread's stack, without this script's own frames."""
    frames = []
    while frame is not None and len(frames) < 12:
        code = frame.f_code
        if code.co_name not in _PLUMBING:
            frames.append(f"{_short(code.co_filename)}:{frame.f_lineno} {code.co_name}")
        frame = frame.f_back
    return tuple(frames)


def _brief(stack: tuple[str, ...]) -> str:
    """The innermost frames of a stack, plus its innermost Dossier frame when that is deeper."""
    ours = next((f for f in stack if f.startswith(("app/", "indexer/", "ui/"))), "")
    inner = " < ".join(stack[:3])
    return inner if not ours or ours in stack[:3] else f"{inner} < … < {ours}"


class ThreadClocks:
    """Per thread of this process (Linux /proc): nanoseconds run on a core, and runnable waiting for one."""

    def __init__(self) -> None:
        self.fds: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self.refresh()

    def refresh(self) -> None:
        """Open the counters of threads started since (pools start theirs on demand)."""
        with suppress(OSError):
            for tid in map(int, os.listdir("/proc/self/task")):
                if tid not in self.fds:
                    with suppress(OSError):
                        self.names[tid] = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
                        self.fds[tid] = os.open(f"/proc/self/task/{tid}/schedstat", os.O_RDONLY)

    def read(self) -> dict[int, tuple[int, int]]:
        out = {}
        for tid, fd in list(self.fds.items()):
            try:
                on_cpu, waiting, _ = os.pread(fd, 200, 0).split()
            except (OSError, ValueError):  # the thread has ended
                os.close(self.fds.pop(tid))
                continue
            out[tid] = (int(on_cpu), int(waiting))
        return out

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()


def frozen(items: deque) -> list:
    """A copy of a deque that the sampler thread or the garbage collector's callback append to: iterating it in
    place raised "deque mutated during iteration" when a collection ran (or the sampler woke) mid-loop and lost the
    stall's record. Copying runs in C without releasing the GIL; automatic collections are paused meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return list(items)
    finally:
        if enabled:
            gc.enable()


class Sampler(threading.Thread):
    """Snapshots every thread's CPU clocks every CLOCK_EVERY_S and, while a beat is overdue, every thread's Python
    stack (``sys._current_frames``, under the GIL: a thread holding the GIL in a long C call shows right after it).
    The GUI thread reads nothing in a normal beat: a system call there would release the GIL and delay the beat."""

    def __init__(self, heartbeat: Heartbeat) -> None:
        super().__init__(daemon=True)
        self.heartbeat = heartbeat
        self.clocks: deque[tuple[float, dict[int, tuple[int, int]]]] = deque(maxlen=1000)
        self.stacks: deque[tuple[float, dict[int, tuple[str, ...]]]] = deque(maxlen=50_000)
        self.halt = threading.Event()

    def run(self) -> None:
        clocks, own, next_clock, woke = ThreadClocks(), threading.get_ident(), 0.0, time.perf_counter()
        while not self.halt.wait(SAMPLE_EVERY_S):
            now, slept = time.perf_counter(), time.perf_counter() - woke
            if now >= next_clock:
                if len(self.clocks) % 100 == 0:
                    clocks.refresh()
                self.clocks.append((now, clocks.read()))
                next_clock = now + CLOCK_EVERY_S
            last = self.heartbeat.last
            # sample while a beat is overdue, and also when this thread itself waited long for the GIL: then the
            # thread that held it has only just let go, and its stack shows where
            if last is not None and (now - last > SAMPLE_AFTER_S or slept > SAMPLE_EVERY_S + SAMPLE_AFTER_S):
                frames = sys._current_frames()
                frames.pop(own, None)
                self.stacks.append((time.perf_counter(), {ident: _stack(f) for ident, f in frames.items()}))
            woke = time.perf_counter()
        clocks.close()

    def clocks_before(self, moment: float) -> dict[int, tuple[int, int]]:
        """The last clock snapshot taken before ``moment`` (empty when there is none)."""
        return next((snap for t, snap in reversed(frozen(self.clocks)) if t <= moment), {})

    def stacks_between(self, start: float, end: float) -> list[dict[int, tuple[str, ...]]]:
        return [snap for t, snap in frozen(self.stacks) if start <= t <= end]


class Heartbeat:
    """A 5 ms precise QTimer; records how late each beat came, and keeps the long gaps with their evidence:
    GUI slots that ran, every thread's CPU time and Python stacks during the gap, garbage collections."""

    def __init__(self, tracer: Tracer) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.tracer = tracer
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.last: float | None = None
        self.blocked: list[float] = []  # ms late, per beat
        self.stalls: list[dict] = []
        self.marks: deque[tuple[float, str]] = deque(maxlen=20_000)  # (time, what happened), signals and actions
        self.collections: deque[tuple[float, float, int, int]] = deque(maxlen=2000)  # (start, end, gen, thread)
        self.origin = 0.0
        self.gui_ident, self.gui_tid = threading.get_ident(), threading.get_native_id()
        self.clocks = ThreadClocks()
        self.sampler = Sampler(self)
        self._gc_started = 0.0

    def start(self, origin: float) -> None:
        self.origin = origin
        gc.callbacks.append(self._gc)
        self.sampler.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        gc.callbacks.remove(self._gc)
        self.sampler.halt.set()
        self.sampler.join()
        self.clocks.close()

    def mark(self, what: str) -> None:
        self.marks.append((time.perf_counter(), what))

    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.collections.append((self._gc_started, time.perf_counter(), info["generation"], threading.get_ident()))

    def _beat(self) -> None:
        now, previous = time.perf_counter(), self.last
        self.last = now
        if previous is None:
            return
        late = max((now - previous) * 1000 - BEAT_MS, 0.0)
        self.blocked.append(late)
        if late > STALL_MS:
            before = self.sampler.clocks_before(previous)
            self.clocks.refresh()
            after = self.clocks.read()
            spent = {
                tid: [(b - a) / 1e6 for a, b in zip(before[tid], clock, strict=True)]
                for tid, clock in after.items()
                if tid in before
            }
            self.stalls.append(self._evidence(previous, now, late, spent))
            self.last = time.perf_counter()  # the time spent here is the benchmark's, not the app's

    def _evidence(self, start: float, end: float, late: float, spent: dict) -> dict:
        """What is known at the end of a stall (stacks are added by :meth:`top`, as some samples come later)."""
        gap = (end - start) * 1000
        gui_cpu, gui_wait = spent.get(self.gui_tid, (0.0, 0.0))
        threads = [
            {"tid": tid, "thread": f"{self.clocks.names.get(tid, '?')} {tid}", "cpu_ms": round(on_cpu, 1)}
            for tid, (on_cpu, _) in sorted(spent.items(), key=lambda item: -item[1][0])
            if tid != self.gui_tid and on_cpu >= 5
        ]
        marks = [f"{(t - start) * 1000:+.0f} ms {what}" for t, what in frozen(self.marks) if start - 0.5 <= t <= end]
        collections = [
            f"gen {g} {(e - s) * 1000:.0f} ms on {'GUI' if ident == self.gui_ident else 'thread ' + hex(ident)}"
            for s, e, g, ident in frozen(self.collections)
            if e >= start and s <= end and e - s > 0.002
        ]
        return {
            "span": (start, end),
            "at_s": round(start - self.origin, 2),
            "blocked_ms": round(late, 1),
            # the GUI thread's time in the gap: computing; runnable but no free core; neither (the GIL, a lock, I/O)
            "gui_on_cpu_ms": round(gui_cpu, 1),
            "gui_waiting_for_core_ms": round(gui_wait, 1),
            "gui_off_cpu_ms": round(gap - gui_cpu - gui_wait, 1),
            "slots": self.tracer.between(start, end)[:6],
            "threads": threads[:4],
            "collections": collections,
            "marks": marks[-8:],
        }

    def figures(self) -> dict:
        from import_search import _percentile

        blocked = self.blocked or [0.0]
        return {
            "beats": len(self.blocked),
            "max_stall_ms": round(max(blocked), 1),
            "p99_stall_ms": _percentile(blocked, 0.99),
            "p95_stall_ms": _percentile(blocked, 0.95),
            "p50_stall_ms": _percentile(blocked, 0.5),
            "stalls_over_50ms": sum(b > 50 for b in blocked),
            "stalls_over_100ms": sum(b > 100 for b in blocked),
            "blocked_over_50ms_total_s": round(sum(b for b in blocked if b > 50) / 1000, 2),
        }

    def top(self, n: int = 5) -> list[dict]:
        """The ``n`` longest stalls with the Python stacks sampled during them (after :meth:`stop`)."""
        out = []
        for stall in sorted(self.stalls, key=lambda s: -s["blocked_ms"])[:n]:
            stall = dict(stall)
            start, end = stall.pop("span")
            samples = self.sampler.stacks_between(start, end + SAMPLE_AFTER_S)
            # the GUI thread's own samples stop at the stall's end: after it, it runs this script's bookkeeping
            gui = Counter(sample.get(self.gui_ident, ()) for sample in self.sampler.stacks_between(start, end))
            stacks: dict[int, Counter] = {}
            for sample in samples:
                for ident, stack in sample.items():
                    stacks.setdefault(NATIVE_IDS.get(ident, ident), Counter())[stack] += 1
            stall["samples"] = len(samples)
            stall["gui_stacks"] = [{"n": k, "stack": list(stack) or [IN_QT]} for stack, k in gui.most_common(2)]
            stall["threads"] = [
                {**t, "stack": _brief(stacks[t["tid"]].most_common(1)[0][0]) if t["tid"] in stacks else "-"}
                for t in stall["threads"]
            ]
            out.append(stall)
        return out


class Typist:
    """Types a new query every 400 ms and selects a result every third time, as a user would."""

    def __init__(self, window, heartbeat: Heartbeat, tracer: Tracer) -> None:
        from PySide6.QtCore import QTimer

        self.window, self.heartbeat, self.tracer = window, heartbeat, tracer
        self.ticks = 0
        self.timer = QTimer(interval=TYPE_EVERY_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        query = QUERIES[self.ticks % len(QUERIES)]
        self.heartbeat.mark(f"type {query!r}")
        self.tracer.call("bench.type", self.window.search_field.setText, query)
        rows = self.window.results_model.rowCount()
        if self.ticks % SELECT_EVERY == SELECT_EVERY - 1 and rows:
            row = self.ticks // SELECT_EVERY % min(rows, 5)
            self.heartbeat.mark(f"select row {row}")
            self.tracer.call("bench.select_row", self.window.results.selectRow, row)
        self.ticks += 1


def _open_window(archive, settings_dir: Path):
    """A main window on ``archive``, shown, once its first results are on screen."""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from ui.main_window import MainWindow

    window = MainWindow(archive, QSettings(str(settings_dir / "gui.ini"), QSettings.Format.IniFormat))
    gc.freeze()  # as ui.main does once the window is built
    loop = QEventLoop()
    window.results_shown.connect(loop.quit)
    QTimer.singleShot(60_000, loop.quit)
    window.show()
    loop.exec()
    window.results_shown.disconnect(loop.quit)
    return window


def _close_window(window, archive) -> None:
    """Let pending searches finish (a debounced one would otherwise run later on a closed archive), then close."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, poll = QEventLoop(), QTimer(interval=20)
    deadline = time.monotonic() + 30

    def check() -> None:
        busy = window.controller.busy() or window.search_runner.busy() or window.task_runner.busy()
        if not busy or time.monotonic() > deadline:
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    loop.exec()
    poll.stop()
    window.close()
    window.deleteLater()
    archive.close()


@cache
def _qt_app():
    """The process's one QApplication (kept referenced here)."""
    from PySide6.QtWidgets import QApplication

    return QApplication(sys.argv[:1])


def import_stalls(files: list[Path], with_map: bool = False) -> dict:
    """Heartbeat while the window imports ``files`` into a fresh archive and the user types (and, ``with_map``,
    the stance map is open, following the results and now and then zoomed into a state and back)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.archive import Archive

    _qt_app()
    tracer = install_tracer()
    kinds = Counter(p.suffix.lower().lstrip(".") for p in files)
    with tempfile.TemporaryDirectory(prefix="dossier-bench-gui-") as tmp:
        archive = Archive.open(Path(tmp) / "archive")
        window = _open_window(archive, Path(tmp))
        tracer.reset()
        heartbeat = Heartbeat(tracer)
        typist = Typist(window, heartbeat, tracer)
        map_view = window.show_map() if with_map else None
        if map_view is not None:
            map_view.drawn.connect(lambda: heartbeat.mark("map drawn"))
            zoomer = QTimer(interval=TYPE_EVERY_MS * 5)

            def zoom() -> None:  # into Texas and back: the view a user looks at while the import runs
                if map_view.zoomed:
                    tracer.call("bench.map_grid", map_view.show_grid)
                else:
                    tracer.call("bench.map_zoom", map_view.zoom, "TX")

            zoomer.timeout.connect(zoom)
        loop = QEventLoop()
        outcome: dict = {}
        imports = window.imports
        imports.progressed.connect(lambda p: heartbeat.mark(f"progress {p.done}/{p.total} {Path(p.path).name}"))
        imports.batch_landed.connect(lambda: heartbeat.mark("batch landed"))
        window.results_shown.connect(lambda: heartbeat.mark("results shown"))
        window.controller.results_ready.connect(lambda spec, hits: heartbeat.mark(f"results ready {hits.total}"))

        def finished(result) -> None:
            outcome["seconds"] = time.perf_counter() - started
            outcome["report"] = result
            heartbeat.mark("import finished")
            QTimer.singleShot(TAIL_MS, loop.quit)

        def failed(message: str) -> None:
            outcome["error"] = message
            loop.quit()

        imports.finished.connect(finished)
        imports.failed.connect(failed)
        QTimer.singleShot(IMPORT_TIMEOUT_S * 1000, loop.quit)
        refs = _refcounts()
        started = time.perf_counter()
        heartbeat.start(started)
        typist.timer.start()
        if map_view is not None:
            zoomer.start()
        window.import_paths([str(p) for p in files])
        loop.exec()
        typist.timer.stop()
        if map_view is not None:
            zoomer.stop()
        heartbeat.stop()
        refs_lost = _refs_lost(refs)
        if "report" not in outcome:
            imports.cancel()
        _close_window(window, archive)
    result = outcome.get("report")
    seconds = outcome.get("seconds")
    return {
        "map_open": with_map,
        "files": len(files),
        "kinds": dict(kinds.most_common()),
        "error": outcome.get("error") or (None if result else f"did not finish within {IMPORT_TIMEOUT_S} s"),
        "seconds": round(seconds, 1) if seconds else None,
        "files_per_s": round(len(files) / seconds, 1) if seconds else None,
        "imported": len(result.imported) if result else None,
        "duplicates": len(result.duplicates) if result else None,
        "failed": len(result.failed) if result else None,
        "queries_typed": typist.ticks,
        "refs_lost": refs_lost,
        "heartbeat": heartbeat.figures(),
        "top_stalls": heartbeat.top(),
        "slots": tracer.summary(),
    }


def idle_stalls(folder: Path, seconds: float) -> dict:
    """Heartbeat while the user types on the big archive, no import."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.archive import Archive

    _qt_app()
    tracer = install_tracer()
    with tempfile.TemporaryDirectory(prefix="dossier-bench-gui-") as tmp:
        archive = Archive.open(folder)
        window = _open_window(archive, Path(tmp))
        tracer.reset()
        heartbeat = Heartbeat(tracer)
        typist = Typist(window, heartbeat, tracer)
        window.results_shown.connect(lambda: heartbeat.mark("results shown"))
        window.controller.results_ready.connect(lambda spec, hits: heartbeat.mark(f"results ready {hits.total}"))
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        refs = _refcounts()
        heartbeat.start(time.perf_counter())
        typist.timer.start()
        loop.exec()
        typist.timer.stop()
        heartbeat.stop()
        refs_lost = _refs_lost(refs)
        documents = archive.documents.count()
        _close_window(window, archive)
    return {
        "seconds": seconds,
        "documents": documents,
        "queries_typed": typist.ticks,
        "refs_lost": refs_lost,
        "heartbeat": heartbeat.figures(),
        "top_stalls": heartbeat.top(),
        "slots": tracer.summary(),
    }


# -- report ---------------------------------------------------------------------------------------


def print_tables(report: dict) -> None:
    """The human-readable summary of ``report``."""
    rows = [("measure", "value", "target")]
    launch = report.get("launch")
    if launch and "error" in launch:
        rows.append(("launch", launch["error"], ""))
    elif launch:
        docs = report["archive"]["documents"]
        rows.append((f"launch to usable window, {docs:,} docs (median)", f"{launch['median_s']} s", "< 1.5 s"))
        rows.append(("  to the result rows painted (median)", f"{launch['median_rows_painted_s']} s", ""))
        for n, run in enumerate(launch["runs"], 1):
            steps = ", ".join(
                f"{k} {run[k]}" for k in ("interpreter", "imports", "qapplication", "archive_open", "window")
            )
            rows.append(
                (
                    f"  run {n}: usable / rows painted",
                    f"{run.get('usable')} / {run.get('rows_painted')} s",
                    steps + f", first results {run.get('first_results')}",
                )
            )
    for key, label in (("import", "during import"), ("import_map", "import, map open"), ("idle", "typing, no import")):
        part = report.get(key)
        if not part:
            continue
        if key.startswith("import"):
            kinds = ", ".join(f"{n} {k}" for k, n in part["kinds"].items())
            rows.append((f"import of {part['files']} files ({kinds})", f"{part['seconds']} s", part["error"] or ""))
            rows.append(
                (
                    "  files/s; imported / duplicates / failed",
                    f"{part['files_per_s']}; {part['imported']} / {part['duplicates']} / {part['failed']}",
                    "",
                )
            )
        else:
            rows.append((f"{part['seconds']:.0f} s typing on {part['documents']:,} docs", "", ""))
        hb = part["heartbeat"]
        rows.append((f"  max stall ({label})", f"{hb['max_stall_ms']} ms", "< 100 ms"))
        rows.append(
            ("  p99 / p95 / p50 stall", f"{hb['p99_stall_ms']} / {hb['p95_stall_ms']} / {hb['p50_stall_ms']} ms", "")
        )
        rows.append(("  beats late > 50 ms / > 100 ms", f"{hb['stalls_over_50ms']} / {hb['stalls_over_100ms']}", "0"))
    _table(rows)
    print(f"\n{report['machine']['note']} ({report['machine']['cpus']} CPUs seen).")
    for key, label in (
        ("import", "during the import"),
        ("import_map", "during the import, the map open"),
        ("idle", "typing on the big archive"),
    ):
        part = report.get(key)
        if not part or not part["top_stalls"]:
            continue
        print(f"\nTop stalls {label} (GUI thread ms: on a core / runnable, no free core / off: GIL, lock or I/O):")
        stall_rows = [("at s", "blocked", "GUI cpu/wait/off", "GUI slots in the gap")]
        details = []
        for stall in part["top_stalls"]:
            slots = ", ".join(f"{s['slot']} x{s['calls']} {s['ms']} ms" for s in stall["slots"][:3]) or "-"
            split = "/".join(str(stall[k]) for k in ("gui_on_cpu_ms", "gui_waiting_for_core_ms", "gui_off_cpu_ms"))
            stall_rows.append((stall["at_s"], f"{stall['blocked_ms']} ms", split, slots))
            stack = stall["gui_stacks"][0]["stack"][:3] if stall["gui_stacks"] else ["(not sampled)"]
            lines = [f"at {stall['at_s']} s, {stall['blocked_ms']} ms: GUI thread {' < '.join(stack)}"]
            lines += [f"    {t['thread']} ran {t['cpu_ms']} ms: {t['stack']}" for t in stall["threads"][:2]]
            lines += [f"    gc {c}" for c in stall["collections"]]
            details.append("\n".join(lines))
        _table(stall_rows)
        print("\n" + "\n".join(details))


def _table(rows: list[tuple]) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    print()
    for n, row in enumerate(rows):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
