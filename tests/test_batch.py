"""Batch reading: process pools, other executors, worker crashes, progress, errors table."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import warnings
from pathlib import Path

import pandas as pd
import pytest
from export_builders import export_activity, fit_of, write

from runload.exceptions import SkippedFileWarning
from runload.io import batch, registry
from runload.io.batch import read_activities
from runload.io.plan import Item, discover, load_item
from runload.io.rows import ERROR_COLUMNS
from runload.io.workers import ReadOptions, read_item
from runload.testing.exports import encode_activity

N_GOOD = 26  # more than SEQUENTIAL_BELOW, so jobs=2 uses a pool


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batch")
    for day in range(1, N_GOOD + 1):
        fmt = ("fit", "gpx", "tcx")[day % 3]
        data = encode_activity(export_activity(day, format=fmt, gzip=day % 2 == 0))
        assert data is not None
        suffix = f".{fmt}" + (".gz" if day % 2 == 0 else "")
        write(root / f"sub{day % 4}" / f"run{day:02d}{suffix}", data)
    write(root / "broken.fit", b".FIT but not really a FIT file at all")
    write(root / "empty.gpx", b"")
    write(root / "notes.txt", b"not an activity: ignored")
    return root


def _read(source: object, **kwargs: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_activities(source, cache=None, **kwargs)  # type: ignore[arg-type]


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    pd.testing.assert_frame_equal(a.activities, b.activities)
    pd.testing.assert_frame_equal(
        a.errors.sort_values("path").reset_index(drop=True),
        b.errors.sort_values("path").reset_index(drop=True),
    )


def test_one_bad_file_never_stops_the_rest(folder: Path) -> None:
    with pytest.warns(SkippedFileWarning, match="2 of 28"):
        log = read_activities(folder, cache=None, jobs=1)
    assert len(log.activities) == N_GOOD
    assert tuple(log.errors.columns) == ERROR_COLUMNS
    assert dict(zip(log.errors["path"], log.errors["reason"], strict=True)) == {
        str(folder / "broken.fit"): "unsupported_format",
        str(folder / "empty.gpx"): "empty",
    }
    assert log.stats["files"] == N_GOOD + 2


def test_process_pool_gives_the_same_tables(folder: Path) -> None:
    sequential = _read(folder, jobs=1)
    pooled = _read(folder, jobs=2)
    assert pooled.stats["parsed"] == N_GOOD + 2
    _same(sequential, pooled)


def test_any_executor(folder: Path) -> None:
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        threaded = _read(folder, executor=pool)
    _same(_read(folder, jobs=1), threaded)


def test_jobs_must_be_positive(folder: Path) -> None:
    with pytest.raises(ValueError, match="jobs"):
        _read(folder, jobs=0)


def _crash_reader(data: bytes, *, path: str) -> None:
    os._exit(3)  # a worker dying mid-file, as a segfault or the OOM killer would


def _fork_pool(jobs: int) -> cf.Executor:
    return cf.ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))


def test_a_worker_crash_costs_one_file(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The crashing format exists only in this process: fork-started workers inherit it.
    monkeypatch.setitem(
        registry._REGISTRY,
        "crash",
        registry.FormatSpec("crash", (".crash",), lambda head: head.startswith(b"CRASH"),
                            _crash_reader),  # type: ignore[arg-type]
    )  # fmt: skip
    monkeypatch.setattr(batch, "make_pool", _fork_pool)
    monkeypatch.setattr(batch, "SEQUENTIAL_BELOW", 2)
    root = tmp_path / "with_crash"
    for day in range(1, 9):
        write(root / f"run{day}.fit", fit_of(day))
    write(root / "run4b.fit", b"CRASH here")
    log = _read(root, jobs=2)
    assert len(log.activities) == 8
    assert log.errors.to_dict("records") == [
        {
            "path": str(root / "run4b.fit"),
            "reason": "worker_crashed",
            # the path and the reason have their own columns; the message says the rest
            "message": "the worker process reading this file died",
        }
    ]


def test_progress_bar(folder: Path, capfd: pytest.CaptureFixture[str]) -> None:
    _read(folder, jobs=1, progress=True)
    assert "runload" in capfd.readouterr().err
    _read(folder, jobs=1, progress=False)
    assert capfd.readouterr().err == ""
    _read(folder, jobs=1)  # not a terminal, not a notebook: no bar by default
    assert capfd.readouterr().err == ""


def test_discover_and_read_item(folder: Path) -> None:
    items = list(discover(folder))
    assert len(items) == N_GOOD + 2
    assert all(isinstance(i, Item) and i.locator[0] == "file" for i in items)
    first = next(i for i in items if i.path.endswith("run03.fit"))
    assert load_item(first) == Path(first.path).read_bytes()
    meta = Item(first.path, first.locator, meta={"name": "Treadmill tempo", "gear": "Shoe"})
    activity = read_item(meta, ReadOptions())
    assert (activity.name, activity.gear, activity.surface) == ("Treadmill tempo", "Shoe",
                                                                "treadmill")  # fmt: skip


def test_samples_on_demand_without_cache(folder: Path) -> None:
    log = _read(folder, jobs=1)
    aid = log.activities.index[0]
    samples = log.samples(aid)
    assert len(samples) > 10
    assert samples.index.tz is not None
    with pytest.raises(KeyError):
        log.samples("nope")
