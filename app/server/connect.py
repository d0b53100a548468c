"""Connecting to a newsroom server: the URL checked (TLS for any host that is not this machine, no password in
it), credentials only from the standard places (libpq's pgpass file, PGPASSFILE or a service file, then the OS
keyring: :mod:`app.server.credentials`), and the schema version checked."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.errors import DossierError

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
CONNECT_TIMEOUT_S = 10


class ServerError(DossierError):
    """The server could not be reached, refused us, or is not a Dossier server."""


class Unreachable(ServerError):
    """No connection to the server could be made, or it was lost: the network, the VPN, the server down."""


class PasswordNeeded(ServerError):
    """The server asks for a password that neither the pgpass file nor the keyring has (or refused the one
    given): ``account`` names the connection (``role@host:port/database``), never the password."""

    def __init__(self, message: str, account: str) -> None:
        super().__init__(message)
        self.account = account


def connection_params(url: str, *, insecure: bool = False) -> dict[str, Any]:
    """The libpq parameters for ``url`` (a ``postgresql://`` URL or a ``key=value`` string): refused when it
    carries a password (keep it in the pgpass file), and, for a host that is not local, with
    ``sslmode=verify-full`` unless the URL asks for less and ``insecure`` allows it."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(url)
    except Exception as exc:  # psycopg.ProgrammingError: the message names the bad part, never a password
        raise DossierError(f"That is not a PostgreSQL connection URL: {type(exc).__name__}.") from None
    if params.get("password"):
        raise DossierError(
            "The server URL holds a password: Dossier never keeps one in the archive. Remove it from the URL and "
            "put it in your pgpass file (~/.pgpass, mode 600: host:port:database:user:password)."
        )
    hosts = str(params.get("host") or os.environ.get("PGHOST", "")).split(",")
    addrs = [a for a in str(params.get("hostaddr") or "").split(",") if a]
    local = all(h.startswith("/") or h.startswith("@") or h in LOCAL_HOSTS for h in hosts) and all(
        a in LOCAL_HOSTS for a in addrs
    )
    if not local:
        mode = params.get("sslmode")
        if mode is None:
            params["sslmode"] = "verify-full"
        elif mode != "verify-full" and not insecure:
            raise DossierError(
                f"The server {', '.join(hosts)} is not on this machine, and the URL asks for sslmode={mode}: "
                "Dossier requires sslmode=verify-full there (an encrypted connection to a server whose "
                "certificate is checked). Remove sslmode from the URL, or pass --insecure-tls if you know why."
            )
    params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    params.setdefault("application_name", "dossier")
    return params


def display_url(url: str) -> str:
    """The URL as recorded and shown: without a password (there never is one, :func:`connection_params`)."""
    return url.strip()


def connect(url: str, *, insecure: bool = False, password: str | None = None, remember: bool = False):
    """An autocommit connection to a Dossier server whose schema this version knows. ``password`` (typed by the
    person, held in memory only) is used instead of the standard places; ``remember`` keeps it in the OS keyring
    once the server took it."""
    import psycopg

    from app.store import server_schema

    conn = _open(connection_params(url, insecure=insecure), password, remember)
    try:
        found = server_schema.version(conn)
    except psycopg.errors.InsufficientPrivilege as exc:
        conn.close()
        raise ServerError(
            f"The server refused to show its Dossier schema ({_first_line(exc)}): your role is a member of no "
            "project there. Its administrator adds you with `dossier server member-add`."
        ) from None
    except psycopg.Error as exc:
        conn.close()
        raise ServerError(f"The server refused to show its Dossier schema: {_first_line(exc)}") from None
    if found is None or found == 0:
        conn.close()
        raise ServerError("That database holds no Dossier schema: its administrator runs `dossier server init`.")
    if found > server_schema.LATEST:
        conn.close()
        raise ServerError(
            f"The server's schema (version {found}) is newer than this Dossier knows ({server_schema.LATEST}): "
            "update Dossier to sync with it."
        )
    return conn


def _open(params: dict[str, Any], password: str | None, remember: bool = False):
    """libpq's connection with its own credentials (pgpass), else with the keyring's password when the server
    asked for one; ``password`` given: that one only."""
    import psycopg

    from app.server import credentials

    if password is None:
        try:
            return psycopg.connect(autocommit=True, **params)
        except psycopg.OperationalError as exc:
            if not _needs_password(exc):
                raise Unreachable(f"Could not connect to the newsroom server: {_first_line(exc)}") from None
        password = credentials.lookup(params)
        if password is None:
            name = credentials.account(params)
            raise PasswordNeeded(
                f"The newsroom server asks for the password of {name}, and neither your pgpass file nor the system "
                "keyring has it: enter it in File > Sync, or run `dossier server login URL` once.",
                name,
            )
        source = "the system keyring's"
    else:
        source = "that"
    try:
        conn = psycopg.connect(autocommit=True, password=password, **params)
    except psycopg.OperationalError as exc:
        if _password_refused(exc):
            name = credentials.account(params)
            raise PasswordNeeded(
                f"The newsroom server refused {source} password for {name}: enter the right one in File > Sync, "
                "or run `dossier server login URL` again.",
                name,
            ) from None
        raise Unreachable(f"Could not connect to the newsroom server: {_first_line(exc)}") from None
    if remember:
        try:
            credentials.store(params, password)
        except DossierError:
            conn.close()
            raise
    return conn


def _needs_password(exc: Exception) -> bool:
    """Whether libpq gave up because the server asked for a password it did not have (any language)."""
    pgconn = getattr(exc, "pgconn", None)
    return bool(pgconn is not None and pgconn.needs_password)


def _password_refused(exc: Exception) -> bool:
    """Whether the server refused the password sent (SQLSTATE 28P01, else its English message)."""
    if getattr(exc, "sqlstate", None) == "28P01":
        return True
    return "password authentication failed" in str(exc)


def connect_admin(url: str, *, insecure: bool = False, password: str | None = None, remember: bool = False):
    """An autocommit connection for ``dossier server init``, the membership commands and ``server login`` (any
    schema state)."""
    return _open(connection_params(url, insecure=insecure), password, remember)


@contextmanager
def server_errors(doing: str) -> Iterator[None]:
    """Turn the server's errors while ``doing`` into a message: a lost connection is said to be completed by the
    next sync (each batch is a transaction on its side, what is done stays)."""
    import psycopg

    try:
        yield
    except psycopg.OperationalError as exc:
        raise Unreachable(
            f"The connection to the newsroom server was lost while {doing} ({_first_line(exc)}). What was done is "
            "kept on both sides; sync again to complete it."
        ) from None
    except psycopg.errors.InsufficientPrivilege as exc:
        raise ServerError(f"The server refused {doing}: {_first_line(exc)}. Ask its administrator.") from None
    except psycopg.Error as exc:
        raise ServerError(f"The newsroom server failed while {doing}: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
