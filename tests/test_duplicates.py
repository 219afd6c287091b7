"""The same run recorded twice: exact copies and near duplicates across services."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from export_builders import export_activity, fit_of, write

from runload import read_activity
from runload.io.batch import read_activities
from runload.io.duplicates import find_duplicates, merge_metadata
from runload.testing.exports import (
    ExportActivity,
    encode_activity,
    write_garmin_export,
    write_strava_export,
)

T0 = pd.Timestamp("2024-05-01T07:00:00Z")


def table(rows: dict[str, dict[str, object]]) -> pd.DataFrame:
    """An activities table with the columns duplicate detection uses."""
    defaults: dict[str, object] = {
        "format": "fit",
        "has_gps": True,
        "distance_m": np.nan,
        "elapsed_time_s": np.nan,
        "name": None,
        "notes": None,
        "gear": None,
        "device": None,
    }
    records = []
    for aid, row in rows.items():
        rec = {**defaults, **row, "activity_id": aid}
        rec["start_time_utc"] = T0 + pd.Timedelta(seconds=float(row["start_s"]))  # type: ignore[arg-type]
        rec["source_path"] = f"{aid}.file"
        records.append(rec)
    frame = pd.DataFrame.from_records(records).set_index("activity_id")
    return frame.drop(columns=["start_s"])


def test_same_run_two_records_keeps_the_one_with_more_samples() -> None:
    acts = table(
        {
            "a": {"start_s": 0, "distance_m": 10_000.0, "elapsed_time_s": 3000.0},
            "b": {"start_s": 60, "distance_m": 10_150.0, "elapsed_time_s": 2940.0},
        }
    )
    (dup,) = find_duplicates(acts, samples={"a": 3000, "b": 2900})
    assert (dup.dropped, dup.kept) == ("b", "a")
    assert dup.start_diff_s == 60.0
    assert dup.distance_diff == pytest.approx(150 / 10_150)


@pytest.mark.parametrize(
    "second",
    [
        # Interval repeats of equal length, 3 minutes apart: they do not overlap.
        {"start_s": 180, "distance_m": 400.0, "elapsed_time_s": 90.0},
        # Same start, distance 10 % apart.
        {"start_s": 30, "distance_m": 360.0, "elapsed_time_s": 90.0},
        # Starts 6 minutes apart.
        {"start_s": 360, "distance_m": 400.0, "elapsed_time_s": 900.0},
    ],
)
def test_not_duplicates(second: dict[str, float]) -> None:
    first = {"start_s": 0, "distance_m": 400.0, "elapsed_time_s": 90.0}
    if second["elapsed_time_s"] == 900.0:
        first = {"start_s": 0, "distance_m": 400.0, "elapsed_time_s": 900.0}
    assert find_duplicates(table({"a": first, "b": second})) == []


def test_record_from_a_file_beats_a_summary_only_record() -> None:
    acts = table(
        {
            "csv": {"start_s": 30, "format": "summary", "has_gps": False,
                    "distance_m": 10_000.0, "elapsed_time_s": 3000.0, "name": "Tempo",
                    "notes": "n", "gear": "Shoe"},
            "fit": {"start_s": 0, "distance_m": 10_050.0, "elapsed_time_s": 3000.0},
        }
    )  # fmt: skip
    (dup,) = find_duplicates(acts)
    assert (dup.dropped, dup.kept) == ("csv", "fit")


def test_gps_beats_more_samples_and_heart_rate_beats_no_heart_rate() -> None:
    acts = table(
        {
            "indoor": {"start_s": 0, "has_gps": False, "distance_m": 5000.0,
                       "elapsed_time_s": 1500.0},
            "gps": {"start_s": 5, "distance_m": 5100.0, "elapsed_time_s": 1500.0},
        }
    )  # fmt: skip
    (dup,) = find_duplicates(acts, samples={"indoor": 5000, "gps": 100})
    assert dup.kept == "gps"
    acts = table(
        {
            "plain": {"start_s": 0, "distance_m": 5000.0, "elapsed_time_s": 1500.0},
            "hr": {"start_s": 5, "distance_m": 5000.0, "elapsed_time_s": 1500.0},
        }
    )
    (dup,) = find_duplicates(
        acts, samples={"plain": 2000, "hr": 1000}, heart_rate={"plain": False, "hr": True}
    )
    assert dup.kept == "hr"


def test_metadata_breaks_ties_and_unknown_distances_compare_times() -> None:
    acts = table(
        {
            "bare": {"start_s": 0, "elapsed_time_s": 3600.0},
            "named": {"start_s": 20, "elapsed_time_s": 3620.0, "name": "Gym", "gear": "x"},
        }
    )
    (dup,) = find_duplicates(acts)
    assert dup.kept == "named"
    assert np.isnan(dup.distance_diff)


def test_merge_metadata_fills_the_kept_record_and_leaves_the_input() -> None:
    acts = table(
        {
            "fit": {"start_s": 0, "distance_m": 10_000.0, "elapsed_time_s": 3000.0},
            "csv": {"start_s": 10, "format": "summary", "has_gps": False,
                    "distance_m": 10_000.0, "elapsed_time_s": 3000.0, "gear": "Clifton",
                    "name": "Tempo"},
        }
    )  # fmt: skip
    before = acts.copy()
    merged = merge_metadata(acts, find_duplicates(acts))
    assert list(merged.index) == ["fit"]
    assert (merged.at["fit", "gear"], merged.at["fit", "name"]) == ("Clifton", "Tempo")
    pd.testing.assert_frame_equal(acts, before)


def _read(source: object, **kwargs: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_activities(source, cache=None, jobs=1, **kwargs)  # type: ignore[arg-type]


def test_exact_copies_are_one_activity(tmp_path: Path) -> None:
    data = fit_of(1)
    write(tmp_path / "a" / "run.fit", data)
    write(tmp_path / "a" / "run (1).fit", data)
    log = _read(tmp_path / "a")
    assert len(log.activities) == 1
    (row,) = log.errors.to_dict("records")
    assert row["reason"] == "duplicate"
    assert row["path"] == str(tmp_path / "a" / "run.fit")  # sorted: "run (1).fit" comes first
    assert "same content" in row["message"]


def test_strava_and_garmin_records_of_the_same_runs(tmp_path: Path) -> None:
    days = range(1, 5)
    strava: list[ExportActivity] = [
        export_activity(d, format="gpx", gzip=True, name=f"Run {d}", gear="Shoe S") for d in days
    ]
    garmin = [export_activity(d, format="fit", name=f"Garmin run {d}") for d in days]
    log = _read(
        [
            write_strava_export(tmp_path / "strava.zip", strava),
            write_garmin_export(tmp_path / "garmin.zip", garmin),
        ]
    )
    assert len(log.activities) == 4
    assert list(log.errors["reason"]) == ["duplicate"] * 4
    # The kept record has the shoes, whichever service it came from.
    assert set(log.activities["gear"]) == {"Shoe S"}
    # One run a day, as recorded.
    assert sorted(log.activities["local_date"].astype(str)) == [
        "2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04"
    ]  # fmt: skip


def test_duplicates_can_be_kept(tmp_path: Path) -> None:
    write(tmp_path / "x" / "a.fit", fit_of(1))
    b_track = export_activity(1, format="gpx")
    write(tmp_path / "x" / "b.gpx", encode_activity(b_track) or b"")
    assert len(_read(tmp_path / "x").activities) == 1
    assert len(_read(tmp_path / "x", duplicates=False).activities) == 2


def test_exact_copy_kept_without_metadata_gets_the_other_copys_name_and_gear(
    tmp_path: Path,
) -> None:
    # One run, twice with the same bytes: a bare FIT file (FIT has no place for a name or
    # shoes) read first, and the same file inside a Strava export whose activities.csv
    # names it and gives its shoes.  The first is kept and takes the export's metadata.
    act = export_activity(2, format="fit", name="Hill repeats", gear="Ghost 15")
    act = dataclasses.replace(act, track=dataclasses.replace(act.track, name=None))
    data = encode_activity(act)
    assert data is not None
    bare = write(tmp_path / "watch" / "run.fit", data)
    alone = read_activity(bare)
    assert (alone.name, alone.gear) == (None, None)
    export = write_strava_export(tmp_path / "strava", [act], archive=False)
    log = _read([bare, export])
    assert len(log.activities) == 1
    row = log.activities.iloc[0]
    # pinned: the bare copy is the one kept, so its metadata can only come from the export
    assert row["source_path"] == str(bare)
    assert (row["name"], row["gear"]) == ("Hill repeats", "Ghost 15")
    (error,) = log.errors.to_dict("records")
    assert error["reason"] == "duplicate"
    assert error["path"] != str(bare)


def test_exact_copy_keeps_its_own_metadata_and_fills_only_what_it_lacks(
    tmp_path: Path,
) -> None:
    # Two exports holding the same file: the first names the run but has no shoes, the
    # second has other words for both.  The kept record keeps its name and takes the shoes.
    first = export_activity(3, format="fit", name="Long run", gear=None)
    second = export_activity(3, format="fit", name="Morning Run", gear="Pegasus 40")
    a = write_strava_export(tmp_path / "a", [first], archive=False)
    b = write_strava_export(tmp_path / "b", [second], archive=False)
    log = _read([a, b])
    assert len(log.activities) == 1
    row = log.activities.iloc[0]
    assert row["source_path"].startswith(str(a))
    assert (row["name"], row["gear"]) == ("Long run", "Pegasus 40")
