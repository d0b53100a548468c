"""A throw-away PostgreSQL cluster from the Debian binaries: ``initdb`` into a temporary folder, ``postgres``
listening on a Unix socket there only (no TCP port). PostgreSQL refuses to run as root, so as root (CI) the
cluster runs as the ``postgres`` system user the Debian package creates, in a folder of its own under the
system temporary folder (pytest's are root-only). Used by the server tests' fixtures and bench/sync.py."""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ADMIN = "pgadmin"  # the cluster's superuser: trusted on the socket, as a server's administrator would be
PASSWORD_OF = "{}-secret-Pw"  # each person's password (scram-sha-256 on the socket)
PORT = 5432


class Unavailable(Exception):
    """No PostgreSQL server binaries here (or no user to run them as)."""


def bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


@dataclass
class Cluster:
    base: Path
    bins: Path
    user: str | None
    socket_dir: Path = field(init=False)
    port: int = PORT
    _counter = itertools.count(1)

    def __post_init__(self) -> None:
        self.socket_dir = self.base / "run"

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

    def newsroom(self, project: str, people: list[str], scratch: Path, cli) -> dict[str, str]:
        """A new database set up as a newsroom server (``cli``: ``app.cli.main``) with ``project`` and a member
        role for each person, their passwords in a pgpass file in ``scratch`` (PGPASSFILE); each one's URL."""
        db = self.new_database()
        admin = self.url(db=db)
        pgpass = scratch / "pgpass"
        pgpass.write_text("")
        pgpass.chmod(0o600)
        os.environ["PGPASSFILE"] = str(pgpass)
        cli(["server", "init", admin])
        cli(["server", "project-add", admin, project])
        urls = {}
        for person in people:
            role = self.new_role(person)
            with pgpass.open("a") as f:
                f.write(f"{self.socket_dir}:{self.port}:*:{role}:{PASSWORD_OF.format(role)}\n")
            cli(["server", "member-add", admin, project, role])
            urls[person] = self.url(role, db)
        return urls

    def stop(self) -> None:
        argv = [str(self.bins / "pg_ctl"), "-D", str(self.base / "data"), "-m", "fast", "-w", "stop"]
        subprocess.run(_as(self.user, argv), capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


def _as(user: str | None, argv: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else argv


def start(settings: str = "-c fsync=off") -> Cluster:
    """A running cluster (``settings``: more ``-c`` options for the server); :meth:`Cluster.stop` removes it."""
    bins = bin_dir()
    if bins is None:
        raise Unavailable("PostgreSQL server binaries not found (apt-get install postgresql)")
    user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable(
                "running as root, the cluster needs the postgres system user (Debian's package)"
            ) from None
        user = "postgres"
    base = Path(tempfile.mkdtemp(prefix="dossier-pg-"))
    data, sockets = base / "data", base / "run"
    sockets.mkdir()
    if user is not None:
        os.chmod(base, 0o755)
        shutil.chown(base, user)
        shutil.chown(sockets, user)
    cluster = Cluster(base, bins, user)
    try:
        subprocess.run(
            _as(user, [str(bins / "initdb"), "-D", str(data), "-U", ADMIN, "-A", "trust", "-E", "UTF8", "--no-sync"]),
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        (data / "pg_hba.conf").write_text(f"local all {ADMIN} trust\nlocal all all scram-sha-256\n", encoding="utf-8")
        if user is not None:
            shutil.chown(data / "pg_hba.conf", user)
        options = (f"-c listen_addresses='' -c unix_socket_directories='{sockets}' -c port={PORT} "
                   f"-c password_encryption=scram-sha-256 {settings}")  # fmt: skip
        subprocess.run(
            _as(user, [str(bins / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60", "start",
                       "-o", options]),
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        log = (base / "log").read_text(errors="replace") if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        raise Unavailable(f"could not start PostgreSQL: {exc.stderr}\n{log}") from exc
    return cluster
