"""``uphill_overload``: weekly climbing rising sharply against the runner's own outdoor norm.

The article's trigger 3, "going uphill too much": the article says it is hard on the
Achilles tendon and that pain appears when uphill sessions increase.  That claim is the
article's; the study runload cites measured forces, not injuries (Gottschall & Kram
2005: at +9° the propulsive force rose by 75 %).  Hence the grade *mechanistic* and no
absolute threshold: the week's ascent is compared with the runner's own recent outdoor
weeks, built as described in :mod:`runload.risk.climbing` (outdoor runs with trusted
climbing only; treadmill and holiday weeks are skipped, not counted as 0 m).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .climbing import ClimbTexts, elevation_flags
from .flag import Flag, register_rule, setting

__all__ = ["UphillOverloadSettings", "uphill_overload"]

_SELF = "self-relative: Gottschall & Kram 2005 give forces, no injury threshold"


@dataclass(frozen=True)
class UphillOverloadSettings:
    """Settings of the ``uphill_overload`` rule (self-relative, Gottschall & Kram 2005).

    Attributes
    ----------
    ascent_ratio : float
        Flag when the week's ascent exceeds this multiple of the norm; the same multiple
        applies to ascent per outdoor km and to the number of hilly runs. [1]
    peak_ratio : float
        A week at most this multiple of the biggest outdoor week of the lookback is never
        flagged. [1]
    window_weeks : int
        Number of previous weeks with outdoor running forming the norm. [weeks]
    lookback_weeks : int
        How far back those weeks are looked for. [weeks]
    min_norm_weeks : int
        Fewest such weeks for a norm. [weeks]
    min_week_ascent_m : float
        Weeks with less ascent are never flagged. [m]
    hilly_run_m_per_km : float
        A run with at least this ascent per km counts as a hilly run. [m/km]
    baseline_days : int
        Days of running history needed before the week starts. [d]
    """

    ascent_ratio: float = setting(1.5, unit="1", source=_SELF)
    peak_ratio: float = setting(
        1.10, unit="1", source="convention: within +10 % of the biggest recent week"
    )
    window_weeks: int = setting(4, unit="weeks", source="convention: about a month")
    lookback_weeks: int = setting(12, unit="weeks", source="convention")
    min_norm_weeks: int = setting(2, unit="weeks", source="convention")
    min_week_ascent_m: float = setting(250.0, unit="m", source="practical floor")
    hilly_run_m_per_km: float = setting(20.0, unit="m/km", source="convention")
    baseline_days: int = setting(28, unit="d", source="the 4-week norm")


_D = UphillOverloadSettings()

REFERENCE = (
    "Gottschall & Kram, J Biomech 2005;38:445–52 (forces, not injuries); the Achilles "
    "link is the article's own claim"
)
ADVICE = (
    "Add hills gradually: keep the number and length of uphill sessions steady for a few "
    "weeks before adding more, since the article warns that ankle pain (often at the "
    "Achilles tendon) tends to appear when uphill sessions increase."
)

TEXTS = ClimbTexts(
    column="ascent_m",
    verb="climbed",
    metric="ascent_to_norm_ratio",
    steep="hilly runs",
    evidence=(
        "Uphill running raises the push-off forces (+75 % at +9°, Gottschall & Kram 2005: "
        "biomechanics, not injury data); the article links more uphill sessions to Achilles "
        "pain. There is no injury threshold, so this compares you with your own recent weeks."
    ),
)


@register_rule(
    "uphill_overload",
    evidence="mechanistic",
    reference=REFERENCE,
    advice=ADVICE,
    settings=UphillOverloadSettings,
)
def uphill_overload(
    activities: pd.DataFrame,
    *,
    ascent_ratio: float = _D.ascent_ratio,
    peak_ratio: float = _D.peak_ratio,
    window_weeks: int = _D.window_weeks,
    lookback_weeks: int = _D.lookback_weeks,
    min_norm_weeks: int = _D.min_norm_weeks,
    min_week_ascent_m: float = _D.min_week_ascent_m,
    hilly_run_m_per_km: float = _D.hilly_run_m_per_km,
    baseline_days: int = _D.baseline_days,
) -> list[Flag]:
    """Flag weeks whose ascent rose sharply above the runner's outdoor norm.

    Parameters
    ----------
    activities : DataFrame
        The activities table (``ascent_m``; ``surface``, ``ascent_trusted`` and
        ``elevation_source`` when present).
    ascent_ratio : float
        Week ÷ norm above which the week is flagged (also used for the other signals). [1]
    peak_ratio : float
        Week ÷ the biggest outdoor week of the lookback at or below which nothing is
        flagged. [1]
    window_weeks, lookback_weeks, min_norm_weeks : int
        The norm: mean of the last ``window_weeks`` weeks with outdoor running within
        ``lookback_weeks``, when there are at least ``min_norm_weeks``. [weeks]
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
    return elevation_flags(
        activities,
        trigger="uphill_overload",
        texts=TEXTS,
        ratio=ascent_ratio,
        window_weeks=window_weeks,
        lookback_weeks=lookback_weeks,
        min_norm_weeks=min_norm_weeks,
        min_week_m=min_week_ascent_m,
        steep_run_m_per_km=hilly_run_m_per_km,
        baseline_days=baseline_days,
        peak_ratio=peak_ratio,
    )
