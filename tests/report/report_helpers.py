"""Result folders for the report tests: a hostile corpus run through each stage.

A plain module, not a conftest.py (see tests/io/io_helpers.py for why).

The corpus is crawled text at its worst: script tags, event-handler attributes,
``javascript:`` and ``data:`` URLs, attribute break-outs, comment and CDATA
openers, U+FFFD, a right-to-left override, NUL and other control characters,
combining-mark stacks. Three near-copies of one article make a cluster, so the
payloads show up in titles, URLs, ids, diffs, passages and filler paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dedup import scan_frame
from dedup.io.writers import write_results
from dedup.passages import find_passages_frame
from dedup.schema import FARM_DOCS_SCHEMA, FARM_PARAGRAPHS_SCHEMA

#: Markup that must show up as text and never run.
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
PAYLOADS = (
    SCRIPT,
    IMG,
    '<svg onload="window.__pwned=1"></svg>',
    '"><script>alert(1)</script>',
    "'><iframe src=javascript:alert(1)></iframe>",
    "</textarea></style></title><script>window.__pwned=1</script>",
    '<a href="javascript:window.__pwned=1">click me</a>',
    "<style>body{display:none}</style>",
    "<!-- ]]> <![CDATA[",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
)
#: Odd Unicode: replacement char, RTL override, zero-width joiner, NUL and
#: other controls, a combining-mark stack, RTL script, CJK and an emoji.
UNICODE = (
    "broken \ufffd\ufffd bytes, \u202eevil override\u202c back, zero\u200dwidth, "
    "nul\x00 bell\x07 esc\x1b del\x7f c1\x85, Z\u0335\u0321\u0322a\u0337lgo, "
    "مرحبا بالعالم, 新闻稿, 📰"
)
#: URLs that must never become links (and one that must).
BAD_URLS = (
    "javascript:window.__pwned=1",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    '"><script>window.__pwned=1</script>',
)
GOOD_URL = 'https://news.example/story?id=1&q="><b>x</b>'

_BODY = (
    "Officials said on Tuesday that the regional council approved the new budget "
    "after a long debate about schools, roads and the hospital. The mayor called "
    "the vote a turning point for the city and promised that the first projects "
    "would start in the spring. Critics argued that the plan relies on optimistic "
    "revenue forecasts and warned that taxes could rise next year. "
)


def article(i: int) -> str:
    """The body of a cluster member: the same story with a few edits."""
    edits = ["", " The vote was 31 to 12.", " Opposition members walked out."]
    payload = " ".join(PAYLOADS)
    return (
        f"{payload}\n\n{_BODY}{edits[i % 3]}\n\n{UNICODE}\n\n{_BODY}"
        f"Reporting by staff {i}.\n\nAlso read"
    )


def hostile_frame() -> pl.DataFrame:
    """Five documents: a three-member cluster, a two-member one, a singleton."""
    other = (
        "The weather service issued a storm warning for the coast on Friday, "
        "saying winds could reach hurricane strength overnight and that residents "
        "should stay indoors until the all-clear. Schools will close early. "
    )
    return pl.DataFrame(
        {
            "doc_id": [f"{IMG}doc-1", "doc-2\u202etxt.exe", "doc-3", "w-1", "w-2"],
            "text": [
                article(0),
                article(1),
                article(2),
                other * 3 + SCRIPT,
                other * 3 + "Updated at noon.",
            ],
            "title": [
                SCRIPT + " Council approves budget",
                IMG + " Budget approved " + UNICODE,
                "Budget vote \u202eevil",
                "Storm warning",
                "Storm warning (updated)",
            ],
            "url": [*BAD_URLS[:3], GOOD_URL, BAD_URLS[3]],
            "site": ["a.example", "b.example", "<b>site</b>", "w.example", "w.example"],
        }
    )


def farm_frames(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A farm result by hand (docs and every paragraph), with hostile reasons."""
    docs, paragraphs = [], []
    for n, (doc_id, text, title, url) in enumerate(
        frame.select("doc_id", "text", "title", "url").iter_rows()
    ):
        pos, flagged = 0, 0
        paras = text.split("\n\n")
        for i, para in enumerate(paras):
            start = text.index(para, pos)
            is_filler = i in (0, len(paras) - 1) and n < 3
            flagged += is_filler
            paragraphs.append(
                {
                    "doc_id": doc_id,
                    "index": i,
                    "text": para,
                    "start": start,
                    "end": start + len(para),
                    "is_filler": is_filler,
                    "score": 0.97 if is_filler else 0.05,
                    "reason": f"{IMG} repeated call to action" if is_filler else "",
                    "family": "cta" if is_filler else "",
                }
            )
            pos = start + len(para)
        docs.append(
            {
                "doc_id": doc_id,
                "farm_score": 0.9 - 0.1 * n,
                "filler_fraction": flagged / len(paras),
                "n_filler": flagged,
                "top_reasons": [SCRIPT + " listicle"] if flagged else [],
                "n_paragraphs": len(paras),
                "repeated_fraction": 0.1,
                "compression_ratio": 0.4,
                "title": title,
                "url": url,
            }
        )
    docs_schema = {**FARM_DOCS_SCHEMA, "title": pl.String(), "url": pl.String()}
    return (
        pl.DataFrame(docs, schema=docs_schema),
        pl.DataFrame(paragraphs, schema=FARM_PARAGRAPHS_SCHEMA),
    )


@dataclass
class Folders:
    """Result folders of one corpus, one per command, and the corpus itself."""

    frame: pl.DataFrame
    scan: Path
    passages: Path
    farm: Path

    @property
    def all(self) -> list[Path]:
        """The three folders."""
        return [self.scan, self.passages, self.farm]


def write_folders(root: Path, frame: pl.DataFrame | None = None) -> Folders:
    """Run scan and passages on *frame* (default: the hostile corpus), fake farm."""
    frame = hostile_frame() if frame is None else frame
    scan_dir, passages_dir, farm_dir = root / "scan", root / "passages", root / "farm"
    write_results(scan_frame(frame), scan_dir)
    found = find_passages_frame(frame)
    passages_dir.mkdir(parents=True)
    found.passages.write_parquet(passages_dir / "passages.parquet")
    found.occurrences.write_parquet(passages_dir / "occurrences.parquet")
    farm_dir.mkdir(parents=True)
    docs, paragraphs = farm_frames(frame)
    docs.write_parquet(farm_dir / "docs.parquet")
    paragraphs.write_parquet(farm_dir / "paragraphs.parquet")
    return Folders(frame, scan_dir, passages_dir, farm_dir)
