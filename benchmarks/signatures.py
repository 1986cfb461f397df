"""Signature throughput: dedup against datasketch and rensa, plus streamed memory.

    python -m benchmarks.signatures [--quick] [--data DIR] [--out FILE]
    python benchmarks/signatures.py [--quick]

What is measured, on ~600-word news articles (consecutive Reuters-21578
articles, title + blank line + body, concatenated until a document has at least
600 whitespace-separated words; without the shared data, the repository's
``seeds/`` texts repeated with word perturbations):

a. **dedup end to end from Parquet**: read the text column of a zstd Parquet
   file, :func:`dedup.normalize.prepare_column`, then
   :func:`dedup.minhash.signatures` (word 5-grams, 128 permutations), with 1 and
   with 2 numba threads (pyarrow limited to the same number of threads).
b. **datasketch** ``MinHash.bulk`` (128 permutations) on a subset: the same
   tokens (:func:`dedup.normalize.tokens`), word 5-grams joined by spaces and
   encoded as UTF-8. Timed twice: the MinHash step alone, and shingling +
   MinHash (the text-to-signature cost comparable to dedup's).
c. **rensa** on the same shingles: ``RMinHash(num_perm, seed).update(shingles)``
   per document (the classic API) and the bulk
   ``RMinHash.digest_matrix_from_token_byte_sets`` (rayon limited to 1 thread).
d. **peak memory** of a streamed signature pass over 1M documents (100k with
   ``--quick``): zstd Parquet shards generated batch by batch from the corpus,
   read with ``ParquetFile.iter_batches``, each batch prepared and signed, and
   the LSH band keys (48 x 2) kept, as the scan pipeline keeps them. It runs in
   a fresh child process; peak RSS is sampled by a psutil thread and checked
   against ``getrusage``.

Every timing is the median of at least 5 runs (with min-max), after a warm-up
run (numba kernels are loaded from the on-disk cache then). Rates per core are
docs/s divided by the threads used. The result is printed as markdown and
written to ``benchmarks/results/signatures.md``; the Parquet files go to
``benchmarks/.work/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

# rensa (rayon) is measured on one core; set before it is imported.
os.environ.setdefault("RAYON_NUM_THREADS", "1")

import numba
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.append(str(REPO))

import dedup  # noqa: E402
from dedup.lsh import band_keys  # noqa: E402
from dedup.minhash import signatures  # noqa: E402
from dedup.normalize import prepare_column, tokens  # noqa: E402

WORK = REPO / "benchmarks" / ".work"
DEFAULT_OUT = REPO / "benchmarks" / "results" / "signatures.md"
ENV_VAR = "DEDUP_SHARED_DATA"
REUTERS = Path("reuters21578") / "reuters21578.jsonl"
MIN_WORDS = 600
NGRAM = 5
NUM_PERM = 128
SEED = 1
BANDS, ROWS = 48, 2


@dataclass(frozen=True)
class Setup:
    """Sizes of one run (full or quick)."""

    docs: int  # documents of the throughput corpus (a)
    peer_docs: int  # subset for datasketch and rensa (b, c)
    runs: int  # timed runs per measurement
    memory_docs: int  # documents of the streamed pass (d)
    shard_docs: int  # documents per Parquet shard and per read batch


FULL = Setup(
    docs=20_000, peer_docs=2_000, runs=7, memory_docs=1_000_000, shard_docs=50_000
)
QUICK = Setup(docs=6_000, peer_docs=400, runs=5, memory_docs=100_000, shard_docs=25_000)
PEER_RUNS = 5  # the peers are slow; 5 runs without a warm-up
BATCH = 20_000  # documents per read batch in part d (the scan pipeline's default)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------- corpus


def find_reuters(explicit: str | None) -> Path | None:
    """The Reuters JSONL file, or None.

    Looked up in *explicit*, ``$DEDUP_SHARED_DATA``, then ``../shared/data``.
    """
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


def _concatenate(articles: Sequence[str]) -> list[str]:
    """Consecutive articles joined until each document has >= MIN_WORDS words."""
    docs: list[str] = []
    parts: list[str] = []
    words = 0
    for art in articles:
        parts.append(art)
        words += len(art.split())
        if words >= MIN_WORDS:
            docs.append("\n\n".join(parts))
            parts, words = [], 0
    return docs


def _perturb(rng: random.Random, text: str, rate: float, vocab: Sequence[str]) -> str:
    words = text.split(" ")
    for i in range(len(words)):
        if rng.random() < rate:
            words[i] = rng.choice(vocab)
    return " ".join(words)


def build_corpus(n_docs: int, data: str | None) -> tuple[list[str], str]:
    """*n_docs* ~600-word documents and a description of where they come from."""
    rng = random.Random(20240601)
    path = find_reuters(data)
    if path is not None:
        articles = []
        with path.open(encoding="utf-8") as f:
            for line in f:
                art = json.loads(line)
                if art.get("body"):
                    articles.append((art.get("title") or "") + "\n\n" + art["body"])
        base = _concatenate(articles)
        source = (
            f"Reuters-21578 ({len(articles):,} articles with a body, concatenated into "
            f"{len(base):,} documents of >= {MIN_WORDS} words)"
        )
    else:
        seeds = [
            p.read_text(encoding="utf-8")
            for p in sorted((REPO / "seeds").glob("*.txt"))
        ]
        vocab0 = " ".join(seeds).split()
        articles = [
            _perturb(rng, seeds[i % len(seeds)], 0.1, vocab0) for i in range(200)
        ]
        base = _concatenate(articles)
        source = f"seeds/ ({len(seeds)} texts repeated with 10% of words replaced)"
    vocab = " ".join(base[:200]).split()
    docs = list(base)
    rounds = 0
    while len(docs) < n_docs:
        rounds += 1
        # Later rounds: the same documents with 3% of the words replaced, so
        # the corpus is not one text repeated.
        docs.extend(_perturb(rng, d, 0.03, vocab) for d in base[: n_docs - len(docs)])
    if rounds:
        source += f"; repeated with 3% word edits to {n_docs:,} documents"
    return docs[:n_docs], source


def write_parquet(texts: Sequence[str], path: Path, row_group: int = 8192) -> None:
    table = pa.table({"text": pa.array(texts, type=pa.large_string())})
    pq.write_table(table, path, compression="zstd", row_group_size=row_group)


# ----------------------------------------------------------------- timing


@dataclass
class Timing:
    """Repeated measurements of one thing (seconds)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    parts: dict[str, list[float]] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    def part(self, name: str) -> float:
        return (
            statistics.median(self.parts[name]) if name in self.parts else float("nan")
        )


