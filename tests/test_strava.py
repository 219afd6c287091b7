"""Strava bulk exports in both CSV header styles, zipped and extracted."""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from pathlib import Path

import pandas as pd
import pytest
from export_builders import export_activity, fit_of, write

from runload.io.batch import read_activities
from runload.io.strava import parse_activities_csv, parse_strava_date, strava_sport
from runload.load import is_running
from runload.testing.exports import ExportActivity, track_totals, write_strava_export

FIRST_ID = 4_000_000


def _activities() -> list[ExportActivity]:
    return [
        # 03:00 UTC with the watch at UTC-7: the local date is the day before the CSV's date.
        export_activity(1, hour_utc=3, utc_offset_s=-7 * 3600, format="fit", gzip=True,
                        activity_type="Run", name="Dawn tempo", description="felt easy",
                        gear="Pegasus 40"),
        export_activity(2, hour_utc=3, utc_offset_s=None, surface="trail", format="gpx", gzip=True,
                        activity_type="Trail Run", name="Hills", gear="Speedgoat"),
        export_activity(3, surface="treadmill", format="tcx", activity_type="Virtual Run",
                        name="Zwift run", gear="Pegasus 40"),
        export_activity(4, sport="walking", format="fit", activity_type="Walk", name="Dog walk"),
        export_activity(5, sport="cycling", distance_m=8000.0, format="gpx",
                        activity_type="Ride", name="Commute"),
        export_activity(6, hour_utc=3, format="fit", activity_type="Run", name="Lost file",
                        gear="Pegasus 40", file="missing"),
        export_activity(7, hour_utc=3, activity_type="Run", name="Manual run", file="none"),
        export_activity(8, format="tcx", activity_type="Run", name="Empty file", file="empty"),
        export_activity(9, format="gpx", activity_type="Run", name="Broken", file="garbage"),
    ]  # fmt: skip


ACTS = _activities()


