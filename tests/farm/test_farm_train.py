"""The training script's guarantees that its reported figures rest on.

Built on generated farm articles over small synthetic hosts, so they run
without the shared data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from dedup.farm import generate, train
from dedup.farm.data import NEGATIVE, POSITIVE
from dedup.farm.model import load_bundled

CITIES = ("Lyon", "Porto", "Turin", "Ghent", "Graz", "Split", "Malmo", "Brno")
TOPICS = ("budget", "bridge", "school plan", "tram line")


def _hosts() -> list[tuple[str, generate.Host, float]]:
    hosts = []
    for i, city in enumerate(CITIES):
        for j, topic in enumerate(TOPICS):
            paragraphs = [
                f"The {city} council approved the {topic} on Tuesday after a "
                "long debate.",
                f"Members voted {5 + j} to {i % 3}, and the mayor said the {topic} "
                "would add jobs and repair roads in the north of the city.",
                f"Opponents said the {topic} relied on optimistic tax forecasts.",
                f"The {topic} takes effect in July, officials in {city} said.",
            ]
            hosts.append(
                (f"{city}-{j}", generate.Host(paragraphs, f"{city} {topic} vote"), 0.0)
            )
    return hosts


@pytest.fixture(scope="module")
def rows() -> train.Rows:
    articles = train.farm_articles(_hosts(), 240, seed=5)
    return train.featurise(articles, load_bundled().resources)


def test_weights_balance_kinds_and_count_hard_negatives_more(rows: train.Rows) -> None:
    mask = ~rows.test
    w = train.weights(rows, mask)
    assert np.all(w[~mask] == 0)
    pos = mask & (rows.y == POSITIVE)
    kind = np.asarray(
        ["tie_in" if f.startswith("tie_in_") else f for f in rows.family.tolist()]
    )
    totals = [w[pos & (kind == k)].sum() for k in sorted(set(kind[pos].tolist()))]
    # Every kind of filler weighs the same, the five tie-in topics as one.
    assert np.allclose(totals, totals[0])
    neg = mask & (rows.y == NEGATIVE)
    hard = neg & np.char.startswith(rows.family.astype(str), "~")
    plain = neg & ~hard
    assert hard.any() and plain.any()
    assert np.allclose(w[hard] / w[plain][0], train.HARD_WEIGHT)


def test_leave_one_family_out_never_trains_on_the_family(
    rows: train.Rows, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[np.ndarray[Any, np.dtype[np.bool_]]] = []
    real_fit = train.fit

    def recording_fit(
        r: train.Rows, mask: np.ndarray[Any, np.dtype[np.bool_]], C: float, cv: int
    ) -> Any:
        seen.append(mask.copy())
        return real_fit(r, mask, C, cv)

    monkeypatch.setattr(train, "fit", recording_fit)
    results = train.leave_one_family_out(rows, C=0.5)
    families = train.all_families(rows)
    assert list(results) == families
    assert len(seen) == len(families)
    for fam, mask in zip(families, seen, strict=True):
        # No held-out row, and no row of any article that has the family
        # (its content paragraphs would carry the article's context).
        assert not (mask & rows.test).any(), fam
        has = np.asarray([fam in f for f in rows.article_families])
        assert not mask[has[rows.article]].any(), fam
        assert mask.any(), fam
        score = results[fam]["score"]
        assert score.tp + score.fn == int(
            (rows.test & (rows.y == POSITIVE) & (rows.family == fam)).sum()
        )


def test_phrase_bearing_positives_train_the_shared_expert(rows: train.Rows) -> None:
    clf = train.fit(rows, ~rows.test, C=0.5, cv=3)
    assert "phrase" in clf.families_
    # Tie-in topics share one expert; no family expert is left without rows.
    assert "tie_in" in clf.families_
    assert not any(f.startswith("tie_in_") for f in clf.families_)


def test_rows_of_two_lists_add_up_to_the_rows_of_both() -> None:
    resources = load_bundled().resources
    first = train.farm_articles(_hosts(), 30, seed=1)
    second = train.farm_articles(_hosts(), 20, seed=2)
    both = train.featurise(first + second, resources)
    added = train.featurise(first, resources) + train.featurise(second, resources)
    assert np.array_equal(added.X, both.X)
    assert np.array_equal(added.article, both.article)
    assert added.article_families == both.article_families
    assert added.text == both.text
    assert np.array_equal(added.family, both.family)
    assert np.array_equal(added.test, both.test)
    assert np.array_equal(added.y, both.y)
    assert np.array_equal(added.source, both.source)
    assert np.array_equal(added.known_label, both.known_label)


def test_other_generator_seeds_draw_new_filler_on_the_same_real_rows() -> None:
    resources = load_bundled().resources
    # Stand-ins for the real rows (the shared data may be absent): another
    # seed's farm articles, the same for every seed below.
    real = train.featurise(train.farm_articles(_hosts(), 60, seed=3), resources)
    spread = train.lofo_across_seeds(real, _hosts(), 120, [7, 8], resources, C=0.5)
    assert list(spread) == [7, 8]
    for seed, scores in spread.items():
        rows = real + train.featurise(
            train.farm_articles(_hosts(), 120, seed), resources
        )
        assert list(scores) == train.generated_families(rows)
        for fam, score in scores.items():
            # Each family is scored on the held-out paragraphs of its seed.
            held_out = rows.test & (rows.y == POSITIVE) & (rows.family == fam)
            assert score.tp + score.fn == int(held_out.sum()), (seed, fam)
    assert spread[7] != spread[8]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sales of existing homes fell 3.2 percent in March, the group said.", True),
        ('"We are seeing a rotation out of rate-sensitive sectors," she said.', True),
        ("Did the council approve the budget after a long debate on Tuesday?", True),
        ("Total Comments (1531)", False),
        ("Comment author avatarGovHater", False),
        # A long line without a sentence end is a heading or a link line.
        ("Inside North Korea's Gulag and the camps the world forgot about", False),
        ("It was done.", False),
        ("", False),
    ],
)
def test_prose_is_a_sentence_of_some_length(text: str, expected: bool) -> None:
    assert train.is_prose([text]).tolist() == [expected]
