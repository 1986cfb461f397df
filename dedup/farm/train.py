r"""Rebuild the filler classifier's training data, fit it, evaluate, ship it.

    python -m dedup.farm.train [--data DIR] [--out dedup/farm/params]
                               [--report benchmarks/results/farm.md] [--quick]
                               [--no-lofo] [--extra-seeds N]

One command, deterministic (fixed seeds, stable splits):

1. **Data** (:mod:`dedup.farm.data`, read from ``--data``, else
   ``$DEDUP_SHARED_DATA``, else ``../shared/data``): Reuters articles and the
   gold main text of the boilerplate sets as real-news negatives; real page
   blocks labelled against the gold (boilerplate positives, content
   negatives); trafilatura snippets likewise.
2. **Farm articles** (:mod:`dedup.farm.generate`): real hosts padded with
   template filler of one to three families, plus hard negatives (datelines,
   quote intros, editor's notes, Q&A, plain headings).
3. **Split** by original document (a quarter held out), so that no host,
   page or article is on both sides.
4. **Fit** :class:`~dedup.farm.model.FillerClassifier` with family-balanced
   weights; the threshold is the calibrated probability that flags 0.75% of
   the training real-news paragraphs out of fold (a margin under the 1%
   target for data unlike the training sources).
5. **Evaluate** on the held-out quarter: recall and precision per family,
   false-positive rates per real source and per hard-negative kind, and
   **leave-one-family-out**: for each family, a model trained without any
   article containing it, scored on that family only; repeated with the
   farm articles of ``--extra-seeds`` other generator seeds (one draw of
   the templates moves a family's recall by a few points).
6. **Seeds**: the hand-labelled seed paragraphs (``tests/farm/seed_labels.json``).
7. Write ``model.json`` + ``idf.npz`` and the Markdown report.

Without the data the command says so and exits with status 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.farm import generate
from dedup.farm.data import (
    BOILERPLATE,
    NEGATIVE,
    POSITIVE,
    UNLABELLED,
    Article,
    boilerplate_articles,
    find_data,
    one_line,
    reuters_articles,
    stable_fraction,
    trafilatura_articles,
)
from dedup.farm.features import (
    FEATURE_NAMES,
    IDF_BUCKETS,
    R_LABEL_KNOWN,
    Resources,
    extract,
)
from dedup.farm.lexicon import COMMERCIAL, words_of
from dedup.farm.model import PARAMS_DIR, FarmModel, FillerClassifier
from dedup.farm.paragraphs import segment
from dedup.farm.reasons import PHRASE_EXPERT
from dedup.shingle import token_arrays

REPO = Path(__file__).resolve().parents[2]
DEFAULT_REPORT = REPO / "benchmarks" / "results" / "farm.md"
SEED_LABELS = REPO / "tests" / "farm" / "seed_labels.json"
SEEDS = REPO / "seeds"
TEST_SHARE = 0.25
TARGET_FPR = 0.01
# Threshold chosen at three quarters of the target, out of fold on training
# data: held-out sources differ a little, and the margin keeps the target.
TUNE_FPR = 0.0075
PAGE_POSITIVE_CAP = 60
N_FARM = 9000
HARD_WEIGHT = 3.0
REAL_NEWS_SOURCES = ("reuters", "gold")
SEED = 20240605
#: A paragraph of prose has at least this many words and ends a sentence.
PROSE_WORDS = 8


@dataclass
class Rows:
    """Every labelled paragraph of the training articles, feature by feature."""

    X: npt.NDArray[np.float64]
    y: npt.NDArray[np.int8]
    family: npt.NDArray[np.str_]
    source: npt.NDArray[np.str_]
    article: npt.NDArray[np.int64]
    test: npt.NDArray[np.bool_]
    article_families: list[frozenset[str]]
    text: list[str]
    #: The paragraph leads with a word of the callout-label lexicon (not a
    #: feature: :data:`~dedup.farm.features.FEATURE_NAMES` says why).
    known_label: npt.NDArray[np.bool_]

    def __add__(self, other: Rows) -> Rows:
        """The rows of both, *other*'s articles numbered after this one's.

        Featurising two lists of articles apart and adding the rows gives the
        rows of featurising the two lists together: a paragraph's features
        depend on its own article only.
        """
        return Rows(
            X=np.vstack([self.X, other.X]),
            y=np.concatenate([self.y, other.y]),
            family=np.concatenate([self.family, other.family]),
            source=np.concatenate([self.source, other.source]),
            article=np.concatenate(
                [self.article, other.article + len(self.article_families)]
            ),
            test=np.concatenate([self.test, other.test]),
            article_families=self.article_families + other.article_families,
            text=self.text + other.text,
            known_label=np.concatenate([self.known_label, other.known_label]),
        )


def log(msg: str) -> None:
    """Progress on stderr."""
    print(msg, file=sys.stderr, flush=True)


# -- IDF ------------------------------------------------------------------


def build_idf(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Smoothed IDF of hashed token buckets over *texts* (one per document)."""
    toks = token_arrays(pl.Series(texts, dtype=pl.String))
    mask = np.uint64(IDF_BUCKETS - 1)
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), toks.counts)
    take = (
        np.concatenate(
            [np.arange(s, s + c) for s, c in zip(toks.starts, toks.counts, strict=True)]
        )
        if len(texts)
        else np.zeros(0, dtype=np.int64)
    )
    buckets = (toks.hashes[take] & mask).astype(np.int64)
    pairs = np.unique(doc * IDF_BUCKETS + buckets)
    df = np.bincount(pairs % IDF_BUCKETS, minlength=IDF_BUCKETS)
    n = len(texts)
    idf: npt.NDArray[np.float32] = (np.log((n + 1.0) / (df + 1.0)) + 1.0).astype(
        np.float32
    )
    return idf


