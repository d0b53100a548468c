"""Window shortcuts that work from a text field, where a line edit would take some keys for its own editing.

On X11 desktops a line edit claims Ctrl+E (end of line), Ctrl+K and Ctrl+U (delete to the end, the whole
line) through ``ShortcutOverride``, so File > Export (Ctrl+E) never fired while the caret was in the search box.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit, QWidget

_KEY = QKeySequence.StandardKey
#: What a line edit keeps even when the window has a shortcut on it: undo, redo, the clipboard, select all ...
KEPT_STANDARD_KEYS = (_KEY.Undo, _KEY.Redo, _KEY.Copy, _KEY.Cut, _KEY.Paste, _KEY.SelectAll)
#: ... and moving the caret, with any modifier (Ctrl+Left, Shift+End). Ctrl+Backspace stays the window's
#: "Clear search and filters", as it is on platforms whose line edit does not claim it.
KEPT_KEYS = frozenset(
    {
        Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down,
        Qt.Key.Key_PageUp, Qt.Key.Key_PageDown,
    }
)  # fmt: skip


class WindowShortcutsFirst(QObject):
    """An event filter for a window's line edits: they decline a key that is one of the window's enabled
    action shortcuts, except the editing keys they keep (:data:`KEPT_STANDARD_KEYS`, :data:`KEPT_KEYS`)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window

    def watch(self, edits: list[QLineEdit]) -> None:
        """Filter the shortcut claims of ``edits``."""
        for edit in edits:
            edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._window_takes(event):
            event.ignore()  # not claimed: the window's shortcut fires
            return True
        return False

    def _window_takes(self, event: QKeyEvent) -> bool:
        if event.key() in KEPT_KEYS or any(event.matches(key) for key in KEPT_STANDARD_KEYS):
            return False
        pressed = QKeySequence(event.keyCombination())
        return any(
            shortcut.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch
            for action in self.window.actions()
            if action.isEnabled()
            for shortcut in action.shortcuts()
        )
