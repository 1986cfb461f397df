"""A corpus of ~600-word articles with planted near-duplicates and their truth.

    python -m benchmarks.corpus --docs 100000 --out DIR [--seed 7] [--data DIR]

Writes, one shard in memory at a time (memory does not grow with ``--docs``):

- ``DIR/docs/part-NNNNN.parquet``: ``doc_id``, ``text`` (zstd);
- ``DIR/truth/part-NNNNN.parquet``: ``doc_id``, ``cluster`` (doc_id of the
  original), ``kind`` (``original`` or the edit), ``rate`` (the planned level of
  the edit), ``changed`` (the share of the original's words the edit actually
  touched) and ``source`` (the original's doc_id; null for originals);
- ``DIR/manifest.json``: seed, sizes, the text source, the kinds and rates.

**Originals** are composed from real articles: paragraphs of Reuters-21578
bodies (``../shared/data/reuters21578`` or ``$DEDUP_SHARED_DATA``; wrapped lines
rejoined, paragraphs of fewer than 8 words dropped, exact repeats of a
paragraph kept once) plus the paragraphs of ``seeds/``, under a real Reuters
headline. A Reuters story is ~130 words, so an original takes ~20 paragraphs
drawn from the whole pool (~85k paragraphs, ~2.4M words).

At 1M documents every paragraph would be used ~170 times, and two originals
sharing a paragraph word for word share ~4% of their shingles: harmless for
accuracy, but the pairs grow with the square of the corpus (at 100k documents
they made 775k LSH candidates, against 200k now), a cost no real news corpus of
that size has. So each use of a paragraph draws its figures afresh (each
number keeps its count of digits) and replaces a share ``--reword`` (0.25) of
its words by words of the pool, drawn as often as they occur: a use keeps the
paragraph's length, shape and vocabulary, and ~24% of its 5-grams. The text
reads as rough newswire, not prose; what matters for the benchmark (lengths,
word frequencies, figures, paragraph structure, few shingles shared between
different articles) is kept. :func:`accidental_overlap` measures the
overlap between originals on a sample (max ~0.1, mean ~0.0004). Without the
shared data a bundled fallback is used: paragraphs of words drawn from the
vocabulary of ``seeds/`` (the manifest says which source was used).

**Copies** (a share ``--dup-share`` of the documents) are planted edits of an
earlier original, chosen up to ``--spread`` documents back so copies land in
other shards than their originals. Kinds and rates (a copy has one kind):

========================  =====================================================
``word_edit``             that share of the words substituted (70%), deleted
                          (15%) or with a word inserted after them (15%)
``para_insert``           new paragraphs adding that share of words, anywhere
``para_delete``           that share of the paragraphs removed
``para_reorder``          that share of the paragraphs moved elsewhere
``truncate``              that share of the words cut from the end
``comments``              reader comments adding that share of words at the end
``headline``              that share of the headline's words replaced (1.0: a
                          new headline)
``syndication``           credits (dateline, "(Reporting by ...)", "originally
                          published by ...") adding about that share of words
``boilerplate``           site header and footer (navigation, cookie and
                          newsletter notices, related links) adding about that
                          share of words
========================  =====================================================

Every document is a function of (seed, its position), so a copy re-creates
its original instead of remembering it, and the corpus is the same for the same
seed, source and size (the first N documents of a bigger corpus are the
smaller one).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
ENV_VAR = "DEDUP_SHARED_DATA"
REUTERS = Path("reuters21578") / "reuters21578.jsonl"
VERSION = 1  # bump when the same seed would give another corpus

#: Planted edits and their levels (see the module docs).
KINDS: dict[str, tuple[float, ...]] = {
    "word_edit": (0.02, 0.05, 0.1, 0.2, 0.3),
    "para_insert": (0.1, 0.3, 0.6),
    "para_delete": (0.1, 0.3, 0.5),
    "para_reorder": (0.2, 0.5, 1.0),
    "truncate": (0.2, 0.5, 0.8),
    "comments": (0.1, 0.3, 0.6),
    "headline": (0.5, 1.0),
    "syndication": (0.02, 0.06),
    "boilerplate": (0.1, 0.3, 0.6),
}
ORIGINAL = "original"
TRUTH_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("cluster", pa.string()),
        ("kind", pa.string()),
        ("rate", pa.float64()),
        ("changed", pa.float64()),
        ("source", pa.string()),
    ]
)
DOCS_SCHEMA = pa.schema([("doc_id", pa.string()), ("text", pa.large_string())])

_NUMBER = re.compile(r"(\d+)")  # split keeps the figures at odd places
_PARA_SPLIT = re.compile(r"\n\s{2,}|\n\s*\n")

# Bundled text for the edits: site furniture, credits and commenters.
_NAV = (
    "Home | World | Business | Markets | Politics | Tech | Opinion | Sport | "
    "Video | Subscribe | Sign in"
)
_HEADERS = (
    _NAV,
    "Skip to main content. Advertisement. Breaking news alerts: sign up now.",
    "We use cookies to improve your experience on our site. By continuing to "
    "browse you agree to our use of cookies. Accept | Manage preferences",
    "Share this article: Facebook Twitter LinkedIn Email Print",
    "Listen to this article. Reading time: 4 minutes.",
)
_FOOTERS = (
    "Sign up for our daily newsletter and get the top stories delivered to your "
    "inbox every morning. Enter your email address. Subscribe.",
    "Related coverage: Markets wrap | Currency outlook | Commodity prices today | "
    "Analysts react | Week ahead",
    "Copyright 2026 The Daily Ledger. All rights reserved. This material may not "
    "be published, broadcast, rewritten or redistributed.",
    "About us | Contact | Careers | Advertise with us | Terms of use | Privacy "
    "policy | Cookie settings | Accessibility",
    "Most read: 1. Stocks close higher 2. Central bank holds rates 3. Oil slips "
    "on supply worries 4. Election latest 5. Weather warning issued",
    "Follow us on social media for the latest updates. Download our app.",
)
_CITIES = ("NEW YORK", "LONDON", "TOKYO", "WASHINGTON", "FRANKFURT", "SYDNEY")
_NAMES = (
    "Jane Smith", "Tom Brown", "Ana Lopez", "Kenji Sato", "Liam Walsh",
    "Priya Nair", "Olga Petrova", "David Cohen", "Maria Rossi", "Chen Wei",
)  # fmt: skip
_OUTLETS = ("the Daily Ledger", "Metro Wire", "Capital Times", "the Evening Post")
_USERS = ("reader42", "jmk_1987", "Observer", "truthseeker", "Ann B.", "mwolf")


@dataclass
class Pool:
    """Real text the originals are made of."""

    paragraphs: list[str]
    headlines: list[str]
    source: str
    vocab: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Paragraphs split around their figures, and their word counts, once.
        self.parts = [_NUMBER.split(p) for p in self.paragraphs]
        self.n_words = [len(p.split()) for p in self.paragraphs]
        # Words to reword with, drawn as often as they occur in the text.
        self.tokens = [
            w.lower()
            for p in self.paragraphs[:20_000]
            for w in p.split()
            if w.isalpha() and len(w) > 2
        ]
        if not self.vocab:
            words: set[str] = set()
            for p in self.paragraphs[:5000]:
                words.update(w for w in p.split() if w.isalpha() and len(w) > 2)
            self.vocab = sorted(words)

    def digest(self) -> str:
        h = hashlib.sha256()
        for p in (*self.headlines, *self.paragraphs):
            h.update(p.encode())
            h.update(b"\0")
        return h.hexdigest()[:16]


def find_reuters(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The Reuters JSONL: *explicit*, ``$DEDUP_SHARED_DATA``, ``../shared/data``."""
    if explicit:
        roots = [Path(explicit)]
    elif os.environ.get(ENV_VAR):
        roots = [Path(os.environ[ENV_VAR])]
    else:
        roots = [REPO.parent / "shared" / "data"]
    for root in roots:
        for cand in (root / REUTERS, root / REUTERS.name, root):
            if cand.is_file() and cand.name == REUTERS.name:
                return cand
    return None