def _read(source: Path, **kwargs: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_activities(source, cache=None, jobs=1, **kwargs)  # type: ignore[arg-type]


def _by_name(log) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return log.activities.reset_index().set_index("name")


@pytest.fixture(scope="module")
def current_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Miles as the display unit: the first Distance column is then wrong by 1.6x.
    return write_strava_export(
        tmp_path_factory.mktemp("strava") / "export.zip",
        ACTS,
        distance_unit="mi",
        first_id=FIRST_ID,
    )


@pytest.fixture(scope="module")
def old_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_strava_export(
        tmp_path_factory.mktemp("strava_old") / "export",
        ACTS,
        style="old",
        archive=False,
        first_id=FIRST_ID,
    )


@pytest.mark.parametrize("which", ["current_zip", "old_folder"])
def test_rows_with_files_take_the_csv_metadata(which: str, request: pytest.FixtureRequest) -> None:
    log = _read(request.getfixturevalue(which))
    acts = _by_name(log)
    assert len(acts) == 9
    tempo = acts.loc["Dawn tempo"]
    assert (tempo["format"], tempo["notes"], tempo["gear"]) == ("fit", "felt easy", "Pegasus 40")
    expected = {
        "Dawn tempo": ("running", "road"),
        "Hills": ("running", "trail"),
        "Zwift run": ("running", "treadmill"),
        "Dog walk": ("walking", "road"),
        "Commute": ("cycling", "road"),
    }
    for name, (sport, surface) in expected.items():
        assert (acts.loc[name, "sport"], acts.loc[name, "surface"]) == (sport, surface), name
    assert acts.loc["Hills", "sub_sport"] == "trail"
    assert acts.loc["Zwift run", "sub_sport"] == "virtual_activity"
    assert acts.loc["Hills", "gear"] == "Speedgoat"


def test_local_dates_come_from_the_files_not_the_csv(current_zip: Path) -> None:
    acts = _by_name(_read(current_zip))
    # FIT with its own offset (UTC-7): 2024-03-01 03:00 UTC is Feb 29 locally.
    assert acts.loc["Dawn tempo", "local_date"] == dt.date(2024, 2, 29)
    assert acts.loc["Dawn tempo", "utc_offset_source"] == "file"
    # GPX without an offset: the zone of its first position (Denver, UTC-7 in March).
    assert acts.loc["Hills", "local_date"] == dt.date(2024, 3, 1)
    assert acts.loc["Hills", "utc_offset_source"] == "position"


@pytest.mark.parametrize("which", ["current_zip", "old_folder"])
def test_rows_without_a_readable_file_are_summary_only(
    which: str, request: pytest.FixtureRequest
) -> None:
    log = _read(request.getfixturevalue(which))
    acts = _by_name(log)
    for i, name in ((5, "Lost file"), (6, "Manual run"), (7, "Empty file"), (8, "Broken")):
        row = acts.loc[name]
        truth = track_totals(ACTS[i].track)
        strava_id = FIRST_ID + i
        assert row["activity_id"] == hashlib.sha256(f"strava:{strava_id}".encode()).hexdigest()[:16]
        assert row["format"] == "summary"
        assert row["distance_m"] == pytest.approx(truth["distance_m"], abs=0.05)
        assert row["elapsed_time_s"] == pytest.approx(truth["elapsed_time_s"], abs=0.5)
        assert row["start_time_utc"] == ACTS[i].track.samples.index[0]
        assert not row["has_gps"]
        assert row["sport"] == "running"
        # no file, no position: the offset of the runner's nearest run that knows its own
        assert row["utc_offset_source"] == "neighbour"
        assert row["utc_offset_s"] == -7 * 3600
    assert acts.loc["Lost file", "gear"] == "Pegasus 40"
    # Day 6 at 03:00 UTC is 20:00 on March 5 in Denver (UTC-7), where the other runs are.
    assert acts.loc["Lost file", "local_date"] == dt.date(2024, 3, 5)
    reasons = log.errors.set_index("path")["reason"]
    root = str(request.getfixturevalue(which))
    sep = "!" if which == "current_zip" else "/"
    csv_path = f"{root}{sep}activities.csv"
    assert reasons[f"{root}{sep}activities/{FIRST_ID + 5}.fit"] == "missing_file"
    # A manual entry (no file named) is counted, not an error (issue 10).
    assert f"{csv_path}#{FIRST_ID + 6}" not in reasons.index
    assert list(log.manual) == [acts.loc["Manual run", "activity_id"]]
    assert log.stats["manual_entries"] == 1
    assert reasons[f"{root}{sep}activities/{FIRST_ID + 7}.tcx"] == "empty"
    assert f"{root}{sep}activities/{FIRST_ID + 8}.gpx" in reasons.index
    assert len(log.errors) == 3


def test_summary_only_start_in_the_given_time_zone(current_zip: Path) -> None:
    acts = _by_name(_read(current_zip, timezone="America/Denver"))
    # 2024-03-06 03:00 UTC is March 5, 20:00 in Denver (MST, UTC-7).
    assert acts.loc["Lost file", "local_date"] == dt.date(2024, 3, 5)
    assert acts.loc["Lost file", "utc_offset_s"] == -7 * 3600
    assert acts.loc["Lost file", "utc_offset_source"] == "argument"


def test_other_sports_are_read_but_not_running(current_zip: Path) -> None:
    log = _read(current_zip)
    running = is_running(log.activities)
    by_name = dict(zip(log.activities["name"], running, strict=True))
    assert not by_name["Dog walk"]
    assert not by_name["Commute"]
    assert by_name["Dawn tempo"] and by_name["Hills"] and by_name["Zwift run"]
    assert by_name["Lost file"]


def test_files_not_in_the_csv_are_read_without_metadata(tmp_path: Path) -> None:
    export = write_strava_export(tmp_path / "e", ACTS[:1], archive=False)
    write(export / "activities" / "extra.fit", fit_of(20))
    log = _read(export)
    assert len(log.activities) == 2
    assert str(export / "activities" / "extra.fit") in set(log.activities["source_path"])


def test_csv_file_names_leading_outside_a_folder_are_refused(tmp_path: Path) -> None:
    export = write_strava_export(tmp_path / "e", ACTS[:1], archive=False)
    outside = write(tmp_path / "outside.fit", fit_of(21))
    csv = (export / "activities.csv").read_text()
    row = csv.splitlines()[1].replace(f"activities/{1_000_000}.fit.gz", "../outside.fit")
    (export / "activities.csv").write_text(csv.splitlines()[0] + "\n" + row + "\n")
    log = _read(export)
    assert str(outside) not in set(log.activities["source_path"])
    assert "unsafe_path" in set(log.errors["reason"])


def test_unknown_header_still_reads_the_files(tmp_path: Path) -> None:
    export = write_strava_export(tmp_path / "e", ACTS[:2], archive=False)
    text = (export / "activities.csv").read_text().splitlines()
    text[0] = text[0].replace("Activity ID", "ID de l'activité")
    (export / "activities.csv").write_text("\n".join(text) + "\n")
    log = _read(export)
    assert "unknown_csv_header" in set(log.errors["reason"])
    # Not recognised as an export: every activity file of the folder is still read.
    assert len(log.activities) == 2


def test_parse_activities_csv_picks_the_repeated_columns_by_position() -> None:
    header = (
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,"
        "Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,"
        "Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance"
    )
    row = (
        '7,"Mar 3, 2025, 7:00:00 AM",Tempo,Run,"a, b",3661,6.21,,,false,,Shoe,x.fit,,,'
        "3661.0,3600.0,10000.5"
    )
    (parsed,) = parse_activities_csv(f"{header}\n{row}\n".encode())
    assert parsed.distance_m == 10000.5  # the second Distance, metres
    assert parsed.elapsed_time_s == 3661.0
    assert parsed.moving_time_s == 3600.0
    assert parsed.description == "a, b"
    assert parsed.start_time_utc == pd.Timestamp("2025-03-03T07:00:00Z")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mar 3, 2025, 7:00:00 AM", "2025-03-03T07:00:00Z"),
        ("Mar 3, 2025, 12:05:09 PM", "2025-03-03T12:05:09Z"),
        ("Dec 31, 2024, 12:00:00 AM", "2024-12-31T00:00:00Z"),
        ("Apr 03, 2026, 08:00:00\u202fPM", "2026-04-03T20:00:00Z"),
        ("2018-11-27 19:11:32", "2018-11-27T19:11:32Z"),
    ],
)
def test_parse_strava_date(text: str, expected: str) -> None:
    assert parse_strava_date(text) == pd.Timestamp(expected)


