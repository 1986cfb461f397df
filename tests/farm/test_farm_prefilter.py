"""The literal prefilter never drops a paragraph its pattern would match."""

from __future__ import annotations

import random
import re

import numpy as np
import polars as pl
import pytest
from farm_helpers import seed_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.arrow import string_buffers
from dedup.farm import generate, lexicon
from dedup.farm.features import _PATTERNS
from dedup.farm.paragraphs import segment
from dedup.farm.prefilter import _WHITE_SPACE, Prefilter, required_literals

PREFILTER = Prefilter.build(dict(lexicon.PATTERNS))
HOST = generate.Host(
    [
        "The city council approved the new budget on Tuesday after a long debate.",
        "Opponents said the spending plan relied on optimistic tax forecasts.",
        "The budget takes effect in July, officials said.",
    ],
    "Council approves budget",
)
TRICKY = [
    "",
    "   ",
    "ALSO READ: the rest",
    # A line start that skips symbols skips the underscore and an emoji's
    # variation selector (a mark) too.
    "_Also read: the rest",
    "\u27a1\ufe0f Keep reading",
    "__Most read",
    "Ads by Google",
    "© 2024 Example Media",
    "Visit https://example.com",
    "as  an\u00a0AI, I cannot",
    "as\u2003an\n\tai",
    "sign\u3000up",
    "  \u201cSponsored\u201d content",
    "12\u00a0comments",
    "Read \u017fomething: mo\u017ft popular",  # LONG S folds onto "s"
    "\u212aeep reading",  # KELVIN SIGN folds onto "k"
    "Home | World | Sport",
    "LONDON, March 3 (Reuters) - Shares rose.",
    "Editor's note: this story was updated.",
    "🧩 Reality Check: talks take time.",
]

SALAD = [
    *("read", "more", "also", "ads", "by", "as", "an", "ai", "www", ".com"),
    *("Share", "|", "»", "©", "sign", "up", "-", ":", "!", "note", "é", "🧩"),
    *("\u017f", "\u212a", "LONDON", "(Reuters)", " ", "  ", "\n", "\u00a0"),
    *("home", "Sponsored", "«", "“", "\u2028", "\t", "here", "is", "the"),
]


def _missed(texts: list[str]) -> dict[str, int]:
    """Paragraphs a pattern matches but the prefilter does not pass, per pattern."""
    series = pl.Series(texts, dtype=pl.String)
    data, off = string_buffers(series)
    cand = PREFILTER.candidates(data, off[:-1].copy(), off[1:].copy())
    missed = {}
    for k, (name, pattern) in enumerate(_PATTERNS.items()):
        hit = series.str.contains(pattern).to_numpy()
        passed = (cand & np.uint32(1 << k)) > 0
        missed[name] = int((hit & ~passed).sum())
    return missed


def _floating(pattern: str) -> frozenset[str] | None:
    need = required_literals(pattern)
    return None if need is None else need.floating


def test_required_literals_of_simple_patterns() -> None:
    assert _floating(r"(?i)\bclick\s+(?:here|below)\b") == {"click here", "click below"}
    assert _floating(r"(?i)ads?\s+by") == {"ad by", "ads by"}
    assert _floating(r"(?i)\b(?:a|b)x?\b") == {"a", "b"}
    # An optional or open-ended part requires nothing.
    assert required_literals(r"(?i)(?:foo)?\w+") is None
    assert _floating(r"\p{Lu}+:") == {":"}
    # White space runs read as one space.
    assert _floating(r"(?i)\bsign\s*\s+up") == {"sign up"}


def test_anchored_alternatives_need_their_words_at_the_start() -> None:
    need = required_literals(r"(?i)^\W*(?:home|homepage|menu)\b|\bcookie")
    assert need is not None
    assert need.anchored == {"home", "menu"}
    assert need.floating == {"cookie"}
    # An anchored literal not starting with a word character stays floating.
    need = required_literals(r"^\W*©\s*\d+")
    assert need is not None and need.floating == {"©"} and not need.anchored
    pf = Prefilter.build({"nav": r"(?i)^\W*(?:home|menu)\b"})
    texts = ["» Home | News", "Back home", "“Menu”", "x\u00a0menu", ""]
    series = pl.Series([*texts, "“Back home", "📌\ufe0f — Home", "émenu"])
    data, off = string_buffers(series)
    assert pf.candidates(data, off[:-1].copy(), off[1:].copy()).tolist() == [
        1,
        0,
        1,
        0,
        0,
        0,  # quote marks, dashes and emoji before the first word are skipped
        1,
        1,  # as is a letter outside ASCII: only a candidate more, never fewer
    ]


