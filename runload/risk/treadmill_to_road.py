"""``treadmill_to_road``: moving outdoors after weeks on the treadmill, abruptly or at full volume.

The article's trigger 2, "switching abruptly from the treadmill to the street", with
its advice to begin outdoors with shorter distances than on the treadmill.  The basis
is mechanistic: overground running strained the tibia 48–285 % more than treadmill
running in three subjects (Milgrom et al. 2003), and the review of Van Hooren et al.
(2020) found treadmill and overground running largely, not fully, alike; the advice on
the transition itself is expert opinion.

The rule looks at calendar weeks.  A week is judged when the ``window_weeks`` (4) weeks
before it were a *treadmill period*: at least ``treadmill_share`` (60 %) of their
running distance on a treadmill.  In such a week it measures

* **abruptness**: how much the outdoor share of the week's distance rose within a week
  or two: the week's outdoor share minus the lower of the two previous weeks' (weeks
  without running are skipped);
* **volume moved outdoors**: the week's outdoor kilometres ÷ the mean weekly distance
  of the treadmill period;
* **the longest outdoor run** ÷ the mean treadmill run of the period.

The week is flagged when the share rose by at least ``min_share_rise`` (30 points) and
at least ``min_volume_share`` (50 %) of the usual weekly volume ran outdoors.  Each of
these adds one point: a rise of at least ``abrupt_share_rise`` (70 points, e.g. 0 → 100 %
within two weeks, or a switch in mid-week); at least ``full_volume_share`` (80 %) of
the usual volume outdoors; a run of at least ``long_run_ratio`` (1.5) × the mean
treadmill run.  0–1 points → low, 2 → moderate, 3 → high.  The article's case (weeks on
the treadmill, then everything on the road at the same volume) scores 2: moderate; a
transition spread over four weeks never rises more than 50 points in two weeks: low.
Within one transition a week is reported only when it is more severe than the weeks
already reported, so a gradual move gives one item, not four.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .flag import (
    Findings,
    Flag,
    at_least_share,
    plural,
    register_rule,
    run_table,
    setting,
    share_pct,
)

__all__ = ["TreadmillToRoadSettings", "treadmill_to_road"]

_EXPERT = "expert opinion (transition advice); Milgrom 2003 mechanistic"


@dataclass(frozen=True)
class TreadmillToRoadSettings:
    """Settings of the ``treadmill_to_road`` rule.

    Attributes
    ----------
    window_weeks : int
        Length of the period before the week that must be mostly treadmill. [weeks]
    treadmill_share : float
        Minimal treadmill share of that period's running distance. [1]
    min_share_rise : float
        Minimal rise of the outdoor share within two weeks for a flag. [1]
    abrupt_share_rise : float
        A rise at least this large counts as abrupt (one point). [1]
    min_volume_share : float
        Minimal outdoor km ÷ the period's mean weekly km for a flag. [1]
    full_volume_share : float
        At least this much of the usual volume outdoors counts as full volume (one
        point). [1]
    long_run_ratio : float
        An outdoor run of at least this multiple of the mean treadmill run adds a point. [1]
    baseline_days : int
        Days of running history needed before the week. [d]
    """

    window_weeks: int = setting(4, unit="weeks", source="the article: weeks on the treadmill")
    treadmill_share: float = setting(0.60, unit="1", source="convention: mostly treadmill")
    min_share_rise: float = setting(0.30, unit="1", source=_EXPERT)
    abrupt_share_rise: float = setting(0.70, unit="1", source=_EXPERT)
    min_volume_share: float = setting(0.50, unit="1", source=_EXPERT)
    full_volume_share: float = setting(0.80, unit="1", source="the article: same volume")
    long_run_ratio: float = setting(
        1.50, unit="1", source="the article: start shorter than on the treadmill"
    )
    baseline_days: int = setting(28, unit="d", source="the 4-week window")


_D = TreadmillToRoadSettings()

REFERENCE = (
    "Milgrom et al., Br J Sports Med 2003;37:160–3; Van Hooren et al., Sports Med "
    "2020;50:785–813; transition advice is expert opinion"
)
ADVICE = (
    "After a period on the treadmill, make your first outdoor runs shorter than your usual "
    "treadmill runs and move your running outdoors over a few weeks rather than at once."
)

_SEVERITY = ("low", "low", "moderate", "high")
_RANK = {"": 0, "low": 1, "moderate": 2, "high": 3}


@register_rule(
    "treadmill_to_road",
    evidence="mechanistic",
    reference=REFERENCE,
    advice=ADVICE,
    settings=TreadmillToRoadSettings,
)
def treadmill_to_road(
    activities: pd.DataFrame,
    *,
    window_weeks: int = _D.window_weeks,
    treadmill_share: float = _D.treadmill_share,
    min_share_rise: float = _D.min_share_rise,
    abrupt_share_rise: float = _D.abrupt_share_rise,
    min_volume_share: float = _D.min_volume_share,
    full_volume_share: float = _D.full_volume_share,
    long_run_ratio: float = _D.long_run_ratio,
    baseline_days: int = _D.baseline_days,
) -> list[Flag]:
    """Flag weeks that move running outdoors abruptly or at full volume after a treadmill period.

    Parameters
    ----------
    activities : DataFrame
        The activities table (``surface`` tells treadmill from outdoor).
    window_weeks : int
        The treadmill period before the week. [weeks]
    treadmill_share : float
        Minimal treadmill share of that period's distance. [1]
    min_share_rise, abrupt_share_rise : float
        Rise of the outdoor share within two weeks: needed for a flag, counted as
        abrupt. [1]
    min_volume_share, full_volume_share : float
        Outdoor km ÷ the period's mean weekly km: needed for a flag, counted as full
        volume. [1]
    long_run_ratio : float
        Longest outdoor run ÷ mean treadmill run counted as long. [1]
    baseline_days : int
        Days of running history needed before the week; before that a would-be flag
        becomes an ``info`` notice. [d]

    Returns
    -------
    list of Flag
        Dated on the week's Monday; ``metric`` is ``outdoor_share_rise_ratio`` (the rise
        of the outdoor share as a fraction).
    """
    runs = run_table(activities)
    if runs.empty:
        return []
    if "surface" in activities.columns:
        surface = activities["surface"].reindex(runs.index).astype("object")
        treadmill = np.array(
            [isinstance(s, str) and s.strip().lower() == "treadmill" for s in surface], dtype=bool
        )
    else:
        treadmill = np.zeros(len(runs), dtype=bool)
    if not treadmill.any():
        return []
    km = np.nan_to_num(runs["distance_km"].to_numpy(dtype=float), nan=0.0)
    dates: list[dt.date] = list(runs["local_date"])
    mondays = [d - dt.timedelta(days=d.weekday()) for d in dates]
    first_monday = min(mondays)
    n = (max(mondays) - first_monday).days // 7 + 1
    week_of = np.array([(m - first_monday).days // 7 for m in mondays], dtype=np.int64)
    tm_km = np.bincount(week_of[treadmill], weights=km[treadmill], minlength=n)
    out_km = np.bincount(week_of[~treadmill], weights=km[~treadmill], minlength=n)
    tm_runs = np.bincount(week_of[treadmill], minlength=n)
    out_runs = np.bincount(week_of[~treadmill], minlength=n)
    total = tm_km + out_km
    with np.errstate(invalid="ignore", divide="ignore"):
        share_out = np.where(total > 0, out_km / np.where(total > 0, total, 1.0), np.nan)
    ids = list(map(str, runs.index.tolist()))
    first_run = min(dates)
    found = Findings("treadmill_to_road", baseline_days=baseline_days)
    reported = ""  # the highest severity reported in the current transition
    for k in range(n):
        lo = max(k - window_weeks, 0)
        period_total = float(total[lo:k].sum())
        period_tm = float(tm_km[lo:k].sum())
        in_period = period_total > 0 and period_tm / period_total >= treadmill_share
        if not in_period:
            reported = ""
            continue
        if out_km[k] <= 0:
            continue
        before = [share_out[j] for j in (k - 1, k - 2) if j >= 0 and np.isfinite(share_out[j])]
        base = min(before) if before else 1.0 - period_tm / period_total
        rise = float(share_out[k] - base)
        weeks_in_period = k - lo
        usual_week = period_total / weeks_in_period
        volume = float(out_km[k] / usual_week) if usual_week > 0 else float("inf")
        n_tm_period = int(tm_runs[lo:k].sum())
        mean_tm_run = period_tm / n_tm_period if n_tm_period else float("nan")
        outdoor_rows = [i for i in range(len(ids)) if week_of[i] == k and not treadmill[i]]
        longest = float(max(km[i] for i in outdoor_rows))
        long_ratio = longest / mean_tm_run if mean_tm_run > 0 else float("nan")
        if not (at_least_share(rise, min_share_rise) and at_least_share(volume, min_volume_share)):
            continue
        abrupt = at_least_share(rise, abrupt_share_rise)
        full = at_least_share(volume, full_volume_share)
        long_run = bool(np.isfinite(long_ratio) and at_least_share(long_ratio, long_run_ratio))
        severity = _SEVERITY[int(abrupt) + int(full) + int(long_run)]
        if _RANK[severity] <= _RANK[reported]:
            continue
        week_start = first_monday + dt.timedelta(days=7 * k)
        n_out = int(out_runs[k])
        n_week = n_out + int(tm_runs[k])
        n_period = int(tm_runs[lo:k].sum() + out_runs[lo:k].sum())
        period_text = (
            f"in the {plural(weeks_in_period, 'week')} before, {n_tm_period} of your "
            f"{plural(n_period, 'run')} ({share_pct(period_tm / period_total)} % of "
            f"{period_total:.1f} km) {'was' if n_tm_period == 1 else 'were'} on the treadmill"
        )
        seen = (
            f"in the week of {week_start.isoformat()}, {n_out} of your {plural(n_week, 'run')} "
            f"({share_pct(float(share_out[k]))} % of {total[k]:.1f} km) "
            f"{'was' if n_out == 1 else 'were'} outdoors, up from {share_pct(base)} % within two "
            f"weeks; {period_text}"
        )
        points = []
        if abrupt:
            points.append("the switch was abrupt")
        if full:
            points.append(
                f"{out_km[k]:.1f} km ran outdoors, {share_pct(volume)} % of your usual "
                f"{usual_week:.1f} km a week"
            )
        if long_run:
            points.append(
                f"your longest outdoor run ({longest:.1f} km) was {share_pct(long_ratio)} % "
                f"of your mean treadmill run ({mean_tm_run:.1f} km)"
            )
        detail = ("; " + "; ".join(points)) if points else ""
        message = (
            f"{seen[0].upper()}{seen[1:]}{detail}. Running outdoors loads the shin bone more "
            "than treadmill running (a biomechanical study of three runners, Milgrom 2003); "
            "the usual advice, expert opinion, is to move outdoors over a few weeks and start "
            "with shorter runs than on the treadmill."
        )
        found.add(
            date=week_start,
            history_days=(week_start - first_run).days,
            seen=seen,
            severity=severity,
            metric="outdoor_share_rise_ratio",
            value=rise,
            threshold=min_share_rise,
            message=message,
            activity_ids=tuple(ids[i] for i in outdoor_rows),
        )
        reported = severity
    return found.result(runs)
