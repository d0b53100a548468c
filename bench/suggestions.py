"""How well suggestions find the right governments and the stances they hold (a benchmark script, not a test).

Runs ``app.suggestions.suggest`` (bundled gazetteer, the shipped stance presets of ``resources/stances.json``) on
three labelled sets from ``shared/corpus`` (or $DOSSIER_CORPUS), text from the project's own extractors, labels
in ``tests/data/suggestions/*.json`` (written by hand for this bench):

* ``seed``: the NPR article. Jurisdictions: recall = share of the labelled ones scoring at least ``--threshold``,
  precision = share of those shown that are labelled or acceptable. Stances: the same over (place, stance) pairs;
  a pair on an agency counts for the agency's place.
* ``topic/287g``: ICE 287(g) agreements (PDF; title = the PDF's title, as the importer keeps it). Jurisdictions:
  recall@3 / precision@3 as before (ok = expected or an ancestor). Agencies: the signing agency suggested
  (a custom jurisdiction of its name under the expected place). Stances: (expected place, cooperates) shown, and
  every other pair shown is wrong; ``federal_cooperates`` counts the old mistake (ICE is the other party).
  Scans without a text layer are listed apart, not counted.
* ``topic/wh_sanctuary``: White House documents. Jurisdictions: federal in the top 3. Stances: on the documents
  about immigration the federal government's threatens-enforcement (anti-sanctuary acceptable); on the
  others (wildlife sanctuaries, ...) every pair shown is wrong.

"coarse" scores stances after mapping the vocabulary of issue 15 onto the one before it (refuses-raids and
denies-access -> sanctuary, threatens-enforcement -> anti-sanctuary), so before and after compare.
Calibration: every stance suggestion of the three sets (shown or not) by score band, with the share right.
Speed: ms per document for ``suggest`` on ``md/wh_presidential_actions`` (text extracted beforehand) and the
seconds for a 100+ page PDF's text.

Prints one JSON object, then a table. Usage: ``python bench/suggestions.py [--threshold 0.5] [--out FILE]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.jurisdictions.gazetteer import Gazetteer, normalize
from app.suggestions import preset_stance_sets, suggest
from indexer.extract import extract

LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "suggestions"
FEDERAL = "ocd-division/country:us"
SET = "immigration-enforcement"
COARSE = {"refuses-raids": "sanctuary", "denies-access": "sanctuary", "threatens-enforcement": "anti-sanctuary"}
BANDS = (0.0, 0.5, 0.7, 0.8, 0.9, 1.01)
LONG_PDF = "pdf/hard/pypdf_sample_files/GeoTopo-komprimiert.pdf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--threshold", type=float, default=0.5, help="score counted as suggested (default 0.5)")
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    parser.add_argument("--no-speed", action="store_true", help="skip the timing over 2,388 documents")
    parser.add_argument("--ocr", action="store_true", help="OCR the 287(g) scans' first 3 and last 2 pages (slow)")
    args = parser.parse_args()
    seed_labels = json.loads((LABELS / "seed.json").read_text(encoding="utf-8"))
    if not (args.corpus / seed_labels["document"]).is_file():
        print(json.dumps({"skipped": f"corpus not found: {args.corpus} (set --corpus or DOSSIER_CORPUS)"}))
        return
    started = time.perf_counter()
    gazetteer = Gazetteer.load()
    load_s = time.perf_counter() - started
    sets = preset_stance_sets()
    scored: list[tuple[float, bool, str]] = []  # every stance suggestion: (score, right, what)
    report = {
        "threshold": args.threshold,
        "gazetteer": {"jurisdictions": len(gazetteer), "load_s": round(load_s, 3)},
        "seed": seed(args.corpus, seed_labels, gazetteer, sets, args.threshold, scored),
        "287g": agreements(args.corpus / "topic" / "287g", gazetteer, sets, args.threshold, scored, args.ocr),
        "wh_sanctuary": white_house(args.corpus / "topic" / "wh_sanctuary", gazetteer, sets, args.threshold, scored),
    }
    report["calibration"] = calibration(scored)
    if not args.no_speed:
        report["speed"] = speed(args.corpus, gazetteer, sets)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    print_table(report)


def place_of(gazetteer: Gazetteer, jid: str) -> str:
    """The gazetteer place a (custom) jurisdiction id is under: an agency's id without its own segments."""
    while jid not in gazetteer and "/" in jid:
        jid = jid.rsplit("/", 1)[0]
    return jid


