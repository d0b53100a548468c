"""Errors of the machine (a full disk, a damaged database, a refused permission) are messages, not tracebacks."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys

import pytest

from app.environment import environmental

CLI = [sys.executable, "-m", "app.cli"]


def _disk_full() -> OSError:
    with pytest.raises(OSError) as raised, open("/dev/full", "wb", buffering=0) as full:
        full.write(b"x")
    return raised.value


def test_a_full_disk_a_damaged_database_and_a_refused_permission_are_environmental(tmp_path):
    assert "disk is full" in str(environmental(_disk_full()))
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xde\xad" * 4096)
    with pytest.raises(sqlite3.DatabaseError) as raised:
        sqlite3.connect(damaged).execute("SELECT * FROM sqlite_master").fetchall()
    assert "database is damaged" in str(environmental(raised.value))
    refused = PermissionError(errno.EACCES, "Permission denied", "/archive/blobs")
    assert str(environmental(refused)) == (
        "The system refused access to /archive/blobs (permission denied): check the permissions."
    )


def test_a_bug_stays_a_bug():
    assert environmental(ValueError("bad")) is None
    assert environmental(OSError(errno.EBADF, "Bad file descriptor")) is None
    assert environmental(sqlite3.ProgrammingError("closed")) is None


def test_importing_onto_a_full_disk_says_so_and_saves_nothing(tmp_path, sample_files):
    big = tmp_path / "big.txt"
    big.write_text(" ".join(f"council{i}" for i in range(400_000)))
    mount = tmp_path / "small-disk"
    mount.mkdir()
    script = (
        f"mount -t tmpfs -o size=2m tmpfs {mount} && "
        f"{' '.join(CLI)} --archive {mount}/a import {sample_files / 'omaha.txt'} >/dev/null && "
        f"{' '.join(CLI)} --archive {mount}/a import {big}; echo rc=$?; "
        f"{' '.join(CLI)} --archive {mount}/a stats --json"
    )
    namespace = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "--mount", "--map-root-user"]
    done = subprocess.run([*namespace, "sh", "-c", script], capture_output=True, text=True, cwd=os.getcwd())
    assert "Traceback" not in done.stderr, done.stderr
    assert "dossier: The disk is full, so the change was not saved." in done.stderr
    assert "rc=1" in done.stdout and '"documents": 1' in done.stdout


def test_a_damaged_database_is_a_message_from_every_command(tmp_path, sample_files):
    archive = tmp_path / "a"
    subprocess.run(
        [*CLI, "--archive", str(archive), "import", str(sample_files / "omaha.txt")], check=True, capture_output=True
    )
    with open(archive / "dossier.sqlite3", "r+b") as database:
        database.seek(4096)
        database.write(b"\xde\xad" * 20_000)
    for command in (["stats"], ["search", "omaha"], ["tag", "1", "--jurisdiction", "Omaha, NE"]):
        done = subprocess.run([*CLI, "--archive", str(archive), *command], capture_output=True, text=True)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "The archive's database is damaged." in done.stderr


def test_a_refused_folder_is_a_message(tmp_path, sample_files):
    archive = tmp_path / "a"
    subprocess.run(
        [*CLI, "--archive", str(archive), "import", str(sample_files / "omaha.txt")], check=True, capture_output=True
    )
    (archive / "blobs").chmod(0o500)
    drop = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    new = tmp_path / "new.txt"
    new.write_text("The council met on Tuesday.")
    done = subprocess.run([*drop, *CLI, "--archive", str(archive), "import", str(new)], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "(permission denied): check the permissions." in done.stderr
