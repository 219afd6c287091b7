"""The FIT importer on files written by runload's own writer, every option of the protocol."""

from __future__ import annotations

import gzip
import io
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import runload
from runload.geo import EARTH_RADIUS_M
from runload.testing.fit import fit_bytes, flip_crc, truncate
from runload.testing.track import Track

STEP_DEG = 0.0001  # latitude step between samples
STEP_M = EARTH_RADIUS_M * math.radians(STEP_DEG)  # 11.1195 m


def _track(n: int = 120, *, pauses=(), utc_offset_s=-7 * 3600, sub_sport="generic", gps=True):
    """A straight run north at one sample per second, all values chosen by hand."""
    t0 = pd.Timestamp("2025-03-03T02:30:00Z")  # Sunday 19:30 in Denver
    keep = np.ones(n, dtype=bool)
    for p0, p1 in pauses:
        keep[p0 + 1 : p1] = False  # no samples while the timer is stopped
    idx = np.flatnonzero(keep)
    index = pd.DatetimeIndex(t0 + pd.to_timedelta(idx, unit="s"), name="time")
    samples = pd.DataFrame(
        {
            "latitude_deg": 39.74 + idx * STEP_DEG if gps else np.nan,
            "longitude_deg": -104.99 if gps else np.nan,
            "elevation_m": 1600.0 + (idx // 10),  # +1 m every 10 s
            "distance_m": idx * 3.0,
            "speed_m_s": 3.0,
            "heart_rate_bpm": 140.0 + (idx % 5),
            "cadence_spm": 170.0,
            "power_w": np.nan,
        },
        index=index,
    )
    samples.loc[samples.index[5], "heart_rate_bpm"] = np.nan  # one dropout
    return Track(
        samples=samples,
        sport="running",
        sub_sport=sub_sport,
        name="Treadmill" if sub_sport == "treadmill" else "Run",
        utc_offset_s=utc_offset_s,
        pauses=[(t0 + pd.Timedelta(seconds=a), t0 + pd.Timedelta(seconds=b)) for a, b in pauses],
    )


def _read(data: bytes, **kw) -> runload.Activity:
    return runload.read_activity(io.BytesIO(data), **kw)


def _check_values(a: runload.Activity, track: Track) -> None:
    exp = track.samples
    assert len(a.samples) == len(exp)
    assert (a.samples.index == exp.index).all()
    # positions are stored as semicircles (2**31 per 180 degrees): rounding error < 1e-7 degrees
    np.testing.assert_allclose(a.samples["latitude_deg"], exp["latitude_deg"], atol=1e-7)
    np.testing.assert_allclose(a.samples["longitude_deg"], exp["longitude_deg"], atol=1e-7)
    # altitude is stored in 1/5 m steps
    np.testing.assert_allclose(a.samples["elevation_m"], exp["elevation_m"], atol=0.2)
    np.testing.assert_allclose(a.samples["distance_m"], exp["distance_m"], atol=0.01)
    np.testing.assert_allclose(a.samples["speed_m_s"], exp["speed_m_s"], atol=0.001)
    np.testing.assert_allclose(a.samples["heart_rate_bpm"], exp["heart_rate_bpm"], equal_nan=True)
    np.testing.assert_allclose(a.samples["cadence_spm"], exp["cadence_spm"], atol=1.0)


def test_plain_file_round_trip():
    track = _track()
    a = _read(fit_bytes(track))
    _check_values(a, track)
    assert a.format == "fit"
    assert a.sport == "running"
    assert a.distance_m == pytest.approx(119 * 3.0)
    assert a.elapsed_time_s == 119.0
    assert a.moving_time_s == 119.0
    # elevation rises 1 m every 10 s: 11 m in all; hysteresis with a 2 m band stops at 10 or 11
    assert 10.0 <= a.ascent_m <= 11.0
    assert a.utc_offset_source == "file"
    assert a.utc_offset_s == -7 * 3600
    assert a.local_date.isoformat() == "2025-03-02"


@pytest.mark.parametrize(
    "options",
    [
        {"compressed_timestamps": True},
        {"big_endian": True},
        {"developer_fields": True},
        {"header_size": 12},
        {"header_crc": False},
        {"enhanced": False},
        {"compressed_timestamps": True, "big_endian": True, "developer_fields": True},
    ],
    ids=lambda o: "+".join(o),
)
def test_protocol_variants_decode_to_the_same_values(options):
    track = _track()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a valid file raises no warning
        a = _read(fit_bytes(track, **options))
    _check_values(a, track)


def test_timer_pauses_are_subtracted_from_moving_time():
    track = _track(300, pauses=[(100, 160)])
    a = _read(fit_bytes(track))
    assert a.elapsed_time_s == 299.0
    assert a.moving_time_s == 299.0 - 60.0


def test_chained_files_are_read_together():
    first = _track(60)
    second = _track(60)
    second.samples.index = second.samples.index + pd.Timedelta(minutes=5)
    a = _read(fit_bytes(first, chain=second))
    assert len(a.samples) == 120


def test_crc_mismatch_warns_and_keeps_the_data():
    track = _track()
    with pytest.warns(runload.CorruptFileWarning, match="CRC mismatch"):
        a = _read(flip_crc(fit_bytes(track)))
    _check_values(a, track)


def test_truncated_file_keeps_the_records_before_the_damage():
    data = fit_bytes(_track())
    cut = len(data) // 2
    with pytest.warns(runload.CorruptFileWarning) as record:
        a = _read(truncate(data, cut))
    messages = " ".join(str(w.message) for w in record)
    assert "truncated" in messages
    assert 0 < len(a.samples) < 120
    full = _read(data)
    pd.testing.assert_frame_equal(a.samples, full.samples.iloc[: len(a.samples)])


def test_treadmill_file_without_positions():
    a = _read(fit_bytes(_track(sub_sport="treadmill", gps=False)))
    assert a.surface == "treadmill"
    assert a.sub_sport == "treadmill"
    assert not a.has_gps
    assert a.distance_m == pytest.approx(119 * 3.0)


def test_gzip_is_transparent_and_keeps_the_id(tmp_path):
    data = fit_bytes(_track())
    (tmp_path / "run.fit").write_bytes(data)
    (tmp_path / "run.fit.gz").write_bytes(gzip.compress(data))
    plain = runload.read_activity(tmp_path / "run.fit")
    packed = runload.read_activity(tmp_path / "run.fit.gz")
    assert plain.activity_id == packed.activity_id
    pd.testing.assert_frame_equal(plain.samples, packed.samples)


def test_content_wins_over_a_wrong_suffix(tmp_path):
    path = tmp_path / "actually_fit.gpx"
    path.write_bytes(fit_bytes(_track()))
    assert runload.read_activity(path).format == "fit"


def test_garbage_after_a_valid_header_is_a_clear_error_or_warning():
    data = bytearray(fit_bytes(_track()))
    data[14] = 0x0F  # the first message now claims an undefined local type
    with pytest.raises(runload.RunloadError) as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _read(bytes(data))
    assert info.value.reason in {"not_an_activity", "empty", "parse_error"}


def test_reading_never_modifies_the_input(tmp_path):
    path = tmp_path / "run.fit"
    data = fit_bytes(_track())
    path.write_bytes(data)
    runload.read_activity(path)
    assert path.read_bytes() == data


def test_fallback_decoder_gives_the_same_activity_as_the_fast_path():
    from runload.io.fit import read_fit, read_fit_fitdecode

    data = fit_bytes(_track(300, pauses=[(100, 160)]), developer_fields=True)
    fast, slow = read_fit(data, path="mem"), read_fit_fitdecode(data, path="mem")
    pd.testing.assert_frame_equal(fast.samples, slow.samples)
    assert (fast.sport, fast.sub_sport, fast.utc_offset_s) == (
        slow.sport,
        slow.sub_sport,
        slow.utc_offset_s,
    )
    assert fast.pauses == slow.pauses
    assert fast.totals == slow.totals


def test_fallback_decoder_reports_damage_and_keeps_the_records_before_it():
    from runload.io.fit import read_fit_fitdecode

    data = truncate(fit_bytes(_track()), len(fit_bytes(_track())) // 2)
    raw = read_fit_fitdecode(data, path="mem")
    assert not raw.complete
    assert raw.damage and "stopped early" in raw.damage[0]
    assert 0 < len(raw.samples) < 120