# -- articles -------------------------------------------------------------


def _paragraph_lists(texts: list[str]) -> list[list[str]]:
    seg = segment(pl.Series(texts, dtype=pl.String))
    pars = seg.texts().to_list()
    out = []
    for d in range(len(texts)):
        out.append(pars[seg.doc_start[d] : seg.doc_start[d + 1]])
    return out


def _cpc_rate(paragraphs: list[str], words: frozenset[str]) -> float:
    toks = " ".join(paragraphs).lower().split()
    if not toks:
        return 1.0
    return sum(t.strip(".,;:!?()\"'") in words for t in toks) / len(toks)


#: A real article that hosts farm filler: (group, host, commercial-word rate).
HostEntry = tuple[str, generate.Host, float]


def farm_articles(hosts: list[HostEntry], n: int, seed: int) -> list[Article]:
    """*n* padded articles over *hosts* (group, host, commercial-word rate)."""
    rng = random.Random(seed)
    others = [h.title for _, h, _ in hosts if h.title]
    calm = [h for h in hosts if h[2] < 0.02 and len(h[1].paragraphs) >= 4]
    plain = [h for h in hosts if len(h[1].paragraphs) >= 3]
    families = list(generate.FAMILIES)
    out: list[Article] = []
    for k in range(n):
        chosen = rng.sample(families, rng.choice((1, 1, 2, 2, 3)))
        tie = any(f.startswith("tie_in_") for f in chosen)
        if tie:
            # Tie-ins are off-topic by definition: pad articles whose own
            # commercial vocabulary is low.
            chosen = [
                *[f for f in chosen if not f.startswith("tie_in_")][:2],
                next(f for f in chosen if f.startswith("tie_in_")),
            ]
        group, host, _ = rng.choice(calm if tie else plain)
        out.append(
            generate.farm_article(
                rng, host, chosen, f"farm:{k}", group, rng.sample(others, 20)
            )
        )
    return out


@dataclass
class Corpus:
    """The training articles: real ones, farm ones, and the hosts of the latter."""

    real: list[Article]
    farms: list[Article]
    hosts: list[HostEntry]
    idf: npt.NDArray[np.float32]

    @property
    def articles(self) -> list[Article]:
        """Real articles, then farm articles."""
        return self.real + self.farms


