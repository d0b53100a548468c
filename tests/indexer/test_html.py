"""Saved web pages: main text without boilerplate, metadata, charset traps, empty pages, no network."""

from __future__ import annotations

import re
import socket
from datetime import date

import lxml.html
import pytest

from indexer.errors import ExtractionError
from indexer.formats.html import extract

ARTICLE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Cities Push Back on Federal Immigration Raids | The Metro Ledger</title>
<meta property="og:title" content="Cities Push Back on Federal Immigration Raids">
<meta property="og:site_name" content="The Metro Ledger">
<meta property="og:url" content="https://ledger.example.com/2024/03/cities-push-back">
<meta property="article:published_time" content="2024-03-15T08:30:00Z">
<meta name="author" content="Dana Whitfield">
<link rel="canonical" href="https://ledger.example.com/2024/03/cities-push-back">
<script src="https://cdn.example.com/tracker.js"></script>
</head>
<body>
<header class="site-header"><nav class="main-nav"><ul>
  <li><a href="/">Home</a></li><li><a href="/politics">Politics Desk</a></li>
  <li><a href="/sports">Sports Scoreboard</a></li><li><a href="/subscribe">Subscribe Today</a></li>
</ul></nav></header>
<div class="ad-banner advertisement" id="ad-top">Buy discount mattresses now at MattressWorld</div>
<main>
<article>
  <h1>Cities Push Back on Federal Immigration Raids</h1>
  <p class="byline">By <span class="author">Dana Whitfield</span></p>
  <p>City officials across the region said on Friday that their police departments would not take part
  in the federal immigration operation announced earlier this week, setting up a confrontation.</p>
  <p>The mayor told reporters at a crowded news conference that the city's sanctuary ordinance, passed in
  2017, prohibits local officers from detaining residents solely on the basis of a detainer request.</p>
  <h2>Police chiefs weigh in</h2>
  <p>Several police chiefs echoed the mayor, arguing that cooperation with federal agents would erode the
  trust that immigrant communities place in local law enforcement and make crimes harder to solve.</p>
  <ul>
    <li>Chief Alvarez said officers would continue to respond to emergency calls as usual.</li>
    <li>Chief Okafor said the department had received no formal request from federal agents.</li>
  </ul>
  <p>Federal officials did not respond to a request for comment on Friday evening, though a spokesperson
  said earlier that the operation would proceed as planned regardless of local opposition.</p>
  <img src="https://images.example.com/raid.jpg" alt="Officers outside city hall">
</article>
<aside class="sidebar related"><h3>Most popular</h3><ul>
  <li><a href="/a">Ten restaurants you must try this spring</a></li>
  <li><a href="/b">Weekend weather outlook stays sunny</a></li>
</ul></aside>
<section id="comments" class="comments">
  <h3>Comments</h3>
  <div class="comment"><p>Totally disagree with the mayor here, commenter42 says.</p></div>
  <div class="comment"><p>Great reporting as always, keep it up please!</p></div>
