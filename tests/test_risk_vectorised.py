"""The vectorised helpers of the rules give, bit for bit, what the plain loops gave.

Each test runs the helper and a slow reference (the loop it replaced, written out here)
on random inputs and compares every number exactly (``==`` on floats, NaN with NaN):
the helpers only regroup the same numpy operations, so nothing may differ.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from runload.load import reusing_results, window_reduce
from runload.risk.baselines import BreakDefinition, find_breaks

SEEDS = range(40)


def same(a: Any, b: Any) -> bool:
    """Exact equality, NaN equal to NaN, recursively through tuples, lists and dataclasses."""
    if isinstance(a, float | np.floating) or isinstance(b, float | np.floating):
        fa, fb = float(a), float(b)
        return (math.isnan(fa) and math.isnan(fb)) or fa == fb
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return same(a.tolist(), np.asarray(b).tolist())
    if hasattr(a, "__dataclass_fields__"):
        return type(a) is type(b) and all(
            same(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b) and type(a) is type(b)


def random_runs(rng: np.random.Generator, n: int | None = None) -> pd.DataFrame:
    """A chronological run table (``local_date``, ``distance_km``) with breaks and jogs."""
    n = int(rng.integers(0, 120)) if n is None else n
    steps = rng.choice([0, 0, 1, 1, 2, 3, 5, 9, 15, 30, 60], size=n)
    start = dt.date(2023, 1, 2).toordinal()
    days = start + np.cumsum(steps)
    km = rng.choice([0.0, 0.5, 2.0, 3.0, 5.0, 8.0, 10.0, 12.5, 21.1], size=n)
    km = km * rng.uniform(0.9, 1.1, size=n)
    km[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "local_date": [dt.date.fromordinal(int(d)) for d in days],
            "distance_km": km,
        },
        index=pd.Index([f"r{i}" for i in range(n)], name="activity_id"),
    )


# -- window_reduce -------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_window_reduce_is_the_loop(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    values = rng.random(n) * rng.choice([1.0, 1e-3, 1e6])
    values[rng.random(n) < 0.1] = 0.0
    lo = rng.integers(0, n, size=200)
    hi = np.minimum(lo + rng.integers(0, 160, size=200), n)
    for func in (np.sum, np.max, np.min, np.median, np.mean):
        fast = window_reduce(values, lo, hi, func)
        slow = [func(values[a:b]) if b > a else np.nan for a, b in zip(lo, hi, strict=True)]
        assert same(fast, slow), func.__name__


def test_window_reduce_empty_windows():
    out = window_reduce(np.arange(5.0), np.array([2, 3]), np.array([2, 5]), np.sum, empty=0.0)
    assert out.tolist() == [0.0, 7.0]
    assert (
        window_reduce(np.arange(5.0), np.array([], dtype=int), np.array([], dtype=int), np.sum).size
        == 0
    )


# -- find_breaks ---------------------------------------------------------------------


def slow_reference(dates: list[dt.date], km: np.ndarray, j: int, d: BreakDefinition) -> Any:
    from runload.risk.baselines import MIN_REFERENCE_SPAN_DAYS, Reference

    last = dates[j]
    first = last - dt.timedelta(days=d.reference_days - 1)
    lo = j
    while lo > 0 and dates[lo - 1] >= first:
        lo -= 1
    hi = j
    while hi + 1 < len(dates) and dates[hi + 1] == last:
        hi += 1
    window = km[lo : hi + 1]
    observed = (last - max(first, dates[0])).days + 1
    weeks = float(math.ceil(observed / 7.0))
    return Reference(
        first=first,
        last=last,
        runs=int(window.size),
        observed_days=int(observed),
        weekly_km=float(window.sum() / weeks) if weeks > 0 else float("nan"),
        longest_km=float(window.max()) if window.size else float("nan"),
        typical_km=float(np.median(window)) if window.size else float("nan"),
        complete=bool(window.size >= d.min_reference_runs and observed >= MIN_REFERENCE_SPAN_DAYS),
    )


def slow_find_breaks(runs: pd.DataFrame, d: BreakDefinition) -> tuple[Any, ...]:
    from runload.risk.baselines import Return

    dates = list(runs["local_date"])
    km = np.nan_to_num(runs["distance_km"].to_numpy(dtype=float), nan=0.0)
    ids = [str(i) for i in runs.index]
    n = len(dates)
    substantial = np.zeros(n, dtype=bool)
    last_sub = np.full(n, -1, dtype=np.int64)
    references: dict[int, Any] = {}
    returns = []
    current = -1
    trivial: list[str] = []
    for i in range(n):
        last_sub[i] = current
        if current < 0:
            substantial[i] = km[i] > 0
            if substantial[i]:
                current = i
            continue
        ref = references.get(current)
        if ref is None:
            ref = references[current] = slow_reference(dates, km, current, d)
        if km[i] < d.trivial_below_km(ref.typical_km) or km[i] <= 0:
            trivial.append(ids[i])
            continue
        substantial[i] = True
        gap = (dates[i] - dates[current]).days
        if gap >= d.break_days:
            returns.append(
                Return(i, ids[i], dates[i], dates[current], int(gap), ref, tuple(trivial))
            )
        trivial = []
        current = i
    return substantial, last_sub, returns, references


@pytest.mark.parametrize("seed", SEEDS)
def test_find_breaks_is_the_loop(seed):
    rng = np.random.default_rng(seed)
    runs = random_runs(rng)
    definition = BreakDefinition(
        break_days=int(rng.choice([7, 14, 21])),
        reference_days=int(rng.choice([0, 1, 7, 28, 60])),
        min_reference_runs=int(rng.choice([1, 3, 5])),
        trivial_km=float(rng.choice([0.0, 3.0])),
        trivial_share=float(rng.choice([0.0, 0.2, 0.5])),
    )
    fast = find_breaks(runs, definition)
    slow = slow_find_breaks(runs, definition)
    assert same(fast.substantial, slow[0])
    assert same(fast.last_substantial, slow[1])
    assert same(fast.returns, slow[2])
    assert same(fast.references, slow[3])


def test_find_breaks_out_of_order_dates_take_the_loop():
    rng = np.random.default_rng(5)
    runs = random_runs(rng, 60).iloc[rng.permutation(60)]
    definition = BreakDefinition()
    fast = find_breaks(runs, definition)
    slow = slow_find_breaks(runs, definition)
    assert same(fast.returns, slow[2]) and same(fast.references, slow[3])


def test_find_breaks_is_computed_once_inside_reusing_results():
    runs = random_runs(np.random.default_rng(1), 50)
    with reusing_results():
        first = find_breaks(runs, BreakDefinition())
        assert find_breaks(runs, BreakDefinition()) is first
        assert find_breaks(runs, BreakDefinition(break_days=21)) is not first
        assert find_breaks(runs.copy(), BreakDefinition()) is not first
    assert find_breaks(runs, BreakDefinition()) is not first


# -- climbing (uphill_overload, downhill_overload) ------------------------------------


def slow_elevation_flags(
    activities: pd.DataFrame,
    *,
    trigger: str,
    texts: Any,
    ratio: float,
    window_weeks: int,
    lookback_weeks: int,
    min_norm_weeks: int,
    min_week_m: float,
    steep_run_m_per_km: float,
    baseline_days: int,
    peak_ratio: float = 1.10,
) -> list[Any]:
    """runload.risk.climbing.elevation_flags as it was: one numpy call per week."""
    from runload.risk.climbing import _left_out_text, trusted_outdoor
    from runload.risk.flag import Findings, above, plural, run_table, shown_pct

    runs = run_table(activities)
    if runs.empty:
        return []
    flags_info = trusted_outdoor(activities, runs)
    metres = runs[texts.column].to_numpy(dtype=float)
    km = runs["distance_km"].to_numpy(dtype=float)
    dates: list[dt.date] = list(runs["local_date"])
    mondays = [d - dt.timedelta(days=d.weekday()) for d in dates]
    first_monday = min(mondays)
    n_weeks = (max(mondays) - first_monday).days // 7 + 1
    week_of = np.array([(m - first_monday).days // 7 for m in mondays], dtype=np.int64)
    outdoor = flags_info["outdoor"].to_numpy(dtype=bool)
    trusted = flags_info["trusted"].to_numpy(dtype=bool)
    used = outdoor & trusted & np.isfinite(metres) & np.isfinite(km) & (km > 0)
    left = outdoor & ~trusted
    week_m = np.zeros(n_weeks)
    week_km = np.zeros(n_weeks)
    steep = np.zeros(n_weeks)
    np.add.at(week_m, week_of[used], metres[used])
    np.add.at(week_km, week_of[used], km[used])
    per_run = np.where(used, metres / np.where(km > 0, km, np.nan), np.nan)
    np.add.at(steep, week_of[used & (per_run >= steep_run_m_per_km)], 1.0)
    sources = flags_info["source"].tolist()
    ids = [str(i) for i in runs.index]
    first_run = min(dates)
    found = Findings(trigger, baseline_days=baseline_days)
    for k in range(n_weeks):
        if week_km[k] <= 0 or week_m[k] < min_week_m:
            continue
        week_start = first_monday + dt.timedelta(days=7 * k)
        history = (week_start - first_run).days
        needed = 1 if history < baseline_days else min_norm_weeks
        lo = max(k - lookback_weeks, 0)
        habitual = [j for j in range(lo, k) if week_km[j] > 0]
        norm_weeks = habitual[-window_weeks:]
        if len(norm_weeks) < needed or not norm_weeks:
            continue
        # the higher of the recent mean and the habitual (median) week of the lookback:
        # coming back to a level sustained in the last weeks is not an overload
        norm = max(float(week_m[norm_weeks].mean()), float(np.median(week_m[habitual])))
        value = float(week_m[k] / norm) if norm > 0 else float("inf")
        peak = float(week_m[habitual].max())
        peak_value = float(week_m[k] / peak) if peak > 0 else float("inf")
        if not (above(value, ratio) and above(peak_value, peak_ratio)):
            continue
        per_km = float(week_m[k] / week_km[k])
        norm_km = float(week_km[norm_weeks].sum())
        recent_per_km = float(week_m[norm_weeks].sum() / norm_km) if norm_km > 0 else 0.0
        norm_per_km = max(recent_per_km, float(np.median(week_m[habitual] / week_km[habitual])))
        per_km_ratio = per_km / norm_per_km if norm_per_km > 0 else float("inf")
        steep_norm = max(float(steep[norm_weeks].mean()), float(np.median(steep[habitual])))
        steep_ratio = steep[k] / steep_norm if steep_norm > 0 else float("inf")
        steeper = above(per_km_ratio, ratio)
        more_steep = bool(steep[k] >= 2 and above(steep_ratio, ratio))
        severity = ("low", "moderate", "high")[int(steeper) + int(more_steep)]
        in_week = [i for i in range(len(ids)) if week_of[i] == k]
        week_ids = tuple(ids[i] for i in in_week if used[i])
        considered = set(norm_weeks) | {k}
        left_sources = [sources[i] for i in range(len(ids)) if left[i] and week_of[i] in considered]
        treadmill_in_week = sum(1 for i in in_week if not outdoor[i])
        n_norm = len(norm_weeks)
        norm_text = (
            f"{shown_pct(value):+d} % on your norm of {norm:.0f} m a week"
            if np.isfinite(value)
            else "after weeks without recorded metres"
        )
        seen = (
            f"in the week of {week_start.isoformat()} you {texts.verb} {week_m[k]:.0f} m on "
            f"your outdoor runs, {norm_text} (the higher of the mean of your last "
            f"{plural(n_norm, 'week')} with outdoor running and your typical such week "
            f"of the last {lookback_weeks} weeks)"
        )
        extra = _left_out_text(left_sources)
        if treadmill_in_week:
            extra += (
                f" {plural(treadmill_in_week, 'treadmill run')} that week "
                f"{'is' if treadmill_in_week == 1 else 'are'} not counted."
            )
        message = (
            f"{seen[0].upper()}{seen[1:]} (flag above {shown_pct(ratio):+d} %). Per outdoor "
            f"km: {per_km:.0f} m/km (usually {norm_per_km:.0f} m/km); {texts.steep} "
            f"(≥ {steep_run_m_per_km:g} m/km): {steep[k]:.0f} (usually {steep_norm:.1f} a "
            f"week).{extra} {texts.evidence}"
        )
        found.add(
            date=week_start,
            history_days=history,
            seen=seen,
            severity=severity,
            metric=texts.metric,
            value=value,
            threshold=ratio,
            message=message,
            activity_ids=week_ids,
        )
    has_any = bool(np.nansum(np.where(used, metres, 0.0)) > 0)
    return found.result(runs if has_any else None)


def random_climbing_table(seed: int) -> pd.DataFrame:
    """Outdoor runs with varying climbing, treadmill weeks, untrusted elevation, gaps."""
    from risk_tables import table

    rng = np.random.default_rng(seed)
    rows = []
    day = dt.date(2024, 1, 1)
    for k in range(int(rng.integers(5, 160))):
        day += dt.timedelta(days=int(rng.choice([0, 1, 1, 2, 3, 4, 10, 25])))
        surface = str(rng.choice(["road", "road", "trail", "treadmill"]))
        km = float(rng.choice([0.0, 4.0, 6.0, 10.0, 16.0])) * float(rng.uniform(0.9, 1.1))
        climb = float(rng.choice([0.0, 5.0, 15.0, 30.0])) * km * float(rng.uniform(0.5, 2.0))
        row = {"date": day, "km": km, "surface": surface, "ascent": climb, "id": f"c{k:03d}"}
        row["descent"] = climb * float(rng.uniform(0.5, 1.5))
        if rng.random() < 0.1:
            row["trusted"] = False
            row["elevation_source"] = str(rng.choice(["phone", "gps"]))
        if rng.random() < 0.05:
            row["ascent"] = float("nan")
        rows.append(row)
    return table(rows)


@pytest.mark.parametrize("seed", SEEDS)
def test_elevation_flags_is_the_loop(seed):
    from runload.risk.climbing import elevation_flags
    from runload.risk.downhill_overload import TEXTS as DOWN
    from runload.risk.uphill_overload import TEXTS as UP

    rng = np.random.default_rng(1000 + seed)
    acts = random_climbing_table(seed)
    settings = {
        "trigger": "uphill_overload" if seed % 2 else "downhill_overload",
        "texts": UP if seed % 2 else DOWN,
        "ratio": float(rng.choice([1.0, 1.2, 1.5])),
        "window_weeks": int(rng.choice([0, 1, 2, 4])),
        "lookback_weeks": int(rng.choice([0, 1, 3, 12])),
        "min_norm_weeks": int(rng.choice([0, 1, 2])),
        "min_week_m": float(rng.choice([0.0, 50.0, 200.0])),
        "steep_run_m_per_km": float(rng.choice([10.0, 20.0])),
        "baseline_days": int(rng.choice([0, 14, 28])),
        "peak_ratio": float(rng.choice([1.0, 1.1])),
    }
    fast = elevation_flags(acts, **settings)
    slow = slow_elevation_flags(acts, **settings)
    assert same(fast, slow)
    with reusing_results():  # and the same when run tables are shared
        assert same(elevation_flags(acts, **settings), slow)
        assert same(elevation_flags(acts, **settings), slow)


# -- recent_normals (distance_jump) -----------------------------------------------------


def slow_recent_normal(
    weekly_km: np.ndarray,
    k: int,
    *,
    weeks: int,
    lookback_weeks: int,
    min_weeks: int,
    trivial_share: float,
    usable: np.ndarray | None = None,
) -> tuple[float, list[int]]:
    lo = max(k - lookback_weeks, 0)
    candidates = [
        j for j in range(lo, k) if weekly_km[j] > 0 and (usable is None or bool(usable[j]))
    ]
    if not candidates:
        return float("nan"), []
    overall = float(np.median(weekly_km[candidates]))
    kept = [j for j in candidates if weekly_km[j] >= trivial_share * overall][-weeks:]
    if len(kept) < min_weeks:
        return float("nan"), kept
    values = np.sort(weekly_km[kept])[::-1]
    upper = values[: (len(values) + 1) // 2]
    return float(upper.mean()), kept


@pytest.mark.parametrize("seed", range(60))
def test_recent_normals_is_the_loop(seed):
    from runload.risk.baselines import recent_normals

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 80))
    km = rng.choice([0.0, 0.0, 3.0, 20.0, 30.0, 35.0, 50.0], size=n) * rng.uniform(0.8, 1.2, n)
    km = np.round(km, int(rng.choice([1, 12])))  # ties, and values that round differently
    usable = rng.random(n) > 0.1 if seed % 3 else None
    min_weeks = rng.choice([0, 1, 2, 3], size=n) if seed % 2 else np.full(n, 2)
    judged = rng.random(n) > 0.2
    settings = {
        "weeks": int(rng.choice([0, 1, 2, 4, 7])),
        "lookback_weeks": int(rng.choice([0, 1, 4, 8, 20])),
        "trivial_share": float(rng.choice([0.0, 0.2, 0.5, 1.0, 1.5])),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the mean of no week, as before
        normal, peak = recent_normals(
            km, min_weeks=min_weeks, usable=usable, judged=judged, **settings
        )
    for k in range(n):
        if not judged[k]:
            assert math.isnan(normal[k]) and math.isnan(peak[k])
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want, used = slow_recent_normal(
                km, k, min_weeks=int(min_weeks[k]), usable=usable, **settings
            )
        assert same(normal[k], want), k
        if math.isfinite(want):
            assert same(peak[k], km[used].max()), k


# -- wrong_shoes ---------------------------------------------------------------------


def slow_wrong_shoes(
    activities: pd.DataFrame,
    *,
    window_weeks: int = 4,
    cushioned_share: float = 0.60,
    stack_drop_mm: float = 10.0,
    min_share_rise: float = 0.30,
    abrupt_share_rise: float = 0.70,
    min_volume_share: float = 0.50,
    full_volume_share: float = 0.80,
    body_mass_kg: float = 0.0,
    heavy_body_mass_kg: float = 85.0,
    non_running_share: float = 0.50,
    racing_share: float = 0.50,
    racing_long_runs: int = 3,
    baseline_days: int = 28,
    gear_map: Any = None,
) -> list[Any]:
    """runload.risk.wrong_shoes.wrong_shoes as it was: masks over every run, week by week."""
    from runload.risk.flag import Findings, at_least_share, make_flag, plural, share_pct
    from runload.risk.wrong_shoes import _RANK, _SEVERITY, _names, _practice
    from runload.shoes import run_shoes, shoe_catalogue, shoe_types, type_of

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
    kind = np.array([type_of(types, g) for g in gear], dtype=object)
    stack = np.array(
        [np.nan if g is None else stacks.get(" ".join(g.casefold().split()), np.nan) for g in gear]
    )
    km = np.nan_to_num(runs["distance_km"].to_numpy(dtype=float), nan=0.0)
    dates: list[dt.date] = list(runs["local_date"])
    ids = [str(i) for i in runs.index]
    mondays = [d - dt.timedelta(days=d.weekday()) for d in dates]
    first_monday = min(mondays)
    n = (max(mondays) - first_monday).days // 7 + 1
    week_of = np.array([(m - first_monday).days // 7 for m in mondays], dtype=np.int64)
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
        rows = [i for i in range(len(ids)) if week_of[i] == k and non_running[i]]
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
    reported = ""
    for k in range(1, n):
        lo = max(k - window_weeks, 0)
        window = (week_of >= lo) & (week_of < k)
        window_total = float(km[window].sum())
        if window_total <= 0:
            reported = ""
            continue
        ref_rows = window & ~minimalist & np.isfinite(stack) & (km > 0)
        ref_stack = (
            float(np.average(stack[ref_rows], weights=km[ref_rows])) if ref_rows.any() else np.nan
        )
        low = minimalist.copy()
        if np.isfinite(ref_stack):
            low |= np.isfinite(stack) & (stack <= ref_stack - stack_drop_mm)
        low_km = np.bincount(week_of[low], weights=km[low], minlength=n)
        window_low = float(low_km[lo:k].sum())
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
        rows = [i for i in range(len(ids)) if week_of[i] == k and low[i]]
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
    long_racing = np.zeros(n, dtype=bool)
    for k in range(n):
        in_week = np.flatnonzero(week_of == k)
        if in_week.size:
            longest = in_week[int(np.argmax(km[in_week]))]
            long_racing[k] = bool(racing[longest])
    racing_km = np.bincount(week_of[racing], weights=km[racing], minlength=n)
    reported = ""
    for k in range(n):
        lo = max(k - window_weeks + 1, 0)
        window_total = float(total[lo : k + 1].sum())
        if window_total <= 0 or not racing[week_of == k].any():
            reported = ""
            continue
        share = float(racing_km[lo : k + 1].sum() / window_total)
        habit_weeks = int(long_racing[lo : k + 1].sum())
        habit = habit_weeks >= racing_long_runs
        most = at_least_share(share, racing_share)
        if not (habit or most):
            reported = ""
            continue
        severity = "moderate" if habit and most else "low"
        if _RANK[severity] <= _RANK[reported]:
            continue
        weeks = k - lo + 1
        rows = [i for i in range(len(ids)) if lo <= week_of[i] <= k and racing[i]]
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


SHOES = (
    "Pegasus 40",
    "Ghost 15",
    "Vibram FiveFingers V-Run",
    "Nike Vaporfly 3",
    "Converse Chuck Taylor",
    "Blue Pegs",
    None,
)


def random_shoe_table(seed: int) -> pd.DataFrame:
    """Runs in shoes of every type, switching now and then, with long runs and gaps."""
    from risk_tables import table

    rng = np.random.default_rng(seed)
    rows = []
    day = dt.date(2024, 1, 1)
    shoe = SHOES[0]
    for k in range(int(rng.integers(5, 200))):
        day += dt.timedelta(days=int(rng.choice([0, 1, 1, 2, 3, 9])))
        if rng.random() < 0.08:
            shoe = SHOES[int(rng.integers(0, len(SHOES)))]
        worn = shoe if rng.random() < 0.8 else SHOES[int(rng.integers(0, len(SHOES)))]
        km = float(rng.choice([3.0, 6.0, 8.0, 12.0, 21.1])) * float(rng.uniform(0.95, 1.05))
        rows.append({"date": day, "km": km, "gear": worn, "id": f"s{k:03d}"})
    return table(rows)


@pytest.mark.filterwarnings("ignore::runload.exceptions.DataQualityWarning")  # open ranges
@pytest.mark.parametrize("seed", SEEDS)
def test_wrong_shoes_is_the_loop(seed):
    from runload.risk.wrong_shoes import wrong_shoes

    rng = np.random.default_rng(2000 + seed)
    acts = random_shoe_table(seed)
    gear_map = None
    if seed % 3:
        gear_map = {
            "Pegasus 40": {"stack_mm": float(rng.choice([28.0, 33.0]))},
            "Ghost 15": {"stack_mm": float(rng.choice([20.0, 35.0]))},
            "Blue Pegs": {"stack_mm": 18.0, **({"type": "cushioned"} if seed % 2 else {})},
        }
    settings = {
        "window_weeks": int(rng.choice([0, 1, 2, 4])),
        "cushioned_share": float(rng.choice([0.0, 0.6])),
        "stack_drop_mm": float(rng.choice([5.0, 10.0])),
        "min_share_rise": float(rng.choice([0.1, 0.3])),
        "min_volume_share": float(rng.choice([0.2, 0.5])),
        "body_mass_kg": float(rng.choice([0.0, 90.0])),
        "racing_share": float(rng.choice([0.2, 0.5])),
        "racing_long_runs": int(rng.choice([1, 3])),
        "baseline_days": int(rng.choice([0, 28])),
        "gear_map": gear_map,
    }
    slow = slow_wrong_shoes(acts, **settings)
    assert same(wrong_shoes(acts, **settings), slow)
    with reusing_results():
        assert same(wrong_shoes(acts, **settings), slow)


# -- long_run_spike ------------------------------------------------------------------


def slow_long_run_spike(
    activities: pd.DataFrame,
    *,
    spike_ratio: float = 1.10,
    moderate_ratio: float = 1.30,
    high_ratio: float = 2.00,
    min_distance_km: float = 5.0,
    window_days: int = 30,
    baseline_days: int = 28,
    beginner_spike_ratio: float = 1.5,
    beginner_min_days: int = 7,
    beginner_min_runs: int = 2,
    profile: Any = None,
) -> list[Any]:
    """runload.risk.long_run_spike.long_run_spike as it was: every run through the loop."""
    from runload.load import long_run_spikes
    from runload.risk.baselines import Reference, break_definition, find_breaks
    from runload.risk.flag import Findings, above, run_table, shown_pct
    from runload.risk.long_run_spike import _band, _comeback_allowance, _comebacks, _flag

    spikes = long_run_spikes(activities, window_days=window_days)
    found = Findings("long_run_spike", baseline_days=baseline_days)
    if spikes.empty:
        return []
    runs = run_table(activities)
    breaks = find_breaks(runs, break_definition(profile))
    dates: list[dt.date] = list(spikes["local_date"])
    comebacks = _comebacks(breaks.returns, profile)
    for i, (activity_id, row) in enumerate(spikes.iterrows()):
        km = float(row["distance_km"])
        if not (np.isfinite(km) and km >= min_distance_km):
            continue
        date = dates[i]
        history = int(row["history_days"])
        j = int(breaks.last_substantial[i])
        if j < 0:
            continue
        reference: Reference | None = None
        if (date - dates[j]).days > window_days:
            reference = breaks.references.get(j)
            if reference is None or not reference.complete:
                continue
            previous = reference.longest_km
        else:
            previous = float(row["previous_longest_km"])
        allowed = _comeback_allowance(comebacks, date, window_days) if reference is None else None
        if allowed is not None and not (np.isfinite(previous) and previous >= allowed[0]):
            previous = allowed[0]
        else:
            allowed = None
        if not (np.isfinite(previous) and previous > 0):
            continue
        ratio = km / previous
        if not above(ratio, spike_ratio):
            continue
        severity, band, hrr = _band(ratio, moderate_ratio, high_ratio)
        ids = (str(activity_id),)
        if reference is not None:
            seen = (
                f"your {km:.1f} km run on {date.isoformat()} was {shown_pct(ratio):+d} % on the "
                f"longest run ({previous:.1f} km) of the 4 weeks before your break (your last "
                f"run before it was on {reference.last.isoformat()}; the {window_days} days "
                "before this run held no run or only short jogs)"
            )
            message = (
                f"{seen[0].upper()}{seen[1:]}. In a study of 5,205 runners (Frandsen 2025), "
                f"sessions {band} longer than the longest run of the previous 30 days had an "
                f"injury hazard rate ratio of {hrr} compared with sessions at most 10 % "
                "longer; here your longest run before the break stands in for the empty "
                "30 days, and the time off is judged by return_after_break."
            )
            found.append(_flag(date, severity, ratio, spike_ratio, message, ids))
            continue
        seen = (
            f"your {km:.1f} km run on {date.isoformat()} was {shown_pct(ratio):d} % longer "
            f"than your longest run of the previous {window_days} days ({previous:.1f} km)"
        )
        if allowed is not None:
            seen = (
                f"your {km:.1f} km run on {date.isoformat()}, in the weeks back from your "
                f"break, was {shown_pct(ratio):d} % longer than {previous:.1f} km: "
                f"{allowed[1] * 100:.0f} % of your longest run before the break "
                f"({allowed[2]:.1f} km), which stands in while the {window_days}-day window "
                "holds only your first runs back"
            )
        message = (
            f"{seen[0].upper()}{seen[1:]}. In a study of 5,205 runners (Frandsen 2025), "
            f"sessions {band} longer than the longest run of the previous 30 days had an "
            f"injury hazard rate ratio of {hrr} compared with sessions at most 10 % longer."
        )
        beginner_severity = None
        if history >= beginner_min_days and i >= beginner_min_runs:
            if above(ratio, beginner_spike_ratio):
                beginner_severity = "high" if above(ratio, high_ratio) else "moderate"
        beginner_message = (
            f"Your {km:.1f} km run on {date.isoformat()} was {shown_pct(ratio):d} % longer "
            f"than your longest run so far ({previous:.1f} km, in the {history} days since "
            f"your log starts). While runload knows less than {baseline_days} days of your "
            f"running, it flags runs more than {shown_pct(beginner_spike_ratio):d} % beyond "
            "your longest so far: a first-weeks limit set by expert judgement, since no study "
            "measured one. For comparison, in established runners (Frandsen 2025) sessions "
            f"{band} longer than the longest run of the previous 30 days had an injury hazard "
            f"rate ratio of {hrr}."
        )
        found.add(
            date=date,
            history_days=history,
            seen=seen,
            severity=severity,
            metric="spike_ratio",
            value=ratio,
            threshold=spike_ratio,
            message=message,
            activity_ids=ids,
            beginner_severity=beginner_severity,
            beginner_message=beginner_message,
        )
    return found.result(spikes[["local_date"]])


def random_spike_table(seed: int) -> pd.DataFrame:
    """Runs of growing and shrinking length, with breaks and comebacks."""
    from risk_tables import table

    rng = np.random.default_rng(seed)
    rows = []
    day = dt.date(2024, 1, 1)
    for k in range(int(rng.integers(1, 150))):
        day += dt.timedelta(days=int(rng.choice([0, 1, 1, 2, 3, 5, 16, 40])))
        km = float(rng.choice([2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 16.0, 25.0]))
        rows.append({"date": day, "km": km * float(rng.uniform(0.9, 1.2)), "id": f"l{k:03d}"})
    return table(rows)


def test_above_all_is_above():
    from runload.risk.flag import above, above_all

    rng = np.random.default_rng(0)
    ratios = np.concatenate(
        [
            rng.uniform(0.5, 3.0, 2000),
            1.0 + np.arange(-100, 300) / 100.0 + 0.005,  # halves, rounded to even
            [np.inf, -np.inf, np.nan, 0.0, 1.305, 1.295, 1.105],
        ]
    )
    for threshold in (1.1, 1.3, 2.0, 1.0, 1.105):
        assert above_all(ratios, threshold).tolist() == [above(r, threshold) for r in ratios]


@pytest.mark.parametrize("seed", SEEDS)
def test_long_run_spike_is_the_loop(seed):
    from runload.risk import RiskProfile
    from runload.risk.long_run_spike import long_run_spike

    rng = np.random.default_rng(3000 + seed)
    acts = random_spike_table(seed)
    profile = RiskProfile.from_dict(
        {"return_after_break": {"break_days": int(rng.choice([10, 14, 21]))}}
    )
    settings = {
        "spike_ratio": float(rng.choice([1.0, 1.1, 1.25])),
        "min_distance_km": float(rng.choice([0.0, 5.0])),
        "window_days": int(rng.choice([7, 30])),
        "baseline_days": int(rng.choice([0, 28])),
        "beginner_min_runs": int(rng.choice([0, 2])),
        "profile": profile if seed % 2 else None,
    }
    slow = slow_long_run_spike(acts, **settings)
    assert same(long_run_spike(acts, **settings), slow)
    with reusing_results():
        assert same(long_run_spike(acts, **settings), slow)


# -- ankle weights in names and notes ------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_mention_each_is_mentions_ankle_weights_of_each(seed):
    from runload.risk.ankle_weights import _mention_each, mentions_ankle_weights

    rng = np.random.default_rng(seed)
    pieces = [
        "Easy run", "with ankle weights", "no ankle weights today", "ankle", "weights",
        "weighted ankles", "AW run", "w/ AW", "mit AW", "A.W. 2 kg", "AW", "aw",
        "Knöchelgewichte", "poids aux chevilles", "ankle-wts.", "ankle wt", " ", "\n",
        "without", "forgot my", "(", ".", "wts", "x", "ankle_weights", "LAW", "AWOL",
    ]  # fmt: skip
    values: list[object] = []
    for _ in range(int(rng.integers(0, 60))):
        kind = rng.random()
        if kind < 0.1:
            values.append(None)
        elif kind < 0.15:
            values.append(float("nan"))
        else:
            words = [pieces[int(i)] for i in rng.integers(0, len(pieces), rng.integers(0, 5))]
            values.append(str(rng.choice(["", " ", "-", "\n"])).join(words))
    if seed == 7:
        values.append("ankle\x00weights")  # a NUL in a text: each is looked at on its own
    expected = [isinstance(v, str) and mentions_ankle_weights(v) for v in values]
    assert _mention_each(values).tolist() == expected
    assert any(expected) or len(values) < 5


def test_mention_each_sees_no_match_across_two_texts():
    from runload.risk.ankle_weights import _mention_each, mentions_ankle_weights

    # joined with a space, "my ankle weight|ed ankles" would hide the second mention
    values = ["my ankle", "weighted ankles", "with", "AW 3 kg", "ankle", "wts", "w/", "AW"]
    expected = [mentions_ankle_weights(v) for v in values]
    assert expected == [False, True, False, True, False, False, False, False]
    assert _mention_each(values).tolist() == expected


# -- training_status ---------------------------------------------------------------------


def slow_status_numbers(activities: pd.DataFrame, profile: Any) -> tuple[Any, ...]:
    """The numbers of runload.risk.status.training_status as it computed them."""
    from runload.load import elevation_load
    from runload.risk.baselines import break_definition, recent_normal

    runs = elevation_load(activities)
    dates = list(runs["local_date"])
    km = runs["distance_km"].to_numpy(dtype="float64", na_value=np.nan)
    km = np.where(np.isfinite(km), km, 0.0)
    as_of = max(dates)
    week_start = as_of - dt.timedelta(days=as_of.weekday())
    week_km = float(sum(k for d, k in zip(dates, km, strict=True) if d >= week_start))
    first_monday = min(dates) - dt.timedelta(days=min(dates).weekday())
    n_weeks = (week_start - first_monday).days // 7 + 1
    weekly = np.zeros(n_weeks)
    for d, k in zip(dates, km, strict=True):
        weekly[(d - dt.timedelta(days=d.weekday()) - first_monday).days // 7] += float(k)
    settings = profile.distance_jump
    normal, used = recent_normal(
        weekly,
        n_weeks - 1,
        weeks=int(settings.normal_weeks),
        lookback_weeks=int(settings.lookback_weeks),
        min_weeks=1,
        trivial_share=break_definition(profile).trivial_share,
    )
    window_start = as_of - dt.timedelta(days=30 - 1)
    recent = [k for d, k in zip(dates, km, strict=True) if d >= window_start]
    longest = float(max(recent)) if recent else float("nan")
    return as_of, week_start, week_km, normal, len(used) if np.isfinite(normal) else 0, longest


@pytest.mark.parametrize("seed", SEEDS)
def test_training_status_numbers_are_the_loops(seed):
    from runload.risk import RiskProfile, flags_frame
    from runload.risk.status import training_status

    acts = random_spike_table(seed)
    profile = RiskProfile()
    status = training_status(acts, flags_frame([]), profile=profile)
    assert status is not None
    got = (
        status.as_of,
        status.week_start,
        status.week_km,
        status.normal_week_km,
        status.weeks_in_normal,
        status.longest_30d_km,
    )
    assert same(got, slow_status_numbers(acts, profile))


# -- the flags and episodes tables ------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 7])
def test_flags_and_episodes_tables_as_built_before(n):
    from runload.risk import FLAG_FIELDS, evaluate, flags_frame
    from runload.risk.episodes import EPISODE_FIELDS, group_episodes

    flags = evaluate(random_spike_table(3))[:n]
    items = sorted(
        flags,
        key=lambda f: (
            f.date,
            -["info", "low", "moderate", "high"].index(f.severity),
            f.trigger,
            f.activity_ids,
        ),
    )
    data = {name: [getattr(f, name) for f in items] for name in FLAG_FIELDS}
    old = pd.DataFrame(data, columns=list(FLAG_FIELDS))
    for name in ("value", "threshold"):
        old[name] = np.asarray(old[name], dtype="float64")
    for name in FLAG_FIELDS:
        if name not in ("value", "threshold"):
            old[name] = old[name].astype("object")
    new = flags_frame(flags)
    pd.testing.assert_frame_equal(new, old)
    assert new.dtypes.tolist() == old.dtypes.tolist()
    _, episodes = group_episodes(new)
    assert list(episodes.columns) == list(EPISODE_FIELDS)
    assert episodes["episode"].dtype == np.int64
    assert all(t == np.dtype(object) for t in episodes.drop(columns="episode").dtypes)
