"""Bundles round trip: A -> bundle -> empty B is complete; B -> bundle -> A adds nothing; edits merge."""

from __future__ import annotations

import json
import zipfile

import pytest

from app.archive import Archive
from app.bundles.export import export_bundle
from app.bundles.merge import import_bundle
from app.errors import DossierError
from app.models import StanceRule


@pytest.fixture
def a(imported):
    omaha = imported.search_ids("omaha").ids[0]
    imported.tag(omaha, "Omaha, NE", "sanctuary")
    imported.add_jurisdiction("Omaha Police Department", "police department", "Omaha, NE")
    imported.tag(omaha, "Omaha Police Department", "sanctuary", start=0, end=5)
    imported.annotate(
        omaha,
        quote="does not intend to participate",
        note="key quote",
        tags=["quote"],
        jurisdiction="Omaha, NE",
        stance="sanctuary",
    )
    imported.annotate(imported.search_ids("calamity").ids[0], quote="calamity", colour="pink")
    return imported


def snapshot(archive) -> dict:
    out = {}
    for doc in archive.documents_by_id(archive.search_ids("").ids).values():
        tags = sorted((t.jurisdiction, t.stance, t.start, t.end, t.quote) for t in archive.tags(doc.id))
        notes = sorted(
            (x.uuid, x.start, x.end, x.exact, x.prefix, x.suffix, x.note, x.colour, tuple(x.tags), x.stance, x.revision)
            for x in archive.annotations(doc.id)
        )
        out[doc.sha256] = (doc.title, doc.kind, archive.text(doc.id), tags, notes)
    return out


def test_a_to_empty_b_then_back_adds_nothing(a, b, tmp_path):
    first = export_bundle(a, a.search_ids("").ids, tmp_path / "a.zip", query="all")
    merged = import_bundle(b, first.path)
    assert len(merged.documents_added) == 3 and merged.annotations_added == 2 and merged.tags_added == 2
    assert snapshot(b) == snapshot(a)
    assert b.search_ids("jurisdiction:nebraska stance:sanctuary").total == 1 and b.search_ids("note:key").total == 1
    again = import_bundle(b, first.path)
    assert not again.changed and again.annotations_unchanged == 2 and again.tags_existing == 2
    back = export_bundle(b, b.search_ids("").ids, tmp_path / "b.zip")
    assert not import_bundle(a, back.path).changed and snapshot(a) == snapshot(b)


def test_newer_revisions_win_and_true_conflicts_keep_both(a, b, tmp_path):
    import_bundle(b, export_bundle(a, a.search_ids("").ids, tmp_path / "a.zip").path)
    key = next(x for x in a.annotations() if x.exact == "does not intend to participate")
    pink = next(x for x in a.annotations() if x.exact == "calamity")
    a.update_annotation(key.uuid, note="edited in A")  # A only: revision 2
    a.update_annotation(pink.uuid, note="A's note")  # both sides: a true conflict
    b.update_annotation(pink.uuid, note="B's note")
    merged = import_bundle(b, export_bundle(a, a.search_ids("").ids, tmp_path / "a2.zip").path)
    assert merged.annotations_updated == 1 and len(merged.conflicts) == 1
    assert b.annotation(key.uuid).note == "edited in A"
    assert b.annotation(pink.uuid).note == "B's note"
    (copy,) = b.annotations(review=True)
    assert copy.note == "A's note" and copy.uuid == merged.conflicts[0]["copy"]
    assert not import_bundle(b, tmp_path / "a2.zip").changed  # the same bundle again: no second copy


def test_changes_on_both_sides_conflict_whatever_their_revision_numbers(a, b, tmp_path):
    import_bundle(b, export_bundle(a, a.search_ids("").ids, tmp_path / "a.zip").path)
    pink = next(x for x in a.annotations() if x.exact == "calamity")
    a.update_annotation(pink.uuid, note="A's first thought")
    a.update_annotation(pink.uuid, note="A's second thought")  # revision 3 in A
    b.update_annotation(pink.uuid, colour="blue")  # revision 2 in B, made without A's edits
    merged = import_bundle(b, export_bundle(a, a.search_ids("").ids, tmp_path / "a2.zip").path)
    assert len(merged.conflicts) == 1 and merged.annotations_updated == 0  # before: A's revision 3 won, B's lost
    assert (b.annotation(pink.uuid).colour, b.annotation(pink.uuid).note) == ("blue", "")
    (copy,) = b.annotations(review=True)
    assert (copy.colour, copy.note) == ("pink", "A's second thought")
    back = import_bundle(a, export_bundle(b, b.search_ids("").ids, tmp_path / "b.zip").path)
    assert len(back.conflicts) == 1  # the other way too: A keeps its version and gets B's as a copy


