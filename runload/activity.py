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

from .elevation import (
    DEFAULT_ELEVATION_GAIN,
    ElevationGain,
    ElevationQuality,
    ascent_descent,
    elevation_quality,
)
from .exceptions import CorruptFileWarning, DataQualityWarning
from .geo import path_distance_m
from .localtime import local_date, resolve_offset
from .schema import FOOT_SPORTS, SAMPLE_COLUMNS, SUMMARY_FIELDS, empty_samples
from .sports import TREADMILL_SUB_SPORTS, infer_sport

__all__ = [
    "EARLIEST_TIME_NS",
    "LATEST_TIME_NS",
    "MAX_DISTANCE_M",
    "MAX_DURATION_S",
    "MAX_SPEED_M_S",
    "Activity",
    "RawActivity",
    "finalize",
    "plausible_totals",
    "time_in_range",
]

#: A gap between two samples longer than this counts as a pause. [s]
DEFAULT_MAX_GAP_S = 30.0
#: Fastest believable speed between GPS fixes on foot / otherwise. [m/s]
MAX_SPEED_FOOT_M_S = 15.0
MAX_SPEED_OTHER_M_S = 45.0

# -- plausibility bounds (docs/importers.md, "Plausibility bounds") ------------------------

#: Earliest and latest believable activity time: 1980-01-01 and 2101-01-01 (UTC),
#: exclusive at the end.  Outside them a time is an unset value (0001-01-01), a
#: clock fault or a hostile file, and is refused rather than wrapped. [ns since the epoch]
EARLIEST_TIME_NS = 315_532_800 * 1_000_000_000
LATEST_TIME_NS = 4_133_980_800 * 1_000_000_000
#: Longest believable distance of one activity: 5,000 km (the longest multi-day
#: races are about 5,000 km). [m]
MAX_DISTANCE_M = 5_000_000.0
#: Longest believable duration of one activity (elapsed or moving): 30 days. [s]
MAX_DURATION_S = 30 * 86_400.0
#: Fastest believable speed, of one sample or averaged over a whole activity, any
#: sport (a glider or a car saved as an activity stays under it). [m/s]
MAX_SPEED_M_S = 100.0


