"""``downhill_overload``: weekly descent rising sharply against the runner's own outdoor norm.

Not one of the article's five triggers: runload adds it because running downhill loads
the legs eccentrically (muscles and tendons lengthening while they brake).  At −9°,
Gottschall & Kram (2005) measured the impact force peak 54 % and the braking force
73 % higher than on the level.  These are forces in the lab, not injury data: the grade
is *mechanistic* and the week is only compared with the runner's own recent outdoor
weeks, exactly as ``uphill_overload`` does with ascent (the shared
:mod:`runload.risk.climbing`).  A downhill race after flat training is the typical case.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .climbing import ClimbTexts, elevation_flags
from .flag import Flag, register_rule, setting

__all__ = ["DownhillOverloadSettings", "downhill_overload"]

_SELF = "self-relative: Gottschall & Kram 2005 give forces, no injury threshold"


@dataclass(frozen=True)
class DownhillOverloadSettings:
    """Settings of the ``downhill_overload`` rule (self-relative, Gottschall & Kram 2005).

    Attributes
    ----------
    descent_ratio : float
        Flag when the week's descent exceeds this multiple of the norm; the same multiple
        applies to descent per outdoor km and to the number of steep descents. [1]
    peak_ratio : float
        A week at most this multiple of the biggest outdoor week of the lookback is never
        flagged. [1]
    window_weeks : int
        Number of previous weeks with outdoor running forming the norm. [weeks]
    lookback_weeks : int
        How far back those weeks are looked for. [weeks]
    min_norm_weeks : int
        Fewest such weeks for a norm. [weeks]
    min_week_descent_m : float
        Weeks with less descent are never flagged. [m]
    steep_run_m_per_km : float
        A run with at least this descent per km counts as a steep descent. [m/km]
    baseline_days : int
        Days of running history needed before the week starts. [d]
    """

    descent_ratio: float = setting(1.5, unit="1", source=_SELF)
    peak_ratio: float = setting(
        1.10, unit="1", source="convention: within +10 % of the biggest recent week"
    )
    window_weeks: int = setting(4, unit="weeks", source="convention: about a month")
    lookback_weeks: int = setting(12, unit="weeks", source="convention")
    min_norm_weeks: int = setting(2, unit="weeks", source="convention")
    min_week_descent_m: float = setting(250.0, unit="m", source="practical floor")
    steep_run_m_per_km: float = setting(20.0, unit="m/km", source="convention")
    baseline_days: int = setting(28, unit="d", source="the 4-week norm")


_D = DownhillOverloadSettings()

REFERENCE = (
    "Gottschall & Kram, J Biomech 2005;38:445–52 (at −9°: impact peak +54 %, braking "
    "+73 %; eccentric load, no injury data)"
)
ADVICE = (
    "Add downhill running gradually, like hills: long or steep descents brake the body "
    "with every step, so build them up over a few weeks and take it easy after a hilly race."
)

TEXTS = ClimbTexts(
    column="descent_m",
    verb="descended",
    metric="descent_to_norm_ratio",
    steep="steep descents",
    evidence=(
        "Running downhill brakes the body with every step: at −9° the impact peak was 54 % "
        "and the braking force 73 % higher than on the level (Gottschall & Kram 2005: "
        "biomechanics, not injury data). There is no injury threshold, so this compares you "
        "with your own recent weeks."
    ),
)


@register_rule(
    "downhill_overload",
    evidence="mechanistic",
    reference=REFERENCE,
    advice=ADVICE,
    settings=DownhillOverloadSettings,
)
def downhill_overload(
    activities: pd.DataFrame,
    *,
    descent_ratio: float = _D.descent_ratio,
    peak_ratio: float = _D.peak_ratio,
    window_weeks: int = _D.window_weeks,
    lookback_weeks: int = _D.lookback_weeks,
    min_norm_weeks: int = _D.min_norm_weeks,
    min_week_descent_m: float = _D.min_week_descent_m,
    steep_run_m_per_km: float = _D.steep_run_m_per_km,
    baseline_days: int = _D.baseline_days,
) -> list[Flag]:
    """Flag weeks whose descent rose sharply above the runner's outdoor norm.

    Parameters
    ----------
    activities : DataFrame
        The activities table (``descent_m``; ``surface``, ``ascent_trusted`` and
        ``elevation_source`` when present).
    descent_ratio : float
        Week ÷ norm above which the week is flagged (also used for the other signals). [1]
    peak_ratio : float
        Week ÷ the biggest outdoor week of the lookback at or below which nothing is
        flagged. [1]
    window_weeks, lookback_weeks, min_norm_weeks : int
        The norm, as in :func:`runload.risk.uphill_overload.uphill_overload`. [weeks]
    min_week_descent_m : float
        Weeks with less descent are not flagged. [m]
    steep_run_m_per_km : float
        A run with at least this descent per km is a steep descent. [m/km]
    baseline_days : int
        Days of running history needed before the week's first day; before that a
        would-be flag becomes an ``info`` notice. [d]

    Returns
    -------
    list of Flag
        Dated on the week's first day (Monday); ``metric`` is ``descent_to_norm_ratio``.
    """
    return elevation_flags(
        activities,
        trigger="downhill_overload",
        texts=TEXTS,
        ratio=descent_ratio,
        window_weeks=window_weeks,
        lookback_weeks=lookback_weeks,
        min_norm_weeks=min_norm_weeks,
        min_week_m=min_week_descent_m,
        steep_run_m_per_km=steep_run_m_per_km,
        baseline_days=baseline_days,
        peak_ratio=peak_ratio,
    )
