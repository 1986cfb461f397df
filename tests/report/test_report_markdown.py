"""The Markdown report (dedup.report.markdown)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from report_helpers import GOOD_URL, write_folders

from dedup.report.load import build_report
from dedup.report.markdown import render_markdown
from dedup.report.safe import safe_url

#: What CommonMark + tables may produce from the report; nothing else.
TAGS = {"h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "a",
        "code", "em", "blockquote"}  # fmt: skip


class Tags(HTMLParser):
    def __init__(self, markup: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def to_html(markdown: str) -> str:
    """Rendered as a lax ticket system would: raw HTML allowed."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    return write_folders(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def markdown(folders) -> str:
    return render_markdown(build_report(folders.all, input_source=folders.frame))


def test_overview_and_top_clusters(markdown, folders):
    report = build_report([folders.scan])
    assert "## Overview" in markdown
    assert "| duplicate rate | 60.0% (3 documents a dedup would drop) |" in markdown
    assert "| 3 | 1 |" in markdown  # one cluster of three
    for cluster in report.scan.shown:
        assert f"cluster `{cluster.cluster_id}`" in markdown
    assert "## Repeated passages" in markdown
    assert "## Filler and content-farm scores" in markdown
    assert "35.3% of paragraphs (6 of 17)" in markdown


def test_hostile_values_make_no_markup(markdown):
    html = to_html(markdown)
    tags = Tags(html).tags
    assert {tag for tag, _ in tags} <= TAGS
    hrefs = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert hrefs, "the one web link should be linked"
    for href in hrefs:
        assert href is not None and safe_url(href) is not None
    assert "javascript:" not in "".join(h or "" for h in hrefs).lower()


def test_good_url_is_linked(markdown):
    assert "](https://news.example/story?id=1&q=%22%3E%3Cb%3Ex%3C/b%3E)" in markdown
    assert GOOD_URL not in markdown  # only its percent-encoded form


def test_every_table_row_has_its_columns(markdown):
    # A "|" from the data would add a cell and shift the table.
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|---") or line.startswith("|--"):
            columns = line.count("|") - 1
            j = i + 1
            while j < len(lines) and lines[j].startswith("| "):
                cells = lines[j].replace("\\|", "").count("|") - 1
                assert cells == columns, lines[j]
                j += 1


def test_sections_follow_the_folders(folders):
    only_passages = render_markdown(build_report([folders.passages]))
    assert "## Repeated passages" in only_passages
    assert "## Overview" not in only_passages
    assert "## Filler" not in only_passages


def test_max_clusters(folders):
    markdown = render_markdown(build_report([folders.scan]), max_clusters=1)
    assert markdown.count("### 1. cluster") == 1
    assert "### 2. cluster" not in markdown
    assert "The 1 largest of 2 clusters" in markdown


def test_write_report_picks_the_format_by_suffix(folders, tmp_path):
    from dedup.errors import InputError
    from dedup.report.files import write_report

    report = build_report([folders.scan])
    md = write_report(report, tmp_path / "out" / "r.md")
    assert md.read_text(encoding="utf-8").startswith("# dedup report")
    page = write_report(report, tmp_path / "r.html", title="Crawl 12")
    assert "<title>Crawl 12</title>" in page.read_text(encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError, match="cannot write the report"):
        write_report(report, blocker / "r.html")
