"""The application: which archive is open in which window, switching archives, the crash reporter."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QMessageBox

from app.archive import DB_NAME, Archive
from app.errors import DossierError
from ui.crash import CrashReporter
from ui.main_window import MainWindow


class AppController(QObject):
    """Opens archives into main windows; File > New/Open archive folder ends here."""

    def __init__(self, screenshot: bool = False, settings: QSettings | None = None, install_hooks: bool = True) -> None:
        super().__init__()
        if settings is None and screenshot:  # the same picture for the same archive, whatever the user stored
            self._scratch = tempfile.TemporaryDirectory(prefix="dossier-screenshot-")
            settings = QSettings(str(Path(self._scratch.name) / "settings.ini"), QSettings.Format.IniFormat)
        self.settings = settings or QSettings()
        self.screenshot = screenshot
        self.window: MainWindow | None = None
        self.archive: Archive | None = None
        self.crash_reporter = CrashReporter()
        if install_hooks and not screenshot:
            self.crash_reporter.install()

    def last_archive(self) -> Path | None:
        """The archive opened last time, if it still exists."""
        last = self.settings.value("archive/last")
        return Path(last) if last and (Path(last) / DB_NAME).exists() else None

    def open_window(self, folder: Path, create: bool = True) -> MainWindow | None:
        """Open ``folder`` (creating an archive there when ``create``) in a new main window."""
        folder = Path(folder)
        if not create and not (folder / DB_NAME).exists():
            answer = QMessageBox.question(
                self.window, "Not an archive", f"{folder} holds no Dossier archive. Create a new archive there?"
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        if create and folder.is_dir() and any(folder.iterdir()) and not (folder / DB_NAME).exists():
            QMessageBox.warning(
                self.window, "Folder not empty", f"Choose an empty folder for a new archive; {folder} has files in it."
            )
            return None
        try:
            archive = Archive.open(folder)
        except DossierError as exc:
            QMessageBox.warning(self.window, "Cannot open the archive", str(exc))
            return None
        window = MainWindow(archive, self.settings, remember=not self.screenshot)
        window.archive_requested.connect(self.switch)
        for runner in window.runners():
            runner.crashed.connect(self.crash_reporter.report_exception)
        if not self.screenshot:
            self.settings.setValue("archive/last", str(folder))
        self.window, self.archive = window, archive
        return window

    def switch(self, folder: str, create: bool) -> None:
        """Replace the open archive by another (File > New/Open archive folder)."""
        if self.archive and Path(folder).resolve() == self.archive.folder.resolve():
            return
        old_window, old_archive = self.window, self.archive
        if old_window is not None:
            if not old_window.close():
                return  # the user kept an import running
            old_window.deleteLater()
        if old_archive is not None:
            old_archive.close()
        self.window = self.archive = None
        window = self.open_window(Path(folder), create=create)
        if window is None:  # could not open: go back to the previous archive
            window = self.open_window(old_archive.folder) if old_archive else None
        if window is not None:
            window.show()

    def close_all(self) -> None:
        """Close the window's archive at exit."""
        if self.window is not None:
            self.window.shutdown()
        if self.archive is not None:
            self.archive.close()
            self.archive = None
