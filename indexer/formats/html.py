"""Saved web pages: the main article text and its metadata, via trafilatura (never fetches anything)."""

from __future__ import annotations

import copy
import html.parser
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

import lxml.html
import trafilatura
from lxml.etree import ParserError, _Element, iterwalk

from indexer.decode import decode_text, sniff_html_charset
from indexer.errors import ExtractionError
from indexer.formats.cleanup import normalize_text
from indexer.types import Extracted

# Break markers in the flattened text; the input is cleaned of control characters first.
_PARA, _LINE, _CELL = "\x1e", "\x1f", "\x1d"

# trafilatura's output tags and HTML tags that start a paragraph, a line, or a table cell.
_PARA_TAGS = frozenset(
    (
        *("p", "head", "quote", "list", "table", "div", "ab", "figure", "note", "pre"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "dl"),
        *("address", "article", "aside", "body", "caption", "details", "dialog"),
        *("fieldset", "figcaption", "footer", "form", "header", "hgroup", "hr"),
        *("main", "nav", "section", "summary"),
    )
)
_LINE_TAGS = frozenset(("item", "row", "lb", "li", "tr", "dt", "dd", "br"))
_CELL_TAGS = frozenset(("cell", "td", "th"))
_INVISIBLE_TAGS = (
    *("head", "script", "style", "noscript", "template", "svg", "math", "iframe"),
    *("object", "embed", "canvas", "select", "button"),
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff]")
_SPACE = re.compile(r"\s+")
_NEWLINE = re.compile(r"\r\n?|\n")
_BREAKS = re.compile(rf"[ \t{_PARA}{_LINE}{_CELL}]*[{_PARA}{_LINE}{_CELL}][ \t{_PARA}{_LINE}{_CELL}]*")
_EDGES = f" \t{_PARA}{_LINE}{_CELL}"

# Elements a browser does not show. Dropped before extraction, except one holding most (_MOST) of
# the page's text: a page hidden until its scripts run, or saved while a dialog hid the rest.
_HIDDEN = (
    "//*[@hidden] | //*[@aria-hidden='true']"
    " | //*[contains(translate(@style, ' ', ''), 'display:none')]"
    " | //*[contains(translate(@style, ' ', ''), 'visibility:hidden')]"
)
_MOST = 0.8
_TEXT_NODES = ".//text()[not(ancestor::script or ancestor::style)]"

