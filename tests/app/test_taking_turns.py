"""Processes take turns on an archive per write: command-line commands write while a window holds it open, and
the window's searcher sees what they wrote; a write that waits too long says who is busy with what."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import app.archive
from app.archive import Archive
from app.cli import main
from app.errors import ArchiveBusy, ArchiveLocked, DossierError

REPO = Path(__file__).resolve().parents[2]
HOLDER = """
import sys
from app.archive import Archive
archive = Archive.open(sys.argv[1])
with archive.writing(sys.argv[2]):
    print("held", flush=True)
    sys.stdin.readline()
archive.close()
"""


def cli(folder: Path, *argv: str) -> dict | list:
    """Run `dossier` in its own process, as a script beside the app would; its JSON output."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "--archive", str(folder), *argv, "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def holder(imported):
    """Another process holding the archive's write lock (as in a long write) until the test lets it go."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(imported.folder), "merging a bundle"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdout.readline() == "held\n"
    yield process
    if process.poll() is None:
        process.communicate("go\n", timeout=60)


def test_writing_commands_work_while_a_window_has_the_archive_open(imported, tmp_path, corpus):
    window = imported  # open for writing in this process, as the window holds it
    denver = window.search_ids("calamity").ids[0]
    assert cli(window.folder, "edit", str(denver), "--title", "Denver editorial")["title"] == "Denver editorial"
    cli(window.folder, "tag", str(denver), "--jurisdiction", "Denver, CO", "--stance", "sanctuary")
    note = cli(window.folder, "annotate", str(denver), "--quote", "a calamity", "--note", "the mayor's word")
    added = cli(
        window.folder,
        "jurisdiction-add",
        "Denver Public Schools",
        "--level",
        "school district",
        "--parent",
        "Denver, CO",
    )
    new = cli(window.folder, "import", str(corpus / "seed"))["imported"][0]["id"]
    bundle = cli(window.folder, "export", "--all", "--out", str(tmp_path / "all.zip"))
    assert bundle["documents"] == 4 and bundle["annotations"] == 1
    assert not cli(window.folder, "import-bundle", str(tmp_path / "all.zip"))["changed"]
    assert cli(window.folder, "reindex")["indexed"] == 4
    assert cli(window.folder, "check")["ok"]

    # the window's own searcher sees every commit the other processes made, without reopening
    assert window.search_ids('title:"denver editorial"').ids == [denver]
    assert window.search_ids("jurisdiction:colorado stance:sanctuary").ids == [denver]
    assert window.search_ids("note:mayor").ids == [denver]
    assert new in window.search_ids("").ids and window.stats()["documents"] == 4
    assert window.annotation(note["id"]).note == "the mayor's word"
    # and it still writes, with what they added (a custom jurisdiction it had not loaded)
    window.tag(new, added["id"])
    assert window.search_ids("jurisdiction:colorado").total == 2
    assert window.stats()["queued_for_index"] == 0 and window.check().ok


def test_a_write_waits_its_turn_then_says_who_is_busy(imported, holder, monkeypatch):
    imported.write_wait = 0.2
    doc_id = imported.search_ids("calamity").ids[0]
    with pytest.raises(ArchiveBusy, match=rf"busy with merging a bundle in another Dossier \(process {holder.pid} "):
        imported.update_metadata(doc_id, title="Denver editorial")
    monkeypatch.setattr(app.archive, "WRITE_WAIT_S", 0.2)
    assert main(["--archive", str(imported.folder), "tag", str(doc_id), "--jurisdiction", "Denver, CO"]) == 1
    holder.communicate("go\n", timeout=60)
    imported.update_metadata(doc_id, title="Denver editorial")  # its turn came
    assert imported.search_ids('title:"denver editorial"').ids == [doc_id]
    assert imported.tags(doc_id) == []  # the refused command wrote nothing


def test_a_busy_message_names_the_activity_on_the_command_line(imported, holder, monkeypatch, capsys):
    monkeypatch.setattr(app.archive, "WRITE_WAIT_S", 0.2)
    assert main(["--archive", str(imported.folder), "edit", "1", "--title", "x"]) == 1
    err = capsys.readouterr().err
    assert "is busy with merging a bundle in another Dossier" in err and "Try again when it has finished" in err


def test_read_commands_answer_while_another_process_writes(imported, holder, capsys):
    with Archive.open(imported.folder, shared=True) as reader:  # no wait: read-only for this one command
        assert not reader.writable and reader.search_ids("omaha").total == 1
        with pytest.raises(ArchiveLocked, match="open read-only: another Dossier was writing"):
            reader.update_metadata(1, title="x")
    assert main(["--archive", str(imported.folder), "search", "omaha", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1


def test_two_archives_on_one_folder_in_one_process_take_turns(imported, sample_files):
    with Archive.open(imported.folder) as second:
        assert second.writable
        second.tag(1, "Omaha, NE")
        imported.tag(1, "Nebraska")
        assert {t.jurisdiction for t in second.tags(1)} == {t.jurisdiction for t in imported.tags(1)}
        with imported.writing("reindexing"):
            second.write_wait = 0.05
            with pytest.raises(ArchiveBusy, match="busy with reindexing"):
                second.tag(1, "United States")


@pytest.mark.skipif(not shutil.which("unshare"), reason="needs unshare to mount a folder read-only")
def test_an_archive_on_a_read_only_disk_opens_read_only(imported, tmp_path):
    imported.close()
    folder = imported.folder
    script = (
        f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder} && "
        f"{sys.executable} -m app.cli --archive {folder} search omaha --json && "
        f"{sys.executable} -m app.cli --archive {folder} tag 1 --jurisdiction 'Omaha, NE'"
    )
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a mount namespace here: {probe.stderr.decode().strip()}")
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert json.loads(done.stdout)["total"] == 1  # searching works
    assert done.returncode == 1  # tagging is refused, with why
    assert "open read-only: the folder" in done.stderr and "cannot be written" in done.stderr


def test_an_archive_awaiting_an_upgrade_opened_while_another_writes_says_to_try_again(imported, holder, monkeypatch):
    from app.store import migrations

    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, lambda conn: None])  # this Dossier is newer
    monkeypatch.setattr(migrations, "LATEST", len(migrations.STEPS))
    with pytest.raises(DossierError) as refused:
        Archive.open(imported.folder, shared=True)
    assert str(refused.value) == (
        f"The archive {imported.folder} was made by an older Dossier and needs an upgrade, which is done by a "
        "Dossier that opens it for writing: try again in a moment."
    )


def test_an_archive_of_a_newer_dossier_opened_while_another_writes_says_to_update(imported, holder, monkeypatch):
    from app.store import migrations

    monkeypatch.setattr(migrations, "LATEST", migrations.LATEST - 1)  # this Dossier is older
    with pytest.raises(DossierError, match=r"written by a newer Dossier .* Update Dossier to open it"):
        Archive.open(imported.folder, shared=True)