def coarse(stance: str) -> str:
    return COARSE.get(stance, stance)


def seed(corpus, labels, gazetteer, sets, threshold, scored) -> dict:
    text = extract(labels["kind"], (corpus / labels["document"]).read_bytes()).text
    found = suggest(text, "", gazetteer, sets)
    suggested = [(s.jurisdiction.id, s.score) for s in found.jurisdictions]
    shown = [place_of(gazetteer, jid) for jid, score in suggested if score >= threshold]
    shown = list(dict.fromkeys(shown))
    ok = labels["jurisdictions"].keys() | labels["acceptable_jurisdictions"].keys()
    expected_pairs = {(p["place"], p["stance"]) for p in labels["stances"]}
    acceptable_pairs = expected_pairs | {(p["place"], p["stance"]) for p in labels["acceptable_stances"]}
    pairs = _pairs(found, gazetteer)
    for place, stance, score in pairs:
        scored.append((score, (place, stance) in acceptable_pairs, f"seed {place} {stance}"))
    return {
        "jurisdictions": {
            "recall": _ratio(sum(j in shown for j in labels["jurisdictions"]), len(labels["jurisdictions"])),
            "precision": _ratio(sum(j in ok for j in shown), len(shown)),
            "missed": sorted(set(labels["jurisdictions"]) - set(shown)),
            "wrong": [j for j in shown if j not in ok],
            "forbidden_suggested": [j for j, _ in suggested if j in labels["forbidden_jurisdictions"]],
        },
        "stances": _pair_scores(pairs, expected_pairs, acceptable_pairs, threshold),
        "stances_coarse": _pair_scores(
            [(p, coarse(s), sc) for p, s, sc in pairs],
            {(p, coarse(s)) for p, s in expected_pairs},
            {(p, coarse(s)) for p, s in acceptable_pairs},
            threshold,
        ),
        "suggestions": [{"id": s.jurisdiction.id, "score": s.score} for s in found.jurisdictions],
        "stance_suggestions": [
            {"id": s.jurisdiction, "stance": s.stance, "score": s.score, **_why(s)} for s in found.stances
        ],
    }


def _why(s) -> dict:
    first = s.evidence[0] if s.evidence else None
    return {k: getattr(first, k) for k in ("actor", "cue") if first is not None and hasattr(first, k)}


def _pairs(found, gazetteer) -> list[tuple[str, str, float]]:
    """(place, stance, score) of a document's stance suggestions in the immigration vocabulary, best per pair."""
    best: dict[tuple[str, str], float] = {}
    for s in found.stances:
        if s.stance_set == SET:
            key = (place_of(gazetteer, s.jurisdiction), s.stance)
            best[key] = max(best.get(key, 0.0), s.score)
    return [(p, st, sc) for (p, st), sc in best.items()]


def _pair_scores(pairs, expected, acceptable, threshold) -> dict:
    shown = {(p, s) for p, s, score in pairs if score >= threshold}
    return {
        "recall": _ratio(len(shown & expected), len(expected)),
        "precision": _ratio(len(shown & acceptable), len(shown)),
        "missed": sorted(f"{p} {s}" for p, s in expected - shown),
        "wrong": sorted(f"{p} {s}" for p, s in shown - acceptable),
    }


