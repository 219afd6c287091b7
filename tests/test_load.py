"""Tests of runload.load against numbers worked out by hand.

The main calendar (``CALENDAR``) covers six Monday-to-Sunday weeks, 2024-01-01
(a Monday) to 2024-02-11 (a Sunday).  Running distances [km] per local date:

    week 1  Jan 1-7    Mon 1: 5   Wed 3: 8   Sat 6: 10                    = 23
    week 2  Jan 8-14   Tue 9: 6 (treadmill)  Thu 11: 6   Sun 14: 12       = 24
                       (+ a 5 km walk on Wed 10 and a 40 km ride on Fri 12)
    week 3  Jan 15-21  nothing                                            =  0
    week 4  Jan 22-28  Mon 22: 4   Sun 28: 20                             = 24
    week 5  Jan 29-F4  Wed 31: 8   Sun Feb 4: 10 at 20:00 UTC-5 (Mon 01:00 UTC) = 18
    week 6  Feb 5-11   Mon 5, Wed 7, Fri 9, Sun 11: 6 each                = 24

Day index k counts from Jan 1 (k = 0) to Feb 11 (k = 41).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from runload.exceptions import DataQualityWarning
from runload.load import (
    RUNNING_SPORTS,
    WEEKLY_LOAD_COLUMNS,
    acwr,
    daily_load,
    elevation_load,
    is_running,
    long_run_spikes,
    shoe_mileage,
    shoe_rotation,
    surface_mix,
    surface_transitions,
    weekly_elevation,
    weekly_load,
)
from runload.schema import SUMMARY_DTYPES, SUMMARY_FIELDS

D = dt.date
PACE_S_PER_KM = 360.0  # every hand-made run is run at 6:00 min/km

# --------------------------------------------------------------------------- helpers


def make_activities(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """An activities table from short dicts.

    Keys: ``date`` (local date, "YYYY-MM-DD"), ``km``, optional ``time`` (local
    "HH:MM", default 08:00), ``offset_h`` (UTC offset [h], default 0), ``id``; any
    summary field overrides the default.  ``local_date=None`` leaves the date empty.
    """
    records = []
    for k, row in enumerate(rows):
        row = dict(row)
        local_day = D.fromisoformat(row.pop("date"))
        km = float(row.pop("km", 5.0))
        hh, mm = (int(x) for x in row.pop("time", "08:00").split(":"))
        offset_s = round(float(row.pop("offset_h", 0)) * 3600)
        local_start = dt.datetime.combine(local_day, dt.time(hh, mm))
        start_utc = pd.Timestamp(local_start - dt.timedelta(seconds=offset_s), tz="UTC")
        record: dict[str, Any] = {
            "activity_id": row.pop("id", f"a{k:02d}"),
            "source_path": f"run{k}.fit",
            "format": "fit",
            "sport": "running",
            "sub_sport": None,
            "surface": "road",
            "start_time_utc": start_utc,
            "utc_offset_s": offset_s,
            "utc_offset_source": "file",
            "local_date": local_day,
            "distance_m": km * 1000.0,
            "elapsed_time_s": km * PACE_S_PER_KM + 60.0,
            "moving_time_s": km * PACE_S_PER_KM,
            "ascent_m": 0.0,
            "descent_m": 0.0,
            "has_gps": True,
            "device": "test",
            "name": None,
            "notes": None,
            "gear": None,
        }
        unknown = set(row) - set(record)
        assert not unknown, f"unknown keys {unknown}"
        record.update(row)
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(SUMMARY_FIELDS))
    frame = frame.astype({k: v for k, v in SUMMARY_DTYPES.items() if k != "activity_id"})
    return frame.set_index("activity_id")


TM = {"surface": "treadmill", "sub_sport": "treadmill", "has_gps": False}

CALENDAR_ROWS: list[dict[str, Any]] = [
    # week 1
    {"id": "w1a", "date": "2024-01-01", "km": 5, "ascent_m": 50.0, "descent_m": 40.0},
    {"id": "w1b", "date": "2024-01-03", "km": 8, "ascent_m": 120.0, "descent_m": 130.0},
    {"id": "w1c", "date": "2024-01-06", "km": 10, "ascent_m": 150.0, "descent_m": 150.0},
    # week 2
    {"id": "w2a", "date": "2024-01-09", "km": 6, "ascent_m": np.nan, "descent_m": np.nan, **TM},
    {"id": "walk", "date": "2024-01-10", "km": 5, "sport": "walking"},
    {"id": "w2b", "date": "2024-01-11", "km": 6, "ascent_m": 30.0, "descent_m": 30.0},
    {"id": "ride", "date": "2024-01-12", "km": 40, "sport": "cycling", "sub_sport": "road"},
    {"id": "w2c", "date": "2024-01-14", "km": 12, "ascent_m": 60.0, "descent_m": 90.0},
    # week 3: nothing
    # week 4
    {"id": "w4a", "date": "2024-01-22", "km": 4},
    {"id": "w4b", "date": "2024-01-28", "km": 20},
    # week 5: the Sunday-evening run is Monday in UTC
    {"id": "w5a", "date": "2024-01-31", "km": 8},
    {"id": "sun_eve", "date": "2024-02-04", "km": 10, "time": "20:00", "offset_h": -5},
    # week 6
    {"id": "w6a", "date": "2024-02-05", "km": 6},
    {"id": "w6b", "date": "2024-02-07", "km": 6},
    {"id": "w6c", "date": "2024-02-09", "km": 6},
    {"id": "w6d", "date": "2024-02-11", "km": 6},
]

# Hand-entered daily running distance for Jan 1 .. Feb 11 (42 days).
DAILY_KM = [0.0] * 42
DAILY_KM[0], DAILY_KM[2], DAILY_KM[5] = 5, 8, 10  # Jan 1, 3, 6
DAILY_KM[8], DAILY_KM[10], DAILY_KM[13] = 6, 6, 12  # Jan 9, 11, 14
DAILY_KM[21], DAILY_KM[27] = 4, 20  # Jan 22, 28
DAILY_KM[30], DAILY_KM[34] = 8, 10  # Jan 31, Feb 4
DAILY_KM[35] = DAILY_KM[37] = DAILY_KM[39] = DAILY_KM[41] = 6  # Feb 5, 7, 9, 11


@pytest.fixture(scope="module")
def calendar() -> pd.DataFrame:
    return make_activities(CALENDAR_ROWS)


@pytest.fixture(scope="module")
def weekly(calendar: pd.DataFrame) -> pd.DataFrame:
    return weekly_load(calendar)


# --------------------------------------------------------------------------- the helper itself


def test_helper_builds_the_schema_and_the_utc_edge(calendar: pd.DataFrame) -> None:
    assert list(calendar.columns) == [f for f in SUMMARY_FIELDS if f != "activity_id"]
    row = calendar.loc["sun_eve"]
    # 20:00 local at UTC-5 = 01:00 UTC on the next day, a Monday
    assert row["start_time_utc"] == pd.Timestamp("2024-02-05 01:00", tz="UTC")
    assert row["start_time_utc"].weekday() == 0
    assert row["local_date"] == D(2024, 2, 4) and row["local_date"].weekday() == 6


# --------------------------------------------------------------------------- selection


def test_is_running_default_selection() -> None:
    acts = make_activities(
        [
            {"id": "run", "date": "2024-01-01", "sport": "running"},
            {"id": "run_tm", "date": "2024-01-01", "sport": "running", "sub_sport": "treadmill"},
            {"id": "run_street", "date": "2024-01-01", "sport": "running", "sub_sport": "street"},
            {"id": "trail", "date": "2024-01-01", "sport": "trail_running"},
            {"id": "gen_tm", "date": "2024-01-01", "sport": "generic", "sub_sport": "treadmill"},
            {"id": "caps", "date": "2024-01-01", "sport": "Running", "sub_sport": "Track"},
            {"id": "gen", "date": "2024-01-01", "sport": "generic"},
            {"id": "walk", "date": "2024-01-01", "sport": "walking"},
            {"id": "hike", "date": "2024-01-01", "sport": "hiking"},
            {"id": "ride", "date": "2024-01-01", "sport": "cycling"},
            {"id": "nosport", "date": "2024-01-01", "sport": None},
        ]
    )
    got = is_running(acts)
    assert got.dtype == bool and got.name == "is_running"
    expected_true = {"run", "run_tm", "run_street", "trail", "gen_tm", "caps"}
    assert set(got[got].index) == expected_true
    assert is_running(acts, sports=None).all()
    treadmill_only = is_running(acts, sports={"running/treadmill", "generic/treadmill"})
    assert set(treadmill_only[treadmill_only].index) == {"run_tm", "gen_tm"}
    walks = is_running(acts, sports="walking")  # one name given as a plain string
    assert set(walks[walks].index) == {"walk"}
    narrow = is_running(acts, sports=RUNNING_SPORTS - {"running"})
    assert set(narrow[narrow].index) == {"run_tm", "run_street", "trail", "gen_tm", "caps"}


# --------------------------------------------------------------------------- daily


def test_daily_load_continuous_local_calendar(calendar: pd.DataFrame) -> None:
    daily = daily_load(calendar)
    assert daily.name == "distance_km" and daily.index.name == "local_date"
    # Jan 1 .. Feb 11 inclusive: 31 + 11 days
    assert len(daily) == 31 + 11
    assert daily.index[0] == pd.Timestamp(2024, 1, 1) and daily.index[-1] == pd.Timestamp(
        2024, 2, 11
    )
    assert all(isinstance(d, dt.date) for d in daily.index)
    np.testing.assert_allclose(daily.to_numpy(), DAILY_KM)
    # rest day, walk day and ride day are zeros when only runs count
    assert daily.loc[pd.Timestamp(2024, 1, 2)] == 0
    assert daily.loc[pd.Timestamp(2024, 1, 10)] == 0 and daily.loc[pd.Timestamp(2024, 1, 12)] == 0
    # the Sunday-evening run counts on Sunday (local), not Monday (UTC)
    assert daily.loc[pd.Timestamp(2024, 2, 4)] == 10
    assert daily.loc[pd.Timestamp(2024, 2, 5)] == 6


def test_daily_load_metrics_and_all_sports(calendar: pd.DataFrame) -> None:
    everything = daily_load(calendar, sports=None)
    assert everything.loc[pd.Timestamp(2024, 1, 10)] == 5  # the walk
    assert everything.loc[pd.Timestamp(2024, 1, 12)] == 40  # the ride
    runs = daily_load(calendar, metric="runs")
    assert runs.name == "runs" and runs.dtype == np.int64
    assert runs.sum() == 3 + 3 + 0 + 2 + 2 + 4  # the walk and the ride do not count
    assert runs.loc[pd.Timestamp(2024, 2, 4)] == 1
    moving = daily_load(calendar, metric="moving_time")
    assert moving.name == "moving_time_s"
    assert moving.loc[pd.Timestamp(2024, 1, 14)] == 12 * PACE_S_PER_KM
    ascent = daily_load(calendar, metric="ascent")
    assert ascent.name == "ascent_m"
    assert ascent.loc[pd.Timestamp(2024, 1, 3)] == 120
    assert ascent.loc[pd.Timestamp(2024, 1, 9)] == 0  # treadmill run without elevation counts as 0
    descent = daily_load(calendar, metric="descent")
    assert descent.name == "descent_m" and descent.loc[pd.Timestamp(2024, 1, 14)] == 90


def test_daily_load_start_end_extend_and_clip(calendar: pd.DataFrame) -> None:
    daily = daily_load(calendar, start="2023-12-30", end=D(2024, 1, 4))
    assert list(daily.index.date) == [D(2023, 12, 30) + dt.timedelta(days=k) for k in range(6)]
    np.testing.assert_allclose(daily.to_numpy(), [0, 0, 5, 0, 8, 0])
    none = daily_load(make_activities([{"date": "2024-01-01", "sport": "walking"}]))
    assert none.empty and none.name == "distance_km"
    zeros = daily_load(
        make_activities([{"date": "2024-01-01", "sport": "walking"}]),
        start="2024-01-01",
        end="2024-01-03",
    )
    np.testing.assert_array_equal(zeros.to_numpy(), [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="metric"):
        daily_load(calendar, metric="pace")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="before start"):
        daily_load(calendar, start="2024-02-01", end="2024-01-01")


def test_local_date_rebuilt_from_utc_and_offset() -> None:
    acts = make_activities(
        [
            {"date": "2024-02-01", "km": 3},
            {"date": "2024-02-04", "km": 10, "time": "20:00", "offset_h": -5, "local_date": None},
        ]
    )
    daily = daily_load(acts)
    # 2024-02-05 01:00 UTC + (-5 h) = 2024-02-04 20:00 local
    assert daily.index[-1] == pd.Timestamp(2024, 2, 4) and daily.iloc[-1] == 10


def test_rows_without_any_date_are_dropped_with_a_warning() -> None:
    acts = make_activities([{"date": "2024-01-01", "km": 3}, {"date": "2024-01-02", "km": 4}])
    acts.loc["a01", "local_date"] = None
    acts.loc["a01", "start_time_utc"] = pd.NaT
    with pytest.warns(DataQualityWarning, match="without a local date"):
        daily = daily_load(acts)
    assert list(daily.index.date) == [D(2024, 1, 1)] and daily.iloc[0] == 3


# --------------------------------------------------------------------------- ACWR


def test_acwr_uncoupled_and_coupled_small_windows() -> None:
    daily = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    unc = acwr(daily, method="uncoupled", acute_days=2, chronic_days=5)
    assert unc.name == "acwr_uncoupled_ratio"
    # fewer than 5 days of history -> NaN
    assert unc.iloc[:4].isna().all()
    # t=4: acute mean (4+5)/2 = 4.5; chronic = days 0..2, mean (1+2+3)/3 = 2
    assert unc.iloc[4] == pytest.approx(4.5 / 2.0)
    # t=5: (5+6)/2 = 5.5; chronic days 1..3, mean 3
    assert unc.iloc[5] == pytest.approx(5.5 / 3.0)
    cou = acwr(daily, method="coupled", acute_days=2, chronic_days=5)
    # t=4: chronic = days 0..4, mean 15/5 = 3
    assert cou.iloc[4] == pytest.approx(4.5 / 3.0)
    # t=5: chronic = days 1..5, mean 20/5 = 4
    assert cou.iloc[5] == pytest.approx(5.5 / 4.0)


def test_acwr_ewma_by_hand_recursion() -> None:
    loads = [4.0, 0.0, 8.0, 2.0]
    got = acwr(pd.Series(loads), method="ewma", acute_days=2, chronic_days=3)
    # lambda_a = 2/(2+1) = 2/3, lambda_c = 2/(3+1) = 1/2, both start at the first load (4)
    a0 = 4.0
    a1 = 2 / 3 * 0.0 + 1 / 3 * a0  # 4/3
    a2 = 2 / 3 * 8.0 + 1 / 3 * a1  # 52/9
    a3 = 2 / 3 * 2.0 + 1 / 3 * a2  # 88/27
    c0 = 4.0
    c1 = 0.5 * 0.0 + 0.5 * c0  # 2
    c2 = 0.5 * 8.0 + 0.5 * c1  # 5
    c3 = 0.5 * 2.0 + 0.5 * c2  # 3.5
    assert (a2, c2) == (pytest.approx(52 / 9), pytest.approx(5.0))
    assert (a3, c3) == (pytest.approx(88 / 27), pytest.approx(3.5))
    assert got.iloc[:2].isna().all()  # fewer than 3 days
    assert got.iloc[2] == pytest.approx(52 / 45)
    assert got.iloc[3] == pytest.approx(176 / 189)


def test_acwr_zero_chronic_is_nan_and_input_checks() -> None:
    daily = pd.Series([0.0] * 27 + [5.0, 5.0])
    # day 27: chronic days 0..20 are all zero -> NaN; day 28: chronic days 1..21 also zero
    unc = acwr(daily)
    assert unc.isna().all()
    # coupled: day 27 chronic mean = 5/28 > 0 -> acute (5/7) / (5/28) = 4, the known cap
    cou = acwr(daily, method="coupled")
    assert cou.iloc[27] == pytest.approx(4.0)
    idx = pd.Index([D(2024, 1, 1), D(2024, 1, 2), D(2024, 1, 4)])
    with pytest.raises(ValueError, match="continuous"):
        acwr(pd.Series([1.0, 1.0, 1.0], index=idx))
    with pytest.raises(ValueError, match="missing"):
        acwr(pd.Series([1.0, np.nan]))
    with pytest.raises(ValueError, match="acute_days < chronic_days"):
        acwr(daily, acute_days=7, chronic_days=7)
    with pytest.raises(ValueError, match="method"):
        acwr(daily, method="rolling")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- weekly


def test_weekly_index_is_a_datetime_index_of_local_mondays(weekly: pd.DataFrame) -> None:
    assert isinstance(weekly.index, pd.DatetimeIndex) and weekly.index.tz is None
    assert (weekly.index.day_of_week == 0).all()
    # Look-ups and slices by string, and resampling, work as on any time series.
    assert weekly.loc["2024-01-08", "distance_km"] == 6 + 6 + 12
    assert list(weekly.loc["2024-01-08":"2024-01-22", "runs"]) == [3, 0, 2]
    monthly = weekly["distance_km"].resample("MS").sum()
    # Weeks starting in January: 23 + 24 + 0 + 24 + 18 km; in February (the 5th): 24 km.
    assert list(monthly) == [89.0, 24.0]


def test_weekly_shape_and_sums(weekly: pd.DataFrame) -> None:
    assert tuple(weekly.columns) == WEEKLY_LOAD_COLUMNS
    assert weekly.index.name == "week_start"
    assert list(weekly.index.date) == [D(2024, 1, 1) + dt.timedelta(weeks=k) for k in range(6)]
    np.testing.assert_allclose(
        weekly["distance_km"], [5 + 8 + 10, 6 + 6 + 12, 0, 4 + 20, 8 + 10, 4 * 6]
    )
    assert list(weekly["runs"]) == [3, 3, 0, 2, 2, 4]
    assert weekly["runs"].dtype == np.int64
    np.testing.assert_allclose(weekly["longest_run_km"], [10, 12, 0, 20, 10, 6])
    np.testing.assert_allclose(
        weekly["moving_time_s"], np.array([23, 24, 0, 24, 18, 24]) * PACE_S_PER_KM
    )
    np.testing.assert_allclose(weekly["ascent_m"], [50 + 120 + 150, 30 + 60, 0, 0, 0, 0])
    np.testing.assert_allclose(weekly["descent_m"], [40 + 130 + 150, 30 + 90, 0, 0, 0, 0])
    # the empty week is all zeros
    empty = weekly.loc[pd.Timestamp(2024, 1, 15)]
    assert (empty[["distance_km", "runs", "longest_run_km", "moving_time_s"]] == 0).all()


def test_weekly_excludes_walks_and_rides_and_splits_treadmill(weekly: pd.DataFrame) -> None:
    week2 = weekly.loc[pd.Timestamp(2024, 1, 8)]
    assert week2["distance_km"] == 24  # not 24 + 5 (walk) + 40 (ride)
    assert week2["treadmill_km"] == 6 and week2["outdoor_km"] == 6 + 12
    np.testing.assert_allclose(weekly["treadmill_km"] + weekly["outdoor_km"], weekly["distance_km"])


def test_sunday_evening_run_stays_in_its_local_week(weekly: pd.DataFrame) -> None:
    # Sunday 2024-02-04 20:00 at UTC-5 is Monday 01:00 UTC: Monday weeks put it in Jan 29
    assert weekly.loc[pd.Timestamp(2024, 1, 29), "distance_km"] == 8 + 10
    assert weekly.loc[pd.Timestamp(2024, 2, 5), "distance_km"] == 24


def test_weekly_change_ratio(weekly: pd.DataFrame) -> None:
    ratio = weekly["distance_change_ratio"].to_numpy()
    assert np.isnan(ratio[0])  # no previous week
    assert ratio[1] == pytest.approx(24 / 23)
    assert ratio[2] == 0.0  # 0 / 24
    assert np.isnan(ratio[3])  # previous week is 0
    assert ratio[4] == pytest.approx(18 / 24)
    assert ratio[5] == pytest.approx(24 / 18)


def test_weekly_uncoupled_acwr_on_the_last_day(weekly: pd.DataFrame) -> None:
    got = weekly["acwr_uncoupled_ratio"].to_numpy()
    # weeks 1-3 end on day 6, 13, 20: fewer than 28 days of history
    assert np.isnan(got[:3]).all()
    # week 4 ends Jan 28 = day 27, the 28th day: acute = days 21..27 = week 4 = 24 km,
    # chronic = days 0..20 = weeks 1-3 = 23 + 24 + 0 = 47 km over 21 days
    assert got[3] == pytest.approx((24 / 7) / (47 / 21))  # = 72/47
    # week 5 ends Feb 4 = day 34: acute = week 5 = 18; chronic = days 7..27 = weeks 2-4 = 48
    assert got[4] == pytest.approx((18 / 7) / (48 / 21))
    # week 6 ends Feb 11 = day 41: acute = 24; chronic = days 14..34 = weeks 3-5 = 0+24+18
    assert got[5] == pytest.approx((24 / 7) / (42 / 21))  # = 12/7
    # the same from the explicit hand-entered daily list
    k = 41
    acute = sum(DAILY_KM[k - 6 : k + 1]) / 7
    chronic = sum(DAILY_KM[k - 27 : k - 6]) / 21
    assert got[5] == pytest.approx(acute / chronic)


def test_weekly_ewma_acwr_against_a_hand_loop_and_pandas(
    weekly: pd.DataFrame, calendar: pd.DataFrame
) -> None:
    lam_a, lam_c = 2 / (7 + 1), 2 / (28 + 1)
    acute = chronic = DAILY_KM[0]
    ratios = []
    for k, load in enumerate(DAILY_KM):
        if k:
            acute = lam_a * load + (1 - lam_a) * acute
            chronic = lam_c * load + (1 - lam_c) * chronic
        ratios.append(acute / chronic if k >= 27 else math.nan)
    got = weekly["acwr_ewma_ratio"].to_numpy()
    assert np.isnan(got[:3]).all()
    np.testing.assert_allclose(got[3:], [ratios[27], ratios[34], ratios[41]], rtol=1e-12)
    # an independent implementation: pandas' recursive (adjust=False) EWMA
    series = pd.Series(DAILY_KM)
    by_pandas = (
        series.ewm(alpha=lam_a, adjust=False).mean() / series.ewm(alpha=lam_c, adjust=False).mean()
    )
    np.testing.assert_allclose(got[5], by_pandas.iloc[41], rtol=1e-12)
    daily_ratio = acwr(daily_load(calendar), method="ewma")
    assert daily_ratio.loc[pd.Timestamp(2024, 2, 11)] == pytest.approx(ratios[41])


def test_weekly_monotony_population_and_sample_sd(
    weekly: pd.DataFrame, calendar: pd.DataFrame
) -> None:
    got = weekly["monotony_ratio"].to_numpy()
    # week 1 daily km: 5, 0, 8, 0, 0, 10, 0: mean 23/7,
    # population variance = (25 + 64 + 100)/7 - (23/7)^2 = 794/49 -> SD = sqrt(794)/7
    assert got[0] == pytest.approx((23 / 7) / (math.sqrt(794) / 7))
    # week 3 is all rest days: SD 0 -> NaN
    assert np.isnan(got[2])
    # week 6: 6, 0, 6, 0, 6, 0, 6: mean 24/7, variance 4*36/7 - (24/7)^2 = 432/49
    assert got[5] == pytest.approx((24 / 7) / (math.sqrt(432) / 7))  # = 2/sqrt(3)
    assert got[5] == pytest.approx(2 / math.sqrt(3))
    sample = weekly_load(calendar, monotony_ddof=1)["monotony_ratio"].to_numpy()
    # sample variance = sum of squared deviations / 6 = (7 * 432/49) / 6
    assert sample[5] == pytest.approx((24 / 7) / math.sqrt(7 * 432 / 49 / 6))
    with pytest.raises(ValueError, match="monotony_ddof"):
        weekly_load(calendar, monotony_ddof=2)


def test_weekly_sunday_start_and_partial_weeks(calendar: pd.DataFrame) -> None:
    weekly = weekly_load(calendar, week_start="Sunday")
    # Sundays: Dec 31 (partial: Dec 31 is before the first run), ..., Feb 11 (partial)
    assert list(weekly.index.date) == [D(2023, 12, 31) + dt.timedelta(weeks=k) for k in range(7)]
    # Dec31-Jan6: 5+8+10; Jan7-13: 6+6; Jan14-20: 12; Jan21-27: 4;
    # Jan28-Feb3: 20+8; Feb4-10: 10+6+6+6; Feb11-17: 6
    np.testing.assert_allclose(weekly["distance_km"], [23, 12, 12, 4, 28, 28, 6])
    ratio = weekly["distance_change_ratio"].to_numpy()
    assert np.isnan(ratio[1])  # previous week is partial (starts before the calendar)
    np.testing.assert_allclose(ratio[2:], [12 / 12, 4 / 12, 28 / 4, 28 / 28, 6 / 28])
    mono = weekly["monotony_ratio"].to_numpy()
    assert np.isnan(mono[0]) and np.isnan(mono[-1])  # partial weeks
    # Feb 4-10: 10, 6, 0, 6, 0, 6, 0: mean 4, population variance (100+3*36)/7 - 16 = 96/7
    assert mono[5] == pytest.approx(4 / math.sqrt(96 / 7))
    # the last week ends Feb 17 but the calendar Feb 11: ACWR is read on Feb 11 (day 41)
    unc = weekly["acwr_uncoupled_ratio"].to_numpy()
    assert unc[-1] == pytest.approx((24 / 7) / (42 / 21))
    # abbreviations work too; nonsense does not
    assert weekly_load(calendar, week_start="sun").index[0] == pd.Timestamp(2023, 12, 31)
    with pytest.raises(ValueError, match="weekday"):
        weekly_load(calendar, week_start="someday")


def test_weekly_end_argument_completes_the_last_week(calendar: pd.DataFrame) -> None:
    weekly = weekly_load(calendar, week_start="sunday", end="2024-02-17")
    mono = weekly["monotony_ratio"].to_numpy()
    # Feb 11-17 now fully observed: 6, 0, 0, 0, 0, 0, 0 -> mean 6/7,
    # population variance 36/7 - 36/49 = 216/49
    assert mono[-1] == pytest.approx((6 / 7) / (math.sqrt(216) / 7))


def test_weekly_nothing_selected_is_an_empty_frame() -> None:
    walks = make_activities([{"date": "2024-01-01", "sport": "walking"}])
    weekly = weekly_load(walks)
    assert weekly.empty and tuple(weekly.columns) == WEEKLY_LOAD_COLUMNS
    everything = weekly_load(walks, sports=None)
    assert everything["distance_km"].tolist() == [5.0]


# --------------------------------------------------------------------------- spikes


def test_long_run_spikes_window_edges() -> None:
    acts = make_activities(
        [
            {"id": "a", "date": "2024-01-01", "km": 10},
            {"id": "b", "date": "2024-01-31", "km": 5},  # 30 days after a: a is in
            {"id": "c", "date": "2024-02-01", "km": 8, "time": "07:00"},  # 31 days: a is out
            {"id": "d", "date": "2024-02-01", "km": 12, "time": "18:00"},  # same day, later
            {"id": "walk", "date": "2024-01-15", "km": 30, "sport": "walking"},
        ]
    )
    spikes = long_run_spikes(acts)
    assert list(spikes.index) == ["a", "b", "c", "d"]
    assert list(spikes.columns) == [
        "local_date",
        "distance_km",
        "previous_longest_km",
        "spike_ratio",
        "history_days",
    ]
    assert np.isnan(spikes.loc["a", "previous_longest_km"])
    assert np.isnan(spikes.loc["a", "spike_ratio"])
    assert spikes.loc["b", "previous_longest_km"] == 10 and spikes.loc["b", "spike_ratio"] == 0.5
    assert spikes.loc["c", "previous_longest_km"] == 5
    assert spikes.loc["c", "spike_ratio"] == pytest.approx(8 / 5)
    # the earlier run the same day (8 km) is in d's window
    assert spikes.loc["d", "previous_longest_km"] == 8
    assert spikes.loc["d", "spike_ratio"] == pytest.approx(12 / 8)
    assert list(spikes["history_days"]) == [0, 30, 31, 31]
    assert spikes.loc["d", "local_date"] == D(2024, 2, 1)
    shorter = long_run_spikes(acts, window_days=29)
    assert np.isnan(shorter.loc["b", "spike_ratio"])  # 30 days back is out of a 29-day window


def test_long_run_spikes_on_the_calendar(calendar: pd.DataFrame) -> None:
    spikes = long_run_spikes(calendar)
    assert "walk" not in spikes.index and "ride" not in spikes.index
    # Jan 28, 20 km: longest of Dec 29 .. Jan 27 is 12 km (Jan 14)
    assert spikes.loc["w4b", "spike_ratio"] == pytest.approx(20 / 12)
    # Feb 4, 10 km: Jan 5 .. Feb 3 holds the 20 km run
    assert spikes.loc["sun_eve", "spike_ratio"] == pytest.approx(10 / 20)


# --------------------------------------------------------------------------- surfaces


def test_surface_mix_weekly_share(calendar: pd.DataFrame) -> None:
    mix = surface_mix(calendar)
    assert list(mix.columns) == ["treadmill_km", "outdoor_km", "treadmill_share_ratio"]
    assert mix.loc[pd.Timestamp(2024, 1, 8), "treadmill_km"] == 6
    assert mix.loc[pd.Timestamp(2024, 1, 8), "treadmill_share_ratio"] == pytest.approx(6 / 24)
    assert mix.loc[pd.Timestamp(2024, 1, 1), "treadmill_share_ratio"] == 0
    assert np.isnan(mix.loc[pd.Timestamp(2024, 1, 15), "treadmill_share_ratio"])


def test_surface_transitions_windows() -> None:
    tm_row = dict(TM, km=5)
    acts = make_activities(
        [
            {"id": "t1", "date": "2024-01-01", **tm_row},
            {"id": "t2", "date": "2024-01-03", **tm_row},
            {"id": "t3", "date": "2024-01-05", **tm_row},
            {"id": "t4", "date": "2024-01-08", **tm_row},
            {"id": "o1", "date": "2024-01-10", "km": 3},
            {"id": "o2", "date": "2024-01-29", "km": 4},  # 28 days after t1: t1 is in
            {"id": "o3", "date": "2024-02-10", "km": 8},
        ]
    )
    got = surface_transitions(acts)
    assert list(got.index) == ["o1", "o2", "o3"]
    # o1: window Dec 13 .. Jan 9 = four 5 km treadmill runs, nothing outdoor
    assert got.loc["o1", "prior_treadmill_km"] == 20 and got.loc["o1", "prior_outdoor_km"] == 0
    assert got.loc["o1", "prior_treadmill_share_ratio"] == 1.0
    assert got.loc["o1", "prior_treadmill_runs"] == 4
    assert got.loc["o1", "prior_treadmill_mean_km"] == 5
    assert got.loc["o1", "distance_to_treadmill_mean_ratio"] == pytest.approx(3 / 5)
    # o2: window Jan 1 .. Jan 28 = 20 km treadmill + 3 km outdoor
    assert got.loc["o2", "prior_treadmill_share_ratio"] == pytest.approx(20 / 23)
    assert got.loc["o2", "distance_to_treadmill_mean_ratio"] == pytest.approx(4 / 5)
    # o3: window Jan 13 .. Feb 9 holds only o2 (outdoor)
    assert got.loc["o3", "prior_treadmill_share_ratio"] == 0
    assert got.loc["o3", "prior_treadmill_runs"] == 0
    assert np.isnan(got.loc["o3", "prior_treadmill_mean_km"])
    # a one-week window for o2 (Jan 22 .. 28) is empty
    one_week = surface_transitions(acts, window_weeks=1)
    assert np.isnan(one_week.loc["o2", "prior_treadmill_share_ratio"])


# --------------------------------------------------------------------------- elevation


def test_elevation_per_run_and_weekly(calendar: pd.DataFrame) -> None:
    per_run = elevation_load(calendar)
    assert list(per_run.columns) == [
        "local_date",
        "distance_km",
        "ascent_m",
        "descent_m",
        "ascent_m_per_km",
        "descent_m_per_km",
    ]
    assert per_run.loc["w1c", "ascent_m_per_km"] == pytest.approx(150 / 10)
    assert per_run.loc["w2c", "descent_m_per_km"] == pytest.approx(90 / 12)
    assert np.isnan(per_run.loc["w2a", "ascent_m_per_km"])  # treadmill, no elevation
    weekly = weekly_elevation(calendar)
    assert weekly.loc[pd.Timestamp(2024, 1, 1), "ascent_m"] == 320
    assert weekly.loc[pd.Timestamp(2024, 1, 1), "ascent_m_per_km"] == pytest.approx(320 / 23)
    # week 2: the 6 km treadmill run has no elevation and stays out of the denominator
    assert weekly.loc[pd.Timestamp(2024, 1, 8), "ascent_m_per_km"] == pytest.approx(
        (30 + 60) / (6 + 12)
    )
    assert weekly.loc[pd.Timestamp(2024, 1, 8), "descent_m_per_km"] == pytest.approx((30 + 90) / 18)
    assert np.isnan(weekly.loc[pd.Timestamp(2024, 1, 15), "ascent_m_per_km"])


# --------------------------------------------------------------------------- shoes


SHOE_ROWS: list[dict[str, Any]] = [
    {"id": "s1", "date": "2024-01-01", "km": 5},
    {"id": "s2", "date": "2024-01-10", "km": 10},
    {"id": "s3", "date": "2024-01-15", "km": 4, "time": "07:00"},
    {"id": "race", "date": "2024-01-15", "km": 21, "time": "09:00", "gear": "Racer"},
    {"id": "s4", "date": "2024-01-16", "km": 8},  # first day of Clifton's range
    {"id": "s5", "date": "2024-02-01", "km": 6},
    {"id": "walk", "date": "2024-01-02", "km": 3, "sport": "walking"},
]
GEAR_MAP = [
    {"gear": "Pegasus", "start_date": None, "end_date": "2024-01-15", "initial_km": 100.0},
    {"gear": "Clifton", "start_date": D(2024, 1, 16), "end_date": None},
]


def test_shoe_mileage_with_a_gear_map() -> None:
    acts = make_activities(SHOE_ROWS)
    got = shoe_mileage(acts, gear_map=GEAR_MAP)
    assert list(got.columns) == ["local_date", "gear", "distance_km", "cumulative_km"]
    assert list(got.index) == ["s1", "s2", "s3", "race", "s4", "s5"]  # walk left out
    assert list(got["gear"]) == ["Pegasus", "Pegasus", "Pegasus", "Racer", "Clifton", "Clifton"]
    # Pegasus starts at 100 km; its end date (Jan 15) is inclusive
    np.testing.assert_allclose(got["cumulative_km"], [100 + 5, 105 + 10, 115 + 4, 21, 8, 8 + 6])
    as_frame = shoe_mileage(acts, gear_map=pd.DataFrame(GEAR_MAP))
    pd.testing.assert_frame_equal(as_frame, got)
    with_walk = shoe_mileage(acts, gear_map=GEAR_MAP, sports=None)
    assert with_walk.loc["walk", "cumulative_km"] == 105 + 3


def test_shoe_mileage_without_map_and_overlaps() -> None:
    acts = make_activities(SHOE_ROWS)
    only_column = shoe_mileage(acts)
    assert list(only_column.index) == ["race"]
    overlapping = [
        {"gear": "Old", "start_date": "2024-01-01", "end_date": "2024-01-31"},
        {"gear": "New", "start_date": "2024-01-12", "end_date": None},
    ]
    with pytest.warns(DataQualityWarning, match="several shoes"):
        got = shoe_mileage(acts, gear_map=overlapping)
    assert got.loc["s2", "gear"] == "Old" and got.loc["s4", "gear"] == "New"
    with pytest.raises(ValueError, match="end_date is before"):
        shoe_mileage(
            acts, gear_map=[{"gear": "X", "start_date": "2024-02-01", "end_date": "2024-01-01"}]
        )


def test_shoe_rotation_trailing_window() -> None:
    acts = make_activities(SHOE_ROWS)
    got = shoe_rotation(acts, window_days=7, gear_map=GEAR_MAP)
    assert got.name == "shoe_count"
    # s1 Jan 1: {Pegasus}; s2 Jan 10 (Jan 4..10): {Pegasus}; s3 Jan 15 07:00: {Pegasus};
    # race Jan 15 09:00: {Pegasus, Racer}; s4 Jan 16 (Jan 10..16): {Pegasus, Racer, Clifton};
    # s5 Feb 1 (Jan 26..Feb 1): {Clifton}
    assert got.to_dict() == {"s1": 1, "s2": 1, "s3": 1, "race": 2, "s4": 3, "s5": 1}
    # window edge for s5 (Feb 1): 18 days = Jan 15..Feb 1 holds s3, race, s4 -> 3 shoes;
    # 17 days = Jan 16..Feb 1 holds only s4 -> 1 shoe
    assert shoe_rotation(acts, window_days=18, gear_map=GEAR_MAP)["s5"] == 3
    assert shoe_rotation(acts, window_days=17, gear_map=GEAR_MAP)["s5"] == 1


# --------------------------------------------------------------------------- purity


def test_no_function_mutates_its_input() -> None:
    acts = make_activities([*CALENDAR_ROWS, {"id": "x", "date": "2024-01-20", "gear": "A"}])
    before = acts.copy(deep=True)
    is_running(acts)
    daily_load(acts, start="2023-12-01")
    weekly_load(acts, week_start="sunday")
    surface_mix(acts)
    surface_transitions(acts)
    elevation_load(acts)
    weekly_elevation(acts)
    long_run_spikes(acts)
    shoe_mileage(acts, gear_map=GEAR_MAP)
    shoe_rotation(acts, gear_map=GEAR_MAP)
    daily = daily_load(acts)
    daily_before = daily.copy()
    acwr(daily, method="ewma")
    pd.testing.assert_frame_equal(acts, before)
    pd.testing.assert_series_equal(daily, daily_before)


def test_missing_columns_are_reported() -> None:
    acts = make_activities([{"date": "2024-01-01"}]).drop(columns=["distance_m"])
    with pytest.raises(ValueError, match="distance_m"):
        weekly_load(acts)


@pytest.mark.parametrize("method", ["uncoupled", "coupled", "ewma"])
@pytest.mark.parametrize("days", [1, 5, 7, 8])
def test_acwr_of_a_history_shorter_than_the_windows_is_all_nan(method, days):
    # fewer than 28 days: no chronic window yet, so no ratio on any day (and no crash)
    daily = pd.Series(
        [5.0] * days, index=[dt.date(2024, 1, 1) + dt.timedelta(days=k) for k in range(days)]
    )
    out = acwr(daily, method=method)
    assert len(out) == days
    assert out.isna().all()


# ---------------------------------------------------------------------------
# Vectorised windows against the loops they replaced (random histories, exact)
# ---------------------------------------------------------------------------


def random_activities(seed: int, n: int = 80) -> pd.DataFrame:
    """A random history: runs on shared and empty days, NaN and odd distances, shoes."""
    rng = np.random.default_rng(seed)
    day = D(2024, 1, 1).toordinal() + np.cumsum(rng.choice([0, 0, 1, 1, 2, 4, 9, 20], size=n))
    shoes = [None, "A", "B", "C", " ", "a "]
    rows: list[dict[str, Any]] = []
    for k in range(n):
        km = float(rng.choice([0.0, 3.0, 5.0, 8.0, 12.0, 21.1, np.nan, np.inf]))
        rows.append(
            {
                "id": f"x{k:03d}",
                "date": D.fromordinal(int(day[k])).isoformat(),
                "km": km * float(rng.uniform(0.9, 1.1)),
                "time": f"{int(rng.integers(5, 21)):02d}:{int(rng.integers(0, 60)):02d}",
                "gear": shoes[int(rng.integers(0, len(shoes)))],
                **(TM if rng.random() < 0.2 else {}),
                **({"sport": "walking"} if rng.random() < 0.05 else {}),
            }
        )
    order = rng.permutation(n)  # the table's order is not the runs' order
    return make_activities(rows).iloc[order]


def _same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(((a == b) | (np.isnan(a) & np.isnan(b))).all())


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("window_days", [1, 7, 30])
def test_long_run_spikes_window_maximum_is_the_loop(seed: int, window_days: int) -> None:
    acts = random_activities(seed)
    out = long_run_spikes(acts, window_days=window_days)
    ordered = out["local_date"].map(D.toordinal).to_numpy()
    distance = out["distance_km"].to_numpy(dtype=float)
    previous = np.full(len(out), np.nan)
    for i in range(len(out)):
        lo = int(np.searchsorted(ordered, ordered[i] - window_days, side="left"))
        window = distance[lo:i]
        window = window[np.isfinite(window)]
        if window.size:
            previous[i] = window.max()
    assert _same(out["previous_longest_km"], previous)


def _random_gear_map(seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    out: list[dict[str, Any]] = []
    for name in ("M1", "M2", "A"):
        first = D(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 200)))
        out.append(
            {
                "gear": name,
                "start_date": first,
                "end_date": None if rng.random() < 0.3 else first + dt.timedelta(days=90),
                "initial_km": float(rng.choice([0.0, 100.0])),
            }
        )
    return out


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("window_days", [1, 7, 28])
def test_shoe_rotation_distinct_shoes_is_the_loop(seed: int, window_days: int) -> None:
    acts = random_activities(seed)
    gear_map = _random_gear_map(seed) if seed % 2 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        out = shoe_rotation(acts, window_days=window_days, gear_map=gear_map)
        mileage = shoe_mileage(acts, gear_map=gear_map)
    spikes = long_run_spikes(acts)  # the same runs, in the same order, with their dates
    assert list(out.index) == list(spikes.index)
    ordered = spikes["local_date"].map(D.toordinal).to_numpy()
    shoe = mileage["gear"].reindex(out.index).to_numpy(dtype=object)
    expected = []
    for i in range(len(out)):
        lo = int(np.searchsorted(ordered, ordered[i] - (window_days - 1), side="left"))
        expected.append(len({s for s in shoe[lo : i + 1] if not pd.isna(s)}))
    assert out.tolist() == expected
    assert out.dtype == np.int64


def _slow_is_running(acts: pd.DataFrame, sports: frozenset[str]) -> list[bool]:
    def text(values: pd.Series) -> pd.Series:
        return values.astype("string").str.strip().str.lower().fillna("").astype(object)

    bare = {s for s in sports if "/" not in s}
    pairs = {s for s in sports if "/" in s}
    sport, sub = text(acts["sport"]), text(acts["sub_sport"])
    return (sport.isin(bare) | (sport + "/" + sub).isin(pairs)).tolist()


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("dtype", ["object", "str"])
def test_is_running_normalises_each_distinct_value_as_before(seed: int, dtype: str) -> None:
    rng = np.random.default_rng(seed)
    words = [
        "running", " Running ", "RUNNING\t", "trail_running", "walking", "İstanbul run",
        "running\x1c", "\xa0running", "cycling", "", " ", None, np.nan, "treadmill",
        "generic", "Generic ", "ß", "virtual_activity",
    ]  # fmt: skip
    n = int(rng.integers(0, 60))
    acts = pd.DataFrame(
        {
            "sport": [words[int(i)] for i in rng.integers(0, len(words), n)],
            "sub_sport": [words[int(i)] for i in rng.integers(0, len(words), n)],
        },
        index=[f"i{k}" for k in range(n)],
    ).astype(dtype)
    for sports in (RUNNING_SPORTS, frozenset({"running/treadmill", "generic/", "İstanbul run"})):
        got = is_running(acts, sports=sports)
        assert got.tolist() == _slow_is_running(acts, frozenset(sports))
        assert got.dtype == bool and list(got.index) == list(acts.index)


@pytest.mark.parametrize("seed", range(10))
def test_local_dates_of_date_objects_give_the_days_of_to_datetime(seed: int) -> None:
    from runload.load import _date_days

    rng = np.random.default_rng(seed)
    values: list[Any] = [
        D(1970, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(-80_000, 100_000, 50)
    ]
    values[3] = None
    values[7] = np.nan
    column = pd.Series(values, dtype=object)
    quick = _date_days(column)
    stamps = pd.to_datetime(column, errors="coerce")
    slow = np.full(len(column), np.nan)
    ok = stamps.notna().to_numpy()
    slow[ok] = stamps.to_numpy(dtype="datetime64[ns]")[ok].astype("datetime64[D]").astype(np.int64)
    assert _same(quick, slow)
    # anything but dates (and dates pandas cannot hold) goes the slow way
    assert _date_days(pd.Series([D(2024, 1, 1), dt.datetime(2024, 1, 2)], dtype=object)) is None
    assert _date_days(pd.Series([D(2024, 1, 1), "2024-01-02"], dtype=object)) is None
    assert _date_days(pd.Series([D(1500, 1, 1)], dtype=object)) is None


@pytest.mark.parametrize("seed", range(25))
def test_weekly_acwr_and_monotony_are_the_daily_loops(seed: int) -> None:
    from runload.load import _ewma, _monotony, _uncoupled_at

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    x = rng.choice([0.0, 0.0, 0.0, 5.0, 8.3, 12.1, 30.7], size=n) * rng.uniform(0.5, 1.5, n)
    at = rng.integers(0, n, size=50)
    full = acwr(pd.Series(x), method="uncoupled").to_numpy()
    assert _same(_uncoupled_at(x, at), full[at])
    # the EWMA recursion on numpy scalars, as it was written
    lam = 2.0 / (7 + 1)
    slow = np.empty_like(x)
    level = x[0]
    for i, value in enumerate(x):
        level = lam * value + (1.0 - lam) * level if i else value
        slow[i] = level
    assert _same(_ewma(x, lam), slow)
    # monotony of each whole week
    weeks = x[: 7 * (n // 7)].reshape(-1, 7)
    for ddof in (0, 1):
        expected = []
        for week in weeks:
            mean, sd = float(week.mean()), float(week.std(ddof=ddof))
            scale = float(np.abs(week).max())
            expected.append(float("nan") if sd <= 1e-12 * max(scale, 1.0) else mean / sd)
        assert _same(_monotony(weeks, ddof), expected)


@pytest.mark.parametrize("dtype", ["object", "str"])
def test_gear_names_per_distinct_value_as_per_run(dtype: str) -> None:
    from runload.load import _gear_name, _gear_names

    rng = np.random.default_rng(3)
    names = ["Pegasus", " ", "", None, np.nan, "  Ghost 15 ", "ghost 15", "Ghost 15"]
    values = pd.Series([names[int(i)] for i in rng.integers(0, len(names), 200)]).astype(dtype)
    assert _gear_names(values).tolist() == [_gear_name(v) for v in values]
    mixed = pd.Series([1, 1.0, True, "1", None] * 5, dtype=object)
    assert _gear_names(mixed).tolist() == [_gear_name(v) for v in mixed]
