"""``--screenshot``: render the window offscreen once results and the viewer have settled, save a PNG."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractAnimation, QElapsedTimer, QObject, QTimer
from PySide6.QtWidgets import QApplication

from app.errors import NotFound
from ui.main_window import MainWindow

POLL_MS = 50
TIMEOUT_MS = 60_000
PDF_PATIENCE_MS = 10_000  # a page with no dark pixels at all (a blank page) is shot after this
SIZE = (1400, 900)


class ScreenshotDirector(QObject):
    """Drives the window: query, open a document, wait until nothing is pending, save, quit."""

    def __init__(self, window: MainWindow, out: Path, doc_id: int | None, tab: str) -> None:
        super().__init__(window)
        self.window, self.out, self.doc_id, self.tab = window, out, doc_id, tab
        self.exit_code = 1
        self._clock = QElapsedTimer()
        self._opened = doc_id is None
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._step)

    def start(self, query: str) -> None:
        """Begin: type the query and start polling for a settled window."""
        QApplication.styleHints().setCursorFlashTime(0)  # a steady caret: a blinking one makes pictures differ
        self.window.resize(*SIZE)
        self.window.show()
        self.window.search_field.setText(query)
        self.window.search(immediate=True)
        self._clock.start()
        self._poll.start()

    def _settled(self) -> bool:
        """Nothing pending, no animation running (the search field's clear button fades in), the PDF drawn."""
        window = self.window
        busy = (
            window.controller.busy()
            or any(runner.busy() for runner in window.runners())
            or window.results_model.snippets_pending()
            or any(a.state() == QAbstractAnimation.State.Running for a in window.findChildren(QAbstractAnimation))
        )
        return not busy and (self._clock.elapsed() > PDF_PATIENCE_MS or self._pdf_drawn())

    def _pdf_drawn(self) -> bool:
        """QtPdf renders pages on its own thread: wait until the visible page shows ink."""
        viewer = self.window.viewer
        if viewer.original_stack.currentWidget() is not viewer.pdf_view or not viewer.isVisible():
            return True
        if viewer.pdf_view.searching:
            return False
        viewport = viewer.pdf_view.pdf_view.viewport()
        image = viewport.grab().toImage()
        step = max(image.width() // 60, 1)
        return any(
            image.pixelColor(x, y).lightness() < 100
            for x in range(0, image.width(), step)
            for y in range(0, min(image.height(), 400), step)
        )

    def _step(self) -> None:
        if self._clock.elapsed() > TIMEOUT_MS:
            print(f"dossier-gui: the window did not settle within {TIMEOUT_MS // 1000} s; no screenshot saved")
            self._finish(1)
            return
        if not self._settled():
            return
        if not self._opened:
            self._opened = True
            try:
                self.window.archive.document(self.doc_id)
            except NotFound as exc:
                print(f"dossier-gui: {exc} No screenshot saved.")
                self._finish(1)
                return
            self.window.open_document(self.doc_id)
            if self.tab == "original":
                self.window.viewer.show_original()
            elif self.tab == "details":
                self.window.viewer.tabs.setCurrentWidget(self.window.viewer.details)
            elif self.tab == "tags":
                self.window.viewer.tag_selection()
            return
        image = self.window.grab()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(self.out)):
            print(f"dossier-gui: could not write {self.out}")
            self._finish(1)
            return
        print(f"saved {self.out} ({image.width()}x{image.height()})")
        self._finish(0)

    def _finish(self, code: int) -> None:
        self._poll.stop()
        self.exit_code = code
        QApplication.quit()
