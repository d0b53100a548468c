"""The stored text of a document, exactly as passages are anchored to it, with query hits marked."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from ui.theme import current_mark_colour, evidence_colour, highlight_colour, mark_colour

READING_COLUMN_CHARS = 80  # wider lines are hard to follow back to their start (the measure of books, reader modes)


PARAGRAPH_LINE_CHARS = 100  # lines this long are paragraphs (a hard-wrapped text has shorter ones)


def paragraph_gaps(text: str) -> list[int]:
    """Offsets of the line breaks to show with an empty line after them: in a text whose paragraphs are single
    lines separated by one break (HTML, Markdown, DOCX extraction), every break between two such lines. A text
    that already leaves empty lines between paragraphs (PDFs) or is wrapped by hand (plain text) gets none."""
    lines = text.split("\n")
    long_chars = sum(len(line) for line in lines if len(line) > PARAGRAPH_LINE_CHARS)
    breaks = len(lines) - 1
    if not breaks or long_chars * 2 < len(text) or text.count("\n\n") * 5 > breaks:
        return []
    return [m for m in range(1, len(text) - 1) if text[m] == "\n" and text[m - 1] != "\n" and text[m + 1] != "\n"]


class Utf16Map:
    """Python string offsets (code points) to Qt's document positions (UTF-16 units) and back; ``gaps`` are
    offsets of line breaks the view shows with one more break after them (paragraph spacing)."""

    def __init__(self, text: str, gaps: list[int] | tuple[int, ...] = ()) -> None:
        wide = (i for i, char in enumerate(text) if ord(char) > 0xFFFF)  # each takes 2 units in Qt
        self._wide = sorted([*wide, *gaps])  # every offset after one of these moves one unit on
        self._wide_ends = [i + k + 2 for k, i in enumerate(self._wide)]  # Qt position just after each

    def to_qt(self, offset: int) -> int:
        """Document position of a Python offset."""
        return offset + bisect_left(self._wide, offset)

    def from_qt(self, position: int) -> int:
        """Python offset of a document position."""
        return position - bisect_right(self._wide_ends, position)


class TextView(QPlainTextEdit):
    """Read-only text; ``set_matches`` marks hits, ``next_match``/``previous_match`` walk them."""

    match_changed = Signal(int, int)  # (current 1-based, total)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(self.textInteractionFlags() | self.textInteractionFlags().TextSelectableByKeyboard)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text = ""
        self._map = Utf16Map("")
        self.matches: list[tuple[int, int]] = []
        self.evidence: list[tuple[int, int]] = []
        self.highlights: list[tuple[int, int, str]] = []  # annotations: (start, end, colour name)
        self.current = -1

    def resizeEvent(self, event) -> None:
        """Keep the text in a centred column of about :data:`READING_COLUMN_CHARS` characters on a wide pane."""
        super().resizeEvent(event)
        margin = 2 * self.document().documentMargin()
        column = READING_COLUMN_CHARS * self.fontMetrics().averageCharWidth() + margin
        room = self.contentsRect().width() - self.verticalScrollBar().sizeHint().width()
        side = max(int(room - column) // 2, 0)
        self.setViewportMargins(side, 0, side, 0)

    def set_text(self, text: str) -> None:
        """Show ``text`` verbatim, with an empty line between paragraphs where it has none (offsets, selections and
        copies still refer to ``text`` itself)."""
        self.text = text
        gaps = paragraph_gaps(text)
        self._map = Utf16Map(text, gaps)
        cuts = [gap + 1 for gap in gaps]
        self.setPlainText("\n".join(text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)))
        self.evidence = []
        self.highlights = []
        self.set_matches([])

    def set_matches(self, spans: list[tuple[int, int]]) -> None:
        """Mark hits (Python offsets into the stored text) and go to the first one."""
        self.matches = sorted(spans)
        self.current = 0 if self.matches else -1
        self._paint()
        if self.matches:
            self._reveal()

    def set_highlights(self, highlights: list[tuple[int, int, str]]) -> None:
        """Paint annotations (start, end, colour name) under the search hits."""
        self.highlights = highlights
        self._paint()

    def select_span(self, start: int, end: int) -> None:
        """Select a passage and scroll to it."""
        self.setTextCursor(self._cursor(start, end))
        self.centerCursor()

    def set_evidence(self, spans: list[tuple[int, int]]) -> None:
        """Outline the passages a suggestion or a tag rests on, and scroll to the first."""
        self.evidence = sorted(spans)
        self._paint()
        if self.evidence:
            cursor = self._cursor(*self.evidence[0])
            self.setTextCursor(cursor)
            self.centerCursor()

    def next_match(self) -> None:
        """Go to the next hit, wrapping around."""
        if self.matches:
            self.current = (self.current + 1) % len(self.matches)
            self._paint()
            self._reveal()

    def previous_match(self) -> None:
        """Go to the previous hit, wrapping around."""
        if self.matches:
            self.current = (self.current - 1) % len(self.matches)
            self._paint()
            self._reveal()

    def selection_offsets(self) -> tuple[int, int] | None:
        """The selected range as Python offsets into the stored text, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self._map.from_qt(cursor.selectionStart()), self._map.from_qt(cursor.selectionEnd())

    def createMimeDataFromSelection(self) -> QMimeData:
        """Copy the stored text of the selection (without the empty lines added between paragraphs)."""
        data = QMimeData()
        span = self.selection_offsets()
        data.setText(self.text[span[0] : span[1]] if span else "")
        return data

    def cursor_offset(self) -> int:
        """The caret position as a Python offset."""
        return self._map.from_qt(self.textCursor().position())

    def _cursor(self, start: int, end: int) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(start))
        cursor.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def _paint(self) -> None:
        selections = []
        for start, end, colour in self.highlights:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = self._cursor(start, end)
            fmt = QTextCharFormat()
            fmt.setBackground(highlight_colour(colour, self))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)  # tells an annotation from a search hit
            selection.format = fmt
            selections.append(selection)
        for number, (start, end) in enumerate(self.matches):
            selection = QTextEdit.ExtraSelection()
            selection.cursor = self._cursor(start, end)
            fmt = QTextCharFormat()
            fmt.setBackground(current_mark_colour(self) if number == self.current else mark_colour(self))
            selection.format = fmt
            selections.append(selection)
        for start, end in self.evidence:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = self._cursor(start, end)
            fmt = QTextCharFormat()
            fmt.setBackground(evidence_colour(self))
            fmt.setFontUnderline(True)
            selection.format = fmt
            selections.append(selection)
        self.setExtraSelections(selections)
        self.match_changed.emit(self.current + 1, len(self.matches))

    def _reveal(self) -> None:
        start, _ = self.matches[self.current]
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(start))
        self.setTextCursor(cursor)
        self.centerCursor()