def test_an_edit_is_not_lost_to_a_copy_with_more_revisions_and_the_same_content(a, b, tmp_path):
    import_bundle(b, export_bundle(a, a.search_ids("").ids, tmp_path / "a.zip").path)
    pink = next(x for x in a.annotations() if x.exact == "calamity")
    b.delete_annotation(pink.uuid)
    b.restore_annotation(pink.uuid)  # revision 3 in B, as it was
    a.update_annotation(pink.uuid, note="checked with the city")  # revision 2 in A
    merged = import_bundle(b, export_bundle(a, a.search_ids("").ids, tmp_path / "a2.zip").path)
    assert merged.annotations_updated == 1 and not merged.conflicts
    assert b.annotation(pink.uuid).note == "checked with the city"
    assert not import_bundle(a, export_bundle(b, b.search_ids("").ids, tmp_path / "b.zip").path).changed


def test_copies_made_before_histories_were_kept_merge_by_revision(a, b, tmp_path):
    import_bundle(b, export_bundle(a, a.search_ids("").ids, tmp_path / "a.zip").path)
    pink = next(x for x in a.annotations() if x.exact == "calamity")
    a.update_annotation(pink.uuid, note="A's note")
    with a._guard:  # as an archive from before schema version 5 has it
        a.conn.execute("UPDATE annotations SET history = '[]'")
    merged = import_bundle(b, export_bundle(a, a.search_ids("").ids, tmp_path / "a2.zip").path)
    assert merged.annotations_updated == 1 and b.annotation(pink.uuid).note == "A's note"


def test_new_vocabularies_arrive_but_not_their_regular_expressions(a, b, tmp_path):
    a.add_stance_set("budget", "City budget")
    a.save_stance(
        "budget", "cuts", "Cuts", rules=[StanceRule("phrase", "cut the budget"), StanceRule("regex", "(a+)+$")]
    )
    omaha = a.search_ids("omaha").ids[0]
    a.tag(omaha, "Omaha, NE", "budget/cuts")
    merged = import_bundle(b, export_bundle(a, [omaha], tmp_path / "a.zip").path)
    assert merged.stances_added == ["budget/cuts"] and merged.regex_rules_skipped == 1
    (cuts,) = [s for ss in b.stance_sets() if ss.id == "budget" for s in ss.stances]
    assert [(r.kind, r.pattern) for r in cuts.rules] == [("phrase", "cut the budget")]
    assert "Omaha Police Department, NE" in {p.display for p in b.gazetteer if p.level == "police department"}


def test_a_private_note_left_out_of_a_bundle_is_not_erased_when_it_comes_back(a, b, tmp_path):
    omaha = a.search_ids("omaha").ids[0]
    secret = a.annotate(omaha, quote="the chief said", note="source is the chief's cousin", private=True)
    import_bundle(b, export_bundle(a, [omaha], tmp_path / "out.zip", include_private_notes=False).path)
    assert b.annotation(secret.uuid).note == ""
    b.update_annotation(secret.uuid, colour="green")  # revision 2 in B
    b_omaha = b.search_ids("omaha").ids[0]
    merged = import_bundle(a, export_bundle(b, [b_omaha], tmp_path / "back.zip", include_private_notes=False).path)
    assert merged.annotations_updated == 1 and not merged.conflicts
    back = a.annotation(secret.uuid)
    assert (back.colour, back.note) == ("green", "source is the chief's cousin")


def test_passages_are_anchored_on_our_own_text_when_it_differs(a, b, tmp_path):
    omaha = a.search_ids("omaha").ids[0]
    import_bundle(b, export_bundle(a, [omaha], tmp_path / "first.zip").path)
    b_doc = b.search_ids("omaha").ids[0]
    text = b.text(b_doc)
    with b._guard:  # B's text of the same original came from another extractor: a new opening line
        b.documents.conn.execute("UPDATE document_text SET text = ? WHERE doc_id = ?", ("Updated.\n\n" + text, b_doc))
    note = a.annotate(omaha, quote="Omaha Police Department")
    import_bundle(b, export_bundle(a, [omaha], tmp_path / "second.zip").path)
    placed = b.annotation(note.uuid)
    assert b.text(b_doc)[placed.start : placed.end] == "Omaha Police Department" and placed.review is None


