"""The vectorised helpers of the rules give, bit for bit, what the plain loops gave.

Each test runs the helper and a slow reference (the loop it replaced, written out here)
on random inputs and compares every number exactly (``==`` on floats, NaN with NaN):
the helpers only regroup the same numpy operations, so nothing may differ.
"""

from __future__ import annotations

import datetime as dt
import math
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
