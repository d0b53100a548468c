"""Parsing the search box's query language into a bounded Whoosh query.

Terms, AND/OR/NOT, ``-word`` and ``+word``, "phrases", field:value, wildcards, fuzzy~N and date ranges.
A part of a query that cannot be understood (an unknown field, an empty one, a date that does not exist,
a stray parenthesis) is left out and a warning in plain words says so, while the rest still runs; only
what cannot run at all (too long, too expensive) raises :class:`QueryError`.
"""

import calendar
import difflib
import re
from dataclasses import dataclass

from whoosh import fields, qparser, query
from whoosh.qparser import syntax
from whoosh.qparser.dateparse import DateParserPlugin

from indexer.errors import QueryError
from indexer.extract import KINDS

MAX_QUERY_CHARS = 1000
_BROKEN = re.compile("[\ud800-\udfff]")  # lone surrogates: Python's stand-ins for bytes that are not UTF-8
MAX_CLAUSES = 200
MAX_EXPANSIONS = 2000
MAX_FUZZY_DISTANCE = 2
MAX_SLOP = 20
#: A word of the query found in the title adds half a body match: the title is also the text's first line
#: (text files, most articles), and 2.0 or even 1.0 ranked headlines that only name a word above the
#: stories about it (bench/relevance.py).
FIELD_BOOSTS = {"title": 0.5, "file": 0.2}  # a file name says what a document is, weakly


@dataclass(frozen=True)
class Field:
    """A field a query may name, the other spellings it accepts, and an example for the help."""

    name: str
    aliases: tuple[str, ...]
    example: str
    meaning: str


#: Every field of the query language, in the order the help lists them (the help popup and
#: ``dossier search --help`` both print this list).
FIELDS = (
    Field("title", (), "title:sanctuary", "a word in the title"),
    Field("body", ("text",), "body:raids", "a word in the document's text"),
    Field("note", ("notes",), "note:raids", "a word in your annotations' notes"),
    Field("author", (), "author:smith", "the author"),
    Field("source", ("site",), "source:npr", "the publisher or site"),
    Field("file", ("filename",), "file:loudoun", "a word in the file's name"),
    Field("kind", ("type",), "kind:pdf", "the kind of file: " + ", ".join(sorted(set(KINDS.values())))),
    Field("year", (), "year:2025", "the year of publication"),
    Field("date", (), "date:2025-01", "a year, month or day; date:[2025-01-01 to 2025-03-31], date:>2024"),
    Field("jurisdiction", ("jurisdictions",), "jurisdiction:nebraska", "tagged with a place or a place inside it"),
    Field("jurisdiction", (), "jurisdiction:federal", "tagged with the federal government itself"),
    Field("jurisdiction", (), "jurisdiction:us", "tagged with anything in the United States"),
    Field("stance", ("stances",), 'stance:"opposes enforcement"', "a stance: its label, id, or vocabulary/id"),
    Field("tag", ("tags",), "tag:follow-up", "an annotation's tag"),
    Field("from", (), "from:jones", "an email's sender"),
    Field("to", (), "to:smith@example.org", "an email's recipients"),
    Field("cc", (), "cc:smith", "an email's copy recipients"),
    Field("subject", (), "subject:agreement", "an email's subject"),
    Field("status", (), "status:needs-ocr", "status:needs-ocr (scanned pages not read yet), status:ocr (read by OCR)"),
)
#: Spellings a user may type -> schema field.
FIELD_NAMES = {spelling: f.name for f in FIELDS for spelling in (f.name, *f.aliases)}

#: (example, meaning) pairs of the operators, then one per field.
SYNTAX_EXAMPLES = [
    ("omaha police", "both words (AND is implied)"),
    ("omaha OR denver", "either word"),
    ("raids -schools", "leave out a word (also: raids NOT schools)"),
    ("raids +schools", "require a word (every word is required already; + is accepted)"),
    ('"will not participate"', "exact phrase"),
    ("enforc*", "wildcard (at least 2 letters before *)"),
    ("denvr~", "fuzzy: words within 1 edit (~2 for 2 edits)"),
    *((f.example, f.meaning) for f in FIELDS),
]
SYNTAX_HELP = "".join(f"{example:34}{meaning}\n" for example, meaning in SYNTAX_EXAMPLES)

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_DATE_CLAUSE = re.compile(r"\bdate:(\[[^\]]*\]|\S+)", re.I)
_NOT = r"(^|(?<=[\s(]))(NOT(?=\s)|-(?=[^\s\-]))"
_PLUS = re.compile(r"(^|(?<=[\s(]))\+(?=[^\s+])")
_DATE_FORMS = "write 2025, 2025-01, 2025-01-31 or a range like date:[2025-01-01 to 2025-03-31]"


