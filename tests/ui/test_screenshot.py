"""``dossier-gui --screenshot``: a real process renders the window offscreen and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from tests.conftest import REPO


def test_screenshot_mode_saves_the_window_with_results_and_the_document(imported, tmp_path):
    doc_id = imported.search_ids("calamity").ids[0]
    folder = imported.folder
    imported.close()  # the screenshot process opens the archive itself
    out = tmp_path / "shots" / "window.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    args = ["--archive", str(folder), "--query", "calamity", "--open", str(doc_id), "--screenshot", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "ui.main", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert f"saved {out} (1400x900)" in done.stdout
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)
    colours = {image.pixel(x, y) for x in range(0, 1400, 20) for y in range(0, 900, 20)}
    assert len(colours) > 20  # a rendered window, not a blank canvas


def test_screenshot_of_a_missing_document_fails_and_saves_nothing(archive, tmp_path):
    folder = archive.folder
    archive.close()
    out = tmp_path / "empty.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "ui.main", "--archive", str(folder), "--open", "42", "--screenshot", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "There is no document 42 in this archive" in done.stdout and "No screenshot saved" in done.stdout
    assert not out.exists()


def test_screenshot_ignores_the_users_stored_window_settings(imported, tmp_path):
    doc_id = imported.search_ids("calamity").ids[0]
    folder = imported.folder
    imported.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    def shoot(name: str) -> QImage:
        out = tmp_path / name
        args = ["--archive", str(folder), "--query", "calamity", "--open", str(doc_id), "--screenshot", str(out)]
        done = subprocess.run(
            [sys.executable, "-m", "ui.main", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return QImage(str(out))

    clean = shoot("clean.png")
    stored = Path(env["XDG_CONFIG_HOME"]) / "Dossier" / "Dossier.conf"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_text("[search]\nsort=date\n")  # saved by another Dossier window
    assert shoot("after.png") == clean


def test_the_caret_does_not_blink_in_a_screenshot(qtbot, make_window, imported, tmp_path):
    """A blinking caret is drawn or not depending on when the picture is taken (the sweep saw it differ)."""
    from PySide6.QtWidgets import QApplication

    from ui.screenshot import ScreenshotDirector

    hints = QApplication.styleHints()
    flash = hints.cursorFlashTime()
    try:
        window = make_window(imported)
        director = ScreenshotDirector(window, tmp_path / "shot.png", None, "text")
        director.start("calamity")
        director._poll.stop()  # only its start is under test: it must not quit the test's application
        assert hints.cursorFlashTime() == 0
    finally:
        hints.setCursorFlashTime(flash)