def repeat(
    fn: Callable[[], dict[str, float] | None], runs: int, warmup: int = 1
) -> Timing:
    """Run *fn* warm-up + *runs* times; it may return a breakdown of its seconds."""
    for _ in range(warmup):
        fn()
    out = Timing()
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        parts = fn()
        out.wall.append(time.perf_counter() - w0)
        out.cpu.append(time.process_time() - c0)
        for k, v in (parts or {}).items():
            out.parts.setdefault(k, []).append(v)
    return out


def rate(n: int, t: Timing) -> tuple[float, float, float]:
    """(median, min, max) of n / wall seconds."""
    return n / t.median, n / max(t.wall), n / min(t.wall)


def cpu_rate(n: int, t: Timing) -> float:
    """n / CPU seconds (all threads): docs per core-second actually used."""
    return n / statistics.median(t.cpu)


def fmt_rate(r: tuple[float, float, float], per: float = 1.0) -> str:
    return f"{r[0] / per:,.0f} ({r[1] / per:,.0f}-{r[2] / per:,.0f})"


def fmt_ratio(x: float) -> str:
    return f"{x:.2f}x" if x < 10 else f"{x:,.0f}x"


# --------------------------------------------------------------- dedup (a)


def dedup_run(path: Path, threads: int) -> Callable[[], dict[str, float]]:
    def run() -> dict[str, float]:
        t0 = time.perf_counter()
        table = pq.read_table(path, columns=["text"], use_threads=threads > 1)
        texts = pl.from_arrow(table)["text"]  # type: ignore[index]
        t1 = time.perf_counter()
        prepared = prepare_column(texts)
        t2 = time.perf_counter()
        sig = signatures(
            prepared, prepared=True, kind="word", n=NGRAM, num_perm=NUM_PERM
        )
        t3 = time.perf_counter()
        assert sig.values.shape == (len(texts), NUM_PERM)
        return {"read": t1 - t0, "prepare": t2 - t1, "signatures": t3 - t2}

    return run


