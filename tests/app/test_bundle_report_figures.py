"""The bundle report's inline stance map and timeline: nothing loaded or run, each tile a link to its section,
drawn by a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from app.bundles.export import BAG_NAME, export_bundle
from app.stance_map_svg import GRID, TERRITORIES
from tests.app.map_fixtures import corpus_has_map_files, tag_like_a_person
from tests.conftest import corpus_root

COOPERATES, SANCTUARY = "immigration-enforcement/cooperates", "immigration-enforcement/sanctuary"


class _Page(HTMLParser):
    """Every element's tag and attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[str, Path, object]:
    """The seed article and the 21 agreements, tagged, exported whole: the page, its path and the archive."""
    root = corpus_root()
    if not corpus_has_map_files(root):
        pytest.skip(f"the seed article or the 287(g) agreements are not in {root}")
    home = tmp_path_factory.mktemp("report-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HOME", str(home))
        env.setenv("XDG_DATA_HOME", str(home / "data"))
        env.setenv("XDG_CONFIG_HOME", str(home / "config"))
        from app.archive import Archive

        work = tmp_path_factory.mktemp("report")
        archive = Archive.open(work / "archive")
        tag_like_a_person(archive, root)
        out = work / "bundle.zip"
        export_bundle(archive, archive.search_ids("").ids, out, query="")
        with zipfile.ZipFile(out) as zf:
            zf.extractall(work / "x")
        page = work / "x" / BAG_NAME / "data" / "report.html"
        yield page.read_text(encoding="utf-8"), page, archive
        archive.close()


def test_the_report_holds_the_map_and_the_timeline_inline_and_nothing_else(report):
    html, _page, _archive = report
    parser = _Page()
    parser.feed(html)
    svgs = [attrs for tag, attrs in parser.elements if tag == "svg"]
    assert len(svgs) == 2
    assert [attrs.get("aria-labelledby") for attrs in svgs] == ["map-title", "timeline-title"]
    lowered = html.lower()
    for forbidden in ("<script", "<img", "<image", "<use", "<foreignobject", "<iframe", "http:", "https:", "url("):
        assert forbidden not in lowered, forbidden
    assert not [a for _, attrs in parser.elements for a in attrs if a.startswith("on") or a == "src"]
    hrefs = [attrs["href"] for tag, attrs in parser.elements if tag == "a"]
    assert all(re.fullmatch(r"#\w+|documents/[0-9a-f]{64}\.\w+|text/[0-9a-f]{64}\.txt", h) for h in hrefs), hrefs
    # the SVGs' own style rules are scoped to their figure, so the report's text keeps its own look
    rules = re.findall(r"([^{}]+)\{", "".join(re.findall(r"<svg.*?<style>(.*?)</style>", html, re.S)))
    assert rules and all(re.match(r"#(map|timeline) ", r.strip()) for rule in rules for r in rule.split(","))


def test_each_tile_with_evidence_links_to_its_jurisdictions_section(report):
    html, _page, archive = report
    parser = _Page()
    parser.feed(html)
    ids = {attrs["id"] for _, attrs in parser.elements if "id" in attrs}
    tiles = {attrs["id"] for tag, attrs in parser.elements if tag == "g" and attrs.get("id", "").startswith("tile-")}
    assert tiles == {f"tile-{c}" for c in [*GRID, *TERRITORIES]} | {"tile-federal"}
    links = {}
    for i, (tag, attrs) in enumerate(parser.elements):
        if tag == "a" and i + 1 < len(parser.elements) and parser.elements[i + 1][0] == "g":
            following = parser.elements[i + 1][1]
            if following.get("id", "").startswith("tile-"):
                links[following["id"].removeprefix("tile-")] = attrs["href"]
    stance_map = archive.stance_map()
    assert set(links) == {*stance_map.tiles, "federal"}  # every tile with evidence, and only those
    for code, href in links.items():
        assert href.startswith("#") and href[1:] in ids, (code, href)
        tile = stance_map.federal if code == "federal" else stance_map.tiles[code]
        heading = re.search(rf'<h2 id="{href[1:]}">(.*?)</h2>', html).group(1)
        assert heading.endswith(tile.jurisdiction.display), (code, heading)
    # Florida: only its places hold evidence; its section names them, each a link to their own
    florida = re.search(rf'<section class="jurisdiction heading-only">\s*<h2 id="{links["FL"][1:]}">.*?</section>',
                        html, re.S).group(0)  # fmt: skip
    assert "Lake County, FL</a>" in florida and "Arcadia, FL</a>" in florida
    assert all(h[1:] in ids for h in re.findall(r'href="(#\w+)"', florida))
    bars = dict(re.findall(r'<g class="bar" id="bar-([\d-]+)"><title>(.*?)</title>', html))
    march = len(archive.search_ids("date:2025-03").ids)
    assert bars["2025-03"] == f"2025-03: {march} Cooperates" and march > 1
    assert next(iter(bars)) == "2020-03" and len(bars) == 62


def test_chromium_draws_the_map_and_the_timeline(report, tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("the chromium binary is not installed")
    _html, page, archive = report
    png = tmp_path / "report.png"
    subprocess.run(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={png}",
         "--window-size=1100,2400", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    colours = {s.key: s.colour for s in archive.stance_map().stances}

    def rgb(colour: str) -> tuple[int, int, int]:
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    with Image.open(png) as shot:
        assert shot.size == (1100, 2400)
        counts = {colour: n for n, colour in shot.convert("RGB").getcolors(1 << 22)}
    # 22 of 25 tiles with evidence are all or partly "cooperates", and the timeline's bars: far more than the
    # report's coloured borders could be
    assert counts.get(rgb(colours[COOPERATES]), 0) > 20 * 40 * 40
    assert counts.get(rgb(colours[SANCTUARY]), 0) > 4 * 20 * 40  # stripes of split tiles, Nebraska's tile
    assert counts.get((0xEC, 0xEF, 0xF1), 0) > 20 * 50 * 50  # the grey tiles of states without evidence
