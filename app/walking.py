"""Which files an import reads: the paths a user named, and the regular files found below named folders.

Everything else found on the way gets a line in the report with the reason it was left: hidden files,
links that lead out of the imported folder or to nothing, named pipes, sockets and devices (reading
them would block or never end), and folders that cannot be read. A path the user names explicitly is
trusted: a link given by name is followed wherever it leads.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from app.models import ImportReport

_SPECIAL = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}
_FOLDER_LINK = "a link to a folder, not followed (import that folder by name to include it)"


def walk(paths: Iterable[str | os.PathLike], report: ImportReport) -> Iterator[Path]:
    """Regular files to read, each once, in a stable order; the rest reported as skipped or failed."""
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw).expanduser().absolute()
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            report.failed.append({"path": str(path), "error": _missing(path, exc)})
            continue
        if stat.S_ISDIR(mode):
            yield from _folder(path, report, seen)
        elif not stat.S_ISREG(mode):
            report.skipped.append({"path": str(path), "reason": _not_regular(mode)})
        elif path not in seen:
            seen.add(path)
            yield path


def _folder(top: Path, report: ImportReport, seen: set[Path]) -> Iterator[Path]:
    real_top = top.resolve()

    def unreadable(exc: OSError) -> None:
        report.failed.append({"path": exc.filename or str(top), "error": f"could not read the folder: {exc.strerror}"})

    for root, dirs, names in os.walk(top, onerror=unreadable):
        for name in sorted(d for d in dirs if os.path.islink(os.path.join(root, d))):
            report.skipped.append({"path": os.path.join(root, name), "reason": _FOLDER_LINK})
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d)))
        for name in sorted(names):
            child = Path(root) / name
            reason = _reason_to_leave(child, name, real_top)
            if reason:
                report.skipped.append({"path": str(child), "reason": reason})
            elif child not in seen:
                seen.add(child)
                yield child


def _reason_to_leave(child: Path, name: str, real_top: Path) -> str:
    """Why a file found in a folder is not read ('' to read it)."""
    if name.startswith("."):
        return "hidden file"
    try:
        mode = child.lstat().st_mode
        if stat.S_ISLNK(mode):
            target = child.resolve(strict=True)
            if not target.is_relative_to(real_top):
                return f"a link to {target}, outside the imported folder (import that file by name to include it)"
            mode = target.stat().st_mode
    except FileNotFoundError:
        return "a link to nothing (its target does not exist)"
    except RuntimeError:
        return "a link that leads in a loop"
    except OSError as exc:
        return f"could not be examined: {exc.strerror}"
    return "" if stat.S_ISREG(mode) else _not_regular(mode)


def _not_regular(mode: int) -> str:
    kind = _SPECIAL.get(stat.S_IFMT(mode), "not a regular file")
    return f"{kind}, not a file with contents to import"


def _missing(path: Path, exc: OSError) -> str:
    if path.is_symlink():
        return "a link to nothing (its target does not exist)"
    if isinstance(exc, FileNotFoundError):
        return "no such file or folder"
    return f"could not be read: {exc.strerror}"
