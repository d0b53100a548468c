"""Passwords from the OS keyring (a real Secret Service): `dossier server login` keeps one, a sync without a
pgpass line uses it, `--forget` removes it, File > Sync asks for it and keeps it; it is never written to the
archive, the window's settings or a log."""

from __future__ import annotations

import logging
import subprocess
import sys

import keyring
import pytest
from PySide6.QtCore import QSettings, QTimer

from app.archive import Archive
from app.cli import main
from app.errors import DossierError
from app.server import connect, credentials
from tests.server.pg import PASSWORD_OF
from ui.main_window import MainWindow

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


def test_file_sync_asks_for_the_password_and_remembers_it_in_the_keyring(
    qtbot, secret_service, carol, laptops, tmp_path, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    _role, url, password = carol
    _a, b = laptops
    settings = tmp_path / "ui.ini"
    window = MainWindow(b, QSettings(str(settings), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    flow = window.sync_flow
    asked = []

    def answer():  # inside the dialog's own event loop
        dialog = flow.dialog
        if dialog is None or not dialog.isVisible():
            return
        timer.stop()
        asked.append(dialog.findChild(type(dialog.password)).isVisible())
        assert dialog.password.remember.text() == "Remember in the system keyring"
        assert dialog.password.remember.isEnabled() and dialog.password.remember.isChecked()
        dialog.password.field.setText(password)
        dialog.accept()

    timer = QTimer(interval=20)
    timer.timeout.connect(answer)
    timer.start()
    try:
        with qtbot.waitSignal(flow.controller.finished, timeout=120_000) as finished:
            assert flow.start(url, "desk")  # the server asks; the dialog comes back with a password field
        assert asked == [True] and finished.args[0].pushed_documents == 3
        assert keyring.get_password(credentials.SERVICE, credentials.account(connect.connection_params(url))) == (
            password
        )
        window.save_settings()
        window.settings.sync()
    finally:
        timer.stop()
        window.shutdown()
    folder = b.folder
    b.close()
    with Archive.open(folder) as again:  # a later sync, with nothing typed: the keyring's password
        assert again.sync(url, "desk").pulled_documents == 0
        assert [s.server for s in again.sync_states()] == [url]
    out, err = capfd.readouterr()
    assert _grep(folder, password) == [] and password.encode() not in settings.read_bytes()
    assert password not in caplog.text and password not in out + err
