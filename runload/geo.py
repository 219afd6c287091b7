"""Distances on the WGS84 sphere and GPS clean-up."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["EARTH_RADIUS_M", "haversine_m", "path_distance_m"]

#: Mean Earth radius (IUGG). [m]
EARTH_RADIUS_M = 6_371_008.8

FloatArray = npt.NDArray[np.float64]

_REANCHOR_AFTER = 10


def haversine_m(
    lat1_deg: npt.ArrayLike,
    lon1_deg: npt.ArrayLike,
    lat2_deg: npt.ArrayLike,
    lon2_deg: npt.ArrayLike,
) -> FloatArray:
    """Great-circle distance between points. [m]

    Parameters
    ----------
    lat1_deg, lon1_deg, lat2_deg, lon2_deg : array_like
        Coordinates in degrees (WGS84).

    Returns
    -------
    ndarray
        Distance along the sphere of radius :data:`EARTH_RADIUS_M`. [m]
    """
    lat1 = np.radians(np.asarray(lat1_deg, dtype="float64"))
    lat2 = np.radians(np.asarray(lat2_deg, dtype="float64"))
    dlat = lat2 - lat1
    dlon = np.radians(np.asarray(lon2_deg, dtype="float64") - np.asarray(lon1_deg, dtype="float64"))
    a = np.sin(dlat / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2.0) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def _haversine_scalar(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(max(a, 0.0), 1.0)))


def _walk_rejecting(
    lat: FloatArray,
    lon: FloatArray,
    t: FloatArray,
    step: FloatArray,
    bad: npt.NDArray[np.bool_],
    max_speed_m_s: float,
) -> tuple[FloatArray, npt.NDArray[np.bool_], int]:
    """Measure each fix against the last accepted one, skipping teleports.

    ``step[k - 1]`` and ``bad[k - 1]`` are the distance and verdict from fix
    ``k - 1`` to fix ``k``.  While the last accepted fix is the previous one
    those precomputed values hold, so the walk jumps from one bad step to the
    next and measures in Python only around the teleports.  After
    ``_REANCHOR_AFTER`` rejections in a row the receiver has evidently moved
    on (or the anchor was the outlier): the fix becomes the new anchor and the
    jump adds no distance.
    """
    m = lat.size
    out = np.zeros(m - 1)
    keep = np.ones(m, dtype=bool)
    bad_fix = np.flatnonzero(bad) + 1  # fixes reached by a bad step from their predecessor
    lat_l, lon_l, t_l = lat.tolist(), lon.tolist(), t.tolist()
    rejected = streak = last = 0
    k = 1
    while k < m:
        if last == k - 1 and streak == 0:
            nxt = int(np.searchsorted(bad_fix, k))
            stop = int(bad_fix[nxt]) if nxt < bad_fix.size else m
            out[k - 1 : stop - 1] = step[k - 1 : stop - 1]
            if stop >= m:
                break
            last, k = stop - 1, stop
        d = _haversine_scalar(lat_l[last], lon_l[last], lat_l[k], lon_l[k])
        if d > max_speed_m_s * max(t_l[k] - t_l[last], 1.0) and streak < _REANCHOR_AFTER:
            keep[k] = False
            rejected += 1
            streak += 1
        else:
            out[k - 1] = 0.0 if streak >= _REANCHOR_AFTER else d
            last, streak = k, 0
        k += 1
    return out, keep, rejected


def path_distance_m(
    latitude_deg: npt.ArrayLike,
    longitude_deg: npt.ArrayLike,
    time_s: npt.ArrayLike,
    *,
    max_speed_m_s: float = 15.0,
) -> tuple[FloatArray, int]:
    """Cumulative distance along a GPS track, with teleports rejected.

    A *teleport* is a fix that implies a speed above ``max_speed_m_s`` from
    the last accepted fix; it is skipped (it adds no distance) and the next
    fix is measured from the last accepted one.  Samples without a position
    carry the cumulative distance of the last accepted fix.

    Parameters
    ----------
    latitude_deg, longitude_deg : array_like
        Positions; NaN where a sample has none. [deg]
    time_s : array_like
        Sample times. [s]
    max_speed_m_s : float
        Fastest believable speed between two fixes. [m/s]

    Returns
    -------
    distance_m : ndarray
        Cumulative distance at each sample, NaN before the first fix. [m]
    rejected : int
        Number of fixes rejected as teleports.
    """
    lat = np.asarray(latitude_deg, dtype="float64")
    lon = np.asarray(longitude_deg, dtype="float64")
    t = np.asarray(time_s, dtype="float64")
    out = np.full(lat.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if ok.size == 0:
        return out, 0
    # Fast path: measure consecutive fixes; only when some step is implausible
    # walk those fixes one by one against the last accepted position.
    step = haversine_m(lat[ok[:-1]], lon[ok[:-1]], lat[ok[1:]], lon[ok[1:]])
    dt = np.maximum(np.diff(t[ok]), 1.0)
    bad = step > max_speed_m_s * dt
    rejected = 0
    if bad.any():
        step, keep, rejected = _walk_rejecting(lat[ok], lon[ok], t[ok], step, bad, max_speed_m_s)
        step = step[keep[1:]]
        ok = ok[keep]
    cum = np.concatenate([[0.0], np.cumsum(step)])
    out[ok] = cum
    # carry forward over samples without an accepted fix
    filled = np.fmax.accumulate(np.where(np.isnan(out), -np.inf, out))
    filled[np.isneginf(filled)] = np.nan
    return filled, rejected
