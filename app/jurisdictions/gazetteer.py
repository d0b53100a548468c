"""The offline gazetteer: every US jurisdiction Dossier knows, its hierarchy, and lookup by id or by name.

Data: ``resources/gazetteer/us.tsv.gz`` built by ``scripts/build_gazetteer.py`` (federal, states, DC,
territories, counties, places of 1,000+ people) plus the user's custom entries (:meth:`Gazetteer.with_custom`).
"""

from __future__ import annotations

import difflib
import functools
import gzip
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import resources
from app.jurisdictions.model import LEVELS, Jurisdiction

DATA = Path(resources.__file__).parent / "gazetteer"
FEDERAL_ID = "ocd-division/country:us"
_FEDERAL_WORDS = {"federal", "federal government", "us", "united states", "united states of america", "usa", "america"}
_LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}


def type_id(name: str) -> str:
    """An Open Civic Data type_id for a name: "St. Mary's" -> ``st_mary~s``, "Doña Ana" -> ``doña_ana``."""
    text = re.sub(r"\b(St|Ste)\.\s", r"\1 ", name.strip())
    text = re.sub(r"\s+", "_", text.replace("(", "").replace(")", "").lower())
    return re.sub(r"[^\w.\-~]", "~", text)


def normalize(text: str) -> str:
    """Lookup key for a name: casefolded, accents and periods dropped, apostrophes and spaces collapsed."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[.'’‘]", "", text)
    text = re.sub(r"\bsaint\b", "st", text)
    return " ".join(re.sub(r"[^\w&-]+", " ", text).split())


def _record(fields: list[str]) -> Jurisdiction:
    """One line of ``us.tsv.gz``: seven columns, then latitude and longitude (absent in files built before them;
    any later columns are ignored)."""
    jid, name, level, parent, state, pop, aliases = fields[:7]
    lat, lon = [*fields[7:9], "", ""][:2]
    return Jurisdiction(
        jid, name, level, parent or None, state or None, int(pop) if pop else None,
        tuple(aliases.split("|")) if aliases else (), float(lat) if lat else None, float(lon) if lon else None,
    )  # fmt: skip


class Gazetteer:
    """Jurisdictions by id, with parents, children and name lookup. Immutable; share it freely."""

    def __init__(self, jurisdictions: Iterable[Jurisdiction], foreign_names: Iterable[str] = ()):
        self._by_id = {j.id: j for j in jurisdictions}
        #: Place names a bigger city abroad (or a country) shares: "Paris", "Athens"; mentions need US context.
        self.foreign_names = frozenset(foreign_names)

    @classmethod
    @functools.cache
    def load(cls) -> Gazetteer:
        """The bundled gazetteer (read once per process)."""
        with gzip.open(DATA / "us.tsv.gz", "rt", encoding="utf-8") as f:
            items = [_record(line.rstrip("\n").split("\t")) for line in f]
        foreign = (DATA / "foreign_names.txt").read_text(encoding="utf-8").split("\n")
        return cls(items, (n for n in foreign if n))

    def with_custom(self, entries: Iterable[Jurisdiction]) -> Gazetteer:
        """A new gazetteer with custom entries added (an entry with a known id replaces it).

        Raises ValueError when an entry's parent is unknown (parents may be other entries)."""
        entries = list(entries)
        known = self._by_id.keys() | {e.id for e in entries}
        for e in entries:
            if e.parent is not None and e.parent not in known:
                raise ValueError(f"{e.name}: unknown parent jurisdiction {e.parent}")
        return Gazetteer([*self._by_id.values(), *entries], self.foreign_names)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Jurisdiction]:
        return iter(self._by_id.values())

    def __contains__(self, jid: object) -> bool:
        return jid in self._by_id

    def get(self, jid: str) -> Jurisdiction | None:
        """The jurisdiction with this id, or None."""
        return self._by_id.get(jid)

    @property
    def federal(self) -> Jurisdiction:
        return self._by_id[FEDERAL_ID]

    def ancestors(self, jid: str) -> list[Jurisdiction]:
        """Enclosing jurisdictions, nearest first (Omaha -> [Nebraska, United States])."""
        out: list[Jurisdiction] = []
        current = self._by_id.get(jid)
        while current is not None and current.parent is not None and len(out) < 16:
            current = self._by_id.get(current.parent)
            if current is not None:
                out.append(current)
        return out

    def position(self, jid: str) -> tuple[float, float] | None:
        """``(lat, lon)`` of a jurisdiction, or of the nearest enclosing one below the state that has one (a
        custom police department sits where its city is); None when neither it nor such a parent has one."""
        current = self._by_id.get(jid)
        for _ in range(16):
            if current is None or current.level in ("state", "federal"):
                return None
            if current.lat is not None and current.lon is not None:
                return current.lat, current.lon
            current = self._by_id.get(current.parent) if current.parent else None
        return None

    def points(self, state: str) -> list[Jurisdiction]:
        """The places of a state (by postal code) that have coordinates, most populous first: what frames the
        zoomed map of a state and sketches its shape."""
        return self._points.get(state, [])

    def children(self, jid: str) -> list[Jurisdiction]:
        """Direct children, by level then name."""
        return sorted(self._children.get(jid, ()), key=lambda j: (_LEVEL_RANK.get(j.level, 9), j.name))

    @functools.cached_property
    def states(self) -> dict[str, Jurisdiction]:
        """State-level jurisdictions (states, DC, territories) by postal code."""
        return {j.state: j for j in self._by_id.values() if j.level == "state" and j.state}

    def state_of(self, text: str) -> Jurisdiction | None:
        """The state a name, postal code or abbreviation names ("Nebraska", "NE", "Neb."), or None."""
        return self._state_keys.get(normalize(text))

    def by_name(self, name: str) -> list[Jurisdiction]:
        """Jurisdictions whose name or alias is ``name`` (normalized comparison), unranked."""
        return [self._by_id[i] for i in self._names.get(normalize(name), ())]

    def resolve(self, text: str, limit: int = 20) -> list[Jurisdiction]:
        """Jurisdictions a user's input names, best first.

        Accepts an id, a name or alias ("Omaha", "NYC"), a name with its state ("Omaha, NE", "omaha nebraska",
        "el paso county texas"), "federal"/"United States". Exact names rank before aliases, then by level
        (state before city) and population; with no exact match, names starting with the input are returned."""
        text = text.strip()
        if text in self._by_id:
            return [self._by_id[text]]
        key = normalize(text)
        if not key:
            return []
        if key in _FEDERAL_WORDS:
            return [self.federal]
        exact = self._ranked(self._names.get(key, ()), key, text)
        if exact and normalize(exact[0].name) == key:
            return exact[:limit]
        for name_key, state in self._split_state(key):
            ranked = self._ranked(self._names.get(name_key, ()), name_key)
            qualified = [j for j in ranked if j.state == state.state and j.level != "state"]
            if qualified:
                return (qualified + [j for j in exact if j not in qualified])[:limit]
        if exact:
            return exact[:limit]
        prefixed = [self._by_id[i] for name, ids in self._names.items() if name.startswith(key) for i in ids]
        prefixed.sort(key=lambda j: (j.level != "state", -(j.population or 0), j.name))
        return prefixed[:limit]

    def similar(self, text: str, limit: int = 3) -> list[Jurisdiction]:
        """Places whose name is spelled close to ``text`` (for "did you mean"), most populous first."""
        close = difflib.get_close_matches(normalize(text), list(self._names), n=limit, cutoff=0.75)
        found = {jid: self._by_id[jid] for name in close for jid in self._names[name]}
        return sorted(found.values(), key=lambda j: -(j.population or 0))[:limit]

    def _ranked(self, ids: Iterable[str], key: str, raw: str = "") -> list[Jurisdiction]:
        """Exact name before alias, as typed before normalized, then level, then population."""
        return sorted(
            (self._by_id[i] for i in ids),
            key=lambda j: (
                normalize(j.name) != key,
                raw not in (j.name, *j.aliases),
                _LEVEL_RANK.get(j.level, 9),
                -(j.population or 0),
                j.id,
            ),
        )

    def _split_state(self, key: str) -> Iterator[tuple[str, Jurisdiction]]:
        """(name, state) splits of "omaha ne" / "el paso county texas", longest state suffix first."""
        words = key.split()
        for n in range(min(3, len(words) - 1), 0, -1):
            state = self._state_keys.get(" ".join(words[-n:]))
            if state is not None:
                yield " ".join(words[:-n]), state

    @functools.cached_property
    def _names(self) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = {}
        for j in self._by_id.values():
            for name in {normalize(n) for n in (j.name, *j.aliases)}:
                index.setdefault(name, []).append(j.id)
        return {k: tuple(v) for k, v in index.items()}

    @functools.cached_property
    def _state_keys(self) -> dict[str, Jurisdiction]:
        return {normalize(n): s for s in self.states.values() for n in (s.name, *s.aliases)}

    @functools.cached_property
    def _points(self) -> dict[str, list[Jurisdiction]]:
        out: dict[str, list[Jurisdiction]] = {}
        for j in self._by_id.values():
            if j.level not in ("state", "federal") and j.state and j.lat is not None and j.lon is not None:
                out.setdefault(j.state, []).append(j)
        for places in out.values():
            places.sort(key=lambda j: (-(j.population or 0), j.id))
        return out

    @functools.cached_property
    def _children(self) -> dict[str, list[Jurisdiction]]:
        out: dict[str, list[Jurisdiction]] = {}
        for j in self._by_id.values():
            if j.parent is not None:
                out.setdefault(j.parent, []).append(j)
        return out
