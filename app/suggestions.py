"""Suggestions for a document: the jurisdictions it mentions and the stances its passages suggest.

Nothing here is applied: a person accepts or rejects each suggestion (``Archive.accept_suggestion``).
A stance is always about the actor that holds it: a rule match (the cue) goes to the subject of the clause
or sentence that carries it ("The Omaha Police Department does not intend to participate in any raids"),
with the coreference a reader makes ("the city", "his department", "the LEA" -> the last named one of that
kind). A cue with no actor in reach is not suggested. A stance's ``holders`` say who may hold it: ``federal``
(threatens enforcement), ``local`` (any government but the federal one: cooperating with federal
enforcement), or anyone.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

import resources
from app.jurisdictions.gazetteer import Gazetteer
from app.jurisdictions.mentions import AGENCY_LEVELS, JurisdictionSuggestion, Mention, analyse
from app.jurisdictions.model import Jurisdiction
from app.models import Stance, StanceRule, StanceSet
from app.stance_rules import rule_spans, sentences

#: How sure a pairing is, by how the actor was found (calibrated on tests/data/suggestions with
#: bench/suggestions.py): the subject of the cue's clause, an actor named earlier in its sentence, one
#: reached through a coreference ("the city"), one named after the cue in the sentence (the agreement's
#: party, the speaker), the author of a federal document speaking in the first person.
SUBJECT, IN_SENTENCE, COREFERENCE, AFTER_CUE, AUTHOR = 0.92, 0.8, 0.75, 0.6, 0.55
REPEAT_BONUS = 0.03  # each further cue for the same pair
REACH = 1500  # characters back in which a coreference finds the one it refers to
#: Clause boundaries inside a sentence: a quotation opens or closes, a semicolon, a dash, a colon.
_CLAUSE = re.compile(r"[“”\";:—]|\s-\s")
#: Words that refer back to the last named actor of a kind.
_ANAPHORA = re.compile(
    r"\b(?:(?P<city>[Tt]he city(?! of)|[Cc]ity officials|[Cc]ity leaders)"
    r"|(?P<county>[Tt]he county(?! of)|[Cc]ounty officials)"
    r"|(?P<state>[Tt]he state(?! of)|[Ss]tate officials)"
    r"|(?P<agency>[Tt]he (?:police )?department|(?:[Hh]is|[Hh]er|[Tt]heir|[Ii]ts) department|[Tt]he (?:police )?chief"
    r"|[Tt]he sheriff|[Tt]he agency|(?:[Tt]he )?LEA\b|[Tt]he Law Enforcement Agency|[Pp]olice [Cc]hief)"
    r"|(?P<district>[Tt]he (?:school )?district)"
    r"|(?P<council>[Tt]he (?:city )?council))"
)
_KINDS = {
    "city": ("city",),
    "county": ("county",),
    "state": ("state",),
    "agency": ("police department", "sheriff's office", "state agency"),
    "district": ("school district",),
    "council": ("city council",),
}
_FIRST_PERSON = re.compile(r"\b(?:I|[Ww]e|[Mm]y Administration|[Oo]ur Administration|[Tt]he Administration)\b")
_LIST_GAP = re.compile(r",?\s*(?:and\s+|or\s+)?")


@dataclass(frozen=True)
class Evidence:
    """A passage that suggests a stance: where its cue is, the sentence, who holds the stance and why."""

    start: int
    end: int
    quote: str
    field: str = "text"
    actor: str = ""  # the actor's words as written ("The Omaha Police Department", "the city")
    cue: str = ""  # the words the rule matched
    how: str = ""  # subject, in sentence, coreference, after cue, author


@dataclass
class StanceSuggestion:
    """A (jurisdiction, stance) pair with the passages that suggest it."""

    jurisdiction: str
    stance_set: str
    stance: str
    score: float
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Identity for accept/reject decisions."""
        return f"{self.jurisdiction}|{self.stance_set}/{self.stance}"