# ----------------------------------------------------------- peers (b, c)


def shingles_of(text: str) -> list[bytes]:
    """Word 5-grams of dedup's tokens, joined by spaces, as UTF-8."""
    toks = tokens(text)
    return [
        " ".join(toks[i : i + NGRAM]).encode() for i in range(len(toks) - NGRAM + 1)
    ]


def datasketch_runs(texts: Sequence[str], runs: int) -> tuple[Timing, Timing]:
    from datasketch import MinHash

    shingled = [shingles_of(t) for t in texts]
    only = repeat(
        lambda: MinHash.bulk(shingled, num_perm=NUM_PERM, seed=SEED) and None, runs
    )
    both = repeat(
        lambda: (
            MinHash.bulk((shingles_of(t) for t in texts), num_perm=NUM_PERM, seed=SEED)
            and None
        ),
        runs,
    )
    return only, both


def rensa_runs(texts: Sequence[str], runs: int) -> tuple[Timing, Timing, Timing]:
    from rensa import RMinHash

    shingled = [shingles_of(t) for t in texts]

    def classic() -> None:
        for sh in shingled:
            m = RMinHash(NUM_PERM, SEED)
            m.update(sh)
            m.digest()

    def bulk() -> None:
        RMinHash.digest_matrix_from_token_byte_sets(shingled, NUM_PERM, SEED)

    def bulk_with_shingling() -> None:
        RMinHash.digest_matrix_from_token_byte_sets(
            [shingles_of(t) for t in texts], NUM_PERM, SEED
        )

    return (
        repeat(classic, runs, warmup=0),
        repeat(bulk, runs, warmup=0),
        repeat(bulk_with_shingling, runs, warmup=0),
    )


def shingling_run(texts: Sequence[str], runs: int) -> Timing:
    def run() -> None:
        for t in texts:
            shingles_of(t)

    return repeat(run, runs, warmup=0)


def dedup_memory_run(texts: Sequence[str]) -> Callable[[], None]:
    series = pl.Series("text", list(texts), dtype=pl.String)

    def run() -> None:
        signatures(series, kind="word", n=NGRAM, num_perm=NUM_PERM)

    return run


# ------------------------------------------------------------- memory (d)


def generate_shards(
    base: Sequence[str], n_docs: int, shard_docs: int, folder: Path
) -> tuple[list[Path], int, float]:
    """Write *n_docs* documents as zstd Parquet shards, one shard in memory at a time.

    Document i is corpus document i mod len(base) with "doc i" in front, so
    no two are identical. Returns the shards, their bytes and the seconds taken.
    """
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    clock = time.perf_counter()
    source = pl.Series("text", list(base), dtype=pl.String)
    paths: list[Path] = []
    size = 0
    for start in range(0, n_docs, shard_docs):
        count = min(shard_docs, n_docs - start)
        ids = np.arange(start, start + count)
        frame = pl.DataFrame({"i": ids}).select(
            pl.concat_str(
                pl.lit("doc "),
                pl.col("i").cast(pl.String),
                pl.lit("\n\n"),
                source.gather(ids % len(source)),
            ).alias("text")
        )
        path = folder / f"part-{start // shard_docs:05d}.parquet"
        frame.write_parquet(path, compression="zstd", row_group_size=8192)
        paths.append(path)
        size += path.stat().st_size
        del frame
    return paths, size, time.perf_counter() - clock


