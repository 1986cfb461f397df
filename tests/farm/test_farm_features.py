from __future__ import annotations

from typing import Any

import numpy as np

from dedup.farm.features import _within_docs


def test_within_docs_equals_sorting_the_batch_by_article() -> None:
    # The per-article kernel against the batch-wide lexsort it replaced.
    rng = np.random.default_rng(3)
    counts = np.array([0, 1, 2, 5, 8, 0, 13])
    doc_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    n = int(doc_start[-1])
    doc = np.repeat(np.arange(len(counts)), counts)
    coh = rng.choice([-1.0, 0.0, 0.25, 0.5, 0.9], size=n)
    hashes = rng.integers(0, 4, size=n).astype(np.uint64) * np.uint64(2**61)

    order = np.lexsort((coh, doc))
    want_med = np.zeros(len(counts))
    has = counts > 0
    want_med[has] = coh[order[(doc_start[:-1] + counts // 2)[has]]]
    key = np.lexsort((hashes, doc))
    new = np.ones(n, dtype=bool)
    new[1:] = (doc[key][1:] != doc[key][:-1]) | (hashes[key][1:] != hashes[key][:-1])
    group = np.cumsum(new) - 1
    want_reps = np.empty(n)
    want_reps[key] = np.bincount(group)[group] - 1

    med, reps = _within_docs(doc_start, coh, hashes)
    assert np.array_equal(med, want_med)
    assert np.array_equal(reps, want_reps)


def _feature(texts: list[str], name: str) -> list[float]:
    import polars as pl

    from dedup.farm.features import FEATURE_NAMES, extract
    from dedup.farm.model import load_bundled

    batch = extract(pl.Series(texts), load_bundled().resources)
    return batch.values[:, FEATURE_NAMES.index(name)].tolist()  # type: ignore[no-any-return]


def test_a_label_that_is_all_phrase_counts_as_full_cover() -> None:
    # "Also read » <headline>": the label is all phrase, the headline it names
    # is no evidence either way, so the line counts as covered.
    text = (
        "The council voted on the budget on Tuesday.\n\n"
        "Also read » Bank issues new notes to cover the deficit\n\n"
        "Officials also read the report closely before the vote."
    )
    cover = _feature([text], "phrase_cover")
    label = _feature([text], "phrase_label")
    assert label == [0.0, 1.0, 0.0]
    assert cover[1] == 1.0
    assert cover[2] < 0.5


def test_a_line_that_is_only_a_copyright_notice_is_all_phrase() -> None:
    # The notice runs to its end (holder and year): the line is furniture
    # through and through, as much as "Others are reading now" is.
    text = (
        "The council voted on the budget on Tuesday.\n\n"
        "\u00a9 2023 The Daily Ledger\n\n"
        "All content \u00a9 The Daily Ledger 2012"
    )
    assert _feature([text], "phrase_cover") == [0.0, 1.0, 1.0]


def test_a_long_line_with_a_phrase_is_a_sentence_without_its_final_stop() -> None:
    # Footers are often left without a period; more than 14 words is longer
    # than a heading, so the phrase sits in a sentence either way.
    text = (
        "The council voted on the budget on Tuesday.\n\n"
        "This article is made and published by Jane Doe, which may have used AI "
        "in the preparation\n\n"
        "Written with AI tools\n\n"
        "This article was written with AI tools."
    )
    assert _feature([text], "phrase_x_sentence") == [0.0, 1.0, 0.0, 1.0]


def test_an_editors_note_that_discloses_ai_use_is_not_protected() -> None:
    text = (
        "Editor's note: This story was updated to correct the name of the mayor.\n\n"
        "Disclosure: This story was produced with AI-powered tools.\n\n"
        "The mayor said the vote would go ahead."
    )
    assert _feature([text], "editor_note") == [1.0, 0.0, 0.0]


# Code points the scan treats differently: ASCII words, digits and spaces (the
# run loop), punctuation and white space (the general path, lead and sentence
# ends), non-ASCII letters with and without case, a script without spaces,
# emoji and their modifiers, an ignored soft hyphen, final sigma.
_SCAN_ALPHABET = list("abcdeXYZ019   ") * 4 + list(
    ".,:?!-\n\t\"'()|/éÉЖжß中文📈\ufe0f\u00ad’”«ﬁςΣ"
)


def _reference_scan(text: str) -> dict[str, Any]:
    """Tokens and counts of one paragraph, the slow way, code point by code point.

    What :func:`dedup.farm.features._scan_paragraph` computes of them: each
    token's hash (:func:`dedup.shingle.python_token_hashes` of its lower-case
    characters), the characters it spans, whether it starts with a capital,
    holds a letter or a digit; letters, capitals and code points.
    """
    from dedup.charclass import CLASS_MASK, DIGIT, IGNORE, SEP, SOLO, lower_table, table
    from dedup.shingle import python_token_hashes

    classes, lower = table(), lower_table()
    modifiers = {0xFE0E, 0xFE0F, 0x200D, 0x20E3}
    tokens: list[tuple[str, int, int, bool, bool, bool]] = []
    cur: list[str] = []
    first = 0
    cap = alpha = digit = False
    letters = upper = 0

    def close(end: int) -> None:
        if cur:
            tokens.append(("".join(cur), first, end, cap, alpha, digit))
            cur.clear()

    for pos, ch in enumerate(text):
        cp = ord(ch)
        if cp in modifiers or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:
            continue
        low = int(lower[cp])
        kind = int(classes[low])
        if kind & CLASS_MASK == IGNORE:
            continue
        if kind & CLASS_MASK in (SEP, SOLO):
            close(pos)
            if kind & CLASS_MASK == SOLO:
                tokens.append((chr(low), pos, pos + 1, False, True, False))
            continue
        if not cur:
            first, cap, alpha, digit = pos, low != cp, False, False
        if kind & DIGIT:
            digit = True
        else:
            alpha = True
            letters += 1
            upper += low != cp
        cur.append(chr(low))
    close(len(text))
    return {
        "hashes": python_token_hashes([t[0] for t in tokens]),
        "spans": [(t[1], t[2]) for t in tokens],
        "tokens": len(tokens),
        "cap_tokens": sum(t[3] for t in tokens),
        "alpha_tokens": sum(t[4] for t in tokens),
        "digit_tokens": sum(t[5] for t in tokens),
        "letters": letters,
        "upper": upper,
        "chars": len(text),
    }


def test_scan_paragraph_tokens_and_counts_equal_a_plain_reference() -> None:
    # The scan's two passes (a branch-free run loop over ASCII words and
    # spaces, the general code for the rest, then the tokens in order)
    # against the plain definition, on random ASCII and non-ASCII text.
    from dedup.charclass import lower_table, table
    from dedup.farm import features as f
    from dedup.farm.model import load_bundled
    from dedup.passages.tokens import T_END, T_START

    res = load_bundled().resources
    rng = np.random.default_rng(7)
    for trial in range(400):
        size = int(rng.integers(0, 80))
        text = "".join(rng.choice(_SCAN_ALPHABET, size=size)).strip()
        if trial % 5 == 0:  # plain ASCII, the run loop from end to end
            text = "".join(rng.choice(list("Ab9 x  yZ"), size=size)).strip()
        data = np.frombuffer(("  " + text + " ").encode(), dtype=np.uint8)
        start, end = 2, 2 + len(text.encode())
        cap = len(data) + 1
        row = np.zeros(f.N_RAW)
        tok_buf = np.zeros(cap, dtype=np.int64)
        tok_hash = np.zeros(cap, dtype=np.uint64)
        tok_pos = np.zeros((cap, 2), dtype=np.int64)
        n, _ = f._scan_paragraph(
            data, start, end, table(), lower_table(), res.word_keys,
            res.word_bits, row, tok_buf, tok_hash, tok_pos, 0,
        )  # fmt: skip
        want = _reference_scan(text)
        assert tok_hash[:n].tolist() == want["hashes"], text
        # The tokens' bytes, as character offsets.
        char_at = {len(text[:k].encode()) + start: k for k in range(len(text) + 1)}
        spans = [(char_at[a], char_at[b]) for a, b in tok_pos[:n, [T_START, T_END]]]
        assert spans == want["spans"], text
        buckets = tok_hash[:n] & np.uint64(f.IDF_BUCKETS - 1)
        assert np.array_equal(tok_buf[:n], buckets.astype(np.int64))
        for raw, key in [
            (f.R_TOKENS, "tokens"),
            (f.R_CHARS, "chars"),
            (f.R_LETTERS, "letters"),
            (f.R_UPPER_LETTERS, "upper"),
            (f.R_CAP_TOKENS, "cap_tokens"),
            (f.R_ALPHA_TOKENS, "alpha_tokens"),
            (f.R_DIGIT_TOKENS, "digit_tokens"),
        ]:
            assert row[raw] == want[key], (text, key)


def test_intern_article_numbers_buckets_in_order_of_first_occurrence() -> None:
    # The branch-free kernel against a dict, on articles with few and with
    # many repeated buckets; the table is left empty for the next article.
    from dedup.farm import features as f

    rng = np.random.default_rng(5)
    idf = rng.random(f.IDF_BUCKETS).astype(np.float32)
    n_max = 600
    keys = np.full(f._vocab_size(n_max), -1, dtype=np.int64)
    ids = np.empty(len(keys), dtype=np.int64)
    vidf = np.empty(n_max + 1, dtype=np.float32)
    vslot = np.empty(n_max + 1, dtype=np.int64)
    for vocab in (1, 5, 50, 400, f.IDF_BUCKETS):
        n = int(rng.integers(0, n_max))
        buckets = rng.integers(0, vocab, size=n).astype(np.int64)
        want: dict[int, int] = {}
        for b in buckets.tolist():
            want.setdefault(b, len(want))
        tok = buckets.copy()
        f._intern_article(tok, n, idf, keys, ids, vidf, vslot)
        assert tok.tolist() == [want[b] for b in buckets.tolist()]
        assert np.array_equal(vidf[: len(want)], idf[list(want)])
        assert np.all(keys == -1)
