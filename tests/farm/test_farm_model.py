from __future__ import annotations

import builtins
import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from dedup.errors import ConfigError
from dedup.farm import model as model_mod
from dedup.farm.features import FEATURE_NAMES
from dedup.farm.model import PARAMS_DIR, FillerClassifier, load, load_bundled


@parametrize_with_checks([FillerClassifier(cv=3, random_state=0)])
def test_sklearn_estimator_contract(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)


def _toy(n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, 4))
    fam = np.where(X[:, 0] > 0.8, "a", np.where(X[:, 1] > 0.8, "b", ""))
    y = (fam != "").astype(int)
    return X, y, fam


def test_per_family_scores_and_json_round_trip() -> None:
    X, y, fam = _toy()
    clf = FillerClassifier(cv=3, random_state=0).fit(X, y, family=fam)
    assert clf.families_.tolist() == ["a", "b", "(any)"]
    assert clf.coef_.shape == (4, 4)
    assert set(clf.predict_family(X[y == 1])) <= {"a", "b"}
    params = json.loads(json.dumps(clf.to_params()))
    clone = FillerClassifier.from_params(params)
    np.testing.assert_allclose(clone.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_allclose(
        clone.contributions(X).sum(axis=1)[:5], clf.contributions(X).sum(axis=1)[:5]
    )


def test_from_params_refuses_other_formats() -> None:
    with pytest.raises(ValueError, match=r"not dedup\.farm\.FillerClassifier"):
        FillerClassifier.from_params({"format": "pickle"})


def test_bundled_parameters_load_without_pickle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the shipped model must not be unpickled")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    real_import = builtins.__import__

    def no_joblib(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("joblib"):
            raise AssertionError("the shipped model must not need joblib")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_joblib)
    model = load(PARAMS_DIR)
    assert model.feature_names == FEATURE_NAMES
    assert 0.5 <= model.threshold < 1
    assert {p.name for p in PARAMS_DIR.iterdir() if p.is_file()} >= {
        "model.json",
        "idf.npz",
    }
    assert not any(
        p.suffix in (".pkl", ".pickle", ".joblib") for p in PARAMS_DIR.iterdir()
    )


def test_model_trained_on_other_features_is_refused(tmp_path: Path) -> None:
    shutil.copy(PARAMS_DIR / "idf.npz", tmp_path / "idf.npz")
    doc = json.loads((PARAMS_DIR / "model.json").read_text())
    doc["feature_names"] = doc["feature_names"][:-1]
    (tmp_path / "model.json").write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match="Retrain"):
        load(tmp_path)
    with pytest.raises(ConfigError, match="cannot load"):
        load(tmp_path / "missing")


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = model_mod.load_bundled()
    model.save(tmp_path)
    again = load(tmp_path)
    x = np.zeros((1, len(FEATURE_NAMES)))
    np.testing.assert_allclose(
        again.classifier.predict_proba(x), model.classifier.predict_proba(x)
    )
    np.testing.assert_allclose(again.resources.idf, model.resources.idf)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("n", [0, 1, model_mod.SCORE_BLOCK + 37])
def test_blocked_scores_equal_row_by_row_sums_to_the_bit(order: str, n: int) -> None:
    # The kernel scores a block of rows at once; each row's sum must still
    # add its terms in feature order, as einsum and a plain loop do.
    rng = np.random.default_rng(5)
    X = np.asarray(rng.normal(size=(n, 7)) * 3.0, order=order)
    mean, scale = rng.normal(size=7), rng.uniform(0.5, 2.0, size=7)
    W, b = rng.normal(size=(4, 7)), rng.normal(size=4)
    want = np.empty((n, 4))
    for i in range(n):
        z = [(X[i, j] - mean[j]) / scale[j] for j in range(7)]
        for k in range(4):
            s = 0.0
            for j in range(7):
                s += z[j] * W[k, j]
            want[i, k] = s + b[k]
    got = model_mod._standard_scores(X, mean, scale, W, b)
    assert np.array_equal(got, want)


