"""The `dossier` command line contract: JSON shapes and exit codes."""

import json
import os
import subprocess
import sys

import pytest

from app.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_json_and_exit_code_for_failures(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    code, out, _ = run(capsys, "--archive", archive, "import", str(sample_files), "--json")
    report = json.loads(out)
    assert code == 3  # empty.txt failed
    assert set(report) == {"imported", "duplicates", "skipped", "failed"}
    assert {"path", "id", "title", "kind"} <= set(report["imported"][0])
    assert set(report["duplicates"][0]) == {"path", "id"}
    assert set(report["skipped"][0]) == {"path", "reason"}
    assert set(report["failed"][0]) == {"path", "error"}

    code, out, _ = run(capsys, "import", str(sample_files / "omaha.txt"), "--archive", archive)
    assert code == 0
    assert out.startswith("0 imported, 1 duplicate, 0 skipped, 0 failed")


def test_search_show_stats_check_reindex(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(sample_files / "omaha.txt"), str(sample_files / "denver.md"))

    code, out, _ = run(capsys, "--archive", archive, "search", "omaha police", "--json")
    result = json.loads(out)
    assert code == 0 and result["query"] == "omaha police" and result["total"] == 1
    hit = result["hits"][0]
    assert {"id", "title", "kind", "score", "snippet"} <= set(hit)
    assert "<mark>Omaha</mark>" in hit["snippet"]
    assert result["facets"]["kind"] == {"text": 1}

    code, out, _ = run(capsys, "--archive", archive, "show", str(hit["id"]), "--text", "--json")
    shown = json.loads(out)
    assert code == 0
    assert {"id", "title", "kind", "sha256", "source_path", "pages", "text"} <= set(shown)
    assert shown["text"].startswith("Omaha police will not join raids\n\nThe Omaha Police Department")

    code, out, _ = run(capsys, "--archive", archive, "show", str(hit["id"]), "--text")
    assert out.endswith(shown["text"] + "\n")

    assert json.loads(run(capsys, "--archive", archive, "stats", "--json")[1])["documents"] == 2
    assert json.loads(run(capsys, "--archive", archive, "reindex", "--json")[1]) == {"indexed": 2}
    code, out, _ = run(capsys, "--archive", archive, "check", "--json")
    assert code == 0 and json.loads(out)["ok"] is True

    code, out, _ = run(capsys, "--archive", archive, "search", "date", "--sort", "date")
    assert code == 0 and "documents match" in out


def test_user_errors_exit_1_with_a_message(capsys, tmp_path):
    archive = str(tmp_path / "a")
    code, _, err = run(capsys, "--archive", archive, "show", "42")
    assert code == 1 and "no document 42" in err
    code, out, err = run(capsys, "--archive", archive, "search", "p*", "--json")
    assert code == 1 and "at least 2 letters" in err and "error" in json.loads(out)
    assert "dossier search --help" in err


def test_search_warns_about_what_it_left_out(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(sample_files))
    code, out, err = run(capsys, "--archive", archive, "search", "omaha date:2025-13")
    assert code == 0 and "1 document matches" in out
    assert "warning: “date:2025-13” was left out: month 13 does not exist." in err
    code, out, _ = run(capsys, "--archive", archive, "search", "omaha title:", "--json")
    assert json.loads(out)["warnings"] == ["“title:” has nothing after it, so it was left out: write title:word."]


def test_bad_usage_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["search"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2


def test_console_script_uses_the_environment_archive(tmp_path, sample_files):
    env = {**os.environ, "DOSSIER_ARCHIVE": str(tmp_path / "env-archive")}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "import", str(sample_files / "denver.md"), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["imported"][0]["title"] == "Denver calls the crackdown a calamity"
    assert (tmp_path / "env-archive" / "dossier.sqlite3").exists()


def test_real_corpus_import_accounts_for_every_file_and_reimport_adds_nothing(capsys, tmp_path, corpus):
    archive = str(tmp_path / "a")
    folders = [str(corpus / "seed"), str(corpus / "office" / "docx"), str(corpus / "html" / "encodings")]
    code, out, _ = run(capsys, "--archive", archive, "import", *folders, "--json")
    report = json.loads(out)
    files = [p for folder in folders for p in __import__("pathlib").Path(folder).rglob("*") if p.is_file()]
    assert sum(len(group) for group in report.values()) == len(files)
    assert code in (0, 3)
    code, out, _ = run(capsys, "--archive", archive, "import", *folders, "--json")
    again = json.loads(out)
    assert again["imported"] == []
    assert len(again["duplicates"]) == len(report["imported"]) + len(report["duplicates"])


def test_edit_and_cite(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(sample_files / "omaha.txt"))
    code, out, _ = run(capsys, "--archive", archive, "edit", "1", "--title", "Omaha chief", "--date", "2025-01-27")
    assert code == 0 and out.startswith("#1  Omaha chief  [2025-01-27, no source]")
    code, out, _ = run(capsys, "--archive", archive, "edit", "1", "--source", "KETV", "--date", "", "--json")
    assert json.loads(out)["published"] is None and json.loads(out)["site"] == "KETV"
    code, out, _ = run(capsys, "--archive", archive, "cite", "1")
    assert out.startswith("“Omaha chief”, KETV, undated. [omaha.txt, sha256 ")
    assert run(capsys, "--archive", archive, "edit", "1")[0] == 2
    with pytest.raises(SystemExit) as bad:
        main(["--archive", archive, "edit", "1", "--date", "soon"])
    assert bad.value.code == 2 and "is not a date" in capsys.readouterr().err
    assert run(capsys, "--archive", archive, "edit", "9", "--title", "x")[0] == 1


def test_suggest_tag_jurisdictions_and_stances(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(sample_files / "omaha.txt"))
    code, out, _ = run(capsys, "--archive", archive, "suggest", "1", "--json")
    found = json.loads(out)
    assert code == 0 and set(found) == {"jurisdictions", "stances"}
    omaha = next(j for j in found["jurisdictions"] if j["name"] == "Omaha, NE")
    assert set(omaha) == {"id", "name", "level", "score", "evidence"} and omaha["level"] == "city"
    assert set(omaha["evidence"][0]) == {"start", "end", "quote", "field"}
    assert {"jurisdiction", "stance", "score", "evidence"} <= set(found["stances"][0])

    code, out, _ = run(capsys, "--archive", archive, "tag", "1", "--jurisdiction", "Omaha, NE", "--stance", "sanctuary")
    assert code == 0 and out.startswith("#1 tagged Omaha, NE: sanctuary")
    code, out, _ = run(
        capsys, "--archive", archive, "tag", "1", "--jurisdiction", omaha["id"], "--start", "0", "--end", "5"
    )
    assert code == 0 and "on “Omaha”" in out
    code, out, _ = run(capsys, "--archive", archive, "jurisdictions", "--json")
    (root,) = json.loads(out)
    assert (root["name"], root["documents"]) == ("United States (federal)", 1)
    assert root["children"][0]["name"] == "Nebraska" and root["children"][0]["children"][0]["name"] == "Omaha, NE"
    code, out, _ = run(capsys, "--archive", archive, "jurisdictions")
    assert out.splitlines()[:3] == ["United States (federal)  (1)", "  Nebraska  (1)", "    Omaha, NE  (1)"]
    code, out, _ = run(capsys, "--archive", archive, "stances", "--json")
    stances = json.loads(out)[0]["stances"]
    assert [s["id"] for s in stances] == [
        "sanctuary", "refuses-raids", "denies-access", "opposes", "neutral", "cooperates", "anti-sanctuary",
        "threatens-enforcement",
    ]  # fmt: skip
    assert stances[0]["documents"] == 1
    code, out, _ = run(capsys, "--archive", archive, "tag", "1", "--jurisdiction", "Omaha, NE", "--remove", "--json")
    assert json.loads(out) == {"removed": 2}
    code, _, err = run(capsys, "--archive", archive, "tag", "1", "--jurisdiction", "Springfield")
    assert code == 1 and "could be several places" in err
    code, out, _ = run(
        capsys,
        "--archive",
        archive,
        "jurisdiction-add",
        "Omaha Police Department",
        "--level",
        "police department",
        "--parent",
        "Omaha, NE",
        "--json",
    )
    added = json.loads(out)
    assert added["id"] == omaha["id"] + "/police_department:omaha_police_department"
    code, out, _ = run(capsys, "--archive", archive, "tag", "1", "--jurisdiction", "Omaha Police Department")
    assert code == 0 and "tagged Omaha Police Department, NE" in out


def test_stance_vocabularies_and_rules_are_editable(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    code, out, _ = run(capsys, "--archive", archive, "stance-set-add", "budget", "--topic", "City budget 2026")
    assert code == 0 and out.startswith("added budget")
    code, out, _ = run(
        capsys,
        "--archive",
        archive,
        "stance-edit",
        "budget/cuts-police",
        "--label",
        "Cuts police",
        "--colour",
        "#aa0000",
        "--rule",
        "phrase: cut the police budget",
        "--rule",
        "any: defund",
    )
    assert code == 0 and out.startswith("budget/cuts-police: Cuts police (2 rules)")
    code, _, err = run(capsys, "--archive", archive, "stance-edit", "budget/cuts-police", "--rule", "regex: (")
    assert code == 1 and "not valid" in err
    code, _, err = run(capsys, "--archive", archive, "stance-edit", "budget/cuts-police", "--colour", "red")
    assert code == 1 and "#RRGGBB" in err
    code, out, _ = run(capsys, "--archive", archive, "stances", "--json")
    budget = next(s for s in json.loads(out) if s["id"] == "budget")
    assert budget["stances"][0]["rules"] == [
        {"kind": "phrase", "pattern": "cut the police budget"},
        {"kind": "any", "pattern": "defund"},
    ]


def test_annotate_list_and_delete(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(sample_files / "omaha.txt"))
    code, out, _ = run(
        capsys,
        "--archive",
        archive,
        "annotate",
        "1",
        "--quote",
        "Omaha",
        "--occurrence",
        "2",
        "--note",
        "the department",
        "--tag",
        "police",
        "--jurisdiction",
        "Omaha, NE",
        "--stance",
        "sanctuary",
        "--json",
    )
    made = json.loads(out)
    assert code == 0 and made["type"] == "Annotation" and made["target"]["selector"][1]["start"] > 5
    code, out, _ = run(capsys, "--archive", archive, "annotations", "1", "--json")
    (listed,) = json.loads(out)
    assert listed["id"] == made["id"] and listed["target"]["source"].startswith("urn:sha256:")
    quote = listed["target"]["selector"][0]
    assert quote["exact"] == "Omaha" and set(quote) == {"type", "exact", "prefix", "suffix"}
    code, _, err = run(capsys, "--archive", archive, "annotate", "1", "--quote", "Omaha", "--occurrence", "9")
    assert code == 1 and "occurs" in err
    uuid = made["id"].removeprefix("urn:uuid:")
    code, out, _ = run(capsys, "--archive", archive, "annotation-delete", uuid)
    assert code == 0 and "trash" in out
    code, out, _ = run(capsys, "--archive", archive, "annotations", "--trash", "--json")
    assert [a["id"] for a in json.loads(out)] == [made["id"]]
    code, out, _ = run(capsys, "--archive", archive, "annotation-restore", uuid)
    assert code == 0
    code, out, _ = run(capsys, "--archive", archive, "reextract", "--json")
    assert code == 0 and json.loads(out)["changed"] == 0
    code, out, _ = run(
        capsys,
        "--archive",
        archive,
        "annotation-edit",
        uuid,
        "--note",
        "chief's words",
        "--colour",
        "pink",
        "--no-tags",
    )
    assert code == 0 and "revision 4" in out  # created, trashed, restored, edited
    code, out, _ = run(capsys, "--archive", archive, "annotation-edit", uuid, "--jurisdiction", "", "--json")
    edited = json.loads(out)
    assert (edited["note"], edited["colour"], edited["tags"]) == ("chief's words", "pink", [])
    assert edited["jurisdiction"] is None and edited["stance"] is None and len(edited["history"]) == 4
    code, _, err = run(capsys, "--archive", archive, "annotation-edit", uuid)
    assert code == 1 and "Nothing to change" in err
    args = ("annotation-edit", uuid, "--jurisdiction", "Omaha, NE", "--stance", "sanctuary")
    assert run(capsys, "--archive", archive, *args)[0] == 0
    args = ("annotation-edit", uuid, "--jurisdiction", "", "--stance", "opposes")
    code, _, err = run(capsys, "--archive", archive, *args)
    assert code == 1 and "always about a jurisdiction" in err
    run(capsys, "--archive", archive, "annotation-delete", uuid)
    code, out, _ = run(capsys, "--archive", archive, "empty-trash", "--json")
    assert code == 0 and json.loads(out) == {"purged": 1}
    code, out, _ = run(capsys, "--archive", archive, "annotations", "--trash", "--json")
    assert json.loads(out) == []


def test_export_leaves_private_notes_out_unless_asked_and_never_overwrites_silently(capsys, tmp_path, sample_files):
    import zipfile

    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(sample_files / "omaha.txt"))
    run(capsys, "--archive", archive, "annotate", "1", "--quote", "the chief said", "--note", "my cousin", "--private")
    out = tmp_path / "b.zip"
    code, text, _ = run(capsys, "--archive", archive, "export", "--all", "--out", str(out))
    assert code == 0 and "1 private note left out" in text and "dossier config sign-as NAME" in text
    assert b"my cousin" not in zipfile.ZipFile(out).read("dossier-bundle/data/annotations.jsonld")
    assert "Dossier-Private-Notes-Left-Out: 1" in zipfile.ZipFile(out).read("dossier-bundle/bag-info.txt").decode()

    code, _, err = run(capsys, "--archive", archive, "export", "--all", "--out", str(out), "--include-private-notes")
    assert code == 1 and "already exists" in err and "--force" in err
    code, out_json, _ = run(capsys, "--archive", archive, "export", "--all", "--out", str(out),
                            "--include-private-notes", "--force", "--json")  # fmt: skip
    assert code == 0 and json.loads(out_json)["private_notes_left_out"] == 0
    assert b"my cousin" in zipfile.ZipFile(out).read("dossier-bundle/data/annotations.jsonld")

    code, _, err = run(capsys, "--archive", archive, "export", "--all", "--out", str(out), "--force",
                       "--no-private-notes")  # fmt: skip
    assert code == 0 and "no longer needed" in err
    code, _, err = run(capsys, "--archive", archive, "export", "--query", "zanzibar", "--out", str(tmp_path / "z.zip"))
    assert code == 1 and "No document matches 'zanzibar'" in err and not (tmp_path / "z.zip").exists()


def test_config_sign_as_names_the_exporter(capsys, tmp_path, sample_files):
    import zipfile

    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(sample_files / "omaha.txt"))
    code, out, _ = run(capsys, "config", "--json")
    assert code == 0 and json.loads(out) == {"sign-as": None}
    code, out, _ = run(capsys, "config", "sign-as", "Jane Doe")
    assert code == 0 and out.strip() == "sign-as: Jane Doe"
    code, text, _ = run(capsys, "--archive", archive, "export", "--all", "--out", str(tmp_path / "b.zip"))
    assert code == 0 and "signed as Jane Doe" in text
    assert "Contact-Name: Jane Doe" in zipfile.ZipFile(tmp_path / "b.zip").read("dossier-bundle/bag-info.txt").decode()
    code, out, _ = run(capsys, "config", "sign-as", "")
    assert code == 0 and "none (bundles are unsigned)" in out
    code, _, err = run(capsys, "config", "sign-as", "two\nlines")
    assert code == 1 and "one line" in err


def test_annotations_say_which_are_private(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(sample_files / "omaha.txt"))
    run(capsys, "--archive", archive, "annotate", "1", "--quote", "the chief said", "--note", "mine", "--private")
    run(capsys, "--archive", archive, "annotate", "1", "--start", "0", "--end", "5", "--note", "shared")
    _, out, _ = run(capsys, "--archive", archive, "annotations", "1")
    lines = {line for line in out.splitlines() if "[yellow]" in line}
    assert sum("[private]" in line for line in lines) == 1
    _, out, _ = run(capsys, "--archive", archive, "annotations", "1", "--json")
    assert sorted(item.get("dossier:private", False) for item in json.loads(out)) == [False, True]


def test_a_tampered_bundle_names_the_changed_file_and_shows_checksums_only_when_asked(capsys, tmp_path, corpus):
    from tests.app.bundle_fixtures import flip_a_byte

    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(corpus / "seed"))
    run(capsys, "--archive", archive, "export", "--all", "--out", str(tmp_path / "good.zip"))
    bad = str(flip_a_byte(tmp_path / "good.zip", tmp_path / "bad.zip", "data/annotations.jsonld"))
    for command in ("verify-bundle", "import-bundle"):
        code, _, err = run(capsys, "--archive", str(tmp_path / "b"), command, bad)
        assert code == 1 and err == (
            "dossier: This bundle was damaged or changed after export: annotations.jsonld (the annotations) was "
            "changed. Ask the sender to export it again.\n(--verbose shows the checksums)\n"
        )
        code, _, err = run(capsys, "--archive", str(tmp_path / "b"), command, bad, "--verbose")
        assert code == 1 and 'data/annotations.jsonld sha256 validation failed: expected="' in err
    code, out, _ = run(capsys, "--archive", str(tmp_path / "b"), "verify-bundle", bad, "--json")
    assert json.loads(out)["details"].startswith("data/annotations.jsonld sha256 validation failed")


def test_the_command_line_adds_its_hint_to_a_message_the_window_shows_plain(capsys, tmp_path, sample_files):
    archive = str(tmp_path / "a")
    run(capsys, "--archive", archive, "import", str(sample_files / "omaha.txt"))
    code, _, err = run(
        capsys, "--archive", archive, "annotate", "1", "--quote", "the chief said", "--stance", "sanctuary"
    )
    assert code == 1 and err == (
        "dossier: A stance is always about a jurisdiction: choose the jurisdiction too. "
        "Give it with --jurisdiction J.\n"
    )
    code, out, _ = run(capsys, "--archive", archive, "tag", "1", "--jurisdiction", "Xyzzyville", "--json")
    assert code == 1 and json.loads(out)["error"].endswith(
        "`dossier jurisdictions` lists the ids of those tagged so far."
    )
