"""Bytes to text: byte order marks, UTF-16/32 without them, legacy code pages, lying declarations."""

from __future__ import annotations

import codecs
import re

import pytest

from indexer.decode import codec_name, decode_text, sniff_html_charset

FRENCH = "Le café était près de la forêt, où nous mangions des crêpes à midi."
RUSSIAN = "Привет, как дела? Это проверка кодировки, и она достаточно длинная."
# UTF-8 read as Latin-1/cp1252 leaves a lead byte (Â Ã Ð Ñ Ø Ù) before a continuation-byte character.
MOJIBAKE = re.compile(
    "[ÂÃÐÑØÙ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u20ac\u2122]"
)


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_byte_order_marks(bom: bytes, encoding: str) -> None:
    assert decode_text(bom + (FRENCH + RUSSIAN).encode(encoding)) == FRENCH + RUSSIAN


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("text", [FRENCH, RUSSIAN, "Hi there"])
def test_wide_encodings_without_byte_order_mark(encoding: str, text: str) -> None:
    assert decode_text(text.encode(encoding)) == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("He said “it’s fine” — and left… for €5.", "cp1252"),
        ("“ok”", "cp1252"),
        (FRENCH, "latin-1"),
        ("café", "latin-1"),
        ("español señor, niño, contratação, não", "latin-1"),
        ("Größere Übungen für Äpfel und Öl, schöne Grüße aus München.", "latin-1"),
        (RUSSIAN, "cp1251"),
        ("Καλημέρα κόσμε, αυτό είναι ένα μικρό κείμενο.", "cp1253"),
        ("Příliš žluťoučký kůň úpěl ďábelské ódy. Hleďte, jak se věci mají.", "cp1250"),
        ("日本語のテキストです。文字コードの判定をテストします。", "shift_jis"),
        ("naïve café — “quotes”", "utf-8"),
        ("", "utf-8"),
    ],
)
def test_undeclared_encodings(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == text


def test_utf8_with_a_few_stray_windows_1252_bytes() -> None:
    data = ("Le café était très agréable. " * 3).encode() + "stray “quote”".encode("cp1252")
    assert decode_text(data) == "Le café était très agréable. " * 3 + "stray “quote”"


def test_declared_charset_decides_between_readings_that_fit_equally() -> None:
    data = "Le prix est de 100 € pour l'année, payé d'avance.".encode("iso-8859-15")
    assert decode_text(data, "ISO-8859-15") == "Le prix est de 100 € pour l'année, payé d'avance."
    assert decode_text(data) == "Le prix est de 100 ¤ pour l'année, payé d'avance."  # cp1252 by default


@pytest.mark.parametrize("declared", ["utf-8", "iso-8859-1", "windows-1252", "utf-16", "no-such-charset"])
def test_declared_charset_that_does_not_fit_is_overruled(declared: str) -> None:
    assert decode_text(RUSSIAN.encode("cp1251"), declared) == RUSSIAN


def test_utf8_wins_over_a_legacy_declaration() -> None:
    assert decode_text("Zürich — “quoted”".encode(), "iso-8859-1") == "Zürich — “quoted”"


def test_bytes_nothing_reads_become_replacement_characters() -> None:
    assert decode_text(b"ok \x81\x9d") == "ok \ufffd\ufffd"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<meta charset="windows-1251">', "cp1251"),
        (b"<META CHARSET=iso-8859-1>", "iso8859_1"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">', "shift_jis"),
        (b'<meta charset="x-no-such-thing">', None),
        (b"<title>no declaration</title>", None),
    ],
)
def test_sniff_html_charset(head: bytes, expected: str | None) -> None:
    assert sniff_html_charset(b"<html><head>" + head + b"</head><body>x</body></html>") == expected


def test_sniff_xml_prolog_first() -> None:
    data = b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<html><head><meta charset="utf-8"></head></html>'
    assert sniff_html_charset(data) == "iso8859_15"


def test_codec_names() -> None:
    assert codec_name("UTF8") == "utf_8"
    assert codec_name(" windows-1252 ") == "cp1252"
    assert codec_name("bogus") is None
    assert codec_name(None) is None


@pytest.mark.parametrize(
    ("path", "phrases"),
    [
        ("html/encodings/tika/testArabicMisleadingCharset.html", ["كان هناك رجل حكيم"]),  # claims UTF-8: cp1256
        ("html/encodings/tika/testHTMLNoisyMetaEncoding_1.html", ["الاتحاد الجزائري وقتها"]),  # ISO-8859-6
        ("html/encodings/tika/testHTML_charset_utf16le.html", ["This is a sample text"]),
        ("html/encodings/tika/big-preamble.html", ["Аренда квартир, снять квартиру"]),  # cp1251, undeclared
        ("html/encodings/tika/resume.html", ["Здравствуйте"]),
        ("office/txt_encodings/tika/english.cp500.txt", ["IntelliStation POWER", "Warranties, licenses"]),  # EBCDIC
        ("office/txt_encodings/tika/russian.cp866.txt", ["Однажды, в студеную зимнюю пору"]),
        ("office/txt_encodings/tika/multi-language.txt", ["contratação de sucesso", "español ABC adhoc prácticas"]),
        ("office/txt_encodings/tika/testTXT_win-1252.txt", ["a “windows” encoding"]),
        ("office/txt_encodings/tika/testTXTNonASCIIUTF8.txt", ["über den faulen Hund", "براون وكس"]),
    ],
)
def test_corpus_files_in_known_encodings(corpus, path: str, phrases: list[str]) -> None:
    file = corpus / path
    if not file.is_file():
        pytest.skip(f"{file} not in this corpus")
    text = decode_text(file.read_bytes(), sniff_html_charset(file.read_bytes()))
    for phrase in phrases:
        assert phrase in text
    assert not MOJIBAKE.search(text)
    assert "\ufffd" not in text
