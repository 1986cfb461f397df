from __future__ import annotations

import random

import polars as pl

from dedup.farm import generate
from dedup.farm.data import blocks_of_html, label_blocks
from dedup.farm.paragraphs import segment

HOST = generate.Host(
    [
        "The city council approved the new budget on Tuesday after a long debate.",
        "Council members voted seven to two, with Mayor Ana Ruiz saying the plan "
        "would add ten officers and repair roads in the north of the city.",
        "Opponents said the spending plan relied on optimistic tax forecasts.",
        "The budget takes effect in July, officials said.",
    ],
    "Council approves budget",
)


def test_generators_are_varied_and_deterministic() -> None:
    for family, make in generate.GENERATORS.items():
        a = [make(random.Random(7), HOST) for _ in range(3)]
        b = [make(random.Random(7), HOST) for _ in range(3)]
        assert a == b, family
        rng = random.Random(1)
        texts = {make(rng, HOST) for _ in range(300)}
        assert len(texts) >= 40, (family, len(texts))


def test_callout_labels_are_many() -> None:
    rng = random.Random(3)
    labels = {generate._label(rng) for _ in range(500)}
    assert len(labels) > 250


def test_farm_article_blocks_come_back_from_segmentation() -> None:
    rng = random.Random(5)
    for k in range(50):
        fams = rng.sample(list(generate.FAMILIES), 3)
        art = generate.farm_article(rng, HOST, fams, f"f{k}", "g", ["Other story"])
        seg = segment(pl.Series([art.text]))
        assert seg.texts().to_list() == art.blocks
        assert len(art.labels) == len(art.blocks) == len(art.families)
        assert {
            f for f, lab in zip(art.families, art.labels, strict=True) if lab == 1
        } == set(fams)


def test_page_blocks_are_labelled_against_gold() -> None:
    sentence = "The mayor said the plan works well for everyone in town."
    page = (
        "<nav><a>Home</a> <a>World</a></nav>"
        f"<p>{sentence}</p><footer>Copyright 2024</footer>"
    )
    blocks = blocks_of_html(page)
    assert blocks == [
        "Home World",
        "The mayor said the plan works well for everyone in town.",
        "Copyright 2024",
    ]
    assert label_blocks(
        blocks, ["The mayor said the plan works well for everyone in town."]
    ) == [1, 0, 1]
