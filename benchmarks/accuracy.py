"""Accuracy of runload's numbers against the devices' own totals on the shared corpus.

Prints, for every FIT file with one session message: distance, elevation gain (for several
methods) and moving time against the session's ``total_distance``, ``total_ascent`` and
``total_timer_time``; and for GPX/TCX files that record the same activity as a corpus FIT file
(same recording, exported by Strava or Garmin Connect), the same comparisons against that FIT
file's session. The figures in ``docs/accuracy.md`` come from this script.

Usage::

    python benchmarks/accuracy.py [--corpus PATH]
"""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import runload
from runload.elevation import ascent_descent

METHODS = {
    "naive (raw samples)": {"method": "naive", "smooth_window_s": 0.0},
    "hysteresis 3 m (GoldenCheetah/Runalyze)": {"threshold_m": 3.0, "smooth_window_s": 0.0},
    "hysteresis 5 m (heartandsole)": {"threshold_m": 5.0, "smooth_window_s": 0.0},
    "median 10 s only": {"threshold_m": 0.0, "smooth_window_s": 10.0},
    "median 10 s + 1 m": {"threshold_m": 1.0, "smooth_window_s": 10.0},
    "median 10 s + 2 m (default)": {"threshold_m": 2.0, "smooth_window_s": 10.0},
    "median 10 s + 3 m": {"threshold_m": 3.0, "smooth_window_s": 10.0},
    "median 30 s + 1 m": {"threshold_m": 1.0, "smooth_window_s": 30.0},
}


def _read(path: Path) -> runload.Activity | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return runload.read_activity(path)
        except runload.RunloadError:
            return None


def _pct(values: list[float]) -> str:
    a = np.abs(np.asarray(values, dtype=float))
    if a.size == 0:
        return "n=0"
    return (
        f"n={a.size:3d}  median {np.median(a):6.2f} %  mean {a.mean():6.2f} %  "
        f"p90 {np.percentile(a, 90):6.2f} %  max {a.max():7.2f} %  "
        f"within 1 %: {np.mean(a <= 1):.0%}"
    )


def _ascent_table(rows: list[tuple[str, runload.Activity, float]]) -> None:
    for label, kwargs in METHODS.items():
        errs = []
        for _, act, truth in rows:
            e = act.samples["elevation_m"].to_numpy()
            t = act.samples.index.asi8 / 1e9
            gain = ascent_descent(e, t, **kwargs)[0]  # type: ignore[arg-type]
            errs.append(100 * (gain - truth) / truth)
        print(f"  {label:42s} {_pct(errs)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = Path(__file__).resolve()
    default = os.environ.get("RUNLOAD_CORPUS", here.parents[2] / "shared" / "corpus")
    parser.add_argument("--corpus", type=Path, default=Path(default))
    corpus = parser.parse_args().corpus
    sessions = pd.read_csv(corpus / "fit_sessions.tsv", sep="\t")
    sessions = sessions[sessions["n_sessions"] == 1].drop_duplicates("local_path")

    dist_run, dist_all, moving, ascent_rows = [], [], [], []
    for _, s in sessions.iterrows():
        act = _read(corpus / s["local_path"])
        if act is None:
            continue
        if s["total_distance"] > 0:
            err = 100 * (act.distance_m - s["total_distance"]) / s["total_distance"]
            dist_all.append(err)
            if s["sport"] == "running":
                dist_run.append(err)
        if s["total_timer_time"] > 60:
            moving.append(100 * (act.moving_time_s - s["total_timer_time"]) / s["total_timer_time"])
        if s["total_ascent"] >= 20:
            ascent_rows.append((s["local_path"], act, float(s["total_ascent"])))

    print("FIT files with one session message, against the session totals")
    print(f"  distance, running files     {_pct(dist_run)}")
    print(f"  distance, all sports        {_pct(dist_all)}")
    print(f"  moving vs timer time        {_pct(moving)}")
    print(f"  elevation gain (total_ascent >= 20 m, n={len(ascent_rows)}):")
    _ascent_table(ascent_rows)

    # GPX/TCX exports of activities whose FIT file (with its session) is in the corpus.
    by_id = {Path(p).stem.split("_")[0]: p for p in sessions["local_path"]}
    manifest = pd.read_csv(corpus / "MANIFEST.tsv", sep="\t", dtype=str, keep_default_na=False)
    pairs = []
    for path in manifest.loc[manifest["format"].isin(["gpx", "tcx"]), "local_path"]:
        stem = Path(path).stem.replace("activity_", "").split("_")[0]
        if stem in by_id:
            pairs.append((path, by_id[stem]))
    print(f"\nGPX/TCX exports of corpus FIT activities (n={len(pairs)}), against the FIT session")
    gpx_rows, gpx_dist = [], []
    for path, fit_path in pairs:
        act = _read(corpus / path)
        s = sessions.set_index("local_path").loc[fit_path]
        if act is None:
            continue
        err = 100 * (act.distance_m - s["total_distance"]) / s["total_distance"]
        gpx_dist.append(err)
        print(f"  {path:70s} distance {err:+6.2f} %")
        if s["total_ascent"] >= 20 and act.samples["elevation_m"].notna().any():
            gpx_rows.append((path, act, float(s["total_ascent"])))
    print(f"  distance                    {_pct(gpx_dist)}")
    print(f"  elevation gain (n={len(gpx_rows)}):")
    _ascent_table(gpx_rows)


if __name__ == "__main__":
    main()
