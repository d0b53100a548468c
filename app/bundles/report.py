"""The bundle's ``report.html``: one self-contained page (inline CSS only, no scripts, no resources) showing
how many documents speak to each jurisdiction and stance, the stance map and the timeline as inline SVG (each
state's tile linking to its section), the evidence, and every document with links to its original and text in
the bag, readable on screen and printed on A4. Every text is escaped."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from html import escape

from app import stance_map_svg, timeline_svg
from app.jurisdictions.gazetteer import Gazetteer
from app.jurisdictions.model import LEVELS
from app.models import StanceSet
from app.stance_map import Evidence, Place, StanceMap, map_of
from app.timeline import Item, timeline_of
from app.wording import count

NO_STANCE = "No stance"
_KIND_LABELS = {
    **{"pdf": "PDF", "html": "Web page", "markdown": "Markdown", "text": "Text", "docx": "Word"},
    "rtf": "RTF",
    "odt": "OpenDocument text",
    "ods": "OpenDocument spreadsheet",
    "odp": "OpenDocument slides",
    "epub": "EPUB",
    "doc": "Word 97-2003",
    "wordperfect": "WordPerfect",
    "csv": "CSV",
    "xlsx": "Excel",
}
_GREY = "#9e9e9e"
_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328; background: #fff;
  max-width: 62rem; margin: 0 auto; padding: 1.5rem; overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .25rem; padding-bottom: .2rem; border-bottom: 2px solid #d0d7de; }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
.path { display: block; font-size: .8rem; font-weight: normal; color: #57606a; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
dl.meta dt { font-weight: 600; color: #57606a; }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: bottom; }
th.d2 { padding-left: 1.25rem; } th.d3 { padding-left: 2rem; } th.d4 { padding-left: 2.75rem; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.documents { width: 100%; }
table.documents td { vertical-align: top; }
table.documents td + td { white-space: nowrap; }
td.zero { color: #afb8c1; }
thead th { border-top-width: 4px; }
tfoot td, tfoot th { font-weight: 600; }
a { color: inherit; }
section.stance { border-left: 6px solid #9e9e9e; padding: .25rem 0 .25rem 1rem; margin: 1rem 0; }
figure { margin: 0 0 1rem; }
blockquote { margin: 0; padding: .35rem .75rem; background: #f6f8fa; font-family: Georgia, "DejaVu Serif", serif;
  white-space: pre-wrap; }
p.note { margin: .3rem 0 0; white-space: pre-wrap; }
p.note b { color: #57606a; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
section.heading-only p { margin: .25rem 0; }
figcaption { font-size: .85rem; color: #57606a; margin-top: .2rem; }
.whole { font-style: italic; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { font-size: 10pt; max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
  a { text-decoration: none; }
  section.stance, thead th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


@dataclass
class ReportHeader:
    """What was exported, by whom, when and from which selection."""

    exported_by: str  # the name the user chose to sign with, or empty
    exported_at: str
    query: str
    documents: int
    annotations: int
    tags: int
    private_notes_included: bool
    private_notes_left_out: int


@dataclass
class Entry:
    """One piece of evidence: an annotation, a passage tag, or a whole-document tag (``start`` None)."""

    jurisdiction: str | None
    stance: str | None  # "set/stance"
    quote: str
    note: str
    title: str
    page: int | None
    date: str
    start: int | None
    document: str  # the sha256 of its document


@dataclass
class ReportDocument:
    """One exported document; ``original`` and ``text`` are the paths of its files relative to the report."""

    sha256: str
    title: str
    kind: str
    date: str
    site: str
    file_name: str
    original: str
    text: str


def render_report(
    header: ReportHeader,
    documents: list[ReportDocument],
    entries: list[Entry],
    gazetteer: Gazetteer,
    stance_sets: list[StanceSet],
) -> str:
    """The whole page as a string: ``entries`` are the evidence found in ``documents``."""
    stances = {s.key: (s, ss) for ss in stance_sets for s in ss.stances}
    stance_rank = {key: i for i, key in enumerate(stances)}
    places = sorted({e.jurisdiction for e in entries if e.jurisdiction}, key=lambda j: _tree_key(j, gazetteer))
    if any(e.jurisdiction is None for e in entries):
        places.append(None)
    used = sorted({e.stance for e in entries}, key=lambda k: (k is None, stance_rank.get(k, len(stance_rank)), k or ""))
    cells: defaultdict[tuple, set[str]] = defaultdict(set)  # the documents behind each (jurisdiction, stance)
    for e in entries:
        cells[(e.jurisdiction, e.stance)].add(e.document)
    stance_map = _stance_map(header.query, documents, entries, gazetteer, stance_sets)
    tiles = {t.jurisdiction.id: t.place_ids for t in [*stance_map.tiles.values(), stance_map.federal] if t}
    # a state whose evidence is all about places in it gets a section of its own for its tile to link to
    sections = sorted({*places, *tiles} - {None}, key=lambda j: _tree_key(j, gazetteer)) + [None] * (None in places)
    anchors = {jid: f"j{i}" for i, jid in enumerate(sections, 1)}
    doc_anchors = {d.sha256: f"d{i}" for i, d in enumerate(documents, 1)}
    figures = _figures(stance_map, anchors, _timeline(header.query, documents, entries, gazetteer, stance_sets))
    parts = [_head(header), figures, _summary(places, used, cells, anchors, gazetteer, stances, len(documents))]
    for jid in sections:
        group = [e for e in entries if e.jurisdiction == jid]
        if group:
            parts.append(_place(jid, anchors[jid], group, used, gazetteer, stances, doc_anchors))
        else:
            parts.append(_heading_only(jid, anchors, tiles[jid], gazetteer))
    parts.append(_documents(documents, entries, doc_anchors))
    return "\n".join(["<!DOCTYPE html>", '<html lang="en">', *parts, "</body>", "</html>", ""])


def _head(h: ReportHeader) -> str:
    notes = (
        "in annotations.jsonld only, not in this report or the CSV"
        if h.private_notes_included
        else f"left out ({count(h.private_notes_left_out, 'note')})"
    )
    rows = [
        ("Selection", h.query),
        ("Exported by", h.exported_by or "not signed"),
        ("Exported at", h.exported_at),
        ("Contents", f"{count(h.documents, 'document')}, {count(h.annotations, 'annotation')}, "
                     f"{count(h.tags, 'tag')}"),
        ("Private notes", notes),
    ]  # fmt: skip
    meta = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    return (
        f'<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Dossier bundle: {_e(h.query)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'<header>\n<h1>Dossier annotated bundle</h1>\n<dl class="meta">{meta}</dl>\n</header>'
    )


def _summary(places, used, cells: dict, anchors, gazetteer: Gazetteer, stances, documents: int) -> str:
    """Documents per jurisdiction and stance (a document counts once in a cell, however often it is tagged)."""
    found = set().union(*cells.values())
    untagged = documents - len(found)
    if not places:
        return '<p>No tags or annotations in these documents: see <a href="#documents">Documents</a>.</p>'
    head = "".join(
        f'<th scope="col" style="border-top-color:{_colour(stances, k)}"{_topic(stances, k)}>'
        f"{_e(_stance_label(stances, k))}</th>"
        for k in used
    )
    rows = []
    for jid in places:
        row = "".join(_count(len(cells[(jid, k)])) for k in used)
        total = len(set().union(*(cells[(jid, k)] for k in used)))
        name = f'<a href="#{anchors[jid]}">{_e(_place_name(jid, gazetteer))}</a>'
        depth = min(len(gazetteer.ancestors(jid)), 4) if jid else 0
        rows.append(f'<tr><th scope="row" class="d{depth}">{name}</th>{row}<td class="n">{total}</td></tr>')
    totals = "".join(_count(len(set().union(*(cells[(j, k)] for j in places)))) for k in used)
    rest = f"; {count(untagged, 'document')} without any" if untagged else ""
    return (
        "<section>\n<h2>Summary</h2>\n<p>Number of documents per jurisdiction and stance; a document with "
        'several tags counts once in each of their cells.</p>\n<table>\n<thead><tr><th scope="col">Jurisdiction</th>'
        f'{head}<th scope="col">Total</th></tr></thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n"
        f'<tfoot><tr><th scope="row">Total</th>{totals}<td class="n">{len(found)}</td></tr></tfoot>\n</table>\n'
        f"<p>{count(len(found), 'document')} with tags or annotations{rest}: all are listed under "
        '<a href="#documents">Documents</a>.</p>\n</section>'
    )


def _place(jid, anchor: str, entries: list[Entry], used, gazetteer: Gazetteer, stances, doc_anchors) -> str:
    path = ""
    if jid is not None:
        above = [j.display for j in reversed(gazetteer.ancestors(jid)) if j.level != "federal"]
        path = f'<span class="path">{_e(" › ".join(above))}</span>' if above else ""
    parts = [f'<section class="jurisdiction">\n<h2 id="{anchor}">{path}{_e(_place_name(jid, gazetteer))}</h2>']
    for key in used:
        group = [e for e in entries if e.stance == key]
        if not group:
            continue
        parts.append(
            f'<section class="stance" style="border-left-color:{_colour(stances, key)}">\n'
            f"<h3>{_e(_stance_label(stances, key))} <small>({count(len({e.document for e in group}), 'document')})"
            "</small></h3>"
        )
        parts += [_evidence(e, doc_anchors[e.document]) for e in group]
        parts.append("</section>")
    parts.append("</section>")
    return "\n".join(parts)


def _heading_only(jid: str, anchors: dict, inside: list[str], gazetteer: Gazetteer) -> str:
    """The section of a state (or the federal government) with no evidence of its own: links to its places'."""
    inside = sorted(inside, key=lambda j: _tree_key(j, gazetteer))
    links = ", ".join(f'<a href="#{anchors[j]}">{_e(_place_name(j, gazetteer))}</a>' for j in inside)
    name = _e(_place_name(jid, gazetteer))
    return (
        f'<section class="jurisdiction heading-only">\n<h2 id="{anchors[jid]}">{name}</h2>\n'
        f"<p>No evidence about {name} itself; about places in it: {links}.</p>\n</section>"
    )


