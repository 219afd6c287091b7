"""A FIT activity-file writer, for the project's own test fixtures.

Written from the public description of the FIT protocol (file header, record
headers, definition and data messages, base types, CRC-16) and the message and
field numbers of the FIT profile; the numbers used here were checked against
the profile shipped with Garmin's Python SDK (profile 21.218).

A file is laid out as a device would write it::

    file_id, [developer_data_id, field_description], device_info, sport,
    event(timer start), record..., [event(timer stop_all), event(timer start),
    record...]..., event(timer stop_all), lap, [session], activity

Options produce the less common shapes a reader must cope with: compressed
timestamp record headers, big-endian definitions, developer fields, the legacy
12-byte header, a header CRC of 0x0000 and chained files.  :func:`truncate`
and :func:`flip_crc` damage a file for error-path tests.

Limits: times are written with FIT's one-second resolution (sample times are
rounded); lap and session ``total_ascent``/``total_descent`` are the *naive*
sums of the positive and negative elevation differences of the samples, with
no smoothing: on noisy elevation they overstate the climb, unlike the smoothed
totals real devices write.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..geo import haversine_m
from .track import Track, cadence_factor

__all__ = [
    "DEV_FIELD_NAME",
    "DEV_FIELD_UNITS",
    "FIT_EPOCH",
    "SPORT_CODES",
    "SUB_SPORT_CODES",
    "crc16",
    "definition",
    "fit_bytes",
    "fit_file",
    "flip_crc",
    "truncate",
]

#: Origin of FIT ``date_time`` values.
FIT_EPOCH = pd.Timestamp("1989-12-31T00:00:00", tz="UTC")

#: FIT ``sport`` enum values (FIT profile, type ``sport``).
SPORT_CODES: dict[str, int] = {
    "generic": 0,
    "running": 1,
    "cycling": 2,
    "walking": 11,
    "hiking": 17,
}
#: FIT ``sub_sport`` enum values (FIT profile, type ``sub_sport``).
SUB_SPORT_CODES: dict[str, int] = {
    "generic": 0,
    "treadmill": 1,
    "street": 2,
    "trail": 3,
    "track": 4,
    "indoor_running": 45,
}

# Global message numbers (FIT profile, type mesg_num).
_FILE_ID, _SPORT, _SESSION, _LAP, _RECORD, _EVENT, _DEVICE_INFO, _ACTIVITY = (
    0,
    12,
    18,
    19,
    20,
    21,
    23,
    34,
)
_FIELD_DESCRIPTION, _DEVELOPER_DATA_ID = 206, 207

# Enum values used below (FIT profile types file, event, event_type, ...).
_FILE_ACTIVITY = 4
_EVENT_TIMER, _EVENT_SESSION, _EVENT_LAP, _EVENT_ACTIVITY = 0, 8, 9, 26
_TYPE_START, _TYPE_STOP, _TYPE_STOP_ALL = 0, 1, 4
_LAP_TRIGGER_SESSION_END = 7
_SESSION_TRIGGER_ACTIVITY_END = 0
_ACTIVITY_MANUAL = 0

_TIMESTAMP = 253
_MESSAGE_INDEX = 254

#: Local message types.  Compressed-timestamp headers can name only 0-3, so
#: the timestamp-less record layout takes 0.
_L_RECORD_COMPRESSED, _L_RECORD, _L_EVENT = 0, 1, 2
_L_FILE_ID, _L_DEVICE, _L_SPORT, _L_LAP, _L_SESSION, _L_ACTIVITY = 3, 4, 5, 6, 7, 8
_L_DEV_ID, _L_FIELD_DESC = 9, 10

#: A record gets a full timestamp when this long has passed since the last
#: one; the 5-bit offset of a compressed header spans at most 31 s. [s]
_FULL_TIMESTAMP_EVERY_S = 31

_PROTOCOL_VERSION = 0x20  # 2.0: needed for developer fields
_PROFILE_VERSION = 2100  # 21.00

_SEMICIRCLES_PER_DEG = 2.0**31 / 180.0

#: The developer field written when ``developer_fields=True``.
DEV_FIELD_NAME = "stride_length"
DEV_FIELD_UNITS = "mm"
_DEV_APPLICATION_ID = bytes(range(0x10, 0x20))


@dataclass(frozen=True)
class _Base:
    code: int  # the base-type byte of a field definition
    fmt: str  # struct / numpy letter
    size: int
    invalid: int


_ENUM = _Base(0x00, "B", 1, 0xFF)
_SINT8 = _Base(0x01, "b", 1, 0x7F)
_UINT8 = _Base(0x02, "B", 1, 0xFF)
_SINT16 = _Base(0x83, "h", 2, 0x7FFF)
_UINT16 = _Base(0x84, "H", 2, 0xFFFF)
_SINT32 = _Base(0x85, "i", 4, 0x7FFFFFFF)
_UINT32 = _Base(0x86, "I", 4, 0xFFFFFFFF)
_UINT32Z = _Base(0x8C, "I", 4, 0)
_STRING = _Base(0x07, "s", 1, 0)
_BYTE = _Base(0x0D, "B", 1, 0xFF)

_NP_KIND = {"B": "u1", "b": "i1", "H": "u2", "h": "i2", "I": "u4", "i": "i4"}
_RANGES = {
    "B": (0, 0xFF),
    "b": (-0x80, 0x7F),
    "H": (0, 0xFFFF),
    "h": (-0x8000, 0x7FFF),
    "I": (0, 0xFFFFFFFF),
    "i": (-0x80000000, 0x7FFFFFFF),
}


# --------------------------------------------------------------------------- CRC


def _crc_tables() -> tuple[list[int], list[int]]:
    """The 16-entry nibble table of the FIT CRC and the 256-entry byte table built from it.

    The FIT CRC is the reflected CRC-16 with polynomial 0x8005 (0xA001
    reflected), initial value 0, processed four bits at a time: entry ``n`` is
    the CRC register after shifting the nibble ``n`` through four times.
    """
    nibble = []
    for n in range(16):
        reg = n
        for _ in range(4):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
        nibble.append(reg)

    def step(crc: int, half: int) -> int:
        tmp = nibble[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        return crc ^ tmp ^ nibble[half & 0xF]

    # Byte table: folding a byte into a zero register; the CRC is linear, so
    # crc' = (crc >> 8) ^ table[(crc ^ byte) & 0xFF].
    byte = [step(step(0, b), b >> 4) for b in range(256)]
    return nibble, byte


_CRC_NIBBLE, _CRC_BYTE = _crc_tables()


def crc16(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    """The FIT CRC-16 of ``data``.

    Parameters
    ----------
    data : bytes-like
        Bytes to fold in.
    crc : int
        Running CRC to continue from (0 to start).

    Returns
    -------
    int
        The CRC, 0-65535.  A block followed by its own CRC (little-endian)
        has CRC 0.
    """
    table = _CRC_BYTE
    for b in bytes(data):
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc


# ------------------------------------------------------------------- encoding


def _raw(value: float | None, base: _Base, scale: float = 1.0, offset: float = 0.0) -> int:
    """Physical value to the stored integer, or the base type's invalid value."""
    if value is None or not np.isfinite(value):
        return base.invalid
    raw = round((float(value) + offset) * scale)
    lo, hi = _RANGES[base.fmt]
    if raw < lo or raw > hi or raw == base.invalid:
        return base.invalid
    return raw


