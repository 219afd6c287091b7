"""Labelled training histories: what real runners do, and what the risk rules should say about it.

Each function here builds a :class:`~runload.testing.history.HistoryPlan` whose
``expected`` mapping states the outcome the rules are meant to reach:

``items``
    A tuple of :class:`ExpectedItem`: for each case that should be flagged,
    the trigger id(s) that may flag it, the local date of the run (or the
    Monday of the week) and the minimum severity.  Empty for quiet histories.
``max_other_serious``
    How many moderate-or-high items may appear besides the expected ones:
    0 for quiet histories, 2 for the ordinary runner's year, None where the
    history is not built to judge that.
``analyze``
    Extra keyword arguments for :func:`runload.analyze` (e.g. a ``timezone``).
``write_as``
    ``files`` (one activity file per run, :func:`write_history`) or
    ``strava_export`` (a Strava bulk export whose ``activities.csv`` names
    each run's shoe, for runners who rotate shoes).
``description``
    One line for reports.
``judged``
    False for a history that only shows what the rules do (no target).

The histories come in two groups.  :data:`RULE_SCENARIOS` are the patterns of
issue 8 (breaks, beginners, cut-back weeks, hills both ways, treadmill
transitions, ankle-weight notes, an ordinary year); :data:`INPUT_SCENARIOS`
the inputs of issue 7 (GPX files without a sport next to rides, phone-GPS
altitude on flat routes, a change of device, a New York Sunday-evening run,
walks saved as runs).
:func:`scenario` builds any of them by name; :func:`write_scenario` writes one.

Dates are local.  Weekly distances are exact (see
:meth:`HistoryPlan.weekly_distance_m`) unless a docstring says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from runload.testing.exports import write_history_export
from runload.testing.history import HistoryPlan, PlannedRun, Surface, write_history

__all__ = [
    "HAMBURG",
    "INPUT_SCENARIOS",
    "NEW_YORK",
    "RULE_SCENARIOS",
    "SCENARIO_NAMES",
    "ExpectedItem",
    "gear_map",
    "scenario",
    "user_tags",
    "week_runs",
    "write_scenario",
]

#: Central Park, New York (latitude, longitude) [deg]; elevation about 40 m.
NEW_YORK = (40.7812, -73.9665)
#: The Elbe at Hamburg (latitude, longitude) [deg]: a flat riverside route, about 5 m up.
HAMBURG = (53.5450, 9.9660)

_SEVERITIES = ("info", "low", "moderate", "high")


@dataclass(frozen=True)
class ExpectedItem:
    """A case the rules should flag.

    Attributes
    ----------
    triggers : tuple of str
        Trigger ids any of which may flag the case (e.g. a return after a
        break may be caught by ``return_after_break`` or ``long_run_spike``).
    date : date
        Local date of the run, or the Monday of the week for weekly cases.
        A flag matches when its date falls in the same ISO week.
    min_severity : str
        Lowest severity that counts (``moderate`` unless stated).
    what : str
        The case in words.
    """

    triggers: tuple[str, ...]
    date: dt.date
    min_severity: str = "moderate"
    what: str = ""

    def __post_init__(self) -> None:
        if self.min_severity not in _SEVERITIES:
            raise ValueError(f"min_severity must be one of {_SEVERITIES}")

    def matches(self, trigger: str, date: dt.date, severity: str) -> bool:
        """Whether a found item (trigger, local date, severity) satisfies this case."""
        return (
            trigger in self.triggers
            and date.isocalendar()[:2] == self.date.isocalendar()[:2]
            and _SEVERITIES.index(severity) >= _SEVERITIES.index(self.min_severity)
        )


# ------------------------------------------------------------------ builders

#: Weekdays (Monday = 0) and the share of the week's distance of each run, by runs per week;
#: the largest share is the long run.
_LAYOUT: dict[int, tuple[tuple[int, float], ...]] = {
    1: ((5, 1.0),),
    2: ((2, 0.45), (5, 0.55)),
    3: ((1, 0.30), (3, 0.30), (6, 0.40)),
    4: ((1, 0.22), (3, 0.25), (5, 0.35), (6, 0.18)),
    5: ((0, 0.16), (1, 0.18), (3, 0.20), (5, 0.30), (6, 0.16)),
}
_START_TIME = {0: dt.time(6, 30), 1: dt.time(6, 30), 2: dt.time(6, 45), 3: dt.time(6, 30)}
_START_TIME.update({4: dt.time(17, 30), 5: dt.time(8, 0), 6: dt.time(9, 0)})


def week_runs(
    monday: dt.date,
    distance_m: float,
    rng: np.random.Generator,
    *,
    runs: int = 4,
    climb_per_km_m: float | Sequence[float] = 3.0,
    surfaces: Surface | Sequence[Surface] = "road",
    gear: str | Sequence[str | None] | None = "Pegasus 40",
    jitter: bool = True,
    **fields: Any,
) -> list[PlannedRun]:
    """The runs of one week, ``distance_m`` split in the usual shares of ``runs`` runs.

    Parameters
    ----------
    monday : date
        Monday of the week (local).
    distance_m : float
        Week's total; with ``jitter`` each run varies by up to ±1.5 % and is
        rounded to 10 m, and the last run takes up the difference, so the
        week's total is ``distance_m`` rounded to 10 m. [m]
    rng : Generator
        Draws the start minutes, paces and jitter.
    runs : int
        1 to 5 runs; their weekdays and shares are in ``_LAYOUT`` (the long
        run on Saturday, or on Sunday for three runs).
    climb_per_km_m : float or sequence of float
        True ascent per km of each run (one value for all, or one per run);
        treadmill and track runs have none. [m/km]
    surfaces : str or sequence of str
        Surface of every run, or one per run.
    gear : str, None or sequence
        Shoe of every run, or one per run.
    jitter : bool
        Vary the runs' distances slightly (as real runs do).
    **fields
        More :class:`PlannedRun` fields given to every run (``format``,
        ``elevation_model``...).

    Returns
    -------
    list of PlannedRun
    """
    layout = _LAYOUT[runs]
    total_share = sum(share for _, share in layout)
    out: list[PlannedRun] = []
    left = round(distance_m / 10.0) * 10.0
    long_share = max(share for _, share in layout)
    for i, (day, share) in enumerate(layout):
        if i == len(layout) - 1:
            dist = left
        else:
            factor = rng.uniform(0.985, 1.015) if jitter else 1.0
            dist = round(distance_m * share / total_share * factor / 10.0) * 10.0
            left -= dist
        surface = surfaces if isinstance(surfaces, str) else surfaces[i]
        climb_km = climb_per_km_m if isinstance(climb_per_km_m, int | float) else climb_per_km_m[i]
        shoe = gear if gear is None or isinstance(gear, str) else gear[i]
        climb = 0.0 if surface in ("treadmill", "track") else climb_km * dist / 1000.0
        minute = int(rng.integers(-10, 11))
        start = dt.datetime.combine(monday + dt.timedelta(days=day), _START_TIME[day])
        pace = (360.0 if share == long_share else 340.0) + float(rng.uniform(-8.0, 8.0))
        out.append(
            PlannedRun(
                start_local=start + dt.timedelta(minutes=minute),
                distance_m=dist,
                pace_s_per_km=pace,
                surface=surface,
                climb_m=round(climb, 1),
                gear=shoe,
                **fields,
            )
        )
    return out


def _mondays(start: dt.date, weeks: int) -> list[dt.date]:
    if start.weekday() != 0:
        raise ValueError("start must be a Monday")
    return [start + dt.timedelta(weeks=k) for k in range(weeks)]


def _on(monday: dt.date, weekday: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(monday + dt.timedelta(days=weekday), dt.time(hour, minute))


def _plan(
    name: str,
    runs: Sequence[PlannedRun],
    *,
    seed: int,
    sample_interval_s: float,
    items: Sequence[ExpectedItem] = (),
    max_other_serious: int | None,
    description: str,
    **kwargs: Any,
) -> HistoryPlan:
    expected: dict[str, Any] = {
        "scenario": name,
        "fires": bool(items),
        "items": tuple(items),
        "max_other_serious": max_other_serious,
        "analyze": kwargs.pop("analyze", {}),
        "write_as": kwargs.pop("write_as", "files"),
        "description": description,
        "judged": True,
    }
    expected.update(kwargs.pop("extra", {}))
    plan = HistoryPlan(
        runs=tuple(sorted(runs, key=lambda r: r.start_local)),
        seed=seed,
        sample_interval_s=sample_interval_s,
        scenario=name,
        expected=expected,
        **kwargs,
    )
    expected["weekly_distance_m"] = plan.weekly_distance_m()
    return plan


_START = dt.date(2024, 1, 1)  # a Monday


# ----------------------------------------------------------- issue 8: rules


def _return_history(
    name: str,
    *,
    seed: int,
    sample_interval_s: float,
    comeback: str,
    jog: bool,
) -> HistoryPlan:
    """35 km a week for ten weeks, six weeks without running, then a comeback."""
    rng = np.random.default_rng([seed, 11])
    mondays = _mondays(_START, 20)
    runs: list[PlannedRun] = []
    for k in range(10):
        runs += week_runs(mondays[k], 35_000.0, rng)
    back = mondays[16]
    if comeback == "long_run":
        first = PlannedRun(_on(back, 5, 8), 20_000.0, 370.0, climb_m=60.0, gear="Pegasus 40")
        runs += [
            first,
            PlannedRun(_on(back, 6, 9), 5_000.0, 350.0, climb_m=15.0, gear="Pegasus 40"),
        ]
        item = ExpectedItem(
            ("return_after_break", "long_run_spike"),
            first.start_local.date(),
            what="20 km first run after six weeks off (longest before: 12.3 km)",
        )
    else:
        runs += week_runs(back, 35_000.0, rng)
        item = ExpectedItem(
            ("return_after_break", "distance_jump"),
            back,
            what="a full 35 km week straight after six weeks off",
        )
    for k in range(17, 20):
        runs += week_runs(mondays[k], 35_000.0, rng)
    if jog:
        runs.append(
            PlannedRun(_on(mondays[13], 2, 18), 2_000.0, 380.0, climb_m=5.0, gear="Pegasus 40")
        )
    text = {
        "long_run": "a 20 km first run",
        "full_week": "a full-volume first week",
    }[comeback]
    return _plan(
        name,
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        items=[item],
        max_other_serious=None,
        description=(
            f"35 km/week, six weeks off{' (one 2 km jog in week 4 of the break)' if jog else ''}, "
            f"then {text}"
        ),
        extra={"break_weeks": (mondays[10], mondays[15]), "return_week": back},
    )


def return_after_break(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """35 km a week, six weeks off, then a 20 km first run (on a Saturday, week 17)."""
    return _return_history(
        "return_after_break",
        seed=seed,
        sample_interval_s=sample_interval_s,
        comeback="long_run",
        jog=False,
    )


def return_full_week(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """35 km a week, six weeks off, then a full 35 km week at once."""
    return _return_history(
        "return_full_week",
        seed=seed,
        sample_interval_s=sample_interval_s,
        comeback="full_week",
        jog=False,
    )


def return_with_jog(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """As :func:`return_after_break`, with one 2 km jog in the middle of the break."""
    return _return_history(
        "return_with_jog",
        seed=seed,
        sample_interval_s=sample_interval_s,
        comeback="long_run",
        jog=True,
    )


def beginner_growth(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """A new runner: no history, 3 runs a week from 9 km, +35 % every week for four weeks."""
    rng = np.random.default_rng([seed, 12])
    mondays = _mondays(_START, 6)
    volumes = [9_000.0 * 1.35**k for k in range(5)] + [9_000.0 * 1.35**4]
    runs: list[PlannedRun] = []
    for monday, volume in zip(mondays, volumes, strict=True):
        runs += week_runs(monday, volume, rng, runs=3, gear="Ride 17")
    items = [
        ExpectedItem(
            ("distance_jump", "long_run_spike"),
            mondays[k],
            what=f"week {k + 1}: {volumes[k] / 1000:.1f} km, +35 % on the week before",
        )
        for k in range(1, 5)
    ]
    return _plan(
        "beginner_growth",
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        items=items,
        max_other_serious=None,
        description="beginner, no history: 3 runs/week, 9 km growing by 35 % a week",
    )


def beginner_long_run(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """A new runner: 3 × 4 km in week 1, then a 15 km run in week 2."""
    mondays = _mondays(_START, 4)
    runs: list[PlannedRun] = []
    for k, monday in enumerate(mondays):
        for day in (1, 3, 6):
            dist = 15_000.0 if (k == 1 and day == 6) else 4_000.0
            runs.append(
                PlannedRun(_on(monday, day, 18), dist, 400.0, climb_m=dist * 0.003, gear="Ride 17")
            )
    long_date = mondays[1] + dt.timedelta(days=6)
    return _plan(
        "beginner_long_run",
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        items=[
            ExpectedItem(
                ("long_run_spike", "distance_jump"),
                long_date,
                what="15 km run in the second week of running (longest before: 4 km)",
            )
        ],
        max_other_serious=None,
        description="beginner, no history: 3 x 4 km, then a 15 km run in week 2",
    )


def cutback_blocks(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """Periodised training: 40-44-48-24 km blocks, four times (quiet)."""
    rng = np.random.default_rng([seed, 13])
    mondays = _mondays(_START, 16)
    volumes = [40_000.0, 44_000.0, 48_000.0, 24_000.0] * 4
    runs: list[PlannedRun] = []
    for monday, volume in zip(mondays, volumes, strict=True):
        runs += week_runs(monday, volume, rng, jitter=False)
    return _plan(
        "cutback_blocks",
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        max_other_serious=0,
        description="40-44-48-24 km blocks repeated four times (quiet)",
        extra={"block_km": (40, 44, 48, 24)},
    )


def _trail_holiday(name: str, *, seed: int, sample_interval_s: float, flat: bool) -> HistoryPlan:
    rng = np.random.default_rng([seed, 14 + int(flat)])
    mondays = _mondays(_START, 14)
    runs: list[PlannedRun] = []
    for k, monday in enumerate(mondays):
        if k in (8, 9):
            if flat:  # holiday at the seaside: flat road runs
                runs += week_runs(monday, 30_000.0, rng, climb_per_km_m=1.0, gear="Speedgoat 5")
            continue
        volume = 34_000.0 if (k == 10 and not flat) else 40_000.0
        runs += week_runs(
            monday, volume, rng, surfaces="trail", climb_per_km_m=25.0, gear="Speedgoat 5"
        )
    holiday = "flat road running (30 km/week, 1 m/km)" if flat else "no running"
    return _plan(
        name,
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        max_other_serious=0,
        description=(
            f"trail runner, ~1000 m/week; two-week holiday of {holiday}; "
            "back to usual climbing (quiet)"
        ),
        extra={"holiday_weeks": (mondays[8], mondays[9]), "back_week": mondays[10]},
    )


def trail_holiday_off(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """40 km and 1,000 m a week on trails, two weeks off, back at 85 % then the usual (quiet)."""
    return _trail_holiday(
        "trail_holiday_off", seed=seed, sample_interval_s=sample_interval_s, flat=False
    )


def trail_holiday_flat(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """40 km and 1,000 m a week on trails, two weeks of flat road running, then as usual (quiet)."""
    return _trail_holiday(
        "trail_holiday_flat", seed=seed, sample_interval_s=sample_interval_s, flat=True
    )


def _treadmill(name: str, *, seed: int, sample_interval_s: float, abrupt: bool) -> HistoryPlan:
    """Five runs a week, 30 km; the Sunday easy run (16 %) is always on the road."""
    rng = np.random.default_rng([seed, 16 + int(abrupt)])
    mondays = _mondays(_START, 12)
    # road runs per week, in the order they move outdoors: Sun, Mon, Tue, Thu, Sat
    order = (4, 0, 1, 2, 3)
    if abrupt:
        road_count = [1] * 5 + [5] * 7
    else:
        road_count = [1] * 5 + [2, 3, 4, 5] + [5] * 3
    runs: list[PlannedRun] = []
    shares = []
    for monday, count in zip(mondays, road_count, strict=True):
        surfaces: list[Surface] = ["treadmill"] * 5
        for j in order[:count]:
            surfaces[j] = "road"
        week = week_runs(monday, 30_000.0, rng, runs=5, surfaces=surfaces, gear="Clifton 9")
        runs += week
        road = sum(r.distance_m for r in week if r.surface == "road")
        shares.append(round(road / sum(r.distance_m for r in week), 2))
    items = (
        [
            ExpectedItem(
                ("treadmill_to_road",),
                mondays[5],
                what="5 weeks at 84 % treadmill, then 100 % road at the same 30 km",
            )
        ]
        if abrupt
        else []
    )
    how = "abruptly" if abrupt else "over four weeks (32, 50, 70, 100 % road)"
    return _plan(
        name,
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        items=items,
        max_other_serious=None if abrupt else 0,
        description=f"5 weeks at 84 % treadmill, then to the road {how}, 30 km/week",
        extra={"road_share": shares},
    )


def treadmill_abrupt(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """Five weeks at 84 % treadmill, then all on the road at the same volume (the article)."""
    return _treadmill(
        "treadmill_abrupt", seed=seed, sample_interval_s=sample_interval_s, abrupt=True
    )


def treadmill_gradual(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """Five weeks at 84 % treadmill, then 32, 50, 70, 100 % road over four weeks (quiet)."""
    return _treadmill(
        "treadmill_gradual", seed=seed, sample_interval_s=sample_interval_s, abrupt=False
    )


def downhill_race(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """Ten weeks of flat road training (1.5 m/km), then a 12 km race descending 1,000 m."""
    rng = np.random.default_rng([seed, 18])
    mondays = _mondays(_START, 12)
    runs: list[PlannedRun] = []
    for k, monday in enumerate(mondays):
        if k == 10:
            runs += [
                PlannedRun(_on(monday, 1, 6, 30), 7_000.0, 340.0, climb_m=10.0, gear="Pegasus 40"),
                PlannedRun(_on(monday, 3, 6, 30), 6_000.0, 340.0, climb_m=9.0, gear="Pegasus 40"),
            ]
            race = PlannedRun(
                _on(monday, 6, 9),
                12_000.0,
                290.0,
                climb_m=40.0,
                route="point_to_point",
                elevation_change_m=-1_000.0,
                gear="Pegasus 40",
                name="Mountain descent race",
            )
            runs.append(race)
            continue
        runs += week_runs(monday, 34_000.0, rng, climb_per_km_m=1.5)
    return _plan(
        "downhill_race",
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        items=[
            ExpectedItem(
                ("downhill_overload",),
                race.start_local.date(),
                what="12 km race descending ~1,040 m after weeks of ~50 m/week",
            )
        ],
        max_other_serious=None,
        description="flat road training (1.5 m/km), then a 12 km race with ~1,040 m descent",
        extra={"race_date": race.start_local.date()},
    )


def ankle_weight_notes(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """Negated ankle-weight notes in weeks 3-4, real ones (some abbreviated) in weeks 8-9.

    Weeks 3 and 4 hold one and then three runs whose notes *deny* ankle weights
    ("no ankle weights today", "without ankle weights"): counted as ankle-weight
    runs they would make a too-fast start.  Week 8 has one real run ("ankle
    weights 1 kg"); week 9 four ("ankle wts", "AW session", "AW + strides",
    and the long run carrying the user tag "ankle weights" only): a
    fourfold increase, which should be flagged.
    """
    rng = np.random.default_rng([seed, 19])
    mondays = _mondays(_START, 10)
    notes = {
        2: {0: "Easy run, no ankle weights today"},
        3: {
            0: "Easy run without ankle weights",
            1: "No ankle weights today",
            3: "Recovery run, without ankle weights",
        },
        7: {0: "Easy run with ankle weights 1 kg"},
        8: {0: "ankle wts", 1: "AW session", 3: "AW + strides"},
    }
    runs: list[PlannedRun] = []
    for k, monday in enumerate(mondays):
        week = week_runs(monday, 30_000.0, rng)
        for j, text in notes.get(k, {}).items():
            week[j] = replace(week[j], name=text, notes=text, format="gpx")
        if k == 8:
            week[2] = replace(week[2], tags=("ankle weights",))
        runs += week
    return _plan(
        "ankle_weight_notes",
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        items=[
            ExpectedItem(
                ("ankle_weights",),
                mondays[8],
                what="1 ankle-weight run, then 4 the next week (3 abbreviated, 1 user tag)",
            )
        ],
        max_other_serious=0,
        description=(
            "'no ankle weights today'/'without ankle weights' x4, "
            "then 'ankle weights 1 kg', 'ankle wts', 'AW'"
        ),
    )


def ordinary_year(*, seed: int = 0, sample_interval_s: float = 30.0) -> HistoryPlan:
    """A year of an ordinary recreational runner (at most 2 serious items expected).

    52 weeks from 2 January 2023: 3 runs a week below 30 km, 4 from 30 km;
    25-36 km a week in four-week blocks with every 4th week cut back to 70 %;
    the Thursday run hilly (15 m/km), the others 3 m/km; a two-week summer
    holiday without running (weeks 27-28), back at 70 % and 85 %; a 12-week
    half-marathon build (weeks 36-47) to 40 km a week, long runs 12 → 18 km
    by at most 1.5 km a week, a taper and the 21.1 km race on Sunday of week
    48; two shoes rotated (alternate runs), the first replaced at about 600 km.
    Written as a Strava export so that each run names its shoe.
    """
    rng = np.random.default_rng([seed, 20])
    start = dt.date(2023, 1, 2)
    mondays = _mondays(start, 52)
    runs: list[PlannedRun] = []
    block = (1.0, 1.05, 1.1, 0.7)
    race_date = None
    for k, monday in enumerate(mondays):
        if k in (26, 27):
            continue  # holiday
        if k < 26:
            volume = (27_000.0 + 250.0 * k) * block[k % 4]
        elif k < 35:
            base = 31_000.0
            volume = {28: 0.7 * base, 29: 0.85 * base}.get(k, base * block[k % 4])
        elif k < 47:
            j = k - 35  # build week 0..11
            build = (
                32_000.0,
                34_000.0,
                36_000.0,
                26_000.0,
                35_000.0,
                37_000.0,
                39_000.0,
                28_000.0,
                38_000.0,
                40_000.0,
                40_000.0,
                28_000.0,
            )
            volume = build[j]
        elif k == 47:
            volume = 0.0  # race week, below
        elif k == 48:
            volume = 18_000.0
        else:
            volume = 28_000.0 * block[k % 4]
        if k == 47:
            week = [
                PlannedRun(_on(monday, 1, 6, 30), 6_000.0, 330.0, climb_m=18.0),
                PlannedRun(_on(monday, 3, 6, 30), 5_000.0, 330.0, climb_m=15.0),
                PlannedRun(_on(monday, 6, 8), 21_100.0, 310.0, climb_m=80.0, name="Half marathon"),
            ]
            race_date = week[-1].start_local.date()
        else:
            n = 4 if volume >= 30_000.0 else 3
            climbs = [3.0] * n
            climbs[1] = 15.0  # Thursday hills
            week = week_runs(monday, volume, rng, runs=n, climb_per_km_m=climbs)
            if 35 <= k < 47:  # the build's long run: 12 → 18 km, at most +1.5 km a week
                long_m = {
                    35: 12_000.0,
                    36: 13_000.0,
                    37: 14_000.0,
                    38: 10_000.0,
                    39: 14_500.0,
                    40: 15_500.0,
                    41: 16_500.0,
                    42: 11_000.0,
                    43: 17_000.0,
                    44: 18_000.0,
                    45: 18_000.0,
                    46: 12_000.0,
                }[k]
                week = _set_long_run(week, long_m)
        runs += week
    # two shoes rotated; the first replaced at about 600 km
    shod: list[PlannedRun] = []
    first_km = 0.0
    for i, r in enumerate(sorted(runs, key=lambda r: r.start_local)):
        if i % 2 == 0:
            shoe = "Pegasus 39" if first_km < 600_000.0 else "Pegasus 40"
            if shoe == "Pegasus 39":
                first_km += r.distance_m
        else:
            shoe = "Ghost 15"
        shod.append(replace(r, gear=shoe))
    if race_date is None:  # pragma: no cover - week 48 always holds the race
        raise RuntimeError("the race week was not built")
    return _plan(
        "ordinary_year",
        shod,
        seed=seed,
        sample_interval_s=sample_interval_s,
        max_other_serious=2,
        description=(
            "a year: 3-4 runs/week, 25-40 km/week, cut-back every 4th week, 2-week holiday, "
            "12-week half-marathon build, two shoes rotated"
        ),
        write_as="strava_export",
        extra={"race_date": race_date, "holiday_weeks": (mondays[26], mondays[27])},
    )


def _set_long_run(week: list[PlannedRun], long_m: float) -> list[PlannedRun]:
    """Give the week's longest run ``long_m`` and spread the difference over the others."""
    i_long = max(range(len(week)), key=lambda i: week[i].distance_m)
    diff = week[i_long].distance_m - long_m
    others = [i for i in range(len(week)) if i != i_long]
    out = list(week)
    for i in others:
        d = round((week[i].distance_m + diff / len(others)) / 10.0) * 10.0
        per_km = (week[i].climb_m or 0.0) / week[i].distance_m
        out[i] = replace(
            week[i], distance_m=max(d, 3_000.0), climb_m=round(per_km * max(d, 3_000.0), 1)
        )
    per_km = (week[i_long].climb_m or 0.0) / week[i_long].distance_m
    out[i_long] = replace(week[i_long], distance_m=long_m, climb_m=round(per_km * long_m, 1))
    return out


