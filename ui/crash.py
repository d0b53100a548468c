"""One place for unexpected errors: log them with their traceback, tell the user where the log is, keep running."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from platformdirs import user_log_path
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("dossier")


def private_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and of the exceptions it came from, with their types but not their messages:
    a message can quote what the user wrote (a private note, a passage), and a log gets attached to bug
    reports. The dialog, on the user's own screen, still shows the message."""
    chain: list[BaseException] = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n".join(
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_tb(e.__traceback__))
        + f"{type(e).__module__}.{type(e).__qualname__} (its message is not logged)"
        for e in reversed(chain)
    )


def log_file() -> Path:
    """Where Dossier writes its log."""
    return user_log_path("Dossier", appauthor=False) / "dossier.log"


class CrashReporter(QObject):
    """Installed as ``sys.excepthook`` and ``threading.excepthook``; shows a dialog on the GUI thread."""

    crashed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.crashed.connect(self._show)
        self._showing = False

    def install(self) -> None:
        """Start logging to the log file and catch every unhandled exception."""
        path = log_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.INFO)
        sys.excepthook = self.report
        threading.excepthook = lambda args: self.report(args.exc_type, args.exc_value, args.exc_traceback)

    def report_exception(self, exc: BaseException) -> None:
        """Report an exception caught elsewhere (a background operation)."""
        self.report(type(exc), exc, exc.__traceback__)

    def report(self, exc_type, exc_value, tb) -> None:
        """Log an unexpected exception and ask the GUI thread to tell the user."""
        logged = private_traceback(exc_value.with_traceback(tb)) if exc_value is not None else exc_type.__qualname__
        log.error("unexpected error:\n%s", logged)
        self.crashed.emit(f"{exc_type.__name__}: {exc_value}")

    def _show(self, summary: str) -> None:
        if self._showing:  # one dialog at a time; the rest are in the log
            return
        self._showing = True
        try:
            QMessageBox.critical(
                QApplication.activeWindow(),
                "Something went wrong",
                f"Dossier hit an unexpected error and carried on:\n\n{summary}\n\n"
                f"The details are in the log:\n{log_file()}\n\n"
                "Your archive is safe: everything shown as saved is on disk.",
            )
        finally:
            self._showing = False
