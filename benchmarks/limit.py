"""This machine's ceiling for the signature stage, and dedup's share of it.

    python -m benchmarks.limit [--docs 20000]

The signature stage must at least (a) read every byte of the text once and
hash it into tokens, and (b) for every shingle, compute ``num_perm`` permuted
values and keep the minimum of each. Both are timed on one core with minimal
numba loops, so the ceiling is what the hardware does, not what dedup does:

a. **byte hashing**: one pass over the UTF-8 bytes of the corpus, eight bytes
   at a time, a multiply-xor-shift per 8-byte word (no token boundaries, no
   character classes, no lower case, no NFKC: less than any tokeniser does,
   so a bound). A byte-at-a-time FNV-1a loop that emits a hash per
   space-separated token is timed too, for scale;
b. **multiply-min**: per shingle hash, the 128 permutations and their minima.
   Two loops: the definition (:func:`dedup.minhash._update`, 64-bit multiply,
   as numba's auto-vectoriser compiles it) and dedup's own vector kernel
   (:func:`dedup.minhash.minhash_update`, 16 x 32-bit lanes, 4 shingles at a
   time) -- the faster of the two is the ceiling's cost per shingle.

Ceiling (docs/s per core) = 1 / (bytes per doc x s/byte + shingles per doc x
s/shingle). dedup's share = its measured text-to-signature rate on one thread
(``prepare_column`` + ``signatures``, texts in memory) / the ceiling.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.arrow import string_buffers
from dedup.minhash import _update, minhash_update, permutations, signatures
from dedup.normalize import prepare_column

NUM_PERM = 128
MASK32 = np.uint64(0xFFFFFFFF)
S32 = np.uint64(32)


@nb.njit(cache=True)
def _hash_bytes(data: npt.NDArray[np.uint8]) -> int:
    """FNV-1a over the bytes, one 64-bit token hash out per space."""
    h = np.uint64(0xCBF29CE484222325)
    prime = np.uint64(0x100000001B3)
    acc = np.uint64(0)
    for i in range(len(data)):
        c = data[i]
        if c == 32:
            acc ^= h
            h = np.uint64(0xCBF29CE484222325)
        else:
            h = (h ^ np.uint64(c)) * prime
    return int(acc ^ h)


@nb.njit(cache=True)
def _hash_words(words: npt.NDArray[np.uint64]) -> int:
    """A multiply-xor-shift hash of each 8-byte word, folded together."""
    acc = np.uint64(0)
    m = np.uint64(0x9E3779B97F4A7C15)
    s = np.uint64(29)
    for i in range(len(words)):
        x = words[i] * m
        acc += x ^ (x >> s)
    return int(acc)


@nb.njit(cache=True)
def _definition(
    shingles: npt.NDArray[np.uint64],
    a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64],
    acc: npt.NDArray[np.uint64],
) -> None:
    _update(shingles, len(shingles), a, b, acc)


def _best(fn: object, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return times


def measure(texts: pl.Series, runs: int = 5) -> dict[str, float]:
    """The ceiling's parts and dedup's own rate, on one thread."""
    nb.set_num_threads(1)
    prepared = prepare_column(texts)
    data, _ = string_buffers(prepared)
    sig = signatures(prepared, prepared=True)  # warm-up; counts
    shingles_per_doc = float(sig.n_shingles.mean())
    bytes_per_doc = len(data) / len(texts)

    _hash_bytes(data[:1000])
    t_fnv = _best(lambda: _hash_bytes(data), runs)
    words = np.frombuffer(data[: len(data) - len(data) % 8].tobytes(), np.uint64)
    _hash_words(words[:100])
    t_hash = _best(lambda: _hash_words(words), runs)

    rng = np.random.default_rng(0)
    sh = rng.integers(0, 2**63, size=2_000_000, dtype=np.uint64)
    a, b = permutations(NUM_PERM)
    acc64 = np.full(NUM_PERM, np.uint64(2**63), dtype=np.uint64)
    _definition(sh[:100], a, b, acc64)
    t_def = _best(lambda: _definition(sh, a, b, acc64), runs)
    a_lo, a_hi = a & MASK32, (a >> S32).astype(np.uint32)
    acc32 = np.full(NUM_PERM, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    minhash_update(sh[:100], 100, a_lo, a_hi, b, acc32)
    t_vec = _best(lambda: minhash_update(sh, len(sh), a_lo, a_hi, b, acc32), runs)

    t_dedup = _best(
        lambda: signatures(prepare_column(texts), prepared=True), max(3, runs)
    )
    per_byte = statistics.median(t_hash) / len(data)
    per_shingle_def = statistics.median(t_def) / len(sh)
    per_shingle_vec = statistics.median(t_vec) / len(sh)
    per_shingle = min(per_shingle_def, per_shingle_vec)
    ceiling = 1.0 / (bytes_per_doc * per_byte + shingles_per_doc * per_shingle)
    dedup_rate = len(texts) / statistics.median(t_dedup)
    return {
        "docs": len(texts),
        "bytes_per_doc": bytes_per_doc,
        "shingles_per_doc": shingles_per_doc,
        "hash_gb_s": 1e-9 / per_byte,
        "fnv_gb_s": len(data) / statistics.median(t_fnv) / 1e9,
        "ns_per_shingle_definition": per_shingle_def * 1e9,
        "ns_per_shingle_vector": per_shingle_vec * 1e9,
        "ceiling_docs_s": ceiling,
        "ceiling_hash_share": bytes_per_doc * per_byte * ceiling,
        "dedup_docs_s": dedup_rate,
        "dedup_docs_s_min": len(texts) / max(t_dedup),
        "dedup_docs_s_max": len(texts) / min(t_dedup),
        "fraction": dedup_rate / ceiling,
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, help="corpus folder")
    args = ap.parse_args(argv)
    from benchmarks import corpus
    from benchmarks.throughput import corpus_dir

    folder = args.corpus or corpus_dir()
    corpus.ensure(corpus.Spec(max(args.docs, corpus.Spec.shard_docs)), folder)
    texts = pl.read_parquet(corpus.shards(folder)[0], columns=["text"])["text"]
    print(json.dumps(measure(texts[: args.docs], args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
