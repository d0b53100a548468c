"""Text a .docx keeps outside its paragraphs: altChunk parts (HTML, MHT, plain text) and charts;
and, for a document with no text at all, what it holds instead."""

import email
import email.policy
from email.message import EmailMessage

from lxml import etree

from indexer.decode import decode_text, sniff_html_charset
from indexer.formats.html import html_to_text

_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_OLE_TYPE = "application/vnd.openxmlformats-officedocument.oleObject"


def alt_chunk_text(document_part, element) -> str:
    """The text of the part a w:altChunk points to; '' for a kind it cannot read or a broken link."""
    part = _related(document_part, element.get(_R_ID))
    if part is None:
        return ""
    kind = part.content_type.split(";")[0].strip().lower()
    blob = part.blob
    if kind in ("text/html", "application/xhtml+xml"):
        return html_to_text(decode_text(blob, sniff_html_charset(blob)))
    if kind in ("message/rfc822", "multipart/related", "application/x-mimearchive"):
        return _mht_text(blob)
    if kind == "text/plain":
        return decode_text(blob)
    return ""


def chart_text(document_part, block) -> list[str]:
    """Titles, series and category names of every chart drawn in ``block``, in order."""
    texts = []
    for chart in block.iter(_C + "chart"):
        part = _related(document_part, chart.get(_R_ID))
        if part is None:
            continue
        try:
            root = etree.fromstring(part.blob, _XML)
        except etree.XMLSyntaxError:
            continue
        words = []
        for node in root.iter(_A + "t", _C + "v"):
            if node.tag == _C + "v" and not any(a.tag == _C + "strCache" for a in node.iterancestors()):
                continue  # numbers of a data series, not words
            value = " ".join((node.text or "").split())
            if value and value not in words:
                words.append(value)
        if words:
            texts.append("\n".join(words))
    return texts


def no_text_reason(document) -> str:
    """Why a document without text holds nothing to import, in the words a user can act on."""
    parts = list(document.part.package.iter_parts())
    objects = sum(1 for p in parts if p.content_type == _OLE_TYPE)
    pictures = sum(1 for p in parts if p.content_type.startswith("image/"))
    if objects:
        return (
            f"the Word document holds only embedded objects ({objects}), no text of its own: "
            "open it in Word and save the objects as files to import them"
        )
    if pictures:
        return "the Word document holds only pictures: no text to import (scan it to PDF/PNG for OCR)"
    return "the Word document is empty: it contains no text"


def _related(document_part, rid: str | None):
    if not rid:
        return None
    try:
        return document_part.related_parts[rid]
    except KeyError:
        return None


def _mht_text(blob: bytes) -> str:
    message = email.message_from_bytes(blob, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        return ""
    for part in message.walk():
        if part.get_content_type() in ("text/html", "text/plain") and not part.is_multipart():
            payload = part.get_payload(decode=True) or b""
            text = decode_text(payload, part.get_content_charset())
            return html_to_text(text) if part.get_content_type() == "text/html" else text
    return ""
