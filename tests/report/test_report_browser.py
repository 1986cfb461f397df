"""The HTML report in a real headless Chromium: nothing runs, everything shows.

Driven by playwright with Debian's ``chromium`` (never a browser playwright
downloads). The tests skip when Chromium or playwright is missing, unless
``DEDUP_REQUIRE_BROWSER=1`` is set (CI sets it, so there a missing browser is a
failure rather than a silent skip). ``DEDUP_CHROMIUM`` names another binary.

Screenshots are saved under the test's tmp_path (``report.png``, the whole
page, and ``report-top.png``, the first screen).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from report_helpers import GOOD_URL, IMG, SCRIPT, write_folders

from dedup.io import open_source
from dedup.io.writers import write_results
from dedup.passages import find_passages
from dedup.pipeline import scan
from dedup.report.html import render_html
from dedup.report.load import build_report

#: Flags for a quiet, offline, throw-away Chromium. playwright's launch() adds
#: --headless and a fresh temporary --user-data-dir itself.
CHROMIUM_FLAGS = [
    "--no-sandbox",  # root in a container: the setuid sandbox is unavailable
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRED = os.environ.get("DEDUP_REQUIRE_BROWSER", "") not in ("", "0")


def _chromium() -> str | None:
    named = os.environ.get("DEDUP_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (DEDUP_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    executable = _chromium()
    if executable is None:
        _unavailable(
            "headless Chromium not found: apt-get install chromium "
            "(.ci/run installs it), or set DEDUP_CHROMIUM"
        )
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS, headless=True
        )
        yield chromium
        chromium.close()


@dataclass
class Events:
    """What a page did while it was open."""

    dialogs: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def console_errors(self) -> list[str]:
        """Console errors other than Content-Security-Policy reports."""
        return [
            text
            for kind, text in self.console
            if kind == "error" and "Content Security Policy" not in text
        ]


def open_page(browser: Any, path: Path) -> tuple[Any, Events]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    events = Events()

    def on_dialog(dialog: Any) -> None:
        events.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: events.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: events.errors.append(str(e)))
    page.on("request", lambda r: events.requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    # Time for anything delayed to fire: error handlers of failed loads, a
    # meta refresh, an autofocus handler.
    page.wait_for_timeout(300)
    return page, events


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    return write_folders(tmp_path_factory.mktemp("hostile"))


def test_hostile_report_runs_nothing_and_shows_everything(browser, folders, tmp_path):
    report = build_report(folders.all, input_source=folders.frame)
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    page, events = open_page(browser, path)

    # Nothing executed, nothing navigated, nothing was fetched.
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert events.dialogs == []
    assert events.errors == []
    assert events.console_errors() == []
    assert page.url == path.as_uri()
    assert events.requests == [path.as_uri()]

    # The DOM holds only what the renderer writes.
    dom = page.evaluate(
        """() => ({
            scripts: document.scripts.length,
            active: document.querySelectorAll(
                'img, iframe, object, embed, base, form, input, '
                + 'meta[http-equiv=refresh]'
            ).length,
            handlers: [...document.querySelectorAll('*')].flatMap(
                el => [...el.attributes].map(a => a.name)
            ).filter(n => n.startsWith('on')),
            hrefs: [...document.querySelectorAll('[href]')].map(
                el => el.getAttribute('href')
            ),
            styles: document.querySelectorAll('style').length,
        })"""
    )
    assert dom["scripts"] == 0
    assert dom["active"] == 0
    assert dom["handlers"] == []
    assert dom["styles"] == 1
    for href in dom["hrefs"]:
        assert href.startswith(("#", "data:,", "https://", "http://")), href
    assert GOOD_URL in dom["hrefs"]

    # The page renders, and the payloads are there to read as text.
    assert page.locator("h1").inner_text() == "dedup report"
    assert page.locator("#overview").is_visible()
    text = page.locator("body").inner_text()
    clusters = pl.read_parquet(folders.scan / "docs.parquet").filter(
        pl.col("cluster_size") >= 2
    )
    for cluster_id in clusters["cluster_id"].unique():
        assert cluster_id in text
    assert SCRIPT + " Council approves budget" in text
    assert IMG + "doc-1" in text
    assert "javascript:window.__pwned=1" in text  # shown, not linked
    assert "doc-2⟨U+202E⟩txt.exe" in text
    assert "60.0%" in text
    assert page.locator("del").count() > 0 and page.locator("ins").count() > 0
    assert page.locator("mark").count() > 0
    assert page.locator(".para.filler").count() > 0
    assert page.locator("svg.chart").count() == 3

    page.screenshot(path=str(tmp_path / "report-top.png"))
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 20_000
    page.context.close()


def test_seed_report_opens(browser, tmp_path):
    scan_dir, passages_dir = tmp_path / "scan", tmp_path / "passages"
    write_results(scan(open_source("seeds")), scan_dir)
    found = find_passages(open_source("seeds"))
    passages_dir.mkdir()
    found.passages.write_parquet(passages_dir / "passages.parquet")
    found.occurrences.write_parquet(passages_dir / "occurrences.parquet")
    report = build_report([scan_dir, passages_dir], input_source=open_source("seeds"))
    path = tmp_path / "seeds.html"
    path.write_text(render_html(report), encoding="utf-8")
    page, events = open_page(browser, path)
    assert events.console_errors() == [] and events.errors == []
    text = page.locator("body").inner_text()
    assert "5\ndocuments scanned" in text
    assert "No near-duplicate clusters." in text
    assert "Also read" in text
    page.screenshot(path=str(tmp_path / "seeds.png"), full_page=True)
    page.context.close()


@pytest.mark.slow
def test_million_document_report_opens(browser, tmp_path):
    from test_report_scale import million_scan

    n_clusters, _ = million_scan(tmp_path / "scan")
    path = tmp_path / "million.html"
    path.write_text(render_html(build_report([tmp_path / "scan"])), encoding="utf-8")
    page, events = open_page(browser, path)
    assert events.console_errors() == [] and events.errors == []
    assert page.locator("#clusters details.item").count() == 200
    assert (
        f"The 200 largest of {n_clusters:,} clusters"
        in page.locator("#clusters").inner_text()
    )
    page.context.close()
