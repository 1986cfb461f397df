import itertools
import random
import re
from collections import Counter

import numpy as np
import polars as pl
import pytest
from conftest import SEEDS, SHARED_DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from dedup.errors import ConfigError, SchemaError
from dedup.io import ReadOptions, open_source
from dedup.normalize import normalize, tokens
from dedup.passages import (
    COVERAGE_COLUMNS,
    STAT_COLUMNS,
    PassageConfig,
    PassagesResult,
    find_passages,
    find_passages_frame,
    passage_id,
    repetition_stats,
    strip_passages,
)
from dedup.passages.find import passage_ids
from dedup.passages.index import occurrences, unique_counts
from dedup.passages.strip import removal_plan, strip_text
from dedup.passages.tokens import batch_tokens, normalized_utf8, prepare_slow
from dedup.pipeline import FrameSource
from dedup.shingle import token_arrays

# Small filter: tests read little, and a smaller filter maps fewer pages.
SMALL = PassageConfig(filter_mb=4)


# ---------------------------------------------------------------- helpers


def texts_of(source) -> dict[str, str]:
    return {
        d: t
        for batch in source.batches()
        for d, t in zip(batch["doc_id"], batch["text"], strict=True)
    }


def occurrence_texts(result: PassagesResult, texts: dict[str, str], pid: str) -> list:
    occ = result.occurrences.filter(pl.col("passage_id") == pid)
    return [
        (d, texts[d][s:e]) for d, s, e in occ.select("doc_id", "start", "end").rows()
    ]


def passage(result: PassagesResult, containing: str, kind: str) -> dict:
    rows = result.passages.filter(
        pl.col("text").str.contains(containing, literal=True) & (pl.col("kind") == kind)
    )
    assert rows.height == 1, (containing, kind, result.passages)
    return rows.row(0, named=True)


def shares_a_span(a: str, b: str, n: int) -> bool:
    """Whether two texts share n consecutive normalised words."""
    ta, tb = tokens(a), tokens(b)
    grams = {tuple(ta[i : i + n]) for i in range(len(ta) - n + 1)}
    return any(tuple(tb[i : i + n]) in grams for i in range(len(tb) - n + 1))


def check_occurrences(result: PassagesResult, texts: dict[str, str]) -> None:
    """Offsets are in range and each occurrence shares a span with its passage."""
    n = result.config.min_words
    text_of = dict(
        zip(result.passages["passage_id"], result.passages["text"], strict=True)
    )
    kinds = dict(
        zip(result.passages["passage_id"], result.passages["kind"], strict=True)
    )
    for pid, doc, s, e in result.occurrences.rows():
        text = texts[doc]
        assert 0 <= s < e <= len(text)
        got = text[s:e]
        assert got == got.strip()
        if normalize(got) == normalize(text_of[pid]):
            continue
        assert kinds[pid] != "boilerplate"
        assert shares_a_span(got, text_of[pid], n), (got, text_of[pid])


def rebuild(cleaned: str, account: list[tuple[int, int, str]]) -> str:
    """The original text: the cleaned text with the removed spans put back."""
    out, pos = [], 0
    for start, _end, removed in sorted(account):
        keep = start - sum(len(r) for s, _, r in account if s < start)
        out.append(cleaned[pos:keep])
        out.append(removed)
        pos = keep
    out.append(cleaned[pos:])
    return "".join(out)


# ---------------------------------------------------------------- the seeds


@pytest.fixture(scope="module")
def seeds() -> tuple[dict[str, str], PassagesResult]:
    source = open_source(str(SEEDS))
    return texts_of(source), find_passages(source, SMALL)


def test_seeds_000_and_001_share_the_quoted_passage(seeds) -> None:
    texts, result = seeds
    row = passage(result, "I go home, I tell the first lady", "shared")
    assert row["n_docs"] == 2
    occ = occurrence_texts(result, texts, row["passage_id"])
    assert sorted(d[:3] for d, _ in occ) == ["000", "001"]
    for _, got in occ:
        assert "I spoke to Vladimir today. We had a wonderful conversation" in got


