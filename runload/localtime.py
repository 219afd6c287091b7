"""The local calendar of an activity, decided in one place.

Weekly load is counted in the runner's local weeks, so every activity needs its
local UTC offset at the start and the local date it implies.  The offset comes
from, in this order:

1. ``file``: the file's own local time (FIT ``activity.local_timestamp``, an
   export's local start time);
2. ``position``: the time zone at the first GPS fix, looked up offline;
3. ``argument``: the ``timezone=`` argument (``--timezone``), meant for files
   that carry neither a position nor an offset (treadmill runs, GPX without
   positions);
4. ``neighbour``: the offset of the nearest activity in time that knows its own
   (:func:`infer_missing_offsets`, for files with none of the above);
5. ``default``: UTC.

A position wins over the argument: a Sunday-evening run in New York stays in
New York's week even when the history is analysed with ``timezone="Europe/Zurich"``.

:func:`resolve_offset` applies 1–3 and 5 to one activity, :func:`local_date`
turns a UTC start and an offset into the local date, and
:func:`infer_missing_offsets` applies 4 to a whole activities table.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .timezones import offset_for_position, offset_for_zone

__all__ = [
    "MAX_NEIGHBOUR_GAP_S",
    "OFFSET_SOURCES",
    "infer_missing_offsets",
    "local_date",
    "resolve_offset",
]

#: Values of ``utc_offset_source``, from the most to the least trusted.
OFFSET_SOURCES: tuple[str, ...] = ("file", "position", "argument", "neighbour", "default")


def local_date(start_utc: pd.Timestamp | dt.datetime, utc_offset_s: float) -> dt.date:
    """The local calendar date of a UTC instant at a UTC offset.

    Parameters
    ----------
    start_utc : Timestamp or datetime
        The instant (naive values are taken as UTC).
    utc_offset_s : float
        Local time minus UTC. [s]
    """
    ts = pd.Timestamp(start_utc)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return (ts + pd.Timedelta(seconds=float(utc_offset_s))).date()


def resolve_offset(
    start_utc: pd.Timestamp,
    *,
    file_offset_s: int | None = None,
    position: tuple[float, float] | None = None,
    timezone: str | dt.tzinfo | None = None,
) -> tuple[int, str]:
    """The UTC offset of an activity and where it came from (see the module docstring).

    Parameters
    ----------
    start_utc : Timestamp
        Start of the activity (tz-aware).
    file_offset_s : int, optional
        The offset the file states. [s]
    position : (float, float), optional
        The first GPS fix, (latitude, longitude). [deg]
    timezone : str or tzinfo, optional
        The user's time zone, for activities without an offset or a position.

    Returns
    -------
    offset_s : int
        Local time minus UTC. [s]
    source : str
        ``file``, ``position``, ``argument`` or ``default``.

    Raises
    ------
    ValueError
        When ``timezone`` is needed and is not an IANA time zone name.
    """
    if file_offset_s is not None:
        return int(file_offset_s), "file"
    when = pd.Timestamp(start_utc).to_pydatetime()
    if position is not None:
        found = offset_for_position(float(position[0]), float(position[1]), when)
        if found is not None:
            return found, "position"
    if timezone is not None:
        return offset_for_zone(timezone, when), "argument"
    return 0, "default"


#: The neighbour must have started within this time of the activity. [s]
MAX_NEIGHBOUR_GAP_S = 14 * 86400.0


def infer_missing_offsets(
    activities: pd.DataFrame, *, max_gap_s: float = MAX_NEIGHBOUR_GAP_S
) -> pd.DataFrame:
    """Give activities without a known UTC offset the offset of their nearest neighbour in time.

    Parameters
    ----------
    activities : DataFrame
        The activities table (``start_time_utc``, ``utc_offset_s``,
        ``utc_offset_source``, ``local_date``).
    max_gap_s : float
        Largest time between the two starts for the neighbour to count. [s]

    Returns
    -------
    DataFrame
        A copy in which rows whose ``utc_offset_source`` was ``"default"`` and
        that have a neighbour with a ``file`` or ``position`` offset carry that
        offset, ``utc_offset_source = "neighbour"`` and the local date it
        implies.  Rows set by the ``timezone=`` argument are left alone.
    """
    if activities.empty or "utc_offset_source" not in activities:
        return activities
    source = activities["utc_offset_source"].astype(object)
    unknown = (source == "default").to_numpy()
    known = source.isin(["file", "position"]).to_numpy()
    if not unknown.any() or not known.any():
        return activities
    start_s = (
        pd.DatetimeIndex(activities["start_time_utc"]).tz_convert("UTC").asi8.astype("float64")
        / 1e9
    )
    k_times = start_s[known]
    k_offsets = activities["utc_offset_s"].to_numpy()[known].astype("int64")
    order = np.argsort(k_times, kind="stable")
    k_times, k_offsets = k_times[order], k_offsets[order]

    out = activities.copy()
    rows = np.flatnonzero(unknown)
    t = start_s[rows]
    right = np.clip(np.searchsorted(k_times, t), 0, k_times.size - 1)
    left = np.clip(right - 1, 0, k_times.size - 1)
    pick = np.where(np.abs(k_times[left] - t) <= np.abs(k_times[right] - t), left, right)
    ok = np.abs(k_times[pick] - t) <= max_gap_s
    rows, pick = rows[ok], pick[ok]
    if rows.size == 0:
        return activities
    offsets = k_offsets[pick]
    starts = pd.DatetimeIndex(out["start_time_utc"].iloc[rows])
    offset_col = out["utc_offset_s"].to_numpy(dtype="int64", copy=True)
    source_col = out["utc_offset_source"].to_numpy(dtype=object, copy=True)
    date_col = out["local_date"].to_numpy(dtype=object, copy=True)
    offset_col[rows] = offsets
    source_col[rows] = "neighbour"
    date_col[rows] = [local_date(ts, off) for ts, off in zip(starts, offsets, strict=True)]
    out["utc_offset_s"] = pd.array(offset_col, dtype="Int64")
    out["utc_offset_source"] = source_col
    out["local_date"] = date_col
    return out
