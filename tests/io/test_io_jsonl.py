"""JSON Lines: plain, gzip, zstandard, stdin."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import zstandard
from io_helpers import read_all

from dedup.errors import InputError
from dedup.io import ReadOptions, open_source
from dedup.io.source import BAD_JSON, BAD_UTF8, DUPLICATE, EMPTY, TOO_LONG


def lines(*records: Any) -> bytes:
    """One line per record: dicts/lists as JSON, bytes and str as written."""
    out = []
    for r in records:
        if isinstance(r, bytes):
            out.append(r)
        elif isinstance(r, str):
            out.append(r.encode())
        else:
            out.append(json.dumps(r).encode())
    return b"\n".join(out) + b"\n"


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


DOCS = [
    {"id": "a", "text": "alpha one", "url": "http://a", "title": "A", "x": 1},
    {"id": 2, "text": "beta two", "url": "http://b", "published": 1700000000},
    {"id": "c", "text": "gamma three", "title": None},
    {"id": "d", "text": "delta four", "url": "http://d", "title": "D"},
    {"id": "e", "text": "epsilon five"},
]


def test_happy_path(tmp_path):
    path = write(tmp_path, "crawl.jsonl", lines(*DOCS))
    src = open_source(path, ReadOptions(batch_size=2))
    got = read_all(src)

    assert [b.height for b in got.batches] == [2, 2, 1]
    frame = got.frame
    assert frame.columns == ["row", "doc_id", "text", "url", "published", "title"]
    assert frame["row"].to_list() == [0, 1, 2, 3, 4]
    assert got.ids == ["a", "2", "c", "d", "e"]
    assert frame["text"].to_list() == [d["text"] for d in DOCS]
    assert frame["url"].to_list() == ["http://a", "http://b", None, "http://d", None]
    assert frame["published"].to_list() == [None, "1700000000", None, None, None]
    assert frame["title"].to_list() == ["A", None, None, "D", None]
    assert got.quarantine == []
    assert got.n_read == 5


def test_carried_field_first_seen_late_is_in_every_batch(tmp_path):
    records = [{"id": str(i), "text": f"doc {i}"} for i in range(7)]
    records[6]["site"] = "example.org"
    path = write(tmp_path, "late.jsonl", lines(*records))
    got = read_all(open_source(path, ReadOptions(batch_size=3)))
    assert all("site" in b.columns for b in got.batches)
    assert got.frame["site"].to_list() == [None] * 6 + ["example.org"]


def test_carried_field_only_nested_is_not_carried(tmp_path):
    # "url" appears only inside another object or inside a text value.
    records = [
        {"text": 'says "url": here', "meta": {"url": "x", "id": 3}},
        {"text": "plain"},
    ]
    got = read_all(open_source(write(tmp_path, "n.jsonl", lines(*records))))
    assert got.frame.columns == ["row", "doc_id", "text"]
    assert got.ids == ["1", "2"]  # no top-level id anywhere: line numbers


def test_without_ids_line_numbers_count_blank_lines(tmp_path):
    data = lines({"text": "one"}, "", "   ", {"text": "two"}) + b"\n"
    got = read_all(open_source(write(tmp_path, "noid.jsonl", data)))
    assert got.ids == ["1", "4"]
    assert got.n_read == 2  # blank lines are not records


def test_some_records_missing_id_are_quarantined(tmp_path):
    data = lines(
        {"id": "a", "text": "x"}, {"text": "no id here"}, {"id": "b", "text": "y"}
    )
    got = read_all(open_source(write(tmp_path, "c.jsonl", data)))
    assert got.ids == ["a", "b"]
    assert got.reasons == {f"{tmp_path}/c.jsonl:2": "missing id field 'id'"}


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (b'{"id": "q", "text": "x" "oops"}', "malformed JSON: Expecting ',' delimiter"),
        (b'{"id": "q", "text": "caf\xe9"}', "invalid UTF-8 at byte 24"),
        (b'["a", "list"]', "not a JSON object (got array)"),
        (b'{"id": "q"}', "missing text field 'text'"),
        (b'{"id": "q", "text": 42}', "text field 'text' is not a string (got int)"),
        (b'{"id": "q", "text": null}', "text field 'text' is null"),
        (b'{"id": "q", "text": ""}', "empty text"),
        (b'{"id": "q", "text": " \\t\\n "}', "empty text"),
        (b'{"id": "q", "text": "bad \\ud800 half"}', "text is not valid Unicode"),
        (b'{"id": 1.5, "text": "x"}', "id field 'id' is not a string or integer"),
        (b'{"id": null, "text": "x"}', "id field 'id' is null"),
        (b'{"id": "", "text": "x"}', "id field 'id' is empty"),
        (b"[" * 100_000, "malformed JSON"),
    ],
)
def test_bad_record_is_quarantined_with_its_line(tmp_path, record, reason):
    data = lines(
        {"id": "first", "text": "ok"}, record, {"id": "last", "text": "ok too"}
    )
    path = write(tmp_path, "bad.jsonl", data)
    got = read_all(open_source(path))
    assert got.ids == ["first", "last"]
    [q] = got.quarantine
    assert q.source == f"{path}:2"
    assert q.reason.startswith(reason)
    assert got.n_read == 3


def test_malformed_json_names_the_column(tmp_path):
    path = write(tmp_path, "m.jsonl", lines({"text": "ok"}, b'{"text": "a" "b"}'))
    [q] = read_all(open_source(path)).quarantine
    assert q.reason == "malformed JSON: Expecting ',' delimiter (col 14)"
    assert q.kind == BAD_JSON


def test_invalid_utf8_reason_and_kind(tmp_path):
    path = write(tmp_path, "u.jsonl", lines({"text": "ok"}, b'{"text": "\xff"}'))
    [q] = read_all(open_source(path)).quarantine
    assert (q.source, q.reason, q.kind) == (
        f"{path}:2",
        "invalid UTF-8 at byte 10",
        BAD_UTF8,
    )


def test_enormous_text(tmp_path):
    data = lines({"id": "s", "text": "x" * 10}, {"id": "l", "text": "é" * 11})
    got = read_all(
        open_source(write(tmp_path, "big.jsonl", data), ReadOptions(max_chars=10))
    )
    assert got.ids == ["s"]
    [q] = got.quarantine
    assert (q.record, q.kind) == ("l", TOO_LONG)
    assert q.reason == "text has 11 characters, above max_chars=10"


def test_enormous_text_reason_uses_thousands_separators(tmp_path):
    data = lines({"id": "l", "text": "x" * 3001})
    got = read_all(
        open_source(write(tmp_path, "b.jsonl", data), ReadOptions(max_chars=3000))
    )
    assert (
        got.quarantine[0].reason == "text has 3,001 characters, above max_chars=3,000"
    )


def test_duplicate_ids_keep_the_first(tmp_path):
    data = lines(
        {"id": 7, "text": "first"},
        {"id": "b", "text": "b"},
        {"id": "7", "text": "int and str ids compare as strings"},
        {"id": "b", "text": ""},  # empty: rejected for that, not as a duplicate
        {"id": "b", "text": "b again"},
    )
    path = write(tmp_path, "dup.jsonl", data)
    got = read_all(open_source(path, ReadOptions(batch_size=1)))
    assert got.ids == ["7", "b"]
    assert [(q.source, q.record, q.reason, q.kind) for q in got.quarantine] == [
        (f"{path}:3", "7", f"duplicate doc_id '7' (first seen at {path}:1)", DUPLICATE),
        (f"{path}:4", "b", "empty text", EMPTY),
        (f"{path}:5", "b", f"duplicate doc_id 'b' (first seen at {path}:2)", DUPLICATE),
    ]


def test_duplicates_far_apart_across_many_batches(tmp_path):
    records = [{"id": f"d{i % 50}", "text": f"t{i}"} for i in range(120)]
    got = read_all(
        open_source(
            write(tmp_path, "many.jsonl", lines(*records)), ReadOptions(batch_size=7)
        )
    )
    assert got.ids == [f"d{i}" for i in range(50)]
    assert len(got.quarantine) == 70
    assert got.quarantine[0].reason.endswith(f"first seen at {tmp_path}/many.jsonl:1)")


def test_every_record_quarantined_is_not_an_error(tmp_path):
    got = read_all(
        open_source(write(tmp_path, "all.jsonl", lines({"text": ""}, "nope")))
    )
    assert got.batches == []
    assert got.n_read == 2 and len(got.quarantine) == 2


def test_custom_field_names_bom_and_crlf(tmp_path):
    data = '\ufeff{"uid": "u1", "body": "first"}\r\n{"uid": "u2", "body": "second"}\r\n'
    path = write(tmp_path, "custom.ndjson", data.encode())
    got = read_all(open_source(path, ReadOptions(id_field="uid", text_field="body")))
    assert got.ids == ["u1", "u2"]
    assert got.frame["text"].to_list() == ["first", "second"]


def test_nested_carried_values_become_json(tmp_path):
    data = lines({"text": "x", "title": {"en": "T"}, "site": True, "published": 1.5})
    got = read_all(open_source(write(tmp_path, "n.json", data)))
    row = got.frame.row(0, named=True)
    assert (row["title"], row["site"], row["published"]) == (
        '{"en": "T"}',
        "true",
        "1.5",
    )


def test_quarantine_and_n_read_reset_each_iteration(tmp_path):
    src = open_source(write(tmp_path, "r.jsonl", lines({"text": "a"}, {"text": ""})))
    for _ in range(3):
        batches = src.batches()  # reset happens on the call itself
        assert src.quarantine == [] and src.n_read == 0
        list(batches)
        assert len(src.quarantine) == 1 and src.n_read == 2


def test_abandoned_iteration_then_full_one(tmp_path):
    records = [{"text": f"doc {i}"} for i in range(10)]
    src = open_source(
        write(tmp_path, "a.jsonl", lines(*records)), ReadOptions(batch_size=3)
    )
    it = src.batches()
    next(it)
    del it  # closes the generator and its file (no ResourceWarning)
    assert len(read_all(src).ids) == 10


# -- compressed ---------------------------------------------------------------


def test_gzip(tmp_path):
    path = write(tmp_path, "crawl.jsonl.gz", gzip.compress(lines(*DOCS)))
    got = read_all(open_source(path, ReadOptions(batch_size=2)))
    assert got.ids == ["a", "2", "c", "d", "e"]


def test_zstd_multiple_frames(tmp_path):
    data = lines(*DOCS)
    cut = len(data) // 2
    blob = zstandard.ZstdCompressor().compress(data[:cut])
    blob += zstandard.ZstdCompressor(write_checksum=True).compress(data[cut:])
    got = read_all(open_source(write(tmp_path, "crawl.jsonl.zst", blob)))
    assert got.ids == ["a", "2", "c", "d", "e"]


def test_compression_recognised_without_the_suffix(tmp_path):
    path = write(tmp_path, "sneaky.jsonl", gzip.compress(lines(*DOCS)))
    assert len(read_all(open_source(path)).ids) == 5


def many_lines(n: int = 20_000) -> bytes:
    return lines(*({"id": i, "text": f"document number {i} " * 5} for i in range(n)))


def test_truncated_gzip_names_file_and_line(tmp_path):
    blob = gzip.compress(many_lines())
    path = write(tmp_path, "cut.jsonl.gz", blob[: len(blob) // 2])
    src = open_source(path)
    with pytest.raises(
        InputError, match=r"cut\.jsonl\.gz: corrupt gzip stream after line \d+"
    ):
        list(src.batches())


def test_damaged_gzip(tmp_path):
    blob = bytearray(gzip.compress(many_lines()))
    blob[len(blob) // 2 : len(blob) // 2 + 64] = bytes(64)
    path = write(tmp_path, "bad.jsonl.gz", bytes(blob))
    with pytest.raises(InputError, match=r"bad\.jsonl\.gz: corrupt gzip stream") as err:
        list(open_source(path).batches())
    assert "\n" not in str(err.value)


def test_truncated_zstd_names_file_and_line(tmp_path):
    blob = zstandard.ZstdCompressor().compress(many_lines())
    path = write(tmp_path, "cut.jsonl.zst", blob[: len(blob) // 2])
    with pytest.raises(
        InputError, match=r"cut\.jsonl\.zst: corrupt zstd stream after line \d+"
    ):
        list(open_source(path).batches())


def test_damaged_zstd(tmp_path):
    blob = bytearray(
        zstandard.ZstdCompressor(write_checksum=True).compress(many_lines())
    )
    blob[len(blob) // 2 : len(blob) // 2 + 64] = b"\xff" * 64
    path = write(tmp_path, "bad.jsonl.zst", bytes(blob))
    with pytest.raises(InputError, match=r"bad\.jsonl\.zst: corrupt zstd stream"):
        list(open_source(path).batches())


@pytest.mark.parametrize("name", ["fake.jsonl.gz", "fake.jsonl.zst"])
def test_suffix_promising_compression_that_is_not_there(tmp_path, name):
    path = write(tmp_path, name, lines(*DOCS))
    with pytest.raises(InputError, match=rf"{name}: not a (gzip|zstd) file"):
        open_source(path)


# -- stdin ----------------------------------------------------------------------


def test_stdin_is_spooled_readable_twice_and_cleaned_up(monkeypatch):
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO(lines(*DOCS, "{bad")))
    )
    with open_source("-", ReadOptions(batch_size=2)) as src:
        assert src.name == "-"
        got = read_all(src)
        spooled = src._path
        assert spooled is not None and spooled.exists()
    assert not spooled.exists()
    assert got.ids == ["a", "2", "c", "d", "e"]
    assert got.reasons["<stdin>:6"].startswith("malformed JSON")
    with pytest.raises(InputError, match="closed"):
        list(src.batches())


def test_stdin_compressed(monkeypatch):
    data = zstandard.ZstdCompressor().compress(lines(*DOCS))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    with open_source("-") as src:
        assert read_all(src).ids == ["a", "2", "c", "d", "e"]


def test_stdin_spool_removed_when_source_is_collected(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines(*DOCS))))
    src = open_source("-")
    list(src.batches())
    spooled = src._path
    assert spooled is not None and spooled.exists()
    del src
    assert not spooled.exists()


def test_lone_surrogates_in_id_and_carried_fields(tmp_path):
    data = lines(
        b'{"id": "ok", "text": "fine", "title": "bad \\udc00 title"}',
        b'{"id": "x\\ud800", "text": "fine"}',
        b'{"id": "pair", "text": "emoji \\ud83d\\ude00"}',
    )
    got = read_all(open_source(write(tmp_path, "s.jsonl", data)))
    assert got.ids == ["ok", "pair"]
    assert got.frame["title"].to_list() == ["bad ? title", None]
    assert got.frame["text"][1] == "emoji \U0001f600"
    assert got.quarantine[0].reason == "id is not valid Unicode (lone surrogate)"


def test_overlong_line_is_skipped_without_reading_it(tmp_path, monkeypatch):
    monkeypatch.setattr("dedup.io.jsonl._MIN_LINE_LIMIT", 64)
    huge = {"id": "huge", "text": "x" * 500, "title": "only here"}
    data = lines({"id": "a", "text": "short"}, huge, {"id": "b", "text": "short too"})
    path = write(tmp_path, "long.jsonl", data)
    got = read_all(open_source(path, ReadOptions(max_chars=10)))
    [q] = got.quarantine
    assert (q.source, q.reason) == (f"{path}:2", "line has more than 160 bytes")
    assert got.frame.columns == ["row", "doc_id", "text"]  # "title" was only there
    assert got.ids == ["a", "b"]
    assert got.n_read == 3


def test_pre_scan_across_small_blocks(monkeypatch):
    from dedup.io.jsonl import scan_keys

    monkeypatch.setattr("dedup.io.jsonl._SCAN_BLOCK", 16)
    data = lines(
        {"id": 1, "text": "a"},
        {"title": "in a line over the limit", "text": "y" * 100},
        {"meta": {"site": "nested only"}, "text": "b"},
        {"text": "c", "url": "u"},
    )
    found = scan_keys(io.BytesIO(data), {"id", "url", "site", "title"}, limit=60)
    assert found == {"id", "url"}
