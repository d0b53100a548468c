"""Email (.eml, .mbox, Outlook .msg) and zip containers through the archive: messages, attachments and members
imported as documents of their own, linked both ways, threads, header fields, zip safety."""

from __future__ import annotations

import io
import mailbox
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

EML = Path("office") / "eml" / "tika"
MSG = Path("office") / "msg" / "tika"


def _folder(corpus: Path, part: Path) -> Path:
    folder = corpus / part
    if not folder.is_dir():
        pytest.skip(f"corpus folder {part} missing")
    return folder


def _by_path(report, suffix: str) -> dict:
    (entry,) = [e for e in report.imported if e["path"].endswith(suffix)]
    return entry


def test_the_email_corpus_imports_with_messages_and_attachments_as_linked_documents(archive, corpus):
    eml, msg = _folder(corpus, EML), _folder(corpus, MSG)
    report = archive.import_paths([eml, msg])
    given = [e for group in (report.imported, report.skipped, report.failed) for e in group if "!/" not in e["path"]]
    assert len(given) == 30 and all(e in report.imported for e in given)  # 9 .eml, 9 .mbox, 12 .msg: none skipped
    members = [e for e in report.imported if "!/" in e["path"]]
    assert len(members) == 34  # 12 mailbox messages, 9 attachments with text, 13 images waiting for OCR
    # an Outlook message with a PDF and an attached Outlook item: links both ways
    parent = _by_path(report, "testMSG_att_msg.msg")
    related = archive.related(parent["id"])
    assert [(r.kind, r.member_path) for r in related["attachments"]] == [
        ("msg", "Test Attachment.msg"),
        ("pdf", "smbprn.00009008.KdcPjl.pdf"),
    ]
    pdf = related["attachments"][1].id
    assert [r.id for r in archive.related(pdf)["attached_to"]] == [parent["id"]]
    assert archive.document(parent["id"]).metadata["from"] == "Nick Booth <nick.booth@pof.com.au>"
    # an image attachment is a document of its own, its text left to OCR after the import
    assert not report.skipped
    png = _by_path(report, "testEmailWithPNGAtt.eml!/testPNG.png")
    assert png["kind"] == "image" and png["needs_ocr"]
    message = _by_path(report, "/testEmailWithPNGAtt.eml")
    assert [r.id for r in archive.related(png["id"])["attached_to"]] == [message["id"]]
    # a mailbox: one document per message, each contained in the mailbox
    box = _by_path(report, "/complex.mbox")
    messages = archive.related(box["id"])["members"]
    assert [m.member_path for m in messages] == ["message-1.eml", "message-2.eml", "message-3.eml"]
    assert all(archive.related(m.id)["contained_in"][0].id == box["id"] for m in messages)
    first = archive.document(messages[0].id)
    assert first.title == "Re: question about when shuffle/sort start working"
    # each reply names only the message before it: the chain is followed to the end
    assert {r.id for r in archive.related(first.id)["thread"]} == {messages[1].id, messages[2].id}
    assert {r.id for r in archive.related(messages[2].id)["thread"]} == {first.id, messages[1].id}
    # header fields
    found = set(archive.search_ids("from:jothipn").ids)
    assert first.id in found and box["id"] not in found
    (dinner,) = archive.search_ids("subject:dinner").ids
    assert archive.document(dinner).author == "Joe SixPack <joe@football.example.com>"
    assert archive.search_ids("to:suzie").ids == [dinner]
    assert not archive.search_ids("from:suzie").ids


def test_the_same_message_in_two_mailboxes_is_one_document_with_both_links(archive, corpus, tmp_path):
    source = _folder(corpus, EML) / "testRFC822_dkim.eml"
    for name in ("a.mbox", "b.mbox"):
        box = mailbox.mbox(tmp_path / name)
        box.add(source.read_bytes())
        if name == "b.mbox":
            box.add((_folder(corpus, EML) / "testThunderbirdEml.eml").read_bytes())
        box.close()
    report = archive.import_paths([tmp_path / "a.mbox", tmp_path / "b.mbox"])
    assert len(report.imported) == 4, report.to_json()  # two mailboxes, two distinct messages
    assert len(report.duplicates) == 1
    (message,) = archive.search_ids("subject:dinner").ids
    containers = {r.title for r in archive.related(message)["contained_in"]}
    assert containers == {"a", "b"}


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return path


def test_zip_members_are_documents_that_record_the_zip_and_member_path(archive, corpus, tmp_path):
    eml = _folder(corpus, EML)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as nested:
        nested.writestr("deep/dkim.eml", (eml / "testRFC822_dkim.eml").read_bytes())
    release = _zip(
        tmp_path / "release.zip",
        {
            "letters/thunderbird.eml": (eml / "testThunderbirdEml.eml").read_bytes(),
            "letters/inner.zip": inner.getvalue(),
            "readme.xyz": b"not a document",
        },
    )
    report = archive.import_paths([release])
    paths = {e["path"].split(str(tmp_path), 1)[1] for e in report.imported}
    assert paths == {
        "/release.zip",
        "/release.zip!/letters/thunderbird.eml",
        "/release.zip!/letters/inner.zip",
        "/release.zip!/letters/inner.zip!/deep/dkim.eml",
    }
    (skipped,) = report.skipped
    assert skipped["path"].endswith("release.zip!/readme.xyz") and "member of" in skipped["reason"]
    (dkim,) = archive.search_ids("subject:dinner").ids
    (holder,) = archive.related(dkim)["contained_in"]
    assert (holder.kind, holder.member_path) == ("zip", "deep/dkim.eml")
    assert archive.related(holder.id)["contained_in"][0].title == "release"
    # importing the zip again: all of it is a duplicate
    again = archive.import_paths([release])
    assert not again.imported and len(again.duplicates) == 1


