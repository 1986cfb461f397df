r"""Real labelled paragraphs for training and evaluating the filler classifier.

Reads the research-licensed data beside the repository (never copied into it):

* ``reuters21578/`` — real newswire articles; every paragraph a negative.
  Text = headline + blank line + dateline + body, segmented like any input
  (the bodies are hard-wrapped). Headlines, all capitals in the corpus, are
  re-cased for two articles in three (title case, sentence case) because
  modern crawls rarely shout.
* ``boilerplate/*`` — real pages with their gold main text. The gold text's
  paragraphs are negatives (as an article of their own), and each page is also
  an article of its text blocks in page order: blocks found in the gold are
  negatives, blocks clearly absent from it (navigation, teasers, footers,
  ads …) positives of the ``boilerplate`` family, the rest unlabelled context.
* ``trafilatura-eval/`` — real pages with snippets that must / must not
  survive extraction: a block holding a "with" snippet is a negative, one
  holding a "without" snippet a positive (``boilerplate``), others context.

Every article is a list of single-line blocks; joined with blank lines, the
segmenter gives back exactly those blocks (checked when features are built).

    >>> blocks_of_html("<p>One <b>two</b></p><ul><li>Home</li><li>News</li></ul>")
    ['One two', 'Home', 'News']
    >>> norm("Hello, World!  It's 5pm")
    'hello world it s 5pm'
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

#: Label of a paragraph that is context only (neither trained on nor scored).
UNLABELLED = -1
NEGATIVE = 0
POSITIVE = 1
BOILERPLATE = "boilerplate"

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


@dataclass
class Article:
    r"""One training article: blocks in order, a label and family per block.

    Attributes:
        doc_id: unique id (source and original id).
        source: corpus it comes from (``reuters``, ``dragnet`` …).
        group: the original document, so that every article made from it
            lands on the same side of a train/test split.
        blocks: paragraph texts.
        labels: ``1`` filler, ``0`` real content, ``-1`` context only.
        families: the filler family of each positive block (``""`` otherwise).
        raw_text: the original text when the article is used as it came
            (Reuters); ``None`` when the text is ``"\n\n".join(blocks)``.

    """

    doc_id: str
    source: str
    group: str
    blocks: list[str]
    labels: list[int]
    families: list[str] = field(default_factory=list)
    raw_text: str | None = None
    title: str = ""
    topics: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.families:
            self.families = [""] * len(self.blocks)

    @property
    def text(self) -> str:
        """The article text handed to the segmenter."""
        return self.raw_text if self.raw_text is not None else "\n\n".join(self.blocks)


def norm(text: str) -> str:
    """Lower-case word tokens joined by single spaces (for matching to gold)."""
    return " ".join(_WORD.findall(text.lower()))


def one_line(text: str) -> str:
    """Collapse all whitespace to single spaces and strip."""
    return _SPACE.sub(" ", text).strip()


def stable_fraction(key: str) -> float:
    """A deterministic number in [0, 1) from *key* (for splits and choices)."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


# -- HTML -----------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "select",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "button",
        "label",
    ]
)
_SKIP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "svg", "head", "iframe", "object"]
)


