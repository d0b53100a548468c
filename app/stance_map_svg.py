"""The stance map drawn as SVG: the United States as a tile grid, one square per state and DC.

The layout is the newsroom election-map grid (NPR's tile grid: eight rows, Alaska top left, Hawaii bottom left),
with the territories in a row below. Each tile is filled with the colour of its stance; when the state and
the places in it disagree the tile is split into stripes, one per stance in vocabulary order. A badge stands
for the federal government. Hovering shows a ``<title>`` tooltip. The SVG is self-contained: no script, no
link to anything outside it, every text escaped, colours checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from app import wording
from app.stance_map import StanceMap, Tile

#: (column, row) of each state and DC: the NPR tile grid.
GRID: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (11, 0),
    "VT": (10, 1), "NH": (11, 1),
    "WA": (1, 2), "ID": (2, 2), "MT": (3, 2), "ND": (4, 2), "MN": (5, 2), "IL": (6, 2), "WI": (7, 2),
    "MI": (8, 2), "NY": (9, 2), "RI": (10, 2), "MA": (11, 2),
    "OR": (1, 3), "NV": (2, 3), "WY": (3, 3), "SD": (4, 3), "IA": (5, 3), "IN": (6, 3), "OH": (7, 3),
    "PA": (8, 3), "NJ": (9, 3), "CT": (10, 3),
    "CA": (1, 4), "UT": (2, 4), "CO": (3, 4), "NE": (4, 4), "MO": (5, 4), "KY": (6, 4), "WV": (7, 4),
    "VA": (8, 4), "MD": (9, 4), "DE": (10, 4),
    "AZ": (2, 5), "NM": (3, 5), "KS": (4, 5), "AR": (5, 5), "TN": (6, 5), "NC": (7, 5), "SC": (8, 5),
    "DC": (9, 5),
    "OK": (4, 6), "LA": (5, 6), "MS": (6, 6), "AL": (7, 6), "GA": (8, 6),
    "HI": (0, 7), "TX": (4, 7), "FL": (9, 7),
}  # fmt: skip
#: The territories, in a row of their own under the grid.
TERRITORIES = ("PR", "VI", "GU", "AS", "MP")

CELL, GAP, MARGIN = 56, 4, 20
TOP = 56  # room for the heading
NO_EVIDENCE = "#eceff1"
NO_EVIDENCE_TEXT = "#78909c"
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_FALLBACK = "#9e9e9e"
_TOOLTIP_PLACES = 12  # places named in a tooltip; the rest are counted
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

LinkFn = Callable[[str], "str | None"]
_TERRITORY_Y = TOP + 8 * (CELL + GAP) + GAP * 3
FEDERAL_BOX = (MARGIN + 2 * (CELL + GAP), TOP, 3 * CELL + 2 * GAP, 34)  # x, y, width, height


def tile_boxes() -> dict[str, tuple[int, int, int, int]]:
    """Where each tile is drawn, ``code -> (x, y, width, height)`` in SVG units; ``federal`` for the badge
    (what a window needs to know which tile a click hit)."""
    boxes = {code: (MARGIN + c * (CELL + GAP), TOP + r * (CELL + GAP), CELL, CELL) for code, (c, r) in GRID.items()}
    for i, code in enumerate(TERRITORIES):
        boxes[code] = (MARGIN + (i + 1) * (CELL + GAP) + 20, _TERRITORY_Y, CELL - 12, CELL - 12)
    boxes["federal"] = FEDERAL_BOX
    return boxes


def render(stance_map: StanceMap, *, link: LinkFn | None = None, heading: str | None = None) -> str:
    """The map as an SVG document. ``link`` gives the address a tile links to (e.g. ``#jurisdiction-...`` in a
    report) for a jurisdiction id, or None for no link."""
    used = stance_map.used_stances()
    columns = 12
    grid_w = columns * (CELL + GAP) - GAP
    territory_y = _TERRITORY_Y
    legend_y = territory_y + CELL + GAP * 6
    legend_rows = max(1, (len(used) + 2) // 3)
    width = MARGIN * 2 + grid_w
    height = legend_y + legend_rows * 24 + MARGIN + 16
    title = heading or _heading(stance_map)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="map-title">',
        f'<title id="map-title">{_text(title)}</title>',
        "<style>text{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif}"
        ".code{font-size:15px;font-weight:bold}.count{font-size:10px}.legend{font-size:12px}"
        ".heading{font-size:16px;font-weight:bold}.note{font-size:11px;fill:#546e7a}</style>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text class="heading" x="{MARGIN}" y="{MARGIN + 10}" fill="#263238">{_text(title)}</text>',
        f'<text class="note" x="{MARGIN}" y="{MARGIN + 28}">{_text(_subheading(stance_map))}</text>',
    ]
    boxes = tile_boxes()
    for code in GRID:
        out.append(_tile(stance_map, code, boxes[code][0], boxes[code][1], link))
    out.append(f'<text class="note" x="{MARGIN}" y="{territory_y + CELL / 2:.0f}">Territories</text>')
    for code in TERRITORIES:
        out.append(_tile(stance_map, code, boxes[code][0], boxes[code][1], link, small=True))
    out.append(_federal_badge(stance_map, FEDERAL_BOX[0], FEDERAL_BOX[1], link))
    out.append(_legend(stance_map, used, MARGIN, legend_y))
    out.append("</svg>")
    return "\n".join(part for part in out if part) + "\n"


def _heading(stance_map: StanceMap) -> str:
    return f"Stances for “{stance_map.query}”" if stance_map.query.strip() else "Stances in the whole archive"


def _subheading(stance_map: StanceMap) -> str:
    places = len(stance_map.places)
    return (
        f"{wording.count(stance_map.documents, 'document')}, {wording.count(places, 'jurisdiction')} "
        "with confirmed stances; a striped tile holds disagreeing stances"
    )


def _tile(stance_map: StanceMap, code: str, x: int, y: int, link: LinkFn | None, small: bool = False) -> str:
    tile = stance_map.tiles.get(code)
    size = CELL if not small else CELL - 12
    keys = stance_map.ordered(tile.counts) if tile else []
    colours = [_colour(stance_map, key) for key in keys]
    parts = [f'<g class="tile{" split" if len(keys) > 1 else ""}" id="tile-{_attr(code)}">']
    parts.append(f"<title>{_text(_tooltip(stance_map, tile, code))}</title>")
    if not keys:
        parts.append(_rect(x, y, size, size, NO_EVIDENCE))
    elif len(keys) == 1:
        parts.append(_rect(x, y, size, size, colours[0]))
    else:  # one vertical stripe per stance, equal widths: disagreement is the point, the counts are in the tooltip
        edges = [x + round(i * size / len(keys)) for i in range(len(keys) + 1)]
        for key, colour, left, right in zip(keys, colours, edges, edges[1:], strict=False):
            parts.append(_rect(left, y, right - left, size, colour, f'data-stance="{_attr(key)}"'))
    if tile and tile.own:  # the state's own stance: a bar along the top
        own = stance_map.ordered(tile.own)
        edges = [x + round(i * size / len(own)) for i in range(len(own) + 1)]
        for key, left, right in zip(own, edges, edges[1:], strict=False):
            parts.append(_rect(left, y, right - left, 6, _darker(_colour(stance_map, key)), 'class="own"'))
        parts.append(_rect(x, y + 6, size, 1, "#ffffff"))
    label_colour = _label_colour(colours)
    cx = x + size / 2
    if len(keys) > 1:  # a plate under the label keeps it readable on any stripes
        parts.append(
            f'<rect x="{cx - 15:.0f}" y="{y + size / 2 - 13:.0f}" width="30" height="26" rx="4" '
            'fill="#ffffff" fill-opacity="0.85"/>'
        )
    parts.append(
        f'<text class="code" x="{cx:.0f}" y="{y + size / 2 + 2:.0f}" text-anchor="middle" '
        f'fill="{label_colour}">{_text(code)}</text>'
    )
    if tile:
        total = sum(tile.counts.values())
        parts.append(
            f'<text class="count" x="{cx:.0f}" y="{y + size / 2 + 12:.0f}" text-anchor="middle" '
            f'fill="{label_colour}">{total}</text>'
        )
    parts.append("</g>")
    body = "".join(parts)
    return _linked(body, link, tile)


def _federal_badge(stance_map: StanceMap, x: int, y: int, link: LinkFn | None) -> str:
    tile = stance_map.federal
    keys = stance_map.ordered(tile.counts) if tile else []
    width, height = FEDERAL_BOX[2], FEDERAL_BOX[3]
    parts = ['<g class="federal" id="tile-federal">']
    parts.append(f"<title>{_text(_tooltip(stance_map, tile, 'Federal government'))}</title>")
    parts.append(f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="17" fill="#ffffff" stroke="#90a4ae"/>')
    if keys:
        edges = [x + 12 + i * 18 for i in range(len(keys))]
        for key, left in zip(keys, edges, strict=False):
            parts.append(f'<circle cx="{left + 6}" cy="{y + height / 2:.0f}" r="8" fill="{_colour(stance_map, key)}"/>')
        text_x = x + 12 + len(keys) * 18 + 4
    else:
        parts.append(f'<circle cx="{x + 18}" cy="{y + height / 2:.0f}" r="8" fill="{NO_EVIDENCE}" stroke="#b0bec5"/>')
        text_x = x + 34
    total = sum(tile.counts.values()) if tile else 0
    parts.append(
        f'<text class="legend" x="{text_x}" y="{y + height / 2 + 4:.0f}" fill="#263238">Federal'
        f"{f' · {total}' if total else ''}</text>"
    )
    parts.append("</g>")
    body = "".join(parts)
    return _linked(body, link, tile)


def _linked(body: str, link: LinkFn | None, tile: Tile | None) -> str:
    """A tile inside a link to a place in the same document (``#...``); any other address is refused."""
    target = link(tile.jurisdiction.id) if (link and tile) else None
    return f'<a href="{_attr(target)}">{body}</a>' if target and target.startswith("#") else body


def _legend(stance_map: StanceMap, used: list[str], x: int, y: int) -> str:
    parts = ['<g class="legend">']
    if not used:
        parts.append(f'<text class="legend" x="{x}" y="{y + 12}" fill="#546e7a">No confirmed stances here.</text>')
    for i, key in enumerate(used):
        col, row = i % 3, i // 3
        left, top = x + col * 230, y + row * 24
        parts.append(_rect(left, top, 16, 16, _colour(stance_map, key)))
        parts.append(
            f'<text class="legend" x="{left + 22}" y="{top + 13}" fill="#263238">'
            f"{_text(stance_map.labels.get(key, key))}</text>"
        )
    foot = y + max(1, (len(used) + 2) // 3) * 24 + 8
    parts.append(
        f'<text class="note" x="{x}" y="{foot}">A bar along the top of a tile: the stance of the state itself. '
        "Grey: no confirmed stance.</text>"
    )
    parts.append("</g>")
    return "".join(parts)


def _tooltip(stance_map: StanceMap, tile: Tile | None, fallback: str) -> str:
    if tile is None:
        return f"{fallback}: no confirmed stance"
    lines = [tile.jurisdiction.display]
    if tile.own:
        lines.append("Itself: " + _counts(stance_map, tile.own))
    if tile.places:
        lines.append(f"Places in it ({len(tile.place_ids)}): " + _counts(stance_map, tile.places))
        for jid in tile.place_ids[:_TOOLTIP_PLACES]:
            place = stance_map.places[jid]
            lines.append(f"  {place.jurisdiction.display}: {_counts(stance_map, place.counts)}")
        if len(tile.place_ids) > _TOOLTIP_PLACES:
            lines.append(f"  and {wording.count(len(tile.place_ids) - _TOOLTIP_PLACES, 'more place')}")
    return "\n".join(lines)


def _counts(stance_map: StanceMap, counts) -> str:
    return ", ".join(f"{stance_map.labels.get(key, key)} {counts[key]}" for key in stance_map.ordered(counts))


def _colour(stance_map: StanceMap, key: str) -> str:
    stance = stance_map.stance(key)
    colour = stance.colour if stance else _FALLBACK
    return colour if _COLOUR.fullmatch(colour or "") else _FALLBACK


def _rect(x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> str:
    return (
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" fill="{fill}"{" " + extra if extra else ""}/>'
    )


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    channel = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * channel[0] + 0.7152 * channel[1] + 0.0722 * channel[2]


def _label_colour(colours: list[str]) -> str:
    """Dark text on light tiles and on the plate of a split tile, white on dark tiles."""
    if not colours:
        return NO_EVIDENCE_TEXT
    if len(colours) > 1:
        return "#263238"
    return "#ffffff" if _luminance(colours[0]) < 0.3 else "#1a1a1a"


def _darker(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * 0.6) for c in (r, g, b)))


def _text(value: str) -> str:
    """Text for an element: escaped, without the characters XML does not allow."""
    return escape(_CONTROL.sub("", value), quote=False)


def _attr(value: str) -> str:
    return escape(_CONTROL.sub("", value), quote=True)