def load_articles(data: Path, quick: bool) -> Corpus:
    """All training articles (real and farm) and the IDF table."""
    clock = time.perf_counter()
    reuters = list(reuters_articles(data, limit=3000 if quick else None))
    log(f"reuters: {len(reuters):,} articles ({time.perf_counter() - clock:.0f} s)")
    clock = time.perf_counter()
    boiler = list(boilerplate_articles(data))
    if quick:
        boiler = [a for a in boiler if stable_fraction(a.group) < 0.3]
    log(
        f"boilerplate sets: {len(boiler):,} articles "
        f"({time.perf_counter() - clock:.0f} s)"
    )
    clock = time.perf_counter()
    traf = list(trafilatura_articles(data))
    if quick:
        traf = traf[:200]
    log(f"trafilatura: {len(traf):,} pages ({time.perf_counter() - clock:.0f} s)")

    gold = [a for a in boiler if a.doc_id.endswith(":gold")]
    for a in gold:
        a.source = "gold"
    idf_texts = [a.text for a in reuters] + [a.text for a in gold]
    idf = build_idf(idf_texts)

    # Page articles: cap the boilerplate positives of a page (menus run to
    # hundreds of links) so that a few portals do not define the family.
    rng = random.Random(SEED)
    for a in boiler + traf:
        pos = [i for i, lab in enumerate(a.labels) if lab == POSITIVE]
        if len(pos) > PAGE_POSITIVE_CAP:
            for i in rng.sample(pos, len(pos) - PAGE_POSITIVE_CAP):
                a.labels[i] = UNLABELLED
                a.families[i] = ""
        if a.doc_id.endswith(":page"):
            a.source = "page"
    for a in traf:
        a.source = "page"

    host_pars = _paragraph_lists([a.text for a in reuters])
    fin = frozenset().union(*(words_of(c) for c in COMMERCIAL))
    hosts: list[HostEntry] = []
    for a, pars in zip(reuters, host_pars, strict=True):
        # Hosts keep everything, the "Reuter" sign-off included: stripping it
        # would make a farm article's last line always filler.
        pars = [one_line(p) for p in pars if p.strip()]
        if len(pars) >= 3:
            hosts.append((a.group, generate.Host(pars, a.title), _cpc_rate(pars, fin)))
    for a in gold:
        if len(a.blocks) >= 3:
            host = generate.Host(list(a.blocks), a.blocks[0][:80])
            hosts.append((a.group, host, _cpc_rate(a.blocks, fin)))
    farms = farm_articles(hosts, farm_count(quick), SEED)
    log(f"farm articles: {len(farms):,} over {len(hosts):,} hosts")
    return Corpus(reuters + boiler + traf, farms, hosts, idf)


def farm_count(quick: bool) -> int:
    """How many farm articles a training run generates.

    Example:
        >>> farm_count(quick=True), farm_count(quick=False)
        (1500, 9000)

    """
    return 1500 if quick else N_FARM


def featurise(articles: list[Article], resources: Resources, batch: int = 4000) -> Rows:
    """Features and labels of every paragraph of *articles*."""
    xs: list[npt.NDArray[np.float64]] = []
    ys: list[int] = []
    fams: list[str] = []
    srcs: list[str] = []
    arts: list[int] = []
    tests: list[bool] = []
    texts: list[str] = []
    known: list[npt.NDArray[np.bool_]] = []
    art_fams: list[frozenset[str]] = []
    for start in range(0, len(articles), batch):
        chunk = articles[start : start + batch]
        feats = extract(pl.Series([a.text for a in chunk], dtype=pl.String), resources)
        counts = np.diff(feats.segments.doc_start)
        keep_rows: list[int] = []
        for k, a in enumerate(chunk):
            base = int(feats.segments.doc_start[k])
            n = int(counts[k])
            if a.raw_text is None and n != len(a.blocks):
                raise RuntimeError(
                    f"{a.doc_id}: {n} paragraphs for {len(a.blocks)} blocks"
                )
            labels = a.labels if a.raw_text is None else [NEGATIVE] * n
            families = a.families if a.raw_text is None else [""] * n
            test = stable_fraction(a.group) < TEST_SHARE
            for j in range(n):
                if labels[j] == UNLABELLED:
                    continue
                keep_rows.append(base + j)
                ys.append(labels[j])
                fams.append(families[j])
                srcs.append(a.source)
                arts.append(start + k)
                tests.append(test)
        take = np.asarray(keep_rows, dtype=np.int64)
        xs.append(feats.values[take])
        known.append(feats.raw[take, R_LABEL_KNOWN] > 0)
        texts.extend(feats.texts.gather(take).to_list())
        log(
            f"features: {min(start + batch, len(articles)):,} / "
            f"{len(articles):,} articles"
        )
    for a in articles:
        art_fams.append(
            frozenset(
                f
                for f, lab in zip(a.families, a.labels, strict=True)
                if lab == POSITIVE
            )
        )
    return Rows(
        X=np.vstack(xs),
        y=np.asarray(ys, dtype=np.int8),
        family=np.asarray(fams),
        source=np.asarray(srcs),
        article=np.asarray(arts, dtype=np.int64),
        test=np.asarray(tests, dtype=bool),
        article_families=art_fams,
        text=texts,
        known_label=np.concatenate(known) if known else np.zeros(0, dtype=bool),
    )


# -- fitting and evaluation ----------------------------------------------


