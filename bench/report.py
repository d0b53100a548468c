"""One table of issue 12's figures, each beside its peer with the ratio, from the benchmarks' JSON reports.

Reads, from ``--dir`` (default ``bench/out``), whichever of these the benchmarks wrote with ``--out``:
``import_search.json`` (text-10k: import against raw Whoosh and recollindex, search against raw Whoosh, PDF
against pdftotext), ``scale.json`` (``bench/scale.py``: each size against recollindex and FTS5, open, check,
window, 1M), ``pdf_text.json`` (``bench/pdf_text.py``) and ``relevance.json`` (``bench/relevance.py``). A
report that is missing is named in the table; so is one whose figures this script cannot find. A report may
carry its own rows as ``"table": [[measure, Dossier, peer, ratio], ...]``; they are printed as they are.
Ratios are Dossier / peer: above 1 is more (faster for rates, slower for times).

Usage: ``python bench/report.py [--dir DIR]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import rows as scale_rows
from bench.scale import table

OUT = Path(__file__).resolve().parent / "out"
HEADER = ("measure", "Dossier", "peer", "ratio")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=OUT, help="folder of the benchmarks' JSON reports")
    args = parser.parse_args()
    lines = [HEADER]
    for name, rows in (
        ("import_search", text_10k_rows),
        ("pdf_text", pdf_rows),
        ("relevance", relevance_rows),
        ("scale", scale_rows),
    ):
        report = _load(args.dir / f"{name}.json")
        if report is None:
            lines.append((f"({name}.json)", "not run", "", ""))
        elif isinstance(report.get("table"), list):
            lines.extend(tuple(str(cell) for cell in row) for row in report["table"])
        else:
            try:
                lines.extend(rows(report))
            except (KeyError, TypeError, ValueError) as exc:
                lines.append((f"({name}.json)", f"figures not found: {exc!r}", "", ""))
    table(lines, f"Issue 12 figures, from {args.dir}")


def _load(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _x(value, peer) -> str:
    return f"{value / peer:.2f}x" if value and peer else "-"


def text_10k_rows(report: dict) -> list[tuple[str, str, str, str]]:
    """text-10k (the first 10,000 sorted corpus texts): import, search and PDF from bench/import_search.py."""
    imp, raw, rec, search = report["dossier_import"], report["raw_whoosh"], report["recoll"], report["search"]
    rec = rec if isinstance(rec, dict) else {}
    n = f"text-{report['files'] // 1000}k"
    out = [
        (
            f"{n}: import files/s",
            f"{imp['files_per_s']} ({imp['seconds']} s)",
            f"raw Whoosh {raw['docs_per_s']}; recollindex {rec.get('files_per_s', report['recoll'])}",
            f"{_x(imp['files_per_s'], raw['docs_per_s'])} / {_x(imp['files_per_s'], rec.get('files_per_s'))}",
        ),
        (
            f"{n}: search p50 / p95, no snippets",
            f"{search['dossier']['p50_ms']} / {search['dossier']['p95_ms']} ms",
            f"raw Whoosh {search['raw']['p50_ms']} / {search['raw']['p95_ms']} ms",
            f"{_x(search['dossier']['p50_ms'], search['raw']['p50_ms'])} / "
            f"{_x(search['dossier']['p95_ms'], search['raw']['p95_ms'])}",
        ),
        (
            f"{n}: search p50 / p95 with snippets",
            f"{search['dossier_snippets']['p50_ms']} / {search['dossier_snippets']['p95_ms']} ms",
            f"raw Whoosh + highlights {search['raw_highlights']['p50_ms']} / {search['raw_highlights']['p95_ms']}",
            f"{_x(search['dossier_snippets']['p50_ms'], search['raw_highlights']['p50_ms'])} / "
            f"{_x(search['dossier_snippets']['p95_ms'], search['raw_highlights']['p95_ms'])}",
        ),
    ]
    pdf = report["pdf_import"]
    if isinstance(pdf, dict):
        peer = pdf.get("pdftotext")
        peer = peer if isinstance(peer, dict) else {}
        out.append(
            (
                f"PDF import pages/s ({pdf['files']} files, {pdf['pages']} pages)",
                f"{pdf['pages_per_s']} ({pdf['seconds']} s)",
                f"pdftotext {peer.get('pages_per_s', pdf.get('pdftotext', '-'))}",
                _x(pdf["pages_per_s"], peer.get("pages_per_s")),
            )
        )
    return out


def pdf_rows(report: dict) -> list[tuple[str, str, str, str]]:
    """Text extraction speed (and quality where given) against pdftotext, from bench/pdf_text.py."""
    return _figures(report, "PDF text", ("pages_per_s", "pages/s"), ("quality", "score", "similarity", "f1"))


def relevance_rows(report: dict) -> list[tuple[str, str, str, str]]:
    """P@10 and nDCG@10 against FTS5's bm25, from bench/relevance.py."""
    return _figures(report, "relevance", ("p@10", "p_at_10", "p10", "precision"), ("ndcg",))


def _figures(report: dict, label: str, *wanted: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    """Rows for the figures named like ``wanted`` in a report whose exact shape this script does not know:
    for each, Dossier's value (a key naming dossier, or none) beside the others' (pdftotext, fts5, ...)."""
    flat = dict(_flatten(report))
    out = []
    for names in wanted:
        found = {k: v for k, v in flat.items() if any(n in k.lower().rsplit(".", 1)[-1] for n in names)}
        if not found:
            continue
        ours = {k: v for k, v in found.items() if "dossier" in k.lower()}
        peers = {k: v for k, v in found.items() if k not in ours}
        mine = next(iter(ours.values()), None)
        for key, value in sorted(peers.items())[:6]:
            shown = str(mine) if mine is not None else "-"
            out.append((f"{label}: {names[0]}", shown, f"{key} {value}", _x(mine, value)))
    if not out:
        raise KeyError(f"no {', '.join(w[0] for w in wanted)} figures")
    return out


def _flatten(value, prefix: str = ""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield prefix, value


if __name__ == "__main__":
    main()
