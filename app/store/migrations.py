"""Numbered schema upgrades keyed by ``PRAGMA user_version``.

Each step runs in one transaction; the database is copied aside before the first step, and a
database newer than this code is refused.
"""

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import resources
from app.errors import ArchiveTooNew
from app.store.db import transaction


def _v1(conn: sqlite3.Connection) -> None:
    """Documents, their extracted text, and the durable to-index queue."""
    conn.execute("""
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            published TEXT,
            site TEXT NOT NULL DEFAULT '',
            source_path TEXT NOT NULL,
            file_name TEXT NOT NULL,
            size INTEGER NOT NULL,
            pages INTEGER,
            needs_ocr INTEGER NOT NULL DEFAULT 0,
            metadata TEXT NOT NULL DEFAULT '{}',
            imported_at TEXT NOT NULL
        )""")
    conn.execute("""
        CREATE TABLE document_text (
            doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            page_spans TEXT NOT NULL DEFAULT '[]'
        )""")
    conn.execute("CREATE TABLE index_queue (doc_id INTEGER PRIMARY KEY)")


def _v2(conn: sqlite3.Connection) -> None:
    """Jurisdiction and stance tags, stance vocabularies with their rules, custom jurisdictions, and the
    suggestions a person accepted or rejected (so a rejected one does not come back)."""
    conn.execute("""
        CREATE TABLE custom_jurisdictions (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            level TEXT NOT NULL,
            parent TEXT,
            state TEXT,
            created_at TEXT NOT NULL
        )""")
    conn.execute("""
        CREATE TABLE stance_sets (
            id TEXT PRIMARY KEY,
            topic TEXT NOT NULL,
            position INTEGER NOT NULL
        )""")
    conn.execute("""
        CREATE TABLE stances (
            set_id TEXT NOT NULL REFERENCES stance_sets(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            label TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            colour TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (set_id, id)
        )""")
    conn.execute("""
        CREATE TABLE stance_rules (
            id INTEGER PRIMARY KEY,
            set_id TEXT NOT NULL,
            stance_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('any', 'all', 'phrase', 'regex')),
            pattern TEXT NOT NULL,
            FOREIGN KEY (set_id, stance_id) REFERENCES stances(set_id, id) ON DELETE CASCADE
        )""")
    conn.execute("""
        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            jurisdiction TEXT NOT NULL,
            stance_set TEXT,
            stance TEXT,
            start INTEGER,
            end INTEGER,
            quote TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            from_suggestion INTEGER NOT NULL DEFAULT 0,
            FOREIGN KEY (stance_set, stance) REFERENCES stances(set_id, id)
        )""")
    conn.execute(
        "CREATE UNIQUE INDEX tags_unique ON tags "
        "(doc_id, jurisdiction, IFNULL(stance_set, ''), IFNULL(stance, ''), IFNULL(start, -1), IFNULL(end, -1))"
    )
    conn.execute("CREATE INDEX tags_jurisdiction ON tags (jurisdiction)")
    conn.execute("""
        CREATE TABLE suggestion_decisions (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('jurisdiction', 'stance')),
            key TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
            decided_at TEXT NOT NULL,
            PRIMARY KEY (doc_id, kind, key)
        )""")
    seed_stance_presets(conn)


def seed_stance_presets(conn: sqlite3.Connection) -> None:
    """Load the shipped stance vocabularies (resources/stances.json); users edit them afterwards."""
    presets = json.loads((Path(resources.__file__).parent / "stances.json").read_text(encoding="utf-8"))
    for set_position, stance_set in enumerate(presets["sets"]):
        conn.execute(
            "INSERT INTO stance_sets (id, topic, position) VALUES (?, ?, ?)",
            (stance_set["id"], stance_set["topic"], set_position),
        )
        for position, stance in enumerate(stance_set["stances"]):
            conn.execute(
                "INSERT INTO stances (set_id, id, label, description, colour, position) VALUES (?, ?, ?, ?, ?, ?)",
                (stance_set["id"], stance["id"], stance["label"], stance["description"], stance["colour"], position),
            )  # who may hold it (``holders``) is added by _v11, which fills it from the same file
            conn.executemany(
                "INSERT INTO stance_rules (set_id, stance_id, kind, pattern) VALUES (?, ?, ?, ?)",
                [(stance_set["id"], stance["id"], rule["kind"], rule["pattern"]) for rule in stance["rules"]],
            )


