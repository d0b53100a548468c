"""The bundled gazetteer: Open Civic Data ids, hierarchy, lookup of user input, custom entries, load time."""

from __future__ import annotations

import pytest

from app.jurisdictions.gazetteer import Gazetteer, normalize, type_id
from app.jurisdictions.model import Jurisdiction

US = "ocd-division/country:us"
OMAHA = f"{US}/state:ne/place:omaha"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def test_load_is_cached_and_complete(gaz):
    assert Gazetteer.load() is gaz
    levels = [j.level for j in gaz]
    assert levels.count("federal") == 1
    assert levels.count("state") == 56  # 50 states, DC, 5 territories
    assert 3000 < levels.count("county") < 3300
    assert levels.count("city") > 15_000


def test_hierarchy_omaha_nebraska_united_states(gaz):
    omaha = gaz.get(OMAHA)
    assert (omaha.name, omaha.level, omaha.state, omaha.display) == ("Omaha", "city", "NE", "Omaha, NE")
    assert omaha.population > 400_000
    assert [a.id for a in gaz.ancestors(OMAHA)] == [f"{US}/state:ne", US]
    assert gaz.get(f"{US}/state:ne").display == "Nebraska"
    assert gaz.federal.display == "United States (federal)"
    assert gaz.ancestors(US) == []


def test_counties_and_their_kinds(gaz):
    el_paso = gaz.get(f"{US}/state:tx/county:el_paso")
    assert (el_paso.display, el_paso.parent) == ("El Paso County, TX", f"{US}/state:tx")
    assert gaz.get(f"{US}/state:co/county:el_paso").state == "CO"
    assert gaz.get(f"{US}/state:la/parish:orleans").name == "Orleans Parish"
    assert gaz.get(f"{US}/state:ak/borough:juneau").level == "county"
    assert gaz.get(f"{US}/state:mo/county:st_louis").name == "St. Louis County"
    assert gaz.get(f"{US}/state:ia/county:o~brien").name == "O'Brien County"
    assert "Brooklyn" in gaz.get(f"{US}/state:ny/county:kings").aliases


def test_special_ids_dc_territories_and_independent_cities(gaz):
    dc = gaz.get(f"{US}/district:dc")
    assert dc.level == "state" and "Washington, D.C." in dc.aliases
    assert gaz.get(f"{US}/territory:pr").name == "Puerto Rico"
    assert gaz.get(f"{US}/territory:pr/place:san_juan").parent == f"{US}/territory:pr"
    assert gaz.get(f"{US}/state:va/place:alexandria").level == "city"  # "Alexandria city" is a place, not a county
    assert gaz.get(f"{US}/state:mo/place:st_louis").population > 250_000
    assert gaz.get(f"{US}/state:ny/place:new_york").aliases[:2] == ("New York City", "NYC")


def test_places_named_in_news_are_there(gaz):
    for jid in ("tx/place:grand_prairie", "ct/place:bridgeport", "ca/place:huntington_beach", "tx/place:el_paso"):
        assert gaz.get(f"{US}/state:{jid}") is not None, jid


def test_ids_follow_ocd_rules(gaz):
    assert type_id("St. Mary's") == "st_mary~s"
    assert type_id("Doña Ana") == "doña_ana"
    assert type_id("Coeur d'Alene (city)") == "coeur_d~alene_city"
    for j in gaz:
        tail = j.id.rpartition(":")[2]
        assert tail and tail == tail.lower() and " " not in tail, j.id
        assert all(c.isalnum() or c in "._-~" for c in tail), j.id
        assert j.parent is None or j.parent in gaz, j.id


def test_one_place_per_name_and_state(gaz):
    seen = set()
    for j in gaz:
        if j.level == "city":
            key = (j.state, normalize(j.name))
            assert key not in seen, j.id
            seen.add(key)


