"""Training-load series from the activities table: pure functions, inputs never mutated.

Every function takes the activities table (one row per activity, indexed by
``activity_id``, columns of :data:`runload.schema.SUMMARY_FIELDS`) and returns a new
Series or DataFrame.  The conventions shared by all of them:

* **Which activities count.**  ``sports=`` selects them (see :data:`RUNNING_SPORTS`
  and :func:`is_running`); ``sports=None`` counts every activity given.
* **Local calendar.**  Days are the runner's LOCAL calendar days, taken from the
  ``local_date`` column (never the UTC date).  Where ``local_date`` is missing it is
  rebuilt from ``start_time_utc + utc_offset_s``; rows with neither are dropped with a
  :class:`~runload.exceptions.DataQualityWarning`.  Calendar indexes (``local_date`` of
  the daily series, ``week_start`` of the weekly tables) are tz-naive
  :class:`pandas.DatetimeIndex` values at local midnight, so ``weekly.loc["2018-04-02"]``,
  slicing by string and ``weekly.resample("MS")`` work; look a ``datetime.date`` up with
  ``weekly.loc[pd.Timestamp(day)]``.
* **Observed calendar.**  A daily calendar runs from ``start`` to ``end``; they default
  to the local dates of the first and last selected activity.  Every day inside it is
  observed, rest days as zero.  Weekly tables cover every week that overlaps the
  calendar; days of a first or last week that fall outside it are *unobserved*: they
  add nothing to the sums, and the weekly ratios that need a full week say NaN.
* **Missing values.**  A missing distance, time, ascent or descent counts as zero in
  sums (a treadmill run without elevation adds no ascent); per-run ratios stay NaN.
* **Order within a day.**  Runs on the same local date are ordered by
  ``start_time_utc`` (then by their order in the table).

Units are in the names: ``_km``, ``_m``, ``_s``; ratios end in ``_ratio``; counts are
plain nouns (``runs``).  Definitions and sources are in ``docs/load.md``.

References
----------
* Cook SD et al. Am J Sports Med 1985 (shoe cushioning versus mileage).
* Foster C. Med Sci Sports Exerc 1998;30(7):1164-8 (monotony, strain).
* Frandsen JSB et al. Br J Sports Med 2025;59(17):1203-10 (single-session spikes).
* Gabbett TJ. Br J Sports Med 2016;50(5):273-80 (coupled ACWR).
* Gottschall JS, Kram R. J Biomech 2005;38:445-52 (uphill/downhill forces).
* Impellizzeri FM et al. Sports Med 2021;51(3):581-92 (ACWR critique).
* Lolli L et al. Br J Sports Med 2019;53(15):921; Windt J, Gabbett TJ. Br J Sports Med
  2019;53(16):988 (uncoupled ACWR).
* Malisoux L et al. Scand J Med Sci Sports 2015;25:110-5 (parallel shoe use).
* Milgrom C et al. Br J Sports Med 2003;37:160-3; Van Hooren B et al. Sports Med
  2020;50:785-813 (treadmill versus overground).
* Nielsen RO et al. J Orthop Sports Phys Ther 2014;44(10):739-47 (weekly progression).
* Williams S et al. Br J Sports Med 2017;51(3):209-10 (EWMA ACWR).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from .exceptions import DataQualityWarning
from .sports import RUNNING_SPORTS as _RUNNING_SPORTS

__all__ = [
    "RUNNING_SPORTS",
    "WEEKLY_LOAD_COLUMNS",
    "acwr",
    "daily_load",
    "elevation_load",
    "is_running",
    "long_run_spikes",
    "shoe_mileage",
    "shoe_rotation",
    "surface_mix",
    "surface_transitions",
    "weekly_elevation",
    "weekly_load",
]

#: Activities counted as running by default (defined in :mod:`runload.sports`).  An entry
#: ``"sport"`` matches that sport with any sub-sport; an entry ``"sport/sub_sport"`` matches
#: only that pair.  Walks, hikes and rides match nothing here.
RUNNING_SPORTS: frozenset[str] = _RUNNING_SPORTS

#: Column order of :func:`weekly_load`.
WEEKLY_LOAD_COLUMNS: tuple[str, ...] = (
    "distance_km",
    "runs",
    "longest_run_km",
    "moving_time_s",
    "ascent_m",
    "descent_m",
    "treadmill_km",
    "outdoor_km",
    "distance_change_ratio",
    "acwr_uncoupled_ratio",
    "acwr_ewma_ratio",
    "monotony_ratio",
)

Sports = Iterable[str] | None
DateLike = dt.date | str | pd.Timestamp | None
Metric = Literal["distance", "moving_time", "ascent", "descent", "runs"]
AcwrMethod = Literal["uncoupled", "coupled", "ewma"]

_METRICS: Mapping[str, tuple[str, str]] = {
    # metric -> (column of the prepared run table, output name)
    "distance": ("distance_km", "distance_km"),
    "moving_time": ("moving_time_s", "moving_time_s"),
    "ascent": ("ascent_m", "ascent_m"),
    "descent": ("descent_m", "descent_m"),
    "runs": ("one", "runs"),
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EPOCH = dt.date(1970, 1, 1)
_EPOCH_WEEKDAY = _EPOCH.weekday()  # Thursday = 3


# ---------------------------------------------------------------------------
# Results shared within one analysis
# ---------------------------------------------------------------------------

_T = TypeVar("_T")

#: What was computed inside :func:`reusing_results`: key -> (the inputs, the result).
_SHARED: ContextVar[dict[Hashable, tuple[tuple[object, ...], Any]] | None] = ContextVar(
    "runload_shared_results", default=None
)


@contextmanager
def reusing_results() -> Iterator[None]:
    """Inside this block, what is computed from a table is computed once per table.

    :func:`runload.analyze` hands the same activities table to the weekly load, every
    risk rule, the shoe table and the status, and most of them start from the same
    run table, breaks and shoes.  Inside the block, each such intermediate result is
    kept, keyed by the identity of the objects it was computed from (and its
    settings), and handed to every later call; outside it nothing is kept.  The
    results are the same either way: the tables must not be modified inside the
    block, which no function of runload does to its inputs, nor to what these
    functions return.  Blocks nest (the outermost one keeps the results).
    """
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def reused(key: Hashable, inputs: tuple[object, ...], compute: Callable[[], _T]) -> _T:
    """``compute()``, or its result kept from an earlier call in :func:`reusing_results`.

    Parameters
    ----------
    key : hashable
        What is computed and its settings (by value).
    inputs : tuple
        The objects it is computed from, matched by identity (kept alive with the
        result, so that their ids are not reused within the block).
    compute : callable
        Computes the result.
    """
    store = _SHARED.get()
    if store is None:
        return compute()
    full = (key, tuple(id(obj) for obj in inputs))
    hit = store.get(full)
    if hit is not None and all(a is b for a, b in zip(hit[0], inputs, strict=True)):
        return hit[1]
    value = compute()
    store[full] = (inputs, value)
    return value


# ---------------------------------------------------------------------------
# Selection and preparation
# ---------------------------------------------------------------------------


def window_reduce(
    values: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    func: Callable[..., np.ndarray],
    *,
    empty: float = float("nan"),
) -> np.ndarray:
    """``func(values[lo[k]:hi[k]])`` for every k, with whole groups of windows at once.

    Windows of the same length are stacked into one 2-D array and reduced along its
    rows with ``func(array, axis=1)`` (``np.sum``, ``np.max``, ``np.median``...).  A
    row reduction of numpy gives, bit for bit, what the same reduction gives on the
    window alone (the same pairwise summation over the same values in the same order),
    so this is the plain loop made fast, not an approximation of it.

    Parameters
    ----------
    values : ndarray
        1-D values.
    lo, hi : ndarray of int
        Start (inclusive) and end (exclusive) of each window.
    func : callable
        A numpy reduction taking ``axis``.
    empty : float
        The result for an empty window.

    Returns
    -------
    ndarray of float
        One value per window.
    """
    values = np.asarray(values, dtype=float)
    lo = np.asarray(lo, dtype=np.int64)
    length = np.asarray(hi, dtype=np.int64) - lo
    out = np.full(lo.size, empty, dtype=float)
    for n in np.unique(length[length > 0]):
        rows = np.flatnonzero(length == n)
        out[rows] = func(values[lo[rows, None] + np.arange(n)], axis=1)
    return out


def _normalised_text(values: pd.Series) -> pd.Series:
    """Lower-case, stripped strings; missing values become ``""``."""
    return pd.Series(_normalised(values), index=values.index, name=values.name, dtype=object)


#: Strings already normalised by :func:`_normalised` (a pure function of the string).
_NORMALISED: dict[str, str] = {}


def _normalised(values: pd.Series) -> np.ndarray:
    """The values of :func:`_normalised_text`, as an object array.

    A column of strings holds few distinct values (sports, surfaces): each new one is
    normalised by the same pandas string methods, remembered, and spread back to the
    rows.
    """
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(values)
        distinct: list[str] = np.asarray(uniques, dtype=object).tolist()
        known = {u: _NORMALISED.get(u) for u in distinct}
        new = [u for u, v in known.items() if v is None]
        if new:
            done = _normalised_slow(pd.Series(new, dtype=object)).tolist()
            known.update(zip(new, done, strict=True))
            if len(_NORMALISED) > 10_000:
                _NORMALISED.clear()
            _NORMALISED.update(zip(new, done, strict=True))
        return np.array([*(known[u] for u in distinct), ""], dtype=object)[codes]
    return _normalised_slow(values).to_numpy(dtype=object)


def _normalised_slow(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().str.lower().fillna("").astype(object)


def _sports_set(sports: Iterable[str]) -> frozenset[str]:
    if isinstance(sports, str):
        sports = [sports]
    return frozenset(s.strip().lower() for s in sports)


def _require(activities: pd.DataFrame, columns: Iterable[str], func: str) -> None:
    if not isinstance(activities, pd.DataFrame):
        raise TypeError(f"{func}: activities must be a DataFrame, not {type(activities).__name__}")
    missing = [c for c in columns if c not in activities.columns]
    if missing:
        raise ValueError(f"{func}: the activities table lacks column(s) {missing}")


def is_running(activities: pd.DataFrame, *, sports: Sports = RUNNING_SPORTS) -> pd.Series:
    """Which activities count as runs.

    Parameters
    ----------
    activities : DataFrame
        The activities table; uses ``sport`` and ``sub_sport``.
    sports : iterable of str or None, default :data:`RUNNING_SPORTS`
        Entries ``"sport"`` (any sub-sport) or ``"sport/sub_sport"`` (that pair only),
        compared case-insensitively.  ``None`` counts every activity.

    Returns
    -------
    Series of bool
        Indexed like ``activities``, named ``is_running``.

    Examples
    --------
    Only treadmill running: ``is_running(acts, sports={"running/treadmill",
    "generic/treadmill"})``.
    """
    if sports is None:
        _require(activities, [], "is_running")
        return pd.Series(True, index=activities.index, name="is_running", dtype=bool)
    _require(activities, ["sport", "sub_sport"], "is_running")
    wanted = _sports_set(sports)
    return reused(("is_running", wanted), (activities,), lambda: _running(activities, wanted))


def _running(activities: pd.DataFrame, wanted: frozenset[str]) -> pd.Series:
    bare = {s for s in wanted if "/" not in s}
    pairs = {s for s in wanted if "/" in s}
    sport = _normalised(activities["sport"]).tolist()
    sub = _normalised(activities["sub_sport"]).tolist()
    mask = [s in bare or f"{s}/{u}" in pairs for s, u in zip(sport, sub, strict=True)]
    return pd.Series(np.array(mask, dtype=bool), index=activities.index, name="is_running")


def _day_numbers(activities: pd.DataFrame) -> np.ndarray:
    """Local calendar day of each row as days since 1970-01-01 (float, NaN if unknown)."""
    n = len(activities)
    days = np.full(n, np.nan)
    quick = _date_days(activities["local_date"]) if "local_date" in activities.columns else None
    if quick is not None:
        days = quick
    elif "local_date" in activities.columns:
        local = pd.to_datetime(activities["local_date"], errors="coerce")
        if isinstance(local.dtype, pd.DatetimeTZDtype):
            local = local.dt.tz_localize(None)
        ok = local.notna().to_numpy()
        values = local.to_numpy(dtype="datetime64[ns]")
        days[ok] = values[ok].astype("datetime64[D]").astype(np.int64)
    need = np.isnan(days)
    if need.any() and "start_time_utc" in activities.columns:
        start = pd.to_datetime(activities["start_time_utc"], errors="coerce", utc=True)
        if "utc_offset_s" in activities.columns:
            offset = pd.to_numeric(activities["utc_offset_s"], errors="coerce").fillna(0)
        else:
            offset = pd.Series(0.0, index=activities.index)
        local_ts = start.dt.tz_localize(None) + pd.to_timedelta(offset.to_numpy(), unit="s")
        ok = need & local_ts.notna().to_numpy()
        values = local_ts.to_numpy(dtype="datetime64[ns]")
        days[ok] = values[ok].astype("datetime64[D]").astype(np.int64)
    return days


_FIRST_DAY = (dt.date(1678, 1, 1) - _EPOCH).days  # inside datetime64[ns]
_LAST_DAY = (dt.date(2261, 12, 31) - _EPOCH).days


def _date_days(values: pd.Series) -> np.ndarray | None:
    """Days since 1970-01-01 of a column of ``datetime.date`` (None, NaN: NaN).

    What ``pd.to_datetime`` gives for such a column, without it; None when the column
    holds anything else (datetimes, strings, timestamps), or dates pandas cannot hold.
    """
    out = np.full(len(values), np.nan)
    epoch = _EPOCH.toordinal()
    for k, value in enumerate(values.tolist()):
        if type(value) is dt.date:
            day = value.toordinal() - epoch
            if not _FIRST_DAY <= day <= _LAST_DAY:
                return None
            out[k] = day
        elif not (value is None or (type(value) is float and value != value)):
            return None
    return out


def _to_date(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(day))


def _to_day(value: DateLike) -> int | None:
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return (stamp.date() - _EPOCH).days


def _dates(days: np.ndarray, name: str) -> pd.DatetimeIndex:
    """Local calendar days (days since 1970-01-01) as a tz-naive DatetimeIndex at midnight."""
    stamps = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[ns]")
    return pd.DatetimeIndex(stamps, name=name)


def _float_column(activities: pd.DataFrame, name: str, scale: float = 1.0) -> np.ndarray:
    if name not in activities.columns:
        return np.full(len(activities), np.nan)
    values = pd.to_numeric(activities[name], errors="coerce").to_numpy(dtype=float)
    return values * scale


def _prepare(activities: pd.DataFrame, sports: Sports, func: str) -> pd.DataFrame:
    """The selected activities as a run table sorted by (local day, start time).

    Columns: ``day`` (int, days since 1970-01-01), ``local_date`` (date),
    ``distance_km``, ``moving_time_s``, ``ascent_m``, ``descent_m`` (float),
    ``surface`` (lower-case str, ``"unknown"`` when missing), ``gear`` (str or None),
    ``one`` (1.0).  Index: ``activity_id``.
    """
    _require(activities, ["distance_m"], func)
    if "local_date" not in activities.columns and "start_time_utc" not in activities.columns:
        raise ValueError(f"{func}: the activities table needs local_date or start_time_utc")
    wanted = None if sports is None else _sports_set(sports)
    runs, undated = reused(("runs", wanted), (activities,), lambda: _runs(activities, wanted))
    if undated:
        warnings.warn(
            f"{func}: {undated} activity(ies) without a local date or start time were left out",
            DataQualityWarning,
            stacklevel=3,
        )
    return runs


def _runs(activities: pd.DataFrame, sports: frozenset[str] | None) -> tuple[pd.DataFrame, int]:
    """The run table of :func:`_prepare`, and how many selected rows had no date."""
    mask = is_running(activities, sports=sports).to_numpy()
    acts = activities.loc[mask]
    days = _day_numbers(acts)
    dated = ~np.isnan(days)
    undated = int((~dated).sum())
    if undated:
        acts = acts.loc[dated]
        days = days[dated]
    day = days.astype(np.int64)
    if "start_time_utc" in acts.columns:
        start = pd.to_datetime(acts["start_time_utc"], errors="coerce", utc=True)
        start_ns = start.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").astype(np.int64)
        start_ns = np.where(start.isna().to_numpy(), np.iinfo(np.int64).max, start_ns)
    else:
        start_ns = np.zeros(len(acts), dtype=np.int64)
    if "surface" in acts.columns:
        surface = _normalised_text(acts["surface"]).replace("", "unknown")
        surface_values = surface.to_numpy(dtype=object)
    else:
        surface_values = np.full(len(acts), "unknown", dtype=object)
    if "gear" in acts.columns:
        gear_values = _gear_names(acts["gear"])
    else:
        gear_values = np.full(len(acts), None, dtype=object)
    runs = pd.DataFrame(
        {
            "day": day,
            "local_date": _dates_of(day),
            "start_ns": start_ns,
            "position": np.arange(len(acts)),
            "distance_km": _float_column(acts, "distance_m", 1e-3),
            "moving_time_s": _float_column(acts, "moving_time_s"),
            "ascent_m": _float_column(acts, "ascent_m"),
            "descent_m": _float_column(acts, "descent_m"),
            "surface": surface_values,
            "gear": gear_values,
            "one": np.ones(len(acts)),
        },
        index=pd.Index(acts.index, name="activity_id"),
    )
    runs = runs.sort_values(["day", "start_ns", "position"], kind="stable")
    return runs.drop(columns=["start_ns", "position"]), undated


def _gear_names(values: pd.Series) -> np.ndarray:
    """:func:`_gear_name` of each value (of each distinct name once, for strings)."""
    if len(values) > 16 and pd.api.types.infer_dtype(values, skipna=True) == "string":
        codes, uniques = pd.factorize(values)
        names = [_gear_name(g) for g in np.asarray(uniques, dtype=object).tolist()]
        return np.array([*names, None], dtype=object)[codes]  # code -1: missing, None
    return np.array([_gear_name(g) for g in values.tolist()], dtype=object)


def _gear_name(value: Any) -> str | None:
    """A gear value as a name: None when missing or blank."""
    if value is None:
        return None
    if isinstance(value, str):
        return None if value.strip() == "" else value
    if _missing(value) or str(value).strip() == "":
        return None
    return str(value)


def _dates_of(days: np.ndarray) -> list[dt.date]:
    """Days since 1970-01-01 as ``datetime.date`` objects (what :func:`_to_date` gives)."""
    return list(np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype(object))


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _calendar(runs: pd.DataFrame, start: DateLike, end: DateLike) -> tuple[int, int] | None:
    """First and last observed day; ``None`` when there is nothing to cover."""
    first = _to_day(start)
    last = _to_day(end)
    if first is None:
        first = int(runs["day"].min()) if len(runs) else None
    if last is None:
        last = int(runs["day"].max()) if len(runs) else None
    if first is None or last is None:
        return None
    if last < first:
        raise ValueError(f"end ({_to_date(last)}) is before start ({_to_date(first)})")
    return first, last


def _daily_values(runs: pd.DataFrame, column: str, first: int, last: int) -> np.ndarray:
    """Sum of ``column`` per day over ``first..last`` (missing values count as zero)."""
    inside = (runs["day"] >= first) & (runs["day"] <= last)
    sel = runs.loc[inside]
    values = np.nan_to_num(sel[column].to_numpy(dtype=float), nan=0.0)
    offsets = sel["day"].to_numpy(dtype=np.int64) - first
    return np.bincount(offsets, weights=values, minlength=last - first + 1).astype(float)


def _weekday_index(week_start: str) -> int:
    if not isinstance(week_start, str):
        raise TypeError("week_start must be a weekday name such as 'monday'")
    key = week_start.strip().lower()
    for i, name in enumerate(_WEEKDAYS):
        if key == name or (len(key) >= 3 and name.startswith(key)):
            return i
    raise ValueError(f"week_start must be a weekday name (monday ... sunday), not {week_start!r}")


def _week_of(day: np.ndarray | int, weekday0: int) -> Any:
    """First day (days since epoch) of the week containing ``day``."""
    weekday = (np.asarray(day) + _EPOCH_WEEKDAY) % 7
    return np.asarray(day) - (weekday - weekday0) % 7


# ---------------------------------------------------------------------------
# Daily series and ACWR
# ---------------------------------------------------------------------------


def daily_load(
    activities: pd.DataFrame,
    *,
    metric: Metric = "distance",
    sports: Sports = RUNNING_SPORTS,
    start: DateLike = None,
    end: DateLike = None,
) -> pd.Series:
    """Daily load on a continuous local calendar, rest days as zero.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    metric : {"distance", "moving_time", "ascent", "descent", "runs"}
        What to sum per day: distance [km], moving time [s], ascent [m], descent [m]
        or the number of runs.
    sports : iterable of str or None, default :data:`RUNNING_SPORTS`
        Which activities count (see :func:`is_running`); ``None`` counts all.
    start, end : date, str or Timestamp, optional
        First and last calendar day (inclusive).  Default: the local dates of the first
        and last selected activity.  Activities outside are left out; days without
        activities inside are zero.

    Returns
    -------
    Series
        Index ``local_date`` (tz-naive DatetimeIndex of local days, every day from start
        to end).
        Named ``distance_km`` [km], ``moving_time_s`` [s], ``ascent_m`` [m],
        ``descent_m`` [m] (float) or ``runs`` (int) after the metric.  Empty when there
        is nothing selected and no ``start``/``end``.
    """
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {sorted(_METRICS)}, not {metric!r}")
    column, name = _METRICS[metric]
    runs = _prepare(activities, sports, "daily_load")
    cal = _calendar(runs, start, end)
    dtype = np.int64 if metric == "runs" else np.float64
    if cal is None:
        empty = pd.DatetimeIndex([], dtype="datetime64[ns]", name="local_date")
        return pd.Series([], index=empty, name=name, dtype=dtype)
    first, last = cal
    values = _daily_values(runs, column, first, last)
    days = _dates(np.arange(first, last + 1), "local_date")
    return pd.Series(values.astype(dtype), index=days, name=name)


def _window_sums(x: np.ndarray, window: int) -> np.ndarray:
    """Sum of ``x[i-window+1 .. i]`` at each i; NaN for the first ``window-1`` values.

    Each window is summed on its own (no running total), so an all-zero window is
    exactly zero.
    """
    out = np.full(x.size, np.nan)
    if window <= x.size:
        out[window - 1 :] = sliding_window_view(x, window).sum(axis=1)
    return out


def _check_daily(daily: pd.Series) -> np.ndarray:
    if not isinstance(daily, pd.Series):
        raise TypeError("daily must be a Series of daily loads")
    values = pd.to_numeric(daily, errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():
        raise ValueError("daily load has missing values; give rest days as 0")
    index = daily.index
    is_dates = isinstance(index, pd.DatetimeIndex) or (
        len(index) > 0 and all(isinstance(v, dt.date) for v in index)
    )
    if is_dates and len(index) > 1:
        stamps = pd.to_datetime(pd.Index(index))
        if stamps.tz is not None:
            stamps = stamps.tz_localize(None)
        steps = np.diff(stamps.normalize().to_numpy(dtype="datetime64[D]").astype(np.int64))
        if not (steps == 1).all():
            raise ValueError(
                "daily load must be on a continuous calendar (one row per day, in order); "
                "build it with daily_load()"
            )
    return values


def acwr(
    daily: pd.Series,
    *,
    method: AcwrMethod = "uncoupled",
    acute_days: int = 7,
    chronic_days: int = 28,
) -> pd.Series:
    """Acute:chronic workload ratio of a daily load series, one value per day.

    Parameters
    ----------
    daily : Series
        Daily load on a continuous calendar (rest days 0), e.g. from :func:`daily_load`.
        Any unit; the ratio is dimensionless.
    method : {"uncoupled", "coupled", "ewma"}
        * ``"uncoupled"`` (default; Lolli et al. 2019, Windt & Gabbett 2019): mean daily
          load of days t−(A−1) … t divided by the mean of the C−A days before them,
          t−(C−1) … t−A (with A = 7, C = 28: days t−27 … t−7).
        * ``"coupled"`` (Gabbett 2016): mean of t−(A−1) … t divided by the mean of
          t−(C−1) … t, which contains the acute days; it is bounded by C/A and pulled
          toward 1.
        * ``"ewma"`` (Williams et al. 2017): EWMA_t = λ·L_t + (1 − λ)·EWMA_{t−1} with
          λ = 2/(N + 1), N = A for the acute and C for the chronic average, both
          initialised at the first day's load; ratio acute ÷ chronic.
    acute_days, chronic_days : int
        Window lengths A and C [days]; ``chronic_days`` must exceed ``acute_days``.

    Returns
    -------
    Series
        Same index as ``daily``, named ``acwr_<method>_ratio`` [dimensionless].  NaN for
        the first C − 1 days (less than C days of history) and where the chronic
        load is zero.

    Notes
    -----
    Impellizzeri et al. (2021) show that the ratio behaves like a rescaled acute load
    and should not be used as an injury predictor; runload reports it as context only.
    Frandsen et al. (2025) found a negative dose-response for ACWR in runners.
    """
    if method not in ("uncoupled", "coupled", "ewma"):
        raise ValueError(f"method must be 'uncoupled', 'coupled' or 'ewma', not {method!r}")
    whole = int | np.integer
    if not (isinstance(acute_days, whole) and isinstance(chronic_days, whole)):
        raise TypeError("acute_days and chronic_days must be integers")
    if acute_days < 1 or chronic_days <= acute_days:
        raise ValueError("need 1 <= acute_days < chronic_days")
    x = _check_daily(daily)
    n = x.size
    ratio = np.full(n, np.nan)
    if method == "ewma":
        if n:
            acute_ewma = _ewma(x, 2.0 / (acute_days + 1))
            chronic_ewma = _ewma(x, 2.0 / (chronic_days + 1))
            ok = chronic_ewma != 0
            ratio[ok] = acute_ewma[ok] / chronic_ewma[ok]
    else:
        acute_mean = _window_sums(x, acute_days) / acute_days
        if method == "coupled":
            chronic_mean = _window_sums(x, chronic_days) / chronic_days
        else:
            span = chronic_days - acute_days
            chronic_mean = np.full(n, np.nan)
            if n > acute_days:
                chronic_mean[acute_days:] = (_window_sums(x, span) / span)[: n - acute_days]
        ok = np.isfinite(chronic_mean) & (chronic_mean != 0)
        ratio[ok] = acute_mean[ok] / chronic_mean[ok]
    ratio[: chronic_days - 1] = np.nan
    return pd.Series(ratio, index=daily.index, name=f"acwr_{method}_ratio")


def _ewma(x: np.ndarray, lam: float) -> np.ndarray:
    values: list[float] = x.tolist()  # the same IEEE arithmetic on Python floats, faster
    out = []
    level = values[0]
    for i, value in enumerate(values):
        level = lam * value + (1.0 - lam) * level if i else value
        out.append(level)
    return np.array(out, dtype=x.dtype)


def _uncoupled_at(x: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``acwr(pd.Series(x), method="uncoupled")`` (7 and 28 days) on the days ``at`` only.

    The same window sums (each window summed on its own, see :func:`window_reduce`)
    and divisions, for the days asked for instead of every day.
    """
    acute_days, chronic_days = 7, 28
    span = chronic_days - acute_days
    at = np.asarray(at, dtype=np.int64)
    ratio = np.full(at.size, np.nan)
    judged = at >= chronic_days - 1
    t = at[judged]
    acute_mean = window_reduce(x, t - (acute_days - 1), t + 1, np.sum) / acute_days
    chronic_mean = window_reduce(x, t - (chronic_days - 1), t - (acute_days - 1), np.sum) / span
    ok = np.isfinite(chronic_mean) & (chronic_mean != 0)
    out = np.full(t.size, np.nan)
    out[ok] = acute_mean[ok] / chronic_mean[ok]
    ratio[judged] = out
    return ratio


