"""``uphill_overload``: weekly climbing rising sharply against the runner's own norm.

The article's trigger 3, "going uphill too much": hard on the Achilles tendon, with
pain appearing when uphill sessions increase.  Only mechanistic data exist (Gottschall
& Kram 2005: at +9° the propulsive force rises by 75 %; at −9° impact peaks by 54 % and
braking by 73 %), so there is no absolute threshold: the week is compared with the mean
of the previous ``window_weeks`` weeks.  Descent is reported beside the ascent.

A week is flagged when its ascent is at least ``min_week_ascent_m`` and more than
``ascent_ratio`` × the norm.  Two further signals raise the severity: the ascent per km
also above ``ascent_ratio`` × its norm (steeper running, not just more running), and
the number of hilly runs (≥ ``hilly_run_m_per_km``) at least 2 and above
``ascent_ratio`` × its weekly mean.  No further signal → low, one → moderate, both → high.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..load import elevation_load, weekly_load
from .flag import Flag, history_notice, make_flag, register_rule, runs_between
from .flag import short_history_notice as _short
from .profile import UphillOverloadSettings

__all__ = ["uphill_overload"]

_D = UphillOverloadSettings()

REFERENCE = "Gottschall & Kram, J Biomech 2005;38:445–52"
ADVICE = (
    "Add hills gradually: keep the number and length of uphill sessions steady for a few "
    "weeks before adding more, since ankle pain (often at the Achilles tendon) tends to "
    "appear when uphill sessions increase."
)


def _ratio(now: float, norm: float) -> float:
    if norm > 0:
        return now / norm
    return float("inf") if now > 0 else float("nan")


@register_rule("uphill_overload", evidence="mechanistic", reference=REFERENCE, advice=ADVICE)
def uphill_overload(
    activities: pd.DataFrame,
    *,
    ascent_ratio: float = _D.ascent_ratio,
    window_weeks: int = _D.window_weeks,
    min_week_ascent_m: float = _D.min_week_ascent_m,
    hilly_run_m_per_km: float = _D.hilly_run_m_per_km,
    baseline_days: int = _D.baseline_days,
) -> list[Flag]:
    """Flag weeks whose ascent rose sharply above the mean of the previous weeks.

    Parameters
    ----------
    activities : DataFrame
        The activities table (``ascent_m``, ``descent_m``: smoothed elevation gain/loss).
    ascent_ratio : float
        Week ÷ norm above which the week is flagged (also used for the other signals). [1]
    window_weeks : int
        Number of previous weeks forming the norm. [weeks]
    min_week_ascent_m : float
        Weeks with less ascent are not flagged. [m]
    hilly_run_m_per_km : float
        A run with at least this ascent per km is a hilly run. [m/km]
    baseline_days : int
        Days of running history needed before the week's first day; before that a
        would-be flag becomes an ``info`` notice. [d]

    Returns
    -------
    list of Flag
        Dated on the week's first day (Monday); ``metric`` is ``ascent_to_norm_ratio``.
    """
    runs = elevation_load(activities)
    if runs.empty:
        return []
    weekly = weekly_load(activities)
    weeks: list[dt.date] = list(weekly.index)
    position = {w: k for k, w in enumerate(weeks)}
    n = len(weeks)
    ascent = weekly["ascent_m"].to_numpy(dtype=float)
    descent = weekly["descent_m"].to_numpy(dtype=float)
    known_km = np.zeros(n)
    hilly = np.zeros(n)
    for date, km, up, per_km in zip(
        runs["local_date"],
        runs["distance_km"],
        runs["ascent_m"],
        runs["ascent_m_per_km"],
        strict=True,
    ):
        k = position[date - dt.timedelta(days=date.weekday())]
        if np.isfinite(up) and np.isfinite(km):
            known_km[k] += km
        if np.isfinite(per_km) and per_km >= hilly_run_m_per_km:
            hilly[k] += 1
    first_run: dt.date = runs["local_date"].min()
    out: list[Flag] = []
    notice = False
    for k, week_start in enumerate(weeks):
        prev = slice(max(k - window_weeks, 0), k)
        n_prev = k - prev.start
        if n_prev == 0:
            continue  # no earlier week to compare with
        norm = float(ascent[prev].mean())
        ratio = _ratio(float(ascent[k]), norm)
        if not (ascent[k] >= min_week_ascent_m and ratio > ascent_ratio):
            continue
        ids = runs_between(runs, week_start, week_start + dt.timedelta(days=6))
        weeks_text = "week" if n_prev == 1 else f"{n_prev} weeks"
        norm_text = (
            f"{ratio:.1f} times your mean of {norm:.0f} m over the previous {weeks_text}"
            if np.isfinite(ratio)
            else f"after {'a week' if n_prev == 1 else weeks_text} without recorded climbing"
        )
        seen = f"in the week of {week_start.isoformat()} you climbed {ascent[k]:.0f} m, {norm_text}"
        history = (week_start - first_run).days
        if history < baseline_days:
            out.append(
                history_notice(
                    "uphill_overload",
                    date=week_start,
                    history_days=history,
                    baseline_days=baseline_days,
                    what=seen,
                    activity_ids=ids,
                )
            )
            notice = True
            continue
        per_km = ascent[k] / known_km[k] if known_km[k] > 0 else float("nan")
        prev_km = float(known_km[prev].sum())
        norm_per_km = float(ascent[prev].sum()) / prev_km if prev_km > 0 else 0.0
        per_km_ratio = _ratio(per_km, norm_per_km) if np.isfinite(per_km) else float("nan")
        hilly_norm = float(hilly[prev].mean())
        hilly_ratio = _ratio(float(hilly[k]), hilly_norm)
        steeper = bool(per_km_ratio > ascent_ratio)
        more_hills = bool(hilly[k] >= 2 and hilly_ratio > ascent_ratio)
        severity = ("low", "moderate", "high")[int(steeper) + int(more_hills)]
        per_km_text = f"{per_km:.0f} m/km" if np.isfinite(per_km) else "unknown"
        message = (
            f"{seen[0].upper()}{seen[1:]} (flag above {ascent_ratio:g} times). Ascent per km: "
            f"{per_km_text} (usually {norm_per_km:.0f} m/km); hilly runs "
            f"(≥ {hilly_run_m_per_km:g} m/km): {hilly[k]:.0f} (usually {hilly_norm:.1f} per "
            f"week). Descent that week: {descent[k]:.0f} m. Uphill running raises the push-off "
            "forces and downhill running the impact and braking forces (Gottschall & Kram "
            "2005, biomechanics only: there is no injury threshold, so this compares you with "
            "your own recent weeks)."
        )
        out.append(
            make_flag(
                "uphill_overload",
                date=week_start,
                severity=severity,
                metric="ascent_to_norm_ratio",
                value=ratio,
                threshold=ascent_ratio,
                message=message,
                activity_ids=ids,
            )
        )
    if bool((runs["ascent_m"].fillna(0) > 0).any()):
        out += _short("uphill_overload", runs, baseline_days=baseline_days, emitted=notice)
    return out
