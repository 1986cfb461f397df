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

import numpy as np
import numpy.typing as npt

from dedup.farm import lexicon
from dedup.farm.features import (
    CALLOUT_LABEL,
    DEFAULT_GROUP,
    FEATURE_GROUP,
    FEATURE_NAMES,
    FILLER_PATTERNS,
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
_PATTERN_COLUMN = {name: j for j, name in enumerate(lexicon.PATTERNS)}
_LABEL = re.compile(r"^[\W_]*?(\w[^:?\n]{0,60}?[:?])(?=\s|\*|$)")
_GROUPS = sorted(set(FEATURE_GROUP.values()) | {DEFAULT_GROUP})
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
    known: list[bool] = (feats.values[rows, feature_index("label_known")] > 0).tolist()
    return [
        FILLER_PATTERNS[f] if any_ else (CALLOUT_LABEL if k else "")
        for f, any_, k in zip(first, some, known, strict=True)
    ]


def _lead(family: str, i: int, feats: FeatureBatch, text: str, hit: str) -> str:
    """The evidence that defines *family*, when the paragraph has it."""
    if family == "callout":
        label = label_of(text)
        lead = (
            feats.values[i, feature_index("label_colon")]
            + feats.values[i, feature_index("question_lead")]
        )
        if label and lead > 0:
            return f"callout label '{label}'"
    if family == "tie_in" and feats.cpc_topic[i] >= 0:
        return _describe("cpc_count", i, feats, text, hit)
    phrase_family = family in (
        "teaser",
        "navigation",
        "call_to_action",
        "ads",
        "ai_disclosure",
    )
    if phrase_family and hit and hit != CALLOUT_LABEL:
        return _PHRASE_WORDS[hit]
    return ""


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


def _describe(
    name: str, i: int, feats: FeatureBatch, text: str, hit: str
) -> str:  # one flagged paragraph, so plain Python is fine
    value = float(feats.values[i, feature_index(name)])
    if name in (
        "label_colon",
        "label_title",
        "label_known",
        "label_x_emoji",
        "label_x_later",
    ):
        label = label_of(text)
        return f"callout label '{label}'" if label else "callout label"
    if name == "question_lead":
        return f"question lead '{label_of(text)}'"
    if name in ("emoji", "emoji_edge", "heading_x_emoji"):
        return f"emoji {emoji_of(text)}".rstrip()
    if name == "emoji_x_doc_emoji":
        return "emoji on many paragraphs"
    if name == "label_x_doc_labels":
        return "labels on many paragraphs"
    if name in (
        "cpc_rate",
        "cpc_count",
        "cpc_excess",
        "cpc_topic_share",
        "doc_cpc_rate",
    ):
        topic_i = int(feats.cpc_topic[i])
        topic = lexicon.COMMERCIAL[topic_i] if topic_i >= 0 else "commercial"
        n = round(float(np.expm1(feats.values[i, feature_index("cpc_count")])))
        ratio = float(feats.cpc_ratio[i])
        return f"{topic} tie-in: {n} high-CPC terms, {ratio:.0f}x article rate"
    if name in ("coherence", "coherence_gap", "cpc_excess_x_incoherent"):
        coh = float(feats.values[i, feature_index("coherence")])
        return f"off-topic (similarity {coh:.2f} to the rest)"
    if name == "mean_idf":
        return "generic wording"
    if name in (
        "filler_phrase",
        "filler_phrases",
        "furniture_rate",
        "phrase_x_sentence",
        "phrase_x_short",
    ):
        if hit == CALLOUT_LABEL:
            return f"callout label '{label_of(text)}'"
        return _PHRASE_WORDS[hit] if hit else "page-furniture words"
    if name in ("phrase_cover", "phrase_label"):
        if feats.values[i, feature_index("phrase_label")] > 0:
            return "the phrase labels what follows"
        return f"the line is mostly that phrase ({value:.0%})"
    if name in ("separators", "url"):
        return "navigation text"
    if name == "imperative_start":
        return "call to action"
    if name in ("repeats", "short_repeat"):
        value = float(feats.values[i, feature_index("repeats")])
        return f"repeated {round(float(np.expm1(value))) + 1}x in the article"
    if name in ("advice_rate", "you_rate", "exclaim"):
        return "advice to the reader"
    if name in ("position", "is_first", "is_last"):
        return "at the article's edge"
    if name in ("prev_short", "next_short", "prev_heading", "next_heading"):
        return "among short lines"
    if name in ("said_rate", "quotes"):
        return "no attribution or quotes"
    n_tok = int(feats.raw[i, R_TOKENS])
    if name in _LONG_FROM:
        long = value > float(np.log1p(_LONG_FROM[name]))
        return (
            f"long passage ({n_tok} words)" if long else f"short line ({n_tok} words)"
        )
    if name in ("heading_like", "short_fragment", "title_ratio", "caps_ratio"):
        return f"heading-like line ({n_tok} words)"
    if name == "terminal":
        return "no sentence punctuation" if value == 0 else "ends a sentence"
    return name.replace("_", " ")


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
    families, contrib = classifier.family_and_contributions(X)
    named = families.tolist()
    positive = np.maximum(contrib, 0.0)
    by_group = np.zeros((len(rows), len(_GROUPS)))
    for g in range(len(_GROUPS)):
        by_group[:, g] = positive[:, g == _GROUP_OF].sum(axis=1)
    heading = feats.values[rows, feature_index("heading_like")] > 0
    texts = feats.texts.gather(rows).to_list()
    hits = _pattern_hits(feats, rows)
    # Strongest contribution first, ties in feature order (stable), all rows
    # at once.
    order = np.argsort(-contrib, axis=1, kind="stable").tolist()
    out: list[tuple[str, str]] = []
    for k, i in enumerate(rows.tolist()):
        hit = hits[k]
        family = _family_name(named[k])
        if family is None and named[k] == PHRASE_EXPERT and hit in _PHRASE_FAMILY:
            # The shared phrase expert won: the phrase that matched names
            # the kind.
            family = _PHRASE_FAMILY[hit]
        if family is None:
            # A model without per-family scores: name the family by the
            # feature group that contributed most.
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
        text = " ".join(texts[k].split())
        parts: list[str] = []
        lead = _lead(family, i, feats, text, hit)
        if lead:
            parts.append(lead)
        for j in order[k]:
            if contrib[k, j] <= 0 or len(parts) >= n_features:
                break
            words = _describe(FEATURE_NAMES[j], i, feats, text, hit)
            if words not in parts:
                parts.append(words)
        out.append((family, f"{' + '.join(parts) or 'overall pattern'} ({family})"))
    return out
