"""How well jurisdiction suggestions find the right governments (a benchmark script, not a test).

Runs ``app.jurisdictions.mentions.suggest_jurisdictions`` (bundled gazetteer) on three labelled sets from
``shared/corpus`` (or $DOSSIER_CORPUS), text from the project's own extractors:

* ``topic/287g``: ICE 287(g) agreements (PDF; title = the PDF's title, as the importer keeps it). Expected:
  the county for "X County Sheriff's Office", the city for "X Police Department", the state for a state
  agency. recall@3: the expected jurisdiction is among the top 3 suggestions. precision@3: of the top 3
  suggestions returned (``suggest_jurisdictions`` returns those scoring at least its MIN_SCORE, 0.3), the share
  that is the expected jurisdiction or one of its ancestors (its state, the federal government: ICE signs
  every agreement); also counted over the top 3 that reach ``--threshold``.
  Scans without a text layer (``text_layer`` "no" in labels.csv) are listed apart, not counted as misses.
* ``topic/wh_sanctuary``: White House documents (Markdown). recall@3: United States (federal) is in the top 3.
  Precision is not measured there (no labels for the other governments they name).
* ``seed``: the NPR article, against a hand-labelled set (below). recall: share of EXPECTED with a score of at
  least ``--threshold``; precision: share of all suggestions at or above ``--threshold`` that are EXPECTED or
  ACCEPTABLE.

Prints one JSON object, then a table. Usage: ``python bench/suggestions.py [--threshold 0.5] [--out FILE]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.jurisdictions.gazetteer import Gazetteer
from app.jurisdictions.mentions import suggest_jurisdictions
from indexer.extract import extract

SEED = "seed/npr-cities-immigration-crackdown-2025.md"
FEDERAL = "ocd-division/country:us"
US = "ocd-division/country:us/state:"
#: My reading of the seed article: the governments it reports on (product.md's walk-through).
EXPECTED = {
    f"{US}ne/place:omaha": "Omaha police and mayor: will not take part in raids",
    f"{US}il/place:chicago": "listed among cities that will play no role in roundups",
    f"{US}co/place:denver": "listed; Denver City Government editorial, likely to join lawsuits",
    f"{US}ca/place:los_angeles": "listed; ordinance barring city resources for enforcement",
    f"{US}mn/place:minneapolis": "listed; police chief O'Hara",
    f"{US}ny/place:new_york": "listed; Mayor Eric Adams",
    f"{US}tx/place:grand_prairie": "police chief Scesney",
    f"{US}ct/place:bridgeport": "Bridgeport, Connecticut, school district",
    f"{US}tx/place:el_paso": "Mayor Renard Johnson",
    f"{US}ca/place:huntington_beach": "declared itself a non-sanctuary city",
    FEDERAL: "Trump administration, DHS, ICE, the DOJ memo",
}
#: Named as a government in the article but not in the walk-through's list: not wrong when suggested.
ACCEPTABLE = {f"{US}ca": "the Huntington Beach mayor 'blasted other California officials'"}
#: Must not be suggested: "The Washington Post" is a photo credit.
FORBIDDEN = {f"{US}wa": "The Washington Post", "ocd-division/country:us/district:dc": "The Washington Post"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--threshold", type=float, default=0.5, help="score counted as suggested (default 0.5)")
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    args = parser.parse_args()
    if not (args.corpus / SEED).is_file():
        print(json.dumps({"skipped": f"corpus not found: {args.corpus} (set --corpus or DOSSIER_CORPUS)"}))
        return
    started = time.perf_counter()
    gazetteer = Gazetteer.load()
    load_s = time.perf_counter() - started
    report = {
        "threshold": args.threshold,
        "gazetteer": {"jurisdictions": len(gazetteer), "load_s": round(load_s, 3)},
        "seed": seed(args.corpus, gazetteer, args.threshold),
        "287g": agreements(args.corpus / "topic" / "287g", gazetteer, args.threshold),
        "wh_sanctuary": white_house(args.corpus / "topic" / "wh_sanctuary", gazetteer),
        "seconds": 0.0,
    }
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    print_table(report)


def seed(corpus: Path, gazetteer: Gazetteer, threshold: float) -> dict:
    text = extract("markdown", (corpus / SEED).read_bytes()).text
    suggested = [(s.jurisdiction.id, s.score) for s in suggest_jurisdictions(text, gazetteer)]
    shown = [jid for jid, score in suggested if score >= threshold]
    correct = [jid for jid in shown if jid in EXPECTED or jid in ACCEPTABLE]
    return {
        "recall": _ratio(sum(jid in shown for jid in EXPECTED), len(EXPECTED)),
        "precision": _ratio(len(correct), len(shown)),
        "missed": sorted(set(EXPECTED) - set(shown)),
        "wrong": [jid for jid in shown if jid not in correct],
        "forbidden_suggested": [jid for jid, _ in suggested if jid in FORBIDDEN],
        "suggestions": [{"id": jid, "score": score} for jid, score in suggested],
    }


def agreements(root: Path, gazetteer: Gazetteer, threshold: float) -> dict:
    docs, scans = [], []
    with (root / "labels.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            expected = _expected(gazetteer, row["agency"], row["state"])
            extracted = extract("pdf", (root / row["file"]).read_bytes())
            top = suggest_jurisdictions(extracted.text, gazetteer, extracted.title)[:3]
            ids = [s.jurisdiction.id for s in top]
            fine = {expected, *(a.id for a in gazetteer.ancestors(expected))}
            entry = {
                "file": row["file"],
                "expected": expected,
                "top3": [{"id": s.jurisdiction.id, "score": s.score} for s in top],
                "hit": expected in ids,
                "correct": sum(i in fine for i in ids),
                "shown": sum(s.score >= threshold for s in top),
                "shown_correct": sum(s.jurisdiction.id in fine and s.score >= threshold for s in top),
            }
            (scans if row["text_layer"].startswith("no") else docs).append(entry)
    return {
        "documents": len(docs),
        "recall@3": _ratio(sum(d["hit"] for d in docs), len(docs)),
        "precision@3": _ratio(sum(d["correct"] for d in docs), sum(len(d["top3"]) for d in docs)),
        "precision@3_above_threshold": _ratio(sum(d["shown_correct"] for d in docs), sum(d["shown"] for d in docs)),
        "misses": [d["file"] for d in docs if not d["hit"]],
        "scanned_without_text": [{"file": d["file"], "found_anyway": d["hit"]} for d in scans],
        "per_document": docs,
    }


def white_house(root: Path, gazetteer: Gazetteer) -> dict:
    ranks = []
    with (root / "labels.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            extracted = extract("markdown", (root / row["file"]).read_bytes())
            ids = [s.jurisdiction.id for s in suggest_jurisdictions(extracted.text, gazetteer, extracted.title)]
            ranks.append((row["file"], ids.index(FEDERAL) + 1 if FEDERAL in ids else None))
    return {
        "documents": len(ranks),
        "recall@3": _ratio(sum(r is not None and r <= 3 for _, r in ranks), len(ranks)),
        "federal_first": _ratio(sum(r == 1 for _, r in ranks), len(ranks)),
        "misses": [f for f, r in ranks if r is None or r > 3],
    }


def _expected(gazetteer: Gazetteer, agency: str, state: str) -> str:
    """The jurisdiction an agency belongs to: county for a sheriff, city for police, else the state."""
    for marker in (" County Sheriff", " Police Department"):
        if marker in agency:
            name = agency.split(marker)[0] + (" County" if "County" in marker else "")
            found = [j for j in gazetteer.resolve(f"{name}, {state}") if j.level != "state"]
            if found:
                return found[0].id
    return gazetteer.resolve(state)[0].id


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def _default_corpus() -> Path:
    env = os.environ.get("DOSSIER_CORPUS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def print_table(report: dict) -> None:
    s, g, w = report["seed"], report["287g"], report["wh_sanctuary"]
    t = report["threshold"]
    rows = [
        ("set", "docs", "recall", "precision", "how"),
        ("seed article", "1", s["recall"], s["precision"], f"expected set vs all suggestions scoring >= {t}"),
        ("287(g) with text", g["documents"], g["recall@3"], g["precision@3"], "top 3 returned; ok = expected/ancestor"),
        ("287(g), top 3 >= t", g["documents"], "", g["precision@3_above_threshold"], f"top 3 scoring >= {t}"),
        ("White House", w["documents"], w["recall@3"], "n/a", "federal in top 3"),
    ]
    print()
    for row in rows:
        print(f"{row[0]:<20} {row[1]!s:>5} {row[2]!s:>7} {row[3]!s:>10}  {row[4]}")
    print(f"\n287(g) scans without text (not counted): {len(g['scanned_without_text'])}; misses: {g['misses']}")
    print(f"seed: missed {s['missed']}, wrong {s['wrong']}, forbidden suggested {s['forbidden_suggested']}")
    print(f"White House misses: {w['misses']}")


if __name__ == "__main__":
    main()