def test_seed_002_repeats_its_own_paragraphs(seeds) -> None:
    texts, result = seeds
    first = passage(
        result, "US First Lady Melania Trump has written", "internal_repeat"
    )
    glued = passage(
        result, "plight of children affected by the ongoing war", "internal_repeat"
    )
    for row in (first, glued):
        occ = occurrence_texts(result, texts, row["passage_id"])
        assert [d[:3] for d, _ in occ] == ["002", "002"]
        assert row["n_occurrences"] == 2
    # The second copy of the third paragraph is truncated and glued onto other
    # text: the passage starts mid-sentence, where the copy does.
    occ = result.occurrences.filter(pl.col("passage_id") == glued["passage_id"])
    doc = occ["doc_id"][0]
    second = occ["start"].max()
    assert texts[doc][:second].endswith("Check important ")
    assert "restored in Ukraine" in glued["text"]


def test_seed_004_repeats_teasers_and_headline(seeds) -> None:
    texts, result = seeds
    teaser = passage(result, "Also read", "boilerplate")
    assert teaser["text"] == "Also read"
    assert teaser["n_occurrences"] == 4
    assert teaser["n_docs"] == 1
    headline = passage(
        result, "Melania Trump reveals private letter from Putin", "internal_repeat"
    )
    occ = occurrence_texts(result, texts, headline["passage_id"])
    full = [t for _, t in occ if t.endswith("He will talk to me directly”")]
    assert len(full) == 2
    # The truncated copy in the breadcrumb line is an occurrence too.
    assert any(t.endswith("He will talk...") for _, t in occ)


def test_seed_findings_are_all_there_is(seeds) -> None:
    _, result = seeds
    assert result.stats.passages == {
        "boilerplate": 1,
        "internal_repeat": 3,
        "shared": 1,
    }
    assert result.stats.documents == 5


def test_seed_occurrences_slice_the_original_text(seeds) -> None:
    texts, result = seeds
    check_occurrences(result, texts)


def test_seed_strip_removes_repeats_and_accounts_for_every_character(seeds) -> None:
    texts, result = seeds
    cleaned, removed = strip_passages(open_source(str(SEEDS)), result)
    assert set(removed["kind"]) == {"internal_repeat", "boilerplate"}
    for doc, clean in cleaned.select("doc_id", "text").rows():
        mine = removed.filter(pl.col("doc_id") == doc)
        account = list(mine.select("start", "end", "text").rows())
        for s, e, t in account:
            assert texts[doc][s:e] == t
        assert rebuild(clean, account) == texts[doc]
        assert len(texts[doc]) - len(clean) == sum(len(t) for *_, t in account)
    c002 = cleaned.filter(pl.col("doc_id").str.starts_with("002"))["text"].item()
    assert c002.count("US First Lady Melania Trump") == 1
    assert c002.count("plight of children") == 1
    c004 = cleaned.filter(pl.col("doc_id").str.starts_with("004"))["text"].item()
    assert "Also read" not in c004
    assert c004.count("He will talk to me directly”") == 1
    # Shared passages stay unless asked for.
    c000 = cleaned.filter(pl.col("doc_id").str.starts_with("000"))["text"].item()
    assert c000 == next(t for d, t in texts.items() if d.startswith("000"))


def test_strip_shared_keeps_the_first_copy_only(seeds) -> None:
    _, result = seeds
    _, removed = strip_passages(open_source(str(SEEDS)), result, kinds=("shared",))
    assert removed["kind"].to_list() == ["shared"]
    assert removed["doc_id"].item().startswith("001")


# ---------------------------------------------------------------- kinds


def _words(rng: random.Random, n: int) -> str:
    return " ".join(
        f"{rng.choice('bcdfghjklmnpqrstvwz')}{rng.randrange(10**6)}" for _ in range(n)
    )


