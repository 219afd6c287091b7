"""Cadence: one rule (runload.sports.cadence_spm) for the FIT, GPX and TCX readers.

``cadence_spm`` counts the steps of both feet.  Files hold strides of one foot (FIT, TCX
RunCadence, Garmin's GPX extensions) or, from some apps, steps; the unit is told from the
median of the positive values (threshold 120 a minute).  The expected values below are
worked out by hand from what each file holds.
"""

from __future__ import annotations

import struct

import numpy as np
import pandas as pd
import pytest

from runload.io.fit import read_fit
from runload.io.gpx import read_gpx
from runload.io.tcx import read_tcx
from runload.sports import STEPS_MIN_MEDIAN, cadence_spm
from runload.testing.fit import FIT_EPOCH, definition, fit_bytes, fit_file
from runload.testing.gpx import gpx_bytes
from runload.testing.tcx import tcx_bytes
from runload.testing.track import Track

nan = np.nan

# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    "sport", ["running", "trail_running", "walking", "hiking", None, "generic"]
)
def test_strides_of_one_foot_are_doubled(sport):
    # median of the positive values 85 (< 120): strides of one foot
    got = cadence_spm([84.0, 0.0, 85.0, nan, 86.0], sport)
    np.testing.assert_array_equal(got, [168.0, 0.0, 170.0, nan, 172.0])


@pytest.mark.parametrize("sport", ["running", "walking", None, "generic", "Running"])
def test_steps_are_kept(sport):
    # median 170 (>= 120): already steps of both feet
    got = cadence_spm([168.0, 170.0, 0.0, 0.0, 0.0, 172.0], sport)
    np.testing.assert_array_equal(got, [168.0, 170.0, 0.0, 0.0, 0.0, 172.0])


def test_the_median_ignores_zeros_and_missing_values():
    # Standing still (0) for most of the file does not make strides look like anything else:
    # positive values 80, 90 -> median 85 -> doubled.
    got = cadence_spm([0.0, 0.0, 0.0, 0.0, 80.0, 90.0, nan], "running")
    np.testing.assert_array_equal(got, [0.0, 0.0, 0.0, 0.0, 160.0, 180.0, nan])


def test_the_threshold_itself_counts_as_steps():
    assert STEPS_MIN_MEDIAN == 120.0
    np.testing.assert_array_equal(cadence_spm([119.0, 121.0], "running"), [119.0, 121.0])
    np.testing.assert_array_equal(cadence_spm([119.0, 119.5], "running"), [238.0, 239.0])


@pytest.mark.parametrize("sport", ["cycling", "rowing", "swimming", "kite surfing"])
def test_other_sports_have_no_steps(sport):
    assert cadence_spm([85.0, 90.0], sport) is None


def test_no_values_or_nothing_stepping():
    assert cadence_spm(None, "running") is None
    np.testing.assert_array_equal(cadence_spm([0.0, nan], "running"), [0.0, nan])
    np.testing.assert_array_equal(cadence_spm([], None), [])


def test_the_input_is_not_changed():
    values = np.array([80.0, 90.0])
    out = cadence_spm(values, "running")
    assert out is not values
    np.testing.assert_array_equal(values, [80.0, 90.0])
    kept = np.array([170.0, 180.0])
    out = cadence_spm(kept, "running")
    assert out is not kept


# --------------------------------------------------------------------------- the readers

T0 = pd.Timestamp("2024-06-01T06:00:00Z")


def _unlabelled_run(n: int = 60) -> Track:
    """A run with no sport: the writers put strides of one foot (80..85) in every format."""
    i = np.arange(n)
    index = pd.DatetimeIndex(T0 + pd.to_timedelta(i, unit="s"), name="time")
    samples = pd.DataFrame(
        {
            "latitude_deg": 47.0 + i * 1e-5,
            "longitude_deg": 8.5,
            "distance_m": i * 3.0,
            "cadence_spm": 160.0 + 2 * (i % 6),  # steps; per foot 80..85, whole numbers
        },
        index=index,
    )
    return Track(samples=samples, sport=None, motion="run")


