"""Screenshots of File > Sync's progress and of the newsroom server search (docs/screenshots/), from a
throw-away PostgreSQL cluster (tests/server/pg.py) and two archives of the shared corpus' BBC texts.

Usage: ``QT_QPA_PLATFORM=offscreen python scripts/newsroom_screenshots.py [--out docs/screenshots]``"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.archive import Archive
from app.cli import main as cli
from tests.conftest import corpus_root
from tests.server import pg
from ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    cluster = pg.start()
    work = Path(tempfile.mkdtemp(prefix="dossier-shots-"))
    try:
        db = cluster.new_database()
        admin = cluster.url(db=db)
        pgpass = work / "pgpass"
        pgpass.write_text("")
        pgpass.chmod(0o600)
        os.environ["PGPASSFILE"] = str(pgpass)
        cli(["server", "init", admin])
        cli(["server", "project-add", admin, "city-desk"])
        urls = {}
        for person in ("alice", "bob"):
            role = cluster.new_role(person)
            with pgpass.open("a") as f:
                f.write(f"{cluster.socket_dir}:{cluster.port}:*:{role}:{pg.PASSWORD_OF.format(role)}\n")
            cli(["server", "member-add", admin, "city-desk", role])
            urls[person] = cluster.url(role, db)
        bbc = corpus_root() / "text" / "bbc"
        with Archive.open(work / "a") as a:
            a.import_paths([bbc / "business"])
            a.sync(urls["alice"], "city-desk")
        with Archive.open(work / "b") as b:
            b.import_paths([bbc / "politics" / f"{n:03d}.txt" for n in range(1, 40)])
            window = MainWindow(b, QSettings(str(work / "ui.ini"), QSettings.Format.IniFormat), remember=False)
            window.resize(1400, 900)
            window.show()
            app.processEvents()
            dialog = window.sync_flow.search_server(urls["bob"], "city-desk")  # before the sync: all on the server
            dialog.query.setText("oil prices -opec")
            done = []
            dialog.searched.connect(done.append)
            dialog.search()
            while not done:
                app.processEvents()
            dialog.grab().save(str(args.out / "server-search.png"))
            print("saved", args.out / "server-search.png")
            shots = []

            def progressed(phase: str, done: int, total: int) -> None:
                if phase == "pull" and not shots:
                    app.processEvents()
                    shots.append(window.grab())

            window.sync_flow.controller.progressed.connect(progressed)
            finished = []
            window.sync_flow.controller.finished.connect(finished.append)
            window.sync_flow.controller.failed.connect(lambda m: (print(m), finished.append(m)))
            os.environ["DOSSIER_SYNC_BATCH"] = "50"
            window.sync_flow.start(urls["bob"], "city-desk")
            while not finished:
                app.processEvents()
            if shots:
                shots[0].save(str(args.out / "sync-progress.png"))
                print("saved", args.out / "sync-progress.png")
            dialog.close()
            window.shutdown()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