@pytest.fixture(scope="module")
def kinds_corpus() -> tuple[pl.DataFrame, PassagesResult]:
    rng = random.Random(5)
    footer = "Follow us on social media for more"
    quote = "we will not negotiate until every last child is returned to their family"
    rows = []
    for i in range(8):
        site = "a.example" if i < 6 else "b.example"
        body = f"{_words(rng, 40)}.\n\n{_words(rng, 30)}."
        if i in (1, 6):
            body += f'\n\nShe said: "{quote.capitalize()}."'
        if i == 2:
            para = _words(rng, 25) + "."
            body = f"{para}\n\n{body}\n\n{para}"
        if i == 3:
            # Hard-wrapped text: "said." ends many wires but is no line of its own.
            body += f"\n{_words(rng, 6)} the spokesman\nsaid."
            body += f"\n{_words(rng, 5)} the minister\nsaid."
        if i == 4:
            body += f"\n{_words(rng, 7)} the chairman\nsaid."
        text = f"{body}\n\n{footer}" if site == "a.example" else body
        rows.append((f"d{i}", text, site))
    frame = pl.DataFrame(rows, schema=["doc_id", "text", "site"], orient="row")
    return frame, find_passages_frame(
        frame, PassageConfig(boilerplate_min_docs=3, filter_mb=4)
    )


def test_each_kind_is_found(kinds_corpus) -> None:
    frame, result = kinds_corpus
    kinds = dict(zip(result.passages["text"], result.passages["kind"], strict=True))
    assert kinds["Follow us on social media for more"] == "boilerplate"
    shared = passage(result, "will not negotiate", "shared")
    assert shared["n_docs"] == 2
    internal = result.passages.filter(pl.col("kind") == "internal_repeat")
    assert internal.height == 1 and internal["n_occurrences"].item() == 2
    check_occurrences(result, dict(frame.select("doc_id", "text").rows()))


def test_boilerplate_counts_documents_per_site(kinds_corpus) -> None:
    _, result = kinds_corpus
    row = passage(result, "Follow us", "boilerplate")
    assert (row["n_docs"], row["n_occurrences"]) == (6, 6)


def test_wrapped_sentence_fragments_are_not_boilerplate(kinds_corpus) -> None:
    _, result = kinds_corpus
    assert "said." not in result.passages["text"].to_list()


def test_boilerplate_by_frequency_without_site() -> None:
    rng = random.Random(2)
    frame = pl.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(12)],
            "text": [f"{_words(rng, 30)}.\nReuter" for _ in range(11)]
            + [_words(rng, 30)],
        }
    )
    config = PassageConfig(
        boilerplate_min_docs=5, boilerplate_min_fraction=0.5, filter_mb=4
    )
    row = passage(find_passages_frame(frame, config), "Reuter", "boilerplate")
    assert row["n_docs"] == 11
    rare = PassageConfig(
        boilerplate_min_docs=5, boilerplate_min_fraction=0.95, filter_mb=4
    )
    assert find_passages_frame(frame, rare).passages.height == 0


def test_site_is_taken_from_the_url_host() -> None:
    rng = random.Random(4)
    hosts = ["https://www.a.example/x", "http://a.example/y?z"] * 3 + [
        "https://b.example/"
    ]
    frame = pl.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(7)],
            "text": [f"{_words(rng, 20)}\nRead more at A" for _ in range(6)]
            + [f"{_words(rng, 20)}\nRead more at A"],
            "url": hosts,
        }
    )
    config = PassageConfig(boilerplate_min_docs=6, filter_mb=4)
    row = passage(find_passages_frame(frame, config), "Read more at A", "boilerplate")
    # Six documents of a.example carry the line; b.example's one copy is not
    # boilerplate of its site.
    assert row["n_docs"] == 6


def test_shorter_spans_than_min_words_are_not_passages() -> None:
    rng = random.Random(9)
    span = "one two three four five six seven eight nine"  # 9 words
    frame = pl.DataFrame(
        {
            "doc_id": ["a", "b"],
            "text": [f"{_words(rng, 20)} {span} {_words(rng, 20)}" for _ in "ab"],
        }
    )
    assert find_passages_frame(frame, SMALL).passages.height == 0
    found = find_passages_frame(frame, PassageConfig(min_words=9, filter_mb=4))
    assert found.passages["text"].to_list() == [span]


# ---------------------------------------------------------------- properties


# Letters whose upper case maps back (not "ß", whose upper case is "SS").
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÉé", min_size=1, max_size=7)
PUNCT = st.sampled_from([" ", " ", " ", ", ", ". ", "\n", "\n\n", " “", "” ", " - "])


def _render(words: list[str], seps: list[str]) -> str:
    return "".join(w + seps[i % len(seps)] for i, w in enumerate(words))


