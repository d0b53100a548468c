"""Bundle export: a zipped BagIt bag that validates, holds originals named by their hash, the texts, the tags and
live annotations as schema-valid JSON, a CSV, and a self-contained, escaped report.html."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import bagit
import jsonschema
import pytest
from PIL import Image

from app.bundles.export import BAG_NAME, CSV_COLUMNS, export_bundle
from app.bundles.schemas import ANNOTATIONS_SCHEMA, DOCUMENTS_SCHEMA, original_name
from app.errors import DossierError
from app.store.annotations import AnnotationStore
from app.store.db import transaction

HOSTILE_NOTE = "<script>alert(1)</script>"
HOSTILE_TITLE = "<img src=x onerror=alert(2)>"
SECRET = "Source is the deputy chief, do not share"


@pytest.fixture
def tagged(imported):
    """The sample archive with document and passage tags, a custom jurisdiction and five annotations
    (one private, one hostile, one without a jurisdiction, one in the trash)."""
    a = imported
    ids = {a.document(i).file_name: i for i in a.search_ids("*").ids}
    omaha, denver = ids["omaha.txt"], ids["denver.md"]
    a.update_metadata(denver, title=HOSTILE_TITLE)
    a.tag(omaha, "Omaha, NE", "sanctuary")
    a.tag(denver, "Denver, CO", "sanctuary")
    a.tag(denver, "federal", "immigration-enforcement/cooperates")
    start = a.text(omaha).index("does not intend")
    a.tag(omaha, "Nebraska", start=start, end=start + 15)
    police = a.add_jurisdiction("Omaha Police Department", "police department", "Omaha, NE")
    a.annotate(omaha, quote="does not intend to participate", note=HOSTILE_NOTE, jurisdiction=police.id,
               stance="sanctuary")  # fmt: skip
    a.annotate(omaha, quote="the chief said", note=SECRET, private=True, jurisdiction="Omaha, NE")
    flagged = a.annotate(denver, quote="a calamity", note='Editorial = "calamity"', tags=["editorial", "quote"])
    with transaction(a.conn):  # as a re-extraction that lost the passage would leave it
        AnnotationStore(a.conn).put(dataclasses.replace(flagged, review="The passage changed; check it."))
    gone = a.annotate(denver, quote="Denver City Government", note="trashed note")
    a.delete_annotation(gone.uuid)
    a.annotate(denver, quote="Denver City Government", note="=HYPERLINK(evil)", jurisdiction="Denver, CO")
    return a


_SAFE_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "dl", "dt", "dd",
              "section", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "a", "figure", "blockquote", "p",
              "b", "span", "small", "figcaption",
              "svg", "g", "rect", "line", "circle", "text"}  # fmt: skip  # the inline map and timeline
_SVG_ATTRIBUTES = {
    "width",
    "height",
    "viewbox",
    "role",
    "aria-labelledby",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "text-anchor",
    "data-stance",
}


class _Markup(HTMLParser):
    """The tags and attributes of a page (not its text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def _unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as zf:
        tops = {name.split("/")[0] for name in zf.namelist()}
        assert tops == {BAG_NAME}
        zf.extractall(into)
    return into / BAG_NAME


def _all_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return b"".join(zf.read(name) for name in zf.namelist())


def test_the_bundle_is_a_valid_bag_holding_everything(tagged, tmp_path):
    out = tmp_path / "out" / "texas.zip"
    out.parent.mkdir()
    ids = tagged.search_ids("*").ids
    steps = []
    report = export_bundle(
        tagged, ids, out, query="*", include_private_notes=True, progress=lambda d, total: steps.append((d, total))
    )

    assert report.to_json() == {"path": str(out), "documents": 3, "annotations": 4, "tags": 4,
                                "private_notes_left_out": 0}  # fmt: skip
    assert sorted(p.name for p in out.parent.iterdir()) == ["texas.zip"]  # no .partial, no work folder
    assert steps[-1] == (7, 7) and [d for d, _ in steps] == list(range(1, 8))
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
    assert names == sorted(names)

    bag = bagit.Bag(str(_unzip(out, tmp_path / "x")))
    bag.validate(fast=False)
    assert bag.is_valid() and bag.algorithms == ["sha256"]
    assert bag.info["Dossier-Query"] == "*" and bag.info["Dossier-Annotations"] == "4"
    assert bag.info["Dossier-Documents"] == "3" and bag.info["Dossier-Private-Notes"] == "included"
    data = Path(bag.path) / "data"
    documents = json.loads((data / "documents.json").read_text(encoding="utf-8"))
    by_sha = {d["sha256"]: d for d in documents["documents"]}
    originals = sorted((data / "documents").iterdir())
    assert sorted(original.suffix for original in originals) == [".md", ".txt", ".txt"]
    for original in originals:
        sha = hashlib.sha256(original.read_bytes()).hexdigest()
        assert original.name == original_name(sha, by_sha[sha]["kind"])

    jsonschema.validate(documents, DOCUMENTS_SCHEMA)
    for doc_id in ids:
        doc = tagged.document(doc_id)
        assert (data / "text" / f"{doc.sha256}.txt").read_bytes().decode("utf-8") == tagged.text(doc_id)
        assert len(by_sha[doc.sha256]["tags"]) == len(tagged.tags(doc_id))
    (custom,) = documents["jurisdictions"]
    assert custom["name"] == "Omaha Police Department" and custom["parent"].endswith("place:omaha")
    assert [s["id"] for s in documents["stance_sets"]] == ["immigration-enforcement"]
    passage = next(t for d in documents["documents"] for t in d["tags"] if t["start"] is not None)
    assert passage["quote"] == "does not intend" and passage["jurisdiction_name"] == "Nebraska"

    annotations = json.loads((data / "annotations.jsonld").read_text(encoding="utf-8"))
    jsonschema.validate(annotations, ANNOTATIONS_SCHEMA)
    assert annotations["total"] == len(annotations["items"]) == 5  # with the trashed one, as a tombstone
    (tombstone,) = [i for i in annotations["items"] if i["dossier:fields"]["deleted"]]
    assert tombstone["dossier:fields"]["note"] == "" and tombstone["body"] == []
    live = {a.uuid: a for a in tagged.annotations()}
    for item in annotations["items"]:
        if item is tombstone:
            continue
        mine = live[item["dossier:fields"]["uuid"]]
        sha = item["target"]["source"].removeprefix("urn:sha256:")
        assert sha in by_sha and {k: v for k, v in item.items() if k != "dossier:fields"} == mine.to_w3c(sha)
        assert item["dossier:fields"] == {k: v for k, v in mine.to_json().items() if k != "doc_id"}
    assert b"trashed note" not in _all_bytes(out)
    assert [i["dossier:review"] for i in annotations["items"] if "dossier:review" in i] == [
        "The passage changed; check it."
    ]

    raw = (data / "annotations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(CSV_COLUMNS) and {r["uuid"] for r in rows} == set(live)
    calamity = next(r for r in rows if r["quote"] == "a calamity")
    assert calamity["note"] == 'Editorial = "calamity"' and calamity["tags"] == "editorial;quote"
    assert calamity["document title"] == HOSTILE_TITLE
    assert next(r for r in rows if r["jurisdiction"] == "Denver, CO")["note"] == "'=HYPERLINK(evil)"


def test_private_notes_are_left_out_everywhere_by_default(tagged, tmp_path):
    out = tmp_path / "shared.zip"
    report = export_bundle(tagged, tagged.search_ids("*").ids, out)
    assert report.private_notes_left_out == 1 and report.annotations == 4
    everything = _all_bytes(out)
    assert SECRET.encode() not in everything and b"the chief said" in everything  # the passage stays
    bag = bagit.Bag(str(_unzip(out, tmp_path / "x")))
    assert bag.is_valid() and bag.info["Dossier-Private-Notes"] == "left out"
    assert bag.info["Dossier-Private-Notes-Left-Out"] == "1"
    items = json.loads((Path(bag.path) / "data" / "annotations.jsonld").read_text(encoding="utf-8"))["items"]
    private = next(i for i in items if i.get("dossier:private"))
    assert private["dossier:fields"]["note"] == "" and all(b["purpose"] != "commenting" for b in private["body"])
    html = (Path(bag.path) / "data" / "report.html").read_text(encoding="utf-8")
    assert "left out (1 note)" in html


def test_private_notes_included_on_request_stay_out_of_the_report_and_the_csv(tagged, tmp_path):
    out = tmp_path / "mine.zip"
    report = export_bundle(tagged, tagged.search_ids("*").ids, out, include_private_notes=True)
    assert report.private_notes_left_out == 0
    with zipfile.ZipFile(out) as zf:
        files = {name.removeprefix(f"{BAG_NAME}/"): zf.read(name) for name in zf.namelist()}
    assert [name for name, data in files.items() if SECRET.encode() in data] == ["data/annotations.jsonld"]
    assert b"the chief said" in files["data/report.html"] and b"the chief said" in files["data/annotations.csv"]
    assert b"in annotations.jsonld only, not in this report or the CSV" in files["data/report.html"]
    assert b"Dossier-Private-Notes-Left-Out: 0" in files["bag-info.txt"]


def test_report_is_self_contained_escaped_and_in_tree_order(tagged, tmp_path):
    out = tmp_path / "r.zip"
    export_bundle(tagged, tagged.search_ids("*").ids, out, query='omaha OR "<denver>"')
    with zipfile.ZipFile(out) as zf:
        html = zf.read(f"{BAG_NAME}/data/report.html").decode("utf-8")
    lowered = html.lower()
    for forbidden in ("<script", "<img", "<link", "<iframe", "http:", "https:", "url("):
        assert forbidden not in lowered, forbidden
    markup = _Markup()
    markup.feed(html)
    assert markup.tags <= _SAFE_TAGS, markup.tags - _SAFE_TAGS
    assert {name for name, _ in markup.attributes} <= {"lang", "charset", "http-equiv", "content", "name", "id",
                                                        "class", "style", "scope", "title", "href",
                                                        *_SVG_ATTRIBUTES}  # fmt: skip
    hrefs = [value for name, value in markup.attributes if name == "href"]
    assert all(re.fullmatch(r"#\w+|documents/[0-9a-f]{64}\.(txt|md)|text/[0-9a-f]{64}\.txt", h) for h in hrefs), hrefs
    assert "default-src 'none'; style-src 'unsafe-inline'" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "omaha OR &quot;&lt;denver&gt;&quot;" in html
    headings = [re.sub("<[^>]+>", "|", h) for h in re.findall(r'<h2 id="j\d+">(.*?)</h2>', html)]
    assert headings == [
        "United States (federal)", "Colorado", "|Colorado|Denver, CO", "Nebraska", "|Nebraska|Omaha, NE",
        "|Nebraska › Omaha, NE|Omaha Police Department, NE", "No jurisdiction",
    ]  # fmt: skip
    assert "border-left-color:#2e7d32" in html  # the sanctuary colour
    assert html.index(">Sanctuary<") < html.index(">Cooperates<")  # vocabulary order in the summary


def test_report_lists_every_document_links_its_original_as_its_type_and_counts_documents(tagged, tmp_path):
    out = tmp_path / "r.zip"
    export_bundle(tagged, tagged.search_ids("*").ids, out)
    data = _unzip(out, tmp_path / "x") / "data"
    html = (data / "report.html").read_text(encoding="utf-8")
    listed = dict(re.findall(r'<tr id="d\d+"><td><a href="([^"]+)">(.*?)</a>', html))
    assert sorted(listed.values()) == sorted(
        ["Omaha police will not join raids", "&lt;img src=x onerror=alert(2)&gt;", "Grand Prairie chief: "
         "“My officers would not be using their time effectively.” café"]
    )  # fmt: skip
    docs = {d.sha256: d for d in map(tagged.document, tagged.search_ids("*").ids)}
    for href in listed:
        original = data / href
        doc = docs[original.name.split(".")[0]]
        assert hashlib.sha256(original.read_bytes()).hexdigest() == doc.sha256
        assert original.suffix == Path(doc.file_name).suffix  # .txt and .md: it opens as its type
    untagged = next(row for row in re.findall(r'<tr id="d\d+">.*?</tr>', html) if "Grand Prairie" in row)
    assert "not tagged" in untagged
    rows = dict(re.findall(r'<tr><th scope="row" class="d\d"><a href="#j\d+">(.*?)</a></th>(.*?)</tr>', html))
    totals = {name: re.findall(r">(\d+)</td>", cells)[-1] for name, cells in rows.items()}
    assert totals["Omaha, NE"] == "1"  # one document, though tagged once and annotated once there
    assert re.search(r'<tfoot><tr><th scope="row">Total</th>.*<td class="n">2</td></tr></tfoot>', html)
    assert "2 documents with tags or annotations; 1 document without any" in html
    assert set(re.findall(r"<h3>.*?<small>\((.*?)\)</small></h3>", html)) == {"1 document"}  # per stance, too


def test_nothing_to_export_is_a_clear_error_and_writes_nothing(imported, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DossierError, match="Nothing to export"):
        export_bundle(imported, [], out / "empty.zip")
    assert list(out.iterdir()) == []


def test_a_damaged_original_stops_the_export_without_leaving_files(imported, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    doc_id = imported.search_ids("omaha").ids[0]
    blob = imported.original_path(doc_id)
    blob.chmod(0o644)
    blob.write_bytes(b"tampered")
    with pytest.raises(DossierError, match="damaged"):
        export_bundle(imported, [doc_id], out / "b.zip")
    assert list(out.iterdir()) == []


def test_report_renders_in_headless_chromium(tagged, tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("the chromium binary is not installed")
    out = tmp_path / "r.zip"
    export_bundle(tagged, tagged.search_ids("*").ids, out)
    page = _unzip(out, tmp_path / "x") / "data" / "report.html"
    png = tmp_path / "report.png"
    subprocess.run(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={png}",
         "--window-size=1200,1600", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with Image.open(png) as shot:
        assert shot.size == (1200, 1600)
        counts = dict((colour, n) for n, colour in shot.convert("RGB").getcolors(1 << 20))
    assert counts[(255, 255, 255)] < 0.95 * 1200 * 1600  # text and tables were drawn
    assert counts.get((0x2E, 0x7D, 0x32), 0) > 500  # the sanctuary colour, as a border: the inline CSS applied


LOGIN = "jdoe-login-7"


def test_the_bundle_names_its_exporter_only_as_chosen_never_by_the_login_name(tagged, tmp_path, monkeypatch):
    monkeypatch.setenv("LOGNAME", LOGIN)  # what getpass.getuser() answers
    made_here = tagged.annotations()[0]
    assert made_here.creator == "" and all(t.created_by == "" for t in tagged.tags(made_here.doc_id))
    legacy, colleague = tagged.annotations()[1:3]
    with transaction(tagged.conn):  # as archives recorded it before, and as a colleague's bundle brought it
        AnnotationStore(tagged.conn).put(dataclasses.replace(legacy, creator=LOGIN))
        AnnotationStore(tagged.conn).put(dataclasses.replace(colleague, creator="Ana Ruiz"))
    ids = tagged.search_ids("*").ids

    unsigned = tmp_path / "unsigned.zip"
    export_bundle(tagged, ids, unsigned)
    assert LOGIN.encode() not in _all_bytes(unsigned)
    bag = bagit.Bag(str(_unzip(unsigned, tmp_path / "u")))
    assert "Contact-Name" not in bag.info
    assert "<dt>Exported by</dt><dd>not signed</dd>" in (Path(bag.path) / "data" / "report.html").read_text()

    signed = tmp_path / "signed.zip"
    export_bundle(tagged, ids, signed, signed_as="Jane Doe")
    assert LOGIN.encode() not in _all_bytes(signed)
    bag = bagit.Bag(str(_unzip(signed, tmp_path / "s")))
    assert bag.info["Contact-Name"] == "Jane Doe"
    data = Path(bag.path) / "data"
    items = json.loads((data / "annotations.jsonld").read_text(encoding="utf-8"))["items"]
    creators = {i["dossier:fields"]["uuid"]: (i["creator"], i["dossier:fields"]["creator"]) for i in items}
    assert creators.pop(colleague.uuid) == ("Ana Ruiz", "Ana Ruiz")
    assert set(creators.values()) == {("Jane Doe", "Jane Doe")}
    documents = json.loads((data / "documents.json").read_text(encoding="utf-8"))["documents"]
    assert {t["created_by"] for d in documents for t in d["tags"]} == {"Jane Doe"}


def test_an_existing_file_is_replaced_only_when_asked(imported, tmp_path):
    out = tmp_path / "b.zip"
    out.write_bytes(b"someone's work")
    with pytest.raises(DossierError, match="already exists"):
        export_bundle(imported, imported.search_ids("").ids, out)
    assert out.read_bytes() == b"someone's work"
    export_bundle(imported, imported.search_ids("").ids, out, overwrite=True)
    assert zipfile.is_zipfile(out)
