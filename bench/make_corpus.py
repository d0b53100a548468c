"""A corpus of N distinct text documents for scale benchmarks, built from the shared corpus texts.

Sources are the BBC and Reuters stories (``text/**/*.txt``) and the White House orders (``md/**/*.md``, front
matter and Markdown marks removed): the 22,500 or so of 200 characters or more, each split into a title and
paragraphs.
Document ``i`` is a function of ``(seed, i)`` and of the documents before it only (so a smaller corpus is a
prefix of a larger one):

- the first pass (``i`` below the number of sources) is every source document once, in a shuffled order;
- later passes keep a source's title and its first paragraphs (up to half the length of a randomly drawn
  source document, so lengths follow the source distribution), then add paragraphs (one at least) of other
  documents of the same collection (BBC category, Reuters topic, White House) to that length; every number of
  three digits or more in the body but years is redrawn with as many digits (figures and amounts are much of
  what makes a news archive's vocabulary keep growing).

An exact repeat of an earlier document (the sources hold some) is drawn again. Files go to
``OUT/NNN/NNNNNN.txt``, 1,000 per folder, with ``OUT/corpus.json`` (size, seed, bytes, build time). A folder
already holding the same corpus is kept as it is.

For sizes too large to write (1M), ``--sample K`` writes K documents evenly spread over the N (every
``N // K``-th): they are the same documents the full corpus would hold, and ``corpus.json`` gives the stride
and the bytes the whole corpus would take (the sample's times the stride); ``bench/scale.py`` extrapolates
a 1M import from its measured rate curve instead.

Usage: ``python bench/make_corpus.py --size N --out DIR [--seed S] [--sample K] [--corpus DIR]``
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

VERSION = 3  # bump when the documents the builder makes change
PER_FOLDER = 1000
MIN_BODY = 200  # characters: shorter sources (a headline and a dateline) are left out
_NUMBER = re.compile(r"\d+")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=[ \t]{2,}\S)")  # a blank line, or Reuters' indented first lines
_MARKDOWN = re.compile(r"\*\*|__|^#+\s*|\\(?=\S)", re.MULTILINE)


@dataclass(frozen=True)
class Source:
    title: str
    paragraphs: tuple[str, ...]
    family: str
    length: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="documents in the corpus")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (emptied when it holds another)")
    parser.add_argument("--seed", type=int, default=1, help="another seed gives another corpus (default 1)")
    parser.add_argument("--sample", type=int, help="write only this many documents, evenly spread over the size")
    parser.add_argument("--corpus", type=Path, default=default_corpus(), help="the shared corpus folder")
    args = parser.parse_args()
    manifest = build(args.size, args.out, seed=args.seed, sample=args.sample, corpus=args.corpus)
    print(json.dumps(manifest, indent=1))


def default_corpus() -> Path:
    env = os.environ.get("DOSSIER_CORPUS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def build(size: int, out: Path, *, seed: int = 1, sample: int | None = None, corpus: Path | None = None) -> dict:
    """Write the corpus (or its sample) to ``out`` unless it is there already; returns its manifest."""
    wanted = {"version": VERSION, "size": size, "seed": seed, "sample": sample}
    existing = _manifest(out)
    if existing and {key: existing.get(key) for key in wanted} == wanted:
        return existing
    if out.exists() and any(out.iterdir()):
        if existing is None:
            raise SystemExit(f"{out} holds other files; give an empty or new folder")
        shutil.rmtree(out)
    started = time.perf_counter()
    sources = load_sources(corpus or default_corpus())
    stride = max(1, size // sample) if sample else 1
    written = total_bytes = 0
    for i, text in documents(sources, size, seed, stride):
        data = text.encode("utf-8")
        folder = out / f"{i // PER_FOLDER:04d}"
        if i % PER_FOLDER == 0 or stride > 1:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:07d}.txt").write_bytes(data)
        written += 1
        total_bytes += len(data)
    manifest = {
        **wanted,
        "sources": len(sources),
        "files": written,
        "stride": stride,
        "mb": round(total_bytes / 2**20, 1),
        "full_corpus_mb": round(total_bytes * stride / 2**20, 1),
        "build_s": round(time.perf_counter() - started, 1),
    }
    (out / "corpus.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def files(out: Path) -> list[Path]:
    """The corpus documents in ``out``, in order."""
    return sorted(out.glob("*/*.txt"))


def _manifest(out: Path) -> dict | None:
    try:
        return json.loads((out / "corpus.json").read_text())
    except (OSError, ValueError):
        return None


# -- sources ----------------------------------------------------------------------------------


def load_sources(corpus: Path) -> list[Source]:
    """Every usable source document, in sorted path order."""
    text, md = corpus / "text", corpus / "md"
    if not text.is_dir():
        raise SystemExit(f"corpus not found: {text} (set --corpus or DOSSIER_CORPUS)")
    topics = _reuters_topics(text / "reuters" / "labels.csv")
    found = []
    for path in sorted(text.rglob("*.txt")):
        if path.name.isupper() or path.name.startswith("README"):
            continue
        family = topics.get(path.name, "reuters") if "reuters" in path.parts else "bbc/" + path.parent.name
        found.append(_source(path.read_text(encoding="utf-8", errors="replace"), family))
    for path in sorted(md.rglob("*.md")) if md.is_dir() else ():
        found.append(_source(_markdown_body(path.read_text(encoding="utf-8", errors="replace")), "md"))
    return [s for s in found if s is not None]


def _reuters_topics(labels: Path) -> dict[str, str]:
    """File name -> family for Reuters stories: their first topic label."""
    if not labels.exists():
        return {}
    with labels.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        return {Path(r["file"]).name: "reuters/" + (r["topics"].split(";")[0] or "none") for r in rows}


def _markdown_body(text: str) -> str:
    """A Markdown file's text without YAML front matter, its title (from the front matter) first."""
    title = ""
    if text.startswith("---"):
        _, front, text = text.split("---", 2) if text.count("---") >= 2 else ("", "", text)
        match = re.search(r'^title:\s*"?(.+?)"?\s*$', front, re.MULTILINE)
        title = match.group(1).replace("\\_", " ").replace("\\", "") if match else ""
    body = _MARKDOWN.sub("", text).strip()
    return f"{title}\n\n{body}" if title else body


