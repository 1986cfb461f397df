import json

import polars as pl
import pytest
from conftest import SEEDS
from typer.testing import CliRunner

from dedup.cli import app

runner = CliRunner()


def test_scan_seeds_finds_no_near_duplicates(tmp_path) -> None:
    result = runner.invoke(
        app, ["scan", str(SEEDS), "--out", str(tmp_path), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    docs = pl.read_parquet(tmp_path / "docs.parquet")
    assert docs.height == 5
    assert (docs["cluster_size"] == 1).all()
    assert pl.read_parquet(tmp_path / "pairs.parquet").height == 0
    assert (tmp_path / "quarantine.jsonl").read_text() == ""
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["documents"] == 5


@pytest.fixture
def dup_jsonl(tmp_path):
    text = " ".join(f"word{i}" for i in range(60))
    lines = [
        {"id": "a", "text": text, "title": "First", "published": "2024-05-01"},
        {
            "id": "b",
            "text": text + " extra words here",
            "title": "Second",
            "published": "2024-05-02",
        },
        {"id": "c", "text": "completely different text about something else entirely"},
        {"id": "d", "text": ""},
    ]
    path = tmp_path / "crawl.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n{broken\n")
    return path


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "markdown", "table"])
def test_every_format_names_the_cluster(dup_jsonl, fmt) -> None:
    result = runner.invoke(app, ["scan", str(dup_jsonl), "-f", fmt, "-q"])
    assert result.exit_code == 0, result.output
    assert "a" in result.stdout and "b" in result.stdout
    if fmt == "jsonl":
        (record,) = [json.loads(x) for x in result.stdout.splitlines()]
        assert record["canonical"] == "a"  # earliest published
        assert {m["doc_id"] for m in record["members"]} == {"a", "b"}


def test_bad_records_are_quarantined_with_reasons(dup_jsonl, tmp_path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["scan", str(dup_jsonl), "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [
        json.loads(x) for x in (out / "quarantine.jsonl").read_text().splitlines()
    ]
    assert len(records) == 2
    assert any("empty text" in r["reason"] for r in records)
    assert any(r["source"].endswith(":5") for r in records)
    assert "2 quarantined" in result.stderr


def test_missing_input_is_one_line_and_nonzero(tmp_path) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path / "nope.jsonl")])
    assert result.exit_code != 0
    assert result.stderr.strip().count("\n") == 0
    assert "nope.jsonl" in result.stderr
    assert "Traceback" not in result.output


def test_bad_threshold_is_one_line(tmp_path) -> None:
    result = runner.invoke(app, ["scan", str(SEEDS), "--threshold", "2"])
    assert result.exit_code == 2
    assert "threshold must be in (0, 1]" in result.stderr


def test_stdin_jsonl(dup_jsonl) -> None:
    result = runner.invoke(
        app, ["scan", "-", "-f", "jsonl", "-q"], input=dup_jsonl.read_bytes()
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0])["size"] == 2


def test_parquet_with_custom_fields(tmp_path) -> None:
    text = " ".join(f"token{i}" for i in range(50))
    path = tmp_path / "crawl.parquet"
    pl.DataFrame({"key": ["x", "y"], "body": [text, text]}).write_parquet(path)
    result = runner.invoke(
        app,
        [
            "scan",
            str(path),
            "--id-field",
            "key",
            "--text-field",
            "body",
            "-f",
            "json",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["size"] == 2


def test_every_command_has_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert commands
    for name in commands:
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0
        assert len(sub.stdout) > 200


def test_scan_writes_a_report_and_report_command_renders_it(
    dup_jsonl, tmp_path
) -> None:
    out = tmp_path / "res"
    html = tmp_path / "r.html"
    result = runner.invoke(
        app, ["scan", str(dup_jsonl), "--out", str(out), "--report", str(html), "-q"]
    )
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert "<script" not in page.lower()
    assert "Clusters" in page
    md = runner.invoke(app, ["report", str(out), "--input", str(dup_jsonl)])
    assert md.exit_code == 0, md.output
    assert "# dedup report" in md.stdout
    missing = runner.invoke(app, ["report", str(tmp_path / "nope")])
    assert missing.exit_code != 0
    assert "nope" in missing.stderr


def test_passages_finds_the_seed_repeats_and_strips_them(tmp_path) -> None:
    out = tmp_path / "p"
    result = runner.invoke(
        app, ["passages", str(SEEDS), "--out", str(out), "--strip", "-f", "jsonl", "-q"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in result.stdout.splitlines()]
    kinds = {r["kind"] for r in records}
    assert kinds == {"shared", "internal_repeat", "boilerplate"}
    assert any(r["text"] == "Also read" for r in records)
    cleaned = pl.read_parquet(out / "cleaned.parquet")
    removed = pl.read_parquet(out / "removed.parquet")
    assert cleaned.height == 5
    assert removed.height > 0
    occ = pl.read_parquet(out / "occurrences.parquet")
    assert {"passage_id", "doc_id", "start", "end"} <= set(occ.columns)


def test_passages_strip_without_out_is_an_error() -> None:
    result = runner.invoke(app, ["passages", str(SEEDS), "--strip"])
    assert result.exit_code == 2
    assert "--strip needs --out" in result.stderr
