"""runload.units: metric and imperial writing of distances, paces, durations, elevations."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runload.exceptions import InvalidOptionError
from runload.units import (
    MISSING,
    check_units,
    distance_value,
    elevation_value,
    format_distance,
    format_duration,
    format_elevation,
    format_pace,
    pace_s_per_unit,
)


def test_check_units():
    assert check_units(" Imperial ") == "imperial"
    assert check_units("metric") == "metric"
    with pytest.raises(InvalidOptionError, match="units must be one of"):
        check_units("furlongs")
    with pytest.raises(ValueError):  # InvalidOptionError is a ValueError too
        format_distance(1.0, "si")


def test_distances_and_elevations():
    # a marathon: 42.195 km = 26.219 mi (26 mi 385 yd by definition)
    assert distance_value(42.195, "imperial") == pytest.approx(26 + 385 / 1760, abs=1e-4)
    assert format_distance(42.195) == "42.2 km"
    assert format_distance(42.195, "imperial") == "26.2 mi"
    assert format_distance(10.0, "imperial", digits=2) == "6.21 mi"
    # 1000 ft = 304.8 m exactly
    assert elevation_value(304.8, "imperial") == pytest.approx(1000.0)
    assert format_elevation(304.8, "imperial") == "1000 ft"
    assert format_elevation(656.4) == "656 m"


def test_durations_are_h_mm_ss():
    assert format_duration(3723) == "1:02:03"
    assert format_duration(59.4) == "0:00:59"
    assert format_duration(59.6) == "0:01:00"
    assert format_duration(36_000) == "10:00:00"
    assert format_duration(-75) == "-0:01:15"


def test_paces():
    # 10 km in 50 min: 5:00 min/km; 10 km = 6.2137 mi, so 8:02.8 min/mi -> 8:03
    assert format_pace(10.0, 3000.0) == "5:00 min/km"
    assert format_pace(10.0, 3000.0, "imperial") == "8:03 min/mi"
    # seconds carry into the minutes: 359.6 s/km is 6:00
    assert format_pace(1.0, 359.6) == "6:00 min/km"
    assert math.isnan(pace_s_per_unit(0.0, 100.0))


@pytest.mark.parametrize("value", [None, float("nan"), float("inf"), "x"])
def test_missing_values(value):
    assert format_distance(value) == MISSING
    assert format_elevation(value) == MISSING
    assert format_duration(value) == MISSING
    assert format_pace(value, 100.0) == MISSING
    assert format_pace(1.0, value) == MISSING


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_duration_round_trip(seconds):
    h, m, s = (int(p) for p in format_duration(seconds).split(":"))
    assert 0 <= m < 60 and 0 <= s < 60
    assert h * 3600 + m * 60 + s == round(seconds)


@given(
    st.floats(min_value=0.1, max_value=500, allow_nan=False),
    st.floats(min_value=60, max_value=3e5, allow_nan=False),
)
def test_pace_is_m_ss(km, seconds):
    text = format_pace(km, seconds)
    minutes, rest = text.split(" ")[0].split(":")
    assert len(rest) == 2 and 0 <= int(rest) < 60
    assert int(minutes) * 60 + int(rest) == round(seconds / km)
