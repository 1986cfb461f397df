r"""The filler classifier: calibrated per-family linear scores, shipped as numbers.

:class:`FillerClassifier` follows the scikit-learn estimator contract
(``__init__`` stores keyword arguments, ``fit`` returns ``self``, learned
attributes end in ``_``; checked with ``check_estimator`` in the tests). It is
a standardised, L2-regularised multinomial logistic regression over "content"
and the filler families, read as a binary classifier (filler = any family),
with Platt scaling fitted on out-of-fold decisions so that ``predict_proba``
means what it says on data like the training data.

Linear scores on engineered features were chosen over trees on purpose: each
feature's contribution to a decision is ``(w_family - w_content) * z``, which
names the family and the features behind every flagged paragraph (the
*reason*), and additive evidence carries to filler kinds the model never saw
(an emoji counts the same on an unseen kind of callout).

The trained model ships as JSON (coefficients, scaler, calibration,
threshold, feature names) plus the hashed IDF table as an ``.npz`` array
file, read with ``allow_pickle=False``: nothing is unpickled at run time.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = (X[:, 0] + 0.3 * rng.normal(size=200) > 0).astype(int)
    >>> clf = FillerClassifier(random_state=0).fit(X, y)
    >>> clf.score(X, y) >= 0.85
    True
    >>> clone = FillerClassifier.from_params(clf.to_params())
    >>> bool(np.allclose(clone.predict_proba(X), clf.predict_proba(X)))
    True
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numba as nb
import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from dedup.errors import ConfigError
from dedup.farm.features import FEATURE_NAMES, IDF_BUCKETS, Resources

PARAMS_DIR = Path(__file__).parent / "params"
MODEL_FILE = "model.json"
IDF_FILE = "idf.npz"
FORMAT = "dedup.farm.FillerClassifier"
FORMAT_VERSION = 1
#: Name of the generic expert in :attr:`FillerClassifier.families_`.
GENERIC = "(any)"


def _scores(
    Z: npt.NDArray[np.float64], W: npt.NDArray[np.float64], b: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``Z @ W.T + b`` summed in a fixed order.

    BLAS may split a matrix product differently with the number of threads,
    changing the last bits of a probability; einsum's own loops do not, so the
    outputs are byte-identical on any number of cores.
    """
    out = np.empty((Z.shape[0], W.shape[0]), dtype=np.float64)
    for k in range(W.shape[0]):
        out[:, k] = np.einsum("ij,j->i", Z, W[k], optimize=False) + b[k]
    return out


#: Rows standardised and scored together by :func:`_standard_scores` (a
#: block's standardised features, 58 x 64 float64, stay in the L1 cache).
SCORE_BLOCK = 64
#: Features whose terms :func:`_standard_scores` adds in one statement.
_UNROLL = 4


