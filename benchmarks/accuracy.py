"""Accuracy on the hand-labelled Reuters-21578 pairs: dedup, datasketch, rensa.

    python -m benchmarks.accuracy [--data DIR] [--include-borderline] [--out FILE]

The data (research-licensed, never copied into the repository) is looked up in
``--data DIR``, else ``$DEDUP_SHARED_DATA``, else ``../shared/data`` next to the
repository root; DIR may be the shared data folder or its ``reuters21578/``
subfolder. Without it the script says so and exits with status 0.

Scoring follows ``../shared/tools/score_pairs.py``: every article with a
non-empty body is scanned, text = title + blank line + body, doc_id =
str(newid); a gold pair is predicted duplicate when both documents share a
cluster; positive = ``exact`` or ``near_dup``; borderline pairs are left out
unless ``--include-borderline``.

Baselines use the same word 5-gram shingles (:func:`dedup.normalize.tokens`,
five consecutive tokens joined by spaces, UTF-8) and cluster the way those
libraries are used out of the box:

* datasketch: ``MinHashLSH`` over ``MinHash`` (128 permutations, seed 1);
  clusters are connected components of the LSH query results, no verification.
* rensa: ``RMinHashDeduplicator(threshold, num_perm=128, use_lsh=True)`` (the
  usage example of its README), documents added in corpus order; each document
  is linked to the kept documents ``get_duplicates`` returns (LSH candidates
  whose *estimated* Jaccard reaches the threshold); clusters are connected
  components of those links.

The result is printed and written to ``benchmarks/results/accuracy.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import polars as pl

import dedup
from dedup import scan_frame
from dedup.config import ScanConfig
from dedup.normalize import tokens

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "benchmarks" / "results" / "accuracy.md"
ENV_VAR = "DEDUP_SHARED_DATA"
SUBDIR = "reuters21578"
CORPUS = "reuters21578.jsonl"
GOLD = "gold_pairs.jsonl"
SILVER = "reuters21578.silver_exact_dup_clusters.json"
NGRAM = 5
NUM_PERM = 128
SWEEP = tuple(round(t, 1) for t in np.arange(0.3, 0.95, 0.1))
POSITIVE = ("exact", "near_dup")
_WORD = re.compile(r"\w+")


# --------------------------------------------------------------------- data


def find_data(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The folder holding the Reuters files, or None when it is absent."""
    if explicit is not None:
        roots = [Path(explicit)]
    elif os.environ.get(ENV_VAR):
        roots = [Path(os.environ[ENV_VAR])]
    else:
        roots = [REPO.parent / "shared" / "data"]
    for root in roots:
        for cand in (root / SUBDIR, root):
            if (cand / CORPUS).is_file() and (cand / GOLD).is_file():
                return cand
    return None


@dataclass(frozen=True)
class Corpus:
    """Scanned articles: every one with a non-empty body."""

    frame: pl.DataFrame  # doc_id, text, body_words
    path: Path

    @property
    def ids(self) -> list[str]:
        return self.frame["doc_id"].to_list()


def load_corpus(data: Path) -> Corpus:
    """Articles with a non-empty body as doc_id / text (title, blank line, body)."""
    ids: list[str] = []
    texts: list[str] = []
    words: list[int] = []
    with open(data / CORPUS, encoding="utf-8") as f:
        for line in f:
            art = json.loads(line)
            body = art.get("body") or ""
            if not body:
                continue
            ids.append(str(art["newid"]))
            texts.append((art.get("title") or "") + "\n\n" + body)
            words.append(len(_WORD.findall(body.lower())))
    frame = pl.DataFrame(
        {"doc_id": ids, "text": texts, "body_words": words},
        schema={"doc_id": pl.String, "text": pl.String, "body_words": pl.Int64},
    )
    return Corpus(frame, data / CORPUS)


@dataclass(frozen=True)
class GoldPair:
    a: str
    b: str
    label: str
    note: str
    borderline: bool

    @property
    def positive(self) -> bool:
        return self.label in POSITIVE


def load_gold(data: Path, include_borderline: bool = False) -> list[GoldPair]:
    """The hand-labelled pairs (borderline ones left out unless asked for)."""
    out = []
    with open(data / GOLD, encoding="utf-8") as f:
        for line in f:
            g = json.loads(line)
            if g.get("borderline") and not include_borderline:
                continue
            out.append(
                GoldPair(
                    str(g["id_a"]),
                    str(g["id_b"]),
                    g["label"],
                    g.get("note") or "",
                    bool(g.get("borderline")),
                )
            )
    return out