def _evidence_of(entries: list[Entry], gazetteer: Gazetteer) -> list[Entry]:
    """The entries the map and the timeline draw: those with a jurisdiction the gazetteer knows and a stance."""
    return [e for e in entries if e.jurisdiction and e.stance and gazetteer.get(e.jurisdiction) is not None]


def _stance_map(query: str, documents, entries, gazetteer: Gazetteer, stance_sets) -> StanceMap:
    """The stance map of the bundle's own evidence (what the archive's map of the selection draws)."""
    numbers = {d.sha256: i for i, d in enumerate(documents, 1)}
    places: dict[str, Place] = {}
    for e in _evidence_of(entries, gazetteer):
        evidence = Evidence(numbers.get(e.document, 0), e.jurisdiction, e.stance, e.start, None, _date(e.date),
                            e.title, e.quote)  # fmt: skip
        places.setdefault(e.jurisdiction, Place(gazetteer.get(e.jurisdiction))).evidence.append(evidence)
    return map_of(places, gazetteer, stance_sets, query)


def _timeline(query: str, documents, entries, gazetteer: Gazetteer, stance_sets):
    """The timeline of the bundle: its evidence by its documents' dates, and the documents without a stance."""
    numbers = {d.sha256: i for i, d in enumerate(documents, 1)}
    dates = {d.sha256: _date(d.date) for d in documents}
    evidence = _evidence_of(entries, gazetteer)
    items = [Item(numbers[e.document], dates[e.document], e.stance) for e in evidence if e.document in numbers]
    with_stance = {e.document for e in evidence}
    items += [Item(numbers[d.sha256], dates[d.sha256], None) for d in documents if d.sha256 not in with_stance]
    return timeline_of(items, stance_sets, query)


