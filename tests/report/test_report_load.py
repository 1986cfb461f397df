"""Building a report from result folders (dedup.report.load)."""

from __future__ import annotations

import json

import polars as pl
import pytest
from report_helpers import farm_frames, hostile_frame, write_folders

from dedup import scan_frame
from dedup.errors import ConfigError, InputError, SchemaError
from dedup.io import ReadOptions, open_source
from dedup.io.writers import write_results
from dedup.report.load import build_report, detect
from dedup.report.texts import read_texts

TEXT = (
    "the council approved the budget after a long debate about schools roads "
    "and the hospital and the mayor called the vote a turning point for the city"
)


def cluster_frame(n_clusters: int = 3, members: int = 4) -> pl.DataFrame:
    """Clusters of decreasing size: cluster k has members - k documents."""
    ids, texts = [], []
    for k in range(n_clusters):
        base = f"story {k} " + TEXT + f" number {k}"
        for m in range(max(2, members - k)):
            ids.append(f"c{k}-m{m}")
            texts.append(base + (f" edit {m}" if m else ""))
    return pl.DataFrame({"doc_id": ids, "text": texts})


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    return write_folders(tmp_path_factory.mktemp("hostile"))


def test_detect_kinds(folders, tmp_path):
    assert detect(folders.scan) == ["scan"]
    assert detect(folders.passages) == ["passages"]
    assert detect(folders.farm) == ["farm"]
    assert detect(tmp_path) == []


@pytest.mark.parametrize(
    ("kinds", "present"),
    [
        (["scan"], {"scan"}),
        (["passages"], {"passages"}),
        (["farm"], {"farm"}),
        (["scan", "farm"], {"scan", "farm"}),
        (["scan", "passages", "farm"], {"scan", "passages", "farm"}),
    ],
)
def test_sections_follow_the_folders_given(folders, kinds, present):
    report = build_report([getattr(folders, k) for k in kinds])
    got = {k for k in ("scan", "passages", "farm") if getattr(report, k) is not None}
    assert got == present


def test_one_folder_holding_scan_and_farm_results(folders, tmp_path):
    both = tmp_path / "both"
    write_results(scan_frame(folders.frame), both)
    docs, _ = farm_frames(folders.frame)
    scan_docs = pl.read_parquet(both / "docs.parquet")
    scan_docs.join(docs.drop("title", "url"), on="doc_id").write_parquet(
        both / "docs.parquet"
    )
    assert detect(both) == ["scan", "farm"]
    report = build_report([both])
    assert report.scan is not None and report.farm is not None


def test_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such results folder"):
        build_report([tmp_path / "nope"])


def test_folder_without_results_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="holds no dedup results"):
        build_report([tmp_path])


def test_no_folders_is_an_input_error():
    with pytest.raises(InputError, match="no results folder"):
        build_report([])


def test_two_scan_folders_are_refused(folders, tmp_path):
    other = tmp_path / "other"
    write_results(scan_frame(folders.frame), other)
    with pytest.raises(InputError, match="both hold scan results"):
        build_report([folders.scan, other])


