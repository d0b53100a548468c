"""A real, throw-away PostgreSQL cluster for the server tests: Debian's ``postgresql`` binaries, ``initdb`` into a
temporary folder, ``postgres`` listening on a Unix socket there only (no TCP port), stopped at the end.

PostgreSQL refuses to run as root, so as root (CI) the cluster runs as the ``postgres`` system user the Debian
package creates, in a folder of its own under the system temporary folder (pytest's are root-only)."""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.archive import Archive

ADMIN = "pgadmin"  # the cluster's superuser: trusted on the socket, as a server's administrator would be
PASSWORD_OF = "{}-secret-Pw"  # each person's password (scram-sha-256 on the socket)


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


@dataclass
class Cluster:
    socket_dir: Path
    port: int
    _counter = itertools.count(1)

    def url(self, user: str = ADMIN, db: str = "postgres") -> str:
        return f"postgresql://{user}@/{db}?host={self.socket_dir}&port={self.port}"

    def admin(self, db: str = "postgres"):
        import psycopg

        return psycopg.connect(self.url(ADMIN, db), autocommit=True)

    def new_database(self) -> str:
        name = f"newsroom_{os.getpid()}_{next(self._counter)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def new_role(self, name: str) -> str:
        """A login role with a password (each person connects as their own)."""
        from psycopg import sql

        role = f"{name}_{next(self._counter)}"
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(PASSWORD_OF.format(role))
                )
            )
        return role


def _run(argv: list[str], user: str | None, **kwargs) -> subprocess.CompletedProcess:
    if user is not None:
        argv = ["runuser", "-u", user, "--", *argv]
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="session")
def pg_cluster():
    """The running cluster; tests get databases and roles of their own from it."""
    pytest.importorskip("psycopg", reason="psycopg (the `server` extra) is not installed")
    bins = _bin_dir()
    if bins is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: .ci/run installs Debian's postgresql package")
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("running as root, the test cluster needs the postgres system user (Debian's package)")
        user = "postgres"
    base = Path(tempfile.mkdtemp(prefix="dossier-pg-"))
    data, sockets = base / "data", base / "run"
    sockets.mkdir()
    if user is not None:
        os.chmod(base, 0o755)
        shutil.chown(base, user)
        shutil.chown(sockets, user)
    port = 5432
    try:
        _run([str(bins / "initdb"), "-D", str(data), "-U", ADMIN, "-A", "trust", "-E", "UTF8", "--no-sync"], user)
        (data / "pg_hba.conf").write_text(f"local all {ADMIN} trust\nlocal all all scram-sha-256\n", encoding="utf-8")
        if user is not None:
            shutil.chown(data / "pg_hba.conf", user)
        _run(
            [str(bins / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60", "start", "-o",
             f"-c listen_addresses='' -c unix_socket_directories='{sockets}' -c port={port} -c fsync=off "
             "-c password_encryption=scram-sha-256"],
            user,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        log = (base / "log").read_text(errors="replace") if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {exc.stderr}\n{log}")
    try:
        yield Cluster(sockets, port)
    finally:
        subprocess.run(
            [*(["runuser", "-u", user, "--"] if user else []), str(bins / "pg_ctl"), "-D", str(data), "-m", "fast",
             "-w", "stop"],
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_db(pg_cluster) -> str:
    """A fresh database on the cluster."""
    return pg_cluster.new_database()


@pytest.fixture
def pgpass(tmp_path, monkeypatch, pg_cluster):
    """A pgpass file (libpq's standard credentials file) the tests add each person's password to."""
    path = tmp_path / "pgpass"
    path.write_text("", encoding="utf-8")
    path.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(path))

    def add(role: str) -> str:
        password = PASSWORD_OF.format(role)
        with path.open("a", encoding="utf-8") as f:
            f.write(f"{pg_cluster.socket_dir}:{pg_cluster.port}:*:{role}:{password}\n")
        return password

    return add


@dataclass
class Newsroom:
    """A Dossier server database with the project ``desk`` and its members alice and bob."""

    cluster: Cluster
    db: str
    admin: str
    roles: dict

    def url(self, person: str) -> str:
        return self.cluster.url(self.roles[person], self.db)

    def person(self, name: str, *projects: str) -> str:
        """A new login role (password in the pgpass file), member of ``projects``."""
        from app.cli import main

        role = self.cluster.new_role(name)
        self._pgpass(role)
        for project in projects:
            assert main(["server", "project-add", self.admin, project]) == 0
            assert main(["server", "member-add", self.admin, project, role]) == 0
        self.roles[name] = role
        return role

    def query(self, sql_text: str, *args):
        with self.cluster.admin(self.db) as conn:
            return conn.execute(sql_text, args).fetchall()


@pytest.fixture
def newsroom(pg_cluster, pg_db, pgpass) -> Newsroom:
    from app.cli import main

    admin = pg_cluster.url(db=pg_db)
    assert main(["server", "init", admin]) == 0
    room = Newsroom(pg_cluster, pg_db, admin, {})
    room._pgpass = pgpass
    room.person("alice", "desk")
    room.person("bob", "desk")
    return room


@pytest.fixture
def laptops(tmp_path, corpus):
    """Laptop A and laptop B, each with its own imports (one file on both), tags and annotations."""
    with Archive.open(tmp_path / "laptop-a") as a, Archive.open(tmp_path / "laptop-b") as b:
        a.import_paths(_bbc(corpus, "business", 1, 2, 3) + _bbc(corpus, "politics", 10))
        b.import_paths(_bbc(corpus, "entertainment", 1, 2) + _bbc(corpus, "politics", 10))
        shared = a.search_ids("").ids
        timewarner = a.search_ids("timewarner").ids[0]
        a.tag(timewarner, "New York, NY", "sanctuary")
        a.add_jurisdiction("Newsroom Desk County", "county", "New York")
        a.tag(timewarner, "Newsroom Desk County", start=0, end=10)
        a.annotate(timewarner, quote="TimeWarner", occurrence=1, note="check the quarter", tags=["money"])
        a.annotate(timewarner, quote="profits", occurrence=1, note="my source says 80%", private=True)
        on_b = b.documents.ids()
        b.tag(sorted(on_b)[0], "Texas", "cooperates")
        b.annotate(sorted(on_b)[1], start=0, end=12, note="bob's lead", colour="pink")
        assert len(shared) == 4 and len(on_b) == 3
        yield a, b


def _bbc(corpus: Path, section: str, *numbers: int) -> list[Path]:
    return [corpus / "text" / "bbc" / section / f"{n:03d}.txt" for n in numbers]
