"""Whole-batch snapshots: a read of an unchanged source gives the same log without planning."""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from export_builders import export_activity, fit_of, write

from runload.exceptions import SkippedFileWarning
from runload.io import batch
from runload.io.batch import read_activities
from runload.io.cache import ActivityCache
from runload.testing.exports import write_strava_export


def _age_tree(root: Path, seconds: float = 60.0) -> None:
    then = time.time() - seconds
    for path in [root, *root.rglob("*")]:
        os.utime(path, (then, then))


@pytest.fixture
def export(tmp_path: Path) -> Path:
    acts = [
        export_activity(1, format="fit", activity_type="Run", name="Tempo", gear="Pegasus"),
        export_activity(2, format="gpx", gzip=True, activity_type="Run", name="Hills"),
        export_activity(3, format="tcx", activity_type="Virtual Run", name="Treadmill"),
        export_activity(4, activity_type="Run", name="Manual run", file="none"),
        export_activity(5, format="gpx", activity_type="Run", name="Broken", file="garbage"),
        export_activity(6, format="fit", activity_type="Run", name="Lost", file="missing"),
    ]
    folder = write_strava_export(tmp_path / "export", acts, archive=False)
    _age_tree(folder)
    return folder


#: The errors of the export above (the reasons themselves are the subject of test_strava.py).
REASONS = ["missing_file", "xml_syntax"]


def _read(source: Path, cache: Path, **kwargs: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedFileWarning)
        return read_activities(source, cache=cache, jobs=1, progress=False, **kwargs)  # type: ignore[arg-type]


def _no_planning(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the source was planned again")

    monkeypatch.setattr(batch, "plan_sources", refuse)


def test_a_second_read_is_the_same_log_without_planning(
    export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        first = read_activities(export, cache=cache, jobs=1, progress=False)
    assert sorted(first.errors["reason"]) == REASONS
    _no_planning(monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        second = read_activities(export, cache=cache, jobs=1, progress=False)
    pd.testing.assert_frame_equal(second.activities, first.activities, check_exact=True)
    pd.testing.assert_frame_equal(second.errors, first.errors)
    pd.testing.assert_frame_equal(second.warnings, first.warnings)
    assert list(second.manual) == list(first.manual) and len(second.manual) == 1
    assert second.stats["parsed"] == 0
    assert second.stats["cached"] == second.stats["files"] == first.stats["files"]
    # The broken file; a missing one is an error of the plan, not a failed read.
    assert second.stats["failed"] == first.stats["failed"] == 1
    skipped = [w for w in caught if issubclass(w.category, SkippedFileWarning)]
    before = [str(w.message) for w in told if issubclass(w.category, SkippedFileWarning)]
    assert [str(w.message) for w in skipped] == before
    assert before[0].startswith("2 of 6 files or export rows")
    # Samples still come from the files.
    aid = second.activities.index[second.activities["name"] == "Tempo"][0]
    pd.testing.assert_frame_equal(second.samples(aid), first.samples(aid))


def test_a_new_file_is_a_new_key(
    export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = _read(export, cache)
    extra = write(export / "activities" / "extra.fit", fit_of(9))
    _age_tree(extra.parent)
    second = _read(export, cache)
    assert len(second.activities) == len(first.activities) + 1
    assert second.stats["parsed"] == 1  # the others come from the per-file cache


def test_a_touched_file_is_a_new_key(export: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _read(export, cache)
    csv = export / "activities.csv"
    csv.write_text(csv.read_text().replace("Tempo", "Tempo run"))
    _age_tree(export, 30.0)
    second = _read(export, cache)
    assert "Tempo run" in set(second.activities["name"])


def test_a_source_changed_just_now_is_not_kept_whole(export: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (export / "activities.csv").touch()  # modified less than 2 s ago
    _read(export, cache)
    with ActivityCache(cache) as store:
        assert store.info().entries > 0
        conn = store._connect()
        assert conn is not None
        assert conn.execute("SELECT COUNT(*) FROM batches").fetchone()[0] == 0


def test_a_damaged_snapshot_is_dropped_and_the_source_read(export: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _read(export, cache)
    with ActivityCache(cache) as store:
        conn = store._connect()
        assert conn is not None
        conn.execute("UPDATE batches SET blob = x'789c00'")
    second = _read(export, cache)
    pd.testing.assert_frame_equal(second.activities, first.activities, check_exact=True)
    third = _read(export, cache)  # stored again by the second read
    assert third.stats["parsed"] == 0


def test_rehash_reads_again_and_options_are_part_of_the_key(
    export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    _read(export, cache)
    calls: list[int] = []
    real = batch.plan_sources

    def counting(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "plan_sources", counting)
    _read(export, cache, rehash=True)
    _read(export, cache, max_gap_s=45.0)
    _read(export, cache, duplicates=False)
    assert len(calls) == 3