def agreements(root: Path, gazetteer, sets, threshold, scored, ocr: bool = False) -> dict:
    labels = json.loads((LABELS / "287g.json").read_text(encoding="utf-8"))
    docs, scans = [], []
    for row in labels["documents"]:
        expected = row["place"]
        extracted = extract("pdf", (root / row["file"]).read_bytes())
        text = extracted.text
        if row["scan"] and ocr:
            text, row = _ocr(root / row["file"]), {**row, "scan": False}  # counted with the others
        found = suggest(text, extracted.title, gazetteer, sets)
        top = found.jurisdictions[:3]
        ids = [place_of(gazetteer, s.jurisdiction.id) for s in top]
        fine = {expected, *(a.id for a in gazetteer.ancestors(expected))}
        agencies = [s for s in found.jurisdictions if s.jurisdiction.id not in gazetteer and s.score >= threshold]
        agency_hit = any(
            place_of(gazetteer, s.jurisdiction.id) == expected and _same_agency(s.jurisdiction.name, row["agency"])
            for s in agencies
        )
        pairs = _pairs(found, gazetteer)
        right = (expected, row["stance"])
        if not row["scan"]:
            for place, stance, score in pairs:
                scored.append((score, (place, stance) == right, f"{row['file'][4:30]} {place} {stance}"))
        shown_pairs = [(p, s) for p, s, score in pairs if score >= threshold]
        entry = {
            "file": row["file"],
            "expected": expected,
            "top3": [{"id": s.jurisdiction.id, "score": s.score} for s in top],
            "hit": expected in ids,
            "correct": sum(i in fine for i in ids),
            "shown": sum(s.score >= threshold for s in top),
            "shown_correct": sum(i in fine and s.score >= threshold for i, s in zip(ids, top, strict=True)),
            "agency": agency_hit,
            "agencies": [s.jurisdiction.name for s in agencies],
            "pair_hit": right in shown_pairs,
            "pairs_shown": len(shown_pairs),
            "pairs_wrong": [f"{p} {s}" for p, s in shown_pairs if (p, s) != right],
            "federal_cooperates": (FEDERAL, "cooperates") in shown_pairs,
        }
        (scans if row["scan"] else docs).append(entry)
    return {
        "documents": len(docs),
        "recall@3": _ratio(sum(d["hit"] for d in docs), len(docs)),
        "precision@3": _ratio(sum(d["correct"] for d in docs), sum(len(d["top3"]) for d in docs)),
        "precision@3_above_threshold": _ratio(sum(d["shown_correct"] for d in docs), sum(d["shown"] for d in docs)),
        "agency_recall": _ratio(sum(d["agency"] for d in docs), len(docs)),
        "stance_recall": _ratio(sum(d["pair_hit"] for d in docs), len(docs)),
        "stance_precision": _ratio(sum(d["pair_hit"] for d in docs), sum(d["pairs_shown"] for d in docs)),
        "federal_cooperates": sum(d["federal_cooperates"] for d in docs),
        "misses": [d["file"] for d in docs if not d["hit"]],
        "scanned_without_text": [{"file": d["file"], "found_anyway": d["hit"]} for d in scans],
        "per_document": docs,
    }


def _ocr(path: Path) -> str:
    """OCR text of a scan's first three and last two pages (letterhead, parties, signatures)."""
    import pypdfium2 as pdfium

    from indexer.ocr import ocr_page, page_job_kind

    data = path.read_bytes()
    pages = len(pdfium.PdfDocument(data))
    wanted = sorted({1, 2, 3, pages - 1, pages} & set(range(1, pages + 1)))
    return "\n\n".join(ocr_page(page_job_kind(n), data).text for n in wanted)


def _same_agency(name: str, label: str) -> bool:
    def key(text: str) -> set[str]:
        text = normalize(text).replace("dept", "department").replace("sheriffs", "sheriff")
        return set(re.sub(r"\b(?:the|of|s|state)\b", " ", text).split())

    return key(name) == key(label)  # "Oklahoma State Bureau of Investigation" is "Oklahoma Bureau of Investigation"


