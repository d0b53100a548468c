"""Untrusted HTML for display: nothing that loads or runs survives, the readable content does."""

from __future__ import annotations

import re

import lxml.html
import pytest

from indexer.decode import decode_text
from indexer.errors import ExtractionError
from indexer.formats.html_sanitize import MAX_BYTES, display, sanitize_html
from indexer.sandbox import ExtractorPool, Job, Limits

HOSTILE = """<!DOCTYPE html>
<html><head>
<title>Hostile   page</title>
<base href="file:///etc/">
<meta http-equiv="refresh" content="0; url=file:///etc/passwd">
<link rel="stylesheet" href="theme.css">
<style>body { background: url(file:///etc/passwd) }</style>
<script>document.write('SCRIPTRAN')</script>
</head>
<body background="/etc/passwd" onload="alert('ONLOAD')">
<h2>Report</h2>
<p style="background-image: url('/etc/passwd')">Intro <b>bold</b> <em>emphasis</em>.</p>
<p><img src="file:///etc/passwd" alt="Chief   at the podium"><img src="/etc/passwd"
  onerror="alert('ONERROR')"><img src="https://t.example/pixel.gif" width="1" height="1">
  <img srcset="/etc/passwd 2x" alt="second"></p>
<iframe src="file:///etc/passwd">IFRAMETEXT</iframe>
<object data="/etc/passwd" type="text/plain">object fallback</object>
<embed src="/etc/passwd">
<svg><image href="/etc/passwd"/><text>SVGTEXT</text></svg>
<video poster="/etc/passwd" src="/etc/passwd">VIDEOTEXT</video>
<form action="file:///tmp"><input type="image" src="/etc/passwd"><input name="q" value="FORMVALUE"></form>
<table background="/etc/passwd"><tr><th>City</th><td colspan="2" bgcolor="red">Omaha</td></tr></table>
<ul><li>one</li><li>two</li></ul><blockquote>quoted</blockquote><pre>  code  kept</pre>
<!-- COMMENTTEXT -->
<p>
<a href="file:///x">file link</a>
<a href="\\\\host\\share\\doc">unc link</a>
<a href="java&#9;script:alert(1)">js link</a>
<a href="data:text/html,<script>alert(1)</script>">data link</a>
<a href="/etc/passwd">bare path</a>
<a href="//host.example/x">scheme relative</a>
<a href="http:\\\\host\\share">backslash http</a>
<a href="  https://news.example/story?id=1  ">web link</a>
<a href="mailto:desk@news.example">mail link</a>
</p>
</body></html>
"""


