"""Bundles must not plant evidence: values outside the format's closed sets or unsafe names are refused,
naming the document and the field."""

from __future__ import annotations

import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.archive import Archive
from app.bundles import export as bundle_export
from app.bundles import limits
from app.bundles.export import export_bundle
from app.bundles.merge import import_bundle
from app.bundles.verify import verify_bundle
from app.errors import BadBundle, DossierError
from app.scratch import scratch_folder
from indexer.zipsafety import ZipLimits
from tests.app.bundle_fixtures import TOP, UUID, edit_json, make_bag, rebag, zip_bag


def _first_document(field: str, value):
    def change(data: dict) -> None:
        data["documents"][0][field] = value

    return change


def _first_annotation(field: str, value):
    def change(data: dict) -> None:
        data["items"][0]["dossier:fields"][field] = value

    return change


def _stance_colour(data: dict) -> None:
    data["stance_sets"][0]["stances"][0]["colour"] = "red;background:url(http://example.org/x)"


@pytest.mark.parametrize(
    ("name", "change", "match"),
    [
        (
            "documents.json",
            _first_document("kind", "../../etc"),
            r"at documents/0/kind: '../../etc' is not one of .* \(Document \w{12} \(“Council minutes”\)\)",
        ),
        (
            "documents.json",
            _first_document("file_name", "../../../.bashrc"),
            r"“Council minutes”\) has the file name '../../../.bashrc', which is not a plain file name",
        ),
        ("documents.json", _first_document("file_name", "notes/.bashrc"), "not a plain file name"),
        ("documents.json", _first_document("file_name", ".."), "not a plain file name"),
        ("documents.json", _first_document("file_name", "report\x1b[2J.txt"), r"report\\\\x1b\[2J.txt"),
        ("documents.json", _first_document("file_name", "two\nlines.txt"), "not a plain file name"),
        (
            "documents.json",
            _first_document("file_name", "x" * 256 + ".txt"),
            r"documents/0/file_name: .* is too long \(Document",
        ),
        ("documents.json", _first_document("file_name", ""), "documents/0/file_name"),
        ("documents.json", _stance_colour, "colour"),
        (
            "annotations.jsonld",
            _first_annotation("colour", "url(javascript:x)"),
            r"items/0/dossier:fields/colour: .* is not one of .* \(annotation urn:uuid:1b4e",
        ),
    ],
)
def test_values_outside_the_closed_sets_or_unsafe_names_are_refused(tmp_path: Path, name, change, match):
    bag = make_bag(tmp_path / "src")
    edit_json(bag, name, change)
    with pytest.raises(BadBundle, match=match):
        verify_bundle(zip_bag(bag, tmp_path / "bundle.zip"))


def test_a_bundle_with_an_unsafe_kind_writes_nothing_into_the_archive(archive, tmp_path: Path):
    bag = make_bag(tmp_path / "src")
    edit_json(bag, "documents.json", _first_document("kind", "../../etc"))
    with pytest.raises(BadBundle, match="documents/0/kind"):
        import_bundle(archive, zip_bag(bag, tmp_path / "bundle.zip"))
    assert archive.stats()["documents"] == 0
    assert list(archive.blobs.files()) == []


def test_plain_names_with_spaces_dots_and_escaped_bytes_pass(tmp_path: Path):
    bag = make_bag(tmp_path / "src")
    edit_json(bag, "documents.json", _first_document("file_name", "..notes v2.final\\xff.txt"))
    with verify_bundle(zip_bag(bag, tmp_path / "bundle.zip")) as verified:
        assert verified.documents["documents"][0]["file_name"] == "..notes v2.final\\xff.txt"


# --- the bundle's text is not trusted: new documents get the text of their original ----------------------

PLANTED = "zqxplanted"


def _tampered_text_bundle(source, tmp_path: Path, tamper) -> Path:
    """Export ``source`` (every document), rewrite a text member (and its annotations) with ``tamper(bag,
    sha)``, and recompute every BagIt checksum, as a tamperer who knows BagIt would."""
    good = export_bundle(source, source.search_ids("").ids, tmp_path / "good.zip").path
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(good) as archive:
        archive.extractall(folder)
    bag = folder / TOP
    (text,) = (bag / "data" / "text").iterdir()
    tamper(bag, text.name.removesuffix(".txt"))
    rebag(bag)
    return zip_bag(bag, tmp_path / "tampered.zip")


@pytest.fixture
def seeded(archive, corpus):
    archive.import_paths([corpus / "seed"])
    return archive