def _v3(conn: sqlite3.Connection) -> None:
    """Passage annotations anchored like W3C Web Annotations (quote with context, and offsets), with a
    revision counter for merging, a trash (``deleted``) and a needs-review reason (``review``)."""
    conn.execute("""
        CREATE TABLE annotations (
            uuid TEXT PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            exact TEXT NOT NULL,
            prefix TEXT NOT NULL,
            suffix TEXT NOT NULL,
            page INTEGER,
            note TEXT NOT NULL DEFAULT '',
            colour TEXT NOT NULL DEFAULT 'yellow',
            tags TEXT NOT NULL DEFAULT '[]',
            jurisdiction TEXT,
            stance_set TEXT,
            stance TEXT,
            private INTEGER NOT NULL DEFAULT 0,
            creator TEXT NOT NULL,
            created TEXT NOT NULL,
            modified TEXT NOT NULL,
            revision INTEGER NOT NULL DEFAULT 1,
            deleted TEXT,
            review TEXT
        )""")
    conn.execute("CREATE INDEX annotations_doc ON annotations (doc_id)")


def _v4(conn: sqlite3.Connection) -> None:
    """Annotations deleted for good, so an older bundle cannot bring them back."""
    conn.execute("CREATE TABLE purged_annotations (uuid TEXT PRIMARY KEY, purged TEXT NOT NULL)")


def _v5(conn: sqlite3.Connection) -> None:
    """Each annotation's history (the versions of its earlier revisions), so a merge can tell an older copy
    from one changed on both sides; and, for a bundle's conflicting version, the annotation it is a version of."""
    conn.execute("ALTER TABLE annotations ADD COLUMN history TEXT NOT NULL DEFAULT '[]'")
    conn.execute("ALTER TABLE annotations ADD COLUMN conflict_of TEXT")


#: Tables whose writes the change log records: table -> (kind, the expression that gives the document).
CHANGE_SOURCES = {
    "documents": ("document", "id"),
    "tags": ("tag", "doc_id"),
    "annotations": ("annotation", "doc_id"),
    "stance_sets": ("vocabulary", "NULL"),
    "stances": ("vocabulary", "NULL"),
    "stance_rules": ("vocabulary", "NULL"),
    "custom_jurisdictions": ("jurisdiction", "NULL"),
}


def _v6(conn: sqlite3.Connection) -> None:
    """A change log written by triggers in the same transaction as every write, whichever process makes it
    (the window, a CLI command, the import child), so each reader can ask what changed since it last looked;
    and the batch a tag was added in, so a bulk tagging is one undo step."""
    conn.execute("CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, doc_id INTEGER)")
    for table, (kind, doc) in CHANGE_SOURCES.items():
        _log_writes(conn, table, kind, doc)
    conn.execute("ALTER TABLE tags ADD COLUMN batch TEXT")
    conn.execute("CREATE INDEX tags_batch ON tags (batch) WHERE batch IS NOT NULL")


def _log_writes(conn: sqlite3.Connection, table: str, kind: str, doc: str) -> None:
    """Triggers that log every insert, update and delete of ``table`` as a change of ``kind`` to the document
    ``doc`` (a column of the row, or ``NULL``)."""
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        target = "NULL" if doc == "NULL" else f"{row}.{doc}"
        conn.execute(
            f"CREATE TRIGGER {table}_{event.lower()}_logged AFTER {event} ON {table} "
            f"BEGIN INSERT INTO changes (kind, doc_id) VALUES ('{kind}', {target}); END"
        )


def _v7(conn: sqlite3.Connection) -> None:
    """Which document lies inside which (an email's attachment, a mailbox's message, a zip's member) and at what
    path; and the email headers threads are found by (Message-ID, the thread's first Message-ID) indexed."""
    conn.execute("""
        CREATE TABLE document_links (
            parent_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            child_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            relation TEXT NOT NULL CHECK (relation IN ('attachment', 'message', 'member')),
            member_path TEXT NOT NULL,
            PRIMARY KEY (parent_id, member_path)
        )""")
    conn.execute("CREATE INDEX document_links_child ON document_links (child_id)")
    conn.execute("CREATE INDEX documents_thread ON documents (json_extract(metadata, '$.thread'))")
    conn.execute("CREATE INDEX documents_message_id ON documents (json_extract(metadata, '$.message_id'))")


