"""The command line's ``map``: the stance map of the archive (or of a search) as an SVG or PNG file or a summary."""

from __future__ import annotations

import argparse
from pathlib import Path

from app import wording
from app.archive import Archive
from app.errors import BadQuery, DossierError
from app.figure_files import check_out, write_figure
from app.jurisdictions.gazetteer import Gazetteer
from app.paths import resolve_archive
from app.printable import print_json
from app.stance_map import StanceMap
from app.stance_map_svg import render, state_svg


def add_commands(commands, common: argparse.ArgumentParser) -> None:
    """Add ``map``."""
    cmd = commands.add_parser(
        "map", parents=[common], help="where each place stands: the stance map as SVG (or a summary)"
    )
    cmd.add_argument("--query", default="", metavar="Q", help="only the evidence of the documents this search finds")
    cmd.add_argument("--out", metavar="FILE", help="write the map to FILE.svg or FILE.png (without it: a summary)")
    cmd.add_argument(
        "--state", metavar="CODE", help="draw one state (postal code, e.g. NE): its places as dots where they are"
    )
    cmd.set_defaults(handler=_map)


def _map(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else None
    check_out(out, "map")
    code = None
    if args.state:
        state = Gazetteer.load().state_of(args.state)
        if state is None or not state.state:
            raise DossierError(f"{args.state}: not a state.", cli_hint="Give --state a postal code such as NE or TX.")
        code = state.state
    with Archive.open(resolve_archive(getattr(args, "archive", None)), shared=True) as archive:
        try:
            stance_map = archive.stance_map(args.query)
        except BadQuery as exc:
            raise BadQuery(f"{exc} Query syntax: `dossier search --help`.") from exc
    if out is not None:
        svg = state_svg(stance_map, code) if code else render(stance_map)
        write_figure(out, svg)
    if args.json:
        print_json({**stance_map.to_json(), "out": str(out) if out else None})
        return 0
    for warning in stance_map.warnings:
        print(f"warning: {warning}")
    _summary(stance_map)
    if out is not None:
        print(f"wrote {out}")
    return 0


def _summary(stance_map: StanceMap) -> None:
    print(
        f"{wording.count(stance_map.documents, 'document')} with confirmed stances, "
        f"{wording.count(len(stance_map.places), 'jurisdiction')}"
    )

    def counts(counter) -> str:
        return ", ".join(f"{stance_map.labels.get(k, k)} {counter[k]}" for k in stance_map.ordered(counter))

    tiles = ([stance_map.federal] if stance_map.federal else []) + [
        stance_map.tiles[code] for code in sorted(stance_map.tiles)
    ]
    for tile in tiles:
        split = "  (split)" if len(stance_map.ordered(tile.counts)) > 1 else ""
        print(f"{tile.jurisdiction.display}: {counts(tile.counts)}{split}")
        if tile.own:
            print(f"    itself: {counts(tile.own)}")
        for jid in tile.place_ids:
            print(f"    {stance_map.places[jid].jurisdiction.display}: {counts(stance_map.places[jid].counts)}")
