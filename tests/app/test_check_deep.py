"""`check --deep`: a stored text that is not what its original holds is found and named; plain `check`
does not extract anything."""

from __future__ import annotations

import json
import sqlite3

from app.archive import DB_NAME, Archive
from app.cli import main


def _alter_stored_text(archive_dir, doc_id: int, change) -> None:
    """Edit the stored text in the database file itself, as a hand (or a tool) outside Dossier would."""
    with sqlite3.connect(archive_dir / DB_NAME) as conn:
        (text,) = conn.execute("SELECT text FROM document_text WHERE doc_id = ?", (doc_id,)).fetchone()
        conn.execute("UPDATE document_text SET text = ? WHERE doc_id = ?", (change(text), doc_id))


def test_deep_check_names_the_document_whose_stored_text_differs(archive_dir, sample_files, capsys):
    with Archive.open(archive_dir) as archive:
        report = archive.import_paths([sample_files])
        ids = {entry["title"]: entry["id"] for entry in report.imported}
        omaha = ids["Omaha police will not join raids"]
        original = archive.text(omaha)
        assert archive.check(deep=True).texts_differ == []
    _alter_stored_text(archive_dir, omaha, lambda text: text.replace("does not intend", "fully intends"))

    with Archive.open(archive_dir) as archive:
        assert archive.check().ok  # the plain check compares no text
        found = archive.check(deep=True)
    at = original.index("does not intend")
    assert not found.ok and found.texts_unchecked == []
    (entry,) = found.texts_differ
    assert entry["id"] == omaha and entry["title"] == "Omaha police will not join raids"
    assert entry["first_difference"] == at
    assert entry["stored_chars"] == len(original) - 2 and entry["original_chars"] == len(original)
    assert "fully intends" in entry["stored"] and "does not intend" in entry["original"]

    code = main(["--archive", str(archive_dir), "check", "--deep"])
    out = capsys.readouterr().out
    assert code == 1
    assert f"TEXT DIFFERS from its original: document {omaha} “Omaha police will not join raids”" in out
    assert f"dossier reextract {omaha}" in out
    code = main(["--archive", str(archive_dir), "check", "--deep", "--json"])
    assert json.loads(capsys.readouterr().out)["texts_differ"][0]["id"] == omaha

    with Archive.open(archive_dir) as archive:  # what the message advises settles it
        archive.reextract([omaha])
        assert archive.check(deep=True).ok
