"""Bundle merges by each annotation's history: round trips that must not lose a person's change."""

from __future__ import annotations

import pytest

from app.archive import Archive
from app.bundles.export import export_bundle
from app.bundles.merge import import_bundle


@pytest.fixture
def a(imported):
    imported.annotate(imported.search_ids("calamity").ids[0], quote="calamity", colour="pink")
    return imported


@pytest.fixture
def b(tmp_path):
    with Archive.open(tmp_path / "b") as opened:
        yield opened


def _send(src, dst, path, **kw):
    return import_bundle(dst, export_bundle(src, src.search_ids("").ids, path, **kw).path)


def test_restore_after_a_round_tripped_delete_is_not_undone(a, b, tmp_path):
    _send(a, b, tmp_path / "1.zip")
    pink = a.annotations()[0]
    a.delete_annotation(pink.uuid)
    _send(a, b, tmp_path / "2.zip")  # B gets the tombstone: trashed in B
    assert b.annotation(pink.uuid).deleted
    a.restore_annotation(pink.uuid)  # A changes its mind
    _send(b, a, tmp_path / "3.zip")  # B sends back what A already had (older)
    assert a.annotation(pink.uuid).deleted is None, "A's restore was undone by B's older tombstone"


def test_colour_toggle_back_is_not_overwritten_by_an_older_copy(a, b, tmp_path):
    _send(a, b, tmp_path / "1.zip")
    pink = a.annotations()[0]
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
    _send(b, imported, tmp_path / "2.zip")  # B's default export (private notes included: B has none)
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
    pink = a.annotations()[0]
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
