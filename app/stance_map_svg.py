"""The stance map drawn as SVG: the United States as a tile grid, one square per state and DC, and the zoomed
view of one state, its places as dots at their gazetteer coordinates (:func:`state_svg`).

The layout is the newsroom election-map grid (NPR's tile grid: eight rows, Alaska top left, Hawaii bottom left),
with the territories in a row below. Each tile is filled with the colour of its stance; when the state and
the places in it disagree the tile is split into stripes, one per stance in vocabulary order. A badge stands
for the federal government. Hovering shows a ``<title>`` tooltip. The SVG is self-contained: no script, no
link to anything outside it, every text escaped, colours checked.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
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


def _legend_rows(stance_map: StanceMap, used: list[str], x: float, y: float, swatch: Callable) -> list[str]:
    """The opening of a legend: each stance in ``used``, three a row, its colour drawn by
    ``swatch(left, top, colour)`` beside its label (a line saying so when there is none)."""
    parts = ['<g class="legend">']
    if not used:
        parts.append(f'<text class="legend" x="{x}" y="{y + 12}" fill="#546e7a">No confirmed stances here.</text>')
    for i, key in enumerate(used):
        col, row = i % 3, i // 3
        left, top = x + col * 230, y + row * 24
        parts.append(swatch(left, top, _colour(stance_map, key)))
        parts.append(
            f'<text class="legend" x="{left + 22}" y="{top + 13:.0f}" fill="#263238">'
            f"{_text(stance_map.labels.get(key, key))}</text>"
        )
    return parts


def _legend(stance_map: StanceMap, used: list[str], x: int, y: int) -> str:
    parts = _legend_rows(stance_map, used, x, y, lambda left, top, colour: _rect(left, top, 16, 16, colour))
    foot = y + max(1, (len(used) + 2) // 3) * 24 + 8
    parts.append(
        f'<text class="note" x="{x}" y="{foot}">A bar along the top of a tile: the stance of the state itself. '
        "Grey: no confirmed stance.</text>"
    )
    parts.append("</g>")
    return "".join(parts)


def tile_tooltip(stance_map: StanceMap, code: str) -> str:
    """What hovering a tile (or ``federal``, the badge) tells: the jurisdiction, its stances and counts."""
    if code == "federal":
        return _tooltip(stance_map, stance_map.federal, "Federal government")
    return _tooltip(stance_map, stance_map.tiles.get(code), code)


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


# -- the zoomed view of one state ----------------------------------------------------------------------------

PLOT_W, PLOT_H = 560, 440  # the most room the places of a state get; the frame keeps the state's proportions
SIDE_W = 250  # the column of what has no coordinates (counties, the state itself)
BACKDROP_LIMIT = 900  # the grey dots that sketch a state's shape: its most populous places (1,000+ people each)
CHIP = 22  # height of a row in the side column
_CHIPS = 24  # rows listed there; the rest are counted


@dataclass(frozen=True)
class Mark:
    """Something a person can point at in the zoomed view: a dot (places at one position) or a chip in the
    side column (a county, the state itself). ``x, y, w, h`` is its box in SVG units (a dot's: around it)."""

    key: str  # the jurisdiction a click selects: the dot's main place
    ids: tuple[str, ...]  # every jurisdiction the mark stands for (a city and the police department under it)
    kind: str  # "dot" or "chip"
    x: float
    y: float
    w: float
    h: float
    tooltip: str
    stances: tuple[str, ...] = ()  # stance keys in vocabulary order

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2

    def contains(self, x: float, y: float) -> bool:
        """Whether a point is on the mark (a dot is round, with a few units of slack for a small one)."""
        if self.kind == "dot":
            cx, cy = self.centre
            r = max(self.w / 2, 8)
            return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
        return self.x <= x <= self.x + self.w and self.y <= y <= self.y + self.h


@dataclass
class StateLayout:
    """Where everything of a state's zoomed view goes (what :func:`state_svg` draws and a window hit-tests)."""

    code: str
    name: str
    width: int
    height: int
    plot: tuple[float, float, float, float]  # x, y, width, height of the area places are drawn in
    frame: tuple[float, float, float, float]  # south, north, west, east: the degrees the plot shows
    marks: list[Mark] = field(default_factory=list)
    more: int = 0  # side-column rows left off

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        """Equirectangular: x from longitude, shrunk by the cosine of the frame's middle latitude; y from
        latitude, north up."""
        south, north, west, east = self.frame
        x, y, w, h = self.plot
        return x + (lon - west) / (east - west) * w, y + (north - lat) / (north - south) * h

    def mark(self, jid: str) -> Mark | None:
        """The mark that stands for a jurisdiction."""
        return next((m for m in self.marks if jid in m.ids), None)


def state_layout(stance_map: StanceMap, code: str) -> StateLayout:
    """The zoomed view of the state (DC, territory) with postal code ``code``: its places with coordinates as
    dots framed on the state's places, the rest (counties, custom entries under the state) in a side column."""
    gazetteer = stance_map.gazetteer
    tile = stance_map.tiles.get(code)
    state = tile.jurisdiction if tile else (gazetteer.states.get(code) if gazetteer else None)
    name = state.name if state else code
    frame = _frame(stance_map, code, tile, state)
    south, north, west, east = frame
    squash = math.cos(math.radians((south + north) / 2))
    geo_w, geo_h = (east - west) * squash, north - south
    scale = min(PLOT_W / geo_w, PLOT_H / geo_h)
    plot_w, plot_h = max(geo_w * scale, 160), max(geo_h * scale, 160)
    plot = (MARGIN + 10, TOP + 10, plot_w, plot_h)
    layout = StateLayout(code, name, 0, 0, plot, frame)
    side_x = plot[0] + plot_w + 40
    places = tile.place_ids if tile else []
    groups: dict[tuple[float, float], list[str]] = {}
    chips: list[str] = [tile.jurisdiction.id] if tile and tile.own else []
    for jid in places:
        position = stance_map.positions.get(jid)
        if position is None:
            chips.append(jid)
        else:
            groups.setdefault(position, []).append(jid)
    for (lat, lon), ids in groups.items():
        counts = sum((stance_map.places[i].counts for i in ids), Counter())
        radius = min(6 + 2.5 * math.sqrt(sum(counts.values())), 16)
        cx, cy = layout.project(lat, lon)
        key = _main(stance_map, ids)
        tooltip = _mark_tooltip(stance_map, [key, *(i for i in ids if i != key)])
        layout.marks.append(
            Mark(key, tuple(ids), "dot", cx - radius, cy - radius, 2 * radius, 2 * radius, tooltip,
                 tuple(stance_map.ordered(counts)))
        )  # fmt: skip
    layout.marks.sort(key=lambda m: -m.w)  # big dots first, so small ones stay on top and reachable
    y = TOP + 10 + (40 if chips else 0)
    for jid in chips[:_CHIPS]:
        own = tile is not None and jid == tile.jurisdiction.id
        counts = tile.own if own else stance_map.places[jid].counts
        tooltip = _mark_tooltip(stance_map, [jid], own=own)
        layout.marks.append(
            Mark(jid, (jid,), "chip", side_x, y, SIDE_W, CHIP - 4, tooltip, tuple(stance_map.ordered(counts)))
        )
        y += CHIP
    layout.more = max(0, len(chips) - _CHIPS)
    used = _used_in(stance_map, tile)
    legend_y = max(plot[1] + plot_h + 30, y + (CHIP if layout.more else 0) + 10)
    layout.width = int(side_x + SIDE_W + MARGIN if chips else plot[0] + plot_w + 10 + MARGIN)
    layout.width = max(layout.width, 700)  # room for the heading and the legend
    layout.height = int(legend_y + max(1, (len(used) + 2) // 3) * 24 + MARGIN + 16)
    return layout


def state_svg(stance_map: StanceMap, code: str, *, layout: StateLayout | None = None) -> str:
    """The zoomed view of one state as an SVG document (self-contained, like :func:`render`)."""
    layout = layout or state_layout(stance_map, code)
    tile = stance_map.tiles.get(code)
    width, height = layout.width, layout.height
    title = _state_heading(stance_map, layout.name)
    px, py, pw, ph = layout.plot
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="map-title">',
        f'<title id="map-title">{_text(title)}</title>',
        "<style>text{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif}"
        ".place{font-size:11px}.legend{font-size:12px}.chip{font-size:11px}"
        ".heading{font-size:16px;font-weight:bold}.note{font-size:11px;fill:#546e7a}</style>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text class="heading" x="{MARGIN}" y="{MARGIN + 10}" fill="#263238">{_text(title)}</text>',
        f'<text class="note" x="{MARGIN}" y="{MARGIN + 28}">{_text(_state_subheading(stance_map, tile))}</text>',
        f'<rect x="{px - 10:.0f}" y="{py - 10:.0f}" width="{pw + 20:.0f}" height="{ph + 20:.0f}" fill="#f7f9fa" '
        'stroke="#cfd8dc"/>',
        _backdrop(stance_map, layout),
    ]
    dots = [m for m in layout.marks if m.kind == "dot"]
    for mark in dots:
        out.append(_dot(stance_map, mark))
    for mark in sorted(dots, key=lambda m: m.y):  # names over every dot, so no dot hides one
        place = stance_map.places[mark.key].jurisdiction
        label = place.name + (f" +{len(mark.ids) - 1}" if len(mark.ids) > 1 else "")
        x, y = mark.x + mark.w + 3, mark.y + mark.h / 2 + 4
        anchor = "start"
        if x + 7 * len(label) > px + pw + 30:  # near the east edge: the name goes to the left of the dot
            x, anchor = mark.x - 3, "end"
        for paint in ('stroke="#ffffff" stroke-width="3" fill="#ffffff"', 'fill="#263238"'):
            out.append(
                f'<text class="place" x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}" {paint}>{_text(label)}</text>'
            )
    chips = [m for m in layout.marks if m.kind == "chip"]
    if chips:
        left = f"{chips[0].x:.0f}"
        out.append(f'<text class="note" x="{left}" y="{chips[0].y - 24:.0f}">Not drawn as dots: the state</text>')
        out.append(
            f'<text class="note" x="{chips[0].x:.0f}" y="{chips[0].y - 10:.0f}">'
            "itself, places without coordinates</text>"
        )
    for mark in chips:
        out.append(_chip(stance_map, mark, tile))
    if layout.more:
        y = chips[-1].y + CHIP + 12
        out.append(f'<text class="note" x="{chips[-1].x:.0f}" y="{y:.0f}">and {layout.more} more</text>')
    legend_y = layout.height - MARGIN - 16 - max(1, (len(_used_in(stance_map, tile)) + 2) // 3) * 24
    out.append(_state_legend(stance_map, _used_in(stance_map, tile), MARGIN, legend_y))
    out.append("</svg>")
    return "\n".join(part for part in out if part) + "\n"


def _frame(stance_map: StanceMap, code: str, tile: Tile | None, state) -> tuple[float, float, float, float]:
    """South, north, west, east: the box around the state's places (its evidence's when the gazetteer lists
    none, as for DC), a little wider so no dot sits on the edge, at least a fifth of a degree each way."""
    gazetteer = stance_map.gazetteer
    points = [(p.lat, p.lon) for p in gazetteer.points(code)] if gazetteer else []
    points += [stance_map.positions[j] for j in (tile.place_ids if tile else []) if j in stance_map.positions]
    if not points and state is not None and state.lat is not None:
        points = [(state.lat, state.lon)]
    if not points:
        points = [(39.8, -98.6)]  # the middle of the contiguous states: nothing to frame
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    pad_lat, pad_lon = max((north - south) * 0.04, 0.1), max((east - west) * 0.04, 0.1)
    return south - pad_lat, north + pad_lat, west - pad_lon, east + pad_lon


def _main(stance_map: StanceMap, ids: list[str]) -> str:
    """Of places drawn at one position, the one the others sit under (the city of a police department), else
    the one with the most evidence (``ids`` come most evidence first)."""
    for jid in ids:
        if all(o == jid or jid in {a.id for a in _ancestors(stance_map, o)} for o in ids):
            return jid
    return ids[0]


def _ancestors(stance_map: StanceMap, jid: str) -> list:
    return stance_map.gazetteer.ancestors(jid) if stance_map.gazetteer else []


def _mark_tooltip(stance_map: StanceMap, ids: list[str], own: bool = False) -> str:
    """The jurisdiction, its stances and counts; each place when a dot stands for several."""
    if own:
        tile = next(t for t in stance_map.tiles.values() if t.jurisdiction.id == ids[0])
        return f"{tile.jurisdiction.display} (the state itself)\n{_counts(stance_map, tile.own)}"
    if len(ids) == 1:
        place = stance_map.places[ids[0]]
        return f"{place.jurisdiction.display}\n{_counts(stance_map, place.counts)}"
    lines = [stance_map.places[ids[0]].jurisdiction.display]
    for jid in ids:
        place = stance_map.places[jid]
        lines.append(f"  {place.jurisdiction.display}: {_counts(stance_map, place.counts)}")
    return "\n".join(lines)


def _used_in(stance_map: StanceMap, tile: Tile | None) -> list[str]:
    return stance_map.ordered(tile.counts) if tile else []


def _state_heading(stance_map: StanceMap, name: str) -> str:
    q = stance_map.query.strip()
    return f"{name}: stances for “{q}”" if q else f"{name}: stances in the whole archive"


def _state_subheading(stance_map: StanceMap, tile: Tile | None) -> str:
    if tile is None:
        return "No confirmed stance here."
    return (
        f"{wording.count(len(tile.place_ids), 'place')} with confirmed stances; a pie holds disagreeing stances. "
        "Grey dots: other towns and cities."
    )


def _backdrop(stance_map: StanceMap, layout: StateLayout) -> str:
    """The state's other places as small grey dots: enough to see its shape and where the evidence lies."""
    if stance_map.gazetteer is None:
        return ""
    parts = ['<g class="backdrop" fill="#cfd8dc">']
    for place in stance_map.gazetteer.points(layout.code)[:BACKDROP_LIMIT]:
        x, y = layout.project(place.lat, place.lon)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6"/>')
    parts.append("</g>")
    return "".join(parts)


def _dot(stance_map: StanceMap, mark: Mark) -> str:
    """A dot in the colour of its stance; a pie of equal slices when its stances disagree."""
    cx, cy = mark.centre
    r = mark.w / 2
    colours = [_colour(stance_map, key) for key in mark.stances] or [NO_EVIDENCE]
    parts = [f'<g class="dot{" split" if len(colours) > 1 else ""}" id="dot-{_attr(mark.key)}">']
    parts.append(f"<title>{_text(mark.tooltip)}</title>")
    if len(colours) == 1:
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colours[0]}"/>')
    else:
        for i, (key, colour) in enumerate(zip(mark.stances, colours, strict=False)):
            a0, a1 = (2 * math.pi * k / len(colours) - math.pi / 2 for k in (i, i + 1))
            x0, y0 = cx + r * math.cos(a0), cy + r * math.sin(a0)
            x1, y1 = cx + r * math.cos(a1), cy + r * math.sin(a1)
            large = 1 if a1 - a0 > math.pi else 0
            parts.append(
                f'<path d="M{cx:.1f},{cy:.1f} L{x0:.1f},{y0:.1f} A{r:.1f},{r:.1f} 0 {large} 1 {x1:.1f},{y1:.1f} Z" '
                f'fill="{colour}" data-stance="{_attr(key)}"/>'
            )
    parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="none" stroke="#ffffff" stroke-width="1.5"/>')
    parts.append("</g>")
    return "".join(parts)


def _chip(stance_map: StanceMap, mark: Mark, tile: Tile | None) -> str:
    """A row of the side column: a swatch (striped when its stances disagree), the name and the count."""
    own = tile is not None and mark.key == tile.jurisdiction.id
    place = tile.jurisdiction if own else stance_map.places[mark.key].jurisdiction
    counts = tile.own if own else stance_map.places[mark.key].counts
    name = f"{place.name} itself" if own else place.name
    name = name if len(name) <= 30 else name[:29] + "…"
    parts = [f'<g class="chip" id="chip-{_attr(mark.key)}">', f"<title>{_text(mark.tooltip)}</title>"]
    parts.append(_rect(mark.x, mark.y, mark.w, mark.h, "#ffffff", 'fill-opacity="0"'))
    colours = [_colour(stance_map, key) for key in mark.stances] or [NO_EVIDENCE]
    size = 14
    top = mark.y + (mark.h - size) / 2
    edges = [mark.x + round(i * size / len(colours)) for i in range(len(colours) + 1)]
    for colour, left, right in zip(colours, edges, edges[1:], strict=False):
        parts.append(_rect(left, top, right - left, size, colour))
    parts.append(
        f'<text class="chip" x="{mark.x + size + 6:.0f}" y="{top + 11:.0f}" fill="#263238">'
        f"{_text(name)} · {sum(counts.values())}</text>"
    )
    parts.append("</g>")
    return "".join(parts)


def _state_legend(stance_map: StanceMap, used: list[str], x: float, y: float) -> str:
    parts = _legend_rows(
        stance_map,
        used,
        x,
        y,
        lambda left, top, colour: f'<circle cx="{left + 8}" cy="{top + 8:.0f}" r="7" fill="{colour}"/>',
    )
    parts.append("</g>")
    return "".join(parts)
