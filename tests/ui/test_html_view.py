"""The HTML view reads no file the markup names and opens links only after the user agrees."""

from __future__ import annotations

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QImage, Qt, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication, QMessageBox, QTextBrowser

import ui.html_view
from ui.html_view import HtmlView, ask_to_open
from ui.theme import mark_colour

SECRET = "SECRET-CONTENT"


class RecordingView(HtmlView):
    """Records what Qt asks for and what the view hands back."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[int, str, object]] = []

    def loadResource(self, kind, name):
        result = super().loadResource(kind, name)
        self.calls.append((kind, name.toString(), result))
        return result


def _page(secret_path: str) -> str:
    return f"""<html><head><link rel="stylesheet" type="text/css" href="x.css">
<style>@import url(x.css);</style></head><body>
<p>Relative <img src="secret.txt"> absolute <img src="{secret_path}"> url <img src="file://{secret_path}"></p>
<table><tr><td background="secret.txt">cell</td></tr></table></body></html>"""


def _files(tmp_path, monkeypatch):
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "x.css").write_text(f"/* {SECRET} */ p {{ color: red }}")
    monkeypatch.chdir(tmp_path)
    return str(tmp_path / "secret.txt")


def test_stock_text_browser_would_read_the_files(qtbot, tmp_path, monkeypatch):
    """The threat the view guards against: Qt's own loader reads what the markup names."""
    secret_path = _files(tmp_path, monkeypatch)
    browser = QTextBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(_page(secret_path))
    image = browser.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(secret_path))
    assert SECRET in bytes(image.data()).decode()


def test_view_loads_no_resource_the_markup_names(qtbot, tmp_path, monkeypatch):
    secret_path = _files(tmp_path, monkeypatch)
    view = RecordingView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show_html(_page(secret_path))
    view.grab()
    requested = {(kind, url) for kind, url, _ in view.calls}
    image, style = QTextDocument.ResourceType.ImageResource, QTextDocument.ResourceType.StyleSheetResource
    assert requested == {
        (image, "secret.txt"),
        (image, secret_path),
        (image, f"file://{secret_path}"),
        (style, "x.css"),
    }
    for kind, _, result in view.calls:
        if kind == image:
            assert isinstance(result, QImage)
            assert result.size().width() == result.size().height() == 1
        else:
            assert result == ""
    assert "cell" in view.toPlainText()


def _click_link(qtbot, view: HtmlView, text: str) -> None:
    cursor = view.document().find(text)
    cursor.setPosition(cursor.selectionStart() + 1)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cursor).center())


class FakeDesktop:
    def __init__(self) -> None:
        self.opened: list[str] = []

    def openUrl(self, url: QUrl) -> bool:
        self.opened.append(url.toString())
        return True


def test_links_open_only_when_confirmed(qtbot, monkeypatch):
    desktop = FakeDesktop()
    monkeypatch.setattr(ui.html_view, "QDesktopServices", desktop)
    asked: list[str] = []
    answer = False

    def confirm(url: QUrl) -> bool:
        asked.append(url.toString())
        return answer

    view = HtmlView(confirm_link=confirm)
    qtbot.addWidget(view)
    view.resize(500, 200)
    view.show_html(
        '<p><a href="https://news.example/omaha">web link</a></p><p><a href="file:///etc/passwd">file link</a></p>'
    )
    view.show()
    qtbot.waitExposed(view)

    with qtbot.waitSignal(view.anchorClicked):
        _click_link(qtbot, view, "web link")
    assert asked == ["https://news.example/omaha"]
    assert desktop.opened == []

    answer = True
    with qtbot.waitSignal(view.anchorClicked):
        _click_link(qtbot, view, "web link")
    assert desktop.opened == ["https://news.example/omaha"]

    with qtbot.waitSignal(view.anchorClicked):
        _click_link(qtbot, view, "file link")
    assert len(asked) == 2
    assert desktop.opened == ["https://news.example/omaha"]
    assert "web link" in view.toPlainText()  # the view did not navigate away


def test_prompt_shows_the_full_encoded_url(qtbot):
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        seen.append(f"{box.text()}|{box.informativeText()}")
        box.button(QMessageBox.StandardButton.Open).click()

    QTimer.singleShot(0, answer)
    assert ask_to_open(None, QUrl("https://bücher.example/a b?q=<x>"))
    assert seen == ["Open this link in your browser?|https://xn--bcher-kva.example/a%20b?q=%3Cx%3E"]


def test_highlight_terms_marks_every_occurrence(qtbot):
    view = HtmlView()
    qtbot.addWidget(view)
    view.show_html("<h1>Omaha</h1><p>The OMAHA police chief said omaha police would not join.</p>")
    assert view.highlight_terms(["omaha", " Police ", "", "omaha"]) == 5
    selections = view.extraSelections()
    assert sorted(s.cursor.selectedText() for s in selections) == ["OMAHA", "Omaha", "omaha", "police", "police"]
    assert selections[0].format.background().color() == mark_colour(view)
    assert view.highlight_terms(["crackdown"]) == 0
    assert view.extraSelections() == []


def test_show_html_clears_highlights_and_starts_at_the_top(qtbot):
    view = HtmlView()
    qtbot.addWidget(view)
    view.resize(300, 120)
    view.show()
    qtbot.waitExposed(view)
    view.show_html("<p>start</p>" + "<p>filler</p>" * 80 + "<p>needle</p>")
    assert view.highlight_terms(["needle"]) == 1
    assert view.verticalScrollBar().value() > 0
    view.show_html("<p>another page</p>" + "<p>filler</p>" * 80)
    assert view.extraSelections() == []
    assert view.verticalScrollBar().value() == 0
    assert view.textCursor().position() == QTextCursor(view.document()).position()