def test_a_zip_nested_too_deep_stops_at_the_bound(archive, tmp_path):
    data = b"deepest words\n"
    name = "note.txt"
    for level in range(5):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as layer:
            layer.writestr(name, data)
        data, name = buffer.getvalue(), f"level{level}.zip"
    (tmp_path / "outer.zip").write_bytes(data)
    report = archive.import_paths([tmp_path / "outer.zip"])
    assert len(report.imported) == 4  # outer.zip and three nested zips
    (skipped,) = report.skipped
    assert "nested containers" in skipped["reason"] and skipped["path"].count("!/") == 4
    assert not archive.search_ids("deepest").ids


def test_an_encrypted_zip_fails_with_a_reason_and_opens_with_its_password(archive, tmp_path):
    if shutil.which("zip") is None:
        pytest.skip("the zip command (Debian package zip) is needed to make an encrypted zip")
    (tmp_path / "secret.txt").write_text("the confidential memo about raids\n")
    subprocess.run(["zip", "-q", "-P", "hunter2", "locked.zip", "secret.txt"], cwd=tmp_path, check=True)
    report = archive.import_paths([tmp_path / "locked.zip"])
    (failed,) = report.failed
    assert failed["path"].endswith("locked.zip") and "encrypted" in failed["error"] and failed["needs_password"]
    opened = archive.import_paths([tmp_path / "locked.zip"], passwords=["wrong", "hunter2"])
    assert len(opened.imported) == 2
    assert archive.search_ids('"confidential memo"').ids


def test_a_zip_bomb_is_refused_with_a_reason_naming_the_zip(archive, tmp_path):
    inner = _zip(tmp_path / "bomb.zip", {"zeros.txt": b"0" * (64 * 1024 * 1024)})
    outer = _zip(tmp_path / "outer.zip", {"attached/bomb.zip": inner.read_bytes()})
    inner.unlink()
    report = archive.import_paths([outer])
    (failed,) = report.failed
    assert failed["path"].endswith("outer.zip!/attached/bomb.zip")
    assert "zip-safety" in failed["error"] and "zip bomb" in failed["error"]


def test_an_index_of_the_previous_schema_is_rebuilt_with_the_header_fields(archive_dir, corpus):
    from app.archive import Archive
    from indexer.search_index import SCHEMA_VERSION

    source = _folder(corpus, EML) / "testRFC822_dkim.eml"
    with Archive.open(archive_dir) as first:
        first.import_paths([source])
    (archive_dir / "index" / "SCHEMA_VERSION").write_text(f"{SCHEMA_VERSION - 1}\n")
    with Archive.open(archive_dir) as reopened:
        reopened.index_pending()
        assert len(reopened.search_ids("from:sixpack").ids) == 1


def test_email_and_zip_documents_travel_in_a_bundle(archive, corpus, tmp_path):
    from app.archive import Archive
    from app.bundles.export import export_bundle
    from app.bundles.merge import import_bundle
    from app.bundles.verify import verify_bundle

    eml = _folder(corpus, EML)
    release = _zip(tmp_path / "release.zip", {"a/dinner.eml": (eml / "testRFC822_dkim.eml").read_bytes()})
    report = archive.import_paths([eml / "testRFC822_multipart_attachments.eml", eml / "simple.mbox", release])
    assert not report.failed and len(report.imported) == 8
    out = tmp_path / "mail.zip"
    export_bundle(archive, archive.search_ids("*").ids, out)
    verify_bundle(out, workdir=tmp_path)  # raises BadBundle on an unexpected member name
    with Archive.open(tmp_path / "other") as other:
        merged = import_bundle(other, out)
        assert len(merged.documents_added) == 8
        assert other.search_ids("subject:dinner").ids


def test_files_wait_while_members_fill_the_memory_bound_and_all_are_imported(archive, corpus, monkeypatch):
    from app import importer

    eml = _folder(corpus, EML)
    files = [eml / "complex.mbox", eml / "simple.mbox", eml / "testRFC822_dkim.eml", eml / "testGroupWiseEml.eml"]
    monkeypatch.setattr(importer, "MEMBER_MEMORY", 0)  # every container's members are imported before the next file
    report = archive.import_paths(files)
    assert not report.failed and not report.skipped
    assert len(report.imported) == 4 + 3 + 2 + 2  # the files, the messages of both mailboxes, two attachments
    assert len(archive.search_ids("*").ids) == 11
