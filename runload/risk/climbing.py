"""Weekly climbing or descending against the runner's own outdoor norm (shared by two rules).

A support module (no rule of its own) for ``uphill_overload`` (ascent) and
``downhill_overload`` (descent).  Both only have biomechanical data behind them
(Gottschall & Kram 2005), so neither has an absolute threshold: each compares a week
with the runner's own recent weeks.

What enters a week (and the norm):

* outdoor runs only: treadmill runs carry no trustworthy elevation and are left out;
* runs whose climbing can be trusted: the activities column ``ascent_trusted``
  (missing column or NaN count as trusted), with ``elevation_source`` saying why not;
  ascent and descent come from the same elevation stream, so one flag covers both;
* runs with a known ascent (resp. descent) and distance.

The **norm** is the mean of the last ``window_weeks`` weeks *with such outdoor runs*
within ``lookback_weeks``, or the median of all such weeks of the lookback when that is
higher (coming back to a level sustained in the last months, after a flat holiday, is
not an overload); weeks on the treadmill only and holiday weeks without running are not
counted as 0 m, they are skipped.  The per-km norm is built the same way from the
weeks' metres per outdoor km (recent: total metres ÷ total outdoor km), and so is the
norm of steep runs.  A week is flagged when its metres are at least
``min_week_m``, more than ``ratio`` × the norm (in whole percent, as shown), and more
than ``peak_ratio`` (+10 %) above the biggest outdoor week of the lookback (climbing
already done in the last three months is not an increase).  Two
further signals raise the severity: metres per outdoor km also above ``ratio`` × its
norm (steeper running, not only more of it), and at least 2 steep runs
(≥ ``steep_run_m_per_km``) and more than ``ratio`` × their weekly mean.
No further signal → low, one → moderate, both → high.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..load import reused, window_reduce
from .flag import Findings, Flag, above, plural, run_table, run_weeks, shown_pct

__all__ = ["ClimbTexts", "elevation_flags", "trusted_outdoor"]


@dataclass(frozen=True)
class ClimbTexts:
    """The words that differ between the uphill and the downhill rule.

    Attributes
    ----------
    column : str
        ``"ascent_m"`` or ``"descent_m"``.
    verb : str
        ``"climbed"`` / ``"descended"``.
    metric : str
        Flag metric, e.g. ``"ascent_to_norm_ratio"``.
    steep : str
        What a steep run is called (``"hilly runs"``, ``"steep descents"``).
    evidence : str
        The closing sentence on what the evidence says.
    """

    column: str
    verb: str
    metric: str
    steep: str
    evidence: str


def trusted_outdoor(activities: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Per run of ``runs``: ``outdoor`` (bool), ``trusted`` (bool) and ``source`` (str).

    ``trusted`` is the ``ascent_trusted`` column (missing column or NaN → True);
    ``source`` is ``elevation_source`` ("" when missing).
    """
    return reused(("trusted_outdoor",), (activities, runs), lambda: _trusted(activities, runs))


