"""The newsroom server's schema in PostgreSQL, upgraded by numbered steps like the local store's.

Everything lives in the schema ``dossier``: projects and their members, and per project the documents (by
sha256: the original's bytes, the extracted text, the metadata and a full-text ``tsvector``), tags, custom
jurisdictions, stances, annotations (the fields a bundle carries, with their revision histories; trashed ones
are tombstones) and one change sequence: every inserted or updated row takes the next number, so a laptop asks
for what changed after the number it last saw. Row-level security limits each role to its projects."""

from __future__ import annotations

from collections.abc import Callable

from psycopg import Connection, sql

SCHEMA = "dossier"
MEMBERS_ROLE = "dossier_members"  # the group role every person's role joins: table rights, rows by membership
_V1_TABLES = ("documents", "tags", "jurisdictions", "stances", "annotations")
PROJECT_TABLES = (*_V1_TABLES, "field_versions")  # every table with rows per project and a change number


def _v1(conn: Connection) -> None:
    conn.execute(f"""
        CREATE SEQUENCE {SCHEMA}.change_seq;
        CREATE FUNCTION {SCHEMA}.next_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN NEW.seq := nextval('{SCHEMA}.change_seq'); RETURN NEW; END $$;
        CREATE TABLE {SCHEMA}.projects (
            id serial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE {SCHEMA}.members (
            project_id int NOT NULL REFERENCES {SCHEMA}.projects ON DELETE CASCADE,
            role name NOT NULL,
            PRIMARY KEY (project_id, role)
        );
        -- the projects of the role that logged in; SECURITY DEFINER so that the policies can read members
        CREATE FUNCTION {SCHEMA}.my_projects() RETURNS SETOF int LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path = pg_catalog AS $$ SELECT project_id FROM {SCHEMA}.members WHERE role = session_user $$;
        CREATE TABLE {SCHEMA}.documents (
            project_id int NOT NULL REFERENCES {SCHEMA}.projects ON DELETE CASCADE,
            sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
            kind text NOT NULL,
            title text NOT NULL,
            author text NOT NULL DEFAULT '',
            published date,
            site text NOT NULL DEFAULT '',
            file_name text NOT NULL,
            size bigint NOT NULL,
            pages int,
            page_spans jsonb NOT NULL DEFAULT '[]',
            needs_ocr boolean NOT NULL DEFAULT false,
            metadata jsonb NOT NULL DEFAULT '{{}}',
            text text NOT NULL,
            original bytea NOT NULL,
            tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('english'::regconfig, title), 'A')
                || setweight(to_tsvector('english'::regconfig, left(text, 300000)), 'B')) STORED,
            pushed_by name NOT NULL DEFAULT session_user,
            seq bigint NOT NULL,
            PRIMARY KEY (project_id, sha256)
        );
        CREATE INDEX documents_tsv ON {SCHEMA}.documents USING gin (tsv);
        CREATE TABLE {SCHEMA}.tags (
            id bigserial PRIMARY KEY,
            project_id int NOT NULL,
            sha256 text NOT NULL,
            jurisdiction text NOT NULL,
            stance_set text,
            stance text,
            start_at int,
            end_at int,
            quote text NOT NULL DEFAULT '',
            created_by text NOT NULL,
            created_at text NOT NULL,
            from_suggestion boolean NOT NULL DEFAULT false,
            seq bigint NOT NULL,
            FOREIGN KEY (project_id, sha256) REFERENCES {SCHEMA}.documents ON DELETE CASCADE
        );
        CREATE UNIQUE INDEX tags_unique ON {SCHEMA}.tags (project_id, sha256, jurisdiction, coalesce(stance_set, ''),
            coalesce(stance, ''), coalesce(start_at, -1), coalesce(end_at, -1));
        CREATE TABLE {SCHEMA}.jurisdictions (
            project_id int NOT NULL REFERENCES {SCHEMA}.projects ON DELETE CASCADE,
            id text NOT NULL,
            record jsonb NOT NULL,
            seq bigint NOT NULL,
            PRIMARY KEY (project_id, id)
        );
        CREATE TABLE {SCHEMA}.stances (
            project_id int NOT NULL REFERENCES {SCHEMA}.projects ON DELETE CASCADE,
            set_id text NOT NULL,
            stance_id text NOT NULL,
            topic text NOT NULL,
            record jsonb NOT NULL,
            seq bigint NOT NULL,
            PRIMARY KEY (project_id, set_id, stance_id)
        );
        CREATE TABLE {SCHEMA}.annotations (
            project_id int NOT NULL,
            uuid text NOT NULL,
            sha256 text NOT NULL,
            fields jsonb NOT NULL,
            note_withheld boolean NOT NULL DEFAULT false,
            pushed_by name NOT NULL DEFAULT session_user,
            seq bigint NOT NULL,
            PRIMARY KEY (project_id, uuid),
            FOREIGN KEY (project_id, sha256) REFERENCES {SCHEMA}.documents ON DELETE CASCADE
        );
        CREATE INDEX annotations_conflict_of ON {SCHEMA}.annotations (project_id, (fields->>'conflict_of'))
            WHERE fields->>'conflict_of' IS NOT NULL;
    """)
    for table in _V1_TABLES:
        _project_table(conn, table)
    conn.execute(f"""
        ALTER TABLE {SCHEMA}.projects ENABLE ROW LEVEL SECURITY;
        CREATE POLICY member ON {SCHEMA}.projects USING (id IN (SELECT {SCHEMA}.my_projects()));
        ALTER TABLE {SCHEMA}.members ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own ON {SCHEMA}.members USING (role = session_user);
        GRANT SELECT ON {SCHEMA}.projects, {SCHEMA}.members TO {MEMBERS_ROLE};
        GRANT USAGE ON SEQUENCE {SCHEMA}.change_seq, {SCHEMA}.tags_id_seq TO {MEMBERS_ROLE};
    """)


