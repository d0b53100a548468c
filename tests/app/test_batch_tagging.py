"""Bulk tagging as one batch: a plan that writes nothing, applied in turns, cancelled midway, undone as one step."""

from __future__ import annotations

import pytest

from app.batch_tagging import UnknownBatch

US = "ocd-division/country:us"


@pytest.fixture
def ids(imported):
    return imported.search_ids("").ids


def test_a_plan_lists_each_document_and_writes_nothing(imported, ids):
    imported.tag(ids[0], "United States", "anti-sanctuary")
    head = imported.change_head()
    plan = imported.plan_tags(ids, "United States", "anti-sanctuary")
    assert imported.change_head() == head
    assert plan.label == "United States (federal) · Anti-sanctuary"
    assert [e.doc_id for e in plan.entries] == ids
    assert plan.entries[0].reason == "already tagged United States (federal) · Anti-sanctuary"
    assert [e.doc_id for e in plan.to_tag] == ids[1:]
    titles = imported.documents_by_id(ids)
    assert all(e.title == titles[e.doc_id].title for e in plan.entries)
    # without a stance, any whole-document tag with the place is "the same way"; another stance is not
    assert imported.plan_tags(ids, US).entries[0].reason
    assert imported.plan_tags(ids, US, "sanctuary").entries[0].reason == ""


def test_applying_tags_under_one_batch_with_progress_and_undo_removes_exactly_it(imported, ids):
    imported.tag(ids[0], "Omaha, NE")  # an earlier tag the undo must leave alone
    plan = imported.plan_tags(ids, "United States", "anti-sanctuary")
    seen = []
    result = imported.apply_plan(plan, progress=seen.append)
    assert result.tagged == ids and not result.cancelled
    assert [(p.done, p.total) for p in seen] == [(1, 3), (2, 3), (3, 3)]
    assert result.summary() == "Tagged 3 documents with United States (federal) · Anti-sanctuary"
    assert sorted(imported.search_ids("stance:anti-sanctuary").ids) == sorted(ids)
    (listed,) = imported.tag_batches()
    assert (listed.batch, listed.documents, listed.label) == (result.batch, 3, plan.label)

    undone = imported.undo_batch(result.batch)
    assert (undone.removed, undone.documents) == (3, sorted(ids))
    assert imported.search_ids("stance:anti-sanctuary").ids == []
    assert [t.jurisdiction for t in imported.tags(ids[0])] == ["ocd-division/country:us/state:ne/place:omaha"]
    assert imported.tag_batches() == []
    with pytest.raises(UnknownBatch, match="undone already"):
        imported.undo_batch(result.batch)


def test_cancelling_midway_keeps_what_was_done_under_the_batch(imported, ids):
    seen = []
    result = imported.apply_plan(
        imported.plan_tags(ids, "United States"), progress=seen.append, cancel=lambda: len(seen) >= 2
    )
    assert result.cancelled and result.tagged == ids[:2]
    assert result.summary() == "Cancelled: tagged 2 of 3 documents with United States (federal)"
    assert sorted(imported.search_ids(f'jurisdiction:"{US}"').ids) == sorted(ids[:2])
    assert imported.undo_batch(result.batch).removed == 2
    assert imported.search_ids(f'jurisdiction:"{US}"').ids == []


def test_a_tag_removed_or_tagged_again_by_hand_since_is_left_as_it_is(imported, ids):
    result = imported.apply_plan(imported.plan_tags(ids, "United States", "sanctuary"))
    (first,) = imported.tags(ids[0])
    imported.remove_tags([first.id], [ids[0]])
    imported.tag(ids[1], "United States", "sanctuary")  # a person tags it that way: it is theirs now
    undone = imported.undo_batch(result.batch)
    assert (undone.removed, undone.documents) == (1, [ids[2]])
    assert [t.stance for t in imported.tags(ids[1])] == ["sanctuary"]
    assert imported.tags(ids[0]) == imported.tags(ids[2]) == []


def test_applying_an_undone_batch_again_and_documents_tagged_meanwhile(imported, ids):
    plan = imported.plan_tags(ids, "United States")
    batch = imported.apply_plan(plan).batch
    imported.undo_batch(batch)
    imported.tag(ids[2], "United States")  # tagged the same way between the plan and the redo
    again = imported.apply_plan(plan, batch=batch)
    assert (again.batch, again.tagged, again.already) == (batch, ids[:2], [ids[2]])
    assert "(1 unchanged)" in again.summary()
    assert imported.undo_batch(batch).documents == sorted(ids[:2])


def test_unknown_names_and_batches_are_refused_with_what_to_do(imported, ids):
    with pytest.raises(UnknownBatch, match="mistyped"):
        imported.undo_batch("nosuchid")
    with pytest.raises(Exception, match="No jurisdiction matches"):
        imported.plan_tags(ids, "Nowhere, ZZ")


def test_tag_many_still_tags_without_a_batch(imported, ids):
    imported.tag_many(ids, "United States")
    assert imported.tag_batches() == []


def test_accepting_suggestions_is_a_plan_of_each_documents_own_tags_and_one_batch(imported, ids):
    by_title = {imported.document(i).title.split()[0]: i for i in ids}
    prairie, denver, omaha = by_title["Grand"], by_title["Denver"], by_title["Omaha"]
    imported.tag(prairie, "Grand Prairie, TX")  # its one suggestion is tagged already
    head = imported.change_head()
    plan = imported.plan_suggestions(ids, 0.8)
    assert imported.change_head() == head and plan.from_suggestion
    gets = {e.doc_id: (e.reason, e.label) for e in plan.entries}
    assert gets == {
        prairie: ("its suggestions are tagged or rejected already", ""),
        denver: ("", "Denver, CO; Denver, CO · Opposes enforcement"),
        omaha: ("", "Omaha, NE; Omaha Police Department, NE; Omaha Police Department, NE · Refuses to join raids"),
    }  # "Omaha police will not join raids": the department's stance, the department under its city
    assert {e.reason for e in imported.plan_suggestions(ids, 0.99).entries} == {"nothing suggested at 99% or more"}

    result = imported.apply_plan(plan)
    assert sorted(result.tagged) == sorted([denver, omaha]) and result.tags == 5
    assert result.summary() == "Tagged 2 documents with the suggestions scoring 80% or more (5 tags, 1 unchanged)"
    assert all(t.from_suggestion for t in imported.tags(omaha) + imported.tags(denver))
    assert imported.search_ids("stance:refuses-raids").ids == [omaha]
    assert imported.search_ids("jurisdiction:nebraska").ids == [omaha]  # the new agency is under Omaha, NE
    (listed,) = imported.tag_batches()
    assert (listed.batch, listed.documents, listed.label) == (result.batch, 2, "5 accepted suggestions")

    undone = imported.undo_batch(result.batch)
    assert (undone.removed, undone.summary()) == (5, "Removed 5 accepted suggestions from 2 documents")
    assert imported.tags(omaha) == imported.tags(denver) == []
    assert [t.jurisdiction for t in imported.tags(prairie)] == ["ocd-division/country:us/state:tx/place:grand_prairie"]
    assert imported.plan_suggestions(ids, 0.8) == plan  # undone, the suggestions are offered again
