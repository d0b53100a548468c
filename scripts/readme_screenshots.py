"""Regenerate the README's screenshots from the shared corpus: ``python scripts/readme_screenshots.py [--out DIR]``.

Builds a demo archive in a temporary folder (the seed article, the 287(g) agreements with OCR of one scan, an
Outlook message with attachments) and annotates three passages; shoots the seed's suggestions, then accepts them
(80 % on the seed, 70 % on the agreements) and renders each view with ``dossier-gui --screenshot`` (offscreen,
1400x900), and the stance map, one state's places and the timeline with ``dossier map`` / ``dossier timeline``
(the drawings the window shows). Needs the corpus beside the clone (or ``$DOSSIER_CORPUS``) and Tesseract.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WELLS = "topic/287g/pdf/MAINE__Wells_Police_Department__WellsPDME_TFM_MOA_040225.pdf"
MESSAGE = "office/msg/tika/testMSG_att_msg.msg"
NOTES = (  # (quote in the seed article, note, colour, jurisdiction)
    ("does not intend to participate in any raids", "The chief, on video: no raids", "yellow", "Omaha, NE"),
    ("describing the federal immigration crackdown as", "Denver's own site: strongest language", "pink", "Denver, CO"),
    ("will play no role in roundups", "", "green", ""),
)


def dossier(archive: Path, *args: str) -> str:
    """Run the CLI on the demo archive; its output."""
    run = subprocess.run([BIN / "dossier", "--archive", str(archive), *args], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"dossier {' '.join(args)} failed: {run.stderr.strip()}")
    return run.stdout


def doc_id(archive: Path, query: str) -> str:
    """The id of the first document ``query`` finds."""
    line = next(line for line in dossier(archive, "search", query, "--limit", "1").splitlines() if line.startswith("#"))
    return line.split()[0].lstrip("#")


def shoot(archive: Path, out: Path, query: str, open_id: str, tab: str = "text") -> None:
    """One screenshot, offscreen."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [BIN / "dossier-gui", "--archive", str(archive), "--query", query, "--open", open_id, "--tab", tab]
    subprocess.run([*command, "--screenshot", str(out)], check=True, env=env)


def build(archive: Path, corpus: Path) -> dict[str, str]:
    """The demo archive; the ids of the documents shown."""
    dossier(archive, "import", str(corpus / "seed"), str(corpus / "topic/287g/pdf"), str(corpus / MESSAGE), "--no-ocr")
    wells = doc_id(archive, '"Wells Police"')
    dossier(archive, "ocr", wells)
    seed = doc_id(archive, "crackdown")
    for quote, note, colour, place in NOTES:
        extra = ["--note", note] if note else []
        extra += ["--jurisdiction", place] if place else []
        dossier(archive, "annotate", seed, "--quote", quote, "--colour", colour, *extra)
    return {
        "seed": seed,
        "wells": wells,
        "arcadia": doc_id(archive, '"Arcadia Police"'),
        "message": doc_id(archive, "smbprn"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("DOSSIER_CORPUS", ROOT.parent / "shared" / "corpus"))
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dossier-shots-") as folder:
        archive = Path(folder) / "archive"
        ids = build(archive, args.corpus)
        shoot(archive, args.out / "tags.png", "", ids["seed"], "tags")  # its suggestions, before they are accepted
        dossier(archive, "suggest", ids["seed"], "--accept-above", "0.8")
        dossier(archive, "suggest", "--query", "kind:pdf", "--accept-above", "0.7")  # the agreements' parties
        shoot(archive, args.out / "search.png", '"will not cooperate" OR police', ids["seed"])
        shoot(archive, args.out / "pdf-original.png", "Arcadia", ids["arcadia"], "original")
        shoot(archive, args.out / "scan-ocr.png", "Wells", ids["wells"], "original")
        shoot(archive, args.out / "annotations.png", "police", ids["seed"])
        shoot(archive, args.out / "email.png", "", ids["message"])
        for name, extra in (("map.png", []), ("map-texas.png", ["--state", "TX"])):  # the window draws the same SVG
            dossier(archive, "map", "--out", str(args.out / name), *extra)
        dossier(archive, "timeline", "--out", str(args.out / "timeline.png"))


if __name__ == "__main__":
    main()
