import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from dedup.normalize import normalize, prepare_column, tokens
from dedup.shingle import python_token_hashes, token_arrays

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


@given(texts)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(texts)
def test_compiled_tokens_match_reference(text: str) -> None:
    arrays = token_arrays(prepare_column(pl.Series([text])))
    hashes, _ = arrays.get(0)
    assert hashes.tolist() == python_token_hashes(tokens(text))


def test_examples() -> None:
    assert normalize("Hello,   WORLD!") == "hello world"
    assert tokens("“Quoted” — text…") == ["quoted", "text"]
    assert tokens("ﬁnance ＡＢＣ") == ["finance", "abc"]  # NFKC
    assert tokens("co\u00adoperate") == ["cooperate"]  # soft hyphen dropped


def test_cyrillic_keeps_words() -> None:
    assert tokens("Україна: Зеленський ЗАЯВИВ") == ["україна", "зеленський", "заявив"]
    assert tokens("Путин сказал «нет»") == ["путин", "сказал", "нет"]


def test_greek_final_sigma_folds() -> None:
    assert tokens("ΟΔΟΣ οδος") == ["οδοσ", "οδοσ"]


def test_chinese_gives_one_token_per_character() -> None:
    assert tokens("美国总统访问北京。") == [
        "美",
        "国",
        "总",
        "统",
        "访",
        "问",
        "北",
        "京",
    ]


def test_emoji_are_separators() -> None:
    assert tokens("Did You Know?📜history") == ["did", "you", "know", "history"]
