"""The import pipeline: walk inputs, deduplicate by hash, extract in sandboxed workers, commit in batches.

Every input file ends in exactly one of imported / duplicates / skipped / failed. Documents are
committed to the store every few seconds, and to the index in flushes that grow with the archive (a
quarter of its size, between INDEX_FLUSH_MIN and INDEX_FLUSH_MAX documents), so they become searchable
during a long import while the index keeps few segments; one bad file never stops the batch.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.blobs import sha256_of
from app.models import ImportReport
from app.printable import one_line, printable
from app.store.documents import NewDocument
from app.timestamps import now
from app.walking import walk
from indexer.extract import MAX_TEXT_CHARS, extractor_version, kind_for, supported_suffixes
from indexer.sandbox import ExtractorPool, Job, Limits, Outcome
from indexer.types import Member

#: Containers inside containers are opened this deep (a zip in a zip in a zip); deeper members are skipped.
MAX_DEPTH = 3
#: What one file given to the import may unpack in all, its nested containers included.
MAX_MEMBERS_PER_FILE, MAX_MEMBER_BYTES_PER_FILE = 20_000, 1024 * 1024 * 1024
#: Members waiting for their round hold their bytes in memory: past this much, no further file is read until
#: they are imported.
MEMBER_MEMORY = 256 * 1024 * 1024

MAX_FILE_BYTES = 256 * 1024 * 1024
STORE_BATCH_DOCS, STORE_BATCH_SECONDS = 250, 3.0  # a store commit after this many documents or seconds
INDEX_FLUSH_MIN = 500
INDEX_FLUSH_MAX = 5000


@dataclass
class ImportProgress:
    """Reported after each file is settled."""

    done: int
    total: int
    path: str
    imported: int
    failed: int
    searchable: int = 0  # imported documents already committed and indexed


ProgressFn = Callable[[ImportProgress], None]
CancelFn = Callable[[], bool]


@dataclass
class _Pending:
    path: Path
    kind: str
    sha256: str
    data: bytes
    copies: list[_Pending] = field(default_factory=list)
    cut_from: int = 0  # the length of its text before it was cut (0: kept whole)
    origin: _Origin | None = None  # the container it was found in (None: a file given to the import)


@dataclass
class _Origin:
    parent_sha: str
    relation: str
    member_path: str
    depth: int
    root: str  # the file given to the import it was unpacked from


Batch = list[tuple[_Pending, NewDocument]]


class Importer:
    """Runs one import; ``store_batch`` commits a batch to the store and returns the new ids, ``index``
    makes stored documents searchable in one index commit (a segment), told whether it is the import's last."""

    def __init__(
        self,
        known_hashes: dict[str, int],
        store_batch: Callable[[Batch], list[int]],
        index: Callable[[list[int], bool], None],
        put_blob: Callable[[bytes], str],
        limits: Limits,
        store_links: Callable[[list[tuple[int, int, str, str]]], None] | None = None,
        searchable: Callable[[], int] | None = None,
    ) -> None:
        """``store_links`` records (parent id, child id, relation, member path) of the documents found inside
        others (attachments, a mailbox's messages, a zip's members); ``searchable`` says how many of the
        flushed documents are committed to the index, when ``index`` commits after it returns."""
        self.known = known_hashes
        self.store_batch = store_batch
        self.index = index
        self._unindexed: list[int] = []  # stored, waiting for the next index flush
        self.put_blob = put_blob
        self.limits = limits
        self.report = ImportReport()
        self._originals: dict[str, _Pending] = {}  # by sha256: files sent for extraction, not yet settled
        self.store_links = store_links
        self.searchable = searchable
        self._members: list[tuple[_Pending, Member]] = []  # found inside extracted files, for the next round
        self._links: list[tuple[str, str, str, str]] = []  # (parent sha, child sha, relation, path) to record
        self._unpacked: dict[str, list[int]] = {}  # per file given to the import: members and bytes so far
        self._keys = 0
        self._held = 0  # bytes of the members waiting in ``_members``

    def run(
        self,
        paths: Sequence[str | os.PathLike],
        passwords: Sequence[str] = (),
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
    ) -> ImportReport:
        """Import files and folders; see the module docstring."""
        cancel = cancel or (lambda: False)
        files = list(walk(paths, self.report))
        self._total = len(files) + self.report.total
        self._progress = progress
        self._decided = self.report.total
        pending: dict[int, _Pending] = {}
        batch: Batch = []
        last_flush = time.monotonic()
        unread = iter(files)
        jobs = self._jobs(unread, pending, tuple(passwords))
        with ExtractorPool(self.limits) as pool:
            while True:  # a round per level of nesting: members are imported once their container is stored
                for outcome in pool.run(jobs, cancel):
                    item = pending.pop(outcome.key)
                    if outcome.extracted is None:
                        self._fail(item, outcome)
                    else:
                        self._found_members(item, outcome.extracted.members)
                        outcome.extracted.members = []
                        batch.append((item, _new_document(item, outcome, self.put_blob)))
                        item.data, item.cut_from = b"", outcome.extracted.cut_from  # the blob holds the bytes now
                        self._decided += 1
                        self._report_progress(item.path, len(batch))
                    if batch and (
                        len(batch) >= STORE_BATCH_DOCS or time.monotonic() - last_flush >= STORE_BATCH_SECONDS
                    ):
                        self._flush(batch)
                        last_flush = time.monotonic()
                self._flush(batch)
                self._record_links()
                if cancel():
                    break
                if self._members:
                    members, self._members = self._members, []
                    jobs = self._member_jobs(members, pending, tuple(passwords))
                elif (following := next(unread, None)) is not None:  # files left unread while members waited
                    unread = itertools.chain([following], unread)
                    jobs = self._jobs(unread, pending, tuple(passwords))
                else:
                    break
        self._index_flush(last=True)
        if cancel():
            self.report.cancelled = True
            settled = {entry["path"] for group in self.report.to_json().values() for entry in group}
            for path in files:
                if str(path) not in settled:
                    self._settle("skipped", {"path": str(path), "reason": "import cancelled"})
        for group in (self.report.imported, self.report.duplicates, self.report.skipped, self.report.failed):
            for entry in group:  # a file name that is not UTF-8, or holds control characters, shown readably
                entry["path"] = printable(entry["path"])
        return self.report

    def _jobs(self, files: Iterator[Path], pending: dict[int, _Pending], passwords: tuple[str, ...]) -> Iterator[Job]:
        """Jobs for the files, until the members found meanwhile hold too much memory (the rest wait)."""
        for path in files:
            item = self._read(path)
            if item is not None:
                yield from self._admit(item, pending, passwords)
            if self._held > MEMBER_MEMORY:
                return

    def _admit(self, item: _Pending, pending: dict[int, _Pending], passwords: tuple[str, ...]) -> Iterator[Job]:
        """A job for a file not seen before; a duplicate is settled (and linked to its container) at once."""
        self._keys += 1
        if item.sha256 in self.known:
            self._settle("duplicates", {"path": str(item.path), "id": self.known[item.sha256]})
            self._link(item)
        elif item.sha256 in self._originals:
            self._originals[item.sha256].copies.append(item)
        else:
            self._originals[item.sha256] = pending[self._keys] = item
            yield Job(self._keys, item.kind, item.data, passwords)

    def _found_members(self, item: _Pending, members: list[Member]) -> None:
        """Queue what an extracted file holds for the next round, within the depth and size budgets."""
        depth = item.origin.depth + 1 if item.origin else 1
        root = item.origin.root if item.origin else str(item.path)
        for member in members:
            self._total += 1
            path = Path(f"{item.path}!/{member.path}")
            entry = {"path": str(path)}
            budget = self._unpacked.setdefault(root, [0, 0])
            budget[0], budget[1] = budget[0] + 1, budget[1] + len(member.data)
            if depth > MAX_DEPTH:
                self._settle("skipped", {**entry, "reason": f"inside more than {MAX_DEPTH} nested containers"})
            elif budget[0] > MAX_MEMBERS_PER_FILE or budget[1] > MAX_MEMBER_BYTES_PER_FILE:
                limit = f"{MAX_MEMBERS_PER_FILE:,} files or {MAX_MEMBER_BYTES_PER_FILE // 2**20} MiB"
                self._settle("skipped", {**entry, "reason": f"{root} unpacks to more than {limit} in all"})
            elif member.error:
                self._settle("failed", {**entry, "error": member.error})
            else:
                origin = _Origin(item.sha256, member.relation, member.path, depth, root)
                self._members.append((_Pending(path, "", "", b"", origin=origin), member))
                self._held += len(member.data)

    def _member_jobs(
        self, members: list[tuple[_Pending, Member]], pending: dict[int, _Pending], passwords: tuple[str, ...]
    ) -> Iterator[Job]:
        for index, (item, member) in enumerate(members):
            members[index] = (item, None)  # type: ignore[assignment]  # free the bytes once handed on
            self._held -= len(member.data)
            kind = kind_for(item.path)
            if kind is None:
                container = str(item.path).rsplit("!/", 1)[0]
                reason = (
                    f"unsupported file type '{item.path.suffix or item.path.name}' ({item.origin.relation} of "
                    f"{container}; Dossier imports {supported_suffixes()})"
                )
                self._settle("skipped", {"path": str(item.path), "reason": reason})
                continue
            item.kind, item.data, item.sha256 = kind, member.data, sha256_of(member.data)
            yield from self._admit(item, pending, passwords)

    def _link(self, item: _Pending) -> None:
        if item.origin is not None:
            origin = item.origin
            self._links.append((origin.parent_sha, item.sha256, origin.relation, origin.member_path))

    def _record_links(self) -> None:
        links = [
            (self.known[parent], self.known[child], relation, path)
            for parent, child, relation, path in self._links
            if parent in self.known and child in self.known
        ]
        self._links = []
        if links and self.store_links is not None:
            self.store_links(links)

    def _read(self, path: Path) -> _Pending | None:
        kind = kind_for(path)
        if kind is None:
            reason = f"unsupported file type '{path.suffix or path.name}' (Dossier imports {supported_suffixes()})"
            self._settle("skipped", {"path": str(path), "reason": reason})
            return None
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ValueError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
            if size == 0:
                raise ValueError("the file is empty")
            data = path.read_bytes()
        except (OSError, ValueError) as exc:
            message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._settle("failed", {"path": str(path), "error": f"could not read the file: {message}"})
            return None
        return _Pending(path, kind, sha256_of(data), data)

    def _fail(self, item: _Pending, outcome: Outcome) -> None:
        del self._originals[item.sha256]  # a copy read later is extracted (and reported) on its own
        entry = {"path": str(item.path), "error": outcome.error}
        if outcome.needs_password:
            entry["needs_password"] = True
        self._settle("failed", entry)
        for copy in item.copies:
            self._settle("failed", {"path": str(copy.path), "error": f"same file as {item.path}: {outcome.error}"})

    def _flush(self, batch: Batch) -> None:
        if not batch:
            return
        ids = self.store_batch(batch)
        self._unindexed += ids
        if len(self._unindexed) >= min(INDEX_FLUSH_MAX, max(INDEX_FLUSH_MIN, len(self.known) // 4)):
            self._index_flush()
        for (item, doc), doc_id in zip(batch, ids, strict=False):
            self.known[item.sha256] = doc_id  # a copy read from now on is a duplicate of it
            del self._originals[item.sha256]
            entry = {"path": str(item.path), "id": doc_id, "title": doc.title, "kind": doc.kind}
            if doc.needs_ocr:
                entry["needs_ocr"] = True
            if item.cut_from:
                entry["cut"] = (
                    f"only the first {MAX_TEXT_CHARS:,} characters of its {item.cut_from:,} are kept and searchable"
                )
            self._settle("imported", entry, decided=True)
            self._link(item)
            for copy in item.copies:
                self._settle("duplicates", {"path": str(copy.path), "id": doc_id})
                self._link(copy)
        batch.clear()

    def _index_flush(self, last: bool = False) -> None:
        if self._unindexed:
            self.index(self._unindexed, last)
            self._unindexed = []

    def _settle(self, group: str, entry: dict, decided: bool = False) -> None:
        """Record a file's fate; ``decided`` when progress already counted it."""
        getattr(self.report, group).append(entry)
        if not decided:
            self._decided += 1
            self._report_progress(Path(entry["path"]))

    def _report_progress(self, path: Path, unflushed: int = 0) -> None:
        if self._progress:
            self._progress(
                ImportProgress(
                    self._decided,
                    self._total,
                    printable(str(path)),
                    len(self.report.imported) + unflushed,
                    len(self.report.failed),
                    self.searchable() if self.searchable else len(self.report.imported) - len(self._unindexed),
                )
            )


def _new_document(item: _Pending, outcome: Outcome, put_blob: Callable[[bytes], str]) -> NewDocument:
    extracted = outcome.extracted
    put_blob(item.data)
    metadata = dict(extracted.metadata)
    return NewDocument(
        sha256=item.sha256,
        kind=item.kind,
        title=one_line(extracted.title) or one_line(item.path.stem),
        source_path=printable(str(item.path)),
        file_name=printable(item.path.name),
        size=len(item.data),
        imported_at=now(),
        text=extracted.text,
        page_spans=list(extracted.page_spans),
        author=extracted.author,
        published=extracted.published,
        site=extracted.site,
        needs_ocr=extracted.needs_ocr,
        metadata=metadata,
        extractor=extractor_version(),
    )
