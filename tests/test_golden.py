"""Golden values: every hash the compiled core produces is an on-disk contract.

The literal numbers below were captured from the implementation of commit
daa0055 (before any performance work). A failure here means persisted
signatures, band keys or token hashes would change: that is never a
refactoring, it is a format break.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.arrow import string_buffers
from dedup.charclass import lower_table, table
from dedup.lsh import band_keys
from dedup.minhash import _update_py, permutations, signature_of_hashes, signatures
from dedup.normalize import prepare_column, tokens
from dedup.shingle import (
    KIND_CODES,
    doc_shingles,
    fast_shingles,
    item_table,
    python_token_hashes,
    shingle_sets,
    token_arrays,
    token_hashes,
    tokenize,
    tokens_of_buffers,
)

TEXTS = {
    "english": "The Fed\u2019s \u201cpatient\u201d stance \u2014 announced on Tuesday"
    " \u2014 surprised markets; the Dow rose 2.5% to 33,120 points, traders said"
    " in New York.",
    "cyrillic": "Президент України заявив у вівторок, що переговори тривають."
    " МИД России «отказался» комментировать заявление в среду вечером.",
    "chinese": "北京时间周二上午，中国人民银行宣布下调存款准备金率零点五个百分点。",
    # Ligatures, full-width letters, a circled digit, the angstrom sign, a
    # combining accent and a vulgar fraction: all go through the NFKC path.
    "nfkc": "The \ufb01nal \ufb02ight of Ｆｕｌｌ－Ｗｉｄｔｈ ① café Å ligature"
    " te\u0301st ½ ends here today at noon.",
}

# (first 8 signature values, n_items, n_shingles, whole_hash, xor and sum of all 128)
# fmt: off
GOLDEN = {
    ("english", "word"): (
        [45653526, 37783731, 370641191, 589375113, 363806759, 290559764, 2355612,
         194886491],
        24, 20, 18226167284915158974, 1852433341, 26485053349,
    ),
    ("english", "char"): (
        [4269268, 13787553, 75289568, 31988832, 9648829, 6219152, 30108977, 83157978],
        122, 118, 11760143136071206824, 134921165, 3576968087,
    ),
    ("cyrillic", "word"): (
        [1134970539, 361109609, 139467979, 223775110, 219430448, 359146727, 19043826,
         510311641],
        16, 12, 2747842927505026623, 1578840844, 43921184894,
    ),
    ("cyrillic", "char"): (
        [38444159, 8067513, 49787027, 11676724, 9314694, 106429758, 29486750, 49673329],
        120, 116, 13936280030006561695, 27669193, 4393015209,
    ),
    ("chinese", "word"): (
        [30064584, 318789641, 95497203, 12323316, 201426057, 45136333, 218284505,
         209744572],
        31, 27, 9829647614610646262, 649614903, 19341640633,
    ),
    ("chinese", "char"): (
        [180350118, 18276076, 24905324, 11295214, 140290639, 21170827, 10975188,
         49559712],
        32, 28, 12339738539018271633, 702822800, 16492261114,
    ),
    ("nfkc", "word"): (
        [135834259, 118076531, 182963610, 3794279, 61517434, 1125510491, 293429827,
         239093777],
        18, 14, 12683553878132530329, 1607976403, 37513043747,
    ),
    ("nfkc", "char"): (
        [93181240, 32649243, 21020755, 4109665, 20337445, 42259073, 11073775, 88274459],
        81, 77, 14581271204716011891, 370360359, 8227201619,
    ),
}
# fmt: on


@pytest.mark.parametrize(("name", "kind"), sorted(GOLDEN))
def test_signature_golden_values(name: str, kind: str) -> None:
    first8, n_items, n_shingles, whole, xor, total = GOLDEN[(name, kind)]
    sig = signatures(pl.Series([TEXTS[name]]), kind=kind, n=5, num_perm=128, seed=1)  # type: ignore[arg-type]
    values = sig.values[0]
    assert values.dtype == np.uint32 and values.shape == (128,)
    assert values[:8].tolist() == first8
    assert int(sig.n_items[0]) == n_items
    assert int(sig.n_shingles[0]) == n_shingles
    assert int(sig.whole_hash[0]) == whole
    assert int(np.bitwise_xor.reduce(values.astype(np.uint64))) == xor
    assert int(values.astype(np.uint64).sum()) == total


def test_signatures_of_a_batch_match_the_single_documents() -> None:
    texts = list(TEXTS.values())
    sig = signatures(pl.Series(texts))
    for i, name in enumerate(TEXTS):
        assert sig.values[i, :8].tolist() == GOLDEN[(name, "word")][0]


def test_token_hashes_golden() -> None:
    text = TEXTS["english"]
    hashes, figure = token_arrays(prepare_column(pl.Series([text]))).get(0)
    assert hashes[:8].tolist() == [
        14645693024798636849,
        12570234825971498345,
        14715570115600788714,
        11208861499923629343,
        8450243731935586252,
        4793748630196610053,
        769517984469709995,
        12659330827140152571,
    ]
    # "2.5%" and "33,120" give the figures 2, 5, 33 and 120.
    assert np.flatnonzero(figure).tolist() == [13, 14, 16, 17]
    assert len(hashes) == 24


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_compiled_tokenizer_agrees_with_python_reference(name: str) -> None:
    text = TEXTS[name]
    hashes, _ = token_arrays(prepare_column(pl.Series([text]))).get(0)
    assert hashes.tolist() == python_token_hashes(tokens(text))


def test_reference_tokens() -> None:
    assert tokens(TEXTS["nfkc"]) == [
        "the",
        "final",
        "flight",
        "of",
        "full",
        "width",
        "1",
        "café",
        "å",
        "ligature",
        "tést",
        "1",
        "2",
        "ends",
        "here",
        "today",
        "at",
        "noon",
    ]


def test_permutations_golden() -> None:
    a, b = permutations(4, seed=1)
    assert a.dtype == b.dtype == np.uint64
    assert a.tolist() == [
        10451216379200822465,
        17911839290282890591,
        8195237237126968761,
        16184226688143867045,
    ]
    assert b.tolist() == [
        13757245211066428519,
        8196980753821780235,
        14072917602864530048,
        9648886400068060533,
    ]


def test_signature_of_hashes_golden() -> None:
    hashes = np.array([1, 2, 3, 2**63 + 5], dtype=np.uint64)
    assert signature_of_hashes(hashes)[:8].tolist() == [
        1341504397,
        1534881629,
        410978954,
        666206293,
        341472620,
        41070788,
        1889591531,
        167356788,
    ]


def test_shingle_set_golden() -> None:
    sets = shingle_sets(prepare_column(pl.Series([TEXTS["english"]])), "word", 5)
    assert sets.counts.tolist() == [20]
    assert sets.get(0)[:4].tolist() == [
        217938198152291608,
        1153672279262448983,
        1426373780565183778,
        2837248476704284279,
    ]


def test_band_keys_golden() -> None:
    sig = signatures(pl.Series(list(TEXTS.values())))
    keys = band_keys(sig.values, 48, 2)
    assert keys.shape == (4, 48) and keys.dtype == np.uint64
    assert keys[:, :4].tolist() == [
        [
            17382048102980390422,
            16396017359654146863,
            3026228493294348583,
            2781776307260629922,
        ],
        [
            10955160152451385849,
            6189335618144663987,
            7051864625087541373,
            4885422907586696854,
        ],
        [
            15295311408189381476,
            14220720078880757635,
            5665058602805503860,
            47462686408193210,
        ],
        [
            9524402312967759170,
            4768095928290602660,
            5544489200422434738,
            12071945481584682100,
        ],
    ]
    assert keys[0, -2:].tolist() == [12287619618582394439, 14526370614094927131]
    assert band_keys(sig.values, 25, 5)[0, :3].tolist() == [
        1169056378307122337,
        9416583791147312228,
        7498332124636217804,
    ]


# --- digests over many documents -------------------------------------------------


def _digest(*arrays: npt.NDArray[np.generic]) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes())
    return h.hexdigest()[:32]


def lcg_texts(count: int, seed: int = 12345) -> list[str]:
    """Deterministic mixed-script texts (independent of ``random``'s algorithm)."""
    words = [
        "the ",
        "a ",
        "Ölçü ",
        "ΣΟΦΟΣ ",
        "İstanbul ",
        "straße ",
        "КИЇВ ",
        "x1 ",
        "42 ",
        "  ",
        "\n",
        "co\u00adop ",
        "ﬁ ",
        "'s ",
        "e\u0301 ",
        "Ｗｉｄｅ ",
        "“q” ",
        "—",
    ]
    ranges = [
        (0x20, 0x7F),
        (0xA0, 0x17F),
        (0x370, 0x3FF),
        (0x400, 0x4FF),
        (0x590, 0x6FF),
        (0x900, 0x97F),
        (0xE00, 0xE7F),
        (0x1100, 0x11FF),
        (0x2000, 0x206F),
        (0x2100, 0x24FF),
        (0x3000, 0x30FF),
        (0x4E00, 0x9FFF),
        (0xAC00, 0xD7A3),
        (0xFB00, 0xFB4F),
        (0xFE00, 0xFFEF),
        (0x1D400, 0x1D7FF),
        (0x1F300, 0x1FAFF),
        (0x20000, 0x2A6DF),
        (0xE0000, 0xE007F),
        (0x0, 0x20),
    ]
    state = seed

    def nxt() -> int:
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        return state >> 33

    out = []
    for _ in range(count):
        parts = []
        for _ in range(nxt() % 300):
            if nxt() % 2:
                parts.append(words[nxt() % len(words)])
            else:
                lo, hi = ranges[nxt() % len(ranges)]
                parts.append(chr(lo + nxt() % (hi - lo + 1)))
        out.append("".join(parts))
    return out


@pytest.mark.parametrize(
    ("kind", "expected", "n_shingles"),
    [
        ("word", "bf0b814be0fceabbb6f030bdbbbd1d17", 127929),
        ("char", "68f7ae54ef902d22dee0553a9ba0ddd0", 488201),
    ],
)
def test_mixed_script_corpus_digest(kind: str, expected: str, n_shingles: int) -> None:
    sig = signatures(pl.Series(lcg_texts(1500)), kind=kind)  # type: ignore[arg-type]
    assert int(sig.n_shingles.sum()) == n_shingles
    assert _digest(sig.values, sig.n_items, sig.n_shingles, sig.whole_hash) == expected


def test_mixed_script_tokens_match_reference() -> None:
    texts = lcg_texts(300, seed=99)
    arrays = token_arrays(prepare_column(pl.Series(texts)))
    for i, text in enumerate(texts):
        assert arrays.get(i)[0].tolist() == python_token_hashes(tokens(text)), i


SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
REUTERS = SHARED_DATA / "reuters21578" / "reuters21578.jsonl"


@pytest.mark.shared_data
@pytest.mark.skipif(not REUTERS.exists(), reason="../shared/data is absent")
def test_reuters_digest() -> None:
    with REUTERS.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    texts = [(r["title"] or "") + "\n\n" + r["body"] for r in rows if r.get("body")]
    assert len(texts) == 19779
    series = pl.Series(texts)
    word = signatures(series, kind="word")
    assert _digest(word.values, word.n_items, word.n_shingles, word.whole_hash) == (
        "30248bd761820064402f8759f0705eeb"
    )
    assert _digest(band_keys(word.values, 48, 2)) == "61218441fbb06ae3a80e73e4583faa16"
    char = signatures(series, kind="char")
    assert _digest(char.values, char.n_items, char.n_shingles, char.whole_hash) == (
        "943c32dfa001784c9980059340839682"
    )


# --- the fast path computes the definition -----------------------------------------
#
# The compiled core has a plain version of each step (``tokenize``,
# ``char_stream``, ``doc_shingles``, ``minhash._update``) and a fast one; the
# digests above pin the values, these tests tie the two together on any text.

any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
mixed_text = st.lists(
    st.sampled_from(
        [
            "the ",
            "Fed ",
            "2.5% ",
            "“q” ",
            "—",
            "ﬁ",
            "中文",
            "東京 ",
            "İ",
            "ς ",
            "\u00ad",
            "e\u0301",
            "Ｗ",
            "  ",
            "\n",
            "-",
            "x",
            "Ж",
            "😀",
            "\U00020000",
            "a",
        ]
    ),
    max_size=120,
).map("".join)


def _buffers(texts: list[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    return string_buffers(prepare_column(pl.Series(texts, dtype=pl.String)))


def _check_shingles_match(texts: list[str]) -> None:
    data, offsets = _buffers(texts)
    size = int(np.diff(offsets).max(initial=0)) + 2
    classes, lower, tab = table(), lower_table(), item_table()
    hashes = np.zeros(size, dtype=np.uint64)
    figure = np.zeros(size, dtype=np.bool_)
    wide = np.zeros(2 * size, dtype=np.uint64)
    items = np.zeros(size, dtype=np.uint32)
    for d, text in enumerate(texts):
        span = (int(offsets[d]), int(offsets[d + 1]))
        for kind in (0, 1):
            for n in (1, 2, 5):
                ref = np.zeros(size, dtype=np.uint64)
                fast = np.zeros(size, dtype=np.uint64)
                got_ref = doc_shingles(
                    data, *span, classes, lower, kind, n, hashes, figure, ref
                )
                got_fast = fast_shingles(
                    data, *span, classes, lower, tab, kind, n, wide, items, fast
                )
                assert got_ref == got_fast, (text, kind, n)
                k = got_ref[1]
                assert (ref[:k] == fast[:k]).all(), (text, kind, n)
        m = tokenize(data, *span, classes, lower, hashes, figure)
        assert token_hashes(data, *span, classes, lower, tab, wide, items) == m, text
        assert (hashes[:m] == wide[:m]).all(), text
        # The verification's token arrays (ASCII texts take a faster path)
        # carry the same hashes and figure flags, sized exactly or not.
        for counts in (None, [m]):
            one_offsets = offsets[d : d + 2] - offsets[d]
            arrays = tokens_of_buffers(data[span[0] : span[1]], one_offsets, counts)
            got_hashes, got_figure = arrays.get(0)
            assert got_hashes.tolist() == hashes[:m].tolist(), text
            assert got_figure.tolist() == figure[:m].tolist(), text


def test_fast_paths_flag_every_digit_as_a_figure() -> None:
    # Every ASCII digit, alone, inside a word and at a text's ends.
    _check_shingles_match(
        [f"{d} x{d}y {d}0 end {d}" for d in "0123456789"] + ["9", "a b", ""]
    )


@settings(deadline=None)
@given(st.lists(any_text, min_size=1, max_size=8))
def test_fast_shingles_equal_definition_on_any_text(texts: list[str]) -> None:
    _check_shingles_match(texts)


@settings(deadline=None)
@given(st.lists(mixed_text, min_size=1, max_size=8))
def test_fast_shingles_equal_definition_on_mixed_scripts(texts: list[str]) -> None:
    _check_shingles_match(texts)


def test_fast_shingles_equal_definition_on_edge_cases() -> None:
    # fmt: off
    _check_shingles_match(
        ["", " ", "a", "ab", "a b", "a b c d", "a b c d e", "!!!", "\u00ad\u200b",
         "中", "中文", "a中b", "x" * 3000, "a " * 1500, " a" * 1500, "中" * 999,
         "ΟΔΟΣ ΟΔΟΣ", "İİ", "\U0001F600x\U00020000y", "ｆｕｌｌ", "1,000.5%"]
    )
    # fmt: on


@pytest.mark.parametrize("num_perm", [1, 7, 16, 17, 64, 100, 128, 200])
def test_minhash_kernel_equals_definition(num_perm: int) -> None:
    rng = np.random.default_rng(num_perm)
    for size in (0, 1, 2, 3, 4, 5, 9, 700):
        hashes = rng.integers(0, 2**64 - 1, size=size, dtype=np.uint64, endpoint=True)
        for seed in (1, 2):
            a, b = permutations(num_perm, seed)
            ref = np.full(num_perm, 0xFFFFFFFF, dtype=np.uint64)
            _update_py(hashes, a, b, ref)
            fast = signature_of_hashes(hashes, num_perm=num_perm, seed=seed)
            assert fast.tolist() == ref.tolist(), (num_perm, size, seed)


@pytest.mark.parametrize("num_perm", [8, 100, 128])
@pytest.mark.parametrize("kind", ["word", "char"])
def test_signatures_equal_definition(num_perm: int, kind: str) -> None:
    texts = [*TEXTS.values(), *lcg_texts(40, seed=5), "", "short"]
    sig = signatures(pl.Series(texts), kind=kind, num_perm=num_perm, seed=3)  # type: ignore[arg-type]
    data, offsets = _buffers(texts)
    a, b = permutations(num_perm, 3)
    size = int(np.diff(offsets).max()) + 2
    hashes = np.zeros(size, dtype=np.uint64)
    figure = np.zeros(size, dtype=np.bool_)
    classes, lower = table(), lower_table()
    for d in range(len(texts)):
        out = np.zeros(size, dtype=np.uint64)
        span = (int(offsets[d]), int(offsets[d + 1]))
        m, k, whole = doc_shingles(
            data, *span, classes, lower, KIND_CODES[kind], 5, hashes, figure, out
        )
        acc = np.full(num_perm, 0xFFFFFFFF, dtype=np.uint64)
        _update_py(out[:k], a, b, acc)
        assert sig.values[d].tolist() == acc.tolist()
        assert int(sig.n_items[d]) == m
        assert int(sig.n_shingles[d]) == k
        assert int(sig.whole_hash[d]) == int(whole)