def test_missing_column_is_named(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    pl.DataFrame({"doc_id": ["a"], "cluster_id": ["c"]}).write_parquet(
        folder / "docs.parquet"
    )
    pl.DataFrame({"doc_id_a": ["a"]}).write_parquet(folder / "pairs.parquet")
    with pytest.raises(SchemaError, match="cluster_size, is_canonical"):
        build_report([folder])


def test_unreadable_parquet_is_an_input_error(tmp_path):
    (tmp_path / "docs.parquet").write_text("not parquet")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        build_report([tmp_path])


@pytest.mark.parametrize(
    ("name", "value"),
    [("max_items", 0), ("max_members", -1), ("max_doc_chars", 0)],
)
def test_limits_are_validated(folders, name, value):
    with pytest.raises(ConfigError, match=f"{name} must be at least 1; got {value}"):
        build_report([folders.scan], **{name: value})


def test_scan_counts_and_clusters(folders):
    scan = build_report([folders.scan]).scan
    assert scan is not None
    assert (scan.documents, scan.clusters, scan.documents_in_clusters) == (5, 2, 5)
    assert scan.removable == 3
    assert scan.duplicate_rate == pytest.approx(0.6)
    assert scan.size_counts == [(2, 1), (3, 1)]
    assert [c.size for c in scan.shown] == [3, 2]
    assert scan.similarity.total == scan.duplicate_pairs + scan.template_pairs
    first = scan.shown[0]
    docs = pl.read_parquet(folders.scan / "docs.parquet")
    canonical = docs.filter(pl.col("is_canonical") & (pl.col("cluster_size") == 3))
    assert first.canonical.doc_id == canonical["doc_id"][0]
    sims = [m.similarity for m in first.members]
    assert sims == sorted(sims, reverse=True)
    assert all(m.reason for m in first.members)
    assert scan.summary["documents"] == 5


def test_without_input_clusters_have_no_diffs_and_a_note(folders):
    report = build_report([folders.scan])
    assert any("No input given" in n for n in report.notes)
    for cluster in report.scan.shown:
        assert cluster.canonical_text is None
        for m in cluster.members:
            assert m.diff is None
            assert m.note == "no input given: texts not read"


def test_with_input_clusters_have_diffs(folders):
    report = build_report([folders.scan], input_source=folders.frame)
    assert report.notes == []
    for cluster in report.scan.shown:
        assert cluster.canonical_text
        for m in cluster.members:
            assert m.diff is not None and not m.diff.identical


def test_input_from_a_reader(tmp_path):
    frame = cluster_frame(2)
    frame.write_parquet(tmp_path / "crawl.parquet")
    write_results(scan_frame(frame), tmp_path / "scan")
    src = open_source(tmp_path / "crawl.parquet", ReadOptions(id_field="doc_id"))
    report = build_report([tmp_path / "scan"], input_source=src)
    assert report.input_name == src.name
    assert all(m.diff is not None for c in report.scan.shown for m in c.members)


def test_documents_missing_from_the_input_are_noted(folders):
    partial = folders.frame.filter(pl.col("doc_id") != "doc-3")
    report = build_report([folders.scan], input_source=partial)
    assert any(
        "1 of the documents shown are not in the input" in n for n in report.notes
    )
    member = next(m for m in report.scan.shown[0].members if m.doc.doc_id == "doc-3")
    assert member.diff is None
    assert member.note == "text not found in the input"


def test_an_input_that_differs_from_the_scanned_one_is_noted(folders):
    edited = folders.frame.with_columns(pl.col("text") + " extra")
    report = build_report([folders.scan], input_source=edited)
    assert any("differ in length" in n for n in report.notes)


def test_max_items_and_max_members(tmp_path):
    write_results(scan_frame(cluster_frame(5, members=8)), tmp_path / "scan")
    report = build_report([tmp_path / "scan"], max_items=2, max_members=3)
    scan = report.scan
    assert scan.clusters == 5
    assert [c.size for c in scan.shown] == [8, 7]
    assert [len(c.members) for c in scan.shown] == [3, 3]
    assert [c.members_omitted for c in scan.shown] == [4, 3]


def test_text_budget_leaves_out_later_diffs(tmp_path):
    frame = cluster_frame(4, members=3)
    write_results(scan_frame(frame), tmp_path / "scan")
    report = build_report([tmp_path / "scan"], input_source=frame, max_text_chars=1500)
    members = [m for c in report.scan.shown for m in c.members]
    assert any(m.diff is not None for m in members)
    assert any(m.note and "size limit" in m.note for m in members)
    assert any("Some diffs were left out" in n for n in report.notes)


def test_passages_section(folders):
    passages = build_report([folders.passages], input_source=folders.frame).passages
    found = pl.read_parquet(folders.passages / "passages.parquet")
    assert passages.passages == found.height
    assert passages.occurrences == found["n_occurrences"].sum()
    n_docs = [p.n_docs for p in passages.shown]
    assert n_docs == sorted(n_docs, reverse=True)
    occ = passages.shown[0].occurrences[0]
    assert occ.match is not None
    text = folders.frame.filter(pl.col("doc_id") == occ.doc_id)["text"][0]
    assert occ.match == text[occ.start : occ.end]


def test_passages_without_input_list_occurrences_without_text(folders):
    passages = build_report([folders.passages]).passages
    occ = passages.shown[0].occurrences[0]
    assert occ.match is None and occ.doc_id


def test_passages_boilerplate_lines(tmp_path):
    from dedup.passages import find_passages

    found = find_passages(open_source("seeds"))
    folder = tmp_path / "passages"
    folder.mkdir()
    found.passages.write_parquet(folder / "passages.parquet")
    passages = build_report([folder]).passages
    assert [p.text for p in passages.boilerplate] == ["Also read"]
    assert passages.by_kind["boilerplate"] == (1, 4)


def test_farm_section_with_every_paragraph(folders):
    farm = build_report([folders.farm]).farm
    assert farm.documents == 5
    assert farm.flagged_documents == 3
    assert farm.paragraphs == 17 and farm.filler_paragraphs == 6
    assert farm.filler_rate == pytest.approx(6 / 17)
    assert farm.scores.total == 5
    assert farm.top_reasons[0][1] == 3
    scores = [a.farm_score for a in farm.shown]
    assert scores == sorted(scores, reverse=True)
    top = farm.shown[0]
    assert [p.is_filler for p in top.paragraphs] == [True, False, False, False, True]
    assert top.paragraphs[0].reason.endswith("repeated call to action")


def test_farm_with_flagged_paragraphs_only_uses_the_input_text(folders, tmp_path):
    folder = tmp_path / "farm"
    folder.mkdir()
    docs, paragraphs = farm_frames(folders.frame)
    docs.write_parquet(folder / "docs.parquet")
    paragraphs.filter(pl.col("is_filler")).write_parquet(folder / "paragraphs.parquet")
    without = build_report([folder]).farm.shown[0]
    assert [p.is_filler for p in without.paragraphs] == [True, True]
    assert without.note == "only the flagged paragraphs were kept"
    with_text = build_report([folder], input_source=folders.frame).farm.shown[0]
    kinds = [p.is_filler for p in with_text.paragraphs]
    assert kinds[0] and kinds[-1] and not any(kinds[1:-1])
    assert len(kinds) == 3  # the unflagged middle is one stretch of context


def test_farm_threshold_from_its_summary(folders, tmp_path):
    folder = tmp_path / "farm"
    folder.mkdir()
    docs, _ = farm_frames(folders.frame)
    docs.select("doc_id", "farm_score").write_parquet(folder / "docs.parquet")
    (folder / "summary.json").write_text(json.dumps({"threshold": 0.75}))
    farm = build_report([folder]).farm
    assert farm.threshold == 0.75
    assert farm.flagged_documents == 2  # scores 0.9 and 0.8
    assert farm.paragraphs is None and farm.filler_rate is None
    assert farm.shown[0].note == "no paragraphs in the results and no input text"


def test_read_texts_one_pass_cut_and_missing():
    frame = hostile_frame()
    doc = frame["doc_id"][0]
    got = read_texts(frame, full=[doc, "absent"], spans={doc: [(0, 8)]}, max_chars=10)
    assert got.texts[doc] == frame["text"][0][:10]
    assert got.lengths[doc] == len(frame["text"][0])
    assert got.snippets[(doc, 0, 8)][1] == frame["text"][0][:8]
    assert got.missing == {"absent"}