def test_tricky_strings_and_seeds_are_never_dropped() -> None:
    paragraphs = segment(seed_frame()["text"]).texts().to_list()
    assert _missed(TRICKY + paragraphs) == dict.fromkeys(_PATTERNS, 0)


def test_generated_filler_is_never_dropped() -> None:
    rng = random.Random(11)
    texts = [
        make(rng, HOST) for make in generate.GENERATORS.values() for _ in range(60)
    ]
    assert _missed(texts) == dict.fromkeys(_PATTERNS, 0)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(SALAD),
        max_size=12,
    )
)
def test_random_word_salads_are_never_dropped(words: list[str]) -> None:
    text = " ".join(words)
    assert _missed([text, text.upper(), text.replace(" ", "")]) == dict.fromkeys(
        _PATTERNS, 0
    )


def test_too_many_patterns_are_refused() -> None:
    with pytest.raises(ValueError, match="at most 32"):
        Prefilter.build({f"p{i}": "x" for i in range(33)})


_SPACES = [" ", "  ", "\t", "\n\n", " \u00a0 ", "\u2003", "\u3000\n", "\r\n"]


def _collapsed(text: str) -> str:
    """*text* as the automaton reads it: runs of white space one space, ASCII lower."""
    out: list[str] = []
    for ch in text:
        if ch in _WHITE_SPACE:
            if not out or out[-1] != " ":
                out.append(" ")
        else:
            out.append(ch.lower() if ch.isascii() else ch)
    return "".join(out)


# With a literal that starts with a space the root moves on a space; without
# one a space from the root leads to the root's self-looping copy.
_LITERAL_SETS = [
    {"p0": "as an ai", "p1": " x", "p2": "read ", "p3": "  more.", "p4": "ai"},
    {"p0": "as an ai", "p1": "read ", "p2": "ai", "p3": "x.", "p4": "more more"},
]


@pytest.mark.parametrize("literals", _LITERAL_SETS)
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["as", "an", "ai", "x", "read", "more", ".", "é", "\u200b", *_SPACES]
        ),
        max_size=14,
    )
)
def test_floating_literals_across_runs_of_white_space(
    literals: dict[str, str], words: list[str]
) -> None:
    # The DFA stays put on a second space instead of the kernel testing for
    # one: the masks must be those of looking for each literal in the text
    # with its white space runs collapsed, including literals that start or
    # end with a space and texts that start or end with white space.
    pf = Prefilter.build({k: _spaced(v) for k, v in literals.items()})
    text = "".join(words)
    series = pl.Series([text], dtype=pl.String)
    data, off = string_buffers(series)
    got = int(pf.candidates(data, off[:-1].copy(), off[1:].copy())[0])
    read = _collapsed(text)
    want = 0
    for bit, lit in enumerate(literals.values()):
        if _collapsed(lit) in read:
            want |= 1 << bit
    assert got == want, (text, read)


def _spaced(literal: str) -> str:
    """A pattern matching *literal* with each space a run of white space."""
    return "".join(r"\s+" if ch == " " else re.escape(ch) for ch in literal)


@settings(max_examples=60)
@given(
    st.lists(st.lists(st.sampled_from(SALAD), max_size=30), max_size=9),
    st.integers(0, 12),
)
def test_paragraphs_walked_four_at_a_time_get_their_own_masks(
    salads: list[list[str]], cut: int
) -> None:
    # The kernel advances four paragraphs' automata in one loop, a lane that
    # finishes taking the next paragraph (batches of fewer than four,
    # unequal lengths, empty ones): each mask must be the one the paragraph
    # gets when it is the only one.
    texts = ([" ".join(words) for words in salads] + TRICKY)[:cut] + [
        " ".join(words) for words in salads
    ]
    data, off = string_buffers(pl.Series(texts, dtype=pl.String))
    together = PREFILTER.candidates(data, off[:-1].copy(), off[1:].copy())
    alone = [
        int(
            PREFILTER.candidates(
                data, off[p : p + 1].copy(), off[p + 1 : p + 2].copy()
            )[0]
        )
        for p in range(len(texts))
    ]
    assert together.tolist() == alone


