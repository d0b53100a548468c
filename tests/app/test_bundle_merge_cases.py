"""Bundle merges that must not lose an edit, miss a conflict, leak a private note or duplicate an annotation
(each case a round trip between archives A, B and C)."""

from __future__ import annotations

import zipfile
from itertools import count

import pytest

from app.archive import Archive
from app.bundles.export import export_bundle
from app.bundles.merge import import_bundle

N = count()


@pytest.fixture
def a(imported):
    return imported


def send(src, dst, tmp_path, **kw):
    return import_bundle(dst, export_bundle(src, src.search_ids("").ids, tmp_path / f"{next(N)}.zip", **kw).path)


def doc(arch):
    return arch.search_ids("calamity").ids[0]


def on_passage(arch, trash=False):
    return [x for x in arch.annotations(trash=trash) if x.exact == "calamity"]


def test_a_private_note_edit_survives_a_recolour_from_a_copy_without_it(a, b, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", note="source: J.", private=True)
    send(a, b, tmp_path, include_private_notes=False)
    a.update_annotation(mine.uuid, note="source: J., confirmed by K.")  # A rev 2: only the private note
    b.update_annotation(mine.uuid, colour="blue")  # B rev 2: only the colour
    send(b, a, tmp_path)
    got = a.annotation(mine.uuid)
    assert got.note == "source: J., confirmed by K.", "A's private note edit erased by B's recolour"


def test_a_private_note_is_each_archives_own_a_merge_never_replaces_it(a, b, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", note="v1", private=True)
    send(a, b, tmp_path, include_private_notes=True)  # with notes: B had none, so it gets ours
    assert b.annotation(mine.uuid).note == "v1"
    a.update_annotation(mine.uuid, note="A's note")
    b.update_annotation(mine.uuid, note="B's note")
    for merged in (send(a, b, tmp_path, include_private_notes=True), send(b, a, tmp_path, include_private_notes=True)):
        assert not merged.conflicts
    assert (a.annotation(mine.uuid).note, b.annotation(mine.uuid).note) == ("A's note", "B's note")


def test_a_copy_made_public_elsewhere_does_not_publish_our_private_note(a, b, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", note="secret source", private=True)
    send(a, b, tmp_path, include_private_notes=False)
    b.update_annotation(mine.uuid, private=False)  # B never saw the note
    send(b, a, tmp_path)
    got = a.annotation(mine.uuid)
    assert (got.private, got.note) == (True, "secret source")
    out = export_bundle(a, a.search_ids("").ids, tmp_path / "public.zip", include_private_notes=False)
    leaked = b"secret source" in zipfile.ZipFile(out.path).read("dossier-bundle/data/annotations.jsonld")
    assert not leaked, "A's secret note goes out in a bundle exported without private notes"


def test_after_adopting_the_other_version_its_next_edit_is_no_conflict(a, b, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", colour="pink")
    send(a, b, tmp_path)
    a.update_annotation(mine.uuid, note="A")  # rev 2
    b.update_annotation(mine.uuid, note="B")  # rev 2
    first = send(b, a, tmp_path)
    assert first.conflicts
    copy = first.conflicts[0]["copy"]
    a.update_annotation(mine.uuid, note="B")  # A takes B's version (rev 3) ...
    a.delete_annotation(copy)  # ... and drops the copy
    assert not send(b, a, tmp_path).changed
    b.update_annotation(mine.uuid, colour="green")  # B's next edit on B's own version (rev 3)
    merged = send(b, a, tmp_path)
    assert not merged.conflicts, "B only edited a version A had already adopted"


def test_an_unresolved_conflict_copy_does_not_travel(a, b, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", colour="pink")
    send(a, b, tmp_path)
    a.update_annotation(mine.uuid, note="A")
    b.update_annotation(mine.uuid, note="B")
    send(b, a, tmp_path)  # A: original (A) + copy (B)
    send(a, b, tmp_path)  # B: original (B) + copy of A + A's copy of B
    notes = sorted(x.note for x in on_passage(b))
    assert notes.count("B") == 1, "B holds its own version twice"


def test_a_deletion_there_does_not_trash_an_edit_here(a, b, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", colour="pink")
    send(a, b, tmp_path)
    b.update_annotation(mine.uuid, note="B's finding")  # B rev 2
    a.update_annotation(mine.uuid, colour="green")  # A rev 2
    a.delete_annotation(mine.uuid)  # A rev 3
    send(a, b, tmp_path)
    assert b.annotation(mine.uuid).deleted is None, "an edit here should outweigh a deletion there"


def test_three_archives_chain_does_not_conflict(a, b, c, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", colour="pink")
    send(a, b, tmp_path)
    send(b, c, tmp_path)
    c.update_annotation(mine.uuid, note="C")
    send(c, a, tmp_path)
    a.update_annotation(mine.uuid, colour="green")
    send(a, b, tmp_path)
    r = send(b, c, tmp_path)
    assert not r.conflicts and c.annotation(mine.uuid).colour == "green" and c.annotation(mine.uuid).note == "C"
    r = send(c, a, tmp_path)
    assert not r.changed


def test_a_private_note_survives_two_recolours_from_a_copy_without_it(a, b, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", note="source: J.", private=True)
    send(a, b, tmp_path, include_private_notes=False)
    a.update_annotation(mine.uuid, note="source: J., confirmed by K.")  # A rev 2: only the private note
    b.update_annotation(mine.uuid, colour="blue")  # B rev 2
    b.update_annotation(mine.uuid, tags=["x"])  # B rev 3
    send(b, a, tmp_path)
    got = a.annotation(mine.uuid)
    assert got.note, "A's private note erased by B's copy that never had it"


def test_a_stale_private_note_elsewhere_never_replaces_ours(a, b, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", note="s1", private=True)
    send(a, b, tmp_path)  # B trusted: gets the note s1
    a.update_annotation(mine.uuid, note="s2", colour="green")  # A rev 2
    send(a, b, tmp_path, include_private_notes=False)  # B: rev 2, green, its old note s1
    send(a, b, tmp_path)  # now with notes
    b.update_annotation(mine.uuid, tags=["checked"])  # B rev 3
    send(b, a, tmp_path)
    assert a.annotation(mine.uuid).note == "s2", "A's own latest note replaced by the stale one"


def test_a_deletion_keeps_the_history_so_a_third_copy_keeps_its_edit(a, b, c, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", colour="pink")
    send(a, b, tmp_path)
    send(a, c, tmp_path)
    b.delete_annotation(mine.uuid)  # B rev 2
    send(b, a, tmp_path)  # A: trashed, its history replaced by the tombstone's []
    a.restore_annotation(mine.uuid)  # A rev 3
    a.update_annotation(mine.uuid, note="A after restoring")  # A rev 4
    c.update_annotation(mine.uuid, note="C's finding")  # C rev 2, never saw the deletion
    merged = send(a, c, tmp_path)
    got = c.annotation(mine.uuid)
    assert got.note == "C's finding" or merged.conflicts, "C's edit silently replaced"


def test_a_deletion_of_an_annotation_never_seen_adds_nothing(a, b, tmp_path):
    x = a.annotate(doc(a), quote="calamity", note="draft")
    a.delete_annotation(x.uuid)
    merged = send(a, b, tmp_path)
    b.empty_trash()
    a.restore_annotation(x.uuid)
    again = send(a, b, tmp_path)
    assert merged.annotations_added == 0 and again.annotations_added == 1 and b.annotation(x.uuid).note == "draft"


def _moved_in_a(a, b, tmp_path):
    """An annotation both archives have, which A then places on another passage (revision 2)."""
    d = doc(a)
    x = a.annotate(d, quote="calamity", note="about the word")
    send(a, b, tmp_path)
    start = a.text(d).index("Denver City Government")
    a.update_annotation(x.uuid, start=start, end=start + len("Denver City Government"))
    return x.uuid


def test_moving_an_annotation_to_another_passage_travels(a, b, tmp_path):
    uuid = _moved_in_a(a, b, tmp_path)
    send(a, b, tmp_path)
    assert b.annotation(uuid).exact == "Denver City Government"


def test_a_move_here_and_a_note_there_conflict(a, b, tmp_path):
    uuid = _moved_in_a(a, b, tmp_path)
    b.update_annotation(uuid, note="B's note")  # B revision 2
    merged = send(b, a, tmp_path)
    assert a.annotation(uuid).exact == "Denver City Government" and merged.conflicts, "A's move undone silently"


def test_an_annotation_on_the_review_list_travels_in_a_bundle_that_opens(imported, tmp_path, sample_files):
    with Archive.open(tmp_path / "b2") as b, Archive.open(tmp_path / "c2") as c:
        b.import_paths([sample_files])
        doc_b = b.search_ids("omaha").ids[0]
        text = b.text(doc_b).replace("does not intend", "has no plan")  # B's extractor: other words
        with b._guard:
            b.conn.execute("UPDATE document_text SET text = ? WHERE doc_id = ?", (text, doc_b))
        doc_a = imported.search_ids("omaha").ids[0]
        mine = imported.annotate(doc_a, quote="does not intend to participate", colour="pink")
        send(imported, b, tmp_path)
        assert b.annotation(mine.uuid).review  # the quote is not in B's text: on B's review list
        assert send(b, c, tmp_path).annotations_added == 1  # B's bundle still opens elsewhere
        assert c.annotation(mine.uuid).review


def test_a_bundle_without_notes_keeps_the_history_for_a_third_copy(a, b, c, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", note="s", private=True)
    send(a, b, tmp_path)
    send(a, c, tmp_path)
    a.update_annotation(mine.uuid, colour="green")  # A rev 2
    send(a, b, tmp_path, include_private_notes=False)  # B takes rev 2 with history []
    b.update_annotation(mine.uuid, tags=["checked"])  # B rev 3
    c.update_annotation(mine.uuid, note="C's own note")  # C rev 2, concurrent with A and B
    merged = send(b, c, tmp_path)
    got = c.annotation(mine.uuid)
    assert got.note == "C's own note" or merged.conflicts, "C's edit silently replaced"


def test_what_an_unsigned_bundle_brings_is_never_signed_with_the_receivers_name(a, b, tmp_path):
    mine = a.annotate(doc(a), quote="calamity", note="n")
    a.tag(doc(a), "Denver, CO")
    send(a, b, tmp_path)  # A signs with no name
    assert b.annotation(mine.uuid).creator == "anonymous"
    assert {t.created_by for t in b.tags(doc(b))} == {"anonymous"}
    b.update_annotation(mine.uuid, colour="blue")
    out = export_bundle(b, b.search_ids("").ids, tmp_path / "from-b.zip", signed_as="Bea")
    with zipfile.ZipFile(out.path) as zf:
        assert b'"creator": "Bea"' not in zf.read("dossier-bundle/data/annotations.jsonld")
    import_bundle(a, out.path)
    back = a.annotation(mine.uuid)
    assert (back.colour, back.creator) == ("blue", ""), "A's own annotation is still A's after B's edit"