</section>
</main>
<div class="ad sponsored">Sponsored: Lose weight fast with this one weird trick</div>
<footer class="site-footer"><p>Copyright 2024 The Metro Ledger. All rights reserved.</p></footer>
</body>
</html>
"""

BOILERPLATE = (
    "Politics Desk",
    "Sports Scoreboard",
    "Subscribe Today",
    "MattressWorld",
    "Ten restaurants",
    "commenter42",
    "Great reporting",
    "one weird trick",
    "All rights reserved",
)


def page(body: str, head: str = "", charset: str = "utf-8") -> str:
    return f'<html><head><meta charset="{charset}">{head}</head><body>{body}</body></html>'


def assert_text_rules(text: str) -> None:
    assert text == text.strip()
    assert "\r" not in text and "\n\n\n" not in text
    assert not re.search(r"[ \t]\n", text), "trailing whitespace on a line"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text), "control character"


def test_article_body_is_kept_as_paragraphs_and_lines() -> None:
    text = extract(ARTICLE.encode()).text
    assert "setting up a confrontation.\n\nThe mayor told reporters" in text
    assert "\n\nPolice chiefs weigh in\n\nSeveral police chiefs" in text
    assert "emergency calls as usual.\nChief Okafor said" in text
    assert text.endswith("regardless of local opposition.")
    assert "police departments would not take part in the federal" in text  # source line break is a space
    assert_text_rules(text)


def test_navigation_ads_and_comments_are_left_out() -> None:
    text = extract(ARTICLE.encode()).text
    for boilerplate in BOILERPLATE:
        assert boilerplate not in text


def test_article_metadata() -> None:
    result = extract(ARTICLE.encode())
    assert result.title == "Cities Push Back on Federal Immigration Raids"
    assert result.author == "Dana Whitfield"
    assert result.published == date(2024, 3, 15)
    assert result.site == "The Metro Ledger"
    assert result.metadata["url"] == "https://ledger.example.com/2024/03/cities-push-back"


def test_title_comes_from_the_title_element_when_the_only_heading_is_a_site_banner() -> None:
    body = "<header><h1>Springfield Gazette</h1></header><article>" + "<p>The council met on Tuesday.</p>" * 5
    result = extract(page(body + "</article>", "<title>Council debates detainer policy</title>").encode())
    assert result.title == "Council debates detainer policy"


def test_no_title_at_all_is_empty() -> None:
    assert extract(page("<p>Some words without any heading.</p>").encode()).title == ""


def test_meta_charset_claiming_utf8_over_windows_1252_bytes() -> None:
    body = "<p>The “sanctuary” café’s naïve policy — twenty-four pages long — was read aloud.</p>"
    result = extract(page(body, "<title>Café</title>").encode("cp1252"))
    assert "The “sanctuary” café’s naïve policy — twenty-four pages long — was read aloud." in result.text
    assert result.title == "Café"


def test_meta_charset_claiming_latin1_over_utf8_bytes() -> None:
    body = "<p>Zürich’s council — and São Paulo’s — answered «quickly».</p>"
    text = extract(page(body, charset="iso-8859-1").encode()).text
    assert text == "Zürich’s council — and São Paulo’s — answered «quickly»."


def test_declared_charset_of_a_legacy_page_is_used() -> None:
    body = "<p>Мэр города заявил, что полиция не будет участвовать в федеральной операции.</p>"
    text = extract(page(body, charset="windows-1251").encode("cp1251")).text
    assert text == "Мэр города заявил, что полиция не будет участвовать в федеральной операции."


def test_utf16_page_with_byte_order_mark() -> None:
    markup = page("<p>Grüße aus Köln, said the note.</p>", charset="utf-16")
    assert extract(markup.encode("utf-16")).text == "Grüße aus Köln, said the note."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<html><body><p>Hello world</p></body></html>", "Hello world"),
        (b"<p>Only a fragment.</p>", "Only a fragment."),
        (b"Just some words", "Just some words"),
        (b"<html><body><div>Sign in</div><div>Menu</div></body></html>", "Sign in\n\nMenu"),
    ],
)
def test_page_with_only_a_few_words_keeps_them(data: bytes, expected: str) -> None:
    assert extract(data).text == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \n\t ",
        b"<!-- nothing but a comment -->",
        b"<html><head><title>Empty</title><script>var a = 1;</script><style>p {}</style></head>"
        b"<body><img src='x.png'><noscript></noscript></body></html>",
    ],
)
def test_page_without_text_is_an_error(data: bytes) -> None:
    with pytest.raises(ExtractionError, match="no text found in this HTML page"):
        extract(data)


def test_hidden_elements_are_left_out() -> None:
    paragraphs = "".join(f"<p>Visible paragraph number {n} of the report on the hearing.</p>" for n in range(6))
    hidden = (
        '<div style="display: none">Hidden promo in display none</div>'
        '<div hidden>Hidden by attribute</div><p aria-hidden="true">Hidden from screen readers</p>'
        '<div style="visibility:hidden">Hidden by visibility</div>'
    )
    text = extract(page(f"<article>{paragraphs}{hidden}</article>").encode()).text
    assert "Visible paragraph number 5" in text
    assert "Hidden" not in text


def test_page_hidden_until_its_scripts_run_still_yields_its_text() -> None:
    body = '<div style="visibility: hidden"><p>The whole report sits in a wrapper hidden until load.</p></div>'
    assert extract(page(body).encode()).text == "The whole report sits in a wrapper hidden until load."


def test_control_characters_and_odd_whitespace_are_cleaned() -> None:
    body = "<p>Line\x00 one\x07 with\ttab\r\n and\u00a0nbsp \x85end</p><pre>code  line\r\n\tindented</pre>"
    text = extract(page(body).encode()).text
    assert "Line one with tab and nbsp end" in text
    assert_text_rules(text)


def test_nothing_is_fetched_from_the_network(monkeypatch) -> None:
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    extract(ARTICLE.encode())
    assert extract(b"https://ledger.example.com/2024/03/cities-push-back").text.startswith("https://")
    assert attempts == []


def _longest_paragraph_start(expected_html: bytes, words: int = 12) -> str:
    tree = lxml.html.fromstring(expected_html, parser=lxml.html.HTMLParser(encoding="utf-8"))
    longest = max((" ".join(p.text_content().split()) for p in tree.iter("p")), key=len)
    return " ".join(longest.split()[:words])


@pytest.mark.parametrize("name", ["ars-1", "aclu", "bbc-1", "guardian-1", "nytimes-1", "wikipedia", "lemonde-1"])
def test_readability_pages_keep_their_article(corpus, name: str) -> None:
    folder = corpus / "html" / "readability" / "pages" / name
    if not folder.is_dir():
        pytest.skip(f"{folder} not in this corpus")
    sentence = _longest_paragraph_start((folder / "expected.html").read_bytes())
    result = extract((folder / "source.html").read_bytes())
    assert sentence in " ".join(result.text.split())
    assert_text_rules(result.text)


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("testArabicMisleadingCharset.html", "في قرية من القرى كان هناك رجل حكيم"),  # claims UTF-8, is cp1256
        ("testHTMLNoisyMetaEncoding_1.html", "وأعرب الاتحاد الجزائري"),  # ISO-8859-6, as declared
        ("testHTML_charset_utf16le.html", "This is a sample text"),
        ("big-preamble.html", "Предложения БЕЗ КОМИССИИ"),  # no declaration, cp1251
        ("resume.html", "Предлагаем Вам ознакомиться"),
    ],
)
def test_charset_traps_from_the_corpus(corpus, name: str, phrase: str) -> None:
    path = corpus / "html" / "encodings" / "tika" / name
    if not path.is_file():
        pytest.skip(f"{path} not in this corpus")
    text = extract(path.read_bytes()).text
    assert phrase in text
    assert "\ufffd" not in text


def test_a_page_nested_past_the_parsers_depth_limit_keeps_its_text():
    from indexer.formats.html import extract

    depth = 100_000  # libxml2 drops whatever lies deeper than 2048 elements
    page = (
        "<html><head><title>Deep</title><style>p {}</style></head><body>"
        + "<div>" * depth
        + "<p>The council voted.</p><script>var x;</script><table><tr><td>a</td><td>b</td></tr></table>"
        + "</div>" * depth
        + "</body></html>"
    )
    extracted = extract(page.encode())
    assert extracted.text == "The council voted.\n\na | b"
    assert extracted.title == "Deep"
