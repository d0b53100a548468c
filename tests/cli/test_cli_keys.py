"""`dossier public-key`, `trust-key`, `untrust-key`, `keys`, and the signer lines of verify-bundle and import-bundle."""

from __future__ import annotations

import json

from app import keyring
from tests.app.test_signing import as_user
from tests.cli.test_cli import run


def signed_bundle(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "ana-archive")
    run(capsys, "--archive", archive, "import", str(sample_files / "omaha.txt"))
    run(capsys, "config", "sign-as", "Ana Ruiz")
    code, _, err = run(capsys, "--archive", archive, "export", "--all", "--out", str(tmp_path / "ana.zip"))
    assert code == 0, err
    return tmp_path / "ana.zip"


def test_a_colleague_trusts_a_key_file_and_the_bundle_says_who_sent_it(capsys, tmp_path, sample_files, monkeypatch):
    bundle = signed_bundle(capsys, tmp_path, sample_files)
    code, out, _ = run(capsys, "public-key", "--out", str(tmp_path / "ana.pub"))
    assert code == 0 and keyring.own_key_id() in out
    as_user(monkeypatch, tmp_path / "ben")
    archive = str(tmp_path / "ben-archive")

    code, out, _ = run(capsys, "--archive", archive, "verify-bundle", str(bundle))
    assert "1 document, 0 annotations; signed by an unknown key" in out
    assert "calls itself “Ana Ruiz”" in out and "trust-key" in out
    code, _, err = run(capsys, "--archive", archive, "import-bundle", "--known-signers-only", str(bundle))
    assert code == 1 and "only bundles signed by a trusted key" in err

    code, out, _ = run(capsys, "trust-key", str(tmp_path / "ana.pub"))  # the name comes from the key file
    assert code == 0 and "as Ana Ruiz" in out
    code, out, _ = run(capsys, "--archive", archive, "import-bundle", "--known-signers-only", str(bundle))
    assert code == 0 and "signed by Ana Ruiz (known)" in out
    code, out, _ = run(capsys, "--archive", archive, "verify-bundle", "--json", str(bundle))
    assert json.loads(out)["signer"]["status"] == "known"

    code, out, _ = run(capsys, "keys", "--json")
    (trusted,) = json.loads(out)["trusted"]
    code, out, _ = run(capsys, "untrust-key", trusted["key_id"])
    assert code == 0 and "no longer trusted" in out
    assert keyring.trusted() == {}


def test_trusting_the_signer_of_a_bundle(capsys, tmp_path, sample_files, monkeypatch):
    bundle = signed_bundle(capsys, tmp_path, sample_files)
    as_user(monkeypatch, tmp_path / "ben")
    code, out, _ = run(capsys, "trust-key", str(bundle), "--name", "Ana (Herald)")
    assert code == 0 and "as Ana (Herald)" in out
    code, out, _ = run(capsys, "verify-bundle", str(bundle))
    assert "signed by Ana (Herald) (known)" in out


def test_a_key_file_without_a_name_or_not_a_key_gets_a_clear_message(capsys, tmp_path):
    base64_only = tmp_path / "jo.pub"
    base64_only.write_text("RWQr+wzzEiCeGFLb2IN0JVtgBB8WA1+X4Th3kwmpCjyT04sjvNRJ+HYc\n")
    code, _, err = run(capsys, "trust-key", str(base64_only))
    assert code == 1 and "--name" in err
    (tmp_path / "notes.txt").write_text("hello")
    code, _, err = run(capsys, "trust-key", str(tmp_path / "notes.txt"), "--name", "Jo")
    assert code == 1 and "is not a public key" in err


def test_trusting_the_signer_of_a_damaged_bundle_is_a_message(capsys, tmp_path, sample_files):
    from tests.app.bundle_fixtures import flip_a_byte

    bundle = signed_bundle(capsys, tmp_path, sample_files)
    damaged = flip_a_byte(bundle, tmp_path / "damaged.zip", "data/documents/")
    code, _, err = run(capsys, "trust-key", str(damaged), "--name", "Ana")
    assert code == 1 and "damaged" in err and "--verbose" not in err