# ---------------------------------------------------------------------------
# Weekly tables
# ---------------------------------------------------------------------------


class _Weeks:
    """Weekly bucketing of an observed calendar ``first..last``."""

    def __init__(self, first: int, last: int, weekday0: int) -> None:
        self.first = first
        self.last = last
        self.week0 = int(_week_of(first, weekday0))
        self.count = (int(_week_of(last, weekday0)) - self.week0) // 7 + 1
        self.starts = self.week0 + 7 * np.arange(self.count)
        self.ends = self.starts + 6
        #: every day of the week is inside the observed calendar
        self.full = (self.starts >= first) & (self.ends <= last)

    def index(self) -> pd.Index:
        return _dates(self.starts, "week_start")

    def position(self, days: np.ndarray) -> np.ndarray:
        return (np.asarray(days, dtype=np.int64) - self.week0) // 7

    def sums(self, runs: pd.DataFrame, column: str) -> np.ndarray:
        values = np.nan_to_num(runs[column].to_numpy(dtype=float), nan=0.0)
        return np.bincount(
            self.position(runs["day"].to_numpy()), weights=values, minlength=self.count
        ).astype(float)


def _weekly_setup(
    activities: pd.DataFrame,
    week_start: str,
    sports: Sports,
    start: DateLike,
    end: DateLike,
    func: str,
) -> tuple[pd.DataFrame, _Weeks | None]:
    weekday0 = _weekday_index(week_start)
    runs = _prepare(activities, sports, func)
    cal = _calendar(runs, start, end)
    if cal is None:
        return runs, None
    first, last = cal
    runs = reused(
        ("calendar", first, last),
        (runs,),
        lambda: runs.loc[(runs["day"] >= first) & (runs["day"] <= last)],
    )
    return runs, _Weeks(first, last, weekday0)


