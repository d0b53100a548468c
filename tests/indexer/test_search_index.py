"""Index writes: merging deferred during a long import, small segments merged by size level."""

import pytest

from indexer.errors import IndexUnavailable
from indexer.search_index import SearchIndex
from indexer.types import IndexDoc


def _sizes(index):
    return sorted(segment.doc_count_all() for segment in index._index._segments())


def test_ten_small_segments_of_one_size_level_are_merged_at_the_end(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    for batch in range(12):
        docs = [IndexDoc(batch * 10 + n, "memo", f"council memo {batch} {n}", "text") for n in range(5)]
        index.write(docs, merge=False)
    assert _sizes(index) == [5] * 12
    index.merge()
    assert _sizes(index) == [60]
    assert index.doc_count() == 60 and len(index.hit_ids("council").ids) == 60
    index.close()


def test_fewer_than_ten_of_a_level_or_large_segments_are_left_alone(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    sizes = [3000, 40, 40, 40, 5]
    start = 0
    for size in sizes:
        index.write([IndexDoc(start + n, "memo", f"memo {n}", "text") for n in range(size)], merge=False)
        start += size
    index.merge()
    assert _sizes(index) == sorted(sizes)
    for edit in range(9):  # edits commit one document each
        index.write([IndexDoc(start + edit, "edit", "an edit", "text")])
    assert _sizes(index) == [1] * 9 + [5, 40, 40, 40, 3000]
    index.write([IndexDoc(start + 9, "edit", "an edit", "text")])  # ten segments of 1-9 documents: merged
    assert _sizes(index) == [15, 40, 40, 40, 3000]
    index.close()


def test_a_small_segment_mostly_replaced_by_edits_is_rewritten_without_them(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    index.write([IndexDoc(n, "memo", f"memo {n}", "text") for n in range(40)], merge=False)
    index.write([IndexDoc(n, "memo", f"memo {n} edited", "text") for n in range(30)])
    assert index.doc_count() == 40
    assert _sizes(index) == [40]  # the 30 replaced copies are gone, not kept as deleted documents
    assert len(index.hit_ids("edited").ids) == 30
    index.close()


def test_a_searcher_caught_mid_commit_is_reopened(tmp_path, monkeypatch):
    index = SearchIndex(tmp_path / "index")
    index.write([IndexDoc(1, "Omaha", "Omaha police", "text")])
    real, failures = index._get_searcher, []

    def flaky():
        if len(failures) < 2:  # the first two opens see segment files a commit just removed
            failures.append(1)
            raise FileNotFoundError(2, "No such file or directory")
        return real()

    monkeypatch.setattr(index, "_get_searcher", flaky)
    assert index.hit_ids("omaha").ids == [1] and len(failures) == 2
    failures.clear()

    def gone():
        raise FileNotFoundError(2, "gone")

    monkeypatch.setattr(index, "_get_searcher", gone)
    with pytest.raises(IndexUnavailable, match="being rewritten"):
        index.doc_count()
    index.close()


def test_queries_do_not_reread_a_table_of_contents_a_commit_may_be_deleting(tmp_path, monkeypatch):
    from whoosh.index import TOC

    index = SearchIndex(tmp_path / "index")
    index.write([IndexDoc(1, "Omaha", "Omaha police will not participate", "text")])
    assert index.hit_ids("omaha").ids == [1]  # the searcher is open and up to date

    def deleted(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory: '_MAIN_2.toc'")

    monkeypatch.setattr(TOC, "read", classmethod(deleted))
    body = "Omaha police will not participate"
    assert index.hit_ids('"not participate"').ids == [1]
    assert index.match_spans("police", body) == [(6, 12)]
    assert index.snippets("police", [1], lambda _: body) == {1: "Omaha <mark>police</mark> will not participate"}
    index.close()


def test_a_search_that_runs_out_of_time_keeps_what_it_found_and_says_so(tmp_path, monkeypatch):
    index = SearchIndex(tmp_path / "ix")
    index.write([IndexDoc(n, f"memo {n}", "police raids", "text") for n in range(3000)])
    assert len(index.hit_ids("police").ids) == 3000
    monkeypatch.setattr("indexer.search_index.SEARCH_SECONDS", 0.0)
    found = index.hit_ids("police")
    assert len(found.ids) < 3000 and sum(found.facets["kind"].values()) == len(found.ids)
    assert any("stopped after 0 s" in warning and "narrow it down" in warning for warning in found.warnings)
    index.close()


def test_ids_are_the_live_documents_of_every_segment(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    assert index.ids() == set()
    index.write([IndexDoc(n, "memo", "council", "text") for n in range(10)], merge=False)
    index.write([IndexDoc(n, "memo", "council", "text") for n in range(10, 20)], deletions=[3, 4], merge=False)
    index.write([IndexDoc(5, "memo edited", "council", "text")], deletions=[12], merge=False)
    assert index.ids() == set(range(20)) - {3, 4, 12}
    index.close()


def test_filters_and_excludes_restrict_the_hits_and_their_counts(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    index.write([IndexDoc(n, "memo", "police", ("text", "pdf", "html")[n % 3]) for n in range(9)])
    assert sorted(index.hit_ids("police", filters={"kind": ["pdf"]}).ids) == [1, 4, 7]
    excluded = index.hit_ids("police", excludes={"kind": ["pdf"]})
    assert sorted(excluded.ids) == [0, 2, 3, 5, 6, 8] and excluded.facets["kind"] == {"html": 3, "text": 3}
    assert sorted(index.hit_ids("police", sort="date", filters={"kind": ["html"]}).ids) == [2, 5, 8]
    index.close()


def test_a_file_name_is_searched_as_words_below_the_text(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    index.write(
        [
            IndexDoc(
                1,
                "287(g) MOA TF - Wells PD",
                "scanned agreement",
                "pdf",
                file_name="MAINE__Wells_Police_Department__WellsPDME_TFM.pdf",
            ),
            IndexDoc(2, "Letter", "The Wells Police Department of Maine wrote", "pdf", file_name="letter.pdf"),
            IndexDoc(
                3, "Memo", "the State of Mississippi", "pdf", file_name="Mississippi_Attorney_Generals_Office_MOA.pdf"
            ),
        ]
    )
    assert index.hit_ids('"Wells Police Department" Maine').ids == [2, 1]  # the text's match ranks first
    assert index.hit_ids('"Attorney General\'s Office" Mississippi').ids == [3]
    assert index.hit_ids("file:wells").ids == [1] and index.hit_ids("filename:tfm").ids == [1]
    assert sorted(index.hit_ids("pdf").ids) == [1, 2, 3] and index.hit_ids("file:letter").ids == [2]
    index.close()


def test_fused_text_indexes_exactly_what_whoosh_s_stemming_chain_does(corpus):
    """The writer's one-loop postings for the stemmed fields equal Whoosh's own, on real stories and on
    words that lowercase to other lengths, dotted words and wildcard characters the tokenizer keeps."""
    from whoosh import fields

    from indexer.extract import extract
    from indexer.search_index import FusedText, build_schema, fuse

    files = sorted((corpus / "text").rglob("*.txt"))[:300]
    if not files:
        pytest.skip(f"no text files under {corpus / 'text'}")
    texts = [extract("text", path.read_bytes()).text for path in files]
    texts += ["İSTANBUL İstanbul straße STRASSE ǅemal ﬁne naïve café", "U.S.A. e.g. 3.14 x_y ..a.b.. Delaware*, ½²", ""]
    plain, fused = build_schema(), build_schema()
    fuse(fused)
    assert {type(fused[name]) for name in ("title", "body", "note")} == {FusedText}
    assert type(fused["author"]) is fields.TEXT  # another analyzer: left to Whoosh
    for text in texts:
        for name in ("title", "body", "note"):
            assert list(fused[name].index(text)) == list(plain[name].index(text))


def test_a_fused_writer_leaves_the_index_as_whoosh_s_own_would(tmp_path):
    """Documents written through the fused fields are found as before, and the table of contents still
    names Whoosh's TEXT, so an index written here opens anywhere the plain schema does."""
    from whoosh import fields
    from whoosh import index as whoosh_index

    index = SearchIndex(tmp_path / "ix")
    index.write([IndexDoc(1, "Lawyers' memos", "The councils were not participating in raids", "text")])
    assert index.hit_ids("council").ids == [1] and index.hit_ids('"not participating"').ids == [1]
    assert index.hit_ids("title:lawyer").ids == [1]
    index.close()
    reopened = whoosh_index.open_dir(tmp_path / "ix")
    assert type(reopened.schema["body"]) is fields.TEXT
    reopened.close()


def test_a_write_replaces_a_document_of_the_same_id_in_any_segment_and_adds_new_ones(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    index.write([IndexDoc(1, "Omaha", "Omaha police", "text"), IndexDoc(2, "Denver", "Denver council", "text")])
    index.write([IndexDoc(3, "Austin", "Austin sheriff", "text")], merge=False)
    index.write([IndexDoc(1, "Omaha", "Omaha sheriff", "text"), IndexDoc(4, "Tulsa", "Tulsa sheriff", "text")])
    assert index.doc_count() == 4 and index.ids() == {1, 2, 3, 4}
    assert sorted(index.hit_ids("sheriff").ids) == [1, 3, 4] and index.hit_ids("police").ids == []
    index.close()


def test_a_document_another_writer_indexed_meanwhile_is_replaced_not_doubled(tmp_path):
    """The writer process keeps each segment's ids across its commits; a segment another writer committed in
    between is read at the next one."""
    from indexer.writer_process import WriterProcess

    ours, other = SearchIndex(tmp_path / "ix"), SearchIndex(tmp_path / "ix")
    ours.write([IndexDoc(n, "memo", f"memo {n}", "text") for n in range(1, 4)], merge=False)
    with WriterProcess(tmp_path / "ix") as writer:
        writer.start([IndexDoc(2, "memo", "memo two, edited", "text"), IndexDoc(8, "Tulsa", "Tulsa", "text")])
        assert writer.wait() == 2
        other.write([IndexDoc(7, "Omaha", "Omaha police", "text")], merge=False)  # a segment it has not read
        writer.start([IndexDoc(7, "Omaha", "Omaha sheriff", "text"), IndexDoc(8, "Tulsa", "Tulsa chief", "text")])
        assert writer.wait() == 2
    ours.write([IndexDoc(3, "memo", "memo three, edited", "text")])
    assert ours.doc_count() == 5 and ours.ids() == {1, 2, 3, 7, 8}
    assert ours.hit_ids("police").ids == [] and ours.hit_ids("sheriff").ids == [7]
    assert sorted(ours.hit_ids("edited").ids) == [2, 3] and ours.hit_ids("chief").ids == [8]
    ours.close()
    other.close()