def test_children(gaz):
    kids = gaz.children(f"{US}/state:ne")
    assert gaz.get(OMAHA) in kids
    assert all(k.parent == f"{US}/state:ne" for k in kids)
    assert kids[0].level == "county"  # counties before cities
    assert len(gaz.children(US)) == 56


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Omaha, NE", OMAHA),
        ("Omaha, Nebraska", OMAHA),
        ("omaha nebraska", OMAHA),
        ("Omaha", OMAHA),
        ("el paso county texas", f"{US}/state:tx/county:el_paso"),
        ("El Paso County, CO", f"{US}/state:co/county:el_paso"),
        ("El Paso", f"{US}/state:tx/place:el_paso"),
        ("federal", US),
        ("United States", US),
        ("NYC", f"{US}/state:ny/place:new_york"),
        ("New York City", f"{US}/state:ny/place:new_york"),
        ("Saint Louis", f"{US}/state:mo/place:st_louis"),
        ("Washington, D.C.", f"{US}/district:dc"),
        ("Springfield, IL", f"{US}/state:il/place:springfield"),
        ("West Virginia", f"{US}/state:wv"),
        ("Dona Ana County NM", f"{US}/state:nm/county:doña_ana"),
        (OMAHA, OMAHA),
    ],
)
def test_resolve(gaz, text, expected):
    assert gaz.resolve(text)[0].id == expected


def test_resolve_ranks_exact_name_then_level_then_population(gaz):
    assert [j.id for j in gaz.resolve("New York")[:2]] == [f"{US}/state:ny", f"{US}/state:ny/place:new_york"]
    springfields = gaz.resolve("Springfield")
    assert len(springfields) > 5
    assert [j.population for j in springfields] == sorted((j.population for j in springfields), reverse=True)
    assert gaz.resolve("L.A.")[0].id == f"{US}/state:ca/place:los_angeles"  # as typed beats Louisiana's "LA"
    assert gaz.resolve("Los Ang")[0].id == f"{US}/state:ca/place:los_angeles"  # prefix, by population
    assert gaz.resolve("") == [] and gaz.resolve("Atlantis-under-the-sea") == []


def test_custom_entries(gaz):
    pd = Jurisdiction(f"{OMAHA}/police:omaha_pd", "Omaha Police Department", "police department", parent=OMAHA)
    district = Jurisdiction(f"{pd.id}/precinct:1", "Northeast Precinct", "precinct", parent=pd.id)
    custom = gaz.with_custom([pd, district])
    assert custom.get(pd.id) == pd and gaz.get(pd.id) is None  # the bundled gazetteer is untouched
    assert [a.id for a in custom.ancestors(district.id)] == [pd.id, OMAHA, f"{US}/state:ne", US]
    assert pd in custom.children(OMAHA)
    assert custom.resolve("omaha police department") == [pd]
    with pytest.raises(ValueError, match="unknown parent"):
        gaz.with_custom([Jurisdiction("x:tribe", "A Nation", "tribal", parent="ocd-division/country:zz")])


def test_places_and_states_have_coordinates_counties_do_not(gaz):
    omaha, grand_island = gaz.get(OMAHA), gaz.get(f"{US}/state:ne/place:grand_island")
    assert (round(omaha.lat, 1), round(omaha.lon, 1)) == (41.3, -95.9)
    assert omaha.lon > grand_island.lon  # Omaha lies east of Grand Island
    nebraska = gaz.get(f"{US}/state:ne")
    assert 40 < nebraska.lat < 43 and -104 < nebraska.lon < -95.3  # the weighted centre stays inside the state
    assert all(s.lat is not None and s.lon is not None for s in gaz.states.values())
    assert gaz.get(f"{US}/state:ne/county:douglas").lat is None
    assert gaz.federal.lat is None
    assert sum(j.lat is not None for j in gaz if j.level == "city") > 15_000


def test_position_is_inherited_from_the_place_a_custom_entry_is_under(gaz):
    pd = Jurisdiction(f"{OMAHA}/agency:omaha_pd", "Omaha Police Department", "agency", parent=OMAHA, state="NE")
    custom = gaz.with_custom([pd])
    assert custom.position(pd.id) == (gaz.get(OMAHA).lat, gaz.get(OMAHA).lon)
    assert custom.position(f"{US}/state:ne/county:douglas") is None  # no coordinates, and a state frames, not places
    assert custom.position(f"{US}/state:ne") is None


def test_rows_written_before_coordinates_still_read():
    from app.jurisdictions.gazetteer import _record

    old = _record([OMAHA, "Omaha", "city", f"{US}/state:ne", "NE", "486051", ""])
    assert (old.population, old.lat, old.lon) == (486051, None, None)
    new = _record([OMAHA, "Omaha", "city", f"{US}/state:ne", "NE", "486051", "", "41.259", "-95.938"])
    assert (new.lat, new.lon) == (41.259, -95.938)
