"""Jurisdiction suggestions from text: context, the classic traps, evidence offsets, and the seed article."""

from __future__ import annotations

import pytest

from app.jurisdictions.gazetteer import Gazetteer
from app.jurisdictions.mentions import Evidence, suggest_jurisdictions
from app.jurisdictions.model import Jurisdiction

US = "ocd-division/country:us"
S = f"{US}/state:"
OMAHA = f"{S}ne/place:omaha"
NYC = f"{S}ny/place:new_york"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def scores(gaz: Gazetteer, text: str, title: str = "") -> dict[str, float]:
    """Suggested jurisdiction id -> score (suggestions below the default minimum are not returned)."""
    return {s.jurisdiction.id: s.score for s in suggest_jurisdictions(text, gaz, title)}


def names(gaz: Gazetteer, text: str) -> set[str]:
    return {s.jurisdiction.name for s in suggest_jurisdictions(text, gaz)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("At an event last week in Grand Prairie, Texas, the police chief spoke.", f"{S}tx/place:grand_prairie"),
        ("Chief Todd Schmaderer heads the Omaha, Nebraska, Police Department.", OMAHA),
        ("The company moved to Dallas, TX last year.", f"{S}tx/place:dallas"),
        ("Officials in Lincoln, Neb., voted on Monday.", f"{S}ne/place:lincoln"),
        ("The port of Mobile, Alabama, reopened.", f"{S}al/place:mobile"),
        ("Voters in Independence, Missouri, approved it.", f"{S}mo/place:independence"),
        ("A film festival in Paris, Texas, opened.", f"{S}tx/place:paris"),
        ("The Bridgeport, Connecticut, school district released a statement.", f"{S}ct/place:bridgeport"),
    ],
)
def test_place_with_its_state_is_confident(gaz, text, expected):
    found = scores(gaz, text)
    assert found[expected] >= 0.9
    assert max(found, key=found.get) == expected


def test_state_named_nearby_picks_the_place_in_it(gaz):
    illinois = scores(gaz, "Springfield officials met on Tuesday. The Illinois capital is bracing for cuts.")
    massachusetts = scores(gaz, "Springfield officials met on Tuesday. The Massachusetts city is bracing for cuts.")
    assert f"{S}il/place:springfield" in illinois and f"{S}ma/place:springfield" not in illinois
    assert f"{S}ma/place:springfield" in massachusetts and f"{S}il/place:springfield" not in massachusetts


def test_population_is_the_prior_and_ambiguity_lowers_the_score(gaz):
    bare = suggest_jurisdictions("Springfield officials met on Tuesday.", gaz, min_score=0)
    assert [s.jurisdiction.id for s in bare] == [f"{S}mo/place:springfield"]  # the largest Springfield
    assert bare[0].score < 0.3  # too ambiguous to be suggested by default
    assert scores(gaz, "Springfield officials met on Tuesday.") == {}
    assert scores(gaz, "Leaders in Chicago spoke.")[f"{S}il/place:chicago"] >= 0.9  # one big, unique Chicago


def test_x_county_is_the_county(gaz):
    text = "The Lake County Sheriff's Office signed the agreement. Deputies will train in Tavares, Florida."
    found = scores(gaz, text)
    assert found[f"{S}fl/county:lake"] >= 0.7
    assert [jid for jid in found if "county:lake" in jid] == [
        f"{S}fl/county:lake",
        f"{S}fl/county:lake/sheriff_s_office:lake_county_sheriff_s_office",  # the agency, under its county
    ]
    assert list(scores(gaz, "El Paso County commissioners met.")) != []
    assert f"{S}tx/place:el_paso" not in scores(gaz, "El Paso County, Colorado, commissioners met.")
    assert f"{S}co/county:el_paso" in scores(gaz, "El Paso County, Colorado, commissioners met.")


@pytest.mark.parametrize(
    "text",
    [
        "The Washington Post reported the story first.",
        "According to the Washington Post, the plan was dropped.",
        "Photo: The Washington Post/Getty Images",
    ],
)
def test_the_washington_post_is_not_washington(gaz, text):
    found = scores(gaz, text)
    assert f"{S}wa" not in found and f"{US}/district:dc" not in found