def test_a_rewritten_text_plants_no_words_and_annotations_anchor_on_the_original(seeded, b, tmp_path: Path):
    doc_id = seeded.search_ids("").ids[0]
    text = seeded.text(doc_id)
    first = seeded.annotate(doc_id, quote="A growing number", note="the lead")
    # the tamperer puts a word in the text before the annotation, shifting it, and annotates the new word
    cut = text.index("A growing number")
    planted_at = cut

    def tamper(bag: Path, sha: str) -> None:
        path = bag / "data" / "text" / f"{sha}.txt"
        path.write_text(text[:cut] + f"{PLANTED} " + text[cut:], encoding="utf-8")

        def move(data: dict) -> None:
            (item,) = data["items"]
            fields = item["dossier:fields"]
            fields["start"] += len(PLANTED) + 1
            fields["end"] += len(PLANTED) + 1
            planted = {**fields, "uuid": UUID, "start": planted_at, "end": planted_at + len(PLANTED)}
            planted.update(exact=PLANTED, prefix=text[cut - 32 : cut], suffix=" " + text[cut : cut + 31])
            data["items"].append({**item, "id": f"urn:uuid:{UUID}", "dossier:fields": planted})
            data["total"] = 2

        edit_json(bag, "annotations.jsonld", move)

    report = import_bundle(b, _tampered_text_bundle(seeded, tmp_path, tamper))

    (new_id,) = b.search_ids("").ids
    assert b.search_ids(PLANTED).ids == []
    assert b.text(new_id) == text  # the text of the original, not the bundle's
    assert report.texts_not_taken == [seeded.document(doc_id).title]
    kept = b.annotation(first.uuid)
    assert (kept.start, kept.end, kept.exact, kept.review) == (first.start, first.end, "A growing number", None)
    planted = b.annotation(UUID)
    assert planted.review and "the quote was not found" in planted.review  # kept, for a person to look at
    assert [a.uuid for a in b.annotations(review=True)] == [UUID]


def test_an_untouched_bundle_reports_no_text_replaced(seeded, b, tmp_path: Path):
    doc_id = seeded.search_ids("").ids[0]
    seeded.annotate(doc_id, quote="A growing number")
    steps = []
    report = import_bundle(
        b, export_bundle(seeded, [doc_id], tmp_path / "good.zip").path, progress=lambda *step: steps.append(step)
    )
    assert steps == [(1, 3), (2, 3), (3, 3)]  # the extraction, the original, the merge
    assert report.texts_not_taken == [] and report.annotations_added == 1
    assert b.text(b.search_ids("").ids[0]) == seeded.text(doc_id)


# --- a refused import writes nothing; an unpacked bundle lives in the archive's tmp/ ------------------------


def test_a_merge_refused_after_verification_leaves_no_original_behind(imported, b, tmp_path: Path):
    """The bundle moves one of our annotations to a document new here: refused while merging."""
    omaha = imported.search_ids("omaha").ids[0]
    ours = imported.annotate(omaha, quote="does not intend to participate")
    denver = imported.search_ids("calamity").ids[0]
    imported.annotate(denver, quote="calamity")
    b.import_paths([imported.original_path(omaha)])
    moved = ours.uuid

    def move(data: dict) -> None:
        (item,) = data["items"]
        item["id"], item["dossier:fields"]["uuid"] = f"urn:uuid:{moved}", moved

    good = export_bundle(imported, [denver], tmp_path / "denver.zip").path
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(good) as archive:
        archive.extractall(folder)
    edit_json(folder / TOP, "annotations.jsonld", move)
    import_bundle(b, export_bundle(imported, [omaha], tmp_path / "omaha.zip").path)  # b holds ours now
    blobs_before = sorted(p.name for p in b.blobs.files())

    with pytest.raises(BadBundle, match="belongs to another document here"):
        import_bundle(b, zip_bag(folder / TOP, tmp_path / "moved.zip"))
    assert sorted(p.name for p in b.blobs.files()) == blobs_before
    assert b.stats()["documents"] == 1
    assert list((b.folder / "tmp").iterdir()) == []  # its unpacked folder is gone too


def test_an_original_already_here_stays_when_a_merge_is_refused(imported, b, tmp_path: Path):
    """An original without a document yet (another process's import in flight) is not this import's to remove."""
    omaha = imported.search_ids("omaha").ids[0]
    ours = imported.annotate(omaha, quote="does not intend to participate")
    denver = imported.search_ids("calamity").ids[0]
    imported.annotate(denver, quote="calamity")
    import_bundle(b, export_bundle(imported, [omaha], tmp_path / "omaha.zip").path)
    b.blobs.put(imported.original_path(denver).read_bytes())  # there before the bundle came

    def move(data: dict) -> None:
        (item,) = data["items"]
        item["id"], item["dossier:fields"]["uuid"] = f"urn:uuid:{ours.uuid}", ours.uuid

    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(export_bundle(imported, [denver], tmp_path / "denver.zip").path) as archive:
        archive.extractall(folder)
    edit_json(folder / TOP, "annotations.jsonld", move)
    with pytest.raises(BadBundle, match="belongs to another document here"):
        import_bundle(b, zip_bag(folder / TOP, tmp_path / "moved.zip"))
    assert b.blobs.path(imported.document(denver).sha256).exists()