def _empty_weekly(columns: Sequence[str], int_columns: Sequence[str] = ()) -> pd.DataFrame:
    index = pd.DatetimeIndex([], dtype="datetime64[ns]", name="week_start")
    return pd.DataFrame(
        {c: pd.Series([], dtype="int64" if c in int_columns else "float64") for c in columns},
        index=index,
    )


def weekly_load(
    activities: pd.DataFrame,
    *,
    week_start: str = "monday",
    sports: Sports = RUNNING_SPORTS,
    start: DateLike = None,
    end: DateLike = None,
    monotony_ddof: int = 0,
) -> pd.DataFrame:
    """Weekly running load on local weeks, with the week-over-week and ACWR ratios.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    week_start : str, default "monday"
        First day of the week, a weekday name (``"sunday"``, ``"sat"``, ...).
    sports : iterable of str or None, default :data:`RUNNING_SPORTS`
        Which activities count (see :func:`is_running`).
    start, end : date, str or Timestamp, optional
        The observed calendar (see the module notes); default: first and last selected
        activity.  Pass ``end=today`` to see the current week with its rest days.
    monotony_ddof : {0, 1}, default 0
        Delta degrees of freedom of the SD in ``monotony_ratio``: 0 = population SD
        (the 7 days are the whole week, not a sample of it), 1 = sample SD (gives a
        value √(6/7) ≈ 0.926 times as large).

    Returns
    -------
    DataFrame
        One row per local week, index ``week_start`` (tz-naive DatetimeIndex of local days),
        continuous (weeks without runs are zeros).  Columns, in this order
        (:data:`WEEKLY_LOAD_COLUMNS`):

        distance_km : float
            Total distance. [km]
        runs : int
            Number of runs.
        longest_run_km : float
            Longest single run (0 in a week without runs). [km]
        moving_time_s, ascent_m, descent_m : float
            Totals. [s], [m], [m]
        treadmill_km, outdoor_km : float
            Distance with ``surface == "treadmill"`` and on every other surface. [km]
        distance_change_ratio : float
            distance_km ÷ previous week's distance_km (Nielsen et al. 2014: > 1.3 vs
            < 1.1 HR 1.59, 0.96–2.66).  NaN when the previous week is 0 or not fully
            observed (the first week of a calendar that starts mid-week).  In a last
            week that is not over this is the ratio to date.
        acwr_uncoupled_ratio : float
            :func:`acwr` with ``method="uncoupled"`` on daily distance (Lolli et al.
            2019; Windt & Gabbett 2019), evaluated on the last day of the week (or the
            last observed day if the calendar ends earlier).  NaN with under 28 days of
            history or a zero chronic load.
        acwr_ewma_ratio : float
            The same with ``method="ewma"`` (Williams et al. 2017), EWMAs started on
            the calendar's first day.
        monotony_ratio : float
            Mean ÷ SD of the 7 daily distances of the week (Foster 1998), SD per
            ``monotony_ddof``.  NaN when the SD is 0 or the week is not fully observed.

    Notes
    -----
    ACWR is shown as context only: Impellizzeri et al. (2021) argue it is a rescaled
    acute load, and Frandsen et al. (2025) found no useful dose-response in runners.
    Foster's monotony was linked to illness, not injury.
    """
    if monotony_ddof not in (0, 1):
        raise ValueError("monotony_ddof must be 0 (population SD) or 1 (sample SD)")
    runs, weeks = _weekly_setup(activities, week_start, sports, start, end, "weekly_load")
    if weeks is None:
        return _empty_weekly(WEEKLY_LOAD_COLUMNS, int_columns=("runs",))
    key = ("weekly_load", weeks.first, weeks.last, weeks.week0, monotony_ddof)
    return reused(key, (runs,), lambda: _weekly_load(runs, weeks, monotony_ddof))


