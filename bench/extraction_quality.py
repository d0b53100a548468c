"""How well the HTML extractor finds the main text of saved pages (a benchmark script, not a test).

Runs ``indexer.formats.html.extract`` over two corpora from ``shared/corpus/html`` (or $DOSSIER_CORPUS):

* ``readability/pages/*/``: ``source.html`` against the text of ``expected.html``, scored with word
  4-gram shingles (multisets): precision, recall and F1 per page, averaged over pages; title and
  author against ``expected-metadata.json`` (its bylines often keep "By ...", so author scores low).
* ``trafilatura/pages`` + ``evaldata.english_subset.json``: per page, the share of "with" snippets found
  in the extraction and of "without" snippets absent from it; also corpus-wide precision/recall/F1
  over all snippets, as trafilatura's own evaluation counts them; title, author and date where the
  annotations give them.

Normalisation before comparing: Unicode NFKC, case folding, typographic quotes and dashes to ASCII;
for shingles every run of characters other than letters and digits is a word boundary and each
Chinese, Japanese or Korean character is a word of its own; snippets are matched as substrings
after collapsing whitespace.

Prints one JSON object, then a table with the averages and the 10 worst pages per corpus.
Usage: ``python bench/extraction_quality.py [--corpus DIR] [--limit N]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.errors import ExtractionError
from indexer.formats.html import extract
from indexer.types import Extracted

SHINGLE = 4
_COUNTS = ("tp", "fn", "fp", "tn")  # snippet outcomes, summed over the corpus
_TYPOGRAPHY = str.maketrans("‘’‚‛“”„‟–—―−", "''''\"\"\"\"----")
_NON_WORD = re.compile(r"[\W_]+")
_SPACE = re.compile(r"\s+")
# Scripts written without spaces between words: each character counts as a word.
_UNSPACED = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])")
_BLOCKS = (
    *("p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table", "br", "pre"),
    *("blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "figure"),
    *("figcaption", "header", "footer", "aside", "hr", "caption"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--limit", type=int, default=0, help="pages per corpus (0: all)")
    args = parser.parse_args()
    html = args.corpus / "html"
    if not html.is_dir():
        sys.exit(f"corpus not found: {html} (set --corpus or DOSSIER_CORPUS)")
    report = {
        "readability": _run(_readability_pages(html / "readability" / "pages"), _score_readability, args.limit),
        "trafilatura": _run(_trafilatura_pages(html / "trafilatura"), _score_snippets, args.limit),
    }
    _add_snippet_totals(report["trafilatura"])
    print(json.dumps(report, indent=1, ensure_ascii=False))
    _print_table(report)


def _default_corpus() -> Path:
    env = os.environ.get("DOSSIER_CORPUS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def _readability_pages(root: Path) -> Iterator[tuple[str, Path, dict]]:
    for page in sorted(root.glob("*/")):
        meta = json.loads((page / "expected-metadata.json").read_text("utf-8"))
        expected = _html_text((page / "expected.html").read_bytes())
        truth = {"expected": expected, "title": meta.get("title"), "author": meta.get("byline")}
        yield page.name, page / "source.html", truth


def _trafilatura_pages(root: Path) -> Iterator[tuple[str, Path, dict]]:
    evaldata = json.loads((root / "evaldata.english_subset.json").read_text("utf-8"))
    for entry in evaldata.values():
        path = root / "pages" / entry["file"]
        if path.is_file():
            yield entry["file"], path, entry


def _run(pages: Iterator[tuple[str, Path, dict]], score: Callable[[Extracted, dict], dict], limit: int) -> dict:
    """Extract every page, score it; ``None`` scores (no ground truth) are left out of the means."""
    docs, elapsed, failures = [], 0.0, 0
    for count, (name, path, truth) in enumerate(pages):
        if limit and count >= limit:
            break
        data = path.read_bytes()
        started = time.perf_counter()
        try:
            result = extract(data)
        except ExtractionError:
            result, failures = Extracted(text=""), failures + 1
        elapsed += time.perf_counter() - started
        docs.append({"doc": name, **score(result, truth)})
    keys = [k for k in docs[0] if k != "doc"] if docs else []
    known = {k: [d[k] for d in docs if d[k] is not None] for k in keys}
    return {
        "pages": len(docs),
        "errors": failures,
        "seconds": round(elapsed, 2),
        "pages_per_second": round(len(docs) / elapsed, 1) if elapsed else 0.0,
        "mean": {k: round(sum(v) / len(v), 4) for k, v in known.items() if v},
        "total": {k: sum(v) for k, v in known.items() if k in _COUNTS},
        "worst": sorted(docs, key=lambda d: d["score"])[:10],
    }


def _score_readability(result: Extracted, truth: dict) -> dict:
    precision, recall, f1 = _shingle_prf(_words(result.text), _words(truth["expected"]))
    return {"score": f1, "precision": precision, "recall": recall, "f1": f1, **_metadata_ok(result, truth)}


def _metadata_ok(result: Extracted, truth: dict) -> dict:
    """1/0 per metadata field the ground truth gives (several authors: ``; ``-joined), else None."""
    published = result.published.isoformat() if result.published else ""
    got = {"title": result.title, "author": result.author, "date": published}
    want = {k: "; ".join(v) if isinstance(v, list) else v for k in got if (v := truth.get(k))}
    return {f"{k}_ok": float(_norm(got[k]) == _norm(want[k])) if k in want else None for k in got}


def _score_snippets(result: Extracted, truth: dict) -> dict:
    haystack = _norm(result.text)
    found = [_norm(s) in haystack for s in truth.get("with", [])]
    leaked = [_norm(s) in haystack for s in truth.get("without", [])]
    with_share = sum(found) / len(found) if found else 1.0
    without_share = 1 - sum(leaked) / len(leaked) if leaked else 1.0
    return {
        "score": (with_share + without_share) / 2,
        "with_found": with_share,
        "without_absent": without_share,
        "tp": sum(found),
        "fn": len(found) - sum(found),
        "fp": sum(leaked),
        "tn": len(leaked) - sum(leaked),
        **_metadata_ok(result, truth),
    }


def _add_snippet_totals(corpus: dict) -> None:
    """Corpus-wide precision/recall/F1 over all snippets."""
    tp, fn, fp = (corpus["total"][k] for k in ("tp", "fn", "fp"))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    corpus["snippets"] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _shingle_prf(got: list[str], want: list[str]) -> tuple[float, float, float]:
    got_set, want_set = _shingles(got), _shingles(want)
    common = sum((got_set & want_set).values())
    precision = common / sum(got_set.values()) if got_set else float(not want_set)
    recall = common / sum(want_set.values()) if want_set else float(not got_set)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _shingles(words: list[str]) -> Counter[tuple[str, ...]]:
    if len(words) < SHINGLE:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().translate(_TYPOGRAPHY)
    return _SPACE.sub(" ", text).strip()


def _words(text: str) -> list[str]:
    return _UNSPACED.sub(r" \1 ", _NON_WORD.sub(" ", _norm(text))).split()


def _html_text(data: bytes) -> str:
    """Text of a reference HTML fragment (UTF-8), with a space at every block boundary."""
    root = lxml.html.fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    for element in root.xpath("//script | //style"):
        element.drop_tree()
    for element in root.iter(*_BLOCKS):
        element.text = " " + (element.text or "")
        element.tail = " " + (element.tail or "")
    return root.text_content()


def _print_table(report: dict) -> None:
    print()
    for name, corpus in report.items():
        mean = corpus["mean"]
        print(
            f"== {name}: {corpus['pages']} pages, {corpus['errors']} errors, "
            f"{corpus['seconds']} s, {corpus['pages_per_second']} pages/s"
        )
        print("   mean: " + "  ".join(f"{k}={v:.3f}" for k, v in mean.items() if k not in _COUNTS))
        if "snippets" in corpus:
            print("   all snippets: " + "  ".join(f"{k}={v:.3f}" for k, v in corpus["snippets"].items()))
        print("   worst:")
        for doc in corpus["worst"]:
            cells = "  ".join(
                f"{k}={v:.2f}" for k, v in doc.items() if k != "doc" and k not in _COUNTS and v is not None
            )
            print(f"     {doc['doc'][:40]:40}  {cells}")


if __name__ == "__main__":
    main()
