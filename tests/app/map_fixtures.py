"""The seed article and the 287(g) agreements tagged as a person confirms them: the stance map's test archive."""

from __future__ import annotations

import csv
from pathlib import Path

from app.archive import Archive
from app.stance_rules import sentences


def _agency_place(agency: str, state: str) -> str:
    """The jurisdiction an agreement's agency acts for: "Lake County Sheriff's Office" -> Lake County, Florida."""
    for suffix in (" Sheriff's Office", " Police Department"):
        if agency.endswith(suffix):
            return agency.removesuffix(suffix) + ", " + state
    return state  # a state department, attorney general or bureau


#: The seed article's passages as a person tagged them (place, stance, the passage's first words; the passage is
#: the sentence). Fixed here rather than taken from the suggestions, so the map's tests do not move with them.
SEED_TAGS = [
    ("Los Angeles, CA", "sanctuary", "- In November, the city of Los Angeles adopted"),
    ("Denver, CO", "opposes", "Democratic Mayor Mike Johnson said"),
    ("Huntington Beach, CA", "anti-sanctuary", "Huntington Beach, California, passed"),
    ("Bridgeport, CT", "sanctuary", "- The Bridgeport, Connecticut, school district"),
    ("Omaha, NE", "sanctuary", "“The Omaha Police Department does not intend"),
    ("Grand Prairie, TX", "sanctuary", "At an event last week in Grand Prairie"),
]
#: Passages tagged on a few words only.
SEED_PHRASES = [
    ("Minneapolis, MN", "sanctuary", "It would have a very chilling effect"),
    ("El Paso, TX", "opposes", "criticized Trump’s immigration plans"),
    ("federal", "anti-sanctuary", "state and local officials could face prosecution"),
]


def _tag_seed(archive: Archive, doc_id: int) -> None:
    """Tag the seed article's passages as :data:`SEED_TAGS` and :data:`SEED_PHRASES` say."""
    text = archive.text(doc_id)
    for place, stance, words in SEED_TAGS:
        start = text.index(words)
        end = next(e for s, e in sentences(text) if s <= start < e)
        archive.tag(doc_id, place, stance, start=start, end=len(text[:end].rstrip()))
    for place, stance, quote in SEED_PHRASES:
        start = text.index(quote)
        archive.tag(doc_id, place, stance, start=start, end=start + len(quote))


def tag_like_a_person(archive: Archive, root: Path) -> None:
    """Import the seed article and the 21 agreements into ``archive`` and tag them: the agreements as
    labels.csv says (Wells, ME as a custom town the gazetteer does not list), the seed as :func:`_tag_seed`."""
    report = archive.import_paths([root / "seed", root / "topic" / "287g" / "pdf"])
    assert len(report.imported) == 22, report.failed
    _tag_seed(archive, archive.search_ids('"Omaha Police Department"').ids[0])
    archive.add_jurisdiction("Wells", "town", "York County, ME")
    by_file = {d.file_name: d.id for d in archive.documents_by_id(archive.search_ids("").ids).values()}
    with open(root / "topic" / "287g" / "labels.csv", encoding="utf-8") as labels:
        for row in csv.DictReader(labels):
            place = "Wells, ME" if row["agency"] == "Wells Police Department" else None
            place = place or _agency_place(row["agency"], row["state"])
            assert row["stance_label"].startswith("cooperates")
            archive.tag(by_file[Path(row["file"]).name], place, "cooperates")


def corpus_has_map_files(root: Path) -> bool:
    """Whether the seed article and the agreements are there."""
    return (root / "seed").is_dir() and (root / "topic" / "287g" / "pdf").is_dir()
