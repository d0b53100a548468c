"""Which segments a commit merges: small ones, by size level, never the large segments an import writes.

Whoosh's default (``MERGE_SMALL``) merges every segment up to the first one whose running total falls under a
Fibonacci bound: an import into an archive of 50,000 documents merged nothing, one of 100,000 rewrote 60,000
documents at its end (three minutes), and the same rule could start such a rewrite from a one-word edit.
A merge in Whoosh costs about what indexing the documents again costs, so here each commit merges only small
segments, ten of one size level (1-9 documents, 10-99, ...) at a time, as Lucene's log merge policy does:
a document is rewritten at most once per level, and a segment of MAX_MERGED_DOCS or more (what an import's
flushes write) is never rewritten by a commit. A small segment that is mostly deleted documents (edits
replace documents) is merged with its level whatever their number.
"""

from __future__ import annotations

from collections import defaultdict

from whoosh.reading import SegmentReader

MERGE_FACTOR = 10  # segments of one size level merged together
MAX_MERGED_DOCS = 2_500  # segments this large are left alone (an import flushes up to 5,000 documents)


def level_merge(writer, segments: list) -> list:
    """A Whoosh merge policy (``writer.commit(mergetype=level_merge)``): merges the segments :func:`to_merge`
    picks into the writer's new segment and returns the others."""
    merging = to_merge(segments)
    for segment in merging:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in merging]


def to_merge(segments: list) -> list:
    """The segments to merge: each size level below MAX_MERGED_DOCS that holds MERGE_FACTOR segments (or
    one mostly deleted), as long as the merged segment stays under MAX_MERGED_DOCS."""
    levels: dict[int, list] = defaultdict(list)
    for segment in segments:
        size = segment.doc_count_all()
        if size < MAX_MERGED_DOCS:
            levels[len(str(max(size, 1)))].append(segment)
    merging, total = [], 0
    for level in sorted(levels):
        group = sorted(levels[level], key=lambda segment: segment.doc_count_all())
        hollow = any(segment.deleted_count() * 2 > segment.doc_count_all() for segment in group)
        if len(group) < MERGE_FACTOR and not hollow:
            continue
        for segment in group:
            if merging and total + segment.doc_count() >= MAX_MERGED_DOCS:
                return merging
            merging.append(segment)
            total += segment.doc_count()
    return merging if len(merging) > 1 or any(segment.has_deletions() for segment in merging) else []
