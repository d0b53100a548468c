"""Untrusted HTML made safe to show: simple self-contained markup that references nothing to load.

Runs in a sandboxed worker (see :mod:`indexer.sandbox`), so it stays free of Qt. Scripts, styles,
forms, frames, embedded objects and every attribute but a few layout ones go; images become
textual placeholders; links keep only ``http``, ``https`` and ``mailto`` targets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import lxml.html
from lxml.etree import ParserError
from lxml_html_clean import Cleaner

from indexer.decode import decode_text, sniff_html_charset
from indexer.errors import ExtractionError
from indexer.formats import markdown
from indexer.types import Extracted

MAX_BYTES = 20 * 1024 * 1024

# Tags kept (their attributes too, if in _ATTRIBUTES); any other tag is dropped and its content kept.
_ALLOWED = frozenset(
    (
        *("html", "body", "div", "span", "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code", "kbd", "samp", "var", "tt"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
        *("a", "b", "strong", "i", "em", "u", "s", "strike", "del", "ins", "cite", "q", "dfn", "abbr"),
        *("small", "big", "sub", "sup"),
    )
)
# Tags removed with everything inside them, beyond what the Cleaner's switches remove.
_KILLED = ("title", "noscript", "template", "svg", "math", "canvas", "video", "audio", "iframe", "base")
# HTML5 blocks that Qt's rich text does not know: shown as <div> so their text is not run together.
_BLOCKS = (
    *("article", "section", "main", "header", "footer", "nav", "aside", "figure", "figcaption"),
    *("details", "summary", "address", "hgroup", "dialog", "fieldset", "legend", "center"),
)
_ATTRIBUTES = frozenset(("href", "colspan", "rowspan", "start", "dir"))
_LINK_SCHEMES = frozenset(("http", "https", "mailto"))

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL_BREAKS = re.compile(r"[\t\n\r]")  # browsers drop these anywhere in a URL, and spaces at its ends
_SPACE = re.compile(r"\s+")
_PLACEHOLDER_CHARS = 120

_CLEANER = Cleaner(
    scripts=True,
    javascript=True,
    comments=True,
    style=True,
    inline_style=True,
    links=True,
    meta=True,
    page_structure=False,
    processing_instructions=True,
    embedded=True,
    frames=True,
    forms=True,
    annoying_tags=True,
    kill_tags=_KILLED,
    remove_tags=("head",),  # libxml2 puts body content that comes before any <body> tag in <head>
    allow_tags=_ALLOWED,
    remove_unknown_tags=False,
    safe_attrs_only=True,
    safe_attrs=_ATTRIBUTES,
)


def display(kind: str, data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Sandbox entry point (``ExtractorPool(extractor="indexer.formats.html_sanitize:display")``): a web page, or
    a Markdown file rendered to one, made safe to show."""
    return Extracted(text=sanitize_html(markdown.render_html(data) if kind == "markdown" else data))


def sanitize_html(data: bytes) -> str:
    """A safe HTML document for ``data``, headed by the page title; ExtractionError if unusable."""
    if len(data) > MAX_BYTES:
        raise ExtractionError(
            f"this page is {len(data) / 2**20:.0f} MB, too large to show here (limit {MAX_BYTES // 2**20} MB); "
            "its text can still be searched"
        )
    markup = _CONTROL.sub("", decode_text(data, sniff_html_charset(data)))
    parser = lxml.html.HTMLParser(encoding="utf-8", collect_ids=False, default_doctype=False, huge_tree=True)
    try:
        doc = lxml.html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except ParserError as err:  # "Document is empty"
        raise ExtractionError("this page is empty; there is nothing to show") from err
    title = _SPACE.sub(" ", doc.findtext(".//title") or "").strip()
    _replace_media(doc)
    for element in doc.iter(*_BLOCKS):
        element.tag = "div"
    _CLEANER(doc)
    _keep_safe_links(doc)
    body = _body(doc)
    if title and not _has_heading(body, title):
        heading = lxml.html.Element("h1")
        heading.text = title
        body.insert(0, heading)
    return lxml.html.tostring(doc, encoding="unicode", method="html")


def _replace_media(doc: lxml.html.HtmlElement) -> None:
    """Put ``[image: alt]`` before each image (tracking pixels excepted), then drop the image tag."""
    for element in list(doc.iter("img", "image")):
        if element.get("width") not in ("0", "1") and element.get("height") not in ("0", "1"):
            alt = _SPACE.sub(" ", element.get("alt") or element.get("title") or "").strip()[:_PLACEHOLDER_CHARS]
            marker = lxml.html.Element("i")
            marker.text = f"[image: {alt}]" if alt else "[image]"
            marker.tail = " "
            element.addprevious(marker)
        element.drop_tag()  # keeps any content a stray non-void <image> swallowed


def _keep_safe_links(doc: lxml.html.HtmlElement) -> None:
    """Drop every ``href`` but absolute http(s) and mailto ones on ``<a>``."""
    for element in doc.iter():
        href = element.attrib.pop("href", None) if isinstance(element.tag, str) else None
        if href is not None and element.tag == "a" and (url := _safe_url(href)):
            element.set("href", url)


def _safe_url(href: str) -> str | None:
    url = _URL_BREAKS.sub("", href).strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() not in _LINK_SCHEMES or "\\" in url:
        return None
    if parts.scheme.lower() == "mailto":
        return url if parts.path else None
    return url if parts.hostname else None


def _body(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The ``<body>``, holding what the page had before it (left where ``<head>`` was)."""
    body = doc.find("body")
    if body is None:  # a frameset page, whose frames are gone
        body = lxml.html.Element("body")
        doc.append(body)
    for position, child in enumerate([child for child in doc if child is not body]):
        body.insert(position, child)
    return body


def _has_heading(body: lxml.html.HtmlElement, title: str) -> bool:
    wanted = title.casefold()
    return any(
        _SPACE.sub(" ", heading.text_content()).strip().casefold() == wanted for heading in body.iter("h1", "h2")
    )