def _v8(conn: sqlite3.Connection) -> None:
    """OCR text by the original's hash and the engine, version and language that read it, so that a
    reindex or re-extraction never runs OCR again."""
    conn.execute("""
        CREATE TABLE ocr_cache (
            sha256 TEXT NOT NULL,
            engine TEXT NOT NULL,
            version TEXT NOT NULL,
            language TEXT NOT NULL,
            pages TEXT NOT NULL,
            PRIMARY KEY (sha256, engine, version, language)
        )""")


def _v9(conn: sqlite3.Connection) -> None:
    """The boxes of the words OCR read, per page, so hits and annotations can be drawn on scanned pages (pages
    cached before have none)."""
    conn.execute("ALTER TABLE ocr_cache ADD COLUMN words TEXT NOT NULL DEFAULT '{}'")


def _v10(conn: sqlite3.Connection) -> None:
    """Where each newsroom server's sync stands: per server and project, the server's newest change this archive
    has pulled and the local change log's head up to which its changes were pushed (no credentials: those
    stay in the pgpass file or the keyring)."""
    conn.execute("""
        CREATE TABLE sync_state (
            server TEXT NOT NULL,
            project TEXT NOT NULL,
            pulled_seq INTEGER NOT NULL DEFAULT 0,
            pushed_head INTEGER NOT NULL DEFAULT 0,
            synced_at TEXT,
            PRIMARY KEY (server, project)
        )""")


#: The rules of the presets' stances as _v2 first shipped them: a stance whose rules are still exactly these was
#: never edited, and _v11 may give it the rules of issue 15 (a stance a person edited keeps its rules).
_V2_RULES = {
    "sanctuary": [
        ("phrase", "sanctuary city"), ("phrase", "will not participate"), ("phrase", "not intend to participate"),
        ("phrase", "will not cooperate"), ("phrase", "limit cooperation"), ("phrase", "limiting information sharing"),
        ("phrase", "denied access to school"),
        ("regex", "(?i)\\b(?:will|would|do|does|did) not (?:help|assist|support|join|take part in) "
         "(?:any |the |federal |immigration )*(?:raids?|sweeps?|roundups?|enforcement|deportations?)"),
        ("regex", "(?i)\\bprohibit(?:s|ed)? the use of (?:city|county|state) resources in immigration enforcement"),
    ],
    "anti-sanctuary": [
        ("phrase", "anti-sanctuary"), ("phrase", "ban sanctuary"), ("phrase", "not be a sanctuary city"),
        ("phrase", "non-sanctuary"),
        ("regex", "(?i)\\b(?:withhold|cut|strip|deny|terminate)\\w* (?:all )?federal (?:funding|funds|grants) "
         "(?:from|to|for) sanctuary"),
        ("regex", "(?i)\\bpenali[sz]\\w* sanctuary"),
    ],
}  # fmt: skip
_V2_STANCES = {
    "immigration-enforcement": ("sanctuary", "opposes", "neutral", "cooperates", "anti-sanctuary"),
    "generic": ("supports", "opposes", "mixed", "neutral"),
}


def _v11(conn: sqlite3.Connection) -> None:
    """Who may hold a stance (``holders``: "federal", "local" or anyone), for suggestions that attribute a stance
    to the actor holding it; and the stances issue 15 added to the shipped immigration vocabulary (refuses to
    join raids, denies access, threatens enforcement) added to an archive that has that vocabulary, after its
    own stances. Nothing a person made or edited changes: existing stances keep their ids, labels and tags;
    a preset stance gets the new rules only if its rules are still the ones first shipped."""
    conn.execute("ALTER TABLE stances ADD COLUMN holders TEXT NOT NULL DEFAULT ''")
    presets = json.loads((Path(resources.__file__).parent / "stances.json").read_text(encoding="utf-8"))
    for stance_set in presets["sets"]:
        if conn.execute("SELECT 1 FROM stance_sets WHERE id = ?", (stance_set["id"],)).fetchone() is None:
            continue  # a vocabulary the person deleted stays deleted
        for stance in stance_set["stances"]:
            key = (stance_set["id"], stance["id"])
            rules = [(rule["kind"], rule["pattern"]) for rule in stance["rules"]]
            row = conn.execute("SELECT 1 FROM stances WHERE set_id = ? AND id = ?", key).fetchone()
            if row is None:
                if stance["id"] in _V2_STANCES.get(stance_set["id"], ()):
                    continue  # a shipped stance the person deleted stays deleted
                position = conn.execute(
                    "SELECT COALESCE(MAX(position) + 1, 0) FROM stances WHERE set_id = ?", (key[0],)
                ).fetchone()[0]
                conn.execute(
                    "INSERT INTO stances (set_id, id, label, description, colour, position, holders) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (*key, stance["label"], stance["description"], stance["colour"], position, stance["holders"]),
                )
                conn.executemany(
                    "INSERT INTO stance_rules (set_id, stance_id, kind, pattern) VALUES (?, ?, ?, ?)",
                    [(*key, kind, pattern) for kind, pattern in rules],
                )
                continue
            conn.execute(
                "UPDATE stances SET holders = ? WHERE set_id = ? AND id = ?", (stance.get("holders", ""), *key)
            )
            current = conn.execute(
                "SELECT kind, pattern FROM stance_rules WHERE set_id = ? AND stance_id = ? ORDER BY id", key
            ).fetchall()
            if stance["id"] in _V2_RULES and [tuple(r) for r in current] == _V2_RULES[stance["id"]]:
                conn.execute("DELETE FROM stance_rules WHERE set_id = ? AND stance_id = ?", key)
                conn.executemany(
                    "INSERT INTO stance_rules (set_id, stance_id, kind, pattern) VALUES (?, ?, ?, ?)",
                    [(*key, kind, pattern) for kind, pattern in rules],
                )


