"""``dossier-gui``: open the archive and show the main window."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys

from app.archive import Archive
from app.errors import DossierError
from app.paths import resolve_archive


def has_display() -> bool:
    """Whether Qt can open a window here (or is told to render offscreen)."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dossier-gui`` script."""
    multiprocessing.freeze_support()
    parser = argparse.ArgumentParser(prog="dossier-gui", description="Dossier desktop app")
    parser.add_argument("--archive", metavar="DIR", help="archive folder (default: the user data folder)")
    args = parser.parse_args(argv)
    if not has_display():
        print(
            "dossier-gui: no display found (DISPLAY/WAYLAND_DISPLAY are unset).\n"
            "  Run it inside a desktop session, or under a virtual one: xvfb-run dossier-gui\n"
            "  Everything is also available from the command line: dossier --help",
            file=sys.stderr,
        )
        return 2
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Dossier")
    try:
        archive = Archive.open(resolve_archive(args.archive))
    except DossierError as exc:
        QMessageBox.critical(None, "Dossier", str(exc))
        return 1
    window = MainWindow(archive)
    window.show()
    try:
        return app.exec()
    finally:
        archive.close()


if __name__ == "__main__":
    sys.exit(main())
