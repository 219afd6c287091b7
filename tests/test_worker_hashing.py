"""With nothing in the cache for a batch's options, plain files are hashed by the workers.

The parent then reads no plain file: each is read once, by the worker that parses it.  What
comes out must be what the parent-hashing path gives (same activity ids, same rows), the cache
must learn every file's identity and content, and a cache that already holds records for the
options must still find a moved file's record by its content (read and hashed in the parent).
"""

from __future__ import annotations

import gzip
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from export_builders import small_track, write

from runload.io import batch
from runload.io.batch import read_activities
from runload.io.cache import ActivityCache
from runload.io.cache_identity import FileIdentity
from runload.io.plan import Item
from runload.testing.fit import fit_bytes
from runload.testing.gpx import gpx_bytes
from runload.testing.tcx import tcx_bytes

N_DAYS = 6


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Plain and gzipped FIT, GPX and TCX files, dated in the past (trusted by the cache)."""
    runs = tmp_path / "runs"
    writers = {"fit": fit_bytes, "gpx": gpx_bytes, "tcx": tcx_bytes}
    for day in range(1, N_DAYS + 1):
        kind = ("fit", "gpx", "tcx")[day % 3]
        data = writers[kind](small_track(day))
        name = f"day{day}.{kind}"
        if day % 2:
            data, name = gzip.compress(data, mtime=0), name + ".gz"
        path = write(runs / name, data)
        then = time.time() - 120
        os.utime(path, (then, then))
    return runs


@pytest.fixture
def parent_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The items the parent reads (and hashes); a pool from the first file on."""
    monkeypatch.setattr(batch, "SEQUENTIAL_BELOW", 1)
    seen: list[str] = []
    real = batch.read_item_bytes

    def counting(item: Item, stack: object) -> bytes:
        seen.append(item.path)
        return real(item, stack)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "read_item_bytes", counting)
    return seen


def _identities(folder: Path) -> list[object]:
    paths = sorted(str(p) for p in folder.iterdir())
    return [batch._identity(Item(p, ("file", p)), {}) for p in paths]


def _read(source: Path, cache: object, jobs: int):
    return read_activities(source, cache=cache, jobs=jobs, progress=False)  # type: ignore[arg-type]


def test_empty_cache_files_are_read_once_by_the_workers(
    folder: Path, tmp_path: Path, parent_reads: list[str]
) -> None:
    cache = tmp_path / "cache"
    pooled = _read(folder, cache, jobs=2)
    assert parent_reads == []
    assert pooled.stats["parsed"] == N_DAYS
    # The same rows, ids included, as the parent-hashing, single-process path (no cache).
    alone = _read(folder, None, jobs=1)
    assert len(parent_reads) == N_DAYS  # (a single process reads in the parent)
    parent_reads.clear()
    pd.testing.assert_frame_equal(pooled.activities, alone.activities)
    assert pooled.errors.empty

    # Every file's identity and content were learnt.
    store = ActivityCache(cache)
    try:
        assert len(list(store.keys())) == N_DAYS
        assert len(store.lookup_identities(_identities(folder))) == N_DAYS
    finally:
        store.close()


def test_without_a_cache_the_workers_hash(folder: Path, parent_reads: list[str]) -> None:
    log = _read(folder, None, jobs=2)
    assert parent_reads == []
    assert len(log.activities) == N_DAYS


def test_a_moved_file_is_found_by_content_when_the_cache_has_records(
    folder: Path, tmp_path: Path, parent_reads: list[str]
) -> None:
    cache = tmp_path / "cache"
    first = _read(folder, cache, jobs=2)
    moved = tmp_path / "moved"
    shutil.copytree(folder, moved)  # new paths: identities unknown, contents known
    second = _read(moved, cache, jobs=2)
    assert sorted(parent_reads) == sorted(str(p) for p in moved.iterdir())
    assert second.stats["cached"] == N_DAYS
    assert second.stats["parsed"] == 0
    assert list(second.activities.index) == list(first.activities.index)


def test_a_file_that_changed_after_its_stat_is_not_cached(
    folder: Path, tmp_path: Path, parent_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = batch._identity
    moving = folder / "day2.tcx"  # not gzipped: the activity id is the content hash
    assert moving.is_file()

    def one_byte_off(item: Item, archives: dict) -> object:
        identity = real(item, archives)
        if isinstance(identity, FileIdentity) and item.path == str(moving):
            return identity._replace(size=identity.size + 1)
        return identity

    monkeypatch.setattr(batch, "_identity", one_byte_off)
    cache = tmp_path / "cache"
    log = _read(folder, cache, jobs=2)
    assert len(log.activities) == N_DAYS  # read all the same
    monkeypatch.setattr(batch, "_identity", real)
    store = ActivityCache(cache)
    try:
        assert len(list(store.keys())) == N_DAYS - 1  # but the moving file is not cached
        known = store.lookup_identities(_identities(folder))
        assert len(known) == N_DAYS - 1
        true_identity = real(Item(str(moving), ("file", str(moving))), {})
        assert true_identity not in known
        # Nor the identity the run saw (the one a worker's content could have been tied to).
        assert isinstance(true_identity, FileIdentity)
        seen = true_identity._replace(size=true_identity.size + 1)
        assert store.lookup_identities([seen]) == {}
    finally:
        store.close()
    copy = tmp_path / "copy"  # (the same folder again would be served whole from its snapshot)
    shutil.copytree(folder, copy)
    again = _read(copy, cache, jobs=2)
    assert again.stats["parsed"] == 1
    assert again.stats["cached"] == N_DAYS - 1
