"""Bundles must not plant evidence: values outside the format's closed sets or unsafe names are refused,
naming the document and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.bundles.merge import import_bundle
from app.bundles.verify import verify_bundle
from app.errors import BadBundle
from tests.app.bundle_fixtures import edit_json, make_bag, zip_bag


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
