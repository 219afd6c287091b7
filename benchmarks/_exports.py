"""The large generated Strava export of ``bench_export.py`` and ``bench_finalize.py``.

:func:`write_benchmark_export` writes an extracted Strava export of thousands of runs,
one file at a time (memory stays flat), with runload's public test writers
(:mod:`runload.testing`).  It lives here, not in the package: only the benchmarks
need an export this size.  Import it from a script in this folder (the script's
folder is on ``sys.path``)::

    from _exports import write_benchmark_export
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from runload.testing.exports import (
    CURRENT_HEADER,
    ExportActivity,
    encode_activity,
    strava_date,
    track_totals,
)
from runload.testing.history import synthetic_track

__all__ = ["BENCHMARK_MIX", "write_benchmark_export"]

#: Share of each file kind in :func:`write_benchmark_export`.
BENCHMARK_MIX: Mapping[str, float] = {"fit.gz": 1 / 3, "gpx.gz": 1 / 3, "tcx": 1 / 3}


def _benchmark_file(args: tuple[int, int, str]) -> tuple[int, str, str, str, dict[str, float]]:
    """Write one run of the benchmark export (a worker's job)."""
    i, seed, folder = args
    rng = np.random.default_rng([seed, i])
    minutes = float(rng.uniform(30.0, 90.0))
    pace = float(rng.uniform(270.0, 390.0))
    start = pd.Timestamp("2016-01-04T06:00:00Z") + pd.Timedelta(days=int(i * 2920 / 3000))
    start += pd.Timedelta(minutes=float(rng.integers(0, 14 * 60)))
    surface = "trail" if rng.random() < 0.15 else "road"
    track = synthetic_track(
        start,
        distance_m=1000.0 * minutes * 60.0 / pace,
        pace_s_per_km=pace,
        surface=surface,  # type: ignore[arg-type]
        seed=int(seed * 100_000 + i),
        utc_offset_s=-7 * 3600,
    )
    u = (i * 0.6180339887) % 1.0
    edges = np.cumsum(list(BENCHMARK_MIX.values()))
    kind = list(BENCHMARK_MIX)[int(np.searchsorted(edges, u, side="right"))]
    fmt, _, gz = kind.partition(".")
    act = ExportActivity(track, fmt, bool(gz), "Trail Run" if surface == "trail" else "Run")  # type: ignore[arg-type]
    data = encode_activity(act) or b""
    name = f"activities/{10_000_000 + i}.{kind}"
    (Path(folder) / name).write_bytes(data)
    return i, name, act.activity_type, strava_date(track.samples.index[0]), track_totals(track)


def write_benchmark_export(
    folder: str | Path, *, runs: int = 3000, seed: int = 7, jobs: int | None = None
) -> Path:
    """Write an extracted Strava export of ``runs`` runs for the benchmark.

    Runs of 30-90 minutes at 1 Hz (4:30-6:30 min/km, 15 % on trails), one every
    day or so over eight years, as ``.fit.gz``, ``.gpx.gz`` and ``.tcx`` in the
    shares of :data:`BENCHMARK_MIX`, with a current-style ``activities.csv``.
    Files are written as they are made, so memory stays flat; ``jobs``
    processes share the work.
    """
    folder = Path(folder)
    (folder / "activities").mkdir(parents=True, exist_ok=True)
    args = [(i, seed, str(folder)) for i in range(runs)]
    results: Iterable[tuple[int, str, str, str, dict[str, float]]]
    if jobs == 1:
        results = map(_benchmark_file, args)
    else:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=jobs)
        results = pool.map(_benchmark_file, args, chunksize=8)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CURRENT_HEADER)
    try:
        for i, name, kind, date, tot in sorted(results, key=lambda r: r[0]):
            row = [""] * len(CURRENT_HEADER)
            row[0] = str(10_000_000 + i)
            row[1] = date
            row[2] = f"Run {i}"
            row[3] = kind
            row[5] = f"{tot['elapsed_time_s']:.0f}"
            row[6] = f"{tot['distance_m'] / 1000:.2f}"
            row[11] = ("Shoe A", "Shoe B", "Shoe C")[(i // 400) % 3]
            row[12] = name
            row[15] = f"{tot['elapsed_time_s']:.1f}"
            row[16] = f"{tot['moving_time_s']:.1f}"
            row[17] = f"{tot['distance_m']:.1f}"
            writer.writerow(row)
    finally:
        if jobs != 1:
            pool.shutdown()
    (folder / "activities.csv").write_text(out.getvalue())
    return folder
