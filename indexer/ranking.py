"""How search ranks: BM25 with the inverse document frequency FTS5 and the BM25 literature use.

Tuned on half of the Reuters topic queries in ``bench/relevance.py`` (the other half held out); see
docs/decisions.md. Whoosh's own idf, ``log(N / (n + 1)) + 1``, gives a word in every document a weight of
about 1, so "the" or "said" reorders hits; here a word in half the documents or more weighs (almost) nothing
in ranking, though a query still requires it and phrases still match it.
"""

from math import log

from whoosh import scoring

#: Length normalisation: Whoosh's and FTS5's 0.75 pushed long, on-topic stories below short mentions.
LENGTH_NORMALISATION = 0.4
#: A floor above zero, so hits of a query of common words alone still rank by how often they hold them.
MIN_IDF = 1e-6


class Ranking(scoring.BM25F):
    """BM25F with the Robertson-Sparck Jones idf ``log((N - n + 0.5) / (n + 0.5))``, floored at MIN_IDF."""

    def __init__(self) -> None:
        super().__init__(B=LENGTH_NORMALISATION)

    def idf(self, searcher, fieldname: str, text) -> float:
        parent = searcher.get_parent()
        n, total = parent.doc_frequency(fieldname, text), parent.doc_count_all()
        return max(MIN_IDF, log((total - n + 0.5) / (n + 0.5)))
