"""The shoe catalogue (runload.shoes) and the gear lists of exports (runload.io.gear)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from risk_tables import table

from runload.exceptions import ParseError
from runload.io.gear import read_gear_catalogue
from runload.risk.worn_shoes import worn_shoes
from runload.risk.wrong_shoes import wrong_shoes
from runload.shoes import (
    CATALOGUE_COLUMNS,
    SHOE_TABLE_COLUMNS,
    SHOE_TYPES,
    VOCABULARY,
    infer_shoe_type,
    shoe_catalogue,
    shoe_lines,
    shoe_table,
)
from runload.testing.exports import ExportActivity, write_garmin_export, write_strava_export
from runload.testing.history import synthetic_track

MON = dt.date(2024, 1, 1)

# ------------------------------------------------------------------ the vocabulary

#: Real model names (as brands write them, and as runners type them) and their type.
REAL_NAMES = [
    ("Vibram FiveFingers V-Run", "minimalist"),
    ("Vibram Five Fingers Bikila EVO", "minimalist"),
    ("Xero Shoes HFS II", "minimalist"),
    ("Vivobarefoot Primus Lite III", "minimalist"),
    ("Merrell Vapor Glove 6", "minimalist"),
    ("Merrell Trail Glove 7", "minimalist"),
    ("New Balance Minimus 10v1", "minimalist"),
    ("Nike Free 3.0 v2", "minimalist"),
    ("Luna Sandals Mono Winged Edition", "minimalist"),
    ("Nike ZoomX Vaporfly Next% 3", "racing"),
    ("Nike Air Zoom Alphafly NEXT% 2", "racing"),
    ("Nike ZoomX Streakfly", "racing"),
    ("adidas Adizero Adios Pro 3", "racing"),
    ("Adidas Adizero Takumi Sen 10", "racing"),
    ("Saucony Endorphin Pro 4", "racing"),
    ("ASICS Metaspeed Sky+", "racing"),
    ("Altra Escalante Racer 2", "racing"),
    ("Hoka Speedgoat 5", "trail"),
    ("Salomon Speedcross 6", "trail"),
    ("Altra Lone Peak 8", "trail"),
    ("Nike Pegasus Trail 4 GORE-TEX", "trail"),
    ("Brooks Cascadia 17", "trail"),
    ("ASICS Gel-Kayano 30", "stability"),
    ("Brooks Adrenaline GTS 23", "stability"),
    ("Brooks Glycerin GTS 21", "stability"),
    ("Hoka Arahi 7", "stability"),
    ("New Balance Fresh Foam X 860v14", "stability"),
    ("Nike Air Zoom Pegasus 40", "cushioned"),
    ("Pegasus 40", "cushioned"),
    ("Brooks Ghost 15", "cushioned"),
    ("Ghost 15", "cushioned"),
    ("Hoka Clifton 9", "cushioned"),
    ("ASICS Novablast 4", "cushioned"),
    ("ASICS Gel-Nimbus 26", "cushioned"),
    ("Saucony Ride 17", "cushioned"),
    ("New Balance 1080v13", "cushioned"),
    ("Altra Torin 7", "cushioned"),
    ("Converse Chuck Taylor All Star", "non-running"),
    ("Vans Old Skool", "non-running"),
    ("Dr. Martens 1460", "non-running"),
    ("Birkenstock Arizona sandals", "non-running"),
    ("hiking boots", "non-running"),
    # nicknames and names the vocabulary cannot place: never guessed
    ("Blue Pegs", "unknown"),
    ("old ones", "unknown"),
    ("The Ghost", "unknown"),
    ("race day", "unknown"),
    ("Ride", "unknown"),
    ("1080v13", "unknown"),
    ("Nike Free RN 5.0", "unknown"),
    ("Vibram soles", "unknown"),
    ("Shoe A", "unknown"),
    ("", "unknown"),
    (None, "unknown"),
]


@pytest.mark.parametrize(("name", "kind"), REAL_NAMES)
def test_type_of_real_model_names(name, kind):
    assert infer_shoe_type(name) == kind


def test_vocabulary_uses_only_known_types():
    assert {line.type for line in VOCABULARY} <= set(SHOE_TYPES) - {"unknown"}
    assert {line.needs for line in VOCABULARY} <= {"", "brand", "brand_or_version"}


# ------------------------------------------------------------------ the catalogue


def _acts():
    rows = [
        {"date": MON + dt.timedelta(days=2 * k), "km": 10.0, "gear": "Blue Pegs"} for k in range(5)
    ]
    rows += [
        {"date": MON + dt.timedelta(days=10 + 2 * k), "km": 5.0, "gear": "Ghost 15"}
        for k in range(4)
    ]
    rows += [{"date": MON + dt.timedelta(days=20), "km": 6.0}]
    return table(rows)


def test_catalogue_from_activities_with_dates_of_use():
    cat = shoe_catalogue(_acts())
    assert list(cat.columns) == list(CATALOGUE_COLUMNS)
    assert list(cat["name"]) == ["Blue Pegs", "Ghost 15"]
    pegs, ghost = cat.to_dict("records")
    assert (pegs["type"], pegs["type_source"]) == ("unknown", "none")
    assert (ghost["type"], ghost["type_source"]) == ("cushioned", "inferred")
    assert (pegs["first_date"], pegs["last_date"]) == (MON, MON + dt.timedelta(days=8))
    assert (ghost["first_date"], ghost["last_date"]) == (
        MON + dt.timedelta(days=10),
        MON + dt.timedelta(days=16),
    )


def test_the_users_word_wins():
    export = pd.DataFrame(
        [
            {"name": "blue  pegs", "model": "Nike Pegasus 39", "source": "strava"},
            {"name": "Ghost 15", "model": "Brooks Ghost 15", "type": "stability", "source": "x"},
        ]
    )
    gear = [
        {"gear": "Ghost 15", "start_date": MON, "end_date": None, "type": "racing", "stack_mm": 22},
    ]
    cat = shoe_catalogue(_acts(), gear_map=gear, exports=[export]).set_index("name")
    # names match without regard to case or spaces; the export's model types the nickname
    assert cat.loc["Blue Pegs", "model"] == "Nike Pegasus 39"
    assert cat.loc["Blue Pegs", "type"] == "cushioned"
    # the export says stability, the runner says racing: the runner wins
    assert cat.loc["Ghost 15", "type"] == "racing" and cat.loc["Ghost 15", "type_source"] == "user"
    assert cat.loc["Ghost 15", "stack_mm"] == 22.0


def test_an_unknown_type_in_a_gear_map_is_refused():
    with pytest.raises(ValueError, match="unknown type 'comfy'"):
        shoe_catalogue(_acts(), gear_map={"Ghost 15": {"type": "comfy"}})


def test_catalogue_rows_from_an_export_assign_no_runs():
    # a shoes.csv shoe has no dates: it must not swallow the run without gear
    export = pd.DataFrame([{"name": "Spare", "model": "Hoka Clifton 9", "source": "strava"}])
    cat = shoe_catalogue(_acts(), exports=[export])
    t = shoe_table(_acts(), cat)
    assert t.loc["Spare", "runs"] == 0 and t.loc["Spare", "distance_km"] == 0.0
    assert t.loc["Spare", "first_use"] is None


# ------------------------------------------------------------------ the shoe table


def test_shoe_table_by_hand():
    acts = _acts()
    gear = [{"gear": "Ghost 15", "start_date": MON, "end_date": None, "initial_km": 790.0}]
    t = shoe_table(acts, gear_map=gear, limit_km=800.0, shoe_limits_km={"Blue Pegs": 500.0})
    assert list(t.columns) == list(SHOE_TABLE_COLUMNS)
    # the run on day 20 has no gear: the gear map gives it to Ghost 15 (5 × 4 + 6 km)
    assert list(t.index) == ["Ghost 15", "Blue Pegs"]
    ghost, pegs = t.loc["Ghost 15"], t.loc["Blue Pegs"]
    assert (ghost["runs"], ghost["distance_km"], ghost["total_km"]) == (5, 26.0, 816.0)
    assert ghost["left_km"] == pytest.approx(-16.0)
    assert (pegs["runs"], pegs["distance_km"], pegs["left_km"]) == (5, 50.0, 450.0)
    # last 4 weeks: days -6 … 20 hold everything, 76 km: 50 and 26
    assert pegs["recent_share_ratio"] == pytest.approx(50 / 76)
    assert ghost["recent_share_ratio"] == pytest.approx(26 / 76)
    # as of day 20, the 4 weeks still hold it all; as of 30 days later, nothing but the
    # day-20 run's window... none: days 23 … 50 hold no run
    later = shoe_table(acts, gear_map=gear, as_of=MON + dt.timedelta(days=50))
    assert np.isnan(later["recent_share_ratio"]).all()
    lines = shoe_lines(t)
    assert lines[0].startswith("Ghost 15 (cushioned): 816 km in 5 runs, 2024-01-11 to 2024-01-21")
    assert "16 km past its 800 km limit" in lines[0]
    assert "450 km left to its 500 km limit" in lines[1]


def test_worn_shoes_and_the_table_share_the_limit():
    acts = _acts()
    gear = [{"gear": "Ghost 15", "start_date": MON, "end_date": None, "limit_km": 20.0}]
    flags = [f for f in worn_shoes(acts, gear_map=gear) if f.severity == "moderate"]
    # 5 + 5 + 5 + 5 = 20 km on the fourth Ghost run (day 16)
    assert [(f.date, f.threshold) for f in flags] == [(MON + dt.timedelta(days=16), 20.0)]
    assert shoe_table(acts, gear_map=gear).loc["Ghost 15", "limit_km"] == 20.0


# ------------------------------------------------------------------ export gear lists


def _track(day: int):
    return synthetic_track(
        f"2024-03-{day:02d}T07:00:00Z", distance_m=5000, sample_interval_s=30.0, seed=day
    )


def test_strava_export_with_shoes_csv(tmp_path):
    acts = [
        ExportActivity(_track(4), gear="Toe shoes"),
        ExportActivity(_track(6), gear="Nike Pegasus 40"),
    ]
    shoes = [
        {"name": "Toe shoes", "brand": "Vibram", "model": "FiveFingers V-Run"},
        {"name": "", "brand": "Nike", "model": "Pegasus 40"},
        {"name": "Old flats", "brand": "Converse", "model": "Chuck Taylor"},
    ]
    path = write_strava_export(tmp_path / "export.zip", acts, shoes=shoes)
    cat = read_gear_catalogue(path)
    assert list(cat.columns) == list(CATALOGUE_COLUMNS)
    assert list(cat["name"]) == ["Toe shoes", "Nike Pegasus 40", "Old flats"]
    assert list(cat["model"]) == [
        "Vibram FiveFingers V-Run",
        "Nike Pegasus 40",
        "Converse Chuck Taylor",
    ]
    assert list(cat["type"]) == ["minimalist", "cushioned", "non-running"]
    assert set(cat["source"]) == {"strava"}
    # the extracted folder reads the same
    folder = write_strava_export(tmp_path / "folder", acts, shoes=shoes, archive=False)
    assert read_gear_catalogue(folder)["name"].tolist() == cat["name"].tolist()


def test_garmin_export_with_gear_types(tmp_path):
    acts = [ExportActivity(_track(4), gear="Daily"), ExportActivity(_track(6), gear="Race")]
    details = {
        "Daily": {"gearMakeName": "Brooks", "gearModelName": "Ghost 15", "maximumMeters": 650000},
        "Race": {
            "gearMakeName": "Nike",
            "gearModelName": "Vaporfly 3",
            "gearStatusName": "retired",
            "dateBegin": "2024-02-01T00:00:00.0",
            "dateEnd": "2024-04-30T00:00:00.0",
        },
        "Bike": {"gearTypeName": "Bike", "gearMakeName": "Trek"},
    }
    path = write_garmin_export(tmp_path / "garmin.zip", acts, gear_details=details)
    cat = read_gear_catalogue(path).set_index("name")
    assert list(cat.index) == ["Daily", "Race"]  # the bike is not a shoe
    assert (
        cat.loc["Daily", "model"] == "Brooks Ghost 15" and cat.loc["Daily", "type"] == "cushioned"
    )
    assert cat.loc["Daily", "limit_km"] == 650.0
    assert cat.loc["Race", "type"] == "racing" and bool(cat.loc["Race", "retired"])
    assert cat.loc["Race", "first_date"] == dt.date(2024, 2, 1)
    assert cat.loc["Race", "last_date"] == dt.date(2024, 4, 30)
    assert set(cat["source"]) == {"garmin"}


def test_export_catalogue_reaches_the_rule_through_the_gear_map():
    # nicknames on the runs; the export says what they are
    rows = [
        {
            "date": MON + dt.timedelta(weeks=k, days=d),
            "km": 8.0,
            "gear": "Daily" if k < 6 else "Toes",
        }
        for k in range(10)
        for d in (1, 3, 5, 6)
    ]
    acts = table(rows)
    assert [f.metric for f in wrong_shoes(acts)] == ["shoe_types_unknown"]
    export = pd.DataFrame(
        [
            {"name": "Daily", "model": "Brooks Ghost 15", "source": "garmin"},
            {"name": "Toes", "model": "Vibram FiveFingers KSO", "source": "garmin"},
        ]
    )
    catalogue = shoe_catalogue(acts, exports=[export])
    flags = wrong_shoes(acts, gear_map=catalogue)
    assert [(f.metric, f.date, f.severity) for f in flags] == [
        ("less_cushioned_share_rise_ratio", MON + dt.timedelta(weeks=6), "moderate")
    ]


def test_gear_catalogue_errors_name_the_file(tmp_path):
    bad = tmp_path / "export.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("shoes.csv", b"\xff\xfe not utf-8 \xff")
    with pytest.raises(ParseError) as info:
        read_gear_catalogue(bad)
    assert "export.zip!shoes.csv" in str(info.value) and info.value.reason == "gear_catalogue"
    gear = tmp_path / "runner@example.com_gear.json"
    gear.write_text("{not json", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        read_gear_catalogue(gear)
    assert "<account>_gear.json" in str(info.value) and "runner@example.com" not in str(info.value)
    with pytest.raises(ParseError, match="no such file"):
        read_gear_catalogue(tmp_path / "missing.zip")
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    with pytest.raises(ParseError, match="not an export zip"):
        read_gear_catalogue(other)


def test_archive_names_never_touch_the_filesystem(tmp_path):
    hostile = tmp_path / "hostile.zip"
    shoes = b"Shoe Name,Shoe Brand,Shoe Model\nEvil,Nike,Vaporfly 3\n"
    with zipfile.ZipFile(hostile, "w") as zf:
        zf.writestr("../../escape/shoes.csv", shoes)
        zf.writestr("/abs/DI-Connect-Fitness/x_gear.json", json.dumps([{"gearDTOS": []}]))
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    cat = read_gear_catalogue(hostile)
    assert cat["name"].tolist() == ["Evil"] and cat["type"].tolist() == ["racing"]
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before
    assert not (tmp_path.parent / "escape").exists()


@pytest.mark.parametrize("seed", range(10))
def test_shoe_dates_are_those_of_a_groupby(seed):
    from runload.shoes import _shoe_dates

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 80))
    names = ["Pegasus 40", "  pegasus   40 ", "Ghost 15", None, "Blue Pegs"]
    runs = pd.DataFrame(
        {
            "local_date": [
                dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 300, n)
            ],
            "distance_km": np.ones(n),
            "gear": pd.Series([names[int(i)] for i in rng.integers(0, 5, n)], dtype=object),
        }
    )
    expected = {
        name: (min(rows["local_date"]), max(rows["local_date"]))
        for name, rows in runs.dropna(subset=["gear"]).groupby("gear", sort=False)
    }
    got = _shoe_dates(runs)
    assert list(got) == list(expected) and got == expected
