r"""Reasons for flagged paragraphs: the filler family and the features behind it.

The classifier scores each filler family with its own linear function, so
the family is the best-scoring one (a generic boilerplate score is refined by
the phrase pattern that matched), and the strongest expert's margin over
"content" is a sum of per-feature contributions; the reason names the largest
in words, with the numbers that make them checkable:

    callout label 'Pro Tip:' + emoji 📈 (callout)
    finance tie-in: 6 high-CPC terms, 5x article rate + off-topic (tie_in)
    teaser phrase + repeated 4x in the article (teaser)

Only flagged paragraphs are explained, so the Python here runs on few rows.

    >>> label_of("💡 **Pro Tip:** keep receipts")
    'Pro Tip:'
    >>> emoji_of("Key point 📈 here ✔️")
    '📈✔'
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numba as nb
import numpy as np
import numpy.typing as npt

from dedup.farm import lexicon
from dedup.farm.features import (
    CALLOUT_LABEL,
    DEFAULT_GROUP,
    FEATURE_GROUP,
    FEATURE_NAMES,
    FILLER_PATTERNS,
    R_LABEL_KNOWN,
    R_TOKENS,
    FeatureBatch,
    feature_index,
)
from dedup.farm.model import FillerClassifier

#: Families a reason can name.
FAMILIES = (
    "callout",
    "emoji_heading",
    "tie_in",
    "teaser",
    "navigation",
    "call_to_action",
    "ads",
    "ai_disclosure",
    "repeated",
    "boilerplate",
)

# Which matched pattern names the family, strongest evidence first.
_PHRASE_FAMILY = {
    "ai_disclosure": "ai_disclosure",
    "chatbot": "ai_disclosure",
    "ads": "ads",
    "teaser": "teaser",
    "cta": "call_to_action",
    "nav": "navigation",
    CALLOUT_LABEL: "callout",
}
_PHRASE_WORDS = {
    "ai_disclosure": "AI disclosure",
    "chatbot": "chatbot phrasing",
    "ads": "ad label",
    "teaser": "teaser phrase",
    "cta": "call to action",
    "nav": "navigation text",
}
# Above these raw values a length feature means "long" (else "short").
_LONG_FROM = {"log_chars": 240, "log_tokens": 40, "log_sentences": 2}
_PHRASE_KINDS = frozenset(
    ("teaser", "navigation", "call_to_action", "ads", "ai_disclosure", "boilerplate")
)
_PHRASE_LEAD = frozenset(
    ("teaser", "navigation", "call_to_action", "ads", "ai_disclosure")
)
_PATTERN_COLUMN = {name: j for j, name in enumerate(lexicon.PATTERNS)}
# Columns of the features the reasons read.
_LABEL_COLON = feature_index("label_colon")
_QUESTION_LEAD = feature_index("question_lead")
_CPC_COUNT = feature_index("cpc_count")
_COHERENCE = feature_index("coherence")
_PHRASE_LABEL = feature_index("phrase_label")
_REPEATS = feature_index("repeats")
_HEADING_LIKE = feature_index("heading_like")
_LONG_ABOVE = {
    feature_index(name): float(np.log1p(v)) for name, v in _LONG_FROM.items()
}
_LABEL = re.compile(r"^[\W_]*?(\w[^:?\n]{0,60}?[:?])(?=\s|\*|$)")
_GROUPS = sorted(set(FEATURE_GROUP.values()) | {DEFAULT_GROUP})
#: Ranked features of a flagged row turned into a Python list up front.
_RANKED = 8
_GROUP_OF = np.array(
    [_GROUPS.index(FEATURE_GROUP.get(name, DEFAULT_GROUP)) for name in FEATURE_NAMES]
)


def label_of(text: str) -> str:
    """The ``Label:`` or ``Question?`` a paragraph starts with ('' if none)."""
    m = _LABEL.match(text)
    return m.group(1).strip("* ") if m else ""


# Emoji blocks (skin-tone modifiers excluded): one regex scan of a text
# instead of a Python test per character.
_EMOJI = re.compile(
    "[\U0001f000-\U0001f3fa\U0001f400-\U0001faff"
    "\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff]"
)


def emoji_of(text: str, limit: int = 3) -> str:
    """Up to *limit* emoji of *text*, in order (variation selectors dropped)."""
    return "".join(_EMOJI.findall(text)[:limit])


def _pattern_hits(feats: FeatureBatch, rows: npt.NDArray[np.intp]) -> list[str]:
    """The first filler pattern (by :data:`FILLER_PATTERNS` order) each row matches.

    ``CALLOUT_LABEL`` for a row matching none but with a known callout label,
    ``""`` for the others.
    """
    cols = [_PATTERN_COLUMN[name] for name in FILLER_PATTERNS]
    matched = feats.patterns[rows][:, cols]
    first: list[int] = matched.argmax(axis=1).tolist()
    some: list[bool] = np.any(matched, axis=1).tolist()
    known: list[bool] = (feats.raw[rows, R_LABEL_KNOWN] > 0).tolist()
    return [
        FILLER_PATTERNS[f] if any_ else (CALLOUT_LABEL if k else "")
        for f, any_, k in zip(first, some, known, strict=True)
    ]


class _Paragraph:
    """A flagged paragraph as its reason reads it.

    *values* is its row of the feature matrix (a view), *raw_text* its text,
    *hit* the filler pattern it matched (:func:`_pattern_hits`), *tokens*,
    *topic* and *ratio* its word count, commercial topic and commercial
    ratio. The text with its white space collapsed and the label it starts
    with are made on first use and kept: a callout's lead and several of
    its features quote the same label, and most reasons need neither.
    """

    __slots__ = (
        "_label",
        "_text",
        "hit",
        "ratio",
        "raw_text",
        "tokens",
        "topic",
        "values",
    )

    def __init__(
        self,
        values: npt.NDArray[np.float64],
        raw_text: str,
        hit: str,
        tokens: float,
        topic: int,
        ratio: float,
    ) -> None:
        self.values = values
        self.raw_text = raw_text
        self.hit = hit
        self.tokens = tokens
        self.topic = topic
        self.ratio = ratio
        self._text: str | None = None
        self._label: str | None = None

    @property
    def text(self) -> str:
        """The text with each run of white space one space, ends stripped."""
        if self._text is None:
            self._text = " ".join(self.raw_text.split())
        return self._text

    @property
    def label(self) -> str:
        """:func:`label_of` the text."""
        if self._label is None:
            self._label = label_of(self.text)
        return self._label


#: The shared expert of filler that carries a filler phrase (trained by
#: :func:`dedup.farm.train.model_family`; named here to keep the runtime free
#: of the training module).
PHRASE_EXPERT = "phrase"


def _family_name(expert: str) -> str | None:
    """The reported family of a per-family expert (None: not a family).

    The generic expert and the shared phrase expert (``phrase``, trained on
    filler of every kind that carries a filler phrase) are not families: the
    caller names those from the features and the pattern that matched.
    """
    if expert.startswith("tie_in"):
        return "tie_in"
    return expert if expert in FAMILIES else None


# Words for a feature, by feature: a fixed phrase, or a function of the
# paragraph and the feature's column. One dictionary look-up per named
# feature instead of a chain of membership tests (up to twenty) before the
# right branch.
_Describer = Callable[[_Paragraph, int], str]
_DESCRIBERS: dict[str, _Describer] = {}
_FIXED_WORDS: dict[str, str] = {
    "emoji_x_doc_emoji": "emoji on many paragraphs",
    "label_x_doc_labels": "labels on many paragraphs",
    "mean_idf": "generic wording",
    "separators": "navigation text",
    "url": "navigation text",
    "imperative_start": "call to action",
    "advice_rate": "advice to the reader",
    "you_rate": "advice to the reader",
    "exclaim": "advice to the reader",
    "position": "at the article's edge",
    "is_first": "at the article's edge",
    "is_last": "at the article's edge",
    "prev_short": "among short lines",
    "next_short": "among short lines",
    "prev_heading": "among short lines",
    "next_heading": "among short lines",
    "said_rate": "no attribution or quotes",
    "quotes": "no attribution or quotes",
}


def _describes(*names: str) -> Callable[[_Describer], _Describer]:
    """Register the decorated function as the words for features *names*."""

    def register(fn: _Describer) -> _Describer:
        for name in names:
            _DESCRIBERS[name] = fn
        return fn

    return register


@_describes("label_colon", "label_title", "label_x_emoji", "label_x_later")
def _label_words(p: _Paragraph, j: int) -> str:
    return f"callout label '{p.label}'" if p.label else "callout label"


@_describes("question_lead")
def _question_words(p: _Paragraph, j: int) -> str:
    return f"question lead '{p.label}'"


@_describes("emoji", "emoji_edge", "heading_x_emoji")
def _emoji_words(p: _Paragraph, j: int) -> str:
    return f"emoji {emoji_of(p.text)}".rstrip()


@_describes("cpc_rate", "cpc_count", "cpc_excess", "cpc_topic_share", "doc_cpc_rate")
def _tie_in_words(p: _Paragraph, j: int) -> str:
    topic = lexicon.COMMERCIAL[p.topic] if p.topic >= 0 else "commercial"
    n = round(float(np.expm1(p.values[_CPC_COUNT])))
    return f"{topic} tie-in: {n} high-CPC terms, {p.ratio:.0f}x article rate"


@_describes("coherence", "coherence_gap", "cpc_excess_x_incoherent")
def _off_topic_words(p: _Paragraph, j: int) -> str:
    coh = float(p.values[_COHERENCE])
    return f"off-topic (similarity {coh:.2f} to the rest)"


@_describes(
    "filler_phrase",
    "filler_phrases",
    "furniture_rate",
    "phrase_x_sentence",
    "phrase_x_short",
)
def _phrase_words(p: _Paragraph, j: int) -> str:
    if p.hit == CALLOUT_LABEL:
        return f"callout label '{p.label}'"
    return _PHRASE_WORDS[p.hit] if p.hit else "page-furniture words"


@_describes("phrase_cover", "phrase_label")
def _phrase_cover_words(p: _Paragraph, j: int) -> str:
    if p.values[_PHRASE_LABEL] > 0:
        return "the phrase labels what follows"
    return f"the line is mostly that phrase ({float(p.values[j]):.0%})"


@_describes("repeats", "short_repeat")
def _repeat_words(p: _Paragraph, j: int) -> str:
    value = float(p.values[_REPEATS])
    return f"repeated {round(float(np.expm1(value))) + 1}x in the article"


@_describes(*_LONG_FROM)
def _length_words(p: _Paragraph, j: int) -> str:
    n_tok = int(p.tokens)
    if float(p.values[j]) > _LONG_ABOVE[j]:
        return f"long passage ({n_tok} words)"
    return f"short line ({n_tok} words)"


@_describes("heading_like", "short_fragment", "title_ratio", "caps_ratio")
def _heading_words(p: _Paragraph, j: int) -> str:
    return f"heading-like line ({int(p.tokens)} words)"


@_describes("terminal")
def _terminal_words(p: _Paragraph, j: int) -> str:
    return "no sentence punctuation" if p.values[j] == 0 else "ends a sentence"


def _fixed_words(p: _Paragraph, j: int) -> str:
    """The words for a feature that says the same of every paragraph."""
    return _FIXED_OF[j]


#: By feature column: its fixed words (the name in words when nothing better
#: is known; read by :func:`_fixed_words`).
_FIXED_OF: list[str] = [
    _FIXED_WORDS.get(name, name.replace("_", " ")) for name in FEATURE_NAMES
]
#: By feature column: what puts it in words (``_DESCRIBE[j](p, j)``).
_DESCRIBE: list[_Describer] = [
    _DESCRIBERS.get(name, _fixed_words) for name in FEATURE_NAMES
]


def _lead(family: str, p: _Paragraph) -> str:
    """The evidence that defines *family*, when the paragraph has it."""
    if family == "callout":
        lead = p.values[_LABEL_COLON] + p.values[_QUESTION_LEAD]
        if p.label and lead > 0:
            return f"callout label '{p.label}'"
    if family == "tie_in" and p.topic >= 0:
        return _tie_in_words(p, _CPC_COUNT)
    if family in _PHRASE_LEAD and p.hit and p.hit != CALLOUT_LABEL:
        return _PHRASE_WORDS[p.hit]
    return ""


def explain(
    feats: FeatureBatch,
    classifier: FillerClassifier,
    rows: npt.NDArray[np.intp],
    *,
    n_features: int = 2,
) -> list[tuple[str, str]]:
    r"""``(family, reason)`` for each paragraph index in *rows*.

    Example:
        >>> import numpy as np, polars as pl
        >>> from dedup.farm.features import extract
        >>> from dedup.farm.model import load_bundled
        >>> model = load_bundled()
        >>> f = extract(pl.Series(["A story.\n\nAds by Brandly"]), model.resources)
        >>> explain(f, model.classifier, np.array([1]))[0][0]
        'ads'

    """
    if len(rows) == 0:
        return []
    X = feats.values[rows]
    experts, contrib = classifier.family_and_contributions(X)
    named = experts.tolist()
    family_of = {name: _family_name(name) for name in set(named)}
    heading = X[:, _HEADING_LIKE] > 0
    texts = feats.texts.gather(rows).to_list()
    hits = _pattern_hits(feats, rows)
    tokens: list[float] = feats.raw[rows, R_TOKENS].tolist()
    topics: list[int] = feats.cpc_topic[rows].tolist()
    ratios: list[float] = feats.cpc_ratio[rows].tolist()
    # Strongest contribution first, ties in feature order; only the positive
    # ones are named. A reason rarely needs more than the first few (one
    # more per feature whose words repeat an earlier part), so only those
    # are ranked up front; a row that runs out ranks all of its own.
    top, positives = _top_positive(contrib, _RANKED)
    ranked = top.tolist()
    n_positive: list[int] = positives.tolist()
    by_group: npt.NDArray[np.float64] | None = None
    out: list[tuple[str, str]] = []
    for k, expert in enumerate(named):
        hit = hits[k]
        family = family_of[expert]
        if family is None and expert == PHRASE_EXPERT and hit in _PHRASE_FAMILY:
            # The shared phrase expert won: the phrase that matched names
            # the kind.
            family = _PHRASE_FAMILY[hit]
        if family is None:
            # A model without per-family scores: name the family by the
            # feature group that contributed most.
            if by_group is None:
                # Only where no expert names the family (the phrase expert
                # without a matching phrase, or a model without per-family
                # experts); then for all rows at once.
                by_group = _group_sums(contrib)
            group = _GROUPS[int(np.argmax(by_group[k]))]
            if group == "emoji":
                family = "emoji_heading" if heading[k] else "callout"
            elif group == "phrase":
                family = _PHRASE_FAMILY.get(hit, "boilerplate")
            else:
                family = group
        elif family in _PHRASE_KINDS:
            # Among page-furniture kinds the matching phrase is the better
            # witness of which kind ("Previous Post Next Post" is navigation
            # whichever furniture score won).
            family = _PHRASE_FAMILY.get(hit, family)
        p = _Paragraph(X[k], texts[k], hit, tokens[k], topics[k], ratios[k])
        parts: list[str] = []
        lead = _lead(family, p)
        if lead:
            parts.append(lead)
        candidates = ranked[k]
        m, positive = 0, n_positive[k]
        while m < positive and len(parts) < n_features:
            if m == len(candidates):
                order = np.argsort(-contrib[k], kind="stable")
                candidates = order[:positive].tolist()
            j = candidates[m]
            words = _DESCRIBE[j](p, j)
            m += 1
            if words not in parts:
                parts.append(words)
        out.append((family, f"{' + '.join(parts) or 'overall pattern'} ({family})"))
    return out


@nb.njit(cache=True)
def _top_positive(
    contrib: npt.NDArray[np.float64], width: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each row's *width* largest positive columns, and its count of positives.

    ``top[i]`` lists the columns of row *i* whose value is above zero, the
    largest first and equal values in column order (the first of
    ``np.argsort(-contrib[i], kind="stable")``), padded with -1; one pass
    over each row keeping a short sorted list, instead of sorting all of it.

        >>> top, n = _top_positive(np.array([[0.5, 0.0, 2.0, 0.5, -1.0]]), 2)
        >>> top.tolist(), n.tolist()
        ([[2, 0]], [3])
    """
    n, f = contrib.shape
    width = min(width, f)
    top = np.full((n, width), -1, dtype=np.int64)
    positives = np.zeros(n, dtype=np.int64)
    for i in range(n):
        kept = 0
        for j in range(f):
            v = contrib[i, j]
            if not v > 0.0:
                continue
            positives[i] += 1
            # Below every kept value, or equal to the last (an equal value
            # in a later column ranks after it): goes at the end, if room.
            at = kept
            while at > 0 and contrib[i, top[i, at - 1]] < v:
                at -= 1
            if at == width:
                continue
            for q in range(min(kept, width - 1), at, -1):
                top[i, q] = top[i, q - 1]
            top[i, at] = j
            kept = min(kept + 1, width)
    return top, positives


def _group_sums(contrib: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each row's positive contributions summed by feature group."""
    positive = np.maximum(contrib, 0.0)
    by_group = np.zeros((len(contrib), len(_GROUPS)))
    for g in range(len(_GROUPS)):
        by_group[:, g] = positive[:, g == _GROUP_OF].sum(axis=1)
    return by_group
