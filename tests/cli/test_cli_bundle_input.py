"""What `verify-bundle` and `import-bundle` do with something that is not a bundle file: a clear refusal,
never a wait. Run as real child processes with a timeout, so a reader that blocks fails the test instead of
hanging it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

TIMEOUT_S = 60


def dossier(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *argv], capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
@pytest.mark.parametrize("command", ["verify-bundle", "import-bundle"])
def test_a_named_pipe_is_refused_at_once(tmp_path, command):
    fifo = tmp_path / "bundle.zip"
    os.mkfifo(fifo)
    done = dossier("--archive", str(tmp_path / "a"), command, str(fifo))
    assert done.returncode == 1, done.stderr
    assert "is a pipe, socket or device, not a bundle file: choose the .zip file itself" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_folder_is_refused_with_the_same_advice(tmp_path):
    done = dossier("verify-bundle", str(tmp_path))
    assert done.returncode == 1
    assert "is a folder, not a bundle file: choose the .zip file itself" in done.stderr
