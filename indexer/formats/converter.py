"""Running a Debian text converter (antiword, wpd2text) on a temporary copy of a file, with a timeout."""

import os
import shutil
import subprocess
import tempfile

from indexer.errors import ExtractionError

#: Seconds one conversion may take before it is given up.
TIMEOUT = 60


def run(tool: str, package: str, args: list[str], data: bytes, suffix: str, what: str) -> tuple[int, str, str]:
    """``tool`` ``args`` ``<temp file>``: exit code, stdout (UTF-8) and stderr; ExtractionError naming the
    Debian ``package`` to install when the tool is missing, or when it runs past :data:`TIMEOUT`."""
    executable = shutil.which(tool)
    if executable is None:
        raise ExtractionError(f"reading {what} needs the '{tool}' program: install it (apt install {package})")
    with tempfile.TemporaryDirectory(prefix="dossier-convert-") as folder:
        path = os.path.join(folder, "input" + suffix)
        with open(path, "wb") as file:
            file.write(data)
        try:
            done = subprocess.run(
                [executable, *args, path],
                capture_output=True,
                timeout=TIMEOUT,
                stdin=subprocess.DEVNULL,
                cwd=folder,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": folder},
            )
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(f"{tool} took longer than {TIMEOUT} seconds on this {what}") from exc
        except OSError as exc:
            raise ExtractionError(f"could not run {tool} ({exc})") from exc
    stderr = done.stderr.decode("utf-8", "replace").replace(path, "the file").strip()
    return done.returncode, done.stdout.decode("utf-8", "replace"), stderr
