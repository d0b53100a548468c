"""Jurisdiction and stance tags: applying, searching by them, suggestions confirmed or rejected."""

from __future__ import annotations

import pytest

from app.errors import DossierError
from app.models import StanceRule

OMAHA = "ocd-division/country:us/state:ne/place:omaha"
NEBRASKA = "ocd-division/country:us/state:ne"
US = "ocd-division/country:us"


@pytest.fixture
def omaha_doc(imported):
    return imported.search_ids("omaha").ids[0]


def test_a_city_tag_counts_under_its_state_and_the_country(imported, omaha_doc):
    tag = imported.tag(omaha_doc, "Omaha, NE", "sanctuary")
    assert (tag.jurisdiction, tag.stance_set, tag.stance, tag.start) == (
        OMAHA,
        "immigration-enforcement",
        "sanctuary",
        None,
    )
    assert imported.search_ids("jurisdiction:nebraska").ids == [omaha_doc]
    assert imported.search_ids("jurisdiction:omaha stance:sanctuary").ids == [omaha_doc]
    assert imported.search_ids("jurisdiction:texas").ids == []
    facets = imported.search_ids("").facets["jurisdiction"]
    assert facets == {OMAHA: 1, NEBRASKA: 1, US: 1}
    assert imported.jurisdiction_counts() == {OMAHA: 1, NEBRASKA: 1, US: 1}
    assert imported.search_ids("").facets["stance"] == {"immigration-enforcement/sanctuary": 1}


def test_a_passage_tag_keeps_its_quote_and_tagging_twice_changes_nothing(imported, omaha_doc):
    text = imported.text(omaha_doc)
    start = text.index("does not intend")
    end = text.index("raids", start) + len("raids")
    tag = imported.tag(omaha_doc, OMAHA, "sanctuary", start=start, end=end)
    assert tag.quote == "does not intend to participate in any raids"
    imported.tag(omaha_doc, OMAHA, "sanctuary", start=start, end=end)
    assert len(imported.tags(omaha_doc)) == 1
    with pytest.raises(DossierError, match="outside document"):
        imported.tag(omaha_doc, OMAHA, start=0, end=10**6)
    with pytest.raises(DossierError, match="both --start and --end"):
        imported.tag(omaha_doc, OMAHA, start=3)


def test_untag_removes_only_what_matches(imported, omaha_doc):
    imported.tag(omaha_doc, OMAHA, "sanctuary")
    imported.tag(omaha_doc, OMAHA)
    assert imported.untag(omaha_doc, OMAHA, "sanctuary") == 1
    assert [t.stance for t in imported.tags(omaha_doc)] == [None]
    assert imported.untag(omaha_doc, "Omaha, NE") == 1
    assert imported.search_ids("jurisdiction:nebraska").ids == []


def test_names_that_do_not_resolve_say_what_to_do(imported, omaha_doc):
    with pytest.raises(DossierError, match="No jurisdiction matches"):
        imported.tag(omaha_doc, "Xyzzyville")
    with pytest.raises(DossierError, match="No stance 'kinda'"):
        imported.tag(omaha_doc, OMAHA, "kinda")
    assert imported.resolve_stance("generic/opposes") == ("generic", "opposes")
    assert imported.resolve_stance("opposes") == ("immigration-enforcement", "opposes")


def test_custom_jurisdictions_nest_under_a_real_one(imported, omaha_doc):
    schools = imported.add_jurisdiction("Omaha Public Schools", "school district", "Omaha, NE")
    assert schools.id == f"{OMAHA}/school_district:omaha_public_schools" and schools.parent == OMAHA
    imported.tag(omaha_doc, "Omaha Public Schools")
    assert imported.jurisdiction_counts()[OMAHA] == 1
    assert imported.search_ids("jurisdiction:nebraska").ids == [omaha_doc]


