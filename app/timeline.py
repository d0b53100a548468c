"""The timeline: the documents a query finds and their confirmed stances, by the date the documents bear.

Each piece of evidence the stance map draws (a stance tag on a document or a passage, a live annotation with a
jurisdiction and a stance) counts once in the bucket of its document's date, coloured by its stance; a document
without any confirmed stance counts once as "without a stance". Buckets are months, or years when the dates
span more than eight years; every bucket between the first and the last is there, empty or not, so the axis
reads as time. Undated documents are counted apart.

Qt-free: the command line, the window's Timeline view and the bundle report all draw from :class:`Timeline`.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from app import wording
from app.models import InVocabularyOrder, Stance, StanceSet, stance_labels
from app.stance_map import build_stance_map
from app.store.evidence import EvidenceStore

if TYPE_CHECKING:
    from app.archive import Archive

#: Dates spanning more months than this are bucketed by year (a month bar of a decade would be a hair).
MONTHS_AT_MOST = 96
WITHOUT_STANCE = "without a stance"


@dataclass(frozen=True)
class Item:
    """One thing the timeline counts: a piece of stance evidence, or (``stance`` None) a document without any."""

    doc_id: int
    date: date | None
    stance: str | None  # a stance key, ``set/id``


@dataclass
class Bucket:
    """A month or a year (or, with ``start`` None, the undated documents) and what falls in it."""

    label: str
    start: date | None  # first day
    end: date | None  # last day
    counts: Counter[str] = field(default_factory=Counter)  # evidence per stance key
    untagged: int = 0  # documents without a stance
    documents: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        """The height of its bar: evidence plus documents without a stance."""
        return sum(self.counts.values()) + self.untagged


@dataclass
class Timeline(InVocabularyOrder):
    """What :func:`build_timeline` returns."""

    query: str
    stances: list[Stance]  # every stance of every vocabulary, in vocabulary order
    labels: dict[str, str]  # stance key -> the label a person reads
    unit: str  # "month" or "year"
    buckets: list[Bucket]  # oldest first, no gaps
    undated: Bucket
    warnings: list[str] = field(default_factory=list)

    @property
    def documents(self) -> int:
        """Documents counted, dated or not."""
        return len(self.undated.documents.union(*(b.documents for b in self.buckets)))

    @property
    def dated_documents(self) -> int:
        return len(set().union(*(b.documents for b in self.buckets)))

    def used_stances(self) -> list[str]:
        """Keys of the stances with evidence on the timeline (dated or not), in vocabulary order."""
        total: Counter[str] = Counter()
        for bucket in [*self.buckets, self.undated]:
            total.update(bucket.counts)
        return self.ordered(total)

    def tooltip(self, bucket: Bucket) -> str:
        """``2025-03: 4 Cooperates, 1 Sanctuary, 2 without a stance`` (``2025-04: nothing``)."""
        return f"{bucket.label}: {self.describe(bucket)}"

    def describe(self, bucket: Bucket) -> str:
        parts = [f"{bucket.counts[k]} {self.labels.get(k, k)}" for k in self.ordered(bucket.counts)]
        if bucket.untagged:
            parts.append(f"{wording.count(bucket.untagged, 'document')} {WITHOUT_STANCE}")
        return ", ".join(parts) or "nothing"

    def clause(self, first: int, last: int) -> str:
        """The query clause finding the documents of buckets ``first`` to ``last`` (either order), in the range
        form the query parser documents: ``date:[2025-01-01 to 2025-03-31]``."""
        low, high = sorted((first, last))
        return f"date:[{self.buckets[low].start.isoformat()} to {self.buckets[high].end.isoformat()}]"

    def to_json(self) -> dict:
        """The ``dossier timeline --json`` shape."""

        def bucket_json(b: Bucket) -> dict:
            return {
                "label": b.label,
                "start": b.start.isoformat() if b.start else None,
                "end": b.end.isoformat() if b.end else None,
                "stances": {k: b.counts[k] for k in self.ordered(b.counts)},
                "without_stance": b.untagged,
                "documents": len(b.documents),
            }

        return {
            "query": self.query,
            "unit": self.unit,
            "documents": self.documents,
            "warnings": self.warnings,
            "stances": {s.key: {"label": self.labels[s.key], "colour": s.colour} for s in self.stances},
            "buckets": [bucket_json(b) for b in self.buckets],
            "undated": bucket_json(self.undated),
        }


def build_timeline(
    archive: Archive,
    query: str = "",
    filters: Mapping[str, Iterable[str]] | None = None,
    excludes: Mapping[str, Iterable[str]] | None = None,
) -> Timeline:
    """The timeline of the documents ``query`` finds with the facet ``filters`` and ``excludes`` (every document
    when all are empty).

    The evidence is the stance map's, so a query naming stances or places draws only theirs; a document of the
    results without any confirmed stance counts as one "without a stance"."""
    stance_map = build_stance_map(archive, query, filters, excludes)
    found = archive.search_ids(query, filters=filters, excludes=excludes)
    reader = archive._reader()
    with_stance = EvidenceStore(reader.conn).documents_with_stance()
    items = [Item(e.doc_id, e.date, e.stance) for place in stance_map.places.values() for e in place.evidence]
    untagged = [doc_id for doc_id in found.ids if doc_id not in with_stance]
    dates = reader.published_dates(untagged)
    items += [Item(doc_id, dates[doc_id], None) for doc_id in untagged if doc_id in dates]
    return timeline_of(items, archive.stance_sets(), query, warnings=list(dict.fromkeys(found.warnings)))


def timeline_of(
    items: Iterable[Item], stance_sets: list[StanceSet], query: str = "", *, warnings: list[str] | None = None
) -> Timeline:
    """Bucket ``items`` by date: months, or years when the dates span more than :data:`MONTHS_AT_MOST`."""
    items = list(items)
    dated = [i.date for i in items if i.date is not None]
    unit = "month"
    buckets: list[Bucket] = []
    if dated:
        low, high = min(dated), max(dated)
        if (high.year - low.year) * 12 + high.month - low.month + 1 > MONTHS_AT_MOST:
            unit = "year"
        buckets = _buckets(low, high, unit)
    index = {b.label: b for b in buckets}
    undated = Bucket("undated", None, None)
    for item in items:
        bucket = undated if item.date is None else index[_label(item.date, unit)]
        bucket.documents.add(item.doc_id)
        if item.stance is None:
            bucket.untagged += 1
        else:
            bucket.counts[item.stance] += 1
    return Timeline(
        query=query,
        stances=[s for ss in stance_sets for s in ss.stances],
        labels=stance_labels(stance_sets),
        unit=unit,
        buckets=buckets,
        undated=undated,
        warnings=warnings or [],
    )


def with_date_clause(query: str, clause: str, previous: str | None = None) -> str:
    """``query`` narrowed to ``clause``: in place of ``previous`` (the clause an earlier drag wrote) when the
    query still holds it, else added at the end."""
    query = query.strip()
    if previous and previous in query:
        return query.replace(previous, clause, 1)
    return f"{query} {clause}".strip()


def without_date_clause(query: str, clause: str | None) -> str:
    """``query`` without ``clause`` (when it holds it)."""
    if not clause or clause not in query:
        return query
    return " ".join(query.replace(clause, " ", 1).split())


def _label(day: date, unit: str) -> str:
    return f"{day.year:04d}" if unit == "year" else f"{day.year:04d}-{day.month:02d}"


def _buckets(low: date, high: date, unit: str) -> list[Bucket]:
    if unit == "year":
        return [Bucket(f"{y:04d}", date(y, 1, 1), date(y, 12, 31)) for y in range(low.year, high.year + 1)]
    out = []
    year, month = low.year, low.month
    while (year, month) <= (high.year, high.month):
        last = calendar.monthrange(year, month)[1]
        out.append(Bucket(f"{year:04d}-{month:02d}", date(year, month, 1), date(year, month, last)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