def _trusted(activities: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    index = runs.index
    if "surface" in activities.columns:
        surface = activities["surface"].reindex(index).astype("object")
        outdoor = np.array(
            [not (isinstance(s, str) and s.strip().lower() == "treadmill") for s in surface],
            dtype=bool,
        )
    else:
        outdoor = np.ones(len(index), dtype=bool)
    if "ascent_trusted" in activities.columns:
        raw = activities["ascent_trusted"].reindex(index).astype("object")
        trusted = np.array([not (v is False or v is np.False_) for v in raw], dtype=bool)
    else:
        trusted = np.ones(len(index), dtype=bool)
    if "elevation_source" in activities.columns:
        source = [
            str(v) if isinstance(v, str) else ""
            for v in activities["elevation_source"].reindex(index).astype("object")
        ]
    else:
        source = [""] * len(index)
    return pd.DataFrame({"outdoor": outdoor, "trusted": trusted, "source": source}, index=index)


def _left_out_text(sources: list[str]) -> str:
    if not sources:
        return ""
    counts = Counter(s or "unknown" for s in sources)
    why = ", ".join(f"{n} with {s} elevation" for s, n in counts.most_common())
    return (
        f" {plural(len(sources), 'run')} of these weeks {'was' if len(sources) == 1 else 'were'} "
        f"left out because {'its' if len(sources) == 1 else 'their'} climbing could not be "
        f"trusted ({why})."
    )


def elevation_flags(
    activities: pd.DataFrame,
    *,
    trigger: str,
    texts: ClimbTexts,
    ratio: float,
    window_weeks: int,
    lookback_weeks: int,
    min_norm_weeks: int,
    min_week_m: float,
    steep_run_m_per_km: float,
    baseline_days: int,
    peak_ratio: float = 1.10,
) -> list[Flag]:
    """Flag weeks whose metres up (or down) rose sharply above the runner's outdoor norm.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    trigger : str
        The rule's id.
    texts : ClimbTexts
        Column and wording.
    ratio : float
        Week ÷ norm above which the week is flagged (also used for the two signals). [1]
    window_weeks : int
        Weeks with outdoor running forming the norm. [weeks]
    lookback_weeks : int
        How far back those weeks are looked for. [weeks]
    min_norm_weeks : int
        Fewest such weeks for a norm once the baseline is there. [weeks]
    min_week_m : float
        Weeks with fewer metres are never flagged. [m]
    steep_run_m_per_km : float
        A run with at least this many metres per km is steep. [m/km]
    baseline_days : int
        Days of history before the week for a flag (a notice before). [d]
    peak_ratio : float
        A week at most this multiple of the biggest of the recent norm weeks is never
        flagged (it stays within what the runner did in the last weeks). [1]

    Returns
    -------
    list of Flag
        Dated on the week's Monday; ``metric`` is ``texts.metric``.
    """
    runs = run_table(activities)
    if runs.empty:
        return []
    flags_info = trusted_outdoor(activities, runs)
    metres = runs[texts.column].to_numpy(dtype=float)
    km = runs["distance_km"].to_numpy(dtype=float)
    weeks = run_weeks(runs)
    dates = weeks.dates
    first_monday, n_weeks, week_of = weeks.first_monday, weeks.count, weeks.week_of
    outdoor = flags_info["outdoor"].to_numpy(dtype=bool)
    trusted = flags_info["trusted"].to_numpy(dtype=bool)
    used = outdoor & trusted & np.isfinite(metres) & np.isfinite(km) & (km > 0)
    left = outdoor & ~trusted
    week_m = np.zeros(n_weeks)
    week_km = np.zeros(n_weeks)
    steep = np.zeros(n_weeks)
    np.add.at(week_m, week_of[used], metres[used])
    np.add.at(week_km, week_of[used], km[used])
    per_run = np.where(used, metres / np.where(km > 0, km, np.nan), np.nan)
    np.add.at(steep, week_of[used & (per_run >= steep_run_m_per_km)], 1.0)
    sources = flags_info["source"].tolist()
    ids = list(map(str, runs.index.tolist()))
    first_run = min(dates)
    found = Findings(trigger, baseline_days=baseline_days)
    # The habitual weeks of week k are the weeks with outdoor km among the lookback_weeks
    # before it, the norm weeks the last window_weeks of them: runs of consecutive
    # entries of `active`, reduced all at once (bit for bit the per-week numpy calls).
    active = np.flatnonzero(week_km > 0)
    every = np.arange(n_weeks)
    hab_lo = np.searchsorted(active, np.maximum(every - lookback_weeks, 0), side="left")
    hab_hi = np.searchsorted(active, every, side="left")
    # habitual[-window_weeks:], as Python slices it (window_weeks = 0 keeps every week)
    n_habitual = np.maximum(hab_hi - hab_lo, 0)
    if window_weeks > 0:
        norm_lo = hab_lo + np.maximum(n_habitual - window_weeks, 0)
    else:
        norm_lo = hab_lo + np.minimum(-window_weeks, n_habitual)
    norm_mean = window_reduce(week_m[active], norm_lo, hab_hi, np.mean)
    habitual_median = window_reduce(week_m[active], hab_lo, hab_hi, np.median)
    habitual_peak = window_reduce(week_m[active], hab_lo, hab_hi, np.max)
    candidates = np.flatnonzero(~((week_km <= 0) | (week_m < min_week_m)))
    for k in candidates.tolist():
        week_start = first_monday + dt.timedelta(days=7 * k)
        history = (week_start - first_run).days
        needed = 1 if history < baseline_days else min_norm_weeks
        n_norm = int(hab_hi[k] - norm_lo[k])
        if n_norm < needed or not n_norm:
            continue
        # the higher of the recent mean and the habitual (median) week of the lookback:
        # coming back to a level sustained in the last weeks is not an overload
        norm = max(float(norm_mean[k]), float(habitual_median[k]))
        value = float(week_m[k] / norm) if norm > 0 else float("inf")
        peak = float(habitual_peak[k])
        peak_value = float(week_m[k] / peak) if peak > 0 else float("inf")
        if not (above(value, ratio) and above(peak_value, peak_ratio)):
            continue
        habitual = active[hab_lo[k] : hab_hi[k]].tolist()
        norm_weeks = active[norm_lo[k] : hab_hi[k]].tolist()
        per_km = float(week_m[k] / week_km[k])
        norm_km = float(week_km[norm_weeks].sum())
        recent_per_km = float(week_m[norm_weeks].sum() / norm_km) if norm_km > 0 else 0.0
        norm_per_km = max(recent_per_km, float(np.median(week_m[habitual] / week_km[habitual])))
        per_km_ratio = per_km / norm_per_km if norm_per_km > 0 else float("inf")
        steep_norm = max(float(steep[norm_weeks].mean()), float(np.median(steep[habitual])))
        steep_ratio = steep[k] / steep_norm if steep_norm > 0 else float("inf")
        steeper = above(per_km_ratio, ratio)
        more_steep = bool(steep[k] >= 2 and above(steep_ratio, ratio))
        severity = ("low", "moderate", "high")[int(steeper) + int(more_steep)]
        in_week = np.flatnonzero(week_of == k).tolist()
        week_ids = tuple(ids[i] for i in in_week if used[i])
        considered = [*norm_weeks, k]
        left_rows = np.flatnonzero(left & np.isin(week_of, considered)).tolist()
        left_sources = [sources[i] for i in left_rows]
        treadmill_in_week = sum(1 for i in in_week if not outdoor[i])
        norm_text = (
            f"{shown_pct(value):+d} % on your norm of {norm:.0f} m a week"
            if np.isfinite(value)
            else "after weeks without recorded metres"
        )
        seen = (
            f"in the week of {week_start.isoformat()} you {texts.verb} {week_m[k]:.0f} m on "
            f"your outdoor runs, {norm_text} (the higher of the mean of your last "
            f"{plural(n_norm, 'week')} with outdoor running and your typical such week "
            f"of the last {lookback_weeks} weeks)"
        )
        extra = _left_out_text(left_sources)
        if treadmill_in_week:
            extra += (
                f" {plural(treadmill_in_week, 'treadmill run')} that week "
                f"{'is' if treadmill_in_week == 1 else 'are'} not counted."
            )
        message = (
            f"{seen[0].upper()}{seen[1:]} (flag above {shown_pct(ratio):+d} %). Per outdoor "
            f"km: {per_km:.0f} m/km (usually {norm_per_km:.0f} m/km); {texts.steep} "
            f"(≥ {steep_run_m_per_km:g} m/km): {steep[k]:.0f} (usually {steep_norm:.1f} a "
            f"week).{extra} {texts.evidence}"
        )
        found.add(
            date=week_start,
            history_days=history,
            seen=seen,
            severity=severity,
            metric=texts.metric,
            value=value,
            threshold=ratio,
            message=message,
            activity_ids=week_ids,
        )
    has_any = bool(np.nansum(np.where(used, metres, 0.0)) > 0)
    return found.result(runs if has_any else None)