@pytest.mark.parametrize("order", ["C", "F"])
def test_blocked_scores_of_flag_columns_equal_row_by_row_sums(order: str) -> None:
    # Flag columns (only 0.0 and 1.0) are where a shortcut of the
    # standardisation would go wrong first, so they stay covered: whole, in
    # some blocks only, with negative zeros, with a zero mean and next to
    # real values, the scores equal the row-by-row sums.
    rng = np.random.default_rng(11)
    n, f, k = 3 * model_mod.SCORE_BLOCK + 5, 9, 3
    X = rng.normal(size=(n, f))
    X[:, 0] = rng.integers(0, 2, size=n)
    X[:, 1] = 0.0
    X[:, 2] = rng.integers(0, 2, size=n)
    X[: model_mod.SCORE_BLOCK, 3] = rng.integers(0, 2, size=model_mod.SCORE_BLOCK)
    X[::3, 4] = -0.0
    X[1::3, 4] = 1.0
    X[:, 5] = rng.integers(0, 2, size=n) * -0.0
    X[:, 6] = 1.0
    X = np.asarray(X, order=order)
    mean, scale = rng.normal(size=f), rng.uniform(0.5, 2.0, size=f)
    mean[2] = 0.0
    W, b = rng.normal(size=(k, f)), rng.normal(size=k)
    want = np.empty((n, k))
    for i in range(n):
        z = [(X[i, j] - mean[j]) / scale[j] for j in range(f)]
        for e in range(k):
            s = 0.0
            for j in range(f):
                s += z[j] * W[e, j]
            want[i, e] = s + b[e]
    got = model_mod._standard_scores(X, mean, scale, W, b)
    assert np.array_equal(got, want)


def test_family_and_contributions_equal_the_two_methods_to_the_bit() -> None:
    # reasons.explain takes both from one pass; the per-family experts' scores
    # must be the same numbers as predict_family's own.
    X, y, fam = _toy()
    clf = FillerClassifier(cv=3, random_state=0).fit(X, y, family=fam)
    family, contrib = clf.family_and_contributions(X)
    assert family.tolist() == clf.predict_family(X).tolist()
    assert contrib.tobytes() == clf.contributions(X).tobytes()
    bundled = load_bundled()
    Xb = np.random.default_rng(2).normal(size=(200, len(FEATURE_NAMES)))
    family, contrib = bundled.classifier.family_and_contributions(Xb)
    assert family.tolist() == bundled.classifier.predict_family(Xb).tolist()
    assert contrib.tobytes() == bundled.classifier.contributions(Xb).tobytes()


def _numpy_decision(S: np.ndarray) -> np.ndarray:
    # The plain numpy form _decision_of_scores replaced.
    top = S[:, 1:].max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(S[:, 1:] - top).sum(axis=1))
    out: np.ndarray = lse - S[:, 0]
    return out


@pytest.mark.parametrize("n_scores", [2, 3, 11, 20])
def test_decision_of_scores_equals_the_numpy_form_to_the_bit(n_scores: int) -> None:
    # Max and shift come from a kernel; exp, the row sums and log must stay
    # numpy's so that the bits do not move. Absent families (-inf in a fold),
    # ties, NaN and scores far apart included.
    rng = np.random.default_rng(7)
    S = rng.normal(size=(1000, n_scores)) * 20.0
    S[::7, 1] = -np.inf
    S[::11, -1] = S[::11, 0]
    S[5, 1:] = -np.inf
    S[6, -1] = np.nan
    S[8, 1:] = 3.0
    S[9, 0] = 1e300
    got = FillerClassifier._decision_of_scores(S)
    with np.errstate(invalid="ignore"):
        want = _numpy_decision(S)
    assert got.tobytes() == want.tobytes()


def test_bundled_probabilities_equal_the_numpy_form_to_the_bit() -> None:
    clf = load_bundled().classifier
    X = np.random.default_rng(3).normal(size=(3000, len(FEATURE_NAMES))) * 2.0
    S = model_mod._standard_scores(X, clf.mean_, clf.scale_, clf.coef_, clf.intercept_)
    a, b = clf.calibration_
    want = model_mod._sigmoid(a * _numpy_decision(S) + b)
    assert clf.predict_proba(X)[:, 1].tobytes() == want.tobytes()
    assert clf.filler_proba(X, check_input=False).tobytes() == want.tobytes()
    for bad in (np.nan, np.inf, -np.inf):
        X[7, 3] = bad
        for check_input in (True, False):
            with pytest.raises(ValueError, match=r"NaN|infinity"):
                clf.filler_proba(X, check_input=check_input)