@settings(max_examples=20)
@given(
    st.lists(WORD, min_size=12, max_size=30, unique=True),
    st.lists(WORD, min_size=0, max_size=30),
    st.lists(WORD, min_size=0, max_size=30),
    st.lists(PUNCT, min_size=80, max_size=80),
    st.booleans(),
)
def test_planted_repeats_are_found_at_their_offsets(
    planted, left, right, seps, upper
) -> None:
    filler = [f"x{i}" for i in range(60)]
    copy = [w.upper() if upper else w for w in planted]
    a = _render(left + planted + filler[:10] + planted, seps)
    b = _render(filler[10:30] + copy + right, seps[::-1])
    frame = pl.DataFrame({"doc_id": ["a", "b"], "text": [a, b]})
    result = find_passages_frame(frame, SMALL)
    texts = {"a": a, "b": b}
    check_occurrences(result, texts)
    target = normalize(" ".join(planted))
    found = [
        (d, normalize(texts[d][s:e]))
        for _, d, s, e in result.occurrences.rows()
        if target in normalize(texts[d][s:e])
    ]
    assert {d for d, _ in found} == {"a", "b"}
    assert sum(d == "a" for d, _ in found) == 2


@settings(max_examples=40)
@given(st.text(max_size=300))
def test_tokens_match_the_shared_tokenizer_and_slice_the_text(text) -> None:
    toks = batch_tokens(pl.Series([text]))
    ref = token_arrays(pl.Series([normalize(text)]))
    assert toks.hashes.tolist() == ref.get(0)[0].tolist()
    words = tokens(text)
    assert len(words) == len(toks.start)
    for s, e, p, q, w in zip(
        toks.start, toks.end, toks.pre, toks.post, words, strict=True
    ):
        assert p <= s < e <= q <= len(text)
        assert normalize(text[s:e]) == w or w in normalize(text[s:e]).split()


@settings(max_examples=40)
@given(st.lists(st.text(max_size=80), max_size=5))
def test_compiled_normalisation_and_ids_match_the_reference(texts) -> None:
    assert [b.decode() for b in normalized_utf8(pl.Series(texts, dtype=pl.String))] == [
        normalize(t) for t in texts
    ]
    assert passage_ids(texts) == [passage_id(t) for t in texts]


def test_nfkc_clusters_map_back_to_the_original() -> None:
    text = "The ﬁnal café ＦＵＬＬ score"
    prepared = prepare_slow(text)
    assert prepared is not None
    toks = batch_tokens(pl.Series([text]))
    assert [text[s:e] for s, e in zip(toks.start, toks.end, strict=True)] == [
        "The", "ﬁnal", "café", "ＦＵＬＬ", "score",
    ]  # fmt: skip


def test_text_that_nfkc_shortens_is_found_with_original_offsets() -> None:
    # A ligature is three bytes, "fi" two: pass two must not take the
    # normalised text's length for a change of input.
    quote = "the ﬁne quick brown fox jumps over the lazy dog again and again"
    texts = {"a": f"Intro. {quote}. End.", "b": f"Other ＦＵＬＬ start: {quote}."}
    result = find_passages_frame(
        pl.DataFrame({"doc_id": list(texts), "text": list(texts.values())}), SMALL
    )
    got = sorted(
        (d, texts[d][s:e])
        for d, s, e in result.occurrences.select("doc_id", "start", "end").rows()
    )
    assert got == [("a", f"{quote}."), ("b", f"{quote}.")]


def test_passage_id_is_a_golden_value() -> None:
    assert passage_id("Also read") == "29755e11b366433d"


def test_counting_helpers() -> None:
    values = np.array([5, 1, 5, 9, 5], dtype=np.uint64)
    assert occurrences(values).tolist() == [3, 1, 3, 1, 3]
    u, c = unique_counts(np.zeros(0, dtype=np.uint64))
    assert len(u) == len(c) == 0


# ---------------------------------------------------------------- statistics


