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

Two refinements keep common short words from making every paragraph a
candidate:

* White space: the automaton reads every run of white space (Unicode
  ``White_Space``, what the regex crate's ``\s`` matches) as one space, so
  ``\bas\s+an\s+ai\b`` requires the literal "as an ai", not just "as".
* Anchors: an alternative ``^\W*X`` (a line that *starts* with X) requires
  X at the paragraph's first word character, where a walk of the automaton's
  trie checks it, rather than anywhere in the text (``^\W*ads?\b`` would
  otherwise make every paragraph holding "ad" a candidate).

Case: the automaton folds ASCII letters. ``(?i)`` in the regex crate also
folds two non-ASCII characters onto ASCII letters (U+017F LONG S onto "s",
U+212A KELVIN SIGN onto "k"); a paragraph containing either is a candidate
for every pattern.

    >>> need = required_literals(r"(?i)\b(?:also|more)\s+read\b|^\W*ads?\b")
    >>> sorted(need.floating), sorted(need.anchored)
    (['also read', 'more read'], ['ad'])
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

# What the regex crate's \s matches (Unicode White_Space).
_WHITE_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
)
# Bytes that are not part of a word for the regex crate (``\W``) and are
# ASCII: the anchored check skips them before the first word character.
_ASCII_WORD = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
)

Strings = frozenset[str]
#: A conjunction: every match holds one literal of each of these sets.
Clauses = tuple[Strings, ...]

#: At most this many sets of literals are kept per conjunction.
MAX_CLAUSES = 3
#: A conjunction only takes sets whose literals are all at least this long:
#: a shorter one ("ai", ")") is in most paragraphs, so it costs the automaton
#: more (hot states, outputs on every few bytes) than it filters out.
MIN_CLAUSE_LITERAL = 3


@dataclass(frozen=True)
class Need:
    """What a pattern requires of a text it matches.

    One of the literals ``floating`` anywhere in the text, or one of
    ``anchored`` starting at the text's first word character (all of these
    begin with an ASCII word character), or, for an alternative that needs
    several things at once ("an AI word ... a verb"), one literal from each
    set of one of ``conjunctions``. White space in a literal stands for any
    run of white space.
    """

    floating: Strings
    anchored: Strings
    conjunctions: tuple[Clauses, ...] = ()


@dataclass(frozen=True)
class _Info:
    r"""What a regex node can match: its exact strings, and what it requires.

    ``exact``: every string the node matches (``None``: too many or unknown);
    ``need``: sets of literals, every match contains one literal of each
    (empty: no constraint), most selective first; ``head`` / ``tail``:
    strings one of which every match starts / ends with, when not exact
    (``None``: unknown). A node's head lets the literal before it grow
    ("more" then ``[\s-]+`` requires "more " or "more-", not just "more").
    """

    exact: Strings | None
    need: Clauses = ()
    head: Strings | None = None
    tail: Strings | None = None


_ANY = _Info(None)
_EMPTY = _Info(frozenset({""}))


def _minimal(strings: Strings) -> Strings:
    """Drop strings containing a shorter one of the set (they add nothing)."""
    out = {s for s in strings if not any(t != s and t in s for t in strings)}
    return frozenset(out)


def _need_of(exact: Strings | None) -> Clauses:
    if exact is None or "" in exact:
        return ()
    return (_minimal(exact),)


def _known(strings: Strings | None) -> Strings | None:
    """*strings* as a head or tail: ``None`` if unknown or one may be empty."""
    return None if strings is None or "" in strings else strings


def _selectivity(s: Strings) -> tuple[int, int, tuple[str, ...]]:
    """Sort key: longer shortest literal, then fewer literals (then by text)."""
    return (-min(len(x) for x in s), len(s), tuple(sorted(s)))


def _implies(t: Strings, s: Strings) -> bool:
    """Whether a text holding a literal of *t* holds one of *s*."""
    return all(any(x in y for x in s) for y in t)