def test_parse_strava_date_rejects_nonsense() -> None:
    assert parse_strava_date("Foo 3, 2025, 7:00:00 AM") is None
    assert parse_strava_date("") is None


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("Run", ("running", None)),
        ("Trail Run", ("running", "trail")),
        ("TrailRun", ("running", "trail")),
        ("Virtual Run", ("running", "virtual_activity")),
        ("Walk", ("walking", None)),
        ("Hike", ("hiking", None)),
        ("Ride", ("cycling", None)),
        ("Kitesurf Session", ("kitesurf_session", None)),
    ],
)
def test_strava_types(kind: str, expected: tuple[str, str | None]) -> None:
    assert strava_sport(kind) == expected


def test_zip_wrapped_in_a_top_folder(tmp_path: Path) -> None:
    import zipfile

    flat = write_strava_export(tmp_path / "flat.zip", ACTS[:2])
    wrapped = tmp_path / "wrapped.zip"
    with zipfile.ZipFile(flat) as src, zipfile.ZipFile(wrapped, "w") as dst:
        for info in src.infolist():
            dst.writestr("export_123/" + info.filename, src.read(info))
    acts = _by_name(_read(wrapped))
    assert set(acts.index) == {"Dawn tempo", "Hills"}
    assert acts.loc["Hills", "gear"] == "Speedgoat"
