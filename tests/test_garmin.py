"""Garmin Connect data exports: nested upload zips, summaries, gear, redacted e-mails."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from export_builders import export_activity

from runload.io.batch import read_activities
from runload.io.garmin import (
    GarminJoin,
    garmin_sport,
    parse_gear,
    parse_summaries,
    redact_account,
)
from runload.testing.exports import ExportActivity, track_totals, write_garmin_export

EMAIL = "jo.runner+watch@mail.example.org"
FIRST_ID = 9_100_000_000

ACTS: list[ExportActivity] = [
    export_activity(1, format="fit", activity_type="Run", name="Lunch run", gear="Ghost 15",
                    description="hot"),
    export_activity(2, surface="trail", format="fit", activity_type="Trail Run", name="Ridge",
                    gear="Speedgoat"),
    export_activity(3, sport="walking", format="fit", activity_type="Walk", name="Stroll"),
    export_activity(4, format="fit", activity_type="Run", name="Manual entry", file="missing",
                    gear="Ghost 15"),
    export_activity(5, format="fit", activity_type="Run", name="Corrupt upload", file="garbage"),
]  # fmt: skip


def _read(source: Path, **kwargs: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_activities(source, cache=None, jobs=1, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=["zip", "folder"])
def export(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("garmin")
    extra = {f"{EMAIL}_123456.fit": b"\x0e\x10garbage that is not FIT at all"}
    if request.param == "zip":
        return write_garmin_export(
            root / f"{EMAIL}_export.zip",
            ACTS,
            email=EMAIL,
            first_id=FIRST_ID,
            extra_uploads=extra,
        )
    return write_garmin_export(
        root / "garmin", ACTS, email=EMAIL, archive=False, first_id=FIRST_ID, extra_uploads=extra
    )


def test_files_take_their_summary_by_start_time(export: Path) -> None:
    acts = _read(export).activities.set_index("name")
    assert {"Lunch run", "Ridge", "Stroll"} <= set(acts.index)
    lunch = acts.loc["Lunch run"]
    assert (lunch["format"], lunch["gear"], lunch["notes"]) == ("fit", "Ghost 15", "hot")
    assert (acts.loc["Ridge", "sport"], acts.loc["Ridge", "sub_sport"]) == ("running", "trail")
    assert acts.loc["Ridge", "surface"] == "trail"
    assert acts.loc["Stroll", "sport"] == "walking"


def test_summaries_without_a_readable_file_are_summary_only(export: Path) -> None:
    acts = _read(export).activities.set_index("name")
    for i in (3, 4):
        row = acts.loc[ACTS[i].name]
        truth = track_totals(ACTS[i].track)
        assert row["format"] == "summary"
        assert row["distance_m"] == pytest.approx(truth["distance_m"], rel=1e-9)
        assert row["elapsed_time_s"] == pytest.approx(truth["elapsed_time_s"], abs=1e-6)
        assert row["start_time_utc"] == ACTS[i].track.samples.index[0]
        # startTimeLocal − startTimeGmt is the track's offset: +1 h.
        assert (row["utc_offset_s"], row["utc_offset_source"]) == (3600, "file")
    assert acts.loc["Manual entry", "gear"] == "Ghost 15"


def test_the_account_email_never_shows(export: Path) -> None:
    log = _read(export)
    assert len(log.errors) == 2  # the garbage upload and the extra one
    texts = [
        str(v)
        for frame in (log.activities.reset_index(), log.errors, log.warnings)
        for v in frame.to_numpy().ravel()
    ]
    for text in texts:
        assert EMAIL not in text
        assert "mail.example.org" not in text
    assert any("<account>_123456.fit" in p for p in log.errors["path"])


def test_uploads_no_summary_matches_are_read_without_metadata(tmp_path: Path) -> None:
    from runload.testing.exports import encode_activity

    lone = encode_activity(export_activity(9, format="fit"))
    assert lone is not None
    export = write_garmin_export(
        tmp_path / "g.zip", ACTS[:1], email=EMAIL, extra_uploads={"lone.fit": lone}
    )
    acts = _read(export).activities.set_index("source_path")
    assert len(acts) == 2
    row = acts.loc[f"{tmp_path / 'g.zip'}!DI_CONNECT/DI-Connect-Uploaded-Files/"
                   "UploadedFiles_0-_Part1.zip!lone.fit"]  # fmt: skip
    assert row["format"] == "fit"
    assert pd.isna(row["gear"])
    assert "Lunch run" in set(acts["name"])


def test_redact_account() -> None:
    assert (
        redact_account(f"DI-Connect-Fitness/{EMAIL}_0_summarizedActivities.json")
        == "DI-Connect-Fitness/<account>_0_summarizedActivities.json"
    )
    assert redact_account("a.b@c.de_12.fit and x@y.com") == "<account>_12.fit and <account>"
    # Any local@domain form (issue 10): dot-less and non-ASCII addresses too.
    assert redact_account("run@dawn") == "<account>"
    assert redact_account("JANE@LOCALHOST_0_gear.json") == "<account>_0_gear.json"
    assert redact_account("josé.müller@exämple.de_1.fit") == "<account>_1.fit"
    assert redact_account("no address here: @home, a @ b") == "no address here: @home, a @ b"


SUMMARIES = [
    {
        "summarizedActivitiesExport": [
            {
                "activityId": 11,
                "name": "Morning Run",
                "activityType": {"typeKey": "treadmill_running"},
                "startTimeGmt": 1_700_000_000_000,
                "startTimeLocal": 1_700_003_600_000,
                "duration": 1_800_000.0,
                "movingDuration": 1_700_000.0,
                "distance": 500_000.0,
                "elevationGain": 1234.0,
                "elevationLoss": 1000.0,
            },
            {"activityId": 12, "activityType": "running", "beginTimestamp": 1_700_100_000_000,
             "distance": 100.0, "parentId": 10},
            {"name": "no id or time"},
        ]
    }
]  # fmt: skip


def test_parse_summaries_units() -> None:
    first, second = parse_summaries(json.dumps(SUMMARIES).encode())
    assert first.garmin_id == "11"
    assert first.start_time_utc == pd.Timestamp("2023-11-14T22:13:20Z")  # 1.7e9 s
    assert first.utc_offset_s == 3600
    assert first.type_key == "treadmill_running"
    assert first.distance_m == 5000.0  # 500 000 cm
    assert (first.elapsed_time_s, first.moving_time_s) == (1800.0, 1700.0)
    assert (first.ascent_m, first.descent_m) == pytest.approx((12.34, 10.0))
    assert second.start_time_utc == pd.Timestamp("2023-11-16T02:00:00Z")
    assert second.parent_id == "10"


def test_unmatched_summaries_skip_multisport_legs() -> None:
    join = GarminJoin(group="g", source_path="x.json", summaries=parse_summaries(
        json.dumps(SUMMARIES).encode()))  # fmt: skip
    (row,) = join.unmatched()
    assert (row["sport"], row["sub_sport"], row["surface"]) == ("running", "treadmill", "treadmill")
    assert row["local_date"] == dt.date(2023, 11, 14)  # 23:13 local
    assert row["source_path"] == "x.json#11"


def test_join_tolerance() -> None:
    join = GarminJoin(group="g", source_path="x", summaries=parse_summaries(
        json.dumps(SUMMARIES).encode()))  # fmt: skip
    start = pd.Timestamp("2023-11-14T22:13:20Z")
    assert join.match(start + pd.Timedelta(seconds=90)) is not None
    assert join.match(start + pd.Timedelta(seconds=200)) is None


def test_parse_gear_prefers_shoes() -> None:
    doc = [
        {
            "gearDTOS": [
                {"gearPk": 1, "customMakeModel": "Road bike", "gearTypeName": "Bike"},
                {"gearPk": 2, "displayName": "Clifton 9", "gearTypeName": "Shoes"},
            ],
            "gearActivityDTOs": {
                "1": [{"activityId": 5, "gearPk": 1}],
                "2": [{"activityId": 5, "gearPk": 2}, {"activityId": 6, "gearPk": 2}],
            },
        }
    ]
    assert parse_gear(json.dumps(doc).encode()) == {"5": "Clifton 9", "6": "Clifton 9"}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("running", ("running", None)),
        ("trail_running", ("running", "trail")),
        ("treadmill_running", ("running", "treadmill")),
        ("lap_swimming", ("swimming", "lap_swimming")),
        ("paddle_tennis", ("paddle_tennis", None)),
    ],
)
def test_garmin_types(key: str, expected: tuple[str, str | None]) -> None:
    assert garmin_sport(key) == expected


def test_broken_summaries_json_is_an_error_and_files_still_read(tmp_path: Path) -> None:
    good = write_garmin_export(tmp_path / "g.zip", ACTS[:2], email=EMAIL)
    import zipfile

    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("summarizedActivities.json"):
                data = b"[{not json"
            dst.writestr(info.filename, data)
    log = _read(broken)
    assert len(log.activities) == 2
    assert list(log.errors["reason"]) == ["bad_json"]
    assert EMAIL not in log.errors["path"].iloc[0]
