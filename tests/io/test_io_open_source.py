"""Format detection and the errors open_source raises."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from io_helpers import read_all

from dedup.errors import ConfigError, InputError
from dedup.io import ReadOptions, open_source
from dedup.io.csvfile import CsvSource
from dedup.io.folder import FolderSource
from dedup.io.jsonl import JsonlSource
from dedup.io.parquet import ParquetSource

JSONL = b'{"id": "a", "text": "hello"}\n'


def test_missing_path(tmp_path):
    with pytest.raises(
        InputError, match=r"^nowhere\.jsonl: no such file or directory$"
    ):
        open_source("nowhere.jsonl")


def test_unknown_extension(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("x.xyz").write_bytes(JSONL)
    with pytest.raises(InputError) as err:
        open_source("x.xyz")
    assert str(err.value) == (
        "cannot tell the format of 'x.xyz'; use .jsonl, .jsonl.gz, .jsonl.zst, "
        ".parquet, .csv or a folder, or pass --format-in"
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.jsonl", JsonlSource),
        ("a.NDJSON", JsonlSource),
        ("a.json", JsonlSource),
        ("a.csv", CsvSource),
    ],
)
def test_detected_by_extension(tmp_path, name, kind):
    data = JSONL if kind is JsonlSource else b"id,text\na,hello\n"
    (tmp_path / name).write_bytes(data)
    assert type(open_source(tmp_path / name)) is kind


def test_folder_and_parquet_detected(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("x")
    pq.write_table(pa.table({"text": ["x"]}), tmp_path / "t.pq")
    assert type(open_source(tmp_path / "d")) is FolderSource
    assert type(open_source(tmp_path / "t.pq")) is ParquetSource


def test_format_override(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes(JSONL)
    assert read_all(open_source(path, fmt="jsonl")).ids == ["a"]


def test_format_override_unknown(tmp_path):
    with pytest.raises(ConfigError, match="unknown input format 'xml'"):
        open_source(tmp_path, fmt="xml")


def test_format_override_contradicts_the_path(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(JSONL)
    with pytest.raises(InputError, match="is a folder, not a csv file"):
        open_source(tmp_path, fmt="csv")
    with pytest.raises(InputError, match="is not a folder"):
        open_source(tmp_path / "a.jsonl", fmt="folder")
    with pytest.raises(InputError, match="stdin can only be read as JSONL"):
        open_source("-", fmt="parquet")


def test_override_as_parquet_of_a_jsonl_file(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(JSONL)
    with pytest.raises(InputError, match="not a readable Parquet file"):
        open_source(tmp_path / "a.jsonl", fmt="parquet")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs non-root")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.jsonl"
    path.write_bytes(JSONL)
    path.chmod(0)
    with pytest.raises(InputError, match=r"secret\.jsonl: cannot read"):
        open_source(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_spooled(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    data = b"".join(json.dumps({"text": f"t{i}"}).encode() + b"\n" for i in range(5))

    def feed() -> None:
        with open(fifo, "wb") as out:
            out.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    with open_source(fifo, fmt="jsonl") as src:
        got = read_all(src)
    writer.join(timeout=5)
    assert got.ids == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    "kwargs",
    [{"batch_size": 0}, {"max_chars": 0}, {"text_field": ""}, {"id_field": ""}],
)
def test_read_options_are_checked(kwargs):
    with pytest.raises(ConfigError):
        ReadOptions(**kwargs)


def test_repr_and_name(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(JSONL)
    src = open_source(str(tmp_path / "a.jsonl"))
    assert src.name == str(tmp_path / "a.jsonl")
    assert repr(src) == f"JsonlSource({src.name!r})"
