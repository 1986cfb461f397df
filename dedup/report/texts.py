"""Read the texts a report shows from the original input, in one streaming pass.

Result folders hold no article texts (a scan keeps ids, sizes and
similarities), so a report that shows articles and diffs goes back to the
input. It asks only for the documents it shows: whole texts (cut to a length)
for diffs and articles, and short snippets around passage occurrences, whose
offsets may lie beyond that cut.

    >>> import polars as pl
    >>> frame = pl.DataFrame({"doc_id": ["a", "b"], "text": ["hello big world", "x"]})
    >>> got = read_texts(frame, full=["a"], spans={"a": [(6, 9)]}, context=6)
    >>> got.texts["a"], got.snippets[("a", 6, 9)], sorted(got.missing)
    ('hello big world', ('hello ', 'big', ' world'), [])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from dedup.schema import DOC_ID, TEXT, require


class TextSource(Protocol):
    """Anything with ``batches()`` yielding frames with ``doc_id`` and ``text``.

    :func:`dedup.io.open_source` returns one.
    """

    def batches(self) -> Iterator[pl.DataFrame]: ...  # noqa: D102


class _FrameTexts:
    """An in-memory frame as a :class:`TextSource` (tests, notebooks)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        require(frame, [DOC_ID, TEXT], stage="report")
        self.frame = frame

    def batches(self) -> Iterator[pl.DataFrame]:
        yield from self.frame.iter_slices(50_000)


def as_text_source(source: TextSource | pl.DataFrame) -> TextSource:
    """*source* itself, or a frame with ``doc_id`` and ``text`` wrapped as one.

    Example:
        >>> src = as_text_source(pl.DataFrame({"doc_id": ["a"], "text": ["t"]}))
        >>> next(src.batches()).height
        1

    """
    return _FrameTexts(source) if isinstance(source, pl.DataFrame) else source


@dataclass
class Texts:
    """What :func:`read_texts` found.

    Attributes:
        texts: doc_id → text, cut to ``max_chars`` characters.
        lengths: doc_id → the full length in characters (to spot an input that
            is not the one the results were made from, and to say how much a
            cut left out).
        snippets: (doc_id, start, end) → (before, span, after).
        missing: Requested ids the input does not hold.

    """

    texts: dict[str, str] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)
    snippets: dict[tuple[str, int, int], tuple[str, str, str]] = field(
        default_factory=dict
    )
    missing: set[str] = field(default_factory=set)


def read_texts(
    source: TextSource | pl.DataFrame,
    *,
    full: Iterable[str] = (),
    spans: Mapping[str, Sequence[tuple[int, int]]] | None = None,
    max_chars: int = 20_000,
    context: int = 80,
) -> Texts:
    """Texts of the *full* documents and snippets of *spans*, in one pass.

    Args:
        source: The input the results were made from.
        full: Ids whose text is wanted (cut to *max_chars* characters).
        spans: doc_id → (start, end) code-point offsets, end exclusive; each
            gives a snippet with *context* characters on either side.
        max_chars: Longest text kept per document.
        context: Characters of context around each span.

    Returns:
        :class:`Texts`; requested ids the input lacks are in ``missing``.

    """
    spans = spans or {}
    wanted_full = set(full)
    wanted = wanted_full | set(spans)
    found = Texts()
    if not wanted:
        return found
    keys = pl.DataFrame({DOC_ID: sorted(wanted)}, schema={DOC_ID: pl.String})
    seen: set[str] = set()
    for batch in as_text_source(source).batches():
        require(batch, [DOC_ID, TEXT], stage="report")
        hits = batch.select(DOC_ID, TEXT).join(keys, on=DOC_ID, how="semi")
        for doc_id, text in hits.iter_rows():
            if doc_id in seen or text is None:
                continue  # the first record of an id is the one results describe
            seen.add(doc_id)
            found.lengths[doc_id] = len(text)
            if doc_id in wanted_full:
                found.texts[doc_id] = text[:max_chars]
            for start, end in spans.get(doc_id, ()):
                found.snippets[(doc_id, start, end)] = (
                    text[max(0, start - context) : max(0, start)],
                    text[max(0, start) : max(0, end)],
                    text[max(0, end) : max(0, end) + context],
                )
    found.missing = wanted - seen
    return found