def _gopher_reference(text: str) -> list[float]:
    """datatrove's GopherRepetitionFilter sums on normalised ASCII words."""
    n_chars = len(text)

    def dups(units: list[tuple[tuple[str, ...], int]]) -> tuple[float, float]:
        seen, d, c = set(), 0, 0
        for key, chars in units:
            if key in seen:
                d, c = d + 1, c + chars
            else:
                seen.add(key)
        return (d / len(units) if units else 0.0), min(1.0, c / n_chars)

    lines, paras, block = [], [], []
    for line in [*text.split("\n"), ""]:
        if line.strip():
            block.append(line.strip())
            if tokens(line):
                lines.append((tuple(tokens(line)), len(line.strip())))
        elif block:
            key = tuple(tokens(" ".join(block)))
            if key:
                paras.append((key, len("\n".join(block))))
            block = []
    words = re.findall(r"[A-Za-z0-9]+", text)
    low = [w.lower() for w in words]
    out = [*dups(lines), *dups(paras)]
    for n in (2, 3, 4):
        grams = [tuple(low[i : i + n]) for i in range(len(low) - n + 1)]
        if not grams:
            out.append(0.0)
            continue
        top, count = Counter(grams).most_common(1)[0]
        first = grams.index(top)
        length = sum(len(w) for w in words[first : first + n]) + n - 1
        out.append(min(1.0, count * length / n_chars))
    for n in range(5, 11):
        seen, rep, i = set(), 0, 0
        while i < len(low) - n + 1:
            g = tuple(low[i : i + n])
            if g in seen:
                rep += sum(len(w) for w in words[i : i + n])
                i += n
            else:
                seen.add(g)
                i += 1
        out.append(min(1.0, rep / n_chars) if n_chars else 0.0)
    return out


LINE = st.lists(
    st.sampled_from(["ab", "cd", "Ef", "gh", "ij", "kl"]), min_size=0, max_size=12
)


@settings(max_examples=40)
@given(st.lists(LINE.map(" ".join), min_size=1, max_size=12), st.booleans())
def test_statistics_match_the_gopher_reference(lines, blank) -> None:
    text = ("\n\n" if blank else "\n").join(lines)
    if not text.strip():
        return
    got = repetition_stats(pl.Series([text])).row(0)
    ref = _gopher_reference(text)
    assert list(got) == pytest.approx(ref, abs=1e-12), list(
        zip(STAT_COLUMNS, got, ref, strict=True)
    )


def test_all_duplicate_lines() -> None:
    stats = repetition_stats(pl.Series(["Also read\n" * 4, "a\nb\nc", ""])).to_dicts()
    # As in Gopher, the first copy is no duplicate: n identical lines -> (n-1)/n.
    assert stats[0]["dup_line_frac"] == 0.75
    assert stats[0]["dup_line_char_frac"] == pytest.approx(27 / 40)
    assert stats[1]["dup_line_frac"] == 0.0
    assert all(v == 0.0 for v in stats[2].values())
    assert all(0.0 <= v <= 1.0 for row in stats for v in row.values())


def test_doc_stats_cover_every_document(seeds) -> None:
    _, result = seeds
    stats = result.doc_stats
    assert stats.columns == ["doc_id", *STAT_COLUMNS, *COVERAGE_COLUMNS]
    assert stats.height == 5
    row = stats.filter(pl.col("doc_id").str.starts_with("002")).row(0, named=True)
    assert row["repeat_char_frac"] > 0.4
    assert row["dup_line_frac"] > 0.3
    row = stats.filter(pl.col("doc_id").str.starts_with("004")).row(0, named=True)
    assert row["boilerplate_char_frac"] > 0


# ---------------------------------------------------------------- strip


@settings(max_examples=40)
@given(
    st.text(alphabet="ab \n.", max_size=60),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=4),
)
def test_strip_text_accounts_for_every_removed_character(text, cuts) -> None:
    spans = [
        (s, min(len(text), s + n), "p", "boilerplate")
        for s, n in cuts
        if s < len(text) and text[s : s + n].strip()
    ]
    clean, account = strip_text(text, spans)
    for _, _, s, e, removed in account:
        assert text[s:e] == removed
    assert rebuild(clean, [(s, e, r) for *_, s, e, r in account]) == text
    starts = [s for _, _, s, _, _ in account]
    assert starts == sorted(starts)
    assert all(a[3] <= b[2] for a, b in itertools.pairwise(account))


