"""The timeline on real documents: the seed article and the 287(g) agreements, tagged as a person confirms them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date

import pytest
from PIL import Image

from app.archive import Archive
from app.cli import main
from app.timeline import MONTHS_AT_MOST, Item, timeline_of, with_date_clause, without_date_clause
from app.timeline_svg import layout, render
from tests.app.map_fixtures import corpus_has_map_files, tag_like_a_person
from tests.conftest import corpus_root

SVG = "{http://www.w3.org/2000/svg}"
COOPERATES, SANCTUARY = "immigration-enforcement/cooperates", "immigration-enforcement/sanctuary"


@pytest.fixture(scope="module")
def mapped(tmp_path_factory) -> Archive:
    """The seed article and the 21 agreements, tagged; read-only for the tests that use it."""
    root = corpus_root()
    if not corpus_has_map_files(root):
        pytest.skip(f"the seed article or the 287(g) agreements are not in {root}")
    home = tmp_path_factory.mktemp("timeline-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HOME", str(home))
        env.setenv("XDG_DATA_HOME", str(home / "data"))
        env.setenv("XDG_CONFIG_HOME", str(home / "config"))
        archive = Archive.open(tmp_path_factory.mktemp("timeline") / "archive")
        tag_like_a_person(archive, root)
        yield archive
        archive.close()


def _months(archive: Archive, query: str = "") -> Counter[str]:
    """Documents per month, from the documents' own dates."""
    docs = archive.documents_by_id(archive.search_ids(query).ids).values()
    return Counter(d.published.strftime("%Y-%m") for d in docs if d.published)


def test_agreements_fall_in_their_months_and_the_undated_seed_apart(mapped):
    timeline = mapped.timeline()
    assert timeline.unit == "month"
    assert (timeline.buckets[0].label, timeline.buckets[-1].label) == ("2020-03", "2025-04")
    assert len(timeline.buckets) == 62  # every month between, empty or not
    months = _months(mapped)
    assert sum(months.values()) == 21
    for bucket in timeline.buckets:  # each agreement is one whole-document "cooperates" tag
        assert bucket.counts == ({COOPERATES: months[bucket.label]} if months[bucket.label] else {})
        assert len(bucket.documents) == months[bucket.label] and bucket.untagged == 0
    seed = mapped.search_ids('"Omaha Police Department"').ids[0]
    assert timeline.undated.documents == {seed}
    passages = Counter(e.stance for p in mapped.stance_map().places.values() for e in p.evidence if e.doc_id == seed)
    assert timeline.undated.counts == passages and sum(passages.values()) == 9
    assert timeline.documents == 22
    march = next(b for b in timeline.buckets if b.label == "2025-03")
    assert timeline.tooltip(march) == f"2025-03: {months['2025-03']} Cooperates"
    assert json.loads(json.dumps(timeline.to_json()))["undated"]["stances"] == dict(passages)


def test_the_clause_of_a_range_finds_exactly_its_documents(mapped):
    timeline = mapped.timeline()
    labels = [b.label for b in timeline.buckets]
    first, last = labels.index("2025-02"), labels.index("2025-03")
    clause = timeline.clause(last, first)  # a drag from right to left
    assert clause == "date:[2025-02-01 to 2025-03-31]"
    found = mapped.search_ids(clause)
    assert not found.warnings
    months = _months(mapped)
    assert len(found.ids) == months["2025-02"] + months["2025-03"] > 0
    narrowed = mapped.timeline(clause)
    assert [b.label for b in narrowed.buckets if b.total] == ["2025-02", "2025-03"]
    assert narrowed.undated.total == 0


def test_a_query_limits_the_timeline(mapped):
    old = mapped.timeline("date:<2021")
    assert [b.label for b in old.buckets] == ["2020-03", "2020-04", "2020-05", "2020-06", "2020-07"]
    assert sum(b.total for b in old.buckets) == 3 and old.undated.total == 0
    sanctuary = mapped.timeline("stance:sanctuary")  # only the seed's sanctuary passages, undated
    assert sanctuary.buckets == [] and set(sanctuary.undated.counts) == {SANCTUARY}


def test_documents_without_a_stance_are_counted_apart_from_evidence(imported):
    ids = imported.search_ids("").ids
    denver = imported.search_ids("calamity").ids[0]
    timeline = imported.timeline()
    (bucket,) = timeline.buckets  # the Markdown file's front matter dates it; the others have no date
    assert (bucket.label, bucket.untagged, bucket.counts) == ("2025-01", 1, Counter())
    assert timeline.undated.untagged == len(ids) - 1 > 0
    assert timeline.tooltip(bucket) == "2025-01: 1 document without a stance"
    imported.tag(denver, "Denver, CO", "sanctuary")
    imported.tag(denver, "Denver, CO", "sanctuary", start=0, end=6)
    (bucket,) = imported.timeline().buckets
    assert (bucket.untagged, bucket.counts) == (0, {SANCTUARY: 2})
    assert imported.timeline().tooltip(bucket) == "2025-01: 2 Sanctuary"


