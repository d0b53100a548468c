"""Stance rules find the passages that suggest a stance."""

import pytest

from app.models import StanceRule
from app.stance_rules import rule_spans, sentences

TEXT = (
    "The Omaha Police Department does not intend to participate in any raids. "
    "The county signed a 287(g) agreement.\nThe mayor filed a lawsuit over immigration raids."
)


def found(kind: str, pattern: str) -> list[str]:
    return [TEXT[s:e] for s, e in rule_spans(StanceRule(kind, pattern), TEXT)]


def test_phrase_is_literal_case_insensitive_and_whole_words():
    assert found("phrase", "NOT INTEND to participate") == ["not intend to participate"]
    assert found("phrase", "287(g)") == ["287(g)"]
    assert found("phrase", "tend to") == []


def test_any_all_and_regex():
    assert found("any", "raids lawsuit") == ["raids", "lawsuit", "raids"]
    assert found("all", "lawsuit immigration") == ["The mayor filed a lawsuit over immigration raids."]
    assert found("regex", r"(?i)signed an? 287\(g\)") == ["signed a 287(g)"]


def test_sentences_split_on_stops_and_lines():
    assert [TEXT[s:e] for s, e in sentences(TEXT)][1] == "The county signed a 287(g) agreement."


def test_a_phrase_does_not_match_inside_a_hyphenated_word():
    text = "The council declared a non-sanctuary city; Denver is a sanctuary city."
    spans = rule_spans(StanceRule("phrase", "sanctuary city"), text)
    assert [text[s:e] for s, e in spans] == ["sanctuary city"] and spans[0][0] == text.index("a sanctuary") + 2


def test_abbreviations_do_not_end_sentences():
    text = "The U.S. Immigration agency said Gov. Smith agreed. Then it rained."
    assert [text[s:e] for s, e in sentences(text)] == [
        "The U.S. Immigration agency said Gov. Smith agreed.",
        "Then it rained.",
    ]


def test_skipping_rules_whose_words_are_missing_finds_the_same(corpus):
    """The shortcut of rule_spans(rule, text, lower) only skips rules that could not match."""
    from app.suggestions import preset_stance_sets
    from indexer.extract import extract

    path = corpus / "seed" / "npr-cities-immigration-crackdown-2025.md"
    if not path.is_file():
        pytest.skip("seed article not in the corpus")
    texts = [
        extract("markdown", path.read_bytes()).text.replace("’", "'"),
        "Officials could face\nprosecution. The county won't honor detainers. HONOUR DETAINERS.",
        "ICE agents were Denied Access To Schools; mostly they came quietly.",
    ]
    rules = [rule for s in preset_stance_sets() for stance in s.stances for rule in stance.rules]
    rules += [StanceRule("regex", "ICE (?:agents|officers)"), StanceRule("regex", "(?i)[a-z]+ly")]
    found = 0
    for text in texts:
        for rule in rules:
            spans = rule_spans(rule, text)
            assert rule_spans(rule, text, text.lower()) == spans, rule
            found += len(spans)
    assert found > 20
