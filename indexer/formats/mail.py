"""Email: single messages (.eml, RFC 5322 with MIME) and mailboxes (.mbox), read with the standard library.

A message's text is a header block (From, To, Cc, Date, Subject) then its body: the plain part, or the HTML
part made text. Its attachments are returned as members, which the importer imports as documents of their own.
A mailbox's text lists its messages; each message is a member.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import mailbox
import mimetypes
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import PurePosixPath

from indexer.errors import ExtractionError
from indexer.formats.cleanup import normalize_text
from indexer.formats.html import html_to_text
from indexer.types import Extracted, Member

#: The headers kept in a message's metadata (and searchable: from, to, cc, subject).
HEADERS = ("from", "to", "cc", "bcc", "subject", "date", "message_id", "in_reply_to", "references")
MAX_MESSAGES = 20_000  # messages one mailbox may hold
_MSG_ID = re.compile(r"<[^<>\s]+>")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:]+")


def extract_eml(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """One message: headers, body text, attachments as members."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not message.keys() and not message.get_payload():
        raise ExtractionError("this is not an email message (no headers and no body)")
    headers = message_headers(message)
    body = _body_text(message)
    members = list(_attachments(message))
    return message_extracted(headers, body, members, _date(message))


def message_headers(message: email.message.EmailMessage) -> dict[str, str]:
    """The kept headers of a parsed message, each on one line."""
    found = {}
    for name in HEADERS:
        value = _header(message, name.replace("_", "-"))
        if value:
            found[name] = value
    return found


def message_extracted(
    headers: dict[str, str], body: str, members: list[Member], sent: datetime | None, kind_note: str = ""
) -> Extracted:
    """The Extracted of a message (an .eml or an Outlook .msg) from its headers, body and attachments."""
    metadata = {name: value for name, value in headers.items() if value}
    thread = thread_key(metadata)
    if thread:
        metadata["thread"] = thread
    if members:
        metadata["attachments"] = ", ".join(m.path for m in members)
    shown = [(label, metadata.get(key, "")) for label, key in _SHOWN]
    block = "\n".join(f"{label}: {value}" for label, value in shown if value)
    if kind_note:
        block = f"{kind_note}\n{block}"
    if members:
        block += "\nAttachments: " + ", ".join(m.path for m in members)
    text = normalize_text(f"{block}\n\n{body}")
    if not text:
        raise ExtractionError("the message has no headers and no text")
    return Extracted(
        text=text,
        title=metadata.get("subject", ""),
        author=metadata.get("from", ""),
        published=sent.date() if sent and 1000 < sent.year < 2200 else None,
        metadata=metadata,
        members=members,
    )


_SHOWN = (("From", "from"), ("To", "to"), ("Cc", "cc"), ("Date", "date"), ("Subject", "subject"))


def thread_key(headers: dict[str, str]) -> str:
    """The Message-ID that names a message's thread: the first of its References, else the one it replies to,
    else its own (a message that starts a thread)."""
    for name in ("references", "in_reply_to", "message_id"):
        ids = _MSG_ID.findall(headers.get(name, ""))
        if ids:
            return ids[0]
    return ""


