"""Samples are read on first use, cached then, and served from the cache afterwards."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from export_builders import fit_of, write

import runload
from runload.io.batch import read_activities
from runload.io.cache import ActivityCache, options_digest
from runload.io.workers import ReadOptions


def _content(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _options_key() -> str:
    opts = ReadOptions()
    return options_digest(timezone=None, elevation=opts.elevation, max_gap_s=opts.max_gap_s)


def test_a_batch_caches_summaries_and_samples_come_on_first_use(tmp_path: Path) -> None:
    runs = [write(tmp_path / "runs" / f"run{day}.fit", fit_of(day)) for day in (1, 2, 3)]
    cache_dir = tmp_path / "cache"
    log = read_activities(tmp_path / "runs", cache=cache_dir, jobs=1, progress=False)
    assert log.stats["parsed"] == 3
    key = _options_key()
    with ActivityCache(cache_dir) as cache:
        assert all(cache.get(_content(p), key) is not None for p in runs)
        assert all(cache.samples(_content(p), key) is None for p in runs)

    first = runs[0]
    aid = log.activities.index[log.activities["source_path"] == str(first)][0]
    expected = runload.read_activity(first).samples
    pd.testing.assert_frame_equal(log.samples(aid), expected)
    with ActivityCache(cache_dir) as cache:
        assert cache.samples(_content(first), key) is not None
        assert cache.samples(_content(runs[1]), key) is None

    # Now the cache answers: the source is no longer needed.
    first.unlink()
    pd.testing.assert_frame_equal(log.samples(aid), expected)
    again = read_activities(tmp_path / "runs", cache=cache_dir, jobs=1, progress=False)
    assert again.stats["cached"] == 2


def test_a_changed_file_is_not_cached_under_the_old_content(tmp_path: Path) -> None:
    path = write(tmp_path / "runs" / "run.fit", fit_of(4))
    cache_dir = tmp_path / "cache"
    log = read_activities(tmp_path / "runs", cache=cache_dir, jobs=1, progress=False)
    old = _content(path)
    write(path, fit_of(5))  # replaced after the batch, before the samples are asked for
    aid = log.activities.index[0]
    assert len(log.samples(aid)) == len(runload.read_activity(path).samples)
    with ActivityCache(cache_dir) as cache:
        assert cache.samples(old, _options_key()) is None
