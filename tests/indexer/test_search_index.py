"""Index writes: merging deferred during a long import, Whoosh's small-segment merge run once at the end."""

from indexer.search_index import SearchIndex
from indexer.types import IndexDoc


def test_unmerged_batches_are_merged_at_the_end(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    for batch in range(6):
        docs = [IndexDoc(batch * 10 + n, "memo", f"council memo {batch} {n}", "text") for n in range(5)]
        index.write(docs, merge=False)
    assert len(index._index._segments()) == 6
    index.merge()
    assert len(index._index._segments()) == 2  # MERGE_SMALL folds the five smallest into one
    assert index.doc_count() == 30 and index.search("council", page_size=50).total == 30
    index.close()