@dataclass
class Suggestions:
    """What Dossier proposes for one document."""

    jurisdictions: list[JurisdictionSuggestion]
    stances: list[StanceSuggestion]
    #: Agencies the suggestions name (custom jurisdictions, maybe not in the archive yet), by id: what a
    #: stance suggestion's ``jurisdiction`` is when the gazetteer does not know it.
    agencies: dict[str, Jurisdiction] = field(default_factory=dict)

    @property
    def proposed(self) -> dict[str, Jurisdiction]:
        """Agencies by id (see :attr:`agencies`)."""
        return self.agencies


def preset_stance_sets() -> list[StanceSet]:
    """The shipped stance vocabularies (``resources/stances.json``), as a new archive starts with them."""
    data = json.loads((Path(resources.__file__).parent / "stances.json").read_text(encoding="utf-8"))
    return [
        StanceSet(s["id"], s["topic"], [
            Stance(s["id"], t["id"], t["label"], t["description"], t["colour"],
                   [StanceRule(r["kind"], r["pattern"]) for r in t["rules"]], t.get("holders", ""))
            for t in s["stances"]
        ])
        for s in data["sets"]
    ]  # fmt: skip


def suggest(text: str, title: str, gazetteer: Gazetteer, stance_sets: list[StanceSet]) -> Suggestions:
    """Jurisdiction mentions ranked by salience, and stance rule matches paired with the actor holding them."""
    places, mentions = analyse(text, gazetteer, title=title)
    federal_document = bool(places) and places[0].jurisdiction.level == "federal" and places[0].score >= 0.9
    agencies = {m.jurisdiction.id: m.jurisdiction for m in mentions if m.jurisdiction.level in AGENCY_LEVELS}
    return Suggestions(places, _stances(text, places, mentions, stance_sets, federal_document), agencies)


def _stances(text, places, mentions, stance_sets, federal_document) -> list[StanceSuggestion]:
    # "Trump’s", "won’t": rules are written with straight apostrophes (the same length: offsets hold)
    matchable = text.translate(_QUOTES) if "’" in text or "‘" in text else text
    lower = matchable.lower()
    scores = {s.jurisdiction.id: s.score for s in places}
    actors = [m for m in mentions if m.jurisdiction.id in scores and not (m.zone or m.qualifier or m.title)]
    #: The agency a title names ("287(g) MOA WSO - Hughes County SO"): an agreement's LEA when its body
    #: leaves the party blank.
    titled = [m for m in mentions if m.title and m.jurisdiction.id in scores]
    actor_starts = [m.start for m in actors]
    bounds = sentences(text)
    starts = [start for start, _ in bounds]
    found: dict[tuple[str, str, str], StanceSuggestion] = {}
    for stance_set in stance_sets:
        for stance in stance_set.stances:
            holders = stance.holders
            for rule in stance.rules:
                for start, end in rule_spans(rule, matchable, lower):
                    sentence = bounds[max(bisect_right(starts, start) - 1, 0)]
                    held = _actor(text, actors, actor_starts, sentence, start, end, holders, federal_document, titled)
                    for jid, words, how, sure in held:
                        _add(found, text, stance_set, stance, jid, words, how, sure, scores, sentence, start, end)
    return sorted(found.values(), key=lambda s: (-s.score, s.jurisdiction, s.stance))


def _add(found, text, stance_set, stance, jid, words, how, sure, scores, sentence, start, end) -> None:
    score = round(sure * min(1.0, scores.get(jid, 0.9) + 0.1), 3)
    key = (jid, stance_set.id, stance.id)
    suggestion = found.setdefault(key, StanceSuggestion(jid, stance_set.id, stance.id, 0.0))
    bonus = REPEAT_BONUS * len(suggestion.evidence)
    suggestion.score = round(min(max(suggestion.score, score) + bonus, 0.99), 3)
    quote = text[sentence[0] : sentence[1]].strip()
    suggestion.evidence.append(Evidence(start, end, quote, "text", words, text[start:end], how))


_QUOTES = str.maketrans({"’": "'", "‘": "'"})


