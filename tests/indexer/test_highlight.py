"""Match spans and snippets: phrases are one hit, negated words are never marked, HTML is escaped."""

from __future__ import annotations

import pytest

from indexer.search_index import SearchIndex
from indexer.types import IndexDoc

TEXT = (
    "The chief said the department does not intend to participate in any raids. "
    "Officers will not stop people. Officials will join a raid only with a warrant <b>signed</b> by a judge."
)


@pytest.fixture
def index(tmp_path):
    opened = SearchIndex(tmp_path / "index")
    opened.write([IndexDoc(1, "Omaha police", TEXT, "text")])
    yield opened
    opened.close()


def marked(index, query: str) -> list[str]:
    return [TEXT[s:e] for s, e in index.match_spans(query, TEXT)]


def test_a_phrase_is_one_hit_and_its_words_alone_are_not_marked(index):
    assert marked(index, '"does not intend to participate"') == ["does not intend to participate"]
    assert marked(index, '"will not stop"') == ["will not stop"]
    assert marked(index, '"join a raid"') == ["join a raid"]  # one-letter words are indexed too


def test_phrase_search_is_exact_about_stop_words(index):
    assert index.hit_ids('"will not stop"').ids == [1]
    assert index.hit_ids('"will not participate"').ids == []


def test_words_are_stemmed_and_negated_words_skipped(index):
    assert marked(index, "raid") == ["raids", "raid"]
    assert marked(index, "raid NOT judge") == ["raids", "raid"]
    assert marked(index, "partic*") == ["participate"]
    assert marked(index, "offical~1") == ["Officers", "Officials"]  # stems offic and offici are 1 edit away


def test_slop_allows_words_between(index):
    assert marked(index, '"chief department"~3') == ["chief said the department"]
    assert marked(index, '"chief department"') == []


def test_snippet_centres_on_the_matches_and_escapes_html(index):
    (snippet,) = index.snippets("signed judge", index.hit_ids("signed judge").ids, lambda _id: TEXT).values()
    assert "<mark>judge</mark>" in snippet and "&lt;b&gt;<mark>signed</mark>&lt;/b&gt;" in snippet
    assert snippet.startswith("… ") and "<b>" not in snippet


def test_snippet_without_a_body_match_is_the_opening(index):
    (snippet,) = index.snippets("title:omaha", index.hit_ids("title:omaha").ids, lambda _id: TEXT).values()
    assert snippet.startswith("The chief said") and "<mark>" not in snippet


def test_snippet_of_a_word_repeated_everywhere_marks_one_window_of_it():
    from indexer.highlight import snippet

    text = "the " * 200_000
    spans = [(i * 4, i * 4 + 3) for i in range(200_000)]
    marked = snippet(text, spans)
    assert marked.startswith("<mark>the</mark>") and len(marked) < 1200


def test_snippets_of_a_long_text_look_only_as_far_as_the_first_stretch_with_hits(index):
    from indexer import highlight

    filler = "Council minutes on budget items and road repairs. " * 500  # 25,500 characters
    later = filler + "The sheriff will not participate in raids. " + filler + "Raids again."
    wanted, analyzer = index.needles('raids OR "not participate"'), index._schema["body"].analyzer
    spans = highlight.first_spans(later, wanted, analyzer)
    assert [later[s:e] for s, e in spans] == ["not participate", "raids"]  # found past the first stretch
    assert highlight.first_spans(later, wanted, analyzer) != highlight.match_spans(later, wanted, analyzer)
    short = filler[:2_040] + "The sheriff will not participate in raids."
    for stretch in range(600, 700, 3):  # stretch ends at many places, some inside the phrase: it stays whole
        spans = highlight.first_spans(short, wanted, analyzer, stretch=stretch)
        assert [short[s:e] for s, e in spans] in (["not participate", "raids"], ["not participate"]), stretch
    assert highlight.first_spans(filler, wanted, analyzer, stretch=1_000) == []
    (hit,) = index.snippets('"not participate"', [1], lambda _id: later).values()
    assert "sheriff will <mark>not participate</mark> in raids" in hit


def test_spans_are_those_of_stemming_every_token(corpus):
    """Only tokens that begin like a wanted word are stemmed; on real stories the spans are the ones the
    body analyzer gives when it stems every token (stemming keeps a word's first letter)."""
    from indexer.highlight import Needles, _phrase_spans, _without_overlaps, match_spans
    from indexer.search_index import build_schema

    analyzer = build_schema()["body"].analyzer
    texts = [p.read_text(encoding="utf-8") for p in sorted((corpus / "text" / "reuters" / "docs").glob("*.txt"))[:150]]
    texts.append(next((corpus / "seed").glob("*.md")).read_text(encoding="utf-8"))
    for text in texts:
        tokens = [(t.text, t.startchar, t.endchar, t.pos) for t in analyzer(text, chars=True, positions=True)]
        assert all(word[:1] == text[start:end][:1].lower() for word, start, end, _ in tokens)
        stems = [word for word, *_ in tokens]
        wanted = Needles(frozenset(stems[3::17]), ((tuple(stems[5:8]), 1), (tuple(stems[40:42]), 3)))
        every = [(s, e) for word, s, e, _ in tokens if word in wanted.words]
        for words, slop in wanted.phrases:
            every.extend(_phrase_spans(tokens, words, slop))
        assert match_spans(text, wanted, analyzer) == _without_overlaps(sorted(every))
