"""Signed bundles: who sent a bundle is known, unknown or unsigned, and a signature that does not hold is refused."""

from __future__ import annotations

import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import bagit
import pytest

from app import keyring
from app.bundles.export import export_bundle
from app.bundles.merge import import_bundle
from app.bundles.signing import SIGNATURE, SIGNER
from app.bundles.verify import verify_bundle
from app.errors import BadBundle, DossierError

TOP = "dossier-bundle"


def as_user(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Continue as another person: their own keys and settings."""
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))


@pytest.fixture
def signed(archive, sample_files, tmp_path) -> Path:
    """A bundle of the sample files exported and signed by "Ana Ruiz"."""
    archive.import_paths([sample_files])
    out = tmp_path / "ana.zip"
    export_bundle(archive, archive.search_ids("").ids, out, signed_as="Ana Ruiz")
    return out


def unzip(bundle: Path, folder: Path) -> Path:
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(folder)
    return folder / TOP


def rezip(bag: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(bag.rglob("*")):
            if path.is_file():
                archive.write(path, f"{TOP}/{path.relative_to(bag).as_posix()}")
    return out


def test_the_sender_is_unknown_until_their_key_is_trusted(signed, monkeypatch, tmp_path):
    with verify_bundle(signed) as bundle:
        assert bundle.signer.describe() == "signed by you (known)"
    ana_key = keyring.own_key_id()
    as_user(monkeypatch, tmp_path / "ben")
    with verify_bundle(signed) as bundle:
        assert (bundle.signer.status, bundle.signer.name, bundle.signer.key_id) == ("unknown", "Ana Ruiz", ana_key)
        assert bundle.signer.describe() == f"signed by an unknown key (key ID {ana_key}, which calls itself “Ana Ruiz”)"
        public = keyring.read_public_key((bundle.folder / SIGNER).read_bytes(), "signer.pub")
    keyring.trust(public, "Ana from the Herald")
    with verify_bundle(signed) as bundle:
        assert bundle.signer.describe() == "signed by Ana from the Herald (known)"
    keyring.untrust(ana_key.lower())
    with verify_bundle(signed) as bundle:
        assert bundle.signer.status == "unknown"


def test_a_bundle_changed_and_rebagged_after_signing_is_refused(signed, tmp_path):
    """Checksums a tamperer can write again; the signature over them they cannot."""
    bag = unzip(signed, tmp_path / "x")
    text = next((bag / "data" / "text").iterdir())
    text.write_text(text.read_text(encoding="utf-8") + " planted words", encoding="utf-8")
    kept = {name: (bag / name).read_bytes() for name in (SIGNATURE, SIGNER)}
    for name in kept:
        (bag / name).unlink()
    bagit.Bag(str(bag)).save(processes=1, manifests=True)  # every checksum written again
    for name, data in kept.items():
        (bag / name).write_bytes(data)
    with pytest.raises(BadBundle, match="changed after it was signed"):
        verify_bundle(rezip(bag, tmp_path / "tampered.zip"))


def test_a_bundle_signed_again_by_someone_else_claiming_the_name_is_not_known(signed, monkeypatch, tmp_path):
    with verify_bundle(signed) as bundle:
        ana = keyring.read_public_key((bundle.folder / SIGNER).read_bytes(), "signer.pub")
    as_user(monkeypatch, tmp_path / "ben")
    keyring.trust(ana, "Ana Ruiz")
    as_user(monkeypatch, tmp_path / "mallory")
    bag = unzip(signed, tmp_path / "x")
    from app.bundles.signing import sign_bag

    sign_bag(bag, "Ana Ruiz")  # Mallory's own key, Ana's name
    forged = rezip(bag, tmp_path / "forged.zip")
    as_user(monkeypatch, tmp_path / "ben")
    with verify_bundle(forged) as bundle:
        assert bundle.signer.status == "unknown"
        assert "unknown key" in bundle.signer.describe()


def test_half_a_signature_is_refused(signed, tmp_path):
    bag = unzip(signed, tmp_path / "x")
    (bag / SIGNER).unlink()
    with pytest.raises(BadBundle, match="signature is incomplete"):
        verify_bundle(rezip(bag, tmp_path / "half.zip"))


def test_unsigned_export_carries_no_signature(archive, sample_files, tmp_path):
    archive.import_paths([sample_files])
    out = tmp_path / "plain.zip"
    export_bundle(archive, archive.search_ids("").ids, out, signed_as="")
    with zipfile.ZipFile(out) as bundle:
        assert not {f"{TOP}/{SIGNATURE}", f"{TOP}/{SIGNER}"} & set(bundle.namelist())
    with verify_bundle(out) as verified:
        assert verified.signer.describe() == "unsigned"
    assert keyring.own_key_id() is None  # no key is made for unsigned bundles


def test_only_known_signers_refuses_the_others_and_writes_nothing(signed, b, monkeypatch, tmp_path):
    as_user(monkeypatch, tmp_path / "ben")
    with pytest.raises(BadBundle, match="unknown key"):
        import_bundle(b, signed, known_signers_only=True)
    assert b.stats()["documents"] == 0
    assert import_bundle(b, signed).signer.status == "unknown"
    assert b.stats()["documents"] > 0


def test_the_signing_key_is_readable_by_its_owner_alone(signed):
    mode = stat.S_IMODE((keyring.keys_folder() / "signing.key").stat().st_mode)
    assert mode == 0o600


def test_trusting_your_own_key_is_refused(signed):
    with pytest.raises(DossierError, match="your own key"):
        keyring.trust(keyring.own_public_key(), "me")


MINISIGN = shutil.which("minisign")
needs_minisign = pytest.mark.skipif(MINISIGN is None, reason="minisign is not installed (apt-get install minisign)")


@needs_minisign
def test_minisign_itself_checks_a_dossier_signature(signed, tmp_path):
    bag = unzip(signed, tmp_path / "x")
    done = subprocess.run(
        [MINISIGN, "-Vm", "tagmanifest-sha256.txt", "-x", SIGNATURE, "-p", SIGNER],
        cwd=bag,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Dossier bundle signed by Ana Ruiz" in done.stdout


@needs_minisign
def test_a_key_made_by_minisign_can_be_trusted(tmp_path):
    subprocess.run(
        [MINISIGN, "-G", "-W", "-p", tmp_path / "jo.pub", "-s", tmp_path / "jo.key"], check=True, capture_output=True
    )
    public = keyring.read_public_key((tmp_path / "jo.pub").read_bytes(), "jo.pub")
    minisign_id = (tmp_path / "jo.pub").read_text().splitlines()[0].rsplit(" ", 1)[1]  # printed without leading 0s
    assert int(keyring.trust(public, "Jo").key_id, 16) == int(minisign_id, 16)
