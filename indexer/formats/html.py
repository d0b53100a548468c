"""Saved web pages: the main article text and its metadata, via trafilatura (never fetches anything)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

import lxml.html
import trafilatura
from lxml.etree import ParserError, _Element

from indexer.decode import decode_text, sniff_html_charset
from indexer.errors import ExtractionError
from indexer.types import Extracted

# Break markers in the flattened text; the input is cleaned of control characters first.
_PARA, _LINE, _CELL = "\x1e", "\x1f", "\x1d"

# trafilatura's output tags and HTML tags that start a paragraph, a line, or a table cell.
_PARA_TAGS = frozenset(
    (
        *("p", "head", "quote", "list", "table", "div", "ab", "figure", "note", "pre"),
        *(
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "ul",
            "ol",
            "dl",
            "address",
        ),
        *("article", "aside", "body", "caption", "details", "dialog", "fieldset"),
        *("figcaption", "footer", "form", "header", "hgroup", "hr", "main", "nav"),
        *("section", "summary"),
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
_BREAKS = re.compile(
    rf"[ \t{_PARA}{_LINE}{_CELL}]*[{_PARA}{_LINE}{_CELL}][ \t{_PARA}{_LINE}{_CELL}]*"
)
_EDGES = f" \t{_PARA}{_LINE}{_CELL}"

_METADATA_FIELDS = ("url", "description", "categories", "tags", "license")


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Main text and metadata of a saved HTML page; ExtractionError if the page holds no text."""
    del passwords  # pages are never encrypted
    tree = _parse(decode_text(data, sniff_html_charset(data)))
    text = _main_text(tree) or _visible_text(tree)
    if not text:
        raise ExtractionError("no text found in this HTML page")
    meta = trafilatura.extract_metadata(tree)
    return Extracted(
        text=text,
        title=_clean(meta.title or "") or _page_title(tree),
        author=_clean(meta.author or ""),
        published=_date(meta.date),
        site=_clean(meta.sitename or ""),
        metadata={
            name: _clean(", ".join(value) if isinstance(value, list) else value)
            for name in _METADATA_FIELDS
            if (value := getattr(meta, name))
        },
    )


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


def _parse(markup: str) -> lxml.html.HtmlElement:
    """Parse decoded markup; the charset is already settled, so any ``<meta charset>`` is ignored."""
    parser = lxml.html.HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        default_doctype=False,
    )
    try:
        return lxml.html.document_fromstring(
            _CONTROL.sub("", markup).encode("utf-8"), parser=parser
        )
    except ParserError as err:  # "Document is empty"
        raise ExtractionError("no text found in this HTML page") from err


def _visible_text(tree: lxml.html.HtmlElement) -> str:
    """All text a browser would show in the page body, for pages trafilatura finds no article in."""
    body = tree.find("body")
    if body is None:
        return ""
    body = _copy(body)
    for element in body.iter(*_INVISIBLE_TAGS):
        element.drop_tree()
    return _flatten(body)


def _copy(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(lxml.html.tostring(element, encoding="unicode"))


def _flatten(root: _Element) -> str:
    """Text of an element tree: blocks become paragraphs, list items and rows lines, cells ``|``."""
    pieces: list[str] = []
    _walk(root, pieces, preformatted=False)
    text = "".join(pieces).strip(_EDGES)
    text = _BREAKS.sub(_break, text)
    return _clean_block(text)


def _walk(element: _Element, pieces: list[str], preformatted: bool) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    code_block = tag == "code" and "\n" in element.xpath("string()").strip()
    inner = preformatted or tag == "pre" or code_block
    if tag in _PARA_TAGS or code_block:
        mark = _PARA
    else:
        mark = _LINE if tag in _LINE_TAGS else _CELL if tag in _CELL_TAGS else ""
    pieces.append(mark)
    if tag:  # comments and processing instructions contribute only their tail
        pieces.append(_text(element.text, inner))
        for child in element:
            _walk(child, pieces, inner)
    pieces.append(mark if mark != _CELL else "")
    pieces.append(_text(element.tail, preformatted))


def _text(text: str | None, preformatted: bool) -> str:
    if not text:
        return ""
    return _NEWLINE.sub(_LINE, text) if preformatted else _SPACE.sub(" ", text)


def _break(match: re.Match[str]) -> str:
    run = match.group()
    return "\n\n" if _PARA in run else "\n" if _LINE in run else " | "


def _clean_block(text: str) -> str:
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _clean(value: str) -> str:
    return _SPACE.sub(
        " ", _CONTROL.sub("", unicodedata.normalize("NFC", value))
    ).strip()


def _page_title(tree: lxml.html.HtmlElement) -> str:
    """``<title>``, else ``og:title``."""
    for found in (
        tree.findtext(".//title"),
        *tree.xpath('//meta[@property="og:title"]/@content'),
    ):
        title = _clean(found or "")
        if title:
            return title
    return ""


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
