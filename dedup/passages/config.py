"""Passage configuration: a frozen dataclass validated before any work starts.

Every error names the parameter, the allowed range, the value given and a hint.

    >>> PassageConfig(min_words=2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dedup.errors.ConfigError: min_words must be 3..256; got 2. ...
    >>> PassageConfig(min_words=8).window
    4
"""

from __future__ import annotations

from dataclasses import dataclass

from dedup.errors import ConfigError

#: Winnowing window, in k-grams (smaller when ``min_words`` is small).
WINDOW = 4


@dataclass(frozen=True)
class PassageConfig:
    """Parameters of ``dedup passages``.

    Attributes:
        min_words: shortest repeated span reported, in words. The default, 10,
            is long enough that a ten-word sequence shared by two news
            articles is almost never chance (set phrases such as "said in a
            statement on Monday that the" run shorter) and short enough to
            catch a one-sentence quote; 8 finds more quotes and more chance
            phrases. Every span of this length or more is found (winnowing
            guarantee); shorter repeated lines are found as lines.
        boilerplate_min_docs: a line is site boilerplate when at least this many
            documents of one site carry it (and the share below).
        boilerplate_min_fraction: ... and at least this share of the site's
            documents. Without a ``site`` column (nor a ``url`` to take the
            host from) the whole input counts as one site, so the line must be
            frequent in the input.
        template_lines: a line shorter than ``min_words`` words that occurs
            twice or more in one document ("Also read", "Advertisement") is
            boilerplate of that document.
        stats: compute the per-document repetition statistics.
        filter_mb: memory of the first-pass filter of fingerprints. Bounded,
            so memory does not grow with the input; 256 MiB (9 bits for each
            of the ~240 fingerprints of a 600-word article, at a million
            articles) keeps false positives to a few percent: extra work in
            pass two, never a wrong result. The filter starts at 16 MiB and
            grows to this size only when the input fills that (about 30,000
            such articles).
        cache_mb: pass one's fingerprints and line hashes (about 2 KB for a
            600-word article) are kept up to this size, so that pass two
            tokenises again only the documents that hold a repeat; beyond it,
            pass two tokenises every document. Never changes the result.
        index_mb: memory of the n-gram index of pass two (about 24 bytes per
            word of a repeat and its margins). Beyond it the index goes to
            temporary files (``TMPDIR``) and is counted one hash partition at
            a time, so memory holds the distinct repeated n-grams and the
            regions, not the index. Never changes the result.
        keep_text_mb: the text around repeats is kept from the second pass up
            to this size (passage texts are cut from it); beyond it the input
            is read a third time.

    Example:
        >>> PassageConfig().min_words, PassageConfig().kgram, PassageConfig().window
        (10, 7, 4)

    """

    min_words: int = 10
    boilerplate_min_docs: int = 5
    boilerplate_min_fraction: float = 0.01
    template_lines: bool = True
    stats: bool = True
    filter_mb: int = 256
    cache_mb: int = 256
    index_mb: int = 256
    keep_text_mb: int = 256

    def __post_init__(self) -> None:
        _check(
            isinstance(self.min_words, int) and 3 <= self.min_words <= 256,
            "min_words",
            "3..256",
            self.min_words,
            "10 words finds quotes and copied paragraphs without chance phrases; "
            "shorter repeated lines are found as boilerplate lines.",
        )
        _check(
            isinstance(self.boilerplate_min_docs, int)
            and 2 <= self.boilerplate_min_docs <= 1_000_000,
            "boilerplate_min_docs",
            "2..1000000",
            self.boilerplate_min_docs,
            "A line needs to recur in several documents of a site to be its "
            "template; 5 is the default.",
        )
        _check(
            0.0 <= self.boilerplate_min_fraction <= 1.0,
            "boilerplate_min_fraction",
            "in [0, 1]",
            self.boilerplate_min_fraction,
            "It is the share of a site's documents that must carry the line; "
            "0 relies on boilerplate_min_docs alone.",
        )
        _check(
            isinstance(self.filter_mb, int) and 1 <= self.filter_mb <= 65_536,
            "filter_mb",
            "1..65536",
            self.filter_mb,
            "About 2 bytes per fingerprint (a 600-word article has ~240) keeps "
            "the filter precise; it never changes the result, only the work.",
        )
        _check(
            isinstance(self.cache_mb, int) and self.cache_mb >= 0,
            "cache_mb",
            ">= 0",
            self.cache_mb,
            "0 tokenises every document twice instead of keeping fingerprints.",
        )
        _check(
            isinstance(self.index_mb, int) and self.index_mb >= 0,
            "index_mb",
            ">= 0",
            self.index_mb,
            "0 writes the n-gram index to temporary files as it is built.",
        )
        _check(
            isinstance(self.keep_text_mb, int) and self.keep_text_mb >= 0,
            "keep_text_mb",
            ">= 0",
            self.keep_text_mb,
            "0 always reads the input a third time instead of keeping texts.",
        )

    @property
    def kgram(self) -> int:
        """Words per winnowing k-gram: ``min_words - window + 1``.

        As long as the window allows: short k-grams (five words) recur by
        chance in a large crawl ("for the first time in"), and every chance
        match sends its neighbourhood to the exact index in pass two.
        """
        return self.min_words - self.window + 1

    @property
    def window(self) -> int:
        """Winnowing window: any ``min_words``-word span keeps a fingerprint.

        Four k-grams: about 2 / 5 of the k-grams are kept.
        """
        return min(WINDOW, self.min_words - 2)


def _check(ok: bool, name: str, allowed: str, value: object, hint: str) -> None:
    if not ok:
        raise ConfigError(f"{name} must be {allowed}; got {value}. {hint}")
