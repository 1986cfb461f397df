"""MinHash signatures, compiled with numba and run in parallel over documents.

Permutation *i* maps a shingle hash ``x`` (folded to 32 bits) to
``(a_i * x + b_i) mod 2**64 >> 32`` — Dietzfelbinger's multiply-add-shift
scheme, a universal family that needs one 64-bit multiply per value and
vectorises across the permutations. ``a_i`` (odd) and ``b_i`` come from a
splitmix64 stream seeded with *seed*, so a signature depends only on the text,
the shingling and (num_perm, seed): identical across runs, machines and
versions, which the golden-value tests pin down.

How it is computed (same values as the definition, :func:`_update`): ``x`` has
32 bits, so the top half of ``a * x + b`` is
``hi32(a_lo * x + b) + lo32(a_hi * x)`` (mod 2**32), where ``a_lo`` and
``a_hi`` are the halves of ``a``. That needs two 32-bit multiplies (one cycle
for eight ``vpmuludq`` lanes, sixteen ``vpmulld``) instead of a 64-bit one
(``vpmullq``: three micro-ops and, on the CPUs measured, several times
slower), and the minimum is kept on 32-bit lanes, sixteen to a 512-bit
register. :func:`_minhash_block` spells this out as LLVM vector code for 16
permutations and 4 shingles at a time, because the auto-vectoriser turns the
scalar form back into ``vpmullq`` and 256-bit registers.

    >>> import polars as pl
    >>> sig = signatures(pl.Series(["the cat sat on the mat today"]))
    >>> sig.values.shape, sig.values.dtype.name
    ((1, 128), 'uint32')
    >>> estimate_jaccard(sig.values[0], sig.values[0])
    1.0
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl
from llvmlite import ir  # type: ignore[import-untyped]
from numba.core import types as nb_types
from numba.extending import intrinsic

from dedup.arrow import string_buffers
from dedup.charclass import lower_table, table
from dedup.normalize import prepare_column
from dedup.shingle import (
    KIND_CODES,
    ShingleKind,
    fast_shingles,
    item_table,
    wide_vectors,
)

EMPTY = np.uint32(0xFFFFFFFF)
MASK32 = np.uint64(0xFFFFFFFF)
S32 = np.uint64(32)


def permutations(
    num_perm: int, seed: int = 1
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """The (a, b) parameters of *num_perm* permutations, from splitmix64(*seed*)."""
    mask = (1 << 64) - 1
    state = seed & mask
    draws = []
    for _ in range(2 * num_perm):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        draws.append(z ^ (z >> 31))
    a = np.array([d | 1 for d in draws[0::2]], dtype=np.uint64)
    b = np.array(draws[1::2], dtype=np.uint64)
    return a, b


@nb.njit(inline="always", cache=True)
def _update(
    shingles: npt.NDArray[np.uint64],
    k: int,
    a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64],
    acc: npt.NDArray[np.uint64],
) -> None:
    """The definition: ``acc[i] = min(acc[i], (a[i] * x + b[i]) >> 32)``."""
    for s in range(k):
        h = shingles[s]
        x = (h ^ (h >> S32)) & MASK32
        for i in range(len(a)):
            v = (a[i] * x + b[i]) >> S32
            if v < acc[i]:
                acc[i] = v


_I32, _I64 = ir.IntType(32), ir.IntType(64)
_V8X64 = ir.VectorType(_I64, 8)
_V16X32 = ir.VectorType(_I32, 16)
# Lane 2k+1 of a <16 x i32> view of <8 x i64> is the top half of lane k
# (little-endian; lane 2k on a big-endian machine).
_TOP = 1 if sys.byteorder == "little" else 0


def _vector_load(
    context: Any, builder: Any, arrty: Any, arr: Any, index: Any, vt: Any
) -> tuple[Any, Any]:
    data = context.make_array(arrty)(context, builder, arr).data
    ptr = builder.bitcast(builder.gep(data, [index], inbounds=True), vt.as_pointer())
    align = vt.element.width // 8
    return builder.load(ptr, align=align, typ=vt), ptr


def _broadcast(builder: Any, value: Any, vt: Any) -> Any:
    undef = ir.Constant(vt, ir.Undefined)
    one = builder.insert_element(undef, value, ir.Constant(_I32, 0))
    zeros = ir.Constant(ir.VectorType(_I32, vt.count), [0] * vt.count)
    return builder.shuffle_vector(one, undef, zeros)


def _is_array(ty: Any, dtype: Any) -> bool:
    return (
        isinstance(ty, nb_types.Array)
        and ty.ndim == 1
        and ty.layout == "C"
        and ty.dtype == dtype
    )


def _minhash_block_typer(
    typingctx: Any,
    acc: Any,
    a_lo: Any,
    a_hi: Any,
    b: Any,
    i: Any,
    x0: Any,
    x1: Any,
    x2: Any,
    x3: Any,
) -> Any:
    """``acc[i:i+16] = min(acc[i:i+16], top half of a * x + b)`` for 4 shingles.

    *acc* is uint32, *a_lo* (low halves of ``a``) and *b* uint64, *a_hi*
    (high halves) uint32, all C-contiguous; ``x0..x3`` are the folded shingle
    hashes (< 2**32). No bounds check: ``i + 16 <= len(acc)``.
    """
    if not (
        _is_array(acc, nb_types.uint32)
        and _is_array(a_lo, nb_types.uint64)
        and _is_array(a_hi, nb_types.uint32)
        and _is_array(b, nb_types.uint64)
        and isinstance(i, nb_types.Integer)
        and all(isinstance(x, nb_types.Integer) for x in (x0, x1, x2, x3))
    ):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        acc_t, lo_t, hi_t, b_t = sig.args[:4]
        acc_a, lo_a, hi_a, b_a = args[:4]
        at = builder.sext(args[4], _I64) if args[4].type.width < 64 else args[4]
        at8 = builder.add(at, ir.Constant(_I64, 8))
        low32 = ir.Constant(_V8X64, [0xFFFFFFFF] * 8)
        # Masked, so that LLVM knows both factors have 32 bits: vpmuludq.
        lo0 = builder.and_(
            _vector_load(context, builder, lo_t, lo_a, at, _V8X64)[0], low32
        )
        lo1 = builder.and_(
            _vector_load(context, builder, lo_t, lo_a, at8, _V8X64)[0], low32
        )
        b0 = _vector_load(context, builder, b_t, b_a, at, _V8X64)[0]
        b1 = _vector_load(context, builder, b_t, b_a, at8, _V8X64)[0]
        hi = _vector_load(context, builder, hi_t, hi_a, at, _V16X32)[0]
        cur, acc_ptr = _vector_load(context, builder, acc_t, acc_a, at, _V16X32)
        tops = ir.Constant(
            ir.VectorType(_I32, 16), [2 * lane + _TOP for lane in range(16)]
        )
        best = None
        for x in args[5:9]:
            x = builder.and_(builder.zext(x, _I64) if x.type.width < 64 else x,
                             ir.Constant(_I64, 0xFFFFFFFF))  # fmt: skip
            x64 = _broadcast(builder, x, _V8X64)
            x32 = _broadcast(builder, builder.trunc(x, _I32), _V16X32)
            p0 = builder.add(builder.mul(lo0, x64), b0)
            p1 = builder.add(builder.mul(lo1, x64), b1)
            top = builder.shuffle_vector(
                builder.bitcast(p0, _V16X32), builder.bitcast(p1, _V16X32), tops
            )
            v = builder.add(top, builder.mul(hi, x32))
            if best is None:
                best = v
            else:
                best = builder.select(builder.icmp_unsigned("<", v, best), v, best)
        cur = builder.select(builder.icmp_unsigned("<", best, cur), best, cur)
        builder.store(cur, acc_ptr, align=4)
        return context.get_dummy_value()

    return nb_types.none(acc, a_lo, a_hi, b, i, x0, x1, x2, x3), codegen


_minhash_block: Any = intrinsic(_minhash_block_typer)


@nb.njit(cache=True, boundscheck=False)
def minhash_update(
    shingles: npt.NDArray[np.uint64],
    k: int,
    a_lo: npt.NDArray[np.uint64],
    a_hi: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint64],
    acc: npt.NDArray[np.uint32],
) -> None:
    """``acc[i] = min(acc[i], (a[i] * x + b[i]) mod 2**64 >> 32)`` over the shingles.

    The values of :func:`_update`, computed as the module notes say.
    *a_lo* and *a_hi* are the low and high halves of the multipliers.
    Shingles go four at a time; a last group of fewer repeats its last
    shingle, which cannot change a minimum.
    """
    wide_vectors()
    num_perm = len(acc)
    blocks = num_perm - num_perm % 16
    last = k - 1
    for s in range(0, k, 4):
        h0 = shingles[s]
        h1 = shingles[min(s + 1, last)]
        h2 = shingles[min(s + 2, last)]
        h3 = shingles[min(s + 3, last)]
        x0 = (h0 ^ (h0 >> S32)) & MASK32
        x1 = (h1 ^ (h1 >> S32)) & MASK32
        x2 = (h2 ^ (h2 >> S32)) & MASK32
        x3 = (h3 ^ (h3 >> S32)) & MASK32
        for i in range(0, blocks, 16):
            _minhash_block(acc, a_lo, a_hi, b, i, x0, x1, x2, x3)
        for i in range(blocks, num_perm):
            lo = a_lo[i]
            hi = np.uint64(a_hi[i])
            for x in (x0, x1, x2, x3):
                v = np.uint32((((lo * x + b[i]) >> S32) + hi * x) & MASK32)
                if v < acc[i]:
                    acc[i] = v


# nogil: the reader thread decodes the next batch meanwhile (dedup.io.prefetch).
@nb.njit(parallel=True, cache=True, nogil=True)
def _signatures(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    classes: npt.NDArray[np.uint8],
    lower: npt.NDArray[np.int32],
    tab: npt.NDArray[np.uint32],
    kind: int,
    n: int,
    max_len: int,
    n_threads: int,
    a_lo: npt.NDArray[np.uint64],
    a_hi: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint64],
) -> tuple[
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint64],
]:
    n_docs = len(offsets) - 1
    num_perm = len(b)
    sig = np.empty((n_docs, num_perm), dtype=np.uint32)
    n_items = np.zeros(n_docs, dtype=np.uint32)
    n_shingles = np.zeros(n_docs, dtype=np.uint32)
    whole = np.zeros(n_docs, dtype=np.uint64)
    # Documents are split into one block per thread so each thread allocates
    # its scratch buffers once, not once per document.
    step = (n_docs + n_threads - 1) // n_threads
    for t in nb.prange(n_threads):
        scratch = np.empty(2 * max_len + 4, dtype=np.uint64)
        items = np.empty(max_len + 2, dtype=np.uint32)
        out = np.empty(max_len + 2, dtype=np.uint64)
        acc = np.empty(num_perm, dtype=np.uint32)
        for d in range(t * step, min(n_docs, (t + 1) * step)):
            m, k, w = fast_shingles(
                data, offsets[d], offsets[d + 1], classes, lower, tab, kind, n,
                scratch, items, out,
            )  # fmt: skip
            acc[:] = EMPTY
            minhash_update(out, k, a_lo, a_hi, b, acc)
            sig[d, :] = acc
            n_items[d] = m
            n_shingles[d] = k
            whole[d] = w
    return sig, n_items, n_shingles, whole


@dataclass(frozen=True)
class Signatures:
    """MinHash signatures of a batch of documents.

    Attributes:
        values: ``(n_docs, num_perm)`` uint32; all ``0xFFFFFFFF`` when a
            document has no shingle.
        n_items: tokens (word shingles) or code points (char shingles) per document.
        n_shingles: shingle positions per document (0 when shorter than one shingle).
        whole_hash: hash of the whole normalised text, for exact matching.

    """

    values: npt.NDArray[np.uint32]
    n_items: npt.NDArray[np.uint32]
    n_shingles: npt.NDArray[np.uint32]
    whole_hash: npt.NDArray[np.uint64]


def signatures(
    texts: pl.Series,
    *,
    kind: ShingleKind = "word",
    n: int = 5,
    num_perm: int = 128,
    seed: int = 1,
    prepared: bool = False,
) -> Signatures:
    """MinHash signatures of raw *texts* (or of :func:`prepare_column` output)."""
    col = texts if prepared else prepare_column(texts)
    data, offsets = string_buffers(col)
    max_len = int(np.diff(offsets).max()) if len(offsets) > 1 else 0
    a, b = permutations(num_perm, seed)
    sig, n_items, n_sh, whole = _signatures(
        data,
        offsets,
        table(),
        lower_table(),
        item_table(),
        KIND_CODES[kind],
        n,
        max_len,
        nb.get_num_threads(),
        a & MASK32,
        (a >> S32).astype(np.uint32),
        b,
    )
    return Signatures(sig, n_items, n_sh, whole)


def estimate_jaccard(
    sig_a: npt.NDArray[np.uint32], sig_b: npt.NDArray[np.uint32]
) -> float:
    """Fraction of permutations on which two signatures agree."""
    return float(np.mean(sig_a == sig_b))


def signature_of_hashes(
    shingle_hashes: npt.NDArray[np.uint64], num_perm: int = 128, seed: int = 1
) -> npt.NDArray[np.uint32]:
    """Signature of an explicit set of 64-bit shingle hashes (tests, interop)."""
    a, b = permutations(num_perm, seed)
    acc = np.full(num_perm, EMPTY, dtype=np.uint32)
    hashes = np.ascontiguousarray(shingle_hashes, dtype=np.uint64)
    minhash_update(
        hashes, len(hashes), a & MASK32, (a >> S32).astype(np.uint32), b, acc
    )
    return acc


@nb.njit(cache=True)
def _update_py(
    shingles: npt.NDArray[np.uint64],
    a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64],
    acc: npt.NDArray[np.uint64],
) -> None:
    _update(shingles, len(shingles), a, b, acc)
