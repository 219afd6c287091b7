"""Elevation gain by estimated elevation source: default, naive and noise-aware methods.

For every elevation stream, :func:`runload.elevation.elevation_quality` estimates its source
(barometric or GPS), its noise and whether its climbing can be believed; the gain is then
computed three ways (the default 10 s median + 2 m hysteresis, the naive sum of positive
differences, and ``method="adaptive"``) and compared with the truth:

(a) FIT files whose session has ``total_ascent`` >= 20 m (the device's own total);
(b) GPX/TCX exports of those activities (matched by activity id, as in ``accuracy.py``),
    against the FIT session;
(c) GPS-altitude files on flat ground without a device total: the runpandas "session"
    GPX files (one runner's runs along the Recife waterfront, where the ground varies by a
    few metres), reported as metres climbed per km; and every other corpus stream judged
    ``gps``, for reference;
(d) synthetic streams made here with a fixed seed, where the truth is known: a flat
    12 km run with phone-like altitude (AR(1) noise, 1 m quantisation, occasional jumps,
    a -30 m offset), a hilly barometric-like run, and the hilly run with phone noise of
    growing size (which sets the noise above which climbing is not trusted).

The figures in the "Elevation source and noise" section of ``docs/accuracy.md`` come from
this script.

Usage::

    python benchmarks/ascent_by_source.py [--corpus PATH]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

import runload
from runload.elevation import ascent_descent, elevation_quality

#: The compared methods: label -> keyword arguments of ``ascent_descent``.
METHODS: dict[str, dict[str, object]] = {
    "default": {},
    "naive": {"method": "naive", "smooth_window_s": 0.0},
    "adaptive": {"method": "adaptive"},
}
SEED = 20261129
FLOAT = npt.NDArray[np.float64]


@dataclass
class Case:
    """One elevation stream, its estimated quality and the gain by each method."""

    group: str
    label: str
    source: str
    noise_m: float
    trusted: bool
    distance_km: float
    truth_m: float  # NaN when unknown
    gain_m: dict[str, float]


def _case(
    group: str,
    label: str,
    e: FLOAT,
    t: FLOAT,
    *,
    distance_km: float,
    truth_m: float = float("nan"),
    has_gps: bool | None = None,
) -> Case:
    q = elevation_quality(e, t, has_gps=has_gps)
    gains = {
        name: ascent_descent(e, t, **kw, **({"quality": q} if name == "adaptive" else {}))[0]  # type: ignore[arg-type]
        for name, kw in METHODS.items()
    }
    return Case(group, label, q.source, q.noise_m, q.trusted, distance_km, truth_m, gains)


# --- corpus ------------------------------------------------------------------------------


def _read(path: Path) -> runload.Activity | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return runload.read_activity(path)
        except runload.RunloadError:
            return None


def _streams(act: runload.Activity) -> tuple[FLOAT, FLOAT, bool]:
    e = act.samples["elevation_m"].to_numpy(dtype="float64")
    t = act.samples.index.asi8 / 1e9
    has_gps = bool(act.samples["latitude_deg"].notna().any())
    return e, t, has_gps


def corpus_cases(corpus: Path) -> list[Case]:
    """Groups (a), (b) and (c) from the shared corpus."""
    sessions = pd.read_csv(corpus / "fit_sessions.tsv", sep="\t")
    sessions = sessions[sessions["n_sessions"] == 1].drop_duplicates("local_path")
    by_path = sessions.set_index("local_path")
    cases: list[Case] = []
    seen: set[str] = set()
    for _, s in sessions.iterrows():
        if not s["total_ascent"] >= 20:
            continue
        act = _read(corpus / s["local_path"])
        if act is None:
            continue
        e, t, gps = _streams(act)
        seen.add(s["local_path"])
        cases.append(
            _case(
                "(a) FIT, device total",
                s["local_path"],
                e,
                t,
                distance_km=act.distance_m / 1000,
                truth_m=float(s["total_ascent"]),
                has_gps=gps,
            )
        )

    manifest = pd.read_csv(corpus / "MANIFEST.tsv", sep="\t", dtype=str, keep_default_na=False)
    by_id = {Path(p).stem.split("_")[0]: p for p in sessions["local_path"]}
    for path in manifest.loc[manifest["format"].isin(["gpx", "tcx", "fit"]), "local_path"]:
        if path in seen:
            continue
        act = _read(corpus / path)
        if act is None:
            continue
        e, t, gps = _streams(act)
        if np.count_nonzero(np.isfinite(e)) < 10:
            continue
        km = act.distance_m / 1000
        stem = Path(path).stem.replace("activity_", "").split("_")[0]
        fit_path = by_id.get(stem)
        if path.endswith((".gpx", ".tcx")) and fit_path is not None:
            truth = float(by_path.loc[fit_path, "total_ascent"])
            if truth >= 20:
                cases.append(
                    _case(
                        "(b) GPX/TCX of (a)", path, e, t, distance_km=km, truth_m=truth, has_gps=gps
                    )
                )
                continue
        if "corriporai__runpandas/examples/session/" in path:
            cases.append(_case("(c) flat Recife runs", path, e, t, distance_km=km, has_gps=gps))
            continue
        # FIT SDK example files (manufacturer "development") carry made-up altitude
        # (a 0-127 m sawtooth): kept apart from real recordings.
        made_up = (act.device or "").startswith("development")
        group = "(c) SDK examples, made-up altitude" if made_up else "(c) other GPS altitude"
        case = _case(group, path, e, t, distance_km=km, has_gps=gps)
        if case.source == "gps":
            cases.append(case)
    return cases


# --- synthetic ---------------------------------------------------------------------------


def phone_noise(
    rng: np.random.Generator,
    n: int,
    *,
    sd_m: float,
    phi: float = 0.9,
    jumps_per_hour: float = 6.0,
    offset_m: float = -30.0,
) -> FLOAT:
    """Phone-like altitude error at 1 Hz: AR(1) noise, level jumps, an offset. [m]"""
    innovation = rng.normal(0.0, sd_m * np.sqrt(1 - phi**2), n)
    x = np.empty(n)
    x[0] = rng.normal(0.0, sd_m)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + innovation[i]
    for _ in range(rng.poisson(jumps_per_hour * n / 3600)):
        start = int(rng.integers(0, n))
        x[start : start + int(rng.integers(20, 120))] += rng.choice([-1.0, 1.0]) * rng.uniform(
            5.0, 20.0
        )
    return x + offset_m


def hilly_profile(distance_m: FLOAT, *, rng: np.random.Generator) -> FLOAT:
    """Rolling hills: a sum of sines of 0.4 to 4 km wavelength around 120 m. [m]"""
    e = np.full(distance_m.size, 120.0)
    for wavelength_m, amplitude_m in ((4000, 25.0), (1500, 10.0), (700, 6.0), (400, 3.0)):
        phase = rng.uniform(0, 2 * np.pi)
        e += amplitude_m * np.sin(2 * np.pi * distance_m / wavelength_m + phase)
    return e


def true_gain(e: FLOAT) -> float:
    """Gain of a noise-free profile: the sum of its rises. [m]"""
    d = np.diff(e)
    return float(d[d > 0].sum())


def synthetic_cases(*, n_seeds: int = 5) -> list[Case]:
    """Group (d): flat phone runs, hilly barometric runs, hilly runs with phone noise."""
    rng = np.random.default_rng(SEED)
    n = 4000  # 12 km at 3 m/s, 1 Hz
    t = np.arange(n, dtype="float64")
    d = 3.0 * t
    cases = []
    for k in range(n_seeds):
        for sd in (5.0, 10.0, 15.0):
            e = np.round(5.0 + phone_noise(rng, n, sd_m=sd))
            cases.append(
                _case(
                    f"(d) flat, phone sd {sd:g} m",
                    f"flat phone sd {sd:g} m #{k}",
                    e,
                    t,
                    distance_km=12.0,
                )
            )
        truth = hilly_profile(d, rng=rng)
        drift = np.cumsum(rng.normal(0, 0.02, n))  # slow pressure drift
        wobble = phone_noise(rng, n, sd_m=0.15, phi=0.95, jumps_per_hour=0, offset_m=0)
        baro = np.round((truth + drift + wobble) * 5) / 5  # FIT's 0.2 m resolution
        cases.append(
            _case(
                "(d) hilly, barometric",
                f"hilly baro #{k}",
                baro,
                t,
                distance_km=12,
                truth_m=true_gain(truth),
            )
        )
        for sd in (1.0, 2.0, 3.0, 5.0, 10.0):
            e = np.round(truth + phone_noise(rng, n, sd_m=sd))
            cases.append(
                _case(
                    f"(d) hilly, phone sd {sd:g} m",
                    f"hilly phone sd {sd:g} m #{k}",
                    e,
                    t,
                    distance_km=12,
                    truth_m=true_gain(truth),
                )
            )
        # Slow wander: a correlation time of a minute (runload.testing's phone model).
        for sd in (5.0, 10.0):
            slow = dict(sd_m=sd, phi=float(np.exp(-1 / 60)))
            e = np.round(5.0 + phone_noise(rng, n, **slow))  # type: ignore[arg-type]
            cases.append(
                _case(f"(d) flat, slow phone sd {sd:g} m", f"flat slow #{k}", e, t, distance_km=12)
            )
            e = np.round(truth + phone_noise(rng, n, **slow))  # type: ignore[arg-type]
            cases.append(
                _case(
                    f"(d) hilly, slow phone sd {sd:g} m",
                    f"hilly slow #{k}",
                    e,
                    t,
                    distance_km=12,
                    truth_m=true_gain(truth),
                )
            )
    return cases


# --- report ------------------------------------------------------------------------------


def _errors(cases: Iterable[Case], method: str) -> FLOAT:
    return np.array([100 * (c.gain_m[method] - c.truth_m) / c.truth_m for c in cases])


def _row(name: str, cases: list[Case]) -> str:
    src = pd.Series([c.source for c in cases]).value_counts()
    sources = " ".join(f"{k[:4]} {v}" for k, v in src.items())
    trusted = sum(c.trusted for c in cases)
    noise = np.median([c.noise_m for c in cases])
    with_truth = [c for c in cases if np.isfinite(c.truth_m)]
    cells = []
    for method in METHODS:
        if with_truth:
            err = np.abs(_errors(with_truth, method))
            cells.append(f"{np.median(err):6.1f} % ({np.percentile(err, 90):5.0f})")
        else:
            per_km = [c.gain_m[method] / c.distance_km for c in cases if c.distance_km > 0]
            cells.append(f"{np.median(per_km):5.1f} m/km ({np.percentile(per_km, 90):4.0f})")
    return (
        f"| {name:36s} | {len(cases):3d} | {sources:18s} | {trusted:3d} | {noise:5.2f} | "
        + " | ".join(f"{c:17s}" for c in cells)
        + " |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = Path(__file__).resolve()
    default = os.environ.get("RUNLOAD_CORPUS", here.parents[2] / "shared" / "corpus")
    parser.add_argument("--corpus", type=Path, default=Path(default))
    parser.add_argument("-v", "--verbose", action="store_true", help="print every stream")
    args = parser.parse_args()

    cases = []
    if (args.corpus / "fit_sessions.tsv").is_file():
        cases += corpus_cases(args.corpus)
    else:
        print(f"corpus not found at {args.corpus}: synthetic streams only")
    cases += synthetic_cases()

    if args.verbose:
        for c in cases:
            gains = " ".join(f"{m} {g:7.1f}" for m, g in c.gain_m.items())
            print(
                f"{c.group:26s} {c.label[-48:]:48s} {c.source:10s} noise {c.noise_m:5.2f} "
                f"{'trusted' if c.trusted else 'UNTRUSTED':9s} {c.distance_km:6.1f} km "
                f"truth {c.truth_m:7.1f} {gains}"
            )
        print()

    groups: dict[str, list[Case]] = {}
    for c in cases:
        groups.setdefault(c.group, []).append(c)
    print(
        "Error is the median absolute error against the truth (p90 in brackets); "
        "without a truth, the median metres climbed per km (p90)."
    )
    print(
        f"| {'streams':36s} | {'n':>3s} | {'estimated source':18s} | {'tru':3s} | noise | "
        + " | ".join(f"{m:17s}" for m in METHODS)
        + " |"
    )
    first = {name: i for i, name in reversed(list(enumerate(c.group for c in cases)))}
    for name in sorted(groups, key=lambda g: (g[:3], first[g])):
        members = groups[name]
        print(_row(name, members))
        by_source: dict[str, list[Case]] = {}
        for c in members:
            by_source.setdefault(c.source, []).append(c)
        if len(by_source) > 1:
            for source, sub in by_source.items():
                print(_row(f"  {name}, {source}", sub))

    # Cost of the estimate on a long stream.
    e = np.round(hilly_profile(3.0 * np.arange(20000.0), rng=np.random.default_rng(0)) * 5) / 5
    t = np.arange(e.size, dtype="float64")
    for label, fn in (
        ("elevation_quality", lambda: elevation_quality(e, t)),
        ("ascent_descent default", lambda: ascent_descent(e, t)),
        ("ascent_descent adaptive", lambda: ascent_descent(e, t, method="adaptive")),
    ):
        start = time.perf_counter()
        for _ in range(20):
            fn()
        print(f"{label:24s} {1e3 * (time.perf_counter() - start) / 20:6.2f} ms (20,000 samples)")


if __name__ == "__main__":
    main()
