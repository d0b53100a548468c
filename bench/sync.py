"""Newsroom sync at scale (issue 17): a throw-away PostgreSQL cluster (tests/server/pg.py), the text corpus of
``bench/make_corpus.py`` imported into archive A, then

1. push: ``Archive.sync`` of A into an empty project, documents/s;
2. pull: the same sync of an empty archive B, documents/s (each text taken as pushed when the same extractor
   version made it, else extracted again from its original; each batch indexed beside the next one's merge);
3. server search: ``Archive.server_search`` (websearch_to_tsquery, ts_rank_cd, ts_headline snippets) for
   ``--queries`` queries drawn from the corpus' words, p50 and p95 in ms, beside A's local search (same queries,
   first page with snippets);
4. incremental: 10 annotations edited on A, then A's sync and B's, seconds each (what grows with the changes,
   not with the archive).

Prints one JSON object. Usage: ``python bench/sync.py [--size 10000] [--out FILE] [--work DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.archive import Archive
from bench import make_corpus
from tests.server import pg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--work", type=Path, help="where the corpus is kept between runs (default: a temp folder)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="dossier-bench-sync-"))
    corpus = work / f"corpus-{args.size}"
    make_corpus.build(args.size, corpus)
    cluster = pg.start("-c fsync=on")
    scratch = Path(tempfile.mkdtemp(prefix="archives-", dir=work))
    try:
        result = run(cluster, corpus, scratch, args)
    finally:
        cluster.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


def run(cluster: pg.Cluster, corpus: Path, scratch: Path, args) -> dict:
    from app.cli import main as cli

    with open(os.devnull, "w") as quiet:
        stdout, sys.stdout = sys.stdout, quiet
        try:
            urls = cluster.newsroom("bench", ["alice", "bob"], scratch, cli)
        finally:
            sys.stdout = stdout
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "app.cli", "import", "--archive", str(scratch / "a"), "--no-ocr",
                    str(corpus)], check=True, capture_output=True)  # fmt: skip
    imported_s = time.perf_counter() - started
    out = {"documents": args.size, "import_s": round(imported_s, 1)}
    with Archive.open(scratch / "a") as a:
        count = len(a.documents.ids())
        started = time.perf_counter()
        pushed = a.sync(urls["alice"], "bench")
        push_s = time.perf_counter() - started
        out["push"] = {"documents": pushed.pushed_documents, "s": round(push_s, 1),
                       "docs_per_s": round(pushed.pushed_documents / push_s, 1)}  # fmt: skip
        with Archive.open(scratch / "b") as b:
            started = time.perf_counter()
            pulled = b.sync(urls["bob"], "bench")
            pull_s = time.perf_counter() - started
            out["pull"] = {"documents": pulled.pulled_documents, "s": round(pull_s, 1),
                           "docs_per_s": round(pulled.pulled_documents / pull_s, 1)}  # fmt: skip
            assert len(b.documents.ids()) == count
            words = _query_words(a, args.queries)
            server, local = [], []
            for query in words:
                started = time.perf_counter()
                b.server_search(query, limit=20)
                server.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                a.search(query, page_size=20)
                local.append((time.perf_counter() - started) * 1000)
            out["server_search_ms"] = _percentiles(server)
            out["local_search_ms"] = _percentiles(local)
            out["incremental"] = _incremental(a, b)
            out["same_sync_again_s"] = round(_timed(b.sync), 2)
    return out


def _incremental(a: Archive, b: Archive) -> dict:
    ids = sorted(a.documents.ids())
    rng = random.Random(1)
    for doc_id in rng.sample(ids, 10):
        a.annotate(doc_id, start=0, end=min(20, len(a.text(doc_id))), note="bench edit")
    push = _timed(a.sync)
    pull = _timed(b.sync)
    again = _timed(a.sync)  # what it pulled back is its own: merged as no change
    return {"edits": 10, "push_sync_s": round(push, 2), "pull_sync_s": round(pull, 2), "next_sync_s": round(again, 2)}


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _query_words(archive: Archive, n: int) -> list[str]:
    rng = random.Random(7)
    ids = sorted(archive.documents.ids())
    queries = []
    while len(queries) < n:
        words = [w for w in archive.text(rng.choice(ids)).split() if w.isalpha() and len(w) > 4]
        if len(words) >= 2:
            picked = rng.sample(words, 2)
            queries.append(" ".join(picked) if len(queries) % 2 else f'"{picked[0]}"')
    return queries


def _percentiles(values: list[float]) -> dict:
    cuts = statistics.quantiles(values, n=20)
    return {"p50": round(statistics.median(values), 1), "p95": round(cuts[18], 1), "n": len(values)}


if __name__ == "__main__":
    main()
