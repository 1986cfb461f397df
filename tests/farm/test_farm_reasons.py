from __future__ import annotations

import numpy as np
import pytest
from farm_helpers import seed_frame

from dedup.farm import reasons
from dedup.farm.features import FEATURE_NAMES, FeatureBatch, extract
from dedup.farm.model import FillerClassifier, load_bundled


def _seed_features() -> tuple[FeatureBatch, FillerClassifier]:
    model = load_bundled()
    return extract(seed_frame()["text"], model.resources), model.classifier


def test_every_feature_has_words() -> None:
    feats, _ = _seed_features()
    p = reasons._Paragraph(
        feats.values[0], "💡 Pro Tip:  keep\n receipts", "teaser", 4.0, 0, 3.0
    )
    for j, name in enumerate(FEATURE_NAMES):
        words = reasons._DESCRIBE[j](p, j)
        assert words and isinstance(words, str), name
    assert p.text == "💡 Pro Tip: keep receipts"
    assert p.label == "Pro Tip:"


@pytest.mark.parametrize("n_features", [1, 2, 5])
def test_reasons_do_not_depend_on_how_much_of_the_ranking_is_listed(
    monkeypatch: pytest.MonkeyPatch, n_features: int
) -> None:
    # Rows whose first ranked features repeat each other's words read on in
    # their whole ranking; listing one ranked feature up front (every row
    # runs out) must give the reasons that listing all of them gives.
    feats, clf = _seed_features()
    rows = np.arange(feats.values.shape[0])
    want = reasons.explain(feats, clf, rows, n_features=n_features)
    monkeypatch.setattr(reasons, "_RANKED", 1)
    assert reasons.explain(feats, clf, rows, n_features=n_features) == want
    monkeypatch.setattr(reasons, "_RANKED", len(FEATURE_NAMES))
    assert reasons.explain(feats, clf, rows, n_features=n_features) == want


@pytest.mark.parametrize("width", [1, 3, 8, 70])
def test_top_positive_is_the_head_of_a_stable_sort(width: int) -> None:
    # Ties (a few distinct values), zeros of both signs and negatives.
    rng = np.random.default_rng(width)
    contrib = rng.choice([-1.0, -0.0, 0.0, 0.25, 0.5, 2.0], size=(300, 59))
    contrib[:, 5] = rng.normal(size=300)
    top, positives = reasons._top_positive(contrib, width)
    for i in range(len(contrib)):
        order = np.argsort(-contrib[i], kind="stable")
        n = int((contrib[i] > 0).sum())
        assert positives[i] == n
        want = order[: min(n, width)].tolist()
        assert top[i].tolist() == want + [-1] * (min(width, 59) - len(want))