def _raw_array(
    values: npt.ArrayLike, base: _Base, scale: float = 1.0, offset: float = 0.0
) -> npt.NDArray[np.int64]:
    """Vectorised :func:`_raw` (NaN and out-of-range values become invalid)."""
    v = np.asarray(values, dtype="float64")
    lo, hi = _RANGES[base.fmt]
    with np.errstate(invalid="ignore"):
        scaled = np.rint((v + offset) * scale)
        bad = ~np.isfinite(scaled) | (scaled < lo) | (scaled > hi) | (scaled == base.invalid)
    out = np.where(bad, float(base.invalid), scaled)
    return out.astype("int64")


def _string_bytes(text: str, *, limit: int = 200) -> bytes:
    """UTF-8, cut on a character boundary to ``limit`` bytes, null-terminated."""
    raw = text.encode("utf-8")
    if len(raw) > limit:
        raw = raw[:limit].decode("utf-8", errors="ignore").encode("utf-8")
    return raw + b"\x00"


# A message field: (field number, base type, value).  ``value`` is an int
# (already raw), None (invalid), a str (string field) or bytes (byte array).
_Field = tuple[int, _Base, "int | str | bytes | None"]


class _Writer:
    """Accumulates the data records of one FIT file."""

    def __init__(self, *, big_endian: bool) -> None:
        self.big_endian = big_endian
        self.endian = ">" if big_endian else "<"
        self.parts: list[bytes] = []
        self._layouts: dict[int, tuple[object, ...]] = {}

    # definitions ----------------------------------------------------------
    def define(
        self,
        local: int,
        global_num: int,
        fields: Sequence[tuple[int, int, int]],
        dev_fields: Sequence[tuple[int, int, int]] = (),
    ) -> None:
        """Write a definition message unless ``local`` already has this layout.

        ``fields`` are (field number, size in bytes, base-type byte);
        ``dev_fields`` are (field number, size, developer data index).
        """
        layout = (global_num, tuple(fields), tuple(dev_fields))
        if self._layouts.get(local) == layout:
            return
        self._layouts[local] = layout
        header = 0x40 | local | (0x20 if dev_fields else 0)
        out = bytearray(
            struct.pack(
                self.endian + "BBBHB",
                header,
                0,
                1 if self.big_endian else 0,
                global_num,
                len(fields),
            )
        )
        for num, size, code in fields:
            out += bytes((num, size, code))
        if dev_fields:
            out.append(len(dev_fields))
            for num, size, index in dev_fields:
                out += bytes((num, size, index))
        self.parts.append(bytes(out))

    # single messages ------------------------------------------------------
    def message(self, local: int, global_num: int, fields: Iterable[_Field]) -> None:
        """Define (when needed) and write one data message."""
        defs: list[tuple[int, int, int]] = []
        payload = bytearray()
        for num, base, value in fields:
            if base is _STRING:
                data = _string_bytes(value) if isinstance(value, str) else b"\x00"
            elif isinstance(value, bytes):
                data = value
            else:
                raw = base.invalid if value is None else int(value)
                data = struct.pack(self.endian + base.fmt, raw)
            defs.append((num, len(data), base.code))
            payload += data
        self.define(local, global_num, defs)
        self.parts.append(bytes((local,)) + bytes(payload))

    def raw(self, data: bytes) -> None:
        self.parts.append(data)

    def data(self) -> bytes:
        return b"".join(self.parts)


