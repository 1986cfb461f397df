"""Parquet files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from io_helpers import read_all

from dedup.errors import InputError
from dedup.io import ReadOptions, open_source
from dedup.io.source import BAD_UTF8, DUPLICATE, EMPTY, MISSING_ID, MISSING_TEXT


def write(tmp_path: Path, columns: dict, name: str = "crawl.parquet", **kw) -> str:
    path = tmp_path / name
    pq.write_table(pa.table(columns), path, **kw)
    return str(path)


def test_happy_path(tmp_path):
    n = 11
    path = write(
        tmp_path,
        {
            "extra": list(range(n)),
            "title": [f"T{i}" for i in range(n)],
            "text": [f"text {i}" for i in range(n)],
            "id": [f"id{i}" for i in range(n)],
            "published": [dt.datetime(2025, 1, 1 + i) for i in range(n)],
            "site": pa.array([f"s{i}" for i in range(n)]).dictionary_encode(),
        },
        row_group_size=3,
    )
    got = read_all(open_source(path, ReadOptions(batch_size=4)))
    assert [b.height for b in got.batches] == [4, 4, 3]
    frame = got.frame
    assert frame.columns == ["row", "doc_id", "text", "site", "published", "title"]
    assert got.ids == [f"id{i}" for i in range(n)]
    assert frame["text"].to_list() == [f"text {i}" for i in range(n)]
    assert frame["site"][3] == "s3"
    assert frame["published"][0].startswith("2025-01-01")
    assert frame["row"].to_list() == list(range(n))


def test_without_id_column_row_numbers_are_ids(tmp_path):
    path = write(tmp_path, {"text": ["a", "", "c"]}, name="noid.pq")
    got = read_all(open_source(path))
    assert got.ids == ["0", "2"]
    assert got.reasons == {f"{path}:row 1": "empty text"}
    assert got.quarantine[0].kind == EMPTY


def test_integer_ids_and_duplicates(tmp_path):
    path = write(tmp_path, {"id": [5, 6, 5, None], "text": ["a", "b", "c", "d"]})
    got = read_all(open_source(path, ReadOptions(batch_size=1)))
    assert got.ids == ["5", "6"]
    assert [(q.source, q.reason, q.kind) for q in got.quarantine] == [
        (
            f"{path}:row 2",
            f"duplicate doc_id '5' (first seen at {path}:row 0)",
            DUPLICATE,
        ),
        (f"{path}:row 3", "id field 'id' is null", MISSING_ID),
    ]


def test_null_text_is_quarantined(tmp_path):
    path = write(tmp_path, {"id": ["a", "b", "c"], "text": ["x", None, "z"]})
    got = read_all(open_source(path))
    assert got.ids == ["a", "c"]
    [q] = got.quarantine
    assert (q.source, q.record, q.reason, q.kind) == (
        f"{path}:row 1",
        "b",
        "text field 'text' is null",
        MISSING_TEXT,
    )
    assert got.n_read == 3


def test_binary_text_with_bad_utf8(tmp_path):
    path = write(
        tmp_path, {"text": pa.array([b"ok", b"caf\xe9", b"fine"], pa.binary())}
    )
    got = read_all(open_source(path))
    assert got.ids == ["0", "2"]
    assert got.quarantine[0].reason == "invalid UTF-8 in text at byte 3"
    assert got.quarantine[0].kind == BAD_UTF8


def test_enormous_text(tmp_path):
    path = write(tmp_path, {"id": ["s", "l"], "text": ["12345", "123456"]})
    got = read_all(open_source(path, ReadOptions(max_chars=5)))
    assert got.reasons == {f"{path}:row 1": "text has 6 characters, above max_chars=5"}


def test_custom_text_field(tmp_path):
    path = write(tmp_path, {"body": ["a", "b"], "uid": ["u", "v"]})
    got = read_all(open_source(path, ReadOptions(id_field="uid", text_field="body")))
    assert got.ids == ["u", "v"]


def test_missing_text_column(tmp_path):
    path = write(tmp_path, {"id": ["a"], "body": ["x"]})
    with pytest.raises(InputError) as err:
        open_source(path)
    message = str(err.value)
    assert message.startswith(f"{path}: no text column 'text'")
    assert "'id', 'body'" in message
    assert "pick one with --text-field" in message


def test_text_column_that_is_not_text(tmp_path):
    path = write(tmp_path, {"text": [1, 2]})
    with pytest.raises(InputError, match="text column 'text' holds int64, not text"):
        open_source(path)


def test_not_a_parquet_file(tmp_path):
    path = tmp_path / "junk.parquet"
    path.write_bytes(b"PAR1 this is not parquet at all")
    with pytest.raises(
        InputError, match=r"junk\.parquet: not a readable Parquet file"
    ) as err:
        open_source(path)
    assert "\n" not in str(err.value)


def test_truncated_parquet(tmp_path):
    path = Path(write(tmp_path, {"text": ["x" * 100] * 1000}))
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(InputError, match="not a readable Parquet file"):
        open_source(path)


def test_nested_and_odd_carried_columns(tmp_path):
    path = write(
        tmp_path,
        {
            "text": ["a", "b"],
            "title": [{"en": "T", "n": 1}, None],
            "site": [["x", "y"], ["z"]],
            "url": pa.array([b"http://\xff", b"http://ok"], pa.binary()),
            "published": [dt.date(2025, 1, 2), None],
        },
    )
    got = read_all(open_source(path))
    frame = got.frame
    assert frame["title"].to_list() == ['{"en": "T", "n": 1}', None]
    assert frame["site"].to_list() == ['["x", "y"]', '["z"]']
    assert frame["url"].to_list() == ["http://\ufffd", "http://ok"]
    assert frame["published"].to_list() == ["2025-01-02", None]


def test_id_column_of_floats_is_refused(tmp_path):
    path = write(tmp_path, {"id": [1.5], "text": ["a"]})
    with pytest.raises(InputError, match="id column 'id' holds double"):
        open_source(path)