def extract_mbox(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """A mailbox: a listing of its messages as text, each message a member."""
    with tempfile.TemporaryDirectory(prefix="dossier-mbox-") as folder:
        path = os.path.join(folder, "mailbox")
        with open(path, "wb") as out:
            out.write(data)
        box = mailbox.mbox(path, factory=None, create=False)
        try:
            keys = box.keys()
            if len(keys) > MAX_MESSAGES:
                raise ExtractionError(f"the mailbox holds {len(keys):,} messages, more than {MAX_MESSAGES:,}")
            raw = [box.get_bytes(key) for key in keys]
        finally:
            box.close()
    raw = [item for item in raw if item.strip()]
    if not raw:
        raise ExtractionError(
            "no messages found in this mailbox (is it an mbox file, each message after a 'From ' line?)"
        )
    lines, members = [], []
    width = len(str(len(raw)))
    for number, item in enumerate(raw, 1):
        name = f"message-{number:0{width}d}.eml"
        message = email.message_from_bytes(item, policy=email.policy.default)
        head = message_headers(message)
        summary = " — ".join(v for v in (head.get("date"), head.get("from"), head.get("subject")) if v)
        lines.append(f"{number}. {summary or '(no headers)'}")
        members.append(Member(name, item, "message"))
    count = f"{len(raw)} message" + ("s" if len(raw) != 1 else "")
    return Extracted(
        text=normalize_text(f"Mailbox of {count}:\n\n" + "\n".join(lines)),
        metadata={"messages": str(len(raw))},
        members=members,
    )


def _header(message: email.message.EmailMessage, name: str) -> str:
    try:
        values = message.get_all(name) or []
        return " ".join(" ".join(str(v).split()) for v in values)
    except (ValueError, TypeError, IndexError, AttributeError):  # a header the parser cannot decode
        raw = message.get_all(name, failobj=[]) if hasattr(message, "get_all") else []
        return " ".join(" ".join(str(v).split()) for v in raw)


def _date(message: email.message.EmailMessage) -> datetime | None:
    try:
        header = message["date"]
        return header.datetime if header is not None else None
    except (ValueError, TypeError, AttributeError, IndexError):
        return None


def _body_parts(message: email.message.EmailMessage) -> tuple[email.message.EmailMessage | None, set[int]]:
    """The part the body is read from, and the ids of every part that is the body in some form."""
    chosen, alternatives = None, set()
    for preference in (("plain",), ("html",)):
        try:
            part = message.get_body(preferencelist=preference)
        except (KeyError, ValueError, TypeError):
            part = None
        if part is not None:
            alternatives.add(id(part))
            if chosen is None and _part_text(part).strip():
                chosen = part
    return chosen, alternatives


def _body_text(message: email.message.EmailMessage) -> str:
    chosen, body_ids = _body_parts(message)
    pieces = [_part_text(chosen)] if chosen is not None else []
    for part in _leaves(message):  # further text parts written inline, not attached
        if id(part) in body_ids or part.get_content_maintype() != "text" or _is_attachment(part):
            continue
        pieces.append(_part_text(part))
    return "\n\n".join(p for p in pieces if p.strip())


def _part_text(part: email.message.EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, TypeError, AssertionError):  # an unknown charset or a broken encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if part.get_content_subtype() == "html" else content


def _leaves(part: email.message.EmailMessage) -> Iterable[email.message.EmailMessage]:
    """The non-multipart parts in order; an attached message is one leaf (its own parts are its own)."""
    if part.get_content_maintype() == "multipart":
        for sub in part.iter_parts():
            yield from _leaves(sub)
    else:
        yield part


def _is_attachment(part: email.message.EmailMessage) -> bool:
    return part.get_content_disposition() == "attachment" or bool(part.get_filename())


def _attachments(message: email.message.EmailMessage) -> Iterable[Member]:
    _, body_ids = _body_parts(message)
    names: set[str] = set()
    number = 0
    for part in _leaves(message):
        if id(part) in body_ids:
            continue
        if part.get_content_maintype() == "text" and not _is_attachment(part):
            continue  # read into the body
        number += 1
        name = unique_name(attachment_name(_filename(part), part.get_content_type(), number), names)
        try:
            data = _payload(part)
        except (ValueError, TypeError, LookupError, AssertionError) as exc:
            yield Member(name, b"", "attachment", f"the attachment cannot be decoded ({exc})")
            continue
        if not data:
            yield Member(name, b"", "attachment", "the attachment is empty")
            continue
        yield Member(name, data, "attachment")


def _filename(part: email.message.EmailMessage) -> str:
    try:
        return part.get_filename() or ""
    except (ValueError, TypeError, IndexError):
        return ""


def _payload(part: email.message.EmailMessage) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        return inner.as_bytes(policy=email.policy.default) if isinstance(inner, email.message.Message) else b""
    return part.get_payload(decode=True) or b""


def attachment_name(filename: str, content_type: str, number: int) -> str:
    """A safe file name for an attachment: its own name without any folder, else one from its type."""
    name = _UNSAFE_NAME.sub("_", PurePosixPath(filename.replace("\\", "/")).name if filename else "").strip(" .")
    if name:
        return name[:200]
    if content_type == "message/rfc822":
        return f"attachment-{number}.eml"
    return f"attachment-{number}{mimetypes.guess_extension(content_type) or '.bin'}"


def unique_name(name: str, taken: set[str]) -> str:
    candidate, count = name, 1
    stem, dot, suffix = name.rpartition(".")
    while candidate.lower() in taken:
        count += 1
        candidate = f"{stem} ({count}).{suffix}" if dot and stem else f"{name} ({count})"
    taken.add(candidate.lower())
    return candidate
