"""What the fast FIT walker and the fitdecode fallback share.

The FIT profile numbers runload reads (global message numbers, the fields
wanted from each, the timer events and the file types that hold no activity)
and :func:`assemble`, which turns the decoded fields of those messages into a
:class:`~runload.activity.RawActivity`.  Both decoders hand it the same
structure, so a file reads alike whichever decoded it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ...activity import RawActivity
from ...exceptions import UnsupportedFormatError
from ...schema import SAMPLE_COLUMNS
from ...sports import cadence_spm

__all__ = [
    "FIELD_TIMESTAMP",
    "FIT_EPOCH_S",
    "MESG_ACTIVITY",
    "MESG_EVENT",
    "MESG_FILE_ID",
    "MESG_RECORD",
    "MESG_SESSION",
    "MESG_SPORT",
    "NOT_ACTIVITY_FILE_TYPES",
    "WANTED",
    "EnumNames",
    "MessageFields",
    "Messages",
    "assemble",
    "enum_name",
]

#: Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_S = 631_065_600
#: FIT date_time values below this are relative (seconds since power-up).
_MIN_ABSOLUTE_TIME = 0x10000000
_SEMICIRCLE_DEG = 180.0 / 2**31

# Global message numbers and the fields read from each.
MESG_FILE_ID = 0
MESG_SPORT = 12
MESG_SESSION = 18
MESG_RECORD = 20
MESG_EVENT = 21
MESG_ACTIVITY = 34
FIELD_TIMESTAMP = 253

#: Field numbers read from each message, by global message number.
WANTED: dict[int, tuple[int, ...]] = {
    MESG_FILE_ID: (0, 1, 2, 4),
    MESG_SPORT: (0, 1, 3),
    MESG_SESSION: (2, 5, 6, 7, 8, 9, 22, 23, FIELD_TIMESTAMP),
    MESG_RECORD: (FIELD_TIMESTAMP, 0, 1, 2, 3, 4, 5, 6, 7, 8, 53, 73, 78),
    MESG_EVENT: (0, 1, FIELD_TIMESTAMP),
    MESG_ACTIVITY: (5, FIELD_TIMESTAMP),
}

# event 0 = timer; event_type 0 = start; stop, stop_all, stop_disable, stop_disable_all
_TIMER_EVENT = 0
_TIMER_START = 0
_TIMER_STOPS = frozenset({1, 4, 8, 9})

#: ``file_id.type`` values (FIT profile type ``file``) of files that hold no activity:
#: device, settings, sport, workout, course, schedules, weight, totals, goals,
#: blood pressure, monitoring (a, daily, b), activity summary, segment, segment
#: list, exd configuration.  4 is an activity; unknown values are read.
NOT_ACTIVITY_FILE_TYPES: dict[int, str] = {
    1: "device",
    2: "settings",
    3: "sport",
    5: "workout",
    6: "course",
    7: "schedules",
    9: "weight",
    10: "totals",
    11: "goals",
    14: "blood_pressure",
    15: "monitoring_a",
    20: "activity_summary",
    28: "monitoring_daily",
    32: "monitoring_b",
    34: "segment",
    35: "segment_list",
    40: "exd_configuration",
}

#: The wanted fields of one message type: field number to values, one per message, in
#: file order (float64 with NaN for invalid, or an object array of str for strings).
MessageFields = dict[int, npt.NDArray[Any]]
#: A function naming an enum value: (profile type name, value) to its name, None for NaN.
EnumNames = Callable[[str, float], str | None]
#: What a decoder hands :func:`assemble`, by global message number: (an array with one
#: entry per message, its fields, an array with one entry per message).  Only the
#: fields are read here; the decoders keep their own bookkeeping in the other two.
Messages = dict[int, tuple[Any, MessageFields, Any]]


def enum_name(type_name: str, value: float) -> str | None:
    """Name of ``value`` in the FIT profile's enum ``type_name`` (``sport``...), None for NaN.

    Values the profile does not name read as ``"<type_name>_<value>"``.
    """
    if value != value:  # NaN
        return None
    from fitdecode.profile import FIELD_TYPES  # the FIT profile's enum names

    ftype = FIELD_TYPES.get(type_name)
    enum = getattr(ftype, "enum", None) or {}
    return str(enum.get(int(value), f"{type_name}_{int(value)}"))


def _first_valid(values: npt.NDArray[Any] | None) -> float:
    if values is None:
        return float("nan")
    for v in values:
        if isinstance(v, float) and v == v:
            return v
    return float("nan")


def _first_text(values: npt.NDArray[Any] | None) -> str | None:
    if values is None:
        return None
    for v in values:
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def assemble(
    msgs: Messages,
    warns: list[str],
    path: str,
    *,
    damaged: bool = False,
    names: EnumNames | None = None,
) -> RawActivity:
    """Build the :class:`RawActivity` of a FIT file from its decoded messages.

    Parameters
    ----------
    msgs : Messages
        Every global number of :data:`WANTED`, with the fields of its messages.
    warns : list of str
        Warnings so far; extended in place and kept in the result.
    path : str
        Shown in errors.
    damaged : bool
        The decoder stopped early: the records are incomplete.
    names : callable, optional
        How enum values are named (sport, sub-sport, manufacturer, product);
        :func:`enum_name`, the FIT profile's names, by default.

    Raises
    ------
    UnsupportedFormatError
        Reason ``"not_an_activity"``: a file type that holds no activity, or
        neither records nor a session.
    """
    name_of = enum_name if names is None else names
    session = msgs[MESG_SESSION][1]
    sport_msg = msgs[MESG_SPORT][1]
    sport = name_of("sport", _first_valid(session.get(5)))
    sub_sport = name_of("sub_sport", _first_valid(session.get(6)))
    if sport is None:
        sport = name_of("sport", _first_valid(sport_msg.get(0)))
        sub_sport = sub_sport or name_of("sub_sport", _first_valid(sport_msg.get(1)))
    name = _first_text(sport_msg.get(3))

    file_id = msgs[MESG_FILE_ID][1]
    file_type = _first_valid(file_id.get(0))
    if file_type == file_type and int(file_type) in NOT_ACTIVITY_FILE_TYPES:
        kind = NOT_ACTIVITY_FILE_TYPES[int(file_type)]
        raise UnsupportedFormatError(
            f"FIT file is a {kind} file (file_id.type {int(file_type)}), not an activity: "
            "not counted as training",
            path=path,
            reason="not_an_activity",
        )
    manufacturer = name_of("manufacturer", _first_valid(file_id.get(1)))
    product_num = _first_valid(file_id.get(2))
    device = manufacturer
    if manufacturer is not None and product_num == product_num:
        product = (
            name_of("garmin_product", product_num)
            if manufacturer == "garmin"
            else str(int(product_num))
        )
        device = f"{manufacturer} {product}"

    rec = msgs[MESG_RECORD][1]
    ts = np.asarray(rec.get(FIELD_TIMESTAMP, np.array([])), dtype="float64")
    act = msgs[MESG_ACTIVITY][1]
    a_ts, a_local = _first_valid(act.get(FIELD_TIMESTAMP)), _first_valid(act.get(5))
    relative = np.isfinite(ts) & (ts < _MIN_ABSOLUTE_TIME)
    utc_offset_s: int | None = None
    if (
        relative.any()
        and a_ts == a_ts
        and a_ts < _MIN_ABSOLUTE_TIME
        and a_local >= _MIN_ABSOLUTE_TIME
    ):
        # Old devices count seconds since power-up; the activity message ties that clock to
        # local wall time.  The UTC offset is then unknown: local time stands in for UTC.
        ts = np.where(relative, ts + (a_local - a_ts), ts)
        warns.append(
            "record times are relative to power-up; anchored to the activity's local time "
            "(the UTC offset is unknown, pass timezone= if it matters)"
        )
        a_ts = a_local
    keep = np.isfinite(ts) & (ts >= _MIN_ABSOLUTE_TIME)
    n_rel = int(np.count_nonzero(np.isfinite(ts) & (ts < _MIN_ABSOLUTE_TIME)))
    if n_rel:
        warns.append(f"{n_rel} records with relative (power-up) timestamps dropped")
    n_no_time = int(np.count_nonzero(~np.isfinite(ts)))
    if n_no_time:
        warns.append(f"{n_no_time} records without a timestamp dropped")

    def col(num: int, scale: float = 1.0, offset: float = 0.0) -> npt.NDArray[np.float64]:
        v = rec.get(num)
        if v is None:
            return np.full(int(keep.sum()), np.nan)
        return np.asarray(v[keep], dtype="float64") / scale - offset

    def prefer(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.where(np.isfinite(a), a, b)

    # record.cadence (+ fractional_cadence): strides of one foot for a run (the profile's "rpm").
    steps = cadence_spm(col(4) + np.nan_to_num(col(53, 128.0)), sport)
    cadence = steps if steps is not None else np.full(int(keep.sum()), np.nan)
    distance = col(5, 100.0)
    speed = prefer(col(73, 1000.0), col(6, 1000.0))
    packed = col(8)
    if not np.isfinite(distance).any() and np.isfinite(packed).any():
        distance, packed_speed = _unpack_speed_distance(packed)
        speed = prefer(speed, packed_speed)
    ns = (ts[keep].astype("int64") + FIT_EPOCH_S) * 1_000_000_000
    index = pd.DatetimeIndex(ns.view("M8[ns]"), name="time").tz_localize("UTC")
    lat, lon = col(0) * _SEMICIRCLE_DEG, col(1) * _SEMICIRCLE_DEG
    bad_pos = ~((np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    lat[bad_pos] = np.nan
    lon[bad_pos] = np.nan
    columns = {
        "latitude_deg": lat,
        "longitude_deg": lon,
        "elevation_m": prefer(col(78, 5.0, 500.0), col(2, 5.0, 500.0)),
        "distance_m": distance,
        "speed_m_s": speed,
        "heart_rate_bpm": col(3),
        "cadence_spm": cadence,
        "power_w": col(7),
    }
    samples = pd.DataFrame(
        np.column_stack([columns[c] for c in SAMPLE_COLUMNS]) if len(index) else None,
        index=index,
        columns=pd.Index(SAMPLE_COLUMNS, dtype=object),
        dtype="float64",
    )

    # Timer pauses from events.
    ev = msgs[MESG_EVENT][1]
    pauses: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    has_timer_events = False
    if ev.get(0) is not None and len(ev[0]):
        ev_t = ev[FIELD_TIMESTAMP]
        timer = (ev[0] == _TIMER_EVENT) & np.isfinite(ev_t)
        has_timer_events = bool(np.any(timer & (ev[1] == _TIMER_START)))
        order = np.argsort(ev_t[timer], kind="stable")
        stopped_at: float | None = None
        for t, etype in zip(ev_t[timer][order].tolist(), ev[1][timer][order].tolist(), strict=True):
            if etype in _TIMER_STOPS and stopped_at is None:
                stopped_at = t
            elif etype == _TIMER_START and stopped_at is not None:
                if t > stopped_at:
                    pauses.append((_fit_time(stopped_at), _fit_time(t)))
                stopped_at = None

    if a_ts == a_ts and a_local == a_local and a_ts >= _MIN_ABSOLUTE_TIME:
        off = int(a_local - a_ts)
        if abs(off) <= 14 * 3600:
            utc_offset_s = round(off / 60.0) * 60

    totals: dict[str, float] = {}
    for key, num, scale in (
        ("distance_m", 9, 100.0),
        ("elapsed_time_s", 7, 1000.0),
        ("moving_time_s", 8, 1000.0),
        ("ascent_m", 22, 1.0),
        ("descent_m", 23, 1.0),
    ):
        v = np.asarray(session.get(num, []), dtype="float64")
        if np.isfinite(v).any():
            totals[key] = float(np.nansum(v)) / scale
    start_raw = _first_valid(session.get(2))
    start_time = (
        _fit_time(start_raw) if start_raw == start_raw and start_raw >= _MIN_ABSOLUTE_TIME else None
    )

    if len(samples) == 0 and not totals:
        raise UnsupportedFormatError(
            "FIT file holds no activity (no records and no session): "
            "perhaps a settings, course or monitoring file",
            path=path,
            reason="not_an_activity",
        )
    return RawActivity(
        format="fit",
        samples=samples,
        sport=sport,
        sub_sport=sub_sport,
        name=name,
        device=device,
        utc_offset_s=utc_offset_s,
        start_time=start_time,
        pauses=pauses,
        complete=not damaged,
        gaps_are_pauses=not has_timer_events,
        totals=totals,
        warnings=warns,
    )


def _unpack_speed_distance(
    packed: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Decode record.compressed_speed_distance.

    Three bytes: a 12-bit speed [cm/s] and a 12-bit rolling distance [1/16 m].
    """
    valid = np.isfinite(packed)
    bits = np.where(valid, packed, 0).astype("int64")
    speed = np.where(valid, (bits & 0xFFF) / 100.0, np.nan)
    rolling = (bits >> 12) & 0xFFF
    step = np.diff(rolling[valid], prepend=rolling[valid][:1]) % 4096
    distance = np.full(packed.shape, np.nan)
    distance[valid] = np.cumsum(step) / 16.0
    return distance, speed


def _fit_time(t: float) -> pd.Timestamp:
    return pd.Timestamp(int(t) + FIT_EPOCH_S, unit="s", tz="UTC")