@nb.njit(cache=True)
def _standard_scores(
    X: npt.NDArray[np.float64],
    mean: npt.NDArray[np.float64],
    scale: npt.NDArray[np.float64],
    W: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """:func:`_scores` of ``(X - mean) / scale``, a block of rows at a time.

    The numpy form makes one pass over the whole matrix to standardise it
    and one per expert, ten passes over tens of megabytes on a batch; here
    each row is read once. The arithmetic is the same, in the same order
    (einsum sums a strided operand term by term, as this loop does for each
    row), so the scores are the same to the bit. The loops run across the
    rows of a block innermost: each row's sum still adds its terms in
    feature order, but the rows are independent, so the compiler can do
    several at once in vector registers without reordering any sum (one row
    at a time, the sum is a chain of dependent additions). The feature
    matrix is column-major, so a block of one column is contiguous.

    Four features' terms are added to a row's sum in one statement, the sum
    held in a register in between, rather than stored and reloaded after
    each term; the additions are the same, in the same order.

    Every value is standardised by the division, in the one pass that reads
    it. Standardising is bound by reading the matrix from memory (tens of
    megabytes a batch, read once): on the AMD EPYC (Zen 4) the divisions
    hide under those reads, and a first pass to find blocks of flag columns
    (only 0.0 and 1.0, whose standardised values are two quotients) cost
    more than it saved, 120 vs 98 ns a planted paragraph. (That shortcut
    paid on the Intel Xeon of the farm-perf5 notes; re-measure there.)

        >>> X = np.asfortranarray([[0.0, 2.0], [1.0, 4.0], [1.0, 0.0]])
        >>> mean, scale = np.array([0.5, 2.0]), np.array([0.5, 2.0])
        >>> W, b = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([0.0, 1.0])
        >>> bool((_standard_scores(X, mean, scale, W, b)
        ...       == _scores((X - mean) / scale, W, b)).all())
        True
    """
    n, f = X.shape
    k_experts = W.shape[0]
    out = np.empty((n, k_experts), dtype=np.float64)
    z = np.empty((f, SCORE_BLOCK), dtype=np.float64)
    s = np.empty(SCORE_BLOCK, dtype=np.float64)
    f_unrolled = f - f % _UNROLL
    for i0 in range(0, n, SCORE_BLOCK):
        m = min(SCORE_BLOCK, n - i0)
        for j in range(f):
            mj = mean[j]
            sj = scale[j]
            # A slice, not X[i0 + r, j]: no negative-index check per read.
            col = X[i0 : i0 + m, j]
            for r in range(m):
                z[j, r] = (col[r] - mj) / sj
        for k in range(k_experts):
            s[:m] = 0.0
            for j in range(0, f_unrolled, _UNROLL):
                w0 = W[k, j]
                w1 = W[k, j + 1]
                w2 = W[k, j + 2]
                w3 = W[k, j + 3]
                for r in range(m):
                    s[r] = (
                        ((s[r] + z[j, r] * w0) + z[j + 1, r] * w1) + z[j + 2, r] * w2
                    ) + z[j + 3, r] * w3
            for j in range(f_unrolled, f):
                w = W[k, j]
                for r in range(m):
                    s[r] += z[j, r] * w
            bk = b[k]
            for r in range(m):
                out[i0 + r, k] = s[r] + bk
    return out


@nb.njit(cache=True)
def _shifted_by_top(
    S: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each row's highest filler score and the filler scores less that maximum.

    ``top[i]`` is ``S[i, 1:].max()`` (NaN if any of them is NaN, as numpy's
    max gives) and ``shifted[i, k]`` is ``S[i, 1 + k] - top[i]``, a new
    C-ordered array. Both are exact operations, so the numbers are those of
    ``S[:, 1:].max(axis=1)`` and ``S[:, 1:] - top[:, None]``; in one pass
    over *S* instead of a numpy reduction over ten strided values a row and
    a broadcast subtraction (1.6 of the 2.2 µs a planted article that the
    log-sum-exp took).

        >>> S = np.array([[0.0, 1.0, 3.0], [2.0, -np.inf, -1.0]])
        >>> top, shifted = _shifted_by_top(S)
        >>> top.tolist(), shifted.tolist()
        ([3.0, -1.0], [[-2.0, 0.0], [-inf, 0.0]])
    """
    n, k = S.shape
    if k < 2:
        raise ValueError("need the content score and at least one filler score")
    top = np.empty(n, dtype=np.float64)
    shifted = np.empty((n, k - 1), dtype=np.float64)
    for i in range(n):
        m = S[i, 1]
        for j in range(2, k):
            v = S[i, j]
            # NaN wins and stays, as in numpy's max (no comparison is true
            # with a NaN maximum, so it is never replaced).
            if v > m or np.isnan(v):
                m = v
        top[i] = m
        for j in range(1, k):
            shifted[i, j - 1] = S[i, j] - m
    return top, shifted


def _sigmoid(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64] = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out


class FillerClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Calibrated per-family logistic regression: is a paragraph filler.

    A binary classifier (content vs filler) with one twist: given the filler
    *family* of each positive training row, it fits one linear score per
    family plus one for content (multinomial logistic regression) instead of
    a single boundary. Families of filler point different ways in feature
    space (a tie-in is a long, fluent, commercial paragraph; a teaser a short
    fragment); one boundary would have to trade them off. The decision value
    is the log-odds of "any filler family" against content, calibrated with
    Platt scaling fitted on out-of-fold decisions. Without families it is a
    plain binary logistic regression.

    Args:
        C: inverse L2 regularisation strength of the logistic regression.
        calibration: ``"sigmoid"`` (Platt scaling on out-of-fold decision
            values) or ``None`` (the logistic regression's own log-odds).
        cv: folds for the out-of-fold decisions that calibration is fitted on:
            a number of stratified folds, or a scikit-learn splitter or list of
            ``(train, test)`` index pairs covering every row once.
        threshold: probability at or above which :meth:`predict` says filler.
        max_iter: iterations of the lbfgs solver.
        tol: stopping tolerance of the solver (features are standardised, so
            1e-3 is plenty for hundreds of thousands of rows).
        random_state: seed of the fold assignment.

    Attributes:
        classes_: the two class labels (the second is "filler").
        families_: names of the filler families (one score each), then
            ``"(any)"``, the generic filler-vs-content expert, when there are
            several families.
        n_features_in_: number of features seen in ``fit``.
        n_iter_: solver iterations of the final logistic regression.
        mean_, scale_: the standardisation of each feature.
        coef_: ``(1 + len(families_), n_features)`` weights on standardised
            features; row 0 scores content, row ``1 + k`` expert ``k``.
        intercept_: ``(1 + len(families_),)`` biases.
        calibration_: ``(a, b)`` so that ``p = sigmoid(a * decision + b)``.
        oof_decision_: out-of-fold decision values of the training rows (used
            to pick a threshold on held-in data without refitting).

    Example:
        >>> import numpy as np
        >>> X = np.array([[0.0], [0.2], [0.9], [1.1]] * 10)
        >>> y = np.array([0, 0, 1, 1] * 10)
        >>> FillerClassifier(cv=2, random_state=0).fit(X, y).predict([[1.0]])
        array([1])

    """

    def __init__(
        self,
        C: float = 1.0,
        calibration: str | None = "sigmoid",
        cv: Any = 5,
        threshold: float = 0.5,
        max_iter: int = 2000,
        tol: float = 1e-4,
        random_state: int | None = None,
    ) -> None:
        self.C = C
        self.calibration = calibration
        self.cv = cv
        self.threshold = threshold
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # Filler or not: a binary problem; more classes are refused in fit.
        tags.classifier_tags.multi_class = False
        return tags

    def _check_params(self) -> None:
        if not (isinstance(self.C, int | float) and self.C > 0):
            raise ValueError(f"C must be a positive number; got {self.C!r}")
        if self.calibration not in ("sigmoid", None):
            raise ValueError(
                f"calibration must be 'sigmoid' or None; got {self.calibration!r}"
            )
        if isinstance(self.cv, int) and self.cv < 2:
            raise ValueError(
                f"cv must be an integer >= 2 or a splitter; got {self.cv!r}"
            )
        if not (0.0 < self.threshold < 1.0):
            raise ValueError(f"threshold must be in (0, 1); got {self.threshold!r}")
        if not (isinstance(self.tol, int | float) and self.tol > 0):
            raise ValueError(f"tol must be a positive number; got {self.tol!r}")
        if not (isinstance(self.max_iter, int) and self.max_iter >= 1):
            raise ValueError(
                f"max_iter must be a positive integer; got {self.max_iter!r}"
            )

    def _fit_scores(
        self,
        Z: npt.NDArray[np.float64],
        labels: npt.NDArray[np.intp],
        n_labels: int,
        weights: npt.NDArray[np.float64],
        init: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], int]:
        """``(W, b, n_iter)`` with one row per label (0 = content).

        *init* (the full fit's scores) warm-starts the fold fits, which then
        converge in a few iterations instead of a few hundred.
        """
        seen = np.unique(labels)
        model = LogisticRegression(
            C=self.C, max_iter=self.max_iter, tol=self.tol, warm_start=init is not None
        )
        if init is not None and len(seen) == n_labels:
            W0, b0 = init
            model.classes_ = seen
            if n_labels == 2:
                model.coef_ = (W0[1] - W0[0]).reshape(1, -1).copy()
                model.intercept_ = np.array([b0[1] - b0[0]])
            else:
                model.coef_ = W0.copy()
                model.intercept_ = b0.copy()
        model.fit(Z, labels, sample_weight=weights)
        W = np.zeros((n_labels, Z.shape[1]))
        b = np.zeros(n_labels)
        seen = model.classes_.astype(np.intp)
        if len(seen) == 2:
            # Binary: sklearn keeps one row, the log-odds of the second label.
            W[seen[1]] = model.coef_[0]
            b[seen[1]] = model.intercept_[0]
        else:
            W[seen] = model.coef_
            b[seen] = model.intercept_
        # A family absent from a fold can never win in that fold.
        b[np.setdiff1d(np.arange(n_labels), seen)] = -np.inf
        return W, b, int(np.max(model.n_iter_))

    def _experts(
        self,
        Z: npt.NDArray[np.float64],
        labels: npt.NDArray[np.intp],
        n_labels: int,
        y_idx: npt.NDArray[np.intp],
        weights: npt.NDArray[np.float64],
        init: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], int]:
        """Content, per-family and (with several families) a generic expert.

        The generic expert is the binary filler-vs-content log-odds, stored as
        one more score row (content row + binary weights) so the decision
        stays a log-sum-exp over experts. Per-family scores are precise on
        the kinds seen in training; the generic one carries shared evidence
        (a filler phrase, an emoji) to kinds that were not.
        """
        W, b, n_iter = self._fit_scores(
            Z,
            labels,
            n_labels,
            weights,
            None if init is None else (init[0][:n_labels], init[1][:n_labels]),
        )
        if n_labels <= 2:
            return W, b, n_iter
        g_init = None
        if init is not None and len(init[1]) > n_labels:
            g_init = (
                np.vstack([init[0][0], init[0][-1]]),
                np.array([init[1][0], init[1][-1]]),
            )
        Wg, bg, n_g = self._fit_scores(Z, y_idx, 2, weights, g_init)
        generic_w = W[0] + (Wg[1] - Wg[0])
        generic_b = b[0] + (bg[1] - bg[0])
        return (
            np.vstack([W, generic_w]),
            np.append(b, generic_b),
            max(n_iter, n_g),
        )

    @staticmethod
    def _decision(
        Z: npt.NDArray[np.float64],
        W: npt.NDArray[np.float64],
        b: npt.NDArray[np.float64],
    ) -> npt.NDArray[np.float64]:
        return FillerClassifier._decision_of_scores(_scores(Z, W, b))

    @staticmethod
    def _decision_of_scores(S: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Log-sum-exp of the filler experts' scores less the content score.

        ``top + log(sum(exp(S[:, 1:] - top)))`` with ``top`` the row maximum,
        then ``- S[:, 0]``. The exponentials, the sum over a row and the log
        stay numpy's own calls on arrays of the same shape and order (their
        vector loops and the sum's order decide the last bits); only the
        exact max and subtraction are done by :func:`_shifted_by_top`, and
        the rest in place instead of in a new array per step.
        """
        top, shifted = _shifted_by_top(S)
        np.exp(shifted, out=shifted)
        out: npt.NDArray[np.float64] = shifted.sum(axis=1)
        np.log(out, out=out)
        out += top
        out -= S[:, 0]
        return out

    def fit(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        sample_weight: npt.ArrayLike | None = None,
        family: npt.ArrayLike | None = None,
    ) -> FillerClassifier:
        """Fit the scaler, the per-family scores and the calibration.

        Args:
            X: ``(n_samples, n_features)`` features.
            y: two classes; the second (in sorted order) is filler.
            sample_weight: optional weight per row.
            family: optional filler family per row (read on filler rows only);
                ``None`` fits one family.

        Returns:
            ``self``.

        """
        self._check_params()
        Xa, ya = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(ya)
        kind = type_of_target(ya, input_name="y", raise_unknown=True)
        if kind != "binary":
            raise ValueError(
                "Only binary classification is supported. The type of the target "
                f"is {kind}. Label filler 1 and everything else 0."
            )
        self.classes_, y_idx = np.unique(ya, return_inverse=True)
        if family is None:
            fam = np.where(y_idx == 1, "filler", "")
        else:
            fam = np.asarray(family).astype(str)
            if fam.shape != (len(y_idx),):
                raise ValueError(
                    f"family must have one entry per row ({len(y_idx)}); "
                    f"got shape {fam.shape}"
                )
            fam = np.where(y_idx == 1, fam, "")
        self.families_ = np.unique(fam[y_idx == 1])
        if GENERIC in self.families_:
            raise ValueError(f"{GENERIC!r} is reserved for the generic expert")
        labels = np.zeros(len(y_idx), dtype=np.intp)
        labels[y_idx == 1] = 1 + np.searchsorted(self.families_, fam[y_idx == 1])
        n_labels = 1 + len(self.families_)
        if len(self.families_) > 1:
            self.families_ = np.append(self.families_, GENERIC)

        weights = _check_sample_weight(sample_weight, Xa, dtype=np.float64)
        self.mean_ = np.average(Xa, axis=0, weights=weights)
        std = np.sqrt(np.average((Xa - self.mean_) ** 2, axis=0, weights=weights))
        self.scale_ = np.where(std > 1e-12, std, 1.0)
        Z = (Xa - self.mean_) / self.scale_

        W, b, n_iter = self._experts(Z, labels, n_labels, y_idx, weights, None)
        self.coef_, self.intercept_ = W, b
        self.n_iter_ = np.asarray([n_iter], dtype=np.int32)

        self.calibration_ = np.array([1.0, 0.0])
        self.oof_decision_ = self._decision(Z, W, b)
        splits = self._splits(Z, y_idx)
        if self.calibration == "sigmoid" and splits:
            oof = np.empty(len(y_idx), dtype=np.float64)
            for train, test in splits:
                Wf, bf, _ = self._experts(
                    Z[train],
                    labels[train],
                    n_labels,
                    y_idx[train],
                    weights[train],
                    (W, b),
                )
                oof[test] = self._decision(Z[test], Wf, bf)
            self.oof_decision_ = oof
            platt = LogisticRegression(C=1e6, max_iter=self.max_iter, tol=1e-6).fit(
                oof.reshape(-1, 1), y_idx, sample_weight=weights
            )
            self.calibration_ = np.array(
                [float(platt.coef_[0, 0]), float(platt.intercept_[0])]
            )
        return self

    def _splits(
        self, Z: npt.NDArray[np.float64], y_idx: npt.NDArray[np.intp]
    ) -> list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]:
        """Folds for the out-of-fold decisions (empty: too few rows to split)."""
        if isinstance(self.cv, int):
            folds = min(self.cv, int(np.bincount(y_idx, minlength=2).min()))
            if folds < 2:
                return []
            splitter = StratifiedKFold(
                n_splits=folds, shuffle=True, random_state=self.random_state
            )
            return list(splitter.split(Z, y_idx))
        cv = check_cv(self.cv, y_idx, classifier=True)
        splits = list(cv.split(Z, y_idx))
        covered = np.zeros(len(y_idx), dtype=bool)
        for _, test in splits:
            covered[test] = True
        if not covered.all():
            raise ValueError("cv must put every training row in a test fold")
        return splits

    def _standardised(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        check_is_fitted(self)
        Xa = validate_data(self, X, reset=False, dtype=np.float64)
        out: npt.NDArray[np.float64] = (Xa - self.mean_) / self.scale_
        return out

    def decision_function(
        self, X: npt.ArrayLike, *, check_input: bool = True
    ) -> npt.NDArray[np.float64]:
        """Uncalibrated log-odds of filler (any family) against content.

        ``check_input=False`` skips scikit-learn's validation of *X* (shape,
        dtype, finite values: a pass over the whole matrix), as in
        scikit-learn's own trees: only for a float64 matrix of
        ``n_features_in_`` columns, such as the feature extractor's. A NaN or
        infinite value still raises: it makes every score of its row
        non-finite, and the scores are a fifth of the matrix's size.
        """
        check_is_fitted(self)
        Xa = (
            validate_data(self, X, reset=False, dtype=np.float64)
            if check_input
            else np.asarray(X, dtype=np.float64)
        )
        S = _standard_scores(Xa, self.mean_, self.scale_, self.coef_, self.intercept_)
        if not check_input and not np.isfinite(S).all():
            raise ValueError("Input X contains NaN or infinity (or its scores do)")
        return self._decision_of_scores(S)

    def filler_proba(
        self, X: npt.ArrayLike, *, check_input: bool = True
    ) -> npt.NDArray[np.float64]:
        """Calibrated probability of filler: ``predict_proba(X)[:, 1]``, contiguous.

        *check_input*: as in :meth:`decision_function`.
        """
        decision = self.decision_function(X, check_input=check_input)
        a, b = self.calibration_
        return _sigmoid(a * decision + b)

    def predict_proba(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Calibrated probabilities, columns in the order of ``classes_``."""
        p = self.filler_proba(X)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[Any]:
        """The filler class where the probability reaches ``threshold``."""
        check_is_fitted(self)
        p = self.predict_proba(X)[:, 1]
        out: npt.NDArray[Any] = self.classes_[(p >= self.threshold).astype(int)]
        return out

    def _specific(self) -> int:
        """Number of per-family score rows (the generic expert excluded)."""
        n = len(self.families_)
        return n - 1 if n and self.families_[-1] == GENERIC else n

    def predict_family(self, X: npt.ArrayLike) -> npt.NDArray[np.str_]:
        """The filler family whose own score is highest (whatever the decision)."""
        return self.family_and_contributions(X)[0]

    def contributions(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Each feature's share of the strongest expert's margin over content.

        The strongest of the per-family and generic experts; row sums plus the
        intercept difference give its margin, which is the decision value up
        to the other experts' (smaller) scores.
        """
        return self.family_and_contributions(X)[1]

    def family_and_contributions(
        self, X: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.float64]]:
        """:meth:`predict_family` and :meth:`contributions` of *X*, in one pass.

        Both need the same standardised rows scored by every expert, so both
        come from here (``reasons.explain`` asks for the two at once).
        :func:`_scores` computes each expert's column on its own, so the
        per-family experts' columns are the numbers a scoring of those experts
        alone would give.
        """
        Z = self._standardised(X)
        S = _scores(Z, self.coef_[1:], self.intercept_[1:])
        family: npt.NDArray[np.str_] = self.families_[
            S[:, : self._specific()].argmax(axis=1)
        ]
        best = S.argmax(axis=1)
        contrib: npt.NDArray[np.float64] = Z * (self.coef_[1 + best] - self.coef_[0])
        return family, contrib

    def to_params(self) -> dict[str, Any]:
        """Everything needed to predict, as JSON-ready plain data."""
        check_is_fitted(self)
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            # cv only shapes fitting; a list of folds is not JSON and not needed
            # to predict, so it is stored as the default.
            "params": {
                **self.get_params(),
                "cv": self.cv if isinstance(self.cv, int) else 5,
            },
            "classes": self.classes_.tolist(),
            "families": self.families_.tolist(),
            "n_features_in": int(self.n_features_in_),
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
            "coef": self.coef_.tolist(),
            # -inf (a family never seen) is not JSON; -1e300 acts the same.
            "intercept": np.maximum(self.intercept_, -1e300).tolist(),
            "calibration": [float(v) for v in self.calibration_],
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> FillerClassifier:
        """A fitted classifier from :meth:`to_params` output (no unpickling).

        Raises:
            ValueError: when *params* is not a classifier of this format.

        """
        if params.get("format") != FORMAT or params.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"not {FORMAT} version {FORMAT_VERSION} parameters "
                f"(format={params.get('format')!r}, version={params.get('version')!r})"
            )
        clf = cls(**params["params"])
        n = int(params["n_features_in"])
        clf.classes_ = np.asarray(params["classes"])
        clf.families_ = np.asarray(params["families"], dtype=str)
        clf.n_features_in_ = n
        clf.mean_ = np.asarray(params["mean"], dtype=np.float64)
        clf.scale_ = np.asarray(params["scale"], dtype=np.float64)
        clf.coef_ = np.asarray(params["coef"], dtype=np.float64)
        clf.intercept_ = np.asarray(params["intercept"], dtype=np.float64)
        clf.calibration_ = np.asarray(params["calibration"], dtype=np.float64)
        k = 1 + len(clf.families_)
        if clf.coef_.shape != (k, n) or clf.intercept_.shape != (k,):
            raise ValueError(
                f"coef {clf.coef_.shape} / intercept {clf.intercept_.shape} do not "
                f"fit {k} scores over {n} features"
            )
        for name, arr in (("mean", clf.mean_), ("scale", clf.scale_)):
            if arr.shape != (n,):
                raise ValueError(f"{name} has {arr.shape[0]} values for {n} features")
        return clf


@dataclass(frozen=True)
class FarmModel:
    """The shipped model: classifier, feature resources and training metadata.

    Attributes:
        classifier: the fitted :class:`FillerClassifier`.
        resources: IDF table and lexicon hash table for feature extraction.
        feature_names: the features the classifier was trained on, in order.
        metadata: how the model was trained (data, counts, evaluation summary).

    """

    classifier: FillerClassifier
    resources: Resources
    feature_names: tuple[str, ...]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        """The tuned decision threshold on the calibrated probability."""
        return float(self.classifier.threshold)

    def save(self, directory: str | Path) -> list[Path]:
        """Write ``model.json`` and ``idf.npz`` to *directory*; return the paths."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        doc = {
            "classifier": self.classifier.to_params(),
            "feature_names": list(self.feature_names),
            "idf_buckets": IDF_BUCKETS,
            "metadata": self.metadata,
        }
        model_path = out / MODEL_FILE
        model_path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
        idf_path = out / IDF_FILE
        # Quantised to 1/64: IDF differences below that do not move a cosine.
        quant = np.round(self.resources.idf.astype(np.float64) * 64.0).astype(np.uint16)
        with idf_path.open("wb") as fh:
            np.savez_compressed(fh, idf_q64=quant)
        return [model_path, idf_path]