def _weekly_load(runs: pd.DataFrame, weeks: _Weeks, monotony_ddof: int) -> pd.DataFrame:
    pos = weeks.position(runs["day"].to_numpy())
    distance = weeks.sums(runs, "distance_km")
    longest = np.zeros(weeks.count)
    np.maximum.at(longest, pos, np.nan_to_num(runs["distance_km"].to_numpy(dtype=float)))
    treadmill = (runs["surface"] == "treadmill").to_numpy()
    treadmill_km = weeks.sums(runs.loc[treadmill], "distance_km")

    previous = np.concatenate([[np.nan], distance[:-1]])
    previous_full = np.concatenate([[False], weeks.full[:-1]])
    change = np.full(weeks.count, np.nan)
    ok = previous_full & (previous > 0)
    change[ok] = distance[ok] / previous[ok]

    daily = _daily_values(runs, "distance_km", weeks.first, weeks.last)
    daily_series = pd.Series(daily)
    at = np.minimum(weeks.ends, weeks.last) - weeks.first
    uncoupled = _uncoupled_at(daily, at)
    ewma = acwr(daily_series, method="ewma").to_numpy()[at]

    monotony = np.full(weeks.count, np.nan)
    full = np.flatnonzero(weeks.full)
    if full.size:
        first_day = weeks.starts[full] - weeks.first
        monotony[full] = _monotony(daily[first_day[:, None] + np.arange(7)], monotony_ddof)

    frame = pd.DataFrame(
        {
            "distance_km": distance,
            "runs": np.bincount(pos, minlength=weeks.count).astype(np.int64),
            "longest_run_km": longest,
            "moving_time_s": weeks.sums(runs, "moving_time_s"),
            "ascent_m": weeks.sums(runs, "ascent_m"),
            "descent_m": weeks.sums(runs, "descent_m"),
            "treadmill_km": treadmill_km,
            "outdoor_km": distance - treadmill_km,
            "distance_change_ratio": change,
            "acwr_uncoupled_ratio": uncoupled,
            "acwr_ewma_ratio": ewma,
            "monotony_ratio": monotony,
        },
        index=weeks.index(),
    )
    return frame[list(WEEKLY_LOAD_COLUMNS)]


