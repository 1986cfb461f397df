r"""Literal prefilter: which phrase patterns could match a paragraph at all.

Running every phrase pattern of :data:`dedup.farm.lexicon.PATTERNS` over every
paragraph costs one regex pass each over the whole batch, yet almost no
paragraph of real news matches any of them. Each pattern, however, cannot
match unless the text contains one of a few literal strings (``teaser``
needs a word such as "read", "more" or "trending"; ``url`` needs "http",
"www.", ".com", "@", ...). Those *required literals* are derived from the
pattern itself (:func:`required_literals`, the method of RE2's and Code
Search's prefilters), all of them go into one Aho–Corasick automaton over
bytes, and one compiled pass over the batch's UTF-8 buffer tells, for every
paragraph, which patterns are worth running (:func:`candidates`). The regexes
then run only on those paragraphs, so the result is exactly the regexes'.

Case: the automaton folds ASCII letters. ``(?i)`` in the regex crate also
folds two non-ASCII characters onto ASCII letters (U+017F LONG S onto "s",
U+212A KELVIN SIGN onto "k"); a paragraph containing either is a candidate
for every pattern.

    >>> lits = required_literals(r"(?i)\b(?:also|more)\s+read\b")
    >>> sorted(lits)
    ['read']
    >>> pf = Prefilter.build({"teaser": r"(?i)\bread\s+more\b", "url": r"www\."})
    >>> import polars as pl
    >>> from dedup.arrow import string_buffers
    >>> data, off = string_buffers(pl.Series(["READ more", "see www.x.org", "no"]))
    >>> pf.candidates(data, off[:-1], off[1:]).tolist()
    [1, 2, 0]
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

import numba as nb
import numpy as np
import numpy.typing as npt

# ``re._parser`` (``sre_parse``) is private and untyped; it is only used to
# read the structure of the patterns once, at import.
_sre: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

#: Exact alternatives are expanded up to this many strings.
MAX_EXACT = 64
#: A character class of at most this many characters counts as literals.
MAX_CLASS = 16
# Non-ASCII code points the regex crate's simple case folding maps onto ASCII
# letters (LONG S -> s, KELVIN SIGN -> k).
_FOLDS_TO_ASCII = ("\u017f", "\u212a")

Strings = frozenset[str]


@dataclass(frozen=True)
class _Info:
    """What a regex node can match: its exact strings, and what it requires.

    ``exact``: every string the node matches (``None``: too many or unknown);
    ``need``: literals one of which every match contains (``None``: no
    constraint).
    """

    exact: Strings | None
    need: Strings | None


_ANY = _Info(None, None)
_EMPTY = _Info(frozenset({""}), None)


def _minimal(strings: Strings) -> Strings:
    """Drop strings containing a shorter one of the set (they add nothing)."""
    out = {s for s in strings if not any(t != s and t in s for t in strings)}
    return frozenset(out)


def _need_of(exact: Strings | None) -> Strings | None:
    if exact is None or "" in exact:
        return None
    return _minimal(exact)


def _better(a: Strings | None, b: Strings | None) -> Strings | None:
    """The more selective of two requirements (longer, then fewer, literals)."""
    if a is None:
        return b
    if b is None:
        return a

    def key(s: Strings) -> tuple[int, int]:
        return (min(len(x) for x in s), -len(s))

    return a if key(a) >= key(b) else b


def _char(code: int) -> str | None:
    """The literal a regex character stands for, folded; ``None`` if unsafe.

    A non-ASCII letter with case may match other forms under ``(?i)`` that
    the automaton does not fold, so it is not used as a literal.
    """
    ch = chr(code)
    if code >= 0x80 and (ch.lower() != ch or ch.upper() != ch):
        return None
    return ch.lower()


def _class(items: list[tuple[Any, Any]]) -> _Info:
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            ch = _char(av)
            if ch is None:
                return _ANY
            chars.add(ch)
        elif op is _c.RANGE and av[1] - av[0] < MAX_CLASS:
            for code in range(av[0], av[1] + 1):
                ch = _char(code)
                if ch is None:
                    return _ANY
                chars.add(ch)
        else:  # categories (\s, \w), negation, wide ranges
            return _ANY
    if len(chars) > MAX_CLASS:
        return _ANY
    exact = frozenset(chars)
    return _Info(exact, _need_of(exact))


def _concat(items: list[_Info]) -> _Info:
    run: Strings = frozenset({""})
    whole = True  # every item exact and no run was cut
    best: Strings | None = None
    for info in items:
        if info.exact is not None and len(run) * len(info.exact) <= MAX_EXACT:
            run = frozenset(a + b for a in run for b in info.exact)
            continue
        whole = False
        best = _better(best, _need_of(run))
        best = _better(best, info.need)
        run = info.exact if info.exact is not None else frozenset({""})
    best = _better(best, _need_of(run))
    return _Info(run if whole else None, best)


def _branch(alternatives: list[_Info]) -> _Info:
    exact: Strings | None = None
    if all(a.exact is not None for a in alternatives):
        union = frozenset().union(*(a.exact or () for a in alternatives))
        exact = union if len(union) <= MAX_EXACT else None
    need: Strings | None = None
    if all(a.need is not None for a in alternatives):
        need = _minimal(frozenset().union(*(a.need or () for a in alternatives)))
    return _Info(exact, _better(need, _need_of(exact)))


def _repeat(lo: int, hi: int, child: _Info) -> _Info:
    if lo == 0:
        if hi == 1 and child.exact is not None:
            return _Info(child.exact | {""}, None)
        return _ANY
    exact = child.exact if lo == hi == 1 else None
    return _Info(exact, child.need)


def _node(op: Any, av: Any) -> _Info:
    if op is _c.LITERAL:
        ch = _char(av)
        return _ANY if ch is None else _Info(frozenset({ch}), frozenset({ch}))
    if op is _c.IN:
        return _class(av)
    if op is _c.AT:
        return _EMPTY
    if op is _c.SUBPATTERN:
        return _seq(av[-1])
    if op is _c.BRANCH:
        return _branch([_seq(p) for p in av[1]])
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        lo, hi, p = av
        return _repeat(lo, hi, _seq(p))
    # ANY, NOT_LITERAL, CATEGORY: any character, no literal.
    return _ANY


def _seq(pattern: Any) -> _Info:
    return _concat([_node(op, av) for op, av in pattern])


def required_literals(pattern: str) -> Strings | None:
    r"""Literals (lower case) one of which every match of *pattern* contains.

    ``None`` when the pattern requires none. Written for the regex crate's
    syntax as :mod:`dedup.farm.lexicon` uses it; Unicode classes
    (``\p{Lu}``) count as "any character".

    Example:
        >>> sorted(required_literals(r"(?i)\bsign\s*up\b|\bnewsletters?\b"))
        ['newsletter', 'sign']
        >>> required_literals(r"^\W*\w+:") == frozenset({":"})
        True

    """
    python = re.sub(r"\\p\{\w+\}", r"\\w", pattern)
    return _seq(_sre.parse(python)).need


@nb.njit(cache=True)
def _run(
    data: npt.NDArray[np.uint8],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    byte_class: npt.NDArray[np.int32],
    delta: npt.NDArray[np.int32],
    outputs: npt.NDArray[np.uint32],
    everything: np.uint32,
) -> npt.NDArray[np.uint32]:
    out = np.zeros(len(starts), dtype=np.uint32)
    for p in range(len(starts)):
        # States are stored premultiplied by n_classes (row offsets), which
        # takes a multiply off the one dependency chain of the loop.
        row = 0
        mask = np.uint32(0)
        for i in range(starts[p], ends[p]):
            row = delta[row + byte_class[data[i]]]
            mask |= outputs[row]
            if mask == everything:
                break
        out[p] = mask
    return out


@dataclass(frozen=True)
class Prefilter:
    """An Aho–Corasick automaton over the required literals of named patterns.

    Attributes:
        names: the patterns, bit *i* of a candidate mask is ``names[i]``.
        byte_class: input byte -> automaton symbol (ASCII letters folded).
        delta: ``row + symbol`` -> next row, where a state's row is its
            number times ``n_classes`` (a full DFA, flattened).
        outputs: per row, the patterns one of whose literals ends there
            (indexed by row, so the kernel needs no division).
        everything: the mask with a bit for every pattern.

    """

    names: tuple[str, ...]
    byte_class: npt.NDArray[np.int32]
    delta: npt.NDArray[np.int32]
    n_classes: int
    outputs: npt.NDArray[np.uint32]
    everything: int

    @classmethod
    def build(cls, patterns: dict[str, str]) -> Prefilter:
        """The automaton for *patterns* (at most 32)."""
        if len(patterns) > 32:
            raise ValueError(f"at most 32 patterns fit a mask, got {len(patterns)}")
        everything = (1 << len(patterns)) - 1
        literals: dict[bytes, int] = {}
        for bit, pattern in enumerate(patterns.values()):
            # No requirement: a candidate wherever the empty string is found.
            for lit in required_literals(pattern) or {""}:
                key = lit.encode("utf-8")
                literals[key] = literals.get(key, 0) | (1 << bit)
        for ch in _FOLDS_TO_ASCII:
            literals[ch.encode("utf-8")] = everything
        return cls(tuple(patterns), *_automaton(literals), everything)

    def candidates(
        self,
        data: npt.NDArray[np.uint8],
        starts: npt.NDArray[np.int64],
        ends: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.uint32]:
        """Candidate mask of each byte range ``data[starts[p]:ends[p]]``."""
        if len(starts) == 0:
            return np.zeros(0, dtype=np.uint32)
        mask = _run(
            data,
            starts,
            ends,
            self.byte_class,
            self.delta,
            self.outputs,
            np.uint32(self.everything),
        )
        # Patterns with no required literal are candidates everywhere.
        out: npt.NDArray[np.uint32] = mask | self.outputs[0]
        return out


def _automaton(
    literals: dict[bytes, int],
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], int, npt.NDArray[np.uint32]]:
    """Byte classes, DFA transitions, class count and outputs of *literals*."""
    used = sorted({b for lit in literals for b in lit})
    byte_class = np.zeros(256, dtype=np.int32)  # 0: a byte no literal has
    for k, b in enumerate(used, start=1):
        byte_class[b] = k
    for b in range(ord("A"), ord("Z") + 1):
        byte_class[b] = byte_class[b + 32]
    n_classes = len(used) + 1
    goto: list[dict[int, int]] = [{}]
    out = [0]
    for lit, mask in literals.items():
        s = 0
        for b in lit:
            sym = int(byte_class[b])
            if sym not in goto[s]:
                goto.append({})
                out.append(0)
                goto[s][sym] = len(goto) - 1
            s = goto[s][sym]
        out[s] |= mask
    delta = np.zeros((len(goto), n_classes), dtype=np.int32)
    fail = [0] * len(goto)
    queue: list[int] = []
    for sym in range(n_classes):
        nxt = goto[0].get(sym, 0)
        delta[0, sym] = nxt
        if nxt:
            queue.append(nxt)
    # Breadth first: a state's failure state is shallower, so already done.
    while queue:
        s = queue.pop(0)
        out[s] |= out[fail[s]]
        for sym in range(n_classes):
            if sym not in goto[s]:
                delta[s, sym] = delta[fail[s], sym]
                continue
            nxt = goto[s][sym]
            fail[nxt] = int(delta[fail[s], sym])
            delta[s, sym] = nxt
            queue.append(nxt)
    rows = (delta * n_classes).ravel().astype(np.int32)
    outputs = np.zeros(len(rows), dtype=np.uint32)
    outputs[::n_classes] = out
    return byte_class, rows, n_classes, outputs
