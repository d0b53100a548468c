"""Jurisdiction and stance tags on documents and passages: resolving names, applying, suggesting.

A mixin of :class:`app.archive.Archive`, kept apart so the facade stays readable; it uses the
archive's store, write guard and index queue.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from collections.abc import Iterable

from app.authorship import searchable_notes
from app.errors import DossierError
from app.jurisdictions.gazetteer import Gazetteer, normalize
from app.jurisdictions.model import Jurisdiction
from app.lock import write_api
from app.models import Annotation, Stance, StanceSet, Tag, stance_labels
from app.stance_rules import check_rule
from app.store.db import transaction
from app.store.tags import TagStore
from app.suggestions import Suggestions, suggest
from app.timestamps import now
from indexer.query import MAX_QUERY_CHARS

log = logging.getLogger(__name__)
DOMINANT = 10  # a name is unambiguous when its most populous match has 10x the next one's population
_SIMILAR_LOOKUPS = 3
_CLAUSE = re.compile(r'\b(jurisdictions?|stances?):("[^"]*"|[^\s()]+)', re.IGNORECASE)
_FEDERAL_ITSELF = {"federal", "federal government"}  # other names of the US mean anything in it


class Tagging:
    """Tag operations of the archive (see :class:`app.archive.Archive`)."""

    _gazetteer: Gazetteer | None = None
    #: Agencies suggestions proposed (custom jurisdictions not yet in the archive), made when one is accepted.
    _proposed: dict[str, Jurisdiction] | None = None

    # -- vocabularies ----------------------------------------------------------------------

    @property
    def gazetteer(self) -> Gazetteer:
        """The offline gazetteer plus this archive's custom jurisdictions."""
        if self._gazetteer is None:
            custom = [
                Jurisdiction(row["id"], row["name"], row["level"], row["parent"], row["state"])
                for row in self._tag_reader().custom_jurisdictions()
            ]
            base = Gazetteer.load()
            known = {place.id for place in custom}
            usable = [p for p in custom if p.parent in known or base.get(p.parent) is not None]
            for place in set(custom) - set(usable):  # a damaged row must not make the archive unusable
                log.warning("custom jurisdiction %s has an unknown parent %s; left out", place.id, place.parent)
            self._gazetteer = base.with_custom(usable)
        return self._gazetteer

    def tag_labels(self, doc_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """Each document's tags in words for a results row: "Omaha, NE: Refuses to join raids", a place once
        with each stance it is tagged with (whole document or passage alike), by jurisdiction id (so a state comes
        before its places)."""
        ids = list(doc_ids)
        tags = self._tag_reader().for_documents(ids)
        stances = stance_labels(self.stance_sets()) if any(tags.values()) else {}
        labels = {}
        for doc_id in ids:
            seen: dict[str, None] = {}
            for tag in sorted(tags.get(doc_id, []), key=lambda t: (t.jurisdiction, t.stance or "")):
                place = self.gazetteer.get(tag.jurisdiction)
                name = place.display if place else tag.jurisdiction
                stance = stances.get(f"{tag.stance_set}/{tag.stance}", tag.stance) if tag.stance else ""
                seen.setdefault(f"{name}: {stance}" if stance else name)
            labels[doc_id] = tuple(seen)
        return labels

    def _reloaded_gazetteer(self) -> Gazetteer:
        """The gazetteer with the custom jurisdictions read again (another process may have added one)."""
        self._gazetteer = None
        return self.gazetteer

    def stance_sets(self) -> list[StanceSet]:
        """Stance vocabularies with their stances and rules, in order."""
        return self._tag_reader().stance_sets()

    def resolve_jurisdiction(self, text: str) -> Jurisdiction:
        """A jurisdiction from an OCD id or an unambiguous name ("Omaha", "Omaha, NE", "el paso county")."""
        found = self.gazetteer.resolve(text) or self._reloaded_gazetteer().resolve(text)
        if not found:
            raise DossierError(
                f"No jurisdiction matches {text!r}. Use a name like 'Omaha, NE' or 'El Paso County, TX', or an OCD id.",
                cli_hint="`dossier jurisdictions` lists the ids of those tagged so far.",
            )
        if len(found) == 1 or _dominant(found):
            return found[0]
        options = "; ".join(f"{j.display} ({j.id})" for j in found[:5])
        raise DossierError(f"{text!r} could be several places: {options}. Add the state, or give the id.")

    def resolve_stance(self, text: str) -> tuple[str, str]:
        """(set id, stance id) from "sanctuary" or "generic/opposes"; a bare id found in several
        vocabularies means the first vocabulary's."""
        wanted_set, _, wanted = text.strip().lower().rpartition("/")
        for stance_set in self.stance_sets():
            if wanted_set and stance_set.id != wanted_set:
                continue
            for stance in stance_set.stances:
                if wanted in (stance.id, stance.label.lower()):
                    return stance_set.id, stance.id
        known = ", ".join(s.key for ss in self.stance_sets() for s in ss.stances)
        raise DossierError(f"No stance {text!r}. Known stances: {known}.")

    @write_api("adding a jurisdiction")
    def add_jurisdiction(self, name: str, level: str, parent: str) -> Jurisdiction:
        """Add a custom jurisdiction (a school district, a police department, a tribal nation) under
        ``parent`` (an id or an unambiguous name)."""
        name, level = name.strip(), level.strip().lower()
        if not name or not level:
            raise DossierError("A custom jurisdiction needs a name and a level (e.g. 'school district').")
        for what, text in (("name", name), ("level", level)):
            if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
                raise DossierError(
                    f"A jurisdiction's {what} cannot contain control characters (tabs, line breaks, "
                    f"invisible formatting): {text!r}."
                )
        above = self.resolve_jurisdiction(parent)
        jid = f"{above.id}/{_slug(level)}:{_slug(name)}"
        if self.gazetteer.get(jid):
            raise DossierError(f"{name} ({level}) already exists under {above.display}: {jid}")
        with transaction(self.conn):
            TagStore(self.conn).add_custom_jurisdiction(jid, name, level, above.id, above.state, now())
        self._gazetteer = None
        return self.gazetteer.get(jid)

    # -- tags ------------------------------------------------------------------------------

    def tags(self, doc_id: int) -> list[Tag]:
        """A document's tags."""
        self.document(doc_id)
        return self._tag_reader().for_document(doc_id)

    def tag(
        self,
        doc_id: int,
        jurisdiction: str,
        stance: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        from_suggestion: bool = False,
    ) -> Tag:
        """Tag a document (or the passage ``start:end`` of its stored text) with a jurisdiction and
        optionally a stance; tagging twice changes nothing."""
        (tag,) = self.tag_many([doc_id], jurisdiction, stance, start=start, end=end, from_suggestion=from_suggestion)
        return tag

    @write_api("tagging documents")
    def tag_many(
        self,
        doc_ids: Iterable[int],
        jurisdiction: str,
        stance: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
        from_suggestion: bool = False,
    ) -> list[Tag]:
        """Tag several documents at once (a whole search result). A suggested agency (a custom jurisdiction
        the archive does not have yet) is added to the archive when its suggestion is accepted."""
        proposed = (self._proposed or {}).get(jurisdiction)
        if from_suggestion and proposed is not None and self.gazetteer.get(proposed.id) is None:
            with transaction(self.conn):
                TagStore(self.conn).add_custom_jurisdiction(
                    proposed.id, proposed.name, proposed.level, proposed.parent, proposed.state, now()
                )
            self._gazetteer = None
        place = self.resolve_jurisdiction(jurisdiction)
        stance_set, stance_id = self.resolve_stance(stance) if stance else (None, None)
        ids = list(dict.fromkeys(doc_ids))
        if (start is None) != (end is None):
            raise DossierError("A passage needs both --start and --end.")
        texts = {doc_id: self.text(doc_id) for doc_id in ids} if start is not None else {}
        for doc_id, text in texts.items():
            if not 0 <= start < end <= len(text):
                raise DossierError(f"The passage {start}-{end} is outside document {doc_id} (0-{len(text)}).")
        who, when = "", now()  # this archive's user: named in bundles only as they choose
        with transaction(self.conn):
            store = TagStore(self.conn)
            for doc_id in ids:
                self.document(doc_id)
                quote = texts[doc_id][start:end] if texts else ""
                new = Tag(0, doc_id, place.id, stance_set, stance_id, start, end, quote, who, when, from_suggestion)
                store.add(new)
                if from_suggestion:
                    key = place.id if stance is None else f"{place.id}|{stance_set}/{stance_id}"
                    store.decide(doc_id, "jurisdiction" if stance is None else "stance", key, "accepted", when)
            self.documents.queue(ids)
        self._index_queued(only=ids)
        reader = self._tag_reader()
        return [
            next(t for t in reader.for_document(doc_id) if _same(t, place.id, stance_set, stance_id, start, end))
            for doc_id in ids
        ]

    def removed_tags(self, doc_id: int) -> list[Tag]:
        """The tombstones of a document's removed tags (``created_at``: when each was removed)."""
        return self._tag_reader().removed([doc_id])[doc_id]

    def untag(
        self,
        doc_id: int,
        jurisdiction: str,
        stance: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
    ) -> int:
        """Remove the matching tags of a document (any stance and passage when not given); returns how many."""
        self._require_writable()
        place = self.resolve_jurisdiction(jurisdiction)
        wanted = self.resolve_stance(stance) if stance else None
        doomed = [
            t.id
            for t in self.tags(doc_id)
            if t.jurisdiction == place.id
            and (wanted is None or (t.stance_set, t.stance) == wanted)
            and (start is None or (t.start, t.end) == (start, end))
        ]
        return self.remove_tags(doomed, [doc_id])

    @write_api("removing tags")
    def remove_tags(self, tag_ids: list[int], doc_ids: list[int]) -> int:
        """Remove tags by id (the GUI's remove button)."""
        with transaction(self.conn):
            removed = TagStore(self.conn).remove(tag_ids, now())
            self.documents.queue(doc_ids)
        self._index_queued(only=doc_ids)
        return removed

    # -- suggestions -----------------------------------------------------------------------

    def suggest(self, doc_id: int) -> Suggestions:
        """Jurisdictions and stances suggested for a document, without those already tagged or rejected."""
        return self._suggestions(doc_id)[1]

    def _suggestions(self, doc_id: int) -> tuple[Suggestions, Suggestions]:
        """Everything suggested for a document, and what of it is still open (not tagged, accepted or rejected)."""
        doc, text = self.document(doc_id), self.text(doc_id)
        found = suggest(text, doc.title, self.gazetteer, self.stance_sets())
        new = {jid: j for jid, j in found.proposed.items() if self.gazetteer.get(jid) is None}
        self._proposed = {**(self._proposed or {}), **new}
        reader = self._tag_reader()
        decided = reader.decisions(doc_id)
        tagged = reader.for_document(doc_id)
        places = {t.jurisdiction for t in tagged}  # a passage tag settles the place too
        pairs = {f"{t.jurisdiction}|{t.stance_set}/{t.stance}" for t in tagged if t.stance}
        return found, Suggestions(
            [
                s
                for s in found.jurisdictions
                if s.jurisdiction.id not in places and ("jurisdiction", s.jurisdiction.id) not in decided
            ],
            [s for s in found.stances if s.key not in pairs and ("stance", s.key) not in decided],
            found.agencies,
        )

    @write_api("rejecting a suggestion")
    def reject_suggestion(self, doc_id: int, kind: str, key: str) -> None:
        """Remember that a person rejected a suggestion, so it is not offered again."""
        with transaction(self.conn):
            TagStore(self.conn).decide(doc_id, kind, key, "rejected", now())

    def accept_suggestions(self, doc_id: int, min_score: float) -> list[Tag]:
        """Accept every suggestion of a document scoring at least ``min_score``."""
        found, tags = self.suggest(doc_id), []
        for place in found.jurisdictions:
            if place.score >= min_score:
                tags += self.tag_many([doc_id], place.jurisdiction.id, from_suggestion=True)
        for pair in found.stances:
            if pair.score >= min_score:
                tags += self.tag_many(
                    [doc_id], pair.jurisdiction, f"{pair.stance_set}/{pair.stance}", from_suggestion=True
                )
        return tags

    # -- counts and search -----------------------------------------------------------------

    def jurisdiction_counts(self) -> dict[str, int]:
        """Documents per jurisdiction, counting a document tagged Omaha under Nebraska and the US too."""
        docs: dict[str, set[int]] = {}
        for jid, doc_ids in self._tag_reader().documents_by_jurisdiction().items():
            for place in [jid, *(a.id for a in self.gazetteer.ancestors(jid))]:
                docs.setdefault(place, set()).update(doc_ids)
        return {jid: len(ids) for jid, ids in docs.items()}

    def stance_counts(self) -> dict[tuple[str, str], int]:
        """Documents per (vocabulary, stance)."""
        return self._tag_reader().stance_counts()

    def index_terms(self, tags: list[Tag], annotations: list[Annotation]) -> dict:
        """Index values for a document's tags and annotations: jurisdiction ids with their ancestors and
        without, stance keys (``set/id``), free tags, and the notes (not the private ones a bundle brought)."""
        places: list[str] = []
        tagged = [t.jurisdiction for t in tags] + [a.jurisdiction for a in annotations if a.jurisdiction]
        gazetteer = self.gazetteer
        if any(gazetteer.get(jid) is None for jid in tagged):
            gazetteer = self._reloaded_gazetteer()
        for jid in tagged:
            places += [jid, *(a.id for a in gazetteer.ancestors(jid))]
        stances = [f"{t.stance_set}/{t.stance}" for t in tags if t.stance]
        stances += [f"{a.stance_set}/{a.stance}" for a in annotations if a.stance]
        return {
            "jurisdictions": list(dict.fromkeys(places)),
            "tagged_jurisdictions": list(dict.fromkeys(tagged)),
            "stances": list(dict.fromkeys(stances)),
            "tags": sorted({tag for a in annotations for tag in a.tags}),
            "notes": searchable_notes(annotations),
        }

    def expand_query(self, query: str) -> tuple[str, list[str]]:
        """The query with ``jurisdiction:`` and ``stance:`` values turned into what the index holds, and
        warnings for values that name nothing (those clauses are left out).

        ``jurisdiction:nebraska`` means Nebraska or a place in it (a name may mean several places);
        ``jurisdiction:federal`` the federal government itself, ``jurisdiction:us`` anything in the US.
        ``stance:`` takes a label, an id or ``set/id``; an id in several vocabularies means each of them."""
        warnings: list[str] = []
        if len(query) > MAX_QUERY_CHARS:  # refused as too long by the parser: not worth expanding first
            return query, warnings
        lookups = iter(range(_SIMILAR_LOOKUPS))  # "did you mean" is slow: for the first few unknown names only
        done: dict[tuple[str, str], str] = {}  # a value repeated is looked up (and warned about) once

        def replace(match: re.Match) -> str:
            key = (match.group(1).lower().rstrip("s"), match.group(2))
            if key not in done:
                done[key] = expand(match)
            return done[key]

        def expand(match: re.Match) -> str:
            value = match.group(2).strip('"')
            if match.group(1).lower().startswith("stance"):
                keys = self._stance_keys(value, warnings)
                return _any_of("stance", keys)
            if value.lower().startswith("ocd-division/"):
                return f'jurisdiction:"{value}"'
            if normalize(value) in _FEDERAL_ITSELF:
                return _any_of("tagged", [self.gazetteer.federal.id])
            found = self.gazetteer.resolve(value)
            if not found:
                close = self.gazetteer.similar(value) if next(lookups, None) is not None else []
                similar = " or ".join(j.display for j in close)
                warnings.append(
                    f"No jurisdiction is called “{value}”{f' (did you mean {similar}?)' if similar else ''}, "
                    "so it was left out."
                )
                return ""
            chosen = found[:1] if _dominant(found) else found[:10]
            return _any_of("jurisdiction", [j.id for j in chosen])

        return _CLAUSE.sub(replace, query), warnings

    def _stance_keys(self, text: str, warnings: list[str]) -> list[str]:
        """Keys of the stances ``text`` names (see :meth:`expand_query`), with a warning when it names
        none or several."""
        wanted_set, _, wanted = text.strip().lower().rpartition("/")
        stances = [s for ss in self.stance_sets() for s in ss.stances]
        keys = [
            s.key
            for s in stances
            if (not wanted_set or s.set_id == wanted_set) and _stance_word(wanted) in (s.id, _stance_word(s.label))
        ]
        if not keys:
            names = [s.label.lower() for s in stances] + [s.key for s in stances]
            close = difflib.get_close_matches(text.lower(), names, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            known = ", ".join(dict.fromkeys(s.label for s in stances))
            warnings.append(f"No stance is called “{text}”{hint}, so it was left out. Stances: {known}.")
        elif len(keys) > 1:
            warnings.append(
                f"“{text}” is a stance in {len(keys)} vocabularies; all were searched. For one of them write "
                f"stance:{keys[0]}."
            )
        return keys

    @write_api("adding a stance vocabulary")
    def add_stance_set(self, set_id: str, topic: str) -> StanceSet:
        """A new stance vocabulary for a topic."""
        set_id = _slug(set_id)
        if not set_id or not topic.strip():
            raise DossierError("A vocabulary needs an id and a topic.")
        if any(s.id == set_id for s in self.stance_sets()):
            raise DossierError(f"There is already a vocabulary {set_id!r}.")
        with transaction(self.conn):
            TagStore(self.conn).add_stance_set(set_id, topic.strip())
        return next(s for s in self.stance_sets() if s.id == set_id)

    @write_api("editing a stance")
    def save_stance(
        self, set_id: str, stance_id: str, label: str, description: str = "", colour: str = "#9e9e9e", rules=None
    ) -> Stance:
        """Add a stance to a vocabulary or change one (label, description, colour; rules when given)."""
        stance_id = _slug(stance_id)
        if not any(s.id == set_id for s in self.stance_sets()):
            raise DossierError(f"No vocabulary {set_id!r}; see `dossier stances`.")
        if not stance_id or not label.strip():
            raise DossierError("A stance needs an id and a label.")
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
            raise DossierError(f"{colour!r} is not a colour: write it as #RRGGBB, e.g. #2e7d32.")
        for rule in rules or ():
            check_rule(rule)
        stance = Stance(set_id, stance_id, label.strip(), description.strip(), colour)
        with transaction(self.conn):
            store = TagStore(self.conn)
            store.save_stance(stance)
            if rules is not None:
                store.set_rules(set_id, stance_id, list(rules))
        return next(s for ss in self.stance_sets() for s in ss.stances if (s.set_id, s.id) == (set_id, stance_id))

    @write_api("editing stance rules")
    def set_stance_rules(self, stance: str, rules) -> None:
        """Replace the rules of a stance (each checked first)."""
        for rule in rules:
            check_rule(rule)
        set_id, stance_id = self.resolve_stance(stance)
        with transaction(self.conn):
            TagStore(self.conn).set_rules(set_id, stance_id, list(rules))

    def _tag_reader(self) -> TagStore:
        return TagStore(self._reader().conn)


def _dominant(found: list[Jurisdiction]) -> bool:
    first = found[0]
    if len(found) == 1 or first.level in ("federal", "state"):
        return True
    second = found[1].population or 0
    return (first.population or 0) >= DOMINANT * max(second, 1)


def _any_of(field: str, values: list[str]) -> str:
    """A query clause matching any of ``values`` in ``field`` ('' for none: the clause is left out)."""
    if not values:
        return ""
    return "(" + " OR ".join(f'{field}:"{value}"' for value in values) + ")"


def _stance_word(text: str) -> str:
    """A stance label or id as compared with what a query names: "Limits cooperation" = limits-cooperation."""
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def _same(tag: Tag, jurisdiction: str, stance_set, stance, start: int | None, end: int | None) -> bool:
    return (tag.jurisdiction, tag.stance_set, tag.stance, tag.start, tag.end) == (
        jurisdiction,
        stance_set,
        stance,
        start,
        end,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._~-]+", "_", text.lower()).strip("_")
