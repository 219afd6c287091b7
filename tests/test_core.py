"""The format-independent rules: geometry, elevation, pauses, local time, surface, gzip."""

from __future__ import annotations

import gzip
import io
import math
import time
import zlib

import numpy as np
import pandas as pd
import pytest

import runload
from runload.activity import RawActivity, classify_surface, drop_time_outliers, finalize
from runload.elevation import ascent_descent
from runload.geo import EARTH_RADIUS_M, haversine_m, path_distance_m
from runload.io.fit import crc16
from runload.io.registry import gunzip_bounded

# ----------------------------------------------------------------------------- geometry


def test_haversine_of_a_thousandth_of_a_degree_of_latitude():
    # arc length = R * angle in radians
    expected = EARTH_RADIUS_M * math.radians(0.001)
    assert haversine_m(45.0, 7.0, 45.001, 7.0) == pytest.approx(expected, rel=1e-9)


def test_path_distance_rejects_a_teleport():
    lat = np.array([0.0, 0.0001, 0.0002, 1.0, 0.0003, 0.0004])  # 4th fix jumps 111 km in 1 s
    lon = np.zeros(6)
    t = np.arange(6.0)
    dist, rejected = path_distance_m(lat, lon, t, max_speed_m_s=15)
    step = EARTH_RADIUS_M * math.radians(0.0001)
    assert rejected == 1
    assert dist[-1] == pytest.approx(4 * step, rel=1e-9)
    assert dist[3] == pytest.approx(2 * step, rel=1e-9)  # carried over the rejected fix


def test_path_distance_reanchors_after_a_long_run_of_rejections():
    # the receiver starts 1 degree off, then settles: after 10 rejections the new place is taken
    lat = np.concatenate([[1.0], np.arange(30) * 0.0001])
    t = np.arange(lat.size, dtype=float)
    dist, rejected = path_distance_m(lat, np.zeros_like(lat), t, max_speed_m_s=15)
    assert rejected == 10
    step = EARTH_RADIUS_M * math.radians(0.0001)
    # fixes 10..29 of the settled track are measured: 19 steps
    assert dist[-1] == pytest.approx(19 * step, rel=1e-9)


# ----------------------------------------------------------------------------- elevation


def test_hysteresis_by_hand():
    e = [0, 1, 2, 5, 4, 3, 10, 2]
    # band 3: 0 -> 5 (+5), 5 -> 10 (+5), 10 -> 2 (-8)
    assert ascent_descent(e, method="hysteresis", threshold_m=3, smooth_window_s=0) == (10.0, 8.0)
    # naive: +1 +1 +3 +7 and -1 -1 -8
    assert ascent_descent(e, method="naive", smooth_window_s=0) == (12.0, 10.0)


def test_smoothing_removes_a_single_sample_spike():
    t = np.arange(60.0)
    e = np.full(60, 100.0)
    e[30] = 130.0  # one bad altimeter reading
    assert ascent_descent(e, t, smooth_window_s=0, threshold_m=2)[0] == 30.0
    assert ascent_descent(e, t, smooth_window_s=10, threshold_m=2)[0] == 0.0


def test_no_elevation_gives_nan():
    assert all(math.isnan(v) for v in ascent_descent([np.nan, np.nan]))


def test_elevation_options_are_validated():
    with pytest.raises(ValueError):
        runload.ElevationGain(method="magic")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        runload.ElevationGain(threshold_m=-1)


# ----------------------------------------------------------------------------- finalize


def _samples(n: int, *, start="2025-03-03T02:30:00Z", lat0=39.74, lon0=-104.99, step_s=1.0):
    index = pd.DatetimeIndex(
        pd.Timestamp(start) + pd.to_timedelta(np.arange(n) * step_s, unit="s"), name="time"
    )
    return pd.DataFrame(
        {
            "latitude_deg": lat0 + np.arange(n) * 0.00003,
            "longitude_deg": np.full(n, lon0),
            "elevation_m": np.full(n, 1600.0),
        },
        index=index,
    )