def _monotony(weeks: np.ndarray, ddof: int) -> np.ndarray:
    """Mean ÷ SD of the 7 daily values of each row (NaN when the SD is about 0)."""
    mean = weeks.mean(axis=1)
    sd = weeks.std(axis=1, ddof=ddof)
    scale = np.abs(weeks).max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd <= 1e-12 * np.maximum(scale, 1.0), np.nan, mean / sd)


def surface_mix(
    activities: pd.DataFrame,
    *,
    week_start: str = "monday",
    sports: Sports = RUNNING_SPORTS,
    start: DateLike = None,
    end: DateLike = None,
) -> pd.DataFrame:
    """Weekly split of running distance between treadmill and outdoor surfaces.

    Parameters
    ----------
    activities : DataFrame
        The activities table; uses ``surface`` (``"treadmill"`` vs every other value,
        including ``"unknown"`` and missing, which count as outdoor).
    week_start : str, default "monday"
        First day of the week, a weekday name.
    sports : iterable of str or None, default :data:`RUNNING_SPORTS`
        Which activities count.
    start, end : date, str or Timestamp, optional
        The observed calendar; default: first and last selected activity.

    Returns
    -------
    DataFrame
        Index ``week_start`` (tz-naive DatetimeIndex of local days, continuous).  Columns
        ``treadmill_km`` [km], ``outdoor_km`` [km] and ``treadmill_share_ratio``
        (treadmill ÷ total distance, NaN in a week without distance).
    """
    columns = ("treadmill_km", "outdoor_km", "treadmill_share_ratio")
    runs, weeks = _weekly_setup(activities, week_start, sports, start, end, "surface_mix")
    if weeks is None:
        return _empty_weekly(columns)
    treadmill = (runs["surface"] == "treadmill").to_numpy()
    treadmill_km = weeks.sums(runs.loc[treadmill], "distance_km")
    outdoor_km = weeks.sums(runs.loc[~treadmill], "distance_km")
    total = treadmill_km + outdoor_km
    share = np.full(weeks.count, np.nan)
    share[total > 0] = treadmill_km[total > 0] / total[total > 0]
    return pd.DataFrame(
        {"treadmill_km": treadmill_km, "outdoor_km": outdoor_km, "treadmill_share_ratio": share},
        index=weeks.index(),
    )