def test_removal_plan_keeps_the_longest_copy() -> None:
    passages = pl.DataFrame({"passage_id": ["p"], "kind": ["internal_repeat"]})
    occ = pl.DataFrame(
        {
            "passage_id": ["p"] * 3,
            "doc_id": ["d"] * 3,
            "start": [0, 10, 30],
            "end": [5, 25, 40],
        }
    )
    assert removal_plan(passages, occ).select("start", "end").rows() == [
        (0, 5),
        (30, 40),
    ]


def test_bad_strip_kinds_are_named() -> None:
    with pytest.raises(ConfigError, match="kinds must be one or more of"):
        removal_plan(pl.DataFrame(), pl.DataFrame(), kinds=("quotes",))


# ---------------------------------------------------------------- contract


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"min_words": 2}, "min_words must be 3..256; got 2"),
        ({"min_words": 1000}, "min_words"),
        ({"boilerplate_min_docs": 1}, "boilerplate_min_docs must be 2..1000000; got 1"),
        (
            {"boilerplate_min_fraction": 1.5},
            r"boilerplate_min_fraction must be in \[0, 1\]",
        ),
        ({"filter_mb": 0}, "filter_mb must be 1..65536; got 0"),
        ({"keep_text_mb": -1}, "keep_text_mb must be >= 0"),
        ({"index_mb": -1}, "index_mb must be >= 0"),
    ],
)
def test_config_errors_name_parameter_range_and_value(kwargs, name) -> None:
    with pytest.raises(ConfigError, match=name):
        PassageConfig(**kwargs)


def test_config_derives_the_winnowing_window() -> None:
    for n in (3, 4, 5, 8, 10, 13, 256):
        config = PassageConfig(min_words=n)
        assert config.window >= 1 and config.kgram >= 3
        # Winnowing's guarantee: a span of w + k - 1 words keeps a fingerprint.
        assert config.window + config.kgram - 1 == n
    assert (PassageConfig().kgram, PassageConfig().window) == (7, 4)


def test_frame_without_text_is_a_schema_error() -> None:
    with pytest.raises(SchemaError, match="text"):
        find_passages_frame(pl.DataFrame({"doc_id": ["a"]}))


def test_bad_records_are_quarantined_not_lost() -> None:
    frame = pl.DataFrame(
        {"doc_id": ["a", "b", "a", None], "text": ["x y", " ", "z", "w"]}
    )
    result = find_passages_frame(frame, SMALL)
    assert result.doc_stats["doc_id"].to_list() == ["a"]
    assert len(result.quarantine) == 3
    assert result.stats.read == 4


# Glued punctuation, quotes, a soft hyphen (ignored inside a word), CJK (a
# token per character), a ligature (NFKC) and accents.
RICH = st.lists(
    st.sampled_from(
        [*"ab cé.,“”'\n-", "\u00ad", "世", "界", "ﬁ", "e\u0301", "  ", "word "]
    ),
    max_size=80,
).map("".join)


@settings(max_examples=60)
@given(RICH, st.integers(0, 40), st.integers(0, 3))
def test_a_scan_resumed_after_a_token_gives_the_same_tokens(text, after, limit) -> None:
    from dedup.charclass import lower_table, table
    from dedup.passages.tokens import (
        N_LINE_FIELDS,
        N_TOK_FIELDS,
        T_END,
        T_RESUME,
        lower_start_table,
        prepare_batch,
        scan_tokens,
    )

    prep = prepare_batch(pl.Series([text]))
    if prep.map_off[-1]:
        return  # a text mapped back from NFKC is always scanned from its start
    cap = int(prep.token_capacity().max())

    def scan(start: int, ci0: int, limit: int) -> tuple[np.ndarray, np.ndarray]:
        toks = np.zeros((cap, N_TOK_FIELDS), dtype=np.int64)
        hashes = np.zeros(cap, dtype=np.uint64)
        lines = np.zeros((cap, N_LINE_FIELDS), dtype=np.int64)
        n, _ = scan_tokens(
            prep.data, start, int(prep.offsets[1]), ci0, limit, table(),
            lower_table(), lower_start_table(), prep.map0, prep.map1, toks, hashes,
            lines,
        )  # fmt: skip
        return toks[:n], hashes[:n]

    toks, hashes = scan(0, 0, -1)
    if after >= len(toks):
        return
    got_toks, got_hashes = scan(
        int(toks[after, T_RESUME]), int(toks[after, T_END]), limit
    )
    want = slice(after + 1, after + 1 + limit)
    assert got_toks.tolist() == toks[want].tolist()
    assert got_hashes.tolist() == hashes[want].tolist()