def load(directory: str | Path) -> FarmModel:
    """Load a model written by :meth:`FarmModel.save` (JSON and arrays only).

    Raises:
        ConfigError: when the files are missing, malformed or were trained on
            other features than this version computes.

    """
    path = Path(directory)
    try:
        doc = json.loads((path / MODEL_FILE).read_text(encoding="utf-8"))
        with np.load(path / IDF_FILE, allow_pickle=False) as arrays:
            idf = arrays["idf_q64"].astype(np.float32) / np.float32(64.0)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"cannot load farm model from {path}: {exc}. Retrain with "
            "`python -m dedup.farm.train` or omit params to use the bundled model."
        ) from exc
    names = tuple(doc.get("feature_names", ()))
    if names != FEATURE_NAMES:
        raise ConfigError(
            f"farm model in {path} was trained on other features than this version "
            f"computes ({len(names)} vs {len(FEATURE_NAMES)}). Retrain with "
            "`python -m dedup.farm.train`."
        )
    try:
        clf = FillerClassifier.from_params(doc["classifier"])
        resources = Resources.from_idf(idf)
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"farm model in {path} is malformed: {exc}") from exc
    if math.isnan(clf.threshold):
        raise ConfigError(f"farm model in {path} has no threshold")
    return FarmModel(clf, resources, names, dict(doc.get("metadata", {})))


@functools.cache
def load_bundled() -> FarmModel:
    """The model shipped in ``dedup/farm/params`` (loaded once per process).

    Example:
        >>> model = load_bundled()
        >>> model.feature_names == FEATURE_NAMES, 0 < model.threshold < 1
        (True, True)

    """
    return load(PARAMS_DIR)
