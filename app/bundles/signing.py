"""Who sent a bundle: an Ed25519 signature (minisign's format) over the bag's tag manifest, which holds the
checksums of bag-info.txt and of the payload manifest, which holds those of every payload file; so one
signature covers the whole bundle. The signer's public key travels beside it, so that any signature can be
checked; whether the key is known is the receiver's own list of trusted keys (:mod:`app.keyring`).

``minisign -Vm tagmanifest-sha256.txt -x signature.minisig -p signer.pub`` checks an unzipped bundle too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import minisign

from app import keyring
from app.errors import BadBundle

SIGNATURE = "signature.minisig"
SIGNER = "signer.pub"
SIGNED = "tagmanifest-sha256.txt"
_BY = "Dossier bundle signed by "
_RESEND = "Ask the sender to export it again."


@dataclass(frozen=True)
class Signer:
    """Who signed a verified bundle, as far as this machine can tell."""

    status: str  # "known" (a trusted key), "unknown" (a good signature by a key not trusted here), "unsigned"
    name: str = ""  # for "known": the name the user trusts the key as; otherwise the name the bundle claims
    key_id: str = ""

    def describe(self) -> str:
        """One line in plain words."""
        if self.status == "known":
            return f"signed by {self.name} (known)"
        if self.status == "unknown":
            claim = f", which calls itself “{self.name}”" if self.name else ""
            return f"signed by an unknown key (key ID {self.key_id}{claim})"
        return "unsigned"

    def to_json(self) -> dict:
        """JSON-ready dict."""
        return dict(self.__dict__)


UNSIGNED = Signer("unsigned")


def sign_bag(bag: Path, name: str) -> None:
    """Sign the finished bag at ``bag`` with the user's key, naming ``name`` inside the signed comment."""
    secret = keyring.own_key()
    signature = secret.sign(
        (bag / SIGNED).read_bytes(), untrusted_comment="signature from Dossier", trusted_comment=f"{_BY}{name}"
    )
    (bag / SIGNATURE).write_bytes(bytes(signature) + b"\n")
    (bag / SIGNER).write_bytes(bytes(secret.get_public_key()) + b"\n")


def signer_key(bag: Path) -> minisign.PublicKey:
    """The public key that signed the verified bag at ``bag`` (to trust it)."""
    return minisign.PublicKey.from_bytes((bag / SIGNER).read_bytes().strip())


def check_signature(bag: Path) -> Signer:
    """The signer of the extracted, already checksum-verified bag at ``bag``; :class:`BadBundle` when the
    signature is present but does not hold."""
    signature_file, signer_file = bag / SIGNATURE, bag / SIGNER
    if not signature_file.exists() and not signer_file.exists():
        return UNSIGNED
    if not (signature_file.exists() and signer_file.exists()):
        raise BadBundle(f"The bundle's signature is incomplete ({SIGNATURE} or {SIGNER} is missing). {_RESEND}")
    try:
        signature = minisign.Signature.from_bytes(signature_file.read_bytes())
        public = signer_key(bag)
    except (minisign.Error, ValueError) as exc:
        raise BadBundle(f"The bundle's signature cannot be read ({exc}). {_RESEND}") from exc
    try:
        public.verify((bag / SIGNED).read_bytes(), signature)
    except minisign.VerifyError as exc:
        raise BadBundle(
            "The bundle's signature does not match its contents: it was changed after it was signed. "
            "Do not trust it; ask the sender to export it again."
        ) from exc
    claimed = signature.trusted_comment.removeprefix(_BY) if signature.trusted_comment.startswith(_BY) else ""
    kid = keyring.key_id(public)
    if kid == keyring.own_key_id():
        return Signer("known", "you", kid)
    known = keyring.trusted().get(kid)
    if known is not None and known.public_key == public.to_base64().decode("ascii"):
        return Signer("known", known.name, kid)
    return Signer("unknown", claimed, kid)
