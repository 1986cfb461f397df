"""The HTML report, parsed without a browser (dedup.report.html).

The page is parsed with the standard library's HTML parser and checked against
allow-lists: only the elements and attributes the renderer writes may appear,
whatever the data holds. The browser tests check the same page in Chromium.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import polars as pl
import pytest
from report_helpers import BAD_URLS, GOOD_URL, IMG, PAYLOADS, SCRIPT, write_folders

from dedup import scan_frame
from dedup.io import open_source
from dedup.io.writers import write_results
from dedup.report.html import CSP, render_html
from dedup.report.load import build_report
from dedup.report.safe import clean, esc, safe_url

TAGS = {
    "html", "head", "meta", "link", "title", "style", "body", "header", "nav",
    "main", "section", "footer", "h1", "h2", "h3", "p", "div", "span", "b", "br",
    "a", "code", "table", "thead", "tbody", "tr", "th", "td", "details",
    "summary", "del", "ins", "mark", "svg", "g", "rect", "line", "text",
}  # fmt: skip
ATTRIBUTES = {
    "lang", "charset", "http-equiv", "content", "name", "rel", "href", "class",
    "id", "dir", "open", "role", "aria-label", "viewbox", "width", "height",
    "xmlns", "x", "y", "x1", "y1", "x2", "y2", "fill", "text-anchor",
    "transform",
}  # fmt: skip


class Page(HTMLParser):
    """Every start tag with its attributes, and the text outside style."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self._in_style = False
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if not self._in_style:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    return write_folders(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def page(folders) -> str:
    return render_html(build_report(folders.all, input_source=folders.frame))


def test_only_known_elements_and_attributes(page):
    parsed = Page(page)
    tags = {tag for tag, _ in parsed.tags}
    assert tags <= TAGS, tags - TAGS
    names = {name for _, attrs in parsed.tags for name in attrs}
    assert names <= ATTRIBUTES, names - ATTRIBUTES
    assert sum(tag == "style" for tag, _ in parsed.tags) == 1


def test_links_are_web_links_or_anchors(page):
    hrefs = [attrs["href"] for tag, attrs in Page(page).tags if "href" in attrs]
    for href in hrefs:
        assert href is not None
        assert href.startswith(("#", "data:,")) or safe_url(href) == href, href
    assert GOOD_URL in hrefs
    for bad in BAD_URLS:
        assert bad not in hrefs


def test_no_script_anywhere(page):
    assert not re.search(r"<\s*script", page, re.I)
    assert not re.search(r"<\s*(img|iframe|object|embed|base|form|input)\b", page, re.I)
    names = {name for _, attrs in Page(page).tags for name in attrs}
    assert not [name for name in names if name.startswith("on")]


def test_content_security_policy_comes_first(page):
    head = page[: page.index("<style>")]
    assert f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">' in head
    assert "script-src" not in CSP and "default-src 'none'" in CSP


def test_payloads_show_as_text(page):
    text = Page(page).text
    for payload in PAYLOADS:
        assert clean(payload) in text, payload
    assert SCRIPT + " Council approves budget" in text
    assert "doc-2⟨U+202E⟩txt.exe" in text  # bidi override made visible in ids
    assert IMG + "doc-1" in text


def test_sections_and_navigation(page, folders):
    parsed = Page(page)
    ids = {attrs.get("id") for _, attrs in parsed.tags}
    assert {"overview", "clusters", "passages", "filler"} <= ids
    docs = pl.read_parquet(folders.scan / "docs.parquet")
    for cluster_id in docs.filter(pl.col("cluster_size") >= 2)["cluster_id"].unique():
        assert cluster_id in parsed.text
    assert "60.0%" in parsed.text  # duplicate rate
    assert "35.3%" in parsed.text  # filler rate
    assert parsed.text.count("against the canonical article · similarity") == 3


def test_absent_kinds_have_no_section(folders):
    page = render_html(build_report([folders.scan]))
    ids = {attrs.get("id") for _, attrs in Page(page).tags}
    assert "clusters" in ids
    assert not {"passages", "filler"} & ids
    assert "No input given" in page


def test_same_results_same_page(folders):
    first = render_html(build_report(folders.all, input_source=folders.frame))
    second = render_html(build_report(folders.all, input_source=folders.frame))
    assert first == second


def test_seeds_report_without_clusters(tmp_path):
    write_results(scan_frame(pl.DataFrame({"doc_id": ["a"], "text": ["x"]})), tmp_path)
    page = render_html(build_report([tmp_path], input_source=open_source("seeds")))
    assert "No near-duplicate clusters." in page
    assert "No verified pairs." in page


def test_diff_marks_changed_words(tmp_path):
    text = " ".join(f"word{i}" for i in range(40))
    frame = pl.DataFrame(
        {"doc_id": ["a", "b"], "text": [text, text.replace("word20", "<b>NEW</b>")]}
    )
    write_results(scan_frame(frame), tmp_path)
    page = render_html(build_report([tmp_path], input_source=frame))
    assert "<ins>&lt;b&gt;NEW&lt;/b&gt;</ins>" in page or (
        "<del>&lt;b&gt;NEW&lt;/b&gt;</del>" in page
    )
    assert "<del>word20</del>" in page or "<ins>word20</ins>" in page
    assert "unchanged words" in page
