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
