"""``treadmill_to_road``: an outdoor run after weeks mostly on the treadmill, not shorter.

The article's trigger 2, "switching abruptly from the treadmill to the street", with
its advice to begin outdoors with shorter distances than on the treadmill.  The basis
is mechanistic: overground running strained the tibia 48–285 % more than treadmill
running in three subjects (Milgrom et al. 2003), and the review of Van Hooren et al.
(2020) found treadmill and overground running largely, not fully, alike; the advice on
the transition itself is expert opinion.

An outdoor run (any surface but ``treadmill``) is flagged when, in the
``window_weeks`` before it, at least ``treadmill_share`` of the running distance was on
a treadmill and the run is at least ``distance_share`` (80 %) of the mean treadmill run
of that period.  It is not flagged when the runner already did an outdoor run of at
least ``distance / adapted_ratio`` within that period (a routine mixing treadmill and
road is not a switch).  Severity by the run's length relative to the mean treadmill
run: below ``longer_ratio`` (1.0) → low; from 1.0 → moderate; from ``high_ratio``
(1.5) → high.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..load import surface_transitions
from .flag import Flag, history_notice, make_flag, register_rule, run_table
from .flag import short_history_notice as _short
from .profile import TreadmillToRoadSettings

__all__ = ["treadmill_to_road"]

_D = TreadmillToRoadSettings()

REFERENCE = (
    "Milgrom et al., Br J Sports Med 2003;37:160–3; Van Hooren et al., Sports Med "
    "2020;50:785–813; transition advice is expert opinion"
)
ADVICE = (
    "After a period on the treadmill, make your first outdoor runs shorter than your usual "
    "treadmill runs and lengthen them over a few weeks."
)


@register_rule("treadmill_to_road", evidence="mechanistic", reference=REFERENCE, advice=ADVICE)
def treadmill_to_road(
    activities: pd.DataFrame,
    *,
    window_weeks: int = _D.window_weeks,
    treadmill_share: float = _D.treadmill_share,
    distance_share: float = _D.distance_share,
    longer_ratio: float = _D.longer_ratio,
    high_ratio: float = _D.high_ratio,
    adapted_ratio: float = _D.adapted_ratio,
    baseline_days: int = _D.baseline_days,
) -> list[Flag]:
    """Flag outdoor runs that follow a mostly-treadmill period without starting shorter.

    Parameters
    ----------
    activities : DataFrame
        The activities table (``surface`` tells treadmill from outdoor).
    window_weeks : int
        The period before the run. [weeks]
    treadmill_share : float
        Minimal treadmill share of the period's running distance. [1]
    distance_share : float
        Minimal run distance ÷ mean treadmill run distance for a flag. [1]
    longer_ratio, high_ratio : float
        From these ratios on: moderate, high. [1]
    adapted_ratio : float
        No flag when an outdoor run of at least ``distance / adapted_ratio`` lies in the
        period. [1]
    baseline_days : int
        Days of running history needed before the run; before that a would-be flag
        becomes an ``info`` notice. [d]

    Returns
    -------
    list of Flag
        Dated on the outdoor run; ``metric`` is ``distance_to_treadmill_mean_ratio``.
    """
    trans = surface_transitions(activities, window_weeks=window_weeks)
    out: list[Flag] = []
    notice = False
    dates = list(trans["local_date"])
    distances = trans["distance_km"].to_numpy(dtype=float)
    for pos, (activity_id, row) in enumerate(trans.iterrows()):
        share = float(row["prior_treadmill_share_ratio"])
        ratio = float(row["distance_to_treadmill_mean_ratio"])
        if not (
            np.isfinite(share)
            and share >= treadmill_share
            and np.isfinite(ratio)
            and ratio >= distance_share
        ):
            continue
        date: dt.date = row["local_date"]
        km = float(row["distance_km"])
        window_start = date - dt.timedelta(days=7 * window_weeks)
        earlier = [
            float(distances[k])
            for k in range(pos)
            if dates[k] >= window_start and np.isfinite(distances[k])
        ]
        if earlier and max(earlier) * adapted_ratio >= km:
            continue
        mean_km = float(row["prior_treadmill_mean_km"])
        seen = (
            f"your {km:.1f} km outdoor run on {date.isoformat()} came after {window_weeks} weeks "
            f"with {share * 100:.0f} % of your running distance on the treadmill, and it was "
            f"{ratio * 100:.0f} % of your mean treadmill run ({mean_km:.1f} km, "
            f"{int(row['prior_treadmill_runs'])} treadmill runs)"
        )
        history = int(row["history_days"])
        if history < baseline_days:
            out.append(
                history_notice(
                    "treadmill_to_road",
                    date=date,
                    history_days=history,
                    baseline_days=baseline_days,
                    what=seen,
                    activity_ids=(str(activity_id),),
                )
            )
            notice = True
            continue
        if ratio >= high_ratio:
            severity = "high"
        elif ratio >= longer_ratio:
            severity = "moderate"
        else:
            severity = "low"
        outdoor = (
            f"your longest outdoor run in that period was {max(earlier):.1f} km"
            if earlier
            else "you ran no other outdoor run in that period"
        )
        message = (
            f"{seen[0].upper()}{seen[1:]}; {outdoor}. Running outdoors loads the shin bone "
            "more than treadmill running (small biomechanical studies); the usual advice is to "
            "start outdoors with shorter runs than on the treadmill."
        )
        out.append(
            make_flag(
                "treadmill_to_road",
                date=date,
                severity=severity,
                metric="distance_to_treadmill_mean_ratio",
                value=ratio,
                threshold=distance_share,
                message=message,
                activity_ids=(str(activity_id),),
            )
        )
    if not trans.empty and bool((trans["prior_treadmill_km"] > 0).any()):
        runs = run_table(activities)
        out += _short("treadmill_to_road", runs, baseline_days=baseline_days, emitted=notice)
    return out