@pytest.mark.parametrize(
    "text",
    [
        "Democratic Mayor Mike Johnson said the city will join lawsuits.",
        "President Johnson signed the act in 1964.",
        "Johnson said the plan was unworkable.",
        "In El Paso, Mayor Renard Johnson criticized the plan. Johnson said the border is secure.",
        "Andrew Jackson was the seventh president. Jackson said little about it.",
        "Mayor Eric Adams spoke at a rally.",
        "President Lincoln delivered the address. Abraham Lincoln was tired.",
        "Press Secretary Karine Jean-Pierre briefed reporters.",
        "Christopher M. Cronen signed for the agency.",
    ],
)
def test_person_names_are_not_places(gaz, text):
    found = names(gaz, text)
    assert not found & {"Johnson", "Johnson County", "Johnson City", "Jackson", "Adams", "Lincoln", "Pierre"}
    assert "Christopher" not in found


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("Judge Austin ruled on the motion.", f"{S}tx/place:austin"),
        ("General Houston led the army.", f"{S}tx/place:houston"),
    ],
)
def test_a_title_makes_a_big_city_name_a_person(gaz, text, city):
    assert city not in scores(gaz, text)
    assert city in scores(gaz, text.split(" ", 1)[1])  # without the title it is the city


def test_person_name_elsewhere_does_not_hide_the_county(gaz):
    text = "Sheriff Bill Johnson said deputies will patrol Johnson County, Kansas, starting in May."
    assert f"{S}ks/county:johnson" in scores(gaz, text)


@pytest.mark.parametrize(
    ("text", "state", "city"),
    [
        ("The former president appeared in New York state court this month.", True, False),
        ("New York State lawmakers passed the budget.", True, False),
        ("The law applies across the state of New York.", True, False),
        ("New York City will not cooperate with the raids.", False, True),
        ("Leaders in Chicago, Denver, Los Angeles, Minneapolis, New York and other cities objected.", False, True),
        ("Seattle and Washington state sued; so did Washington State officials.", False, False),
    ],
)
def test_new_york_state_or_city(gaz, text, state, city):
    found = scores(gaz, text)
    assert (f"{S}ny" in found) == state
    assert (NYC in found) == city


def test_washington_state_phrase(gaz):
    assert f"{S}wa" in scores(gaz, "Washington state sued the administration.")


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("The Chicago Tribune first reported the story.", f"{S}il/place:chicago"),
        ("A Los Angeles Times analysis found delays.", f"{S}ca/place:los_angeles"),
        ("The Dallas Morning News obtained the memo.", f"{S}tx/place:dallas"),
        ("Reporters at the Boston Globe asked for comment.", f"{S}ma/place:boston"),
        ("The New York Times and the Omaha World-Herald ran it.", NYC),
    ],
)
def test_a_newspaper_is_not_its_city(gaz, text, city):
    assert city not in scores(gaz, text)


@pytest.mark.parametrize(
    "text",
    [
        "Mobile phones were banned in class.",
        "Independence Day parades were cancelled.",
        "The Department of Commerce and the Chamber of Commerce disagreed.",
        "The Department of Justice sued. Justice was served.",
        "Liberty and Union, now and forever.",
        "Republic Services won the contract.",
        "Enterprise software sales grew.",
        "Victoria announced her retirement.",
        "Lincoln freed the slaves.",
        "The Center for Immigration Studies counts 13 states.",
        "Paris is the capital of France.",
        "Posters will be displayed in English and Spanish.",
        "Hurricane Helene hit the coast.",
    ],
)
def test_common_words_and_foreign_names_need_context(gaz, text):
    found = suggest_jurisdictions(text, gaz)
    assert [s.jurisdiction.display for s in found if s.jurisdiction.level == "city"] == []


def test_federal_phrases(gaz):
    for text in (
        "Trump administration officials describe the largest deportation effort.",
        "The Department of Homeland Security launched nationwide efforts.",
        "ICE agents will be denied access to school buildings.",
        "A memo from the Justice Department warned local officials.",
        "Congress passed the bill; the White House praised it.",
        "Information sharing with federal immigration authorities is limited.",
    ):
        assert scores(gaz, text).get(US, 0) >= 0.85, text
    assert US not in scores(gaz, "Ice formed on the lake; the ice was thin.")


def test_all_caps_heading_counts_lowercase_does_not(gaz):
    assert OMAHA in scores(gaz, "OMAHA POLICE WILL NOT JOIN RAIDS\n\nThe chief spoke on Monday.")
    assert OMAHA not in scores(gaz, "we drove through omaha without stopping")