def _conj(clauses: list[Strings]) -> Clauses:
    """The conjunction of *clauses*, most selective first.

    A clause implied by a more selective one adds nothing; beyond
    :data:`MAX_CLAUSES` the rest are dropped (dropping a clause only ever
    makes the need looser, never unsound).
    """
    kept: list[Strings] = []
    for s in sorted(set(clauses), key=_selectivity):
        if not any(_implies(t, s) for t in kept):
            kept.append(s)
    return tuple(kept[:MAX_CLAUSES])


def _char(code: int) -> str | None:
    """The literal a regex character stands for, folded; ``None`` if unsafe.

    A non-ASCII letter with case may match other forms under ``(?i)`` that
    the automaton does not fold, so it is not used as a literal.
    """
    ch = chr(code)
    if ch in _WHITE_SPACE:
        return " "
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
        elif op is _c.CATEGORY and av is _c.CATEGORY_SPACE:
            chars.add(" ")
        elif op is _c.RANGE and av[1] - av[0] < MAX_CLASS:
            for code in range(av[0], av[1] + 1):
                ch = _char(code)
                if ch is None:
                    return _ANY
                chars.add(ch)
        else:  # categories (\s, \w), negation, wide ranges
            return _ANY
    if len(chars) > MAX_CLASS or any(ch in _WHITE_SPACE for ch in chars - {" "}):
        return _ANY
    exact = frozenset(chars)
    return _Info(exact, _need_of(exact))


def _join(a: str, b: str) -> str:
    """``a + b`` as the automaton reads it: adjacent white space is one space."""
    return a + (b[1:] if a.endswith(" ") and b.startswith(" ") else b)


def _product(a: Strings, b: Strings) -> Strings:
    return frozenset(_join(x, y) for x in a for y in b)


def _concat(items: list[_Info]) -> _Info:
    run: Strings = frozenset({""})  # what the match so far ends with
    whole = True  # every item exact and no run was cut
    head: Strings | None = None
    clauses: list[Strings] = []
    for info in items:
        if info.exact is not None and len(run) * len(info.exact) <= MAX_EXACT:
            run = _product(run, info.exact)
            continue
        # The run is cut here; what the item starts with still extends it.
        first = info.exact if info.exact is not None else info.head
        if first is not None and len(run) * len(first) <= MAX_EXACT:
            run = _product(run, first)
        if whole:
            head = run
        whole = False
        clauses += [*_need_of(run), *info.need]
        last = info.exact if info.exact is not None else info.tail
        run = last if last is not None else frozenset({""})
    clauses += _need_of(run)
    if whole:
        return _Info(run, _conj(clauses))
    return _Info(None, _conj(clauses), _known(head), _known(run))


def _either(strings: list[Strings | None]) -> Strings | None:
    """The union of heads (or tails) of alternatives, if all known and few."""
    if any(s is None for s in strings):
        return None
    union = frozenset().union(*(s or () for s in strings))
    return union if len(union) <= MAX_EXACT else None


def _branch(alternatives: list[_Info]) -> _Info:
    exact = _either([a.exact for a in alternatives])
    clauses = list(_need_of(exact))
    if all(a.need for a in alternatives):
        # Each alternative's most selective set: one of them holds.
        clauses.append(_minimal(frozenset().union(*(a.need[0] for a in alternatives))))
    if exact is not None:
        return _Info(exact, _conj(clauses))
    head = _either([a.exact if a.exact is not None else a.head for a in alternatives])
    tail = _either([a.exact if a.exact is not None else a.tail for a in alternatives])
    return _Info(None, _conj(clauses), _known(head), _known(tail))


def _repeat(lo: int, hi: int, child: _Info) -> _Info:
    if child.exact == frozenset({" "}):
        # Any run of white space reads as one space.
        exact = frozenset({" "} if lo else {"", " "})
        return _Info(exact, _need_of(exact))
    if lo == 0:
        if hi == 1 and child.exact is not None:
            return _Info(child.exact | {""})
        return _ANY
    if lo == hi == 1:
        return child
    # At least once: a match starts with a match of the child and ends with one.
    if child.exact is not None:
        return _Info(None, child.need, _known(child.exact), _known(child.exact))
    return _Info(None, child.need, child.head, child.tail)


