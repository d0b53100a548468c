"""Fault sweep of Dossier: kill -9s, hostile bundles, hostile files, fuzzed queries, network calls (not a test).

Issue 11's sweep, rerunnable. In one run, on the corpus in ``shared/corpus`` (or $DOSSIER_CORPUS):

1. kills: ``dossier import``, ``reindex`` and ``import-bundle`` run as child processes and are killed (SIGKILL to
   the process group) after a delay drawn from a seeded RNG. After each kill: SQLite's ``PRAGMA integrity_check``
   on the database opened read-only, the document ids, a timed ``search``, ``check`` (what it repaired), the ids
   again. Committed documents lost = ids present before the kill or right after it, absent after ``check``.
2. bundles: each hostile bundle of ``bench/hostile_inputs.py`` goes through ``verify-bundle`` and
   ``import-bundle`` into a copy of an archive; rows, blobs and temporary folders are counted before and after.
   Accepted = a finding; anything written while rejecting = a finding.
3. files: each hostile file (or folder) is imported into an empty archive: crashes (a traceback, or a failure
   with no message), hangs (over ``--timeout``), peak memory of the process tree, control characters reaching
   the terminal, entries missing from the report, documents other than expected. Then arguments that are
   not valid UTF-8.
4. queries: ``--queries`` fuzzed queries (seeded) through ``Archive.search`` in this process on an archive of
   ``--docs`` corpus texts: tracebacks (exceptions other than Dossier's messages) and the slowest.
5. network: ``strace -f -e trace=connect`` over import, search, export and the window rendering web pages
   offscreen; connect() calls to AF_INET/AF_INET6 (AF_UNIX ones are counted apart: local).

Prints one JSON object, then a table, then every finding. Usage: ``python bench/fault_sweep.py [--kills N]
[--docs N] [--queries N] [--big-mb N] [--seed N] [--timeout S] [--only kills,bundles,files,queries,network]
[--out FILE] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hostile_inputs import MOVED_ANNOTATION, PLANTED, hostile_bundles, hostile_files  # noqa: E402
from whoosh import index  # noqa: E402

from app.archive import DB_NAME, Archive  # noqa: E402
from app.errors import DossierError  # noqa: E402
from app.store.annotations import AnnotationStore  # noqa: E402
from app.store.db import transaction  # noqa: E402

SECTIONS = ("kills", "bundles", "files", "queries", "network")
KILL_OPS = ("import", "reindex", "import-bundle")
#: Characters that must never reach the terminal from a title or file name (C0 but tab and newline, DEL, C1).
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
TRACEBACK = "Traceback (most recent call last)"
SLOW_QUERY_MS = 1000
BIG_MEMORY_MB = 1024
PAGE = os.sysconf("SC_PAGE_SIZE")
TIME = shutil.which("time", path="/usr/bin:/bin")  # GNU time (the shell's `time` is a keyword)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--kills", type=int, default=12, help="kill -9s (default 12)")
    parser.add_argument("--docs", type=int, default=2000, help="corpus texts in the archive (default 2000)")
    parser.add_argument(
        "--archive", type=Path, help="fuzz the queries on this existing archive (e.g. one of 100k documents)"
    )
    parser.add_argument("--queries", type=int, default=2000, help="fuzzed queries (default 2000)")
    parser.add_argument("--big-mb", type=int, default=50, help="size of the one-line text file (default 50)")
    parser.add_argument("--seed", type=int, default=11, help="seed of every random choice (default 11)")
    parser.add_argument("--timeout", type=float, default=180, help="a file import over this is a hang (s)")
    parser.add_argument("--bundle-timeout", type=float, default=10, help="a bundle command over this is a hang (s)")
    parser.add_argument("--pages", type=int, default=5, help="web pages the window renders under strace (default 5)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"sections to run (default {','.join(SECTIONS)})")
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    sections = [s for s in args.only.split(",") if s]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}: choose among {', '.join(SECTIONS)}")
    if not (args.corpus / "text").is_dir():
        print(f"corpus not found: {args.corpus} (set --corpus or DOSSIER_CORPUS); nothing to sweep")
        return
    with _work_folder(args.keep) as work:
        sweep = Sweep(work, args)
        report = sweep.run(sections)
    print(json.dumps(report, indent=1, default=str))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1, default=str) + "\n")
    print_table(report)


def _default_corpus() -> Path:
    env = os.environ.get("DOSSIER_CORPUS")
    return Path(env) if env else ROOT / ".." / "shared" / "corpus"


class _work_folder:
    """A temporary folder, or ``keep`` when given (emptied first when an earlier sweep made it)."""

    def __init__(self, keep: Path | None) -> None:
        self.keep = keep

    def __enter__(self) -> Path:
        if self.keep is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="dossier-sweep-")
            return Path(self._tmp.name)
        marker = self.keep / ".dossier-sweep"  # only a folder an earlier sweep made is emptied
        if self.keep.exists() and any(self.keep.iterdir()) and not marker.exists():
            raise SystemExit(f"--keep {self.keep}: the folder is not empty and no sweep made it; choose another")
        if self.keep.exists():
            _make_removable(self.keep)
            shutil.rmtree(self.keep)
        self.keep.mkdir(parents=True)
        marker.touch()
        return self.keep

    def __exit__(self, *exc_info: object) -> None:
        if self.keep is None:
            _make_removable(Path(self._tmp.name))
            self._tmp.cleanup()


def _make_removable(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- running the command line ---------------------------------------------------------------------


@dataclass
class Run:
    """One child process: how it ended, what it printed, how long and how much memory it took."""

    argv: list
    rc: int | None
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float | None  # the largest process of the tree (GNU time)
    tree_mb: float  # the largest sum over the process group, sampled every 0.1 s
    timed_out: bool = False
    killed: bool = False

    @property
    def crashed(self) -> bool:
        """A traceback, or a failure that says nothing (a kill by the sweep is neither)."""
        if self.killed or self.timed_out:
            return False
        silent = self.rc != 0 and not self.stdout.strip() and not self.stderr.strip()
        return TRACEBACK in self.stderr or silent

    @property
    def hung(self) -> bool:
        return self.timed_out

    def figures(self) -> dict:
        """How the run ended and what it cost, as a row of the report gives them."""
        return {
            "rc": self.rc,
            "crashed": self.crashed,
            "hung": self.hung,
            "seconds": self.seconds,
            "peak_mb": self.peak_mb,
            "tree_mb": self.tree_mb,
        }

    def json(self) -> dict | list | None:
        try:
            return json.loads(self.stdout)
        except ValueError:
            return None

    def tail(self) -> str:
        """The end of what it printed, errors first."""
        return (self.stderr.strip() or self.stdout.strip())[-400:]

    def message(self) -> str:
        """The last line it printed: its error message, or the end of its report."""
        lines = (self.stderr.strip() or self.stdout.strip()).splitlines()
        return lines[-1][:200] if lines else ""


def run(argv: list, env: dict, *, timeout: float, kill_after: float | None = None) -> Run:
    """Run ``argv`` in its own process group; SIGKILL the group after ``kill_after`` s (a kill) or ``timeout`` s
    (a hang). Peak memory is GNU time's: the largest resident set of the process and the children it waited for
    (our own wait4 figure would count this big process, from which the child is forked)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as peak:
        timed = [TIME, "-f", "%M", "-o", peak.name, *argv] if TIME else argv
        started = time.perf_counter()
        process = subprocess.Popen(
            timed, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
        limit = min(timeout, kill_after) if kill_after is not None else timeout
        tree: list[int] = []
        status = _wait(process.pid, started + limit, tree)
        ended_by_us = status is None
        if ended_by_us:
            os.killpg(process.pid, signal.SIGKILL)
            _, status = os.waitpid(process.pid, 0)
        _reap_group(process.pid)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        killed = ended_by_us and kill_after is not None and kill_after <= timeout
        return Run(
            argv=[os.fsdecode(a) if isinstance(a, bytes) else str(a) for a in argv],
            rc=os.waitstatus_to_exitcode(status),
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            seconds=round(seconds, 2),
            peak_mb=_peak_mb(Path(peak.name)),
            tree_mb=round(max(tree, default=0) / 2**20, 1),
            timed_out=ended_by_us and not killed,
            killed=killed,
        )


def _peak_mb(report: Path) -> float | None:
    """GNU time's maximum resident set (its last line, in KiB), None without GNU time or after a kill."""
    lines = report.read_text().split()
    return round(int(lines[-1]) / 1024, 1) if lines and lines[-1].isdigit() else None


def _wait(pid: int, deadline: float, tree: list[int]) -> int | None:
    """The wait status when ``pid`` ends before ``deadline``, else None; meanwhile ``tree`` gets the resident
    bytes of its whole process group every tenth of a second."""
    sampled = 0.0
    while time.perf_counter() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.perf_counter() - sampled > 0.1:
            tree.append(_group_rss(pid))
            sampled = time.perf_counter()
        time.sleep(0.01)
    return None


def _group_rss(pgid: int) -> int:
    """Resident bytes of every process in group ``pgid`` (from /proc)."""
    total = 0
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ..., rss is the 22nd
                total += int(fields[21]) * PAGE
    return total


def _reap_group(pgid: int) -> None:
    """Kill what is left of the group (extraction workers of a killed command)."""
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


class Sweep:
    """The work folder, the environment of every child, and the sections."""

    def __init__(self, work: Path, args: argparse.Namespace) -> None:
        self.work, self.args = work, args
        self.corpus = args.corpus.resolve()
        self.rng = random.Random(args.seed)
        self.tmp = work / "tmp"  # the children's TMPDIR: what they leave there is counted
        home = work / "home"  # the children's HOME: settings and logs stay out of the user's
        for folder in (self.tmp, home):
            folder.mkdir()
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "TMPDIR": str(self.tmp),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_STATE_HOME": str(home / ".local/state"),
            "QT_QPA_PLATFORM": "offscreen",
        }
        self.findings: list[dict] = []
        self._texts = sorted((self.corpus / "text").rglob("*.txt"))

    def cli(self, archive: Path, *args, timeout: float = 120, kill_after: float | None = None) -> Run:
        return run(
            [sys.executable, "-m", "app.cli", "--archive", str(archive), *args],
            self.env,
            timeout=timeout,
            kill_after=kill_after,
        )

    def finding(self, section: str, what: str, repro: str, detail: str = "") -> None:
        self.findings.append({"section": section, "what": what, "repro": repro, "detail": detail[:400]})

    def run(self, sections: list[str]) -> dict:
        report: dict = {"seed": self.args.seed, "cpus": os.cpu_count(), "root": os.geteuid() == 0}
        report["memory_by"] = TIME or "nothing: GNU time (/usr/bin/time) is not installed, no memory figures"
        started = time.perf_counter()
        for name in sections:
            _log(name)
            section_started = time.perf_counter()
            report[name] = getattr(self, f"sweep_{name}")()
            report[name]["seconds"] = round(time.perf_counter() - section_started, 1)
        report["seconds"] = round(time.perf_counter() - started, 1)
        report["findings"] = self.findings
        return report

    # -- archives ---------------------------------------------------------------------------------

    def texts(self, count: int, skip: int = 0) -> list[Path]:
        return self._texts[skip : skip + count]

    def base_archive(self) -> Path:
        """The archive of ``--docs`` corpus texts, built once in this process."""
        folder = self.work / "base"
        if not folder.exists():
            _log(f"building an archive of {self.args.docs} texts")
            with Archive.open(folder) as archive:
                archive.import_paths(self.texts(self.args.docs))
        return folder

    def colleague_bundles(self) -> tuple[Path, Path, Path]:
        """A colleague's archive (seed, a PDF, web pages, texts; two annotations and a tag on the seed), its
        bundle of everything and its bundle of the seed alone."""
        folder = self.work / "colleague"
        good, seed_only = self.work / "good.zip", self.work / "seed.zip"
        if good.exists():
            return folder, good, seed_only
        pdfs = sorted((self.corpus / "topic" / "287g" / "pdf").glob("*.pdf"))[:1]
        pages = sorted((self.corpus / "html").rglob("*.html"))[:5]
        files = [self.corpus / "seed", *pdfs, *pages, *self.texts(5)]
        self._ok(self.cli(folder, "import", *files, "--json"))
        self._ok(self.cli(folder, "annotate", "1", "--start", "10", "--end", "40", "--note", "a note", "--tag", "x"))
        self._ok(self.cli(folder, "annotate", "1", "--start", "60", "--end", "90", "--note", "another"))
        self._ok(self.cli(folder, "tag", "1", "--jurisdiction", "Omaha, NE", "--stance", "sanctuary"))
        self._ok(self.cli(folder, "export", "--all", "--out", str(good)))
        self._ok(self.cli(folder, "export", "--ids", "1", "--out", str(seed_only)))
        return folder, good, seed_only

    @staticmethod
    def _ok(result: Run) -> Run:
        if result.rc != 0:
            raise SystemExit(f"setting up failed: {' '.join(result.argv)}\n{result.stdout}\n{result.stderr}")
        return result

    def empty_archive(self, folder: Path) -> Path:
        Archive.open(folder).close()
        return folder

    # -- 1. kills ---------------------------------------------------------------------------------

    def sweep_kills(self) -> dict:
        archive = self.work / "kills"
        shutil.copytree(self.base_archive(), archive)
        bundle = self.kill_bundle()
        windows = dict.fromkeys(KILL_OPS, 6.0)  # delays are drawn in (0, window); shrunk when a run ends first
        rounds, attempts, next_file = [], 0, self.args.docs
        while sum(r["killed"] for r in rounds) < self.args.kills and attempts < 3 * self.args.kills:
            op = KILL_OPS[attempts % len(KILL_OPS)]
            attempts += 1
            if op == "import":
                files = [*self.texts(400, next_file), *sorted((self.corpus / "topic" / "287g" / "pdf").glob("*.pdf"))]
                shown = (
                    f"import <corpus texts {next_file + 1}-{next_file + 400} in sorted order> <topic/287g/pdf/*.pdf>"
                )
                next_file += 400
                args = ["import", *files, "--json"]
            elif op == "reindex":
                args, shown = ["reindex"], "reindex"
            else:
                args, shown = ["import-bundle", bundle], "import-bundle <300 corpus texts exported by a colleague>"
            delay = round(self.rng.uniform(0.05, windows[op]), 2)
            repro = f"dossier --archive A {shown}, killed (SIGKILL) after {delay} s; then search, check"
            outcome = self.kill_round(archive, op, args, delay, repro)
            if not outcome["killed"]:
                windows[op] = max(0.2, outcome["ran_s"] * 0.9)
            rounds.append(outcome)
        killed = [r for r in rounds if r["killed"]]
        damage = self.index_damage(archive)
        return {
            "index_damage": damage,
            "kills": len(killed),
            "by_operation": dict(Counter(r["op"] for r in killed)),
            "ended_before_the_kill": len(rounds) - len(killed),
            "documents_at_end": len(_ids(archive)),
            "committed_documents_lost": sum(r["lost"] for r in killed),
            "integrity_failures": sum(r["integrity"] != "ok" for r in killed),
            "checks_that_repaired": sum(bool(r["repairs"]) for r in killed),
            "repaired_items": sum(r["repairs"] for r in killed),
            "damage_left": sum(r["damage"] for r in killed),
            "slowest_search_after_kill_s": max((r["search_s"] for r in killed), default=None),
            "temp_leftovers": max((r["temp_leftovers"] for r in killed), default=0),
            "rounds": rounds,
        }

    def index_damage(self, archive: Path) -> dict:
        """The index loses documents behind the store's back, then loses its folder: `check` must say so (what it
        found before repairing), whatever the opening of the archive repaired first."""
        lost = sorted(self.rng.sample(sorted(_ids(archive)), 5))
        ix = index.open_dir(archive / "index")
        writer = ix.writer()
        for doc_id in lost:
            writer.delete_by_term("id", str(doc_id))
        writer.commit()
        ix.close()
        partial = self.cli(archive, "check", "--json").json() or {}
        shutil.rmtree(archive / "index")
        whole = self.cli(archive, "check", "--json").json() or {}
        figures = {
            "deleted_from_index": lost,
            "check_reported_missing": partial.get("missing_from_index"),
            "index_removed_check_reported_rebuilt": whole.get("index_rebuilt"),
            "indexed_after": (self.cli(archive, "stats", "--json").json() or {}).get("indexed"),
        }
        if set(lost) - set(partial.get("missing_from_index") or []):
            what = f"`check` reports {partial.get('missing_from_index')} missing from the index, {lost} were deleted"
            self.finding("kills", what, "delete 5 documents from the Whoosh index in place, then `dossier check`")
        if not whole.get("index_rebuilt"):
            self.finding("kills", "`check` does not report a removed index", "rm -r A/index; dossier check --json")
        return figures

    def kill_bundle(self) -> Path:
        """A bundle of 300 corpus texts the kill archive does not hold, from a second colleague."""
        out = self.work / "kill-bundle.zip"
        folder = self.work / "kill-colleague"
        with Archive.open(folder) as archive:
            archive.import_paths(self.texts(300, len(self._texts) - 300))
        self._ok(self.cli(folder, "export", "--all", "--out", str(out)))
        return out

    def kill_round(self, archive: Path, op: str, args: list, delay: float, repro: str) -> dict:
        before = _ids(archive)
        _clear(self.tmp)
        result = self.cli(archive, *args, timeout=600, kill_after=delay)
        outcome = {"op": op, "delay_s": delay, "killed": result.killed, "ran_s": result.seconds, "repro": repro}
        if not result.killed:
            if result.rc != 0:
                self.finding("kills", f"{op} failed when not killed", _repro(result), result.message())
            return outcome
        after_kill = _ids(archive)
        outcome["integrity"] = _integrity(archive)
        outcome["temp_leftovers"] = len(list(self.tmp.iterdir()))
        search = self.cli(archive, "search", "the", "--limit", "5", "--json")
        outcome["search_s"] = search.seconds
        check = self.cli(archive, "check", "--json")
        found = check.json() or {}
        outcome["repairs"] = sum(
            len(found.get(k, [])) for k in ("missing_from_index", "stale_in_index", "orphan_blobs_removed")
        )
        outcome["repairs"] += bool(found.get("index_rebuilt"))
        outcome["damage"] = len(found.get("missing_blobs", [])) + len(found.get("corrupt_blobs", []))
        after = _ids(archive)
        outcome["lost"] = len((before | after_kill) - after)
        outcome["documents"] = len(after)
        if outcome["temp_leftovers"]:  # the next start of the bundle code may clean up what the killed one left
            self.cli(archive, "verify-bundle", self.work / "kill-bundle.zip")
        outcome["temp_leftovers_after_restart"] = len(list(self.tmp.iterdir()))
        self._judge_kill(op, outcome, search, check)
        return outcome

    def _judge_kill(self, op: str, outcome: dict, search: Run, check: Run) -> None:
        repro = outcome["repro"]
        if outcome["integrity"] != "ok":
            self.finding("kills", "integrity_check failed after a kill", repro, outcome["integrity"])
        if outcome["lost"]:
            self.finding("kills", f"{outcome['lost']} committed documents lost", repro)
        if outcome["damage"]:
            self.finding("kills", "originals missing or corrupt after a kill", repro, check.stdout)
        for step in (search, check):
            if step.rc != 0 or step.crashed:
                self.finding("kills", f"`{step.argv[5]}` after a killed {op} failed", repro, step.message())
        if search.seconds > 5:
            self.finding("kills", f"the first search after a killed {op} took {search.seconds} s", repro)
        if outcome["temp_leftovers_after_restart"]:
            self.finding(
                "kills",
                f"a killed {op} left {outcome['temp_leftovers']} entries in the temp dir, still "
                "there after `search`, `check` and `verify-bundle`",
                repro,
                str(sorted(p.name for p in self.tmp.iterdir())),
            )

    # -- 2. bundles -------------------------------------------------------------------------------

    def sweep_bundles(self) -> dict:
        _, good, seed_only = self.colleague_bundles()
        made = self.work / "bundles"
        made.mkdir()
        bundles = hostile_bundles(good, made)
        empty = self.empty_archive(self.work / "bundle-empty")
        holding_seed = self.empty_archive(self.work / "bundle-seed")
        self._ok(self.cli(holding_seed, "import-bundle", seed_only))
        control = self.try_bundle("good bundle (control)", good, empty)
        if not control["accepted"]:
            self.finding("bundles", "the good bundle is refused", f"dossier import-bundle {good}", control["message"])
        rows = [control]
        for name, path in bundles.items():
            target = holding_seed if name == MOVED_ANNOTATION else empty
            rows.append(self.try_bundle(name, path, target))
        hostile = rows[1:]
        return {
            "oversized_export": self.oversized_export(),
            "bundles": len(hostile),
            "rejected": sum(not r["accepted"] for r in hostile),
            "accepted": [r["name"] for r in hostile if r["accepted"] and not r.get("neutralised")],
            "neutralised": [r["name"] for r in hostile if r.get("neutralised")],
            "written_on_rejection": [r["name"] for r in hostile if not r["accepted"] and r["written"]],
            "hangs": [r["name"] for r in hostile if r["hung"]],
            "crashes": [r["name"] for r in hostile if r["crashed"]],
            "rows": rows,
        }

    def oversized_export(self) -> dict:
        """Export an archive whose annotations pass the verifier's 64 MiB cap for annotations.jsonld (3,500 notes
        of 20,000 characters): export must refuse up front or split, never write a bundle verify-bundle refuses."""
        folder = self.work / "oversized"
        shutil.copytree(self.colleague_bundles()[0], folder)
        note = " ".join(self.rng.choice(["raid", "county", "sheriff", "agreement", "detainer"]) for _ in range(2500))
        with Archive.open(folder) as archive:  # one annotation made as a user does, copies in one transaction
            first = archive.annotate(1, start=0, end=20, note=note[:20_000])
            with archive.writing("copying annotations"), transaction(archive.conn):
                store = AnnotationStore(archive.conn)
                for _ in range(3499):
                    store.put(replace(first, uuid=str(uuid.uuid4())))
                archive.documents.queue([1])
        out = self.work / "oversized.zip"
        export = self.cli(folder, "export", "--all", "--out", out, "--json", timeout=300)
        figures = {"annotations": 3502, "export_rc": export.rc, "export_s": export.seconds, "export": export.message()}
        if export.rc == 0:
            verify = self.cli(folder, "verify-bundle", out, "--json", timeout=300)
            figures |= {"bundle_mb": round(out.stat().st_size / 2**20, 1), "verify_rc": verify.rc}
            figures["verify"] = verify.message()
            if verify.rc != 0:
                what = "export writes a bundle its own verify-bundle refuses (3,502 annotations, 70 MB of notes)"
                self.finding(
                    "bundles", what, "dossier export --all --out B.zip; dossier verify-bundle B.zip", verify.tail()
                )
        elif export.crashed:
            self.finding("bundles", "export of 70 MB of notes crashes", "dossier export --all", export.tail())
        return figures

    def try_bundle(self, name: str, bundle: Path, template: Path) -> dict:
        archive = self.work / "bundle-target"
        shutil.rmtree(archive, ignore_errors=True)
        shutil.copytree(template, archive)
        _clear(self.tmp)
        outside = _outside_world(self.work)
        before = _footprint(archive)
        timeout = self.args.bundle_timeout
        verify = self.cli(archive, "verify-bundle", bundle, "--json", timeout=timeout)
        merge = self.cli(archive, "import-bundle", bundle, "--json", timeout=timeout)
        after = _footprint(archive)
        accepted = merge.rc == 0
        row = {
            "name": name,
            "verified": verify.rc == 0,
            "accepted": accepted,
            "message": merge.message(),
            "written": {k: after[k] - before[k] for k in after if after[k] != before.get(k)},
            "temp_leftovers": sorted(p.name for p in self.tmp.iterdir()),
            "outside_written": sorted(_outside_world(self.work) - outside),
            "hung": verify.hung or merge.hung,
            "crashed": verify.crashed or merge.crashed,
            "seconds": round(verify.seconds + merge.seconds, 2),
            "peak_mb": max(verify.peak_mb or 0, merge.peak_mb or 0),
        }
        if name != "good bundle (control)":
            self._judge_bundle(row, archive, bundle, verify, merge)
        return row

    def _judge_bundle(self, row: dict, archive: Path, bundle: Path, verify: Run, merge: Run) -> None:
        name = row["name"]
        repro = f"dossier --archive A import-bundle {_shown(bundle)}  ({name!r}; --keep DIR keeps it)"
        if row["accepted"]:
            merged = {k: len(v) if isinstance(v, list) else v for k, v in (merge.json() or {}).items()}
            row["neutralised"] = bool(merged.get("texts_not_taken")) and not self._planted_found(archive)
            if not row["neutralised"]:  # taken as it came: a finding, and what it did
                self.finding("bundles", f"hostile bundle accepted: {name}", repro, str(merged))
                self._probe_accepted(archive, name, repro)
        elif row["written"]:
            self.finding("bundles", f"rejected bundle wrote {row['written']}: {name}", repro, row["message"])
        if row["verified"] and not row["accepted"] and name != MOVED_ANNOTATION:
            self.finding("bundles", f"verify-bundle passes a bundle import-bundle refuses: {name}", repro)
        for what, step in (("verify-bundle", verify), ("import-bundle", merge)):
            if step.hung:
                self.finding("bundles", f"{what} hangs (over {self.args.bundle_timeout} s): {name}", repro)
            if step.crashed:
                self.finding("bundles", f"{what} crashes: {name}", repro, step.tail())
        if row["temp_leftovers"]:
            self.finding("bundles", f"temp files left behind: {name}", repro, str(row["temp_leftovers"]))
        if row["outside_written"]:
            self.finding("bundles", f"files written outside the archive: {name}", repro, str(row["outside_written"]))

    def _planted_found(self, archive: Path) -> bool:
        return bool((self.cli(archive, "search", PLANTED, "--json").json() or {}).get("total"))

    def _probe_accepted(self, archive: Path, name: str, repro: str) -> None:
        """What an accepted hostile bundle did: planted words, and whether the archive's own commands cope."""
        if self._planted_found(archive):
            self.finding("bundles", f"search finds the planted word {PLANTED!r} after: {name}", repro)
        for args in (["reextract", "--json"], ["check", "--json"]):
            step = self.cli(archive, *args)
            if step.crashed or step.rc not in (0, 3):
                self.finding("bundles", f"`{args[0]}` after accepting {name}: rc {step.rc}", repro, step.tail())
            elif args[0] == "check" and (step.json() or {}).get("ok"):
                self.finding("bundles", f"`check` says ok after accepting: {name}", repro)

    # -- 3. files ---------------------------------------------------------------------------------

    def sweep_files(self) -> dict:
        made = self.work / "files"
        made.mkdir()
        _log(f"making hostile files ({self.args.big_mb} MB text, 500 MB DOCX bomb)")
        template = self.empty_archive(self.work / "files-empty")
        rows = [
            self.try_file(name, hostile, template)
            for name, hostile in hostile_files(made, self.corpus, self.args.big_mb).items()
        ]
        rows += self.try_arguments()
        return {
            "files": len(rows),
            "crashes": [r["name"] for r in rows if r["crashed"]],
            "hangs": [r["name"] for r in rows if r["hung"]],
            "peak_mb": max(r["peak_mb"] or 0 for r in rows),
            "tree_mb": max(r["tree_mb"] for r in rows),
            "slowest_s": max(r["seconds"] for r in rows),
            "rows": rows,
        }

    def try_file(self, name: str, hostile, template: Path) -> dict:
        archive = self.work / "files-target"
        shutil.rmtree(archive, ignore_errors=True)
        shutil.copytree(template, archive)
        _log(f"  {name}")
        result = self.cli(archive, "import", hostile.path, "--json", timeout=self.args.timeout)
        footprint = _footprint(archive)
        report = result.json() or {}
        row = {
            "name": name,
            **result.figures(),
            "documents": footprint["documents"],
            "orphan_blobs": footprint["blobs"] - footprint["documents"],
            "entries": len(os.listdir(hostile.path)) if hostile.path.is_dir() else 1,
            "reported": sum(len(report.get(k, [])) for k in ("imported", "duplicates", "skipped", "failed")),
            "report": {
                k: [e.get("reason") or e.get("error") or e.get("cut") or "" for e in v] for k, v in report.items() if v
            },
        }
        repro = f"dossier --archive A import {_shown(hostile.path)}  ({name!r}; --keep DIR keeps it)"
        self._judge_file(archive, row, hostile, result, repro)
        if result.seconds < 10:  # what a person sees: the plain report again (duplicates now), and a result list
            shown = [self.cli(archive, "import", hostile.path), self.cli(archive, "search", "a OR the OR text")]
            for step in shown:
                unsafe = sorted(set(UNSAFE.findall(step.stdout + step.stderr)))
                if unsafe:
                    what = f"`{step.argv[5]}` prints control characters {unsafe}: {name}"
                    self.finding("files", what, repro, step.stdout[-300:])
        return row

    def _judge_file(self, archive: Path, row: dict, hostile, result: Run, repro: str) -> None:
        name = row["name"]
        if result.crashed:
            self.finding("files", f"import crashes: {name}", repro, result.tail())
        if result.hung:
            self.finding("files", f"import hangs (over {self.args.timeout} s): {name}", repro)
            return
        if max(result.peak_mb or 0, result.tree_mb) > BIG_MEMORY_MB:
            what = f"import took {result.peak_mb} MB in one process, {result.tree_mb} MB in all: {name}"
            self.finding("files", what, repro, f"{result.seconds} s")
        if row["orphan_blobs"] > 0:
            self.finding("files", f"{row['orphan_blobs']} blobs without a document: {name}", repro)
        if hostile.documents is not None and row["documents"] != hostile.documents:
            what = f"{row['documents']} documents imported, {hostile.documents} expected: {name}"
            self.finding("files", what, repro, result.stdout[-300:])
        if row["reported"] < row["entries"] and not result.crashed:
            what = f"the report accounts for {row['reported']} of {row['entries']} entries: {name}"
            self.finding("files", what, repro, result.stdout[-300:])
        if hostile.word and not (self.cli(archive, "search", hostile.word, "--json").json() or {}).get("total"):
            self.finding("files", f"a search for {hostile.word!r}, in its text, finds nothing: {name}", repro)

    def try_arguments(self) -> list[dict]:
        """Command-line arguments that are not valid UTF-8, on the colleague's archive (a copy)."""
        folder, _, _ = self.colleague_bundles()
        archive = self.work / "args-target"
        shutil.rmtree(archive, ignore_errors=True)
        shutil.copytree(folder, archive)
        rows = []
        for name, args in (
            (
                "argument not UTF-8: annotate --note",
                ["annotate", "1", "--start", "0", "--end", "5", "--note", b"\xffx"],
            ),
            ("argument not UTF-8: edit --title", ["edit", "1", "--title", b"caf\xe9"]),
            ("argument not UTF-8: search", ["search", b"\xff\xfe"]),
            ("argument not UTF-8: import path", ["import", os.fsencode(self.work) + b"/missing-\xff.txt"]),
        ):
            result = self.cli(archive, *args)
            repro = "dossier --archive A " + " ".join(_shown(a) for a in args)
            if result.crashed:
                self.finding("files", f"crash: {name}", repro, result.tail())
            rows.append({"name": name, **result.figures(), "report": result.message()})
        return rows

    # -- 4. queries -------------------------------------------------------------------------------

    def sweep_queries(self) -> dict:
        folder = self.args.archive or self.base_archive()
        rng = random.Random(self.args.seed)
        with Archive.open(folder) as archive:
            vocabulary = _vocabulary(archive, rng)
            queries = [*KNOWN_HARD, *(fuzz_query(rng, vocabulary) for _ in range(self.args.queries))]
            timings, messages, tracebacks = [], 0, {}
            for query in queries:
                started = time.perf_counter()
                try:
                    archive.search(query, page_size=10)
                except DossierError:
                    messages += 1
                except Exception as exc:  # what the sweep counts
                    error = f"{type(exc).__name__}: {str(exc)[:120]}"
                    tracebacks.setdefault(re.sub(r"position \d+", "", error), (error, query))  # one bug, any position
                timings.append((round((time.perf_counter() - started) * 1000, 1), query))
            documents = archive.stats()["documents"]
        timings.sort(reverse=True)
        for error, query in tracebacks.values():
            self.finding("queries", f"query raises {error}", _in_process(query))
        for ms, query in timings:
            if ms > SLOW_QUERY_MS:
                what = f"a query of {len(query)} characters took {ms:.0f} ms on {documents} documents"
                self.finding("queries", what, _in_process(query))
        return {
            "queries": len(queries),
            "documents": documents,
            "refused_with_a_message": messages,
            "tracebacks": len(tracebacks),
            "distinct_errors": [error for error, _ in tracebacks.values()],
            "slowest_ms": timings[0][0],
            "p50_ms": timings[len(timings) // 2][0],
            "slowest": [{"ms": ms, "query": q} for ms, q in timings[:8]],
        }

    # -- 5. network -------------------------------------------------------------------------------

    def sweep_network(self) -> dict:
        strace = shutil.which("strace")
        if strace is None:
            message = "strace is not installed (apt-get install strace): network calls NOT measured"
            self.finding("network", message, "which strace")
            return {"strace": message}
        archive = self.work / "network"
        pages = sorted((self.corpus / "html").rglob("*.html"))[:50]
        base = [sys.executable, "-m", "app.cli", "--archive", str(archive)]
        steps = {
            "import (50 web pages, the seed, a PDF)": [
                *base,
                "import",
                *pages,
                self.corpus / "seed",
                *sorted((self.corpus / "topic" / "287g" / "pdf").glob("*.pdf"))[:1],
            ],
            "search": [*base, "search", "police OR city", "--limit", "20"],
            "export": [*base, "export", "--all", "--out", self.work / "network.zip"],
        }
        rows = {name: self.traced(strace, name, argv) for name, argv in steps.items()}
        for doc_id in _web_pages(archive, self.args.pages):
            shot = self.work / f"window-{doc_id}.png"
            argv = [
                sys.executable,
                "-m",
                "ui.main",
                "--archive",
                archive,
                "--query",
                "the",
                "--open",
                str(doc_id),
                "--tab",
                "original",
                "--screenshot",
                shot,
            ]
            rows[f"window renders web page #{doc_id}"] = self.traced(strace, f"window {doc_id}", argv, shot)
        total = sum(r["inet"] for r in rows.values())
        control = [sys.executable, "-c", "import socket; socket.socket().connect_ex(('127.0.0.1', 9))"]
        seen = run([strace, "-f", "-qq", "-e", "trace=connect", *control], self.env, timeout=30).stderr.count("AF_INET")
        if not seen:
            self.finding("network", "strace did not see a deliberate connect(): the figures above are void", "")
        return {
            "strace": strace,
            "control_connect_seen": seen,
            "internet_connects": total,
            "unix_connects": sum(r["unix"] for r in rows.values()),
            "steps": rows,
        }

    def traced(self, strace: str, name: str, argv: list, screenshot: Path | None = None) -> dict:
        log = self.work / f"strace-{len(list(self.work.glob('strace-*')))}.log"
        result = run([strace, "-f", "-qq", "-e", "trace=connect", "-o", log, *argv], self.env, timeout=300)
        calls = [line for line in log.read_text(errors="replace").splitlines() if "connect(" in line]
        inet = [c for c in calls if "AF_INET" in c]  # AF_INET and AF_INET6
        row = {
            "rc": result.rc,
            "seconds": result.seconds,
            "inet": len(inet),
            "unix": sum("AF_UNIX" in c for c in calls),
            "other": len(calls) - len(inet) - sum("AF_UNIX" in c for c in calls),
            "inet_calls": inet[:5],
        }
        if screenshot is not None:
            row["screenshot"] = str(screenshot) if screenshot.exists() else "missing"
        repro = "strace -f -e trace=connect " + " ".join(_shown(a) for a in argv)
        if inet:
            self.finding("network", f"{len(inet)} internet connect() calls: {name}", repro, "\n".join(inet[:3]))
        if result.rc != 0 or result.crashed:
            self.finding("network", f"{name} failed under strace (rc {result.rc})", repro, result.message())
        return row


# -- fuzzed queries -----------------------------------------------------------------------------

#: Queries issue 11 names (slow or raising), run before the fuzzed ones.
KNOWN_HARD = ["*", "[a to z]", "title:*", 'kind:"a,b"', 'tag:"x,y"', 'stance:"a,b"', "a*", "*a*", "?" * 3]
_FIELDS = ["title", "kind", "tag", "stance", "jurisdiction", "note", "year", "date", "author", "source", "body"]
_FIELDS += ["nosuchfield", "TITLE", ""]  # an unknown field, a capitalised one, none
_JUNK = [
    *"()\"'*?~^[]{}:-+!\\/,><=",
    "~2",
    "^3",
    "&&",
    "||",
    "\x00",
    "\x1b[31m",
    "\u200b",
    "\ud800",
    "é",
    "日本",
    "🙂",
    " to ",
]
_OPERATORS = ["AND", "OR", "NOT", "and", "or", "not", "-", "+", "ANDNOT", "ANDMAYBE", "NEAR"]


def _vocabulary(archive: Archive, rng: random.Random) -> list[str]:
    """Words from the archive's texts (a sample of documents, by content: ids depend on the import's order)."""
    words: set[str] = set()
    by_hash = archive._reader().hashes()
    ids = [by_hash[sha] for sha in sorted(by_hash)]
    for doc_id in rng.sample(ids, min(50, len(ids))):
        words.update(re.findall(r"[A-Za-z]{3,12}", archive.text(doc_id))[:200])
    return sorted(words) or ["oil"]


def fuzz_query(rng: random.Random, vocabulary: list[str]) -> str:
    """A query of 1 to 8 parts: words, fields, operators, phrases, ranges, wildcards and junk characters."""
    parts = []
    for _ in range(rng.randint(1, 8)):
        word = rng.choice(vocabulary)
        shape = rng.random()
        if shape < 0.3:
            parts.append(word)
        elif shape < 0.45:
            parts.append(rng.choice(_FIELDS) + ":" + rng.choice([word, "", "*", f"{word[:2]}*", f'"{word} {word}"']))
        elif shape < 0.55:
            parts.append(rng.choice(_OPERATORS))
        elif shape < 0.65:
            parts.append(f'"{word} {rng.choice(vocabulary)}')
        elif shape < 0.72:
            low, high = sorted(rng.sample(vocabulary, 2)) if len(vocabulary) > 1 else (word, word)
            parts.append(f"{rng.choice(_FIELDS)}:[{low} to {high}]")
        elif shape < 0.8:
            parts.append(
                rng.choice([f"{word}*", f"*{word}", f"{word[:1]}*", f"{word}~{rng.randint(0, 5)}", f"{word}?"])
            )
        elif shape < 0.86:
            values = ",".join(rng.sample(vocabulary, min(2, len(vocabulary))))
            parts.append(f'{rng.choice(["kind", "tag", "stance", "jurisdiction"])}:"{values}"')
        else:
            parts.append("".join(rng.choice(_JUNK) for _ in range(rng.randint(1, 4))))
    query = " ".join(parts)
    return query * rng.randint(20, 60) if rng.random() < 0.01 else query  # now and then a very long one


# -- looking at an archive from outside ---------------------------------------------------------


def _connect(archive: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{archive / DB_NAME}?mode=ro", uri=True, timeout=30)


def _ids(archive: Path) -> set[int]:
    if not (archive / DB_NAME).exists():
        return set()
    with _closing(_connect(archive)) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM documents")}


def _integrity(archive: Path) -> str:
    try:
        with _closing(_connect(archive)) as conn:
            return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    except sqlite3.Error as exc:
        return f"could not check: {exc}"


def _footprint(archive: Path) -> dict[str, int]:
    """Rows in every table (but the change log, which a refused write's rollback leaves alone), blob files and
    every file of the archive folder but the database's own."""
    with _closing(_connect(archive)) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables if t != "changes"}
    blobs = [p for p in (archive / "blobs").rglob("*") if p.is_file()]
    return {**counts, "blobs": len(blobs)}


class _closing:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc_info: object) -> None:
        self.conn.close()


