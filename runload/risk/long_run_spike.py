"""``long_run_spike``: a run much longer than the longest run of the preceding 30 days.

The article's trigger 4 ("increasing running distance suddenly") at the level of a
single session, the one measure with prospective support in runners: Frandsen et al.
(2025; 5,205 runners, 588,071 sessions) compared each session with the longest run of
the preceding 30 days.  Against sessions at most 10 % longer, the injury hazard rate
ratio was 1.64 (1.31–2.05) for +10–30 %, 1.52 (1.16–2.00) for +30–100 % and
2.28 (1.50–3.48) for more than +100 %.

Severity follows the size of the spike, band by band: (1.10, 1.30] → low,
(1.30, 2.00] → moderate, > 2.00 → high.  The first two bands have overlapping
confidence intervals (the point estimate of the middle band is even slightly lower), so
the severity ranks how far the run went beyond the usual, not a measured risk ordering;
the band's hazard ratio is quoted in the message.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..load import long_run_spikes
from .flag import Flag, history_notice, make_flag, register_rule
from .flag import short_history_notice as _short
from .profile import LongRunSpikeSettings

__all__ = ["long_run_spike"]

_D = LongRunSpikeSettings()

REFERENCE = "Frandsen et al., Br J Sports Med 2025;59(17):1203–10"
ADVICE = (
    "Keep each run close to the longest runs of your last month; lengthen the long run in "
    "small steps rather than suddenly, and ease off if your ankles complain."
)


def _band(ratio: float, moderate_ratio: float, high_ratio: float) -> tuple[str, str, str]:
    """Severity, Frandsen band and its hazard rate ratio (95 % CI)."""
    if ratio > high_ratio:
        return "high", "more than 100 %", "2.28 (1.50–3.48)"
    if ratio > moderate_ratio:
        return "moderate", "30–100 %", "1.52 (1.16–2.00)"
    return "low", "10–30 %", "1.64 (1.31–2.05)"


@register_rule("long_run_spike", evidence="evidence", reference=REFERENCE, advice=ADVICE)
def long_run_spike(
    activities: pd.DataFrame,
    *,
    spike_ratio: float = _D.spike_ratio,
    moderate_ratio: float = _D.moderate_ratio,
    high_ratio: float = _D.high_ratio,
    min_distance_km: float = _D.min_distance_km,
    window_days: int = _D.window_days,
    baseline_days: int = _D.baseline_days,
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
        Days of running history needed before the run; before that a would-be flag
        becomes an ``info`` notice. [d]

    Returns
    -------
    list of Flag
        Dated on the run; ``metric`` is ``spike_ratio``.
    """
    spikes = long_run_spikes(activities, window_days=window_days)
    out: list[Flag] = []
    notice = False
    for activity_id, row in spikes.iterrows():
        ratio = float(row["spike_ratio"])
        km = float(row["distance_km"])
        if not (np.isfinite(ratio) and ratio > spike_ratio and km >= min_distance_km):
            continue
        date = row["local_date"]
        previous = float(row["previous_longest_km"])
        seen = (
            f"your {km:.1f} km run on {date.isoformat()} was {(ratio - 1) * 100:.0f} % longer "
            f"than your longest run of the previous {window_days} days ({previous:.1f} km)"
        )
        history = int(row["history_days"])
        if history < baseline_days:
            out.append(
                history_notice(
                    "long_run_spike",
                    date=date,
                    history_days=history,
                    baseline_days=baseline_days,
                    what=seen,
                    activity_ids=(str(activity_id),),
                )
            )
            notice = True
            continue
        severity, band, hrr = _band(ratio, moderate_ratio, high_ratio)
        message = (
            f"{seen[0].upper()}{seen[1:]}. In a study of 5,205 runners (Frandsen 2025), "
            f"sessions {band} longer than the longest run of the previous 30 days had an "
            f"injury hazard rate ratio of {hrr} compared with sessions at most 10 % longer."
        )
        out.append(
            make_flag(
                "long_run_spike",
                date=date,
                severity=severity,
                metric="spike_ratio",
                value=ratio,
                threshold=spike_ratio,
                message=message,
                activity_ids=(str(activity_id),),
            )
        )
    if not spikes.empty:
        runs = spikes[["local_date"]]
        out += _short("long_run_spike", runs, baseline_days=baseline_days, emitted=notice)
    return out
