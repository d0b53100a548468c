"""The stance map on real documents: the seed article and the 287(g) agreements, tagged as a person confirms them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from app.archive import Archive
from app.cli import main
from app.stance_map_svg import GRID, TERRITORIES, render, state_layout, state_svg, tile_boxes
from tests.app.map_fixtures import corpus_has_map_files, tag_like_a_person
from tests.conftest import corpus_root

SVG = "{http://www.w3.org/2000/svg}"
COOPERATES, SANCTUARY = "immigration-enforcement/cooperates", "immigration-enforcement/sanctuary"
OPPOSES, ANTI = "immigration-enforcement/opposes", "immigration-enforcement/anti-sanctuary"


@pytest.fixture(scope="module")
def mapped(tmp_path_factory) -> Archive:
    """The seed article and the 21 agreements, tagged; read-only for the tests that use it."""
    root = corpus_root()
    if not corpus_has_map_files(root):
        pytest.skip(f"the seed article or the 287(g) agreements are not in {root}")
    home = tmp_path_factory.mktemp("map-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HOME", str(home))
        env.setenv("XDG_DATA_HOME", str(home / "data"))
        env.setenv("XDG_CONFIG_HOME", str(home / "config"))
        archive = Archive.open(tmp_path_factory.mktemp("map") / "archive")
        tag_like_a_person(archive, root)
        yield archive
        archive.close()


def test_the_states_of_the_agreements_cooperate_and_the_seed_cities_stand_as_tagged(mapped):
    stance_map = mapped.stance_map()
    assert stance_map.documents == 22
    florida = stance_map.tiles["FL"]
    assert stance_map.ordered(florida.counts) == [COOPERATES] and florida.places[COOPERATES] == 2
    assert not florida.own
    assert {mapped.gazetteer.get(j).name for j in florida.place_ids} == {"Arcadia", "Lake County"}
    assert stance_map.tiles["AK"].own == {COOPERATES: 1} and not stance_map.tiles["AK"].places
    assert stance_map.tiles["ME"].place_ids == ["ocd-division/country:us/state:me/county:york/town:wells"]
    assert stance_map.tiles["NE"].places == {SANCTUARY: 1}  # Omaha
    assert stance_map.tiles["CO"].places == {OPPOSES: 1}  # Denver
    assert stance_map.ordered(stance_map.tiles["CA"].counts) == [SANCTUARY, ANTI]  # Los Angeles, Huntington Beach
    texas = stance_map.tiles["TX"]
    assert texas.own == {COOPERATES: 1} and texas.places == {SANCTUARY: 1, OPPOSES: 1}
    assert stance_map.split("TX") and stance_map.split("CA") and not stance_map.split("FL")
    assert stance_map.federal is not None and stance_map.federal.own == {ANTI: 1}
    assert "MN" in stance_map.tiles and "IL" not in stance_map.tiles  # Chicago: suggested a place, no stance
    assert len(stance_map.tiles) == 25


def test_evidence_is_newest_first_with_passages(mapped):
    stance_map = mapped.stance_map()
    seed = mapped.search_ids('"Omaha Police Department"').ids[0]
    el_paso = next(p for p in stance_map.places.values() if p.jurisdiction.display == "El Paso, TX")
    (evidence,) = el_paso.evidence
    assert (evidence.doc_id, evidence.stance) == (seed, OPPOSES)
    assert mapped.text(seed)[evidence.start : evidence.end] == "criticized Trump’s immigration plans"
    florida = stance_map.evidence_in(stance_map.tiles["FL"].jurisdiction.id)
    assert len(florida) == 2 and all(e.start is None for e in florida)  # whole documents
    assert None not in (dates := [e.date for e in florida]) and dates[0] > dates[1]
    texas = stance_map.evidence_in(stance_map.tiles["TX"].jurisdiction.id)
    assert [e.date is None for e in texas] == [False, True, True]  # the attorney general's agreement; the undated seed
    assert [e.start for e in texas[1:]] == sorted(e.start for e in texas[1:])  # its passages in text order
    everything = [e for p in stance_map.places.values() for e in p.evidence]
    assert len(everything) == 21 + 9  # the agreements, and nine passages of the seed (one the federal one)
    assert json.loads(json.dumps(stance_map.to_json()))["states"]["FL"]["stances"] == [COOPERATES]


def test_a_query_limits_the_map_to_its_evidence(mapped):
    old = mapped.stance_map("date:<2021")  # the three agreements signed in 2020
    assert sorted(old.tiles) == ["AK", "NC", "WI"] and old.federal is None
    sanctuary = mapped.stance_map("stance:sanctuary")
    assert sanctuary.used_stances() == [SANCTUARY] and "FL" not in sanctuary.tiles
    assert sorted(sanctuary.tiles) == ["CA", "CT", "MN", "NE", "TX"]
    texas = mapped.stance_map("jurisdiction:texas")
    assert list(texas.tiles) == ["TX"] and texas.federal is None
    assert texas.tiles["TX"].counts == {COOPERATES: 1, SANCTUARY: 1, OPPOSES: 1}
    negated = mapped.stance_map("-stance:cooperates")  # the seed article: all of its evidence
    assert negated.documents == 1 and "FL" not in negated.tiles and negated.federal is not None


def test_the_svg_splits_disagreeing_tiles_and_colours_from_the_vocabulary(mapped):
    stance_map = mapped.stance_map()
    svg = render(stance_map)
    root = ET.fromstring(svg)
    tiles = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("tile-")}
    assert set(tiles) == {f"tile-{code}" for code in [*GRID, *TERRITORIES]} | {"tile-federal"}
    colours = {s.key: s.colour for s in stance_map.stances}
    california = tiles["tile-CA"]
    assert "split" in california.get("class")
    stripes = [r for r in california.iter(f"{SVG}rect") if r.get("data-stance")]
    assert [(r.get("data-stance"), r.get("fill")) for r in stripes] == [
        (SANCTUARY, colours[SANCTUARY]),
        (ANTI, colours[ANTI]),
    ]
    florida = tiles["tile-FL"]
    assert "split" not in florida.get("class")
    assert florida.find(f"{SVG}rect").get("fill") == colours[COOPERATES]
    assert "Arcadia, FL: Cooperates 1" in florida.find(f"{SVG}title").text
    assert "Itself: Anti-sanctuary 1" in tiles["tile-federal"].find(f"{SVG}title").text
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "legend"]
    assert {"Sanctuary", "Opposes enforcement", "Cooperates", "Anti-sanctuary"} <= set(legend)
    assert "Neutral or unclear" not in legend  # no evidence for it here
    assert "<script" not in svg and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_pending_suggestions_are_not_on_the_map(archive, corpus):
    archive.import_paths([corpus / "seed"])
    doc_id = archive.search_ids("").ids[0]
    assert archive.suggest(doc_id).stances  # suggested, not confirmed
    stance_map = archive.stance_map()
    assert not stance_map.tiles and stance_map.federal is None and stance_map.documents == 0
    assert "No confirmed stances here." in render(stance_map)


def test_names_are_escaped_and_links_stay_inside_the_document(imported):
    doc_id = imported.search_ids("Omaha").ids[0]
    imported.add_jurisdiction('Task <Force> & "Co"', "police department", "Omaha, NE")
    with imported.conn:  # a bundle from elsewhere may bring a name with a control character (typing one is refused)
        imported.conn.execute("UPDATE custom_jurisdictions SET name = name || ' \x01'")
    imported._gazetteer = None
    place = imported.resolve_jurisdiction('Task <Force> & "Co" \x01')
    imported.tag(doc_id, place.id, "sanctuary")
    stance_map = imported.stance_map("")
    svg = render(stance_map, link=lambda jid: f"#j-{jid}")
    root = ET.fromstring(svg)  # well-formed despite the name
    title = root.find(f".//{SVG}g[@id='tile-NE']/{SVG}title").text
    assert 'Task <Force> & "Co"' in title and "\x01" not in svg
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == ["#j-ocd-division/country:us/state:ne"]
    outside = render(stance_map, link=lambda jid: "javascript:alert(1)")
    assert "javascript" not in outside


def test_the_grid_is_every_state_and_dc_once():
    assert len(GRID) == 51 and len(set(GRID.values())) == 51
    from app.jurisdictions.gazetteer import Gazetteer

    states = {code for code, j in Gazetteer.load().states.items() if "/territory:" not in j.id}
    assert set(GRID) == states
    assert set(TERRITORIES) == set(Gazetteer.load().states) - states


def test_cli_writes_the_svg_and_the_png(mapped, tmp_path, capsys):
    out = tmp_path / "map.svg"
    assert main(["--archive", str(mapped.folder), "map", "--query", "stance:cooperates", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Florida: Cooperates 2" in printed and "Texas: Cooperates 1\n" in printed and f"wrote {out}" in printed
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    assert root.find(f".//{SVG}g[@id='tile-CA']/{SVG}rect").get("fill") == "#eceff1"  # no cooperation there
    png = tmp_path / "map.png"
    assert main(["--archive", str(mapped.folder), "map", "--out", str(png)]) == 0
    capsys.readouterr()
    colours = {s.key: s.colour.lower() for s in mapped.stance_map().stances}
    with Image.open(png) as image:  # drawn at twice the size; Florida's tile in the "cooperates" colour
        x, y, w, h = tile_boxes()["FL"]
        pixel = image.convert("RGB").getpixel((2 * (x + w // 2), 2 * (y + h - 6)))
        assert "#{:02x}{:02x}{:02x}".format(*pixel) == colours[COOPERATES]
    assert main(["--archive", str(mapped.folder), "map", "--out", str(tmp_path / "map.gif")]) == 1
    assert "SVG or PNG" in capsys.readouterr().err and not (tmp_path / "map.gif").exists()
    assert main(["--archive", str(mapped.folder), "map", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["states"]["TX"]["own"] == {COOPERATES: 1}


def test_facet_filters_limit_the_map_as_they_limit_the_results(mapped):
    florida = "ocd-division/country:us/state:fl"
    by_place = mapped.stance_map(filters={"jurisdiction": [florida]})
    assert list(by_place.tiles) == ["FL"] and by_place.documents == 2 and by_place.federal is None
    assert by_place.filters == {"jurisdiction": (florida,)}
    by_stance = mapped.stance_map(filters={"stance": [SANCTUARY]})  # the seed article: only its sanctuary evidence
    assert by_stance.used_stances() == [SANCTUARY] and by_stance.documents == 1
    assert sorted(by_stance.tiles) == ["CA", "CT", "MN", "NE", "TX"]
    without = mapped.stance_map(excludes={"stance": [SANCTUARY]})  # every agreement, not the seed
    assert without.documents == 21 and without.used_stances() == [COOPERATES]
    both = mapped.stance_map("date:<2021", filters={"jurisdiction": [florida]})
    assert not both.tiles and both.documents == 0  # Florida's agreements are from 2025


def test_the_zoomed_view_puts_places_where_they_are(mapped):
    stance_map = mapped.stance_map()
    texas = state_layout(stance_map, "TX")
    el_paso, grand_prairie = (
        texas.mark(f"ocd-division/country:us/state:tx/place:{p}") for p in ("el_paso", "grand_prairie")
    )
    assert el_paso.kind == grand_prairie.kind == "dot"
    assert el_paso.centre[0] < grand_prairie.centre[0] - 200  # far west of Dallas-Fort Worth
    assert el_paso.centre[1] > grand_prairie.centre[1]  # and a little south
    x, y, w, h = texas.plot
    assert all(x <= m.centre[0] <= x + w and y <= m.centre[1] <= y + h for m in texas.marks if m.kind == "dot")
    assert [m.key for m in texas.marks if m.kind == "chip"] == ["ocd-division/country:us/state:tx"]  # itself
    assert el_paso.tooltip == "El Paso, TX\nOpposes enforcement 1"
    florida = state_layout(stance_map, "FL")  # Lake County has no coordinates: listed beside the map
    assert [(m.kind, m.key.rsplit("/", 1)[1]) for m in florida.marks] == [
        ("dot", "place:arcadia"),
        ("chip", "county:lake"),
    ]
    svg = state_svg(stance_map, "TX")
    root = ET.fromstring(svg)
    colours = {s.key: s.colour for s in stance_map.stances}
    dot = root.find(f".//{SVG}g[@id='dot-ocd-division/country:us/state:tx/place:el_paso']")
    assert dot.find(f"{SVG}circle").get("fill") == colours[OPPOSES]
    assert dot.find(f"{SVG}title").text == el_paso.tooltip
    assert "<script" not in svg and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_a_dot_of_disagreeing_stances_is_a_pie_and_an_agency_sits_on_its_city(imported):
    omaha_pd = imported.add_jurisdiction("Omaha <PD>", "police department", "Omaha, NE")
    grand_island = "ocd-division/country:us/state:ne/place:grand_island"
    doc_id = imported.search_ids("Omaha").ids[0]
    imported.tag(doc_id, "Omaha, NE", "sanctuary")
    imported.tag(doc_id, omaha_pd.id, "cooperates")
    imported.tag(doc_id, grand_island, "cooperates")
    stance_map = imported.stance_map()
    nebraska = state_layout(stance_map, "NE")
    omaha = nebraska.mark("ocd-division/country:us/state:ne/place:omaha")
    assert omaha is nebraska.mark(omaha_pd.id) and omaha.key.endswith("place:omaha")  # one dot for both
    assert omaha.centre[0] > nebraska.mark(grand_island).centre[0]  # Omaha lies east of Grand Island
    assert omaha.tooltip.splitlines() == [
        "Omaha, NE",
        "  Omaha, NE: Sanctuary 1",
        "  Omaha <PD>, NE: Cooperates 1",
    ]
    root = ET.fromstring(state_svg(stance_map, "NE"))  # well-formed despite the name
    pie = root.find(f".//{SVG}g[@id='dot-ocd-division/country:us/state:ne/place:omaha']")
    assert "split" in pie.get("class") and len(pie.findall(f"{SVG}path")) == 2


def test_cli_draws_one_state(mapped, tmp_path, capsys):
    out = tmp_path / "tx.svg"
    assert main(["--archive", str(mapped.folder), "map", "--state", "tx", "--out", str(out)]) == 0
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    assert root.find(f"{SVG}title").text == "Texas: stances in the whole archive"
    assert root.find(f".//{SVG}g[@id='dot-ocd-division/country:us/state:tx/place:el_paso']") is not None
    assert main(["--archive", str(mapped.folder), "map", "--state", "Atlantis", "--out", str(out)]) == 1
    assert "not a state" in capsys.readouterr().err