def _source(text: str, family: str) -> Source | None:
    title, _, body = text.strip().partition("\n")
    paragraphs = tuple(p.strip() for p in _PARAGRAPH.split(body) if p.strip())
    if len(body) < MIN_BODY or not paragraphs:
        return None
    return Source(title.strip(), paragraphs, family, len(body))


# -- documents --------------------------------------------------------------------------------


def documents(sources: list[Source], size: int, seed: int, stride: int = 1):
    """``(i, text)`` for every ``stride``-th of the ``size`` documents (repeats are looked for among those)."""
    order = list(range(len(sources)))
    random.Random(f"order:{seed}").shuffle(order)
    families: dict[str, list[Source]] = {}
    for source in sources:
        families.setdefault(source.family, []).append(source)
    lengths = [s.length for s in sources]
    seen: set[bytes] = set()
    for i in range(0, size, stride):
        primary = sources[order[i % len(sources)]]
        rng = random.Random(f"{seed}:{i}")
        text = _text(primary.title, primary.paragraphs) if i < len(sources) else ""
        while not text or _digest(text) in seen:
            text = _mixed(primary, families[primary.family], rng.choice(lengths), rng)
        seen.add(_digest(text))
        yield i, text


def _mixed(primary: Source, family: list[Source], length: int, rng: random.Random) -> str:
    """The primary's title and first paragraphs (to half ``length``), then runs of its collection's paragraphs
    (one at least), to ``length`` characters."""
    paragraphs, used = [], 0
    for paragraph in primary.paragraphs[: rng.randint(1, len(primary.paragraphs))]:
        paragraphs.append(paragraph)
        used += len(paragraph)
        if used >= length / 2:  # half the length at most (but a paragraph) is the primary's own
            break
    while True:
        other = rng.choice(family).paragraphs
        start = rng.randrange(len(other))
        for paragraph in other[start : start + rng.randint(1, 3)]:
            paragraphs.append(paragraph)
            used += len(paragraph)
            if used >= length:
                body = [_NUMBER.sub(lambda m: _redraw(m.group(), rng), p) for p in paragraphs]
                return _text(primary.title, body)


def _redraw(number: str, rng: random.Random) -> str:
    """Another number of as many digits; days, small counts and years (1900-2099) stay as they are."""
    if len(number) < 3 or (len(number) == 4 and number[:2] in ("19", "20")):
        return number
    return str(rng.randrange(10 ** (len(number) - 1), 10 ** len(number)))


def _text(title: str, paragraphs) -> str:
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


if __name__ == "__main__":
    sys.exit(main())