def _node(op: Any, av: Any) -> _Info:
    if op is _c.LITERAL:
        ch = _char(av)
        return _ANY if ch is None else _Info(frozenset({ch}), (frozenset({ch}),))
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


def _leading_run(items: list[_Info]) -> Strings | None:
    """Strings one of which every match of *items* starts with, or ``None``."""
    run: Strings = frozenset({""})
    for info in items:
        if info.exact is None or len(run) * len(info.exact) > MAX_EXACT:
            break
        run = _product(run, info.exact)
    if "" in run or any(s[0].encode("utf-8")[0] not in _ASCII_WORD for s in run):
        return None
    # "home" at the start already holds wherever "homepage" does.
    return frozenset(s for s in run if not any(t != s and s.startswith(t) for t in run))


#: What a line start skips: ``\W``, or ``[^\p{L}\p{N}]`` (read as
#: ``[^\w\w]``, which Python's parser makes ``[^\w]``).
_SKIPPED_AT_START = (
    [(_c.IN, [(_c.CATEGORY, _c.CATEGORY_NOT_WORD)])],
    [(_c.IN, [(_c.NEGATE, None), (_c.CATEGORY, _c.CATEGORY_WORD)])],
)


def _is_line_start(op: Any, av: Any, op2: Any, av2: Any) -> bool:
    r"""Whether two nodes are ``^`` then ``\W*`` or ``[^\p{L}\p{N}]*``.

    The anchored check skips every ASCII byte that is neither a letter nor a
    digit (the underscore too, which ``[^\p{L}\p{N}]`` skips and ``\W``
    does not: skipping more only makes more candidates) and takes any
    character outside ASCII before the first word as a possible match.
    """
    return (
        op is _c.AT
        and av is _c.AT_BEGINNING
        and op2 is _c.MAX_REPEAT
        and av2[0] == 0
        and list(av2[2]) in _SKIPPED_AT_START
    )


def _alternatives(parsed: Any) -> list[Any]:
    r"""The top-level alternatives of *parsed*, each a list of nodes.

    The parser factors a prefix common to all alternatives out of the branch
    (``\b(?:a…)|\b(?:b…)`` parses as ``\b`` then a branch): it goes back on
    each, so that every alternative keeps a need of its own.
    """
    items = list(parsed)
    if items and items[-1][0] is _c.BRANCH:
        return [[*items[:-1], *alt] for alt in items[-1][1][1]]
    return [items]


def required_literals(pattern: str) -> Need | None:
    r"""What every match of *pattern* contains (literals in lower case).

    ``None`` when some alternative requires nothing. Written for the regex
    crate's syntax as :mod:`dedup.farm.lexicon` uses it; Unicode classes
    (``\p{Lu}``) count as "any character".

    Example:
        >>> need = required_literals(r"(?i)\bsign\s*up\b|\bnewsletters?\b")
        >>> sorted(need.floating), need.anchored
        (['newsletter', 'sign up', 'signup'], frozenset())
        >>> required_literals(r"^\W*\w+:").floating == frozenset({":"})
        True
        >>> need = required_literals(r"(?i)\bgpt\b.*\bused\b")
        >>> [sorted(c) for c in need.conjunctions[0]]
        [['used'], ['gpt']]

    """
    python = re.sub(r"\\p\{\w+\}", r"\\w", pattern)
    floating: set[str] = set()
    anchored: set[str] = set()
    conjunctions: list[Clauses] = []
    for alt in _alternatives(_sre.parse(python)):
        items = list(alt)
        if len(items) > 2 and _is_line_start(*items[0], *items[1]):
            lead = _leading_run([_node(op, av) for op, av in items[2:]])
            if lead is not None:
                anchored |= lead
                continue
        need = _seq(alt).need
        if not need:
            return None
        long = [c for c in need if min(len(x) for x in c) >= MIN_CLAUSE_LITERAL]
        if len(long) > 1:
            conjunctions.append(tuple(long))
        else:
            floating |= (long or need)[0]
    return Need(_minimal(frozenset(floating)), frozenset(anchored), tuple(conjunctions))


