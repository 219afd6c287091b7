"""``long_run_spike``: a run much longer than the longest run of the preceding 30 days.

The article's trigger 4 ("increasing running distance suddenly") at the level of a
single session, the one measure with prospective support in runners: Frandsen et al.
(2025; 5,205 runners, 588,071 sessions) compared each session with the longest run of
the preceding 30 days.  Against sessions at most 10 % longer, the injury hazard rate
ratio was 1.64 (1.31–2.05) for +10–30 %, 1.52 (1.16–2.00) for +30–100 % and
2.28 (1.50–3.48) for more than +100 %.

Severity follows the size of the spike, band by band: (+10 %, +30 %] → low,
(+30 %, +100 %] → moderate, above +100 % → high, compared in whole percent as the
message shows them.  The first two bands have overlapping confidence intervals (the
point estimate of the middle band is even slightly lower), so the severity ranks how
far the run went beyond the usual, not a measured risk ordering; the band's hazard
ratio is quoted in the message.

**After a break.** When the 30 days before the run hold no run, or only trivial ones
(a short jog during a break; see :mod:`runload.risk.baselines`), the reference is the
longest run of the 4 weeks before the break, if that reference is complete (at least
3 runs over at least 14 observed days).  A 2 km jog in a break therefore no longer
turns the first real run into a spike of +900 %.  ``return_after_break`` judges the
same run against that reference scaled down for the time off.

**The weeks of a comeback.**  For ``window_days`` after a return, the 30-day window
holds only the short first runs back, and a runner who used to run 11 km would be
flagged for going from 3 to 4.2 km.  Until the window is past the break, the reference
is therefore the larger of the 30-day longest run and the pre-break longest run scaled
down for the time off as ``return_after_break`` scales it (50-100 %): runs within what
that rule allows are not spikes, and a run beyond it is judged against it.

**Beginners.** While the log is shorter than ``baseline_days``, the reference is the
longest run so far.  From ``beginner_min_days`` (7) of history and
``beginner_min_runs`` (2) earlier runs on, a run more than ``beginner_spike_ratio``
(+50 %) beyond it is a flag (moderate; high above +100 %); smaller spikes give a notice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..load import long_run_spikes
from .baselines import Reference, Return, break_definition, find_breaks
from .flag import (
    Findings,
    Flag,
    above,
    above_all,
    make_flag,
    register_rule,
    run_table,
    setting,
    shown_pct,
)

__all__ = ["LongRunSpikeSettings", "long_run_spike"]

_FRANDSEN = "Frandsen 2025: 5,205 runners, sessions vs the longest run of the previous 30 days"


@dataclass(frozen=True)
class LongRunSpikeSettings:
    """Settings of the ``long_run_spike`` rule (Frandsen et al. 2025 bands).

    Attributes
    ----------
    spike_ratio : float
        Flag (low) when a run ÷ the longest run of the preceding window exceeds it. [1]
    moderate_ratio : float
        Above it: moderate (Frandsen's +30–100 % band). [1]
    high_ratio : float
        Above it: high (Frandsen's > +100 % band). [1]
    min_distance_km : float
        Runs shorter than this are never flagged. [km]
    window_days : int
        The run is compared with the longest run of this many preceding days. [d]
    baseline_days : int
        Days of running history needed before the run. [d]
    beginner_spike_ratio : float
        While the log is shorter than the baseline: flag above this multiple of the
        longest run so far. [1]
    beginner_min_days : int
        Days of history before the beginner rule applies. [d]
    beginner_min_runs : int
        Earlier runs needed before the beginner rule applies.
    """

    spike_ratio: float = setting(1.10, unit="1", source=f"{_FRANDSEN}: reference ≤ +10 %")
    moderate_ratio: float = setting(1.30, unit="1", source=f"{_FRANDSEN}: +30–100 % band")
    high_ratio: float = setting(2.00, unit="1", source=f"{_FRANDSEN}: > +100 % band")
    min_distance_km: float = setting(3.0, unit="km", source="practical floor")
    window_days: int = setting(30, unit="d", source=_FRANDSEN)
    baseline_days: int = setting(30, unit="d", source="Frandsen's 30-day window")
    beginner_spike_ratio: float = setting(
        1.50, unit="1", source="expert: far beyond the early runs (no study of first weeks)"
    )
    beginner_min_days: int = setting(7, unit="d", source="convention: one week of runs")
    beginner_min_runs: int = setting(2, unit="1", source="convention")


_D = LongRunSpikeSettings()

REFERENCE = "Frandsen et al., Br J Sports Med 2025;59(17):1203–10"
ADVICE = (
    "Keep each run close to the longest runs of your last month; lengthen the long run in "
    "small steps rather than suddenly, and ease off if your ankles complain."
)


def _band(ratio: float, moderate_ratio: float, high_ratio: float) -> tuple[str, str, str]:
    """Severity, Frandsen band and its hazard rate ratio (95 % CI)."""
    if above(ratio, high_ratio):
        return "high", "more than 100 %", "2.28 (1.50–3.48)"
    if above(ratio, moderate_ratio):
        return "moderate", "30–100 %", "1.52 (1.16–2.00)"
    return "low", "10–30 %", "1.64 (1.31–2.05)"


@register_rule(
    "long_run_spike",
    evidence="evidence",
    reference=REFERENCE,
    advice=ADVICE,
    settings=LongRunSpikeSettings,
)
def long_run_spike(
    activities: pd.DataFrame,
    *,
    spike_ratio: float = _D.spike_ratio,
    moderate_ratio: float = _D.moderate_ratio,
    high_ratio: float = _D.high_ratio,
    min_distance_km: float = _D.min_distance_km,
    window_days: int = _D.window_days,
    baseline_days: int = _D.baseline_days,
    beginner_spike_ratio: float = _D.beginner_spike_ratio,
    beginner_min_days: int = _D.beginner_min_days,
    beginner_min_runs: int = _D.beginner_min_runs,
    profile: Any = None,
) -> list[Flag]:
    """Flag runs longer than ``spike_ratio`` × the longest run of the preceding window.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    spike_ratio : float
        Run ÷ previous longest above which a run is flagged (low). [1]
    moderate_ratio, high_ratio : float
        Above these: moderate, high. [1]
    min_distance_km : float
        Shorter runs are not flagged. [km]
    window_days : int
        The preceding window (see :func:`runload.load.long_run_spikes`). [d]
    baseline_days : int
        Days of running history needed before the run; before that only the beginner
        rule flags, and a smaller spike becomes an ``info`` notice. [d]
    beginner_spike_ratio : float
        Beginner rule: run ÷ longest run so far above which a run is flagged. [1]
    beginner_min_days : int
        Beginner rule: days of history needed. [d]
    beginner_min_runs : int
        Beginner rule: earlier runs needed.
    profile : RiskProfile, optional
        Whose ``return_after_break`` section defines breaks and trivial runs.

    Returns
    -------
    list of Flag
        Dated on the run; ``metric`` is ``spike_ratio``.
    """
    spikes = long_run_spikes(activities, window_days=window_days)
    found = Findings("long_run_spike", baseline_days=baseline_days)
    if spikes.empty:
        return []
    runs = run_table(activities)
    breaks = find_breaks(runs, break_definition(profile))
    dates: list[dt.date] = list(spikes["local_date"])
    comebacks = _comebacks(breaks.returns, profile)
    distance = spikes["distance_km"].to_numpy(dtype=float)
    previous_longest = spikes["previous_longest_km"].to_numpy(dtype=float)
    history_days = spikes["history_days"].to_numpy()
    activity_ids = spikes.index.tolist()
    # Most runs are judged against the longest run of their window and fall short of a
    # spike; they are set aside at once.  Runs after a break or in a comeback window,
    # and the would-be spikes, go through the loop below.
    day = np.fromiter((d.toordinal() for d in dates), dtype=np.int64, count=len(dates))
    last = breaks.last_substantial
    gap = day - day[np.maximum(last, 0)]
    plain = (last >= 0) & (gap <= window_days)
    for back, *_ in comebacks:
        plain &= ~((day > back.toordinal()) & (day - back.toordinal() <= window_days))
    usable = np.isfinite(previous_longest) & (previous_longest > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        spike = above_all(distance / previous_longest, spike_ratio)
    judged = ~plain | (usable & spike)
    judged &= np.isfinite(distance) & (distance >= min_distance_km)
    for i in np.flatnonzero(judged).tolist():
        activity_id = activity_ids[i]
        km = float(distance[i])
        date = dates[i]
        history = int(history_days[i])
        j = int(breaks.last_substantial[i])
        if j < 0:
            continue
        reference: Reference | None = None
        if (date - dates[j]).days > window_days:
            reference = breaks.references.get(j)
            if reference is None or not reference.complete:
                continue
            previous = reference.longest_km
        else:
            previous = float(previous_longest[i])
        allowed = _comeback_allowance(comebacks, date, window_days) if reference is None else None
        if allowed is not None and not (np.isfinite(previous) and previous >= allowed[0]):
            previous = allowed[0]
        else:
            allowed = None
        if not (np.isfinite(previous) and previous > 0):
            continue
        ratio = km / previous
        if not above(ratio, spike_ratio):
            continue
        severity, band, hrr = _band(ratio, moderate_ratio, high_ratio)
        ids = (str(activity_id),)
        if reference is not None:
            seen = (
                f"your {km:.1f} km run on {date.isoformat()} was {shown_pct(ratio):+d} % on the "
                f"longest run ({previous:.1f} km) of the 4 weeks before your break (your last "
                f"run before it was on {reference.last.isoformat()}; the {window_days} days "
                "before this run held no run or only short jogs)"
            )
            message = (
                f"{seen[0].upper()}{seen[1:]}. In a study of 5,205 runners (Frandsen 2025), "
                f"sessions {band} longer than the longest run of the previous 30 days had an "
                f"injury hazard rate ratio of {hrr} compared with sessions at most 10 % "
                "longer; here your longest run before the break stands in for the empty "
                "30 days, and the time off is judged by return_after_break."
            )
            found.append(_flag(date, severity, ratio, spike_ratio, message, ids))
            continue
        seen = (
            f"your {km:.1f} km run on {date.isoformat()} was {shown_pct(ratio):d} % longer "
            f"than your longest run of the previous {window_days} days ({previous:.1f} km)"
        )
        if allowed is not None:
            seen = (
                f"your {km:.1f} km run on {date.isoformat()}, in the weeks back from your "
                f"break, was {shown_pct(ratio):d} % longer than {previous:.1f} km: "
                f"{allowed[1] * 100:.0f} % of your longest run before the break "
                f"({allowed[2]:.1f} km), which stands in while the {window_days}-day window "
                "holds only your first runs back"
            )
        message = (
            f"{seen[0].upper()}{seen[1:]}. In a study of 5,205 runners (Frandsen 2025), "
            f"sessions {band} longer than the longest run of the previous 30 days had an "
            f"injury hazard rate ratio of {hrr} compared with sessions at most 10 % longer."
        )
        beginner_severity = None
        if history >= beginner_min_days and i >= beginner_min_runs:
            if above(ratio, beginner_spike_ratio):
                beginner_severity = "high" if above(ratio, high_ratio) else "moderate"
        beginner_message = (
            f"Your {km:.1f} km run on {date.isoformat()} was {shown_pct(ratio):d} % longer "
            f"than your longest run so far ({previous:.1f} km, in the {history} days since "
            f"your log starts). While runload knows less than {baseline_days} days of your "
            f"running, it flags runs more than {shown_pct(beginner_spike_ratio):d} % beyond "
            "your longest so far: a first-weeks limit set by expert judgement, since no study "
            "measured one. For comparison, in established runners (Frandsen 2025) sessions "
            f"{band} longer than the longest run of the previous 30 days had an injury hazard "
            f"rate ratio of {hrr}."
        )
        found.add(
            date=date,
            history_days=history,
            seen=seen,
            severity=severity,
            metric="spike_ratio",
            value=ratio,
            threshold=spike_ratio,
            message=message,
            activity_ids=ids,
            beginner_severity=beginner_severity,
            beginner_message=beginner_message,
        )
    return found.result(spikes[["local_date"]])


def _comebacks(returns: list[Return], profile: Any) -> list[tuple[dt.date, float, float, float]]:
    """(return date, allowed km, share, pre-break longest km) of each complete return."""
    from .return_after_break import ReturnAfterBreakSettings, resume_share

    settings = ReturnAfterBreakSettings()
    if profile is not None:
        settings = getattr(profile, "sections", {}).get("return_after_break", settings)
    out = []
    for ret in returns:
        if not ret.reference.complete or not ret.reference.longest_km > 0:
            continue
        share = resume_share(
            ret.gap_days,
            loss_per_week=float(settings.loss_per_week),
            min_resume_share=float(settings.min_resume_share),
        )
        longest = float(ret.reference.longest_km)
        out.append((ret.date, share * longest, share, longest))
    return out


def _comeback_allowance(
    comebacks: list[tuple[dt.date, float, float, float]], date: dt.date, window_days: int
) -> tuple[float, float, float] | None:
    """(allowed km, share, pre-break longest km) when ``date`` is in a comeback window."""
    for back, allowed, share, longest in reversed(comebacks):
        if back < date and (date - back).days <= window_days:
            return allowed, share, longest
        if back <= date:
            return None
    return None


def _flag(
    date: dt.date, severity: str, ratio: float, threshold: float, message: str, ids: tuple[str, ...]
) -> Flag:
    return make_flag(
        "long_run_spike",
        date=date,
        severity=severity,
        metric="spike_ratio",
        value=ratio,
        threshold=threshold,
        message=message,
        activity_ids=ids,
    )
