"""Checks on what a bundle hands us before any of it is trusted: the file itself, and the values of its records."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from app.errors import BadBundle


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
