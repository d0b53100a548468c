"""The timeline drawn as SVG: one stacked bar per month (or year), a segment per stance in vocabulary order and
the documents without a stance on top, an axis with counts and dates, a legend, and a ``<title>`` tooltip per
bar (``2025-03: 4 Cooperates, 1 Sanctuary``). Undated documents are told in a line of text, not drawn: they
have no place on a time axis.

Self-contained like the map (:mod:`app.stance_map_svg`): no script, no link to anything outside it, every
text escaped, colours checked.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from app import wording
from app.stance_map_svg import _attr, _text
from app.timeline import WITHOUT_STANCE, Bucket, Timeline

MARGIN = 20
TOP = 64  # room for the heading
AXIS_W = 44  # the count axis left of the bars
PLOT_H = 220
PLOT_W = 880  # the bars share this width (each between MIN_BAR and MAX_BAR wide)
MIN_BAR, MAX_BAR = 6, 48
UNTAGGED = "#cfd8dc"
TEXT, NOTE, GRID = "#263238", "#546e7a", "#e0e6ea"
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_FALLBACK = "#9e9e9e"
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class Layout:
    """Where the bars are, in SVG units: what a window needs to know which bucket a point is over."""

    width: int
    height: int
    left: float  # x of the first bar's slot
    slot: float  # width of one bucket's slot (bar and gap)
    bar: float  # width of a bar
    top: float  # y of the plot's top
    bottom: float  # y of the axis
    count: int  # buckets

    def bucket_at(self, x: float) -> int | None:
        """The bucket whose slot holds ``x``, or None outside the bars."""
        if self.count == 0 or x < self.left or x >= self.left + self.slot * self.count:
            return None
        return int((x - self.left) // self.slot)

    def nearest(self, x: float) -> int | None:
        """The bucket at ``x``, the first or last one beyond the ends (a drag that runs past the bars)."""
        if self.count == 0:
            return None
        return max(0, min(self.count - 1, int((x - self.left) // self.slot)))

    def slot_box(self, index: int) -> tuple[float, float, float, float]:
        """x, y, width, height of a bucket's whole slot, axis to top."""
        return (self.left + index * self.slot, self.top, self.slot, self.bottom - self.top)


def layout(timeline: Timeline) -> Layout:
    """The geometry :func:`render` draws ``timeline`` with."""
    n = len(timeline.buckets)
    slot = max(MIN_BAR + 1, min(MAX_BAR + 4, PLOT_W / n)) if n else MAX_BAR
    bar = max(MIN_BAR, slot - (1 if slot < 12 else 2 if slot < 24 else 4))
    left = MARGIN + AXIS_W
    width = math.ceil(max(left + slot * n + MARGIN, MARGIN * 2 + 520))
    legend_rows = max(1, math.ceil(len(_legend_entries(timeline)) / 3))
    height = TOP + PLOT_H + 44 + 22 + legend_rows * 22 + MARGIN
    return Layout(width, height, left, slot, bar, TOP, TOP + PLOT_H, n)


def render(timeline: Timeline, *, heading: str | None = None) -> str:
    """The timeline as an SVG document."""
    geo = layout(timeline)
    peak = max((b.total for b in timeline.buckets), default=0)
    step, top_value = _ticks(peak)
    title = heading or _heading(timeline)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{geo.width}" height="{geo.height}" '
        f'viewBox="0 0 {geo.width} {geo.height}" role="img" aria-labelledby="timeline-title">',
        f'<title id="timeline-title">{_text(title)}</title>',
        "<style>text{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif}"
        ".axis{font-size:10px}.year{font-size:11px;font-weight:bold}.legend{font-size:12px}"
        ".heading{font-size:16px;font-weight:bold}.note{font-size:11px}</style>",
        f'<rect x="0" y="0" width="{geo.width}" height="{geo.height}" fill="#ffffff"/>',
        f'<text class="heading" x="{MARGIN}" y="{MARGIN + 10}" fill="{TEXT}">{_text(title)}</text>',
        f'<text class="note" x="{MARGIN}" y="{MARGIN + 28}" fill="{NOTE}">'
        f"{_text(_subheading(timeline, int((geo.width - 2 * MARGIN) / NOTE_CHAR_PX)))}</text>",
    ]
    right = geo.left + geo.slot * geo.count
    if not timeline.buckets:
        out.append(
            f'<text class="legend" x="{geo.left}" y="{geo.top + PLOT_H / 2:.0f}" fill="{NOTE}">'
            "No dated documents here.</text>"
        )
    else:
        out.append(_count_axis(geo, step, top_value, right))
        scale = PLOT_H / top_value if top_value else 0
        for i, bucket in enumerate(timeline.buckets):
            out.append(_bar(timeline, bucket, i, geo, scale))
        out.append(_date_axis(timeline, geo))
    out.append(_legend(timeline, MARGIN, geo.bottom + 66))
    out.append("</svg>")
    return "\n".join(part for part in out if part) + "\n"


NOTE_CHAR_PX = 6.2  # the average width of a character of the 11 px note: how much of a line fits the drawing


def _heading(timeline: Timeline) -> str:
    return f"Timeline of “{timeline.query}”" if timeline.query.strip() else "Timeline of the whole archive"


def _subheading(timeline: Timeline, room: int) -> str:
    """What the bars count; the undated documents' stances too when they fit in ``room`` characters (the view's
    caption says them in any case)."""
    dated = timeline.dated_documents
    undated = len(timeline.undated.documents)
    per = "month" if timeline.unit == "month" else "year"
    text = f"{wording.count(dated, 'dated document')} by {per}, by the date each bears"
    if undated:
        text += f"; {undated:,} undated, not drawn"
        details = f" ({timeline.describe(timeline.undated)})"
        if len(text) + len(details) <= room:
            text += details
    return text