def _fit_seconds(times: pd.DatetimeIndex) -> npt.NDArray[np.int64]:
    """UTC times to whole seconds since the FIT epoch (rounded)."""
    seconds = (times - FIT_EPOCH) / pd.Timedelta(seconds=1)
    return np.rint(np.asarray(seconds, dtype="float64")).astype("int64")


def _fit_second(ts: pd.Timestamp) -> int:
    return round((ts - FIT_EPOCH) / pd.Timedelta(seconds=1))


def _merge_pauses(
    pauses: Sequence[tuple[pd.Timestamp, pd.Timestamp]], first: int, last: int
) -> list[tuple[int, int]]:
    """Pauses as sorted, merged (start, end) FIT seconds inside [first, last]."""
    spans = sorted((_fit_second(pd.Timestamp(a)), _fit_second(pd.Timestamp(b))) for a, b in pauses)
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if b <= a or a < first or b > last:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _column(samples: pd.DataFrame, name: str) -> npt.NDArray[np.float64]:
    if name in samples.columns:
        return np.asarray(samples[name], dtype="float64")
    return np.full(len(samples), np.nan)


def _naive_gain(elevation: npt.NDArray[np.float64]) -> tuple[float, float]:
    e = elevation[np.isfinite(elevation)]
    if e.size < 2:
        return float("nan"), float("nan")
    d = np.diff(e)
    return float(d[d > 0].sum()), float(-d[d < 0].sum())


def _nan_stat(values: npt.NDArray[np.float64], how: str) -> float:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return float("nan")
    return float(v.mean() if how == "mean" else v.max())


