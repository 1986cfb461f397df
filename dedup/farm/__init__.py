r"""Templated filler and content farms: paragraph flags with reasons, article scores.

Content farms lift a story and pad it: emoji callouts ("Pro Tip: … 📈"),
emoji section headings, off-topic commercial tie-ins (finance, insurance,
loans, legal claims, crypto), teasers ("Also read"), navigation, calls to
action, ad labels and AI disclosures. This package flags such paragraphs,
says why, and scores each article.

Modules: :mod:`~dedup.farm.paragraphs` (segmentation with offsets),
:mod:`~dedup.farm.lexicon` (word categories and phrase patterns),
:mod:`~dedup.farm.prefilter` (which patterns could match a paragraph),
:mod:`~dedup.farm.features` (compiled batch features),
:mod:`~dedup.farm.model` (:class:`FillerClassifier`, the scikit-learn
estimator, and the shipped parameters), :mod:`~dedup.farm.reasons`,
:mod:`~dedup.farm.repetition` (the article's repetition statistics),
:mod:`~dedup.farm.score` (:func:`score_articles`), :mod:`~dedup.farm.report`
(stdout formats and files) and, for retraining, :mod:`~dedup.farm.data`,
:mod:`~dedup.farm.generate` and :mod:`~dedup.farm.train`
(``python -m dedup.farm.train``).

    >>> import polars as pl
    >>> text = "Officials met on Friday.\n\nReality Check: talks take time. 🧩"
    >>> result = score_frame(pl.DataFrame({"doc_id": ["a"], "text": [text]}))
    >>> result.paragraphs.filter(pl.col("is_filler"))["family"].to_list()
    ['callout']
"""

from dedup.farm.model import FarmModel, FillerClassifier, load, load_bundled
from dedup.farm.paragraphs import segment, split_paragraphs
from dedup.farm.report import FarmWriter, doc_records, render, write_results
from dedup.farm.score import (
    FarmConfig,
    FarmResult,
    FarmStats,
    score_articles,
    score_batch,
    score_frame,
)

__all__ = [
    "FarmConfig",
    "FarmModel",
    "FarmResult",
    "FarmStats",
    "FarmWriter",
    "FillerClassifier",
    "doc_records",
    "load",
    "load_bundled",
    "render",
    "score_articles",
    "score_batch",
    "score_frame",
    "segment",
    "split_paragraphs",
    "write_results",
]