# ----------------------------------------------------------- issue 7: inputs


def untyped_gpx(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """GPX files without a sport: runs named like "Morning Run" and rides ("Lunch Ride" or no name).

    30 km of runs a week (4 runs, long run 10.5 km) for 10 weeks, with a 16 km
    long run in week 8; two untyped rides a week (35-60 km at about 7 m/s,
    cadence 85 rpm or none).  The spike should be flagged, and no ride may
    count as a run.
    """
    rng = np.random.default_rng([seed, 21])
    mondays = _mondays(_START, 10)
    runs: list[PlannedRun] = []
    spike = None
    for k, monday in enumerate(mondays):
        week = week_runs(monday, 30_000.0, rng, sport=None, format="gpx", device="Phone app")
        if k == 7:
            week = _set_long_run(week, 16_000.0)
            spike = week[2]
        runs += week
        for day, named in ((2, True), (6, False)):
            runs.append(
                PlannedRun(
                    _on(monday, day, 12, 5),
                    round(float(rng.uniform(35_000.0, 60_000.0)), -2),
                    143.0 * float(rng.uniform(0.95, 1.05)),
                    climb_m=float(rng.uniform(80.0, 200.0)),
                    sport=None,
                    motion="ride",
                    name="Lunch Ride" if named else "",
                    record_cadence=named,
                    format="gpx",
                    device="Phone app",
                )
            )
    if spike is None:  # pragma: no cover - the spike week is within the plan
        raise RuntimeError("the spike week was not built")
    return _plan(
        "untyped_gpx",
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        items=[
            ExpectedItem(
                ("long_run_spike",),
                spike.start_local.date(),
                what="16 km untyped run after 10.5 km long runs",
            )
        ],
        max_other_serious=0,
        description=(
            "untyped GPX: 30 km/week of runs and ~95 km/week of untyped rides; one 16 km spike"
        ),
    )


def _flat(name: str, *, seed: int, sample_interval_s: float, phone: bool) -> HistoryPlan:
    rng = np.random.default_rng([seed, 22])
    mondays = _mondays(_START, 12)
    runs: list[PlannedRun] = []
    for monday in mondays:
        week = week_runs(
            monday,
            32_000.0,
            rng,
            climb_per_km_m=0.5,
            format="gpx" if phone else "fit",
            elevation_model="phone" if phone else "barometric",
            device="Phone app" if phone else "Forerunner 255",
            gear="Kayano 30",
        )
        if phone:  # offset and noise of GPS altitude vary between runs: down to -200 m, sd 5-15 m
            week = [
                replace(
                    r,
                    elevation_offset_m=round(float(rng.uniform(-200.0, -30.0)), 1),
                    elevation_noise_m=round(float(rng.uniform(5.0, 15.0)), 1),
                )
                for r in week
            ]
        runs += week
    source = (
        "phone GPS altitude (sd 5-15 m, offsets -30 to -200 m)" if phone else "barometric watch"
    )
    return _plan(
        name,
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        max_other_serious=0,
        description=f"flat riverside route (~0.5 m/km true climb), 32 km/week, {source} (quiet)",
        origin=HAMBURG,
        timezone="Europe/Berlin",
        base_elevation_m=5.0,
    )


def flat_phone(*, seed: int = 0, sample_interval_s: float = 2.0) -> HistoryPlan:
    """A flat riverside route recorded by a phone: noisy altitude below sea level (quiet)."""
    return _flat("flat_phone", seed=seed, sample_interval_s=sample_interval_s, phone=True)


def flat_barometric(*, seed: int = 0, sample_interval_s: float = 2.0) -> HistoryPlan:
    """The same flat route recorded by a barometric watch (quiet)."""
    return _flat("flat_barometric", seed=seed, sample_interval_s=sample_interval_s, phone=False)


def device_switch(*, seed: int = 0, sample_interval_s: float = 2.0) -> HistoryPlan:
    """Same runner and routes, 8 weeks with a barometric watch (FIT), then 8 with a phone (GPX).

    Four fixed routes (same ``route_seed``, distance and climb every week,
    6 m/km), 32 km a week; the true weekly climb is the same throughout.
    """
    rng = np.random.default_rng([seed, 23])
    mondays = _mondays(_START, 16)
    routes = week_runs(mondays[0], 32_000.0, rng, climb_per_km_m=6.0, jitter=False)
    runs: list[PlannedRun] = []
    for k in range(len(mondays)):
        phone = k >= 8
        for j, r in enumerate(routes):
            runs.append(
                replace(
                    r,
                    start_local=r.start_local
                    + dt.timedelta(weeks=k, minutes=int(rng.integers(-10, 11))),
                    route="loop",
                    route_seed=1000 + j,
                    format="gpx" if phone else "fit",
                    elevation_model="phone" if phone else "barometric",
                    device="Phone app" if phone else "Fenix 7",
                )
            )
    return _plan(
        "device_switch",
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        max_other_serious=0,
        description=(
            "same 4 routes (6 m/km), barometric FIT for 8 weeks, then phone GPX for 8 (quiet)"
        ),
        extra={"switch_week": mondays[8]},
    )


def walks_as_runs(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """A runner whose Sunday walks are saved as runs (sport running, 1.4 m/s throughout).

    30 km of runs a week (4 runs) for 10 weeks, plus a 6 km walk every
    Sunday afternoon and, in week 7, a 20 km walk, all labelled running.
    Quiet: walks saved as runs are left out of the run load (runload/coverage.py),
    so the 20 km walk must not read as a 20 km run after 10.5 km long runs.
    """
    rng = np.random.default_rng([seed, 25])
    mondays = _mondays(_START, 10)
    runs: list[PlannedRun] = []
    for k, monday in enumerate(mondays):
        runs += week_runs(monday, 30_000.0, rng)
        runs.append(
            PlannedRun(
                _on(monday, 6, 15),
                20_000.0 if k == 6 else 6_000.0,
                1000.0 / 1.4,
                climb_m=40.0 if k == 6 else 12.0,
                motion="walk",
                name="Afternoon Run",
                gear="Pegasus 40",
            )
        )
    return _plan(
        "walks_as_runs",
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        max_other_serious=0,
        description="30 km/week of runs plus walks saved as runs (6 km, one of 20 km) (quiet)",
        extra={"long_walk": mondays[6] + dt.timedelta(days=6)},
    )


def new_york_sunday(*, seed: int = 0, sample_interval_s: float = 20.0) -> HistoryPlan:
    """A New York runner whose long run is on Sunday at 20:30, as GPX (UTC times, no offset).

    Analysed with ``timezone="Europe/Zurich"``: the position must win, so the
    runs stay on New York's dates.  The Sunday-evening long run of week 7 is
    16 km after 10.5 km (a spike) and must be dated Sunday, in New York's week
    (Monday in UTC and in Zurich).
    """
    rng = np.random.default_rng([seed, 24])
    mondays = _mondays(_START, 9)
    runs: list[PlannedRun] = []
    spike = None
    for k, monday in enumerate(mondays):
        week = week_runs(monday, 30_000.0, rng, format="gpx", gear="Novablast 4")
        # the long run moves to Sunday 20:30, the Sunday run to Saturday morning
        sat, sun = week[2], week[3]
        week[2] = replace(sun, start_local=_on(monday, 5, 8, 15))
        week[3] = replace(sat, start_local=_on(monday, 6, 20, 30))
        if k == 6:
            week = _set_long_run(week, 16_000.0)
            spike = week[3]
        runs += week
    if spike is None:  # pragma: no cover - the spike week is within the plan
        raise RuntimeError("the spike week was not built")
    return _plan(
        "new_york_sunday",
        runs,
        seed=seed,
        sample_interval_s=sample_interval_s,
        items=[
            ExpectedItem(
                ("long_run_spike",),
                spike.start_local.date(),
                what="16 km on Sunday 20:30 New York time (Monday in UTC and Zurich)",
            )
        ],
        max_other_serious=0,
        description=(
            "New York runner, Sunday 20:30 long runs as GPX, analysed with timezone=Europe/Zurich"
        ),
        origin=NEW_YORK,
        timezone="America/New_York",
        base_elevation_m=40.0,
        analyze={"timezone": "Europe/Zurich"},
        extra={"spike_local": spike.start_local},
    )


#: Histories of issue 8 (the rules), by name.
RULE_SCENARIOS: Mapping[str, Callable[..., HistoryPlan]] = {
    "return_after_break": return_after_break,
    "return_with_jog": return_with_jog,
    "return_full_week": return_full_week,
    "beginner_growth": beginner_growth,
    "beginner_long_run": beginner_long_run,
    "cutback_blocks": cutback_blocks,
    "trail_holiday_off": trail_holiday_off,
    "trail_holiday_flat": trail_holiday_flat,
    "treadmill_gradual": treadmill_gradual,
    "treadmill_abrupt": treadmill_abrupt,
    "downhill_race": downhill_race,
    "ankle_weight_notes": ankle_weight_notes,
    "ordinary_year": ordinary_year,
}
#: Histories of issue 7 (the inputs), by name.
INPUT_SCENARIOS: Mapping[str, Callable[..., HistoryPlan]] = {
    "untyped_gpx": untyped_gpx,
    "flat_phone": flat_phone,
    "flat_barometric": flat_barometric,
    "device_switch": device_switch,
    "new_york_sunday": new_york_sunday,
    "walks_as_runs": walks_as_runs,
}
#: Every name :func:`scenario` accepts.
SCENARIO_NAMES: tuple[str, ...] = (*RULE_SCENARIOS, *INPUT_SCENARIOS)


def scenario(name: str, *, seed: int = 0, sample_interval_s: float | None = None) -> HistoryPlan:
    """Build a labelled history by name.

    Parameters
    ----------
    name : str
        One of :data:`SCENARIO_NAMES`.
    seed : int
        Seed of the plan and its tracks.
    sample_interval_s : float, optional
        Time between samples; by default each history's own (5 s where the
        elevation stream matters, 20-30 s elsewhere, so that a year writes
        and reads in seconds). [s]

    Returns
    -------
    HistoryPlan
        With ``expected`` as described in the module docstring.
    """
    builders = {**RULE_SCENARIOS, **INPUT_SCENARIOS}
    if name not in builders:
        raise ValueError(f"unknown scenario {name!r}; choose from {SCENARIO_NAMES}")
    if sample_interval_s is None:
        return builders[name](seed=seed)
    return builders[name](seed=seed, sample_interval_s=sample_interval_s)


# ------------------------------------------------------------ using a plan


def gear_map(plan: HistoryPlan) -> list[dict[str, object]]:
    """Each shoe of the plan with the first and last local date it was used.

    For :func:`runload.analyze`'s ``gear_map``; meaningful when the shoes were
    used one after another (a rotation needs per-run gear, see
    :func:`write_scenario`).
    """
    spans: dict[str, list[dt.date]] = {}
    for run in plan.runs:
        if run.gear:
            spans.setdefault(run.gear, []).append(run.start_local.date())
    return [{"gear": g, "start_date": min(d), "end_date": max(d)} for g, d in spans.items()]


def user_tags(plan: HistoryPlan, activities: Any) -> dict[str, list[str]]:
    """The plan's user tags keyed by ``activity_id``, for :func:`runload.analyze`'s ``tags``.

    Parameters
    ----------
    plan : HistoryPlan
    activities : DataFrame
        The activities table read from the written files (index
        ``activity_id``, column ``start_time_utc``); runs are matched by
        their start time (to the second).
    """
    zone = ZoneInfo(plan.timezone)
    wanted = {
        pd.Timestamp(r.start_local.replace(tzinfo=zone)).tz_convert("UTC").floor("s"): list(r.tags)
        for r in plan.runs
        if r.tags
    }
    out: dict[str, list[str]] = {}
    for aid, start in activities["start_time_utc"].items():
        key = pd.Timestamp(start).floor("s")
        if key in wanted:
            out[str(aid)] = wanted[key]
    return out


def write_scenario(plan: HistoryPlan, folder: str | Path) -> Path:
    """Write a labelled history as its ``expected["write_as"]`` says; return what to analyse.

    ``files``: one activity file per run in ``folder`` (:func:`write_history`,
    every third file gzipped).  ``strava_export``: an extracted Strava bulk
    export in ``folder`` whose ``activities.csv`` gives each run's shoe.
    """
    out = Path(folder)
    how = plan.expected.get("write_as", "files")
    if how == "files":
        write_history(plan, out, formats=("fit", "gpx", "tcx"))
        return out
    if how != "strava_export":
        raise ValueError(f"unknown write_as {how!r}")
    return write_history_export(plan, out, formats=plan.formats, gzip_every=3, first_id=20_000_000)
