r"""Strip repeats and boilerplate from texts, with an account of every removal.

What goes (``kinds``):

* ``boilerplate``: every occurrence;
* ``internal_repeat``: every copy of a passage in a document but one, the
  longest (the first among equals), whatever the passage's kind;
* ``shared``: a shared passage everywhere but in the first document that has
  it (input order).

A removed span is widened over the white space it would leave behind: a whole
line goes with its line break (and the blank lines after it when a blank line
precedes it, so paragraphs stay one blank line apart); a span inside a line
takes the spaces after it. Overlapping removals are merged. The account lists
each removed span as it was cut (``text == original[start:end]``), so the
original is the cleaned text with the account's spans put back.

    >>> import polars as pl
    >>> from dedup.passages import find_passages_frame
    >>> text = "News\n\nAlso read\n\nMore\n\nAlso read"
    >>> frame = pl.DataFrame({"doc_id": ["d"], "text": [text]})
    >>> cleaned, removed = strip_passages(frame, find_passages_frame(frame))
    >>> cleaned["text"].item()
    'News\n\nMore'
    >>> removed.select("kind", "start", "end", "text").rows()
    [('boilerplate', 6, 17, 'Also read\n\n'), ('boilerplate', 21, 32, '\n\nAlso read')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import numba as nb
import numpy as np
import numpy.typing as npt
import polars as pl

from dedup.errors import ConfigError
from dedup.pipeline import BatchSource, FrameSource
from dedup.schema import (
    CARRIED,
    DOC_ID,
    END,
    KIND,
    KIND_BOILERPLATE,
    KIND_INTERNAL,
    KIND_SHARED,
    PASSAGE_ID,
    PASSAGE_KINDS,
    REMOVED_SCHEMA,
    START,
    TEXT,
    require,
)

if TYPE_CHECKING:
    from dedup.passages.find import PassagesResult

#: Shares of each document's characters covered by passages (in doc_stats).
COVERAGE_COLUMNS = ("boilerplate_char_frac", "repeat_char_frac", "shared_char_frac")

DEFAULT_KINDS = (KIND_INTERNAL, KIND_BOILERPLATE)


def _check_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in PASSAGE_KINDS]
    if bad or not kinds:
        raise ConfigError(
            f"kinds must be one or more of {', '.join(PASSAGE_KINDS)}; got "
            f"{', '.join(map(str, kinds)) or 'none'}. The default strips "
            "internal repeats and boilerplate and keeps shared passages."
        )
    return kinds


def removal_plan(
    passages: pl.DataFrame,
    occurrences: pl.DataFrame,
    kinds: Iterable[str] = DEFAULT_KINDS,
) -> pl.DataFrame:
    """Occurrences a strip removes: doc_id, passage_id, kind, start, end.

    ``kind`` is why the span goes: a second copy of a shared passage in one
    document goes as an ``internal_repeat``.

    Example:
        >>> import polars as pl
        >>> p = pl.DataFrame({"passage_id": ["p"], "kind": ["internal_repeat"]})
        >>> o = pl.DataFrame({"passage_id": ["p", "p"], "doc_id": ["d", "d"],
        ...                   "start": [0, 20], "end": [12, 30]})
        >>> removal_plan(p, o).rows()
        [('d', 'p', 'internal_repeat', 20, 30)]

    """
    kinds = _check_kinds(kinds)
    require(passages, [PASSAGE_ID, KIND], stage="strip")
    require(occurrences, [PASSAGE_ID, DOC_ID, START, END], stage="strip")
    occ = (
        occurrences.select(PASSAGE_ID, DOC_ID, START, END)
        .with_row_index("_i")
        .join(passages.select(PASSAGE_ID, KIND), on=PASSAGE_ID, how="left")
    )
    parts: list[pl.DataFrame] = []
    if KIND_BOILERPLATE in kinds:
        parts.append(occ.filter(pl.col(KIND) == KIND_BOILERPLATE))
    spans = occ.filter(pl.col(KIND) != KIND_BOILERPLATE)
    kept = (
        spans.with_columns((pl.col(END) - pl.col(START)).alias("_len"))
        .sort(["_len", "_i"], descending=[True, False])
        .unique([PASSAGE_ID, DOC_ID], keep="first")
        .select(pl.exclude("_len"))
    )
    if KIND_INTERNAL in kinds:
        repeats = spans.join(kept.select("_i"), on="_i", how="anti")
        parts.append(repeats.with_columns(pl.lit(KIND_INTERNAL).alias(KIND)))
    if KIND_SHARED in kinds:
        first_doc = (
            spans.filter(pl.col(KIND) == KIND_SHARED)
            .sort("_i")
            .group_by(PASSAGE_ID, maintain_order=True)
            .agg(pl.col(DOC_ID).first().alias("_first"))
        )
        others = kept.join(first_doc, on=PASSAGE_ID).filter(
            pl.col(DOC_ID) != pl.col("_first")
        )
        parts.append(others.drop("_first"))
    cols = [DOC_ID, PASSAGE_ID, KIND, START, END]
    if not parts:
        return occ.select(cols).clear()
    return pl.concat([p.select("_i", *cols) for p in parts]).sort("_i").select(cols)


def _union_length(
    frame: pl.DataFrame, doc_index: pl.DataFrame, n_docs: int
) -> npt.NDArray[np.float64]:
    """Characters covered by the spans of *frame* per document (union)."""
    out = np.zeros(n_docs, dtype=np.float64)
    if not frame.height:
        return out
    spans = frame.select(DOC_ID, START, END).join(doc_index, on=DOC_ID)
    d = spans["_d"].to_numpy().astype(np.int64)
    start = spans[START].to_numpy().astype(np.int64)
    end = spans[END].to_numpy().astype(np.int64)
    order = np.lexsort((start, d))
    _add_union(d[order], start[order], end[order], out)
    return out


@nb.njit(cache=True)
def _add_union(
    d: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    out: npt.NDArray[np.float64],
) -> None:
    """Add to ``out[d]`` the length of the union of spans sorted by (d, start)."""
    reach = 0
    for i in range(len(d)):
        if i == 0 or d[i] != d[i - 1]:
            reach = 0
        if end[i] > max(start[i], reach):
            out[d[i]] += end[i] - max(start[i], reach)
        reach = max(reach, end[i])


def coverage(
    passages: pl.DataFrame,
    occurrences: pl.DataFrame,
    doc_ids: pl.Series,
    n_chars: npt.NDArray[np.int64],
) -> pl.DataFrame:
    """The :data:`COVERAGE_COLUMNS` of each document of *doc_ids*, in order.

    ``boilerplate_char_frac``: characters in boilerplate; ``repeat_char_frac``:
    characters in copies a strip would remove as internal repeats;
    ``shared_char_frac``: characters in passages shared with other documents.
    """
    doc_index = pl.DataFrame({DOC_ID: doc_ids, "_d": np.arange(len(doc_ids))})
    occ = occurrences.join(passages.select(PASSAGE_ID, KIND), on=PASSAGE_ID)
    plan = removal_plan(passages, occurrences, (KIND_INTERNAL,))
    denom = np.maximum(n_chars.astype(np.float64), 1.0)
    cols = {
        COVERAGE_COLUMNS[0]: occ.filter(pl.col(KIND) == KIND_BOILERPLATE),
        COVERAGE_COLUMNS[1]: plan,
        COVERAGE_COLUMNS[2]: occ.filter(pl.col(KIND) == KIND_SHARED),
    }
    return pl.DataFrame(
        {
            name: np.minimum(1.0, _union_length(f, doc_index, len(doc_ids)) / denom)
            for name, f in cols.items()
        }
    )


def _blank(s: str) -> bool:
    return not s.strip()


def widen(text: str, start: int, end: int) -> tuple[int, int]:
    r"""The span a removal of ``text[start:end]`` takes, white space included.

    Example:
        >>> t = "One.\n\nAlso read\n\nTwo. Three."
        >>> widen(t, 6, 15), widen(t, 22, 28)
        ((6, 17), (21, 28))

    """
    n = len(text)
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = n if le < 0 else le
    if _blank(text[ls:start]) and _blank(text[end:le]):
        if le == n:  # the last line: take the line breaks before it instead
            return len(text[:ls].rstrip()), n
        stop = le + 1
        prev = text.rfind("\n", 0, max(ls - 1, 0)) + 1
        if ls == 0 or _blank(text[prev : ls - 1]):
            while stop < n:
                nxt = text.find("\n", stop)
                if nxt < 0:
                    if _blank(text[stop:]):
                        stop = n
                    break
                if not _blank(text[stop:nxt]):
                    break
                stop = nxt + 1
        return ls, stop
    if _blank(text[end:le]):
        s = start
        while s > ls and text[s - 1].isspace():
            s -= 1
        return s, le
    e = end
    while e < le and text[e].isspace():
        e += 1
    return start, e


def strip_text(
    text: str, spans: Iterable[tuple[int, int, str, str]]
) -> tuple[str, list[tuple[str, str, int, int, str]]]:
    """Remove *spans* (start, end, passage_id, kind) from *text*.

    Returns the cleaned text and the account: (passage_id, kind, start, end,
    removed text) per removed span, in text order, non-overlapping.

    Example:
        >>> strip_text("a b c", [(2, 3, "p", "internal_repeat")])
        ('a c', [('p', 'internal_repeat', 2, 4, 'b ')])

    """
    wide = sorted((*widen(text, s, e), pid, kind) for s, e, pid, kind in spans)
    pieces: list[str] = []
    account: list[tuple[str, str, int, int, str]] = []
    pos = 0
    for s, e, pid, kind in wide:
        s = max(s, pos)
        if e <= s:
            continue
        pieces.append(text[pos:s])
        account.append((pid, kind, s, e, text[s:e]))
        pos = e
    pieces.append(text[pos:])
    if account and account[-1][3] == len(text):
        # Removals run to the end: the white space before them goes too, so
        # the cleaned text does not end in a dangling line break.
        i = len(account) - 1
        while i > 0 and account[i - 1][3] == account[i][2]:
            i -= 1
        pid, kind, s, e, _ = account[i]
        keep = pieces[i]
        stripped = keep.rstrip()
        if len(stripped) < len(keep):
            s -= len(keep) - len(stripped)
            pieces[i] = stripped
            account[i] = (pid, kind, s, e, text[s:e])
    return "".join(pieces), account


def strip_batches(
    source: BatchSource,
    result: PassagesResult,
    kinds: Iterable[str] = DEFAULT_KINDS,
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """Cleaned texts and removal accounts, batch by batch (bounded memory).

    Each cleaned frame has ``doc_id``, ``text`` and the carried columns of the
    input; each account frame follows :data:`dedup.schema.REMOVED_SCHEMA`.
    """
    plan = removal_plan(result.passages, result.occurrences, kinds)
    by_doc: dict[str, list[tuple[int, int, str, str]]] = {}
    for doc, pid, kind, s, e in plan.iter_rows():
        by_doc.setdefault(doc, []).append((s, e, pid, kind))
    for batch in source.batches():
        require(batch, [DOC_ID, TEXT], stage="strip")
        carried = [c for c in CARRIED if c in batch.columns]
        ids = batch[DOC_ID].cast(pl.String)
        hit: npt.NDArray[np.int64] = (
            np.flatnonzero(ids.is_in(list(by_doc)).to_numpy())
            if by_doc
            else np.zeros(0, dtype=np.int64)
        )
        rows: list[tuple[str, str, str, int, int, str]] = []
        texts = batch[TEXT]
        if len(hit):
            fixed: list[str] = []
            for i in hit:
                doc = ids[int(i)]
                clean, account = strip_text(texts[int(i)], by_doc[doc])
                fixed.append(clean)
                rows.extend((doc, *a) for a in account)
            texts = texts.scatter(hit, pl.Series(fixed, dtype=pl.String))
        cleaned = batch.select(DOC_ID, *carried).with_columns(
            pl.col(DOC_ID).cast(pl.String), texts.alias(TEXT)
        )
        removed = pl.DataFrame(rows, schema=REMOVED_SCHEMA, orient="row")
        yield cleaned.select(DOC_ID, TEXT, *carried), removed


def strip_passages(
    source: BatchSource | pl.DataFrame,
    result: PassagesResult,
    kinds: Iterable[str] = DEFAULT_KINDS,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cleaned texts (doc_id, text, carried columns) and the removal account.

    *source* is the input *result* was found in (read once more), or the
    frame given to :func:`dedup.passages.find_passages_frame`.
    """
    kinds = _check_kinds(kinds)
    if isinstance(source, pl.DataFrame):
        source = FrameSource(source)
    cleaned: list[pl.DataFrame] = []
    removed: list[pl.DataFrame] = []
    for c, r in strip_batches(source, result, kinds):
        cleaned.append(c)
        removed.append(r)
    if not cleaned:
        return (
            pl.DataFrame(schema={DOC_ID: pl.String, TEXT: pl.String}),
            pl.DataFrame(schema=REMOVED_SCHEMA),
        )
    return pl.concat(cleaned), pl.concat(removed)
