"""Ranking quality of Dossier's default search against SQLite FTS5's bm25 (a benchmark script, not a test).

The Reuters-21578 stories in ``text/reuters/docs`` (or $DOSSIER_CORPUS) carry TOPICS labels
(``labels.csv``); ``bench/relevance_queries.json`` holds a few queries per topic. A hit is relevant when
its story carries the query's topic. Engines, on the same extracted texts:

- ``dossier``: ``Archive.search_ids`` on an archive built through ``Archive.import_paths`` (or ``--archive``);
- ``fts5``: SQLite FTS5 (porter stemming) over the same title and text, ``ORDER BY bm25(t)``;
- ``fts5_title``: the same with the title column weighted ``--fts5-title-weight`` (default 2).

Reports P@10, nDCG@10 (binary gains) and MAP@100 per engine, for the tuning half and the held-out half of
the topics, and per query where Dossier wins or loses against FTS5. Prints one JSON object, then a table
with ratios to FTS5. Usage: ``python bench/relevance.py [--archive DIR] [--out FILE] [--corpus DIR]``
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.archive import Archive

QUERIES = Path(__file__).with_name("relevance_queries.json")
DEPTH = 100  # hits read per query (MAP@100); P@10 and nDCG@10 read the first 10
Ranker = Callable[[str], list[int]]


def main() -> None:
    args = _args()
    reuters = args.corpus / "text" / "reuters"
    spec = json.loads(QUERIES.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.archive or Path(tmp) / "archive"
        archive, import_s = _archive(folder, reuters / "docs")
        try:
            report = evaluate(archive, reuters / "labels.csv", spec["topics"], args.fts5_title_weight)
        finally:
            archive.close()
    report["import_s"] = import_s
    report["table"] = summary_rows(report)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print_table(report)


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="an archive of the Reuters stories (built there when missing)")
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--fts5-title-weight", type=float, default=2.0)
    parser.add_argument("--out", help="also write the JSON here")
    return parser.parse_args()


def _default_corpus() -> Path:
    return Path(os.environ.get("DOSSIER_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


def _archive(folder: Path, docs: Path) -> tuple[Archive, float | None]:
    """The archive in ``folder``; the stories are imported first when it holds none."""
    archive = Archive.open(folder)
    if archive.stats()["documents"]:
        return archive, None
    started = time.perf_counter()
    archive.import_paths([docs])
    return archive, round(time.perf_counter() - started, 1)


def evaluate(archive: Archive, labels_csv: Path, topics: Sequence[dict], title_weight: float) -> dict:
    """Every engine's figures on every query; see the module docstring."""
    labels = _labels(labels_csv)
    docs = archive.documents_by_id(archive.index.ids())
    topic_of = {doc_id: labels.get(Path(doc.file_name).stem, frozenset()) for doc_id, doc in docs.items()}
    fts = _fts5(archive, docs)
    engines: dict[str, Ranker] = {
        "dossier": lambda q: archive.search_ids(q).ids[:DEPTH],
        "fts5": lambda q: _fts5_ranked(fts, q, 1.0),
        "fts5_title": lambda q: _fts5_ranked(fts, q, title_weight),
    }
    per_query = []
    for entry in topics:
        relevant = {doc_id for doc_id, labelled in topic_of.items() if entry["topic"] in labelled}
        for text in entry["queries"]:
            row = {"topic": entry["topic"], "split": entry["split"], "query": text, "relevant": len(relevant)}
            for name, ranked in engines.items():
                row[name] = _measures(ranked(text), relevant)
            per_query.append(row)
    fts.close()
    return {
        "documents": len(docs),
        "queries": len(per_query),
        "fts5_title_weight": title_weight,
        "summary": {split: _summary(per_query, split, list(engines)) for split in ("tune", "held", "all")},
        "per_query": per_query,
    }


def _labels(labels_csv: Path) -> dict[str, frozenset[str]]:
    """Story file stem (``00001``) -> its TOPICS labels."""
    with labels_csv.open(newline="") as handle:
        rows = csv.DictReader(handle)
        return {Path(row["file"]).stem: frozenset(t for t in row["topics"].split(";") if t) for row in rows}