def test_conjunctions_need_a_literal_from_each_set() -> None:
    # "AI word ... verb": one literal of each, not any literal of either.
    need = required_literals(r"(?i)\b(?:bots?|gpt)\b.{0,80}\b(?:used|wrote)\b|\bx y\b")
    assert need is not None and need.floating == {"x y"}
    sets = [sorted(c) for c in need.conjunctions[0]]
    assert sets == [["used", "wrote"], ["bot", "gpt"]]
    # A set with a literal as short as "ai" is in most texts: left out.
    need = required_literals(r"(?i)\bai\b.{0,80}\bused\b")
    assert need is not None and need.floating == {"used"} and not need.conjunctions
    # A repetition of a class grows the literals on either side of it.
    need = required_literals(r"(?i)\b(?:more|top)[\s-]+(?:read|news)\b")
    assert need is not None
    assert [sorted(c) for c in need.conjunctions[0]] == [
        [" news", " read", "-news", "-read"],
        ["more ", "more-", "top ", "top-"],
    ]
    # A prefix the parser factors out of every alternative goes back on each.
    need = required_literals(r"\babc.*cde|\befg")
    assert need is not None and need.floating == {"efg"}
    assert need.conjunctions == ((frozenset({"abc"}), frozenset({"cde"})),)
    # An optional run of white space requires no space.
    assert required_literals(r"(?:x|y)\s*(?:a|b)\s*\d") is not None
    pf = Prefilter.build({"p": r"(?i)\b(?:bots?|gpt)\b.{0,80}\b(?:used|wrote)\b"})
    series = pl.Series(["GPT wrote it", "a bot", "it was used", "\u017f", "said"])
    data, off = string_buffers(series)
    # (LONG S: a candidate for every pattern, and so for every set.)
    assert pf.candidates(data, off[:-1].copy(), off[1:].copy()).tolist() == [
        1,
        0,
        0,
        1,
        0,
    ]


def _lexicon_words() -> list[str]:
    """Every word the phrase patterns and word lists spell out."""
    words = set(re.findall(r"[a-z]+(?:'[a-z]+)?", " ".join(lexicon.PATTERNS.values())))
    for name in lexicon.CATEGORY_NAMES:
        words |= lexicon.words_of(name)
    return sorted(words - {"s", "d", "w", "p", "lu", "ll", "l", "n"})


_WORDS = _lexicon_words()
_PUNCT = [*":|»>>›→-–—.,!?'’\"“()[]@/&#©…", "a.i.", "gpt-4", "http://", ".com"]
_ODD = ["é", "ß", "İ", "\u017f", "\u212a", "🧩", "\u200b", "Ω", "ﬁ", "ǅ"]
_SEPARATORS = [" ", "  ", "", "-", "\u00a0", "\n", "\t", "\u2003", " - ", ", "]


@st.composite
def _adversarial(draw: st.DrawFn) -> str:
    """A paragraph of lexicon words, punctuation and odd characters, mixed case."""
    parts = draw(
        st.lists(
            st.one_of(
                st.sampled_from(_WORDS),
                st.sampled_from(_PUNCT),
                st.sampled_from(_ODD),
            ),
            max_size=16,
        )
    )
    out = ""
    for part in parts:
        case = draw(st.sampled_from([str.lower, str.upper, str.title, str.swapcase]))
        out += draw(st.sampled_from(_SEPARATORS)) + case(part)
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(_adversarial(), min_size=1, max_size=8))
def test_adversarial_lexicon_paragraphs_are_never_dropped(texts: list[str]) -> None:
    assert _missed(texts) == dict.fromkeys(_PATTERNS, 0)


# Strings the patterns match (Python's reading of them; polars decides what
# matches), inside random text: every alternative, every optional part. A line
# start that skips symbols, ``[^\p{L}\p{N}]*``, is drawn as ``\W*`` (what
# Python's \W matches is neither a letter nor a digit).
def _python(pattern: str) -> str:
    return pattern.replace(r"[^\p{L}\p{N}]", r"\W")


_PYTHON_READABLE = [n for n, p in lexicon.PATTERNS.items() if r"\p{" not in _python(p)]


@pytest.mark.parametrize("name", _PYTHON_READABLE)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_strings_the_patterns_match_are_never_dropped(
    name: str, data: st.DataObject
) -> None:
    text = data.draw(st.from_regex(_python(lexicon.PATTERNS[name])))
    texts = [text, text.upper(), text.lower(), text.swapcase()]
    missed = _missed(texts)
    # (Python's \s also takes U+001C-U+001F, the regex crate's does not: not
    # every string drawn is a match; those are checked like any other.)
    assert missed == dict.fromkeys(_PATTERNS, 0), (text, missed)
