"""The command line's ``timeline``: the documents of the archive (or of a search) and their stances by date, as
an SVG or PNG file or a summary."""

from __future__ import annotations

import argparse
from pathlib import Path

from app import wording
from app.archive import Archive
from app.errors import BadQuery
from app.figure_files import check_out, write_figure
from app.paths import resolve_archive
from app.printable import print_json
from app.timeline import Timeline
from app.timeline_svg import render


def add_commands(commands, common: argparse.ArgumentParser) -> None:
    """Add ``timeline``."""
    cmd = commands.add_parser(
        "timeline", parents=[common], help="documents and their stances by date: the timeline as SVG or PNG"
    )
    cmd.add_argument("--query", default="", metavar="Q", help="only the documents this search finds")
    cmd.add_argument("--out", metavar="FILE", help="write the timeline to FILE.svg or FILE.png (without: a summary)")
    cmd.set_defaults(handler=_timeline)


def _timeline(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else None
    check_out(out, "timeline")
    with Archive.open(resolve_archive(getattr(args, "archive", None)), shared=True) as archive:
        try:
            timeline = archive.timeline(args.query)
        except BadQuery as exc:
            raise BadQuery(f"{exc} Query syntax: `dossier search --help`.") from exc
    if out is not None:
        svg = render(timeline)
        write_figure(out, svg)
    if args.json:
        print_json({**timeline.to_json(), "out": str(out) if out else None})
        return 0
    for warning in timeline.warnings:
        print(f"warning: {warning}")
    _summary(timeline)
    if out is not None:
        print(f"wrote {out}")
    return 0


def _summary(timeline: Timeline) -> None:
    per = "month" if timeline.unit == "month" else "year"
    undated = len(timeline.undated.documents)
    print(
        f"{wording.count(timeline.documents, 'document')}: {timeline.dated_documents:,} dated, by {per}; "
        f"{undated:,} undated"
    )
    for bucket in timeline.buckets:
        if bucket.total:
            print(f"{timeline.tooltip(bucket)}  ({wording.count(len(bucket.documents), 'document')})")
    if undated:
        print(f"{timeline.tooltip(timeline.undated)}  ({wording.count(undated, 'document')})")