class _BlockParser(HTMLParser):
    """Text blocks of a page: split at block-level tags, scripts dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._buf: list[str] = []
        self._skip = 0

    def _flush(self) -> None:
        text = one_line("".join(self._buf))
        if text:
            self.blocks.append(text)
        self._buf = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def blocks_of_html(page: str) -> list[str]:
    """Visible text blocks of an HTML page, in order, whitespace collapsed."""
    parser = _BlockParser()
    try:
        parser.feed(page)
        parser.close()
    except (AssertionError, ValueError):  # malformed markup: keep what we have
        parser._flush()
    return parser.blocks


def _read_gz_text(path: Path) -> str:
    raw = gzip.decompress(path.read_bytes())
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


# -- Reuters --------------------------------------------------------------


def _recase(title: str, key: str) -> str:
    pick = stable_fraction(key)
    if pick < 1 / 3:
        return title
    words = title.lower().split()
    if pick < 2 / 3:
        return " ".join(
            w if len(w) <= 2 and i else w.capitalize() for i, w in enumerate(words)
        )
    return " ".join(words).capitalize()


def reuters_articles(data: Path, limit: int | None = None) -> Iterator[Article]:
    """Reuters-21578 articles with a body, as negatives."""
    path = data / "reuters21578" / "reuters21578.jsonl"
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                break
            rec = json.loads(line)
            body = (rec.get("body") or "").replace("\x03", "").rstrip()
            if not body.strip():
                continue
            doc = f"reuters:{rec['newid']}"
            title = _recase(one_line(rec.get("title") or ""), doc)
            dateline = one_line(rec.get("dateline") or "")
            text = f"{title}\n\n{dateline} {body}" if dateline else f"{title}\n\n{body}"
            yield Article(
                doc_id=doc,
                source="reuters",
                group=doc,
                blocks=[],
                labels=[],
                raw_text=text,
                title=title,
                topics=tuple(rec.get("topics") or ()),
            )


# -- boilerplate gold sets ------------------------------------------------

_MARKER = re.compile(r"^\s*<(p|h|l)>", re.IGNORECASE)


def _cleaneval_paragraphs(gold: str) -> list[str]:
    paragraphs: list[str] = []
    cur: list[str] = []
    for line in gold.splitlines():
        if line.startswith("URL:"):
            continue
        m = _MARKER.match(line)
        if m:
            if cur:
                paragraphs.append(one_line(" ".join(cur)))
            cur = [line[m.end() :]]
        elif line.strip():
            cur.append(line)
        elif cur:
            paragraphs.append(one_line(" ".join(cur)))
            cur = []
    if cur:
        paragraphs.append(one_line(" ".join(cur)))
    return [html.unescape(p) for p in paragraphs if p]


def _gold_paragraphs(subset: str, gold: str) -> list[str]:
    if subset in ("cleaneval-dev", "CleanPortalEval-master"):
        return _cleaneval_paragraphs(gold)
    if subset == "readability":
        return blocks_of_html(gold)
    return [one_line(x) for x in gold.splitlines() if x.strip()]


def _trigrams(tokens: list[str]) -> set[tuple[str, str, str]]:
    return {(tokens[i], tokens[i + 1], tokens[i + 2]) for i in range(len(tokens) - 2)}


def label_blocks(blocks: list[str], gold: list[str]) -> list[int]:
    """Label page blocks against the gold main text.

    Short blocks (under six words) must match a gold paragraph exactly to be
    content, and be absent from the gold altogether to be boilerplate: a lone
    "Home" that also occurs inside a gold sentence is neither. Longer blocks
    go by the share of their word trigrams found in the gold (at least 0.8
    content, at most 0.2 boilerplate). Anything between is context only.
    """
    gold_norm = [norm(g) for g in gold]
    whole = " " + " ".join(gold_norm) + " "
    exact = set(gold_norm)
    grams = _trigrams(whole.split())
    labels: list[int] = []
    for block in blocks:
        nb = norm(block)
        toks = nb.split()
        if not toks:
            labels.append(UNLABELLED)
            continue
        inside = f" {nb} " in whole
        if len(toks) < 6:
            if nb in exact:
                labels.append(NEGATIVE)
            elif not inside:
                labels.append(POSITIVE)
            else:
                labels.append(UNLABELLED)
            continue
        mine = _trigrams(toks)
        share = len(mine & grams) / max(len(mine), 1)
        if inside or share >= 0.8:
            labels.append(NEGATIVE)
        elif share <= 0.2:
            labels.append(POSITIVE)
        else:
            labels.append(UNLABELLED)
    return labels


BOILERPLATE_SUBSETS = (
    "cleaneval-dev",
    "CleanPortalEval-master",
    "dragnet_data",
    "readability",
)


def boilerplate_articles(data: Path) -> Iterator[Article]:
    """Gold articles (negatives) and labelled pages from the boilerplate sets."""
    root = data / "boilerplate"
    for subset in BOILERPLATE_SUBSETS:
        gold_dir = root / subset / "GoldStandard"
        input_dir = root / subset / "input"
        if not gold_dir.is_dir():
            continue
        for gold_path in sorted(gold_dir.glob("*.txt.gz")):
            name = gold_path.name[: -len(".txt.gz")]
            gold = _gold_paragraphs(subset, _read_gz_text(gold_path))
            gold = [g for g in gold if norm(g)]
            if not gold:
                continue
            group = f"{subset}:{name}"
            yield Article(
                doc_id=f"{group}:gold",
                source=subset,
                group=group,
                blocks=gold,
                labels=[NEGATIVE] * len(gold),
            )
            page_path = input_dir / f"{name}.html.gz"
            if not page_path.exists():
                continue
            blocks = blocks_of_html(_read_gz_text(page_path))
            if not blocks:
                continue
            labels = label_blocks(blocks, gold)
            yield Article(
                doc_id=f"{group}:page",
                source=subset,
                group=group,
                blocks=blocks,
                labels=labels,
                families=[BOILERPLATE if lab == POSITIVE else "" for lab in labels],
            )


def trafilatura_articles(data: Path) -> Iterator[Article]:
    """Pages of the trafilatura evaluation set, labelled by its snippets."""
    root = data / "trafilatura-eval"
    meta_path = root / "evaldata.json"
    if not meta_path.exists():
        return
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    for url, rec in sorted(meta.items()):
        page_path = root / "html" / f"{rec['file']}.gz"
        if not page_path.exists():
            continue
        blocks = blocks_of_html(_read_gz_text(page_path))
        with_ = [norm(s) for s in rec.get("with", []) if norm(s)]
        without = [norm(s) for s in rec.get("without", []) if norm(s)]
        labels: list[int] = []
        for block in blocks:
            nb = f" {norm(block)} "
            good = any(f" {s} " in nb for s in with_)
            bad = any(f" {s} " in nb for s in without)
            labels.append(
                NEGATIVE
                if good and not bad
                else POSITIVE
                if bad and not good
                else UNLABELLED
            )
        if not any(lab != UNLABELLED for lab in labels):
            continue
        group = f"trafilatura:{rec['file']}"
        yield Article(
            doc_id=group,
            source="trafilatura",
            group=group,
            blocks=blocks,
            labels=labels,
            families=[BOILERPLATE if lab == POSITIVE else "" for lab in labels],
            title=url,
        )


def find_data(explicit: str | Path | None, repo: Path) -> Path | None:
    """The shared data: *explicit*, ``$DEDUP_SHARED_DATA`` or ``../shared/data``."""
    import os

    for cand in (
        explicit,
        os.environ.get("DEDUP_SHARED_DATA"),
        repo.parent / "shared" / "data",
    ):
        if cand and Path(cand).is_dir():
            return Path(cand)
    return None