def _figures(stance_map: StanceMap, anchors: dict, timeline) -> str:
    """The map (each tile a link to its section) and the timeline, inline: the SVG's own styles scoped to it."""

    def link(jid: str) -> str | None:
        return f"#{anchors[jid]}" if jid in anchors else None

    map_svg = stance_map_svg.render(stance_map, link=link, heading="Where each place stands")
    timeline_part = ""
    if timeline.buckets:
        timeline_part = (
            '<figure class="chart" id="timeline">\n'
            + _inline(timeline_svg.render(timeline, heading="When: the evidence by date"), "timeline")
            + "<figcaption>Documents and tagged passages by the date of their document.</figcaption>\n</figure>\n"
        )
    return (
        '<section>\n<h2 id="figures">Map and timeline</h2>\n<figure class="chart" id="map">\n'
        + _inline(map_svg, "map")
        + "<figcaption>A state's tile links to its section below; hover over one for its counts.</figcaption>\n"
        "</figure>\n" + timeline_part + "</section>"
    )


def _inline(svg: str, scope: str) -> str:
    """An SVG of ours placed in the page: no namespace URL (the HTML parser knows ``<svg>``), and its style
    rules prefixed with the figure's id so that they style only it (an inline ``<style>`` is page-wide)."""
    svg = svg.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)

    def scoped(match: re.Match) -> str:
        selectors = ",".join(f"#{scope} {s.strip()}" for s in match.group(2).split(","))
        return f"{match.group(1)}{selectors}{{"

    def style(match: re.Match) -> str:
        return "<style>" + re.sub(r"(^|\})([^{}]+)\{", scoped, match.group(1)) + "</style>"

    return re.sub(r"<style>(.*?)</style>", style, svg, count=1, flags=re.S)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _evidence(e: Entry, doc_anchor: str) -> str:
    where = []
    if e.page is not None:
        where.append(f"p. {e.page}")
    if e.date:
        where.append(e.date)
    title = f'<a href="#{doc_anchor}">{_e(e.title or "Untitled")}</a>'
    caption = f"<figcaption>{' · '.join([title, *map(_e, where)])}</figcaption>"
    if e.start is None:
        return f'<figure>\n<p class="whole">Whole document</p>\n{caption}\n</figure>'
    note = f'\n<p class="note"><b>Note:</b> {_e(e.note)}</p>' if e.note else ""
    return f"<figure>\n<blockquote>{_e(e.quote)}</blockquote>{note}\n{caption}\n</figure>"


