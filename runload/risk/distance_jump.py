"""``distance_jump``: weekly distance rising sharply against the weeks before.

The article's trigger 4, "increasing running distance suddenly".  The flag rests on
the week-over-week change (Nielsen et al. 2014: in novices, > 30 % vs < 10 % gave
HR 1.59, 0.96–2.66, p = 0.07: weak evidence).  The uncoupled acute:chronic ratio is
shown and raises the severity, but only as context: Impellizzeri et al. (2021) show
it behaves like a rescaled acute load, and Frandsen et al. (2025) found it carried no
useful signal in runners.

Severity counts the signals, the first being required:

1. distance_change_ratio > ``change_ratio`` (1.30) in a week of at least ``min_week_km``;
2. distance_change_ratio > ``large_change_ratio`` (1.60);
3. acwr_uncoupled_ratio ≥ ``acwr_ratio`` (1.5), i.e. the week is also well above the
   three weeks before it, not a return to normal after a light week.

One signal → low, two → moderate, three → high.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..load import weekly_load
from .flag import Flag, history_notice, make_flag, register_rule, run_table, runs_between
from .flag import short_history_notice as _short
from .profile import DistanceJumpSettings

__all__ = ["distance_jump"]

_D = DistanceJumpSettings()

REFERENCE = (
    "Nielsen et al., J Orthop Sports Phys Ther 2014;44(10):739–47 (weekly progression > 30 %: "
    "HR 1.59, 0.96–2.66, novices); ACWR context: Gabbett, Br J Sports Med 2016;50(5):273–80, "
    "uncoupled form Lolli et al., Br J Sports Med 2019;53(15):921; critique: Impellizzeri "
    "et al., Sports Med 2021;51(3):581–92"
)
ADVICE = (
    "Build distance up gradually instead of in sudden jumps: after a big step up, hold or "
    "lower next week's distance and notice how your ankles respond."
)


@register_rule("distance_jump", evidence="weak evidence", reference=REFERENCE, advice=ADVICE)
def distance_jump(
    activities: pd.DataFrame,
    *,
    change_ratio: float = _D.change_ratio,
    large_change_ratio: float = _D.large_change_ratio,
    acwr_ratio: float = _D.acwr_ratio,
    min_week_km: float = _D.min_week_km,
    baseline_days: int = _D.baseline_days,
) -> list[Flag]:
    """Flag weeks whose distance rose sharply over the previous week.

    Parameters
    ----------
    activities : DataFrame
        The activities table (running activities are selected as in :mod:`runload.load`).
    change_ratio : float
        Week ÷ previous week above which a week is flagged. [1]
    large_change_ratio : float
        A rise above this is a second signal. [1]
    acwr_ratio : float
        Uncoupled ACWR at or above which the week has a third signal (context only). [1]
    min_week_km : float
        Weeks with less distance are not flagged. [km]
    baseline_days : int
        Days of running history needed before the week's first day; before that a
        would-be flag becomes an ``info`` notice. [d]

    Returns
    -------
    list of Flag
        Dated on the week's first day (Monday); ``metric`` is ``distance_change_ratio``.
    """
    runs = run_table(activities)
    if runs.empty:
        return []
    first_run: dt.date = runs["local_date"].min()
    weekly = weekly_load(activities)
    out: list[Flag] = []
    notice = False
    for week_start, row in weekly.iterrows():
        ratio = float(row["distance_change_ratio"])
        km = float(row["distance_km"])
        if not (np.isfinite(ratio) and ratio > change_ratio and km >= min_week_km):
            continue
        assert isinstance(week_start, dt.date)
        week_end = week_start + dt.timedelta(days=6)
        ids = runs_between(runs, week_start, week_end)
        previous_km = km / ratio
        seen = (
            f"in the week of {week_start.isoformat()} you ran {km:.1f} km, "
            f"{(ratio - 1) * 100:.0f} % more than the {previous_km:.1f} km of the week before"
        )
        history = (week_start - first_run).days
        if history < baseline_days:
            out.append(
                history_notice(
                    "distance_jump",
                    date=week_start,
                    history_days=history,
                    baseline_days=baseline_days,
                    what=seen,
                    activity_ids=ids,
                )
            )
            notice = True
            continue
        acwr = float(row["acwr_uncoupled_ratio"])
        large = ratio > large_change_ratio
        acwr_high = bool(np.isfinite(acwr) and acwr >= acwr_ratio)
        severity = ("low", "moderate", "high")[int(large) + int(acwr_high)]
        acwr_text = (
            f"The acute:chronic ratio (last 7 days ÷ the 3 weeks before) was {acwr:.2f}"
            + (f", at or above {acwr_ratio:g}" if acwr_high else f", below {acwr_ratio:g}")
            if np.isfinite(acwr)
            else "The acute:chronic ratio could not be computed"
        )
        message = (
            f"{seen[0].upper()}{seen[1:]} (flag above +{(change_ratio - 1) * 100:.0f} %). "
            f"In novice runners, weekly increases above 30 % went with more distance-related "
            f"injuries (Nielsen 2014; weak evidence). {acwr_text}; this ratio is context only, "
            "not a validated predictor of injury."
        )
        out.append(
            make_flag(
                "distance_jump",
                date=week_start,
                severity=severity,
                metric="distance_change_ratio",
                value=ratio,
                threshold=change_ratio,
                message=message,
                activity_ids=ids,
            )
        )
    out += _short("distance_jump", runs, baseline_days=baseline_days, emitted=notice)
    return out
