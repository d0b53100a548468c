"""Offline stays the default: with no newsroom server set up, nothing loads the PostgreSQL driver and no
network connection is made; a sync says how to set one up."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import json, sys
events = []
sys.addaudithook(lambda event, args: events.append(repr(args[1])) if event == "socket.connect" else None)
from app.archive import Archive
from app.errors import DossierError
with Archive.open(sys.argv[1]) as archive:
    archive.import_paths([sys.argv[2]])
    archive.search("omaha")
    try:
        archive.sync()
        message = ""
    except DossierError as exc:
        message = str(exc)
    states = archive.sync_states()
print(json.dumps({"connects": events, "psycopg": "psycopg" in sys.modules, "message": message,
                  "states": len(states)}))
"""


def test_no_server_set_up_means_no_driver_and_no_connection(tmp_path, sample_files):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "archive"), str(sample_files)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["connects"] == [] and found["psycopg"] is False and found["states"] == 0
    assert "No newsroom server is set up" in found["message"]
