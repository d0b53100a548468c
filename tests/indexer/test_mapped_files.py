"""Segment sub-files read their slice of the segment's map in place: opening a searcher copies no postings."""

import mmap
import pickle
from array import array

from whoosh.filedb.structfile import BufferFile

from indexer.mapped_files import ViewReader
from indexer.search_index import SearchIndex
from indexer.types import IndexDoc


def test_a_buffer_file_reads_the_buffer_in_place():
    buffer = bytearray(b"first line\nsecond\n")
    part = BufferFile(memoryview(buffer)[6:])
    buffer[6:10] = b"LINE"  # a copy taken at opening would not see this
    assert part.read(4) == b"LINE"
    assert part.file.readline() == b"\n" and list(part.file) == [b"second\n"]
    part.seek(0)
    assert part.read() == b"LINE\nsecond\n" and part.read(3) == b""


def test_a_subset_shares_the_buffer():
    buffer = bytearray(b"0123456789")
    subset = BufferFile(memoryview(buffer)).subset(2, 5)
    buffer[2] = ord("x")
    assert subset.read() == b"x3456"


def test_pickles_and_arrays_read_from_a_buffer_file():
    numbers = array("i", [1, 2, 3])
    numbers.byteswap()  # Whoosh stores arrays big-endian
    part = BufferFile(memoryview(pickle.dumps({"a": 1}, protocol=0) + pickle.dumps([2]) + numbers.tobytes()))
    assert part.read_pickle() == {"a": 1} and part.read_pickle() == [2]
    assert list(part.read_array("i", 3)) == [1, 2, 3]


def test_a_searchers_postings_are_read_from_the_segment_map(tmp_path):
    index = SearchIndex(tmp_path / "ix")
    index.write([IndexDoc(n, f"memo {n}", f"council memo number {n}", "text") for n in range(20)])
    assert len(index.hit_ids("council").ids) == 20
    searcher = index._get_searcher()
    for sub, _offset in searcher.leaf_searchers():
        postings = sub.reader()._terms._postfile
        assert isinstance(postings._buf.obj, mmap.mmap) and isinstance(postings.file, ViewReader)
        postings.seek(0)
        assert postings.read(4) == postings._buf[:4].tobytes() == b"W3Bl"  # the postings file's magic
    index.close()