def load_silver(data: Path) -> list[list[str]]:
    """Silver exact-duplicate clusters as lists of doc_ids."""
    with open(data / SILVER, encoding="utf-8") as f:
        return [[str(x) for x in cluster] for cluster in json.load(f)]


# ------------------------------------------------------------------ scoring


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    wrong: list[tuple[str, GoldPair]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / max(self.tp + self.fp, 1)

    @property
    def recall(self) -> float:
        return self.tp / max(self.tp + self.fn, 1)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / max(p + r, 1e-9)


def score(cluster: dict[str, str], gold: Iterable[GoldPair]) -> Score:
    """score_pairs.py's rule: predicted duplicate = both in one cluster."""
    s = Score()
    for g in gold:
        ca = cluster.get(g.a)
        same = ca is not None and ca == cluster.get(g.b)
        if same and g.positive:
            s.tp += 1
        elif same:
            s.fp += 1
        elif g.positive:
            s.fn += 1
        else:
            s.tn += 1
        if same != g.positive:
            s.wrong.append(("false positive" if same else "missed", g))
    return s


# ---------------------------------------------------------------- methods


@dataclass
class Run:
    method: str
    setting: str
    score: Score
    seconds: float
    note: str = ""


def _labels_to_clusters(ids: Sequence[str], labels: np.ndarray) -> dict[str, str]:
    return {doc: str(int(lab)) for doc, lab in zip(ids, labels, strict=True)}


def _components(n: int, edges: Iterable[tuple[int, int]]) -> np.ndarray:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(n)], dtype=np.int64)


def run_dedup(corpus: Corpus, config: ScanConfig) -> tuple[dedup.ScanResult, float]:
    frame = corpus.frame.select("doc_id", "text")
    clock = time.perf_counter()
    result = scan_frame(frame, config)
    return result, time.perf_counter() - clock


def dedup_clusters(result: dedup.ScanResult) -> dict[str, str]:
    return dict(
        zip(
            result.docs["doc_id"].to_list(),
            result.docs["cluster_id"].to_list(),
            strict=True,
        )
    )