@nb.njit(inline="always", cache=True)
def _high_symbol(
    data: npt.NDArray[np.uint8], i: int, end: int, byte_class: npt.NDArray[np.int32]
) -> tuple[int, int]:
    """Automaton symbol at byte *i* (0x80 or above) and the byte after it.

    A white space character is the symbol of " " whatever its encoding.
    """
    b = data[i]
    space = byte_class[0x20]
    if b == 0xC2 and i + 1 < end and (data[i + 1] == 0x85 or data[i + 1] == 0xA0):
        return space, i + 2
    if 0xE1 <= b <= 0xE3 and i + 2 < end:
        b1 = data[i + 1]
        b2 = data[i + 2]
        if (
            (b == 0xE1 and b1 == 0x9A and b2 == 0x80)  # U+1680
            or (
                b == 0xE2
                and b1 == 0x80
                and (b2 <= 0x8A or b2 == 0xA8 or b2 == 0xA9 or b2 == 0xAF)
            )  # U+2000-200A, U+2028, U+2029, U+202F
            or (b == 0xE2 and b1 == 0x81 and b2 == 0x9F)  # U+205F
            or (b == 0xE3 and b1 == 0x80 and b2 == 0x80)  # U+3000
        ):
            return space, i + 3
    return byte_class[b], i + 1


@nb.njit(inline="always", cache=True)
def _anchored_mask(
    data: npt.NDArray[np.uint8],
    start: int,
    end: int,
    byte_class: npt.NDArray[np.int32],
    ascii_word: npt.NDArray[np.bool_],
    delta: npt.NDArray[np.int32],
    anchored: npt.NDArray[np.uint32],
    depth: npt.NDArray[np.int32],
) -> np.uint32:
    r"""The anchored literals' part of the mask of ``data[start:end]``.

    Every byte before the first ASCII letter or digit is skipped, those of
    characters outside ASCII too, without decoding them. Exact for a
    character the pattern skips (``\W``: a quote mark, a dash, an emoji);
    for one it does not (a letter such as "é"), the pattern's ``^\W*`` stops
    there and no anchored literal, which starts with an ASCII word
    character, can match: skipping on can only add a candidate. (The two
    characters that case-fold onto ASCII make a paragraph a candidate for
    every pattern anyway.) Web text opens many paragraphs with a quote mark:
    taken as a candidate for every anchored pattern, as before, those of the
    typographic planted articles made the regexes run on 66,514 paragraphs
    instead of 23,692.
    """
    mask = np.uint32(0)
    space = byte_class[0x20]
    # Walk the trie from the first word character (a row whose depth is not
    # the symbols read has left the trie).
    q = start
    while q < end and (data[q] >= 0x80 or not ascii_word[data[q]]):
        q += 1
    if q < end:
        row = 0
        k = 0
        last = -1
        i = q
        while i < end:
            if data[i] < 0x80:
                sym = byte_class[data[i]]
                i += 1
            else:
                sym, i = _high_symbol(data, i, end, byte_class)
            if sym == space and last == space:
                continue
            last = sym
            row = abs(delta[row + sym])
            k += 1
            if depth[row] != k:
                break
            mask |= anchored[row]
    return mask


@nb.njit(inline="always", cache=True)
def _walk_on(
    data: npt.NDArray[np.uint8],
    i: int,
    end: int,
    row: int,
    mask: np.uint32,
    byte_class: npt.NDArray[np.int32],
    delta: npt.NDArray[np.int32],
    floating: npt.NDArray[np.uint32],
) -> np.uint32:
    """*mask* with the floating literals of ``data[i:end]``, walked from *row*."""
    while i < end:
        if data[i] < 0x80:
            sym = byte_class[data[i]]
            i += 1
        else:
            sym, i = _high_symbol(data, i, end, byte_class)
        row = delta[row + sym]
        if row < 0:
            row = -row
            mask |= floating[row]
    return mask


@nb.njit(inline="always", cache=True)
def _nonempty(
    starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64], k: int
) -> int:
    """The first paragraph from *k* on with a byte to walk (``len(starts)``: none)."""
    n = len(starts)
    while k < n and starts[k] >= ends[k]:
        k += 1
    return min(k, n)