def _v12(conn: sqlite3.Connection) -> None:
    """Edits that travel: each edited document field's revision and history (``revisions``, JSON: field ->
    {revision, history}), so a bundle merge or a sync tells an edit from an unchanged copy; the extractor version
    that made a stored text (NULL: unknown, from before, or OCR); removed tags (tombstones), so a removal reaches
    the other copies instead of the tag coming back; and the other copies' values of a field changed on both
    sides, kept for a person to choose (the review list)."""
    conn.execute("ALTER TABLE documents ADD COLUMN revisions TEXT NOT NULL DEFAULT '{}'")
    conn.execute("ALTER TABLE documents ADD COLUMN extractor TEXT")
    conn.execute("""
        CREATE TABLE removed_tags (
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            jurisdiction TEXT NOT NULL,
            stance_set TEXT,
            stance TEXT,
            start INTEGER,
            end INTEGER,
            quote TEXT NOT NULL DEFAULT '',
            removed_at TEXT NOT NULL
        )""")
    conn.execute(
        "CREATE UNIQUE INDEX removed_tags_unique ON removed_tags "
        "(doc_id, jurisdiction, IFNULL(stance_set, ''), IFNULL(stance, ''), IFNULL(start, -1), IFNULL(end, -1))"
    )
    conn.execute("""
        CREATE TABLE metadata_conflicts (
            id INTEGER PRIMARY KEY,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            value TEXT,
            revision INTEGER NOT NULL,
            history TEXT NOT NULL DEFAULT '[]',
            version TEXT NOT NULL,
            review TEXT NOT NULL,
            UNIQUE (doc_id, field, version)
        )""")
    for table, kind in (("removed_tags", "tag"), ("metadata_conflicts", "document")):
        _log_writes(conn, table, kind, "doc_id")


#: Step n upgrades user_version n-1 to n. Append only; never edit a released step.
STEPS: list[Callable[[sqlite3.Connection], None]] = [
    _v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9, _v10, _v11, _v12,
]  # fmt: skip
LATEST = len(STEPS)


def version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the database."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def refuse_newer(conn: sqlite3.Connection) -> None:
    """ArchiveTooNew when the database was written by a newer Dossier than this one."""
    current = version(conn)
    if current > LATEST:
        raise ArchiveTooNew(
            f"This archive was written by a newer Dossier (schema {current}, this version "
            f"knows up to {LATEST}). Update Dossier to open it."
        )


def migrate(conn: sqlite3.Connection, db_path: Path, backups: Path) -> list[int]:
    """Bring the database to LATEST; returns the steps applied."""
    refuse_newer(conn)
    current = version(conn)
    if current == LATEST:
        return []
    if current > 0:
        backups.mkdir(parents=True, exist_ok=True)
        conn.execute("PRAGMA wal_checkpoint(FULL)")
        target = sqlite3.connect(backups / f"{db_path.stem}.v{current}.sqlite3")
        conn.backup(target)
        target.close()
    applied = []
    for number in range(current + 1, LATEST + 1):
        with transaction(conn):
            STEPS[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
        applied.append(number)
    return applied