@settings(max_examples=15)
@given(
    st.lists(st.tuples(st.integers(0, 40), RICH, RICH), min_size=2, max_size=5),
    st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=5), min_size=14),
)
def test_windows_around_candidates_give_the_whole_scan_result(docs, planted) -> None:
    # Pass two tokenises only around candidates when pass one's fingerprints
    # are cached (the default), the whole text without the cache: same result.
    quote = " ".join(planted)
    texts = [
        " ".join(f"w{j}" for j in range(skip)) + f" {left} {quote}{right}"
        for skip, left, right in docs
    ]
    frame = pl.DataFrame({"doc_id": [str(i) for i in range(len(texts))], "text": texts})
    windowed = find_passages_frame(frame, SMALL)
    whole = find_passages_frame(frame, PassageConfig(filter_mb=4, cache_mb=0))
    for name in ("passages", "occurrences", "doc_stats"):
        assert_frame_equal(getattr(windowed, name), getattr(whole, name))
    assert windowed.stats.ngrams_indexed == whole.stats.ngrams_indexed


def test_empty_input() -> None:
    result = find_passages_frame(
        pl.DataFrame(
            {"doc_id": [], "text": []}, schema={"doc_id": pl.String, "text": pl.String}
        ),
        SMALL,
    )
    assert (
        result.passages.height
        == result.occurrences.height
        == result.doc_stats.height
        == 0
    )


def test_same_input_twice_gives_identical_frames(seeds, kinds_corpus) -> None:
    import numba

    _, result = seeds
    again = find_passages(open_source(str(SEEDS), ReadOptions(batch_size=2)), SMALL)
    for name in ("passages", "occurrences", "doc_stats"):
        assert_frame_equal(getattr(again, name), getattr(result, name))
    frame, result = kinds_corpus
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = find_passages(FrameSource(frame, batch_size=3), result.config)
    finally:
        numba.set_num_threads(before)
    for name in ("passages", "occurrences", "doc_stats"):
        assert_frame_equal(getattr(single, name), getattr(result, name))


def test_without_the_fingerprint_cache_the_result_is_the_same(kinds_corpus) -> None:
    frame, result = kinds_corpus
    config = PassageConfig(boilerplate_min_docs=3, filter_mb=4, cache_mb=0)
    again = find_passages_frame(frame, config)
    for name in ("passages", "occurrences", "doc_stats"):
        assert_frame_equal(getattr(again, name), getattr(result, name))


def test_a_filter_grown_midway_gives_the_same_result(kinds_corpus, monkeypatch) -> None:
    # The first-pass filter starts small and grows once the input fills it,
    # refilled from the fingerprint cache: only false positives may change.
    import dedup.passages.find as find_module
    from dedup.passages.winnow import SeenFilter

    grown_after: list[int] = []

    class Tiny(SeenFilter):
        def __init__(self, max_bytes: int) -> None:
            super().__init__(max_bytes, first_bytes=256)

        def grow(self, seen_before) -> None:
            grown_after.append(self.n_items)
            super().grow(seen_before)

    monkeypatch.setattr(find_module, "SeenFilter", Tiny)
    frame, result = kinds_corpus
    again = find_passages(FrameSource(frame, batch_size=3), result.config)
    assert len(grown_after) == 1 and grown_after[0] > 0
    for name in ("passages", "occurrences", "doc_stats"):
        assert_frame_equal(getattr(again, name), getattr(result, name))


def test_a_spilled_index_gives_the_same_result(kinds_corpus, seeds) -> None:
    frame, result = kinds_corpus
    config = PassageConfig(boilerplate_min_docs=3, filter_mb=4, index_mb=0)
    again = find_passages_frame(frame, config)
    for name in ("passages", "occurrences", "doc_stats"):
        assert_frame_equal(getattr(again, name), getattr(result, name))
    _, result = seeds
    again = find_passages(
        open_source(str(SEEDS)), PassageConfig(filter_mb=4, index_mb=0)
    )
    for name in ("passages", "occurrences", "doc_stats"):
        assert_frame_equal(getattr(again, name), getattr(result, name))