@nb.njit(cache=True)
def _run(
    data: npt.NDArray[np.uint8],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    byte_class: npt.NDArray[np.int32],
    ascii_word: npt.NDArray[np.bool_],
    delta: npt.NDArray[np.int32],
    floating: npt.NDArray[np.uint32],
    anchored: npt.NDArray[np.uint32],
    depth: npt.NDArray[np.int32],
) -> npt.NDArray[np.uint32]:
    """Candidate masks; the floating literals' automaton four paragraphs at a time.

    Each byte's step is a load whose address is the previous step's result,
    so one paragraph's walk runs at the speed of that chain of loads, not of
    the core. The walks of several paragraphs are independent chains, and
    they overlap when one loop advances them all: two chains took a planted
    article's walk from 12.1 to 7.7 µs, four from 9.6 to 8.0-8.5 µs (web
    articles 20.2 -> 16.8 µs). Each of the four *lanes* walks a paragraph
    with its own state, so every mask is the one a walk of that paragraph
    alone gives, and a lane that finishes takes the next paragraph, so all
    four stay busy until the batch runs out. The step is written out for
    each lane: an inlined step function returning a tuple ran six times
    slower.

    States are stored premultiplied by the number of symbols (row offsets):
    no multiply on the chain. A run of white space needs no test here:
    every state entered on a space stays where it is on the next (see
    _automaton). A negative row (a literal ends here) is rare: the output is
    read only then, not on every byte.
    """
    n = len(starts)
    out = np.zeros(n, dtype=np.uint32)
    for p in range(n):
        out[p] = _anchored_mask(
            data, starts[p], ends[p], byte_class, ascii_word, delta, anchored, depth
        )
    # An empty paragraph's mask is its anchored part: no lane takes it.
    p0 = _nonempty(starts, ends, 0)
    p1 = _nonempty(starts, ends, p0 + 1)
    p2 = _nonempty(starts, ends, p1 + 1)
    p3 = _nonempty(starts, ends, p2 + 1)
    nxt = _nonempty(starts, ends, p3 + 1)
    if p3 == n:
        for p in (p0, p1, p2):
            if p < n:
                out[p] = _walk_on(
                    data, starts[p], ends[p], 0, out[p], byte_class, delta, floating
                )
        return out
    i0, e0, r0, m0 = starts[p0], ends[p0], 0, out[p0]
    i1, e1, r1, m1 = starts[p1], ends[p1], 0, out[p1]
    i2, e2, r2, m2 = starts[p2], ends[p2], 0, out[p2]
    i3, e3, r3, m3 = starts[p3], ends[p3], 0, out[p3]
    while True:
        while i0 < e0 and i1 < e1 and i2 < e2 and i3 < e3:
            x0, x1, x2, x3 = data[i0], data[i1], data[i2], data[i3]
            if x0 < 0x80:
                s0 = byte_class[x0]
                i0 += 1
            else:
                s0, i0 = _high_symbol(data, i0, e0, byte_class)
            if x1 < 0x80:
                s1 = byte_class[x1]
                i1 += 1
            else:
                s1, i1 = _high_symbol(data, i1, e1, byte_class)
            if x2 < 0x80:
                s2 = byte_class[x2]
                i2 += 1
            else:
                s2, i2 = _high_symbol(data, i2, e2, byte_class)
            if x3 < 0x80:
                s3 = byte_class[x3]
                i3 += 1
            else:
                s3, i3 = _high_symbol(data, i3, e3, byte_class)
            r0 = delta[r0 + s0]
            r1 = delta[r1 + s1]
            r2 = delta[r2 + s2]
            r3 = delta[r3 + s3]
            if r0 < 0:
                r0 = -r0
                m0 |= floating[r0]
            if r1 < 0:
                r1 = -r1
                m1 |= floating[r1]
            if r2 < 0:
                r2 = -r2
                m2 |= floating[r2]
            if r3 < 0:
                r3 = -r3
                m3 |= floating[r3]
        # A lane at its paragraph's end hands in the mask and takes the next
        # paragraph; when there is none left, the others finish alone.
        if i0 >= e0:
            out[p0] = m0
            p0, nxt = nxt, _nonempty(starts, ends, nxt + 1)
            if p0 == n:
                break
            i0, e0, r0, m0 = starts[p0], ends[p0], 0, out[p0]
        if i1 >= e1:
            out[p1] = m1
            p1, nxt = nxt, _nonempty(starts, ends, nxt + 1)
            if p1 == n:
                break
            i1, e1, r1, m1 = starts[p1], ends[p1], 0, out[p1]
        if i2 >= e2:
            out[p2] = m2
            p2, nxt = nxt, _nonempty(starts, ends, nxt + 1)
            if p2 == n:
                break
            i2, e2, r2, m2 = starts[p2], ends[p2], 0, out[p2]
        if i3 >= e3:
            out[p3] = m3
            p3, nxt = nxt, _nonempty(starts, ends, nxt + 1)
            if p3 == n:
                break
            i3, e3, r3, m3 = starts[p3], ends[p3], 0, out[p3]
    if p0 < n:
        out[p0] = _walk_on(data, i0, e0, r0, m0, byte_class, delta, floating)
    if p1 < n:
        out[p1] = _walk_on(data, i1, e1, r1, m1, byte_class, delta, floating)
    if p2 < n:
        out[p2] = _walk_on(data, i2, e2, r2, m2, byte_class, delta, floating)
    if p3 < n:
        out[p3] = _walk_on(data, i3, e3, r3, m3, byte_class, delta, floating)
    return out