def test_long_spans_are_bucketed_by_year(archive):
    sets = archive.stance_sets()
    start = date(2017, 1, 15)
    within = [Item(1, start, COOPERATES), Item(2, date(2024, 12, 1), None)]  # 96 months: still months
    assert timeline_of(within, sets).unit == "month" and len(timeline_of(within, sets).buckets) == MONTHS_AT_MOST
    longer = [*within, Item(3, date(2025, 1, 2), SANCTUARY)]
    years = timeline_of(longer, sets)
    assert years.unit == "year" and [b.label for b in years.buckets] == [str(y) for y in range(2017, 2026)]
    assert years.clause(0, 8) == "date:[2017-01-01 to 2025-12-31]"
    assert years.buckets[-1].counts == {SANCTUARY: 1} and years.buckets[-2].untagged == 1


def test_a_drag_replaces_the_clause_it_wrote_and_keeps_the_rest():
    first = with_date_clause("sanctuary", "date:[2025-01-01 to 2025-01-31]")
    assert first == "sanctuary date:[2025-01-01 to 2025-01-31]"
    second = with_date_clause(first, "date:[2025-02-01 to 2025-03-31]", previous="date:[2025-01-01 to 2025-01-31]")
    assert second == "sanctuary date:[2025-02-01 to 2025-03-31]"
    edited = "sanctuary date:[2025-02-01 to 2025-04-30]"  # the user changed it: a new drag adds its own
    assert with_date_clause(edited, "date:2025", previous="date:[2025-02-01 to 2025-03-31]") == edited + " date:2025"
    assert without_date_clause(second, "date:[2025-02-01 to 2025-03-31]") == "sanctuary"


def test_the_svg_stacks_each_bar_in_vocabulary_order_with_a_tooltip(mapped):
    timeline = mapped.timeline()
    svg = render(timeline)
    root = ET.fromstring(svg)
    bars = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("class") == "bar"}
    assert list(bars) == [f"bar-{b.label}" for b in timeline.buckets]
    colours = {s.key: s.colour for s in timeline.stances}
    months = _months(mapped)
    march = bars["bar-2025-03"]
    assert march.find(f"{SVG}title").text == f"2025-03: {months['2025-03']} Cooperates"
    segments = [r for r in march.iter(f"{SVG}rect") if r.get("data-stance") is not None]
    assert [(r.get("data-stance"), r.get("fill")) for r in segments] == [(COOPERATES, colours[COOPERATES])]
    assert bars["bar-2021-01"].find(f"{SVG}title").text == "2021-01: nothing"
    assert not [r for r in bars["bar-2021-01"].iter(f"{SVG}rect") if r.get("data-stance") is not None]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"2020", "2025"} <= set(texts) and "Cooperates" in texts
    assert "Sanctuary" not in texts  # only the undated seed holds it: told in words, not in the legend
    assert any("1 undated, not drawn (" in (t or "") for t in texts)
    assert "<script" not in svg and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_stance_labels_are_escaped(imported):
    imported.save_stance("immigration-enforcement", "sanctuary", '<b>"Safe" & \x01sound</b>', colour="#2e7d32")
    denver = imported.search_ids("calamity").ids[0]
    imported.tag(denver, "Denver, CO", "sanctuary")
    svg = render(imported.timeline())
    root = ET.fromstring(svg)  # well-formed despite the label
    (bar,) = (g for g in root.iter(f"{SVG}g") if g.get("class") == "bar")
    assert bar.find(f"{SVG}title").text == '2025-01: 1 <b>"Safe" & sound</b>'
    assert "\x01" not in svg and "<b>" not in svg


def test_cli_writes_svg_png_and_json(mapped, tmp_path, capsys):
    out = tmp_path / "timeline.svg"
    assert main(["--archive", str(mapped.folder), "timeline", "--query", "date:<2021", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "3 documents: 3 dated, by month; 0 undated" in printed and "2020-03: 1 Cooperates" in printed
    assert len([g for g in ET.parse(out).getroot().iter(f"{SVG}g") if g.get("class") == "bar"]) == 5
    png = tmp_path / "timeline.png"
    assert main(["--archive", str(mapped.folder), "timeline", "--out", str(png)]) == 0
    capsys.readouterr()
    timeline = mapped.timeline()
    geo = layout(timeline)
    with Image.open(png) as image:
        assert image.size == (geo.width * 2, geo.height * 2)  # drawn at twice the size, for a sharp picture
        march = [b.label for b in timeline.buckets].index("2025-03")
        x, y = (geo.left + (march + 0.5) * geo.slot) * 2, (geo.bottom - 3) * 2
        cooperates = next(s.colour for s in timeline.stances if s.key == COOPERATES)
        assert "#{:02x}{:02x}{:02x}".format(*image.convert("RGB").getpixel((x, y))) == cooperates.lower()
    assert main(["--archive", str(mapped.folder), "timeline", "--out", str(tmp_path / "timeline.gif")]) == 1
    assert "SVG or PNG" in capsys.readouterr().err
    assert main(["--archive", str(mapped.folder), "timeline", "--query", "stance:sanctuary", "--json"]) == 0
    shape = json.loads(capsys.readouterr().out)
    assert shape["buckets"] == [] and list(shape["undated"]["stances"]) == [SANCTUARY]
