"""Beside a document: the email it is attached to or the mailbox or zip it lies in, its attachments or members,
and the other messages of its thread, each a link that opens that document."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.relations import RELATED_LISTS, Related

HEADINGS = {
    "attached_to": "Attached to",
    "contained_in": "Found in",
    "attachments": "Attachments",
    "members": "Contents",
    "thread": "Thread",
}
MAX_SHOWN = 50  # entries per list; the rest is counted


class RelatedPanel(QWidget):
    """Lists of linked documents; ``open_requested(id)`` when one is clicked. Hidden when there are none."""

    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.label.linkActivated.connect(lambda href: self.open_requested.emit(int(href.removeprefix("doc:"))))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.setVisible(False)

    def show_related(self, related: dict[str, list[Related]]) -> None:
        """Fill the lists (or hide the panel when the document has no links)."""
        rows = []
        for name in RELATED_LISTS:
            items = related.get(name, [])
            if not items:
                continue
            links = [_link(item) for item in items[:MAX_SHOWN]]
            if len(items) > MAX_SHOWN:
                links.append(f"and {len(items) - MAX_SHOWN} more")
            rows.append(f"<b>{HEADINGS[name]}:</b> " + " · ".join(links))
        self.label.setText("<br>".join(rows))
        self.setVisible(bool(rows))


def _link(item: Related) -> str:
    shown = item.title or item.member_path or f"document {item.id}"
    where = f" ({escape(item.member_path)})" if item.member_path and item.member_path != shown else ""
    return f'<a href="doc:{item.id}">{escape(shown)}</a> <small>[{escape(item.kind)}]{where}</small>'