def weights(rows: Rows, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """Family-balanced weights: every kind of filler and the negatives weigh alike.

    Hard negatives count ``HARD_WEIGHT`` times a plain negative: they are few
    and they are exactly the cases the issue says must not be flagged.
    """
    w = np.zeros(len(rows.y))
    pos = mask & (rows.y == POSITIVE)
    # The five tie-in topics are one kind of filler: weighted as five kinds
    # they would teach that filler means commercial words.
    kind = np.asarray(
        [
            f.split("_in_")[0] if f.startswith("tie_in_") else f
            for f in rows.family.tolist()
        ]
    )
    kinds = sorted(set(kind[pos].tolist()))
    for k in kinds:
        sel_k = pos & (kind == k)
        topics = sorted(set(rows.family[sel_k].tolist()))
        for f in topics:
            sel = sel_k & (rows.family == f)
            w[sel] = 1.0 / sel.sum() / len(topics) / len(kinds)
    neg = mask & (rows.y == NEGATIVE)
    hard = np.char.startswith(rows.family.astype(str), "~")
    base = np.where(hard, HARD_WEIGHT, 1.0)
    w[neg] = base[neg] / base[neg].sum()
    w *= mask.sum() / max(w.sum(), 1e-12)
    return w


_FILLER_PHRASE = FEATURE_NAMES.index("filler_phrase")


def model_family(
    family: npt.NDArray[np.str_], phrase: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.str_]:
    """The expert each training row fits: tie-in topics share one.

    Rows in *phrase* (filler whose text matches a filler phrase pattern or a
    callout-label word) train one shared phrase expert instead of their own
    family's. Per-family experts otherwise learn their family's look (a
    teaser is short and titled, a disclosure a sentence) and the generic
    expert averages every family's, so a phrase of a kind never seen in
    training was outweighed by the absence of emoji or commercial words; the
    phrase expert learns what filler phrases look like across kinds (in
    leave-one-family-out, teaser recall 0.56 -> 0.74, AI disclosures 0.64 ->
    0.78 at the same false-positive rate). Reasons still name the family from
    the pattern that matched.

        >>> model_family(np.array(["tie_in_loans", "teaser", "ads"]),
        ...              np.array([False, True, False])).tolist()
        ['tie_in', 'phrase', 'ads']
    """
    out = np.asarray(
        ["tie_in" if f.startswith("tie_in_") else f for f in family.tolist()]
    )
    if phrase is not None:
        out = np.where(phrase, PHRASE_EXPERT, out)
    return out


def fit(rows: Rows, mask: npt.NDArray[np.bool_], C: float, cv: int) -> FillerClassifier:
    """Fit on the rows in *mask*; pick the threshold on out-of-fold real news."""
    clf = FillerClassifier(C=C, cv=cv, tol=1e-3, random_state=0)
    w = weights(rows, mask)
    clf.fit(
        rows.X[mask],
        rows.y[mask],
        sample_weight=w[mask],
        family=model_family(
            rows.family[mask],
            (rows.X[mask, _FILLER_PHRASE] > 0) & (rows.y[mask] == POSITIVE),
        ),
    )
    a, b = clf.calibration_
    oof = 1.0 / (1.0 + np.exp(-(a * clf.oof_decision_ + b)))
    real = np.isin(rows.source[mask], REAL_NEWS_SOURCES) & (rows.y[mask] == NEGATIVE)
    q = float(np.quantile(oof[real], 1.0 - TUNE_FPR)) if real.any() else 0.5
    clf.set_params(threshold=float(np.clip(q, 0.5, 0.99)))
    return clf


@dataclass
class Score:
    """Counts behind a precision / recall / FPR figure."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    @property
    def recall(self) -> float:  # noqa: D102
        return self.tp / max(self.tp + self.fn, 1)

    @property
    def precision(self) -> float:  # noqa: D102
        return self.tp / max(self.tp + self.fp, 1)

    @property
    def fpr(self) -> float:  # noqa: D102
        return self.fp / max(self.fp + self.tn, 1)


def family_score(
    rows: Rows, pred: npt.NDArray[np.bool_], family: str, mask: npt.NDArray[np.bool_]
) -> Score:
    """Recall on *family* and precision within the articles that contain it."""
    arts = np.asarray([family in f for f in rows.article_families])
    in_art = mask & arts[rows.article]
    pos = in_art & (rows.y == POSITIVE) & (rows.family == family)
    neg = in_art & (rows.y == NEGATIVE)
    return Score(
        tp=int((pred & pos).sum()),
        fn=int((~pred & pos).sum()),
        fp=int((pred & neg).sum()),
        tn=int((~pred & neg).sum()),
    )


def negative_score(pred: npt.NDArray[np.bool_], sel: npt.NDArray[np.bool_]) -> Score:
    """False positives among the negatives in *sel*."""
    return Score(fp=int((pred & sel).sum()), tn=int((~pred & sel).sum()))


def all_families(rows: Rows) -> list[str]:
    """Filler families present in *rows* (generated ones first)."""
    present = set(rows.family[rows.y == POSITIVE].tolist())
    return [f for f in (*generate.FAMILIES, BOILERPLATE) if f in present]


def is_prose(texts: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Which of *texts* are prose: :data:`PROSE_WORDS` words or more, a sentence end.

    The gold main text keeps some page lines (commenters' names, "Total
    Comments (1531)", "Related Posts") that are filler by any other measure;
    a line of prose is what a reader calls a news paragraph.

        >>> is_prose(["The council approved the budget on Tuesday after a debate.",
        ...           "Total Comments (1531)", 'He said: "It is done."']).tolist()
        [True, False, False]
    """
    col = pl.Series(list(texts), dtype=pl.String)
    words = col.str.count_matches(r"\S+").fill_null(0) >= PROSE_WORDS
    end = col.str.contains(r"[.!?…][\"'”’)\]]*\s*$").fill_null(False)
    return (words & end).to_numpy()


def evaluate(rows: Rows, clf: FillerClassifier) -> dict[str, Any]:
    """Held-out results of *clf*: per family, per negative source and kind."""
    test = rows.test
    pred = clf.predict_proba(rows.X)[:, 1] >= clf.threshold
    out: dict[str, Any] = {"families": {}, "negatives": {}, "hard": {}}
    for fam in all_families(rows):
        out["families"][fam] = family_score(rows, pred, fam, test)
    neg = test & (rows.y == NEGATIVE)
    for src in ("reuters", "gold", "page", "farm"):
        out["negatives"][src] = negative_score(pred, neg & (rows.source == src))
    out["negatives"]["real news (reuters + gold)"] = negative_score(
        pred, neg & np.isin(rows.source, REAL_NEWS_SOURCES)
    )
    prose = is_prose(rows.text)
    gold = neg & (rows.source == "gold")
    out["negatives"][f"gold: prose ({PROSE_WORDS}+ words, a sentence end)"] = (
        negative_score(pred, gold & prose)
    )
    out["negatives"]["gold: other lines"] = negative_score(pred, gold & ~prose)
    for kind in sorted({f for f in rows.family.tolist() if f.startswith("~")}):
        out["hard"][kind[1:]] = negative_score(pred, neg & (rows.family == kind))
    return out


def leave_one_family_out(
    rows: Rows, C: float, families: Sequence[str] | None = None
) -> dict[str, dict[str, Any]]:
    """For each family (default: all): train without its articles, score it."""
    results: dict[str, dict[str, Any]] = {}
    real_neg = (
        rows.test & (rows.y == NEGATIVE) & np.isin(rows.source, REAL_NEWS_SOURCES)
    )
    for fam in all_families(rows) if families is None else families:
        clock = time.perf_counter()
        has = np.asarray([fam in f for f in rows.article_families])[rows.article]
        train = ~rows.test & ~has
        clf = fit(rows, train, C, cv=3)
        pred = clf.predict_proba(rows.X)[:, 1] >= clf.threshold
        results[fam] = {
            "score": family_score(rows, pred, fam, rows.test),
            "fpr": negative_score(pred, real_neg),
            "threshold": clf.threshold,
        }
        if fam == "callout":
            # The label lexicon and the generator's label bank overlap; show
            # recall apart for labels the lexicon does not know.
            known = rows.known_label
            parts = (("a known label word", known), ("an unknown label", ~known))
            for key, sel in parts:
                part = np.where(sel, pred, False)
                mask = rows.test & (sel | (rows.y == NEGATIVE))
                results[fam][key] = family_score(rows, part, fam, mask)
        s = results[fam]["score"]
        log(
            f"LOFO {fam}: recall {s.recall:.3f} precision {s.precision:.3f} "
            f"({time.perf_counter() - clock:.0f} s)"
        )
    return results


def generated_families(rows: Rows) -> list[str]:
    """The template-generated filler families in *rows* (not real boilerplate)."""
    return [f for f in all_families(rows) if f != BOILERPLATE]


def lofo_across_seeds(
    real: Rows,
    hosts: list[HostEntry],
    n_farms: int,
    seeds: Sequence[int],
    resources: Resources,
    C: float,
) -> dict[int, dict[str, Score]]:
    """Leave-one-family-out recall with the farm articles of other generator seeds.

    The filler of one seed is one draw of the templates (which host, label,
    emoji, sentence): a family's recall moves by a few points between draws,
    enough to cross a target. For each seed in *seeds*, the farm articles are
    generated anew over the same *hosts* and added to the *real* rows; the
    generated families are then held out one at a time as in
    :func:`leave_one_family_out`.
    """
    out: dict[int, dict[str, Score]] = {}
    for seed in seeds:
        rows = real + featurise(farm_articles(hosts, n_farms, seed), resources)
        lofo = leave_one_family_out(rows, C, generated_families(rows))
        out[seed] = {fam: r["score"] for fam, r in lofo.items()}
    return out


# -- seeds ----------------------------------------------------------------


def seed_frame() -> pl.DataFrame:
    """The seed articles as a frame (doc_id = file stem)."""
    files = sorted(SEEDS.glob("*.txt"))
    return pl.DataFrame(
        {
            "doc_id": [f.stem for f in files],
            "text": [f.read_text(encoding="utf-8") for f in files],
        }
    )


def seed_labels(paragraphs: pl.DataFrame) -> list[int | None]:
    """Hand label of each paragraph of the seeds (None: ambiguous)."""
    spec = json.loads(SEED_LABELS.read_text(encoding="utf-8"))["docs"]
    out: list[int | None] = []
    for doc, text in paragraphs.select("doc_id", "text").iter_rows():
        flat = " ".join(text.split())
        label: int | None = 0
        for entry in spec.get(doc, []):
            if flat.startswith(entry["starts"]):
                label = entry["label"]
                break
        out.append(label)
    return out


def seed_results(params: Path) -> dict[str, Any]:
    """Score the seeds with the model in *params* and compare to hand labels."""
    from dedup.farm.score import FarmConfig, score_frame

    result = score_frame(seed_frame(), FarmConfig(params=str(params)))
    pars = result.paragraphs
    labels = seed_labels(pars)
    flags = pars["is_filler"].to_list()
    s = Score()
    for lab, f in zip(labels, flags, strict=True):
        if lab is None:
            continue
        if lab == 1:
            s.tp += f
            s.fn += not f
        else:
            s.fp += f
            s.tn += not f
    return {"score": s, "result": result, "labels": labels}


# -- report ---------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def _fmt_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _spread_section(spread: dict[int, dict[str, Score]]) -> list[str]:
    r"""The report's table of leave-one-family-out recall by generator seed.

    Example:
        >>> table = _spread_section(
        ...     {1: {"ads": Score(tp=9, fn=1)}, 2: {"ads": Score(tp=8, fn=2)}}
        ... )
        >>> print("\n".join(table[4:8]))
        | held-out family | seed 1 | seed 2 | lowest |
        |---|---|---|---|
        | ads | 0.900 | 0.800 | 0.800 |
        | mean | 0.900 | 0.800 | 0.800 |

    """
    seeds = list(spread)
    families = list(spread[seeds[0]])
    table = []
    for fam in families:
        recalls = [spread[seed][fam].recall for seed in seeds]
        table.append((fam, *(f"{r:.3f}" for r in recalls), f"{min(recalls):.3f}"))
    means = [np.mean([s.recall for s in spread[seed].values()]) for seed in seeds]
    table.append(("mean", *(f"{m:.3f}" for m in means), f"{min(means):.3f}"))
    lines = [
        "### Across generator seeds",
        "",
        "The same leave-one-family-out recall with the farm articles drawn "
        "anew by other seeds of the generator (the real articles and the "
        "hosts are the same; the first column is the table above). One draw "
        "of the templates moves a family's recall by a few points.",
        "",
    ]
    lines += _fmt_table(
        ["held-out family", *(f"seed {seed}" for seed in seeds), "lowest"], table
    )
    return [*lines, ""]


def write_report(
    path: Path,
    *,
    counts: dict[str, Any],
    final: dict[str, Any],
    clf: FillerClassifier,
    lofo: dict[str, dict[str, Any]] | None,
    spread: dict[int, dict[str, Score]] | None,
    seeds: dict[str, Any] | None,
    seconds: float,
    quick: bool,
) -> None:
    """The Markdown evaluation report."""
    lines = [
        "# Farm filler classifier: training and evaluation",
        "",
        f"Generated by `python -m dedup.farm.train{' --quick' if quick else ''}` on "
        f"{dt.date.today().isoformat()} ({platform.python_version()}, "
        f"{platform.machine()}); {seconds / 60:.1f} min end to end.",
        "",
        "Held-out split: a quarter of the original documents (Reuters articles, "
        "pages, gold articles; a farm article goes with its host). Thresholds are "
        f"tuned on training data only, at {_pct(TUNE_FPR)} out-of-fold false "
        f"positives on real news (target {_pct(TARGET_FPR)}).",
        "",
        "## Data",
        "",
    ]
    lines += _fmt_table(
        ["paragraphs", "count"],
        [(k, f"{v:,}" if isinstance(v, int) else v) for k, v in counts.items()],
    )
    lines += [
        "",
        "## Leave-one-family-out (families the model never saw)",
        "",
        "Each row: a model trained without any article containing the family, "
        "scored on that family's held-out paragraphs. Precision counts false "
        "positives among the real paragraphs of the same (held-out) articles; "
        "FPR is on held-out real-news paragraphs (Reuters + gold main text).",
        "",
    ]
    if lofo:
        rows_ = []
        rec = []
        for fam, r in lofo.items():
            s = r["score"]
            rec.append(s.recall)
            rows_.append(
                (
                    fam,
                    f"{s.tp + s.fn:,}",
                    f"{s.recall:.3f}",
                    f"{s.precision:.3f}",
                    _pct(r["fpr"].fpr),
                    f"{r['threshold']:.3f}",
                )
            )
        lines += _fmt_table(
            [
                "held-out family",
                "paragraphs",
                "recall",
                "precision",
                "FPR real news",
                "threshold",
            ],
            rows_,
        )
        generated = [r["score"].recall for f, r in lofo.items() if f != BOILERPLATE]
        lines += [
            "",
            f"Mean recall over held-out generated families: {np.mean(generated):.3f}; "
            f"over all rows above: {np.mean(rec):.3f}.",
            "",
        ]
        call = lofo.get("callout", {})
        for key in ("a known label word", "an unknown label"):
            if key in call:
                s = call[key]
                lines.append(
                    f"Held-out callouts with {key}: recall {s.recall:.3f} "
                    f"({s.tp + s.fn:,} paragraphs)."
                )
        lines.append("")
        if spread:
            lines += _spread_section(spread)
    else:
        lines += ["_not run (--no-lofo)_", ""]
    lines += [
        "## Shipped model on the held-out split (all families trained)",
        "",
        f"Threshold {clf.threshold:.3f} on the calibrated probability.",
        "",
    ]
    lines += _fmt_table(
        ["family", "paragraphs", "recall", "precision (within its articles)"],
        [
            (f, f"{s.tp + s.fn:,}", f"{s.recall:.3f}", f"{s.precision:.3f}")
            for f, s in final["families"].items()
        ],
    )
    lines += ["", "False positives on held-out negatives:", ""]
    lines += [
        "Reuters is the cleanest real news here. The gold main text of the "
        "boilerplate sets keeps comment bylines, spam and link lines on some pages "
        '("Comment author avatar…", "Posted by: … at 10:55 AM", "best '
        'antispywares"), and farm articles are built on those hosts; most flags '
        'counted as false positives there are such lines. The two "gold:" rows '
        f"split its paragraphs into prose ({PROSE_WORDS} words or more, ending a "
        "sentence) and the other lines.",
        "",
    ]
    lines += _fmt_table(
        ["negatives", "paragraphs", "flagged", "FPR"],
        [
            (k, f"{s.fp + s.tn:,}", f"{s.fp:,}", _pct(s.fpr))
            for k, s in {
                **final["negatives"],
                **{f"hard: {k}": v for k, v in final["hard"].items()},
            }.items()
        ],
    )
    if seeds:
        s = seeds["score"]
        res = seeds["result"]
        lines += [
            "",
            "## Seeds (hand-labelled, never trained on)",
            "",
            f"Paragraph recall {s.recall:.3f} ({s.tp}/{s.tp + s.fn}), "
            f"false positives {s.fp} of {s.fp + s.tn} content paragraphs.",
            "",
        ]
        lines += _fmt_table(
            ["seed", "paragraphs", "flagged", "farm_score", "top_reasons"],
            [
                (d, n, k, f"{sc:.3f}", ", ".join(top))
                for d, sc, k, n, top in res.docs.select(
                    "doc_id", "farm_score", "n_filler", "n_paragraphs", "top_reasons"
                ).iter_rows()
            ],
        )
        lines += ["", "Flagged seed paragraphs:", ""]
        flagged = res.paragraphs.with_columns(
            pl.Series("label", seeds["labels"])
        ).filter(pl.col("is_filler"))
        lines += _fmt_table(
            ["seed", "#", "score", "label", "reason", "text"],
            [
                (
                    d[:3],
                    i,
                    f"{sc:.2f}",
                    "?" if lab is None else lab,
                    why,
                    " ".join(t.split())[:70].replace("|", "\\|"),
                )
                for d, i, sc, lab, why, t in flagged.select(
                    "doc_id", "index", "score", "label", "reason", "text"
                ).iter_rows()
            ],
        )
    coefs = sorted(
        zip(FEATURE_NAMES, clf.coef_[0], strict=True), key=lambda kv: -abs(kv[1])
    )
    lines += ["", "## Largest coefficients (standardised features)", ""]
    lines += _fmt_table(["feature", "coef"], [(n, f"{c:+.3f}") for n, c in coefs[:20]])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m dedup.farm.train``."""
    parser = argparse.ArgumentParser(
        prog="python -m dedup.farm.train", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--data", help="shared data folder (default ../shared/data)")
    parser.add_argument(
        "--out", default=str(PARAMS_DIR), help="where to write the model"
    )
    parser.add_argument("--report", default=str(DEFAULT_REPORT), help="Markdown report")
    parser.add_argument("--C", type=float, default=0.5, help="inverse regularisation")
    parser.add_argument(
        "--quick", action="store_true", help="a small subset, for a smoke run"
    )
    parser.add_argument(
        "--no-lofo", action="store_true", help="skip leave-one-family-out"
    )
    parser.add_argument(
        "--extra-seeds",
        type=int,
        default=2,
        metavar="N",
        help="repeat leave-one-family-out with N other generator seeds (default 2)",
    )
    args = parser.parse_args(argv)
    data = find_data(args.data, REPO)
    if data is None:
        log(
            "farm train: no shared data found (--data, $DEDUP_SHARED_DATA, "
            "../shared/data); nothing to do"
        )
        return 0
    clock = time.perf_counter()
    corpus = load_articles(data, args.quick)
    resources = Resources.from_idf(corpus.idf)
    # Real rows apart: the other generator seeds reuse them.
    real_rows = featurise(corpus.real, resources)
    rows = real_rows + featurise(corpus.farms, resources)
    counts: dict[str, Any] = {}
    for src in ("reuters", "gold", "page", "farm"):
        sel = rows.source == src
        counts[f"{src}: content (negatives)"] = int((sel & (rows.y == NEGATIVE)).sum())
        if (sel & (rows.y == POSITIVE)).any():
            counts[f"{src}: filler (positives)"] = int(
                (sel & (rows.y == POSITIVE)).sum()
            )
    for fam, n in sorted(Counter(rows.family[rows.y == POSITIVE].tolist()).items()):
        counts[f"family {fam}"] = n
    counts["held-out share of paragraphs"] = f"{rows.test.mean():.1%}"
    log(
        f"{len(rows.y):,} labelled paragraphs, "
        f"{int((rows.y == POSITIVE).sum()):,} filler"
    )

    clf = fit(rows, ~rows.test, args.C, cv=5)
    log(f"threshold {clf.threshold:.3f}")
    final = evaluate(rows, clf)
    for fam, s in final["families"].items():
        log(f"  {fam}: recall {s.recall:.3f} precision {s.precision:.3f}")
    for k, s in final["negatives"].items():
        log(f"  FPR {k}: {s.fpr:.4f}")
    lofo = None if args.no_lofo else leave_one_family_out(rows, args.C)
    spread = None
    if lofo is not None and args.extra_seeds > 0:
        extra = [SEED + k for k in range(1, args.extra_seeds + 1)]
        log(f"leave-one-family-out with generator seeds {extra}")
        spread = {
            SEED: {f: lofo[f]["score"] for f in generated_families(rows)},
            **lofo_across_seeds(
                real_rows,
                corpus.hosts,
                farm_count(args.quick),
                extra,
                resources,
                args.C,
            ),
        }

    model = FarmModel(
        clf,
        resources,
        FEATURE_NAMES,
        {
            "trained": dt.date.today().isoformat(),
            "command": "python -m dedup.farm.train"
            + (" --quick" if args.quick else ""),
            "paragraphs": len(rows.y),
            "filler": int((rows.y == POSITIVE).sum()),
            "test_fpr_real_news": final["negatives"]["real news (reuters + gold)"].fpr,
        },
    )
    out = Path(args.out)
    model.save(out)
    log(f"model written to {out}")
    seeds = seed_results(out) if SEED_LABELS.exists() and SEEDS.is_dir() else None
    write_report(
        Path(args.report),
        counts=counts,
        final=final,
        clf=clf,
        lofo=lofo,
        spread=spread,
        seeds=seeds,
        seconds=time.perf_counter() - clock,
        quick=args.quick,
    )
    log(
        f"report written to {args.report} "
        f"({(time.perf_counter() - clock) / 60:.1f} min)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
