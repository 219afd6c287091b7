"""The bundled demo: sixteen weeks of one runner, written as a Strava bulk export.

``runload demo`` (and ``python -m runload demo``) analyses it; the examples and the
notebook start from it.  The runner is generated with :mod:`runload.testing`'s writers
(no third-party activity file is copied into the project), from a fixed seed: the same
files every time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np

from .testing.exports import write_history_export
from .testing.history import (
    SHOE_LIMIT_M,
    HistoryPlan,
    PlannedRun,
    Surface,
    WeekPlan,
    gear_crossing_date,
    plan_week,
)

__all__ = ["demo_plan", "write_demo"]


def demo_plan(*, seed: int = 2024) -> HistoryPlan:
    """The demo runner: 16 weeks from 8 January 2024 in Denver.

    Six winter weeks mostly on the treadmill, then an abrupt move to the
    roads at the same volume; a long-run spike in week 11 (24 km after
    16-17 km); the road shoe passes 800 km in the last weeks; a few trail runs
    in a second pair and one track session.  From week 13 the long runs are
    in new racing shoes ("Nike Vaporfly 3"): a racing-shoe long-run habit for
    ``wrong_shoes`` in week 15 (three of the four weeks 12-15).
    """
    rng = np.random.default_rng(seed)
    start = dt.date(2024, 1, 8)
    runs: list[PlannedRun] = []
    for k in range(16):
        monday = start + dt.timedelta(weeks=k)
        volume = 53_000.0 + 1_000.0 * min(k, 4)
        if k < 6:
            surfaces: tuple[Surface, ...] = (
                "treadmill",
                "treadmill",
                "treadmill",
                "road",
                "treadmill",
            )
        else:
            surfaces = ("road",) * 5
        volume -= 9_000.0 if k in (8, 12) else 8_000.0 if k == 13 else 0.0  # extra sessions below
        long_share = (24_000.0 if k == 10 else 16_500.0) / volume
        week_runs = plan_week(
            monday,
            WeekPlan(
                volume,
                extra_runs=1,
                long_share=long_share,
                surfaces=surfaces,
                climb_per_km_m=7.0,
                gear="Ghost 15",
            ),
            rng,
        )
        for r in week_runs:
            if r.surface == "treadmill":
                r2 = replace(r, name="Treadmill run" if k % 2 else None)
            elif k >= 12 and r.start_local.weekday() == 5:  # the long run, in racing shoes
                r2 = replace(r, gear="Nike Vaporfly 3")
            else:
                r2 = r
            runs.append(r2)
        if k in (8, 12):  # Sunday afternoon trail run in the trail shoes
            runs.append(
                PlannedRun(
                    start_local=dt.datetime.combine(monday + dt.timedelta(days=6), dt.time(13, 0)),
                    distance_m=9_000.0,
                    pace_s_per_km=420.0,
                    surface="trail",
                    climb_m=320.0,
                    gear="Speedgoat 5",
                    name="Trail run, Green Mountain",
                    format="gpx",
                )
            )
        if k == 13:
            runs.append(
                PlannedRun(
                    start_local=dt.datetime.combine(monday + dt.timedelta(days=2), dt.time(17, 45)),
                    distance_m=8_000.0,
                    pace_s_per_km=285.0,
                    surface="track",
                    gear="Ghost 15",
                    name="Track intervals",
                    format="fit",
                )
            )
    expected = {
        "scenario": "demo",
        "long_run_spike_date": start + dt.timedelta(weeks=10, days=5),
        "treadmill_to_road_week_start": start + dt.timedelta(weeks=6),
        "shoe": "Ghost 15",
        "shoe_crossing_date": gear_crossing_date(runs, "Ghost 15", SHOE_LIMIT_M),
        "racing_shoe": "Nike Vaporfly 3",
        "racing_habit_week_start": start + dt.timedelta(weeks=14),
    }
    return HistoryPlan(
        runs=tuple(runs),
        seed=seed,
        formats=("fit", "gpx", "fit", "tcx", "fit"),
        sample_interval_s={"fit": 2.0, "gpx": 5.0, "tcx": 5.0},
        scenario="demo",
        expected=expected,
    )


def write_demo(folder: str | Path) -> list[Path]:
    """Write the demo history (:func:`demo_plan`) into ``folder`` as a Strava bulk export.

    16 weeks and 83 runs as an extracted Strava export: ``activities.csv``
    (names, types, gear) and ``activities/`` holding FIT (a sample every 2 s),
    GPX and TCX files (every 5 s), every second file gzipped, about 5 MB.
    Triggers present: a treadmill-to-road switch, a long-run spike, a shoe
    passing 800 km and long runs in racing shoes (the shoes come from the
    export's gear column: the activity formats have no place for them).

    Returns
    -------
    list of Path
        ``activities.csv`` and the activity files.
    """
    out = write_history_export(demo_plan(), folder, gzip_every=2, first_id=10_000_000)
    return [out / "activities.csv", *sorted((out / "activities").iterdir())]
