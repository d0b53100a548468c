"""Passwords from the OS keyring (a real Secret Service): `dossier server login` keeps one, a sync without a
pgpass line uses it, `--forget` removes it; it is never written to the archive."""

from __future__ import annotations

import subprocess
import sys

import keyring
import pytest

from app.cli import main
from app.errors import DossierError
from app.server import connect, credentials
from tests.server.pg import PASSWORD_OF

pytestmark = pytest.mark.server


@pytest.fixture
def carol(newsroom):
    """A member of desk whose password is in no pgpass file."""
    role = newsroom.cluster.new_role("carol")
    assert main(["server", "member-add", newsroom.admin, "desk", role]) == 0
    url = newsroom.cluster.url(role, newsroom.db)
    yield role, url, PASSWORD_OF.format(role)
    credentials.forget(connect.connection_params(url))


def _grep(folder, secret: str) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_server_login_keeps_the_password_in_the_keyring_and_sync_uses_it(secret_service, carol, laptops, capsys):
    role, url, password = carol
    a, _b = laptops
    with pytest.raises(DossierError, match=f"asks for the password of {role}@"):
        a.sync(url, "desk")
    run = subprocess.run([sys.executable, "-m", "app.cli", "server", "login", url, "--password-stdin"],
                         input="not-the-password\n", capture_output=True, text=True)  # fmt: skip
    assert run.returncode != 0 and "refused that password" in run.stderr and "not-the-password" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "app.cli", "server", "login", url, "--password-stdin"],
                         input=password + "\n", capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stderr
    account = f"{role}@{url.split('host=')[1].split('&')[0]}:5432/{url.split('@/')[1].split('?')[0]}"
    assert f"the server took the password of {account}" in run.stdout and password not in run.stdout
    assert keyring.get_password(credentials.SERVICE, account) == password  # the Secret Service holds it
    report = a.sync(url, "desk")  # no pgpass line: the keyring's password
    assert report.pushed_documents == 4
    assert main(["server", "login", url, "--forget"]) == 0
    assert f"forgot the password of {account}" in capsys.readouterr().out
    assert keyring.get_password(credentials.SERVICE, account) is None
    with pytest.raises(DossierError, match="neither your pgpass file nor the system keyring has it"):
        a.sync(url, "desk")
    assert _grep(a.folder, password) == []
