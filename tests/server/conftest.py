"""Fixtures for the server tests: a real, throw-away PostgreSQL cluster for the session (tests/server/pg.py), a
fresh database per test, roles whose passwords sit in a pgpass file, and a newsroom with two laptops."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.archive import Archive
from tests.server.pg import PASSWORD_OF, Cluster, Unavailable, start


@pytest.fixture(scope="session")
def pg_cluster():
    """The running cluster; tests get databases and roles of their own from it."""
    pytest.importorskip("psycopg", reason="psycopg (the `server` extra) is not installed")
    try:
        cluster = start()
    except Unavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc}: .ci/run installs Debian's postgresql package")
        pytest.skip(str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


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


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory):
    """A real OS keyring for the session: a private D-Bus session bus with GNOME Keyring's Secret Service on it
    (its login keyring made and unlocked in a temporary home), used through keyring's SecretService backend."""
    import subprocess

    import keyring
    from keyring.backends import SecretService

    tools = [shutil.which(name) for name in ("dbus-daemon", "gnome-keyring-daemon")]
    if None in tools:
        reason = "dbus-daemon and gnome-keyring-daemon are needed for the keyring tests (apt-get install gnome-keyring)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: .ci/run installs them")
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("keyring-home")
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_RUNTIME_DIR": str(home)}
    home.chmod(0o700)
    bus = subprocess.Popen(
        [tools[0], "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
    )  # fmt: skip
    address = bus.stdout.readline().strip()
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    saved = {key: os.environ.get(key) for key in ("DBUS_SESSION_BUS_ADDRESS",)}
    previous = keyring.get_keyring()
    try:
        # --unlock makes the login keyring with this password; the command returns once the daemon serves
        subprocess.run([tools[1], "--unlock", "--components=secrets"], input="keyring-of-the-tests", env=env,
                       capture_output=True, text=True, check=True, timeout=60)  # fmt: skip
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
        backend = SecretService.Keyring()
        keyring.set_keyring(backend)
        yield backend
    finally:
        keyring.set_keyring(previous)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        bus.terminate()  # the keyring daemon leaves with its bus
        bus.wait(timeout=30)
        bus.stdout.close()
