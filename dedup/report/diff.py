"""Word-level differences between two articles, cut into readable hunks.

The texts are split into words (runs of non-space characters) and aligned with
rapidfuzz's Levenshtein opcodes, so a changed word is a replacement rather than
a deletion plus an insertion. Long unchanged stretches are collapsed to a count
with a few words of context on each side, and long changed runs are cut, so a
diff stays small whatever the article length.

    >>> d = word_diff("The cat sat on the mat.", "The dog sat on the mat!")
    >>> for p in d.hunks[0].left: print(repr(p.text), p.kind)
    'The ' same
    'cat' changed
    ' sat on the ' same
    'mat.' changed
    >>> [p.text for p in d.hunks[0].right if p.kind == "changed"]
    ['dog', 'mat!']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz.distance import Levenshtein

PieceKind = Literal["same", "changed", "cut"]

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Piece:
    """A stretch of one side of a diff.

    Attributes:
        text: The original text (whitespace between words normalised to one
            space, or to one or two newlines where the text had line breaks).
        kind: ``"same"`` (in both texts), ``"changed"`` (deleted or replaced on
            the left, inserted or replacing on the right) or ``"cut"`` (a note
            such as "… 120 more words" standing for words not shown).

    """

    text: str
    kind: PieceKind


@dataclass(frozen=True)
class Hunk:
    """One region of change: both sides, preceded by ``skipped`` unshown words.

    Attributes:
        skipped: Unchanged words between the previous hunk (or the start) and
            this one that are not shown.
        left: The canonical side.
        right: The other member's side.

    """

    skipped: int
    left: tuple[Piece, ...]
    right: tuple[Piece, ...]


@dataclass(frozen=True)
class WordDiff:
    """The word-level difference of two texts.

    Attributes:
        hunks: Regions of change, in text order.
        trailing: Unchanged words after the last hunk that are not shown.
        omitted_hunks: Hunks beyond ``max_hunks`` that were dropped.
        words_left: Words in the left text.
        words_right: Words in the right text.
        changed_left: Left words deleted or replaced.
        changed_right: Right words inserted or replacing.

    """

    hunks: tuple[Hunk, ...]
    trailing: int
    omitted_hunks: int
    words_left: int
    words_right: int
    changed_left: int
    changed_right: int
    size: int = field(default=0, compare=False)

    @property
    def identical(self) -> bool:
        """True when the two texts have the same words in the same order."""
        return not self.changed_left and not self.changed_right


def _gap(text: str, end: int, start: int) -> str:
    """The whitespace between two words, normalised: one space or line breaks."""
    newlines = text.count("\n", end, start)
    return " " if newlines == 0 else ("\n" if newlines == 1 else "\n\n")


class _Side:
    """Builds the pieces of one side of a hunk from word ranges."""

    def __init__(self, text: str, spans: list[tuple[int, int]], max_run: int) -> None:
        self.text, self.spans, self.max_run = text, spans, max_run
        self.pieces: list[Piece] = []
        self.last = -1  # index of the last word emitted in this hunk

    def add(self, i: int, j: int, kind: PieceKind) -> None:
        if i >= j:
            return
        if self.last >= 0:
            gap = _gap(self.text, self.spans[self.last][1], self.spans[i][0])
            self._push(gap, "same")
        shown = j if kind == "same" else min(j, i + self.max_run)
        self._push(self.text[self.spans[i][0] : self.spans[shown - 1][1]], kind)
        if shown < j:
            self._push(f" … {j - shown:,} more words … ", "cut")
        self.last = j - 1

    def _push(self, text: str, kind: PieceKind) -> None:
        if self.pieces and self.pieces[-1].kind == kind:
            text = self.pieces.pop().text + text
        self.pieces.append(Piece(text, kind))

    def take(self) -> tuple[Piece, ...]:
        pieces, self.pieces, self.last = tuple(self.pieces), [], -1
        return pieces


def word_diff(
    left: str,
    right: str,
    *,
    context: int = 8,
    max_run: int = 60,
    max_hunks: int = 40,
) -> WordDiff:
    """Align *left* and *right* word by word and cut the result into hunks.

    Args:
        left: The reference text (the canonical member of a cluster).
        right: The text compared with it.
        context: Unchanged words shown on each side of a change; longer
            unchanged stretches are collapsed to a count.
        max_run: Changed words shown per run; the rest becomes a count.
        max_hunks: Hunks kept; the count of the others is ``omitted_hunks``.

    Returns:
        A :class:`WordDiff`; its ``size`` is the number of characters of text
        its pieces hold (what rendering it costs).

    Example:
        >>> d = word_diff("a b c d e f g h i j", "a b c d e f g h i j k", context=2)
        >>> d.hunks[0].skipped, [p.text for p in d.hunks[0].right]
        (8, ['i j ', 'k'])

    """
    spans_l = [m.span() for m in _WORD.finditer(left)]
    spans_r = [m.span() for m in _WORD.finditer(right)]
    words_l = [left[a:b] for a, b in spans_l]
    words_r = [right[a:b] for a, b in spans_r]
    ops = [
        (op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end)
        for op in Levenshtein.opcodes(words_l, words_r)
    ]
    side_l, side_r = _Side(left, spans_l, max_run), _Side(right, spans_r, max_run)
    hunks: list[Hunk] = []
    changed_l = changed_r = 0
    skipped = 0
    open_hunk = False
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "equal":
            changed_l += i2 - i1
            changed_r += j2 - j1
            side_l.add(i1, i2, "changed")
            side_r.add(j1, j2, "changed")
            open_hunk = True
            continue
        length = i2 - i1
        first, last = n == 0, n == len(ops) - 1
        # Context after the previous change, then context before the next one;
        # an unchanged stretch short enough to show whole stays in the hunk.
        head = 0 if first else min(context, length)
        tail = 0 if last else min(context, length - head)
        if open_hunk and length - head - tail <= 0:
            side_l.add(i1, i2, "same")
            side_r.add(j1, j2, "same")
            continue
        if open_hunk:
            side_l.add(i1, i1 + head, "same")
            side_r.add(j1, j1 + head, "same")
            hunks.append(Hunk(skipped, side_l.take(), side_r.take()))
            open_hunk = False
        skipped = length - head - tail
        side_l.add(i2 - tail, i2, "same")
        side_r.add(j2 - tail, j2, "same")
        open_hunk = open_hunk or tail > 0
    trailing = 0
    if ops and ops[-1][0] == "equal" and not open_hunk:
        trailing = skipped
    elif open_hunk and (changed_l or changed_r):
        hunks.append(Hunk(skipped, side_l.take(), side_r.take()))
    if not changed_l and not changed_r:
        hunks, trailing = [], len(words_l)
    kept = hunks[:max_hunks]
    size = sum(len(p.text) for h in kept for p in (*h.left, *h.right))
    return WordDiff(
        hunks=tuple(kept),
        trailing=trailing,
        omitted_hunks=len(hunks) - len(kept),
        words_left=len(words_l),
        words_right=len(words_r),
        changed_left=changed_l,
        changed_right=changed_r,
        size=size,
    )
