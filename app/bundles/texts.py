"""The texts of a bundle's new documents, extracted again from their originals.

A bundle's ``data/text/`` is derived data that anyone can rewrite (and recompute the BagIt checksums): taken
as it is, it would make the archive find and show words its originals never held. So the text of every
document new to the archive is extracted from its original, by the same sandboxed workers an import uses;
the bundle's text only serves to place its annotations and passage tags on the fresh text again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from app.bundles.validation import describe
from app.bundles.verify import VerifiedBundle
from app.errors import BadBundle
from indexer.sandbox import ExtractorPool, Job, Limits
from indexer.types import Extracted


def extract_again(
    bundle: VerifiedBundle,
    docs: list[dict],
    limits: Limits,
    passwords: Iterable[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Extracted]:
    """The text extracted from the original of each of ``docs`` (documents.json records), by sha256.

    A document whose original cannot be read refuses the bundle, naming it: its text could not be checked."""
    jobs = (Job(i, doc["kind"], bundle.original_bytes(doc["sha256"]), tuple(passwords)) for i, doc in enumerate(docs))
    fresh = {}
    with ExtractorPool(limits) as pool:
        for done, outcome in enumerate(pool.run(jobs), 1):
            doc = docs[outcome.key]
            if outcome.extracted is None:
                advice = (
                    "give its password and import the bundle again"
                    if outcome.needs_password
                    else ("ask the sender to export it again, or leave this document out of the bundle")
                )
                raise BadBundle(
                    f"{describe(doc)}: its text could not be extracted from its original again to check it "
                    f"({outcome.error}), so nothing of the bundle was imported; {advice}."
                )
            fresh[doc["sha256"]] = outcome.extracted
            if progress:
                progress(done, len(docs))
    return fresh
