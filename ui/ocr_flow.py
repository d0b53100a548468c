"""OCR from the GUI: after an import, the scans it brought are read in the background, with progress and Cancel."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from app import settings
from app.errors import DossierError
from app.ocring import INSTALL_HINT, OcrReport
from ui.background_op import BackgroundOp
from ui.status_progress import StatusProgress


class OcrController(BackgroundOp):
    """Runs :meth:`Archive.ocr` on a worker thread (the pages themselves in the sandboxed workers)."""

    started = Signal(int)  # documents to read
    progressed = Signal(int, int)  # page, pages

    def start(self, ids: Sequence[int] | None = None) -> bool:
        """OCR the documents among ``ids`` (default: all) that need it; False when none does or OCR runs."""
        if self.op is not None:
            return False
        wanted = self.archive.documents_needing_ocr(ids)
        if not wanted:
            return False

        def work(progress, cancel) -> OcrReport:
            return self.archive.ocr(wanted, progress=lambda done, total: progress((done, total)), cancel=cancel)

        self._run(work, self.progressed.emit)
        self.started.emit(len(wanted))
        return True


class OcrProgressBar(StatusProgress):
    """ "OCR: page 12 of 40" with a bar and a Cancel button."""

    def __init__(self, controller: OcrController, parent: QWidget | None = None) -> None:
        super().__init__(
            controller.cancel,
            button="Cancel OCR",
            tip="Stop reading scans; what is read stays, File > Read scans (OCR) reads the rest",
            cancelling="Cancelling OCR: finishing the pages in flight…",
            label_width=0,
            parent=parent,
        )
        self.controller = controller
        controller.started.connect(self._started)
        controller.progressed.connect(self._progressed)
        controller.finished.connect(lambda _report: self.hide())
        controller.stopped.connect(self.hide)

    def _started(self, count: int) -> None:
        self.bar.setRange(0, 0)
        self.begin(f"OCR of {count} scanned document{'s' if count != 1 else ''}…")

    def _progressed(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.label.setText(f"OCR: page {min(done + 1, total)} of {total}")


def choose_ocr_language(parent: QWidget, languages: list[str]) -> str | None:
    """Ask which language scanned pages are read in (the installed ones, or a combination typed as "spa+eng");
    remembers it and returns it, or None when cancelled or not valid (the user is told why)."""
    if not languages:
        QMessageBox.information(parent, "OCR language", INSTALL_HINT)
        return None
    current = settings.ocr_language() or "eng"
    items = sorted(set(languages) | {current})
    code, chosen = QInputDialog.getItem(
        parent,
        "OCR language",
        "Read scanned pages in (Tesseract's code; several as spa+eng):",
        items,
        items.index(current),
        True,
    )
    if not chosen:
        return None
    missing = [part for part in code.strip().split("+") if part not in languages]
    try:
        if missing:
            raise DossierError(f"No OCR data for {', '.join(missing)}: sudo apt install tesseract-ocr-{missing[0]}")
        return settings.set_ocr_language(code) or "eng"
    except DossierError as exc:
        QMessageBox.warning(parent, "OCR language", str(exc))
        return None