def _ticks(peak: int) -> tuple[int, int]:
    """A round step (1, 2 or 5 times a power of ten) giving at most five gridlines, and the axis's top."""
    if peak <= 0:
        return 1, 1
    step = 1
    while math.ceil(peak / step) > 5:
        step = next(s * 10**k for k in range(12) for s in (1, 2, 5) if s * 10**k > step)
    return step, math.ceil(peak / step) * step


def _count_axis(geo: Layout, step: int, top_value: int, right: float) -> str:
    parts = ['<g class="count-axis">']
    for value in range(0, top_value + 1, step):
        y = geo.bottom - value * PLOT_H / top_value
        parts.append(
            f'<line x1="{geo.left - 4:.0f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID if value else "#90a4ae"}" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="axis" x="{geo.left - 8:.0f}" y="{y + 3.5:.1f}" text-anchor="end" fill="{NOTE}">'
            f"{value:,}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


def _bar(timeline: Timeline, bucket: Bucket, index: int, geo: Layout, scale: float) -> str:
    x, _, slot, _ = geo.slot_box(index)
    bar_x = x + (slot - geo.bar) / 2
    parts = [f'<g class="bar" id="bar-{_attr(bucket.label)}">', f"<title>{_text(timeline.tooltip(bucket))}</title>"]
    # the whole slot answers hover, so a thin or empty bar still has its tooltip
    parts.append(
        f'<rect x="{x:.1f}" y="{geo.top:.0f}" width="{slot:.1f}" height="{PLOT_H}" fill="#ffffff" fill-opacity="0"/>'
    )
    y = geo.bottom
    segments = [(k, bucket.counts[k], _colour(timeline, k)) for k in timeline.ordered(bucket.counts)]
    if bucket.untagged:
        segments.append(("", bucket.untagged, UNTAGGED))
    for key, n, colour in segments:
        h = n * scale
        y -= h
        stance = f' data-stance="{_attr(key)}"' if key else ' data-stance=""'
        parts.append(
            f'<rect x="{bar_x:.1f}" y="{y:.1f}" width="{geo.bar:.1f}" height="{h:.1f}" fill="{colour}"{stance}/>'
        )
    parts.append("</g>")
    return "".join(parts)


def _date_axis(timeline: Timeline, geo: Layout) -> str:
    """Months: the year under each January (and the first bucket), the month's initials when there is room;
    years: each year, or every fifth when they are many."""
    parts = ['<g class="date-axis">']
    every = 1 if geo.slot >= 30 else 2 if geo.slot >= 16 else 5
    for i, bucket in enumerate(timeline.buckets):
        cx = geo.left + (i + 0.5) * geo.slot
        if timeline.unit == "year":
            if i == 0 or bucket.start.year % every == 0:
                parts.append(_label(cx, geo.bottom + 14, bucket.label, "year"))
            continue
        month = bucket.start.month
        if geo.slot >= 22:
            parts.append(_label(cx, geo.bottom + 14, _MONTHS[month - 1], "axis"))
        elif geo.slot >= 9 and month in (1, 4, 7, 10):
            parts.append(_label(cx, geo.bottom + 14, _MONTHS[month - 1][0], "axis"))
        if month == 1 or i == 0:
            x = geo.left + i * geo.slot
            parts.append(
                f'<line x1="{x:.1f}" y1="{geo.bottom:.0f}" x2="{x:.1f}" y2="{geo.bottom + 32:.0f}" stroke="#b0bec5"/>'
            )
            parts.append(
                f'<text class="year" x="{x + 3:.1f}" y="{geo.bottom + 30:.0f}" fill="{TEXT}">{bucket.start.year}</text>'
            )
    parts.append("</g>")
    return "".join(parts)


def _label(x: float, y: float, text: str, cls: str) -> str:
    return f'<text class="{cls}" x="{x:.1f}" y="{y:.0f}" text-anchor="middle" fill="{NOTE}">{_text(text)}</text>'


def _legend_entries(timeline: Timeline) -> list[tuple[str, str]]:
    """(label, colour) of what the bars show: the undated documents' stances are told in words only."""
    drawn: Counter[str] = Counter()
    for bucket in timeline.buckets:
        drawn.update(bucket.counts)
    entries = [(timeline.labels.get(k, k), _colour(timeline, k)) for k in timeline.ordered(drawn)]
    if any(b.untagged for b in timeline.buckets):
        entries.append((f"Documents {WITHOUT_STANCE}", UNTAGGED))
    return entries


def _legend(timeline: Timeline, x: float, y: float) -> str:
    entries = _legend_entries(timeline)
    parts = ['<g class="legend">']
    if not entries:
        parts.append(f'<text class="legend" x="{x}" y="{y + 12}" fill="{NOTE}">Nothing to draw.</text>')
    for i, (label, colour) in enumerate(entries):
        left, top = x + (i % 3) * 230, y + (i // 3) * 22
        parts.append(f'<rect x="{left:.0f}" y="{top:.0f}" width="16" height="16" fill="{colour}"/>')
        parts.append(f'<text class="legend" x="{left + 22:.0f}" y="{top + 13:.0f}" fill="{TEXT}">{_text(label)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _colour(timeline: Timeline, key: str) -> str:
    stance = timeline.stance(key)
    colour = stance.colour if stance else _FALLBACK
    return colour if _COLOUR.fullmatch(colour or "") else _FALLBACK