def _documents(documents: list[ReportDocument], entries: list[Entry], doc_anchors) -> str:
    """Every document of the bundle, tagged or not, linked to its original and its text."""
    evidence = defaultdict(int)
    for e in entries:
        evidence[e.document] += 1
    rows = []
    for d in documents:
        found = evidence[d.sha256]
        rows.append(
            f'<tr id="{doc_anchors[d.sha256]}"><td><a href="{_e(d.original)}">{_e(d.title or "Untitled")}</a>'
            f'<span class="path">{_e(" · ".join(filter(None, [d.file_name, d.site])))}</span></td>'
            f"<td>{_e(_KIND_LABELS.get(d.kind, d.kind))}</td><td>{_e(d.date)}</td>"
            f"<td>{count(found, 'tag or annotation', 'tags or annotations') if found else 'not tagged'}</td>"
            f'<td><a href="{_e(d.text)}">text</a></td></tr>'
        )
    return (
        f'<section>\n<h2 id="documents">Documents ({len(documents)})</h2>\n<table class="documents">\n<thead><tr>'
        '<th scope="col">Document (opens the original)</th><th scope="col">Type</th><th scope="col">Date</th>'
        '<th scope="col">Evidence</th><th scope="col">Text</th></tr></thead>\n'
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n</section>"
    )


def _tree_key(jid: str, gazetteer: Gazetteer) -> tuple:
    """Depth-first order: each ancestor, then the place, by level then name."""
    place = gazetteer.get(jid)
    if place is None:
        return ((len(LEVELS) + 1, jid.casefold(), jid),)
    chain = [*reversed(gazetteer.ancestors(jid)), place]
    return tuple((LEVELS.index(j.level) if j.level in LEVELS else len(LEVELS), j.name.casefold(), j.id) for j in chain)


def _place_name(jid: str | None, gazetteer: Gazetteer) -> str:
    if jid is None:
        return "No jurisdiction"
    found = gazetteer.get(jid)
    return found.display if found else jid


def _stance_label(stances, key: str | None) -> str:
    if key is None:
        return NO_STANCE
    return stances[key][0].label if key in stances else key


def _topic(stances, key: str | None) -> str:
    return f' title="{_e(stances[key][1].topic)}"' if key in stances else ""


def _colour(stances, key: str | None) -> str:
    """The stance's colour, only ever a #RRGGBB literal (it lands in a style attribute)."""
    colour = stances[key][0].colour if key in stances else _GREY
    return colour if re.fullmatch(r"#[0-9a-fA-F]{6}", colour) else _GREY


def _count(n: int) -> str:
    return f'<td class="n">{n}</td>' if n else '<td class="n zero">0</td>'


def _e(text: str) -> str:
    return escape(text, quote=True)
