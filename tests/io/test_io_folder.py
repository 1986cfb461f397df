"""A folder of .txt/.md files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from io_helpers import read_all

from dedup.errors import InputError
from dedup.io import ReadOptions, open_source
from dedup.io.source import BAD_UTF8, EMPTY, TOO_LONG


def make(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def test_happy_path(tmp_path):
    root = make(
        tmp_path / "docs",
        {
            "b.txt": b"bee",
            "a.md": "\ufeffay with a BOM".encode(),
            "sub/z.txt": b"zed",
            "sub/deeper/c.TXT": b"upper-case suffix",
            "000_x.txt": b"zero",
            "notes.json": b"not a document",
            ".hidden.txt": b"skipped",
            ".git/objects/x.txt": b"skipped too",
        },
    )
    got = read_all(open_source(root, ReadOptions(batch_size=2)))
    assert got.ids == ["000_x.txt", "a.md", "b.txt", "sub/deeper/c.TXT", "sub/z.txt"]
    assert got.frame["text"].to_list() == [
        "zero",
        "ay with a BOM",
        "bee",
        "upper-case suffix",
        "zed",
    ]
    assert got.frame.columns == ["row", "doc_id", "text"]
    assert [b["row"].to_list() for b in got.batches] == [[0, 1], [2, 3], [4]]
    assert got.n_read == 5


def test_seeds_folder():
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    if not seeds.is_dir():
        pytest.skip("no seeds folder")
    got = read_all(open_source(seeds))
    assert got.ids == sorted(p.name for p in seeds.glob("*.txt"))


def test_bad_files_are_quarantined(tmp_path):
    root = make(
        tmp_path / "in",
        {
            "good.txt": b"fine",
            "latin1.txt": b"caf\xe9",
            "empty.md": b"",
            "blank.txt": b" \n\t\n",
            "long.txt": b"x" * 11,
            "huge.txt": b"x" * 100,
        },
    )
    got = read_all(open_source(str(root), ReadOptions(max_chars=10)))
    assert got.ids == ["good.txt"]
    quarantined = {q.source: (q.record, q.reason, q.kind) for q in got.quarantine}
    assert quarantined == {
        f"{root}/blank.txt": ("blank.txt", "empty text", EMPTY),
        f"{root}/empty.md": ("empty.md", "empty text", EMPTY),
        f"{root}/huge.txt": (
            "huge.txt",
            "file has more than 40 bytes, so more than max_chars=10 characters",
            TOO_LONG,
        ),
        f"{root}/latin1.txt": ("latin1.txt", "invalid UTF-8 at byte 3", BAD_UTF8),
        f"{root}/long.txt": (
            "long.txt",
            "text has 11 characters, above max_chars=10",
            TOO_LONG,
        ),
    }
    # In input (sorted path) order.
    assert [q.record for q in got.quarantine] == sorted(quarantined_ids(got))
    assert got.n_read == 6


def quarantined_ids(got) -> list[str]:
    return [q.record for q in got.quarantine]


def test_source_label_uses_the_folder_as_given(tmp_path, monkeypatch):
    make(tmp_path / "crawl", {"sub/a.txt": b"", "b.txt": b"ok"})
    monkeypatch.chdir(tmp_path)
    got = read_all(open_source("crawl/"))
    assert [q.source for q in got.quarantine] == ["crawl/sub/a.txt"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs non-root")
def test_unreadable_file_is_quarantined(tmp_path):
    root = make(tmp_path / "in", {"a.txt": b"ok", "b.txt": b"secret"})
    (root / "b.txt").chmod(0)
    got = read_all(open_source(root))
    assert got.quarantine[0].reason.startswith("cannot read file")


def test_empty_folder_is_an_input_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"empty: folder has no \.txt or \.md files"):
        open_source(tmp_path / "empty")


def test_folder_without_documents_is_an_input_error(tmp_path):
    make(tmp_path / "other", {"data.csv": b"a,b", "sub/x.json": b"{}"})
    with pytest.raises(InputError, match=r"no \.txt or \.md files"):
        open_source(tmp_path / "other")
