"""What the rules compare a run or a week with: breaks, the pre-break reference, the recent normal.

A support module (no rule of its own) shared by ``return_after_break``,
``long_run_spike`` and ``distance_jump``, so that the three agree on what a break is.

Definitions (docs/risk.md explains the choices):

* **trivial run**: shorter than ``trivial_share`` (20 %) of the typical run before it,
  or shorter than ``trivial_km`` (3 km) when that is less than half of the typical
  run.  A 2 km jog in a break of a runner whose typical run is 10 km is trivial; the
  2.5 km runs of a runner who always runs 2.5 km are not.
* **break**: ``break_days`` (14) or more between two consecutive non-trivial runs.
  Trivial runs in between neither end the break nor count in any reference.
* **recent normal** (:func:`recent_normal`): the mean of the two biggest of the last
  four weeks with running.
* **pre-break reference**: the runs of the ``reference_days`` (28) days up to and
  including the last non-trivial run before the break: mean weekly distance, longest
  run and typical (median) run.  It is *complete* with at least
  ``min_reference_runs`` (3) runs and at least 14 observed days (days since the first
  run of the log); an incomplete reference is never used.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..load import reused, window_reduce

__all__ = [
    "BreakDefinition",
    "Breaks",
    "Reference",
    "Return",
    "break_definition",
    "find_breaks",
    "recent_normal",
    "recent_normals",
]

#: Fewest observed days for a complete pre-break reference. [d]
MIN_REFERENCE_SPAN_DAYS = 14


@dataclass(frozen=True)
class BreakDefinition:
    """What counts as a break and as a trivial run (the settings of ``return_after_break``).

    Attributes
    ----------
    break_days : int
        Days between two non-trivial runs that make a break. [d]
    reference_days : int
        Length of the pre-break reference window. [d]
    min_reference_runs : int
        Fewest runs in that window for a complete reference.
    trivial_km : float
        Absolute floor of a non-trivial run (see the module notes). [km]
    trivial_share : float
        Relative floor: share of the typical pre-break run. [1]
    """

    break_days: int = 14
    reference_days: int = 28
    min_reference_runs: int = 3
    trivial_km: float = 3.0
    trivial_share: float = 0.2

    def trivial_below_km(self, typical_km: float) -> float:
        """The distance under which a run is trivial, given the typical run. [km]"""
        if not np.isfinite(typical_km) or typical_km <= 0:
            return 0.0
        floor = self.trivial_km if self.trivial_km <= 0.5 * typical_km else 0.0
        return max(self.trivial_share * typical_km, floor)

    def trivial_below_km_all(self, typical_km: np.ndarray) -> np.ndarray:
        """:meth:`trivial_below_km` of each typical run of an array. [km]"""
        typical = np.asarray(typical_km, dtype=float)
        with np.errstate(invalid="ignore", over="ignore"):
            floor = np.where(self.trivial_km <= 0.5 * typical, self.trivial_km, 0.0)
            share = self.trivial_share * typical
            below = np.where(floor > share, floor, share)  # max(share, floor): share on ties
        return np.where(np.isfinite(typical) & (typical > 0), below, 0.0)


@dataclass(frozen=True)
class Reference:
    """The runner's load over the window up to the last non-trivial run before a break.

    Attributes
    ----------
    first, last : datetime.date
        The window's first and last day (``last`` is the last non-trivial run).
    runs : int
        Runs in the window.
    observed_days : int
        Days of the window after the log's first run. [d]
    weekly_km : float
        Total distance ÷ observed weeks (observed days ÷ 7, rounded up). [km]
    longest_km, typical_km : float
        Longest and median run. [km]
    complete : bool
        Enough runs and days to be used (see the module notes).
    """

    first: dt.date
    last: dt.date
    runs: int
    observed_days: int
    weekly_km: float
    longest_km: float
    typical_km: float
    complete: bool


@dataclass(frozen=True)
class Return:
    """The first non-trivial run after a break, with what came before.

    Attributes
    ----------
    position : int
        Row of the run in the run table.
    activity_id : str
    date : datetime.date
    last_before : datetime.date
        Date of the last non-trivial run before the break.
    gap_days : int
        ``date − last_before``. [d]
    reference : Reference
        The pre-break reference.
    trivial_ids : tuple of str
        Trivial runs done during the break.
    """

    position: int
    activity_id: str
    date: dt.date
    last_before: dt.date
    gap_days: int
    reference: Reference
    trivial_ids: tuple[str, ...]


@dataclass(frozen=True)
class Breaks:
    """Result of :func:`find_breaks`.

    Attributes
    ----------
    substantial : ndarray of bool
        Per run of the run table: not trivial.
    last_substantial : ndarray of int
        Per run: row of the last non-trivial run strictly before it (−1: none).
    returns : list of Return
        One per break, chronological.
    references : dict of int to Reference
        The reference ending at each non-trivial run that was looked at.
    """

    substantial: np.ndarray
    last_substantial: np.ndarray
    returns: list[Return]
    references: dict[int, Reference]


def _reference(
    dates: list[dt.date], km: np.ndarray, j: int, definition: BreakDefinition
) -> Reference:
    last = dates[j]
    first = last - dt.timedelta(days=definition.reference_days - 1)
    lo = j
    while lo > 0 and dates[lo - 1] >= first:
        lo -= 1
    hi = j
    while hi + 1 < len(dates) and dates[hi + 1] == last:
        hi += 1
    window = km[lo : hi + 1]
    observed = (last - max(first, dates[0])).days + 1
    weeks = float(math.ceil(observed / 7.0))
    return Reference(
        first=first,
        last=last,
        runs=int(window.size),
        observed_days=int(observed),
        weekly_km=float(window.sum() / weeks) if weeks > 0 else float("nan"),
        longest_km=float(window.max()) if window.size else float("nan"),
        typical_km=float(np.median(window)) if window.size else float("nan"),
        complete=bool(
            window.size >= definition.min_reference_runs and observed >= MIN_REFERENCE_SPAN_DAYS
        ),
    )


def find_breaks(runs: pd.DataFrame, definition: BreakDefinition) -> Breaks:
    """Find the breaks in a run table and the reference before each.

    Parameters
    ----------
    runs : DataFrame
        Chronological runs with ``local_date`` and ``distance_km`` (as
        :func:`runload.risk.flag.run_table` returns them).
    definition : BreakDefinition

    Returns
    -------
    Breaks
    """
    return reused(("find_breaks", definition), (runs,), lambda: _find_breaks(runs, definition))


def _find_breaks(runs: pd.DataFrame, definition: BreakDefinition) -> Breaks:
    dates: list[dt.date] = list(runs["local_date"])
    km = np.nan_to_num(runs["distance_km"].to_numpy(dtype=float), nan=0.0)
    ids = list(map(str, runs.index.tolist()))
    n = len(dates)
    reference, below = _references(dates, km, definition)
    distance: list[float] = km.tolist()
    substantial = [False] * n
    last_sub = [-1] * n
    references: dict[int, Reference] = {}
    returns: list[Return] = []
    current = -1
    trivial_in_gap: list[str] = []
    for i in range(n):
        last_sub[i] = current
        if current < 0:
            substantial[i] = distance[i] > 0
            if substantial[i]:
                current = i
            continue
        ref = references.get(current)
        if ref is None:
            ref = references[current] = reference(current)
        threshold = definition.trivial_below_km(ref.typical_km) if below is None else below[current]
        if distance[i] < threshold or distance[i] <= 0:
            trivial_in_gap.append(ids[i])
            continue
        substantial[i] = True
        gap = (dates[i] - dates[current]).days
        if gap >= definition.break_days:
            returns.append(
                Return(
                    position=i,
                    activity_id=ids[i],
                    date=dates[i],
                    last_before=dates[current],
                    gap_days=int(gap),
                    reference=ref,
                    trivial_ids=tuple(trivial_in_gap),
                )
            )
        trivial_in_gap = []
        current = i
    return Breaks(
        np.array(substantial, dtype=bool), np.array(last_sub, dtype=np.int64), returns, references
    )


def _references(
    dates: list[dt.date], km: np.ndarray, definition: BreakDefinition
) -> tuple[Callable[[int], Reference], list[float] | None]:
    """``j -> _reference(dates, km, j, definition)`` with every window reduced at once.

    The window of run j holds runs ``lo[j] .. hi[j]``: back to the first run on or
    after ``dates[j] - (reference_days - 1)`` (never past j) and on to the last run of
    ``dates[j]``.  Sums, maxima and medians of all the windows are computed together
    (:func:`runload.load.window_reduce`, bit for bit the values of the loop), and so is
    the trivial-run threshold of each reference (:meth:`BreakDefinition.trivial_below_km`;
    None: ask the definition).  Dates out of order fall back on :func:`_reference`.
    """
    n = len(dates)
    day = np.fromiter((d.toordinal() for d in dates), dtype=np.int64, count=n)
    if n == 0 or bool((np.diff(day) < 0).any()):
        return (lambda j: _reference(dates, km, j, definition)), None
    span = definition.reference_days - 1
    lo = np.minimum(np.searchsorted(day, day - span, side="left"), np.arange(n))
    hi = np.searchsorted(day, day, side="right")
    observed = day - np.maximum(day - span, day[0]) + 1
    # the windows of runs on the same day differ only when reference_days < 1
    _, first, which = np.unique(lo * (n + 1) + hi, return_index=True, return_inverse=True)
    total = window_reduce(km, lo[first], hi[first], np.sum)[which]
    longest = window_reduce(km, lo[first], hi[first], np.max)[which]
    typical = window_reduce(km, lo[first], hi[first], np.median)[which]
    size = hi - lo
    weeks = np.ceil(observed / 7.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        weekly = np.where(weeks > 0, total / weeks, np.nan)
    complete = (size >= definition.min_reference_runs) & (observed >= MIN_REFERENCE_SPAN_DAYS)
    columns = (
        observed.tolist(),
        size.tolist(),
        weekly.tolist(),
        longest.tolist(),
        typical.tolist(),
        complete.tolist(),
    )
    before = dt.timedelta(days=span)

    def reference(j: int) -> Reference:
        return Reference(
            first=dates[j] - before,
            last=dates[j],
            runs=columns[1][j],
            observed_days=columns[0][j],
            weekly_km=columns[2][j],
            longest_km=columns[3][j],
            typical_km=columns[4][j],
            complete=columns[5][j],
        )

    return reference, definition.trivial_below_km_all(typical).tolist()


def recent_normal(
    weekly_km: np.ndarray,
    k: int,
    *,
    weeks: int,
    lookback_weeks: int,
    min_weeks: int,
    trivial_share: float,
    usable: np.ndarray | None = None,
) -> tuple[float, list[int]]:
    """The runner's recent normal week before week ``k``: the upper half of recent weeks.

    The normal is the mean of the bigger half (rounded up) of the last ``weeks`` weeks
    with running: of four weeks, the two biggest.  A planned cut-back week, or a week cut
    short by a cold or a busy schedule, is not what the runner normally does, and with
    the usual ±15 % from week to week a median of four would often sit on such a week.

    Parameters
    ----------
    weekly_km : ndarray
        Distance of each week of a continuous calendar. [km]
    k : int
        The week judged.
    weeks : int
        How many recent weeks form the normal (the last ``weeks`` usable ones).
    lookback_weeks : int
        How far back to look for them. [weeks]
    min_weeks : int
        Fewest usable weeks for a normal (NaN otherwise).
    trivial_share : float
        Weeks below this share of the median of the non-zero weeks in the lookback are
        left out (a week holding only a short jog in a break). [1]
    usable : ndarray of bool, optional
        Weeks allowed at all (default: every week).

    Returns
    -------
    (float, list of int)
        The normal [km] (NaN without enough weeks) and the weeks it was taken from (all of
        the recent weeks looked at, not only the bigger half).
    """
    lo = max(k - lookback_weeks, 0)
    candidates = [
        j for j in range(lo, k) if weekly_km[j] > 0 and (usable is None or bool(usable[j]))
    ]
    if not candidates:
        return float("nan"), []
    overall = float(np.median(weekly_km[candidates]))
    kept = [j for j in candidates if weekly_km[j] >= trivial_share * overall][-weeks:]
    if len(kept) < min_weeks:
        return float("nan"), kept
    values = np.sort(weekly_km[kept])[::-1]
    upper = values[: (len(values) + 1) // 2]
    return float(upper.mean()), kept


def recent_normals(
    weekly_km: np.ndarray,
    *,
    weeks: int,
    lookback_weeks: int,
    min_weeks: np.ndarray,
    trivial_share: float,
    usable: np.ndarray | None = None,
    judged: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`recent_normal` of every week at once, and the biggest week it was taken from.

    Parameters
    ----------
    weekly_km, weeks, lookback_weeks, trivial_share, usable
        As for :func:`recent_normal`.
    min_weeks : ndarray of int
        ``min_weeks`` of each week.
    judged : ndarray of bool, optional
        The weeks wanted (default: all); the others are NaN.

    Returns
    -------
    (ndarray, ndarray)
        Per week k: ``recent_normal(weekly_km, k, ...)[0]`` (bit for bit: the same numpy
        medians, sorts and means, on the weeks of all k stacked by row), and the biggest
        of the weeks it was taken from (NaN where the normal is NaN). [km]
    """
    km = np.asarray(weekly_km, dtype=float)
    n = km.size
    normal = np.full(n, np.nan)
    peak = np.full(n, np.nan)
    ok = km > 0
    if usable is not None:
        ok &= np.asarray(usable, dtype=bool)
    candidates = np.flatnonzero(ok)
    if n == 0 or candidates.size == 0:
        return normal, peak
    every = np.arange(n)
    first = np.searchsorted(candidates, np.maximum(every - lookback_weeks, 0), side="left")
    count = np.maximum(np.searchsorted(candidates, every, side="left") - first, 0)
    values = km[candidates]
    overall = window_reduce(values, first, first + count, np.median)
    # the candidates of week k, left-aligned in row k (NaN beyond them)
    width = int(count.max())
    column = np.arange(width)
    inside = column < count[:, None]
    table = np.where(inside, values[np.minimum(first[:, None] + column, values.size - 1)], np.nan)
    with np.errstate(invalid="ignore"):
        kept = inside & (table >= (trivial_share * overall)[:, None])
    # kept[-weeks:], as Python slices the list of kept weeks
    if weeks > 0:
        from_right = np.cumsum(kept[:, ::-1], axis=1)[:, ::-1]
        kept &= from_right <= weeks
    elif weeks < 0:
        kept &= np.cumsum(kept, axis=1) > -weeks
    n_kept = kept.sum(axis=1)
    min_weeks = np.broadcast_to(np.asarray(min_weeks), (n,))
    enough = (count > 0) & (n_kept >= min_weeks)
    if judged is not None:
        enough &= np.asarray(judged, dtype=bool)
    for k in np.flatnonzero(enough & (n_kept == 0)).tolist():
        # nothing kept yet enough (min_weeks <= 0): the loop's own answer (a NaN mean)
        normal[k] = recent_normal(
            km,
            k,
            weeks=weeks,
            lookback_weeks=lookback_weeks,
            min_weeks=int(min_weeks[k]),
            trivial_share=trivial_share,
            usable=usable,
        )[0]
    rows = np.flatnonzero(enough & (n_kept > 0))
    if rows.size:
        descending = np.sort(np.where(kept[rows], table[rows], -np.inf), axis=1)[:, ::-1]
        peak[rows] = descending[:, 0]
        half = (n_kept[rows] + 1) // 2
        for m in np.unique(half).tolist():
            at = np.flatnonzero(half == m)
            normal[rows[at]] = descending[at, :m].mean(axis=1)
    return normal, peak


def break_definition(profile: object | None = None) -> BreakDefinition:
    """The break definition of a :class:`~runload.risk.RiskProfile` (defaults when None).

    Reads the ``return_after_break`` section, so that every rule agrees with that rule
    on what a break is; the defaults of :class:`BreakDefinition` when the profile has no
    such section.
    """
    if profile is None:
        from .profile import RiskProfile

        profile = RiskProfile()
    section = getattr(profile, "sections", {}).get("return_after_break")
    if section is None:
        return BreakDefinition()
    return BreakDefinition(
        break_days=int(section.break_days),
        reference_days=int(section.reference_days),
        min_reference_runs=int(section.min_reference_runs),
        trivial_km=float(section.trivial_km),
        trivial_share=float(section.trivial_share),
    )
