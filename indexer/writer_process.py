"""Index commits written by a process of their own, so that an import goes on storing (and its workers go on
extracting) on the other core while the last batch is being indexed.

Whoosh's writer is pure Python and holds the GIL, so a thread would not overlap anything. The process is a
fresh interpreter (``spawn``, as the extraction workers are: safe beside threads, and in a frozen app). One
commit is in flight at a time: :meth:`WriterProcess.start` hands over the documents (in chunks, returning as
soon as they are sent), :meth:`WriterProcess.wait` returns when they are committed. The process takes
Whoosh's write lock for each commit, as any writer does, so other writers wait for it as they would for
this one.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import threading
from collections.abc import Iterable
from pathlib import Path

from indexer import spawning
from indexer.errors import IndexBusy, IndexUnavailable
from indexer.types import IndexDoc

CHUNK_DOCS, CHUNK_CHARS = 250, 2_000_000  # documents are sent this many (or this much text) at a time
QUEUED_CHUNKS = 32  # chunks the process holds unwritten (a 5,000-document flush of stories) before the sender waits


class WriterProcess:
    """A spawned process that commits batches of documents to the index in ``folder``; close it when done."""

    def __init__(self, folder: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(str(folder), child), name="dossier-index-writer", daemon=True
        )
        spawning.start(self._process)
        child.close()
        self._pending = False

    def start(self, upserts: Iterable[IndexDoc], deletions: Iterable[int] = ()) -> None:
        """Send one commit's documents (added or replaced) and deletions; :meth:`wait` for the commit."""
        from indexer.search_index import _fields

        if self._pending:
            raise RuntimeError("wait for the commit in flight before starting another")
        self._pending = True
        try:
            self._conn.send(("write", [str(doc_id) for doc_id in deletions]))
            chunk, chars = [], 0
            for doc in upserts:
                chunk.append(_fields(doc))
                chars += len(doc.body)
                if len(chunk) >= CHUNK_DOCS or chars >= CHUNK_CHARS:
                    self._conn.send(("docs", chunk))
                    chunk, chars = [], 0
            self._conn.send(("docs", chunk))
            self._conn.send(("commit",))
        except OSError as exc:
            raise IndexUnavailable(f"the index writer process stopped ({exc})") from exc

    def done(self) -> bool:
        """Whether the commit in flight has ended (:meth:`wait` then returns at once)."""
        return self._pending and self._conn.poll()

    def wait(self) -> int:
        """The number of documents the commit in flight wrote (0 when none is); IndexBusy when another
        process held the index too long, IndexUnavailable when the commit failed (nothing of it is kept)."""
        if not self._pending:
            return 0
        self._pending = False
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise IndexUnavailable("the index writer process stopped") from exc
        if kind == "ok":
            return value
        if kind == "busy":
            raise IndexBusy(value)
        raise IndexUnavailable(value)

    def close(self) -> None:
        """Stop the process (a commit still in flight is abandoned: Whoosh keeps what was committed before)."""
        with contextlib.suppress(OSError):
            self._conn.send(("stop",))
        self._conn.close()
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout=5)

    def __enter__(self) -> WriterProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _serve(folder: str, conn) -> None:
    """The process: a thread takes messages off the pipe (so the sender is not kept waiting while documents
    are written), the main thread writes each commit and answers ("ok", count), ("busy", why) or
    ("error", why)."""
    from whoosh import index

    from indexer.search_index import WRITER_MB, IndexedIds, _for_writers, new_writer

    messages: queue.Queue = queue.Queue(QUEUED_CHUNKS)

    def receive() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                message = ("stop",)
            messages.put(message)
            if message[0] == "stop":
                return

    threading.Thread(target=receive, name="index-writer-pipe", daemon=True).start()
    writes = writer = None
    known = IndexedIds()  # kept across commits: each segment's ids are read once
    while (message := messages.get())[0] == "write":
        writer, answer, count = None, None, 0
        try:
            if writes is None:
                opened = index.open_dir(folder)
                writes = _for_writers(Path(folder), opened.schema)
                opened.close()
            writer = new_writer(writes, WRITER_MB)
            for doc_id in message[1]:
                writer.delete_by_term("id", doc_id)
            add = known.upserter(writer)
        except index.LockError:
            answer = ("busy", "another process is writing the search index")
        except Exception as exc:  # any failure is reported; the documents stay queued
            answer = ("error", f"the search index could not be written ({exc})")
        while (message := messages.get())[0] == "docs":
            if answer is None:
                try:
                    for values in message[1]:
                        add(values)
                        count += 1
                except Exception as exc:
                    answer = ("error", f"the search index could not be written ({exc})")
        if message[0] != "commit":  # stopped mid-commit
            break
        if answer is None:
            try:
                writer.commit(merge=False)
                writer = None
                answer = ("ok", count)
            except Exception as exc:
                answer = ("error", f"the search index could not be written ({exc})")
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cancel()
        try:
            conn.send(answer)
        except OSError:
            return
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.cancel()