def memory_pass(folder: Path, batch: int) -> dict[str, float]:
    """The streamed pass, in this (fresh) process; prints nothing, returns facts."""
    import psutil

    proc = psutil.Process()
    peak = [proc.memory_info().rss]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.005)

    # Load the kernels first, so the baseline includes numba and the tables.
    signatures(pl.Series(["warm up the compiled kernels with a few words"]))
    baseline = proc.memory_info().rss
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    kept: list[np.ndarray] = []
    docs = 0
    raw = 0
    clock = time.perf_counter()
    for path in sorted(folder.glob("*.parquet")):
        pf = pq.ParquetFile(path)
        for rb in pf.iter_batches(batch_size=batch, columns=["text"]):
            texts = pl.Series("text", rb.column(0))
            raw += int(texts.str.len_bytes().sum() or 0)
            sig = signatures(prepare_column(texts), prepared=True)
            kept.append(band_keys(sig.values, BANDS, ROWS))
            docs += len(texts)
            del texts, sig, rb
    seconds = time.perf_counter() - clock
    stop.set()
    sampler.join()
    peak[0] = max(peak[0], proc.memory_info().rss)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {
        "docs": docs,
        "text_bytes": raw,
        "seconds": seconds,
        "baseline_rss": baseline,
        "peak_rss": peak[0],
        "maxrss": maxrss,
        "kept_bytes": sum(k.nbytes for k in kept),
        "threads": numba.get_num_threads(),
    }


def run_memory_child(folder: Path, batch: int) -> dict[str, float]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--memory-pass", str(folder),
           "--batch", str(batch)]  # fmt: skip
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ----------------------------------------------------------------- report


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                return ", ".join(
                    f for f in ("avx2", "avx512f", "avx512dq") if f in flags
                )
    except OSError:
        pass
    return "?"


