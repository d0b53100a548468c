"""Suggestions for a document: the jurisdictions it mentions and the stances its passages suggest.

Nothing here is applied: a person accepts or rejects each suggestion (``Archive.accept_suggestion``).
A stance is always about a jurisdiction: each rule match is paired with the jurisdiction mentioned
closest to it in the same paragraph (preferring the same sentence), else with the document's top one.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from app.jurisdictions.gazetteer import Gazetteer
from app.jurisdictions.mentions import Evidence, JurisdictionSuggestion, suggest_jurisdictions
from app.models import StanceSet
from app.stance_rules import rule_spans, sentences

# stance score by how the jurisdiction was found: named in the sentence, earlier in the paragraph, the
# federal government named in the sentence, or the document's top jurisdiction (times its score)
SAME_SENTENCE, SAME_PARAGRAPH, FEDERAL_IN_SENTENCE, DOCUMENT = 0.85, 0.65, 0.6, 0.45
NEARBY = 400  # characters before a passage searched for the place it is about
_SPECIFICITY = {"state": 2, "county": 1}  # cities and custom entries 0: the most specific wins


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


def suggest(text: str, title: str, gazetteer: Gazetteer, stance_sets: list[StanceSet]) -> Suggestions:
    """Jurisdiction mentions ranked by salience, and stance rule matches paired with a jurisdiction."""
    places = suggest_jurisdictions(text, gazetteer, title=title)
    return Suggestions(places, _stances(text, places, stance_sets))


def _stances(text: str, places: list[JurisdictionSuggestion], stance_sets: list[StanceSet]) -> list[StanceSuggestion]:
    mentions = sorted((ev.start, ev.end, s.jurisdiction.id) for s in places for ev in s.evidence if ev.field == "text")
    bounds = sentences(text)
    starts = [start for start, _ in bounds]
    found: dict[tuple[str, str, str], StanceSuggestion] = {}
    for stance_set in stance_sets:
        for stance in stance_set.stances:
            for rule in stance.rules:
                for start, end in rule_spans(rule, text):
                    jurisdiction, score = _nearest(text, mentions, start, end, bounds, starts, places)
                    if jurisdiction is None:
                        continue
                    key = (jurisdiction, stance_set.id, stance.id)
                    suggestion = found.setdefault(key, StanceSuggestion(jurisdiction, stance_set.id, stance.id, 0.0))
                    suggestion.score = min(max(suggestion.score, score) + 0.03 * len(suggestion.evidence), 0.99)
                    sentence = bounds[max(bisect_right(starts, start) - 1, 0)]
                    suggestion.evidence.append(Evidence(start, end, text[sentence[0] : sentence[1]].strip()))
    return sorted(found.values(), key=lambda s: (-s.score, s.jurisdiction, s.stance))


def _nearest(text, mentions, start, end, bounds, starts, places) -> tuple[str | None, float]:
    """The jurisdiction a passage is most likely about, and how sure that pairing is: the most specific
    place named in its sentence (a city over the state qualifying it), else the last place named before it
    in the paragraph; the federal government only when no other government is named nearby."""
    index = max(bisect_right(starts, start) - 1, 0)
    s_start, s_end = bounds[index]
    level = {s.jurisdiction.id: s.jurisdiction.level for s in places}
    in_sentence = [m for m in mentions if s_start <= m[0] < s_end]
    local = [m for m in in_sentence if level[m[2]] != "federal"]
    if local:
        chosen = min(local, key=lambda m: (_SPECIFICITY.get(level[m[2]], 0), abs(m[0] - start)))
        return chosen[2], SAME_SENTENCE
    p_start = max(text.rfind("\n\n", 0, start) + 1, start - NEARBY)
    before = [m for m in mentions if p_start <= m[0] < start and level[m[2]] != "federal"]
    if before:
        last = [m for m in before if m[0] >= before[-1][0] - NEARBY // 2]  # the closest group of names
        chosen = min(last, key=lambda m: (_SPECIFICITY.get(level[m[2]], 0), start - m[0]))
        return chosen[2], SAME_PARAGRAPH
    if in_sentence:
        return in_sentence[0][2], FEDERAL_IN_SENTENCE
    if places:
        return places[0].jurisdiction.id, DOCUMENT * places[0].score
    return None, 0.0
