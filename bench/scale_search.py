"""Search latency on an existing archive (e.g. 100,000 documents) beside SQLite FTS5 on the same texts.

Dossier's figure is the whole answer the window needs: ``Archive.search`` with hit ids, total, facet counts
and the first page of 20 titles and snippets. FTS5's is the same shape of answer from a table of the
archive's titles and texts (porter stemming, bm25 with the title weighted twice): the total, the first 20
ids in rank order and their snippets. Queries are the mix of ``bench/import_search.py``; those FTS5 cannot
express (fuzzy, fields other than title) are timed for Dossier only. Each query runs WARMUP + RUNS times; its first
run is reported on its own (terms an earlier query decoded are already kept, as when typing).

Prints one JSON object, then a table. Usage: ``python bench/scale_search.py --archive DIR [--out FILE]``
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.archive import Archive
from bench.import_search import QUERIES, _percentile, _timed

PAGE = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, required=True, help="an archive folder to search")
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    args = parser.parse_args()
    started = time.perf_counter()
    archive = Archive.open(args.archive)
    report: dict = {"open_s": round(time.perf_counter() - started, 2)}
    with archive:
        report.update(measure(archive))
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    _print_table(report)


def measure(archive: Archive) -> dict:
    """Per query p50 of Dossier's answer and FTS5's on a table built from the archive, and their summary."""
    report: dict = {"documents": archive.stats()["documents"]}
    with tempfile.TemporaryDirectory(prefix="dossier-fts5-") as tmp:
        fts, report["fts5_build_s"] = _fts5(archive, Path(tmp) / "fts.sqlite3")
        report["fts5_mb"] = round((Path(tmp) / "fts.sqlite3").stat().st_size / 2**20, 1)
        report["queries"] = {}
        for q in QUERIES:
            started = time.perf_counter()  # the first run: no term of it decoded before unless an earlier query had it
            archive.search(q, page_size=PAGE)
            row = {"dossier_first_ms": round((time.perf_counter() - started) * 1000, 2)}
            row["dossier_ms"] = _p(_timed(lambda q=q: archive.search(q, page_size=PAGE)))
            row["dossier_total"] = archive.search(q, page_size=PAGE, snippets=False).total
            match = _fts5_match(q)
            if match is not None:
                row["fts5_ms"] = _p(_timed(lambda m=match: _fts5_answer(fts, m)))
                row["fts5_total"] = _fts5_answer(fts, match)
            report["queries"][q] = row
        fts.close()
    report["summary"] = _summary(report["queries"])
    return report


def _fts5(archive: Archive, path: Path) -> tuple[sqlite3.Connection, float]:
    """An FTS5 table of every document's title and text, as a user of SQLite would build it."""
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61')")
    ids = archive.search_ids("").ids
    for first in range(0, len(ids), 1000):
        chunk = ids[first : first + 1000]
        docs = archive.documents_by_id(chunk)
        rows = [(i, docs[i].title, archive.text(i)) for i in chunk if i in docs]
        conn.executemany("INSERT INTO docs (rowid, title, body) VALUES (?, ?, ?)", rows)
    conn.commit()
    return conn, round(time.perf_counter() - started, 1)


def _fts5_match(q: str) -> str | None:
    """The query in FTS5's syntax, or None when FTS5 has no equivalent (fuzzy, kind:, year:)."""
    if "~" in q or re.search(r"\b(kind|year):", q):
        return None
    q = re.sub(r"\)\s+(?!(AND|OR|NOT)\b)", ") AND ", q)  # FTS5 wants AND after a group
    return q.replace("title:", "title : ")


def _fts5_answer(conn: sqlite3.Connection, match: str) -> int:
    """Total, first page of ids by bm25 (title weighted 2), and their snippets, as the window shows them."""
    (total,) = conn.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()
    conn.execute(
        "SELECT rowid, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs WHERE docs MATCH ? "
        "ORDER BY bm25(docs, 2.0, 1.0) LIMIT ?",
        (match, PAGE),
    ).fetchall()
    return total


def _p(samples: list[float]) -> float:
    return _percentile(samples, 0.5)


def _summary(rows: dict) -> dict:
    both = [r for r in rows.values() if "fts5_ms" in r]
    every = [r["dossier_ms"] for r in rows.values()]
    slow_kinds = [r["dossier_ms"] for q, r in rows.items() if "~" in q or "*" in q]
    out = {
        "dossier_p50_ms": _percentile(every, 0.5),
        "dossier_p95_ms": _percentile(every, 0.95),
        "dossier_first_p50_ms": _percentile([r["dossier_first_ms"] for r in rows.values()], 0.5),
        "dossier_first_p95_ms": _percentile([r["dossier_first_ms"] for r in rows.values()], 0.95),
        "dossier_fuzzy_wildcard_p95_ms": _percentile(slow_kinds, 0.95),
        "shared_queries": len(both),
        "dossier_shared_p50_ms": _percentile([r["dossier_ms"] for r in both], 0.5),
        "dossier_shared_p95_ms": _percentile([r["dossier_ms"] for r in both], 0.95),
        "fts5_p50_ms": _percentile([r["fts5_ms"] for r in both], 0.5),
        "fts5_p95_ms": _percentile([r["fts5_ms"] for r in both], 0.95),
    }
    out["ratio_p50"] = round(out["dossier_shared_p50_ms"] / max(out["fts5_p50_ms"], 0.01), 1)
    out["ratio_p95"] = round(out["dossier_shared_p95_ms"] / max(out["fts5_p95_ms"], 0.01), 1)
    return out


def _print_table(report: dict) -> None:
    s = report["summary"]
    print(f"\n{report['documents']} documents; open {report['open_s']} s; FTS5 built in {report['fts5_build_s']} s")
    print(f"{'query':36} {'Dossier ms':>10} {'hits':>7} {'FTS5 ms':>8} {'hits':>7}")
    for q, r in report["queries"].items():
        fts = f"{r['fts5_ms']:>8} {r['fts5_total']:>7}" if "fts5_ms" in r else f"{'-':>8} {'-':>7}"
        print(f"{q[:36]:36} {r['dossier_ms']:>10} {r['dossier_total']:>7} {fts}")
    print(
        f"\nDossier p50 / p95 {s['dossier_p50_ms']} / {s['dossier_p95_ms']} ms (fuzzy and wildcard p95 "
        f"{s['dossier_fuzzy_wildcard_p95_ms']} ms); on the {s['shared_queries']} queries both run: Dossier "
        f"{s['dossier_shared_p50_ms']} / {s['dossier_shared_p95_ms']} ms, FTS5 {s['fts5_p50_ms']} / "
        f"{s['fts5_p95_ms']} ms: {s['ratio_p50']}x / {s['ratio_p95']}x; each query's first run p50 / p95 "
        f"{s['dossier_first_p50_ms']} / {s['dossier_first_p95_ms']} ms"
    )


if __name__ == "__main__":
    main()
