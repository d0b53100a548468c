"""Checks of what a bundle's records point at: jurisdictions, stances and quoted passages.

Run after the structural checks of :mod:`app.bundles.verify`; anything that would later break the
archive (an unknown parent, a stance that does not exist, a quote that is not in the text) is refused.
"""

from __future__ import annotations

from app.errors import BadBundle
from app.jurisdictions.gazetteer import Gazetteer

_RESEND = "Ask the sender to export it again."


def check_references(documents: dict, annotations: dict, text_of) -> None:
    """Raise BadBundle unless every id resolves and every quote is what the text holds at its offsets."""
    gazetteer = Gazetteer.load()
    custom = {place["id"]: place for place in documents["jurisdictions"]}
    for jid in custom:
        _check_lineage(jid, custom, gazetteer)
    places = set(custom)
    stances = {(s["id"], st["id"]) for s in documents["stance_sets"] for st in s["stances"]}

    def known(where: str, jurisdiction, stance_set, stance) -> None:
        if jurisdiction is not None and jurisdiction not in places and gazetteer.get(jurisdiction) is None:
            raise _fail(f"{where} names an unknown jurisdiction {jurisdiction!r}")
        if (stance_set, stance) != (None, None) and (stance_set, stance) not in stances:
            raise _fail(f"{where} names a stance {stance_set}/{stance} the bundle does not define")

    for doc in documents["documents"]:
        text = text_of(doc["sha256"])
        for tag in doc["tags"]:
            where = f"A tag on document {doc['sha256'][:12]}"
            known(where, tag["jurisdiction"], tag["stance_set"], tag["stance"])
            if tag["start"] is not None and text[tag["start"] : tag["end"]] != tag["quote"]:
                raise _fail(f"{where} quotes text that is not at its offsets")
        for tag in doc.get("removed_tags", []):  # a tombstone names no stance it must define: it removes
            if tag["start"] is not None and text[tag["start"] : tag["end"]] != tag["quote"]:
                raise _fail(f"A removed tag on document {doc['sha256'][:12]} quotes text that is not at its offsets")
    for item in annotations.get("items", []):
        fields = item["dossier:fields"]
        where = f"Annotation {fields['uuid']}"
        known(where, fields["jurisdiction"], fields["stance_set"], fields["stance"])
        if fields["start"] >= fields["end"]:
            raise _fail(f"{where} covers no text")
        sha = item["target"]["source"].removeprefix("urn:sha256:")
        if not fields["review"] and text_of(sha)[fields["start"] : fields["end"]] != fields["exact"]:
            raise _fail(f"{where} quotes text that is not at its offsets")


def _check_lineage(jid: str, custom: dict, gazetteer: Gazetteer) -> None:
    """A custom jurisdiction's parents must lead to the gazetteer without loops."""
    seen = set()
    while jid in custom:
        if jid in seen:
            raise _fail(f"The custom jurisdictions around {jid!r} are their own parents")
        seen.add(jid)
        jid = custom[jid]["parent"]
    if gazetteer.get(jid) is None:
        raise _fail(f"A custom jurisdiction's parent {jid!r} is neither in the gazetteer nor in the bundle")


def _fail(problem: str) -> BadBundle:
    return BadBundle(f"{problem}. {_RESEND}")
