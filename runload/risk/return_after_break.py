"""``return_after_break``: the first run and first week after a break, against the time off.

The article's trigger 4 ("increasing running distance suddenly") after weeks without
running.  Before this rule, a return was invisible: the 30-day window of the spike
rule was empty and the week after a zero week had no ratio.

A **break** is ``break_days`` (14) or more between two non-trivial runs; trivial runs
(a 2 km jog) neither end it nor count as a reference (see :mod:`runload.risk.baselines`).
The **reference** is what the runner did in the ``reference_days`` (28) up to the
last run before the break: the mean weekly distance and the longest run.  It is
**scaled down for the time off**::

    resume_share = max(min_resume_share, 1 − loss_per_week × gap_days / 7)

10 % per week off, never below 50 %: 80 % after 2 weeks, 60 % after 4, 50 % from 5
weeks on.  The return run is compared with ``resume_share × longest run`` and the
first 7 days from it (the first week) with ``resume_share × weekly distance``; the
larger of the two ratios sets the severity, in the spike rule's bands: above +10 % →
low, above +30 % → moderate, above +100 % → high.  One flag per return, dated on the
return run.

Why 14 days and 10 % a week: aerobic capacity falls measurably within 2–4 weeks of
stopping (VO₂max −7 % within 12–21 days in Coyle et al. 1984; Mujika & Padilla 2000
review short-term detraining under 4 weeks) and keeps falling over months (−16 % by
8 weeks, Coyle).  Tendon and bone adapt more slowly than the heart and lungs, so the
scaling is steeper than the aerobic loss.  No injury hazard ratio has been published
for returns: the grade is *mechanistic*, the scaling is expert judgement, and the
message says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .baselines import BreakDefinition, Return, find_breaks
from .flag import (
    Flag,
    above,
    make_flag,
    plural,
    register_rule,
    run_table,
    runs_between,
    setting,
    shown_pct,
)

__all__ = ["ReturnAfterBreakSettings", "resume_share", "return_after_break"]

_DETRAINING = (
    "Coyle 1984: VO2max −7 % in 12–21 days off; Mujika & Padilla 2000: detraining within 2–4 weeks"
)


@dataclass(frozen=True)
class ReturnAfterBreakSettings:
    """Settings of the ``return_after_break`` rule (also the break definition of all rules).

    Attributes
    ----------
    break_days : int
        Days between two non-trivial runs that make a break. [d]
    reference_days : int
        The pre-break reference covers this many days up to the last run. [d]
    min_reference_runs : int
        Fewest runs in the reference for it to be used.
    trivial_km : float
        A run shorter than this is trivial, when that is under half the typical run. [km]
    trivial_share : float
        A run shorter than this share of the typical pre-break run is trivial. [1]
    loss_per_week : float
        Share of the pre-break load taken off per week of break. [1/week]
    min_resume_share : float
        The scaled reference never falls below this share of the pre-break load. [1]
    first_week_days : int
        Days from the return run that form the first week. [d]
    flag_ratio, moderate_ratio, high_ratio : float
        Return ÷ scaled reference above which: low, moderate, high. [1]
    min_distance_km : float
        Return runs and first weeks shorter than this are not flagged. [km]
    """

    break_days: int = setting(14, unit="d", source=_DETRAINING)
    reference_days: int = setting(28, unit="d", source="the 4 weeks before the break")
    min_reference_runs: int = setting(3, unit="1", source="completeness rule (docs/risk.md)")
    trivial_km: float = setting(3.0, unit="km", source="practical floor")
    trivial_share: float = setting(0.2, unit="1", source="practical floor")
    loss_per_week: float = setting(
        0.10, unit="1/week", source="expert judgement, steeper than the aerobic loss (Coyle 1984)"
    )
    min_resume_share: float = setting(0.5, unit="1", source="expert judgement")
    first_week_days: int = setting(7, unit="d", source="the first week")
    flag_ratio: float = setting(1.10, unit="1", source="as long_run_spike (Frandsen 2025 bands)")
    moderate_ratio: float = setting(1.30, unit="1", source="as long_run_spike")
    high_ratio: float = setting(2.00, unit="1", source="as long_run_spike")
    min_distance_km: float = setting(3.0, unit="km", source="practical floor")


_D = ReturnAfterBreakSettings()

REFERENCE = (
    "Mujika & Padilla, Sports Med 2000;30:79–87 and 145–54; Coyle et al., J Appl Physiol "
    "1984;57:1857–64 (detraining); scaling for the time off is expert judgement, no injury "
    "data on returns"
)
ADVICE = (
    "After weeks off, start again below what you did before the break: shorter runs and "
    "fewer kilometres in the first weeks, then build up step by step."
)


def resume_share(gap_days: float, *, loss_per_week: float, min_resume_share: float) -> float:
    """Share of the pre-break load that the first runs after ``gap_days`` are judged against.

    ``max(min_resume_share, 1 − loss_per_week × gap_days / 7)``, at most 1. [1]
    """
    return float(min(1.0, max(min_resume_share, 1.0 - loss_per_week * gap_days / 7.0)))


def _severity(ratio: float, flag_ratio: float, moderate_ratio: float, high_ratio: float) -> str:
    if above(ratio, high_ratio):
        return "high"
    if above(ratio, moderate_ratio):
        return "moderate"
    if above(ratio, flag_ratio):
        return "low"
    return ""


@register_rule(
    "return_after_break",
    evidence="mechanistic",
    reference=REFERENCE,
    advice=ADVICE,
    settings=ReturnAfterBreakSettings,
)
def return_after_break(
    activities: pd.DataFrame,
    *,
    break_days: int = _D.break_days,
    reference_days: int = _D.reference_days,
    min_reference_runs: int = _D.min_reference_runs,
    trivial_km: float = _D.trivial_km,
    trivial_share: float = _D.trivial_share,
    loss_per_week: float = _D.loss_per_week,
    min_resume_share: float = _D.min_resume_share,
    first_week_days: int = _D.first_week_days,
    flag_ratio: float = _D.flag_ratio,
    moderate_ratio: float = _D.moderate_ratio,
    high_ratio: float = _D.high_ratio,
    min_distance_km: float = _D.min_distance_km,
) -> list[Flag]:
    """Flag a return after a break whose first run or first week exceeds the scaled reference.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    break_days, reference_days, min_reference_runs, trivial_km, trivial_share
        The break definition (see :class:`runload.risk.baselines.BreakDefinition`).
    loss_per_week, min_resume_share : float
        The scaling for the time off (see :func:`resume_share`). [1/week], [1]
    first_week_days : int
        Days from the return run that form the first week. [d]
    flag_ratio, moderate_ratio, high_ratio : float
        Return ÷ scaled reference above which: low, moderate, high. [1]
    min_distance_km : float
        Smaller return runs and first weeks are not flagged. [km]

    Returns
    -------
    list of Flag
        Dated on the return run; ``metric`` is ``return_to_scaled_reference_ratio``
        (the larger of run ÷ scaled longest run and first week ÷ scaled weekly
        distance).  An ``info`` notice when a break is found without a complete
        reference before it.
    """
    runs = run_table(activities)
    if runs.empty:
        return []
    definition = BreakDefinition(
        break_days=break_days,
        reference_days=reference_days,
        min_reference_runs=min_reference_runs,
        trivial_km=trivial_km,
        trivial_share=trivial_share,
    )
    km_all = np.nan_to_num(runs["distance_km"].to_numpy(dtype=float), nan=0.0)
    dates: list[dt.date] = list(runs["local_date"])
    out: list[Flag] = []
    for ret in find_breaks(runs, definition).returns:
        out += _judge(
            ret,
            runs,
            km_all,
            dates,
            loss_per_week=loss_per_week,
            min_resume_share=min_resume_share,
            first_week_days=first_week_days,
            bands=(flag_ratio, moderate_ratio, high_ratio),
            min_distance_km=min_distance_km,
            min_reference_runs=min_reference_runs,
        )
    return out


def _judge(
    ret: Return,
    runs: pd.DataFrame,
    km_all: np.ndarray,
    dates: list[dt.date],
    *,
    loss_per_week: float,
    min_resume_share: float,
    first_week_days: int,
    bands: tuple[float, float, float],
    min_distance_km: float,
    min_reference_runs: int,
) -> list[Flag]:
    ref = ret.reference
    weeks_off = ret.gap_days / 7.0
    seen_break = (
        f"your run on {ret.date.isoformat()} came {ret.gap_days} days after your last run "
        f"before the break ({ret.last_before.isoformat()}"
        + (
            f"; {plural(len(ret.trivial_ids), 'short jog')} in between did not end the break"
            if ret.trivial_ids
            else ""
        )
        + ")"
    )
    if not ref.complete:
        return [
            make_flag(
                "return_after_break",
                date=ret.date,
                severity="info",
                metric="reference_runs",
                value=float(ref.runs),
                threshold=float(min_reference_runs),
                message=(
                    f"{seen_break[0].upper()}{seen_break[1:]}, but the 4 weeks before the "
                    f"break hold only {plural(ref.runs, 'run')} over {ref.observed_days} "
                    "days of your log, too little to know what you did before; no flag "
                    "was raised."
                ),
                activity_ids=(ret.activity_id,),
            )
        ]
    share = resume_share(
        ret.gap_days, loss_per_week=loss_per_week, min_resume_share=min_resume_share
    )
    run_km = float(km_all[ret.position])
    week_end = ret.date + dt.timedelta(days=first_week_days - 1)
    week_ids = runs_between(runs, ret.date, week_end)
    week_km = float(sum(km_all[k] for k in range(ret.position, len(dates)) if dates[k] <= week_end))
    allowed_run = share * ref.longest_km
    allowed_week = share * ref.weekly_km
    run_ratio = run_km / allowed_run if allowed_run > 0 else float("inf")
    week_ratio = week_km / allowed_week if allowed_week > 0 else float("inf")
    if run_km < min_distance_km:
        run_ratio = 0.0
    if week_km < min_distance_km:
        week_ratio = 0.0
    ratio = max(run_ratio, week_ratio)
    severity = _severity(ratio, *bands)
    if not severity:
        return []
    parts = []
    if above(run_ratio, bands[0]):
        parts.append(
            f"the run itself was {run_km:.1f} km, {shown_pct(run_ratio):+d} % on "
            f"{share * 100:.0f} % of your longest pre-break run ({ref.longest_km:.1f} km → "
            f"{allowed_run:.1f} km)"
        )
    if above(week_ratio, bands[0]):
        parts.append(
            f"your first {first_week_days} days back came to {week_km:.1f} km, "
            f"{shown_pct(week_ratio):+d} % on {share * 100:.0f} % of your pre-break "
            f"{ref.weekly_km:.1f} km a week ({allowed_week:.1f} km)"
        )
    message = (
        f"{seen_break[0].upper()}{seen_break[1:]}: {' and '.join(parts)}. After "
        f"{weeks_off:.1f} weeks off, runload judges your first runs against "
        f"{share * 100:.0f} % of what you did in the 4 weeks before the break "
        f"({ref.first.isoformat()} to {ref.last.isoformat()}). Fitness measurably falls "
        "within 2–4 weeks of stopping (Coyle 1984; Mujika & Padilla 2000); the scaling "
        "itself is expert judgement, as no study has measured injury risk on returns."
    )
    return [
        make_flag(
            "return_after_break",
            date=ret.date,
            severity=severity,
            metric="return_to_scaled_reference_ratio",
            value=ratio,
            threshold=bands[0],
            message=message,
            activity_ids=week_ids if week_ratio >= run_ratio else (ret.activity_id,),
        )
    ]
