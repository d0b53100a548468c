"""What changed in an archive: the change set every pane reacts to (the shape of Anki's ``OpChanges``).

Triggers log every write in the same transaction (schema v6), whichever process makes it, so the window
learns of its own ops and of a CLI command's alike by asking :meth:`Archive.changes_since`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    """Documents whose metadata, tags or annotations changed, and whether vocabularies or custom
    jurisdictions did; ``everything`` when the log no longer reaches back far enough to say."""

    documents: frozenset[int] = field(default_factory=frozenset)
    tags: frozenset[int] = field(default_factory=frozenset)
    annotations: frozenset[int] = field(default_factory=frozenset)
    vocabulary: bool = False
    jurisdictions: bool = False
    everything: bool = False

    def __bool__(self) -> bool:
        """Whether anything changed; every kind of change may alter search hits or facets (all are indexed)."""
        return bool(self.touched or self.vocabulary or self.jurisdictions or self.everything)

    @property
    def touched(self) -> frozenset[int]:
        """Every document with any change (its row, tags or annotations)."""
        return self.documents | self.tags | self.annotations

    def concerns(self, doc_id: int | None) -> bool:
        """Whether a pane showing ``doc_id`` should reload."""
        return self.everything or (doc_id is not None and doc_id in self.touched)