def _fts5(archive: Archive, docs: dict) -> sqlite3.Connection:
    """An in-memory FTS5 table of the archive's own title and text of each document."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='porter unicode61')")
    conn.executemany(
        "INSERT INTO t(rowid, title, body) VALUES (?, ?, ?)",
        ((doc_id, doc.title, archive.text(doc_id)) for doc_id, doc in docs.items()),
    )
    conn.commit()
    return conn


_PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\S+)')


def _fts5_query(text: str) -> str:
    """The query in FTS5's syntax: every word and "phrase" required, as in Dossier's."""
    parts = []
    for phrase, word in _PHRASE_OR_WORD.findall(text):
        words = re.findall(r"\w+", phrase or word)
        if words:
            parts.append('"' + " ".join(words) + '"')
    return " AND ".join(parts)


def _fts5_ranked(conn: sqlite3.Connection, text: str, title_weight: float) -> list[int]:
    rows = conn.execute(
        "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t, ?, 1.0), rowid LIMIT ?",
        (_fts5_query(text), title_weight, DEPTH),
    )
    return [rowid for (rowid,) in rows]


def _measures(ranked: list[int], relevant: set[int]) -> dict:
    """P@10, nDCG@10 (binary gains) and AP@100 of one ranking."""
    gains = [1 if doc_id in relevant else 0 for doc_id in ranked[:DEPTH]]
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:10]))
    found, precisions = 0, []
    for i, gain in enumerate(gains):
        if gain:
            found += 1
            precisions.append(found / (i + 1))
    return {
        "hits": len(ranked),
        "p10": sum(gains[:10]) / 10,
        "ndcg10": dcg / ideal if ideal else 0.0,
        "ap100": sum(precisions) / min(len(relevant), DEPTH) if relevant else 0.0,
    }


def _summary(per_query: list[dict], split: str, engines: list[str]) -> dict:
    rows = [row for row in per_query if split == "all" or row["split"] == split]
    out: dict = {"queries": len(rows)}
    for name in engines:
        out[name] = {m: round(sum(r[name][m] for r in rows) / len(rows), 4) for m in ("p10", "ndcg10", "ap100")}
    wins = [r["query"] for r in rows if r["dossier"]["ndcg10"] > r["fts5"]["ndcg10"] + 1e-9]
    losses = [r["query"] for r in rows if r["dossier"]["ndcg10"] < r["fts5"]["ndcg10"] - 1e-9]
    out["dossier_vs_fts5_ndcg10"] = {"wins": wins, "losses": losses, "ties": len(rows) - len(wins) - len(losses)}
    return out


def summary_rows(report: dict) -> list[list[str]]:
    """Dossier beside FTS5's bm25 per half of the topics, the rows bench/report.py prints."""
    rows = []
    for split, summary in report["summary"].items():
        ours, base = summary["dossier"], summary["fts5"]
        rows.append(
            [
                f"relevance P@10 / nDCG@10, {split} ({summary['queries']} Reuters queries)",
                f"{ours['p10']:.3f} / {ours['ndcg10']:.3f}",
                f"FTS5 bm25 {base['p10']:.3f} / {base['ndcg10']:.3f}",
                f"{ours['p10'] / base['p10']:.2f}x / {ours['ndcg10'] / base['ndcg10']:.2f}x",
            ]
        )
    return rows


def print_table(report: dict) -> None:
    print(f"\n{report['documents']} documents, {report['queries']} queries; ratios are to FTS5 bm25 (default)")
    print(f"{'half':6} {'engine':12} {'P@10':>6} {'ratio':>6} {'nDCG@10':>8} {'ratio':>6} {'MAP@100':>8} {'ratio':>6}")
    for split, summary in report["summary"].items():
        base = summary["fts5"]
        for name in ("dossier", "fts5", "fts5_title"):
            got = summary[name]
            cells = "".join(f" {got[m]:>{w}.3f} {got[m] / base[m] if base[m] else 0:>6.2f}" for m, w in _COLUMNS)
            print(f"{split:6} {name:12}{cells}")
        duel = summary["dossier_vs_fts5_ndcg10"]
        print(
            f"{split:6} dossier vs fts5 nDCG@10: {len(duel['wins'])} wins, {len(duel['losses'])} losses, "
            f"{duel['ties']} ties"
        )
    print("\nper query, nDCG@10 dossier / fts5 where they differ by 0.1 or more:")
    for row in report["per_query"]:
        ours, theirs = row["dossier"]["ndcg10"], row["fts5"]["ndcg10"]
        if abs(ours - theirs) >= 0.1:
            print(f"  {row['split']:5} {row['topic']:16} {row['query']:40} {ours:.2f} / {theirs:.2f}")


_COLUMNS = (("p10", 6), ("ndcg10", 8), ("ap100", 8))


if __name__ == "__main__":
    main()
