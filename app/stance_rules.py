"""Stance rules: find the passages of a text that suggest a stance (any/all words, a phrase, a regex)."""

from __future__ import annotations

import re
from functools import lru_cache

from app.errors import DossierError
from app.models import StanceRule

RULE_KINDS = ("any", "all", "phrase", "regex")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+|\n+")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Ms|Mrs|Dr|St|Gov|Sen|Rep|Jr|Sr|Lt|Gen|No|Co|Inc))\.$")


def check_rule(rule: StanceRule) -> None:
    """Raise a readable error for a rule that cannot be used."""
    if rule.kind not in RULE_KINDS:
        raise DossierError(f"Unknown rule kind {rule.kind!r}: use one of {', '.join(RULE_KINDS)}.")
    if not rule.pattern.strip():
        raise DossierError("A rule needs some text to look for.")
    if rule.kind == "regex":
        try:
            re.compile(rule.pattern)
        except re.error as exc:
            raise DossierError(f"The regular expression {rule.pattern!r} is not valid: {exc}.") from exc


def parse_rule(text: str) -> StanceRule:
    """A rule from its one-line form, ``phrase: will not participate`` (checked)."""
    kind, sep, pattern = text.partition(":")
    if not sep:
        raise DossierError(f"Write a rule as KIND: PATTERN (any, all, phrase or regex), not {text!r}.")
    rule = StanceRule(kind.strip().lower(), pattern.strip())
    check_rule(rule)
    return rule


def format_rule(rule: StanceRule) -> str:
    """The one-line form of a rule."""
    return f"{rule.kind}: {rule.pattern}"


def rule_spans(rule: StanceRule, text: str, lower: str | None = None) -> list[tuple[int, int]]:
    """Where ``rule`` matches ``text``: character ranges, in order. ``all`` matches whole sentences that
    hold every word. ``lower`` (``text.lower()``, for many rules over one text) lets a rule whose required
    words are missing be skipped without running it."""
    if lower is not None and not all(word in lower for word in _required(rule.kind, rule.pattern)):
        return []
    if rule.kind == "regex":
        return [m.span() for m in _compiled(rule.pattern, 0).finditer(text) if m.end() > m.start()]
    if rule.kind == "phrase":
        return [m.span() for m in _compiled(_words_pattern(rule.pattern), re.IGNORECASE).finditer(text)]
    words = rule.pattern.split()
    if rule.kind == "any":
        either = "|".join(_words_pattern(word) for word in words)
        return [m.span() for m in _compiled(either, re.IGNORECASE).finditer(text)]
    patterns = [_compiled(_words_pattern(word), re.IGNORECASE) for word in words]
    return [(s, e) for s, e in sentences(text) if all(p.search(text, s, e) for p in patterns)]


def sentences(text: str) -> list[tuple[int, int]]:
    """Character ranges of the sentences (and lines) of ``text``."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.group().strip(" \t") == "" and _ABBREVIATION.search(text, max(match.start() - 5, 0), match.start()):
            continue  # "U.S. Immigration", "Gov. Smith": not the end of a sentence
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _words_pattern(phrase: str) -> str:
    """A literal phrase with word boundaries where it starts or ends with a word character and flexible
    whitespace inside."""
    body = r"\s+".join(re.escape(part) for part in phrase.split())
    head = r"(?<![\w-])" if phrase[:1].isalnum() else ""  # "sanctuary city" is not in "non-sanctuary city"
    tail = r"(?![\w-])" if phrase[-1:].isalnum() else ""
    return head + body + tail


@lru_cache(maxsize=512)
def _required(kind: str, pattern: str) -> tuple[str, ...]:
    """Lowercase words no match of a rule can do without: a phrase's first word, every word of ``all``, the
    literal runs at the top level of a regular expression ("face" in ``(?:could|will) face prosecution``)."""
    if kind == "phrase":
        return (pattern.split()[0].lower(),) if pattern.split() else ()
    if kind == "all":
        return tuple(word.lower() for word in pattern.split())
    if kind != "regex":
        return ()
    try:
        parsed = re._parser.parse(pattern)  # the standard library's own parser (internal, hence the fallback)
        literal = re._constants.LITERAL
        runs, run = [], ""
        for op, arg in parsed:
            if op == literal:
                run += chr(arg)
                continue
            runs.append(run)
            run = ""
        runs.append(run)
    except Exception:  # no shortcut then: the rule is run as it is
        return ()
    return tuple(r.lower() for r in runs if len(r.strip()) >= 3)


@lru_cache(maxsize=512)
def _compiled(pattern: str, flags: int) -> re.Pattern:
    return re.compile(pattern, flags)
