"""Writing a drawing (the stance map, the timeline) to the file the command line was given: SVG or PNG by suffix."""

from __future__ import annotations

import os
from pathlib import Path

from app.errors import DossierError
from app.svg_png import svg_to_png

SUFFIXES = (".svg", ".png")


def check_out(out: Path | None, what: str) -> None:
    """Refuse an ``--out`` name that is neither .svg nor .png, saying how to name it."""
    if out is not None and out.suffix.lower() not in SUFFIXES:
        raise DossierError(
            f"{out.name}: the {what} is written as SVG or PNG.", cli_hint="Give --out a name ending in .svg or .png."
        )


def write_figure(out: Path, svg: str) -> None:
    """Write ``svg`` (as PNG for a .png name) whole or not at all: a half-written picture would not open."""
    data = svg_to_png(svg) if out.suffix.lower() == ".png" else svg.encode("utf-8")
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DossierError(f"Could not write {out}: {exc.strerror or exc}.") from exc