def weekly_elevation(
    activities: pd.DataFrame,
    *,
    week_start: str = "monday",
    sports: Sports = RUNNING_SPORTS,
    start: DateLike = None,
    end: DateLike = None,
) -> pd.DataFrame:
    """Weekly ascent and descent, absolute and per kilometre.

    Parameters
    ----------
    activities : DataFrame
        The activities table (``ascent_m``, ``descent_m`` are smoothed elevation gain
        and loss, see :mod:`runload.elevation`).
    week_start : str, default "monday"
        First day of the week, a weekday name.
    sports : iterable of str or None, default :data:`RUNNING_SPORTS`
        Which activities count.
    start, end : date, str or Timestamp, optional
        The observed calendar; default: first and last selected activity.

    Returns
    -------
    DataFrame
        Index ``week_start`` (tz-naive DatetimeIndex of local days, continuous).  Columns
        ``ascent_m`` [m], ``descent_m`` [m], ``ascent_m_per_km`` [m/km] and
        ``descent_m_per_km`` [m/km].  The per-km values divide by the distance of the
        runs that have an ascent (resp. descent) value, so treadmill runs without
        elevation do not dilute them; NaN when that distance is 0.

    Notes
    -----
    Downhill running raises impact and braking forces and uphill running the
    propulsive forces (Gottschall & Kram 2005); there is no injury-outcome threshold,
    so the risk rules compare these values with the runner's own history.
    """
    columns = ("ascent_m", "descent_m", "ascent_m_per_km", "descent_m_per_km")
    runs, weeks = _weekly_setup(activities, week_start, sports, start, end, "weekly_elevation")
    if weeks is None:
        return _empty_weekly(columns)
    data: dict[str, np.ndarray] = {}
    for name in ("ascent_m", "descent_m"):
        data[name] = weeks.sums(runs, name)
    for name in ("ascent_m", "descent_m"):
        known = runs.loc[runs[name].notna()]
        km = weeks.sums(known, "distance_km")
        per_km = np.full(weeks.count, np.nan)
        per_km[km > 0] = data[name][km > 0] / km[km > 0]
        data[f"{name}_per_km"] = per_km
    return pd.DataFrame(data, index=weeks.index())[list(columns)]


# ---------------------------------------------------------------------------
# Per-run tables
# ---------------------------------------------------------------------------


def _history_days(runs: pd.DataFrame) -> np.ndarray:
    day = runs["day"].to_numpy(dtype=np.int64)
    return day - day.min() if day.size else day


def long_run_spikes(
    activities: pd.DataFrame,
    *,
    window_days: int = 30,
    sports: Sports = RUNNING_SPORTS,
) -> pd.DataFrame:
    """Each run's distance against the longest run of the preceding window.

    The window of a run on local day d holds the runs of the ``window_days`` local days
    before it, d − window_days … d − 1 (so with 30 days a run 30 days earlier is in,
    31 days earlier is out), plus the runs earlier on day d itself: a second run on
    the same day is compared with the first one.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    window_days : int, default 30
        Window length [days] (Frandsen et al. 2025 use the preceding 30 days).
    sports : iterable of str or None, default :data:`RUNNING_SPORTS`
        Which activities count.

    Returns
    -------
    DataFrame
        One row per run, index ``activity_id``, in chronological order.  Columns:

        local_date : datetime.date
            Local date of the run.
        distance_km : float
            Distance of the run. [km]
        previous_longest_km : float
            Longest run in the window; NaN when the window has no run with a distance. [km]
        spike_ratio : float
            distance_km ÷ previous_longest_km; NaN when the window has no run (or only
            runs of zero distance).  Frandsen et al. (2025) bands (≤ 1.1 reference,
            1.1–1.3, 1.3–2.0, > 2.0) are applied by the risk rules.
        history_days : int
            Days between the first selected run and this run's date [days]; the window
            is fully observed when ``history_days >= window_days``.
    """
    if not isinstance(window_days, int | np.integer) or window_days < 1:
        raise ValueError("window_days must be a positive integer")
    runs = _prepare(activities, sports, "long_run_spikes")
    day = runs["day"].to_numpy(dtype=np.int64)
    distance = runs["distance_km"].to_numpy(dtype=float)
    lows = np.searchsorted(day, day - window_days, side="left")
    # the longest finite distance of runs lows[i] .. i-1 (NaN when there is none)
    finite = np.where(np.isfinite(distance), distance, np.nan)
    previous = window_reduce(finite, lows, np.arange(day.size), np.fmax.reduce)
    spike = np.full(day.size, np.nan)
    ok = np.isfinite(previous) & (previous > 0) & np.isfinite(distance)
    spike[ok] = distance[ok] / previous[ok]
    return pd.DataFrame(
        {
            "local_date": runs["local_date"].to_numpy(dtype=object),
            "distance_km": distance,
            "previous_longest_km": previous,
            "spike_ratio": spike,
            "history_days": _history_days(runs),
        },
        index=runs.index,
    )