_METADATA_FIELDS = ("url", "description", "categories", "tags", "license")


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Main text and metadata of a saved HTML page; ExtractionError if the page holds no text."""
    markup = _CONTROL.sub("", decode_text(data, sniff_html_charset(data)))
    tree, cut = _parse(markup)
    if cut:  # nested past libxml2's depth limit, which drops everything deeper
        text = _streamed_text(markup)
    else:
        shown = _without_hidden(tree)
        text = _main_text(shown) or _visible_text(shown) or _visible_text(tree)
    if not text:
        raise ExtractionError("no text found in this HTML page")
    meta = trafilatura.extract_metadata(tree)
    return Extracted(
        text=text,
        title=_title(_clean(meta.title or ""), tree),
        author=_clean(meta.author or ""),
        published=_date(meta.date),
        site=_clean(meta.sitename or ""),
        metadata={
            name: _clean(", ".join(value) if isinstance(value, list) else value)
            for name in _METADATA_FIELDS
            if (value := getattr(meta, name))
        },
    )


def html_to_text(markup: str) -> str:
    """All visible text of an HTML fragment or page (an email's HTML body), without trafilatura's
    article guess, which would drop a short message as boilerplate; '' when it holds none."""
    markup = _CONTROL.sub("", markup)
    try:
        tree, cut = _parse(markup)
    except ExtractionError:
        return ""
    return _streamed_text(markup) if cut else _visible_text(_without_hidden(tree)) or _visible_text(tree)


def _main_text(tree: lxml.html.HtmlElement) -> str:
    """The article as trafilatura sees it (it works on its own copy of the tree)."""
    document = trafilatura.bare_extraction(
        tree,
        include_comments=False,
        include_tables=True,
        include_formatting=False,
        include_images=False,
        include_links=False,
    )
    return _flatten(document.body) if document is not None else ""


def _parse(markup: str) -> tuple[lxml.html.HtmlElement, bool]:
    """Parse decoded markup (the charset is already settled, so any ``<meta charset>`` is ignored), and
    whether libxml2 cut the tree at its nesting limit (2048, even for a huge tree)."""
    parser = lxml.html.HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        default_doctype=False,
        huge_tree=True,  # unclosed tags in old pages nest deeper than libxml2's default limit
    )
    try:
        tree = lxml.html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except ParserError as err:  # "Document is empty"
        raise ExtractionError("no text found in this HTML page") from err
    return tree, any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


class _TextStream(html.parser.HTMLParser):
    """Every visible word of a page, read as a stream of tags (so no nesting depth is too deep)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.hidden = 0  # open invisible elements (script, style, ...)

    def handle_starttag(self, tag: str, attrs) -> None:
        self.hidden += tag in _INVISIBLE_TAGS
        self.pieces.append(_mark(tag))

    def handle_endtag(self, tag: str) -> None:
        self.hidden = max(self.hidden - (tag in _INVISIBLE_TAGS), 0)
        self.pieces.append(_mark(tag) if tag not in _CELL_TAGS else "")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.pieces.append(_SPACE.sub(" ", data))


def _streamed_text(markup: str) -> str:
    stream = _TextStream()
    stream.feed(markup)
    stream.close()
    return normalize_text(_BREAKS.sub(_break, "".join(stream.pieces).strip(_EDGES)))


def _mark(tag: str) -> str:
    return _PARA if tag in _PARA_TAGS else _LINE if tag in _LINE_TAGS else _CELL if tag in _CELL_TAGS else ""


def _without_hidden(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of the page without the elements matched by ``_HIDDEN``."""
    shown = copy.deepcopy(tree)
    total = _text_length(shown)
    for element in shown.xpath(_HIDDEN):
        if element.getparent() is not None and _text_length(element) < _MOST * total:
            element.drop_tree()
    return shown


def _text_length(element: _Element) -> int:
    return sum(len(text.strip()) for text in element.xpath(_TEXT_NODES))


def _visible_text(tree: lxml.html.HtmlElement) -> str:
    """All text in the page body but scripts and such, for pages trafilatura finds no article in."""
    body = tree.find("body")
    if body is None:
        return ""
    body = copy.deepcopy(body)
    for element in list(body.iter(*_INVISIBLE_TAGS)):
        element.drop_tree()
    return _flatten(body)


def _flatten(root: _Element) -> str:
    """Text of an element tree: blocks become paragraphs, list items and rows lines, cells ``|``."""
    pieces: list[str] = []
    open_marks: list[tuple[str, bool]] = []  # per open element: its break mark, whether inside <pre>
    for event, element in iterwalk(root, events=("start", "end")):
        inside_pre = bool(open_marks) and open_marks[-1][1]
        if event == "start":
            tag = element.tag if isinstance(element.tag, str) else ""
            code_block = tag == "code" and "\n" in element.xpath("string()").strip()
            mark = _PARA if code_block else _mark(tag)
            open_marks.append((mark, inside_pre or tag == "pre" or code_block))
            pieces.append(mark)
            if tag:  # comments and processing instructions contribute only their tail
                pieces.append(_text(element.text, open_marks[-1][1]))
        else:
            mark, _ = open_marks.pop()
            pieces.append(mark if mark != _CELL else "")
            if element is not root:
                pieces.append(_text(element.tail, bool(open_marks) and open_marks[-1][1]))
    text = "".join(pieces).strip(_EDGES)
    return normalize_text(_BREAKS.sub(_break, text))


def _text(text: str | None, preformatted: bool) -> str:
    if not text:
        return ""
    return _NEWLINE.sub(_LINE, text) if preformatted else _SPACE.sub(" ", text)


def _break(match: re.Match[str]) -> str:
    run = match.group()
    return "\n\n" if _PARA in run else "\n" if _LINE in run else " | "


def _clean(value: str) -> str:
    return _SPACE.sub(" ", _CONTROL.sub("", unicodedata.normalize("NFC", value))).strip()


def _title(found: str, tree: lxml.html.HtmlElement) -> str:
    """trafilatura's title unless it is a guess from a heading (often a site banner) that the
    page's own ``<title>`` does not bear out; then ``<title>``, else ``og:title``."""
    page = _clean(tree.findtext(".//title") or "")
    og_title = _clean("".join(tree.xpath('//meta[@property="og:title"][1]/@content')))
    if not found or (page and found.casefold() in page.casefold()):
        return found or page or og_title
    declared = tree.xpath('//meta/@content | //script[@type="application/ld+json"]/text()')
    if any(found in _clean(str(text)) for text in declared):
        return found
    return page or og_title or found


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
