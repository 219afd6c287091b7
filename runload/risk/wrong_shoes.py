"""``wrong_shoes``: shoes not made for running, a sudden move to minimal shoes, racing shoes daily.

The article's trigger 1 in full: "wrong shoes: too tight, or without supportive
cushioning".  runload cannot see fit; it can see which shoes carried which runs, once
the shoes have a type (see :mod:`runload.shoes`: the runner's gear file, an export's
gear list, or the names of well-known lines).  The rule flags three things.

**A switch to less cushioning at full volume** (trial evidence).  In a trial of 103
runners training for 12 weeks towards a 10 km race, 12 were injured in a partial
minimalist shoe against 4 in a neutral one (Ryan et al. 2014); in Fuller et al. (2017)
pain and injury in minimalist shoes rose with body mass and weekly distance.  The rule
judges the switch as ``treadmill_to_road`` judges a surface switch, week by week.  A
run counts as *less cushioned* when its shoe is typed ``minimalist``, or when its stack
height is at least ``stack_drop_mm`` (10 mm) below the distance-weighted mean stack of
the runner's other shoes in the ``window_weeks`` (4) before.  A week is judged when
those weeks were *usual* training: at least ``cushioned_share`` (60 %) of their
distance in shoes that are not less cushioned.  In such a week it measures how much
the less-cushioned share of the week's distance rose within two weeks (the week's share
minus the lower of the two weeks before), and the week's less-cushioned kilometres ÷
the mean weekly distance of the window.  A rise of at least ``min_share_rise`` (30
points) with at least ``min_volume_share`` (50 %) of the usual volume is flagged.  One
point each for: an abrupt rise (``abrupt_share_rise``, 70 points), full volume
(``full_volume_share``, 80 %), and a body mass of at least ``heavy_body_mass_kg`` (85
kg) when the runner gives one (``body_mass_kg``; 0 = not given).  0–1 points → low,
2 → moderate, 3 → high: cushioned to minimalist at full volume in one week is moderate,
high for a heavier runner; a move spread over eight weeks never rises 30 points within
two weeks and is not flagged.  Within one move a week is reported only when it is more
severe than the weeks already reported.

**Shoes not made for running** (practice).  Every week with runs in shoes typed
``non-running`` (casual shoes, boots, sandals): low, moderate when they carried at
least ``non_running_share`` (50 %) of the week's distance.  Reported once per
stretch of such weeks, again only when it grows more severe.

**Racing shoes for most of the training** (practice).  Race shoes are built light,
for race day; there is no injury data on training in them, so the grade is practice.
Over the ``window_weeks`` (4) up to a week: the long run (the week's longest run) in
racing shoes in at least ``racing_long_runs`` (3) of the weeks, or at least
``racing_share`` (50 %) of the distance in racing shoes: low; both: moderate.
Reported once per stretch, again only when more severe.

Shoes without a known type are not guessed: when runs were made in shoes whose type
is unknown, an ``info`` notice says so and names them, so that the runner can give
the type in the gear file.  (When no run has a shoe at all, ``worn_shoes`` says so.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..load import window_reduce
from ..shoes import run_shoes, shoe_catalogue, shoe_types, type_of
from .flag import (
    Findings,
    Flag,
    at_least_share,
    make_flag,
    plural,
    register_rule,
    run_weeks,
    setting,
    share_pct,
)

__all__ = ["WrongShoesSettings", "wrong_shoes"]

_SWITCH = "convention, as treadmill_to_road; Ryan et al. 2014 gives the risk, not the cut"
_FULLER = "Fuller et al. 2017: minimalist-shoe risk rose with body mass; the cut is runload's"


@dataclass(frozen=True)
class WrongShoesSettings:
    """Settings of the ``wrong_shoes`` rule.

    Attributes
    ----------
    window_weeks : int
        The usual training before a week, and the racing-shoe window. [weeks]
    cushioned_share : float
        Minimal share of the window's distance in shoes that are not less cushioned. [1]
    stack_drop_mm : float
        A stack this much below the window's mean stack counts as less cushioned. [mm]
    min_share_rise, abrupt_share_rise : float
        Rise of the less-cushioned share within two weeks: needed for a flag, counted
        as abrupt. [1]
    min_volume_share, full_volume_share : float
        Less-cushioned km ÷ the window's mean weekly km: needed for a flag, counted as
        full volume. [1]
    body_mass_kg : float
        The runner's body mass; 0 when not given. [kg]
    heavy_body_mass_kg : float
        From this body mass a move to less cushioning scores one more point. [kg]
    non_running_share : float
        Share of a week's distance in non-running shoes that makes the flag moderate. [1]
    racing_share : float
        Share of the window's distance in racing shoes that counts as most of it. [1]
    racing_long_runs : int
        Weeks of the window whose long run was in racing shoes that make a habit. [weeks]
    baseline_days : int
        Days of running history needed before a week for the switch to be judged. [d]
    """

    window_weeks: int = setting(4, unit="weeks", source="convention: about a month")
    cushioned_share: float = setting(0.60, unit="1", source="convention: mostly")
    stack_drop_mm: float = setting(
        10.0, unit="mm", source="convention: a clearly lower stack; no study fixes the cut"
    )
    min_share_rise: float = setting(0.30, unit="1", source=_SWITCH)
    abrupt_share_rise: float = setting(0.70, unit="1", source=_SWITCH)
    min_volume_share: float = setting(0.50, unit="1", source=_SWITCH)
    full_volume_share: float = setting(0.80, unit="1", source="the article: same volume")
    body_mass_kg: float = setting(0.0, unit="kg", source="the runner's own (0 = not given)")
    heavy_body_mass_kg: float = setting(85.0, unit="kg", source=_FULLER)
    non_running_share: float = setting(
        0.50, unit="1", source="practice: the article's shoes made for running"
    )
    racing_share: float = setting(0.50, unit="1", source="practice: most of the training")
    racing_long_runs: int = setting(3, unit="weeks", source="practice: a habit, not one race")
    baseline_days: int = setting(28, unit="d", source="the 4-week window")


_D = WrongShoesSettings()

REFERENCE = (
    "Ryan et al., Br J Sports Med 2014;48:1257–62 (small trial); Fuller et al., Am J Sports "
    "Med 2017;45:1162–70; Malisoux et al., Am J Sports Med 2020;48:473–80"
)
PRACTICE_REFERENCE = (
    "The article's advice (shoes made for running, with supportive cushioning); practice, "
    "no injury data on non-running or racing shoes in training"
)
ADVICE = (
    "Run in shoes made for running, with supportive cushioning, that fit without pressing. "
    "If you want to run in minimal shoes, move to them gradually over weeks, starting with "
    "short runs, and keep racing shoes for races and a few key sessions."
)

_SEVERITY = ("low", "low", "moderate", "high")
_RANK = {"": 0, "low": 1, "moderate": 2, "high": 3}


def _names(shoes: Sequence[str]) -> str:
    unique = list(dict.fromkeys(shoes))
    quoted = [f"'{s}'" for s in unique[:3]]
    more = f" and {len(unique) - 3} more" if len(unique) > 3 else ""
    return ", ".join(quoted) + more


def _practice(flag: Flag) -> Flag:
    return dataclasses.replace(flag, evidence="practice", reference=PRACTICE_REFERENCE)


@register_rule(
    "wrong_shoes",
    evidence="evidence",
    reference=REFERENCE,
    advice=ADVICE,
    settings=WrongShoesSettings,
)
def wrong_shoes(
    activities: pd.DataFrame,
    *,
    window_weeks: int = _D.window_weeks,
    cushioned_share: float = _D.cushioned_share,
    stack_drop_mm: float = _D.stack_drop_mm,
    min_share_rise: float = _D.min_share_rise,
    abrupt_share_rise: float = _D.abrupt_share_rise,
    min_volume_share: float = _D.min_volume_share,
    full_volume_share: float = _D.full_volume_share,
    body_mass_kg: float = _D.body_mass_kg,
    heavy_body_mass_kg: float = _D.heavy_body_mass_kg,
    non_running_share: float = _D.non_running_share,
    racing_share: float = _D.racing_share,
    racing_long_runs: int = _D.racing_long_runs,
    baseline_days: int = _D.baseline_days,
    gear_map: Any = None,
) -> list[Flag]:
    """Flag runs in non-running shoes, abrupt moves to less cushioning, racing shoes as daily shoes.

    Parameters
    ----------
    activities : DataFrame
        The activities table; a run's shoe is its ``gear`` value, else the gear map
        entry covering its date.
    window_weeks : int
        Weeks of usual training before a judged week; the racing-shoe window. [weeks]
    cushioned_share : float
        Minimal share of that window's distance in shoes that are not less cushioned. [1]
    stack_drop_mm : float
        Stack this much below the window's mean counts as less cushioned. [mm]
    min_share_rise, abrupt_share_rise : float
        Rise of the less-cushioned share within two weeks: needed, abrupt. [1]
    min_volume_share, full_volume_share : float
        Less-cushioned km ÷ usual weekly km: needed, full volume. [1]
    body_mass_kg : float
        The runner's body mass, 0 when not given. [kg]
    heavy_body_mass_kg : float
        From this mass a move to less cushioning scores one more point. [kg]
    non_running_share : float
        Share of a week's distance in non-running shoes that makes it moderate. [1]
    racing_share : float
        Share of the window's distance in racing shoes that counts as most. [1]
    racing_long_runs : int
        Weeks with the long run in racing shoes that count as a habit. [weeks]
    baseline_days : int
        Days of history needed before a switch week (a notice before that). [d]
    gear_map : optional
        The runner's gear file or map, or a shoe catalogue (any form of
        :func:`runload.shoes.gear_map_records`); its ``type``, ``model`` and
        ``stack_mm`` describe the shoes.

    Returns
    -------
    list of Flag
        Dated on the week's Monday.  ``metric``: ``less_cushioned_share_rise_ratio``
        (evidence), ``non_running_share_ratio`` or ``racing_share_ratio`` (practice);
        ``shoe_types_unknown`` for the notice.
    """
    runs = run_shoes(activities, gear_map=gear_map)
    if runs.empty:
        return []
    catalogue = shoe_catalogue(activities, gear_map=gear_map)
    types = shoe_types(catalogue)
    stacks = {
        " ".join(str(n).casefold().split()): float(s)
        for n, s in zip(catalogue["name"], catalogue["stack_mm"], strict=True)
    }
    gear: list[str | None] = list(runs["gear"])
    described: dict[str | None, tuple[str, float]] = {}  # each shoe's type and stack
    for g in gear:
        if g not in described:
            described[g] = (
                type_of(types, g),
                np.nan if g is None else stacks.get(" ".join(g.casefold().split()), np.nan),
            )
    kind = np.array([described[g][0] for g in gear], dtype=object)
    stack = np.array([described[g][1] for g in gear], dtype=float)
    km = np.nan_to_num(runs["distance_km"].to_numpy(dtype=float), nan=0.0)
    weeks_of_runs = run_weeks(runs)
    dates = weeks_of_runs.dates
    ids = list(map(str, runs.index.tolist()))
    first_monday, n, week_of = (
        weeks_of_runs.first_monday,
        weeks_of_runs.count,
        weeks_of_runs.week_of,
    )
    total = np.bincount(week_of, weights=km, minlength=n)
    count = np.bincount(week_of, minlength=n)
    first_run = min(dates)
    found = Findings("wrong_shoes", baseline_days=baseline_days)

    def monday(k: int) -> dt.date:
        return first_monday + dt.timedelta(days=7 * k)

    # -- shoes of unknown type: a notice, never a guess (no shoe at all: worn_shoes says so)
    unknown = [g for g, t in zip(gear, kind, strict=True) if g is not None and t == "unknown"]
    if unknown:
        named = np.array([g is not None for g in gear], dtype=bool)
        share = float(km[named & (kind == "unknown")].sum() / km.sum()) if km.sum() > 0 else 1.0
        found.append(
            make_flag(
                "wrong_shoes",
                date=max(dates),
                severity="info",
                metric="shoe_types_unknown",
                value=share,
                threshold=float("nan"),
                message=(
                    f"Shoe types unknown: the type of {plural(len(set(unknown)), 'shoe')} "
                    f"({_names(unknown)}) is unknown; they carried {share_pct(share)} % of "
                    "your running distance, so wrong_shoes could not check them. runload does not "
                    "guess a type from a nickname; give each shoe's type (cushioned, stability, "
                    "trail, racing, minimalist or non-running) or its brand and model in your gear "
                    "file."
                ),
            )
        )

    # -- shoes not made for running --------------------------------------------------------
    non_running = kind == "non-running"
    nr_km = np.bincount(week_of[non_running], weights=km[non_running], minlength=n)
    reported = ""
    for k in range(n):
        if nr_km[k] <= 0:
            reported = ""
            continue
        share = float(nr_km[k] / total[k]) if total[k] > 0 else 1.0
        severity = "moderate" if at_least_share(share, non_running_share) else "low"
        if _RANK[severity] <= _RANK[reported]:
            continue
        rows = np.flatnonzero((week_of == k) & non_running).tolist()
        shoes = [str(gear[i]) for i in rows]
        message = (
            f"In the week of {monday(k).isoformat()}, {plural(len(rows), 'run')} "
            f"({nr_km[k]:.1f} km, {share_pct(share)} % of the week's {total[k]:.1f} km) "
            f"{'was' if len(rows) == 1 else 'were'} in shoes not made for running "
            f"({_names(shoes)}). The article names shoes without supportive cushioning as a "
            "cause of ankle pain; this is practice, no study has measured it."
        )
        flag = make_flag(
            "wrong_shoes",
            date=monday(k),
            severity=severity,
            metric="non_running_share_ratio",
            value=share,
            threshold=non_running_share,
            message=message,
            activity_ids=tuple(ids[i] for i in rows),
        )
        found.append(_practice(flag))
        reported = severity

    # -- a switch to less cushioning -----------------------------------------------------
    minimalist = kind == "minimalist"
    # Per week k, the runs of the weeks lo .. k-1 before it are runs first[k] .. last[k]-1
    # (runs are in date order): their sums, and the km-weighted mean stack of those with
    # a stack (np.average), reduced for every k at once, bit for bit the per-week sums.
    every = np.arange(n)
    lows = np.maximum(every - window_weeks, 0)
    first = np.searchsorted(week_of, lows, side="left")
    last = np.searchsorted(week_of, every, side="left")
    window_totals = window_reduce(km, first, last, np.sum, empty=0.0)
    stacked = np.flatnonzero(~minimalist & np.isfinite(stack) & (km > 0))
    s_first = np.searchsorted(stacked, first, side="left")
    s_last = np.searchsorted(stacked, last, side="left")
    ref_stacks = window_reduce((stack * km)[stacked], s_first, s_last, np.sum) / window_reduce(
        km[stacked], s_first, s_last, np.sum
    )
    minimal_km = np.bincount(week_of[minimalist], weights=km[minimalist], minlength=n)
    minimal_window = window_reduce(minimal_km, lows, every, np.sum, empty=0.0)
    reported = ""
    for k in range(1, n):
        lo = int(lows[k])
        window_total = float(window_totals[k])
        if window_total <= 0:
            reported = ""
            continue
        ref_stack = float(ref_stacks[k])
        if np.isfinite(ref_stack):
            low = minimalist | (np.isfinite(stack) & (stack <= ref_stack - stack_drop_mm))
            low_km = np.bincount(week_of[low], weights=km[low], minlength=n)
            window_low = float(low_km[lo:k].sum())
        else:
            low, low_km, window_low = minimalist, minimal_km, float(minimal_window[k])
        if (window_total - window_low) / window_total < cushioned_share - 1e-12:
            reported = ""
            continue
        if low_km[k] <= 0 or total[k] <= 0:
            continue
        share_k = float(low_km[k] / total[k])
        before = [float(low_km[j] / total[j]) for j in (k - 1, k - 2) if j >= 0 and total[j] > 0]
        base = min(before) if before else window_low / window_total
        rise = share_k - base
        weeks_in_window = k - lo
        usual_week = window_total / weeks_in_window
        volume = float(low_km[k] / usual_week)
        if not (at_least_share(rise, min_share_rise) and at_least_share(volume, min_volume_share)):
            continue
        abrupt = at_least_share(rise, abrupt_share_rise)
        full = at_least_share(volume, full_volume_share)
        heavy = body_mass_kg > 0 and body_mass_kg >= heavy_body_mass_kg
        severity = _SEVERITY[int(abrupt) + int(full) + int(heavy)]
        if _RANK[severity] <= _RANK[reported]:
            continue
        rows = np.flatnonzero((week_of == k) & low).tolist()
        shoes = [str(gear[i]) for i in rows]
        seen = (
            f"in the week of {monday(k).isoformat()}, {len(rows)} of your "
            f"{plural(int(count[k]), 'run')} ({share_pct(share_k)} % of {total[k]:.1f} km) "
            f"{'was' if len(rows) == 1 else 'were'} in less cushioned shoes ({_names(shoes)}), "
            f"up from {share_pct(base)} % within two weeks"
        )
        points = []
        if abrupt:
            points.append("the switch was abrupt")
        if full:
            points.append(
                f"{low_km[k]:.1f} km ran in them, {share_pct(volume)} % of your usual "
                f"{usual_week:.1f} km a week"
            )
        if heavy:
            points.append(
                f"at {body_mass_kg:.0f} kg you are at or above {heavy_body_mass_kg:.0f} kg, "
                "and in one trial (Fuller 2017) pain and injury in minimalist shoes rose with "
                "body mass"
            )
        detail = ("; " + "; ".join(points)) if points else ""
        message = (
            f"{seen[0].upper()}{seen[1:]}{detail}. In a 12-week trial of 103 runners, 12 were "
            "injured in a partial minimalist shoe against 4 in a neutral shoe (Ryan 2014); "
            "the usual advice is to move to minimal shoes over weeks, starting with short runs."
        )
        found.add(
            date=monday(k),
            history_days=(monday(k) - first_run).days,
            seen=seen,
            severity=severity,
            metric="less_cushioned_share_rise_ratio",
            value=rise,
            threshold=min_share_rise,
            message=message,
            activity_ids=tuple(ids[i] for i in rows),
        )
        reported = severity

    # -- racing shoes for most of the training -------------------------------------------
    racing = kind == "racing"
    # the long run of a week is its first longest run (np.argmax); weeks without runs: False
    week_max = np.full(n, -np.inf)
    np.maximum.at(week_max, week_of, km)
    at_max = np.flatnonzero(km == week_max[week_of])
    weeks_with_max, first_at_max = np.unique(week_of[at_max], return_index=True)
    long_racing = np.zeros(n, dtype=bool)
    long_racing[weeks_with_max] = racing[at_max[first_at_max]]
    racing_km = np.bincount(week_of[racing], weights=km[racing], minlength=n)
    racing_in_week = np.bincount(week_of[racing], minlength=n) > 0
    lows = np.maximum(every - window_weeks + 1, 0)
    window_totals = window_reduce(total, lows, every + 1, np.sum, empty=0.0)
    window_racing = window_reduce(racing_km, lows, every + 1, np.sum, empty=0.0)
    habits = np.concatenate([[0], np.cumsum(long_racing)])
    reported = ""
    for k in range(n):
        lo = int(lows[k])
        window_total = float(window_totals[k])
        if window_total <= 0 or not racing_in_week[k]:
            reported = ""
            continue
        share = float(window_racing[k] / window_total)
        habit_weeks = int(habits[k + 1] - habits[min(lo, k + 1)])
        habit = habit_weeks >= racing_long_runs
        most = at_least_share(share, racing_share)
        if not (habit or most):
            reported = ""
            continue
        severity = "moderate" if habit and most else "low"
        if _RANK[severity] <= _RANK[reported]:
            continue
        weeks = k - lo + 1
        rows = np.flatnonzero((week_of >= lo) & (week_of <= k) & racing).tolist()
        shoes = [str(gear[i]) for i in rows]
        parts = []
        if habit:
            parts.append(f"your long run was in racing shoes in {habit_weeks} of the {weeks} weeks")
        if most:
            parts.append(f"{share_pct(share)} % of your {window_total:.1f} km ran in them")
        message = (
            f"In the {plural(weeks, 'week')} up to the week of {monday(k).isoformat()}, "
            f"{' and '.join(parts)} ({_names(shoes)}). Racing shoes are built light for race "
            "day; keeping daily and long runs in cushioned running shoes is common practice, "
            "without injury data behind it."
        )
        flag = make_flag(
            "wrong_shoes",
            date=monday(k),
            severity=severity,
            metric="racing_share_ratio",
            value=share,
            threshold=racing_share,
            message=message,
            activity_ids=tuple(ids[i] for i in rows if week_of[i] == k),
        )
        found.append(_practice(flag))
        reported = severity
    # the "not enough history yet" notice only where there are shoes to judge
    shod = runs if any(g is not None for g in gear) else None
    return sorted(found.result(shod), key=lambda f: (f.date, f.metric))