@dataclass(frozen=True)
class ParsedQuery:
    """A bounded Whoosh query and the warnings about the parts of the text that were left out."""

    query: query.Query
    warnings: tuple[str, ...] = ()


def parse_query(text: str, schema, default_fields: list[str]) -> ParsedQuery:
    """Parse ``text``; what cannot be understood is left out with a warning, QueryError if nothing can run."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text)} characters, limit {MAX_QUERY_CHARS})")
    if _BROKEN.search(text):
        raise QueryError("the query holds a character that is not text (half of a pair); retype it")
    warnings: list[str] = []
    text = _PLUS.sub("", _balance(_dates(text.strip(), warnings), warnings))
    if not text.strip():
        return ParsedQuery(query.Every(), tuple(warnings))
    date_errors: list[str] = []
    parser = qparser.MultifieldParser(default_fields, schema, fieldboosts=FIELD_BOOSTS)
    parser.replace_plugin(qparser.OperatorsPlugin(Not=_NOT))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(_FieldCheck(schema, warnings))
    parser.add_plugin(DateParserPlugin(free=False, callback=date_errors.append))
    try:
        parsed = _simplified(parser.parse(text), schema, warnings)
    except Exception as exc:
        raise QueryError(f"could not understand the query: {exc}") from exc
    warnings += [f"“{bad}” is not a date, so it was left out: {_DATE_FORMS}." for bad in date_errors]
    if parsed is query.NullQuery:
        if not warnings:
            raise QueryError("could not understand the query: check AND / OR / NOT, quotes and parentheses")
        parsed = query.Every()
    return ParsedQuery(_bounded(parsed), tuple(dict.fromkeys(warnings)))


class _FieldCheck(qparser.Plugin):
    """Before Whoosh assigns fields: field names in any case and spelling, and a warning (the part left
    out) for an unknown field, a field with nothing after it, and a kind no file has."""

    def __init__(self, schema, warnings: list[str]) -> None:
        self.schema = schema
        self.warnings = warnings

    def filters(self, parser):
        return [(self.check, 80)]

    def check(self, parser, group):
        out = group.empty_copy()
        nodes = list(group)
        skip = False
        for i, node in enumerate(nodes):
            if skip:  # the value of a field left out
                skip = False
                continue
            if isinstance(node, syntax.GroupNode):
                node = self.check(parser, node)
            elif isinstance(node, syntax.FieldnameNode):
                node = self._field(node, nodes[i + 1] if i + 1 < len(nodes) else None)
                skip = isinstance(node, syntax.WordNode) and not node.text
            if node is not None:
                out.append(node)
        return out

    def _field(self, node, following):
        """The field node to keep (named as the schema names it), an ErrorNode that leaves its clause
        out, or None to search its value in the default fields."""
        typed = node.fieldname
        if typed.isdigit() or (isinstance(following, syntax.WordNode) and following.text.startswith("/")):
            return node  # 10:30, https://...: words, as Whoosh reads them
        name = FIELD_NAMES.get(typed.lower(), typed.lower())
        if name not in self.schema:
            self.warnings.append(
                f"There is no field “{typed}”{_did_you_mean(typed.lower(), FIELD_NAMES)}, so its words were "
                f"searched everywhere. Fields: {_field_list()}."
            )
            return None
        if following is None or following.is_ws() or (following.has_text and not following.text.strip()):
            self.warnings.append(f"“{typed}:” has nothing after it, so it was left out: write {name}:word.")
            return _left_out(node)
        if name == "date" and isinstance(following, qparser.PhrasePlugin.PhraseNode):
            self.warnings.append(f"“{following.text}” is not a date, so it was left out: {_DATE_FORMS}.")
            return _left_out(node)
        if name == "kind" and isinstance(following, (syntax.WordNode, qparser.PhrasePlugin.PhraseNode)):
            kinds = sorted(set(KINDS.values()))
            if following.text.lower() not in kinds:
                self.warnings.append(
                    f"No file is of kind “{following.text}”{_did_you_mean(following.text.lower(), kinds)}, so it was "
                    f"left out. Kinds: {', '.join(kinds)}."
                )
                return _left_out(node)
        node.fieldname = name
        return node


def _simplified(parsed: query.Query, schema, warnings: list[str]) -> query.Query:
    """The query with its costly or unrunnable leaves rewritten: ``*`` and ``field:*`` as every document
    (Whoosh would walk every word of the field), a "phrase" of a keyword field (``tag:"x,y"``, which has no
    positions) as all its values, a date term that is no date (``date:("``) left out with a warning, and the
    parts left out dropped (Whoosh's date plugin makes its own copies of NullQuery, which ``normalize`` does
    not recognise)."""
    null = type(query.NullQuery)

    def simpler(node: query.Query) -> query.Query:
        if isinstance(node, null):
            return query.NullQuery
        if isinstance(node, query.Term) and not _convertible(schema[node.fieldname], node.text):
            warnings.append(f"“{node.fieldname}:{node.text}” is not a date, so it was left out: {_DATE_FORMS}.")
            return query.NullQuery
        if isinstance(node, query.Every):
            return query.Every()
        if isinstance(node, query.Phrase) and not schema[node.fieldname].format.supports("positions"):
            return query.And([query.Term(node.fieldname, word) for word in node.words])
        return node

    return parsed.accept(simpler).normalize()


def _convertible(field, text) -> bool:
    """Whether Whoosh can turn ``text`` into the field's stored form (a date field raises a bare Exception)."""
    if not isinstance(field, fields.DATETIME):
        return True
    try:
        field.to_bytes(text)
    except Exception:  # Whoosh raises Exception itself for a date it cannot read
        return False
    return True


def _left_out(node) -> syntax.WordNode:
    """A word with no text in place of a field clause: it searches nothing and drops out of the query."""
    word = syntax.WordNode("")
    word.startchar, word.endchar = node.startchar, node.endchar
    return word


def _did_you_mean(typed: str, known) -> str:
    close = difflib.get_close_matches(typed, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _field_list() -> str:
    return ", ".join(dict.fromkeys(f.name for f in FIELDS))


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


def _dates(text: str, warnings: list[str]) -> str:
    """ISO dates in ``date:`` clauses as the compact form Whoosh parses; a clause naming a month or day
    that does not exist is left out with a warning."""

    def clause(match: re.Match) -> str:
        problems = [p for m in _ISO_DATE.finditer(match.group(1)) if (p := _impossible(m))]
        if problems:
            warnings.append(f"“{match.group(0)}” was left out: {problems[0]}.")
            return ""
        return "date:" + _ISO_DATE.sub(_compact, match.group(1))

    return _DATE_CLAUSE.sub(clause, text)


def _impossible(m: re.Match) -> str:
    """Why an ISO date names a month or day that does not exist ('' when it exists)."""
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return f"month {month} does not exist"
    if m.group(3) is not None:
        day, last = int(m.group(3)), calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return f"{calendar.month_name[month]} {year} has no day {day}"
    return ""


def _compact(m: re.Match) -> str:
    year, month, day = m.group(1), m.group(2).zfill(2), m.group(3)
    return year + month + (day.zfill(2) if day else "")


def _balance(text: str, warnings: list[str]) -> str:
    """Close an open quote and parentheses, drop a stray ')', each with a warning, so typing never yields
    nothing."""
    if text.count('"') % 2:
        warnings.append("A quotation mark was not closed, so the phrase runs to the end of the query.")
        text += '"'
    out, depth, quoted = [], 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "(" and not quoted:
            depth += 1
        elif char == ")" and not quoted:
            if depth == 0:
                warnings.append("A “)” had no “(” before it, so it was left out.")
                continue
            depth -= 1
        out.append(char)
    if depth:
        warnings.append("A “(” was not closed, so it was closed at the end of the query.")
    return "".join(out) + ")" * depth
