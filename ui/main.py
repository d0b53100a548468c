"""``dossier-gui``: open an archive in the main window (or render a screenshot of it)."""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import sys
from pathlib import Path

from app.paths import resolve_archive


def has_display() -> bool:
    """Whether Qt can open a window here (or is told to render offscreen)."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def tune_interpreter() -> None:
    """Search and snippet workers run Python beside the GUI thread, which takes the GIL again on every call
    between Qt and Python: make a worker hand it back after 0.2 ms instead of 5 ms, so a paint's hundreds of
    such calls never add up to a stall (measured by bench/gui_responsiveness.py: 291 ms -> 58 ms, together
    with imports in a child process)."""
    sys.setswitchinterval(0.0002)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options of the desktop app."""
    parser = argparse.ArgumentParser(prog="dossier-gui", description="Dossier desktop app")
    parser.add_argument(
        "--archive", metavar="DIR", help="archive folder (default: the last one opened, else the user data folder)"
    )
    parser.add_argument("--query", default="", help="start with this search")
    parser.add_argument("--open", type=int, metavar="ID", help="open this document")
    parser.add_argument(
        "--tab", choices=("text", "original", "details", "tags"), default="text", help="viewer tab with --open"
    )
    parser.add_argument("--screenshot", metavar="OUT.png", type=Path, help="render offscreen at 1400x900, save, exit")
    parser.add_argument(
        "--self-test", action="store_true", help="check that this installation works (offscreen, a scratch archive)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dossier-gui`` script."""
    multiprocessing.freeze_support()
    args = parse_args(argv)
    if args.screenshot or args.self_test:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if not has_display():
        print(
            "dossier-gui: no display found (DISPLAY/WAYLAND_DISPLAY are unset).\n"
            "  Run it inside a desktop session, or under a virtual one: xvfb-run dossier-gui\n"
            "  Everything is also available from the command line: dossier --help",
            file=sys.stderr,
        )
        return 2
    from PySide6.QtWidgets import QApplication

    from ui.app_controller import AppController
    from ui.collector import Collector

    app = QApplication(sys.argv[:1])
    Collector(app)  # garbage is collected on this thread only: Qt objects must not die in an op's thread
    app.setApplicationName("Dossier")
    app.setOrganizationName("Dossier")
    app.setDesktopFileName("dossier")

    from ui.theme import app_icon

    app.setWindowIcon(app_icon())
    tune_interpreter()
    if args.self_test:
        from ui.self_test import run

        return run()
    controller = AppController(screenshot=args.screenshot is not None)
    folder = Path(args.archive).expanduser().resolve() if args.archive else controller.last_archive()
    window = controller.open_window(folder or resolve_archive(None))
    if window is None:
        return 1
    if args.screenshot:
        from ui.screenshot import ScreenshotDirector

        director = ScreenshotDirector(window, args.screenshot, args.open, args.tab)
        director.start(args.query)
        app.exec()
        controller.close_all()
        return director.exit_code
    gc.freeze()  # objects built so far live all session: keep them out of full collections
    if args.query:
        window.search_field.setText(args.query)
    if args.open:
        window.open_document(args.open)
    window.show()
    try:
        return app.exec()
    finally:
        controller.close_all()


if __name__ == "__main__":
    sys.exit(main())
