"""Turn the bytes of a text-like file into ``str``, guessing the encoding when it is not UTF-8.

Order: byte order mark; BOM-less UTF-16/32 (told by where its NUL bytes fall); strict UTF-8;
UTF-8 with a few stray Windows-1252 bytes; charset-normalizer's guess, which overrules a
declared charset that does not fit the bytes; Windows-1252 with replacement characters.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels that browsers (WHATWG Encoding standard) read as a superset; codec names as Python spells them.
_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859_1": "cp1252",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
    "tis_620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
}
_UNICODE = {"utf_8", "utf_8_sig", "utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"}

# BOM-less wide encodings: codec, code unit width, offset of the low byte (never NUL in text) and
# offsets of the high bytes (NUL for every ASCII character, so for a good share of any text).
_WIDE = (
    ("utf-32-le", 4, 0, (1, 2, 3)),
    ("utf-32-be", 4, 3, (0, 1, 2)),
    ("utf-16-le", 2, 0, (1,)),
    ("utf-16-be", 2, 1, (0,)),
)

# How much messier than the best guess (charset-normalizer's "chaos", 0 = clean) a declared
# charset, or cp1252 as the most common legacy one, may read and still be preferred. Typographic
# quotes and dashes cost cp1252 about 0.05; a wrong code page reads at 0.15 to over 1.
_MARGIN = 0.1
# Below this many bytes guessing is noise: use the declared charset or cp1252.
_TINY = 16

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode ``data``; ``declared`` is a charset label from metadata, used only if it fits the bytes."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    wide = _sniff_wide(data) if b"\x00" in data else None
    if wide is not None:
        return wide
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mixed = _mostly_utf8(data)
    if mixed is not None:
        return mixed
    encoding = _guess(data, codec_name(declared))
    return data.decode(encoding or "cp1252", errors="replace")


def sniff_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in ``<meta>`` or its XML prolog, if Python knows it."""
    head = data[:4096]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    return codec_name(match.group(1).decode("ascii"))


def codec_name(label: str | None) -> str | None:
    """Python's canonical codec name for a charset label (``"Windows-1252"`` -> ``"cp1252"``), or None."""
    if not label:
        return None
    try:
        return codecs.lookup(label.strip()).name.replace("-", "_")
    except LookupError:
        return None


def _sniff_wide(data: bytes) -> str | None:
    """Decode BOM-less UTF-16/32, recognised by which byte offsets of a code unit hold NULs."""
    sample = data[:4096]
    for encoding, width, low, high in _WIDE:
        units = len(sample) // width
        if units < 2:
            continue
        share = [sample[i : units * width : width].count(0) / units for i in range(width)]
        if share[low] < 0.01 and min(share[i] for i in high) >= 0.1:
            try:
                return data[: len(data) // width * width].decode(encoding)
            except UnicodeDecodeError:
                continue
    return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few stray bytes from another encoding, the strays read as cp1252."""
    text = data.decode("utf-8", errors="surrogateescape")
    stray = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - stray
    if multibyte < 2 * stray:
        return None
    return re.sub(
        "[\udc80-\udcff]+",
        lambda m: m.group().encode("utf-8", errors="surrogateescape").decode("cp1252", errors="replace"),
        text,
    )


def _guess(data: bytes, declared: str | None) -> str | None:
    """charset-normalizer's pick, unless the declared charset (then cp1252) reads the bytes about as cleanly."""
    declared = _SUPERSETS.get(declared, declared) if declared not in _UNICODE else None
    preferred = [encoding for encoding in dict.fromkeys((declared, "cp1252")) if encoding]
    if len(data) < _TINY:
        return next((p for p in preferred if _decodes(data, p)), None)
    has_nul = b"\x00" in data
    # Without any NUL byte, a UTF-16/32 reading of short Latin text is a spurious CJK-looking guess.
    matches = [m for m in from_bytes(data) if has_nul or m.encoding not in _UNICODE]
    if not matches:
        return None
    best = matches[0]
    for encoding in preferred:
        if encoding in best.could_be_from_charset:
            return encoding
        if _decodes(data, encoding) and mess_ratio(data.decode(encoding), 1.0) <= best.chaos + _MARGIN:
            return encoding
    return best.encoding


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True