def _finalize(raw, **kw):
    return finalize(raw, activity_id="x", source_path="mem", **kw)


def test_moving_time_subtracts_pauses_and_long_gaps():
    s = _samples(101)  # 0..100 s
    s = s.drop(s.index[61:70])  # a 10 s gap (60 -> 70): longer than max_gap_s=5
    pause = (s.index[0] + pd.Timedelta(seconds=20), s.index[0] + pd.Timedelta(seconds=30))
    a = _finalize(RawActivity(format="gpx", samples=s, pauses=[pause]), max_gap_s=5)
    assert a.elapsed_time_s == 100.0
    assert a.moving_time_s == 100.0 - 10 - 10


def test_file_with_timer_events_does_not_count_gaps_as_pauses():
    s = _samples(101).iloc[::20]  # sparse "smart recording": a sample every 20 s
    a = _finalize(RawActivity(format="fit", samples=s, gaps_are_pauses=False), max_gap_s=5)
    assert a.moving_time_s == 100.0


def test_sunday_evening_in_denver_is_sunday_by_position():
    # 2025-03-03T02:30Z is Sunday 2 March, 19:30 MST (UTC-7)
    a = _finalize(RawActivity(format="gpx", samples=_samples(10)))
    assert a.utc_offset_source == "position"
    assert a.utc_offset_s == -7 * 3600
    assert a.local_date.isoformat() == "2025-03-02"
    assert a.start_time_utc == pd.Timestamp("2025-03-03T02:30:00Z")


def test_offset_precedence_file_then_position_then_argument():
    # 2025-03-03 02:30 UTC is Sunday 2025-03-02 19:30 in Denver (UTC-7), Monday in Tokyo.
    # A position wins over the argument, which is for files with neither offset nor position.
    a = _finalize(RawActivity(format="gpx", samples=_samples(10)), timezone="Asia/Tokyo")
    assert (a.utc_offset_source, a.utc_offset_s) == ("position", -7 * 3600)
    assert a.local_date.isoformat() == "2025-03-02"
    no_fix = _samples(10)
    no_fix[["latitude_deg", "longitude_deg"]] = np.nan
    c = _finalize(RawActivity(format="gpx", samples=no_fix), timezone="Asia/Tokyo")
    assert (c.utc_offset_source, c.utc_offset_s) == ("argument", 9 * 3600)
    assert c.local_date.isoformat() == "2025-03-03"
    b = _finalize(
        RawActivity(format="fit", samples=_samples(10), utc_offset_s=3600), timezone="Asia/Tokyo"
    )
    assert (b.utc_offset_source, b.utc_offset_s) == ("file", 3600)


def test_no_position_and_no_zone_falls_back_to_utc():
    s = _samples(10)
    s[["latitude_deg", "longitude_deg"]] = np.nan
    s["distance_m"] = np.arange(10.0) * 3
    a = _finalize(RawActivity(format="tcx", samples=s))
    assert (a.utc_offset_source, a.utc_offset_s) == ("default", 0)
    assert a.surface == "treadmill"
    assert a.distance_m == 27.0
    assert not a.has_gps


def test_duplicate_timestamps_are_merged_field_by_field():
    s = _samples(3)
    extra = pd.DataFrame({"heart_rate_bpm": [150.0]}, index=s.index[1:2])
    both = pd.concat([s, extra])
    a = _finalize(RawActivity(format="fit", samples=both))
    assert len(a.samples) == 3
    assert a.samples["heart_rate_bpm"].iloc[1] == 150.0
    assert a.samples["latitude_deg"].iloc[1] == s["latitude_deg"].iloc[1]