def _paragraphs(body: str) -> list[str]:
    out = []
    for p in _PARA_SPLIT.split(body):
        p = " ".join(p.split())
        if p.endswith(" Reuter") or p == "Reuter":  # the wire's sign-off
            p = p[: -len("Reuter")].strip()
        if len(p.split()) >= 8:
            out.append(p)
    return out


def _seed_paragraphs() -> list[str]:
    paras = []
    for path in sorted((REPO / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = " ".join(line.split())
            if len(line.split()) >= 8:
                paras.append(line)
    return paras


def load_pool(data: str | os.PathLike[str] | None = None) -> Pool:
    """Paragraphs and headlines of Reuters (+ seeds/), or the bundled fallback."""
    seeds = _seed_paragraphs()
    path = find_reuters(data)
    if path is None:
        return _fallback_pool(seeds)
    paras: list[str] = []
    heads: list[str] = []
    seen: set[str] = set()
    n_articles = 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            art = json.loads(line)
            body = art.get("body") or ""
            if not body:
                continue
            n_articles += 1
            title = " ".join((art.get("title") or "").split())
            if len(title.split()) >= 3:
                heads.append(title.title())
            for p in _paragraphs(body):
                key = " ".join(_NUMBER.sub("0", p).lower().split())
                if key not in seen:
                    seen.add(key)
                    paras.append(p)
    paras.extend(p for p in seeds if p not in seen)
    heads = sorted(set(heads))
    return Pool(
        paras,
        heads,
        f"Reuters-21578 ({n_articles:,} articles with a body: {len(paras):,} "
        f"distinct paragraphs of >= 8 words, {len(heads):,} headlines) + seeds/",
    )


def _fallback_pool(seeds: Sequence[str]) -> Pool:
    """Paragraphs of words drawn from seeds/' vocabulary (no shared data)."""
    rng = random.Random(20261122)
    vocab = sorted({w.strip(".,;:\"'()“”‘’") for p in seeds for w in p.split()} - {""})
    if len(vocab) < 200:  # no seeds either: numbered pseudo-words
        vocab += [f"w{i}" for i in range(2000)]
    paras = []
    for _ in range(30_000):
        n = rng.randint(15, 45)
        words = [rng.choice(vocab) for _ in range(n)]
        paras.append(" ".join(words).capitalize() + ".")
    heads = [" ".join(rng.choice(vocab) for _ in range(7)).title() for _ in range(5000)]
    return Pool(
        paras,
        heads,
        f"bundled fallback: {len(paras):,} paragraphs of words drawn from the "
        f"{len(vocab):,}-word vocabulary of seeds/ (no shared data found)",
        vocab=vocab,
    )


# ------------------------------------------------------------------ articles


@dataclass
class Article:
    """A headline and its paragraphs."""

    headline: str
    paragraphs: list[str]
    header: list[str] = field(default_factory=list)  # site furniture, credits
    footer: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n\n".join(
            [*self.header, self.headline, *self.paragraphs, *self.footer]
        )

    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def _rng(seed: int, pos: int, salt: str) -> random.Random:
    return random.Random(f"{VERSION}/{seed}/{pos}/{salt}")


def _draw(rng: random.Random, pool: Pool, reword: float) -> tuple[str, int]:
    """A random pool paragraph as one article uses it, and its word count.

    Its figures are drawn afresh (each number keeps its count of digits, so
    tables and dates stay plausible) and a share *reword* of its words is
    replaced by words of the pool, as often drawn as they occur: reused
    paragraphs then share short phrases, not whole passages (see the module
    docs).
    """
    i = rng.randrange(len(pool.paragraphs))
    parts = pool.parts[i]
    text = parts[0]
    if len(parts) > 1:
        out = list(parts)
        for k in range(1, len(out), 2):
            n = len(out[k])
            out[k] = str(
                rng.randrange(10 ** (n - 1), 10**n) if n > 1 else rng.randrange(10)
            )
        text = "".join(out)
    if reword > 0:
        words = text.split(" ")
        rand, tokens = rng.random, pool.tokens
        for k, w in enumerate(words):
            if rand() < reword and w.isalpha():
                new = tokens[int(rand() * len(tokens))]
                words[k] = new.capitalize() if w[0].isupper() else new
        text = " ".join(words)
    return text, pool.n_words[i]


def original(spec: Spec, pool: Pool, pos: int) -> Article:
    """The original at position *pos*: about ``spec.words`` words of paragraphs."""
    rng = _rng(spec.seed, pos, "original")
    target = rng.randint(int(spec.words * 0.8), int(spec.words * 1.2))
    paras: list[str] = []
    n = 0
    while n < target:
        p, k = _draw(rng, pool, spec.reword)
        paras.append(p)
        n += k
    return Article(rng.choice(pool.headlines), paras)


def _fresh_paragraphs(
    rng: random.Random, pool: Pool, n_words: int, reword: float
) -> list[str]:
    out: list[str] = []
    got = 0
    while got < n_words:
        p, k = _draw(rng, pool, reword)
        out.append(p)
        got += k
    return out


def _edit_words(
    rng: random.Random, art: Article, rate: float, vocab: Sequence[str]
) -> float:
    total = touched = 0
    paras = []
    for p in art.paragraphs:
        out = []
        for w in p.split():
            total += 1
            if rng.random() < rate:
                touched += 1
                r = rng.random()
                if r < 0.7:
                    out.append(rng.choice(vocab))
                elif r < 0.85:
                    continue
                else:
                    out.extend((w, rng.choice(vocab)))
            else:
                out.append(w)
        paras.append(" ".join(out) if out else p)
    art.paragraphs = paras
    return touched / max(total, 1)


def plant(
    rng: random.Random,
    art: Article,
    kind: str,
    rate: float,
    pool: Pool,
    reword: float = 0.0,
) -> float:
    """Apply one edit to *art* in place; the share of its words touched."""
    n_words = art.words()
    paras = art.paragraphs
    if kind == "word_edit":
        return _edit_words(rng, art, rate, pool.vocab)
    if kind == "para_insert":
        new = _fresh_paragraphs(rng, pool, max(1, round(rate * n_words)), reword)
        for p in new:
            paras.insert(rng.randint(0, len(paras)), p)
        return sum(len(p.split()) for p in new) / n_words
    if kind == "para_delete":
        k = min(len(paras) - 1, max(1, round(rate * len(paras))))
        gone = set(rng.sample(range(len(paras)), k))
        removed = sum(len(paras[i].split()) for i in gone)
        art.paragraphs = [p for i, p in enumerate(paras) if i not in gone]
        return removed / n_words
    if kind == "para_reorder":
        k = min(len(paras), max(2, round(rate * len(paras))))
        idx = sorted(rng.sample(range(len(paras)), k))
        moved = [paras[i] for i in idx]
        rng.shuffle(moved)
        for i, p in zip(idx, moved, strict=True):
            paras[i] = p
        return sum(len(p.split()) for p in moved) / n_words
    if kind == "truncate":
        keep = max(1, round((1 - rate) * n_words))
        out, got = [], 0
        for p in paras:
            ws = p.split()
            if got + len(ws) >= keep:
                out.append(" ".join(ws[: keep - got]))
                break
            out.append(p)
            got += len(ws)
        art.paragraphs = out
        return 1 - keep / n_words
    if kind == "comments":
        budget = max(1, round(rate * n_words))
        lines = [f"Comments ({rng.randint(3, 240)})"]
        got = 0
        while got < budget:
            p, _ = _draw(rng, pool, reword)
            line = f"{rng.choice(_USERS)} wrote: {p}"
            lines.append(line)
            got += len(line.split())
        art.footer = [*art.footer, *lines]
        return got / n_words
    if kind == "headline":
        ws = art.headline.split()
        if rate >= 1.0:
            art.headline = rng.choice(pool.headlines)
            return len(ws) / n_words
        k = max(1, round(rate * len(ws)))
        for i in rng.sample(range(len(ws)), min(k, len(ws))):
            ws[i] = rng.choice(pool.vocab).title()
        art.headline = " ".join(ws)
        return k / n_words
    if kind == "syndication":
        budget = max(1, round(rate * n_words))
        credits = [
            f"{rng.choice(_CITIES)} (Reuters) -",
            f"(Reporting by {rng.choice(_NAMES)}; additional reporting by "
            f"{rng.choice(_NAMES)}; editing by {rng.choice(_NAMES)})",
            f"This story was originally published by {rng.choice(_OUTLETS)} and is "
            "republished here under a syndication agreement.",
            f"Written by {rng.choice(_NAMES)}, {rng.choice(_OUTLETS)} staff. "
            "Contact the newsroom with tips and corrections.",
        ]
        head, foot = [credits[0]], []
        got = len(credits[0].split())
        for c in credits[1:]:
            if got >= budget:
                break
            foot.append(c)
            got += len(c.split())
        art.header = [*head, *art.header]
        art.footer = [*foot, *art.footer]
        return got / n_words
    if kind == "boilerplate":
        budget = max(1, round(rate * n_words))
        head, foot = [], []
        got = 0
        blocks = [(True, h) for h in _HEADERS] + [(False, f) for f in _FOOTERS]
        rng.shuffle(blocks)
        i = 0
        while got < budget:
            top, b = blocks[i % len(blocks)]
            (head if top else foot).append(b)
            got += len(b.split())
            i += 1
        art.header = [*head, *art.header]
        art.footer = [*art.footer, *foot]
        return got / n_words
    raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")


# -------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Spec:
    """What decides the corpus (everything in the manifest)."""

    docs: int
    seed: int = 7
    dup_share: float = 0.3
    spread: int = 20_000
    words: int = 600
    reword: float = 0.25
    shard_docs: int = 50_000
    kinds: tuple[str, ...] = tuple(KINDS)


def doc_id(pos: int) -> str:
    return f"d{pos:09d}"


def is_copy(spec: Spec, pos: int) -> bool:
    """Whether position *pos* holds a planted copy (position 0 never does)."""
    return pos > 0 and _rng(spec.seed, pos, "role").random() < spec.dup_share


def source_of(spec: Spec, pos: int) -> int:
    """The original a copy at *pos* is made from: up to ``spread`` back."""
    rng = _rng(spec.seed, pos, "source")
    q = pos - rng.randint(1, min(pos, spec.spread))
    while is_copy(spec, q):  # walk back to an original (position 0 is one)
        q -= 1
    return q


def make_doc(spec: Spec, pool: Pool, pos: int) -> tuple[str, dict[str, object]]:
    """Text and truth row of the document at *pos*."""
    if not is_copy(spec, pos):
        art = original(spec, pool, pos)
        truth: dict[str, object] = {
            "doc_id": doc_id(pos),
            "cluster": doc_id(pos),
            "kind": ORIGINAL,
            "rate": 0.0,
            "changed": 0.0,
            "source": None,
        }
        return art.text(), truth
    q = source_of(spec, pos)
    art = original(spec, pool, q)
    rng = _rng(spec.seed, pos, "edit")
    kind = rng.choice(spec.kinds)
    rate = rng.choice(KINDS[kind])
    changed = plant(rng, art, kind, rate, pool, spec.reword)
    truth = {
        "doc_id": doc_id(pos),
        "cluster": doc_id(q),
        "kind": kind,
        "rate": rate,
        "changed": round(changed, 4),
        "source": doc_id(q),
    }
    return art.text(), truth


def shard_tables(spec: Spec, pool: Pool, shard: int) -> tuple[pa.Table, pa.Table]:
    """(docs, truth) of shard number *shard*."""
    start = shard * spec.shard_docs
    texts: list[str] = []
    rows: list[dict[str, object]] = []
    for pos in range(start, min(spec.docs, start + spec.shard_docs)):
        text, truth = make_doc(spec, pool, pos)
        texts.append(text)
        rows.append(truth)
    docs = pa.table(
        {"doc_id": [r["doc_id"] for r in rows], "text": texts}, schema=DOCS_SCHEMA
    )
    return docs, pa.Table.from_pylist(rows, schema=TRUTH_SCHEMA)


def n_shards(spec: Spec) -> int:
    return -(-spec.docs // spec.shard_docs)


# The worker processes' view of the job (set before they fork).
_JOB: tuple[Spec, Pool, Path] | None = None


def _write_shard(shard: int) -> tuple[int, int, int]:
    """Write one shard (in a worker); (shard, text bytes, copies)."""
    assert _JOB is not None
    spec, pool, out = _JOB
    docs, truth = shard_tables(spec, pool, shard)
    name = f"part-{shard:05d}.parquet"
    pq.write_table(docs, out / "docs" / name, compression="zstd",
                   row_group_size=8192)  # fmt: skip
    pq.write_table(truth, out / "truth" / name, compression="zstd")
    text_bytes = int(pc.sum(pc.binary_length(docs.column("text"))).as_py() or 0)
    copies = int(pc.sum(pc.not_equal(truth.column("kind"), ORIGINAL)).as_py() or 0)
    return shard, text_bytes, copies


def generate(
    spec: Spec,
    out: Path,
    pool: Pool | None = None,
    quiet: bool = False,
    jobs: int | None = None,
) -> dict[str, object]:
    """Write the corpus to *out* (replacing it); returns the manifest.

    Shards are independent (every document is a function of its position), so
    *jobs* processes write them side by side; each holds one shard at a time.
    """
    global _JOB
    pool = pool or load_pool()
    if out.exists():
        shutil.rmtree(out)
    (out / "docs").mkdir(parents=True)
    (out / "truth").mkdir()
    clock = time.perf_counter()
    text_bytes = 0
    copies = 0
    jobs = max(1, min(jobs or os.cpu_count() or 1, n_shards(spec)))
    _JOB = (spec, pool, out)
    try:
        if jobs == 1:
            results: Iterator[tuple[int, int, int]] = map(
                _write_shard, range(n_shards(spec))
            )
            workers = None
        else:
            import multiprocessing as mp

            workers = mp.get_context("fork").Pool(jobs)
            results = workers.imap_unordered(_write_shard, range(n_shards(spec)))
        for done, (_, nbytes, ncopies) in enumerate(results, 1):
            text_bytes += nbytes
            copies += ncopies
            if not quiet:
                print(f"[corpus] {done} / {n_shards(spec)} shards "
                      f"({time.perf_counter() - clock:.0f} s)", file=sys.stderr,
                      flush=True)  # fmt: skip
        if workers is not None:
            workers.close()
            workers.join()
    finally:
        _JOB = None
    manifest: dict[str, object] = {
        "version": VERSION,
        "docs": spec.docs,
        "seed": spec.seed,
        "dup_share": spec.dup_share,
        "spread": spec.spread,
        "words": spec.words,
        "reword": spec.reword,
        "shard_docs": spec.shard_docs,
        "kinds": {k: list(KINDS[k]) for k in spec.kinds},
        "source": pool.source,
        "pool_digest": pool.digest(),
        "copies": copies,
        "text_bytes": text_bytes,
        "seconds": round(time.perf_counter() - clock, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def ensure(spec: Spec, out: Path, pool: Pool | None = None) -> dict[str, object]:
    """The corpus at *out*, generated unless one as big or bigger is there."""
    pool = pool or load_pool()
    path = out / "manifest.json"
    if path.is_file():
        have = json.loads(path.read_text())
        # The first N documents of a bigger corpus are the smaller one.
        same = (
            int(have.get("docs", 0)) >= spec.docs
            and all(
                have.get(k) == v
                for k, v in (
                    ("version", VERSION),
                    ("seed", spec.seed),
                    ("dup_share", spec.dup_share),
                    ("spread", spec.spread),
                    ("words", spec.words),
                    ("reword", spec.reword),
                    ("shard_docs", spec.shard_docs),
                    ("pool_digest", pool.digest()),
                )
            )
            and list(have.get("kinds", {})) == list(spec.kinds)
        )
        if same:
            return have  # type: ignore[no-any-return]
    return generate(spec, out, pool)


def shards(out: Path, what: str = "docs") -> list[Path]:
    return sorted((out / what).glob("part-*.parquet"))


def read_truth(out: Path) -> pa.Table:
    return pa.concat_tables(pq.read_table(p) for p in shards(out, "truth"))


# ----------------------------------------------------------------- checking


def shingle_set(text: str, n: int = 5) -> set[str]:
    """Word n-grams of dedup's tokens (the definition the scan verifies with)."""
    from dedup.normalize import tokens

    toks = tokens(text)
    return {" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def accidental_overlap(
    spec: Spec, pool: Pool, sample: int = 300, seed: int = 0
) -> tuple[float, float]:
    """(max, mean) overlap coefficient between distinct originals of a sample.

    The overlap coefficient is what dedup's verification uses (shared shingles
    over the smaller set); all pairs of *sample* originals are compared.
    """
    rng = random.Random(seed)
    picks: list[int] = []
    while len(picks) < sample:
        pos = rng.randrange(spec.docs)
        if not is_copy(spec, pos) and pos not in picks:
            picks.append(pos)
    sets = [shingle_set(original(spec, pool, p).text()) for p in picks]
    best, total, n = 0.0, 0.0, 0
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            inter = len(sets[i] & sets[j])
            ov = inter / max(1, min(len(sets[i]), len(sets[j])))
            best = max(best, ov)
            total += ov
            n += 1
    return best, total / max(n, 1)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--docs", type=int, required=True, help="number of documents")
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    ap.add_argument("--seed", type=int, default=Spec.seed)
    ap.add_argument("--dup-share", type=float, default=Spec.dup_share,
                    help="share of documents that are planted copies")  # fmt: skip
    ap.add_argument("--spread", type=int, default=Spec.spread,
                    help="a copy's original is at most N documents back")  # fmt: skip
    ap.add_argument("--words", type=int, default=Spec.words,
                    help="words of an original (+-20%%)")  # fmt: skip
    ap.add_argument("--reword", type=float, default=Spec.reword,
                    help="share of a paragraph's words replaced per use")  # fmt: skip
    ap.add_argument("--shard-docs", type=int, default=Spec.shard_docs)
    ap.add_argument("--data", help="shared data folder (or its reuters21578/)")
    ap.add_argument("--jobs", type=int, help="worker processes (default: CPUs)")
    ap.add_argument("--check", type=int, default=0, metavar="N",
                    help="report the overlap of N sampled originals")  # fmt: skip
    args = ap.parse_args(argv)
    if not 0 <= args.dup_share < 1:
        ap.error(f"--dup-share must be in [0, 1); got {args.dup_share}")
    spec = Spec(args.docs, args.seed, args.dup_share, args.spread, args.words,
                args.reword, args.shard_docs)  # fmt: skip
    pool = load_pool(args.data)
    print(f"[corpus] text from {pool.source}", file=sys.stderr)
    manifest = generate(spec, args.out, pool, jobs=args.jobs)
    if args.check:
        best, mean = accidental_overlap(spec, pool, args.check)
        manifest["accidental_overlap"] = {"sample": args.check, "max": best,
                                          "mean": mean}  # fmt: skip
        (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(json.dumps(manifest, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