def _project_table(conn: Connection, table: str) -> None:
    """A project table's change numbers, row-level security and the members' rights."""
    conn.execute(f"""
        CREATE INDEX {table}_seq ON {SCHEMA}.{table} (project_id, seq);
        CREATE TRIGGER {table}_change BEFORE INSERT OR UPDATE ON {SCHEMA}.{table}
            FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.next_change();
        ALTER TABLE {SCHEMA}.{table} ENABLE ROW LEVEL SECURITY;
        CREATE POLICY member ON {SCHEMA}.{table}
            USING (project_id IN (SELECT {SCHEMA}.my_projects()))
            WITH CHECK (project_id IN (SELECT {SCHEMA}.my_projects()));
        GRANT SELECT, INSERT, UPDATE ON {SCHEMA}.{table} TO {MEMBERS_ROLE};
    """)


def _v2(conn: Connection) -> None:
    """Edits that travel: each edited document field's revisions (``revisions``: field -> {revision, history}),
    which a push updates by the merge's decision; values of a field that laptops changed on both sides, kept for
    review (``field_versions``); removed tags as tombstones (``removed_at``); and, for a pull to take a text as it
    is, the extractor version that made it and its sha256. A document's text, original, extractor and text
    hash never change once pushed (a trigger refuses it): what a pull trusts is what its pusher extracted."""
    conn.execute(f"""
        ALTER TABLE {SCHEMA}.documents ADD COLUMN revisions jsonb NOT NULL DEFAULT '{{}}';
        ALTER TABLE {SCHEMA}.documents ADD COLUMN extractor text;
        ALTER TABLE {SCHEMA}.documents ADD COLUMN text_sha256 text CHECK (text_sha256 ~ '^[0-9a-f]{{64}}$');
        ALTER TABLE {SCHEMA}.tags ADD COLUMN removed_at text;
        CREATE TABLE {SCHEMA}.field_versions (
            project_id int NOT NULL,
            sha256 text NOT NULL,
            field text NOT NULL CHECK (field IN ('title', 'published', 'site')),
            version text NOT NULL,
            value text,
            revision int NOT NULL,
            history jsonb NOT NULL DEFAULT '[]',
            pushed_by name NOT NULL DEFAULT session_user,
            seq bigint NOT NULL,
            PRIMARY KEY (project_id, sha256, field, version),
            FOREIGN KEY (project_id, sha256) REFERENCES {SCHEMA}.documents ON DELETE CASCADE
        );
        CREATE FUNCTION {SCHEMA}.text_stays() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.text IS DISTINCT FROM OLD.text OR NEW.original IS DISTINCT FROM OLD.original
                   OR NEW.extractor IS DISTINCT FROM OLD.extractor OR NEW.text_sha256 IS DISTINCT FROM OLD.text_sha256
                THEN RAISE EXCEPTION 'a document''s text and original never change once pushed';
                END IF;
                RETURN NEW;
            END $$;
        CREATE TRIGGER documents_text_stays BEFORE UPDATE ON {SCHEMA}.documents
            FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.text_stays();
    """)
    _project_table(conn, "field_versions")


#: Step n upgrades version n-1 to n. Append only; never edit a released step.
STEPS: list[Callable[[Connection], None]] = [_v1, _v2]
LATEST = len(STEPS)


def version(conn: Connection) -> int | None:
    """The schema version of the database, or None when it has no Dossier schema."""
    found = conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.schema_version",)).fetchone()[0]
    if found is None:
        return None
    return conn.execute(f"SELECT version FROM {SCHEMA}.schema_version").fetchone()[0]


def migrate(conn: Connection) -> list[int]:
    """Create or upgrade the schema to LATEST (each step in its own transaction); returns the steps applied.
    Run by the server's administrator (the owner of the tables)."""
    with conn.transaction():
        conn.execute(
            sql.SQL(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
                "CREATE ROLE {role} NOLOGIN; END IF; END $$"
            ).format(name=sql.Literal(MEMBERS_ROLE), role=sql.Identifier(MEMBERS_ROLE))
        )
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.schema_version (version int NOT NULL)")
        conn.execute(
            f"INSERT INTO {SCHEMA}.schema_version SELECT 0 WHERE NOT EXISTS (SELECT FROM {SCHEMA}.schema_version)"
        )
        conn.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {MEMBERS_ROLE}")
        conn.execute(f"GRANT SELECT ON {SCHEMA}.schema_version TO {MEMBERS_ROLE}")
    applied = []
    while True:
        with conn.transaction():
            current = conn.execute(f"SELECT version FROM {SCHEMA}.schema_version FOR UPDATE").fetchone()[0]
            if current >= LATEST:
                return applied
            STEPS[current](conn)
            conn.execute(f"UPDATE {SCHEMA}.schema_version SET version = %s", (current + 1,))
        applied.append(current + 1)
