"""The FIT writer, checked by decoding its files with two independent decoders.

fitdecode and Garmin's own FIT SDK (garmin-fit-sdk) read what
:func:`runload.testing.fit.fit_bytes` writes; every expected value is worked out
here from the Track and the FIT profile (scales, offsets, semicircles, epoch),
never taken from the writer.  The Garmin SDK does not decode compressed
timestamp headers, so those files are checked with fitdecode only.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import fitdecode
import numpy as np
import pandas as pd
import pytest
from garmin_fit_sdk import Decoder, Stream

from runload.testing.fit import crc16, fit_bytes, flip_crc, truncate
from runload.testing.track import Track

FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
N = 900
PAUSE_GAP_S = 60  # timer stopped between sample 299 and 300
GPS_LOSS_AT, GPS_LOSS_S = 700, 45  # a 45 s hole in the samples without a pause
OFFSET_S = -6 * 3600  # Denver, daylight time


def _times() -> pd.DatetimeIndex:
    sec = np.arange(N, dtype="int64")
    sec[300:] += PAUSE_GAP_S
    sec[GPS_LOSS_AT:] += GPS_LOSS_S
    # Sunday 2024-03-10 18:40 in Denver (MDT) is Monday 00:40 UTC
    start = pd.Timestamp("2024-03-11T00:40:00Z")
    return pd.DatetimeIndex(start + pd.to_timedelta(sec, unit="s"), name="time")


def _track(**kw: Any) -> Track:
    idx = _times()
    k = np.arange(N, dtype="float64")
    lat = 39.7392 + k * 2.2e-5
    lon = -104.9903 - k * 1.1e-5
    lat[[10, 11]] = np.nan
    lon[[10, 11]] = np.nan
    ele = 1600.0 + 20.0 * np.sin(k / 90.0) + 0.37
    ele[50] = np.nan
    hr = np.round(120 + 50 * k / N)
    hr[100] = np.nan
    cad = np.where(k % 2 == 0, 170.0, 171.0)
    power = 250.0 + (k % 7)
    power[200] = np.nan
    speed = 2.8 + 0.2 * np.sin(k / 40.0)
    dist = np.concatenate([[0.0], np.cumsum(speed[:-1])])
    samples = pd.DataFrame(
        {
            "latitude_deg": lat,
            "longitude_deg": lon,
            "elevation_m": ele,
            "distance_m": dist,
            "speed_m_s": speed,
            "heart_rate_bpm": hr,
            "cadence_spm": cad,
            "power_w": power,
        },
        index=idx,
    )
    defaults: dict[str, Any] = {
        "samples": samples,
        "sport": "running",
        "sub_sport": "trail",
        "name": "Sunday evening trail",
        "utc_offset_s": OFFSET_S,
        "device": "runload testing",
        "pauses": [
            (idx[299], idx[300]),  # no samples inside
            (idx[600], idx[605]),  # samples 601-604 inside: must be dropped
        ],
    }
    defaults.update(kw)
    return Track(**defaults)


KEPT = np.setdiff1d(np.arange(N), np.arange(601, 605))


def _decode(data: bytes) -> dict[str, list[fitdecode.FitDataMessage]]:
    out: dict[str, list[fitdecode.FitDataMessage]] = {}
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                out.setdefault(frame.name, []).append(frame)
    return out


def _garmin(data: bytes) -> dict[str, list[dict[str, Any]]]:
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    messages, errors = decoder.read(convert_datetimes_to_dates=False)
    assert errors == []
    return messages


def _fit_seconds(ts: pd.Timestamp) -> int:
    return int((ts.to_pydatetime() - FIT_EPOCH).total_seconds())


@pytest.fixture(scope="module")
def track() -> Track:
    return _track()


@pytest.fixture(scope="module")
def default_file(track: Track) -> bytes:
    return fit_bytes(track)


# ----------------------------------------------------------------- CRC


def test_crc16_matches_the_published_check_value() -> None:
    # The FIT CRC is CRC-16/ARC; its catalogue check value over "123456789" is 0xBB3D.
    assert crc16(b"123456789") == 0xBB3D
    assert crc16(b"") == 0
    # a block followed by its own CRC (little-endian) folds to zero
    block = b"runload"
    assert crc16(block + crc16(block).to_bytes(2, "little")) == 0


def test_crc_valid_per_fitdecode_and_garmin(default_file: bytes) -> None:
    _decode(default_file)  # raises on a bad header or file CRC
    decoder = Decoder(Stream.from_byte_array(bytearray(default_file)))
    assert decoder.is_fit() and decoder.check_integrity()


def test_flip_crc_and_truncate_are_detected(default_file: bytes) -> None:
    with pytest.raises(fitdecode.FitCRCError):
        _decode(flip_crc(default_file))
    cut = truncate(default_file, len(default_file) // 2)
    assert len(cut) == len(default_file) // 2
    with pytest.raises(fitdecode.FitError):
        _decode(cut)
    with pytest.raises(ValueError):
        truncate(default_file, len(default_file) + 1)


# -------------------------------------------------------------- header


def test_header_layout(default_file: bytes) -> None:
    assert default_file[0] == 14
    assert default_file[8:12] == b".FIT"
    data_size = int.from_bytes(default_file[4:8], "little")
    assert len(default_file) == 14 + data_size + 2
    assert int.from_bytes(default_file[12:14], "little") == crc16(default_file[:12])


def test_legacy_12_byte_header(track: Track) -> None:
    data = fit_bytes(track, header_size=12)
    assert data[0] == 12 and data[8:12] == b".FIT"
    assert len(data) == 12 + int.from_bytes(data[4:8], "little") + 2
    assert len(_decode(data)["record"]) == KEPT.size
    assert len(_garmin(data)["record_mesgs"]) == KEPT.size


def test_header_crc_zero(track: Track) -> None:
    data = fit_bytes(track, header_crc=False)
    assert data[12:14] == b"\x00\x00"
    assert len(_decode(data)["record"]) == KEPT.size  # fitdecode accepts 0x0000
    assert len(_garmin(data)["record_mesgs"]) == KEPT.size


def test_bad_arguments(track: Track) -> None:
    with pytest.raises(ValueError, match="header_size"):
        fit_bytes(track, header_size=13)
    with pytest.raises(ValueError, match="sport"):
        fit_bytes(_track(sport="curling"))
    with pytest.raises(ValueError, match="no samples"):
        fit_bytes(Track())


# ------------------------------------------------------------- records


def _check_records(records: list[dict[str, Any]], track: Track, *, enhanced: bool) -> None:
    s = track.samples.iloc[KEPT]
    assert len(records) == KEPT.size
    for rec, (ts, row) in zip(records, s.iterrows(), strict=True):
        assert rec["timestamp"] == _fit_seconds(ts)
        if np.isnan(row.latitude_deg):
            assert rec.get("position_lat") is None
        else:
            assert abs(rec["position_lat"] - row.latitude_deg * 2**31 / 180) <= 0.5 + 1e-6
            assert abs(rec["position_long"] - row.longitude_deg * 2**31 / 180) <= 0.5 + 1e-6
        alt_key = "enhanced_altitude" if enhanced else "altitude"
        if np.isnan(row.elevation_m):
            assert rec.get(alt_key) is None
        else:
            assert rec[alt_key] == pytest.approx(row.elevation_m, abs=0.1 + 1e-9)  # 1/5 m steps
        assert rec["distance"] == pytest.approx(row.distance_m, abs=0.005 + 1e-9)
        speed_key = "enhanced_speed" if enhanced else "speed"
        assert rec[speed_key] == pytest.approx(row.speed_m_s, abs=0.0005 + 1e-9)
        if np.isnan(row.heart_rate_bpm):
            assert rec.get("heart_rate") is None
        else:
            assert rec["heart_rate"] == row.heart_rate_bpm
        # FIT running cadence counts strides: steps per minute / 2
        per_foot = rec["cadence"] + (rec.get("fractional_cadence") or 0.0)
        if enhanced:
            assert per_foot * 2 == pytest.approx(row.cadence_spm, abs=1 / 64)
        else:
            assert abs(per_foot - row.cadence_spm / 2) <= 0.5
        if np.isnan(row.power_w):
            assert rec.get("power") is None
        else:
            assert rec["power"] == row.power_w


def _fitdecode_records(data: bytes) -> list[dict[str, Any]]:
    out = []
    for m in _decode(data)["record"]:
        d = {f.name: f.value for f in m.fields}
        d["timestamp"] = _fit_seconds(pd.Timestamp(d["timestamp"]))
        out.append(d)
    return out


@pytest.mark.parametrize("enhanced", [True, False])
def test_records_fitdecode(track: Track, enhanced: bool) -> None:
    _check_records(
        _fitdecode_records(fit_bytes(track, enhanced=enhanced)), track, enhanced=enhanced
    )


@pytest.mark.parametrize(
    "options",
    [{}, {"enhanced": False}, {"big_endian": True}, {"developer_fields": True, "big_endian": True}],
)
def test_records_garmin_sdk(track: Track, options: dict[str, Any]) -> None:
    records = _garmin(fit_bytes(track, **options))["record_mesgs"]
    _check_records(records, track, enhanced=options.get("enhanced", True))


def test_invalid_values_are_the_base_type_sentinels(default_file: bytes) -> None:
    raw = {}
    for m in _decode(default_file)["record"]:
        vals = {f.name: f.raw_value for f in m.fields}
        raw.setdefault("hr", []).append(vals["heart_rate"])
        raw.setdefault("lat", []).append(vals["position_lat"])
    # fitdecode reports invalid values as None; the bytes must be the sentinels
    assert raw["hr"][100] is None and raw["lat"][10] is None
    # find the raw sentinels in the bytes: HR 0xFF and position 0x7FFFFFFF exist
    assert (0x7FFFFFFF).to_bytes(4, "little") in default_file


def test_times_are_seconds_since_the_fit_epoch(default_file: bytes, track: Track) -> None:
    msgs = _garmin(default_file)
    first = track.samples.index[0].to_pydatetime()
    # 2024-03-11T00:40:00Z − 1989-12-31T00:00:00Z, worked out with the calendar
    days = (dt.date(2024, 3, 11) - dt.date(1989, 12, 31)).days
    assert msgs["file_id_mesgs"][0]["time_created"] == days * 86400 + 40 * 60
    assert msgs["record_mesgs"][0]["timestamp"] == (first - FIT_EPOCH).total_seconds()


# ----------------------------------------------------- events and totals


def test_timer_events_around_pauses(default_file: bytes, track: Track) -> None:
    idx = track.samples.index
    events = [
        (m.get_value("event"), m.get_value("event_type"), pd.Timestamp(m.get_value("timestamp")))
        for m in _decode(default_file)["event"]
    ]
    assert events == [
        ("timer", "start", idx[0]),
        ("timer", "stop_all", idx[299]),
        ("timer", "start", idx[300]),
        ("timer", "stop_all", idx[600]),
        ("timer", "start", idx[605]),
        ("timer", "stop_all", idx[-1]),
    ]


def test_session_lap_and_activity_totals(default_file: bytes, track: Track) -> None:
    msgs = _decode(default_file)
    idx = track.samples.index
    kept = track.samples.iloc[KEPT]
    elapsed = (idx[-1] - idx[0]).total_seconds()
    paused = (idx[300] - idx[299]).total_seconds() + (idx[605] - idx[600]).total_seconds()
    e = kept.elevation_m.dropna().to_numpy()
    ascent = np.clip(np.diff(e), 0, None).sum()
    descent = np.clip(-np.diff(e), 0, None).sum()
    for name in ("session", "lap"):
        (m,) = msgs[name]
        assert pd.Timestamp(m.get_value("start_time")) == idx[0]
        assert m.get_value("total_elapsed_time") == pytest.approx(elapsed)
        assert m.get_value("total_timer_time") == pytest.approx(elapsed - paused)
        assert m.get_value("total_distance") == pytest.approx(kept.distance_m.iloc[-1], abs=0.01)
        assert abs(m.get_value("total_ascent") - ascent) <= 0.5 + 1e-9
        assert abs(m.get_value("total_descent") - descent) <= 0.5 + 1e-9
        assert m.get_value("sport") == "running"
        assert m.get_value("sub_sport") == "trail"
        assert m.get_value("avg_heart_rate") == round(kept.heart_rate_bpm.mean())
        assert m.get_value("max_heart_rate") == kept.heart_rate_bpm.max()
    (act,) = msgs["activity"]
    ts = pd.Timestamp(act.get_value("timestamp"))
    local = pd.Timestamp(act.get_value("local_timestamp"))
    assert ts == idx[-1]
    # fitdecode returns local_timestamp as if it were UTC: the difference is the offset
    assert (local - ts).total_seconds() == OFFSET_S
    assert act.get_value("num_sessions") == 1
    (sport,) = msgs["sport"]
    assert sport.get_value("name") == "Sunday evening trail"
    assert sport.get_value("sport") == "running"
    (fid,) = msgs["file_id"]
    assert fid.get_value("type") == "activity"
    assert fid.get_value("manufacturer") == "development"
    assert fid.get_value("product_name") == "runload testing"


def test_sessions_and_sub_sports_per_garmin_sdk(track: Track) -> None:
    for sub in ("generic", "treadmill", "street", "trail", "track", "indoor_running"):
        msgs = _garmin(fit_bytes(_track(sub_sport=sub)))
        assert msgs["session_mesgs"][0]["sub_sport"] == sub
    for sport in ("running", "cycling", "walking", "hiking", "generic"):
        msgs = _garmin(fit_bytes(_track(sport=sport)))
        assert msgs["session_mesgs"][0]["sport"] == sport


def test_no_local_timestamp_without_offset() -> None:
    msgs = _decode(fit_bytes(_track(utc_offset_s=None)))
    assert not msgs["activity"][0].has_field("local_timestamp")


def test_without_session(track: Track) -> None:
    msgs = _decode(fit_bytes(track, include_session=False))
    assert "session" not in msgs
    assert len(msgs["lap"]) == 1 and len(msgs["record"]) == KEPT.size


# ------------------------------------------------------------- options


def test_compressed_timestamps(track: Track, default_file: bytes) -> None:
    data = fit_bytes(track, compressed_timestamps=True)
    records = _decode(data)["record"]
    expected = [_fit_seconds(t) for t in track.samples.index[KEPT]]
    got = [_fit_seconds(pd.Timestamp(m.get_value("timestamp"))) for m in records]
    assert got == expected
    compressed = [m.time_offset is not None for m in records]
    assert sum(compressed) > 0.9 * len(records)
    # the 5-bit offset spans at most 31 s: any larger gap needs a full timestamp
    for k in range(1, len(records)):
        if expected[k] - expected[k - 1] > 31:
            assert not compressed[k]
    # a full timestamp at least every 31 s
    last_full = None
    for t, c in zip(expected, compressed, strict=True):
        if not c:
            last_full = t
        assert last_full is not None and t - last_full <= 31
    assert len(data) < len(default_file)
    _check_records(_fitdecode_records(data), track, enhanced=True)


def test_big_endian_definitions(track: Track) -> None:
    data = fit_bytes(track, big_endian=True)
    # first definition message right after the 14-byte header: header, reserved, architecture
    assert data[14] & 0x40 and data[16] == 1
    assert int.from_bytes(data[17:19], "big") == 0  # file_id
    _check_records(_fitdecode_records(data), track, enhanced=True)


def test_developer_field(track: Track) -> None:
    data = fit_bytes(track, developer_fields=True)
    msgs = _decode(data)
    assert len(msgs["developer_data_id"]) == 1
    (desc,) = msgs["field_description"]
    assert desc.get_value("field_name") == "stride_length"
    assert desc.get_value("units") == "mm"
    kept = track.samples.iloc[KEPT]
    stride_mm = 2 * kept.speed_m_s * 60 / kept.cadence_spm * 1000
    got = [m.get_value("stride_length") for m in msgs["record"]]
    assert got == [round(x) for x in stride_mm]
    sdk = _garmin(data)["record_mesgs"]
    assert [r["developer_fields"][0] for r in sdk] == got


def test_chained_files(track: Track) -> None:
    second = _track(name="second", utc_offset_s=None)
    second.samples.index = second.samples.index + pd.Timedelta(hours=5)
    second.pauses = []
    data = fit_bytes(track, chain=second)
    size1 = 14 + int.from_bytes(data[4:8], "little") + 2
    assert data[size1 + 8 : size1 + 12] == b".FIT"
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        headers = [f for f in reader if isinstance(f, fitdecode.FitHeader)]
    assert len(headers) == 2
    msgs = _decode(data)
    assert len(msgs["file_id"]) == 2
    assert len(msgs["record"]) == KEPT.size + N
    assert [m.get_value("name") for m in msgs["sport"]] == ["Sunday evening trail", "second"]
    sdk = _garmin(data)
    assert len(sdk["record_mesgs"]) == KEPT.size + N
    assert len(sdk["session_mesgs"]) == 2


def test_input_not_mutated(track: Track) -> None:
    before = track.samples.copy()
    shuffled = _track(samples=track.samples.iloc[::-1])
    a = fit_bytes(shuffled)
    pd.testing.assert_frame_equal(track.samples, before)
    assert a == fit_bytes(track)  # unsorted samples are written in time order