def test_a_deletion_travels(a, b, tmp_path):
    import_bundle(b, export_bundle(a, a.search_ids("").ids, tmp_path / "first.zip").path)
    gone = next(x for x in a.annotations() if x.exact == "calamity")
    a.delete_annotation(gone.uuid)
    merged = import_bundle(b, export_bundle(a, a.search_ids("").ids, tmp_path / "second.zip").path)
    assert merged.annotations_updated == 1
    kept = b.annotation(gone.uuid)
    assert kept.deleted and kept.exact == "calamity" and gone.uuid not in {x.uuid for x in b.annotations()}


def test_an_annotation_deleted_for_good_does_not_come_back(a, b, tmp_path):
    bundle = export_bundle(a, a.search_ids("").ids, tmp_path / "a.zip").path
    import_bundle(b, bundle)
    gone = next(x for x in b.annotations() if x.exact == "calamity")
    b.delete_annotation(gone.uuid)
    assert b.empty_trash() == 1
    merged = import_bundle(b, bundle)
    assert not merged.changed and gone.uuid not in {x.uuid for x in b.annotations() + b.annotations(trash=True)}


# -- merging by history: round trips that must not lose a person's change ------------------------


def _send(src, dst, path, **kw):
    return import_bundle(dst, export_bundle(src, src.search_ids("").ids, path, **kw).path)


def test_restore_after_a_round_tripped_delete_is_not_undone(a, b, tmp_path):
    _send(a, b, tmp_path / "1.zip")
    pink = next(x for x in a.annotations() if x.exact == "calamity")
    a.delete_annotation(pink.uuid)
    _send(a, b, tmp_path / "2.zip")  # B gets the tombstone: trashed in B
    assert b.annotation(pink.uuid).deleted
    a.restore_annotation(pink.uuid)  # A changes its mind
    _send(b, a, tmp_path / "3.zip")  # B sends back what A already had (older)
    assert a.annotation(pink.uuid).deleted is None, "A's restore was undone by B's older tombstone"


def test_colour_toggle_back_is_not_overwritten_by_an_older_copy(a, b, tmp_path):
    _send(a, b, tmp_path / "1.zip")
    pink = next(x for x in a.annotations() if x.exact == "calamity")
    a.update_annotation(pink.uuid, colour="green")
    _send(a, b, tmp_path / "2.zip")  # B: green
    a.update_annotation(pink.uuid, colour="pink")  # A goes back to pink (newest)
    _send(b, a, tmp_path / "3.zip")  # B's green is older than A's pink
    assert a.annotation(pink.uuid).colour == "pink", "A's newest edit replaced by B's older copy"


def test_private_note_survives_a_recoloured_copy_from_a_bundle_that_left_it_out(imported, b, tmp_path):
    doc = imported.search_ids("calamity").ids[0]
    mine = imported.annotate(doc, quote="calamity", note="secret source: J.", private=True)
    _send(imported, b, tmp_path / "1.zip", include_private_notes=False)
    assert b.annotation(mine.uuid).note == ""
    b.update_annotation(mine.uuid, colour="blue")  # B's only change
    _send(b, imported, tmp_path / "2.zip", include_private_notes=True)  # B has none to include
    got = imported.annotation(mine.uuid)
    assert got.note == "secret source: J.", "A's private note was erased by B's recoloured copy"


def test_a_one_sided_edit_is_not_a_conflict_when_the_two_texts_differ_in_spacing(imported, tmp_path, sample_files):
    """Both archives hold the same original; B's text of it was extracted a little differently (one more
    space inside the quoted passage, as another extractor version gives)."""
    with Archive.open(tmp_path / "b") as b:
        b.import_paths([sample_files])
        doc_b = b.search_ids("omaha").ids[0]
        text = b.text(doc_b).replace("does not intend", "does  not intend")
        with b._guard:
            b.conn.execute("UPDATE document_text SET text = ? WHERE doc_id = ?", (text, doc_b))
        doc_a = imported.search_ids("omaha").ids[0]
        mine = imported.annotate(doc_a, quote="does not intend to participate", colour="pink")
        _send(imported, b, tmp_path / "1.zip")
        b.update_annotation(mine.uuid, colour="green")  # only B changes it
        merged = _send(b, imported, tmp_path / "2.zip")
        assert not merged.conflicts and imported.annotation(mine.uuid).colour == "green"


