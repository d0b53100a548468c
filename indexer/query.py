"""Parsing the search box's query language into a bounded Whoosh query.

Terms, AND/OR/NOT, "phrases", field:value, wildcards, fuzzy~N and date ranges. Any string is
either parsed or rejected with :class:`QueryError`; expensive constructs are capped so that no
query can hang the search.
"""

import re
from itertools import islice

from whoosh import qparser, query
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.reading import IndexReader

from indexer.errors import QueryError

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 200
MAX_EXPANSIONS = 2000
MAX_FUZZY_DISTANCE = 2
MAX_SLOP = 20

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_DATE_CLAUSE = re.compile(r"\bdate:(\[[^\]]*\]|\S+)", re.I)
#: Schema field -> other names a user may type for it.
FIELD_ALIASES = {
    "source": ["site"],
    "tag": ["tags"],
    "note": ["notes"],
    "kind": ["type"],
    "jurisdiction": ["jurisdictions"],
    "stance": ["stances"],
}

#: (example, meaning) pairs: the search box's help popup and ``dossier search --help``.
SYNTAX_EXAMPLES = [
    ("omaha police", "both words (AND is implied)"),
    ("omaha OR denver", "either word"),
    ("raids NOT schools", "exclude a word"),
    ('"will not participate"', "exact phrase"),
    ("title:sanctuary", "word in the title"),
    ("note:raids", "word in your annotations' notes"),
    ("kind:pdf  year:2025", "a kind, a year (also author:smith, source:npr)"),
    ("enforc*", "wildcard (at least 2 letters before *)"),
    ("denvr~", "fuzzy: words within 1 edit (~2 for 2 edits)"),
    ("date:2025-01", "a month (or a year, or a day)"),
    ("date:[2025-01-01 to 2025-03-31]", "a date range; date:>2024 after 2024"),
]
SYNTAX_HELP = "".join(f"{example:34}{meaning}\n" for example, meaning in SYNTAX_EXAMPLES)


def parse_query(text: str, schema, default_fields: list[str]) -> query.Query:
    """Parse ``text`` into a Whoosh query, or raise QueryError saying what to fix."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text)} characters, limit {MAX_QUERY_CHARS})")
    text = _balance(_DATE_CLAUSE.sub(_iso_to_compact, text.strip()))
    if not text:
        return query.Every()
    date_errors: list[str] = []
    parser = qparser.MultifieldParser(default_fields, schema, fieldboosts={"title": 2.0})
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(DateParserPlugin(free=False, callback=date_errors.append))
    try:
        parsed = parser.parse(text)
    except Exception as exc:
        raise QueryError(f"could not understand the query: {exc}") from exc
    if date_errors:
        raise QueryError(
            f"{date_errors[0]!r} is not a date: use 2025, 2025-01, 2025-01-31 "
            "or a range like date:[2025-01-01 to 2025-03-31]"
        )
    if parsed is query.NullQuery:
        raise QueryError("could not understand the query: check AND / OR / NOT, quotes and parentheses")
    return _bounded(parsed)


def check_expansions(parsed: query.Query, reader: IndexReader) -> None:
    """Reject wildcard and fuzzy terms that would expand to too many index words."""
    for node in _leaves(parsed):
        if isinstance(node, (query.Wildcard, query.Prefix, query.FuzzyTerm, query.Regex)):
            words = list(islice(node._btexts(reader), MAX_EXPANSIONS + 1))
            if len(words) > MAX_EXPANSIONS:
                raise QueryError(f"{node.text!r} matches too many different words; add more letters")


def _bounded(parsed: query.Query) -> query.Query:
    leaves = list(_leaves(parsed))
    if len(leaves) > MAX_CLAUSES:
        raise QueryError(f"the query has too many parts ({len(leaves)}, limit {MAX_CLAUSES})")
    for node in leaves:
        if isinstance(node, query.FuzzyTerm):
            node.maxdist = min(node.maxdist, MAX_FUZZY_DISTANCE)
            # at least 1 (bounds the expansion), at most the word (Whoosh indexes past its end: "a~/9")
            node.prefixlength = min(max(node.prefixlength, 1), len(node.text))
        elif isinstance(node, (query.Wildcard, query.Prefix)):
            literal = re.split(r"[*?]", node.text, maxsplit=1)[0]
            if len(literal) < 2 and node.fieldname in ("title", "body"):
                raise QueryError(f"{node.text!r}: put at least 2 letters before a wildcard")
        elif isinstance(node, query.Phrase):
            node.slop = min(node.slop, MAX_SLOP)
    return parsed


def _leaves(node: query.Query):
    if node.is_leaf():
        yield node
    else:
        for child in node.children():
            yield from _leaves(child)


def _iso_to_compact(match: re.Match) -> str:
    def compact(m: re.Match) -> str:
        year, month, day = m.group(1), m.group(2).zfill(2), m.group(3)
        return year + month + (day.zfill(2) if day else "")

    return "date:" + _ISO_DATE.sub(compact, match.group(1))


def _balance(text: str) -> str:
    """Close an open quote and parentheses, drop stray ')', so typing never yields nothing."""
    if text.count('"') % 2:
        text += '"'
    out, depth, quoted = [], 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "(" and not quoted:
            depth += 1
        elif char == ")" and not quoted:
            if depth == 0:
                continue
            depth -= 1
        out.append(char)
    return "".join(out) + ")" * depth
