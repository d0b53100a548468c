"""The command line's key commands: your public key, and the colleagues' keys you trust (:mod:`app.keyring`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app import keyring, settings
from app.errors import DossierError
from app.printable import print_json


def add_commands(commands, common: argparse.ArgumentParser) -> None:
    """Add ``public-key``, ``trust-key``, ``untrust-key`` and ``keys`` (their files are in ``args.file``)."""
    cmd = commands.add_parser(
        "public-key", parents=[common], help="print (or write) your public key, for colleagues to trust your bundles"
    )
    cmd.add_argument("--out", dest="file", metavar="FILE.pub", help="write it to FILE.pub instead")
    cmd.set_defaults(handler=_public_key)
    cmd = commands.add_parser(
        "trust-key", parents=[common], help="trust a colleague's public key: their signed bundles say who sent them"
    )
    cmd.add_argument("file", metavar="FILE", help="their .pub file (Dossier or minisign), or a bundle they signed")
    cmd.add_argument("--name", help="what to call them (default: the name their key file gives)")
    cmd.set_defaults(handler=_trust_key)
    cmd = commands.add_parser("untrust-key", parents=[common], help="stop trusting a key")
    cmd.add_argument("key_id", metavar="KEY-ID", help="as `dossier keys` lists it")
    cmd.set_defaults(handler=_untrust_key)
    cmd = commands.add_parser("keys", parents=[common], help="your key and the keys you trust")
    cmd.set_defaults(handler=_keys)


def _public_key(args: argparse.Namespace) -> int:
    data = keyring.public_key_file(settings.sign_as() or "")
    if args.file:
        out = Path(args.file)
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise DossierError(f"Could not write {out}: {exc.strerror or exc}.") from exc
        print(f"wrote your public key (key ID {keyring.own_key_id()}) to {out}")
    elif args.json:
        print_json({"key_id": keyring.own_key_id(), "public_key": data.decode("ascii")})
    else:
        sys.stdout.write(data.decode("ascii"))
    return 0


def _trust_key(args: argparse.Namespace) -> int:
    path = Path(args.file)
    public, claimed = _key_in(path)
    name = args.name or claimed
    if not name:
        raise DossierError(f"{path} does not say whose key it is: name them with --name 'Their Name'.")
    entry = keyring.trust(public, name)
    if args.json:
        print_json(entry.to_json())
    else:
        print(f"trusted key {entry.key_id} as {entry.name}: bundles it signs now say “signed by {entry.name} (known)”")
    return 0


def _key_in(path: Path):
    """The public key in ``path`` and the name it claims: a key file, or the signer of a bundle (verified)."""
    from app.bundles.signing import signer_key  # only this command needs bundles
    from app.bundles.verify import verify_bundle

    try:
        head = path.read_bytes()[:4] if path.is_file() else b""
    except OSError as exc:
        raise DossierError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if head != b"PK\x03\x04":
        public = keyring.read_public_key(_small_file(path), str(path))
        return public, keyring.name_in(public)
    with verify_bundle(path) as bundle:
        if bundle.signer.status == "unsigned":
            raise DossierError(f"{path} is unsigned: there is no key in it to trust.")
        return signer_key(bundle.folder), bundle.signer.name


def _small_file(path: Path) -> bytes:
    if not path.is_file() or path.stat().st_size > 4096:
        raise DossierError(f"{path} is not a public key: give the .pub file a colleague sent.")
    return path.read_bytes()


def _untrust_key(args: argparse.Namespace) -> int:
    entry = keyring.untrust(args.key_id)
    print_json(entry.to_json()) if args.json else print(f"no longer trusted: key {entry.key_id} ({entry.name})")
    return 0


def _keys(args: argparse.Namespace) -> int:
    own, keys = keyring.own_key_id(), list(keyring.trusted().values())
    if args.json:
        print_json({"own": own, "trusted": [key.to_json() for key in keys]})
        return 0
    print(f"your key: {own}" if own else "your key: none yet (made when you first export a signed bundle)")
    for key in keys:
        print(f"trusted: {key.key_id}  {key.name}  (since {key.added[:10]})")
    if not keys:
        print("trusted: none (`dossier trust-key FILE` trusts a colleague's key)")
    return 0