# ------------------------------------------------------------------ one file


def _file_data(
    track: Track,
    *,
    compressed_timestamps: bool,
    big_endian: bool,
    developer_fields: bool,
    enhanced: bool,
    include_session: bool,
    manufacturer: int,
    product: int,
    file_type: int = _FILE_ACTIVITY,
) -> bytes:
    """The data records (between header and file CRC) of one FIT file."""
    sport = track.sport if track.sport is not None else "generic"
    if sport not in SPORT_CODES:
        raise ValueError(
            f"sport {track.sport!r} has no FIT code here; use one of {sorted(SPORT_CODES)}"
        )
    if track.sub_sport not in SUB_SPORT_CODES:
        raise ValueError(
            f"sub_sport {track.sub_sport!r} has no FIT code here; "
            f"use one of {sorted(SUB_SPORT_CODES)}"
        )
    samples = track.samples
    if len(samples) == 0:
        raise ValueError("the track has no samples")
    index = samples.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise ValueError("track.samples must have a tz-aware DatetimeIndex")
    if not index.is_monotonic_increasing:
        samples = samples.sort_index()
        index = pd.DatetimeIndex(samples.index)
    t = _fit_seconds(index)
    pauses = _merge_pauses(track.pauses, int(t[0]), int(t[-1]))
    if pauses:
        # Merged pauses are sorted and disjoint: the only one that can hold t is
        # the last one starting before it (O(n log p), for pause-heavy tracks).
        stops = np.array([a for a, _ in pauses], dtype="int64")
        starts = np.array([b for _, b in pauses], dtype="int64")
        last_stop = np.searchsorted(stops, t, side="left") - 1
        inside = (last_stop >= 0) & (t < starts[np.clip(last_stop, 0, None)])
        keep = ~inside
        samples, t = samples[keep], t[keep]
    n = t.size
    first, last = int(t[0]), int(t[-1])

    lat = _column(samples, "latitude_deg")
    lon = _column(samples, "longitude_deg")
    ele = _column(samples, "elevation_m")
    dist = _column(samples, "distance_m")
    speed = _column(samples, "speed_m_s")
    hr = _column(samples, "heart_rate_bpm")
    cad_spm = _column(samples, "cadence_spm")
    power = _column(samples, "power_w")
    factor = cadence_factor(track)
    # FIT stores strides (per foot) for foot sports, revolutions per minute otherwise
    cadence = cad_spm * factor if factor is not None else cad_spm

    w = _Writer(big_endian=big_endian)
    e = w.endian

    # file_id ---------------------------------------------------------------
    file_id: list[_Field] = [
        (0, _ENUM, file_type),
        (1, _UINT16, manufacturer),
        (2, _UINT16, product),
        (3, _UINT32Z, 0x5EED0000 + (first & 0xFFFF)),
        (4, _UINT32, first),
    ]
    if track.device:
        file_id.append((8, _STRING, track.device))
    w.message(_L_FILE_ID, _FILE_ID, file_id)

    if developer_fields:
        w.message(
            _L_DEV_ID,
            _DEVELOPER_DATA_ID,
            [
                (1, _BYTE, _DEV_APPLICATION_ID),
                (3, _UINT8, 0),
                (4, _UINT32, 1),
            ],
        )
        w.message(
            _L_FIELD_DESC,
            _FIELD_DESCRIPTION,
            [
                (0, _UINT8, 0),
                (1, _UINT8, 0),
                (2, _UINT8, _UINT16.code),
                (3, _STRING, DEV_FIELD_NAME),
                (8, _STRING, DEV_FIELD_UNITS),
            ],
        )

    device: list[_Field] = [
        (_TIMESTAMP, _UINT32, first),
        (0, _UINT8, 0),  # device_index: creator
        (2, _UINT16, manufacturer),
        (4, _UINT16, product),
        (5, _UINT16, 100),  # software_version 1.00 (scale 100)
    ]
    if track.device:
        device.append((27, _STRING, track.device))
    w.message(_L_DEVICE, _DEVICE_INFO, device)

    sport_code = SPORT_CODES[sport]
    sub_code = SUB_SPORT_CODES[track.sub_sport]
    sport_fields: list[_Field] = [(0, _ENUM, sport_code), (1, _ENUM, sub_code)]
    if track.name:
        sport_fields.append((3, _STRING, track.name))
    w.message(_L_SPORT, _SPORT, sport_fields)

    def timer_event(when: int, event_type: int) -> None:
        w.message(
            _L_EVENT,
            _EVENT,
            [
                (_TIMESTAMP, _UINT32, when),
                (0, _ENUM, _EVENT_TIMER),
                (1, _ENUM, event_type),
                (3, _UINT32, 0),
                (4, _UINT8, 0),
            ],
        )

    # records: one structured array per layout ------------------------------
    columns: list[tuple[int, _Base, npt.NDArray[np.int64]]] = []
    if np.isfinite(lat).any() or np.isfinite(lon).any():
        columns.append((0, _SINT32, _raw_array(lat, _SINT32, _SEMICIRCLES_PER_DEG)))
        columns.append((1, _SINT32, _raw_array(lon, _SINT32, _SEMICIRCLES_PER_DEG)))
    if np.isfinite(ele).any():
        if enhanced:
            columns.append((78, _UINT32, _raw_array(ele, _UINT32, 5.0, 500.0)))
        else:
            columns.append((2, _UINT16, _raw_array(ele, _UINT16, 5.0, 500.0)))
    if np.isfinite(hr).any():
        columns.append((3, _UINT8, _raw_array(hr, _UINT8)))
    if np.isfinite(cadence).any():
        if enhanced:
            whole = np.floor(cadence)
            columns.append((4, _UINT8, _raw_array(whole, _UINT8)))
            columns.append((53, _UINT8, _raw_array(cadence - whole, _UINT8, 128.0)))
        else:
            columns.append((4, _UINT8, _raw_array(cadence, _UINT8)))
    if np.isfinite(dist).any():
        columns.append((5, _UINT32, _raw_array(dist, _UINT32, 100.0)))
    if np.isfinite(speed).any():
        if enhanced:
            columns.append((73, _UINT32, _raw_array(speed, _UINT32, 1000.0)))
        else:
            columns.append((6, _UINT16, _raw_array(speed, _UINT16, 1000.0)))
    if np.isfinite(power).any():
        columns.append((7, _UINT16, _raw_array(power, _UINT16)))
    dev_values: npt.NDArray[np.int64] | None = None
    if developer_fields:
        with np.errstate(divide="ignore", invalid="ignore"):
            stride_mm = 2.0 * speed * 60.0 / cad_spm * 1000.0
        dev_values = _raw_array(stride_mm, _UINT16)

    def layout(with_timestamp: bool) -> tuple[np.dtype[np.void], list[tuple[int, int, int]]]:
        names: list[tuple[str, str]] = [("h", "u1")]
        defs: list[tuple[int, int, int]] = []
        if with_timestamp:
            names.append(("f253", e + "u4"))
            defs.append((_TIMESTAMP, 4, _UINT32.code))
        for num, base, _ in columns:
            names.append((f"f{num}", e + _NP_KIND[base.fmt]))
            defs.append((num, base.size, base.code))
        if dev_values is not None:
            names.append(("dev0", e + "u2"))
        return np.dtype(names), defs

    dev_defs = [(0, 2, 0)] if dev_values is not None else []

    def fill(dtype: np.dtype[np.void], header: npt.NDArray[np.int64] | int) -> np.ndarray:
        arr = np.zeros(n, dtype=dtype)
        arr["h"] = header
        if "f253" in dtype.names:  # type: ignore[operator]
            arr["f253"] = t
        for num, _, raw in columns:
            arr[f"f{num}"] = raw
        if dev_values is not None:
            arr["dev0"] = dev_values
        return arr

    full_dtype, full_defs = layout(True)
    full = fill(full_dtype, _L_RECORD)
    if compressed_timestamps:
        comp_dtype, comp_defs = layout(False)
        comp = fill(comp_dtype, 0x80 | (_L_RECORD_COMPRESSED << 5) | (t & 0x1F))

    # which record starts a timer segment
    resumes = np.array([b for _, b in pauses], dtype="int64")
    seg_of = np.searchsorted(resumes, t, side="right").astype("int64")
    seg_start = np.ones(n, dtype=bool)
    seg_start[1:] = seg_of[1:] != seg_of[:-1]

    if compressed_timestamps:
        # Jump from one record that needs a full timestamp to the next: the
        # first of the next timer segment, or the first 31 s or more later.
        use_full = np.zeros(n, dtype=bool)
        i = 0
        while i < n:
            use_full[i] = True
            j = int(np.searchsorted(t, t[i] + _FULL_TIMESTAMP_EVERY_S, side="left"))
            nxt = np.flatnonzero(seg_start[i + 1 : j])
            i = i + 1 + int(nxt[0]) if nxt.size else j
    else:
        use_full = np.ones(n, dtype=bool)

    timer_event(first, _TYPE_START)
    changes = np.concatenate([[True], use_full[1:] != use_full[:-1]]) | seg_start
    boundaries = [*np.flatnonzero(changes).tolist(), n]
    pause_iter = iter(pauses)
    for k in range(len(boundaries) - 1):
        a, b = boundaries[k], boundaries[k + 1]
        if seg_start[a] and a > 0:
            p_start, p_end = next(pause_iter)
            timer_event(p_start, _TYPE_STOP_ALL)
            timer_event(p_end, _TYPE_START)
        if use_full[a]:
            w.define(_L_RECORD, _RECORD, full_defs, dev_defs)
            w.raw(full[a:b].tobytes())
        else:
            w.define(_L_RECORD_COMPRESSED, _RECORD, comp_defs, dev_defs)
            w.raw(comp[a:b].tobytes())
    timer_event(last, _TYPE_STOP_ALL)

    # summaries -------------------------------------------------------------
    elapsed_s = float(last - first)
    timer_s = elapsed_s - float(sum(b - a for a, b in pauses))
    finite_d = dist[np.isfinite(dist)]
    if finite_d.size:
        total_distance = float(finite_d[-1])
    else:
        ok = np.isfinite(lat) & np.isfinite(lon)
        total_distance = (
            float(haversine_m(lat[ok][:-1], lon[ok][:-1], lat[ok][1:], lon[ok][1:]).sum())
            if ok.sum() > 1
            else float("nan")
        )
    ascent, descent = _naive_gain(ele)
    avg_speed = total_distance / timer_s if timer_s > 0 else float("nan")
    max_speed = _nan_stat(speed, "max")
    ok_pos = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    start_lat = lat[ok_pos[0]] if ok_pos.size else float("nan")
    start_lon = lon[ok_pos[0]] if ok_pos.size else float("nan")

    def summary(avg_speed_field: int, enhanced_speed_fields: tuple[int, int]) -> list[_Field]:
        fields: list[_Field] = [
            (2, _UINT32, first),
            (7, _UINT32, _raw(elapsed_s, _UINT32, 1000.0)),
            (8, _UINT32, _raw(timer_s, _UINT32, 1000.0)),
            (9, _UINT32, _raw(total_distance, _UINT32, 100.0)),
        ]
        if enhanced:
            fields += [
                (enhanced_speed_fields[0], _UINT32, _raw(avg_speed, _UINT32, 1000.0)),
                (enhanced_speed_fields[1], _UINT32, _raw(max_speed, _UINT32, 1000.0)),
            ]
        else:
            fields += [
                (avg_speed_field, _UINT16, _raw(avg_speed, _UINT16, 1000.0)),
                (avg_speed_field + 1, _UINT16, _raw(max_speed, _UINT16, 1000.0)),
            ]
        return fields

    hr_avg, hr_max = _nan_stat(hr, "mean"), _nan_stat(hr, "max")
    cad_avg, cad_max = _nan_stat(cadence, "mean"), _nan_stat(cadence, "max")
    lap: list[_Field] = [
        (_MESSAGE_INDEX, _UINT16, 0),
        (_TIMESTAMP, _UINT32, last),
        (0, _ENUM, _EVENT_LAP),
        (1, _ENUM, _TYPE_STOP),
        (3, _SINT32, _raw(start_lat, _SINT32, _SEMICIRCLES_PER_DEG)),
        (4, _SINT32, _raw(start_lon, _SINT32, _SEMICIRCLES_PER_DEG)),
        *summary(13, (110, 111)),
        (15, _UINT8, _raw(hr_avg, _UINT8)),
        (16, _UINT8, _raw(hr_max, _UINT8)),
        (17, _UINT8, _raw(cad_avg, _UINT8)),
        (18, _UINT8, _raw(cad_max, _UINT8)),
        (21, _UINT16, _raw(ascent, _UINT16)),
        (22, _UINT16, _raw(descent, _UINT16)),
        (24, _ENUM, _LAP_TRIGGER_SESSION_END),
        (25, _ENUM, sport_code),
        (39, _ENUM, sub_code),
    ]
    w.message(_L_LAP, _LAP, lap)
    if include_session:
        session: list[_Field] = [
            (_MESSAGE_INDEX, _UINT16, 0),
            (_TIMESTAMP, _UINT32, last),
            (0, _ENUM, _EVENT_SESSION),
            (1, _ENUM, _TYPE_STOP),
            (3, _SINT32, _raw(start_lat, _SINT32, _SEMICIRCLES_PER_DEG)),
            (4, _SINT32, _raw(start_lon, _SINT32, _SEMICIRCLES_PER_DEG)),
            (5, _ENUM, sport_code),
            (6, _ENUM, sub_code),
            *summary(14, (124, 125)),
            (16, _UINT8, _raw(hr_avg, _UINT8)),
            (17, _UINT8, _raw(hr_max, _UINT8)),
            (18, _UINT8, _raw(cad_avg, _UINT8)),
            (19, _UINT8, _raw(cad_max, _UINT8)),
            (22, _UINT16, _raw(ascent, _UINT16)),
            (23, _UINT16, _raw(descent, _UINT16)),
            (25, _UINT16, 0),  # first_lap_index
            (26, _UINT16, 1),  # num_laps
            (28, _ENUM, _SESSION_TRIGGER_ACTIVITY_END),
        ]
        w.message(_L_SESSION, _SESSION, session)
    activity: list[_Field] = [
        (_TIMESTAMP, _UINT32, last),
        (0, _UINT32, _raw(timer_s, _UINT32, 1000.0)),
        (1, _UINT16, 1 if include_session else 0),
        (2, _ENUM, _ACTIVITY_MANUAL),
        (3, _ENUM, _EVENT_ACTIVITY),
        (4, _ENUM, _TYPE_STOP),
    ]
    if track.utc_offset_s is not None:
        activity.append((5, _UINT32, last + int(track.utc_offset_s)))
    w.message(_L_ACTIVITY, _ACTIVITY, activity)
    return w.data()


