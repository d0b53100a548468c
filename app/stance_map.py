"""The stance map: where each place stands, from the confirmed stance tags of the documents a query finds.

Evidence is what a person confirmed: a stance tag on a whole document or on a passage (a suggestion becomes a
tag only when someone accepts it), and a live annotation with a jurisdiction and a stance. Each state (and DC,
and each territory) gets the stance counts of the state itself and of the places in it; the federal
government is a badge of its own; every jurisdiction keeps its evidence, newest first.

Qt-free: the command line, the GUI's Map view and the bundle report all draw from :class:`StanceMap`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from app.jurisdictions.gazetteer import Gazetteer
from app.jurisdictions.model import Jurisdiction
from app.models import InVocabularyOrder, Stance, stance_labels
from app.store.evidence import EvidenceStore

if TYPE_CHECKING:
    from app.archive import Archive

#: A clause of an expanded query naming stances or places (see :meth:`app.tagging.Tagging.expand_query`).
_NAMED = re.compile(r'\b(stance|jurisdiction|tagged):"([^"]*)"')
_NEGATION = re.compile(r"(?:^|[\s(])(?:-|NOT\s)")


@dataclass(frozen=True)
class Evidence:
    """One confirmed stance of one jurisdiction: a document, or a passage of it (``start``/``end`` set)."""

    doc_id: int
    jurisdiction: str
    stance: str  # the stance key, ``set/id``
    start: int | None
    end: int | None
    date: date | None  # the document's date
    title: str
    quote: str = ""
    annotation: str | None = None  # the uuid when the evidence is an annotation, not a tag

    def to_json(self) -> dict:
        """JSON-ready dict."""
        return {
            "doc_id": self.doc_id,
            "jurisdiction": self.jurisdiction,
            "stance": self.stance,
            "start": self.start,
            "end": self.end,
            "date": self.date.isoformat() if self.date else None,
            "title": self.title,
            "quote": self.quote,
            "annotation": self.annotation,
        }


@dataclass
class Place:
    """A jurisdiction with its evidence, newest first."""

    jurisdiction: Jurisdiction
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        """Pieces of evidence per stance key (a document and each of its tagged passages count one each)."""
        return Counter(e.stance for e in self.evidence)


@dataclass
class Tile:
    """A state (or DC, a territory, the federal government) on the map: its own stances and its places'."""

    jurisdiction: Jurisdiction
    own: Counter[str] = field(default_factory=Counter)  # evidence about the state itself
    places: Counter[str] = field(default_factory=Counter)  # evidence about the counties, cities... in it
    place_ids: list[str] = field(default_factory=list)  # those places, most evidence first

    @property
    def counts(self) -> Counter[str]:
        """Own and places' evidence together."""
        return self.own + self.places


