"""Searching a project on the server without pulling it, and pulling a hit with its annotations."""

from __future__ import annotations

import pytest

from app.archive import Archive
from app.cli import main

pytestmark = pytest.mark.server


def test_server_search_ranks_with_snippets_and_a_hit_pulls_with_its_tags_and_notes(newsroom, laptops, tmp_path, capsys):
    a, _b = laptops
    a.sync(newsroom.url("alice"), "desk")
    with Archive.open(tmp_path / "reader") as reader:
        hits = reader.server_search("timewarner profits", newsroom.url("bob"), "desk")
        assert [h["title"] for h in hits] == ["Ad sales boost Time Warner profit"]
        assert "<<TimeWarner>>" in hits[0]["snippet"] and hits[0]["local_id"] is None
        phrase = reader.server_search('"media giant" -cinema', newsroom.url("bob"), "desk")  # websearch syntax
        assert [h["sha256"] for h in phrase] == [hits[0]["sha256"]]
        assert reader.server_search("zyxwvut", newsroom.url("bob"), "desk") == []
        pulled = reader.pull_from_server([hits[0]["sha256"]], newsroom.url("bob"), "desk")
        assert pulled.pulled_documents == 1 and pulled.pulled_tags == 2 and pulled.pulled_annotations == 2
        (doc_id,) = reader.documents.ids()
        assert {x.note for x in reader.annotations(doc_id)} == {"check the quarter", ""}
        assert reader.search_ids("note:quarter").ids == [doc_id]
        assert reader.server_search("timewarner", newsroom.url("bob"), "desk")[0]["local_id"] == doc_id
        folder = reader.folder
    code = main(["search", "--archive", str(folder), "--server", "--server-url", newsroom.url("bob"),
                 "--project", "desk", "quarterly profits"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "1 document on the server matches 'quarterly profits'" in out and "[profits]" in out
