"""Local time for activities that do not say where or when-locally they happened.

A treadmill file has no positions and (GPX/TCX) no UTC offset, so on its own it
can only be placed in UTC, which puts a Sunday-evening run in Denver on Monday.
Within a runner's history the nearest activity in time that *does* know its
offset (from the file or a GPS position) is the best guess: runners rarely
change time zone between two runs.  :func:`infer_missing_offsets` applies that
guess and marks it ``utc_offset_source = "neighbour"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MAX_NEIGHBOUR_GAP_S", "infer_missing_offsets"]

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
    local = starts + pd.to_timedelta(offsets, unit="s")
    offset_col = out["utc_offset_s"].to_numpy(dtype="int64", copy=True)
    source_col = out["utc_offset_source"].to_numpy(dtype=object, copy=True)
    date_col = out["local_date"].to_numpy(dtype=object, copy=True)
    offset_col[rows] = offsets
    source_col[rows] = "neighbour"
    date_col[rows] = [ts.date() for ts in local]
    out["utc_offset_s"] = pd.array(offset_col, dtype="Int64")
    out["utc_offset_source"] = source_col
    out["local_date"] = date_col
    return out
