"""Passage annotations: made by quote or offsets, edited with revisions, trashed and restored,
searchable by note, and never lost when the text is extracted again."""

from __future__ import annotations

import pytest

from app.errors import DossierError


@pytest.fixture
def omaha(imported):
    return imported.search_ids("omaha").ids[0]


def test_annotate_by_quote_keeps_both_selectors(imported, omaha):
    made = imported.annotate(
        omaha, quote="does not intend to participate", note="Chief's words", tags=["Quote", "raids"]
    )
    text = imported.text(omaha)
    assert text[made.start : made.end] == made.exact == "does not intend to participate"
    assert text[: made.start].endswith(made.prefix) and text[made.end :].startswith(made.suffix)
    assert 0 < len(made.prefix) <= 32 and made.tags == ["quote", "raids"] and made.revision == 1
    w3c = made.to_w3c(imported.document(omaha).sha256)
    kinds = [s["type"] for s in w3c["target"]["selector"]]
    assert kinds == ["TextQuoteSelector", "TextPositionSelector"] and w3c["id"] == f"urn:uuid:{made.uuid}"
    assert {"type": "TextualBody", "value": "Chief's words", "purpose": "commenting"} in w3c["body"]


def test_bad_passages_say_what_to_do(imported, omaha):
    with pytest.raises(DossierError):
        imported.annotate(omaha, quote="no such words in it")
    with pytest.raises(DossierError, match="characters"):
        imported.annotate(omaha, start=5, end=10**6)
    with pytest.raises(DossierError, match="colour"):
        imported.annotate(omaha, quote="Omaha", occurrence=1, colour="plaid")
    with pytest.raises(DossierError, match="always about a jurisdiction"):
        imported.annotate(omaha, quote="Omaha", occurrence=1, stance="sanctuary")


def test_notes_are_searchable_and_hits_in_notes_say_so(imported, omaha):
    imported.annotate(omaha, quote="the chief said", note="Compare with the Denver calamity statement")
    assert imported.search_ids("note:calamity").ids == [omaha]
    (hit,) = imported.hits("note:calamity", [omaha])
    assert hit.snippet.startswith("Note: ") and "<mark>calamity</mark>" in hit.snippet


def test_edit_trash_restore_and_the_revision_counter(imported, omaha):
    made = imported.annotate(omaha, quote="Omaha Police Department")
    edited = imported.update_annotation(
        made.uuid, note="key quote", colour="green", jurisdiction="Omaha, NE", stance="sanctuary"
    )
    assert (edited.revision, edited.colour, edited.stance) == (2, "green", "sanctuary")
    assert imported.search_ids("stance:sanctuary jurisdiction:nebraska").ids == [omaha]
    imported.delete_annotation(made.uuid)
    assert imported.annotations(omaha) == [] and [a.uuid for a in imported.annotations(trash=True)] == [made.uuid]
    assert imported.search_ids("note:key").ids == []
    restored = imported.restore_annotation(made.uuid)
    assert restored.revision == 4 and imported.search_ids("note:key").ids == [omaha]
    imported.delete_annotation(made.uuid)
    assert imported.empty_trash() == 1 and imported.annotations(trash=True) == []


def test_annotations_survive_a_rebuild_of_the_index(imported, omaha):
    imported.annotate(omaha, quote="any raids", note="raids quote")
    imported.reindex()
    assert imported.search_ids("note:raids").ids == [omaha]


def test_reextraction_with_changed_text_keeps_moves_or_flags_every_annotation(imported, omaha, monkeypatch):
    from indexer.formats import plaintext

    kept = imported.annotate(omaha, quote="Omaha police will not join raids")
    passage = imported.text(omaha).index("does not intend")
    tag = imported.tag(omaha, "Omaha, NE", "sanctuary", start=passage, end=passage + len("does not intend"))
    moved = imported.annotate(omaha, quote="does not intend to participate")
    doomed = imported.annotate(omaha, quote="the chief said")
    trashed = imported.annotate(omaha, quote="police will not join")
    imported.delete_annotation(trashed.uuid)
    original = plaintext.extract

    def changed_extractor(data, passwords=()):  # a "newer extractor": new whitespace, a rewritten sentence
        got = original(data, passwords)
        text = got.text.replace("Department does not intend", "Department  does\nnot intend")
        text = text.replace("the chief said", "according to a statement")
        return type(got)(text=text, title=got.title)

    monkeypatch.setattr("indexer.sandbox.ExtractorPool", _InProcessPool)
    monkeypatch.setattr("app.annotating.ExtractorPool", _InProcessPool)
    monkeypatch.setattr(plaintext, "extract", changed_extractor)
    report = imported.reextract([omaha])
    assert report.changed == 1 and report.kept == 2 and report.moved == 1 and report.review == [doomed.uuid]
    text = imported.text(omaha)
    again = {a.uuid: a for a in imported.annotations(omaha)}
    assert set(again) == {kept.uuid, moved.uuid, doomed.uuid}  # none lost
    assert text[again[kept.uuid].start : again[kept.uuid].end] == "Omaha police will not join raids"
    assert " ".join(text[again[moved.uuid].start : again[moved.uuid].end].split()) == "does not intend to participate"
    assert again[doomed.uuid].review and "the chief said" in again[doomed.uuid].review
    assert [a.uuid for a in imported.annotations(review=True)] == [doomed.uuid]
    assert again[moved.uuid].revision == 2 and again[doomed.uuid].revision == 2  # merges see the move
    restored = imported.restore_annotation(trashed.uuid)  # the trash was re-anchored too
    assert text[restored.start : restored.end] == "police will not join"
    (moved_tag,) = [t for t in imported.tags(omaha) if t.id == tag.id]
    assert " ".join(text[moved_tag.start : moved_tag.end].split()) == "does not intend" and report.tags_review == []
    placed = imported.update_annotation(doomed.uuid, start=text.index("according"), end=text.index("according") + 9)
    assert placed.review is None and placed.exact == "according"


class _InProcessPool:
    """Runs the extractor in this process so the test can swap in a changed one."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def run(self, jobs, cancel):
        from indexer.extract import extract
        from indexer.sandbox import Outcome

        for job in jobs:
            yield Outcome(job.key, extracted=extract(job.kind, job.data, job.passwords))


def test_a_quote_found_twice_needs_its_occurrence(imported, omaha):
    with pytest.raises(DossierError, match="occurs 2 times; say which with --occurrence 1 to 2"):
        imported.annotate(omaha, quote="Omaha")
    second = imported.annotate(omaha, quote="Omaha", occurrence=2)
    assert second.start == imported.text(omaha).index("Omaha", 1)


def test_messages_the_window_shows_name_no_command_line_flags(imported, omaha):
    made = imported.annotate(omaha, quote="the chief said")
    with pytest.raises(DossierError) as stance_alone:
        imported.update_annotation(made.uuid, stance="sanctuary")
    assert str(stance_alone.value) == "A stance is always about a jurisdiction: choose the jurisdiction too."
    assert "--jurisdiction" in stance_alone.value.cli_hint
    with pytest.raises(DossierError) as nowhere:
        imported.resolve_jurisdiction("Xyzzyville")
    assert "dossier" not in str(nowhere.value) and "`dossier jurisdictions`" in nowhere.value.cli_hint
