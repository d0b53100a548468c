"""The user's signing key and the colleagues' keys they trust, kept beside the settings so that the command
line and the window share them: minisign-format files in the user data folder (``~/.local/share/Dossier/keys``
on Linux). The signing key is made the first time a bundle is signed; it never leaves the machine."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import minisign
from platformdirs import user_data_path

from app.errors import DossierError

_SECRET = "signing.key"
_PUBLIC = "signing.pub"
_TRUSTED = "trusted.json"
_MAX_NAME = 200


@dataclass(frozen=True)
class TrustedKey:
    """A colleague's public key, under the name the user gave it."""

    key_id: str  # 16 hex digits, upper case, as minisign prints it
    name: str
    public_key: str  # minisign's base64 line
    added: str

    def to_json(self) -> dict:
        """JSON-ready dict."""
        return dict(self.__dict__)


def keys_folder() -> Path:
    """Where the keys are kept."""
    return user_data_path("Dossier", appauthor=False) / "keys"


def key_id(public_key: minisign.PublicKey) -> str:
    """The key's id as minisign shows it in its key files: 16 hex digits of a little-endian number."""
    return public_key._keynum_pk.key_id[::-1].hex().upper()


def own_key() -> minisign.SecretKey:
    """The user's signing key, made (and kept, readable by the user alone) the first time it is needed."""
    path = keys_folder() / _SECRET
    try:
        return minisign.SecretKey.from_file(path)
    except FileNotFoundError:
        pass
    except (OSError, minisign.Error) as exc:
        raise DossierError(
            f"Your signing key {path} cannot be read ({exc}): move it away to have a new one made, "
            "and send colleagues your new public key."
        ) from exc
    pair = minisign.KeyPair.generate()
    pair.secret_key.untrusted_comment = "Dossier signing key: keep it secret"
    _write(path, bytes(pair.secret_key) + b"\n", private=True)
    _write(keys_folder() / _PUBLIC, bytes(pair.public_key) + b"\n", private=False)
    return pair.secret_key


def own_key_id() -> str | None:
    """The id of the user's signing key; None before one was made."""
    try:
        return key_id(minisign.SecretKey.from_file(keys_folder() / _SECRET).get_public_key())
    except (OSError, minisign.Error):
        return None


def own_public_key() -> minisign.PublicKey:
    """The public half of :func:`own_key`, to give to colleagues."""
    return own_key().get_public_key()


def public_key_file(name: str) -> bytes:
    """The user's public key as a minisign ``.pub`` file whose comment carries ``name``."""
    public = own_public_key()
    public.untrusted_comment = f"Dossier public key of {name}" if name else "Dossier public key"
    return bytes(public) + b"\n"


def read_public_key(data: bytes, where: str) -> minisign.PublicKey:
    """A minisign public key file (``.pub``) or its base64 line alone; ``where`` names it in errors."""
    lines = [line.strip() for line in data.splitlines() if line.strip()]
    try:
        if len(lines) == 1:
            return minisign.PublicKey.from_base64(lines[0])
        return minisign.PublicKey.from_bytes(b"\n".join(lines[:2]))
    except (minisign.Error, ValueError, UnicodeDecodeError) as exc:
        raise DossierError(
            f"{where} is not a public key: give the .pub file a colleague sent (made by Dossier or minisign)."
        ) from exc


def name_in(public_key: minisign.PublicKey) -> str:
    """The name a Dossier public key file gives its owner ("" for other files); untrusted, a suggestion only."""
    comment = public_key.untrusted_comment or ""
    return (
        comment.removeprefix("Dossier public key of ").strip() if comment.startswith("Dossier public key of ") else ""
    )


def trusted() -> dict[str, TrustedKey]:
    """The trusted keys by key id."""
    path = keys_folder() / _TRUSTED
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise DossierError(f"The list of trusted keys {path} cannot be read ({exc}): fix or remove it.") from exc
    return {item["key_id"]: TrustedKey(**item) for item in data.get("keys", [])}


def trust(public_key: minisign.PublicKey, name: str) -> TrustedKey:
    """Trust ``public_key`` as ``name`` (replacing the name if it is trusted already)."""
    name = " ".join(name.split())
    if not name or len(name) > _MAX_NAME or not name.isprintable():
        raise DossierError(f"Give the key's owner a name on one line, at most {_MAX_NAME} characters.")
    kid = key_id(public_key)
    if kid == own_key_id():
        raise DossierError("That is your own key: bundles you sign are yours already.")
    entry = TrustedKey(
        kid, name, public_key.to_base64().decode("ascii"), datetime.now(UTC).isoformat(timespec="seconds")
    )
    _save({**trusted(), kid: entry})
    return entry


def untrust(kid: str) -> TrustedKey:
    """Stop trusting the key ``kid``; returns what was trusted."""
    keys = trusted()
    entry = keys.pop(kid.strip().upper(), None)
    if entry is None:
        raise DossierError(f"No trusted key has the id {kid}.")
    _save(keys)
    return entry


def _save(keys: dict[str, TrustedKey]) -> None:
    data = {"keys": [entry.to_json() for entry in sorted(keys.values(), key=lambda k: k.name.lower())]}
    _write(keys_folder() / _TRUSTED, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode(), private=False)


def _write(path: Path, data: bytes, *, private: bool) -> None:
    """Write ``data`` whole or not at all; a private file is never readable by others, not even for a moment."""
    partial = path.with_suffix(".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
    except OSError as exc:
        raise DossierError(f"Could not save {path}: {exc.strerror or exc}.") from exc
