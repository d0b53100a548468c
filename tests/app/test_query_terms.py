"""What ``jurisdiction:`` and ``stance:`` mean in a query, and the warnings for values that name nothing."""

from __future__ import annotations

import pytest

from app.errors import BadQuery

US = "ocd-division/country:us"


@pytest.fixture
def tagged(imported):
    """Omaha's article tagged with Omaha (opposes enforcement), another with the federal government
    (generic: opposes)."""
    omaha, other = imported.search_ids("omaha").ids[0], imported.search_ids("denver").ids[0]
    imported.tag(omaha, "Omaha, NE", "immigration-enforcement/opposes")
    imported.tag(other, "federal", "generic/opposes")
    return imported, omaha, other


def test_federal_means_the_federal_government_and_us_means_anything_in_it(tagged):
    archive, omaha, other = tagged
    assert archive.search_ids("jurisdiction:federal").ids == [other]
    assert archive.search_ids('jurisdiction:"federal government"').ids == [other]
    assert sorted(archive.search_ids("jurisdiction:us").ids) == sorted([omaha, other])
    assert sorted(archive.search_ids('Jurisdiction:"United States"').ids) == sorted([omaha, other])
    assert archive.search_ids("jurisdiction:nebraska").ids == [omaha]


def test_a_stance_is_known_by_its_vocabulary_and_id(tagged):
    archive, omaha, other = tagged
    facets = archive.search_ids("").facets["stance"]
    assert facets == {"generic/opposes": 1, "immigration-enforcement/opposes": 1}
    assert archive.search_ids("stance:immigration-enforcement/opposes").ids == [omaha]
    assert archive.search_ids("stance:generic/opposes").ids == [other]
    assert archive.search_ids('stance:"opposes enforcement"').ids == [omaha]
    assert archive.search_ids("Stance:Opposes_Enforcement").ids == [omaha]
    both = archive.search_ids("stance:opposes")
    assert sorted(both.ids) == sorted([omaha, other])
    assert any("2 vocabularies" in w for w in both.warnings), both.warnings
    assert archive.search_ids("-stance:generic/opposes jurisdiction:us").ids == [omaha]


@pytest.mark.parametrize(
    ("query", "warning"),
    [
        ("omaha jurisdiction:narnia", "No jurisdiction is called “narnia”"),
        ("omaha jurisdiction:omahaa", "did you mean Omaha"),
        ("omaha stance:sanctuari", "No stance is called “sanctuari” (did you mean sanctuary?)"),
        ("omaha -stance:nonsense", "No stance is called “nonsense”"),
    ],
)
def test_a_value_that_names_nothing_is_left_out_with_a_warning(tagged, query, warning):
    archive, omaha, _ = tagged
    found = archive.search_ids(query)
    assert found.ids == [omaha]
    assert any(warning in w for w in found.warnings), found.warnings


def test_warnings_of_the_index_reach_the_result_and_its_json(imported):
    result = imported.search("omaha date:2025-13")
    assert result.total == 1
    assert result.to_json()["warnings"] == ["“date:2025-13” was left out: month 13 does not exist."]


def test_a_query_that_cannot_run_is_an_error_without_command_line_advice(imported):
    with pytest.raises(BadQuery, match="at least 2 letters") as raised:
        imported.search_ids("p*")
    assert "dossier" not in str(raised.value) and "--" not in str(raised.value)


def test_half_a_surrogate_pair_is_a_message_not_a_traceback(imported):
    with pytest.raises(BadQuery, match="not text"):
        imported.search("throw \ud800")


def test_a_value_repeated_is_warned_about_once(imported):
    _, warnings = imported.expand_query("jurisdiction:qqnowhere omaha jurisdiction:qqnowhere")
    assert len(warnings) == 1


def test_a_query_too_long_is_refused_before_its_jurisdictions_are_looked_up(imported):
    text = " ".join(f"jurisdiction:nowhere{i}" for i in range(60))
    assert imported.expand_query(text) == (text, [])
    with pytest.raises(BadQuery, match="too long"):
        imported.search(text)
