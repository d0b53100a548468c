"""Peak memory and wall time of what a user does on a big archive: `check`, a search, launching the window.

Usage: python bench/memory.py ARCHIVE [--repo DIR ...]  (each --repo a checkout to compare, side by side in one
run; default this one). Each case runs in a fresh process; its peak RSS comes from wait4. Prints JSON, then a
table. Runs `check`, which repairs: point it at a copy of the archive.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = {
    "check": ["-m", "app.cli", "--archive", "{archive}", "check"],
    "search oil prices": ["-m", "app.cli", "--archive", "{archive}", "search", "oil prices"],
    "search bank*": ["-m", "app.cli", "--archive", "{archive}", "search", "bank*"],
    "window launch": ["-m", "ui.main", "--archive", "{archive}", "--screenshot", "{shot}"],
}


def measure(repo: Path, args: list[str]) -> dict:
    env = dict(os.environ, PYTHONPATH=str(repo), QT_QPA_PLATFORM="offscreen")
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=repo, env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "ok": os.waitstatus_to_exitcode(status) == 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("archive")
    parser.add_argument("--repo", action="append", type=Path)
    opts = parser.parse_args()
    repos = opts.repo or [Path(__file__).resolve().parents[1]]
    shot = Path(tempfile.mkdtemp()) / "window.png"
    results = {
        str(repo): {
            name: measure(repo, [a.format(archive=opts.archive, shot=shot) for a in args])
            for name, args in CASES.items()
        }
        for repo in repos
    }
    print(json.dumps(results, indent=2))
    print(f"\n{'case':<20}" + "".join(f"{Path(r).name:>24}" for r in results))
    for name in CASES:
        cells = "".join(f"{r[name]['seconds']:>9.2f} s {r[name]['peak_rss_mb']:>6} MB  " for r in results.values())
        print(f"{name:<20}{cells}")


if __name__ == "__main__":
    main()
