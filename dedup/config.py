"""Scan configuration: a frozen dataclass validated before any work starts.

Every error names the parameter, the allowed range, the value given and a hint.

    >>> ScanConfig(threshold=1.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dedup.errors.ConfigError: threshold must be in (0, 1]; got 1.5. It is the ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dedup.errors import ConfigError
from dedup.lsh import optimal_bands

SHINGLE_KINDS = ("word", "char")


@dataclass(frozen=True)
class ScanConfig:
    """Parameters of ``dedup scan``.

    The defaults were tuned on 322 hand-labelled Reuters pairs (see README):
    word 5-gram shingles, a pair is a duplicate when at least 60% of the shorter
    article's shingles are in the other (overlap coefficient) and its
    differences are not only figures (template check).

    Attributes:
        threshold: minimum overlap coefficient of a duplicate pair.
        shingle: ``"word"`` n-grams of tokens or ``"char"`` n-grams of code points.
        ngram: n of the n-grams; 5 for words, 5 for characters is a fair start.
        num_perm: MinHash permutations.
        seed: seed of the permutations (part of the signature's identity).
        min_jaccard: a duplicate pair also needs this much Jaccard similarity.
            The overlap coefficient alone would call a 40-word item quoted in a
            400-word roundup a copy of it, and chain every item of the roundup
            into one cluster; truncated re-issues keep a Jaccard above 0.25.
        lsh_threshold: Jaccard similarity the LSH bands are tuned for. Lower than
            *threshold* because a truncated copy has a high overlap and a low
            Jaccard; every candidate is verified exactly, so a low value costs
            time, not precision.
        false_negative_weight: weight of misses against false candidates when
            choosing bands (datasketch uses 0.5; verification makes recall cheap).
        bands, rows: explicit LSH shape; derived from the above when 0.
        template_check: tell template siblings (figures differ) from duplicates.
        edit_similarity: a long pair (both texts at least
            :data:`dedup.verify.LONG_TEXT` tokens) below *threshold* is still a
            duplicate when this share of its words align in order (1 - word
            edit distance / longer length). Scattered word edits (a rewrite
            changing one word in ten) break most 5-grams while the text is
            plainly the same; short notices that differ in a name are left to
            the shingles. 0 turns the rule off.
        window: in an LSH bucket larger than ``window + 1``, pair each document
            with its next *window* neighbours only. Such buckets are mostly
            site furniture (pages of one site sharing their header and
            footer): at 1M generated documents, 8 instead of 64 cut the
            candidates from 3.4M to 1.2M and changed no duplicate pair.
        agreement_alpha: drop a candidate before the exact check when its
            signatures agree so rarely that a pair at the lowest similarity
            verification could accept would agree that rarely with at most
            this probability (:mod:`dedup.agreement`); 0 verifies every
            candidate.

    """

    threshold: float = 0.6
    shingle: str = "word"
    ngram: int = 5
    num_perm: int = 128
    seed: int = 1
    min_jaccard: float = 0.2
    lsh_threshold: float = 0.25
    false_negative_weight: float = 0.9
    bands: int = 0
    rows: int = 0
    template_check: bool = True
    window: int = 8
    edit_similarity: float = 0.75
    agreement_alpha: float = 1e-3
    _shape: tuple[int, int] = field(default=(0, 0), init=False, repr=False)

    def __post_init__(self) -> None:
        _check(
            0 < self.threshold <= 1,
            "threshold",
            "in (0, 1]",
            self.threshold,
            "It is the overlap of shingle sets above which two articles are "
            "duplicates; 0.6 is the default.",
        )
        _check(
            self.shingle in SHINGLE_KINDS,
            "shingle",
            "word or char",
            self.shingle,
            "Use char for very short texts or languages without spaces.",
        )
        _check(
            1 <= self.ngram <= 64,
            "ngram",
            "1..64",
            self.ngram,
            "5 words is the usual choice for news.",
        )
        _check(
            8 <= self.num_perm <= 1024,
            "num_perm",
            "8..1024",
            self.num_perm,
            "More permutations give tighter estimates at a linear cost.",
        )
        _check(
            0 <= self.seed < 2**63,
            "seed",
            "0..2**63-1",
            self.seed,
            "Signatures made with different seeds cannot be compared.",
        )
        _check(
            0 <= self.min_jaccard <= self.threshold,
            "min_jaccard",
            "in [0, threshold]",
            self.min_jaccard,
            "0 judges on the overlap alone.",
        )
        _check(
            0 < self.lsh_threshold <= 1,
            "lsh_threshold",
            "in (0, 1]",
            self.lsh_threshold,
            "Lower finds more truncated copies.",
        )
        _check(
            0 < self.false_negative_weight < 1,
            "false_negative_weight",
            "in (0, 1)",
            self.false_negative_weight,
            "0.5 weighs both equally.",
        )
        _check(
            self.bands >= 0 and self.rows >= 0,
            "bands/rows",
            ">= 0",
            (self.bands, self.rows),
            "Leave both 0 to derive them.",
        )
        _check(
            self.bands * self.rows <= self.num_perm,
            "bands*rows",
            f"<= num_perm ({self.num_perm})",
            self.bands * self.rows,
            "Each band takes rows permutations; did you forget num_perm?",
        )
        _check(
            (self.bands == 0) == (self.rows == 0),
            "bands/rows",
            "both set or both 0",
            (self.bands, self.rows),
            "Give both or neither.",
        )
        _check(
            1 <= self.window <= 10_000,
            "window",
            "1..10000",
            self.window,
            "8 keeps huge buckets linear; every copy still joins its cluster.",
        )
        _check(
            0 <= self.edit_similarity <= 1,
            "edit_similarity",
            "in [0, 1]",
            self.edit_similarity,
            "0.75 aligns three words in four; 0 turns the rule off.",
        )
        _check(
            0 <= self.agreement_alpha < 0.5,
            "agreement_alpha",
            "in [0, 0.5)",
            self.agreement_alpha,
            "It is the chance a pair at the edge of acceptance is dropped "
            "unverified; 0 verifies every candidate.",
        )
        shape = (self.bands, self.rows)
        if self.bands == 0:
            shape = optimal_bands(
                self.lsh_threshold,
                self.num_perm,
                1.0 - self.false_negative_weight,
                self.false_negative_weight,
            )
        object.__setattr__(self, "_shape", shape)

    @property
    def band_shape(self) -> tuple[int, int]:
        """(bands, rows) actually used."""
        return self._shape


def _check(ok: bool, name: str, allowed: str, value: object, hint: str) -> None:
    if not ok:
        raise ConfigError(f"{name} must be {allowed}; got {value}. {hint}")