_KILLED_IMPORT = """
import sys
from app.archive import Archive
from app.bundles.merge import import_bundle

def stop_here(done, total):
    print("unpacked", flush=True)
    sys.stdin.read()  # until the test kills us

with Archive.open(sys.argv[1]) as archive:
    import_bundle(archive, sys.argv[2], progress=stop_here)
"""


def test_what_a_killed_import_bundle_unpacked_is_removed_at_the_next_open(imported, tmp_path: Path):
    bundle = export_bundle(imported, imported.search_ids("").ids, tmp_path / "all.zip").path
    target = tmp_path / "target"
    Archive.open(target).close()
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_IMPORT, str(target), str(bundle)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline() == "unpacked\n"
        (left,) = [p for p in (target / "tmp").iterdir() if p.is_dir()]
        (unpacked,) = left.iterdir()
        assert (unpacked / "data" / "documents.json").is_file()
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
        child.stdin.close()
    assert left.exists()  # nobody removed it: the process was killed

    with Archive.open(target):
        assert list((target / "tmp").iterdir()) == []


def test_a_folder_in_use_by_a_live_import_is_not_removed(archive_dir):
    Archive.open(archive_dir).close()
    with scratch_folder(archive_dir, "bundle") as work:
        (work / "x").write_text("in use")
        with Archive.open(archive_dir):
            assert (work / "x").exists()
    assert list((archive_dir / "tmp").iterdir()) == []


# --- export writes only what verification accepts: one set of limits ---------------------------------------


@pytest.fixture
def annotated(imported):
    for doc_id in imported.search_ids("").ids:
        imported.annotate(doc_id, start=0, end=5, note="first words")
    return imported


def _member_size(bundle: Path, rel: str) -> int:
    return zipfile.ZipFile(bundle).getinfo(f"{TOP}/{rel}").file_size


def test_export_refuses_annotations_over_the_verifiers_cap_and_writes_nothing(annotated, tmp_path, monkeypatch):
    ids = annotated.search_ids("").ids
    size = _member_size(export_bundle(annotated, ids, tmp_path / "probe.zip").path, "data/annotations.jsonld")

    monkeypatch.setitem(limits.SIZE_CAPS, "data/annotations.jsonld", size)  # just enough: written and accepted
    with verify_bundle(export_bundle(annotated, ids, tmp_path / "fits.zip").path) as verified:
        assert len(verified.annotations["items"]) == len(ids)

    monkeypatch.setitem(limits.SIZE_CAPS, "data/annotations.jsonld", size - 1)
    with pytest.raises(BadBundle):  # what the verifier says of such a bundle
        verify_bundle(tmp_path / "fits.zip")
    before = sorted(tmp_path.iterdir())
    with pytest.raises(
        DossierError, match=r"its data/annotations.jsonld would be .*, over the .* a bundle may carry"
    ) as caught:
        export_bundle(annotated, ids, tmp_path / "over.zip")
    assert "Export fewer documents at a time" in str(caught.value)
    assert not isinstance(caught.value, BadBundle)
    assert sorted(tmp_path.iterdir()) == before  # no bundle, no partial file, no work folder


def test_export_refuses_originals_over_the_total_before_writing_anything(imported, tmp_path, monkeypatch):
    ids = imported.search_ids("").ids
    total = sum(imported.document(i).size for i in ids)
    monkeypatch.setattr(limits, "ZIP_LIMITS", ZipLimits(max_total_size=total - 1))
    monkeypatch.setattr(bundle_export, "_write_payload", _never)
    with pytest.raises(DossierError, match=r"of originals\), over the .* a bundle may hold"):
        export_bundle(imported, ids, tmp_path / "big.zip")
    assert not (tmp_path / "big.zip").exists()


def test_export_refuses_more_files_than_a_bundle_may_hold(imported, tmp_path, monkeypatch):
    ids = imported.search_ids("").ids
    monkeypatch.setattr(limits, "ZIP_LIMITS", ZipLimits(max_members=2 * len(ids) + limits.FIXED_MEMBERS - 1))
    monkeypatch.setattr(bundle_export, "_write_payload", _never)
    with pytest.raises(DossierError, match=f"it would hold {2 * len(ids) + limits.FIXED_MEMBERS} files, over the"):
        export_bundle(imported, ids, tmp_path / "many.zip")
    monkeypatch.undo()  # the count of a signed export (the most files one writes) is what the limit counts
    members = zipfile.ZipFile(export_bundle(imported, ids, tmp_path / "ok.zip", signed_as="Ana").path).infolist()
    assert len(members) == 2 * len(ids) + limits.FIXED_MEMBERS


def _never(*args, **kwargs):
    raise AssertionError("the payload was written although the bundle is over a limit")