def test_gpx_without_a_type_keeps_its_cadence():
    # Before: a GPX without <type> lost its cadence (only typed foot sports kept it).
    track = _unlabelled_run()
    data = gpx_bytes(track)
    assert b"<type>" not in data
    assert b"<gpxtpx:cad>80</gpxtpx:cad>" in data  # strides of one foot in the file
    raw = read_gpx(data, path="untyped.gpx")
    assert raw.sport is None
    np.testing.assert_array_equal(raw.samples["cadence_spm"], track.samples["cadence_spm"])


def _fit_without_sport(cadence: list[int]) -> bytes:
    """A FIT activity with records (timestamp, distance, cadence) and no session, no sport."""
    t0 = int((T0 - FIT_EPOCH).total_seconds())
    out = definition(0, 0, [(0, 1, 0x00)]) + b"\x00" + bytes([4])  # file_id.type = activity
    out += definition(1, 20, [(253, 4, 0x86), (5, 4, 0x86), (4, 1, 0x02)])
    for k, cad in enumerate(cadence):
        out += b"\x01" + struct.pack("<IIB", t0 + k, k * 300, cad)  # 3 m/s, distance in cm
    return fit_file(out)


def test_fit_without_a_sport_holding_steps_is_not_doubled():
    # Before: a FIT file without a sport had its cadence doubled whatever it held: an app
    # that writes steps (170) read as 340 steps a minute.
    raw = read_fit(_fit_without_sport([168, 170, 172] * 20), path="steps.fit")
    assert raw.sport is None
    np.testing.assert_array_equal(raw.samples["cadence_spm"], [168.0, 170.0, 172.0] * 20)


def test_fit_without_a_sport_holding_strides_is_doubled():
    raw = read_fit(_fit_without_sport([84, 85, 86] * 20), path="strides.fit")
    assert raw.sport is None
    np.testing.assert_array_equal(raw.samples["cadence_spm"], [168.0, 170.0, 172.0] * 20)


@pytest.mark.parametrize("fmt", ["fit", "gpx", "tcx"])
def test_an_unlabelled_run_reads_alike_in_every_format(fmt):
    # FIT says generic, GPX has no <type>, TCX says Other; all hold strides of one foot.
    track = _unlabelled_run()
    read = {
        "fit": lambda: read_fit(fit_bytes(track), path="r.fit"),
        "gpx": lambda: read_gpx(gpx_bytes(track), path="r.gpx"),
        "tcx": lambda: read_tcx(tcx_bytes(track), path="r.tcx"),
    }[fmt]
    raw = read()
    assert raw.sport in (None, "generic")
    np.testing.assert_array_equal(raw.samples["cadence_spm"], track.samples["cadence_spm"])


def _tcx(sport: str, run_cadence: list[int]) -> bytes:
    points = "".join(
        f"<Trackpoint><Time>2022-01-01T10:00:{k:02d}Z</Time><Extensions><x:TPX>"
        f"<x:RunCadence>{c}</x:RunCadence></x:TPX></Extensions></Trackpoint>\n"
        for k, c in enumerate(run_cadence)
    )
    return (
        '<?xml version="1.0"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
        ' xmlns:x="http://www.garmin.com/xmlschemas/ActivityExtension/v2">\n'
        f'<Activities><Activity Sport="{sport}"><Id>2022-01-01T10:00:00Z</Id>\n'
        f'<Lap StartTime="2022-01-01T10:00:00Z"><Track>\n{points}</Track></Lap>'
        "</Activity></Activities></TrainingCenterDatabase>\n"
    ).encode()


@pytest.mark.parametrize(
    ("sport", "stored", "expected"),
    [
        ("Running", [85, 86], [170.0, 172.0]),
        ("Running", [170, 172], [170.0, 172.0]),  # an app writing steps: kept
        ("Other", [170, 172], [170.0, 172.0]),  # before: doubled to 340
        ("Other", [85, 86], [170.0, 172.0]),
    ],
)
def test_tcx_run_cadence_units(sport, stored, expected):
    raw = read_tcx(_tcx(sport, stored), path="c.tcx")
    np.testing.assert_array_equal(raw.samples["cadence_spm"], expected)
