"""Hand-built activities tables for the risk and analysis tests.

``table(rows)`` takes short dicts (``date``, ``km`` and optional ``surface``, ``ascent``,
``descent``, ``name``, ``notes``, ``gear``, ``sport``, ``sub_sport``, ``id``, ``trusted``,
``elevation_source``) and returns
an activities table with the columns of :data:`runload.schema.SUMMARY_FIELDS`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from runload.schema import SUMMARY_FIELDS

D = dt.date


def day(start: dt.date, n: int) -> dt.date:
    return start + dt.timedelta(days=n)


def table(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    records = []
    ids = []
    for k, row in enumerate(rows):
        date = row["date"]
        if isinstance(date, str):
            date = dt.date.fromisoformat(date)
        km = float(row["km"])
        surface = row.get("surface", "road")
        ids.append(row.get("id", f"a{k:04d}"))
        start = pd.Timestamp(dt.datetime.combine(date, dt.time(7, 0)), tz="UTC") + pd.Timedelta(
            minutes=row.get("minute", 0)
        )
        records.append(
            {
                "source_path": f"{ids[-1]}.fit",
                "format": "fit",
                "sport": row.get("sport", "running"),
                "sub_sport": row.get("sub_sport", "treadmill" if surface == "treadmill" else None),
                "surface": surface,
                "start_time_utc": start,
                "utc_offset_s": 0,
                "utc_offset_source": "file",
                "local_date": date,
                "distance_m": km * 1000.0,
                "elapsed_time_s": km * 330.0,
                "moving_time_s": km * 330.0,
                "ascent_m": float(row.get("ascent", 0.0)),
                "descent_m": float(row.get("descent", row.get("ascent", 0.0))),
                "has_gps": surface != "treadmill",
                "ascent_trusted": row.get("trusted", True),
                "elevation_source": row.get(
                    "elevation_source", "none" if surface == "treadmill" else "barometric"
                ),
                "device": "test",
                "name": row.get("name"),
                "notes": row.get("notes"),
                "gear": row.get("gear"),
            }
        )
    frame = pd.DataFrame(records, columns=[c for c in SUMMARY_FIELDS if c != "activity_id"])
    frame.index = pd.Index(ids, dtype="object", name="activity_id")
    frame["utc_offset_s"] = frame["utc_offset_s"].astype("Int64")
    for col in ("sub_sport", "name", "notes", "gear", "ascent_trusted"):
        frame[col] = frame[col].astype("object")
    return frame


def weekly_routine(
    start: dt.date,
    weeks: int,
    week_km: Mapping[int, float] | Iterable[float],
    *,
    pattern: Mapping[int, float] | None = None,
    **extra: Any,
) -> list[dict[str, Any]]:
    """Runs on fixed weekdays; ``week_km`` gives each week's total, split by ``pattern``.

    ``start`` must be a Monday.  ``pattern`` maps weekday (0 = Monday) to the share of
    the week's distance (default: Tue 0.25, Thu 0.25, Sun 0.5).
    """
    assert start.weekday() == 0
    pattern = pattern or {1: 0.25, 3: 0.25, 6: 0.5}
    totals = list(week_km.values()) if isinstance(week_km, Mapping) else list(week_km)
    rows = []
    for w in range(weeks):
        for weekday, share in pattern.items():
            rows.append({"date": day(start, 7 * w + weekday), "km": totals[w] * share, **extra})
    return rows


def steady_history(
    start: dt.date, weeks: int, *, seed: int = 1, noise: float = 0.10
) -> list[dict[str, Any]]:
    """A steady runner: the same four runs every week, each ±``noise`` at random.

    Tue 8 km road (30 m/km), Thu 10 km hilly trail (25 m/km), Sat 6 km treadmill,
    Sun 16 km road long run (10 m/km).  Two pairs of shoes in rotation, replaced every
    15 weeks (before they reach 480 km each).  One short run with ankle weights every
    Tuesday evening from week 3 on.
    """
    rng = random.Random(seed)
    plan = [
        (1, 8.0, "road", 3.0),
        (3, 10.0, "trail", 25.0),
        (5, 6.0, "treadmill", 0.0),
        (6, 16.0, "road", 10.0),
    ]
    rows: list[dict[str, Any]] = []
    for w in range(weeks):
        generation = w // 15
        for weekday, km, surface, m_per_km in plan:
            f = rng.uniform(1 - noise, 1 + noise)
            g = rng.uniform(1 - noise, 1 + noise)
            shoe = f"{'A' if weekday in (1, 6) else 'B'}{generation}"
            if surface == "treadmill":
                shoe = f"B{generation}"
            rows.append(
                {
                    "date": day(start, 7 * w + weekday),
                    "km": km * f,
                    "surface": surface,
                    "ascent": km * f * m_per_km * g,
                    "gear": shoe,
                }
            )
        if w >= 3:
            rows.append(
                {
                    "date": day(start, 7 * w + 1),
                    "km": 3.0 * rng.uniform(1 - noise, 1 + noise),
                    "name": "Easy jog with ankle weights",
                    "minute": 600,
                    "gear": f"A{generation}",
                }
            )
    return rows
