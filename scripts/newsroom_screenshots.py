"""Shoot the newsroom screenshots (issue 17): ``python scripts/newsroom_screenshots.py [--out DIR]``.

Starts a throw-away PostgreSQL cluster (tests/server/pg.py, Debian's postgresql), imports BBC stories from the
shared corpus into two archives, syncs them through the server, then renders the main window offscreen
(1400x900): ``server-search.png``, laptop B's search box in Newsroom scope with server hits (two already pulled),
and ``sync-progress.png``, File > Sync's progress strip while B receives A's stories. Needs the corpus beside
the clone (or ``$DOSSIER_CORPUS``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUERY = "oil prices opec"
SIZE = (1400, 900)


def wait(app, done, timeout_s: float = 120) -> None:
    """Run the event loop until ``done()``."""
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    deadline = QDeadlineTimer(int(timeout_s * 1000))
    while not done():
        if deadline.hasExpired():
            sys.exit("the window did not get there in time; no screenshot saved")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def save(window, path: Path) -> None:
    if not window.grab().save(str(path)):
        sys.exit(f"could not write {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("DOSSIER_CORPUS", ROOT.parent / "shared" / "corpus"))
    )
    args = parser.parse_args()
    bbc = args.corpus / "text" / "bbc"
    if not bbc.is_dir():
        sys.exit(f"the corpus's BBC stories are not at {bbc}")
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["DOSSIER_SYNC_BATCH"] = "25"  # small batches: the progress strip moves while it is shot
    from tests.server import pg

    cluster = pg.start()
    try:
        with tempfile.TemporaryDirectory(prefix="dossier-newsroom-shots-") as folder:
            shoot(cluster, bbc, Path(folder), args.out)
    finally:
        cluster.stop()


def shoot(cluster, bbc: Path, scratch: Path, out: Path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.archive import Archive
    from app.cli import main as cli
    from ui.main_window import MainWindow

    urls = cluster.newsroom("city-desk", ["alice", "bob"], scratch, cli)

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Dossier")
    QApplication.styleHints().setCursorFlashTime(0)
    with Archive.open(scratch / "laptop-a") as a, Archive.open(scratch / "laptop-b") as b:
        b.import_paths(sorted((bbc / "entertainment").glob("*.txt"))[:30])
        b.sync(urls["bob"], "city-desk")  # B has a server now; A's stories come later
        a.import_paths(sorted((bbc / "business").glob("*.txt")) + sorted((bbc / "politics").glob("*.txt"))[:150])
        a.sync(urls["alice"], "city-desk")
        hits = b.server_search(QUERY, limit=10)
        b.pull_from_server([hits[1]["sha256"], hits[3]["sha256"]])  # two of them are here already

        window = MainWindow(b, QSettings(str(scratch / "ui.ini"), QSettings.Format.IniFormat), remember=False)
        window.resize(*SIZE)
        window.show()
        scope = window.newsroom
        shown = []
        scope.searched.connect(lambda found: shown.append(len(found)))
        scope.set_scope(scope.scopes[0])
        window.search_field.setText(QUERY)
        wait(app, lambda: shown and shown[-1] > 0 and not scope.search.busy())
        scope.page.list.setFocus()
        scope.page.list.setCurrentIndex(scope.page.model.index(1))  # a pulled one: it opens beside the hits
        wait(app, lambda: window.viewer.doc is not None and not any(r.busy() for r in window.runners()))
        app.processEvents()
        save(window, out / "server-search.png")
        print(f"server search: {shown[-1]} hits, {scope.search.latencies[-1]:.0f} ms in the window")

        scope.set_scope(None)
        window.search_field.setText("")
        wait(app, lambda: not window.controller.busy())
        caught = []

        def mid_sync(phase: str, done: int, total: int) -> None:
            if phase == "pull" and not caught and total >= 200 and 100 <= done < total:
                app.processEvents()
                save(window, out / "sync-progress.png")
                caught.append((done, total, window.sync_flow.progress.label.text()))

        window.sync_flow.controller.progressed.connect(mid_sync)
        finished = []
        window.sync_flow.controller.finished.connect(finished.append)
        window.sync_flow.start(urls["bob"], "city-desk")
        wait(app, lambda: bool(finished), timeout_s=900)
        if not caught:
            sys.exit("the sync ended before its progress could be shot")
        print(f"sync progress shot at {caught[0][0]} of {caught[0][1]}: {caught[0][2]!r}")
        window.shutdown()
        window.deleteLater()
        app.processEvents()


if __name__ == "__main__":
    main()
