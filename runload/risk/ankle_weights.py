"""``ankle_weights``: running with ankle weights, started or increased quickly.

The article's trigger 5, "pushing too hard with ankle weights", with its advice to start
slowly.  There is no injury-outcome evidence: ankle weights raise the energy cost of
running by about 5–8 % without changing its kinematics much (Claremont & Hall 1988),
so the grade is *practice*.

Only runs tagged as done with ankle weights count: the activity ``name`` or ``notes``
match :data:`ANKLE_WEIGHT_PATTERN` (English, German and French wordings), or the user
``tags`` mapping gives the activity such a tag.  Tagged runs form blocks; a tagged run
more than ``new_block_gap_days`` after the previous one starts a new block.

* the first tagged run of a block → low (informative: "you started");
* more than ``max_start_runs`` tagged runs within the block's first ``start_days`` → moderate;
* a week (Monday–Sunday) whose tagged distance or number of tagged runs is more than
  ``growth_ratio`` × the previous week's (which had tagged runs) → moderate, more than
  ``high_growth_ratio`` × → high.

No history baseline applies: the tags themselves are the history.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .flag import Flag, make_flag, register_rule, run_table
from .profile import AnkleWeightsSettings

__all__ = ["ANKLE_WEIGHT_PATTERN", "ankle_weights", "tagged_runs"]

_D = AnkleWeightsSettings()

#: Wordings that mark a run done with ankle weights (case-insensitive).
ANKLE_WEIGHT_PATTERN: re.Pattern[str] = re.compile(
    r"ankle[\s_-]*weights?"
    r"|weighted[\s_-]+ankles?"
    r"|(?:kn(?:ö|oe)chel|fu(?:ß|ss)|sprunggelenk)[\s_-]*gewicht(?:e|en)?"
    r"|gewichts?manschetten?"
    r"|(?:poids|lests?)[\s_-]*(?:aux|aux[\s_-]+|de|des|pour[\s_-]+les)?[\s_-]*chevilles?"
    r"|chevill[eè]res?[\s_-]+lest[ée]e?s?",
    re.IGNORECASE,
)

REFERENCE = (
    "Claremont & Hall, Med Sci Sports Exerc 1988 (+5–8 % energy cost, kinematics "
    "unchanged); no injury-outcome data"
)
ADVICE = (
    "Start slowly with ankle weights: a few short runs at first, then add distance or "
    "sessions step by step rather than doubling them from one week to the next."
)


def _tag_texts(value: Iterable[str] | str | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def tagged_runs(
    activities: pd.DataFrame, *, tags: Mapping[str, Iterable[str] | str] | None = None
) -> pd.DataFrame:
    """The runs done with ankle weights, chronological.

    Parameters
    ----------
    activities : DataFrame
        The activities table (``name`` and ``notes`` are searched).
    tags : mapping, optional
        ``activity_id`` → a tag or an iterable of tags; a tag matching
        :data:`ANKLE_WEIGHT_PATTERN` (e.g. ``"ankle_weights"``) marks the run.

    Returns
    -------
    DataFrame
        Index ``activity_id``; columns ``local_date`` (datetime.date), ``distance_km`` [km].
    """
    runs = run_table(activities)
    tags = tags or {}
    texts: list[list[str]] = [_tag_texts(tags.get(i)) for i in runs.index]
    for column in ("name", "notes"):
        if column in activities.columns:
            values = activities[column].reindex(runs.index)
            for k, value in enumerate(values):
                if isinstance(value, str):
                    texts[k].append(value)
    mask = np.array([any(ANKLE_WEIGHT_PATTERN.search(t) for t in ts) for ts in texts], dtype=bool)
    return runs.loc[mask, ["local_date", "distance_km"]]


@register_rule("ankle_weights", evidence="practice", reference=REFERENCE, advice=ADVICE)
def ankle_weights(
    activities: pd.DataFrame,
    *,
    start_days: int = _D.start_days,
    max_start_runs: int = _D.max_start_runs,
    growth_ratio: float = _D.growth_ratio,
    high_growth_ratio: float = _D.high_growth_ratio,
    new_block_gap_days: int = _D.new_block_gap_days,
    tags: Mapping[str, Iterable[str] | str] | None = None,
) -> list[Flag]:
    """Flag the start of ankle-weight running and a build-up faster than a slow one.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    start_days : int
        Length of a block's start. [d]
    max_start_runs : int
        Most tagged runs allowed within the start before a moderate flag.
    growth_ratio, high_growth_ratio : float
        Week ÷ previous week (distance or count) above which: moderate, high. [1]
    new_block_gap_days : int
        Gap after which a tagged run starts a new block. [d]
    tags : mapping, optional
        ``activity_id`` → tag(s); see :func:`tagged_runs`.

    Returns
    -------
    list of Flag
        Metrics: ``tagged_runs`` (start and fast start, on the run), and
        ``tagged_growth_ratio`` (weekly growth, on the week's Monday).
    """
    runs = tagged_runs(activities, tags=tags)
    if runs.empty:
        return []
    dates: list[dt.date] = list(runs["local_date"])
    km = np.nan_to_num(runs["distance_km"].to_numpy(dtype=float), nan=0.0)
    ids = [str(i) for i in runs.index]
    blocks: list[list[int]] = []
    for i, date in enumerate(dates):
        if not blocks or (date - dates[blocks[-1][-1]]).days > new_block_gap_days:
            blocks.append([])
        blocks[-1].append(i)
    out: list[Flag] = []
    for block in blocks:
        first = block[0]
        out.append(
            make_flag(
                "ankle_weights",
                date=dates[first],
                severity="low",
                metric="tagged_runs",
                value=1.0,
                threshold=1.0,
                message=(
                    f"Your run of {km[first]:.1f} km on {dates[first].isoformat()} is the first "
                    "one tagged with ankle weights"
                    + ("" if first == 0 else f" in more than {new_block_gap_days} days")
                    + ". Ankle weights make running about 5–8 % more costly in energy; "
                    "there are no injury data, so go by how your ankles feel."
                ),
                activity_ids=(ids[first],),
            )
        )
        start_end = dates[first] + dt.timedelta(days=start_days - 1)
        in_start = [i for i in block if dates[i] <= start_end]
        if len(in_start) > max_start_runs:
            i = in_start[max_start_runs]
            out.append(
                make_flag(
                    "ankle_weights",
                    date=dates[i],
                    severity="moderate",
                    metric="tagged_runs",
                    value=float(len(in_start)),
                    threshold=float(max_start_runs),
                    message=(
                        f"You did {len(in_start)} runs with ankle weights within the first "
                        f"{start_days} days ({dates[first].isoformat()} to "
                        f"{start_end.isoformat()}), more than the {max_start_runs} of a slow "
                        "start."
                    ),
                    activity_ids=tuple(ids[j] for j in in_start),
                )
            )
        out += _growth(block, dates, km, ids, growth_ratio, high_growth_ratio)
    return out


def _growth(
    block: list[int],
    dates: list[dt.date],
    km: np.ndarray,
    ids: list[str],
    growth_ratio: float,
    high_growth_ratio: float,
) -> list[Flag]:
    weeks: dict[dt.date, list[int]] = {}
    for i in block:
        weeks.setdefault(dates[i] - dt.timedelta(days=dates[i].weekday()), []).append(i)
    out: list[Flag] = []
    for week, members in weeks.items():
        previous = weeks.get(week - dt.timedelta(days=7))
        if not previous:
            continue
        km_now, km_before = float(km[members].sum()), float(km[previous].sum())
        n_now, n_before = len(members), len(previous)
        km_ratio = km_now / km_before if km_before > 0 else float("nan")
        n_ratio = n_now / n_before
        growth = float(np.nanmax([km_ratio, n_ratio]))
        if not growth > growth_ratio:
            continue
        severity = "high" if growth > high_growth_ratio else "moderate"
        out.append(
            make_flag(
                "ankle_weights",
                date=week,
                severity=severity,
                metric="tagged_growth_ratio",
                value=growth,
                threshold=growth_ratio,
                message=(
                    f"In the week of {week.isoformat()} you ran {n_now} times with ankle "
                    f"weights for {km_now:.1f} km, against {n_before} runs and "
                    f"{km_before:.1f} km the week before: {growth:.1f} times as much, faster "
                    f"than a slow build-up (flag above {growth_ratio:g} times)."
                ),
                activity_ids=tuple(ids[j] for j in members),
            )
        )
    return out
