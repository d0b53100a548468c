"""``dossier-gui --self-test``: the command line's self-test (:mod:`app.self_test`), its import done in a child
process as the window does, then the main window rendered offscreen on the scratch archive: a search for the
marker word, the sample PDF open in the Original tab (QtPdf), a picture of it saved and checked."""

from __future__ import annotations

import contextlib
import io
import time

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.self_test import MARKER, Context, Step, check, self_test


def _icons(context: Context) -> str:
    from ui.theme import app_icon, lock_icon

    for name, icon in (("dossier", app_icon()), ("lock", lock_icon())):
        image = icon.pixmap(64, 64).toImage()
        check(not image.isNull(), f"the {name} icon does not draw (its SVG file or Qt's SVG icon plugin is missing)")
        check(any(image.pixelColor(x, 32).alpha() for x in range(64)), f"the {name} icon draws nothing")
    return "the app and padlock icons draw from their SVG files"


def _window(context: Context) -> str:
    from ui.app_controller import AppController
    from ui.screenshot import ScreenshotDirector

    archive = context.open_archive()
    folder, pdf_id = archive.folder, context.hit_ids["pdf"]
    expected = len(archive.search_ids(MARKER).ids)
    archive.close()  # the window opens the archive itself, as at start-up
    context.archive = None
    started = time.monotonic()
    controller = AppController(screenshot=True)  # scratch QSettings: the user's window state is not touched
    window = controller.open_window(folder, create=False)
    check(window is not None, "the window did not open the archive")
    opened = time.monotonic() - started
    picture = context.folder / "window.png"
    director = ScreenshotDirector(window, picture, pdf_id, "original")
    director.start(MARKER)
    with contextlib.redirect_stdout(io.StringIO()) as said:
        QApplication.exec()
    rows = window.results_model.rowCount()
    tab = window.viewer.original_stack.currentWidget() is window.viewer.pdf_view
    controller.close_all()
    check(director.exit_code == 0, f"the window did not render: {said.getvalue().strip()}")
    check(rows == expected, f"the results list shows {rows} of {expected} hits")
    check(tab, "the PDF is not shown in the Original tab")
    image = QImage(str(picture))
    check(not image.isNull() and image.width() >= 1000, f"no picture of the window in {picture}")
    return (
        f"{image.width()}x{image.height()} offscreen, {rows} results, the PDF drawn; "
        f"window built in {opened:.2f} s, settled in {time.monotonic() - started:.1f} s"
    )


def run() -> int:
    """Run the whole self-test; the exit code."""
    return self_test([Step("icons", _icons), Step("render the main window", _window)], separate_process=True)
