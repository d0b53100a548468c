"""Two laptops share one archive through a real PostgreSQL server (issue 17's done check)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.archive import Archive

pytestmark = pytest.mark.server


def bbc(corpus: Path, section: str, *numbers: int) -> list[Path]:
    return [corpus / "text" / "bbc" / section / f"{n:03d}.txt" for n in numbers]


def snapshot(archive: Archive) -> dict:
    """Documents by hash with their title, text, tags and annotations (conflict copies aside)."""
    out = {}
    for doc in archive.documents_by_id(archive.documents.ids()).values():
        tags = sorted((t.jurisdiction, t.stance or "", t.start, t.end, t.quote) for t in archive.tags(doc.id))
        notes = sorted(
            (a.uuid, a.start, a.end, a.exact, a.note, a.colour, tuple(a.tags), a.stance or "", a.revision, a.private)
            for a in archive.annotations(doc.id)
            if not a.conflict_of
        )
        out[doc.sha256] = (doc.title, archive.text(doc.id), tags, notes)
    return out


def test_two_laptops_end_with_the_same_documents_tags_and_annotations(newsroom, laptops):
    a, b = laptops
    first = a.sync(newsroom.url("alice"), "desk")
    assert first.pushed_documents == 4 and first.pushed_annotations == 2 and first.pushed_tags == 2
    second = b.sync(newsroom.url("bob"), "desk")
    assert second.pushed_documents == 2  # the politics file both imported went up once
    assert second.pulled_documents == 3 and second.pulled_annotations == 2 and second.pulled_tags == 2
    third = a.sync()  # the server and project of the last sync
    assert third.pulled_documents == 2 and third.pulled_annotations == 1 and third.pulled_tags == 1
    assert len(a.documents.ids()) == len(b.documents.ids()) == 6
    ours, theirs = snapshot(a), snapshot(b)
    private = [n for notes in ours.values() for n in notes[3] if n[-1]]
    assert len(private) == 1 and private[0][4] == "my source says 80%"
    assert [n[4] for notes in theirs.values() for n in notes[3] if n[-1]] == [""]  # the note stayed on laptop A
    blank = {sha: (t, x, g, [n if not n[-1] else (*n[:4], "", *n[5:]) for n in notes])
             for sha, (t, x, g, notes) in ours.items()}  # fmt: skip
    assert blank == theirs
    # found by the local index on B, including what came from A: tags, custom jurisdiction, notes
    assert b.search_ids("note:quarter").total == 1 and b.search_ids('jurisdiction:"New York"').total == 1
    assert "my source says" not in str(newsroom.query("SELECT fields FROM dossier.annotations"))
    # the same sync twice changes nothing, on either side
    head, local = newsroom.query("SELECT max(seq) FROM dossier.documents")[0][0], b.change_head()
    for laptop in (a, b, a, b):
        again = laptop.sync()
        assert not again.pulled_documents and not again.pulled_annotations and not again.conflicts
    assert not b.sync().changed
    assert newsroom.query("SELECT max(seq) FROM dossier.documents")[0][0] == head
    assert b.change_head() == local and snapshot(b) == theirs


def test_an_annotation_edited_on_both_laptops_shows_both_versions_for_review_on_both(newsroom, laptops):
    a, b = laptops
    a.sync(newsroom.url("alice"), "desk")
    b.sync(newsroom.url("bob"), "desk")
    (shared,) = [x for x in a.annotations() if x.note == "check the quarter"]
    a.update_annotation(shared.uuid, note="alice: it is the Q4 figure")
    b.update_annotation(shared.uuid, note="bob: the figure is for the year")
    assert a.sync().conflicts_on_server == 0
    report = b.sync()
    assert len(report.conflicts) == 1 and report.conflicts_on_server == 1
    a.sync()
    for laptop, own, other in ((a, "alice", "bob"), (b, "bob", "alice")):
        review = laptop.annotations(review=True)
        assert [x.note.split(":")[0] for x in review] == [other]
        (copy,) = review
        assert copy.conflict_of == shared.uuid
        assert laptop.annotation(shared.uuid).note.startswith(own)
    # settled on one laptop, the choice travels: the other takes it and the server's copy goes to the trash
    (copy,) = b.annotations(review=True)
    b.resolve_conflict(copy.uuid, "theirs")
    b.sync()
    a.sync()
    assert a.annotation(shared.uuid).note == b.annotation(shared.uuid).note == "alice: it is the Q4 figure"
    assert a.annotations(review=True) == []
    assert not a.sync().changed and not b.sync().pulled_annotations


def test_a_deletion_travels_as_a_tombstone(newsroom, laptops):
    a, b = laptops
    a.sync(newsroom.url("alice"), "desk")
    b.sync(newsroom.url("bob"), "desk")
    a.sync()
    (shared,) = [x for x in b.annotations() if x.note == "check the quarter"]
    b.delete_annotation(shared.uuid)
    b.sync()
    assert a.sync().pulled_annotations == 1
    assert shared.uuid in {x.uuid for x in a.annotations(trash=True)}
    assert shared.uuid not in {x.uuid for x in a.annotations()}
