"""The query language in the window: exclusions, warnings under the search box, stances kept apart."""

from __future__ import annotations

from indexer.query import FIELDS
from tests.ui.helpers import settle, type_query


def test_minus_excludes_in_the_window_as_in_the_core(qtbot, make_window, imported):
    window = make_window(imported)
    type_query(qtbot, window, "police")
    with_omaha = window.results_model.rowCount()
    type_query(qtbot, window, "police -omaha")
    assert window.results_model.rowCount() == imported.search_ids("police -omaha").total == with_omaha - 1


def test_a_mistake_is_explained_under_the_search_box_while_the_rest_runs(qtbot, make_window, imported):
    window = make_window(imported)
    type_query(qtbot, window, "omaha title:")
    assert window.results_model.rowCount() == 1
    assert window.message.isVisible()
    assert window.message.text() == "“title:” has nothing after it, so it was left out: write title:word."
    type_query(qtbot, window, "omaha jurisdiction:narnia date:2025-13")
    assert window.results_model.rowCount() == 1
    lines = window.message.text().split("\n")
    assert lines[0].startswith("No jurisdiction is called “narnia”") and "month 13 does not exist" in lines[1]
    type_query(qtbot, window, "omaha")
    assert not window.message.isVisible()


def test_stances_of_two_vocabularies_are_two_facets(qtbot, make_window, imported):
    omaha, denver = imported.search_ids("omaha").ids[0], imported.search_ids("denver").ids[0]
    imported.tag(omaha, "Omaha, NE", "immigration-enforcement/opposes")
    imported.tag(denver, "Denver, CO", "generic/opposes")
    window = make_window(imported)
    settle(qtbot, window)
    labels = _facet_labels(window.facets, "stance")
    assert labels == {"immigration-enforcement/opposes": "Opposes enforcement  (1)", "generic/opposes": "Opposes  (1)"}


def test_f1_lists_every_field(make_window, imported):
    window = make_window(imported)
    window.show_query_help()
    text = window.help_popup.findChild(type(window.message)).text()
    for field in FIELDS:
        assert field.example.replace('"', "&quot;") in text
    assert "jurisdiction:federal" in text and "stance:" in text and "note:" in text
    assert "raids -schools" in text and "raids +schools" in text


def _facet_labels(panel, field: str) -> dict[str, str]:
    from ui.facets import FacetRole

    model = panel.facet_model
    for row in range(model.rowCount()):
        parent = model.item(row)
        if parent.data(FacetRole) == field:
            return {parent.child(i).data(FacetRole)[1]: parent.child(i).text() for i in range(parent.rowCount())}
    return {}
