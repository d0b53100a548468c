"""Segment sub-files read straight from the segment's memory map, not from a copy of it.

Whoosh maps each compound segment file and opens every part of it (postings, terms, columns) as a
``BufferFile``, which wraps the mapped slice in ``io.BytesIO``: BytesIO copies it. Opening a searcher thus
copied every segment's postings and term index into the process's own memory and read every page of the map
doing so (570 MB at 100,000 documents before a single query; the index is 280 MB). :class:`ViewReader` reads
the slice in place, so a searcher holds only the pages queries touch, which the kernel can drop and reread.
"""

from __future__ import annotations

import os

from whoosh.filedb.structfile import BufferFile

_LINE_CHUNK = 4096


class ViewReader:
    """A read-only file over a buffer (a memoryview of a mapping), reading it without copying it first."""

    def __init__(self, buffer) -> None:
        self._view = memoryview(buffer).cast("B")
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._pos = max(start, end)
        return self._view[start:end].tobytes()

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._view) if size is None or size < 0 else min(self._pos + size, len(self._view))
        end = self._pos
        while end < limit:
            chunk = self._view[end : min(end + _LINE_CHUNK, limit)].tobytes()
            found = chunk.find(b"\n")
            if found >= 0:
                end += found + 1
                break
            end += len(chunk)
        return self.read(end - self._pos)

    def readinto(self, target) -> int:
        data = self.read(len(memoryview(target).cast("B")))
        memoryview(target).cast("B")[: len(data)] = data
        return len(data)

    def __iter__(self):
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view.release()


def _buffer_file_init(self, buf, name=None, onclose=None) -> None:
    self._buf = buf
    self._name = name
    self.file = ViewReader(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def _buffer_file_subset(self, position, length, name=None):
    return BufferFile(self._buf[position : position + length], name=name or self._name)


def read_segments_in_place() -> None:
    """Make Whoosh's buffer files (the parts of a mapped segment) read their slice of the map in place."""
    BufferFile.__init__ = _buffer_file_init
    BufferFile.subset = _buffer_file_subset
