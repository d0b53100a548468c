"""Zip containers are checked before anything is read from them."""

import io
import struct
import zipfile

import pytest

from indexer.zipsafety import UnsafeZip, ZipLimits, open_checked


def make_zip(entries: dict[str, bytes], **info) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            member = zipfile.ZipInfo(name)
            for key, value in info.items():
                setattr(member, key, value)
            archive.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_a_normal_zip_opens():
    archive = open_checked(make_zip({"word/document.xml": b"<w/>", "data/a.txt": b"a"}))
    assert archive.namelist() == ["word/document.xml", "data/a.txt"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("../evil.txt", "outside"), ("/etc/passwd", "absolute"), ("a\\b.txt", "backslash"), ("C:/x.txt", "absolute")],
)
def test_hostile_names_are_rejected(name, message):
    with pytest.raises(UnsafeZip, match=message):
        open_checked(make_zip({name: b"x"}))


def test_symlink_entries_are_rejected():
    with pytest.raises(UnsafeZip, match="symbolic link"):
        open_checked(make_zip({"link": b"/etc/passwd"}, external_attr=(0o120777 << 16)))


def test_duplicate_names_are_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", b"1")
        with pytest.warns(UserWarning):
            archive.writestr("A.txt".lower(), b"2")
    with pytest.raises(UnsafeZip, match="duplicate"):
        open_checked(buffer.getvalue())


def test_zip_bomb_ratio_and_total_size_are_rejected():
    bomb = make_zip({"big.xml": b"\0" * (8 * 1024 * 1024)})
    with pytest.raises(UnsafeZip, match="compression ratio"):
        open_checked(bomb)
    with pytest.raises(UnsafeZip, match="unpacked size"):
        open_checked(make_zip({"a": b"x" * 2000, "b": b"y" * 2000}), ZipLimits(max_total_size=3000))


def test_overlapping_entries_are_rejected():
    data = bytearray(make_zip({"a.txt": b"A" * 100, "b.txt": b"B" * 100}))
    central = data.rfind(b"PK\x01\x02")  # second central directory record
    offset_field = central + 42
    struct.pack_into("<L", data, offset_field, 0)  # point b.txt at a.txt's local header
    with pytest.raises(UnsafeZip, match=r"overlap|local header"):
        open_checked(bytes(data))


def test_garbage_is_not_a_zip():
    with pytest.raises(UnsafeZip, match="not a readable zip"):
        open_checked(b"this is not a zip at all")


def test_a_nul_byte_hidden_after_a_harmless_name_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", b"<w/>")
    data = buffer.getvalue().replace(b"word/document.xml", b"word/d\x00/../../xyz")  # same length
    with pytest.raises(UnsafeZip, match="NUL"):
        open_checked(data)