@dataclass
class StanceMap(InVocabularyOrder):
    """What :meth:`app.archive.Archive.stance_map` returns."""

    query: str
    stances: list[Stance]  # every stance of every vocabulary, in vocabulary order (colours, labels)
    labels: dict[str, str]  # stance key -> the label a person reads
    tiles: dict[str, Tile]  # by postal code (states, DC, territories), only those with evidence
    federal: Tile | None  # the federal government and what sits directly under it (a custom "ICE" entry)
    places: dict[str, Place]  # every jurisdiction with evidence, by id
    documents: int = 0  # documents matching the query that hold evidence
    warnings: list[str] = field(default_factory=list)  # parts of the query left out
    #: (lat, lon) of each place in :attr:`places` that has one, its own or the place it sits under
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the facet filters it was drawn with
    excludes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    gazetteer: Gazetteer | None = field(default=None, repr=False, compare=False)  # frames a state's zoomed view

    def used_stances(self) -> list[str]:
        """Keys of the stances that have evidence on this map, in vocabulary order."""
        return self.ordered(Counter(e.stance for p in self.places.values() for e in p.evidence))

    def evidence_in(self, jid: str) -> list[Evidence]:
        """The evidence of a jurisdiction and of every place in it, newest first (its page in the Map view)."""
        tile = next((t for t in [*self.tiles.values(), self.federal] if t and t.jurisdiction.id == jid), None)
        ids = [jid, *(tile.place_ids if tile else [])]
        found = [e for i in ids if i in self.places for e in self.places[i].evidence]
        return sorted(found, key=newest_first)

    def split(self, code: str) -> bool:
        """True when the evidence of a state (own and places) holds more than one stance."""
        tile = self.tiles.get(code)
        return tile is not None and len(self.ordered(tile.counts)) > 1

    def to_json(self) -> dict:
        """The ``dossier map --json`` shape."""

        def tile_json(tile: Tile) -> dict:
            return {
                "id": tile.jurisdiction.id,
                "name": tile.jurisdiction.display,
                "own": dict(tile.own),
                "places": dict(tile.places),
                "stances": self.ordered(tile.counts),
                "jurisdictions": tile.place_ids,
            }

        return {
            "query": self.query,
            "documents": self.documents,
            "warnings": self.warnings,
            "stances": {s.key: {"label": self.labels[s.key], "colour": s.colour} for s in self.stances},
            "federal": tile_json(self.federal) if self.federal else None,
            "states": {code: tile_json(tile) for code, tile in sorted(self.tiles.items())},
            "jurisdictions": {
                jid: {
                    "name": place.jurisdiction.display,
                    "level": place.jurisdiction.level,
                    "counts": dict(place.counts),
                    "evidence": [e.to_json() for e in place.evidence],
                }
                for jid, place in self.places.items()
            },
        }


def build_stance_map(
    archive: Archive,
    query: str = "",
    filters: Mapping[str, Iterable[str]] | None = None,
    excludes: Mapping[str, Iterable[str]] | None = None,
) -> StanceMap:
    """The stance map of the documents ``query`` and the facet ``filters``/``excludes`` find (every document
    when all are empty), as :meth:`app.archive.Archive.search_ids` finds them for the results list.

    When the query names stances (``stance:sanctuary``) or places (``jurisdiction:texas``) and negates
    nothing, or a facet filter requires a stance or a jurisdiction, only that evidence is drawn: the documents
    found may hold other stances and places too."""
    filters = {k: tuple(v) for k, v in (filters or {}).items() if v}
    excludes = {k: tuple(v) for k, v in (excludes or {}).items() if v}
    warnings: list[str] = []
    wanted: set[int] | None = None
    if query.strip() or filters or excludes:
        found = archive.search_ids(query, filters=filters or None, excludes=excludes or None)
        wanted, warnings = set(found.ids), list(found.warnings)
    stance_sets = archive.stance_sets()
    gazetteer = archive.gazetteer
    store = EvidenceStore(archive._reader().conn)
    rows = [
        (t.doc_id, t.jurisdiction, f"{t.stance_set}/{t.stance}", t.start, t.end, t.quote, None)
        for t in store.stance_tags()
    ] + [
        (a.doc_id, a.jurisdiction, f"{a.stance_set}/{a.stance}", a.start, a.end, a.exact, a.uuid)
        for a in store.stance_annotations()
    ]
    if wanted is not None:
        rows = [row for row in rows if row[0] in wanted]
    stances_named, places_named = _named(archive, query, gazetteer) if query.strip() else (None, None)
    if any(row[1] not in gazetteer for row in rows):
        gazetteer = archive._reloaded_gazetteer()  # a custom jurisdiction another process added
    stances_named = (stances_named or set()) | {v.casefold() for v in filters.get("stance", ())} or None
    places_named = (places_named or set()) | set(filters.get("jurisdiction", ())) or None
    if stances_named:
        folded = {key.casefold() for key in stances_named}
        rows = [row for row in rows if row[2].casefold() in folded]
    if places_named:
        rows = [row for row in rows if _within(gazetteer, row[1], places_named)]
    docs = archive.documents_by_id({row[0] for row in rows})
    places: dict[str, Place] = {}
    for doc_id, jid, stance, start, end, quote, uuid in rows:
        doc, place = docs.get(doc_id), gazetteer.get(jid)
        if doc is None or place is None:
            continue  # a document removed meanwhile; a custom jurisdiction whose row is damaged
        evidence = Evidence(doc_id, jid, stance, start, end, doc.published, doc.title, quote, uuid)
        places.setdefault(jid, Place(place)).evidence.append(evidence)
    for place in places.values():
        place.evidence.sort(key=newest_first)
    return map_of(
        places,
        gazetteer,
        stance_sets,
        query,
        warnings=warnings,
        positions={jid: pos for jid in places if (pos := gazetteer.position(jid)) is not None},
        filters=filters,
        excludes=excludes,
        gazetteer=gazetteer,
    )