@settings(max_examples=20)
@given(st.lists(st.lists(st.integers(0, 30), max_size=40), max_size=8))
def test_ngram_store_spilled_or_not_counts_and_replays_alike(parts) -> None:
    from dedup.passages.ngrams import Ngrams, NgramStore

    def fill(budget: int) -> NgramStore:
        store = NgramStore(budget)
        for i, part in enumerate(parts):
            # Spread the hashes over the partitions (top bits).
            h = np.array(part, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
            z = np.full(len(part), i, dtype=np.uint32)
            store.add(Ngrams(h, z, z, z, z))
        return store

    memory, disk = fill(1 << 30), fill(0)
    assert not memory.spilled
    assert disk.spilled == any(parts)
    try:
        for a, b in zip(memory.repeated(), disk.repeated(), strict=True):
            assert a.tolist() == b.tolist()
        got = Ngrams.concat(list(disk.parts()))
        want = Ngrams.concat(list(memory.parts()))
        assert got.hash.tolist() == want.hash.tolist()
        assert got.row.tolist() == want.row.tolist()
        assert len(memory) == len(disk) == sum(map(len, parts))
    finally:
        memory.close()
        disk.close()


def test_reread_path_gives_the_same_result(seeds) -> None:
    _, result = seeds
    config = PassageConfig(filter_mb=4, keep_text_mb=0)
    again = find_passages(open_source(str(SEEDS)), config)
    assert again.stats.reread
    assert_frame_equal(again.passages, result.passages)
    assert_frame_equal(again.occurrences, result.occurrences)


@pytest.mark.shared_data
@pytest.mark.slow
def test_reuters_sign_off_is_boilerplate() -> None:
    path = SHARED_DATA / "reuters21578" / "reuters21578.jsonl"
    if not path.exists():
        pytest.skip("shared data not available")
    source = open_source(str(path), ReadOptions(id_field="newid", text_field="body"))
    result = find_passages(source)
    row = passage(result, "Reuter", "boilerplate")
    assert row["text"] == "Reuter" and row["n_docs"] > 18_000
    assert result.stats.passages["shared"] > 1_000


def _prepare_slow_by_segment(text: str) -> tuple[str, list[int], list[int]] | None:
    """prepare_slow as first written: maps segment by segment, every char looked up."""
    from dedup.charclass import SLOW, table
    from dedup.normalize import _fold
    from dedup.passages.tokens import _joins

    slow = [i for i, ch in enumerate(text) if table()[ord(ch)] & SLOW]
    if not slow:
        return None
    pieces: list[str] = []
    map0: list[int] = []
    map1: list[int] = []
    done = 0
    for pos in slow:
        if pos < done:
            continue
        a = pos
        while a > done and _joins(text[a]):
            a -= 1
        b = pos + 1
        while b < len(text) and _joins(text[b]):
            b += 1
        pieces.append(text[done:a])
        map0 += range(done, a)
        map1 += range(done + 1, a + 1)
        folded = _fold(text[a:b])
        pieces.append(folded)
        map0 += [a] * len(folded)
        map1 += [b] * len(folded)
        done = b
    pieces.append(text[done:])
    map0 += range(done, len(text))
    map1 += range(done + 1, len(text) + 1)
    return "".join(pieces), map0, map1


_NFKC_ALPHABET = (
    "ab Z.\n\ufe0f\u2764\ufb01\uff21\u0301é\u03a3ς\u1161\u00a0…™😀\u200dİß①"
)


@settings(max_examples=300)
@given(st.text(alphabet=_NFKC_ALPHABET, max_size=40))
def test_prepare_slow_maps_equal_the_segment_by_segment_ones(text: str) -> None:
    # The maps are built from segment bounds in one go, and only non-ASCII
    # characters are looked up: the same text and maps as segment by segment.
    got = prepare_slow(text)
    want = _prepare_slow_by_segment(text)
    if want is None:
        assert got is None
        return
    assert got is not None
    assert got[0] == want[0]
    assert got[1].dtype == got[2].dtype == np.int64
    assert got[1].tolist() == want[1] and got[2].tolist() == want[2]
