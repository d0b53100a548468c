"""What an import reads from a folder, and the line every other entry gets in the report."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from app.models import ImportReport
from app.walking import walk


@pytest.fixture
def tree(tmp_path):
    """A folder with one real file and every kind of entry that is not one, plus a secret outside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.txt").write_text("root:x:0:0")
    top = tmp_path / "clippings"
    top.mkdir()
    (top / "memo.txt").write_text("The council voted.")
    (top / "same-memo.txt").symlink_to(top / "memo.txt")
    (top / "passwd.txt").symlink_to(outside / "passwd.txt")
    (top / "gone.txt").symlink_to(top / "deleted.txt")
    (top / "loop.txt").symlink_to(top / "loop.txt")
    (top / "elsewhere").symlink_to(outside, target_is_directory=True)
    os.mkfifo(top / "pipe.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(top / "socket.txt"))
    yield top
    server.close()


def test_only_regular_files_inside_the_folder_are_read(tree):
    report = ImportReport()
    files = [p.name for p in walk([tree], report)]
    assert files == ["memo.txt", "same-memo.txt"]
    reasons = {os.path.basename(entry["path"]): entry["reason"] for entry in report.skipped}
    assert reasons["passwd.txt"].startswith("a link to ") and "outside the imported folder" in reasons["passwd.txt"]
    assert reasons["gone.txt"] == "a link to nothing (its target does not exist)"
    assert reasons["loop.txt"] == "a link that leads in a loop"
    assert reasons["elsewhere"].startswith("a link to a folder, not followed")
    assert reasons["pipe.txt"] == "a named pipe, not a file with contents to import"
    assert reasons["socket.txt"] == "a socket, not a file with contents to import"
    assert not report.failed


def test_a_link_named_by_the_user_is_followed_but_a_pipe_is_not_read(tree):
    report = ImportReport()
    assert [p.name for p in walk([tree / "passwd.txt", tree / "pipe.txt"], report)] == ["passwd.txt"]
    assert report.skipped == [
        {"path": str(tree / "pipe.txt"), "reason": "a named pipe, not a file with contents to import"}
    ]


def test_a_folder_that_cannot_be_read_is_a_failure_in_the_report(tree):
    locked = tree / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("hidden")
    locked.chmod(0)
    script = (
        "import json, sys; from app.models import ImportReport; from app.walking import walk; r = ImportReport(); "
        "files = [str(p) for p in walk([sys.argv[1]], r)]; print(json.dumps([files, r.failed]))"
    )
    # root reads any folder: run without the capabilities that let it
    drop = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    done = subprocess.run([*drop, sys.executable, "-c", script, str(tree)], capture_output=True, text=True, check=True)
    files, failed = json.loads(done.stdout)
    assert [os.path.basename(f) for f in files] == ["memo.txt", "same-memo.txt"]
    assert failed == [{"path": str(locked), "error": "could not read the folder: Permission denied"}]


def test_an_import_reports_every_entry_of_the_folder(archive, tree):
    report = archive.import_paths([tree])
    assert len(report.imported) == 1 and len(report.duplicates) == 1
    assert len(report.skipped) == 6
    assert archive.search_ids("root").ids == []