def map_of(places: dict[str, Place], lookup: Gazetteer, stance_sets, query: str = "", **more) -> StanceMap:
    """The map of ``places``' evidence (the archive's, or a bundle's for its report): the places with most
    evidence first, a tile per state of ``lookup``, the federal badge; ``more`` are the other
    :class:`StanceMap` fields."""
    places = dict(sorted(places.items(), key=lambda item: (-len(item[1].evidence), item[1].jurisdiction.display)))
    tiles, federal = _tiles(lookup, places)
    return StanceMap(
        query=query,
        stances=[s for ss in stance_sets for s in ss.stances],
        labels=stance_labels(stance_sets),
        tiles=tiles,
        federal=federal,
        places=places,
        documents=len({e.doc_id for p in places.values() for e in p.evidence}),
        **more,
    )


def state_of(gazetteer: Gazetteer, jid: str) -> Jurisdiction | None:
    """The state-level jurisdiction (state, DC, territory) a jurisdiction is or lies in; None for the federal
    government and what sits directly under it."""
    place = gazetteer.get(jid)
    if place is not None and place.level == "state":
        return place
    return next((a for a in gazetteer.ancestors(jid) if a.level == "state"), None)


def _tiles(gazetteer: Gazetteer, places: dict[str, Place]) -> tuple[dict[str, Tile], Tile | None]:
    tiles: dict[str, Tile] = {}
    federal: Tile | None = None
    for jid, place in places.items():
        state = state_of(gazetteer, jid)
        if state is None:
            if federal is None:
                federal = Tile(gazetteer.federal)
            tile = federal
        else:
            tile = tiles.setdefault(state.state or state.id, Tile(state))
        if jid == tile.jurisdiction.id:
            tile.own.update(place.counts)
        else:
            tile.places.update(place.counts)
            tile.place_ids.append(jid)  # places are already in order: most evidence first
    return tiles, federal


def _named(archive: Archive, query: str, gazetteer: Gazetteer) -> tuple[set[str] | None, set[str] | None]:
    """The stance keys and jurisdiction ids a query names, or None for each when it names none or negates
    anything (then which evidence it means is not clear, and all of the documents' evidence is drawn)."""
    expanded, _ = archive.expand_query(query)
    if _NEGATION.search(expanded):
        return None, None
    stances: set[str] = set()
    places: set[str] = set()
    for name, value in _NAMED.findall(expanded):
        if name == "stance":
            stances.add(value)
        elif name == "tagged":
            places.add("=" + value)  # the place itself, not what lies in it
        else:
            places.add(value)
    return stances or None, places or None


def _within(gazetteer: Gazetteer, jid: str, named: set[str]) -> bool:
    """True when ``jid`` is one of the named places or lies in one (``=id`` names a place only); ids compare
    without case, as the index's facet values are lowercased."""
    named = {n.casefold() for n in named}
    if jid.casefold() in named or "=" + jid.casefold() in named:
        return True
    return any(a.id.casefold() in named for a in gazetteer.ancestors(jid))


def newest_first(evidence: Evidence) -> tuple:
    """Dated evidence newest first, then undated; within a document, whole-document tags before passages."""
    return (
        evidence.date is None,
        -(evidence.date.toordinal() if evidence.date else 0),
        -evidence.doc_id,
        evidence.start is not None,
        evidence.start or 0,
    )
