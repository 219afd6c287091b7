"""``distance_jump``: a week well above the runner's recent normal.

The article's trigger 4, "increasing running distance suddenly".  A week is compared
with the runner's *recent normal*: the mean of the two biggest of the last
``normal_weeks`` (4) weeks with running within ``lookback_weeks`` (8), leaving out
near-empty weeks (below 20 % of the others: a jog in a holiday).  Several weeks, not
last week alone: the week after a planned cut-back week returns to the normal, not
above it, and a week after a zero week is still judged.  The bigger half, not a median:
a cut-back or a short week is not what the runner normally does, and with ordinary
week-to-week noise a median of four often sits on such a week.  Weeks holding the
first run after a break are left to ``return_after_break``, which scales the reference
down for the time off.

The threshold is Nielsen et al. (2014): in novices, weekly increases above 30 %
(against under 10 %) went with more distance-related injuries, HR 1.59 (0.96–2.66,
p = 0.07): a tendency, not a significant finding, hence "weak evidence".  In Frandsen
et al. (2025), the change over the previous week alone showed no association with
injury, and the acute:chronic ratio (ACWR) an inverse one; the ACWR is quoted in the
message as context and never changes the severity.  The "10 % rule" is not used: as a
prevention plan it did no better than a standard one (Buist et al. 2008).

Severity: week ÷ normal above ``change_ratio`` (+30 %) → moderate, above
``high_ratio`` (+100 %) → high, compared in whole percent as the message shows them.
A week at most ``peak_ratio`` (+10 %) above the biggest of the normal weeks is never a
jump: it stays within what the runner did in the last weeks (Frandsen's reference for
sessions is the same: within +10 % of the recent maximum).  A runner who runs every
third day (two runs in some weeks, three in others) never jumps by running three.

**Beginners.** While the log is shorter than ``baseline_days``, the normal is the
weeks run so far (at least one; a first week that starts after Wednesday is too
partial to count).  That is the situation Nielsen studied (novices), so a jump above
30 % is a flag right away, from ``beginner_min_week_km`` (5 km) on, not a notice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..load import weekly_load
from .baselines import break_definition, find_breaks, recent_normal, recent_normals
from .flag import Findings, Flag, above, register_rule, run_table, runs_between, setting, shown_pct

__all__ = ["DistanceJumpSettings", "distance_jump"]

_NIELSEN = "Nielsen et al., J Orthop Sports Phys Ther 2014;44(10):739–47"


@dataclass(frozen=True)
class DistanceJumpSettings:
    """Settings of the ``distance_jump`` rule (a week against the recent normal).

    Attributes
    ----------
    change_ratio : float
        Week ÷ recent normal above which the week is flagged moderate. [1]
    high_ratio : float
        Above it: high. [1]
    peak_ratio : float
        A week no more than this multiple of the biggest of the normal weeks is never a
        jump (it stays within what the runner did in the last weeks). [1]
    normal_weeks : int
        Number of recent weeks with running whose bigger half forms the normal. [weeks]
    lookback_weeks : int
        How far back those weeks are looked for. [weeks]
    min_normal_weeks : int
        Fewest such weeks for a normal once the baseline is there. [weeks]
    min_week_km : float
        Weeks with less distance are never flagged. [km]
    beginner_min_week_km : float
        The same while the log is shorter than the baseline. [km]
    baseline_days : int
        Days of history before the week after which the full normal applies. [d]
    """

    change_ratio: float = setting(
        1.30, unit="1", source="Nielsen 2014: > 30 % a week in novices (HR 1.59, p = 0.07)"
    )
    high_ratio: float = setting(2.00, unit="1", source="convention: the week doubled")
    peak_ratio: float = setting(
        1.10,
        unit="1",
        source="Frandsen 2025: sessions within +10 % of the recent maximum are the reference",
    )
    normal_weeks: int = setting(4, unit="weeks", source="convention: about a month")
    lookback_weeks: int = setting(8, unit="weeks", source="convention")
    min_normal_weeks: int = setting(2, unit="weeks", source="convention")
    min_week_km: float = setting(10.0, unit="km", source="practical floor")
    beginner_min_week_km: float = setting(5.0, unit="km", source="practical floor")
    baseline_days: int = setting(28, unit="d", source="the 4-week normal")


_D = DistanceJumpSettings()

REFERENCE = (
    f"{_NIELSEN} (weekly progression > 30 % in novices: HR 1.59, 0.96–2.66, p = 0.07); "
    "no association for the week-to-week change: Frandsen et al., Br J Sports Med "
    "2025;59(17):1203–10; 10 % rule: Buist et al., Am J Sports Med 2008;36(1):33–9"
)
ADVICE = (
    "Build distance up gradually instead of in sudden jumps: after a big step up, hold or "
    "lower next week's distance and notice how your ankles respond."
)


def _weeks_text(weeks: list[dt.date]) -> str:
    if len(weeks) == 1:
        return f"the week of {weeks[0].isoformat()}"
    return (
        f"the {len(weeks)} weeks with running between {weeks[0].isoformat()} and "
        + (weeks[-1] + dt.timedelta(days=6)).isoformat()
    )


@register_rule(
    "distance_jump",
    evidence="weak evidence",
    reference=REFERENCE,
    advice=ADVICE,
    settings=DistanceJumpSettings,
)
def distance_jump(
    activities: pd.DataFrame,
    *,
    change_ratio: float = _D.change_ratio,
    high_ratio: float = _D.high_ratio,
    peak_ratio: float = _D.peak_ratio,
    normal_weeks: int = _D.normal_weeks,
    lookback_weeks: int = _D.lookback_weeks,
    min_normal_weeks: int = _D.min_normal_weeks,
    min_week_km: float = _D.min_week_km,
    beginner_min_week_km: float = _D.beginner_min_week_km,
    baseline_days: int = _D.baseline_days,
    profile: Any = None,
) -> list[Flag]:
    """Flag weeks whose distance is well above the runner's recent normal.

    Parameters
    ----------
    activities : DataFrame
        The activities table (running activities are selected as in :mod:`runload.load`).
    change_ratio, high_ratio : float
        Week ÷ normal above which: moderate, high. [1]
    peak_ratio : float
        Week ÷ the biggest normal week at or below which nothing is flagged. [1]
    normal_weeks, lookback_weeks, min_normal_weeks : int
        The normal: mean of the bigger half of the last ``normal_weeks`` weeks with
        running within
        ``lookback_weeks``, when there are at least ``min_normal_weeks``. [weeks]
    min_week_km, beginner_min_week_km : float
        Smallest week flagged, after and during the baseline period. [km]
    baseline_days : int
        Days of history before the week's first day for the full normal; before that
        the weeks run so far are the normal (beginner rule). [d]
    profile : RiskProfile, optional
        Whose ``return_after_break`` section defines a break (weeks with a return are
        left to that rule).

    Returns
    -------
    list of Flag
        Dated on the week's first day (Monday); ``metric`` is ``distance_to_normal_ratio``.
    """
    runs = run_table(activities)
    if runs.empty:
        return []
    first_run: dt.date = runs["local_date"].min()
    weekly = weekly_load(activities)
    weeks: list[dt.date] = [ts.date() for ts in weekly.index]
    km = weekly["distance_km"].to_numpy(dtype=float)
    acwr = weekly["acwr_uncoupled_ratio"].to_numpy(dtype=float)
    definition = break_definition(profile)
    returns = {
        r.date - dt.timedelta(days=r.date.weekday()) for r in find_breaks(runs, definition).returns
    }
    usable = np.ones(len(weeks), dtype=bool)
    if first_run.weekday() > 2:  # the first week is too partial to be a normal
        usable[0] = False
    found = Findings("distance_jump", baseline_days=baseline_days)
    history_days = [(week_start - first_run).days for week_start in weeks]
    normals, peaks = recent_normals(
        km,
        weeks=normal_weeks,
        lookback_weeks=lookback_weeks,
        min_weeks=np.array([1 if h < baseline_days else min_normal_weeks for h in history_days]),
        trivial_share=definition.trivial_share,
        usable=usable,
        judged=np.array([w not in returns for w in weeks], dtype=bool) & ~(km <= 0),
    )
    for k, week_start in enumerate(weeks):
        if week_start in returns or km[k] <= 0:
            continue
        history = history_days[k]
        beginner = history < baseline_days
        normal = float(normals[k])
        if not (np.isfinite(normal) and normal > 0):
            continue
        ratio = float(km[k] / normal)
        floor = beginner_min_week_km if beginner else min_week_km
        peak = float(peaks[k])
        if not (above(ratio, change_ratio) and above(km[k] / peak, peak_ratio)):
            continue
        if km[k] < floor:
            continue
        _, used = recent_normal(  # the weeks the normal was taken from, for the message
            km,
            k,
            weeks=normal_weeks,
            lookback_weeks=lookback_weeks,
            min_weeks=1 if beginner else min_normal_weeks,
            trivial_share=definition.trivial_share,
            usable=usable,
        )
        ids = runs_between(runs, week_start, week_start + dt.timedelta(days=6))
        severity = "high" if above(ratio, high_ratio) else "moderate"
        basis = _weeks_text([weeks[j] for j in used])
        seen = (
            f"in the week of {week_start.isoformat()} you ran {km[k]:.1f} km, "
            f"{shown_pct(ratio):+d} % on your recent normal of {normal:.1f} km "
            f"(mean of the bigger half of {basis}) and {shown_pct(km[k] / peak):+d} % on "
            f"the biggest of those weeks ({peak:.1f} km)"
        )
        acwr_text = (
            f" The acute:chronic ratio was {acwr[k]:.2f}; it is shown as context only (it is "
            "not a validated predictor of injury, and in Frandsen 2025 it went the other way)."
            if np.isfinite(acwr[k])
            else ""
        )
        evidence_text = (
            "In novice runners, weekly increases above 30 % tended to go with more "
            "distance-related injuries (Nielsen 2014: HR 1.59, 95 % CI 0.96–2.66, p = 0.07, "
            "a tendency rather than a firm finding)."
        )
        message = (
            f"{seen[0].upper()}{seen[1:]} (flag above {shown_pct(change_ratio):+d} %). "
            f"{evidence_text} In a larger study the change over last week alone showed no "
            "association (Frandsen 2025), so runload compares with your recent normal."
            f"{acwr_text}"
        )
        beginner_message = (
            f"{seen[0].upper()}{seen[1:]} (flag above {shown_pct(change_ratio):+d} %). "
            f"Your log starts on {first_run.isoformat()}, so this compares with the weeks "
            f"you have run since then. {evidence_text} Novices are the group that study "
            "looked at, so this is flagged without waiting for a month of history. Staying under "
            "10 % a week is no proven protection either (Buist 2008): build up step by step "
            "and watch how your ankles respond."
        )
        found.add(
            date=week_start,
            history_days=history,
            seen=seen,
            severity=severity,
            metric="distance_to_normal_ratio",
            value=ratio,
            threshold=change_ratio,
            message=message,
            activity_ids=ids,
            beginner_severity=severity,
            beginner_message=beginner_message,
        )
    return found.result(runs)