def test_clock_glitch_samples_are_dropped_with_a_warning():
    s = _samples(50)
    glitch = s.iloc[-1:].copy()
    glitch.index = pd.DatetimeIndex([pd.Timestamp("2085-12-21T00:00:00Z")], name="time")
    kept, dropped = drop_time_outliers(pd.concat([s, glitch]))
    assert dropped == 1 and len(kept) == 50
    with pytest.warns(runload.DataQualityWarning, match="clock glitch"):
        a = _finalize(RawActivity(format="fit", samples=pd.concat([s, glitch])))
    assert a.elapsed_time_s == 49.0


@pytest.mark.parametrize(
    ("sport", "sub_sport", "name", "gps", "dist", "expected"),
    [
        ("running", "treadmill", None, False, True, "treadmill"),
        ("running", "indoor_running", None, False, True, "treadmill"),
        ("running", "generic", "Easy treadmill run", True, True, "treadmill"),
        ("running", "generic", None, False, True, "treadmill"),
        ("running", "trail", None, True, True, "trail"),
        ("running", "generic", "Sunday trail loop", True, True, "trail"),
        ("running", "track", None, True, True, "track"),
        ("running", "generic", None, True, True, "road"),
        ("running", "generic", None, False, False, "unknown"),
        ("cycling", "generic", None, False, True, "unknown"),
    ],
)
def test_surface(sport, sub_sport, name, gps, dist, expected):
    assert classify_surface(sport, sub_sport, name, gps, dist) == expected


def _session(data: bytes) -> tuple[int, dict[str, float]]:
    """Records and session totals of a FIT file, read with fitdecode (CRC not checked)."""
    import fitdecode

    records, session = 0, {}
    keys = ("total_distance", "total_elapsed_time", "total_timer_time")
    keys += ("total_ascent", "total_descent")
    reader = fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.DISABLED,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    with reader:
        try:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                    records += 1
                elif isinstance(frame, fitdecode.FitDataMessage) and frame.name == "session":
                    session = {k: float(frame.get_value(k)) for k in keys}
        except fitdecode.FitEOFError:  # the file is shorter than its header says
            pass
    return records, session


def test_damaged_fit_file_takes_the_devices_totals_where_its_samples_stop_early():
    # A 5 km run (1651 one-second records, 60 m up and down, an altimeter without noise
    # so that the writer's session ascent, the sum of the rises, is the true 60 m).  The
    # damaged file keeps the first 825 records and the closing messages (timer stop,
    # lap, session, activity) with the whole run's totals, and is shorter than its
    # header promises: the second half of the records was lost.
    import dataclasses

    from runload.exceptions import CorruptFileWarning
    from runload.testing.fit import fit_bytes
    from runload.testing.history import synthetic_track

    track = synthetic_track(
        "2024-05-04T07:00:00Z",
        distance_m=5000.0,
        climb_m=60.0,
        elevation_noise_m=0.0,
        seed=3,
    )
    full = fit_bytes(track)
    first = dataclasses.replace(track, samples=track.samples.iloc[:825])
    head = fit_bytes(first)
    # Both files share the header fields, the opening messages and the first 825
    # records; they part where the full file writes record 826 and the short one its
    # closing messages, which are as long in both.  No file CRC: the file was cut.
    shared = next(i for i in range(14, len(head)) if full[i] != head[i])
    closing = len(head) - 2 - shared
    damaged = full[:shared] + full[len(full) - 2 - closing : -2]
    n_full, totals = _session(full)
    assert (n_full, _session(damaged)) == (1651, (825, totals))
    assert totals["total_distance"] == track.truth.distance_m == 5000.0
    assert totals["total_ascent"] == round(track.truth.ascent_m) == 60.0

    with pytest.warns(CorruptFileWarning, match="truncated"):
        act = runload.read_activity(io.BytesIO(damaged))
    assert len(act.samples) == 825
    assert act.samples["distance_m"].max() < 2600.0  # the samples stop half-way
    assert act.distance_m == totals["total_distance"]
    assert act.elapsed_time_s == totals["total_elapsed_time"] == 1650.0
    assert act.moving_time_s == totals["total_timer_time"] == 1650.0
    assert (act.ascent_m, act.descent_m) == (totals["total_ascent"], totals["total_descent"])