def surface_transitions(
    activities: pd.DataFrame,
    *,
    window_weeks: int = 4,
    sports: Sports = RUNNING_SPORTS,
) -> pd.DataFrame:
    """For each outdoor run, how much of the preceding running was on a treadmill.

    The window of an outdoor run on local day d holds the runs of the
    7 × ``window_weeks`` local days before it (d − 7·window_weeks … d − 1; rolling
    7-day blocks, not calendar weeks) plus the runs earlier on day d.  Treadmill means
    ``surface == "treadmill"``; outdoor is every other surface.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    window_weeks : int, default 4
        Window length [weeks].
    sports : iterable of str or None, default :data:`RUNNING_SPORTS`
        Which activities count.

    Returns
    -------
    DataFrame
        One row per outdoor run, index ``activity_id``, chronological.  Columns:

        local_date : datetime.date
        surface : str
        distance_km : float
            This run. [km]
        prior_treadmill_km, prior_outdoor_km : float
            Running distance in the window by surface. [km]
        prior_treadmill_share_ratio : float
            prior_treadmill_km ÷ (prior_treadmill_km + prior_outdoor_km); NaN when the
            window has no distance.
        prior_treadmill_runs : int
            Number of treadmill runs in the window.
        prior_treadmill_mean_km : float
            Mean distance of those treadmill runs (NaN when none). [km]
        distance_to_treadmill_mean_ratio : float
            distance_km ÷ prior_treadmill_mean_km (NaN when undefined): advice for the
            move to the road is to start shorter than on the treadmill.
        history_days : int
            Days between the first selected run and this run's date. [days]

    Notes
    -----
    Overground running loads the tibia more than treadmill running (Milgrom et al.
    2003, n = 3; Van Hooren et al. 2020); the transition advice is expert opinion.
    """
    if not isinstance(window_weeks, int | np.integer) or window_weeks < 1:
        raise ValueError("window_weeks must be a positive integer")
    runs = _prepare(activities, sports, "surface_transitions")
    day = runs["day"].to_numpy(dtype=np.int64)
    distance = np.nan_to_num(runs["distance_km"].to_numpy(dtype=float), nan=0.0)
    treadmill = (runs["surface"] == "treadmill").to_numpy()
    history = _history_days(runs)
    outdoor_rows = np.flatnonzero(~treadmill)
    lows = np.searchsorted(day, day - 7 * window_weeks, side="left")
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "prior_treadmill_km",
            "prior_outdoor_km",
            "prior_treadmill_share_ratio",
            "prior_treadmill_runs",
            "prior_treadmill_mean_km",
            "distance_to_treadmill_mean_ratio",
        )
    }
    own_km = runs["distance_km"].to_numpy(dtype=float)
    for i in outdoor_rows:
        lo = lows[i]
        in_tm = treadmill[lo:i]
        km = distance[lo:i]
        tm_km = float(km[in_tm].sum())
        out_km = float(km[~in_tm].sum())
        total = tm_km + out_km
        n_tm = int(in_tm.sum())
        tm_mean = tm_km / n_tm if n_tm else float("nan")
        own = float(own_km[i])
        cols["prior_treadmill_km"].append(tm_km)
        cols["prior_outdoor_km"].append(out_km)
        cols["prior_treadmill_share_ratio"].append(tm_km / total if total > 0 else float("nan"))
        cols["prior_treadmill_runs"].append(n_tm)
        cols["prior_treadmill_mean_km"].append(tm_mean)
        cols["distance_to_treadmill_mean_ratio"].append(
            own / tm_mean if n_tm and tm_mean > 0 and np.isfinite(own) else float("nan")
        )
    sel = runs.iloc[outdoor_rows]
    frame = pd.DataFrame(
        {
            "local_date": sel["local_date"].to_numpy(dtype=object),
            "surface": sel["surface"].to_numpy(dtype=object),
            "distance_km": sel["distance_km"].to_numpy(dtype=float),
            "prior_treadmill_km": np.array(cols["prior_treadmill_km"], dtype=float),
            "prior_outdoor_km": np.array(cols["prior_outdoor_km"], dtype=float),
            "prior_treadmill_share_ratio": np.array(
                cols["prior_treadmill_share_ratio"], dtype=float
            ),
            "prior_treadmill_runs": np.array(cols["prior_treadmill_runs"], dtype=np.int64),
            "prior_treadmill_mean_km": np.array(cols["prior_treadmill_mean_km"], dtype=float),
            "distance_to_treadmill_mean_ratio": np.array(
                cols["distance_to_treadmill_mean_ratio"], dtype=float
            ),
            "history_days": history[outdoor_rows].astype(np.int64),
        },
        index=sel.index,
    )
    return frame


def elevation_load(
    activities: pd.DataFrame,
    *,
    sports: Sports = RUNNING_SPORTS,
) -> pd.DataFrame:
    """Ascent and descent of each run, absolute and per kilometre.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    sports : iterable of str or None, default :data:`RUNNING_SPORTS`
        Which activities count.

    Returns
    -------
    DataFrame
        One row per run, index ``activity_id``, chronological.  Columns
        ``local_date`` (datetime.date), ``distance_km`` [km], ``ascent_m`` [m],
        ``descent_m`` [m], ``ascent_m_per_km`` [m/km] and ``descent_m_per_km`` [m/km]
        (NaN when the distance is 0 or unknown, or the run has no elevation).

    See Also
    --------
    weekly_elevation : the same per local week.
    """
    runs = _prepare(activities, sports, "elevation_load")
    return reused(("elevation_load",), (runs,), lambda: _elevation_load(runs))


def _elevation_load(runs: pd.DataFrame) -> pd.DataFrame:
    distance = runs["distance_km"].to_numpy(dtype=float)
    data: dict[str, Any] = {
        "local_date": runs["local_date"].to_numpy(dtype=object),
        "distance_km": distance,
    }
    usable = np.isfinite(distance) & (distance > 0)
    for name in ("ascent_m", "descent_m"):
        values = runs[name].to_numpy(dtype=float)
        per_km = np.full(values.size, np.nan)
        per_km[usable] = values[usable] / distance[usable]
        data[name] = values
        data[f"{name}_per_km"] = per_km
    columns = ["local_date", "distance_km", "ascent_m", "descent_m"]
    columns += ["ascent_m_per_km", "descent_m_per_km"]
    return pd.DataFrame(data, index=runs.index)[columns]


# ---------------------------------------------------------------------------
# Shoes
# ---------------------------------------------------------------------------

GearMap = pd.DataFrame | Sequence[Mapping[str, Any]] | None


def _gear_table(gear_map: GearMap) -> pd.DataFrame:
    """Validated gear map: gear (str), first/last day (int, open ends as ±inf), initial_km."""
    return reused(("gear_table",), (gear_map,), lambda: _validated_gear(gear_map))


