"""SQL for tags, stance vocabularies and their rules, custom jurisdictions and suggestion decisions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from app.models import Stance, StanceRule, StanceSet, Tag
from app.store.db import rows_in


class TagStore:
    """Rows of ``tags``, ``stance_sets``, ``stances``, ``stance_rules``, ``custom_jurisdictions`` and
    ``suggestion_decisions``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # -- tags ------------------------------------------------------------------------------

    def add(self, tag: Tag, batch: str | None = None) -> int | None:
        """Insert a tag (inside a transaction), as part of the bulk tagging ``batch`` when given; None when the
        same tag is already there. Tagging again outside a batch claims a batch's tag: undoing the batch keeps it."""
        cursor = self.conn.execute(
            """INSERT OR IGNORE INTO tags (doc_id, jurisdiction, stance_set, stance, start, end, quote,
                                           created_by, created_at, from_suggestion, batch)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                tag.doc_id,
                tag.jurisdiction,
                tag.stance_set,
                tag.stance,
                tag.start,
                tag.end,
                tag.quote,
                tag.created_by,
                tag.created_at,
                int(tag.from_suggestion),
                batch,
            ),
        )
        if cursor.rowcount:
            self.conn.execute(  # tagged again after a removal: the tag is back, its tombstone goes
                f"DELETE FROM removed_tags WHERE {_SAME_TAG}",
                (tag.doc_id, tag.jurisdiction, tag.stance_set, tag.stance, tag.start, tag.end),
            )
            return cursor.lastrowid
        if batch is None:
            self.conn.execute(
                """UPDATE tags SET batch = NULL WHERE batch IS NOT NULL AND doc_id = ? AND jurisdiction = ?
                   AND IFNULL(stance_set, '') = IFNULL(?, '') AND IFNULL(stance, '') = IFNULL(?, '')
                   AND IFNULL(start, -1) = IFNULL(?, -1) AND IFNULL(end, -1) = IFNULL(?, -1)""",
                (tag.doc_id, tag.jurisdiction, tag.stance_set, tag.stance, tag.start, tag.end),
            )
        return None

    def remove(self, tag_ids: Iterable[int], removed_at: str) -> int:
        """Delete tags by id, each leaving a tombstone dated ``removed_at`` (so that the removal travels in bundles
        and syncs); returns how many went."""
        removed = 0
        for tag_id in tag_ids:
            tag = self.get(tag_id)
            if tag is not None:
                self.bury(tag, removed_at)
                removed += self.conn.execute("DELETE FROM tags WHERE id = ?", (tag_id,)).rowcount
        return removed

    def bury(self, tag: Tag, removed_at: str) -> None:
        """Record that ``tag`` was removed at ``removed_at`` (a later removal of the same tag moves the date)."""
        self.conn.execute(
            """INSERT INTO removed_tags (doc_id, jurisdiction, stance_set, stance, start, end, quote, removed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT DO UPDATE SET removed_at = max(removed_at, excluded.removed_at)""",
            (tag.doc_id, tag.jurisdiction, tag.stance_set, tag.stance, tag.start, tag.end, tag.quote, removed_at),
        )

    def removed(self, doc_ids: Iterable[int]) -> dict[int, list[Tag]]:
        """The tombstones of several documents' removed tags (``created_at`` holds when each was removed)."""
        ids = list(doc_ids)
        out: dict[int, list[Tag]] = {i: [] for i in ids}
        for row in rows_in(self.conn, "SELECT * FROM removed_tags WHERE doc_id", ids):
            out[row["doc_id"]].append(
                Tag(0, row["doc_id"], row["jurisdiction"], row["stance_set"], row["stance"], row["start"], row["end"],
                    row["quote"], "", row["removed_at"], False)
            )  # fmt: skip
        return out

    def move(self, tag_id: int, start: int, end: int, quote: str) -> None:
        """Point a passage tag at its passage in a re-extracted text (inside a transaction)."""
        self.conn.execute(
            "UPDATE OR IGNORE tags SET start = ?, end = ?, quote = ? WHERE id = ?", (start, end, quote, tag_id)
        )

    def for_document(self, doc_id: int) -> list[Tag]:
        """A document's tags, whole-document ones first, then passages in text order."""
        rows = self.conn.execute(
            "SELECT * FROM tags WHERE doc_id = ? ORDER BY start IS NOT NULL, start, jurisdiction, id", (doc_id,)
        )
        return [_tag(row) for row in rows]

    def for_documents(self, doc_ids: Iterable[int]) -> dict[int, list[Tag]]:
        """Tags of several documents, keyed by document id."""
        ids = list(doc_ids)
        out: dict[int, list[Tag]] = {i: [] for i in ids}
        for row in rows_in(self.conn, "SELECT * FROM tags WHERE doc_id", ids):
            out[row["doc_id"]].append(_tag(row))
        return out

    def get(self, tag_id: int) -> Tag | None:
        """One tag."""
        row = self.conn.execute("SELECT * FROM tags WHERE id = ?", (tag_id,)).fetchone()
        return _tag(row) if row else None

    def documents_by_jurisdiction(self) -> dict[str, set[int]]:
        """Which documents carry each jurisdiction (directly, not through a child)."""
        out: dict[str, set[int]] = {}
        for jurisdiction, doc_id in self.conn.execute("SELECT DISTINCT jurisdiction, doc_id FROM tags"):
            out.setdefault(jurisdiction, set()).add(doc_id)
        return out

    def stance_counts(self) -> dict[tuple[str, str], int]:
        """Documents per stance."""
        rows = self.conn.execute(
            "SELECT stance_set, stance, COUNT(DISTINCT doc_id) FROM tags WHERE stance IS NOT NULL GROUP BY 1, 2"
        )
        return {(row[0], row[1]): row[2] for row in rows}

    def in_batch(self, batch: str) -> list[Tag]:
        """The tags a bulk tagging added that are still there and still its own."""
        return [_tag(row) for row in self.conn.execute("SELECT * FROM tags WHERE batch = ? ORDER BY id", (batch,))]

    def batches(self, limit: int) -> list[sqlite3.Row]:
        """The newest bulk taggings that still have tags: batch, jurisdiction, stance_set, stance (of one of its
        tags), documents, created_at, tags, kinds (how many different tags) and suggested (all from suggestions)."""
        return list(
            self.conn.execute(
                """SELECT batch, jurisdiction, stance_set, stance, COUNT(DISTINCT doc_id) AS documents,
                          MIN(created_at) AS created_at, COUNT(*) AS tags, MIN(from_suggestion) AS suggested,
                          COUNT(DISTINCT jurisdiction || '|' || IFNULL(stance_set, '') || '/' || IFNULL(stance, ''))
                              AS kinds
                   FROM tags WHERE batch IS NOT NULL GROUP BY batch ORDER BY MIN(id) DESC LIMIT ?""",
                (limit,),
            )
        )

    # -- stances ---------------------------------------------------------------------------

    def stance_sets(self) -> list[StanceSet]:
        """Every vocabulary with its stances and rules, in their order."""
        rules: dict[tuple[str, str], list[StanceRule]] = {}
        for row in self.conn.execute("SELECT set_id, stance_id, kind, pattern FROM stance_rules ORDER BY id"):
            rules.setdefault((row[0], row[1]), []).append(StanceRule(row[2], row[3]))
        sets = {
            row[0]: StanceSet(row[0], row[1])
            for row in self.conn.execute("SELECT * FROM stance_sets ORDER BY position")
        }
        for row in self.conn.execute("SELECT * FROM stances ORDER BY position"):
            key = (row["set_id"], row["id"])
            sets[row["set_id"]].stances.append(
                Stance(
                    row["set_id"],
                    row["id"],
                    row["label"],
                    row["description"],
                    row["colour"],
                    rules.get(key, []),
                    row["holders"],
                )
            )
        return list(sets.values())

    def add_stance_set(self, set_id: str, topic: str) -> None:
        """A new, empty vocabulary at the end (inside a transaction)."""
        position = self.conn.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM stance_sets").fetchone()[0]
        self.conn.execute("INSERT INTO stance_sets (id, topic, position) VALUES (?, ?, ?)", (set_id, topic, position))

    def save_stance(self, stance: Stance) -> None:
        """Insert a stance at the end of its vocabulary, or update its label, description and colour."""
        position = self.conn.execute(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM stances WHERE set_id = ?", (stance.set_id,)
        ).fetchone()[0]
        self.conn.execute(
            """INSERT INTO stances (set_id, id, label, description, colour, position) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (set_id, id) DO UPDATE SET label = excluded.label,
                   description = excluded.description, colour = excluded.colour""",
            (stance.set_id, stance.id, stance.label, stance.description, stance.colour, position),
        )

    def set_rules(self, set_id: str, stance_id: str, rules: list[StanceRule]) -> None:
        """Replace a stance's rules (inside a transaction)."""
        self.conn.execute("DELETE FROM stance_rules WHERE set_id = ? AND stance_id = ?", (set_id, stance_id))
        self.conn.executemany(
            "INSERT INTO stance_rules (set_id, stance_id, kind, pattern) VALUES (?, ?, ?, ?)",
            [(set_id, stance_id, rule.kind, rule.pattern) for rule in rules],
        )

    # -- custom jurisdictions --------------------------------------------------------------

    def custom_jurisdictions(self) -> list[sqlite3.Row]:
        """User-added jurisdictions."""
        return list(self.conn.execute("SELECT * FROM custom_jurisdictions ORDER BY name"))

    def add_custom_jurisdiction(self, jid: str, name: str, level: str, parent: str, state: str | None, at: str) -> None:
        """Record a user-added jurisdiction (inside a transaction)."""
        self.conn.execute(
            "INSERT INTO custom_jurisdictions (id, name, level, parent, state, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (jid, name, level, parent, state, at),
        )

    # -- suggestion decisions --------------------------------------------------------------

    def decide(self, doc_id: int, kind: str, key: str, decision: str, at: str) -> None:
        """Remember that a suggestion was accepted or rejected (inside a transaction)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO suggestion_decisions (doc_id, kind, key, decision, decided_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (doc_id, kind, key, decision, at),
        )

    def decisions(self, doc_id: int) -> dict[tuple[str, str], str]:
        """(kind, key) -> accepted/rejected for one document."""
        rows = self.conn.execute("SELECT kind, key, decision FROM suggestion_decisions WHERE doc_id = ?", (doc_id,))
        return {(row[0], row[1]): row[2] for row in rows}


#: One tag's identity: the document, jurisdiction, stance and passage (as the unique indexes compare them).
_SAME_TAG = (
    "doc_id = ? AND jurisdiction = ? AND IFNULL(stance_set, '') = IFNULL(?, '') AND IFNULL(stance, '') = IFNULL(?, '') "
    "AND IFNULL(start, -1) = IFNULL(?, -1) AND IFNULL(end, -1) = IFNULL(?, -1)"
)


def _tag(row: sqlite3.Row) -> Tag:
    return Tag(
        id=row["id"],
        doc_id=row["doc_id"],
        jurisdiction=row["jurisdiction"],
        stance_set=row["stance_set"],
        stance=row["stance"],
        start=row["start"],
        end=row["end"],
        quote=row["quote"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        from_suggestion=bool(row["from_suggestion"]),
    )
