"""CSV files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from io_helpers import read_all

from dedup.errors import InputError
from dedup.io import ReadOptions, open_source
from dedup.io.source import BAD_ROW, BAD_UTF8, EMPTY, MISSING_TEXT


def write(tmp_path: Path, data: bytes | str, name: str = "crawl.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


CSV = (
    "id,text,url,junk,title\n"
    'a,"first, with a comma",http://a,1,A\n'
    'b,"second\nover two lines",http://b,2,\n'
    "c,NA,,3,C\n"
    "d,0123,http://d,4,D\n"
    'e,"say ""hi""",http://e,5,E\n'
)


def test_happy_path(tmp_path):
    got = read_all(open_source(write(tmp_path, CSV), ReadOptions(batch_size=2)))
    frame = got.frame
    assert frame.columns == ["row", "doc_id", "text", "url", "title"]
    assert got.ids == ["a", "b", "c", "d", "e"]
    assert frame["text"].to_list() == [
        "first, with a comma",
        "second\nover two lines",
        "NA",
        "0123",
        'say "hi"',
    ]
    assert frame["url"].to_list() == [
        "http://a",
        "http://b",
        None,
        "http://d",
        "http://e",
    ]
    assert frame["title"].to_list() == ["A", None, "C", "D", "E"]
    assert [b["row"].to_list() for b in got.batches] == [[0, 1], [2, 3], [4]]


def test_gzipped(tmp_path):
    path = write(tmp_path, gzip.compress(CSV.encode()), name="crawl.csv.gz")
    assert read_all(open_source(path)).ids == ["a", "b", "c", "d", "e"]


def test_null_and_empty_text(tmp_path):
    path = write(tmp_path, 'id,text\na,x\nb,\nc,""\nd,"  "\n')
    got = read_all(open_source(path))
    assert got.ids == ["a"]
    assert [(q.source, q.record, q.reason, q.kind) for q in got.quarantine] == [
        (f"{path}:row 1", "b", "text field 'text' is null", MISSING_TEXT),
        (f"{path}:row 2", "c", "empty text", EMPTY),
        (f"{path}:row 3", "d", "empty text", EMPTY),
    ]
    assert got.n_read == 4


def test_rows_with_wrong_field_count(tmp_path):
    path = write(tmp_path, "text,url\nok,u\ntoo,many,fields\n\nfine,v\nshort\n")
    got = read_all(open_source(path))
    assert got.ids == ["0", "2"]  # no id column: row numbers, bad rows counted
    assert [(q.source, q.reason, q.kind) for q in got.quarantine] == [
        (f"{path}:row 1", "expected 2 fields, found 3", BAD_ROW),
        (f"{path}:row 3", "expected 2 fields, found 1", BAD_ROW),
    ]
    assert got.n_read == 4


def test_bad_rows_spread_over_many_batches(tmp_path):
    rows = ["id,text"]
    for i in range(300):
        rows.append(f"{i},bad,extra" if i % 7 == 3 else f"{i},text {i}")
    got = read_all(
        open_source(write(tmp_path, "\n".join(rows) + "\n"), ReadOptions(batch_size=16))
    )
    bad = [i for i in range(300) if i % 7 == 3]
    assert got.ids == [str(i) for i in range(300) if i % 7 != 3]
    assert [q.source.rsplit(" ", 1)[1] for q in got.quarantine] == [str(i) for i in bad]
    # The labels match the ids: row i holds id i.
    assert got.n_read == 300


def test_invalid_utf8_in_text(tmp_path):
    path = write(tmp_path, b"id,text\na,caf\xe9\nb,ok\n")
    got = read_all(open_source(path))
    assert got.ids == ["b"]
    [q] = got.quarantine
    assert (q.source, q.record, q.reason, q.kind) == (
        f"{path}:row 0",
        "a",
        "invalid UTF-8 in text at byte 3",
        BAD_UTF8,
    )


def test_duplicate_and_enormous(tmp_path):
    path = write(tmp_path, "id,text\na,one\na,two\nb,xxxxxxxxxxx\n")
    got = read_all(open_source(path, ReadOptions(max_chars=10)))
    assert got.ids == ["a"]
    assert [q.reason for q in got.quarantine] == [
        f"duplicate doc_id 'a' (first seen at {path}:row 0)",
        "text has 11 characters, above max_chars=10",
    ]


def test_header_only_is_fine(tmp_path):
    got = read_all(open_source(write(tmp_path, "id,text\n")))
    assert got.batches == [] and got.n_read == 0


def test_empty_file_has_no_header(tmp_path):
    path = write(tmp_path, "")
    with pytest.raises(InputError, match=r"crawl\.csv: empty file, no header row"):
        open_source(path)


def test_missing_text_column(tmp_path):
    path = write(tmp_path, "id,body\n1,hello\n")
    with pytest.raises(InputError, match=r"no text column 'text'.*--text-field"):
        open_source(path)


def test_headerless_csv_is_reported_as_missing_text_column(tmp_path):
    path = write(tmp_path, "1,hello world\n2,again\n")
    with pytest.raises(InputError, match=r"columns: '1', 'hello world'"):
        open_source(path)


def test_truncated_gzip_csv(tmp_path):
    blob = gzip.compress(
        ("id,text\n" + "".join(f"{i},t{i}\n" for i in range(200_000))).encode()
    )
    path = write(tmp_path, blob[: len(blob) // 2], name="cut.csv.gz")
    with pytest.raises(InputError, match=r"cut\.csv\.gz"):
        list(open_source(path).batches())


def test_invalid_utf8_in_id_and_carried(tmp_path):
    path = write(tmp_path, b"id,text,url\n\xff,x,u\nb,y,http://\xfe\n")
    got = read_all(open_source(path))
    assert got.ids == ["b"]
    assert got.frame["url"].to_list() == ["http://\ufffd"]
    [q] = got.quarantine
    assert (q.source, q.reason) == (
        f"{path}:row 0",
        "id field 'id' has invalid UTF-8 at byte 0",
    )
