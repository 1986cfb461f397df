r"""The character classes that decide where tokens start and end.

Tokenisation must give the same tokens on every machine and Python version,
because signatures are persisted; so the class of every code point is computed
once (:func:`build_ranges`) and shipped in ``dedup/data/charclass.npy`` rather
than asked of the running interpreter's ``unicodedata``.

Classes:

* ``WORD`` — letters, digits, combining marks: part of a token.
* ``SEP`` — punctuation, symbols (emoji included), spaces and controls: a boundary.
* ``IGNORE`` — format characters (soft hyphen, zero-width joiner, BOM, bidi marks):
  dropped, so ``co\u00adoperate`` is one token.
* ``SOLO`` — scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao,
  Khmer, Myanmar): each character is a token of its own, so Chinese text gives
  character n-grams instead of one giant "word" per sentence.

A class value may carry two flag bits. ``DIGIT`` marks decimal digits, so a
token can be told to be a figure (the template check compares figures).
``SLOW``: NFKC could change the text around this
code point (compatibility characters such as ligatures and full-width letters,
combining marks, Hangul jamo), or its lower case is longer than one character.
A document without such code points is already NFKC, and lower-casing it is a
per-code-point table lookup (:func:`lower_table`), which the compiled core does
itself; only documents with a ``SLOW`` code point go through polars' NFKC.

    >>> int(table()[ord("a")]) == WORD, int(table()[ord("!")]) == SEP
    (True, True)
    >>> int(table()[ord("中")]) == SOLO, int(table()[ord("ﬁ")]) & SLOW == SLOW
    (True, True)
    >>> chr(lower_table()[ord("Ж")])
    'ж'
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import numpy as np
import numpy.typing as npt

WORD, SEP, IGNORE, SOLO = 0, 1, 2, 3
SLOW = 0x80
DIGIT = 0x40
CLASS_MASK = 0x3F
N_CODEPOINTS = 0x110000
TABLE_PATH = Path(__file__).parent / "data" / "charclass.npy"
LOWER_PATH = Path(__file__).parent / "data" / "lowercase.npy"
FINAL_SIGMA, SIGMA = 0x3C2, 0x3C3
_JAMO = ((0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))

# Scripts without word separators: every character is its own token.
_SOLO_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x323AF),  # CJK extensions B-H
)


def _base_class(cp: int) -> int:
    cat = unicodedata.category(chr(cp))
    if cat == "Cf":
        return IGNORE
    if cat[0] in "PSZ" or cat in ("Cc", "Cs"):
        return SEP
    for lo, hi in _SOLO_RANGES:
        if lo <= cp <= hi:
            return SOLO
    return WORD


def _is_slow(cp: int) -> bool:
    ch = chr(cp)
    if 0xD800 <= cp < 0xE000:
        return False
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Mc", "Me"):
        return True
    if any(lo <= cp <= hi for lo, hi in _JAMO):
        return True
    if len(ch.lower()) != 1:
        return True
    nfkc = unicodedata.normalize("NFKC", ch)
    if nfkc == ch:
        return False
    # A separator that NFKC turns into separators only (no-break space to
    # space, say) cannot change any token.
    return not all(_base_class(ord(c)) == SEP for c in nfkc) or (_base_class(cp) != SEP)


def classify(cp: int) -> int:
    """Class of one code point (with its flag bits) from this interpreter."""
    digit = DIGIT if unicodedata.category(chr(cp)) == "Nd" else 0
    return _base_class(cp) | (SLOW if _is_slow(cp) else 0) | digit


def build_ranges() -> npt.NDArray[np.int32]:
    """Run-length encode :func:`classify` over all code points: rows (start, class)."""
    starts: list[tuple[int, int]] = []
    prev = -1
    for cp in range(N_CODEPOINTS):
        c = classify(cp)
        if c != prev:
            starts.append((cp, c))
            prev = c
    return np.asarray(starts, dtype=np.int32)


def build_lower_pairs() -> npt.NDArray[np.int32]:
    """Rows (code point, lower case) where the lower case is another code point.

    Final sigma folds to sigma, so a word is one token wherever it stands.
    """
    pairs = []
    for cp in range(N_CODEPOINTS):
        if 0xD800 <= cp < 0xE000:
            continue
        low = chr(cp).lower()
        if len(low) == 1 and ord(low) != cp:
            pairs.append((cp, ord(low)))
    pairs.append((FINAL_SIGMA, SIGMA))
    return np.asarray(sorted(pairs), dtype=np.int32)


@functools.cache
def lower_table() -> npt.NDArray[np.int32]:
    """The shipped lower case of every code point (itself when it has none)."""
    low = np.arange(N_CODEPOINTS, dtype=np.int32)
    pairs = np.load(LOWER_PATH)
    low[pairs[:, 0]] = pairs[:, 1]
    return low


@functools.cache
def table() -> npt.NDArray[np.uint8]:
    """The shipped class of every code point, as a dense ``uint8`` array."""
    ranges = np.load(TABLE_PATH)
    bounds = np.append(ranges[:, 0], N_CODEPOINTS)
    return np.repeat(ranges[:, 1].astype(np.uint8), np.diff(bounds))


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped table
    np.save(TABLE_PATH, build_ranges())
    np.save(LOWER_PATH, build_lower_pairs())
    print(f"wrote {TABLE_PATH} and {LOWER_PATH}")
