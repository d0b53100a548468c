"""The peer programs the benchmarks compare Dossier with: installed with apt-get when missing, where allowed.

``recollindex`` (Debian package ``recollcmd``) and ``pdftotext`` (``poppler-utils``). The benchmarks install a
missing one only when running as root or under CI (``CI`` set) on a machine with apt-get; elsewhere they print
the command to run and carry on without that peer. ``python bench/peers.py`` does just that for both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

PACKAGES = {"recollindex": "recollcmd", "pdftotext": "poppler-utils"}


def ensure(program: str) -> str | None:
    """The path of ``program``, installing its package first when missing and allowed; None when absent."""
    found = shutil.which(program)
    if found:
        return found
    package = PACKAGES[program]
    allowed = os.geteuid() == 0 or os.environ.get("CI")
    apt = shutil.which("apt-get")
    if allowed and apt:
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        print(f"installing {package} for {program}", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for step in (["update", "-qq"], ["install", "-y", "-qq", package]):
            if subprocess.run([*sudo, apt, *step], env=env, check=False).returncode:
                break
        found = shutil.which(program)
    if not found:
        print(
            f"{program} is not installed: the benchmarks leave its figures out "
            f"(install it with: sudo apt-get install {package})",
            file=sys.stderr,
        )
    return found


if __name__ == "__main__":
    missing = [program for program in PACKAGES if ensure(program) is None]
    sys.exit(1 if missing else 0)