def _wrap(data: bytes, *, header_size: int, header_crc: bool) -> bytes:
    """Header + data + file CRC."""
    header = struct.pack(
        "<BBHI4s", header_size, _PROTOCOL_VERSION, _PROFILE_VERSION, len(data), b".FIT"
    )
    if header_size == 14:
        header += struct.pack("<H", crc16(header) if header_crc else 0)
    body = header + data
    return body + struct.pack("<H", crc16(data, crc16(header)))


def fit_bytes(
    track: Track,
    *,
    compressed_timestamps: bool = False,
    big_endian: bool = False,
    developer_fields: bool = False,
    header_size: int = 14,
    header_crc: bool = True,
    enhanced: bool = True,
    include_session: bool = True,
    chain: Track | None = None,
    manufacturer: int = 255,
    product: int = 0,
    file_type: int = _FILE_ACTIVITY,
) -> bytes:
    """Serialise a :class:`Track` as a FIT activity file.

    Parameters
    ----------
    track : Track
        What to write.  ``sport`` must be a key of :data:`SPORT_CODES` and
        ``sub_sport`` of :data:`SUB_SPORT_CODES`.  Samples strictly inside a
        pause are dropped (the timer is stopped there); NaN values are written
        as the invalid value of their base type; columns that are all NaN are
        left out of the record definition.
    compressed_timestamps : bool
        Write records with the compressed-timestamp header (5-bit offset, local
        message type 0) instead of a timestamp field.  A record with a full
        timestamp is written first in each timer segment and whenever 31 s have
        passed since the last full one.
    big_endian : bool
        Declare every definition with architecture 1 (big-endian): the global
        message number and all multi-byte fields are then big-endian.
    developer_fields : bool
        Add a ``developer_data_id`` and a ``field_description`` message and a
        2-byte (uint16) developer field :data:`DEV_FIELD_NAME` on every record:
        the stride length ``2 · speed · 60 / cadence_spm`` (invalid where speed
        or cadence is missing). [mm]
    header_size : {14, 12}
        The 12-byte header is the legacy form without a header CRC.
    header_crc : bool
        With a 14-byte header, write the header CRC (True) or 0x0000 (False).
    enhanced : bool
        Write ``enhanced_altitude`` (78), ``enhanced_speed`` (73),
        ``fractional_cadence`` (53) and the enhanced lap/session speeds instead
        of ``altitude`` (2) and ``speed`` (6).
    include_session : bool
        Write the session message (the lap and activity are always written).
    chain : Track, optional
        A second activity written as a complete FIT file (own header and CRC)
        appended to the first: a *chained* FIT file.
    manufacturer, product : int
        ``file_id`` and ``device_info`` manufacturer and product (255 is
        ``development``).
    file_type : int
        The ``file_id.type`` written (FIT profile type ``file``): 4, an
        activity, by default; 6 (course), 5 (workout), 2 (settings) or 15
        (monitoring) make a file that readers must not take for training.

    Returns
    -------
    bytes
        The FIT file.

    Raises
    ------
    ValueError
        For an unknown sport or sub-sport, an empty track, a naive time index
        or a header size other than 12 or 14.
    """
    if header_size not in (12, 14):
        raise ValueError(f"header_size must be 12 or 14, not {header_size!r}")
    out = b""
    for item in (track, chain):
        if item is None:
            continue
        data = _file_data(
            item,
            compressed_timestamps=compressed_timestamps,
            big_endian=big_endian,
            developer_fields=developer_fields,
            enhanced=enhanced,
            include_session=include_session,
            manufacturer=manufacturer,
            product=product,
            file_type=file_type,
        )
        out += _wrap(data, header_size=header_size, header_crc=header_crc)
    return out


