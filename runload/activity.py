"""The :class:`Activity` record and the format-independent steps that build it.

Each importer turns bytes into a :class:`RawActivity` (samples as the file has
them plus whatever metadata it carries); :func:`finalize` then applies the same
rules to every format: sample clean-up, distance, elevation gain, pauses and
moving time, the local UTC offset, and the surface.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from .elevation import DEFAULT_ELEVATION_GAIN, ElevationGain, ascent_descent
from .exceptions import CorruptFileWarning, DataQualityWarning
from .geo import path_distance_m
from .schema import FOOT_SPORTS, SAMPLE_COLUMNS, SUMMARY_FIELDS, empty_samples
from .timezones import offset_for_position, offset_for_zone

__all__ = ["Activity", "RawActivity", "finalize"]

#: A gap between two samples longer than this counts as a pause. [s]
DEFAULT_MAX_GAP_S = 30.0
#: Fastest believable speed between GPS fixes on foot / otherwise. [m/s]
MAX_SPEED_FOOT_M_S = 15.0
MAX_SPEED_OTHER_M_S = 45.0

_TREADMILL_SUB_SPORTS = frozenset({"treadmill", "indoor_running", "virtual_activity"})
_TREADMILL_NAME = re.compile(r"treadmill|tread mill|laufband|indoor run", re.IGNORECASE)
_TRAIL_NAME = re.compile(r"\btrail", re.IGNORECASE)
_TRACK_NAME = re.compile(r"\btrack\b|\bintervals? on the track\b|\boval\b", re.IGNORECASE)


@dataclass
class RawActivity:
    """What an importer read from one file, before the shared rules are applied.

    ``samples`` has a UTC ``time`` index and any subset of the sample columns;
    it need not be sorted.  ``pauses`` are (start, end) UTC intervals during
    which the recording was paused (FIT timer stops, TCX track splits, GPX
    segment breaks).  ``totals`` holds the device's own totals where the file
    has them (keys like the summary fields), used when the samples cannot give
    a value, or when ``complete`` is False: the file was damaged, the samples
    stop early, and the device's totals still describe the whole activity.
    ``damage`` lists what was found broken (CRC mismatch, truncation): these
    become :class:`~runload.CorruptFileWarning`, the other ``warnings``
    :class:`~runload.DataQualityWarning`.  ``gaps_are_pauses`` is False where
    the file records its pauses explicitly (FIT timer events), so that sparse
    recording is not mistaken for stops.
    """

    format: str
    samples: pd.DataFrame = field(default_factory=empty_samples)
    sport: str | None = None
    sub_sport: str | None = None
    name: str | None = None
    notes: str | None = None
    device: str | None = None
    gear: str | None = None
    utc_offset_s: int | None = None
    start_time: pd.Timestamp | None = None
    pauses: list[tuple[pd.Timestamp, pd.Timestamp]] = field(default_factory=list)
    distance_from_device: bool = False
    totals: dict[str, float] = field(default_factory=dict)
    dropped_points: int = 0
    warnings: list[str] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)
    complete: bool = True
    gaps_are_pauses: bool = True


@dataclass(frozen=True, eq=False)
class Activity:
    """One activity: its samples and its summary.

    Attributes
    ----------
    samples : DataFrame
        Index ``time`` (UTC, strictly increasing); columns
        :data:`runload.schema.SAMPLE_COLUMNS`.
    activity_id : str
        Stable identifier derived from the file's (decompressed) content.
    source_path : str
        Where the file was read from (or ``"<stream>"``).
    format : str
        ``"fit"``, ``"gpx"`` or ``"tcx"``.
    sport, sub_sport : str or None
        As the file names them (FIT enum names in lower case).
    surface : str
        One of ``road``, ``trail``, ``track``, ``treadmill``, ``unknown``.
    start_time_utc : Timestamp
        First sample (or the file's own start time). [UTC]
    utc_offset_s : int
        Local time minus UTC at the start. [s]
    utc_offset_source : str
        ``file``, ``argument``, ``position`` or ``default``.
    local_date : datetime.date
        Local calendar date of the start; weekly buckets use it.
    distance_m, elapsed_time_s, moving_time_s, ascent_m, descent_m : float
        Totals. [m], [s], [s], [m], [m]
    has_gps : bool
        Whether any sample has a position.
    device, name, notes, gear : str or None
        As the file gives them.
    """

    samples: pd.DataFrame = field(repr=False)
    activity_id: str
    source_path: str
    format: str
    sport: str | None
    sub_sport: str | None
    surface: str
    start_time_utc: pd.Timestamp
    utc_offset_s: int
    utc_offset_source: str
    local_date: dt.date
    distance_m: float
    elapsed_time_s: float
    moving_time_s: float
    ascent_m: float
    descent_m: float
    has_gps: bool
    device: str | None
    name: str | None
    notes: str | None
    gear: str | None

    def summary(self) -> pd.Series:
        """The summary fields as one row of the activities table (named ``activity_id``)."""
        values = {f: getattr(self, f) for f in SUMMARY_FIELDS}
        row = pd.Series(values, dtype="object")
        row.name = self.activity_id
        return row.drop("activity_id")

    def __repr__(self) -> str:
        km = self.distance_m / 1000 if np.isfinite(self.distance_m) else float("nan")
        return (
            f"Activity({self.activity_id}, {self.local_date}, {self.sport}/{self.surface}, "
            f"{km:.2f} km, {len(self.samples)} samples)"
        )


def clean_samples(samples: pd.DataFrame) -> pd.DataFrame:
    """Sort by time, drop duplicate times (first kept), order and type the columns."""
    frame = samples
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise TypeError("samples need a DatetimeIndex")
    idx = frame.index
    idx = idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")
    frame = frame.set_axis(idx, axis=0)
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
    if tuple(frame.columns) != SAMPLE_COLUMNS or not (frame.dtypes == "float64").all():
        frame = frame.reindex(columns=pd.Index(SAMPLE_COLUMNS, dtype=object)).astype("float64")
    if frame.index.has_duplicates:
        # Some recorders write two records per second (position, then sensors): merge them.
        frame = frame.groupby(level=0, sort=False).first()
    index = cast(pd.DatetimeIndex, frame.index)
    if index.unit != "ns":
        index = index.as_unit("ns")
    frame.index = index.rename("time")
    return frame


def times_ns(samples: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Sample times as integer nanoseconds since the Unix epoch."""
    return cast(pd.DatetimeIndex, samples.index).asi8


#: Samples separated from the bulk of an activity by more than this are clock glitches. [s]
MAX_TIME_JUMP_S = 48 * 3600.0


def drop_time_outliers(samples: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Keep the largest run of samples without a time jump over :data:`MAX_TIME_JUMP_S`.

    Returns the kept samples and how many were dropped (clock glitches such as
    a last record dated decades ahead).
    """
    if len(samples) < 2:
        return samples, 0
    t = times_ns(samples)
    breaks = np.flatnonzero(np.diff(t) > MAX_TIME_JUMP_S * 1e9) + 1
    if breaks.size == 0:
        return samples, 0
    bounds = np.concatenate([[0], breaks, [len(t)]])
    k = int(np.argmax(np.diff(bounds)))
    kept = samples.iloc[bounds[k] : bounds[k + 1]]
    return kept, len(samples) - len(kept)


def _moving_time_s(t: np.ndarray, pauses: list[tuple[float, float]], max_gap_s: float) -> float:
    if t.size < 2:
        return 0.0
    start, end = t[:-1], t[1:]
    moving = end - start
    for p0, p1 in pauses:
        overlap = np.minimum(end, p1) - np.maximum(start, p0)
        moving = moving - np.clip(overlap, 0.0, None)
    moving[(end - start) > max_gap_s] = 0.0
    return float(np.clip(moving, 0.0, None).sum())


def classify_surface(
    sport: str | None, sub_sport: str | None, name: str | None, has_gps: bool, has_distance: bool
) -> str:
    """The surface of a run from what the file says (see the module docstring)."""
    sub = (sub_sport or "").lower()
    text = name or ""
    if sub in _TREADMILL_SUB_SPORTS or _TREADMILL_NAME.search(text):
        return "treadmill"
    if sub == "trail" or (sport or "").lower() == "trail_running" or _TRAIL_NAME.search(text):
        return "trail"
    if sub == "track" or _TRACK_NAME.search(text):
        return "track"
    foot_or_unknown = (sport or "generic").lower() in FOOT_SPORTS | {"generic"}
    if has_distance and not has_gps and foot_or_unknown:
        return "treadmill"
    if has_gps:
        return "road"
    return "unknown"


def finalize(
    raw: RawActivity,
    *,
    activity_id: str,
    source_path: str,
    timezone: str | dt.tzinfo | None = None,
    elevation: ElevationGain = DEFAULT_ELEVATION_GAIN,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
) -> Activity:
    """Apply the shared rules to what an importer read and build the :class:`Activity`."""
    for message in raw.damage:
        warnings.warn(f"{source_path}: {message}", CorruptFileWarning, stacklevel=3)
    for message in raw.warnings:
        warnings.warn(f"{source_path}: {message}", DataQualityWarning, stacklevel=3)
    samples, n_glitch = drop_time_outliers(clean_samples(raw.samples))
    if n_glitch:
        warnings.warn(
            f"{source_path}: {n_glitch} samples more than {MAX_TIME_JUMP_S / 3600:.0f} h away "
            "from the rest of the activity dropped (clock glitch)",
            DataQualityWarning,
            stacklevel=3,
        )
    t_s = times_ns(samples).astype("float64") / 1e9
    sport = raw.sport.lower() if raw.sport else None

    lat = samples["latitude_deg"].to_numpy()
    lon = samples["longitude_deg"].to_numpy()
    has_pos = np.isfinite(lat) & np.isfinite(lon)
    has_gps = bool(has_pos.any())

    # Distance: the device's own stream, else the GPS path.
    dist = samples["distance_m"].to_numpy()
    if np.isfinite(dist).any():
        distance_m = float(np.nanmax(dist))
    elif has_gps:
        max_speed = MAX_SPEED_FOOT_M_S if sport in FOOT_SPORTS else MAX_SPEED_OTHER_M_S
        dist, _ = path_distance_m(lat, lon, t_s, max_speed_m_s=max_speed)
        samples["distance_m"] = dist
        distance_m = float(np.nanmax(dist))
    else:
        distance_m = float(raw.totals.get("distance_m", np.nan))

    ele = samples["elevation_m"].to_numpy()
    if np.isfinite(ele).any():
        ascent_m, descent_m = ascent_descent(
            ele,
            t_s,
            method=elevation.method,
            threshold_m=elevation.threshold_m,
            smooth_window_s=elevation.smooth_window_s,
        )
    else:
        ascent_m = float(raw.totals.get("ascent_m", np.nan))
        descent_m = float(raw.totals.get("descent_m", np.nan))

    if len(samples):
        start = samples.index[0]
        elapsed_s = float(t_s[-1] - t_s[0])
        pauses = [(p0.value / 1e9, p1.value / 1e9) for p0, p1 in raw.pauses if p1 > p0]
        moving_s = _moving_time_s(t_s, pauses, max_gap_s if raw.gaps_are_pauses else np.inf)
    else:
        if raw.start_time is None:
            from .exceptions import ParseError

            raise ParseError("no samples and no start time", path=source_path, reason="empty")
        start = pd.Timestamp(raw.start_time)
        start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
        elapsed_s = float(raw.totals.get("elapsed_time_s", 0.0))
        moving_s = float(raw.totals.get("moving_time_s", elapsed_s))
    if not raw.complete:
        # Damaged file: the samples stop early; the device's totals cover the whole activity.
        for key in ("distance_m", "elapsed_time_s", "moving_time_s", "ascent_m", "descent_m"):
            total = raw.totals.get(key)
            if total is None or not np.isfinite(total):
                continue
            if key == "distance_m" and total > (distance_m if np.isfinite(distance_m) else 0):
                distance_m = float(total)
            elif key == "elapsed_time_s" and total > elapsed_s:
                elapsed_s = float(total)
            elif key == "moving_time_s" and total > moving_s:
                moving_s = float(total)
            elif key == "ascent_m" and not (np.isfinite(ascent_m) and ascent_m >= total):
                ascent_m = float(total)
            elif key == "descent_m" and not (np.isfinite(descent_m) and descent_m >= total):
                descent_m = float(total)
    moving_s = min(moving_s, elapsed_s)

    # Local offset: the file's own, else the argument, else the first fix's zone, else UTC.
    start_py = start.to_pydatetime()
    if raw.utc_offset_s is not None:
        offset, source = int(raw.utc_offset_s), "file"
    elif timezone is not None:
        offset, source = offset_for_zone(timezone, start_py), "argument"
    else:
        pos_offset = None
        if has_gps:
            k = int(np.argmax(has_pos))
            pos_offset = offset_for_position(float(lat[k]), float(lon[k]), start_py)
        if pos_offset is not None:
            offset, source = pos_offset, "position"
        else:
            offset, source = 0, "default"
    local_date = (start + pd.Timedelta(seconds=offset)).date()

    surface = classify_surface(
        sport, raw.sub_sport, raw.name, has_gps, bool(np.isfinite(distance_m) and distance_m > 0)
    )
    return Activity(
        samples=samples,
        activity_id=activity_id,
        source_path=source_path,
        format=raw.format,
        sport=sport,
        sub_sport=raw.sub_sport.lower() if raw.sub_sport else None,
        surface=surface,
        start_time_utc=start,
        utc_offset_s=offset,
        utc_offset_source=source,
        local_date=local_date,
        distance_m=distance_m,
        elapsed_time_s=elapsed_s,
        moving_time_s=moving_s,
        ascent_m=ascent_m,
        descent_m=descent_m,
        has_gps=has_gps,
        device=raw.device,
        name=raw.name,
        notes=raw.notes,
        gear=raw.gear,
    )
