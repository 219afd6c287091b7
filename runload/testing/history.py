"""Synthetic runs and training histories, written as real FIT, GPX and TCX files.

:func:`synthetic_track` makes one run with 1 Hz samples (or coarser) along a
realistic route: a loop or an out-and-back from an origin, laps of a 400 m
track, or no positions at all on a treadmill.  What a device would *measure*
(GPS positions, altimeter elevation, heart rate, cadence) carries correlated
noise; what *happened* (the path length, the elevation profile, the pauses) is
returned alongside as a :class:`Truth`, so that tests can compare an importer's
output with the truth instead of with the generator's own arithmetic.

:class:`HistoryPlan` lists the runs of a training history;
:func:`preset` builds the plans the risk tests need (each with a quiet
counterpart where the trigger does not fire), :func:`generate_history` turns a
plan into tracks and :func:`write_history` writes them as files
(:func:`runload.testing.exports.write_history_export`: as a Strava export);
:func:`plan_activities` turns a plan into an activities table without writing
any file, for fast tests of the risk rules.  The bundled demo is
:mod:`runload.demo`.

Every random draw comes from a generator seeded by the caller: the same seed
gives the same tracks and byte-identical files.

Noise model, per sample (``dt`` = sample interval):

- GPS position: an AR(1) process on east and north with standard deviation
  ``gps_noise_m`` and a correlation time of 50 s (lag-1 correlation
  ``exp(-dt/50)``), the slow wander of a consumer receiver.
- Elevation, ``elevation_model="barometric"`` (a watch's altimeter): a
  constant calibration offset (sd 3 m) plus an AR(1) with standard deviation
  ``elevation_noise_m`` (2 m) and a correlation time of 200 s plus a fast
  AR(1) (0.3 m, 10 s): barometric drift and jitter.
- Elevation, ``elevation_model="phone"`` (GPS altitude from a phone app): an
  offset (sd 15 m by default, or ``elevation_offset_m``, e.g. −30 to −200 m
  as seen in real exports), an AR(1) of sd ``elevation_noise_m`` (8 m) and
  60 s correlation time, jumps (4 an hour, sd twice the noise, fading over
  5 minutes), rounded to whole metres.
- Speed: the requested mean pace, slowed on climbs (``exp(-3·grade)``),
  with an AR(1) variation of 4 % (correlation time 120 s).
- Heart rate: a target from speed and grade, followed with a 25 s lag, rising
  from 90 bpm at the start, dipping after each pause, with cardiac drift.
- Cadence: from speed and what was really done (``motion``: running
  150 + 7.5 · speed [m/s] steps/min, walking 100 + 10 · speed, riding
  85 rpm) plus 1.5 of AR(1) variation, in whole units.

What the file *says* is separate from what was done: ``sport=None`` writes no
sport (a GPX file without ``<type>``), ``sport="running", motion="walk"`` a
walk saved as a run.

The ``distance_m`` stream is the true distance (as a calibrated foot pod would
report it); GPS-derived distance is longer by the noise, as on real devices.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..geo import EARTH_RADIUS_M, haversine_m
from ..schema import SUMMARY_DTYPES, empty_activities
from .fit import fit_bytes
from .gpx import gpx_bytes
from .tcx import tcx_bytes
from .track import MOTIONS, Track

__all__ = [
    "DENVER",
    "SCENARIOS",
    "SHOE_LIMIT_M",
    "TRACK_LAP_M",
    "HistoryItem",
    "HistoryPlan",
    "PlannedRun",
    "SyntheticTrack",
    "Truth",
    "WeekPlan",
    "gear_crossing_date",
    "generate_history",
    "pick_format",
    "plan_activities",
    "plan_week",
    "preset",
    "synthetic_track",
    "write_history",
]

FloatArray = npt.NDArray[np.float64]
Surface = Literal["road", "trail", "track", "treadmill"]
Route = Literal["loop", "out_and_back", "point_to_point"]
Motion = Literal["run", "walk", "ride"]
ElevationModel = Literal["barometric", "phone"]

#: Denver city centre (latitude, longitude) [deg]; elevation about 1600 m.
DENVER = (39.7392, -104.9903)
DENVER_TZ = "America/Denver"

#: Length of lane 1 of a standard track, and the radius of its bends. [m]
TRACK_LAP_M = 400.0
_TRACK_RADIUS_M = 36.5

_DEFAULT_HILLINESS_M = {"road": 15.0, "trail": 60.0, "track": 0.0, "treadmill": 0.0}
_DEFAULT_SUB_SPORT = {
    "road": "generic",
    "trail": "trail",
    "track": "track",
    "treadmill": "treadmill",
}


# ------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Truth:
    """What really happened during a synthetic run.

    Attributes
    ----------
    distance_m : float
        Path length actually run (noise-free positions). [m]
    ascent_m, descent_m : float
        Gain and loss of the noise-free elevation profile, 0 on a treadmill. [m]
    elapsed_time_s, moving_time_s : float
        First to last sample, and the same less the pauses. [s]
    surface : str
        ``road``, ``trail``, ``track`` or ``treadmill``.
    start_time_utc : Timestamp
        Time of the first sample.
    utc_offset_s : int or None
        Local time minus UTC. [s]
    local_date : date or None
        Calendar date of the start in local time.
    pauses_s : tuple of float
        Duration of each pause. [s]
    latitude_deg, longitude_deg : ndarray
        Noise-free position at each sample (NaN on a treadmill). [deg]
    elevation_m : ndarray
        Noise-free elevation at each sample (NaN on a treadmill). [m]
    distance_along_m : ndarray
        Noise-free cumulative distance at each sample. [m]
    motion : str
        What was really done: ``run``, ``walk`` or ``ride``.
    sport_in_file : str or None
        The sport the file states (None: it states none).
    elevation_model : str
        ``barometric`` or ``phone`` (how the recorded elevation was made),
        ``none`` without positions or on a track.
    elevation_offset_m : float
        Constant error added to the recorded elevation (NaN without one). [m]
    """

    distance_m: float = math.nan
    ascent_m: float = math.nan
    descent_m: float = math.nan
    elapsed_time_s: float = math.nan
    moving_time_s: float = math.nan
    surface: str = "unknown"
    start_time_utc: pd.Timestamp | None = None
    utc_offset_s: int | None = None
    local_date: dt.date | None = None
    pauses_s: tuple[float, ...] = ()
    latitude_deg: FloatArray = field(default_factory=lambda: np.empty(0))
    longitude_deg: FloatArray = field(default_factory=lambda: np.empty(0))
    elevation_m: FloatArray = field(default_factory=lambda: np.empty(0))
    distance_along_m: FloatArray = field(default_factory=lambda: np.empty(0))
    motion: str = "run"
    sport_in_file: str | None = "running"
    elevation_model: str = "barometric"
    elevation_offset_m: float = math.nan


@dataclass
class SyntheticTrack(Track):
    """A :class:`Track` that also knows the :class:`Truth` it was made from."""

    truth: Truth = field(default_factory=Truth)


# ------------------------------------------------------------ signal helpers


def _recursive_filter(x: FloatArray, a: float, y0: float = 0.0) -> FloatArray:
    """``y[t] = a·y[t-1] + x[t]`` with ``y[-1] = y0``, vectorised in blocks.

    Within a block ``y[k] = a^k (a·carry + Σ_{j≤k} a^-j x[j])``; blocks are
    short enough that ``a^-k`` stays below 1e8, which keeps the sums exact to
    about 1e-8 of the signal.
    """
    n = x.size
    out = np.empty(n)
    if n == 0:
        return out
    if a <= 0.0:
        out[:] = x
        return out
    block = n if a >= 1.0 else max(1, int(math.log(1e8) / -math.log(a)))
    carry = y0
    for start in range(0, n, block):
        seg = x[start : start + block]
        powers = a ** np.arange(seg.size)
        y = powers * (a * carry + np.cumsum(seg / powers))
        out[start : start + seg.size] = y
        carry = float(y[-1])
    return out


def _ar1(rng: np.random.Generator, n: int, *, sd: float, tau_s: float, dt_s: float) -> FloatArray:
    """A stationary AR(1) series with standard deviation ``sd`` and correlation time ``tau_s``."""
    if n == 0 or sd == 0:
        return np.zeros(n)
    phi = math.exp(-dt_s / tau_s)
    shocks = rng.standard_normal(n) * sd * math.sqrt(1.0 - phi * phi)
    shocks[0] = rng.standard_normal() * sd
    return _recursive_filter(shocks, phi)


def _gain(z: FloatArray) -> tuple[float, float]:
    d = np.diff(z)
    return float(d[d > 0].sum()), float(-d[d < 0].sum())


# ------------------------------------------------------------------- routes


def _to_latlon(
    east_m: FloatArray, north_m: FloatArray, origin: tuple[float, float]
) -> tuple[FloatArray, FloatArray]:
    lat0, lon0 = origin
    lat = lat0 + np.degrees(north_m / EARTH_RADIUS_M)
    lon = lon0 + np.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(lat0))))
    return lat, lon


def _polyline(
    east_m: FloatArray, north_m: FloatArray, origin: tuple[float, float], length_m: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """A dense local polyline as (lat, lon, cumulative haversine length), scaled to ``length_m``.

    The local east/north shape is scaled twice so that its length *on the
    sphere* (haversine, the measure importers use) is ``length_m``.
    """
    e, n = east_m, north_m
    for _ in range(2):
        lat, lon = _to_latlon(e, n, origin)
        cum = np.concatenate([[0.0], np.cumsum(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]))])
        factor = length_m / cum[-1]
        e, n = e * factor, n * factor
    lat, lon = _to_latlon(e, n, origin)
    cum = np.concatenate([[0.0], np.cumsum(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]))])
    return lat, lon, cum


def _loop_shape(rng: np.random.Generator, points: int) -> tuple[FloatArray, FloatArray]:
    """A closed, gently irregular loop through (0, 0), in arbitrary units."""
    theta = np.linspace(0.0, 2.0 * math.pi, points)
    r = np.ones(points)
    for k in range(2, 13):
        amp = (0.12 if k <= 3 else 0.006) * rng.uniform(0.3, 1.0)
        r += amp * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
    rot = rng.uniform(0, 2 * math.pi)
    x, y = r * np.cos(theta + rot), r * np.sin(theta + rot)
    return x - x[0], y - y[0]


def _out_shape(rng: np.random.Generator, points: int) -> tuple[FloatArray, FloatArray]:
    """An open, winding path from (0, 0) of unit step per point."""
    u = np.linspace(0.0, 1.0, points)
    heading = np.full(points, rng.uniform(0, 2 * math.pi))
    for k in range(1, 6):
        heading += rng.uniform(0.1, 0.5) / k * np.sin(2 * math.pi * k * u + rng.uniform(0, 6.3))
    dx, dy = np.cos(heading[:-1]), np.sin(heading[:-1])
    return np.concatenate([[0.0], np.cumsum(dx)]), np.concatenate([[0.0], np.cumsum(dy)])


def _track_shape(rng: np.random.Generator, points: int) -> tuple[FloatArray, FloatArray]:
    """One lap of a 400 m oval [m], starting at the beginning of a straight."""
    straight = (TRACK_LAP_M - 2 * math.pi * _TRACK_RADIUS_M) / 2
    s = np.linspace(0.0, TRACK_LAP_M, points)
    x, y = np.empty(points), np.empty(points)
    bend = math.pi * _TRACK_RADIUS_M
    for i, si in enumerate(s):
        if si < straight:
            x[i], y[i] = si, 0.0
        elif si < straight + bend:
            a = (si - straight) / _TRACK_RADIUS_M
            x[i], y[i] = (
                straight + _TRACK_RADIUS_M * math.sin(a),
                _TRACK_RADIUS_M * (1 - math.cos(a)),
            )
        elif si < 2 * straight + bend:
            x[i], y[i] = straight - (si - straight - bend), 2 * _TRACK_RADIUS_M
        else:
            a = (si - 2 * straight - bend) / _TRACK_RADIUS_M
            x[i] = -_TRACK_RADIUS_M * math.sin(a)
            y[i] = _TRACK_RADIUS_M * (1 + math.cos(a))
    rot = rng.uniform(0, math.pi)
    c, sn = math.cos(rot), math.sin(rot)
    return c * x - sn * y, sn * x + c * y


def _profile(
    rng: np.random.Generator, coord: FloatArray, period_m: float, relief_m: float
) -> FloatArray:
    """A smooth elevation profile (sum of sines, period ``period_m``) of the given relief. [m]"""
    z = np.zeros(coord.size)
    harmonics = 2 + int(period_m // 2500)
    for k in range(1, harmonics + 1):
        z += (
            rng.uniform(0.5, 1.0)
            / k**0.8
            * np.sin(2 * math.pi * k * coord / period_m + rng.uniform(0, 2 * math.pi))
        )
    span = float(z.max() - z.min())
    return z * (relief_m / span) if span > 0 else z


# ------------------------------------------------------------------ one run


def _as_utc(when: pd.Timestamp | dt.datetime | str) -> pd.Timestamp:
    ts = pd.Timestamp(when)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _default_name(sport: str | None, local: pd.Timestamp | None, motion: str = "run") -> str:
    noun = {"running": "Run", "walking": "Walk", "hiking": "Hike", "cycling": "Ride"}.get(
        sport or "",
        {"run": "Run", "walk": "Walk", "ride": "Ride"}[motion] if sport is None else "Activity",
    )
    if local is None:
        return noun
    h = local.hour
    part = (
        "Morning"
        if 5 <= h < 12
        else "Afternoon"
        if 12 <= h < 17
        else "Evening"
        if 17 <= h < 21
        else "Night"
    )
    return f"{part} {noun}"


def _motion_of(sport: str | None) -> Motion:
    """What a sport label means when nothing else says what was done."""
    if sport in ("walking", "hiking"):
        return "walk"
    if sport == "cycling":
        return "ride"
    return "run"


def _scale_to_climb(trend: FloatArray, shape: FloatArray, climb_m: float) -> float:
    """The factor ``k`` for which ``trend + k·shape`` climbs ``climb_m`` in total (bisection)."""
    floor, _ = _gain(trend)
    if climb_m < floor - 1e-6:
        raise ValueError(f"climb_m={climb_m:g} is less than the route's net gain {floor:.1f} m")
    lo, hi = 0.0, 1.0
    while _gain(trend + hi * shape)[0] < climb_m:
        hi *= 2.0
        if hi > 1e7:  # pragma: no cover - a flat shape cannot climb
            raise ValueError("the elevation profile cannot reach climb_m")
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if _gain(trend + mid * shape)[0] < climb_m:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _phone_altitude(
    rng: np.random.Generator,
    z_true: FloatArray,
    *,
    offset_m: float,
    noise_m: float,
    dt_s: float,
    jumps_per_hour: float,
) -> FloatArray:
    """GPS altitude as a phone records it: offset, slow wander, jumps, whole metres. [m]

    ``offset_m`` is a constant bias (the geoid-ellipsoid separation and the
    receiver's own error); the wander is an AR(1) of standard deviation
    ``noise_m`` and correlation time 60 s; jumps are steps of standard
    deviation ``2·noise_m`` at random times (``jumps_per_hour`` on average)
    that fade with a time constant of 5 minutes (a change of satellites).
    """
    n = z_true.size
    wander = _ar1(rng, n, sd=noise_m, tau_s=60.0, dt_s=dt_s)
    shocks = np.zeros(n)
    count = int(rng.poisson(jumps_per_hour * n * dt_s / 3600.0))
    if count and n > 1:
        at = rng.integers(1, n, size=count)
        np.add.at(shocks, at, rng.normal(0.0, 2.0 * noise_m, size=count))
    jumps = _recursive_filter(shocks, math.exp(-dt_s / 300.0))
    return np.asarray(np.rint(z_true + offset_m + wander + jumps), dtype="float64")


def synthetic_track(
    start_utc: pd.Timestamp | dt.datetime | str,
    *,
    distance_m: float,
    pace_s_per_km: float = 330.0,
    sport: str | None = "running",
    motion: Motion | None = None,
    sub_sport: str | None = None,
    surface: Surface = "road",
    hilliness_m: float | None = None,
    climb_m: float | None = None,
    route: Route | None = None,
    route_seed: int | None = None,
    elevation_change_m: float = 0.0,
    pauses: int = 0,
    utc_offset_s: int | None = None,
    origin: tuple[float, float] = DENVER,
    base_elevation_m: float = 1600.0,
    sample_interval_s: float = 1.0,
    gps_noise_m: float = 2.5,
    elevation_model: ElevationModel = "barometric",
    elevation_noise_m: float | None = None,
    elevation_offset_m: float | None = None,
    altitude_jumps_per_hour: float = 4.0,
    record_heart_rate: bool = True,
    record_cadence: bool = True,
    seed: int = 0,
    name: str | None = None,
    notes: str | None = None,
    device: str | None = "runload testing",
) -> SyntheticTrack:
    """One synthetic run (or walk, or ride), with its truth.

    Parameters
    ----------
    start_utc : Timestamp, datetime or str
        Time of the first sample; naive values are taken as UTC.
    distance_m : float
        Path length to run. [m]
    pace_s_per_km : float
        Mean moving pace (a walk at 1.4 m/s is about 714 s/km, a ride at
        7 m/s about 143 s/km). [s/km]
    sport : str or None
        What the file says: a FIT sport name (``running``, ``walking``,
        ``hiking``, ``cycling``, ``generic``), or None for a file that says
        nothing (a GPX file without ``<type>``; see :class:`Track`).
    motion : {"run", "walk", "ride"}, optional
        What was really done, which sets the cadence (running 150 + 7.5 ·
        speed [m/s] steps/min, walking 100 + 10 · speed, riding 85 rpm) and
        the heart-rate model; by default from ``sport`` (None means a run).
        A walk labelled as a run is ``sport="running", motion="walk"``.
    sub_sport : str, optional
        FIT sub-sport; by default from ``surface`` (road → ``generic``,
        trail → ``trail``, track → ``track``, treadmill → ``treadmill``).
    surface : {"road", "trail", "track", "treadmill"}
        A treadmill run has no positions and no elevation, only a distance
        stream; a track run is laps of a 400 m oval.
    hilliness_m : float, optional
        Relief of the true profile, highest minus lowest point; by default
        15 m on road, 60 m on trail, 0 on the track. [m]
    climb_m : float, optional
        Total true ascent of the run; the profile is scaled to it (overrides
        ``hilliness_m``). [m]
    route : {"loop", "out_and_back", "point_to_point"}, optional
        Shape of a road or trail route; by default a loop or an out-and-back
        drawn from the seed.  Only a point-to-point route (a race from A to B)
        can end at another elevation than it starts.
    route_seed : int, optional
        Seed of the route's path and elevation profile; runs with the same
        ``route_seed``, ``route``, ``distance_m``, ``origin`` and climb follow
        the same true path, whatever ``seed`` draws for the noise.  By default
        the route comes from ``seed``.
    elevation_change_m : float
        Finish minus start elevation of a point-to-point route (negative
        downhill); the true descent is about ``climb_m - elevation_change_m``. [m]
    pauses : int
        Number of stops with the timer stopped (traffic lights, 20-90 s),
        between 10 % and 90 % of the distance.
    utc_offset_s : int, optional
        Local time minus UTC. [s]
    origin : (float, float)
        Start of the route (and end of a loop or an out-and-back),
        (latitude, longitude). [deg]
    base_elevation_m : float
        True elevation of the start. [m]
    sample_interval_s : float
        Time between samples. [s]
    gps_noise_m : float
        Standard deviation of the correlated position noise, per axis; 0 for none. [m]
    elevation_model : {"barometric", "phone"}
        How the recorded elevation is measured.  ``barometric``: a watch's
        altimeter, smooth (calibration offset of sd 3 m, AR(1) drift of sd
        ``elevation_noise_m`` and 200 s correlation time, 0.3 m jitter).
        ``phone``: GPS altitude as phone apps record it, noisy and steppy
        (offset, AR(1) wander of sd ``elevation_noise_m`` and 60 s
        correlation time, jumps, quantised to whole metres).
    elevation_noise_m : float, optional
        Standard deviation of the elevation noise; by default 2 m barometric,
        8 m phone (phone GPS altitude errors are 5-15 m); 0 for none. [m]
    elevation_offset_m : float, optional
        Constant error of the recorded elevation; by default drawn (sd 3 m
        barometric, sd 15 m phone).  A phone offset of −30 to −200 m puts
        a riverside route below sea level, as seen in real exports. [m]
    altitude_jumps_per_hour : float
        Mean number of altitude jumps per hour (phone model only). [1/h]
    record_heart_rate, record_cadence : bool
        Whether the recording has the heart-rate and cadence streams (a ride
        without a cadence sensor has none).
    seed : int
        Seed of every random draw.
    name, notes, device : str, optional
        Written where the formats have a place; ``name`` defaults to
        "Morning Run" etc. from the local start hour, ``""`` writes none.

    Returns
    -------
    SyntheticTrack
        The track, with :attr:`SyntheticTrack.truth`.
    """
    if not distance_m > 0:
        raise ValueError("distance_m must be positive")
    if not pace_s_per_km > 0:
        raise ValueError("pace_s_per_km must be positive")
    if not sample_interval_s > 0:
        raise ValueError("sample_interval_s must be positive")
    if surface not in _DEFAULT_HILLINESS_M:
        raise ValueError(f"unknown surface {surface!r}")
    if elevation_model not in ("barometric", "phone"):
        raise ValueError(
            f"elevation_model must be 'barometric' or 'phone', not {elevation_model!r}"
        )
    if motion is not None and motion not in MOTIONS:
        raise ValueError(f"motion must be one of {MOTIONS}, not {motion!r}")
    flat = surface in ("track", "treadmill")
    if flat and climb_m:
        raise ValueError(f"a {surface} run has no climb")
    if elevation_change_m and (route != "point_to_point" or flat):
        raise ValueError("only a point_to_point route can end at another elevation")
    gait: Motion = motion or _motion_of(sport)
    noise_m = (
        float(elevation_noise_m)
        if elevation_noise_m is not None
        else (8.0 if elevation_model == "phone" else 2.0)
    )
    rng = np.random.default_rng(seed)
    route_rng = rng if route_seed is None else np.random.default_rng(route_seed)
    start = _as_utc(start_utc)
    dt_s = float(sample_interval_s)
    v0 = 1000.0 / pace_s_per_km
    total_d = float(distance_m)

    # --- route and true profile, on a dense grid along the run ------------
    step = min(1.0, total_d / 20000.0)
    s_dense = np.linspace(0.0, total_d, math.ceil(total_d / step) + 1)
    kind = route or ("loop" if route_rng.random() < 0.5 else "out_and_back")
    lat_dense = lon_dense = None
    if surface == "treadmill":
        z_dense = np.full(s_dense.size, base_elevation_m)
    elif surface == "track":
        lap_pts = 4001
        x, y = _track_shape(route_rng, lap_pts)
        lap_lat, lap_lon, lap_cum = _polyline(x, y, origin, TRACK_LAP_M)
        pos = np.mod(s_dense, TRACK_LAP_M)
        lat_dense = np.interp(pos, lap_cum, lap_lat)
        lon_dense = np.interp(pos, lap_cum, lap_lon)
        z_dense = np.full(s_dense.size, base_elevation_m)
    else:
        if kind == "loop":
            x, y = _loop_shape(route_rng, s_dense.size)
            lat_dense, lon_dense, cum = _polyline(x, y, origin, total_d)
            coord = s_dense
            lat_dense = np.interp(s_dense, cum, lat_dense)
            lon_dense = np.interp(s_dense, cum, lon_dense)
            period = total_d
        elif kind == "out_and_back":
            half = total_d / 2.0
            n_out = math.ceil(half / step) + 1
            x, y = _out_shape(route_rng, n_out)
            out_lat, out_lon, cum = _polyline(x, y, origin, half)
            coord = np.where(s_dense <= half, s_dense, total_d - s_dense)
            lat_dense = np.interp(coord, cum, out_lat)
            lon_dense = np.interp(coord, cum, out_lon)
            period = 2.0 * half
        elif kind == "point_to_point":
            x, y = _out_shape(route_rng, s_dense.size)
            lat_dense, lon_dense, cum = _polyline(x, y, origin, total_d)
            coord = s_dense
            lat_dense = np.interp(s_dense, cum, lat_dense)
            lon_dense = np.interp(s_dense, cum, lon_dense)
            period = total_d
        else:
            raise ValueError(f"unknown route {kind!r}")
        relief = _DEFAULT_HILLINESS_M[surface] if hilliness_m is None else float(hilliness_m)
        shape = _profile(route_rng, coord, period, 1.0)
        trend = float(elevation_change_m) * s_dense / total_d
        if elevation_change_m:
            scale = _scale_to_climb(trend, shape, float(climb_m)) if climb_m is not None else relief
        elif climb_m is not None:
            up, _ = _gain(shape)
            scale = float(climb_m) / up if up > 0 else 0.0
        else:
            scale = relief
        z_dense = base_elevation_m + trend + shape * scale
        z_dense = z_dense - (z_dense[0] - base_elevation_m)

    grade_dense = np.gradient(z_dense, s_dense)

    # --- speed and distance on the moving clock -----------------------------
    n_guess = int(total_d / v0 / dt_s * 1.6) + 10
    wobble = 1.0 + _ar1(rng, n_guess, sd=0.04, tau_s=120.0, dt_s=dt_s)
    v = v0 * wobble
    s_pre = np.concatenate([[0.0], np.cumsum(v[:-1] * dt_s)])
    grade = np.interp(np.minimum(s_pre, total_d), s_dense, grade_dense)
    v = v * np.clip(np.exp(-3.0 * grade), 0.6, 1.2)
    target_time = total_d / v0
    k_end = max(1, round(target_time / dt_s))
    v = v * (total_d / (float(v[:k_end].sum()) * dt_s))  # the requested mean pace
    s = np.concatenate([[0.0], np.cumsum(v[:-1] * dt_s)])
    last = int(np.searchsorted(s, total_d, side="left"))
    if last >= s.size:  # pragma: no cover - n_guess has a 60 % margin
        raise RuntimeError("synthetic run did not reach its distance")
    s = s[: last + 1].copy()
    s[-1] = total_d
    v = v[: last + 1].copy()
    v[-1] = (s[-1] - s[-2]) / dt_s if last > 0 else v[-1]
    n = s.size
    moving_t = np.arange(n) * dt_s

    # --- pauses -------------------------------------------------------------
    pause_after = np.zeros(n)
    durations: list[float] = []
    if pauses > 0 and n > 10:
        lo, hi = int(np.searchsorted(s, 0.1 * total_d)), int(np.searchsorted(s, 0.9 * total_d))
        cand = np.arange(max(lo, 1), max(hi, lo + 1))
        picks = np.sort(rng.choice(cand, size=min(pauses, cand.size), replace=False))
        for k in picks:
            d = float(rng.integers(20, 91))
            durations.append(d)
            pause_after[k] = d
    elapsed_t = moving_t + np.concatenate([[0.0], np.cumsum(pause_after[:-1])])
    times = start + pd.to_timedelta(elapsed_t, unit="s")
    times = pd.DatetimeIndex(times, name="time")
    pause_list = [
        (times[k], times[k] + pd.Timedelta(seconds=float(pause_after[k])))
        for k in np.flatnonzero(pause_after).tolist()
    ]

    # --- true and measured positions and elevation --------------------------
    z_true = np.interp(s, s_dense, z_dense)
    offset_used = math.nan
    if lat_dense is not None and lon_dense is not None:
        lat_true = np.interp(s, s_dense, lat_dense)
        lon_true = np.interp(s, s_dense, lon_dense)
        east = _ar1(rng, n, sd=gps_noise_m, tau_s=50.0, dt_s=dt_s)
        north = _ar1(rng, n, sd=gps_noise_m, tau_s=50.0, dt_s=dt_s)
        lat_meas = lat_true + np.degrees(north / EARTH_RADIUS_M)
        lon_meas = lon_true + np.degrees(east / (EARTH_RADIUS_M * np.cos(np.radians(lat_true))))
        # the barometric draws are made for both models, so that the rest of
        # the run (heart rate, cadence) is the same whichever device recorded it
        baro_noise = noise_m if elevation_model == "barometric" else 2.0
        baro_offset = rng.normal(0.0, 3.0 if baro_noise > 0 else 0.0)
        baro_wander = _ar1(rng, n, sd=baro_noise, tau_s=200.0, dt_s=dt_s) + _ar1(
            rng, n, sd=0.3 if baro_noise > 0 else 0.0, tau_s=10.0, dt_s=dt_s
        )
        if elevation_model == "barometric":
            offset_used = baro_offset if elevation_offset_m is None else float(elevation_offset_m)
            ele_meas = z_true + offset_used + baro_wander
        else:
            phone_rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
            offset_used = (
                float(phone_rng.normal(0.0, 15.0))
                if elevation_offset_m is None
                else float(elevation_offset_m)
            )
            ele_meas = _phone_altitude(
                phone_rng,
                z_true,
                offset_m=offset_used,
                noise_m=noise_m,
                dt_s=dt_s,
                jumps_per_hour=altitude_jumps_per_hour,
            )
        ascent, descent = _gain(z_dense)
    else:
        lat_true = lon_true = lat_meas = lon_meas = np.full(n, np.nan)
        z_true = np.full(n, np.nan)
        ele_meas = np.full(n, np.nan)
        ascent = descent = 0.0

    # --- heart rate and cadence ---------------------------------------------
    grade_s = np.interp(s, s_dense, grade_dense) if surface != "treadmill" else np.zeros(n)
    threshold_speed = 9.0 if gait == "ride" else 1000.0 / 270.0  # [m/s]
    target = 100.0 + 70.0 * (v / threshold_speed) + 300.0 * np.clip(grade_s, -0.05, 0.15)
    target += 0.08 * moving_t / 60.0  # cardiac drift [bpm/min]
    a = math.exp(-dt_s / 25.0)
    hr = _recursive_filter((1.0 - a) * target, a, y0=90.0)
    for k in np.flatnonzero(pause_after):
        dip = min(25.0, 0.4 * pause_after[k])
        after = moving_t[k + 1 :] - moving_t[k + 1]
        hr[k + 1 :] -= dip * np.exp(-after / 40.0)
    hr += _ar1(rng, n, sd=1.0, tau_s=5.0, dt_s=dt_s)
    hr = np.clip(np.rint(hr), 60, 200)
    if gait == "run":
        base_cad = 150.0 + 7.5 * v
    elif gait == "walk":
        base_cad = 100.0 + 10.0 * v
    else:
        base_cad = np.full(n, 85.0)
    cad = np.rint(base_cad + _ar1(rng, n, sd=1.5, tau_s=30.0, dt_s=dt_s))
    if not record_heart_rate:
        hr = np.full(n, np.nan)
    if not record_cadence:
        cad = np.full(n, np.nan)

    samples = pd.DataFrame(
        {
            "latitude_deg": lat_meas,
            "longitude_deg": lon_meas,
            "elevation_m": ele_meas,
            "distance_m": s,
            "speed_m_s": v,
            "heart_rate_bpm": hr,
            "cadence_spm": cad,
            "power_w": np.full(n, np.nan),
        },
        index=times,
    )
    local = start + pd.Timedelta(seconds=utc_offset_s) if utc_offset_s is not None else None
    elapsed = float(elapsed_t[-1])
    truth = Truth(
        distance_m=total_d,
        ascent_m=ascent,
        descent_m=descent,
        elapsed_time_s=elapsed,
        moving_time_s=elapsed - float(sum(durations)),
        surface=surface,
        start_time_utc=start,
        utc_offset_s=utc_offset_s,
        local_date=local.date() if local is not None else None,
        pauses_s=tuple(durations),
        latitude_deg=lat_true,
        longitude_deg=lon_true,
        elevation_m=z_true,
        distance_along_m=s.copy(),
        motion=gait,
        sport_in_file=sport,
        elevation_model=elevation_model if not flat else "none",
        elevation_offset_m=offset_used,
    )
    return SyntheticTrack(
        samples=samples,
        sport=sport,
        sub_sport=sub_sport or _DEFAULT_SUB_SPORT[surface],
        name=name if name is not None else _default_name(sport, local, gait),
        notes=notes,
        device=device,
        utc_offset_s=utc_offset_s,
        pauses=pause_list,
        truth=truth,
        motion=gait,
    )


# ------------------------------------------------------------------ histories


@dataclass(frozen=True)
class PlannedRun:
    """One run of a :class:`HistoryPlan`.

    Attributes
    ----------
    start_local : datetime
        Naive local wall-clock time of the start (in the plan's time zone).
    distance_m : float
        Distance. [m]
    pace_s_per_km : float
        Mean moving pace. [s/km]
    surface : str
        ``road``, ``trail``, ``track`` or ``treadmill``.
    climb_m : float, optional
        True ascent; None lets the surface's default relief decide. [m]
    pauses : int
        Stops with the timer stopped.
    gear : str, optional
        Shoe used.
    name, notes : str, optional
        Activity name and description.
    sub_sport : str, optional
        FIT sub-sport; by default from the surface.
    format : str, optional
        ``fit``, ``gpx`` or ``tcx``; by default the plan rotates through its formats.
    sport : str or None
        What the file says (None: no sport, e.g. a GPX file without ``<type>``).
    motion : {"run", "walk", "ride"}, optional
        What was really done; by default from ``sport`` (see :func:`synthetic_track`).
    route : {"loop", "out_and_back", "point_to_point"}, optional
        Shape of the route; by default drawn.
    route_seed : int, optional
        Runs with the same ``route_seed`` (and distance and climb) follow the same route.
    elevation_change_m : float
        Finish minus start elevation of a point-to-point route. [m]
    elevation_model : {"barometric", "phone"}
        How the recorded elevation is measured (see :func:`synthetic_track`).
    elevation_offset_m : float, optional
        Constant error of the recorded elevation; by default drawn. [m]
    elevation_noise_m : float, optional
        Standard deviation of the elevation noise; by default the model's. [m]
    device : str, optional
        Recording device written in the file.
    record_cadence : bool
        Whether the file has a cadence stream.
    tags : tuple of str
        User tags (kept outside the file, as a runner's own labels), e.g.
        ``("ankle weights",)``; pass them to ``runload.analyze(tags=...)``.
    """

    start_local: dt.datetime
    distance_m: float
    pace_s_per_km: float = 330.0
    surface: Surface = "road"
    climb_m: float | None = None
    pauses: int = 0
    gear: str | None = None
    name: str | None = None
    notes: str | None = None
    sub_sport: str | None = None
    format: str | None = None
    sport: str | None = "running"
    motion: Motion | None = None
    route: Route | None = None
    route_seed: int | None = None
    elevation_change_m: float = 0.0
    elevation_model: ElevationModel = "barometric"
    elevation_offset_m: float | None = None
    elevation_noise_m: float | None = None
    device: str | None = "runload testing"
    record_cadence: bool = True
    tags: tuple[str, ...] = ()

    @property
    def is_run(self) -> bool:
        """True when the activity really is a run (a ride or a walk is not, whatever its label)."""
        return (self.motion or _motion_of(self.sport)) == "run"


@dataclass(frozen=True)
class HistoryPlan:
    """A training history to generate.

    Attributes
    ----------
    runs : tuple of PlannedRun
        In any order; generated in start order.
    timezone : str
        IANA zone of the runner; each run's UTC offset comes from it (so
        daylight-saving changes are honoured).
    origin : (float, float)
        Start of every route. [deg]
    seed : int
        Seed of the whole history.
    formats : tuple of str
        Formats to rotate through for runs without one.
    sample_interval_s : float or mapping
        Time between samples [s], or a mapping from format to interval.
    scenario : str
        Name of the preset that made the plan.
    expected : mapping
        What the scenario is built to show (trigger, dates, ratios), for tests.
    base_elevation_m : float
        True elevation of the start of every route. [m]
    """

    runs: tuple[PlannedRun, ...]
    timezone: str = DENVER_TZ
    origin: tuple[float, float] = DENVER
    seed: int = 0
    formats: tuple[str, ...] = ("fit", "gpx", "tcx")
    sample_interval_s: float | Mapping[str, float] = 1.0
    scenario: str = "custom"
    expected: Mapping[str, Any] = field(default_factory=dict)
    base_elevation_m: float = 1600.0

    def weekly_distance_m(self) -> dict[dt.date, float]:
        """Planned running distance per local week (keyed by the Monday). [m]

        Rides and walks (:attr:`PlannedRun.is_run` False) are left out, whatever their label.
        """
        out: dict[dt.date, float] = {}
        for r in self.runs:
            if not r.is_run:
                continue
            monday = r.start_local.date() - dt.timedelta(days=r.start_local.weekday())
            out[monday] = out.get(monday, 0.0) + r.distance_m
        return dict(sorted(out.items()))

    def weekly_ascent_m(self) -> dict[dt.date, float]:
        """Planned ascent of the runs per local week (runs without ``climb_m`` count 0). [m]"""
        out: dict[dt.date, float] = {}
        for r in self.runs:
            if not r.is_run:
                continue
            monday = r.start_local.date() - dt.timedelta(days=r.start_local.weekday())
            out[monday] = out.get(monday, 0.0) + (r.climb_m or 0.0)
        return dict(sorted(out.items()))


class HistoryItem(NamedTuple):
    """A generated run: the track, its file format, the shoe and a file name."""

    track: SyntheticTrack
    format: str
    gear: str | None
    filename: str


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "activity"


def _interval(plan: HistoryPlan, fmt: str) -> float:
    si = plan.sample_interval_s
    if isinstance(si, Mapping):
        return float(si.get(fmt, 1.0))
    return float(si)


def pick_format(requested: str | None, i: int, formats: Sequence[str], has_gps: bool) -> str:
    """The file format of the ``i``-th activity: ``requested`` if allowed, else the formats in
    turn; never GPX without positions."""
    fmt = requested if requested is not None and requested in formats else formats[i % len(formats)]
    if fmt == "gpx" and not has_gps:  # GPX points need a position
        fmt = next((f for f in formats if f != "gpx"), "fit")
    return fmt


def generate_history(plan: HistoryPlan) -> list[HistoryItem]:
    """Generate the tracks of a plan, in start order.

    Each run gets its own seed derived from ``plan.seed`` and its position,
    and its UTC offset from ``plan.timezone`` at its start.
    """
    zone = ZoneInfo(plan.timezone)
    runs = sorted(plan.runs, key=lambda r: r.start_local)
    items: list[HistoryItem] = []
    for i, run in enumerate(runs):
        local = run.start_local.replace(tzinfo=zone)
        offset = local.utcoffset()
        offset_s = int(offset.total_seconds()) if offset is not None else 0
        start = pd.Timestamp(local).tz_convert("UTC")
        fmt = pick_format(run.format, i, plan.formats, run.surface != "treadmill")
        seed = int(np.random.SeedSequence([plan.seed, i]).generate_state(1)[0])
        track = synthetic_track(
            start,
            distance_m=run.distance_m,
            pace_s_per_km=run.pace_s_per_km,
            sport=run.sport,
            motion=run.motion,
            sub_sport=run.sub_sport,
            surface=run.surface,
            climb_m=run.climb_m,
            route=run.route,
            route_seed=run.route_seed,
            elevation_change_m=run.elevation_change_m,
            pauses=run.pauses,
            utc_offset_s=offset_s,
            origin=plan.origin,
            base_elevation_m=plan.base_elevation_m,
            sample_interval_s=_interval(plan, fmt),
            elevation_model=run.elevation_model,
            elevation_offset_m=run.elevation_offset_m,
            elevation_noise_m=run.elevation_noise_m,
            record_cadence=run.record_cadence,
            seed=seed,
            name=run.name,
            notes=run.notes,
            device=run.device,
        )
        fname = f"{run.start_local:%Y-%m-%d_%H%M}_{_slug(track.name or 'run')}.{fmt}"
        items.append(HistoryItem(track, fmt, run.gear, fname))
    return items


def _encode(track: Track, fmt: str) -> bytes:
    if fmt == "fit":
        return fit_bytes(track)
    if fmt == "gpx":
        return gpx_bytes(track)
    if fmt == "tcx":
        return tcx_bytes(track)
    raise ValueError(f"unknown format {fmt!r}")


_MANIFEST_COLUMNS = (
    "filename",
    "start_time_utc",
    "local_date",
    "format",
    "gear",
    "name",
    "notes",
    "sport",
    "sub_sport",
    "surface",
    "true_distance_m",
    "true_ascent_m",
    "true_moving_time_s",
)


def write_history(
    plan_or_items: HistoryPlan | Iterable[HistoryItem],
    folder: str | Path,
    *,
    formats: Sequence[str] = ("fit", "gpx", "tcx"),
    gzip_some: bool = True,
    gzip_every: int = 3,
    manifest: bool = False,
) -> list[Path]:
    """Write a history as activity files.

    Parameters
    ----------
    plan_or_items : HistoryPlan or iterable of HistoryItem
        A plan is generated first with :func:`generate_history`.
    folder : str or Path
        Created when missing.
    formats : sequence of str
        Formats allowed; an item whose format is not among them gets one in
        rotation (never GPX for a run without positions when another is allowed).
    gzip_some : bool
        Gzip some files (``.fit.gz`` etc., with deterministic content).
    gzip_every : int
        With ``gzip_some``, gzip every n-th file (the n-th, 2n-th...).
    manifest : bool
        Also write ``manifest.csv`` with one row per file: gear, name, notes
        and the true distance, ascent and moving time (columns
        ``_MANIFEST_COLUMNS``).  Gear has no place in the activity formats.

    Returns
    -------
    list of Path
        The activity files written, in start order (the manifest is not listed).
    """
    items = (
        generate_history(plan_or_items)
        if isinstance(plan_or_items, HistoryPlan)
        else list(plan_or_items)
    )
    formats = tuple(formats)
    if not formats:
        raise ValueError("formats is empty")
    out_dir = Path(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    rows: list[dict[str, object]] = []
    for i, item in enumerate(items):
        has_gps = bool(np.isfinite(np.asarray(item.track.samples.get("latitude_deg", []))).any())
        fmt = pick_format(item.format, i, formats, has_gps)
        data = _encode(item.track, fmt)
        stem = item.filename.rsplit(".", 1)[0]
        name = f"{stem}.{fmt}"
        if gzip_some and i % gzip_every == gzip_every - 1:
            data = gzip.compress(data, mtime=0)
            name += ".gz"
        path = out_dir / name
        path.write_bytes(data)
        paths.append(path)
        truth = item.track.truth if isinstance(item.track, SyntheticTrack) else Truth()
        rows.append(
            {
                "filename": name,
                "start_time_utc": truth.start_time_utc.isoformat() if truth.start_time_utc else "",
                "local_date": truth.local_date.isoformat() if truth.local_date else "",
                "format": fmt,
                "gear": item.gear or "",
                "name": item.track.name or "",
                "notes": item.track.notes or "",
                "sport": item.track.sport,
                "sub_sport": item.track.sub_sport,
                "surface": truth.surface,
                "true_distance_m": f"{truth.distance_m:.2f}",
                "true_ascent_m": f"{truth.ascent_m:.2f}",
                "true_moving_time_s": f"{truth.moving_time_s:.0f}",
            }
        )
    if manifest:
        with open(out_dir / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(_MANIFEST_COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
    return paths


# -------------------------------------------------------------------- presets

#: Names accepted by :func:`preset`.
SCENARIOS = (
    "steady",
    "distance_jump",
    "long_run_spike",
    "treadmill_to_road",
    "uphill_overload",
    "worn_shoes",
    "ankle_weights",
    "return_after_break",
    "downhill_overload",
    "wrong_shoes",
)

#: The weekly routine: (weekday, local start time, share of the weekly
#: distance, kind).  Sunday's run is in the evening: Monday in UTC for a
#: runner west of Greenwich.
_ROUTINE: tuple[tuple[int, dt.time, float, str], ...] = (
    (1, dt.time(6, 30), 0.22, "easy"),
    (3, dt.time(6, 30), 0.25, "tempo"),
    (5, dt.time(8, 0), 0.35, "long"),
    (6, dt.time(18, 15), 0.18, "easy"),
)
_EXTRA_SLOTS = ((0, dt.time(6, 30)), (2, dt.time(6, 45)), (4, dt.time(17, 30)))
_PACE = {"easy": 345.0, "tempo": 300.0, "long": 360.0}
#: Shoe-replacement convention (docs/evidence.md: 480-800 km, practice). [m]
SHOE_LIMIT_M = 800_000.0
_DEFAULT_START = dt.date(2024, 1, 1)  # a Monday


@dataclass(frozen=True)
class WeekPlan:
    """Inputs of one planned week of the weekly routine (see :func:`plan_week`).

    Attributes
    ----------
    distance_m : float
        The week's distance. [m]
    extra_runs : int
        Easy runs added on Monday, Wednesday and Friday (at most 3).
    long_share : float, optional
        The long run's share of the week (default: the routine's).
    surfaces : tuple of str
        Surface of each run of the routine, in order.
    climb_per_km_m : float
        Climbing of outdoor runs. [m per km]
    gear : str, optional
        The shoe worn.
    tags : tuple of str or None
        A note for each run of the routine (None: none).
    """

    distance_m: float
    extra_runs: int = 0
    long_share: float | None = None
    surfaces: tuple[Surface, ...] = ("road",) * 4
    climb_per_km_m: float = 6.0
    gear: str | None = "Pegasus 40"
    tags: tuple[str | None, ...] = ()


def plan_week(monday: dt.date, w: WeekPlan, rng: np.random.Generator) -> list[PlannedRun]:
    """The runs of one week: the routine scaled to ``w.distance_m``.

    ``extra_runs`` adds easy runs on Monday, Wednesday and Friday; the long
    run keeps its share and every other run (extra or not) gets an equal part
    of the rest, so that a weekly jump made with extra runs is not also a
    long-run spike.
    ``long_share`` overrides the long run's share (the rest is rescaled).
    """
    shares = [slot[2] for slot in _ROUTINE]
    if w.long_share is not None:
        rest = (1.0 - w.long_share) / (1.0 - shares[2])
        shares = [sh * rest for sh in shares]
        shares[2] = w.long_share
    slots = [(d, t, sh, kind) for (d, t, _, kind), sh in zip(_ROUTINE, shares, strict=True)]
    if w.extra_runs:
        long_m = shares[2] * w.distance_m
        others = w.distance_m - long_m
        each = others / (3 + w.extra_runs)
        slots = [
            (d, t, (long_m if kind == "long" else each) / w.distance_m, kind)
            for d, t, _, kind in slots
        ]
        for d, t in _EXTRA_SLOTS[: w.extra_runs]:
            slots.append((d, t, each / w.distance_m, "easy"))
    runs = []
    for i, (day, when, share, kind) in enumerate(slots):
        surface = w.surfaces[i] if i < len(w.surfaces) else w.surfaces[-1]
        distance = share * w.distance_m * rng.uniform(0.985, 1.015)
        distance = round(distance / 10.0) * 10.0
        tag = w.tags[i] if i < len(w.tags) else None
        minute = int(rng.integers(-10, 11))
        start = dt.datetime.combine(monday + dt.timedelta(days=day), when) + dt.timedelta(
            minutes=minute
        )
        climb = 0.0 if surface in ("treadmill", "track") else w.climb_per_km_m * distance / 1000
        runs.append(
            PlannedRun(
                start_local=start,
                distance_m=distance,
                pace_s_per_km=_PACE[kind] + float(rng.uniform(-8, 8)),
                surface=surface,
                climb_m=round(climb, 1),
                pauses=int(rng.integers(0, 3)) if surface == "road" else 0,
                gear=w.gear,
                name=tag,
                notes=None,
            )
        )
    return runs


def preset(
    scenario: str,
    *,
    trigger: bool = True,
    seed: int = 0,
    weeks: int | None = None,
    start: dt.date = _DEFAULT_START,
    sample_interval_s: float | Mapping[str, float] = 1.0,
    formats: tuple[str, ...] = ("fit", "gpx", "tcx"),
) -> HistoryPlan:
    """A ready-made history that does (or, with ``trigger=False``, does not) show one trigger.

    Parameters
    ----------
    scenario : str
        One of :data:`SCENARIOS`:

        ``steady``
            4 runs a week, 34-36 km a week, one pair of shoes, no trigger
            (``trigger`` is ignored).
        ``distance_jump``
            30 km a week, then a week of 45 km (+50 %, two extra runs, the
            long run unchanged) held afterwards.  Quiet: the same 45 km
            reached by +7 % a week.
        ``long_run_spike``
            32 km a week with an 11 km long run; one long run of 16 km
            (+45 % over the longest run of the previous 30 days) with the
            week's total unchanged.  Quiet: that long run is 11.5 km (+5 %).
        ``treadmill_to_road``
            The first half all on the treadmill, then all on the road at the
            same volume.  Quiet: one road run more each week, the first ones short.
        ``uphill_overload``
            6 m of climb per km, then 15 m per km (weekly ascent × 2.5) at the
            same distance.  Quiet: +10 % climb a week.
        ``worn_shoes``
            62 km a week in one pair of shoes, passing 800 km.  Quiet: a new
            pair replaces the first at about 600 km.
        ``ankle_weights``
            30 km a week; runs tagged "ankle weights" go from one a week at
            0.5 kg to four a week at 2.5 kg within three weeks.  Quiet: one
            tagged run a week, 0.5 kg, +0.25 kg every third week.
        ``return_after_break``
            32 km a week for five weeks, six weeks without running, then a
            full 32 km week straight away.  Quiet: a 12 km first week back.
        ``downhill_overload``
            Flat road training (1.5 m of climb per km), then in one week the
            long run is a point-to-point race descending 700 m.  Quiet: the
            same race descending 40 m.
        ``wrong_shoes``
            32 km a week in a cushioned shoe ("Pegasus 40"), then every run
            in a minimalist one ("Vibram FiveFingers V-Run") at the same
            volume from one week to the next.  Quiet: the same change of
            shoes, on the same day, into another cushioned running shoe
            ("Ghost 15").  (A gradual move into minimalist shoes needs a shoe
            per run, which a gear map of date ranges cannot carry: give each
            :class:`PlannedRun` its ``gear`` and use :func:`plan_activities`.)
    trigger : bool
        Build the history that shows the trigger (True) or its quiet
        counterpart (False).
    seed : int
        Seed of the plan and of every track.
    weeks : int, optional
        Length (default 12, 14 for ``worn_shoes``).
    start : date
        Monday of the first week (local).
    sample_interval_s : float or mapping
        Passed to :class:`HistoryPlan`; coarser sampling makes big histories faster. [s]
    formats : tuple of str
        Formats to rotate through.

    Returns
    -------
    HistoryPlan
        With ``expected`` describing the trigger: ``fires`` (bool) and
        scenario-specific keys (dates are local).
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose from {SCENARIOS}")
    if start.weekday() != 0:
        raise ValueError("start must be a Monday")
    if scenario in ("return_after_break", "downhill_overload") and (weeks or 12) < 12:
        raise ValueError(f"the {scenario} scenario needs at least 12 weeks")
    rng = np.random.default_rng(np.random.SeedSequence([seed, SCENARIOS.index(scenario)]))
    n_weeks = weeks or (14 if scenario == "worn_shoes" else 12)
    mondays = [start + dt.timedelta(weeks=k) for k in range(n_weeks)]
    expected: dict[str, Any] = {"scenario": scenario, "fires": bool(trigger)}
    plan_weeks: list[WeekPlan] = []
    change = min(max(n_weeks // 2 + 1, 2), n_weeks - 1)  # the week things change

    if scenario == "steady":
        expected["fires"] = False
        plan_weeks = [WeekPlan(35_000.0 * rng.uniform(0.975, 1.025)) for _ in mondays]
    elif scenario == "distance_jump":
        if trigger:
            plan_weeks = [
                WeekPlan(30_000.0)
                if k < change
                else WeekPlan(45_000.0, extra_runs=2, long_share=10_500.0 / 45_000.0)
                for k in range(n_weeks)
            ]
            expected.update(week_start=mondays[change], weekly_ratio=1.5)
        else:
            vols = [30_000.0 * min(1.07 ** max(0, k - change + 3), 1.5) for k in range(n_weeks)]
            plan_weeks = [WeekPlan(v) for v in vols]
            expected.update(max_weekly_ratio=1.07)
    elif scenario == "long_run_spike":
        plan_weeks = [WeekPlan(32_000.0, long_share=11_000.0 / 32_000.0) for _ in mondays]
        long_m = 16_000.0 if trigger else 11_500.0
        plan_weeks[change] = WeekPlan(32_000.0, long_share=long_m / 32_000.0)
        saturday = mondays[change] + dt.timedelta(days=5)
        expected.update(date=saturday, distance_m=long_m, ratio=long_m / 11_000.0)
    elif scenario == "treadmill_to_road":
        road_runs = (
            [0 if k < change else 4 for k in range(n_weeks)]
            if trigger
            else [min(4, max(0, k - (change - 4))) for k in range(n_weeks)]
        )
        order = (3, 0, 1, 2)  # Sunday easy run first on the road, long run last
        for k in range(n_weeks):
            surfaces: list[Surface] = ["treadmill"] * 4
            for j in order[: road_runs[k]]:
                surfaces[j] = "road"
            plan_weeks.append(WeekPlan(30_000.0, surfaces=tuple(surfaces), climb_per_km_m=3.0))
        expected.update(switch_week_start=mondays[change], road_runs_per_week=road_runs)
    elif scenario == "uphill_overload":
        if trigger:
            climbs = [6.0 if k < change else 15.0 for k in range(n_weeks)]
            expected.update(week_start=mondays[change], ascent_ratio=2.5)
        else:
            climbs = [6.0 * 1.1 ** max(0, k - change + 3) for k in range(n_weeks)]
            expected.update(max_weekly_ascent_ratio=1.1)
        plan_weeks = [WeekPlan(32_000.0, climb_per_km_m=c) for c in climbs]
    elif scenario == "worn_shoes":
        plan_weeks = [WeekPlan(62_000.0, extra_runs=1) for _ in mondays]
        expected.update(gear="Pegasus 40", limit_m=SHOE_LIMIT_M)
    elif scenario == "ankle_weights":
        tags_per_week: list[tuple[str | None, ...]] = []
        for k in range(n_weeks):
            if trigger:
                step = k - change + 2
                count = [0, 1, 3, 4][min(max(step, 0), 3)]
                kg = [0.0, 0.5, 1.5, 2.5][min(max(step, 0), 3)]
            else:
                step = k - change + 4
                count = 1 if step >= 0 else 0
                kg = 0.5 + 0.25 * (max(step, 0) // 3)
            label = f"Easy run with ankle weights {kg:g} kg"
            tags_per_week.append(tuple([label] * count + [None] * (4 - count)))
        plan_weeks = [WeekPlan(30_000.0, tags=tags) for tags in tags_per_week]
        expected.update(
            tagged_runs_per_week=[sum(t is not None for t in tags) for tags in tags_per_week]
        )

    elif scenario == "return_after_break":
        back = 11  # five weeks of running (0-4), six weeks off (5-10), then the comeback
        plan_weeks = [WeekPlan(32_000.0, long_share=11_000.0 / 32_000.0) for _ in mondays]
        for k in range(5, back):
            plan_weeks[k] = WeekPlan(0.0)
        plan_weeks[back] = WeekPlan(32_000.0 if trigger else 12_000.0)
        expected.update(week_start=mondays[back], break_weeks=(mondays[5], mondays[back - 1]))
    elif scenario == "downhill_overload":
        plan_weeks = [WeekPlan(32_000.0, climb_per_km_m=1.5) for _ in mondays]
        expected.update(week_start=mondays[change], descent_m=700.0 if trigger else 40.0)
    elif scenario == "wrong_shoes":
        new_shoe = "Vibram FiveFingers V-Run" if trigger else "Ghost 15"
        plan_weeks = [
            WeekPlan(32_000.0, gear="Pegasus 40" if k < change else new_shoe)
            for k in range(n_weeks)
        ]
        expected.update(week_start=mondays[change], gear=("Pegasus 40", new_shoe))

    runs: list[PlannedRun] = []
    for monday, w in zip(mondays, plan_weeks, strict=True):
        if w.distance_m > 0:
            runs += plan_week(monday, w, rng)
    if scenario == "downhill_overload":
        saturday = mondays[change] + dt.timedelta(days=5)
        runs = [
            replace(
                r,
                route="point_to_point",
                elevation_change_m=-float(expected["descent_m"]),
                climb_m=10.0,
                name="Downhill race",
            )
            if r.start_local.date() == saturday
            else r
            for r in runs
        ]
        expected["date"] = saturday
    if scenario == "ankle_weights":
        runs = [
            replace(r, notes=r.name.lower().replace("easy run with ", "")) if r.name else r
            for r in runs
        ]
    if scenario == "worn_shoes" and not trigger:
        total, swapped = 0.0, []
        for r in sorted(runs, key=lambda r: r.start_local):
            total += r.distance_m
            swapped.append(replace(r, gear="Pegasus 40" if total <= 600_000 else "Novablast 4"))
        runs = swapped
    if scenario == "worn_shoes":
        expected["crossing_date"] = gear_crossing_date(runs, "Pegasus 40", SHOE_LIMIT_M)
    plan = HistoryPlan(
        runs=tuple(runs),
        seed=seed,
        formats=formats,
        sample_interval_s=sample_interval_s,
        scenario=scenario,
        expected=expected,
    )
    expected["weekly_distance_m"] = list(plan.weekly_distance_m().values())
    expected["weekly_ascent_m"] = list(plan.weekly_ascent_m().values())
    return plan


def gear_crossing_date(runs: Iterable[PlannedRun], gear: str, limit_m: float) -> dt.date | None:
    """Local date of the run with which ``gear`` passes ``limit_m``, or None."""
    total = 0.0
    for r in sorted(runs, key=lambda r: r.start_local):
        if r.gear == gear:
            total += r.distance_m
            if total > limit_m:
                return r.start_local.date()
    return None


# ----------------------------------------------------------- plans as tables


def plan_activities(plan: HistoryPlan) -> pd.DataFrame:
    """The activities table of a plan, from its runs alone (no files written or read).

    Parameters
    ----------
    plan : HistoryPlan

    Returns
    -------
    DataFrame
        The columns of :data:`runload.schema.SUMMARY_FIELDS`, index ``activity_id``
        (``run000``, ``run001``... in start order): local date and UTC start from the
        plan's time zone, the planned distance, moving time from the pace, the planned
        climb as ascent and descent, surface, shoe (``gear``), name and notes; the
        rest missing.
    """
    zone = ZoneInfo(plan.timezone or DENVER_TZ)
    runs = sorted(plan.runs, key=lambda r: r.start_local)
    rows: dict[str, list[Any]] = {name: [] for name in SUMMARY_DTYPES if name != "activity_id"}
    for run in runs:
        local = run.start_local.replace(tzinfo=zone)
        offset = local.utcoffset()
        seconds = run.distance_m / 1000.0 * run.pace_s_per_km
        values: dict[str, Any] = {
            "source_path": "",
            "format": "plan",
            "sport": run.sport,
            "sub_sport": run.sub_sport or ("treadmill" if run.surface == "treadmill" else None),
            "surface": run.surface,
            "start_time_utc": pd.Timestamp(local).tz_convert("UTC"),
            "utc_offset_s": None if offset is None else int(offset.total_seconds()),
            "local_date": run.start_local.date(),
            "distance_m": run.distance_m,
            "elapsed_time_s": seconds,
            "moving_time_s": seconds,
            "ascent_m": math.nan if run.climb_m is None else run.climb_m,
            "descent_m": math.nan if run.climb_m is None else run.climb_m,
            "name": run.name,
            "notes": run.notes,
            "gear": run.gear,
            "has_gps": run.surface != "treadmill",
        }
        for name in rows:
            rows[name].append(values.get(name))
    if not runs:
        return empty_activities()
    frame = pd.DataFrame(rows)
    for name, dtype in SUMMARY_DTYPES.items():
        if name == "activity_id":
            continue
        target: Any = dtype
        if dtype.startswith("datetime64"):
            frame[name] = pd.to_datetime(frame[name], utc=True)
        elif dtype not in ("object", "bool", "boolean"):
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(target)
        else:
            frame[name] = frame[name].astype(target)
    frame.index = pd.Index([f"run{i:03d}" for i in range(len(runs))], name="activity_id")
    return frame