def fit_file(records: bytes, *, header_size: int = 14, header_crc: bool = True) -> bytes:
    """Wrap raw record bytes (definitions and data messages) in a FIT header and file CRC.

    For building hostile or unusual files message by message, such as a
    definition with no fields followed by megabytes of one-byte data messages.

    Parameters
    ----------
    records : bytes
        The data records, written as they are.
    header_size : {14, 12}
        As for :func:`fit_bytes`.
    header_crc : bool
        As for :func:`fit_bytes`.

    Returns
    -------
    bytes
        A FIT file whose header and CRCs are right for ``records``.
    """
    if header_size not in (12, 14):
        raise ValueError(f"header_size must be 12 or 14, not {header_size!r}")
    return _wrap(bytes(records), header_size=header_size, header_crc=header_crc)


def definition(local: int, global_num: int, fields: Sequence[tuple[int, int, int]] = ()) -> bytes:
    """One little-endian definition message: ``fields`` are (number, size, base-type byte).

    ``definition(0, 20)`` declares a record message with no fields at all.
    """
    out = bytearray(struct.pack("<BBBHB", 0x40 | (local & 0x0F), 0, 0, global_num, len(fields)))
    for num, size, code in fields:
        out += bytes((num, size, code))
    return bytes(out)


# -------------------------------------------------------------- damage helpers


def truncate(data: bytes, at: int) -> bytes:
    """The first ``at`` bytes of ``data`` (a file cut short, e.g. by a dying battery).

    A negative ``at`` counts from the end, as in slicing.
    """
    if not -len(data) <= at <= len(data):
        raise ValueError(f"cannot cut a {len(data)}-byte file at {at}")
    return bytes(data[:at])


def flip_crc(data: bytes) -> bytes:
    """``data`` with every bit of its last two bytes (the file CRC) inverted."""
    if len(data) < 2:
        raise ValueError("data too short to have a CRC")
    return bytes(data[:-2]) + bytes(b ^ 0xFF for b in data[-2:])
