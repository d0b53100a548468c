"""Search answered with arrays gives Whoosh's own answer: the same documents, in the same order, with the same
scores, on real stories spread over several segments with updates and deletions."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from indexer.query import parse_query
from indexer.search_index import DEFAULT_FIELDS, SearchIndex
from indexer.types import IndexDoc

STORIES = 240
SCORED = [
    "oil",
    "oil prices",
    "oil OR gold",
    "oil -opec",
    "NOT oil",
    "oil AND NOT (prices OR crude)",
    '"crude oil"',
    '"oil prices"~3',
    '"the company said"',
    '"net profit"',
    '"per share"~2',
    "title:oil",
    "title:bank^3 rates",
    "kind:text profit",
    "date:[1987-03-01 to 1987-03-15] shares",
    "(shares OR stock) AND NOT oil",
]
EXPANDED = ["oil*", "ban?", "crude~1", "profits~2", "title:[a to c]", "(oil OR crude) AND pric*"]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """Reuters stories in four unmerged segments; some rewritten later (their old copies deleted), some
    deleted outright."""
    from tests.conftest import corpus_root

    folder = corpus_root() / "text" / "reuters" / "docs"
    if not folder.is_dir():
        pytest.skip(f"Reuters stories not found at {folder}")
    paths = sorted(folder.glob("*.txt"))[:STORIES]

    def doc(n: int, path, suffix: str = "") -> IndexDoc:
        text = path.read_text(encoding="utf-8", errors="replace")
        title = text.strip().splitlines()[0] if text.strip() else path.name
        return IndexDoc(n, title, text + suffix, "text" if n % 3 else "html", published=date(1987, 3, 1 + n % 28))

    found = SearchIndex(tmp_path_factory.mktemp("vector") / "ix")
    quarter = STORIES // 4
    for start in range(0, STORIES, quarter):
        found.write([doc(n, paths[n]) for n in range(start, start + quarter)], merge=False)
    found.write([doc(n, paths[n], " oil prices crude oil") for n in range(0, STORIES, 7)], merge=False)
    found.write(deletions=range(3, STORIES, 11), merge=False)
    assert len(found._index._segments()) >= 4
    yield found
    found.close()


def whoosh_answer(index: SearchIndex, text: str, sort: str = "relevance", **kwargs) -> list[tuple[int, float]]:
    """Whoosh's own collector on the same searcher: (id, score) in its order. Deleted documents are left out:
    Whoosh's NOT yields a deleted document that follows the last one it excludes (InverseMatcher stops
    skipping them once its child is used up)."""
    with index._read_lock:
        searcher = index._get_searcher()
        parsed = parse_query(text, index._schema, DEFAULT_FIELDS)
        sortedby = "date" if sort == "date" else None
        results = searcher.search(parsed.query, limit=None, sortedby=sortedby, reverse=bool(sortedby), **kwargs)
        live = index.ids()
        return [(int(hit["id"]), hit.score) for hit in results if int(hit["id"]) in live]


@pytest.mark.parametrize("text", SCORED)
def test_the_same_hits_in_the_same_order_with_the_same_scores(index, text):
    expected = whoosh_answer(index, text)
    found = index.hit_ids(text)
    assert expected, "each query matches some of the stories"
    assert found.ids == [doc_id for doc_id, _score in expected]
    assert found.scores == pytest.approx(dict(expected), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("text", SCORED)
def test_a_query_asked_again_from_kept_postings_is_answered_the_same(index, text):
    first = index.hit_ids(text)
    again = index.hit_ids(text)  # terms' postings and phrases' matches now come from the kept arrays
    assert again.ids == first.ids and again.scores == first.scores and again.facets == first.facets


def test_kept_postings_follow_new_segments_and_drop_the_least_recently_used(tmp_path):
    from indexer.vector_search import DecodedPostings

    index = SearchIndex(tmp_path / "ix")
    index.write([IndexDoc(1, "Omaha", "crude oil prices", "text")])
    assert index.hit_ids('"crude oil"').ids == [1]
    index.write([IndexDoc(2, "Tulsa", "crude oil stocks", "text"), IndexDoc(1, "Omaha", "no oil", "text")])
    assert index.hit_ids('"crude oil"').ids == [2] and sorted(index.hit_ids("oil").ids) == [1, 2]
    index.close()
    kept, reads = DecodedPostings(limit=4), []

    def read(name, size):
        reads.append(name)
        return np.zeros(size), np.zeros(size)

    for name in ("a", "b", "a", "c"):  # sizes 2 + 2 + 2 > 4: "b", used least recently, is dropped
        kept.get((name,), lambda name=name: read(name, 2))
    kept.get(("a",), lambda: read("a", 2))
    kept.get(("b",), lambda: read("b", 2))
    assert reads == ["a", "b", "c", "b"]


def test_deleted_and_replaced_documents_are_neither_found_nor_counted(index):
    found = index.hit_ids("")
    assert len(found.ids) == STORIES - len(range(3, STORIES, 11))
    assert not set(range(3, STORIES, 11)) & set(found.ids)
    assert len(found.ids) == len(set(found.ids))  # a rewritten story is found once, as it is now
    assert sum(found.facets["kind"].values()) == len(found.ids)
    oil = index.hit_ids('"crude oil"')
    assert set(range(0, STORIES, 7)) - set(range(3, STORIES, 11)) <= set(oil.ids)  # the rewritten text


@pytest.mark.parametrize("text", EXPANDED)
def test_wildcards_and_fuzzy_words_find_what_whoosh_finds(index, text):
    """The same documents; the score is the words' BM25F added up (Whoosh scores them as one constant)."""
    expected = {doc_id for doc_id, _score in whoosh_answer(index, text)}
    found = index.hit_ids(text)
    assert expected and set(found.ids) == expected
    assert [found.scores[i] for i in found.ids] == sorted(found.scores.values(), reverse=True)


def test_date_order_and_filters_are_whooshs(index):
    expected = whoosh_answer(index, "shares", sort="date")
    found = index.hit_ids("shares", sort="date")
    assert expected and found.scores == {}
    assert set(found.ids) == {doc_id for doc_id, _ in expected}
    days = [doc_id % 28 for doc_id in found.ids]  # story n is dated March (1 + n % 28)
    assert days == sorted(days, reverse=True)
    kept = index.hit_ids("shares", filters={"kind": ["text"]}, excludes={"kind": ["html"]})
    assert kept.ids and all(i % 3 for i in kept.ids)
    assert kept.ids == [i for i in index.hit_ids("shares").ids if i % 3]
    assert kept.facets["kind"] == {"text": len(kept.ids)}