def _validated_gear(gear_map: GearMap) -> pd.DataFrame:
    columns = ["gear", "first", "last", "initial_km"]
    if gear_map is None:
        return pd.DataFrame(columns=columns)
    if isinstance(gear_map, pd.DataFrame):
        table = gear_map
    else:
        table = pd.DataFrame(list(gear_map))
    if "gear" not in table.columns:
        raise ValueError("gear_map needs a 'gear' column")
    rows = []
    for k, row in enumerate(table.to_dict("records")):
        gear = row.get("gear")
        if _missing(gear) or str(gear).strip() == "":
            raise ValueError(f"gear_map row {k}: gear is missing")
        first = _to_day(_none_if_missing(row.get("start_date")))
        last = _to_day(_none_if_missing(row.get("end_date")))
        if first is not None and last is not None and last < first:
            raise ValueError(f"gear_map row {k} ({gear}): end_date is before start_date")
        initial = row.get("initial_km", 0.0)
        initial_km = 0.0 if _missing(initial) else float(initial)
        if initial_km < 0:
            raise ValueError(f"gear_map row {k} ({gear}): initial_km is negative")
        rows.append(
            {
                "gear": str(gear),
                "first": -np.inf if first is None else first,
                "last": np.inf if last is None else last,
                "initial_km": initial_km,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _none_if_missing(value: Any) -> Any:
    return None if _missing(value) else value


def _assign_gear(runs: pd.DataFrame, gear: pd.DataFrame) -> np.ndarray:
    """Shoe of each run: the ``gear`` column if set, else the gear_map range covering it."""
    key = ("assign_gear", _gear_key(gear))
    assigned, ambiguous = reused(key, (runs,), lambda: _assigned_gear(runs, gear))
    if ambiguous:
        warnings.warn(
            f"{ambiguous} run(s) fall in the date ranges of several shoes in gear_map; each "
            "was given the shoe whose range started last (set the gear column to choose)",
            DataQualityWarning,
            stacklevel=3,
        )
    return assigned


def _gear_key(gear: pd.DataFrame) -> tuple[tuple[Any, ...], ...]:
    """A validated gear map (:func:`_gear_table`) by value."""
    return tuple(zip(*(gear[c].tolist() for c in gear.columns), strict=True))


def _present(shoe: np.ndarray) -> np.ndarray:
    """Which shoes of an array are given (not None or missing)."""
    return np.array(
        [s is not None and (isinstance(s, str) or not _missing(s)) for s in shoe], dtype=bool
    )


def _assigned_gear(runs: pd.DataFrame, gear: pd.DataFrame) -> tuple[np.ndarray, int]:
    """The shoes of :func:`_assign_gear`, and how many runs had several to choose from."""
    assigned = runs["gear"].to_numpy(dtype=object).copy()
    if gear.empty:
        return assigned, 0
    day = runs["day"].to_numpy(dtype=float)
    first = gear["first"].to_numpy(dtype=float)
    last = gear["last"].to_numpy(dtype=float)
    names = gear["gear"].to_numpy(dtype=object)
    ambiguous = 0
    for i in np.flatnonzero([_missing(g) for g in assigned]):
        covering = np.flatnonzero((first <= day[i]) & (day[i] <= last))
        shoes = list(dict.fromkeys(names[covering]))
        if not shoes:
            continue
        if len(shoes) > 1:
            ambiguous += 1
            latest = covering[np.argmax(first[covering])]
            assigned[i] = names[latest]
        else:
            assigned[i] = shoes[0]
    return assigned, ambiguous


def shoe_mileage(
    activities: pd.DataFrame,
    *,
    gear_map: GearMap = None,
    sports: Sports = RUNNING_SPORTS,
) -> pd.DataFrame:
    """Cumulative distance on each shoe, run by run.

    The shoe of a run is its ``gear`` value when the activities table has one;
    otherwise the ``gear_map`` entry whose date range contains the run's local date.
    Runs with no shoe either way are left out.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    gear_map : DataFrame or sequence of mappings, optional
        One entry per shoe period: ``gear`` (name), ``start_date`` and ``end_date``
        (local dates, both inclusive; missing/None = open-ended) and optionally
        ``initial_km`` [km], the distance already on the shoe before its first run in
        the table (taken once per shoe, from its first entry that gives one).  When
        ranges of different shoes overlap, a run without a ``gear`` value goes to the
        shoe whose range started last, with a
        :class:`~runload.exceptions.DataQualityWarning`.
    sports : iterable of str or None, default :data:`RUNNING_SPORTS`
        Which activities count (walking in running shoes wears them too: pass
        ``sports=None`` to count everything).

    Returns
    -------
    DataFrame
        One row per run with a shoe, index ``activity_id``, chronological.  Columns
        ``local_date`` (datetime.date), ``gear`` (str), ``distance_km`` [km] and
        ``cumulative_km`` [km]: ``initial_km`` plus the distance of this and every
        earlier run on the same shoe (unknown distances count as 0).

    Notes
    -----
    Replacement is conventionally advised at 480–800 km (Cook et al. 1985, machine
    tests of cushioning; practice, not injury evidence).
    """
    runs = _prepare(activities, sports, "shoe_mileage")
    gear = _gear_table(gear_map)
    shoe = _assign_gear(runs, gear)
    key = ("shoe_mileage", _gear_key(gear))
    return reused(key, (runs, shoe), lambda: _shoe_mileage(runs, gear, shoe))


def _shoe_mileage(runs: pd.DataFrame, gear: pd.DataFrame, shoe: np.ndarray) -> pd.DataFrame:
    has = _present(shoe)
    sel = runs.loc[has]
    shoes = pd.Series(shoe[has], index=sel.index, dtype=object)
    distance = sel["distance_km"].to_numpy(dtype=float)
    initial = gear.loc[gear["initial_km"] > 0].drop_duplicates("gear").set_index("gear")
    initial_km = shoes.map(initial["initial_km"]).fillna(0.0).to_numpy(dtype=float)
    cumulative = (
        pd.Series(np.nan_to_num(distance, nan=0.0), index=sel.index)
        .groupby(shoes.to_numpy())
        .cumsum()
        .to_numpy(dtype=float)
    )
    return pd.DataFrame(
        {
            "local_date": sel["local_date"].to_numpy(dtype=object),
            "gear": shoes.to_numpy(dtype=object),
            "distance_km": distance,
            "cumulative_km": cumulative + initial_km,
        },
        index=sel.index,
    )


def shoe_rotation(
    activities: pd.DataFrame,
    *,
    window_days: int = 28,
    gear_map: GearMap = None,
    sports: Sports = RUNNING_SPORTS,
) -> pd.Series:
    """Number of different shoes used in the trailing window, at each run.

    The window of a run on local day d holds the runs on local days
    d − (window_days − 1) … d up to and including this run (later runs the same day
    are not counted).  Shoes are assigned as in :func:`shoe_mileage`.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    window_days : int, default 28
        Window length [days], today included.  The 28-day default is a convention;
        Malisoux et al. (2015) compared runners who used more than one pair in
        parallel (HR 0.614, 0.389–0.969) without fixing a window.
    gear_map : DataFrame or sequence of mappings, optional
        As in :func:`shoe_mileage`.
    sports : iterable of str or None, default :data:`RUNNING_SPORTS`
        Which activities count.

    Returns
    -------
    Series of int
        One value per selected run (runs without a shoe included: they add no shoe),
        index ``activity_id``, chronological, named ``shoe_count``.
    """
    if not isinstance(window_days, int | np.integer) or window_days < 1:
        raise ValueError("window_days must be a positive integer")
    runs = _prepare(activities, sports, "shoe_rotation")
    shoe = _assign_gear(runs, _gear_table(gear_map))
    day = runs["day"].to_numpy(dtype=np.int64)
    lows = np.searchsorted(day, day - (window_days - 1), side="left")
    # shoe c is in the window lows[i] .. i when its last run up to i is at lows[i] or later
    codes = np.full(day.size, -1, dtype=np.int64)
    number: dict[Any, int] = {}
    for i in np.flatnonzero(_present(shoe)).tolist():
        codes[i] = number.setdefault(shoe[i], len(number))
    position = np.arange(day.size)
    counts = np.zeros(day.size, dtype=np.int64)
    for c in range(len(number)):
        last = np.maximum.accumulate(np.where(codes == c, position, -1))
        counts += last >= lows
    return pd.Series(counts, index=runs.index, name="shoe_count")