def white_house(root: Path, gazetteer, sets, threshold, scored) -> dict:
    labels = json.loads((LABELS / "wh_sanctuary.json").read_text(encoding="utf-8"))
    ranks, hits, about, false_pairs, negatives_with_pairs = [], 0, 0, 0, []
    for row in labels["documents"]:
        extracted = extract("markdown", (root / row["file"]).read_bytes())
        found = suggest(extracted.text, extracted.title, gazetteer, sets)
        ids = [s.jurisdiction.id for s in found.jurisdictions]
        ranks.append((row["file"], ids.index(FEDERAL) + 1 if FEDERAL in ids else None))
        if row["stance"] == "unclear":
            continue
        pairs = _pairs(found, gazetteer)
        good = {(FEDERAL, "threatens-enforcement"), (FEDERAL, "anti-sanctuary")} if row["stance"] != "none" else set()
        for place, stance, score in pairs:
            scored.append((score, (place, stance) in good, f"{row['file'][-60:]} {place} {stance}"))
        shown = {(p, s) for p, s, score in pairs if score >= threshold}
        if row["stance"] != "none":
            about += 1
            hits += bool(shown & good)
        false_pairs += len(shown - good)
        if row["stance"] == "none" and shown:
            negatives_with_pairs.append(row["file"])
    return {
        "documents": len(ranks),
        "recall@3": _ratio(sum(r is not None and r <= 3 for _, r in ranks), len(ranks)),
        "federal_first": _ratio(sum(r == 1 for _, r in ranks), len(ranks)),
        "misses": [f for f, r in ranks if r is None or r > 3],
        "stance_recall": _ratio(hits, about),
        "stance_wrong_pairs": false_pairs,
        "negatives_with_pairs": len(negatives_with_pairs),
    }


def calibration(scored: list[tuple[float, bool, str]]) -> list[dict]:
    out = []
    for lo, hi in itertools.pairwise(BANDS):
        band = [(right, what) for score, right, what in scored if lo <= score < hi]
        out.append({
            "band": f"{lo:.1f}-{min(hi, 1.0):.1f}",
            "n": len(band),
            "right": _ratio(sum(r for r, _ in band), len(band)),
            "wrong": [what for r, what in band if not r],
        })  # fmt: skip
    return out


def speed(corpus: Path, gazetteer, sets) -> dict:
    root = corpus / "md" / "wh_presidential_actions"
    texts = [extract("markdown", p.read_bytes()) for p in sorted(root.rglob("*.md"))]
    suggest("warm up", "", gazetteer, sets)
    started = time.perf_counter()
    for e in texts:
        suggest(e.text, e.title, gazetteer, sets)
    per_doc = (time.perf_counter() - started) * 1000 / max(len(texts), 1)
    out = {"wh_documents": len(texts), "ms_per_document": round(per_doc, 2)}
    long_pdf = corpus / LONG_PDF
    if long_pdf.is_file():
        e = extract("pdf", long_pdf.read_bytes())
        started = time.perf_counter()
        suggest(e.text, e.title, gazetteer, sets)
        out["long_pdf"] = {"file": LONG_PDF, "chars": len(e.text), "seconds": round(time.perf_counter() - started, 3)}
    return out


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
        ("seed places", "1", s["jurisdictions"]["recall"], s["jurisdictions"]["precision"], f"scoring >= {t}"),
        ("seed pairs", "1", s["stances"]["recall"], s["stances"]["precision"], "(place, stance) >= t"),
        ("seed pairs coarse", "1", s["stances_coarse"]["recall"], s["stances_coarse"]["precision"], "old vocabulary"),
        ("287(g) places", g["documents"], g["recall@3"], g["precision@3"], "top 3; ok = expected/ancestor"),
        ("287(g) top3 >= t", g["documents"], "", g["precision@3_above_threshold"], f"top 3 scoring >= {t}"),
        ("287(g) agency", g["documents"], g["agency_recall"], "", "signing agency under its place"),
        ("287(g) pairs", g["documents"], g["stance_recall"], g["stance_precision"], "(place, cooperates)"),
        ("White House", w["documents"], w["recall@3"], "n/a", "federal in top 3"),
        ("White House pairs", w["documents"], w["stance_recall"], f"{w['stance_wrong_pairs']} wrong", "federal"),
    ]
    print()
    for row in rows:
        print(f"{row[0]:<20} {row[1]!s:>5} {row[2]!s:>7} {row[3]!s:>10}  {row[4]}")
    scans = len(g["scanned_without_text"])
    print(f"\n287(g) federal 'cooperates': {g['federal_cooperates']}; scans not counted: {scans}")
    print(f"seed places: missed {s['jurisdictions']['missed']}, wrong {s['jurisdictions']['wrong']}")
    print(f"seed pairs: missed {s['stances']['missed']}\n  wrong {s['stances']['wrong']}")
    print("calibration:", ", ".join(f"{b['band']}: {b['right']} of {b['n']}" for b in report["calibration"]))
    if "speed" in report:
        print("speed:", report["speed"])


if __name__ == "__main__":
    main()