def test_evidence_offsets_and_quotes(gaz):
    text = (
        "Omaha officials are not alone. Leaders in Chicago and Denver objected.\n"
        "The Omaha Police Department, said Chief Todd Schmaderer, will not take part. It was U.S. policy."
    )
    found = {s.jurisdiction.id: s for s in suggest_jurisdictions(text, gaz)}
    omaha = found[OMAHA]
    second = text.index("Omaha", 10)
    assert [(e.start, e.end) for e in omaha.evidence] == [(0, 5), (second, second + 5)]
    for s in found.values():
        assert 0 <= s.score <= 1
        for e in s.evidence:
            assert text[e.start : e.end] in (s.jurisdiction.name, "U.S.")  # an agency: "Omaha Police Department"
            assert text[e.start : e.end] in e.quote and e.quote in text
    assert omaha.evidence[0].quote == "Omaha officials are not alone."
    assert found[f"{S}il/place:chicago"].evidence[0].quote == "Leaders in Chicago and Denver objected."
    assert omaha.evidence[1].quote.endswith("will not take part.")


def test_salience_orders_suggestions(gaz):
    text = "Omaha police spoke. Omaha's mayor agreed. Omaha, Nebraska, will not join raids. Denver was quiet."
    found = [s.jurisdiction.id for s in suggest_jurisdictions(text, gaz)]
    assert found.index(OMAHA) < found.index(f"{S}co/place:denver")


def test_a_title_mention_is_evidence_from_the_title(gaz):
    found = {s.jurisdiction.id: s for s in suggest_jurisdictions("The agreement is signed.", gaz, "Omaha, NE MOA")}
    assert found[OMAHA].evidence == [Evidence(0, 5, "Omaha, NE MOA", "title")]


def test_custom_entries_are_found(gaz):
    pd = Jurisdiction(f"{OMAHA}/police:omaha_pd", "Omaha Police Department", "police department", parent=OMAHA)
    found = scores(gaz.with_custom([pd]), "The Omaha Police Department does not intend to participate in raids.")
    assert found[pd.id] >= 0.85


def test_seed_article(gaz, corpus):
    from indexer.extract import extract

    path = corpus / "seed" / "npr-cities-immigration-crackdown-2025.md"
    if not path.is_file():
        pytest.skip("seed article not in the corpus")
    text = extract("markdown", path.read_bytes()).text
    found = {s.jurisdiction.id: s for s in suggest_jurisdictions(text, gaz)}
    expected = {
        OMAHA, NYC, US, f"{S}il/place:chicago", f"{S}co/place:denver", f"{S}ca/place:los_angeles",
        f"{S}mn/place:minneapolis", f"{S}tx/place:grand_prairie", f"{S}ct/place:bridgeport",
        f"{S}tx/place:el_paso", f"{S}ca/place:huntington_beach",
    }  # fmt: skip
    confident = {jid for jid, s in found.items() if s.score >= 0.8}
    assert expected <= confident
    agencies = {
        f"{OMAHA}/police_department:omaha_police_department",
        f"{S}ct/place:bridgeport/school_district:bridgeport_school_district",
    }
    assert agencies <= confident  # "The Omaha Police Department", "The Bridgeport, Connecticut, school district"
    agencies |= {  # "the Minneapolis police", "Grand Prairie, Texas, Police Chief Daniel Scesney"
        f"{S}mn/place:minneapolis/police_department:minneapolis_police_department",
        f"{S}tx/place:grand_prairie/police_department:grand_prairie_police_department",
    }
    assert confident - expected - agencies <= {f"{S}ca"}  # "other California officials": the state, named as such
    assert f"{S}wa" not in found and f"{US}/district:dc" not in found
    assert not any("Johnson" in s.jurisdiction.name for s in found.values())
    for s in found.values():
        for e in s.evidence:
            assert text[e.start : e.end] in e.quote
    gp = found[f"{S}tx/place:grand_prairie"].evidence[0]
    assert text[gp.start : gp.end] == "Grand Prairie" and gp.quote.startswith("At an event last week in Grand Prairie")
    raw = path.read_text(encoding="utf-8")  # with the image captions: "in New York state court", "Washington, DC"
    raw_found = scores(gaz, raw)
    assert f"{S}wa" not in raw_found and f"{S}ny" in raw_found and NYC in raw_found