def test_annotations_edited_before_histories_still_conflict_after_edits_on_both_sides(a, b, tmp_path):
    pink = next(x for x in a.annotations() if x.exact == "calamity")
    a.update_annotation(pink.uuid, note="before the upgrade")  # revision 2
    with a._guard:  # as schema v5's migration leaves it: revision 2, no history
        a.conn.execute("UPDATE annotations SET history = '[]'")
    _send(a, b, tmp_path / "1.zip")  # both copies: revision 2, history []
    for n in range(3):
        a.update_annotation(pink.uuid, note=f"A's thought {n}")  # after the upgrade, revision 5
    b.update_annotation(pink.uuid, colour="blue")  # after the upgrade, revision 3
    merged = _send(a, b, tmp_path / "2.zip")
    got = b.annotation(pink.uuid)
    assert merged.conflicts and got.colour == "blue", "B's edit lost to A's higher revision count"


def _conflict(a, b, tmp_path):
    """Both archives change the pink annotation; B imports A's version: one conflict copy in B."""
    _send(a, b, tmp_path / "1.zip")
    pink = next(x for x in a.annotations() if x.exact == "calamity")
    a.update_annotation(pink.uuid, note="A: the mayor's word")
    a.update_annotation(pink.uuid, colour="green")
    b.update_annotation(pink.uuid, note="B: the editorial board's word")
    (conflict,) = _send(a, b, tmp_path / "a2.zip").conflicts
    return pink.uuid, conflict["copy"]


def test_keeping_our_version_travels_and_the_conflict_does_not_come_back(a, b, tmp_path):
    uuid, copy = _conflict(a, b, tmp_path)
    assert b.annotation(copy).conflict_of == uuid
    assert copy not in {x["dossier:fields"]["uuid"] for x in _bundle_items(b, tmp_path / "b1.zip")}
    settled = b.resolve_conflict(copy, "ours")
    assert settled.note == "B: the editorial board's word" and b.annotations(review=True) == []
    assert not _send(a, b, tmp_path / "again.zip").changed  # A's version again: already decided
    merged = _send(b, a, tmp_path / "b2.zip")
    assert merged.annotations_updated == 1 and not merged.conflicts  # A takes B's choice
    assert (a.annotation(uuid).note, a.annotation(uuid).colour) == ("B: the editorial board's word", "pink")
    assert not _send(a, b, tmp_path / "a3.zip").changed


def test_keeping_the_bundles_version_leaves_one_annotation_on_both_sides(a, b, tmp_path):
    uuid, copy = _conflict(a, b, tmp_path)
    settled = b.resolve_conflict(copy, "theirs")
    assert (settled.uuid, settled.note, settled.colour) == (uuid, "A: the mayor's word", "green")
    assert [x.uuid for x in b.annotations() if x.exact == "calamity"] == [uuid]
    assert not _send(b, a, tmp_path / "b2.zip").changed
    assert [x.uuid for x in a.annotations() if x.exact == "calamity"] == [uuid]
    with pytest.raises(DossierError, match="not a bundle's conflicting version"):
        b.resolve_conflict(uuid, "ours")


def _bundle_items(archive, path) -> list[dict]:
    bundle = export_bundle(archive, archive.search_ids("").ids, path).path
    with zipfile.ZipFile(bundle) as z:
        name = next(n for n in z.namelist() if n.endswith("data/annotations.jsonld"))
        return json.loads(z.read(name))["items"]


def test_a_private_note_sent_on_purpose_is_shown_but_never_indexed_by_the_receiver(corpus, tmp_path, b):
    with Archive.open(tmp_path / "a") as a:
        a.import_paths([corpus / "seed"])
        seed = a.search_ids("").ids[0]
        secret = a.annotate(seed, quote="Minneapolis", occurrence=1, note="Zanzibarquux told me", private=True)
        a.annotate(seed, quote="Minneapolis", occurrence=2, note="Quixotrel said so")
        assert a.search_ids("zanzibarquux").total == 1  # the writer finds their own private note
        bundle = export_bundle(a, [seed], tmp_path / "mine.zip", include_private_notes=True, signed_as="Ana")
    import_bundle(b, bundle.path)
    received = b.annotation(secret.uuid)
    assert (received.note, received.private) == ("Zanzibarquux told me", True)  # shown, marked private
    for query in ("zanzibarquux", "note:zanzibarquux", "note:told"):
        assert b.search_ids(query).total == 0, query
    assert b.search_ids("quixotrel").total == 1  # a shared note is searchable as ever
    b.update_annotation(secret.uuid, colour="green")  # edited here, and after a full rebuild: still not indexed
    b.reindex()
    assert b.search_ids("zanzibarquux").total == 0
    hit = b.hits("note:quixotrel OR note:zanzibarquux", b.search_ids("quixotrel").ids)[0]
    assert "Quixotrel" in hit.snippet and "Zanzibarquux" not in hit.snippet
