"""Checks on what a bundle hands us before any of it is trusted: the file itself, and the values of its records."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from app.errors import BadBundle
from app.printable import printable

_RESEND = "Ask the sender to export it again."


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading, refusing anything but a regular file: a pipe or a device would block the
    reader forever or never end. Opened without blocking first, then checked on the open file (no race)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "a pipe, socket or device"
            raise BadBundle(f"{path} is {what}, not a bundle file: choose the .zip file itself.")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_file_names(documents: dict) -> None:
    """Every document's file name is a plain name: no folder separators, no ``.`` or ``..``, no control
    characters (it becomes a file name when the original is opened in another application)."""
    for doc in documents["documents"]:
        name = doc["file_name"]
        if name in (".", "..") or "/" in name or Path(name).name != name or _controls(name):
            raise BadBundle(
                f"{describe(doc)} has the file name {printable(name)!r}, which is not a plain file name (it holds "
                f"a folder separator, '..' or control characters), so the bundle was refused. {_RESEND}"
            )


def describe(doc: dict) -> str:
    """A document of documents.json as a message names it: its title and the start of its sha256."""
    if not isinstance(doc, dict):
        return "A document"
    title = printable(str(doc.get("title", "")))[:80]
    return f"Document {str(doc.get('sha256', '?'))[:12]} (“{title}”)" if title else f"Document {doc.get('sha256')}"


def owner(data: dict, path: Sequence) -> str:
    """Whose field a schema error is about, for the end of its message: `` (document …)``, `` (annotation
    urn:uuid:…)``, or nothing when the field belongs to no single record."""
    parts = list(path)
    if len(parts) >= 2 and parts[0] == "documents" and isinstance(parts[1], int):
        return f" ({describe(data['documents'][parts[1]])})"
    if len(parts) >= 2 and parts[0] == "items" and isinstance(parts[1], int):
        item = data["items"][parts[1]]
        name = item.get("id") if isinstance(item, dict) else None
        return f" (annotation {printable(name)[:80]})" if isinstance(name, str) else ""
    return ""


def _controls(name: str) -> bool:
    return printable(name) != name or "\t" in name or "\n" in name