def _allowed(m: Mention, holders: str) -> bool:
    federal = m.jurisdiction.level == "federal"
    return (holders != "federal" or federal) and (holders != "local" or not federal)


def _actor(text, actors, actor_starts, sentence, start, end, holders, federal_document, titled=()):
    """[(jurisdiction id, the actor's words, how it was found, how sure)] for the cue at start:end (several for a
    list of subjects), or [] when no actor is in reach."""
    s_start, s_end = sentence
    lo, hi = bisect_right(actor_starts, s_start - 1), bisect_right(actor_starts, start - 1)
    before = [m for m in actors[lo:hi] if m.end <= start and _allowed(m, holders)]
    clause_start = s_start
    for boundary in _CLAUSE.finditer(text, s_start, start):
        clause_start = boundary.end()
    in_clause = [m for m in before if m.start >= clause_start]
    anaphor = _anaphor(text, max(clause_start, s_start), start)
    if in_clause and not (anaphor and anaphor.start() < in_clause[0].start):
        return _subject(text, in_clause, SUBJECT, "subject")
    if anaphor:
        referent = _referent(actors, actor_starts, anaphor, holders, titled)
        if referent is not None:
            return [(referent.jurisdiction.id, anaphor.group(), "coreference", COREFERENCE)]
    if before:
        return _subject(text, before, IN_SENTENCE, "in sentence")
    anaphor = _anaphor(text, s_start, start)
    if anaphor:
        referent = _referent(actors, actor_starts, anaphor, holders, titled)
        if referent is not None:
            return [(referent.jurisdiction.id, anaphor.group(), "coreference", COREFERENCE)]
    after = [m for m in actors[hi:] if m.start >= end and m.start < s_end and _allowed(m, holders)]
    if after:
        return [(after[0].jurisdiction.id, text[after[0].start : after[0].end], "after cue", AFTER_CUE)]
    anaphor = _anaphor(text, end, s_end)
    if anaphor:
        referent = _referent(actors, actor_starts, anaphor, holders, titled)
        if referent is not None:
            return [(referent.jurisdiction.id, anaphor.group(), "coreference", AFTER_CUE)]
    if federal_document and holders == "federal":
        person = _FIRST_PERSON.search(text, s_start, end)
        words = person.group() if person else "the document's author"
        return [("ocd-division/country:us", words, "author", AUTHOR if person else AUTHOR - 0.1)]
    return []


def _subject(text, candidates, sure, how):
    """The first actor of a clause: the subject, or the first of a list ("Chicago, Denver and New York")."""
    group = [candidates[0]]
    for m in candidates[1:]:
        if not _LIST_GAP.fullmatch(text, group[-1].end, m.start):
            break
        group.append(m)
    return [(m.jurisdiction.id, text[m.start : m.end], how, sure) for m in group]


def _anaphor(text, lo, hi):
    found = None
    for found in _ANAPHORA.finditer(text, lo, hi):  # noqa: B007 - the last one before the cue
        pass
    return found


def _referent(actors, actor_starts, anaphor, holders, titled=()) -> Mention | None:
    """The last actor of the anaphor's kind named before it (within REACH)."""
    kind = next(k for k, v in anaphor.groupdict().items() if v)
    levels = _KINDS[kind]
    i = bisect_right(actor_starts, anaphor.start() - 1)
    defined = "LEA" in anaphor.group() or "Agency" in anaphor.group()  # an agreement's party: defined once
    reach = anaphor.start() + 1 if defined else REACH
    for m in reversed(actors[:i]):
        if m.start < anaphor.start() - reach:
            break
        if m.jurisdiction.level in levels and _allowed(m, holders):
            return m
    if kind == "agency":  # "the chief" with no department named: the last city named; an agreement's LEA: its state
        fallback = ("city", "county", "state") if defined else ("city", "county")
        for m in reversed(actors[:i]):
            if m.start < anaphor.start() - reach:
                break
            if m.jurisdiction.level in fallback and _allowed(m, holders):
                return m
        if defined:
            return next((m for m in titled if _allowed(m, holders)), None)
    return None
