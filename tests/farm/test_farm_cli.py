"""``dedup farm`` from the command line: outputs, formats and bad input."""

import json

import polars as pl
import pytest
from farm_helpers import SEEDS
from typer.testing import CliRunner

from dedup.cli import app

runner = CliRunner()


def test_farm_seeds_writes_paragraphs_and_docs(tmp_path) -> None:
    out = tmp_path / "farm"
    result = runner.invoke(app, ["farm", str(SEEDS), "--out", str(out), "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    # Highest farm score first; every seed article is listed.
    assert len(records) == 5
    assert [r["doc_id"][:3] for r in records[:2]] in (["003", "004"], ["004", "003"])
    paragraphs = pl.read_parquet(out / "paragraphs.parquet")
    assert set(paragraphs.columns) >= {
        "doc_id",
        "index",
        "text",
        "start",
        "end",
        "is_filler",
        "score",
        "reason",
    }
    texts = {f.name: f.read_text("utf-8") for f in SEEDS.glob("*.txt")}
    for row in paragraphs.iter_rows(named=True):
        assert texts[row["doc_id"]][row["start"] : row["end"]].strip() != ""
    flagged = paragraphs.filter(pl.col("is_filler"))
    assert flagged["reason"].null_count() == 0
    docs = pl.read_parquet(out / "docs.parquet")
    assert docs.height == 5
    assert docs["farm_score"].is_between(0.0, 1.0).all()
    assert (out / "summary.json").exists()
    assert (out / "quarantine.jsonl").read_text() == ""


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_farm_every_format_names_a_flagged_paragraph(fmt) -> None:
    result = runner.invoke(app, ["farm", str(SEEDS), "-f", fmt, "-q"])
    assert result.exit_code == 0, result.output
    assert "003_64eda074f9ee67a7.txt" in result.stdout
    assert "callout" in result.stdout


def test_farm_quarantines_bad_records_and_keeps_the_rest(tmp_path) -> None:
    path = tmp_path / "crawl.jsonl"
    good = {"id": "ok", "text": "Officials met on Friday.\n\nAlso read\n\nThey agreed."}
    empty = {"id": "empty", "text": ""}
    path.write_text(f"{json.dumps(good)}\n{{broken\n{json.dumps(empty)}\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["farm", str(path), "--out", str(out), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [r["doc_id"] for r in json.loads(result.stdout)] == ["ok"]
    lines = [json.loads(x) for x in (out / "quarantine.jsonl").read_text().splitlines()]
    assert sorted(q["source"].rsplit(":", 1)[1] for q in lines) == ["2", "3"]
    assert any("empty text" in q["reason"] for q in lines)
    assert "2 quarantined" in result.stderr


def test_farm_missing_input_is_one_line_and_nonzero(tmp_path) -> None:
    result = runner.invoke(app, ["farm", str(tmp_path / "nope.jsonl")])
    assert result.exit_code != 0
    assert result.stderr.strip().count("\n") == 0
    assert "nope.jsonl" in result.stderr
    assert "Traceback" not in result.output


def test_farm_bad_threshold_and_params_are_one_line(tmp_path) -> None:
    for args in (["--threshold", "1.5"], ["--params", str(tmp_path / "none")]):
        result = runner.invoke(app, ["farm", str(SEEDS), *args])
        assert result.exit_code == 2, result.output
        assert result.stderr.strip().count("\n") == 0
        assert result.stderr.startswith("dedup: error:")


def test_report_highlights_the_seed_filler(tmp_path) -> None:
    out = tmp_path / "farm"
    assert (
        runner.invoke(app, ["farm", str(SEEDS), "--out", str(out), "-q"]).exit_code == 0
    )
    html = tmp_path / "r.html"
    result = runner.invoke(
        app, ["report", str(out), "--input", str(SEEDS), "--html", str(html)]
    )
    assert result.exit_code == 0, result.output
    page = html.read_text("utf-8")
    assert '<section id="filler">' in page
    # The filler paragraphs are shown highlighted, with their reasons.
    filler = page.split('<section id="filler">', 1)[1]
    assert filler.count('class="para filler"') >= 30
    assert "Did You Know?" in filler
    assert "callout label" in filler
