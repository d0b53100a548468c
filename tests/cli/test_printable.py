"""Names and titles from files never rewrite the terminal or crash the output; raw bytes are refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from app.printable import json_safe, printable
from tests.cli.test_cli import run

ESC = "\x1b"


@pytest.fixture
def odd_names(tmp_path):
    """A folder whose file names are not UTF-8 or hold a terminal escape, and a text whose title does."""
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / os.fsdecode(b"bad\xff.txt")).write_text("The mayor spoke about the budget.")
    (folder / f"ansi{ESC}[31mred.txt").write_text("Council met on Tuesday.")
    (folder / "title.txt").write_text(f"Clerk{ESC}[2J{ESC}]0;pwned\x07 report\nThe clerk filed it.")
    return folder


def test_an_odd_file_name_is_imported_and_shown_readably(capsys, tmp_path, odd_names):
    archive = str(tmp_path / "a")
    code, out, err = run(capsys, "--archive", archive, "import", str(odd_names))
    assert code == 0 and out.startswith("3 imported"), err
    assert "bad\\xff.txt" in out and "ansi\\x1b[31mred.txt" in out
    assert ESC not in out and "\udcff" not in out
    code, out, _ = run(capsys, "--archive", archive, "search", "", "--json")
    titles = {hit["title"] for hit in json.loads(out)["hits"]}
    assert any(t.startswith("Clerk") for t in titles) and not any(ESC in t or "\x07" in t for t in titles)
    code, out, _ = run(capsys, "--archive", archive, "search", "mayor")
    assert code == 0 and ESC not in out.replace("\x1b[1m", "").replace("\x1b[0m", "")


def test_a_title_with_escapes_is_shown_escaped_by_every_command(capsys, tmp_path, odd_names):
    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(odd_names / "title.txt"))
    for argv in (["search", "clerk"], ["show", "1"], ["cite", "1"], ["annotations"]):
        code, out, err = run(capsys, "--archive", archive, *argv)
        assert code == 0 and ESC not in out + err and "\x07" not in out, argv


def test_an_argument_that_is_not_text_is_refused_before_it_is_stored(tmp_path, sample_files):
    archive = tmp_path / "a"
    cli = [sys.executable, "-m", "app.cli", "--archive", str(archive)]
    subprocess.run([*cli, "import", str(sample_files / "omaha.txt")], check=True, capture_output=True)
    done = subprocess.run([*cli, "edit", "1", "--title", b"x\xffy"], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "The value of --title is not valid text" in done.stderr
    done = subprocess.run([*cli, "search", b"\xff\xfe"], capture_output=True, text=True)
    assert done.returncode == 1 and "The query is not valid text" in done.stderr
    done = subprocess.run([*cli, "show", "1", "--json"], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout)["title"] != "x\udcffy"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain “quoted” ünïcode\tand\nlines", "plain “quoted” ünïcode\tand\nlines"),
        (f"{ESC}[31mred", "\\x1b[31mred"),
        ("nul\x00bell\x07del\x7fcsi\x9b", "nul\\x00bell\\x07del\\x7fcsi\\x9b"),
        ("right-to-left \u202eoverride", "right-to-left \\u202eoverride"),
        (os.fsdecode(b"bad\xff"), "bad\\xff"),
    ],
)
def test_printable(text, shown):
    assert printable(text) == shown


def test_json_stays_valid_and_lossless():
    name = os.fsdecode(b"bad\xff") + ESC
    encoded = json_safe(json.dumps({"name": name}, ensure_ascii=False))
    assert ESC not in encoded and "\udcff" not in encoded
    assert json.loads(encoded)["name"] == name
