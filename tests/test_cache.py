"""The parsed-file cache: nothing read twice, damage ignored, never the real user folder."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from export_builders import export_activity, fit_of, write

from runload.io.batch import read_activities
from runload.io.cache import (
    CACHE_ENV,
    ActivityCache,
    decode_samples,
    default_cache_dir,
    encode_samples,
)
from runload.testing.exports import write_strava_export

DB = "activities-v1.sqlite"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the default cache at a temporary folder: tests never touch the user's."""
    folder = tmp_path / "default-cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def export(tmp_path: Path) -> Path:
    acts = [
        export_activity(2 * d, format=("fit", "gpx", "tcx")[d % 3], gzip=d % 2 == 1, gear="Shoe")
        for d in range(1, 7)
    ]
    return write_strava_export(tmp_path / "export.zip", acts)


def _read(source: object, **kwargs: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_activities(source, jobs=1, **kwargs)  # type: ignore[arg-type]


def test_default_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_cache_dir() == tmp_path / "default-cache"
    monkeypatch.delenv(CACHE_ENV)
    import platformdirs

    assert default_cache_dir() == Path(platformdirs.user_cache_dir("runload", appauthor=False))


def test_second_read_parses_nothing(export: Path, _private_cache: Path) -> None:
    first = _read(export)
    assert (first.stats["parsed"], first.stats["cached"]) == (6, 0)
    assert (_private_cache / DB).is_file()
    second = _read(export)
    assert (second.stats["parsed"], second.stats["cached"]) == (0, 6)
    pd.testing.assert_frame_equal(first.activities, second.activities)
    pd.testing.assert_frame_equal(first.errors, second.errors)
    aid = first.activities.index[2]
    pd.testing.assert_frame_equal(first.samples(aid), second.samples(aid))


def test_moved_files_keep_their_cache_entries_and_take_their_new_path(tmp_path: Path) -> None:
    write(tmp_path / "a" / "run.fit", fit_of(1))
    _read(tmp_path / "a")
    (tmp_path / "a").rename(tmp_path / "b")
    log = _read(tmp_path / "b")
    assert log.stats["cached"] == 1
    assert log.activities["source_path"].iloc[0] == str(tmp_path / "b" / "run.fit")


def test_read_options_are_part_of_the_key(export: Path) -> None:
    _read(export)
    other = _read(export, timezone="Asia/Tokyo", max_gap_s=10.0)
    assert other.stats["parsed"] == 6


def test_disabled_cache_writes_nothing(export: Path, _private_cache: Path) -> None:
    for off in (None, False):
        log = _read(export, cache=off)
        assert log.stats["cached"] == 0
    assert not _private_cache.exists()


def test_explicit_folder(export: Path, tmp_path: Path, _private_cache: Path) -> None:
    _read(export, cache=tmp_path / "mine")
    assert (tmp_path / "mine" / DB).is_file()
    assert not _private_cache.exists()
    assert _read(export, cache=ActivityCache(tmp_path / "mine")).stats["cached"] == 6


def test_damaged_entry_is_ignored_and_rebuilt(export: Path, _private_cache: Path) -> None:
    first = _read(export)
    with sqlite3.connect(_private_cache / DB) as conn:
        (content,) = conn.execute("SELECT content FROM entries LIMIT 1").fetchone()
        conn.execute("UPDATE entries SET record = '{not json' WHERE content = ?", (content,))
    second = _read(export)
    assert (second.stats["parsed"], second.stats["cached"]) == (1, 5)
    pd.testing.assert_frame_equal(first.activities, second.activities)
    third = _read(export)
    assert third.stats["cached"] == 6  # rebuilt


def test_damaged_samples_blob_falls_back_to_the_source(export: Path, _private_cache: Path) -> None:
    first = _read(export, cache=None)
    _read(export)
    with sqlite3.connect(_private_cache / DB) as conn:
        conn.execute("UPDATE entries SET samples = x'00ff'")
    log = _read(export)
    assert log.stats["cached"] == 6
    for aid in log.activities.index:
        pd.testing.assert_frame_equal(log.samples(aid), first.samples(aid))


def test_damaged_database_file_is_replaced(export: Path, _private_cache: Path) -> None:
    _private_cache.mkdir(parents=True)
    (_private_cache / DB).write_bytes(b"this is not an SQLite database" * 100)
    log = _read(export)
    assert log.stats["parsed"] == 6
    assert _read(export).stats["cached"] == 6
    assert any(p.name.startswith(f"{DB}.damaged") for p in _private_cache.iterdir())


def test_unusable_cache_folder_warns_and_reads_anyway(export: Path, tmp_path: Path) -> None:
    blocker = write(tmp_path / "a-file", b"x")  # a file where the folder should be
    with pytest.warns(UserWarning, match="cache"):
        log = read_activities(export, jobs=1, cache=blocker / "sub")
    assert len(log.activities) == 6


def test_uncommitted_entries_are_invisible(tmp_path: Path) -> None:
    cache = ActivityCache(tmp_path / "c")
    # A record of the shape a batch read stores (the cache drops records of any other shape).
    record = {"error": {"message": "m", "reason": "empty", "offset": None, "line": None}}
    cache.put("abc", "opt", record)
    other = ActivityCache(tmp_path / "c")
    assert other.get("abc", "opt") is None  # the writer's transaction is still open
    cache.flush()
    assert other.get("abc", "opt") == record
    cache.close()
    other.close()


def test_samples_blob_round_trip_is_exact() -> None:
    index = pd.DatetimeIndex(
        pd.to_datetime([0, 1_000_000_001, 2_500_000_000], unit="ns", utc=True), name="time"
    )
    frame = pd.DataFrame(
        {
            "latitude_deg": [39.7392, np.nan, -33.868820001],
            "longitude_deg": [-104.9903, np.nan, 151.2093],
            "elevation_m": [1600.25, 1601.0, np.nan],
            "distance_m": [0.0, 3.3, 7.123456789],
            "speed_m_s": [np.nan] * 3,
            "heart_rate_bpm": [90.0, 91.0, 95.0],
            "cadence_spm": [np.nan] * 3,
            "power_w": [np.nan] * 3,
        },
        index=index,
    )
    back = decode_samples(encode_samples(frame))
    pd.testing.assert_frame_equal(back, frame, check_exact=True, check_column_type=False)
    with pytest.raises(ValueError):
        decode_samples(b"garbage")


def test_cli_no_cache_flag(export: Path, _private_cache: Path) -> None:
    env_cmd = [sys.executable, "-m", "runload.cli", "analyze", str(export), "--jobs", "1"]
    done = subprocess.run([*env_cmd, "--no-cache"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert not _private_cache.exists()
    done = subprocess.run(env_cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (_private_cache / DB).is_file()
