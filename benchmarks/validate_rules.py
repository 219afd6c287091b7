"""Run the risk rules on labelled histories and say, per history, whether they did what they should.

Each labelled history of ``tests/scenarios.py`` is written as real activity files
(or a Strava export) by runload's own writers into a temporary folder, read
back with ``runload.analyze(folder, cache=None)``, and its flags are compared
with what the history is built to show (``plan.expected``):

- every expected case must be flagged at its minimum severity (moderate unless
  stated) by one of its triggers, dated in the same ISO week as the case (the
  run's local date or the Monday of the week: a weekly rule may date its flag
  either way);
- the runs the weekly load counts are the planned runs, no more (a ride or a
  walk counted as a run) and no fewer (an untyped run left out);
- besides those, at most ``max_other_serious`` moderate-or-high items may
  appear (0 for the quiet histories, 2 for the ordinary runner's year; not
  judged where None).  A history with ``expected["judged"]`` False is shown,
  not judged (SHOWN).  An *item* is an episode when the analysis groups flags
  into episodes (``flags["episode"]``), else one flag.

Usage::

    python benchmarks/validate_rules.py                 # every history
    python benchmarks/validate_rules.py cutback_blocks  # some of them
    python benchmarks/validate_rules.py --seed 0 1 2    # three draws of every history
    python benchmarks/validate_rules.py --keep DIR      # keep the written files

The rules are being rewritten; a FAIL here is a finding about the rules (or
about the history), reported as it is.  Exit status: 0 when every history
passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

import runload

# The labelled histories are test data: they live with the tests (tests/scenarios.py),
# outside the installed package, and this script reads them from the checkout.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from scenarios import (  # noqa: E402
    SCENARIO_NAMES,
    ExpectedItem,
    gear_map,
    scenario,
    user_tags,
    write_scenario,
)

SERIOUS = ("moderate", "high")
_RANK = {"info": 0, "low": 1, "moderate": 2, "high": 3}


def _week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _items(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per moderate-or-high item: its flags' rows, triggers and dates."""
    serious = flags.loc[flags["severity"].isin(SERIOUS)]
    if "episode" in serious.columns:
        keys = serious["episode"].astype(int)
    else:
        keys = pd.Series(range(len(serious)), index=serious.index)
    rows = []
    for key, group in serious.groupby(keys, sort=False):
        rows.append(
            {
                "item": key,
                "rows": tuple(group.index),
                "triggers": tuple(sorted(set(group["trigger"]))),
                "date": min(group["date"]),
                "severity": max(group["severity"], key=_RANK.__getitem__),
            }
        )
    return pd.DataFrame(rows, columns=["item", "rows", "triggers", "date", "severity"])