def _parse(markup: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(markup)


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", _parse(markup).text_content()).strip()


@pytest.fixture(scope="module")
def hostile() -> str:
    return sanitize_html(HOSTILE.encode("utf-8"))


def test_nothing_that_loads_or_runs_survives(hostile):
    tree = _parse(hostile)
    attributes = {name for element in tree.iter() for name in element.attrib}
    assert attributes <= {"href", "colspan"}
    tags = {element.tag for element in tree.iter()}
    assert not tags & {"script", "style", "link", "meta", "base", "img", "iframe", "object", "embed", "svg", "form"}
    assert not tags & {"input", "video", "image", "head", "title"}
    for leaked in ("/etc/passwd", "SCRIPTRAN", "ONLOAD", "ONERROR", "IFRAMETEXT", "SVGTEXT", "VIDEOTEXT", "FORMVALUE"):
        assert leaked not in hostile
    assert "COMMENTTEXT" not in hostile
    assert "url(" not in hostile


def test_only_absolute_web_and_mail_links_keep_their_target(hostile):
    links = {a.text_content(): a.get("href") for a in _parse(hostile).iter("a")}
    assert links == {
        "file link": None,
        "unc link": None,
        "js link": None,
        "data link": None,
        "bare path": None,
        "scheme relative": None,
        "backslash http": None,
        "web link": "https://news.example/story?id=1",
        "mail link": "mailto:desk@news.example",
    }


def test_images_become_placeholders_and_tracking_pixels_vanish(hostile):
    placeholders = [i.text for i in _parse(hostile).iter("i")]
    assert placeholders == ["[image: Chief at the podium]", "[image]", "[image: second]"]


def test_readable_structure_is_kept_under_the_title(hostile):
    tree = _parse(hostile)
    assert tree.body[0].tag == "h1"
    assert tree.body[0].text == "Hostile page"
    assert [li.text for li in tree.iter("li")] == ["one", "two"]
    assert tree.find(".//pre").text == "  code  kept"
    assert tree.find(".//blockquote").text == "quoted"
    assert [cell.text for cell in tree.iter("th", "td")] == ["City", "Omaha"]
    assert tree.find(".//td").get("colspan") == "2"
    assert tree.find(".//p/b").text == "bold"
    assert tree.find(".//p/em").text == "emphasis"
    assert "object fallback" in _text(hostile)


def test_title_already_shown_as_heading_is_not_repeated():
    page = b"<title>Omaha police</title><article><h1>Omaha  Police</h1><p>Text.</p></article><p>More.</p>"
    tree = _parse(sanitize_html(page))
    assert [h.text_content() for h in tree.iter("h1")] == ["Omaha  Police"]
    assert [p.text for p in tree.iter("p")] == ["Text.", "More."]


def test_html5_blocks_stay_separate_blocks():
    page = b"<section>First block</section><section>Second block</section><figure>x</figure>"
    tree = _parse(sanitize_html(page))
    assert [div.text for div in tree.iter("div")] == ["First block", "Second block", "x"]


def test_a_stray_image_element_does_not_swallow_what_follows():
    tree = _parse(sanitize_html(b"<p>before<image src='/etc/hostname'>after <b>bold</b></p>"))
    assert _text(lxml.html.tostring(tree, encoding="unicode")) == "before[image] after bold"
    assert "hostname" not in lxml.html.tostring(tree, encoding="unicode")


def test_mislabelled_charset_is_read_by_its_bytes():
    cp1252 = '<meta charset="utf-8"><p>Caf\u00e9 \u201cconsent\u201d \u2013 the chief\u2019s decree</p>'.encode(
        "cp1252"
    )
    assert "Caf\u00e9 \u201cconsent\u201d \u2013 the chief\u2019s decree" in sanitize_html(cp1252)
    utf8 = '<meta charset="iso-8859-1"><p>M\u0101ori \u201cwh\u0101nau\u201d</p>'.encode()
    assert "M\u0101ori \u201cwh\u0101nau\u201d" in sanitize_html(utf8)


def test_control_characters_are_dropped():
    page = b"<p>Stray control characters\x00 in a saved page: a\x00b\x01c\x1b and the end of it.</p>"
    assert _text(sanitize_html(page)) == "Stray control characters in a saved page: abc and the end of it."


def test_empty_and_oversized_input_raise_a_readable_error():
    with pytest.raises(ExtractionError, match="empty"):
        sanitize_html(b"")
    with pytest.raises(ExtractionError, match="too large to show"):
        sanitize_html(b" " * (MAX_BYTES + 1))


def test_display_runs_in_the_sandbox():
    with ExtractorPool(Limits(seconds=60, workers=1), extractor="indexer.formats.html_sanitize:display") as pool:
        good, empty = sorted(
            pool.run([Job(1, "html", HOSTILE.encode()), Job(2, "html", b"")]), key=lambda outcome: outcome.key
        )
    assert good.extracted.text == display("html", HOSTILE.encode()).text
    assert empty.error == "this page is empty; there is nothing to show"


@pytest.mark.parametrize("page", ["bbc-1", "guardian-1", "nytimes-1"])
def test_real_page_keeps_its_main_paragraphs(corpus, page):
    folder = corpus / "html" / "readability" / "pages" / page
    if not folder.is_dir():
        pytest.skip(f"{folder} not in this corpus")
    expected = _parse(decode_text((folder / "expected.html").read_bytes()))
    paragraphs = [re.sub(r"\s+", " ", p.text_content()).strip() for p in expected.iter("p")]
    paragraphs = [p for p in paragraphs if len(p) > 80]
    assert len(paragraphs) >= 10
    shown = _text(sanitize_html((folder / "source.html").read_bytes()))
    assert [p for p in paragraphs if p not in shown] == []


def test_markdown_is_shown_rendered_with_its_raw_html_made_as_safe_as_a_page(tmp_path):
    source = (
        "---\ntitle: Denver calls the crackdown a calamity\ndate: 2025-01-24\n---\n"
        "# Denver\n\nFirst line of a paragraph\nsecond line\n\n- **one** item\n- [a link](https://example.org/a)\n"
        "- [local](file:///etc/passwd) [relative](notes.html)\n\n"
        '![Chief speaking](photo.jpg)\n\n<script>alert("SCRIPTRAN")</script><img src="x" onerror="ONERROR">\n'
    )
    shown = display("markdown", source.encode("utf-8")).text
    tree = _parse(shown)
    assert [h.text for h in tree.iter("h1")] == ["Denver calls the crackdown a calamity", "Denver"]  # title first
    assert "title:" not in shown and "2025-01-24" not in shown
    assert [li.text_content() for li in tree.iter("li")][:2] == ["one item", "a link"]
    assert [a.get("href") for a in tree.iter("a") if a.get("href")] == ["https://example.org/a"]
    assert tree.find(".//strong").text == "one" and tree.find(".//p/br") is not None  # a line break stays one
    assert "[image: Chief speaking]" in _text(shown)
    assert not {"script", "img"} & {element.tag for element in tree.iter()}
    for leaked in ("SCRIPTRAN", "ONERROR", "photo.jpg", 'href="file', 'href="notes'):
        assert leaked not in shown
