"""Opening and switching archives: the old window and archive are really gone, nothing acts on them."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from app.archive import Archive
from ui.app_controller import AppController
from ui.ops import Op


@pytest.fixture
def controller(qtbot, settings):
    made = AppController(settings=settings, install_hooks=False)
    yield made
    made.close_all()


def test_open_creates_an_archive_and_remembers_it(controller, tmp_path):
    window = controller.open_window(tmp_path / "first")
    assert window is not None and (tmp_path / "first" / "dossier.sqlite3").exists()
    assert controller.last_archive() == tmp_path / "first"


def test_switching_closes_the_old_archive_and_its_background_work(qtbot, controller, tmp_path, sample_files):
    old = controller.open_window(tmp_path / "first")
    old_archive = controller.archive
    old.show()
    crashes = []
    controller.crash_reporter.crashed.connect(crashes.append)
    controller.switch(str(tmp_path / "second"), True)
    assert old_archive.closed and controller.archive.folder == tmp_path / "second"
    late = Op(lambda: old_archive.stats())  # a late request from the old window is refused, not run
    ran = []
    late.succeeded.connect(ran.append)
    old.task_runner.start(late)
    assert not old.task_runner.busy() and ran == []
    with qtbot.waitSignal(controller.window.imports.finished, timeout=60000):
        controller.window.import_paths([str(sample_files)])
    assert crashes == []


def test_switching_during_an_import_cancels_it_without_errors(qtbot, controller, tmp_path, monkeypatch):
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(200):
        (folder / f"memo-{number}.txt").write_text(f"Memo {number} about a sheriff.\n")
    window = controller.open_window(tmp_path / "first")
    window.show()
    crashes = []
    controller.crash_reporter.crashed.connect(crashes.append)
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.imports.progressed, timeout=60000):
        window.import_paths([str(folder)])
    controller.switch(str(tmp_path / "second"), True)
    assert controller.archive.folder == tmp_path / "second" and crashes == []
    reopened = Archive.open(tmp_path / "first")
    try:
        assert 0 < reopened.stats()["documents"] <= 200
    finally:
        reopened.close()


def test_a_folder_with_other_files_is_not_made_into_an_archive(controller, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(title))
    controller.open_window(tmp_path / "first")
    busy = tmp_path / "photos"
    busy.mkdir()
    (busy / "cat.jpg").write_bytes(b"\xff\xd8")
    controller.switch(str(busy), True)
    assert warnings == ["Folder not empty"]
    assert controller.archive.folder == tmp_path / "first" and not controller.archive.closed