def validate(name: str, *, seed: int = 0, keep: Path | None = None) -> dict[str, Any]:
    """Write, analyse and judge one history; print its table; return the verdict."""
    t0 = time.perf_counter()
    plan = scenario(name, seed=seed)
    expected = plan.expected
    with tempfile.TemporaryDirectory(prefix=f"runload-{name}-") as tmp:
        folder = (keep / name) if keep is not None else Path(tmp)
        source = write_scenario(plan, folder)
        options: dict[str, Any] = dict(expected.get("analyze", {}))
        if expected.get("write_as", "files") == "files":
            options["gear_map"] = gear_map(plan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if any(r.tags for r in plan.runs):
                log = runload.read_activities(source, cache=None, jobs=1)
                options["tags"] = user_tags(plan, log.activities)
            result = runload.analyze(source, cache=None, jobs=1, **options)
    elapsed = time.perf_counter() - t0
    flags = result.flags
    runs_read = len(result.activities)
    planned_runs = sum(r.is_run for r in plan.runs)
    weekly = result.weekly
    counted = int(weekly["runs"].sum()) if "runs" in weekly.columns else -1

    items: tuple[ExpectedItem, ...] = tuple(expected.get("items", ()))
    matched_rows: set[Any] = set()
    verdicts = []
    for item in items:
        hits = [
            idx
            for idx, f in flags.iterrows()
            if item.matches(f["trigger"], f["date"], f["severity"])
        ]
        matched_rows.update(hits)
        verdicts.append((item, hits))
    serious_items = _items(flags)
    other = (
        serious_items.loc[[not (set(rows) & matched_rows) for rows in serious_items["rows"]]]
        if len(serious_items)
        else serious_items
    )
    limit = expected.get("max_other_serious")
    missed = [item for item, hits in verdicts if not hits]
    judged = bool(expected.get("judged", True))
    # a verdict on other runs than the planned ones (rides counted, runs dropped) means nothing
    ok = not missed and (limit is None or len(other) <= limit) and counted == planned_runs
    verdict = ("PASS" if ok else "FAIL") if judged else "SHOWN"
    in_matched = {idx for rows in serious_items["rows"] if set(rows) & matched_rows for idx in rows}

    print(f"\n=== {name}: {expected.get('description', '')}")
    print(
        f"    {len(plan.runs)} planned activities ({planned_runs} runs), {runs_read} read, "
        f"{counted} counted as runs{'' if counted == planned_runs else ' (MISMATCH)'}, "
        f"{len(result.errors)} errors; {elapsed:.1f} s"
        + (f"; analyze options: {expected['analyze']}" if expected.get("analyze") else "")
    )
    print("    expected:")
    if not items:
        print(
            "      (nothing: a quiet history)" if judged else "      (nothing: shown, not judged)"
        )
    for item, hits in verdicts:
        found = "; ".join(
            f"{flags.at[i, 'trigger']} {flags.at[i, 'date']} {flags.at[i, 'severity']}"
            for i in hits
        )
        print(
            f"      {'/'.join(item.triggers):<36} {item.date} ({_week(item.date)}) "
            f">= {item.min_severity:<8} -> {found or 'MISSING'}"
        )
        if item.what:
            print(f"        {item.what}")
    limit_text = "not judged" if limit is None else f"at most {limit}"
    print(f"    other moderate/high items: {len(other)} ({limit_text})")
    proper = flags.loc[flags["severity"] != "info"]
    notices = int((flags["severity"] == "info").sum())
    print(f"    found ({len(proper)} flags, {notices} notices not shown):")
    for idx, f in proper.iterrows():
        if idx in matched_rows:
            mark = "*"
        elif idx in in_matched:
            mark = "+"
        else:
            mark = "!" if f["severity"] in SERIOUS else " "
        episode = f"  [item {f['episode']}]" if "episode" in proper.columns else ""
        when = f"{f['date']} ({_week(f['date'])})"
        print(f"     {mark} {f['trigger']:<20} {when} {f['severity']:<8}{episode}")
    print(
        "      (* matches an expected case, + in the same item as a match, "
        "! moderate/high and not expected)"
    )
    print(
        f"    {verdict}: {len(items) - len(missed)}/{len(items)} expected cases "
        f"flagged; {len(other)} other moderate/high items ({limit_text})"
    )
    return {
        "scenario": name,
        "pass": ok,
        "verdict": verdict,
        "expected": len(items),
        "flagged": len(items) - len(missed),
        "other_serious": len(other),
        "limit": limit,
        "seconds": elapsed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", help=f"default: all of {', '.join(SCENARIO_NAMES)}")
    parser.add_argument(
        "--seed",
        type=int,
        nargs="+",
        default=[0],
        help="seed(s) of the histories; several seeds show whether a verdict is robust",
    )
    parser.add_argument("--keep", type=Path, help="write the histories here and keep them")
    args = parser.parse_args(argv)
    names = args.scenarios or list(SCENARIO_NAMES)
    unknown = sorted(set(names) - set(SCENARIO_NAMES))
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; choose from {SCENARIO_NAMES}")
    t0 = time.perf_counter()
    results = []
    for seed in args.seed:
        keep = (
            args.keep / f"seed{seed}" if args.keep is not None and len(args.seed) > 1 else args.keep
        )
        results += [validate(name, seed=seed, keep=keep) | {"seed": seed} for name in names]
    print("\n=== summary")
    print(
        f"    {'scenario':<22} {'seed':>4} {'result':<6} {'flagged':>8} {'other':>6} {'limit':>6} "
        f"{'time':>7}"
    )
    for r in results:
        limit = "-" if r["limit"] is None else str(r["limit"])
        print(
            f"    {r['scenario']:<22} {r['seed']:>4} {r['verdict']:<6} "
            f"{r['flagged']:>4}/{r['expected']:<3} {r['other_serious']:>6} {limit:>6} "
            f"{r['seconds']:>6.1f}s"
        )
    judged = [r for r in results if r["verdict"] != "SHOWN"]
    passed = sum(r["pass"] for r in judged)
    print(
        f"    {passed}/{len(judged)} pass ({len(results) - len(judged)} shown, not judged); "
        f"{time.perf_counter() - t0:.0f} s in all"
    )
    return 0 if passed == len(judged) else 1


if __name__ == "__main__":
    sys.exit(main())
