"""Tests that need the licensed corpus skip visibly, with the reason, where it is absent."""

import os
import subprocess
import sys

from tests.conftest import REPO


def test_a_missing_corpus_is_reported_with_its_reason(tmp_path):
    env = {**os.environ, "DOSSIER_CORPUS": str(tmp_path / "no-corpus")}
    target = "tests/indexer/test_text_formats.py::test_seed_article_text_is_clean"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", target],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    summary = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED [1] ")]
    assert len(summary) == 1 and summary[0].endswith(f"test corpus not found at {tmp_path / 'no-corpus'}")
