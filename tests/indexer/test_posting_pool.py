"""The packed posting pool writes the same index as Whoosh's own pool, whether it spills to disk or not."""

import itertools

import pytest
from whoosh import index as whoosh_index

from indexer.posting_pool import CompactPool, install
from indexer.search_index import _fields, build_schema, fuse
from indexer.types import IndexDoc


def _documents(corpus, count):
    files = sorted((corpus / "text").rglob("*.txt"))[:count]
    if len(files) < count:
        pytest.skip(f"fewer than {count} text files under {corpus / 'text'}")
    return [
        _fields(
            IndexDoc(
                id=number, title=path.stem, body=path.read_text(errors="replace"), kind="text", file_name=path.name
            )
        )
        for number, path in enumerate(files)
    ]


def _write(folder, documents, limitmb=None, segments=1):
    """Index ``documents`` in ``segments`` commits, then merge them all into one, with Whoosh's pool (``limitmb``
    None) or a CompactPool of ``limitmb``; returns the runs the pools spilled."""
    folder.mkdir()
    ix = whoosh_index.create_in(folder, build_schema())
    runs = 0
    step = -(-len(documents) // segments)
    for start in range(0, len(documents), step):
        writer = ix.writer()
        fuse(writer.schema)
        if limitmb is not None:
            install(writer, limitmb)
        for values in documents[start : start + step]:
            writer.add_document(**values)
        runs += len(writer.pool.runs)
        writer.commit(merge=False)
    writer = ix.writer()
    if limitmb is not None:
        install(writer, limitmb)
    writer.commit(optimize=True)  # a merge adds every segment's postings to the pool
    return ix, runs


def _postings(ix):
    with ix.reader() as reader:
        terms = list(reader.all_terms())
        rows = []
        for fieldname, text in itertools.islice(terms, 0, None, 7):
            matcher = reader.postings(fieldname, text)
            while matcher.is_active():
                rows.append((fieldname, text, matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
        return terms, rows, reader.doc_count()


def test_the_compact_pool_writes_what_whoosh_s_pool_writes(corpus, tmp_path):
    documents = _documents(corpus, 400)
    expected, _ = _write(tmp_path / "whoosh", documents, segments=3)
    compact, runs = _write(tmp_path / "compact", documents, limitmb=64, segments=3)
    assert runs == 0
    assert _postings(compact) == _postings(expected)


def test_past_its_limit_the_compact_pool_spills_sorted_runs_and_merges_them_back(corpus, tmp_path):
    documents = _documents(corpus, 400)
    expected, _ = _write(tmp_path / "whoosh", documents)
    spilled, runs = _write(tmp_path / "spilled", documents, limitmb=1)
    assert runs >= 2
    assert _postings(spilled) == _postings(expected)


def test_postings_that_arrive_out_of_document_order_are_sorted(tmp_path):
    pool = CompactPool(None, None, limitmb=64)
    for docnum in (5, 2, 9):
        pool.add(("body", b"cocoa", docnum, 1.0, bytes([docnum])))
    pool.add(("body", b"bank", 3, 2.0, b""))
    assert list(pool.items()) == [
        ("body", b"bank", 3, 2.0, b""),
        ("body", b"cocoa", 2, 1.0, b"\x02"),
        ("body", b"cocoa", 5, 1.0, b"\x05"),
        ("body", b"cocoa", 9, 1.0, b"\x09"),
    ]
