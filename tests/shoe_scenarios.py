"""Generated histories of shoe changes, for the ``wrong_shoes`` rule and the shoe catalogue.

Each function returns a :class:`~runload.testing.history.HistoryPlan` whose runs carry
their shoe (``gear``) and whose ``expected`` mapping says what the rule should find:
``items``, a list of ``(metric, Monday of the week, severity)`` (empty for a quiet
history), and ``notice`` (True when the rule should say that shoe types are unknown).
:func:`runload.testing.history.plan_activities` turns a plan into an activities table
without writing files, so that rule tests run in milliseconds;
:func:`runload.testing.history.write_history` writes the same plan as FIT, GPX and TCX
files.  Test data, not part of the package: the expected outcomes are the tests' own.

The weeks are simple on purpose: four runs a week (Tuesday, Thursday, Saturday's long
run, Sunday) of 32 km in all, so that every share in ``expected`` can be worked out by
hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from runload.testing.history import HistoryPlan, PlannedRun

__all__ = [
    "CUSHIONED",
    "MINIMALIST",
    "NON_RUNNING",
    "RACING",
    "minimalist_switch",
    "non_running_runs",
    "racing_long_runs",
    "unknown_shoe_types",
]

#: Shoe names used by the histories (real model names, typed by the vocabulary).
CUSHIONED = "Nike Pegasus 40"
MINIMALIST = "Vibram FiveFingers V-Run"
RACING = "Nike Vaporfly 3"
NON_RUNNING = "Converse Chuck Taylor"

_START = dt.date(2024, 1, 1)  # a Monday
#: The four runs of a week: (weekday, hour, distance [m]); 32 km in all.
_WEEK: tuple[tuple[int, int, float], ...] = (
    (1, 7, 7_000.0),
    (3, 7, 8_000.0),
    (5, 8, 11_000.0),
    (6, 18, 6_000.0),
)
_WEEK_M = sum(d for _, _, d in _WEEK)


def _monday(k: int, start: dt.date) -> dt.date:
    return start + dt.timedelta(weeks=k)


def _runs(monday: dt.date, shoes: Sequence[str | None]) -> list[PlannedRun]:
    """The four runs of the week of ``monday``, in ``shoes`` (one per run, in order)."""
    out = []
    for (day, hour, distance), shoe in zip(_WEEK, shoes, strict=True):
        start = dt.datetime.combine(monday + dt.timedelta(days=day), dt.time(hour, 0))
        pace = 360.0 if distance >= 10_000 else 335.0
        out.append(PlannedRun(start, distance, pace, climb_m=distance / 250.0, gear=shoe))
    return out


def _plan(name: str, runs: list[PlannedRun], expected: dict[str, Any], seed: int) -> HistoryPlan:
    expected.setdefault("items", [])
    expected.setdefault("notice", False)
    expected["scenario"] = name
    return HistoryPlan(
        runs=tuple(runs),
        seed=seed,
        sample_interval_s=20.0,
        scenario=name,
        expected=expected,
    )


def minimalist_switch(
    *,
    abrupt: bool = True,
    body_mass_kg: float = 0.0,
    seed: int = 0,
    start: dt.date = _START,
) -> HistoryPlan:
    """Cushioned shoes for six weeks, then minimalist ones: at once, or over eight weeks.

    Abrupt: weeks 0-5 in :data:`CUSHIONED`, weeks 6-11 in :data:`MINIMALIST`, 32 km a
    week throughout.  Week 6 rises from 0 to 100 % within two weeks (abrupt) at 100 %
    of the usual volume (full): two points, moderate; a body mass of 85 kg or more adds
    a third (high).  ``expected["body_mass_kg"]`` carries the mass to pass as a setting.

    Gradual: over eight weeks, from week 6 to week 13, the minimalist share grows one
    run at a time: Sunday's 6 km in weeks 6-7 (18.75 %), with Tuesday's 7 km in weeks
    8-9 (40.6 %), with Thursday's 8 km in weeks 10-12 (65.6 %), every run from week 13
    (100 %).  Within two weeks the share rises by 21.9, 25 and 34.4 points; by week 13,
    the only rise of 30 points, the four weeks before hold 59.4 % of their distance in
    minimalist shoes, more than the 40 % a usual period allows: nothing is flagged.
    """
    runs: list[PlannedRun] = []
    weeks = 12 if abrupt else 16
    order = (3, 0, 1, 2)  # Sunday, Tuesday, Thursday, the long run
    for k in range(weeks):
        if k < 6:
            minimal = 0
        elif abrupt:
            minimal = 4
        else:
            minimal = 1 if k < 8 else 2 if k < 10 else 3 if k < 13 else 4
        shoes = [CUSHIONED] * 4
        for j in order[:minimal]:
            shoes[j] = MINIMALIST
        runs += _runs(_monday(k, start), shoes)
    expected: dict[str, Any] = {"body_mass_kg": body_mass_kg}
    if abrupt:
        severity = "high" if body_mass_kg >= 85.0 else "moderate"
        expected["items"] = [("less_cushioned_share_rise_ratio", _monday(6, start), severity)]
    name = "minimalist_switch" if abrupt else "minimalist_gradual"
    return _plan(name, runs, expected, seed)


def non_running_runs(*, seed: int = 0, start: dt.date = _START) -> HistoryPlan:
    """Running shoes, with some runs in casual shoes not made for running.

    Ten weeks in :data:`CUSHIONED`.  Week 4: Sunday's 6 km in :data:`NON_RUNNING`
    (6 of 32 km, 18.75 %): low.  Week 7: Tuesday, Thursday and Sunday (21 of 32 km,
    65.6 %, at least half): moderate; week 8 the same, not reported again.
    """
    runs: list[PlannedRun] = []
    for k in range(10):
        shoes: list[str | None] = [CUSHIONED] * 4
        if k == 4:
            shoes[3] = NON_RUNNING
        if k in (7, 8):
            shoes[0] = shoes[1] = shoes[3] = NON_RUNNING
        runs += _runs(_monday(k, start), shoes)
    expected: dict[str, Any] = {
        "items": [
            ("non_running_share_ratio", _monday(4, start), "low"),
            ("non_running_share_ratio", _monday(7, start), "moderate"),
        ]
    }
    return _plan("non_running_runs", runs, expected, seed)


def racing_long_runs(*, most: bool = False, seed: int = 0, start: dt.date = _START) -> HistoryPlan:
    """Long runs in racing shoes every week from week 3 (a habit, not one race).

    Ten weeks; from week 3 Saturday's 11 km run is in :data:`RACING`, the rest in
    :data:`CUSHIONED`.  In week 5 the long run of three of the four weeks 2-5 was in
    racing shoes: a habit; 33 of 128 km (25.8 %) is not most of the distance: low.
    With ``most``, Thursday's 8 km too from week 3: 19 of 32 km a week; over weeks 2-5,
    57 of 128 km (44.5 %) still is not half, but over weeks 3-6 all four weeks give
    76 of 128 km (59.4 %): habit and most, moderate in week 6.
    """
    runs: list[PlannedRun] = []
    for k in range(10):
        shoes: list[str | None] = [CUSHIONED] * 4
        if k >= 3:
            shoes[2] = RACING
            if most:
                shoes[1] = RACING
        runs += _runs(_monday(k, start), shoes)
    items = [("racing_share_ratio", _monday(5, start), "low")]
    if most:
        items.append(("racing_share_ratio", _monday(6, start), "moderate"))
    return _plan("racing_long_runs", runs, {"items": items}, seed)


def unknown_shoe_types(*, seed: int = 0, start: dt.date = _START) -> HistoryPlan:
    """An abrupt change between two shoes known only by nicknames: no flag, a notice.

    Weeks 0-5 in "Blue Pegs", weeks 6-11 in "old ones": the vocabulary types neither,
    so the rule cannot tell a move to less cushioning and says the types are unknown.
    """
    runs: list[PlannedRun] = []
    for k in range(12):
        shoe = "Blue Pegs" if k < 6 else "old ones"
        runs += _runs(_monday(k, start), [shoe] * 4)
    return _plan("unknown_shoe_types", runs, {"notice": True}, seed)
