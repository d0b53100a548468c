"""Newsroom passwords in the OS keyring (the ``keyring`` library: the Secret Service on Linux, the Keychain on
macOS, the Credential Locker on Windows), for a connection whose password is not in the pgpass file.

One entry per connection: service :data:`SERVICE`, user name ``role@host:port/database`` (:func:`account`), as the
URL resolves with libpq's defaults. Nothing here writes a password anywhere else, logs it, or puts it in a
message; a missing or locked keyring reads as "no password" (the pgpass file still works)."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from typing import Any

from app.errors import DossierError

SERVICE = "Dossier newsroom"


def account(params: Mapping[str, Any]) -> str:
    """The keyring user name of a connection: ``role@host:port/database`` (libpq's defaults filled in)."""
    user = str(params.get("user") or os.environ.get("PGUSER") or getpass.getuser())
    host = str(params.get("host") or params.get("hostaddr") or os.environ.get("PGHOST") or "localhost")
    port = str(params.get("port") or os.environ.get("PGPORT") or "5432")
    database = str(params.get("dbname") or os.environ.get("PGDATABASE") or user)
    return f"{user}@{host}:{port}/{database}"


def available() -> bool:
    """Whether an OS keyring is there to keep passwords in (not the "fail" or a null backend)."""
    import keyring

    try:
        return keyring.get_keyring().priority > 0
    except Exception:  # a backend that cannot even say: as good as none
        return False


def lookup(params: Mapping[str, Any]) -> str | None:
    """The password kept for this connection, or None (none kept, no keyring, a keyring that refused)."""
    import keyring

    try:
        return keyring.get_password(SERVICE, account(params))
    except Exception:  # keyring.errors.KeyringError, or a D-Bus failure inside a backend
        return None


def store(params: Mapping[str, Any], password: str) -> str:
    """Keep ``password`` for this connection; the entry's user name."""
    import keyring

    name = account(params)
    try:
        keyring.set_password(SERVICE, name, password)
    except Exception as exc:
        raise DossierError(
            f"Could not keep the password in the system keyring ({type(exc).__name__}): is a keyring running in "
            "this session? Or put it in your pgpass file (~/.pgpass, mode 600: host:port:database:user:password)."
        ) from None
    return name


def forget(params: Mapping[str, Any]) -> bool:
    """Remove the password kept for this connection; False when there was none."""
    import keyring
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, account(params))
    except PasswordDeleteError:
        return False
    except Exception as exc:
        raise DossierError(
            f"Could not reach the system keyring ({type(exc).__name__}): is a keyring (GNOME Keyring, KWallet, "
            "the macOS Keychain) running in this session?"
        ) from None
    return True
