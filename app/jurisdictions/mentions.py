"""Suggest which jurisdictions a text is about: gazetteer names found in one pass, disambiguated by context.

One Aho-Corasick pass (automaton built once per gazetteer) finds names as written (proper-noun case, or ALL CAPS
for names of 4+ letters) at word boundaries, plus federal phrases ("Trump administration", "ICE"). Each mention
then gets a confidence from its context: "Grand Prairie, Texas" / "Dallas, TX" qualifiers, states named nearby
or anywhere in the text, population as a prior, "X County" for counties, "X state" / "state of X" for states,
and penalties for the classic traps (person names, newspapers, common words, names of bigger foreign cities).
A jurisdiction's score combines its mentions (noisy-or over the different words used; repeats of the same words
count less and less), so scores are comparable across documents: "accept all above 0.8" is meant literally.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import weakref
from dataclasses import dataclass, field

import ahocorasick

from app.jurisdictions.cues import (
    ABBREVIATIONS,
    COMMON_WORDS,
    FEDERAL_ACRONYMS,
    FEDERAL_OFFICES,
    FEDERAL_PHRASES,
    INSTITUTION_WORDS,
    MEDIA_WORDS,
    NOT_NAMES,
    ORG_WORDS,
    PERSONISH,
    PLACE_CUES,
    SPEECH_WORDS,
    STREET_WORDS,
    TITLES,
)
from app.jurisdictions.gazetteer import Gazetteer
from app.jurisdictions.model import Jurisdiction

MIN_SCORE = 0.3  # below this a suggestion is mostly noise (a state named only as "Omaha, Nebraska")
REPEAT_DECAY = 0.5  # the n-th strongest use of the same words counts REPEAT_DECAY**n as much as the first
MAX_EVIDENCE = 20
LOCAL_WINDOW = 400  # characters either side in which a named state counts as "nearby"
QUOTE_LIMIT = 300  # characters either side of a mention at most in its quote


_WORD_AFTER = re.compile(r"[ \t]+([\w'’.&-]+)")
_WORD_BEFORE = re.compile(r"([\w'’.&-]+)[ \t]+$")
_ADDRESS_STATE = re.compile(r",?[ \t]+([A-Z][A-Zl1])[ \t]+\d{5}(?!\d)")
_ZIP = re.compile(r",?[ \t]+\d{5}(?!\d)")
#: Words of an agency's name that may stand between a place and its state: "Oconee County Sheriff's Office, SC".
_AGENCY_WORDS = r"(?:[ \t]+(?:Sheriff's|Sheriff’s|Sheriffs|Sheriff|Office|Police|Department|Public|Schools|Board))*"
_W = r"[ \t]+"
#: An agency named after the place right before it: "Omaha Police Department", "Franklin County Sheriff's Office",
#: "Bridgeport, Connecticut, school district", "Georgia Department of Public Safety" (groups: police, sheriff,
#: school, council, state agency).
_AGENCY = re.compile(
    rf",?{_W}(?:(Police{_W}Department|Police{_W}Dept\.?|police{_W}department|Police{_W}Dep't|[Pp]olice\b|PD\b)"
    rf"|(Sheriff['’]?s?{_W}(?:Office|Department|Dept\.?)|[Ss]heriff['’]s{_W}[Oo]ffice|SO\b)"
    rf"|((?:Unified{_W}|Independent{_W}|Public{_W})?[Ss]chool{_W}[Dd]istrict|Public{_W}Schools)"
    rf"|(City{_W}Council|[Cc]ity{_W}[Cc]ouncil)"
    rf"|((?:State{_W})?(?:Department|Dept\.?|Bureau|Office){_W}of(?:{_W}the)?(?:{_W}(?:and{_W}|of{_W})?[A-Z][\w'’]+)+"
    rf"|Attorney{_W}General['’]s{_W}Office|Highway{_W}Patrol|State{_W}(?:Police|Patrol)))"
)
AGENCY_LEVELS = ("police department", "sheriff's office", "school district", "city council", "state agency")
#: Lines that caption or credit a picture: names there say little about what a text is about.
_CREDIT = re.compile(r"Getty Images|AP Photo|/AP\b|Reuters/|Photo(?:graph)? (?:by|credit)|Image credit|Courtesy of")
_CAPTION_MARK = re.compile(r"^(?:hide caption|toggle caption|enlarge this image)$", re.IGNORECASE | re.MULTILINE)
ZONE_FACTOR = 0.35  # a name in a caption or credit line counts this much


@dataclass(frozen=True)
class Evidence:
    """Where a mention is: character offsets of the name in the text (or, with ``field="title"``, in the
    document's title), and the sentence around it."""

    start: int
    end: int
    quote: str
    field: str = "text"


@dataclass
class JurisdictionSuggestion:
    """A jurisdiction the text is likely about, with a confidence in 0..1 and the mentions that say so."""

    jurisdiction: Jurisdiction
    score: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class _Mention:
    start: int
    end: int
    surface: str
    kind: str  # name, state_phrase, federal
    ids: tuple[str, ...] = ()
    weight: float = 0.0  # federal phrases
    qualifier: str | None = None  # postal code of an "X, State" qualifier
    qualifier_end: int = -1
    address: bool = False
    place_cue: bool = False
    as_qualifier: bool = False
    factor: float = 1.0  # product of trap penalties
    person: bool = False
    resolved: str | None = None
    conf: float = 0.0
    agency: tuple[int, str, int] | None = None  # (group of _AGENCY, the agency's words, where they end)
    zone: bool = False  # in a caption or credit line


@dataclass(frozen=True)
class Mention:
    """One name of a jurisdiction or agency in a text, as resolved (what stance attribution reads)."""

    start: int
    end: int
    jurisdiction: Jurisdiction
    conf: float
    zone: bool = False  # in a caption or credit line
    qualifier: bool = False  # the state of "Omaha, Nebraska": not an actor of its own
    title: bool = False  # in the title (start and end are offsets in the title)


def suggest_jurisdictions(
    text: str, gazetteer: Gazetteer, title: str = "", *, min_score: float = MIN_SCORE
) -> list[JurisdictionSuggestion]:
    """Jurisdictions ``text`` (and its ``title``) mention, most salient first, each with its evidence."""
    return analyse(text, gazetteer, title, min_score=min_score)[0]


def analyse(
    text: str, gazetteer: Gazetteer, title: str = "", *, min_score: float = MIN_SCORE
) -> tuple[list[JurisdictionSuggestion], list[Mention]]:
    """The suggestions of :func:`suggest_jurisdictions`, and every resolved mention of the text in order
    (agencies as custom jurisdictions under their place: "Omaha Police Department" under Omaha, NE)."""
    matcher = _matcher(gazetteer)
    body = _Analysis(text, matcher, gazetteer)
    heading = _Analysis(title, matcher, gazetteer, context=body) if title.strip() else None
    agencies: dict[str, Jurisdiction] = {}
    found: list[tuple[_Mention, float, str | None, bool]] = []  # (mention, conf, agency id, in title)
    for analysis, in_title in ((body, False), (heading, True)):
        for m in analysis.mentions if analysis else ():
            conf = min(0.95, m.conf * 1.2) if in_title else m.conf
            agency = analysis.agency_of(m)
            if agency is not None:
                agencies[agency.id] = agency
            named = gazetteer.get(m.resolved) if m.resolved and agency is None else None
            # an agency the archive has ("Omaha Police Department" as written) names its place too
            parent = named.parent if named is not None and named.level in AGENCY_LEVELS else None
            found.append((m, conf, agency.id if agency else parent, in_title))
    by_words: dict[str, dict[str, list[float]]] = {}  # jurisdiction -> words used -> confidences
    for m, conf, agency, _ in found:
        for jid in (m.resolved, agency):
            if jid and conf > 0:
                by_words.setdefault(jid, {}).setdefault(m.surface, []).append(conf)
    ranked = []
    for jid, words in by_words.items():
        score = 1.0 - math.prod(1.0 - _repeated(confs) for confs in words.values())
        if score >= min_score:
            first = min((m.start for m, _, a, t in found if jid in (m.resolved, a) and not t), default=len(text))
            ranked.append((-score, first, jid))
    out = []
    for neg_score, _, jid in sorted(ranked):
        mine = [(m, t, a == jid and m.agency) for m, conf, a, t in found if jid in (m.resolved, a) and m.conf >= 0.05]
        mine.sort(key=lambda mt: (mt[1], mt[0].zone, mt[0].start))  # the body first, captions and credits last
        evidence = [  # an agency's evidence: its whole name
            Evidence(m.start, m.agency[2] if named else m.end, body.quote(m.start, m.end))
            for m, t, named in mine
            if not t
        ]
        evidence = (
            evidence[:MAX_EVIDENCE] + [Evidence(m.start, m.end, title.strip(), "title") for m, t, _ in mine if t][:1]
        )
        place = agencies.get(jid) or gazetteer.get(jid)
        out.append(JurisdictionSuggestion(place, round(min(-neg_score, 0.99), 3), evidence))
    mentions = []
    for m, conf, agency, in_title in found:
        if not m.resolved or conf <= 0:
            continue
        if agency in agencies and m.agency is not None:
            mentions.append(Mention(m.start, m.agency[2], agencies[agency], conf, m.zone, title=in_title))
            continue
        place = gazetteer.get(m.resolved)
        if not in_title or place.level in AGENCY_LEVELS:  # of a title, only its agency (an agreement's party)
            mentions.append(Mention(m.start, m.end, place, conf, m.zone, m.as_qualifier, in_title))
    return out, mentions


def _repeated(confs: list[float]) -> float:
    """Combined confidence of the same words repeated: each repeat adds less, as their errors go together."""
    confs = sorted(confs, reverse=True)
    return 1.0 - math.prod(1.0 - c * REPEAT_DECAY**i for i, c in enumerate(confs))


class _Matcher:
    """The automaton over every name, alias and federal phrase of a gazetteer, as written and in capitals."""

    def __init__(self, gazetteer: Gazetteer):
        self.records: list[tuple[str, str, object]] = []  # (kind, canonical surface, ids or weight)
        self.automaton = ahocorasick.Automaton()
        names: dict[str, set[str]] = {}
        for j in gazetteer:
            for name in _standalone_names(j):
                names.setdefault(name, set()).add(j.id)
        for name in _shadowed_city_names(gazetteer, names):
            del names[name]
        if "DC" in gazetteer.states:  # bare "Washington" is more often the capital than the state
            names.setdefault("Washington", set()).add(gazetteer.states["DC"].id)
        for name, ids in names.items():
            self._add("name", name, tuple(sorted(ids)))
        for s in gazetteer.states.values():
            self._add("state_phrase", f"{s.name} state", (s.id,), (f"{s.name} State",))
            self._add("state_phrase", f"state of {s.name}", (s.id,), (f"State of {s.name}",))
        for weight, phrases in FEDERAL_PHRASES.items():
            for p in phrases:
                lower = (p.lower(),) if p.islower() else ()  # "white house" is not the White House
                self._add("federal", p, weight, (p[0].upper() + p[1:], p.title(), *lower))
        for acronym, weight in FEDERAL_ACRONYMS.items():
            self._add("federal", acronym, weight)
        self.automaton.make_automaton()
        self.qualifier = _qualifier_pattern(gazetteer)
        self.state_of = {k: s.state for s in gazetteer.states.values() for k in (s.name, *s.aliases)}

    def _add(self, kind: str, surface: str, payload: object, spellings: tuple[str, ...] = ()) -> None:
        """One record, found as written, in the other ``spellings`` and (4+ letters) in capitals."""
        index = len(self.records)
        self.records.append((kind, surface, payload))
        variants = dict.fromkeys((surface, *spellings))
        if sum(c.isalpha() for c in surface) >= 4:
            variants[surface.upper()] = None
        for v in variants:
            self.automaton.add_word(v, (index, len(v)))

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """Non-overlapping (start, end, record) matches at word boundaries, leftmost-longest."""
        found = []
        for last, (index, length) in self.automaton.iter(text):
            start = last + 1 - length
            if _bounded(text, start, last + 1):
                found.append((start, last + 1, index))
        found.sort(key=lambda f: (f[0], -f[1]))
        out, taken = [], 0
        for start, end, index in found:
            if start >= taken:
                out.append((start, end, index))
                taken = end
        return out


class _Analysis:
    """Mentions in one text, resolved to jurisdictions with a confidence each."""

    def __init__(self, text: str, matcher: _Matcher, gazetteer: Gazetteer, context: _Analysis | None = None):
        self.text, self.matcher, self.gazetteer = text, matcher, gazetteer
        self.mentions = [self._mention(*f) for f in matcher.find(text)]
        self._mark_zones()
        self._mark_qualifiers()
        #: (position, state, weight) of every sign of a state: its name, a qualifier, a place only it has.
        self.near_states: list[tuple[int, str, float]] = []
        self.outer = context  # the body, when this is the title
        self._collect_states()
        self.persons = {m.surface for m in self.mentions if m.person} | (context.persons if context else set())
        #: One sense per text: a name qualified once ("Oconee County ..., SC") means the same everywhere.
        self.senses = dict(context.senses) if context else {}
        for m in self.mentions:
            if m.qualifier and m.surface not in self.senses:
                self.senses[m.surface] = self._qualified(m)[0].id
        for m in self.mentions:
            self._resolve(m)
        self._list_coherence()

    def _mention(self, start: int, end: int, index: int) -> _Mention:
        kind, surface, payload = self.matcher.records[index]
        if kind == "federal":
            return _Mention(start, end, surface, kind, (self.gazetteer.federal.id,), weight=payload)
        m = _Mention(start, end, surface, kind, payload)
        if kind == "name":
            self._qualify(m)
            self._cues(m)
        tail = m.qualifier_end if m.qualifier_end > 0 else m.end
        agency = _AGENCY.match(self.text, m.end) or _AGENCY.match(self.text, tail)
        if agency:
            group = next(i for i in range(5) if agency.group(i + 1))
            m.agency = (group, agency.group(group + 1), agency.end())
            m.factor = max(m.factor, 0.9 if m.factor >= 0.2 else m.factor)  # "Arcadia Police Dept" is a place
        return m

    def _qualify(self, m: _Mention) -> None:
        """ "Omaha, Nebraska" / "Dallas, TX" / "Oconee County Sheriff's Office, SC" / "Jackson, MI 49201"."""
        after = self.text[m.end : m.end + 80]
        states = {self.gazetteer.get(i).state for i in m.ids if self.gazetteer.get(i).level != "state"}
        q = self.matcher.qualifier.match(after)
        a = _ADDRESS_STATE.match(after)
        name = q and (q.group(1) or q.group(2))
        if name and self.matcher.state_of[name] in states:
            m.qualifier, m.qualifier_end = self.matcher.state_of[name], m.end + q.end()
        elif a and a.group(1).replace("l", "I").replace("1", "I") in states:  # OCR reads "MI" as "Ml"
            m.qualifier = a.group(1).replace("l", "I").replace("1", "I")
        tail = m.qualifier_end if m.qualifier_end > 0 else m.end
        m.address = bool(_ZIP.match(self.text, tail)) or bool(a and m.qualifier and m.qualifier_end < 0)

    def _cues(self, m: _Mention) -> None:
        """Trap penalties from the words around a name (people, newspapers, court cases, federal offices)."""
        text = self.text
        before = _WORD_BEFORE.search(text, max(0, m.start - 40), m.start)
        after = _WORD_AFTER.match(text, m.end)
        prev = before.group(1) if before else ""
        nxt = after.group(1).rstrip(".,;:") if after else ""
        if m.surface.isupper() or text[m.start : m.end].isupper():  # a heading: compare words as in prose
            prev, nxt = prev.title(), nxt.title()
        m.place_cue = text[max(0, m.start - 10) : m.start].endswith(PLACE_CUES)
        if not m.qualifier and (nxt in MEDIA_WORDS or nxt.split("-")[0] in MEDIA_WORDS):
            m.factor *= 0.03
        elif nxt in STREET_WORDS and not m.qualifier:
            m.factor *= 0.05
        elif nxt in ("of", "for") and " " not in m.surface:  # "University of Chicago", "Center for ..."
            m.factor *= 0.1
        elif nxt in ORG_WORDS or prev in ("v.", "vs.") or self._federal_office(m, prev):
            m.factor *= 0.2  # "Texas Tech", "Garrity v. New Jersey", "ICE Seattle Field Office"
        if self._in_compound(m):  # "Karine Jean-Pierre": part of a hyphenated name that is not a place
            m.factor *= 0.05
            m.person = True
        candidates = [self.gazetteer.get(i) for i in m.ids]
        state_named = any(j.level == "state" and j.name == m.surface for j in candidates)
        if m.surface in PERSONISH:
            state_named = False
        single = " " not in m.surface and not state_named
        if prev in TITLES and not state_named:
            m.factor *= 0.03
            m.person = single
        elif single and _name_like(prev) and not m.qualifier and not m.place_cue:
            m.factor *= 0.05
            m.person = True
        if single and not m.qualifier and not any(j.level == "state" for j in candidates):
            if nxt in SPEECH_WORDS:
                m.factor *= 0.2
            elif re.fullmatch(r"[A-Z]\.?", nxt):  # "Christopher M. Cronen": a middle initial
                m.factor *= 0.05
            elif _name_like(nxt) and nxt not in INSTITUTION_WORDS and nxt not in MEDIA_WORDS:
                m.factor *= 0.3
        capital = "DC" in {j.state for j in candidates if j.level == "state"}
        if capital and m.surface != "District of Columbia" and nxt not in INSTITUTION_WORDS:
            m.factor *= 0.3  # "Washington, D.C." is mostly the seat of the federal government

    def _in_compound(self, m: _Mention) -> bool:
        """Whether the name is hyphenated to a word that is no place name ("Jean-Pierre", not "Dallas-Fort Worth")."""
        before = re.search(r"([A-Z][a-z]+)-$", self.text[max(0, m.start - 20) : m.start])
        after = re.match(r"-([A-Z][a-z]+)", self.text[m.end : m.end + 20])
        parts = [x.group(1) for x in (before, after) if x]
        return bool(parts) and not any(self.matcher.automaton.exists(part) for part in parts)

    def _federal_office(self, m: _Mention, prev: str) -> bool:
        """ "ICE Seattle Field Office", "OPLA field location at Orlando": a federal office, not the city."""
        tail = m.qualifier_end if m.qualifier_end > 0 else m.end
        head = self.text[max(0, m.start - 30) : m.start].lower()
        return (
            prev.rsplit(".", 1)[-1] in FEDERAL_OFFICES
            or re.match(r",?[ \t]+(?:Field|Sub)[ -]?Office", self.text[tail : tail + 16]) is not None
            or re.search(r"field (?:office|location) (?:at|in) $|\b(?:opla|ero|hsi|ice),? (?:through|at|in) $", head)
            is not None
        )

    def _mark_zones(self) -> None:
        """Mentions in picture captions (the lines before "hide caption") and credit lines."""
        zones = []
        for mark in _CAPTION_MARK.finditer(self.text):
            zones.append((self.text.rfind("\n\n", 0, mark.start()) + 1, mark.end()))
            if len(zones) > 50:
                break
        if not self.mentions:
            return
        for m in self.mentions:
            line_start = self.text.rfind("\n", 0, m.start) + 1
            line_end = self.text.find("\n", m.end)
            line = self.text[line_start : line_end if line_end >= 0 else len(self.text)]
            if (len(line) < 200 and _CREDIT.search(line)) or any(
                lo <= m.start < hi and hi - m.start < 600 for lo, hi in zones
            ):
                m.zone = True

    def agency_of(self, m: _Mention) -> Jurisdiction | None:
        """The agency a mention names with the words after it ("Omaha" + " Police Department"), as a custom
        jurisdiction under the place (its id as ``Archive.add_jurisdiction`` makes it), or None."""
        if m.agency is None or not m.resolved:
            return None
        place = self.gazetteer.get(m.resolved)
        group, words, _ = m.agency
        level = AGENCY_LEVELS[group]
        allowed = {
            "police department": ("city", "county"),
            "sheriff's office": ("county",),
            "school district": ("city", "county"),
            "city council": ("city",),
            "state agency": ("state",),
        }[level]
        if place is not None and place.level == "state" and level in ("police department", "sheriff's office"):
            # "Wells Maine Police Department": a town the gazetteer does not list, under the state named
            before = re.search(
                r"([A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)[ \t]*,?[ \t]*$", self.text[max(0, m.start - 40) : m.start]
            )
            town = before.group(1) if before else ""
            if (
                town
                and not set(town.split()) & (NOT_NAMES | TITLES)
                and not any(j.state == place.state for j in self.gazetteer.by_name(town))
            ):
                suffix = "Police Department" if level == "police department" else "Sheriff's Office"
                name = f"{town} {suffix}"
                return Jurisdiction(f"{place.id}/{_slug(level)}:{_slug(name)}", name, level, place.id, place.state)
        if place is None or place.level not in allowed:
            return None
        words = " ".join(words.split())
        if level == "police department":
            name = f"{place.name} Police Department"
        elif level == "sheriff's office":
            name = f"{place.name} Sheriff's Office"
        elif level == "school district" and words.lower() == "school district":
            name = f"{place.name} School District"
        elif level == "city council":
            name = f"{place.name} City Council"
        else:
            name = f"{place.name} {words}"
        slug = _slug(level)
        return Jurisdiction(f"{place.id}/{slug}:{_slug(name)}", name, level, place.id, place.state)

    def _mark_qualifiers(self) -> None:
        ends = {m.qualifier_end for m in self.mentions if m.qualifier}
        for m in self.mentions:
            if m.end in ends:
                m.as_qualifier = True

    def _collect_states(self) -> None:
        """States the text names, and where: explicit names, qualifiers, and unambiguous places."""
        for m in self.mentions:
            evidence: list[tuple[str, float]] = []
            if m.qualifier:
                evidence.append((m.qualifier, 0.95))
            if m.kind == "state_phrase" or (m.kind == "name" and m.factor > 0.2):
                candidates = [self.gazetteer.get(i) for i in m.ids]
                states = [j.state for j in candidates if j.level == "state"]
                if len(states) == 1:
                    evidence.append((states[0], 0.9))
                elif not states and len({j.state for j in candidates}) == 1 and candidates[0].state:
                    risky = m.surface in COMMON_WORDS or m.surface in self.gazetteer.foreign_names
                    if not risky and max(j.population or 0 for j in candidates) >= 20_000:
                        evidence.append((candidates[0].state, 0.3))
            for state, weight in evidence:
                self.near_states.append((m.start, state, weight))
        self.near_states.sort()
        self._best: dict[str, list[tuple[float, int]]] = {}
        for pos, state, weight in self.near_states:
            self._best.setdefault(state, []).append((weight, pos))
        for signs in self._best.values():
            signs.sort(reverse=True)
            del signs[2:]

    def _doc(self, pos: int, state: str) -> float:
        """The strongest sign of ``state`` anywhere in the text (not counting the mention at ``pos``)."""
        found = max((w for w, p in self._best.get(state, ()) if p != pos), default=0.0)
        return max(found, self.outer._doc(-1, state)) if self.outer else found

    def _near(self, pos: int, state: str) -> float:
        lo = bisect.bisect_left(self.near_states, (pos - LOCAL_WINDOW, "", 0.0))
        hi = bisect.bisect_right(self.near_states, (pos + LOCAL_WINDOW, "~", 1.0))
        return max((w for p, s, w in self.near_states[lo:hi] if s == state and p != pos), default=0.0)

    def _resolve(self, m: _Mention, level_boost: str | None = None) -> None:
        if m.kind == "federal":
            m.resolved, m.conf = m.ids[0], m.weight * (ZONE_FACTOR if m.zone else 1.0)
            return
        if m.kind == "state_phrase":
            m.resolved, m.conf = m.ids[0], 0.95 * m.factor
            return
        candidates = [self.gazetteer.get(i) for i in m.ids]
        if m.qualifier:
            candidates = self._qualified(m)
        elif m.surface in self.senses:
            candidates = [self.gazetteer.get(self.senses[m.surface])]
        weights = [self._weight(m, j, level_boost) for j in candidates]
        best = max(range(len(candidates)), key=lambda i: weights[i])
        j = candidates[best]
        m.resolved = j.id
        m.conf = weights[best] / sum(weights) * self._nameness(m, j) * m.factor
        if m.zone:
            m.conf *= ZONE_FACTOR

    def _qualified(self, m: _Mention) -> list[Jurisdiction]:
        """Candidates of a qualified name in its qualifier's state, most populous first."""
        found = [self.gazetteer.get(i) for i in m.ids]
        found = [j for j in found if j.state == m.qualifier and j.level != "state"]
        return sorted(found, key=lambda j: -(j.population or 0))

    def _weight(self, m: _Mention, j: Jurisdiction, level_boost: str | None) -> float:
        """Prior for candidate ``j`` (states first, places by population) times the context for it."""
        if j.level == "state":
            prior = 2e7
            if m.surface == "Washington":  # bare, it is the capital more often than the state
                prior = 1.5e7 if j.state == "DC" else 1e7
        elif j.level == "city":
            prior = float(j.population or 1000)
        else:
            prior = 1e5
        if j.state and j.level != "state":  # places have population to go by; counties only their state
            boost = 10 if j.level == "city" else 30
            prior *= 1 + boost * (self._near(m.start, j.state) + self._doc(m.start, j.state))
        if m.qualifier and j.state == m.qualifier:
            prior *= 1000
        if level_boost and j.level == level_boost:
            prior *= 20
        return prior

    def _nameness(self, m: _Mention, j: Jurisdiction) -> float:
        """How likely the words name a jurisdiction at all, given the chosen one."""
        near = self._near(m.start, j.state) if j.state else 0.0
        if j.level == "state":
            base = 0.12 if m.as_qualifier else 0.9
            risky = m.surface in PERSONISH and not near
        elif j.level in ("city", "county"):
            base = 0.92 if j.level == "county" else _interpolate(math.log10(max(j.population or 1000, 1000)))
            if m.qualifier or m.place_cue or m.agency or near >= 0.5 or self.senses.get(m.surface) == j.id:
                base = max(base, 0.95 if m.qualifier else 0.88)
            explicit = m.qualifier or m.place_cue or m.agency
            if m.surface in self.gazetteer.foreign_names:  # "Paris": only "Paris, Texas" or "the city of Paris"
                risky = not explicit
            else:  # "Mobile", "Lincoln": also with the state named nearby
                risky = (m.surface in COMMON_WORDS or m.surface in PERSONISH) and not (explicit or near >= 0.9)
        else:
            return 0.9  # a custom entry the user added
        if m.surface in self.persons and not m.person and not m.qualifier:
            base *= 0.15
        if risky:
            base *= 0.2 if self._doc(m.start, j.state or "") >= 0.5 else 0.1
        if j.level == "city" and self._elsewhere(m, j):
            base *= 0.4
        if m.address:  # a mailing address names where an office is, rarely what the text is about
            base *= 0.2
        return base

    def _elsewhere(self, m: _Mention, j: Jurisdiction) -> bool:
        """Whether a small place of an ambiguous name is in no state the text names while the text names another
        clearly: "Wells PD" in an agreement of Maine is not Wells, Minnesota (Maine has no Wells we know)."""
        if len(m.ids) < 2 or m.qualifier or m.place_cue or self._near(m.start, j.state) or self._doc(m.start, j.state):
            return False
        others = [self.gazetteer.get(i).population or 0 for i in m.ids if i != j.id]
        if (j.population or 0) >= 10 * max(others, default=0):
            return False  # Denver is Denver, Colorado wherever the text is
        strong = {state for state, signs in self._best.items() if signs and signs[0][0] >= 0.9}
        if self.outer is not None:
            strong |= {state for state, signs in self.outer._best.items() if signs and signs[0][0] >= 0.9}
        return bool(strong - {j.state})

    def _list_coherence(self) -> None:
        """ "Chicago, Denver, New York and ..." -> a name in a list of cities is a city too."""
        named = [m for m in self.mentions if m.kind == "name" and m.resolved]
        for i, m in enumerate(named):
            levels = {self.gazetteer.get(x).level for x in m.ids}
            if len(levels) < 2:
                continue
            for other in (named[i - 1] if i else None, named[i + 1] if i + 1 < len(named) else None):
                if other is None:
                    continue
                gap = self.text[min(m.end, other.end) : max(m.start, other.start)]
                if re.fullmatch(r",?\s*(?:and|or)?\s*", gap):
                    level = self.gazetteer.get(other.resolved).level
                    if len({self.gazetteer.get(x).level for x in other.ids}) == 1:
                        self._resolve(m, level_boost=level)
                        break

    def quote(self, start: int, end: int) -> str:
        """The sentence around text[start:end] (at most QUOTE_LIMIT characters either side)."""
        text = self.text
        lo, hi = max(0, start - QUOTE_LIMIT), min(len(text), end + QUOTE_LIMIT)
        base = text.rfind("\n", lo, start) + 1 or lo
        left = base
        for match in re.finditer(r"[.!?][\"”’)]*\s+", text[base:start]):
            if not _abbreviation(text, base + match.start()):
                left = base + match.end()
        right = text.find("\n", end, hi)
        right = hi if right < 0 else right
        for match in re.finditer(r"[.!?][\"”’)]*(?=\s)", text[end:right]):
            if not _abbreviation(text, end + match.start()):
                right = end + match.end()
                break
        return text[left:right].strip()


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the period at ``dot`` ends an abbreviation ("St.", "U.S.", "D.C.") rather than a sentence."""
    if text[dot] != ".":
        return False
    word = re.search(r"[\w.]*$", text[max(0, dot - 12) : dot]).group(0)
    return word in ABBREVIATIONS or len(word.replace(".", "")) <= 1 or "." in word


def _standalone_names(j: Jurisdiction) -> list[str]:
    """Names a text may use alone for ``j``: not postal codes or "Neb."-style abbreviations of states."""
    if j.level == "federal":
        return []
    names = [j.name, *j.aliases]
    if j.level == "state":
        names = [n for n in names if " " in n or n == "D.C." or not (len(n) <= 6 and (n.isupper() or "." in n))]
    if j.level == "county" and j.name.endswith(" County"):
        names.append("County of " + j.name.removesuffix(" County"))
    return names


def _shadowed_city_names(gazetteer: Gazetteer, names: dict[str, set[str]]) -> list[str]:
    """ "Denver City" (TX, 5k) is dropped so "Denver City Government" reads as Denver (715k)."""

    def biggest(name: str) -> int:
        return max((gazetteer.get(i).population or 0 for i in names.get(name, ())), default=0)

    return [
        n for n in names
        if n.endswith(" City") and biggest(n.removesuffix(" City")) >= 20 * max(biggest(n), 1)
        and all(gazetteer.get(i).level == "city" for i in names[n.removesuffix(" City")])
    ]  # fmt: skip


def _qualifier_pattern(gazetteer: Gazetteer) -> re.Pattern[str]:
    """ ", Texas" / ", Tex." / ", TX" right after a place name."""
    keys = sorted({k for s in gazetteer.states.values() for k in (s.name, *s.aliases)}, key=len, reverse=True)
    alternatives = "|".join(re.escape(k) for k in keys)
    comma = r",[ \t]*(" + alternatives + r")(?![a-z0-9]|[ \t]+City)"
    address = r"[ \t]+(" + alternatives + r")(?=,?[ \t]+\d{5}(?!\d))"  # "Phoenix Arizona, 85004"
    return re.compile(_AGENCY_WORDS + f"(?:{comma}|{address})")


def _bounded(text: str, start: int, end: int) -> bool:
    """Word boundaries, allowing text glued by extraction ("New YorkMayor", "2025Jackson County")."""
    if start > 0 and text[start - 1].isalnum() and not text[start - 1].isdigit():
        return False
    if end < len(text) and text[end].isalnum():
        return text[end].isupper() and text[end - 1].islower()
    return True


def _name_like(word: str) -> bool:
    """A capitalized word that could be a first name ("Mike", "B.")."""
    if word in NOT_NAMES or word in TITLES:
        return False
    return bool(re.fullmatch(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[A-Z]\.?", word))


def _interpolate(x: float) -> float:
    """Prior that a bare place name is that place, from log10(population)."""
    points = ((3.0, 0.2), (4.0, 0.45), (5.0, 0.75), (6.0, 0.95))
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


_MATCHERS: weakref.WeakKeyDictionary[Gazetteer, _Matcher] = weakref.WeakKeyDictionary()


def _matcher(gazetteer: Gazetteer) -> _Matcher:
    if gazetteer not in _MATCHERS:
        _MATCHERS[gazetteer] = _Matcher(gazetteer)
    return _MATCHERS[gazetteer]


def _slug(text: str) -> str:
    """The id segment ``Archive.add_jurisdiction`` makes of a name or a level."""
    return re.sub(r"[^a-z0-9._~-]+", "_", text.lower()).strip("_")