def _outside_world(work: Path) -> set[str]:
    """Files a path-traversing bundle could plant: in the work folder, beside it and in /tmp."""
    places = [work, work.parent, Path("/tmp")]
    return {str(p) for place in places for p in place.iterdir() if "owned" in p.name or p.name == "x"}


def _web_pages(archive: Path, count: int) -> list[int]:
    """Ids of ``count`` web pages, those whose original refers to other sites first."""
    with _closing(_connect(archive)) as conn:
        pages = conn.execute("SELECT id, sha256 FROM documents WHERE kind = 'html' ORDER BY id").fetchall()
    remote = [doc_id for doc_id, sha in pages if re.search(rb"(src|href)=.?https?:", _blob(archive, sha))]
    return [*remote, *(doc_id for doc_id, _ in pages if doc_id not in remote)][:count]


def _blob(archive: Path, sha: str) -> bytes:
    return next((archive / "blobs").glob(f"*/{sha}*")).read_bytes()


def _clear(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _shown(arg) -> str:
    """An argument as a shell would need it ($'...' for bytes that are not printable UTF-8)."""
    raw = os.fsencode(arg) if not isinstance(arg, bytes) else arg
    text = raw.decode("utf-8", errors="replace")
    if "\ufffd" in text or UNSAFE.search(text):
        return "$'" + "".join(chr(b) if 32 <= b < 127 and b != 39 else f"\\x{b:02x}" for b in raw) + "'"
    return text if re.fullmatch(r"[\w./:=,+-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def _in_process(query: str) -> str:
    """A query's reproduction: in this process (a lone surrogate cannot come through the command line)."""
    return f"Archive.open(A).search({query!r})"


def _repro(result: Run) -> str:
    return " ".join(_shown(a) for a in result.argv[2:])


# -- report -------------------------------------------------------------------------------------


def _export_outcome(figures: dict) -> str:
    if figures["export_rc"] != 0:
        return f"refused: {figures['export'][:70]}"
    verdict = "verify-bundle accepts it" if figures["verify_rc"] == 0 else "verify-bundle REFUSES it"
    return f"written ({figures['bundle_mb']} MB), {verdict}"


def print_table(report: dict) -> None:
    """The human-readable summary of ``report``, then the findings."""
    rows = [("section", "measure", "value")]
    if "kills" in report:
        k = report["kills"]
        rows += [
            ("kill -9", "kills (import / reindex / import-bundle)", f"{k['kills']} {k['by_operation']}"),
            ("", "runs that ended before their kill", k["ended_before_the_kill"]),
            ("", "committed documents lost", k["committed_documents_lost"]),
            ("", "integrity_check failures", k["integrity_failures"]),
            ("", "checks that repaired / items repaired", f"{k['checks_that_repaired']} / {k['repaired_items']}"),
            ("", "originals missing or corrupt", k["damage_left"]),
            ("", "slowest first search after a kill", f"{k['slowest_search_after_kill_s']} s"),
            ("", "most temp entries left by a kill", k["temp_leftovers"]),
            ("", "documents at the end", k["documents_at_end"]),
            ("", "5 deleted from the index: `check` reports", len(k["index_damage"]["check_reported_missing"] or [])),
            ("", "index removed: `check` reports a rebuild", k["index_damage"]["index_removed_check_reported_rebuilt"]),
        ]
    if "bundles" in report:
        b = report["bundles"]
        rows += [
            ("bundles", "hostile bundles / rejected", f"{b['bundles']} / {b['rejected']}"),
            ("", "accepted as they came", len(b["accepted"])),
            ("", "accepted with the texts extracted again", len(b.get("neutralised", []))),
            ("", "wrote something while rejecting", len(b["written_on_rejection"])),
            ("", "hangs / crashes", f"{len(b['hangs'])} / {len(b['crashes'])}"),
            ("", "export past the 64 MiB annotations cap", _export_outcome(b["oversized_export"])),
        ]
    if "files" in report:
        f = report["files"]
        rows += [
            ("files", "hostile files and arguments", f["files"]),
            ("", "crashes / hangs", f"{len(f['crashes'])} / {len(f['hangs'])}"),
            ("", "peak memory of one import: one process / all", f"{f['peak_mb']} / {f['tree_mb']} MB"),
            ("", "slowest import", f"{f['slowest_s']} s"),
        ]
        rows += [
            ("", f"  {r['name']}", f"{r['seconds']} s, {r['peak_mb']} / {r['tree_mb']} MB, rc {r['rc']}")
            for r in f["rows"]
        ]
    if "queries" in report:
        q = report["queries"]
        rows += [
            ("queries", f"fuzzed queries on {q['documents']} documents", q["queries"]),
            ("", "tracebacks (distinct errors)", f"{q['tracebacks']}"),
            ("", "refused with a message", q["refused_with_a_message"]),
            ("", "p50 / slowest", f"{q['p50_ms']} / {q['slowest_ms']} ms ({q['slowest'][0]['query'][:40]!r})"),
        ]
    if "network" in report:
        n = report["network"]
        if "steps" in n:
            rows += [
                ("network", "internet connect() calls", n["internet_connects"]),
                ("", "AF_UNIX connect() calls (local)", n["unix_connects"]),
            ]
            rows += [
                ("", f"  {name}", f"{s['inet']} inet, {s['unix']} unix, rc {s['rc']}") for name, s in n["steps"].items()
            ]
        else:
            rows.append(("network", "strace", n["strace"]))
    widths = [max(len(str(row[i])) for row in rows) for i in range(3)]
    print()
    for n, row in enumerate(rows):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\n{len(report['findings'])} findings ({report['seconds']} s):")
    for n, item in enumerate(report["findings"], 1):
        repro = item["repro"] if len(item["repro"]) < 300 else item["repro"][:300] + "... (whole in the JSON)"
        print(f"{n:3}. [{item['section']}] {item['what']}\n     repro: {repro}")
        if item["detail"]:
            print("     " + item["detail"].strip().replace("\n", "\n     ")[:400])


if __name__ == "__main__":
    main()