def test_file_that_lost_only_its_crc_keeps_its_samples_and_the_devices_totals():
    # Cut two bytes short (the file CRC): every record and the session are there.
    from runload.exceptions import CorruptFileWarning
    from runload.testing.fit import fit_bytes, truncate
    from runload.testing.history import synthetic_track

    track = synthetic_track("2024-05-04T07:00:00Z", distance_m=3000.0, climb_m=30.0, seed=5)
    data = fit_bytes(track)
    n, totals = _session(data)
    intact = runload.read_activity(io.BytesIO(data))
    with pytest.warns(CorruptFileWarning, match="truncated"):
        cut = runload.read_activity(io.BytesIO(truncate(data, len(data) - 2)))
    assert len(cut.samples) == len(intact.samples) == n
    assert (cut.distance_m, cut.elapsed_time_s) == (intact.distance_m, intact.elapsed_time_s)
    # The writer's session ascent is the unsmoothed sum of the noisy altimeter's rises,
    # more than the complete file's own (smoothed) count: a damaged file takes the
    # device's figure where it is the larger.
    assert intact.ascent_m < totals["total_ascent"]
    assert (cut.ascent_m, cut.descent_m) == (totals["total_ascent"], totals["total_descent"])


# ----------------------------------------------------------------------------- sniffing, gzip


def test_crc16_check_value():
    # CRC-16/ARC (the FIT CRC) of the ASCII digits 1-9 is 0xBB3D by its published definition
    assert crc16(b"123456789") == 0xBB3D
    blob = bytes(range(256)) * 300
    # the chunked numpy path agrees with a plain bytewise computation
    crc = 0
    for b in blob:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    assert crc16(blob) == crc


def test_unrecognised_content_is_refused_with_path_and_reason(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello, this is not an activity")
    with pytest.raises(runload.UnsupportedFormatError) as info:
        runload.read_activity(path)
    assert info.value.reason == "unsupported_format"
    assert str(path) in str(info.value)


def test_empty_file_is_a_parse_error(tmp_path):
    path = tmp_path / "empty.fit"
    path.write_bytes(b"")
    with pytest.raises(runload.ParseError) as info:
        runload.read_activity(path)
    assert info.value.reason == "empty"


def test_text_mode_file_object_is_rejected():
    with pytest.raises(TypeError, match="binary"):
        runload.read_activity(io.StringIO("<gpx/>"))  # type: ignore[arg-type]


def _zeros_gzip(n_bytes: int) -> bytes:
    comp = zlib.compressobj(1, zlib.DEFLATED, 31)
    chunk = b"\x00" * (1 << 20)
    out = [comp.compress(chunk) for _ in range(n_bytes >> 20)]
    out.append(comp.flush())
    return b"".join(out)


def test_gzip_bomb_is_refused_quickly():
    bomb = _zeros_gzip(1 << 30)  # 1 GiB of zeros in about 1 MB
    t0 = time.perf_counter()
    with pytest.raises(runload.UnsafeInputError) as info:
        runload.read_activity(io.BytesIO(bomb))
    assert time.perf_counter() - t0 < 1.0
    assert info.value.reason == "decompression_bomb"


def test_gzip_members_are_concatenated_and_truncation_is_an_error():
    two = gzip.compress(b"abc") + gzip.compress(b"def")
    assert gunzip_bounded(two) == b"abcdef"
    with pytest.raises(runload.ParseError) as info:
        gunzip_bounded(gzip.compress(b"x" * 1000)[:-12])
    assert info.value.reason == "truncated_gzip"


def test_gzip_nested_too_deep_is_refused():
    data = gzip.compress(gzip.compress(gzip.compress(b"<gpx/>")))
    with pytest.raises(runload.UnsupportedFormatError) as info:
        runload.read_activity(io.BytesIO(data))
    assert info.value.reason == "nested_gzip"
