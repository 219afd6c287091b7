"""Benchmark and snapshot of :func:`runload.analyze` on an already-read history.

Times ``runload.analysis.analyze`` (the minimum of ``--repeat`` runs, after one
warm-up run) on

* ``bench``: the activities table of the 3,000-run benchmark export (10 years of
  near-daily runs, see ``write_benchmark_export`` of ``benchmarks/_exports.py``), read
  from ``--table`` (a pickled activities table) when it exists, else from
  ``--export`` with ``--cache`` (and saved to ``--table`` for the next time), else
  generated from the export's recipe without writing any file (summaries only);
* ``year``: one ordinary recreational year (``ordinary_year``, about 190 runs);
* ``mixed``: every labelled history (``tests/scenarios.py``, ``tests/shoe_scenarios.py``,
  the presets of ``runload.testing.history``) one after the other
  (about 10 years), with walks, rides, runs without a shoe, surface or ascent mixed
  in, analysed with a gear map, user tags and a pain journal.

``--snapshot FILE`` writes a canonical text of every result (weekly table, flags,
episodes, status, shoes, coverage, activities, ``to_json``, ``to_text`` and the
load functions' tables), floats written with :func:`repr` so that two snapshots
are equal only when every number is the same to the last bit; ``--check FILE``
compares with such a file and exits 1 on the first difference.

Usage::

    python benchmarks/bench_analysis.py                      # timings
    python benchmarks/bench_analysis.py --snapshot before.txt
    python benchmarks/bench_analysis.py --check before.txt --repeat 0
    python benchmarks/bench_analysis.py --profile bench      # cProfile of one case
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import math
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import runload
from runload.analysis import Analysis, analyze

DEFAULT_TABLE = Path("/tmp/analysis-helper/acts.pkl")


# The labelled scenario histories are test data (tests/scenarios.py, tests/shoe_scenarios.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _module(name: str) -> Any:
    """A module of histories: the generators of runload.testing, or a scenario module of tests/."""
    import importlib

    module = {"shoes": "shoe_scenarios", "scenarios": "scenarios"}.get(name)
    if module is not None:
        return importlib.import_module(module)
    return importlib.import_module(f"runload.testing.{name}")


DEFAULT_EXPORT = Path("/tmp/runload-bench/export")


# ------------------------------------------------------------------ inputs


def _bench_table(table: Path, export: Path, cache: str | None) -> pd.DataFrame:
    """The activities table of the benchmark export (see the module docstring)."""
    if table.is_file():
        return pd.read_pickle(table)
    if (export / "activities.csv").is_file():
        log = runload.read_activities(export, cache=cache, progress=False)
        table.parent.mkdir(parents=True, exist_ok=True)
        log.activities.to_pickle(table)
        return log.activities
    return _bench_plan_table()


def _bench_plan_table(runs: int = 3000, seed: int = 7) -> pd.DataFrame:
    """The benchmark export's runs (dates, distances, surfaces, shoes), as plan summaries."""
    HistoryPlan, PlannedRun = _module("history").HistoryPlan, _module("history").PlannedRun
    plan_activities = _module("history").plan_activities

    planned = []
    for i in range(runs):
        rng = np.random.default_rng([seed, i])
        minutes = float(rng.uniform(30.0, 90.0))
        pace = float(rng.uniform(270.0, 390.0))
        start = dt.datetime(2016, 1, 4, 6) + dt.timedelta(days=int(i * 2920 / 3000))
        start += dt.timedelta(minutes=int(rng.integers(0, 14 * 60)))
        surface = "trail" if rng.random() < 0.15 else "road"
        planned.append(
            PlannedRun(
                start_local=start,
                distance_m=1000.0 * minutes * 60.0 / pace,
                pace_s_per_km=pace,
                surface=surface,  # type: ignore[arg-type]
                climb_m=float(rng.uniform(5.0, 60.0)) * (3 if surface == "trail" else 1),
                gear=("Shoe A", "Shoe B", "Shoe C")[(i // 400) % 3],
                name=f"Run {i}",
            )
        )
    return plan_activities(HistoryPlan(runs=tuple(planned), seed=seed))


def _year_table() -> pd.DataFrame:
    return _module("history").plan_activities(_module("scenarios").scenario("ordinary_year"))


def _plans() -> list[Any]:
    """Every labelled history, in a fixed order."""
    shoes, history, scenarios = _module("shoes"), _module("history"), _module("scenarios")
    SCENARIOS, preset = history.SCENARIOS, history.preset
    SCENARIO_NAMES, scenario = scenarios.SCENARIO_NAMES, scenarios.scenario

    plans = [scenario(name, seed=3) for name in SCENARIO_NAMES]
    for name in SCENARIOS:
        plans.append(preset(name, trigger=True, seed=1))
        if name != "steady":
            plans.append(preset(name, trigger=False, seed=2))
    plans += [
        shoes.minimalist_switch(),
        shoes.non_running_runs(),
        shoes.racing_long_runs(),
        shoes.racing_long_runs(most=True),
        shoes.unknown_shoe_types(),
    ]
    return plans


def _mixed_inputs() -> tuple[pd.DataFrame, dict[str, Any]]:
    """The ``mixed`` history and the options it is analysed with."""
    HistoryPlan = _module("history").HistoryPlan
    plan_activities = _module("history").plan_activities

    rng = np.random.default_rng(20240601)
    runs = []
    monday = dt.date(2014, 1, 6)
    for k, plan in enumerate(_plans()):
        starts = [r.start_local for r in plan.runs]
        if not starts:
            continue
        first = min(starts).date()
        first_monday = first - dt.timedelta(days=first.weekday())
        shift = dt.timedelta(days=(monday - first_monday).days)
        for r in plan.runs:
            runs.append(dataclasses.replace(r, start_local=r.start_local + shift))
        last = max(starts).date() + (monday - first_monday)
        gap_weeks = int(rng.choice([0, 1, 1, 2, 3, 6]))  # some histories follow a break
        if k % 5 == 4:
            gap_weeks = 0  # and some overlap the next
        next_monday = last - dt.timedelta(days=last.weekday()) + dt.timedelta(weeks=1 + gap_weeks)
        monday = next_monday if k % 5 != 4 else next_monday - dt.timedelta(weeks=3)
    runs.sort(key=lambda r: r.start_local)
    table = plan_activities(HistoryPlan(runs=tuple(runs), seed=11))
    n = len(table)
    table = table.copy()
    pick = rng.random(n)
    table.loc[pick < 0.02, "sport"] = "walking"
    table.loc[(pick >= 0.02) & (pick < 0.03), "sport"] = "cycling"
    table.loc[(pick >= 0.03) & (pick < 0.04), "sport"] = None
    table.loc[(pick >= 0.04) & (pick < 0.07), "gear"] = None
    table.loc[(pick >= 0.07) & (pick < 0.08), "surface"] = None
    table.loc[(pick >= 0.08) & (pick < 0.10), "ascent_m"] = np.nan
    table.loc[(pick >= 0.10) & (pick < 0.11), "descent_m"] = np.nan
    table.loc[(pick >= 0.11) & (pick < 0.112), "distance_m"] = np.nan
    table.loc[(pick >= 0.112) & (pick < 0.114), "distance_m"] = 0.0
    table.loc[(pick >= 0.114) & (pick < 0.12), "gear"] = "  pegasus   40 "
    table.loc[(pick >= 0.12) & (pick < 0.13), "sub_sport"] = "treadmill"
    table.loc[(pick >= 0.13) & (pick < 0.14), "surface"] = "Treadmill"
    ids = list(table.index)
    tags = {str(ids[i]): ["ankle weights"] for i in range(0, n, 97)}
    tags[str(ids[5])] = "ankle weights 2 kg"
    gear_map = {
        "Pegasus 40": {"type": "cushioned", "stack_mm": 33.0, "limit_km": 700.0},
        "Vibram FiveFingers V-Run": {"type": "minimalist", "stack_mm": 6.0},
        "Old pair": {
            "start_date": dt.date(2016, 3, 1),
            "end_date": dt.date(2017, 9, 30),
            "initial_km": 300.0,
        },
        "Spare": {"start_date": dt.date(2017, 6, 1), "end_date": None},
    }
    dates = sorted(set(table["local_date"]))
    pain = pd.DataFrame(
        {
            "date": [dates[len(dates) * q // 7] for q in range(1, 7)],
            "location": ["outer ankle", "achilles", "shin", "inner ankle", "heel", "ankle"],
            "score": [3, 5, 2, 4, 6, 1],
        }
    )
    return table, {"gear_map": gear_map, "tags": tags, "pain": pain, "sport": "running"}


def cases(table: Path, export: Path, cache: str | None) -> dict[str, Callable[[], Analysis]]:
    """name -> a function that runs the analysis of that case."""
    bench = runload.io.log.ActivityLog(
        _bench_table(table, export, cache), pd.DataFrame(columns=["path", "reason", "message"])
    )
    year = _year_table()
    mixed, options = _mixed_inputs()
    return {
        "bench": lambda: analyze(bench),
        "year": lambda: analyze(year),
        "mixed": lambda: analyze(mixed, **options),
        "mixed_default": lambda: analyze(mixed),
    }


# ------------------------------------------------------------------ snapshot


def _text(value: Any) -> str:
    """Every value to the last bit: floats with repr, containers item by item."""
    if isinstance(value, float | np.floating):
        f = float(value)
        return "nan" if math.isnan(f) else repr(f)
    if isinstance(value, tuple | list | np.ndarray):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_text(v)}" for k, v in value.items()) + "}"
    if value is None or value is pd.NA or value is pd.NaT:
        return repr(value)
    return f"{type(value).__name__}:{value!r}"


def _frame(name: str, frame: pd.DataFrame | pd.Series | None) -> list[str]:
    if frame is None:
        return [f"## {name}: None"]
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    lines = [
        f"## {name}: {frame.shape}",
        "columns " + _text([str(c) for c in frame.columns]),
        "dtypes " + _text([str(t) for t in frame.dtypes]),
        "index " + str(frame.index.dtype) + " " + _text([str(n) for n in frame.index.names]),
    ]
    for label, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        lines.append(_text(label) + " | " + " | ".join(_text(v) for v in row))
    return lines


def snapshot_lines(name: str, a: Analysis) -> list[str]:
    """The canonical text of one analysis."""
    from runload import load

    out = [f"# case {name}", repr(a)]
    out += _frame("activities", a.activities)
    out += _frame("weekly", a.weekly)
    out += _frame("flags", a.flags)
    out += _frame("episodes", a.episodes)
    out += _frame("errors", a.errors)
    out += _frame("pain", a.pain)
    out += _frame("shoes", a.shoes)
    out += ["## coverage", _text(a.coverage.to_dict()), *a.coverage.lines()]
    out += ["## status", _text(None if a.status is None else a.status.to_dict())]
    out += a.status_lines() + a.status_lines(units="imperial")
    if a.status is not None:
        out += _frame("status.active", a.status.active)
        out.append(_text([getattr(a.status, f.name) for f in dataclasses.fields(a.status)][:-1]))
    out += ["## to_json", a.to_json(indent=1)]
    out += ["## to_text", a.to_text(weeks=None, all_items=True), a.to_text(units="imperial")]
    runs = a.activities.loc[a.activities["counted"].astype(bool)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables: dict[str, Callable[[], Any]] = {
            "is_running": lambda: load.is_running(a.activities),
            "daily_load": lambda: load.daily_load(runs),
            "daily_ascent": lambda: load.daily_load(runs, metric="ascent", start="2016-01-01"),
            "weekly_load_sunday": lambda: load.weekly_load(runs, week_start="sunday"),
            "surface_mix": lambda: load.surface_mix(runs),
            "weekly_elevation": lambda: load.weekly_elevation(runs),
            "long_run_spikes": lambda: load.long_run_spikes(runs),
            "long_run_spikes_7": lambda: load.long_run_spikes(runs, window_days=7),
            "surface_transitions": lambda: load.surface_transitions(runs),
            "elevation_load": lambda: load.elevation_load(runs),
            "shoe_mileage": lambda: load.shoe_mileage(runs),
            "shoe_rotation": lambda: load.shoe_rotation(runs),
            "shoe_rotation_all": lambda: load.shoe_rotation(a.activities, sports=None),
        }
        for key, make in tables.items():
            out += _frame(key, make())
    return out


def write_snapshot(path: Path, runs: dict[str, Callable[[], Analysis]]) -> list[str]:
    lines: list[str] = []
    for name, run in runs.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            a = run()
        lines += snapshot_lines(name, a)
        lines += ["## warnings", *sorted(f"{w.category.__name__}: {w.message}" for w in caught)]
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return text.splitlines()


# ------------------------------------------------------------------ timing


def best_of(run: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """The shortest wall time and the shortest CPU time of ``repeat`` runs. [s]"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run()
        wall, cpu = [], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            run()
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--table", type=Path, default=DEFAULT_TABLE)
    parser.add_argument("--export", type=Path, default=DEFAULT_EXPORT)
    parser.add_argument("--cache", default=None)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cases", nargs="*", default=["bench", "year"])
    parser.add_argument("--snapshot", type=Path)
    parser.add_argument("--check", type=Path)
    parser.add_argument("--profile", metavar="CASE")
    args = parser.parse_args(list(argv) if argv is not None else None)
    runs = cases(args.table, args.export, args.cache)
    status = 0
    if args.snapshot or args.check:
        target = args.snapshot or args.check.with_suffix(".new.txt")
        lines = write_snapshot(target, runs)
        print(f"snapshot: {len(lines)} lines in {target}")
        if args.check:
            old = args.check.read_text(encoding="utf-8").splitlines()
            if old == lines:
                print(f"snapshot: identical to {args.check}")
            else:
                status = 1
                for k, (x, y) in enumerate(zip(old, lines, strict=False)):
                    if x != y:
                        print(f"snapshot: first difference at line {k + 1}:")
                        print(f"- {x[:400]}\n+ {y[:400]}")
                        break
                else:
                    print(f"snapshot: lengths differ ({len(old)} vs {len(lines)} lines)")
    if args.profile:
        import cProfile
        import pstats

        run = runs[args.profile]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run()
            prof = cProfile.Profile()
            prof.enable()
            run()
            prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
    for name in args.cases if args.repeat > 0 else []:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = runs[name]()
        wall, cpu = best_of(runs[name], args.repeat)
        print(
            f"{name:>14}: {len(a.activities):5d} activities  analyze {wall * 1000:7.1f} ms "
            f"(CPU {cpu * 1000:7.1f} ms), best of {args.repeat}"
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