@pytest.mark.parametrize(
    "name", ["Omaha\tPolice", "Omaha\nPolice", "Omaha\x00", "Omaha\u200bPolice", "Omaha\u2028Police"]
)
def test_a_custom_jurisdiction_name_with_control_characters_is_refused(imported, name):
    with pytest.raises(DossierError, match="control characters"):
        imported.add_jurisdiction(name, "police department", "Omaha, NE")
    with pytest.raises(DossierError, match="control characters"):
        imported.add_jurisdiction("Omaha Police", name.replace("Omaha", "police "), "Omaha, NE")
    assert not [j for j in imported.gazetteer if j.level == "police department"]
    assert imported.add_jurisdiction("Omaha Police Department", "police department", "Omaha, NE").name == (
        "Omaha Police Department"
    )


def test_tags_survive_a_rebuild_of_the_index(imported, omaha_doc):
    imported.tag(omaha_doc, OMAHA, "sanctuary")
    imported.reindex()
    assert imported.search_ids("jurisdiction:nebraska stance:sanctuary").ids == [omaha_doc]


def test_suggestions_come_with_evidence_and_a_rejection_sticks(imported, omaha_doc):
    found = imported.suggest(omaha_doc)
    text = imported.text(omaha_doc)
    omaha = next(s for s in found.jurisdictions if s.jurisdiction.id == OMAHA)
    assert all(text[e.start : e.end].lower().startswith("omaha") for e in omaha.evidence)
    police = f"{OMAHA}/police_department:omaha_police_department"
    assert {s.jurisdiction for s in found.stances if s.stance == "refuses-raids"} == {police}  # "Omaha police" too
    stance = next(s for s in found.stances if s.stance == "refuses-raids" and "intend" in s.evidence[0].quote)
    assert stance.jurisdiction == police and "intend to participate" in stance.evidence[0].quote
    why = stance.evidence[0]
    assert (why.actor, why.cue, why.how) == ("Omaha Police Department", "not intend to participate", "subject")
    imported.reject_suggestion(omaha_doc, "stance", stance.key)
    assert all(s.key != stance.key for s in imported.suggest(omaha_doc).stances)
    assert imported.gazetteer.get(police) is None  # suggested, not yet in the archive
    accepted = imported.accept_suggestions(omaha_doc, 0.0)
    assert {OMAHA, police} <= {t.jurisdiction for t in accepted} and all(t.from_suggestion for t in accepted)
    assert imported.gazetteer.get(police).parent == OMAHA  # accepting the agency added it under its city
    assert all(s.jurisdiction.id != OMAHA for s in imported.suggest(omaha_doc).jurisdictions)


def test_tag_many_tags_a_whole_result(imported):
    ids = imported.search_ids("").ids
    tags = imported.tag_many(ids, "United States", "anti-sanctuary")
    assert len(tags) == 3 and imported.search_ids("stance:anti-sanctuary").total == 3


def test_stance_rules_are_checked_before_they_are_saved(imported):
    with pytest.raises(DossierError, match="not valid"):
        imported.set_stance_rules("sanctuary", [StanceRule("regex", "(unclosed")])
    imported.set_stance_rules("sanctuary", [StanceRule("phrase", "will not join raids")])
    (stance,) = [s for ss in imported.stance_sets() for s in ss.stances if s.id == "sanctuary"]
    assert [(r.kind, r.pattern) for r in stance.rules] == [("phrase", "will not join raids")]


def test_the_same_stance_id_in_two_vocabularies_stays_apart(imported, omaha_doc):
    imported.tag(omaha_doc, OMAHA, "immigration-enforcement/opposes")
    generic = imported.tag(omaha_doc, OMAHA, "generic/opposes")
    assert (generic.stance_set, generic.stance) == ("generic", "opposes")
    assert imported.untag(omaha_doc, OMAHA, "generic/opposes") == 1
    assert [(t.stance_set, t.stance) for t in imported.tags(omaha_doc)] == [("immigration-enforcement", "opposes")]
