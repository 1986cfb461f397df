"""Word-level diffs (dedup.report.diff)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dedup.report.diff import word_diff

WORDS = st.lists(st.sampled_from(["a", "b", "c", "dd", "e.", "<x>", "ü"]), max_size=40)


def side_words(diff, side: str) -> list[str]:
    return [
        w
        for h in diff.hunks
        for p in getattr(h, side)
        if p.kind != "cut"
        for w in p.text.split()
    ]


@given(WORDS, WORDS)
def test_full_context_diff_holds_both_texts(left, right):
    # With context and runs long enough, nothing is collapsed: each side of the
    # diff is exactly that text's words, in order.
    d = word_diff(" ".join(left), " ".join(right), context=1000, max_run=1000)
    if d.identical:
        assert left == right
        assert d.hunks == ()
        return
    assert side_words(d, "left") == left
    assert side_words(d, "right") == right
    assert d.words_left == len(left)
    assert d.words_right == len(right)


@given(WORDS, WORDS)
def test_changed_words_are_counted(left, right):
    d = word_diff(" ".join(left), " ".join(right), context=1000, max_run=1000)
    changed_left = sum(
        len(p.text.split()) for h in d.hunks for p in h.left if p.kind == "changed"
    )
    changed_right = sum(
        len(p.text.split()) for h in d.hunks for p in h.right if p.kind == "changed"
    )
    assert changed_left == d.changed_left
    assert changed_right == d.changed_right


def test_identical_words_give_no_hunks():
    d = word_diff("one two  three", "one\ntwo three")
    assert d.identical
    assert d.hunks == ()
    assert d.trailing == 3


def test_long_unchanged_stretches_are_collapsed():
    words = [f"w{i}" for i in range(100)]
    changed = list(words)
    changed[50] = "CHANGED"
    d = word_diff(" ".join(words), " ".join(changed), context=3)
    assert len(d.hunks) == 1
    hunk = d.hunks[0]
    assert hunk.skipped == 47
    assert [p.text for p in hunk.left] == ["w47 w48 w49 ", "w50", " w51 w52 w53"]
    assert [p.kind for p in hunk.right] == ["same", "changed", "same"]
    assert d.trailing == 46


def test_two_changes_far_apart_make_two_hunks():
    words = [f"w{i}" for i in range(60)]
    changed = list(words)
    changed[5], changed[50] = "X", "Y"
    d = word_diff(" ".join(words), " ".join(changed), context=2)
    assert [h.skipped for h in d.hunks] == [3, 40]
    assert d.trailing == 7


def test_long_changed_runs_are_cut():
    d = word_diff("a b c", "a b c " + " ".join(["new"] * 500), max_run=10)
    right = d.hunks[0].right
    assert [p.kind for p in right] == ["same", "changed", "cut"]
    assert right[1].text.split() == ["new"] * 10
    assert "490 more words" in right[2].text
    assert d.changed_right == 500


def test_hunks_beyond_the_limit_are_counted():
    words = [f"w{i}" for i in range(400)]
    changed = [w if i % 20 else "X" for i, w in enumerate(words)]
    d = word_diff(" ".join(words), " ".join(changed), context=2, max_hunks=5)
    assert len(d.hunks) == 5
    assert d.omitted_hunks == 15


def test_line_breaks_are_kept_between_words():
    d = word_diff("para one\n\npara two", "para one\n\npara 2")
    assert "".join(p.text for p in d.hunks[0].left) == "para one\n\npara two"


def test_empty_texts():
    assert word_diff("", "").identical
    d = word_diff("", "new words")
    assert d.changed_right == 2
    assert [p.kind for p in d.hunks[0].right] == ["changed"]
    assert d.size == len("new words")
