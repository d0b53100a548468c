"""Hostile bundles and hostile files for ``bench/fault_sweep.py``, crafted from a good exported bundle.

Each maker writes one input into a folder and returns the path to hand to the command line. Nothing here
runs Dossier: the sweep does, and judges what came back.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import stat
import struct
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bagit

TOP = "dossier-bundle"  # the bundle's single folder (app.bundles.verify.TOP)
_MIB = 2**20
#: The word the rebagged text bundle plants in place of "the": a search for it must find nothing after import.
PLANTED = "zqx"
#: The bundle to import into an archive that already holds the first annotated document of the good bundle
#: (its first annotation, moved to another document: a merge refused after verification).
MOVED_ANNOTATION = "annotation moved to another document (refused while merging)"


@dataclass(frozen=True)
class HostileFile:
    """A hostile file or folder to import: ``documents`` is how many documents a correct import adds (None: 0 or
    1, a file that may be refused), ``word`` one its text holds, which a search must then find."""

    path: Path
    documents: int | None = None
    word: str | None = None


# -- bundles ------------------------------------------------------------------------------------


def _members(good: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(good) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def _zip(out: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # "Duplicate name" is the point of one of them
        for name, data in members:
            archive.writestr(name, data)
    return out


def _rebagged(good: Path, work: Path, change: Callable[[Path], None]) -> list[tuple[str, bytes]]:
    """The members of ``good`` after ``change(bag folder)``, with every BagIt manifest written again, so that
    the checksums agree with the change (a tamperer who knows BagIt)."""
    folder = work / "bag"
    shutil.rmtree(folder, ignore_errors=True)
    with zipfile.ZipFile(good) as archive:
        archive.extractall(folder)
    bag_root = folder / TOP
    change(bag_root)
    bagit.Bag(str(bag_root)).save(processes=1, manifests=True)
    members = [
        (f"{TOP}/{path.relative_to(bag_root).as_posix()}", path.read_bytes())
        for path in sorted(bag_root.rglob("*"))
        if path.is_file()
    ]
    shutil.rmtree(folder)
    return members


def _first(members: list[tuple[str, bytes]], prefix: str) -> int:
    return next(i for i, (name, _) in enumerate(members) if name.startswith(f"{TOP}/{prefix}"))


def _flip_byte(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x01]) + data[1:]


def hostile_bundles(good: Path, work: Path) -> dict[str, Path]:
    """Every hostile bundle, by name; ``work`` is an empty folder they are written into."""
    members = _members(good)
    made: dict[str, Path] = {}

    def add(name: str, build: Callable[[Path], object]) -> None:
        out = work / f"b{len(made):02d}.zip"  # names hold slashes
        build(out)
        made[name] = out

    def replaced(index: int, data: bytes) -> list[tuple[str, bytes]]:
        return [(n, data if i == index else d) for i, (n, d) in enumerate(members)]

    def with_member(name: str | zipfile.ZipInfo, data: bytes) -> Callable[[Path], Path]:
        return lambda out: _zip(out, [*members, (name, data)])

    original = _first(members, "data/documents/")
    add("tampered original byte", lambda out: _zip(out, replaced(original, _flip_byte(members[original][1]))))

    def flip_original(bag: Path) -> None:
        path = next((bag / "data" / "documents").iterdir())
        path.write_bytes(_flip_byte(path.read_bytes()))

    add("tampered original, manifests rewritten", lambda out: _zip(out, _rebagged(good, work, flip_original)))

    def change_text(bag: Path) -> None:
        path = bag / "data" / "text" / f"{_sha_of_kind(bag, 'text')}.txt"
        path.write_text(path.read_text(encoding="utf-8").replace(" the ", f" {PLANTED} ", 1), encoding="utf-8")

    add("tampered text, manifests rewritten", lambda out: _zip(out, _rebagged(good, work, change_text)))
    add("path traversal member ../x", with_member(f"{TOP}/../x", b"owned\n"))
    add("path traversal member at top ../../x", with_member("../../x", b"owned\n"))
    add("absolute member path /tmp/x", with_member("/tmp/dossier-sweep-owned", b"owned\n"))
    link = zipfile.ZipInfo(f"{TOP}/data/documents/{'0' * 64}")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    add("symlink member to /etc/passwd", with_member(link, b"/etc/passwd"))
    add("zip bomb, 600 MB of zeros in one member", lambda out: _bomb(out, members, 600 * _MIB))
    add("zip bomb, size in the directory lies", lambda out: _lying_bomb(out, members, 80 * _MIB))

    def hostile_paths(bag: Path) -> None:
        path = bag / "data" / "documents.json"
        text = path.read_text(encoding="utf-8")
        text = text.replace('"kind": "text"', '"kind": "../../etc"', 1)
        text = _replace_value(text, "file_name", "../../../.bashrc")
        path.write_text(text, encoding="utf-8")

    add(
        "documents.json kind ../../etc, file_name ../../../.bashrc",
        lambda out: _zip(out, _rebagged(good, work, hostile_paths)),
    )

    def huge_annotations(bag: Path) -> None:
        rng = random.Random(11)
        with (bag / "data" / "annotations.jsonld").open("w") as out:  # 65 MiB, little to compress
            out.write('{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationCollection", "x": "')
            for _ in range(65):
                out.write(rng.randbytes(_MIB // 2).hex())
            out.write('", "items": []}')

    add("annotations.jsonld over its 64 MiB cap", lambda out: _zip(out, _rebagged(good, work, huge_annotations)))
    documents = _first(members, "data/documents.json")
    add("duplicate member name documents.json", with_member(members[documents][0], b'{"documents": []}'))
    add("NUL byte in a member name", with_member(f"{TOP}/data/extra.html\x00../../x", b"owned\n"))
    add("member not in the manifest", with_member(f"{TOP}/data/extra.html", b"<p>added later</p>"))
    add("fetch.txt asking for downloads", with_member(f"{TOP}/fetch.txt", b"http://example.com/x 10 data/x\n"))
    add("not a zip (random bytes)", lambda out: out.write_bytes(random.Random(5).randbytes(4096)))
    add("empty file", lambda out: out.write_bytes(b""))
    add("empty zip", lambda out: _zip(out, []))
    add("FIFO given as the bundle path", lambda out: os.mkfifo(out))
    add(MOVED_ANNOTATION, lambda out: _zip(out, _rebagged(good, work, _move_first_annotation)))
    return made


def _documents_json(bag: Path) -> list[dict]:
    return json.loads((bag / "data" / "documents.json").read_text(encoding="utf-8"))["documents"]


def _sha_of_kind(bag: Path, kind: str) -> str:
    return next(doc["sha256"] for doc in _documents_json(bag) if doc["kind"] == kind)


def _move_first_annotation(bag: Path) -> None:
    """The first annotation now targets the start of another document of the bundle, quoting it correctly: a
    consistent bag that only the merge can find wrong (the annotation is on another document here)."""
    path = bag / "data" / "annotations.jsonld"
    collection = json.loads(path.read_text(encoding="utf-8"))
    item = collection["items"][0]
    own = item["target"]["source"].removeprefix("urn:sha256:")
    other = next(doc["sha256"] for doc in _documents_json(bag) if doc["sha256"] != own)
    text = (bag / "data" / "text" / f"{other}.txt").read_text(encoding="utf-8")
    end = min(30, len(text))
    quote = {"exact": text[:end], "prefix": "", "suffix": text[end : end + 32]}
    item["target"] = {
        "source": f"urn:sha256:{other}",
        "selector": [{"type": "TextQuoteSelector", **quote}, {"type": "TextPositionSelector", "start": 0, "end": end}],
    }
    item["dossier:fields"].update(start=0, end=end, page=None, **quote)
    path.write_text(json.dumps(collection, indent=1), encoding="utf-8")


def _replace_value(json_text: str, key: str, value: str) -> str:
    start = json_text.index(f'"{key}": "') + len(key) + 4
    end = json_text.index('"', start + 1)
    return json_text[: start + 1] + value + json_text[end:]


def _bomb(out: Path, members: list[tuple[str, bytes]], size: int) -> None:
    _zip(out, members)
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open(f"{TOP}/data/documents/{'a' * 64}", "w", force_zip64=True) as member,
    ):
        chunk = bytes(_MIB)
        for _ in range(size // _MIB):
            member.write(chunk)


def _lying_bomb(out: Path, members: list[tuple[str, bytes]], size: int) -> None:
    """A text member of ``size`` zero bytes whose local header and directory entry both claim 1,000 bytes."""
    name = f"{TOP}/data/text/{'b' * 64}.txt"
    _zip(out, [*members, (name, bytes(size))])
    data = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<L", data, info.header_offset + 22, 1000)  # local header: uncompressed size
    central = data.rfind(b"PK\x01\x02" + data[info.header_offset + 4 : info.header_offset + 6])
    while central != -1:  # the directory entry whose name is ours
        length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + length]) == name.encode():
            struct.pack_into("<L", data, central + 24, 1000)
            break
        central = data.rfind(b"PK\x01\x02", 0, central)
    out.write_bytes(bytes(data))


# -- files --------------------------------------------------------------------------------------


def hostile_files(work: Path, corpus: Path, big_mb: int = 50) -> dict[str, HostileFile]:
    """Every hostile file (or folder holding one beside an ordinary note), by name; ``work`` is an empty folder."""
    made: dict[str, HostileFile] = {}

    def slot() -> Path:
        folder = work / f"f{len(made):02d}"
        folder.mkdir()
        return folder

    def file(name: str, file_name: str, data: bytes, word: str | None = None) -> None:
        path = slot() / file_name
        path.write_bytes(data)
        made[name] = HostileFile(path, 1 if word else None, word)

    def folder_with(
        name: str, special: Callable[[Path], None], documents: int | None = 1, special_name="special"
    ) -> None:
        folder = slot()
        (folder / "ordinary.txt").write_text(f"An ordinary note beside the {name}.\n")
        special(Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(special_name)))))
        made[name] = HostileFile(folder, documents)

    file(
        "HTML, 100,000 nested divs",
        "nested.html",
        b"<html><body>" + b"<div>" * 100_000 + b"deep text" + b"</div>" * 100_000,
        "deep",
    )
    file(f"text, {big_mb} MB on one line", "oneline.txt", _one_line(big_mb * _MIB))
    file("DOCX zip bomb (500 MB document.xml)", "bomb.docx", _docx_bomb(500 * _MIB))
    file("DOCX with XML entity expansion", "laughs.docx", _docx(_BILLION_LAUGHS))
    file("DOCX that is random bytes", "random.docx", random.Random(7).randbytes(20_000))
    file("DOCX without word/document.xml", "empty.docx", _docx_parts([]))
    pdfs = sorted(corpus.rglob("*.pdf"))
    if pdfs:
        data = pdfs[0].read_bytes()
        file("PDF truncated at half", "truncated.pdf", data[: len(data) // 2])
    file("PDF claiming 10^12 pages", "pages.pdf", _pdf("/Type /Pages /Count 1000000000000 /Kids [3 0 R]"))
    file("PDF page tree in a loop", "loop.pdf", _pdf("/Type /Pages /Count 2 /Kids [2 0 R 3 0 R]"))
    file(
        "PDF nested 50,000 arrays deep",
        "deep.pdf",
        _pdf("/Type /Pages /Count 1 /Kids [3 0 R] /X " + "[" * 50_000 + "]" * 50_000),
    )
    file("HTML title with ANSI escapes, NUL and a newline", "title.html", _CONTROL_TITLE, "terminal")
    file("file name with ANSI escapes", "\x1b[31mred\x1b[0m\x1b]0;owned\x07.txt", b"A file with escapes in its name.\n")
    folder_with(
        "file name not UTF-8", lambda p: p.write_bytes(b"A file whose name is Latin-1 bytes.\n"), 2, b"caf\xe9-\xff.txt"
    )
    folder_with("symlink to /etc/passwd", lambda path: path.symlink_to("/etc/passwd"))
    folder_with("symlink to the folder /etc", lambda path: path.symlink_to("/etc", target_is_directory=True))
    folder_with("symlink loop", lambda path: path.symlink_to(path.name))
    folder_with("dangling symlink", lambda path: path.symlink_to("/nonexistent/dossier-sweep"))
    folder_with("FIFO", lambda path: os.mkfifo(path))
    folder_with("Unix socket", _socket)
    folder_with("unreadable file (mode 000)", _unreadable, None, "special.txt")  # root reads it: 1 or 2
    return made


def _one_line(size: int) -> bytes:
    rng = random.Random(3)
    words = [rng.randbytes(4).hex() for _ in range(2000)]
    line = " ".join(rng.choice(words) for _ in range(size // 8)).encode()
    return (line * (size // len(line) + 1))[:size]


def _socket(path: Path) -> None:
    import socket

    server = socket.socket(socket.AF_UNIX)
    server.bind(os.fspath(path))
    server.close()  # the socket file stays


def _unreadable(path: Path) -> None:
    path.write_text("Nobody may read this.\n")
    path.chmod(0)  # root reads it anyway: the sweep says whether it runs as root


_CONTROL_TITLE = (
    b"<html><head><title>\x1b[2J\x1b]0;owned\x07Cleared\x00 screen\nsecond line</title></head>"
    b"<body><p>A page whose title would rewrite the terminal.</p></body></html>"
)

_BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
    "<w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)

_CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def _docx(document_xml: str) -> bytes:
    return _docx_parts([("word/document.xml", document_xml.encode())])


def _docx_parts(parts: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        for name, data in parts:
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx_bomb(size: int) -> bytes:
    buffer = io.BytesIO(_docx_parts([]))
    head = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as member,
    ):
        member.write(head + b"<w:body><w:p><w:r><w:t>")
        chunk = b" " * _MIB
        for _ in range(size // _MIB):
            member.write(chunk)
        member.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buffer.getvalue()


def _pdf(pages: str) -> bytes:
    """A small PDF whose page tree node (object 2) is ``pages``; object 3 is one page with a line of text."""
    stream = b"BT /F1 12 Tf 72 720 Td (hostile pdf) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< {pages} >>".encode(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
