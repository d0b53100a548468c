"""Stance rules find the passages that suggest a stance."""

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
