"""Outlook items (.msg, an OLE compound file) read with extract-msg: messages, and also posts, appointments,
tasks, contacts and notes as far as they carry a subject and a body. Attachments, including attached Outlook
items, are returned as members."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Sequence
from datetime import datetime

import extract_msg
from extract_msg.exceptions import ExMsgBaseException

from indexer.errors import ExtractionError
from indexer.formats.html import html_to_text
from indexer.formats.mail import attachment_name, message_extracted, message_headers, unique_name
from indexer.types import Extracted, Member

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """An Outlook item: its headers, body and attachments."""
    if not data.startswith(_OLE_MAGIC):
        raise ExtractionError("this is not an Outlook .msg file (no OLE compound file header)")
    try:
        item = extract_msg.openMsg(data, strict=False, delayAttachments=False)
    except (ExMsgBaseException, OSError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(f"not a readable Outlook item ({exc})") from exc
    try:
        headers = _headers(item)
        body = _text(item, "body")
        if not body.strip():
            html = _value(item, "htmlBody")
            if isinstance(html, bytes):
                body = html_to_text(html.decode("utf-8", errors="replace"))
        members = _attachments(item)
        sent = _value(item, "date")
        kind = type(item).__name__
        note = "" if kind in ("Message", "MessageBase", "MessageSigned") else f"Outlook {_readable(kind)}"
        return message_extracted(headers, body, members, sent if isinstance(sent, datetime) else None, note)
    finally:
        item.close()


def _headers(item) -> dict[str, str]:
    """The transport headers when the item kept them, filled in from its own properties."""
    found: dict[str, str] = {}
    header = _value(item, "header")
    if header is not None:
        raw = header.as_bytes() if hasattr(header, "as_bytes") else str(header).encode("utf-8", "replace")
        found = message_headers(email.message_from_bytes(raw, policy=email.policy.default))
    own = {
        "from": _text(item, "sender"),
        "to": _text(item, "to"),
        "cc": _text(item, "cc"),
        "bcc": _text(item, "bcc"),
        "subject": _text(item, "subject"),
        "message_id": _text(item, "messageId"),
        "in_reply_to": _text(item, "inReplyTo"),
    }
    sent = _value(item, "date")
    if isinstance(sent, datetime):
        own["date"] = email.utils.format_datetime(sent)
    for name, value in own.items():
        if value and not found.get(name):
            found[name] = " ".join(value.split())
    return found


def _attachments(item) -> list[Member]:
    members, names = [], set()
    for number, attachment in enumerate(_value(item, "attachments") or [], 1):
        filename = _text(attachment, "longFilename") or _text(attachment, "shortFilename") or _text(attachment, "name")
        data = _value(attachment, "data")
        if isinstance(data, bytes):
            members.append(_member(filename, "", number, names, data))
        elif isinstance(data, extract_msg.msg_classes.MSGFile):
            name = filename if filename.lower().endswith(".msg") else f"{filename or f'attachment-{number}'}.msg"
            try:
                members.append(_member(name, "", number, names, data.exportBytes()))
            except Exception as exc:  # extract-msg cannot write every kind of item back out
                members.append(_member(name, "", number, names, b"", f"the attached item cannot be read ({exc})"))
        else:
            members.append(_member(filename, "", number, names, b"", "the attachment holds no file (a link?)"))
    return members


def _member(filename: str, content_type: str, number: int, names: set[str], data: bytes, error: str = "") -> Member:
    name = unique_name(attachment_name(filename, content_type or "application/octet-stream", number), names)
    if not data and not error:
        error = "the attachment is empty"
    return Member(name, data, "attachment", error)


def _value(item, name: str):
    try:
        return getattr(item, name, None)
    except Exception:  # extract-msg computes these properties lazily and may fail on a damaged stream
        return None


def _text(item, name: str) -> str:
    value = _value(item, name)
    return value.strip() if isinstance(value, str) else ""


def _readable(kind: str) -> str:
    """'StickyNote' -> 'sticky note'."""
    return "".join(f" {c.lower()}" if c.isupper() else c for c in kind).strip()
