"""Document edits that travel in bundles: a title or date edited on one side, a tag removed on one side, each
taken by the other by the same three-way decision as annotations; edits on both sides go to the review list."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime, timedelta
from itertools import count
from pathlib import Path

import bagit
import pytest

from app.archive import Archive
from app.bundles.export import export_bundle
from app.bundles.merge import import_bundle

N = count()
TOP = "dossier-bundle"


def bbc(corpus: Path, section: str, *numbers: int) -> list[Path]:
    return [corpus / "text" / "bbc" / section / f"{n:03d}.txt" for n in numbers]


@pytest.fixture
def pair(tmp_path, corpus):
    """Archive A with the seed article and two BBC texts (one tagged twice), and B holding a copy of all of it."""
    with Archive.open(tmp_path / "a") as a, Archive.open(tmp_path / "b") as b:
        a.import_paths([corpus / "seed", *bbc(corpus, "politics", 10, 11)])
        seed = a.search_ids("denver").ids[0]
        a.tag(seed, "Denver, CO", "sanctuary")
        a.tag(seed, "Chicago, IL", "sanctuary")
        import_bundle(b, bundle(a, tmp_path))
        yield a, b, seed


def bundle(src: Archive, tmp_path: Path, **kw) -> Path:
    return export_bundle(src, src.search_ids("").ids, tmp_path / f"{next(N)}.zip", **kw).path


def counterpart(a: Archive, doc_id: int, b: Archive) -> int:
    return b._reader().id_for_sha(a.document(doc_id).sha256)


def places(archive: Archive, doc_id: int) -> list[str]:
    return sorted(t.jurisdiction for t in archive.tags(doc_id))


def test_a_title_edit_and_a_tag_removal_on_either_side_reach_the_other(pair, tmp_path):
    a, b, seed = pair
    on_b = counterpart(a, seed, b)
    a.update_metadata(seed, title="Cities push back on the crackdown")
    (chicago,) = [t for t in b.tags(on_b) if "chicago" in t.jurisdiction]
    b.remove_tags([chicago.id], [on_b])
    from_a = bundle(a, tmp_path)
    merged = import_bundle(b, from_a)
    assert merged.fields_updated == 1 and not merged.field_conflicts and merged.reindexed == 1
    assert b.document(on_b).title == "Cities push back on the crackdown"
    assert b.search_ids('title:"push back"').ids == [on_b]  # the index has the new title
    assert len(places(b, on_b)) == 1 and "chicago" not in str(places(b, on_b))  # A's copy did not bring it back
    back = import_bundle(a, bundle(b, tmp_path))
    assert back.tags_removed == 1 and back.fields_updated == 0 and back.reindexed == 1
    assert places(a, seed) == places(b, on_b) and len(places(a, seed)) == 1
    assert a.document(seed).title == b.document(on_b).title
    # the same merges again change nothing, and the bundle A made before the removal does not bring the tag back
    for src, dst in ((a, b), (b, a)):
        again = import_bundle(dst, bundle(src, tmp_path))
        assert not again.changed and again.reindexed == 0
    assert not import_bundle(a, from_a).changed and len(places(a, seed)) == 1


def test_a_date_edited_here_and_a_title_there_are_both_kept(pair, tmp_path):
    a, b, seed = pair
    on_b = counterpart(a, seed, b)
    a.update_metadata(seed, published=date(2025, 2, 1))
    b.update_metadata(on_b, title="Denver: a calamity")
    import_bundle(b, bundle(a, tmp_path))
    import_bundle(a, bundle(b, tmp_path))
    for archive, doc_id in ((a, seed), (b, on_b)):
        doc = archive.document(doc_id)
        assert (doc.title, doc.published) == ("Denver: a calamity", date(2025, 2, 1))
        assert archive.metadata_conflicts() == []


def test_titles_edited_on_both_sides_are_listed_for_review_on_both_and_the_choice_travels(pair, tmp_path):
    a, b, seed = pair
    on_b = counterpart(a, seed, b)
    a.update_metadata(seed, title="A's title")
    b.update_metadata(on_b, title="B's title")
    to_b = import_bundle(b, bundle(a, tmp_path))
    to_a = import_bundle(a, bundle(b, tmp_path))
    assert to_b.field_conflicts == [{"sha256": a.document(seed).sha256, "field": "title", "ours": "B's title",
                                     "theirs": "A's title"}]  # fmt: skip
    assert to_a.changed and len(to_a.field_conflicts) == 1
    for archive, doc_id, own, other in ((a, seed, "A's title", "B's title"), (b, on_b, "B's title", "A's title")):
        assert archive.document(doc_id).title == own  # never silently overwritten
        (kept,) = archive.metadata_conflicts()
        assert (kept.doc_id, kept.theirs.name, kept.theirs.value, kept.ours) == (doc_id, "title", other, own)
    assert not import_bundle(b, bundle(a, tmp_path)).changed  # the same conflict is listed once
    (kept,) = b.metadata_conflicts()
    b.resolve_metadata_conflict(kept.id, "theirs")  # B takes A's title
    assert b.document(on_b).title == "A's title" and b.metadata_conflicts() == []
    settled = import_bundle(a, bundle(b, tmp_path))
    assert settled.fields_updated == 0 and a.metadata_conflicts() == []  # B's choice is A's title: settled
    assert a.document(seed).title == "A's title"
    for src, dst in ((a, b), (b, a)):
        assert not import_bundle(dst, bundle(src, tmp_path)).changed


def titled_apart(a: Archive, b: Archive, seed: int, tmp_path: Path):
    """The seed article retitled on both sides, then A's bundle merged into B: B's id for it and its kept value."""
    on_b = counterpart(a, seed, b)
    a.update_metadata(seed, title="A's title")
    b.update_metadata(on_b, title="B's title")
    import_bundle(b, bundle(a, tmp_path))
    (kept,) = b.metadata_conflicts()
    return on_b, kept


def test_keeping_our_title_travels_and_the_conflict_does_not_come_back(pair, tmp_path):
    a, b, seed = pair
    _on_b, kept = titled_apart(a, b, seed, tmp_path)
    b.resolve_metadata_conflict(kept.id, "ours")
    merged = import_bundle(a, bundle(b, tmp_path))
    assert merged.fields_updated == 1 and not merged.field_conflicts
    assert a.document(seed).title == "B's title" and a.metadata_conflicts() == []
    assert not import_bundle(b, bundle(a, tmp_path)).changed and b.metadata_conflicts() == []


def test_a_tag_added_again_after_its_removal_stays(pair, tmp_path):
    a, b, seed = pair
    on_b = counterpart(a, seed, b)
    (denver,) = [t for t in a.tags(seed) if "denver" in t.jurisdiction]
    a.remove_tags([denver.id], [seed])
    import_bundle(b, bundle(a, tmp_path))
    assert len(places(b, on_b)) == 1
    b.tag(on_b, "Denver, CO", "sanctuary")  # B wants it back, later than A removed it
    with b._guard:  # a minute later (timestamps are to the second; at the same second a removal wins)
        b.conn.execute(
            "UPDATE tags SET created_at = ? WHERE doc_id = ? AND jurisdiction LIKE '%denver%'",
            (later(denver_removed(a, seed)), on_b),
        )
    merged = import_bundle(a, bundle(b, tmp_path))
    assert merged.tags_added == 1 and len(places(a, seed)) == 2
    assert not import_bundle(b, bundle(a, tmp_path)).changed and len(places(b, on_b)) == 2


def denver_removed(archive: Archive, doc_id: int) -> str:
    (tombstone,) = [t for t in archive.removed_tags(doc_id) if "denver" in t.jurisdiction]
    return tombstone.created_at


def later(stamp: str) -> str:
    return (datetime.fromisoformat(stamp) + timedelta(minutes=1)).isoformat(timespec="seconds")


def test_a_bundle_of_the_earlier_format_still_imports(pair, tmp_path, corpus):
    a, b, seed = pair
    a.update_metadata(seed, title="Edited on A")
    old = to_format_1(bundle(a, tmp_path), tmp_path)
    with Archive.open(tmp_path / "fresh") as fresh:
        merged = import_bundle(fresh, old)
        assert len(merged.documents_added) == 3 and merged.tags_added == 2
        assert fresh.document(counterpart(a, seed, fresh)).title == "Edited on A"
    on_b = counterpart(a, seed, b)
    b.update_metadata(on_b, title="Edited on B")
    merged = import_bundle(b, old)  # format 1 carries no revisions: the title stays ours, nothing conflicts
    assert not merged.field_conflicts and b.document(on_b).title == "Edited on B"


def to_format_1(path: Path, tmp_path: Path) -> Path:
    """The bundle as a Dossier before format 2 wrote it: no revisions, removed tags or extractor."""
    folder = tmp_path / f"old-{next(N)}"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)
    bag = folder / TOP
    documents = json.loads((bag / "data" / "documents.json").read_text(encoding="utf-8"))
    documents["version"] = 1
    for doc in documents["documents"]:
        for key in ("revisions", "removed_tags", "extractor"):
            doc.pop(key)
    (bag / "data" / "documents.json").write_text(json.dumps(documents), encoding="utf-8")
    opened = bagit.Bag(str(bag))
    opened.info["Dossier-Format"] = "1"
    opened.save(manifests=True)
    out = tmp_path / f"old-{next(N)}.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for file in sorted(bag.rglob("*")):
            if file.is_file():
                zf.write(file, f"{TOP}/{file.relative_to(bag).as_posix()}")
    return out


def test_a_signed_bundle_from_a_trusted_key_brings_its_texts_an_unsigned_one_is_extracted_again(pair, tmp_path):
    a, _b, _seed = pair
    with Archive.open(tmp_path / "c") as c, Archive.open(tmp_path / "d") as d:
        signed = import_bundle(c, bundle(a, tmp_path, signed_as="Ana Ruiz"))  # our own key: known
        unsigned = import_bundle(d, bundle(a, tmp_path))
        assert (signed.texts_carried, unsigned.texts_carried) == (3, 0)
        for archive in (c, d):
            assert {archive.text(i) for i in archive.search_ids("").ids} == {a.text(i) for i in a.search_ids("").ids}
            assert archive.search_ids("denver").total == 1


def test_the_command_line_lists_a_field_conflict_for_review_and_settles_it(pair, tmp_path, capsys):
    from app.cli import main

    a, b, seed = pair
    on_b, kept = titled_apart(a, b, seed, tmp_path)
    capsys.readouterr()
    assert main(["annotations", "--review", "--archive", str(b.folder)]) == 0
    listed = capsys.readouterr().out
    assert f"field conflict {kept.id}  #{on_b} title" in listed and "ours: B's title" in listed
    assert "theirs: A's title" in listed and f"dossier field-resolve {kept.id}" in listed
    assert main(["field-resolve", str(kept.id), "--keep", "theirs", "--archive", str(b.folder)]) == 0
    assert "keeps theirs: “A's title”" in capsys.readouterr().out
    assert b.document(on_b).title == "A's title" and b.metadata_conflicts() == []
