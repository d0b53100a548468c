"""Nobody gets in where they don't belong: own roles, row-level security, TLS off this machine, and no password
anywhere in the archive folder."""

from __future__ import annotations

import psycopg
import pytest

from app.archive import Archive
from app.errors import DossierError
from app.server.connect import connection_params

pytestmark = pytest.mark.server


@pytest.fixture
def desk(newsroom, imported):
    """The project desk holding the sample files, annotated, pushed by alice."""
    doc = imported.search_ids("omaha").ids[0]
    imported.annotate(doc, quote="does not intend to participate", note="shared note")
    imported.sync(newsroom.url("alice"), "desk")
    return imported


def test_a_role_without_the_project_sees_none_of_it_and_cannot_write_to_it(newsroom, desk, tmp_path):
    newsroom.person("eve", "sports")  # a member of another project of the same server
    assert newsroom.query("SELECT count(*) FROM dossier.documents")[0][0] == 3
    with Archive.open(tmp_path / "eve") as eve, pytest.raises(DossierError, match="no project 'desk'"):
        eve.sync(newsroom.url("eve"), "desk")
    with psycopg.connect(newsroom.url("eve"), autocommit=True) as conn:
        for table in ("documents", "tags", "annotations", "projects"):
            assert conn.execute(f"SELECT count(*) FROM dossier.{table}").fetchone()[0] == (
                1 if table == "projects" else 0
            )
        (desk_id,) = newsroom.query("SELECT id FROM dossier.projects WHERE name = 'desk'")[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO dossier.jurisdictions (project_id, id, record) VALUES (%s, 'x', '{}')", (desk_id,)
            )
        assert conn.execute("UPDATE dossier.annotations SET fields = '{}'").rowcount == 0
    newsroom.person("mallory")  # a login role that is in no project: no right to the schema at all
    with (
        psycopg.connect(newsroom.url("mallory"), autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("SELECT count(*) FROM dossier.documents")


def test_the_password_stays_in_pgpass_never_in_the_archive_folder(newsroom, desk, tmp_path):
    role = newsroom.roles["alice"]
    password = f"{role}-secret-Pw".encode()
    files = [p for p in desk.folder.rglob("*") if p.is_file()]
    assert files and not [p for p in files if password in p.read_bytes()]
    with_password = newsroom.url("alice").replace(f"{role}@", f"{role}:{password.decode()}@")
    with pytest.raises(DossierError, match="pgpass"):
        desk.sync(with_password, "desk")
    assert [s.server for s in desk.sync_states()] == [newsroom.url("alice")]


def test_a_host_that_is_not_local_needs_verified_tls_unless_told_otherwise():
    remote = "postgresql://alice@db.newsroom.example/archive"
    assert connection_params(remote)["sslmode"] == "verify-full"
    for weaker in ("disable", "prefer", "require", "verify-ca"):
        with pytest.raises(DossierError, match="verify-full"):
            connection_params(f"{remote}?sslmode={weaker}")
        assert connection_params(f"{remote}?sslmode={weaker}", insecure=True)["sslmode"] == weaker
    assert "sslmode" not in connection_params("postgresql://alice@localhost/archive")
    assert "sslmode" not in connection_params("postgresql://alice@/archive?host=/run/postgresql")
    assert connection_params("host=10.0.0.5 dbname=archive user=alice")["sslmode"] == "verify-full"
