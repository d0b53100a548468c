"""Every window shortcut works while the caret is in the search box (Ctrl+E exports from there), except the
editing keys a line edit keeps for itself (undo and redo)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtTest import QTest

from tests.ui.helpers import type_query

KEPT_BY_THE_LINE_EDIT = {"&Undo", "&Redo"}


class ClaimsEveryKey(QObject):
    """Makes the search box claim every key, as X11's line edit claims Ctrl+E, Ctrl+K and Ctrl+U (its emacs
    bindings); the offscreen platform uses another key scheme, so the test plays the greediest one."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
        return False


@pytest.mark.parametrize("greedy", [False, True], ids=["this-platform", "claiming-every-key"])
def test_every_window_shortcut_fires_from_the_search_box(qtbot, make_window, imported, greedy):
    window = make_window(imported)
    type_query(qtbot, window, "omaha")
    if greedy:
        claims = ClaimsEveryKey(window.search_field)
        window.search_field.installEventFilter(claims)  # runs before the window's filter, like the line edit
    fired = []
    shortcuts = [(action, shortcut) for action in window.actions() for shortcut in action.shortcuts()]
    for action, _shortcut in shortcuts:
        action.triggered.disconnect()  # record the action instead of opening its dialog
        action.triggered.connect(lambda _checked=False, action=action: fired.append(action.text()))
        action.setEnabled(True)
    assert "&Export bundle…" in [action.text() for action, _ in shortcuts]

    results = {}
    for action, shortcut in shortcuts:
        window.search_field.setFocus()
        qtbot.waitUntil(window.search_field.hasFocus)
        window.search_field.setCursorPosition(2)
        fired.clear()
        QTest.keyClick(window.search_field, shortcut[0].key(), shortcut[0].keyboardModifiers())
        results[f"{action.text()} {shortcut.toString()}"] = fired == [action.text()]
    expected = {key: key.split(" ")[0] not in KEPT_BY_THE_LINE_EDIT for key in results}
    assert results == expected
    assert window.search_field.text() == "omaha"  # the kept keys went to the line edit (nothing to undo)