def shingles(texts: Iterable[str], n: int = NGRAM) -> list[list[bytes]]:
    """Word n-gram shingles as UTF-8 bytes; a text shorter than n is one shingle."""
    out = []
    for text in texts:
        toks = tokens(text)
        if len(toks) < n:
            grams = {" ".join(toks)} if toks else set()
        else:
            grams = {" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)}
        out.append([g.encode("utf-8") for g in sorted(grams)])
    return out


def datasketch_minhashes(sh: list[list[bytes]]) -> tuple[list[object], float]:
    from datasketch import MinHash

    clock = time.perf_counter()
    mhs = MinHash.bulk(sh, num_perm=NUM_PERM)
    return mhs, time.perf_counter() - clock


def datasketch_labels(
    mhs: list[object], threshold: float
) -> tuple[np.ndarray, float, tuple[int, int]]:
    """Connected components of MinHashLSH query results (no verification)."""
    from datasketch import MinHashLSH

    clock = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for i, mh in enumerate(mhs):
            session.insert(i, mh, check_duplication=False)
    edges = [(i, j) for i, mh in enumerate(mhs) for j in lsh.query(mh) if j != i]
    labels = _components(len(mhs), edges)
    return labels, time.perf_counter() - clock, (lsh.b, lsh.r)


def rensa_available() -> bool:
    try:
        import rensa
    except ImportError:
        return False
    return hasattr(rensa, "RMinHashDeduplicator") and hasattr(rensa, "RMinHash")


def rensa_labels(sh: list[list[bytes]], threshold: float) -> tuple[np.ndarray, float]:
    """Link each document to the kept documents rensa calls its duplicates."""
    from rensa import RMinHash, RMinHashDeduplicator

    clock = time.perf_counter()
    mhs = RMinHash.from_token_sets(sh, num_perm=NUM_PERM, seed=42)
    dd = RMinHashDeduplicator(threshold=threshold, num_perm=NUM_PERM, use_lsh=True)
    edges: list[tuple[int, int]] = []
    for i, mh in enumerate(mhs):
        edges.extend((i, int(k)) for k in dd.get_duplicates(mh))
        dd.add(str(i), mh)
    labels = _components(len(mhs), edges)
    return labels, time.perf_counter() - clock


# ------------------------------------------------------------------ silver


@dataclass
class SilverCheck:
    scope: str
    found: int
    total: int
    missing: list[str]


def silver_check(
    result: dedup.ScanResult, silver: list[list[str]], scope: str
) -> SilverCheck:
    """Is every silver cluster entirely inside one dedup cluster?"""
    cluster = dedup_clusters(result)
    pairs = {
        (a, b): (rel, sim)
        for a, b, rel, sim in result.pairs.select(
            "doc_id_a", "doc_id_b", "relation", "similarity"
        ).iter_rows()
    }
    found = 0
    missing = []
    for members in silver:
        labels = {cluster.get(m) for m in members}
        if None not in labels and len(labels) == 1:
            found += 1
            continue
        why = []
        for m in members:
            if m not in cluster:
                why.append(f"{m} not scanned")
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                key = (min(a, b), max(a, b))
                if key in pairs:
                    rel, sim = pairs[key]
                    why.append(f"{key[0]}~{key[1]} {rel} (similarity {sim:.2f})")
                else:
                    why.append(f"{key[0]}~{key[1]} no verified pair")
        missing.append(f"{members}: " + "; ".join(why))
    return SilverCheck(scope, found, len(silver), missing)


# --------------------------------------------------------------- diagnose


def _shingle_set(text: str) -> set[str]:
    toks = tokens(text)
    return {" ".join(toks[i : i + NGRAM]) for i in range(len(toks) - NGRAM + 1)}


def diagnose(
    corpus: Corpus, result: dedup.ScanResult, wrong: list[tuple[str, GoldPair]]
) -> list[str]:
    """score_pairs.py's listing of wrong pairs, plus what dedup saw of each."""
    text = dict(
        zip(
            corpus.frame["doc_id"].to_list(),
            corpus.frame["text"].to_list(),
            strict=True,
        )
    )
    pairs = {
        (a, b): (rel, sim, reason)
        for a, b, rel, sim, reason in result.pairs.select(
            "doc_id_a", "doc_id_b", "relation", "similarity", "reason"
        ).iter_rows()
    }
    lines = []
    for kind, g in wrong:
        key = (min(g.a, g.b), max(g.a, g.b))
        if key in pairs:
            rel, sim, reason = pairs[key]
            seen = f"pair {rel}, similarity {sim:.2f}: {reason}"
        elif g.a in text and g.b in text:
            sa, sb = _shingle_set(text[g.a]), _shingle_set(text[g.b])
            inter = len(sa & sb)
            ov = inter / max(min(len(sa), len(sb)), 1)
            jac = inter / max(len(sa | sb), 1)
            where = "below threshold" if kind == "missed" else "joined via other docs"
            seen = f"no direct pair; overlap {ov:.2f}, jaccard {jac:.2f} ({where})"
        else:
            seen = "document not scanned"
        lines.append(
            f"  {kind:<14} {g.a} ~ {g.b}  [{g.label}] {g.note}"
            f"\n  {'':14} -> dedup: {seen}"
        )
    return lines


# ------------------------------------------------------------------ report


def _row(run: Run) -> str:
    s = run.score
    return (
        f"| {run.method} | {run.setting} | {s.precision:.3f} | {s.recall:.3f} | "
        f"{s.f1:.3f} | {s.tp} | {s.fp} | {s.fn} | {run.seconds:.1f} | {run.note} |"
    )


def _table(runs: Iterable[Run]) -> list[str]:
    head = [
        "| method | setting | P | R | F1 | tp | fp | fn | seconds | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    return head + [_row(r) for r in runs]


def _versions() -> str:
    parts = [f"python {platform.python_version()}", f"dedup {dedup.__version__}"]
    for pkg in ("polars", "numba", "datasketch", "rensa"):
        try:
            parts.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{pkg} (not installed)")
    return ", ".join(parts)


def render(
    *,
    command: str,
    data: Path,
    corpus: Corpus,
    gold: list[GoldPair],
    include_borderline: bool,
    main: list[Run],
    sweeps: dict[str, list[Run]],
    silver: list[SilverCheck],
    wrong: list[str],
    notes: list[str],
) -> str:
    n_pos = sum(g.positive for g in gold)
    out = [
        "# Accuracy on hand-labelled Reuters-21578 pairs",
        "",
        f"Reproduce: `{command}`  ",
        f"Date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}  ",
        f"Versions: {_versions()}  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at the end (timings are single runs)",
        "",
        f"Data: `{data.name}/` ({corpus.frame.height} articles with a non-empty "
        "body scanned; "
        f"{len(gold)} gold pairs, {n_pos} positive, borderline "
        f"{'included' if include_borderline else 'excluded'}). Positive = exact or "
        "near_dup; a pair is predicted duplicate when both docs share a cluster "
        "(the rule of `shared/tools/score_pairs.py`).",
        "",
        "## Gold pairs",
        "",
        *_table(main),
        "",
        "Seconds: wall time of one call on the whole corpus (dedup after a warm-up "
        "scan, so numba compilation is not counted). Baseline times include building "
        "the signatures from precomputed shingle lists, not tokenisation.",
        "",
    ]
    for title, runs in sweeps.items():
        out += [f"### {title}", "", *_table(runs), ""]
    out += ["## Silver exact duplicates (dedup at defaults)", ""]
    out += ["| scan | clusters found inside one dedup cluster |", "|---|---:|"]
    out += [f"| {c.scope} | {c.found} / {c.total} |" for c in silver]
    for c in silver:
        if c.missing:
            out += ["", f"Not found ({c.scope}):", "", "```", *c.missing, "```"]
    out += [
        "",
        "## Wrong pairs, dedup at defaults",
        "",
        "Format of score_pairs.py, with what dedup saw of the pair underneath.",
        "",
        "```",
        *(wrong or ["(none)"]),
        "```",
        "",
    ]
    if notes:
        out += ["## Notes", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(out)


# -------------------------------------------------------------------- main


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", help=f"shared data folder (else ${ENV_VAR}, else ../shared/data)"
    )
    parser.add_argument(
        "--include-borderline",
        action="store_true",
        help="score the borderline gold pairs too",
    )
    parser.add_argument(
        "--out", default=str(DEFAULT_OUT), help="markdown file to write"
    )
    parser.add_argument(
        "--no-baselines",
        action="store_true",
        help="dedup rows only (skip datasketch and rensa)",
    )
    args = parser.parse_args(argv)

    data = find_data(args.data)
    if data is None:
        print(
            f"Reuters-21578 data not found (--data, ${ENV_VAR} or ../shared/data); "
            "nothing to do.",
            file=sys.stderr,
        )
        return 0
    given = list(argv if argv is not None else sys.argv[1:])
    command = " ".join(["python -m benchmarks.accuracy", *given])

    corpus = load_corpus(data)
    gold = load_gold(data, args.include_borderline)
    gold_all = load_gold(data, include_borderline=True)
    silver_clusters = load_silver(data)
    notes: list[str] = []
    absent = {x for g in gold_all for x in (g.a, g.b)} - set(corpus.ids)
    if absent:
        notes.append(
            f"{len(absent)} gold documents are not in the scan: {sorted(absent)}"
        )

    # Warm-up: load numba's cached compilations so timings measure the scan.
    scan_frame(corpus.frame.head(2000).select("doc_id", "text"))

    main_runs: list[Run] = []
    default = ScanConfig()
    log("dedup defaults ...")
    res_default, secs = run_dedup(corpus, default)
    clusters_default = dedup_clusters(res_default)
    s_default = score(clusters_default, gold)
    main_runs.append(
        Run("dedup", f"defaults (threshold {default.threshold})", s_default, secs)
    )
    if not args.include_borderline:
        sb = score(clusters_default, gold_all)
        main_runs.append(
            Run(
                "dedup",
                "defaults, borderline pairs included",
                sb,
                secs,
                f"{len(gold_all)} pairs",
            )
        )
    res_nt, secs = run_dedup(corpus, ScanConfig(template_check=False))
    main_runs.append(
        Run("dedup", "template_check=False", score(dedup_clusters(res_nt), gold), secs)
    )
    for t in (0.5, 0.7, 0.8):
        log(f"dedup threshold {t} ...")
        res_t, secs = run_dedup(corpus, ScanConfig(threshold=t))
        main_runs.append(
            Run("dedup", f"threshold {t}", score(dedup_clusters(res_t), gold), secs)
        )

    sweeps: dict[str, list[Run]] = {}
    if not args.no_baselines:
        log("shingling for the baselines ...")
        sh = shingles(corpus.frame["text"].to_list())
        ids = corpus.ids
        log("datasketch MinHash ...")
        mhs, mh_secs = datasketch_minhashes(sh)
        ds_runs = []
        for t in SWEEP:
            log(f"datasketch LSH threshold {t} ...")
            labels, secs, (b, r) = datasketch_labels(mhs, t)
            ds_runs.append(
                Run(
                    "datasketch",
                    f"MinHashLSH threshold {t}",
                    score(_labels_to_clusters(ids, labels), gold),
                    mh_secs + secs,
                    f"{b} bands x {r} rows",
                )
            )
        sweeps["datasketch MinHashLSH, threshold sweep (no verification)"] = ds_runs
        ds_default = next(r for r in ds_runs if r.setting.endswith(" 0.9"))
        main_runs.append(
            Run(
                "datasketch",
                "defaults: MinHashLSH(threshold=0.9, num_perm=128)",
                ds_default.score,
                ds_default.seconds,
                ds_default.note,
            )
        )
        best = max(ds_runs, key=lambda r: (r.score.f1, r.setting))
        main_runs.append(
            Run(
                "datasketch",
                f"best F1 of sweep 0.3..0.9: {best.setting}",
                best.score,
                best.seconds,
                best.note,
            )
        )

        if rensa_available():
            rs_runs = []
            for t in SWEEP:
                log(f"rensa threshold {t} ...")
                labels, secs = rensa_labels(sh, t)
                rs_runs.append(
                    Run(
                        "rensa",
                        f"RMinHashDeduplicator threshold {t}",
                        score(_labels_to_clusters(ids, labels), gold),
                        secs,
                    )
                )
            title = "rensa RMinHashDeduplicator(use_lsh=True, num_perm=128)"
            sweeps[f"{title}, threshold sweep"] = rs_runs
            for t, what in ((0.8, "README example"), (0.9, "datasketch's default")):
                rr = next(x for x in rs_runs if x.setting.endswith(f" {t}"))
                main_runs.append(
                    Run(
                        "rensa",
                        f"RMinHashDeduplicator(threshold={t}) ({what})",
                        rr.score,
                        rr.seconds,
                        rr.note,
                    )
                )
            best = max(rs_runs, key=lambda r: (r.score.f1, r.setting))
            main_runs.append(
                Run(
                    "rensa",
                    f"best F1 of sweep 0.3..0.9: {best.setting}",
                    best.score,
                    best.seconds,
                    best.note,
                )
            )
            notes.append(
                "rensa 0.5 has RMinHashLSH(threshold, num_perm, num_bands), but no "
                "defaults and its query() returns raw band candidates regardless "
                "of threshold; RMinHashDeduplicator is its out-of-the-box API "
                "(LSH candidates filtered by estimated Jaccard >= threshold)."
            )
        else:
            notes.append(
                "rensa is not installed or has no RMinHashDeduplicator: skipped."
            )

    log("silver exact duplicates ...")
    silver = [
        silver_check(
            res_default, silver_clusters, "all non-empty bodies (the scoring rule)"
        )
    ]
    long_docs = Corpus(corpus.frame.filter(pl.col("body_words") >= 20), corpus.path)
    res_long, _ = run_dedup(long_docs, default)
    silver.append(silver_check(res_long, silver_clusters, "bodies of >= 20 words only"))
    in_silver = {m for c in silver_clusters for m in c}
    short_in_silver = (
        set(corpus.frame.filter(pl.col("body_words") < 20)["doc_id"]) & in_silver
    )
    notes.append(
        f"Silver: {len(silver_clusters)} clusters, {len(in_silver)} docs; "
        f"{len(short_in_silver)} silver docs have a body under 20 words; "
        f"{corpus.frame.height - long_docs.frame.height} scanned docs are under "
        "20 words."
    )

    wrong = diagnose(corpus, res_default, s_default.wrong)
    report = render(
        command=command,
        data=data,
        corpus=corpus,
        gold=gold,
        include_borderline=args.include_borderline,
        main=main_runs,
        sweeps=sweeps,
        silver=silver,
        wrong=wrong,
        notes=notes,
    )
    print(report)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n", encoding="utf-8")
    log(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
