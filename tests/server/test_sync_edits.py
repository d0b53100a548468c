"""Title and date edits and tag removals travel through a real PostgreSQL server by the bundle merge's decision;
edits on both laptops show on both review lists; a pull takes the texts it can trust instead of extracting
them again."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from app.archive import Archive

from .test_sync import snapshot

pytestmark = pytest.mark.server


def synced(newsroom, laptops):
    a, b = laptops
    a.sync(newsroom.url("alice"), "desk")
    b.sync(newsroom.url("bob"), "desk")
    a.sync()
    return a, b


def on(archive: Archive, query: str) -> int:
    return archive.search_ids(query).ids[0]


def test_a_title_edited_on_a_and_a_tag_removed_on_b_end_the_same_on_both(newsroom, laptops):
    a, b = synced(newsroom, laptops)
    on_a, on_b = on(a, "timewarner"), on(b, "timewarner")
    a.update_metadata(on_a, title="Time Warner's fourth quarter", published=date(2005, 1, 1))
    (new_york,) = [t for t in b.tags(on_b) if t.stance == "sanctuary"]
    b.remove_tags([new_york.id], [on_b])
    pushed = a.sync()
    assert pushed.pushed_fields == 2 and not pushed.field_conflicts_on_server
    both = b.sync()
    assert both.pushed_tag_removals == 1 and both.pulled_fields == 2 and not both.field_conflicts
    assert a.sync().pulled_tag_removals == 1
    for laptop, doc_id in ((a, on_a), (b, on_b)):
        doc = laptop.document(doc_id)
        assert (doc.title, doc.published) == ("Time Warner's fourth quarter", date(2005, 1, 1))
        assert [t.stance for t in laptop.tags(doc_id)] == [None]  # the passage tag stays, the stance tag went
        assert laptop.search_ids('title:"fourth quarter"').ids == [doc_id]
    assert public(snapshot(a)) == public(snapshot(b))
    row = newsroom.query("SELECT count(*) FROM dossier.tags WHERE removed_at IS NOT NULL")[0][0]
    assert row == 1  # the server keeps the removal as a tombstone
    for laptop in (a, b, a, b):
        assert not laptop.sync().changed
    with Archive.open(a.folder.parent / "laptop-c") as c:  # a third laptop gets the edited state, not the old one
        c.sync(newsroom.url("alice"), "desk")
        assert public(snapshot(c)) == public(snapshot(b))


def public(snap: dict) -> dict:
    """A snapshot with private notes blanked (they never leave their laptop)."""
    return {sha: (t, x, g, [(*n[:4], "" if n[-1] else n[4], *n[5:]) for n in notes])
            for sha, (t, x, g, notes) in snap.items()}  # fmt: skip


def test_titles_edited_on_both_laptops_show_in_the_review_list_on_both(newsroom, laptops):
    a, b = synced(newsroom, laptops)
    on_a, on_b = on(a, "timewarner"), on(b, "timewarner")
    a.update_metadata(on_a, title="alice: Time Warner profits")
    b.update_metadata(on_b, title="bob: Time Warner's quarter")
    assert a.sync().pushed_fields == 1
    report = b.sync()
    assert report.field_conflicts_on_server == 1 and len(report.field_conflicts) == 1
    assert len(a.sync().field_conflicts) == 1
    for laptop, doc_id, own, other in ((a, on_a, "alice", "bob"), (b, on_b, "bob", "alice")):
        assert laptop.document(doc_id).title.startswith(own)  # never silently overwritten
        (kept,) = laptop.metadata_conflicts()
        assert (kept.doc_id, kept.theirs.name, kept.theirs.value.split(":")[0]) == (doc_id, "title", other)
    for laptop in (a, b):
        assert not laptop.sync().field_conflicts  # listed once
    # settled on one laptop, the choice travels and leaves both review lists
    (kept,) = b.metadata_conflicts()
    b.resolve_metadata_conflict(kept.id, "theirs")
    b.sync()
    a.sync()
    assert a.document(on_a).title == b.document(on_b).title == "alice: Time Warner profits"
    assert a.metadata_conflicts() == [] and b.metadata_conflicts() == []
    with Archive.open(a.folder.parent / "laptop-c") as c:
        c.sync(newsroom.url("alice"), "desk")
        assert c.document(on(c, "timewarner")).title == "alice: Time Warner profits" and not c.metadata_conflicts()
    assert not a.sync().changed and not b.sync().changed


def test_a_pull_into_an_empty_archive_takes_the_texts_it_can_trust(newsroom, laptops, tmp_path):
    a, _b = laptops
    a.sync(newsroom.url("alice"), "desk")
    with Archive.open(tmp_path / "empty") as c:
        pulled = c.sync(newsroom.url("bob"), "desk")
        assert pulled.pulled_documents == 4 and pulled.texts_carried == 4
        assert public(snapshot(c)) == public(snapshot(a))
        (state,) = c.sync_states()  # what the pull wrote came from the server: the next push does not send it
        assert state.pushed_head == c.change_head() > 0
        assert c.search_ids("timewarner").total == 1
    # a text made by another extractor version is extracted again from its original, in the sandbox
    as_owner(newsroom, "UPDATE dossier.documents SET extractor = 'another version', text = text || ' planted words'")
    with Archive.open(tmp_path / "other") as d:
        pulled = d.sync(newsroom.url("bob"), "desk")
        assert pulled.pulled_documents == 4 and pulled.texts_carried == 0
        assert d.search_ids("planted").total == 0 and public(snapshot(d)) == public(snapshot(a))


def test_a_text_changed_on_the_server_after_its_push_is_not_trusted(newsroom, laptops, tmp_path):
    a, _b = laptops
    a.sync(newsroom.url("alice"), "desk")
    with pytest.raises(psycopg.errors.RaiseException, match="never change"), newsroom.cluster.admin(newsroom.db) as c:
        c.execute("UPDATE dossier.documents SET text = 'rewritten'")
    as_owner(newsroom, "UPDATE dossier.documents SET text = text || ' planted words'")  # its extractor claimed
    with Archive.open(tmp_path / "other") as d:
        pulled = d.sync(newsroom.url("bob"), "desk")
        assert pulled.texts_carried == 0 and d.search_ids("planted").total == 0


def as_owner(newsroom, statement: str) -> None:
    """What only the tables' owner can do: change texts past the trigger that keeps them as pushed."""
    with newsroom.cluster.admin(newsroom.db) as conn:
        conn.execute("ALTER TABLE dossier.documents DISABLE TRIGGER documents_text_stays")
        conn.execute(statement)
        conn.execute("ALTER TABLE dossier.documents ENABLE TRIGGER documents_text_stays")
