"""``dossier --self-test`` and ``dossier-gui --self-test`` from source: they pass here, and a failing step stops
the run with a non-zero exit. (CI runs both again on the packaged app: see .ci/run.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app import cli
from app.self_test import Context, Skipped, Step, check, extraction_step, run_steps
from indexer.sandbox import Outcome

ROOT = Path(__file__).resolve().parent.parent


def _steps_in(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith(("ok ", "skip ", "FAIL "))]


def test_cli_self_test_passes(capsys):
    code = cli.main(["--self-test"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0, "\n".join(lines)
    steps = _steps_in(lines)
    assert not [line for line in steps if line.startswith("FAIL")]
    for name in ("extract pdf", "extract docx", "extract html", "extract markdown", "import the samples"):
        assert any(line.startswith("ok") and f" {name}: " in line for line in steps), name
    assert any("search with snippets" in line and line.startswith("ok") for line in steps)
    assert any("verify the bundle: complete and unaltered" in line for line in steps)
    assert lines[-1] == "self-test passed"


def test_gui_self_test_renders_the_window():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-m", "ui.main", "--self-test"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stdout + run.stderr
    assert any(line.startswith("ok    import the samples") and "in a child process" in line for line in lines)
    assert any(line.startswith("ok    render the main window: 1400x900") for line in lines), run.stdout
    assert lines[-1] == "self-test passed"


def test_a_failing_step_stops_the_run_with_its_reason(tmp_path):
    ran: list[str] = []

    def fine(context: Context) -> str:
        ran.append("fine")
        return "all good"

    def cannot(context: Context) -> str:
        ran.append("cannot")
        raise Skipped("no such engine here")

    def broken(context: Context) -> str:
        ran.append("broken")
        check(1 + 1 == 3, "arithmetic is off")
        return "unreachable"

    def after(context: Context) -> str:
        ran.append("after")
        return "should not run"

    lines: list[str] = []
    steps = [Step("fine", fine), Step("cannot", cannot), Step("broken", broken), Step("after", after)]
    code = run_steps(steps, Context(tmp_path), lines.append)
    assert code == 1
    assert ran == ["fine", "cannot", "broken"]
    assert lines[0].startswith("ok    fine: all good (")
    assert lines[1] == "skip  cannot: no such engine here"
    assert lines[2] == "FAIL  broken: AssertionError: arithmetic is off"
    assert len(lines) == 3


def test_an_extraction_that_failed_in_its_worker_fails_its_step(tmp_path):
    context = Context(tmp_path)
    context.outcomes["pdf"] = Outcome(0, error="the pdf reader failed: ModuleNotFoundError: No module named 'pypdf'")
    context.outcomes["doc"] = Outcome(1, error="the doc reader failed: ModuleNotFoundError: No module named 'x'")
    lines: list[str] = []
    assert run_steps([extraction_step("pdf")], context, lines.append) == 1
    assert lines == ["FAIL  extract pdf: AssertionError: extraction failed: " + context.outcomes["pdf"].error]
    lines.clear()
    assert run_steps([extraction_step("doc")], context, lines.append) == 1
    assert "the reader broke" in lines[0]
