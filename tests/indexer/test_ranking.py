"""Ranking: a word most documents hold does not reorder hits; a story about a word ranks above a headline
that only names it (tuned on Reuters topics, bench/relevance.py)."""

import pytest

from indexer.search_index import SearchIndex
from indexer.types import IndexDoc


@pytest.fixture
def index(tmp_path):
    filler = [
        IndexDoc(10 + n, f"Report {n}", f"the officials said the council met on tuesday and said little {n}", "text")
        for n in range(30)
    ]
    stories = [
        IndexDoc(1, "Council minutes", "said " * 12 + "the budget mentions oil once", "text"),
        IndexDoc(2, "Fuel costs", "oil prices rose and oil imports fell as oil stocks said", "text"),
        IndexDoc(3, "Oil", "a short note on the weather said nothing else of use here at all " * 3, "text"),
        IndexDoc(
            4, "Markets", "oil output and oil exports: the oil ministry said oil will flow " + "and trade " * 20, "text"
        ),
    ]
    found = SearchIndex(tmp_path / "ix")
    found.write(stories + filler)
    yield found
    found.close()


def test_a_word_in_every_document_does_not_reorder_the_hits(index):
    """'said' is in every document: with Whoosh's idf it still weighed about 1 and put the story that says
    'said' twelve times above the ones about oil."""
    assert index.hit_ids("said oil").ids == index.hit_ids("oil").ids == [2, 4, 1, 3]


def test_a_story_about_a_word_ranks_above_a_headline_that_only_names_it(index):
    ranked = index.hit_ids("oil").ids
    assert ranked[-1] == 3  # above it: every story that mentions oil in its text
    assert index.hit_ids("title:oil").ids == [3]
