"""Markdown files (.md): YAML front matter as metadata, the body rendered to plain text.

The stored text is what a reader sees, not the markup: emphasis and link syntax are dropped,
images are left out (their alt text usually repeats the caption), line breaks are kept as written.
"""

import html
import re
from collections.abc import Sequence

import lxml.etree
import lxml.html
import yaml
from lxml.etree import ParserError
from markdown_it import MarkdownIt
from markdown_it.token import Token

from indexer.decode import decode_text
from indexer.errors import ExtractionError
from indexer.formats.cleanup import normalize_text
from indexer.formats.dates import parse_date
from indexer.types import Extracted

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_BLOCK_TAGS = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "br",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "footer",
}
_PARSER = MarkdownIt("commonmark").enable("table")
# shown as written: a line break in the file is one on screen (notes and clipped articles put a paragraph per line)
_DISPLAY = MarkdownIt("commonmark", {"breaks": True}).enable("table")
#: An indented "code block" that is really markup: saved web articles indent their HTML with tabs.
_INDENTED_HTML = re.compile(r"\A\s*</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^>]*)?/?>")


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Extract a Markdown file with optional YAML front matter."""
    source = decode_text(data).replace("\r\n", "\n").lstrip("\ufeff")
    meta, body = split_front_matter(source)
    text = normalize_text(render_plain(body))
    if not text:
        raise ExtractionError("the Markdown file contains no text")
    # Without a declared title or heading the first line is often an image caption: leave the
    # title empty so the importer names the document after its file.
    title = _scalar(meta.get("title")) or _first_heading(body)
    author = meta.get("author") or meta.get("authors") or ""
    if isinstance(author, list):
        author = ", ".join(str(a) for a in author)
    published = parse_date(meta.get("date") or meta.get("published") or meta.get("published_time"))
    site = _scalar(meta.get("site") or meta.get("source") or meta.get("source_url"))
    extra = {k: _scalar(v) for k, v in meta.items() if isinstance(k, str) and _scalar(v)}
    return Extracted(text=text, title=title, author=str(author).strip(), published=published, site=site, metadata=extra)


def split_front_matter(source: str) -> tuple[dict, str]:
    """Split ``---`` YAML front matter from the body; malformed front matter stays in the body."""
    match = _FRONT_MATTER.match(source)
    if not match:
        return {}, source
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, source
    if not isinstance(meta, dict):
        return {}, source
    return meta, source[match.end() :]


def render_html(data: bytes) -> bytes:
    """A Markdown file as an HTML page to show (front matter left out, its title as the page's title); the
    caller sanitizes it like any untrusted page, since Markdown may carry raw HTML."""
    source = decode_text(data).replace("\r\n", "\n").lstrip("\ufeff")
    meta, body = split_front_matter(source)
    title = html.escape(_scalar(meta.get("title")))
    page = f"<html><head><title>{title}</title></head><body>{_DISPLAY.render(body)}</body></html>"
    return page.encode("utf-8")


def render_plain(body: str) -> str:
    """Render Markdown to plain text: one paragraph per block, list items on their own lines."""
    out: list[str] = []
    prefixes: list[str] = []
    for token in _PARSER.parse(body):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            prefixes.append("- " if token.type == "bullet_list_open" else "1. ")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            prefixes.pop()
            out.append("\n")
        elif token.type == "list_item_open" and prefixes:
            number = token.info or "1"
            out.append(prefixes[-1] if prefixes[-1] == "- " else f"{number}. ")
        elif token.type == "inline":
            out.append(_inline_text(token))
        elif token.type in ("paragraph_close", "heading_close"):
            out.append("\n" if prefixes else "\n\n")
        elif token.type in ("th_close", "td_close"):
            out.append(" | ")
        elif token.type == "tr_close":
            out.append("\n")
        elif token.type == "code_block" and _INDENTED_HTML.match(token.content):
            out.append(_html_text(token.content) + "\n\n")
        elif token.type in ("fence", "code_block"):
            out.append(token.content + "\n\n")
        elif token.type == "html_block":
            out.append(_html_text(token.content) + "\n\n")
    return "".join(out).replace(" | \n", "\n")


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _html_text(fragment: str) -> str:
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return ""
    lxml.etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _first_heading(body: str) -> str:
    match = re.search(r"^#{1,2}[ \t]+(.+?)[ \t#]*$", body, re.M)
    return match.group(1).strip() if match else ""


def _scalar(value: object) -> str:
    if isinstance(value, (str, int, float)) or hasattr(value, "isoformat"):
        return " ".join(str(value).split())
    return ""
