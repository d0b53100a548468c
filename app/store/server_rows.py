"""SQL for the newsroom server's rows (schema in :mod:`app.store.server_schema`): what a sync pushes and pulls,
the projects and their members, and full-text search. Row-level security does the access control: a role reads
and writes only the rows of its projects, whatever these queries ask for."""

from __future__ import annotations

from collections.abc import Iterable

from psycopg import Connection, sql
from psycopg.types.json import Jsonb

from app.store.server_schema import MEMBERS_ROLE, PROJECT_TABLES, SCHEMA

S = SCHEMA
_DOC_COLUMNS = (
    "sha256, kind, title, author, published, site, file_name, size, pages, page_spans, needs_ocr, metadata, "
    "revisions, extractor, text_sha256"
)
#: One tag's identity, as the unique index tags_unique compares them.
_TAG_KEY = (
    "project_id, sha256, jurisdiction, coalesce(stance_set, ''), coalesce(stance, ''), coalesce(start_at, -1), "
    "coalesce(end_at, -1)"
)


class ServerRows:
    """Queries on one server connection (autocommit; callers open the transactions)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- projects and members (administration) ------------------------------------------------

    def project_id(self, name: str) -> int | None:
        """The project's id, if it exists and this role may see it."""
        row = self.conn.execute(f"SELECT id FROM {S}.projects WHERE name = %s", (name,)).fetchone()
        return row[0] if row else None

    def projects(self) -> list[str]:
        """The projects this role may see."""
        return [row[0] for row in self.conn.execute(f"SELECT name FROM {S}.projects ORDER BY name")]

    def add_project(self, name: str) -> int:
        """Create a project (or find it)."""
        self.conn.execute(f"INSERT INTO {S}.projects (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (name,))
        return self.project_id(name)

    def add_member(self, project_id: int, role: str) -> None:
        """Let an existing login role read and write a project."""
        self.conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(MEMBERS_ROLE), sql.Identifier(role)))
        self.conn.execute(
            f"INSERT INTO {S}.members (project_id, role) VALUES (%s, %s) ON CONFLICT DO NOTHING", (project_id, role)
        )

    def role_exists(self, role: str) -> bool:
        return self.conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None

    def session_role(self) -> str:
        return self.conn.execute("SELECT session_user").fetchone()[0]

    # -- turns ----------------------------------------------------------------------------------

    def lock(self, project_id: int, *, shared: bool) -> None:
        """Take the project's turn for this transaction: a push alone (so that change numbers commit in order),
        pulls together but never during a push (so that no pull skips a number a push has yet to commit)."""
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        self.conn.execute(f"SELECT {function}(%s, %s)", (0x0D055E, project_id))

    def head(self, project_id: int) -> int:
        """The newest change number of the project's rows (0 for none)."""
        parts = " UNION ALL ".join(
            f"SELECT max(seq) FROM {S}.{table} WHERE project_id = %(p)s" for table in PROJECT_TABLES
        )
        return self.conn.execute(f"SELECT coalesce(max(m), 0) FROM ({parts}) AS t(m)", {"p": project_id}).fetchone()[0]

    # -- push -------------------------------------------------------------------------------------

    def present(self, project_id: int, shas: Iterable[str]) -> set[str]:
        """Which of these documents the project holds."""
        rows = self.conn.execute(
            f"SELECT sha256 FROM {S}.documents WHERE project_id = %s AND sha256 = ANY(%s)", (project_id, list(shas))
        )
        return {row[0] for row in rows}

    def insert_document(self, project_id: int, doc: dict, text: str, original: bytes, text_sha256: str) -> bool:
        """A document with its text and original; False when the project had it already."""
        cursor = self.conn.execute(
            f"""INSERT INTO {S}.documents (project_id, {_DOC_COLUMNS}, text, original)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (project_id, sha256) DO NOTHING""",
            (
                project_id, doc["sha256"], doc["kind"], doc["title"], doc["author"], doc["published"], doc["site"],
                doc["file_name"], doc["size"], doc["pages"], Jsonb(doc["page_spans"]), doc["needs_ocr"],
                Jsonb(doc["metadata"]), Jsonb(doc["revisions"]), doc["extractor"], text_sha256, text, original,
            ),
        )  # fmt: skip
        return bool(cursor.rowcount)

    def document_fields(self, project_id: int, shas: Iterable[str]) -> dict[str, dict]:
        """The editable fields (title, published as an ISO date, site) and their ``revisions`` of these
        documents, locked until the transaction ends."""
        rows = self.conn.execute(
            f"""SELECT sha256, title, published, site, revisions FROM {S}.documents
                WHERE project_id = %s AND sha256 = ANY(%s) FOR UPDATE""",
            (project_id, list(shas)),
        )
        return {
            r[0]: {"title": r[1], "published": r[2].isoformat() if r[2] else None, "site": r[3], "revisions": r[4]}
            for r in rows
        }

    def set_field(self, project_id: int, sha256: str, name: str, value: str | None, revisions: dict) -> None:
        """A document field's new value with the document's ``revisions``."""
        column = sql.Identifier(name)
        self.conn.execute(
            sql.SQL("UPDATE {}.documents SET {} = %s, revisions = %s WHERE project_id = %s AND sha256 = %s").format(
                sql.Identifier(S), column
            ),
            (value, Jsonb(revisions), project_id, sha256),
        )

    def put_field_version(self, project_id: int, sha256: str, kept: dict) -> bool:
        """Keep a value of a field changed on both sides (``field``, ``version``, ``value``, ``revision``,
        ``history``); False when it is kept already."""
        cursor = self.conn.execute(
            f"""INSERT INTO {S}.field_versions (project_id, sha256, field, version, value, revision, history)
                VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING""",
            (project_id, sha256, kept["field"], kept["version"], kept["value"], kept["revision"],
             Jsonb(kept["history"])),
        )  # fmt: skip
        return bool(cursor.rowcount)

    def tag_states(self, project_id: int, shas: Iterable[str]) -> dict[tuple, tuple[bool, str]]:
        """Each tag of these documents, keyed (sha256, jurisdiction, stance_set, stance, start, end), as
        ``(removed, when)``: a tombstone's removal, or a tag's creation; locked until the transaction ends."""
        rows = self.conn.execute(
            f"""SELECT sha256, jurisdiction, stance_set, stance, start_at, end_at, removed_at, created_at
                FROM {S}.tags WHERE project_id = %s AND sha256 = ANY(%s) FOR UPDATE""",
            (project_id, list(shas)),
        )
        return {tuple(r[:6]): (r[6] is not None, r[6] or r[7]) for r in rows}

    def put_tag(self, project_id: int, sha256: str, tag: dict, removed_at: str | None) -> None:
        """A tag (``removed_at`` None) or its tombstone, replacing the project's state of that tag."""
        self.conn.execute(
            f"""INSERT INTO {S}.tags (project_id, sha256, jurisdiction, stance_set, stance, start_at, end_at,
                                      quote, created_by, created_at, from_suggestion, removed_at)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT ({_TAG_KEY}) DO UPDATE SET quote = excluded.quote, created_by = excluded.created_by,
                    created_at = excluded.created_at, from_suggestion = excluded.from_suggestion,
                    removed_at = excluded.removed_at""",
            (
                project_id, sha256, tag["jurisdiction"], tag["stance_set"], tag["stance"], tag["start"], tag["end"],
                tag["quote"], tag.get("created_by", ""), tag.get("created_at", removed_at),
                tag.get("from_suggestion", False), removed_at,
            ),
        )  # fmt: skip

    def insert_vocabulary(self, project_id: int, jurisdictions: list[dict], stance_sets: list[dict]) -> None:
        """Custom jurisdictions and stances the project lacks (a project's first version of each stays)."""
        for place in jurisdictions:
            self.conn.execute(
                f"INSERT INTO {S}.jurisdictions (project_id, id, record) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (project_id, place["id"], Jsonb(place)),
            )
        for stance_set in stance_sets:
            for stance in stance_set["stances"]:
                self.conn.execute(
                    f"""INSERT INTO {S}.stances (project_id, set_id, stance_id, topic, record)
                        VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING""",
                    (project_id, stance_set["id"], stance["id"], stance_set["topic"], Jsonb(stance)),
                )

    def annotations(self, project_id: int, uuids: Iterable[str]) -> dict[str, dict]:
        """Annotation fields by uuid, for these uuids, locked until the transaction ends."""
        rows = self.conn.execute(
            f"SELECT uuid, fields FROM {S}.annotations WHERE project_id = %s AND uuid = ANY(%s) FOR UPDATE",
            (project_id, list(uuids)),
        )
        return {row[0]: row[1] for row in rows}

    def copies_of(self, project_id: int, uuid: str) -> list[tuple[dict, str]]:
        """The conflicting versions kept on the server for one annotation: (fields, the role that pushed it)."""
        rows = self.conn.execute(
            f"""SELECT fields, pushed_by FROM {S}.annotations WHERE project_id = %s AND fields->>'conflict_of' = %s
                ORDER BY uuid""",
            (project_id, uuid),
        )
        return [(row[0], row[1]) for row in rows]

    def put_annotation(self, project_id: int, sha256: str, fields: dict, withheld: bool, *, replace: bool) -> bool:
        """Insert an annotation, or (``replace``) overwrite the project's copy; False when nothing was written."""
        action = "UPDATE SET fields = excluded.fields, note_withheld = excluded.note_withheld, " \
            "pushed_by = session_user" if replace else "NOTHING"  # fmt: skip
        cursor = self.conn.execute(
            f"""INSERT INTO {S}.annotations (project_id, uuid, sha256, fields, note_withheld)
                VALUES (%s, %s, %s, %s, %s) ON CONFLICT (project_id, uuid) DO {action}""",
            (project_id, fields["uuid"], sha256, Jsonb(fields), withheld),
        )
        return bool(cursor.rowcount)

    # -- pull ---------------------------------------------------------------------------------------

    def changed_documents(self, project_id: int, after: int) -> list[tuple[str, int]]:
        """(sha256, seq) of the documents added after change ``after``."""
        rows = self.conn.execute(
            f"SELECT sha256, seq FROM {S}.documents WHERE project_id = %s AND seq > %s ORDER BY seq",
            (project_id, after),
        )
        return [(row[0], row[1]) for row in rows]

    def changed_tags(self, project_id: int, after: int | None, shas: list[str] | None = None) -> list[dict]:
        """Tags added after change ``after`` (or every tag of ``shas``), as documents.json records them."""
        where, args = self._changed(project_id, after, shas)
        rows = self.conn.execute(
            f"""SELECT sha256, jurisdiction, stance_set, stance, start_at, end_at, quote, created_by, created_at,
                       from_suggestion, seq, removed_at FROM {S}.tags WHERE {where} ORDER BY seq""",
            args,
        )
        return [
            {"sha256": r[0], "jurisdiction": r[1], "stance_set": r[2], "stance": r[3], "start": r[4], "end": r[5],
             "quote": r[6], "created_by": r[7], "created_at": r[8], "from_suggestion": r[9], "seq": r[10],
             "removed_at": r[11]}
            for r in rows
        ]  # fmt: skip

    def changed_field_versions(self, project_id: int, after: int | None, shas: list[str] | None = None) -> list[dict]:
        """Values kept for review written after change ``after`` (or every one of ``shas``)."""
        where, args = self._changed(project_id, after, shas)
        rows = self.conn.execute(
            f"SELECT sha256, field, value, revision, history, seq FROM {S}.field_versions WHERE {where} ORDER BY seq",
            args,
        )
        keys = ("sha256", "field", "value", "revision", "history", "seq")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def changed_annotations(self, project_id: int, after: int | None, shas: list[str] | None = None) -> list[dict]:
        """Annotations written after change ``after`` (or every one of ``shas``): sha256, fields, withheld, seq."""
        where, args = self._changed(project_id, after, shas)
        rows = self.conn.execute(
            f"SELECT sha256, fields, note_withheld, seq FROM {S}.annotations WHERE {where} ORDER BY seq", args
        )
        return [{"sha256": r[0], "fields": r[1], "withheld": r[2], "seq": r[3]} for r in rows]

    def changed_vocabulary(self, project_id: int, after: int) -> tuple[list[dict], list[dict], int]:
        """Custom jurisdictions and stance sets (with the stances that changed) after change ``after``, and
        the newest change number among them."""
        newest = after
        places = []
        for record, seq in self.conn.execute(
            f"SELECT record, seq FROM {S}.jurisdictions WHERE project_id = %s AND seq > %s ORDER BY seq",
            (project_id, after),
        ):
            places.append(record)
            newest = max(newest, seq)
        sets: dict[str, dict] = {}
        for set_id, topic, record, seq in self.conn.execute(
            f"""SELECT set_id, topic, record, seq FROM {S}.stances WHERE project_id = %s AND seq > %s
                ORDER BY seq""",
            (project_id, after),
        ):
            sets.setdefault(set_id, {"id": set_id, "topic": topic, "stances": []})["stances"].append(record)
            newest = max(newest, seq)
        return places, list(sets.values()), newest

    def documents(self, project_id: int, shas: list[str], with_original: set[str]) -> list[dict]:
        """Documents as documents.json records them, each with its ``text`` and, for those in
        ``with_original``, its ``original`` bytes."""
        rows = self.conn.execute(
            f"""SELECT {_DOC_COLUMNS}, text, CASE WHEN sha256 = ANY(%s) THEN original END
                FROM {S}.documents WHERE project_id = %s AND sha256 = ANY(%s)""",
            (list(with_original), project_id, shas),
        )
        names = [*_DOC_COLUMNS.split(", "), "text", "original"]
        out = []
        for row in rows:
            doc = dict(zip(names, row, strict=True))
            doc["published"] = doc["published"].isoformat() if doc["published"] else None
            doc["original"] = bytes(doc["original"]) if doc["original"] is not None else None
            out.append(doc)
        return out

    def search(self, project_id: int, query: str, limit: int) -> list[dict]:
        """Ranked hits of a web-search-style query on the project's documents, with snippets."""
        rows = self.conn.execute(
            f"""WITH q AS (SELECT websearch_to_tsquery('english', %s) AS q),
                hits AS (SELECT d.sha256, d.title, d.kind, d.published, d.site, d.file_name, d.text,
                                ts_rank_cd(d.tsv, q.q) AS rank
                         FROM {S}.documents d, q WHERE d.project_id = %s AND d.tsv @@ q.q
                         ORDER BY rank DESC, d.sha256 LIMIT %s)
                SELECT sha256, title, kind, published, site, file_name, rank,
                       ts_headline('english', left(text, 300000), q.q,
                                   'StartSel=<<, StopSel=>>, MaxWords=30, MinWords=12, MaxFragments=2')
                FROM hits, q ORDER BY rank DESC, sha256""",
            (query, project_id, limit),
        )
        keys = ("sha256", "title", "kind", "published", "site", "file_name", "rank", "snippet")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    @staticmethod
    def _changed(project_id: int, after: int | None, shas: list[str] | None) -> tuple[str, tuple]:
        if shas is not None:
            return "project_id = %s AND sha256 = ANY(%s)", (project_id, shas)
        return "project_id = %s AND seq > %s", (project_id, after)
