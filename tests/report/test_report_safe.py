"""Escaping, link filtering and broken Unicode (dedup.report.safe)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup.report.safe import clean, esc, esc_id, md_escape, safe_url


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parse(markup: str) -> _Collect:
    parser = _Collect()
    parser.feed(markup)
    parser.close()
    return parser


@given(st.text())
def test_escaped_text_is_never_markup_and_reads_back(text):
    escaped = esc(text)
    for bad in "<>\"'":
        assert bad not in escaped
    # Inside an element and inside a quoted attribute the value reads back as
    # the cleaned text, and introduces no element or attribute.
    parsed = parse(f'<p title="{escaped}">{escaped}</p>')
    assert parsed.tags == [("p", [("title", clean(text))])]
    assert "".join(parsed.text) == clean(text)
    assert html.unescape(escaped) == clean(text)


@given(st.text())
def test_clean_leaves_no_surrogate_or_control(text):
    out = clean(text)
    assert len(out) == len(text)
    for ch in out:
        code = ord(ch)
        assert not 0xD800 <= code <= 0xDFFF
        assert ch in "\t\n\r" or not (code < 0x20 or 0x7F <= code <= 0x9F)
    out.encode("utf-8")  # encodable: no lone surrogates left


def test_lone_surrogates_and_nul_become_replacement_characters():
    assert clean("a\ud800b\udfffc\x00") == "a\ufffdb\ufffdc\ufffd"
    assert esc("\ud83d") == "\ufffd"


def test_esc_of_none_and_numbers():
    assert esc(None) == ""
    assert esc(3) == "3"


def test_esc_id_shows_bidi_controls_and_line_breaks():
    assert esc_id("report\u202efdp.exe") == "report⟨U+202E⟩fdp.exe"
    assert esc_id("a\tb\nc") == "a⟨U+0009⟩b⟨U+000A⟩c"
    assert esc_id("\u2066x\u2069") == "⟨U+2066⟩x⟨U+2069⟩"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "java\rscript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://example.com/",
        "//evil.example/x",
        "/relative/path",
        "relative.html",
        "#fragment",
        "http:javascript:alert(1)",
        "https://",
        "http://[::1",
        "https://a.example/\u202etxt",
        "https://a.exa\x00mple/",
        "",
        "   ",
        None,
        42,
    ],
)
def test_unsafe_urls_are_refused(url):
    assert safe_url(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1&c=2", "https://example.com/a?b=1&c=2"),
        ("HTTP://EXAMPLE.COM", "HTTP://EXAMPLE.COM"),
        ("  https://example.com/x  ", "https://example.com/x"),
        ('https://e.com/"><script>', 'https://e.com/"><script>'),
    ],
)
def test_web_urls_are_kept(url, expected):
    assert safe_url(url) == expected


def test_kept_url_is_still_escaped_in_an_attribute():
    url = safe_url('https://e.com/"onmouseover="alert(1)')
    assert url is not None
    parsed = parse(f'<a href="{esc(url)}">x</a>')
    assert parsed.tags == [("a", [("href", url)])]


MARKDOWN_ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "![img](http://x/y.png)",
    "<http://autolink.example>",
    "a | b",
    "*bold* _it_ `code` ~~s~~ **x**",
    "# heading",
    "> quote",
    "- item",
    "1. item",
    "line one\nline two\n\n<div>x</div>",
    "&lt;script&gt; &amp; &#60;b&#62;",
    "\\<b>\\",
    "[a]: javascript:alert(1)\n[a]",
]


def markdown_html(text: str) -> str:
    """CommonMark with raw HTML allowed: what a lax ticket system would do."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


@pytest.mark.parametrize("text", MARKDOWN_ATTACKS)
def test_md_escape_renders_as_one_plain_paragraph(text):
    parsed = parse(markdown_html(md_escape(text)))
    assert [tag for tag, _ in parsed.tags] == ["p"]
    assert "".join(parsed.text).strip() == " ".join(text.split())


@given(st.text())
def test_md_escape_never_makes_markup(text):
    parsed = parse(markdown_html(md_escape(text)))
    assert {tag for tag, _ in parsed.tags} <= {"p"}


def test_md_escape_cuts_long_text():
    out = md_escape("word " * 100, max_chars=20)
    assert len(out) <= 20
    assert out.endswith("…")
