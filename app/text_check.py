"""``check --deep``: every stored text compared with a fresh extraction of its original.

The stored text is derived data; nothing should make it differ from what its original holds (a bundle, an
edit of the database by hand, a damaged disk). A difference is reported with where it starts; an extractor
upgrade also shows up here, and ``reextract`` settles both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from indexer.sandbox import ExtractorPool, Job

EXCERPT = 40  # characters shown on each side of the first difference


def differing_texts(
    archive, passwords: Iterable[str] = (), progress: Callable[[int, int], None] | None = None
) -> tuple[list[dict], list[dict]]:
    """(documents whose stored text differs from their original's, documents that could not be extracted):
    ``{"id","title","stored_chars","original_chars","first_difference","stored","original"}`` and
    ``{"id","title","error"}``, by id."""
    reader = archive._reader()
    hashes = reader.hashes()
    docs = reader.get_many(hashes.values())
    ids = sorted(docs)
    jobs = (
        Job(doc_id, docs[doc_id].kind, archive.blobs.path(docs[doc_id].sha256).read_bytes(), tuple(passwords))
        for doc_id in ids
        if archive.blobs.path(docs[doc_id].sha256).is_file()  # a missing original is reported by `check` itself
    )
    differ, unchecked = [], []
    with ExtractorPool(archive.extraction_limits) as pool:
        for done, outcome in enumerate(pool.run(jobs), 1):
            doc = docs[outcome.key]
            if outcome.extracted is None:
                unchecked.append({"id": doc.id, "title": doc.title, "error": outcome.error})
            else:
                stored = reader.text(doc.id) or ""
                if stored != outcome.extracted.text:
                    differ.append({"id": doc.id, "title": doc.title, **_difference(stored, outcome.extracted.text)})
            if progress:
                progress(done, len(ids))
    return sorted(differ, key=lambda d: d["id"]), sorted(unchecked, key=lambda d: d["id"])


def _difference(stored: str, original: str) -> dict:
    at = next((i for i, (a, b) in enumerate(zip(stored, original, strict=False)) if a != b), None)
    if at is None:
        at = min(len(stored), len(original))
    start = max(at - EXCERPT, 0)
    return {
        "stored_chars": len(stored),
        "original_chars": len(original),
        "first_difference": at,
        "stored": stored[start : at + EXCERPT],
        "original": original[start : at + EXCERPT],
    }