def time_in_range(t_ns: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which of the times ``t_ns`` fall within 1980-2100. [ns since the epoch, UTC]"""
    return (t_ns >= EARLIEST_TIME_NS) & (t_ns < LATEST_TIME_NS)


def plausible_totals(
    distance_m: float, elapsed_time_s: float, moving_time_s: float
) -> tuple[float, float, float, list[str]]:
    """Totals with impossible values replaced by NaN, and what was replaced.

    Bounds: distance 0-:data:`MAX_DISTANCE_M`, durations 0-:data:`MAX_DURATION_S`,
    average speed over the moving (else elapsed) time at most
    :data:`MAX_SPEED_M_S` (then the distance is dropped: the time is the
    better attested of the two).  NaN stays NaN.

    Parameters
    ----------
    distance_m : float
        Distance. [m]
    elapsed_time_s, moving_time_s : float
        Durations. [s]

    Returns
    -------
    distance_m, elapsed_time_s, moving_time_s : float
        The values kept (NaN where dropped). [m], [s], [s]
    dropped : list of str
        One sentence per value dropped, for a warning.
    """
    dropped: list[str] = []

    def bounded(value: float, high: float, what: str, unit: str) -> float:
        try:
            v = float(value)
        except (TypeError, ValueError):
            return float("nan")
        if v != v:
            return v
        if not (0.0 <= v <= high):
            dropped.append(f"{what} {v:.6g} {unit} is outside 0-{high:.6g} {unit}; dropped")
            return float("nan")
        return v

    distance_m = bounded(distance_m, MAX_DISTANCE_M, "distance", "m")
    elapsed_time_s = bounded(elapsed_time_s, MAX_DURATION_S, "elapsed time", "s")
    moving_time_s = bounded(moving_time_s, MAX_DURATION_S, "moving time", "s")
    duration = moving_time_s if moving_time_s == moving_time_s else elapsed_time_s
    if distance_m == distance_m and duration == duration and distance_m > 0:
        if duration <= 0 or distance_m / duration > MAX_SPEED_M_S:
            if duration > 0:
                dropped.append(
                    f"distance {distance_m:.6g} m in {duration:.6g} s is an average speed of "
                    f"{distance_m / duration:.6g} m/s, above {MAX_SPEED_M_S:g} m/s; "
                    "distance dropped"
                )
                distance_m = float("nan")
    return distance_m, elapsed_time_s, moving_time_s, dropped


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
    utc_offset_s: int | None = None
    start_time: pd.Timestamp | None = None
    pauses: list[tuple[pd.Timestamp, pd.Timestamp]] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=dict)
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
        Canonical sport names (:mod:`runload.sports`, FIT enum names in lower case).
    sport_source : str
        Where the sport came from: ``file``, ``export``, ``inferred`` (from the
        content and the name, :func:`runload.sports.infer_sport`), ``user`` or
        ``unknown`` (nothing could tell; ``sport`` is None).
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
    elevation_source : str
        ``barometric``, ``gps``, ``service`` or ``none`` (see
        :func:`runload.elevation.elevation_quality`).
    elevation_noise_m : float
        Robust scale of the elevation stream's noise. [m]
    ascent_trusted : bool or None
        Whether the climbing can be believed; None when there is no elevation.
    export_ascent_m : float
        Elevation gain stated by an export for this activity (NaN if none). [m]
    moving_speed_p50_m_s, moving_speed_p90_m_s : float
        Median and 90th percentile of the speed while moving. [m/s]
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
    sport_source: str
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
    elevation_source: str
    elevation_noise_m: float
    ascent_trusted: bool | None
    export_ascent_m: float
    moving_speed_p50_m_s: float
    moving_speed_p90_m_s: float
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
        from .report.cards import activity_repr

        return activity_repr(self)

    def _repr_html_(self) -> str:
        """A summary card for notebooks (no position, no device)."""
        from .report.cards import activity_html

        return activity_html(self)


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


_COLUMN_POSITION = {name: k for k, name in enumerate(SAMPLE_COLUMNS)}
#: Column labels of the samples; each frame gets a copy (a name set on one frame's columns
#: must not reach the others).
_COLUMNS = pd.Index(SAMPLE_COLUMNS, dtype=object)
_FLOAT64 = np.dtype("float64")
#: Most samples that :class:`_CleanSamples` copies into one array of its own.
_FAST_MAX_SAMPLES = 1 << 16


class _CleanSamples:
    """The cleaned samples (see :func:`clean_samples`) while :func:`finalize` works on them.

    Samples already in time order, without repeated times, with float columns
    that are some of the sample columns (what the GPX and TCX importers give)
    are copied once into an array that holds every column (column-major, as
    pandas keeps a frame), read and filled in place, and wrapped in a frame at
    the end; this skips pandas' reindexing and column access.  Other samples
    go through :func:`clean_samples` and stay a frame, changed with pandas' own
    (copy-on-write) operations, so the input is never touched.
    """

    def __init__(self, samples: pd.DataFrame) -> None:
        fast = _clean_arrays_fast(samples)
        self.frame: pd.DataFrame | None = None
        self.values: npt.NDArray[np.float64] | None = None
        if fast is None:
            self.frame = clean_samples(samples)
            self.index = cast(pd.DatetimeIndex, self.frame.index)
        else:
            self.index, self.values, self.columns = fast

    def drop_time_outliers(self) -> int:
        """Keep the longest run without a clock glitch (see :func:`drop_time_outliers`)."""
        run = _longest_run(self.index.asi8)
        if run is None:
            return 0
        n = len(self.index)
        if self.frame is not None:
            self.frame = self.frame.iloc[run]
            self.index = cast(pd.DatetimeIndex, self.frame.index)
        else:
            assert self.values is not None
            self.index, self.values = self.index[run], self.values[run]
        return n - len(self.index)

    def keep(self, mask: npt.NDArray[np.bool_]) -> None:
        """Keep only the samples where ``mask`` is True."""
        if self.frame is not None:
            self.frame = self.frame[mask]
            self.index = cast(pd.DatetimeIndex, self.frame.index)
        else:
            assert self.values is not None
            self.index, self.values = self.index[mask], self.values[mask]

    def column(self, name: str) -> npt.NDArray[np.float64]:
        """One column's values (not to be changed: see :meth:`set_column`)."""
        if self.frame is not None:
            return self.frame[name].to_numpy()
        assert self.values is not None
        return self.values[:, _COLUMN_POSITION[name]]

    def set_column(self, name: str, data: npt.NDArray[np.float64]) -> None:
        """Replace one column's values."""
        if self.frame is not None:
            self.frame[name] = data
        else:
            assert self.values is not None
            self.values[:, _COLUMN_POSITION[name]] = data

    def to_frame(self) -> pd.DataFrame:
        """The samples frame."""
        if self.frame is not None:
            return self.frame
        return pd.DataFrame(self.values, index=self.index, columns=self.columns, copy=False)


def _clean_arrays_fast(
    samples: pd.DataFrame,
) -> tuple[pd.DatetimeIndex, npt.NDArray[np.float64], pd.Index] | None:
    """(index, values, columns) of the cleaned samples, or None: use :func:`clean_samples`.

    Only for times in order without repeats, and float columns that are some of the
    sample columns (with all of them, :func:`clean_samples` copies nothing: it is used),
    and up to :data:`_FAST_MAX_SAMPLES` samples (pandas' fixed cost, which this saves,
    matters little on more, and pandas shares the columns it has instead of copying them);
    ``values`` is a new column-major array with every sample column, NaN where absent.
    """
    index = samples.index
    if not isinstance(index, pd.DatetimeIndex) or len(index) > _FAST_MAX_SAMPLES:
        return None
    columns = samples.columns
    if tuple(columns) == SAMPLE_COLUMNS:
        return None
    found = [_COLUMN_POSITION.get(c) for c in columns]
    positions = [k for k in found if k is not None]
    if len(positions) != len(found) or len(set(positions)) != len(positions):
        return None
    if not all(isinstance(d, np.dtype) and d == _FLOAT64 for d in samples.dtypes):
        return None
    idx = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    if not (idx.is_monotonic_increasing and idx.is_unique):
        return None
    if idx.unit != "ns":
        idx = idx.as_unit("ns")
    idx = idx.rename("time")
    values = np.full((len(SAMPLE_COLUMNS), len(idx)), np.nan).T  # column-major, as pandas keeps it
    if positions:
        values[:, positions] = samples.to_numpy(dtype="float64")
    return idx, values, _COLUMNS.copy()


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
    run = _longest_run(times_ns(samples))
    if run is None:
        return samples, 0
    kept = samples.iloc[run]
    return kept, len(samples) - len(kept)


def _longest_run(t: npt.NDArray[np.int64]) -> slice | None:
    """The longest run of times without a jump over :data:`MAX_TIME_JUMP_S`; None: all of them."""
    if len(t) < 2:
        return None
    breaks = np.flatnonzero(np.diff(t) > MAX_TIME_JUMP_S * 1e9) + 1
    if breaks.size == 0:
        return None
    bounds = np.concatenate([[0], breaks, [len(t)]])
    k = int(np.argmax(np.diff(bounds)))
    return slice(int(bounds[k]), int(bounds[k + 1]))


def _covered_s(
    times_s: npt.NDArray[np.float64],
    starts_s: npt.NDArray[np.float64],
    ends_s: npt.NDArray[np.float64],
    cum_s: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Time covered by disjoint sorted intervals up to each of ``times_s``. [s]"""
    k = np.searchsorted(starts_s, times_s, side="right") - 1
    inside = k >= 0
    kk = np.where(inside, k, 0)
    part = np.clip(np.minimum(times_s, ends_s[kk]) - starts_s[kk], 0.0, None)
    return np.where(inside, cum_s[kk] + part, 0.0)


def _moving_time_s(
    t: npt.NDArray[np.float64], pauses: list[tuple[float, float]], max_gap_s: float
) -> float:
    """Elapsed time between samples minus pauses and long gaps. [s]

    O((n + p) log p) for n samples and p pauses: the pauses are merged into
    disjoint intervals once, and the paused time inside each sample interval is
    the difference of the cumulative paused time at its two ends (overlapping
    pauses count once).
    """
    if t.size < 2:
        return 0.0
    start, end = t[:-1], t[1:]
    step = end - start
    moving = step.copy()
    if pauses:
        spans = np.asarray(pauses, dtype="float64").reshape(-1, 2)
        spans = spans[np.argsort(spans[:, 0], kind="stable")]
        # Merge overlapping pauses: a new interval starts where a start passes every end before it.
        reach = np.maximum.accumulate(spans[:, 1])
        new = np.ones(len(spans), dtype=bool)
        new[1:] = spans[1:, 0] > reach[:-1]
        first = np.flatnonzero(new)
        last = np.append(first[1:], len(spans)) - 1
        starts_s = spans[first, 0]
        ends_s = reach[last]
        cum_s = np.concatenate([[0.0], np.cumsum(ends_s - starts_s)[:-1]])
        moving -= _covered_s(end, starts_s, ends_s, cum_s) - _covered_s(
            start, starts_s, ends_s, cum_s
        )
    moving[step > max_gap_s] = 0.0
    return float(np.clip(moving, 0.0, None).sum())


def _climbing_trusted(quality: ElevationQuality | None) -> bool | None:
    """Whether the rules may judge an activity's climbing; None without elevation.

    Only a stream that :func:`~runload.elevation.elevation_quality` trusts *and*
    reads as barometric counts.  GPS and phone altitude is summed with the
    noise-scaled band, but even then it misses real climbing by 14-48 % on hills
    and adds 2-12 m/km on the flat, varying from run to run (docs/accuracy.md):
    compared with a runner's own weeks, such numbers raise false alarms, and a
    switch between a barometric watch and a phone would look like a change in
    climbing.  An export's own corrected gain (``elevation_source = "service"``)
    takes its place where one is given.
    """
    if quality is None:
        return None
    return bool(quality.trusted and quality.source == "barometric")


def classify_surface(
    sport: str | None, sub_sport: str | None, name: str | None, has_gps: bool, has_distance: bool
) -> str:
    """The surface of a run from what the file says (see the module docstring)."""
    sub = (sub_sport or "").lower()
    text = name or ""
    if sub in TREADMILL_SUB_SPORTS or _TREADMILL_NAME.search(text):
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
    samples = _CleanSamples(raw.samples)
    inside = time_in_range(samples.index.asi8)
    if not inside.all():
        n_out = int(inside.size - np.count_nonzero(inside))
        if n_out == inside.size:
            from .exceptions import ParseError

            raise ParseError(
                f"every sample time is outside 1980-2100 (first: {samples.index[0]}); "
                "an unset or faulty clock",
                path=source_path,
                reason="time_out_of_range",
            )
        samples.keep(inside)
        warnings.warn(
            f"{source_path}: {n_out} samples dated outside 1980-2100 dropped",
            DataQualityWarning,
            stacklevel=3,
        )
    n_glitch = samples.drop_time_outliers()
    if n_glitch:
        warnings.warn(
            f"{source_path}: {n_glitch} samples more than {MAX_TIME_JUMP_S / 3600:.0f} h away "
            "from the rest of the activity dropped (clock glitch)",
            DataQualityWarning,
            stacklevel=3,
        )
    index = samples.index
    t_s = index.asi8.astype("float64") / 1e9
    sport = raw.sport.lower() if raw.sport else None

    lat = samples.column("latitude_deg")
    lon = samples.column("longitude_deg")
    has_pos = np.isfinite(lat) & np.isfinite(lon)
    has_gps = bool(has_pos.any())

    # Impossible sample values (a distance of 1e308 m, a negative speed) are dropped.
    for column, high, unit in (
        ("distance_m", MAX_DISTANCE_M, "m"),
        ("speed_m_s", MAX_SPEED_M_S, "m/s"),
    ):
        values = samples.column(column)
        bad = (values < 0.0) | (values > high)
        if bad.any():
            samples.set_column(column, np.where(bad, np.nan, values))
            warnings.warn(
                f"{source_path}: {int(np.count_nonzero(bad))} {column} values outside "
                f"0-{high:g} {unit} dropped",
                DataQualityWarning,
                stacklevel=3,
            )

    # Distance: the device's own stream, else the GPS path.
    dist = samples.column("distance_m")
    if np.isfinite(dist).any():
        distance_m = float(np.nanmax(dist))
    elif has_gps:
        max_speed = MAX_SPEED_FOOT_M_S if sport in FOOT_SPORTS else MAX_SPEED_OTHER_M_S
        dist, _ = path_distance_m(lat, lon, t_s, max_speed_m_s=max_speed)
        samples.set_column("distance_m", dist)
        distance_m = float(np.nanmax(dist))
    else:
        distance_m = float(raw.totals.get("distance_m", np.nan))

    ele = samples.column("elevation_m")
    quality: ElevationQuality | None = None
    if np.isfinite(ele).any():
        # Where the stream comes from and how noisy it is (runload.elevation): GPS or
        # phone altitude is summed with a band scaled to its noise, so that noise does
        # not become climbing; barometric streams keep the configured method.
        quality = elevation_quality(ele, t_s, has_gps=has_gps)
        noisy = quality.source == "gps" and elevation.method == "hysteresis"
        ascent_m, descent_m = ascent_descent(
            ele,
            t_s,
            method="adaptive" if noisy else elevation.method,
            threshold_m=elevation.threshold_m,
            smooth_window_s=elevation.smooth_window_s,
            noise_factor=elevation.noise_factor,
            quality=quality if noisy else None,
        )
    else:
        ascent_m = float(raw.totals.get("ascent_m", np.nan))
        descent_m = float(raw.totals.get("descent_m", np.nan))

    if len(index):
        start = index[0]
        elapsed_s = float(t_s[-1] - t_s[0])
        pauses = [(p0.value / 1e9, p1.value / 1e9) for p0, p1 in raw.pauses if p1 > p0]
        moving_s = _moving_time_s(t_s, pauses, max_gap_s if raw.gaps_are_pauses else np.inf)
    else:
        if raw.start_time is None:
            from .exceptions import ParseError

            raise ParseError("no samples and no start time", path=source_path, reason="empty")
        start = pd.Timestamp(raw.start_time)
        start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
        if not time_in_range(np.array([start.value]))[0]:
            from .exceptions import ParseError

            raise ParseError(
                f"start time {start} is outside 1980-2100",
                path=source_path,
                reason="time_out_of_range",
            )
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
    distance_m, elapsed_s, moving_s, dropped = plausible_totals(distance_m, elapsed_s, moving_s)
    for message in dropped:
        warnings.warn(f"{source_path}: {message}", DataQualityWarning, stacklevel=3)

    # Local offset and date: decided in one place (runload.localtime).
    position = None
    if has_gps:
        k = int(np.argmax(has_pos))
        position = (float(lat[k]), float(lon[k]))
    offset, source = resolve_offset(
        start, file_offset_s=raw.utc_offset_s, position=position, timezone=timezone
    )
    local = local_date(start, offset)

    # Sport: the file's word, else what the content and the name say (runload.sports).
    frame = samples.to_frame()
    guess = infer_sport(frame, name=raw.name)
    if sport:
        sport_source = "file"
    elif guess.sport:
        sport, sport_source = guess.sport, "inferred"
    else:
        sport_source = "unknown"

    surface = classify_surface(
        sport, raw.sub_sport, raw.name, has_gps, bool(np.isfinite(distance_m) and distance_m > 0)
    )
    return Activity(
        samples=frame,
        activity_id=activity_id,
        source_path=source_path,
        format=raw.format,
        sport=sport,
        sub_sport=raw.sub_sport.lower() if raw.sub_sport else None,
        sport_source=sport_source,
        surface=surface,
        start_time_utc=start,
        utc_offset_s=offset,
        utc_offset_source=source,
        local_date=local,
        distance_m=distance_m,
        elapsed_time_s=elapsed_s,
        moving_time_s=moving_s,
        ascent_m=ascent_m,
        descent_m=descent_m,
        elevation_source=quality.source if quality is not None else "none",
        elevation_noise_m=quality.noise_m if quality is not None else float("nan"),
        ascent_trusted=_climbing_trusted(quality),
        export_ascent_m=float("nan"),
        moving_speed_p50_m_s=guess.speed_p50_m_s,
        moving_speed_p90_m_s=guess.speed_p90_m_s,
        has_gps=has_gps,
        device=raw.device,
        name=raw.name,
        notes=raw.notes,
        gear=None,  # files carry no gear: exports supply it
    )
