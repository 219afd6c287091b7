"""Warm reads: files the cache has seen unchanged (path, size, mtime) are not read again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from export_builders import fit_of, write, zip_bytes

from runload.io import batch
from runload.io.batch import read_activities
from runload.io.plan import Item


def _age(path: Path, seconds: float = 60.0) -> None:
    """Set a file's times in the past: files modified in the last 2 s are not trusted."""
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def runs(tmp_path: Path) -> list[Path]:
    paths = [write(tmp_path / "runs" / f"run{day}.fit", fit_of(day)) for day in (1, 2, 3, 4)]
    for path in paths:
        _age(path)
    return paths


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = batch.read_item_bytes

    def counting(item: Item, stack: object) -> bytes:
        seen.append(item.path)
        return real(item, stack)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "read_item_bytes", counting)
    return seen


def _read(folder: Path, cache: Path, **kwargs: object):
    return read_activities(folder, cache=cache, jobs=1, progress=False, **kwargs)  # type: ignore[arg-type]


def test_unchanged_files_are_not_read_again(
    runs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = _read(tmp_path / "runs", cache)
    reads = _count_reads(monkeypatch)
    second = _read(tmp_path / "runs", cache)
    assert reads == []
    assert second.stats["cached"] == 4
    assert second.activities.equals(first.activities)


def test_a_changed_file_is_read_and_the_rest_are_not(
    runs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = _read(tmp_path / "runs", cache)
    write(runs[0], fit_of(9))  # another run in the same file: new content, new time
    _age(runs[0], 30.0)
    reads = _count_reads(monkeypatch)
    second = _read(tmp_path / "runs", cache)
    assert reads == [str(runs[0])]
    assert second.stats["parsed"] == 1
    assert second.stats["cached"] == 3
    changed = second.activities[second.activities["source_path"] == str(runs[0])]
    before = first.activities[first.activities["source_path"] == str(runs[0])]
    assert changed.index[0] != before.index[0]


def test_same_size_new_time_is_read_again(
    runs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    _read(tmp_path / "runs", cache)
    _age(runs[1], 10.0)  # touched: same bytes, another time
    reads = _count_reads(monkeypatch)
    second = _read(tmp_path / "runs", cache)
    assert reads == [str(runs[1])]
    assert second.stats["cached"] == 4  # read and hashed, then found by content


def test_rehash_reads_every_file(
    runs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    _read(tmp_path / "runs", cache)
    reads = _count_reads(monkeypatch)
    second = _read(tmp_path / "runs", cache, rehash=True)
    assert sorted(reads) == sorted(str(p) for p in runs)
    assert second.stats["cached"] == 4 and second.stats["parsed"] == 0


def test_files_just_written_are_not_trusted_by_their_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = write(tmp_path / "runs" / "now.fit", fit_of(5))  # modified less than 2 s ago
    cache = tmp_path / "cache"
    _read(tmp_path / "runs", cache)
    reads = _count_reads(monkeypatch)
    _read(tmp_path / "runs", cache)
    assert reads == [str(fresh)]


def test_members_of_an_unchanged_archive_are_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = write(tmp_path / "runs.zip", zip_bytes({f"run{d}.fit": fit_of(d) for d in (1, 2, 3)}))
    _age(archive)
    cache = tmp_path / "cache"
    _read(archive, cache)
    reads = _count_reads(monkeypatch)
    second = _read(archive, cache)
    assert reads == []
    assert second.stats["cached"] == 3
    # The archive rewritten (one member fewer): its members are read again.
    write(archive, zip_bytes({f"run{d}.fit": fit_of(d) for d in (1, 2)}))
    _age(archive, 30.0)
    third = _read(archive, cache)
    assert sorted(reads) == [f"{archive}!run1.fit", f"{archive}!run2.fit"]
    assert len(third.activities) == 2
