"""Stance suggestions attributed to the actor that holds them (issue 15): on short texts written here, and on the
seed article and the 287(g) agreements against the labels in tests/data/suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.jurisdictions.gazetteer import Gazetteer
from app.suggestions import preset_stance_sets, suggest

US = "ocd-division/country:us"
S = f"{US}/state:"
LABELS = Path(__file__).resolve().parents[1] / "data" / "suggestions"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="module")
def sets():
    return preset_stance_sets()


def pairs(gaz, sets, text: str, title: str = "", threshold: float = 0.5) -> dict[tuple[str, str], object]:
    """(jurisdiction, stance) -> the suggestion, for those scoring at least ``threshold``."""
    return {(s.jurisdiction, s.stance): s for s in suggest(text, title, gaz, sets).stances if s.score >= threshold}


def place_of(gaz: Gazetteer, jid: str) -> str:
    while jid not in gaz and "/" in jid:
        jid = jid.rsplit("/", 1)[0]
    return jid


def test_the_subject_of_the_clause_holds_the_stance_and_curly_apostrophes_match(gaz, sets):
    found = pairs(gaz, sets, "The Dallas Police Department won’t join raids, the chief said. Austin is quiet.")
    police = f"{S}tx/place:dallas/police_department:dallas_police_department"
    assert list(found) == [(police, "refuses-raids")]
    why = found[police, "refuses-raids"].evidence[0]
    assert (why.actor, why.cue, why.how) == ("Dallas Police Department", "won’t join raids", "subject")
    assert why.quote == "The Dallas Police Department won’t join raids, the chief said."


def test_a_coreference_reaches_the_last_named_one_of_its_kind(gaz, sets):
    text = "Denver officials met on Monday with Colorado lawmakers. The city will not participate in any raids."
    found = pairs(gaz, sets, text)
    assert list(found) == [(f"{S}co/place:denver", "refuses-raids")]
    assert found[f"{S}co/place:denver", "refuses-raids"].evidence[0].how == "coreference"


def test_a_list_of_subjects_all_hold_it(gaz, sets):
    text = "Leaders in Chicago, Denver and Los Angeles have made clear they will play no role in roundups."
    found = pairs(gaz, sets, text)
    assert set(found) == {
        (f"{S}il/place:chicago", "refuses-raids"),
        (f"{S}co/place:denver", "refuses-raids"),
        (f"{S}ca/place:los_angeles", "refuses-raids"),
    }


def test_no_actor_in_reach_means_no_suggestion(gaz, sets):
    assert pairs(gaz, sets, "Many cities will not participate in raids.", threshold=0.0) == {}
    assert pairs(gaz, sets, "A growing number of police departments will not cooperate.", threshold=0.0) == {}


def test_who_may_hold_a_stance(gaz, sets):
    threat = pairs(gaz, sets, "The Justice Department said state and local officials could face prosecution.")
    assert list(threat) == [(US, "threatens-enforcement")]
    assert threat[US, "threatens-enforcement"].evidence[0].actor == "Justice Department"
    agreement = pairs(gaz, sets, "ICE signed a 287(g) agreement with the Lake County Sheriff's Office, Florida.")
    assert list(agreement) == [(f"{S}fl/county:lake/sheriff_s_office:lake_county_sheriff_s_office", "cooperates")]
    denied = "The Bridgeport school district said ICE agents will be denied access to school buildings."
    assert [k[1] for k in pairs(gaz, sets, denied)] == ["denies-access"]  # not ICE's, though it is nearer


def test_the_state_named_in_the_document_places_the_agency(gaz, sets):
    text = "The Arcadia Police Department signed a 287(g) agreement on Tuesday. Florida deputies will train them."
    found = suggest(text, "", gaz, sets)
    arcadia = f"{S}fl/place:arcadia/police_department:arcadia_police_department"
    assert arcadia in {s.jurisdiction.id for s in found.jurisdictions}
    assert not [s for s in found.jurisdictions if "ca/place:arcadia" in s.jurisdiction.id]
    assert (arcadia, "cooperates") in {(s.jurisdiction, s.stance) for s in found.stances}
    assert found.agencies[arcadia].parent == f"{S}fl/place:arcadia"


def test_the_seed_article_reads_like_its_own_list(gaz, sets, corpus):
    labels = json.loads((LABELS / "seed.json").read_text(encoding="utf-8"))
    from indexer.extract import extract

    path = corpus / labels["document"]
    if not path.is_file():
        pytest.skip("seed article not in the corpus")
    text = extract("markdown", path.read_bytes()).text
    found = pairs(gaz, sets, text)
    shown = {(place_of(gaz, jid), stance) for jid, stance in found}
    expected = {(p["place"], p["stance"]) for p in labels["stances"]}
    acceptable = expected | {(p["place"], p["stance"]) for p in labels["acceptable_stances"]}
    assert expected <= shown
    assert shown <= acceptable
    federal = found[US, "threatens-enforcement"].evidence[0]
    assert "Department of Justice" in federal.quote and federal.actor == "Department of Justice"
    for suggestion in found.values():  # each cue's sentence names the actor or refers to it
        why = suggestion.evidence[0]
        assert why.actor in why.quote and why.cue in why.quote


def test_each_agreement_suggests_its_signing_agency_as_cooperating(gaz, sets, corpus):
    labels = json.loads((LABELS / "287g.json").read_text(encoding="utf-8"))
    root = corpus / "topic" / "287g"
    if not root.is_dir():
        pytest.skip("287(g) agreements not in the corpus")
    from indexer.extract import extract

    for row in labels["documents"]:
        if row["scan"]:
            continue
        extracted = extract("pdf", (root / row["file"]).read_bytes())
        found = suggest(extracted.text, extracted.title, gaz, sets)
        stances = [s for s in found.stances if s.score >= 0.5]
        assert stances, row["file"]
        top = stances[0]
        assert (top.stance, place_of(gaz, top.jurisdiction)) == ("cooperates", row["place"]), row["file"]
        assert found.agencies[top.jurisdiction].level == row["level"], row["file"]
        assert not [s for s in stances if s.jurisdiction == US], row["file"]  # ICE is the other party
