"""Text normalisation: NFKC, lower case, punctuation and symbols to spaces.

Two implementations of one definition:

* :func:`normalize` / :func:`tokens` — pure Python, one string at a time; the
  reference the tests hold the compiled core to.
* :func:`prepare_column` — the columnar first half over a whole batch. Most
  documents are already NFKC (curly quotes and dashes are); the compiled core
  finds the few that are not (:func:`dedup.shingle.needs_nfkc`) and only those
  go through polars' NFKC and lower case. The compiled core
  (:mod:`dedup.shingle`) then lower-cases by table and does the classes and
  boundaries on the Arrow buffers, so no Python runs per document.

Lower-casing uses the full Unicode lowercase mapping (what polars' Rust kernel
implements) plus one fold, final sigma ``ς`` to ``σ``, so a word is the same token
wherever it falls in a sentence. ``str.casefold`` would also fold ``ß`` to
``ss``; that difference does not change whether two articles are copies, and
lower-casing is what runs vectorised.

    >>> normalize("  Hello, WORLD! Ｆｕｌｌ-width “quotes” ")
    'hello world full width quotes'
    >>> tokens("Путин  сказал: «да»")
    ['путин', 'сказал', 'да']
    >>> tokens("北京欢迎你")
    ['北', '京', '欢', '迎', '你']
"""

from __future__ import annotations

import unicodedata

import numpy as np
import polars as pl

from dedup.charclass import CLASS_MASK, IGNORE, SEP, SOLO, table

FINAL_SIGMA, SIGMA = "\u03c2", "\u03c3"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace(FINAL_SIGMA, SIGMA)


def normalize(text: str) -> str:
    """Normalised form of *text*: tokens joined by single spaces.

    NFKC, lower case, punctuation/symbols/spaces to one space, format characters
    dropped, and each character of a script without spaces set apart.
    """
    classes = table()
    out: list[str] = []
    for ch in _fold(text):
        c = classes[ord(ch)] & CLASS_MASK
        if c == SEP:
            out.append(" ")
        elif c == SOLO:
            out.append(f" {ch} ")
        elif c != IGNORE:
            out.append(ch)
    return " ".join("".join(out).split())


def tokens(text: str) -> list[str]:
    """Word tokens of *text* after :func:`normalize`."""
    return normalize(text).split()


def prepare_column(texts: pl.Series) -> pl.Series:
    """The columnar half of :func:`normalize`: NFKC where a document needs it.

    Documents whose code points are all NFKC-stable pass unchanged (the compiled
    core lower-cases them by table); the others get polars' NFKC and lower case.
    The compiled core finishes the job (lower case, classes, boundaries).
    """
    from dedup.arrow import string_buffers
    from dedup.shingle import needs_nfkc

    texts = texts.fill_null("")
    data, offsets = string_buffers(texts)
    slow = needs_nfkc(data, offsets, table())
    if not slow.any():
        return texts
    idx = np.flatnonzero(slow)
    fixed = texts.gather(idx).str.normalize("NFKC").str.to_lowercase()
    return texts.scatter(idx, fixed)
