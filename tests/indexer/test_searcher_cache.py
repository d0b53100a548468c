"""Ids and facet counts from the searcher cache agree with Whoosh, across segments, deletions and edits."""

import random

from whoosh import sorting

from indexer.query import parse_query
from indexer.search_index import DEFAULT_FIELDS, FACET_FIELDS, SearchIndex
from indexer.types import IndexDoc

PLACES = ["omaha", "nebraska", "denver", "colorado", "chicago", "illinois"]
STANCES = ["limits-cooperation", "cooperates", "refuses-raids"]


def _doc(doc_id: int, rng: random.Random) -> IndexDoc:
    return IndexDoc(
        doc_id,
        f"memo {doc_id}",
        " ".join(rng.choice(["police", "raids", "council", "schools", "ordinance"]) for _ in range(8)),
        rng.choice(["text", "pdf", "html"]),
        jurisdictions=rng.sample(PLACES, rng.randint(0, 3)),
        stances=rng.sample(STANCES, rng.randint(0, 2)),
        tags=rng.sample(["follow-up", "source", "quote"], rng.randint(0, 2)),
    )


def _whoosh_counts(index: SearchIndex, text: str) -> dict:
    """What Whoosh's overlapping field facets count for the same query: the reference."""
    facets = {name: sorting.FieldFacet(name, allow_overlap=True) for name in FACET_FIELDS}
    with index._index.searcher() as searcher:
        parsed = parse_query(text, index._schema, DEFAULT_FIELDS)
        results = searcher.search(parsed.query, limit=None, groupedby=facets, maptype=sorting.Count)
        return {
            name: {str(k): v for k, v in results.groups(name).items() if k not in (None, "")} for name in FACET_FIELDS
        }


def test_counts_match_whoosh_grouping_over_segments_deletions_and_edits(tmp_path):
    rng = random.Random(3)
    index = SearchIndex(tmp_path / "ix")
    for batch in range(4):  # four segments
        index.write([_doc(batch * 50 + n, rng) for n in range(50)], merge=False)
    queries = ["police", "raids OR schools", "council -ordinance", "", "memo"]
    for text in queries:
        assert index.hit_ids(text).facets == _whoosh_counts(index, text), text
    # deletions and edits (a delete and an add) on a searcher the counter has already cached
    index.write([_doc(n, rng) for n in range(0, 200, 7)], deletions=range(1, 200, 11), merge=False)
    for text in queries:
        found = index.hit_ids(text)
        assert found.facets == _whoosh_counts(index, text), text
        assert not {n for n in range(1, 200, 11) if n % 7} & set(found.ids)
    index.merge()
    for text in queries:
        assert index.hit_ids(text).facets == _whoosh_counts(index, text), text
    index.close()


def test_counts_are_ordered_by_frequency_and_leave_out_zeros(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    index.write(
        [
            IndexDoc(1, "a", "police raids", "text", jurisdictions=["omaha", "nebraska"]),
            IndexDoc(2, "b", "police", "pdf", jurisdictions=["nebraska"]),
            IndexDoc(3, "c", "schools", "html", jurisdictions=["denver"]),
        ]
    )
    facets = index.hit_ids("police").facets
    assert list(facets["jurisdiction"].items()) == [("nebraska", 2), ("omaha", 1)]
    assert facets["kind"] == {"pdf": 1, "text": 1}
    assert facets["stance"] == {}
    index.close()


def test_an_empty_index_counts_nothing(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    assert index.hit_ids("police").facets == {name: {} for name in FACET_FIELDS}
    index.close()
