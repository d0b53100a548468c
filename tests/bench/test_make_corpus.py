"""The scale corpus builder (bench/make_corpus.py): the same documents every time, and no two alike."""

import hashlib

import pytest

from bench.make_corpus import build, documents, files, load_sources


@pytest.fixture(scope="module")
def sources():
    from tests.conftest import corpus_root

    root = corpus_root()
    if not (root / "text").is_dir():
        pytest.skip(f"test corpus not found at {root}")
    return load_sources(root)


def test_the_sources_hold_repeats_that_the_corpus_leaves_out(sources):
    texts = [text for _, text in documents(sources, len(sources) + 2000, seed=1)]
    first_pass = [s.title + "\n\n" + "\n\n".join(s.paragraphs) + "\n" for s in sources]
    assert len(set(first_pass)) < len(first_pass)  # the shared texts repeat some stories
    assert len(set(texts)) == len(texts) == len(sources) + 2000


def test_a_seed_gives_the_same_files_and_a_smaller_corpus_is_a_prefix(sources, tmp_path, corpus):
    big = build(len(sources) + 300, tmp_path / "a", seed=3, sample=150, corpus=corpus)
    again = build(len(sources) + 300, tmp_path / "b", seed=3, sample=150, corpus=corpus)
    assert big["files"] == again["files"] == 151 and big["stride"] == (len(sources) + 300) // 150
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    prefix = [t for _, t in documents(sources, len(sources) + 300, seed=3)][: len(sources) + 10]
    smaller = [t for _, t in documents(sources, len(sources) + 10, seed=3)]
    assert smaller == prefix
    other = [t for _, t in documents(sources, len(sources) + 10, seed=4)]
    assert other[-10:] != smaller[-10:] and sorted(other) != sorted(smaller)


def test_mixed_documents_keep_the_source_lengths(sources):
    mixed = [text for i, text in documents(sources, len(sources) + 2000, seed=1) if i >= len(sources)]
    source_median = sorted(s.length for s in sources)[len(sources) // 2]
    mixed_median = sorted(map(len, mixed))[len(mixed) // 2]
    assert 0.7 * source_median < mixed_median < 1.6 * source_median


def _digests(folder):
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in files(folder)]
