"""Extraction of untrusted files in worker processes with time and memory limits.

Each worker is a fresh interpreter (``spawn``) that takes jobs over a pipe. The parent keeps a
few jobs queued per worker, kills a worker whose job overruns its time limit or that dies
(memory limit, crash), reports that job as failed and re-sends the worker's other jobs to a
new worker. Every job submitted produces exactly one :class:`Outcome`.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import queue
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

from indexer import spawning
from indexer.errors import ExtractionError
from indexer.types import Extracted

_PENDING_PER_WORKER = 2


@dataclass(frozen=True)
class Limits:
    """Per-file limits enforced on extraction workers."""

    seconds: float = 120.0
    memory_bytes: int = 2 * 1024**3
    workers: int = 2


@dataclass
class Job:
    """One file to extract; ``key`` is the caller's handle for it."""

    key: int
    kind: str
    data: bytes
    passwords: tuple[str, ...] = ()


@dataclass
class Outcome:
    """Result of one job: either ``extracted`` or a readable ``error``."""

    key: int
    extracted: Extracted | None = None
    error: str | None = None
    needs_password: bool = False


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    jobs: deque[Job] = field(default_factory=deque)
    started: float | None = None


def _worker_main(conn: Connection, memory_bytes: int, extractor: str) -> None:
    """Worker loop: limit memory, then extract jobs until the pipe closes."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ImportError, ValueError, OSError):
        pass
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    module, _, name = extractor.partition(":")
    extract = getattr(importlib.import_module(module), name)
    inbox: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(conn, inbox), daemon=True).start()
    while (job := inbox.get()) is not None:
        conn.send(("start", job.key, time.monotonic()))
        conn.send(("done", _run(extract, job, memory_bytes)))


def _receive(conn: Connection, inbox: queue.SimpleQueue) -> None:
    """Read jobs as soon as they arrive so the parent never blocks on a busy worker."""
    while True:
        try:
            inbox.put(conn.recv())
        except (EOFError, OSError):
            inbox.put(None)
            return
        except BaseException:  # e.g. MemoryError unpickling a job: die so the parent replaces us
            os._exit(1)


def _run(extract: Callable, job: Job, memory_bytes: int) -> Outcome:
    from indexer.errors import NeedsPassword

    try:
        return Outcome(job.key, extracted=extract(job.kind, job.data, job.passwords))
    except NeedsPassword as exc:
        return Outcome(job.key, error=str(exc), needs_password=True)
    except ExtractionError as exc:
        return Outcome(job.key, error=str(exc))
    except MemoryError:
        return Outcome(job.key, error=f"ran out of memory (limit {memory_bytes // 2**20} MiB) while reading the file")
    except RecursionError:
        return Outcome(job.key, error="the file is nested too deeply to read (damaged or hostile file)")
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return Outcome(
            job.key,
            error=f"the {job.kind} reader failed: {type(exc).__name__}: {exc} "
            f"(at {where.name}); the file may be damaged",
        )


class ExtractorPool:
    """A small pool of sandboxed extraction workers; use as a context manager."""

    def __init__(self, limits: Limits = Limits(), extractor: str = "indexer.extract:extract") -> None:
        """``extractor`` names the ``module:function`` workers call as ``f(kind, data, passwords)``."""
        self.limits = limits
        self.extractor = extractor
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop all workers."""
        for worker in self._workers:
            self._stop(worker)
        self._workers.clear()

    def run(self, jobs: Iterable[Job], cancel: Callable[[], bool] = lambda: False) -> Iterator[Outcome]:
        """Extract ``jobs``, yielding outcomes as they finish (not in order).

        When ``cancel()`` turns true no further job is started; jobs already handed to a
        worker are abandoned and not reported.
        """
        source = iter(jobs)
        exhausted = False
        while True:
            if not exhausted and not cancel():
                exhausted = self._fill(source)
            busy = [w for w in self._workers if w.jobs]
            if cancel() or (exhausted and not busy):
                if cancel():
                    self.close()
                return
            yield from self._collect(busy)

    def _fill(self, source: Iterator[Job]) -> bool:
        while len(self._workers) < self.limits.workers:
            self._workers.append(self._spawn())
        for worker in sorted(self._workers, key=lambda w: len(w.jobs)):
            while len(worker.jobs) < _PENDING_PER_WORKER:
                job = next(source, None)
                if job is None:
                    return True
                self._send(worker, job)
        return False

    def _collect(self, busy: list[_Worker]) -> Iterator[Outcome]:
        now = time.monotonic()
        deadlines = [w.started + self.limits.seconds - now for w in busy if w.started is not None]
        timeout = max(0.0, min(deadlines, default=1.0))
        ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=min(timeout, 1.0))
        for worker in busy:
            if worker.conn in ready:
                yield from self._drain(worker)
        for worker in busy:
            if worker in self._workers and not worker.process.is_alive() and worker.jobs:
                yield self._replace(
                    worker,
                    f"the reader crashed (exit code {worker.process.exitcode}); the file may be damaged or too large",
                )
            elif worker.started is not None and time.monotonic() - worker.started > self.limits.seconds:
                yield self._replace(
                    worker,
                    f"reading the file took longer than {self.limits.seconds:.0f} s; "
                    "it may be damaged or extremely large",
                )

    def _drain(self, worker: _Worker) -> Iterator[Outcome]:
        while worker.conn.poll():
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                return
            if message[0] == "start":
                worker.started = message[2]
            else:
                worker.started = None
                worker.jobs.popleft()
                yield message[1]

    def _replace(self, worker: _Worker, error: str) -> Outcome:
        """Fail the worker's current job, restart it, and hand it the jobs it had queued."""
        failed = worker.jobs.popleft()
        self._stop(worker)
        replacement = self._spawn()
        self._workers[self._workers.index(worker)] = replacement
        for job in worker.jobs:
            self._send(replacement, job)
        return Outcome(failed.key, error=error)

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_worker_main,
            args=(child, self.limits.memory_bytes, self.extractor),
            name="dossier-extract",
            daemon=True,
        )
        spawning.start(process)
        child.close()
        return _Worker(process, parent)

    @staticmethod
    def _send(worker: _Worker, job: Job) -> None:
        worker.jobs.append(job)
        with contextlib.suppress(OSError):  # a dead worker is noticed by _collect via its sentinel
            worker.conn.send(job)

    @staticmethod
    def _stop(worker: _Worker) -> None:
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