@dataclass(frozen=True)
class Prefilter:
    """An Aho–Corasick automaton over the required literals of named patterns.

    Attributes:
        names: the patterns, bit *i* of a candidate mask is ``names[i]``.
        byte_class: input byte -> automaton symbol (ASCII letters folded,
            ASCII white space the symbol of " ").
        delta: ``row + symbol`` -> next row, where a state's row is its
            number times the number of symbols (a full DFA, flattened);
            negated when the next state has floating output. A state entered
            on a space stays on the next one (runs of white space read as
            one space), so the last row is a copy of the root's for that.
        floating: per row, the patterns one of whose floating literals ends
            there (indexed by row, so the kernel needs no division).
        anchored: per row, the patterns whose anchored literal is the trie
            path to that state.
        depth: per row, the length of the state's trie path (-1 for the
            root's copy, which is no trie node and has no output).
        always: the patterns that require nothing.
        conjunctions: (pattern bit, bits of its sets): a text with all the
            bits of the sets is a candidate for the pattern.

    """

    names: tuple[str, ...]
    byte_class: npt.NDArray[np.int32]
    delta: npt.NDArray[np.int32]
    floating: npt.NDArray[np.uint32]
    anchored: npt.NDArray[np.uint32]
    depth: npt.NDArray[np.int32]
    always: int
    conjunctions: tuple[tuple[int, int], ...] = ()

    @classmethod
    def build(cls, patterns: dict[str, str]) -> Prefilter:
        """The automaton for *patterns* (at most 32).

        Each set of a conjunction gets a mask bit of its own above the
        patterns' (while bits last; after that the conjunction's most
        selective set stands for it, a looser but sound need).
        """
        if len(patterns) > 32:
            raise ValueError(f"at most 32 patterns fit a mask, got {len(patterns)}")
        floating: dict[bytes, int] = {}
        anchored: dict[bytes, int] = {}
        conjunctions: list[tuple[int, int]] = []
        spare = len(patterns)  # the next free bit
        always = 0

        def add(table: dict[bytes, int], lits: Strings, bits: int) -> None:
            for lit in lits:
                key = lit.encode("utf-8")
                table[key] = table.get(key, 0) | bits

        for bit, pattern in enumerate(patterns.values()):
            need = required_literals(pattern)
            if need is None:
                always |= 1 << bit
                continue
            add(floating, need.floating, 1 << bit)
            add(anchored, need.anchored, 1 << bit)
            for clauses in need.conjunctions:
                if spare + len(clauses) > 32:
                    add(floating, clauses[0], 1 << bit)
                    continue
                bits = 0
                for clause in clauses:
                    add(floating, clause, 1 << spare)
                    bits |= 1 << spare
                    spare += 1
                conjunctions.append((1 << bit, bits))
        for ch in _FOLDS_TO_ASCII:
            floating[ch.encode("utf-8")] = (1 << spare) - 1
        return cls(
            tuple(patterns),
            *_automaton(floating, anchored),
            always,
            tuple(conjunctions),
        )

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
            _ASCII_WORD_TABLE,
            self.delta,
            self.floating,
            self.anchored,
            self.depth,
        )
        for bit, sets in self.conjunctions:
            mask[(mask & np.uint32(sets)) == np.uint32(sets)] |= np.uint32(bit)
        patterns = np.uint32((1 << len(self.names)) - 1)
        out: npt.NDArray[np.uint32] = (mask & patterns) | np.uint32(self.always)
        return out