def versions() -> str:
    parts = [f"python {platform.python_version()}", f"dedup {dedup.__version__}"]
    for pkg in (
        "numba",
        "llvmlite",
        "numpy",
        "polars",
        "pyarrow",
        "datasketch",
        "rensa",
    ):
        try:
            parts.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{pkg} (absent)")
    return ", ".join(parts)


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (1-2 min)")
    ap.add_argument("--data", help="shared data folder (or its reuters21578/ folder)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown file")
    ap.add_argument("--memory-docs", type=int, help="documents of the streamed pass")
    ap.add_argument("--skip-memory", action="store_true", help="leave out part d")
    ap.add_argument("--memory-pass", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--batch", type=int, default=BATCH, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.memory_pass:  # the child process of part d
        print(json.dumps(memory_pass(args.memory_pass, args.batch)))
        return 0

    setup = QUICK if args.quick else FULL
    if args.memory_docs:
        setup = Setup(
            setup.docs, setup.peer_docs, setup.runs, args.memory_docs, setup.shard_docs
        )
    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)

    log(f"building {setup.docs:,} documents ...")
    docs, source = build_corpus(setup.docs, args.data)
    corpus_path = WORK / f"signatures-{setup.docs}.parquet"
    write_parquet(docs, corpus_path)
    n = len(docs)
    text_bytes = sum(len(d.encode()) for d in docs)
    words = np.array([len(d.split()) for d in docs])
    toks_per_doc = float(np.mean([len(tokens(d)) for d in docs[:500]]))

    # (a) dedup end to end
    results: dict[int, Timing] = {}
    for threads in (1, 2):
        if threads > (os.cpu_count() or 1):
            continue
        numba.set_num_threads(threads)
        pa.set_cpu_count(threads)
        log(f"dedup, {threads} thread(s) ...")
        results[threads] = repeat(dedup_run(corpus_path, threads), setup.runs)
    numba.set_num_threads(1)
    pa.set_cpu_count(1)

    # (b, c) single core on a subset
    subset = docs[: setup.peer_docs]
    m = len(subset)
    sub_path = WORK / f"signatures-subset-{m}.parquet"
    write_parquet(subset, sub_path)
    log(f"dedup on the {m:,}-document subset ...")
    dedup_sub = repeat(dedup_run(sub_path, 1), setup.runs)
    dedup_mem = repeat(dedup_memory_run(subset), setup.runs)
    log("shingling (dedup.normalize.tokens + 5-gram strings) ...")
    shingling = shingling_run(subset, PEER_RUNS)
    log("datasketch ...")
    ds_only, ds_both = datasketch_runs(subset, PEER_RUNS)
    rensa_rows: list[tuple[str, str, Timing]] = []
    try:
        log("rensa ...")
        rs_classic, rs_bulk, rs_both = rensa_runs(subset, PEER_RUNS)
        rensa_rows = [
            ("rensa", "`RMinHash(128, 1).update(shingles)` per doc: MinHash only",
             rs_classic),
            ("rensa", "`digest_matrix_from_token_byte_sets`: MinHash only", rs_bulk),
            ("rensa", "shingling + digest matrix: text to signature", rs_both),
        ]  # fmt: skip
    except ImportError:
        log("rensa is not installed")

    # (d) memory of a streamed pass, in a child process
    mem: dict[str, float] | None = None
    mem_note = ""
    shards: list[Path] = []
    shard_bytes, gen_s = 0, 0.0
    if not args.skip_memory:
        folder = WORK / f"stream-{setup.memory_docs}"
        need = setup.memory_docs * (text_bytes / n) * 0.4  # zstd: about 2.5x
        free = shutil.disk_usage(WORK).free
        n_mem = setup.memory_docs
        if need * 2 > free:
            n_mem = max(setup.shard_docs, int(n_mem * free / (4 * need)))
            mem_note = f" (not {setup.memory_docs:,}: {mb(free)} free on disk)"
        log(f"writing {n_mem:,} documents as Parquet shards ...")
        shards, shard_bytes, gen_s = generate_shards(
            docs, n_mem, setup.shard_docs, folder
        )
        log(f"streamed signature pass over {n_mem:,} documents (child process) ...")
        mem = run_memory_child(folder, BATCH)
        shutil.rmtree(folder, ignore_errors=True)

    # ---------------------------------------------------------------- report
    quick = " --quick" if args.quick else ""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# Signature throughput",
        "",
        f"Run {dt.datetime.now().isoformat(timespec='seconds')}{quick}, "
        f"{time.perf_counter() - started:.0f} s in all. "
        f"Reproduce: `python -m benchmarks.signatures{quick}`.",
        "",
        f"- Machine: {cpu_model()} ({cpu_flags()}), {os.cpu_count()} CPUs; load "
        f"average {load} at the end; numba threading layer {numba.threading_layer()}.",
        f"- Versions: {versions()}.",
        f"- Corpus: {source}. {n:,} documents of {text_bytes / n:,.0f} bytes, "
        f"{words.mean():,.0f} words (min {words.min()}, median "
        f"{np.median(words):,.0f}) and about {toks_per_doc:,.0f} dedup tokens on "
        f"average; zstd Parquet of {mb(corpus_path.stat().st_size)}.",
        f"- Word 5-grams, {NUM_PERM} permutations. dedup: median of {setup.runs} runs "
        f"after a warm-up run; peers: median of {PEER_RUNS} runs; (min-max) in "
        "brackets. *docs per CPU-s* divides by the CPU time of all threads of the "
        "process: the rate per core actually used, which stays meaningful when "
        "other jobs share the machine (then wall-clock rates drop and CPU/wall < "
        "threads).",
        "",
        "## a. dedup end to end from Parquet",
        "",
        "read = `pyarrow.parquet.read_table` + `pl.from_arrow`; prepare = "
        "`prepare_column`; signatures = `signatures(prepared=True)`; seconds are "
        "medians of each stage; *without read* is docs / (prepare + signatures), "
        "dedup's own share.",
        "",
        "| threads | docs/s | docs/s per core | docs per CPU-s | MB/s "
        "| read s | prepare s | signatures s | docs/s without read | CPU/wall |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for threads, t in results.items():
        r = rate(n, t)
        lines.append(
            f"| {threads} | {fmt_rate(r)} | {fmt_rate(r, threads)} "
            f"| {cpu_rate(n, t):,.0f} | {text_bytes / t.median / 1e6:,.0f} "
            f"| {t.part('read'):.3f} | {t.part('prepare'):.3f} "
            f"| {t.part('signatures'):.3f} "
            f"| {n / (t.part('prepare') + t.part('signatures')):,.0f} "
            f"| {statistics.median(t.cpu) / t.median:.2f} |"
        )
    rows: list[tuple[str, str, Timing]] = [
        ("dedup", "Parquet, prepare_column, signatures: text to signature", dedup_sub),
        ("dedup", "`signatures()` of in-memory texts: text to signature", dedup_mem),
        ("(shingling)", "`tokens()` + 5-gram strings in Python: peers' input",
         shingling),
        ("datasketch", "`MinHash.bulk` on the shingles: MinHash only", ds_only),
        ("datasketch", "shingling + `MinHash.bulk`: text to signature", ds_both),
        *rensa_rows,
    ]  # fmt: skip
    ref_wall, ref_cpu = rate(m, dedup_sub)[0], cpu_rate(m, dedup_sub)
    lines += [
        "",
        f"## b, c. One core: datasketch and rensa ({m:,}-document subset)",
        "",
        "The same documents; the peers get dedup's tokens as word 5-gram strings "
        "(UTF-8). *dedup / peer* compares dedup end to end from Parquet (first row) "
        "with the peer, by wall-clock docs/s and by docs per CPU-s.",
        "",
        "| library | what is timed | docs/s | docs per CPU-s | dedup / peer (wall) "
        "| dedup / peer (CPU) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for lib, what, t in rows:
        r = rate(m, t)
        c = cpu_rate(m, t)
        peer = lib not in ("dedup", "(shingling)")
        w_ratio = fmt_ratio(ref_wall / r[0]) if peer else "-"
        c_ratio = fmt_ratio(ref_cpu / c) if peer else "-"
        lines.append(
            f"| {lib} | {what} | {fmt_rate(r)} | {c:,.0f} | {w_ratio} | {c_ratio} |"
        )
    lines += ["", "## d. Peak memory of a streamed signature pass", ""]
    if mem is None:
        lines.append("Left out (--skip-memory).")
    else:
        docs_m = int(mem["docs"])
        lines += [
            f"{docs_m:,} documents{mem_note} ({mem['text_bytes'] / 1e9:,.2f} GB of "
            f"text) in {len(shards)} zstd Parquet shards ({mb(shard_bytes)}, "
            f"generated and written in {gen_s:.0f} s), read with "
            f"`ParquetFile.iter_batches(batch_size={BATCH:,})`; each batch "
            "`prepare_column` + `signatures`, and its "
            f"{BANDS}x{ROWS} band keys kept ({mb(mem['kept_bytes'])} at the end). "
            f"A fresh process with {int(mem['threads'])} numba threads; RSS "
            "sampled every 5 ms.",
            "",
            "| documents | seconds | docs/s | RSS before | peak RSS | ru_maxrss "
            "| peak - before - kept |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {docs_m:,} | {mem['seconds']:.1f} | {docs_m / mem['seconds']:,.0f} "
            f"| {mb(mem['baseline_rss'])} | {mb(mem['peak_rss'])} "
            f"| {mb(mem['maxrss'])} "
            f"| {mb(mem['peak_rss'] - mem['baseline_rss'] - mem['kept_bytes'])} |",
        ]
    lines += [
        "",
        "polars runs `prepare_column`'s column operations on its own thread pool "
        "whatever the thread setting (a small share of the time).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