def _ascii_word_table() -> npt.NDArray[np.bool_]:
    """ASCII letters and digits: where the anchored check stops skipping."""
    out = np.zeros(128, dtype=np.bool_)
    out[list(_ASCII_WORD - {ord("_")})] = True
    return out


_ASCII_WORD_TABLE = _ascii_word_table()


def _automaton(
    floating: dict[bytes, int], anchored: dict[bytes, int]
) -> tuple[
    npt.NDArray[np.int32],
    npt.NDArray[np.int32],
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint32],
    npt.NDArray[np.int32],
]:
    """Byte classes, DFA rows, floating and anchored outputs, and depths."""
    used = sorted({b for lit in (*floating, *anchored) for b in lit} | {0x20})
    byte_class = np.zeros(256, dtype=np.int32)  # 0: a byte no literal has
    for k, b in enumerate(used, start=1):
        byte_class[b] = k
    for b in range(ord("A"), ord("Z") + 1):
        byte_class[b] = byte_class[b + 32]
    for b in b"\t\n\v\f\r":
        byte_class[b] = byte_class[0x20]
    n_classes = len(used) + 1
    goto: list[dict[int, int]] = [{}]
    depth = [0]

    def node(lit: bytes) -> int:
        s = 0
        for b in lit:
            sym = int(byte_class[b])
            if sym not in goto[s]:
                goto.append({})
                depth.append(depth[s] + 1)
                goto[s][sym] = len(goto) - 1
            s = goto[s][sym]
        return s

    out = [0] * 1
    anch: dict[int, int] = {}
    for lit, mask in floating.items():
        s = node(lit)
        out.extend([0] * (len(goto) - len(out)))
        out[s] |= mask
    for lit, mask in anchored.items():
        s = node(lit)
        anch[s] = anch.get(s, 0) | mask
    out.extend([0] * (len(goto) - len(out)))
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
    # A run of white space reads as one space. Rather than test for a second
    # space on every byte, the DFA stays put on it: a state entered on a
    # space (its trie path ends in one) loops to itself on a space. Space
    # transitions into the root go to a copy of it that does the same (the
    # root is also entered on other symbols, where a space must move on).
    space = int(byte_class[0x20])
    root_copy = len(goto)
    delta = np.vstack([delta, delta[:1]])
    out.append(0)
    depth.append(-1)  # not a trie node: an anchored walk ends there
    after_space = {int(t) for t in delta[:, space] if t != 0}
    delta[delta[:, space] == 0, space] = root_copy
    for s in after_space:
        delta[s, space] = s
    delta[root_copy, space] = root_copy
    n_rows = len(delta) * n_classes
    rows = (delta * n_classes).ravel().astype(np.int32)
    # The root has no output, so a row with output is never 0.
    has_out = np.asarray(out, dtype=np.uint32)[delta.ravel()] != 0
    rows[has_out] = -rows[has_out]
    floating_out = np.zeros(n_rows, dtype=np.uint32)
    floating_out[::n_classes] = out
    anchored_out = np.zeros(n_rows, dtype=np.uint32)
    for s, mask in anch.items():
        anchored_out[s * n_classes] = mask
    depth_out = np.full(n_rows, -1, dtype=np.int32)
    depth_out[::n_classes] = depth
    return byte_class, rows, floating_out, anchored_out, depth_out
