"""Elevation source, noise and trust (runload.elevation.elevation_quality) and the
noise-aware ``method="adaptive"`` gain, on synthetic streams whose truth is known and on
the corpus against the devices' own totals."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from corpus import CORPUS, needs_corpus, sessions

import runload
from runload.elevation import (
    ElevationGain,
    ElevationQuality,
    ascent_descent,
    elevation_noise_m,
    elevation_quality,
)

N = 4000  # a 12 km run at 3 m/s, one sample a second
T_S = np.arange(N, dtype="float64")
DISTANCE_M = 3.0 * T_S


def hills(distance_m: np.ndarray) -> np.ndarray:
    """A few long, smooth hills around 80 m: 3 km and 1.2 km waves. [m]"""
    return (
        80.0
        + 30.0 * np.sin(2 * np.pi * distance_m / 3000.0)
        + 8.0 * np.sin(2 * np.pi * distance_m / 1200.0 + 1.0)
    )


def rises(e: np.ndarray) -> float:
    """Climb of a noise-free profile: the sum of its rises. [m]"""
    d = np.diff(e)
    return float(d[d > 0].sum())


def ar1(rng: np.random.Generator, n: int, *, sd_m: float, phi: float) -> np.ndarray:
    """Stationary AR(1) noise of standard deviation ``sd_m``. [m]"""
    innovation = rng.normal(0.0, sd_m * math.sqrt(1 - phi**2), n)
    x = np.empty(n)
    x[0] = rng.normal(0.0, sd_m)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + innovation[i]
    return x


def phone_altitude(true_m: np.ndarray, *, sd_m: float, seed: int) -> np.ndarray:
    """Phone-like GPS altitude: AR(1) noise, level jumps, a -30 m offset, 1 m steps. [m]"""
    rng = np.random.default_rng(seed)
    e = true_m + ar1(rng, true_m.size, sd_m=sd_m, phi=0.9) - 30.0
    for start in rng.integers(0, true_m.size - 120, 6):
        e[start : start + rng.integers(20, 120)] += rng.choice([-1.0, 1.0]) * rng.uniform(5, 15)
    return np.round(e)


def barometric_altitude(true_m: np.ndarray, *, seed: int) -> np.ndarray:
    """Barometer-like altitude: slow drift, a small correlated wobble, 0.2 m steps. [m]"""
    rng = np.random.default_rng(seed)
    drift = np.cumsum(rng.normal(0.0, 0.01, true_m.size))
    wobble = ar1(rng, true_m.size, sd_m=0.15, phi=0.95)
    return np.round((true_m + drift + wobble) * 5) / 5


# --- barometric-like streams ------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_smooth_hilly_stream_is_barometric_trusted_and_its_climb_is_right(seed):
    truth = hills(DISTANCE_M)
    e = barometric_altitude(truth, seed=seed)
    q = elevation_quality(e, T_S, has_gps=True)
    assert isinstance(q, ElevationQuality)
    assert q.source == "barometric"
    assert q.trusted
    assert q.noise_m < 0.5  # 0.15 m wobble, 0.2 m steps
    climb, drop = rises(truth), rises(truth[::-1])
    slope = np.sign(np.diff(truth))
    n_climbs = int(np.count_nonzero((slope[1:] > 0) & (slope[:-1] <= 0))) + 1
    for method in ("hysteresis", "adaptive"):
        ascent, descent = ascent_descent(e, T_S, method=method)
        assert ascent == pytest.approx(climb, rel=0.06), method
        assert descent == pytest.approx(drop, rel=0.06), method
        # A 2 m hysteresis gives up less than 2 m at each top; drift and 0.2 m steps
        # add a little.
        assert climb - 2.0 * n_climbs - 3.0 <= ascent <= climb + 3.0, method


def test_adaptive_equals_the_default_on_a_quiet_stream():
    e = barometric_altitude(hills(DISTANCE_M), seed=4)
    assert elevation_noise_m(e, T_S) < 2.0 / 3.0  # band stays at threshold_m
    assert ascent_descent(e, T_S, method="adaptive") == ascent_descent(e, T_S)


def test_noise_of_white_noise_is_its_standard_deviation():
    rng = np.random.default_rng(5)
    e = 100.0 + rng.normal(0.0, 4.0, N)
    assert elevation_noise_m(e, T_S) == pytest.approx(4.0, rel=0.1)
    # 1 m rounding does not pin the estimate to a multiple of the step
    assert elevation_noise_m(np.round(e), T_S) == pytest.approx(4.0, rel=0.1)


def test_noise_ignores_real_climbs():
    # A steady climb of 0.3 m/s and a straight descent: no noise at all.
    e = np.concatenate([np.arange(2000) * 0.3, 600.0 - np.arange(2000) * 0.3])
    assert elevation_noise_m(e, T_S) == 0.0


# --- phone / GPS altitude ---------------------------------------------------------------


@pytest.mark.parametrize("sd_m", [5.0, 10.0, 15.0])
def test_flat_route_with_phone_noise_is_gps_and_adaptive_climbs_almost_nothing(sd_m):
    e = phone_altitude(np.full(N, 5.0), sd_m=sd_m, seed=int(sd_m))
    q = elevation_quality(e, T_S, has_gps=True)
    assert q.source == "gps"
    # The estimate keeps the part of the noise that varies within a minute: with a
    # 10 s correlation time, most of it.
    assert sd_m / 3 <= q.noise_m <= 3 * sd_m
    assert not q.trusted  # noise of several metres hides real climbing
    km = DISTANCE_M[-1] / 1000
    default_m, _ = ascent_descent(e, T_S)
    adaptive_m, _ = ascent_descent(e, T_S, method="adaptive", quality=q)
    assert default_m / km > 40  # the problem: noise counted as climbing
    assert adaptive_m / km < 6  # flat ground: a few metres per km at most
    # measuring the quality inside ascent_descent gives the same answer
    assert ascent_descent(e, T_S, method="adaptive")[0] == adaptive_m
    assert ascent_descent(e, T_S, method="adaptive", noise_m=q.noise_m)[0] == adaptive_m


def test_small_fast_phone_noise_is_gps_and_untrusted_for_its_jitter():
    e = phone_altitude(np.full(N, 5.0), sd_m=2.0, seed=8)
    q = elevation_quality(e, T_S)
    assert q.source == "gps"
    assert not q.trusted
    assert "jitter" in q.reason
    assert ascent_descent(e, T_S, method="adaptive")[0] / 12 < 6


def test_adaptive_is_closer_than_the_default_on_hilly_phone_altitude():
    truth = hills(DISTANCE_M)
    e = phone_altitude(truth, sd_m=3.0, seed=9)
    climb = rises(truth)
    default_err = abs(ascent_descent(e, T_S)[0] - climb)
    adaptive_err = abs(ascent_descent(e, T_S, method="adaptive")[0] - climb)
    assert adaptive_err < default_err / 2
    assert adaptive_err < 0.35 * climb


def test_slowly_wandering_phone_altitude_is_untrusted():
    # GPS altitude error with a correlation time of a minute: the 60 s residual sees
    # only part of it, but its per-second jitter gives it away, and the wander left
    # over would read as hills.
    rng = np.random.default_rng(15)
    wander = ar1(rng, N, sd_m=5.0, phi=math.exp(-1 / 60))
    e = np.round(5.0 + wander - 30.0)
    q = elevation_quality(e, T_S)
    assert q.source == "gps"
    assert not q.trusted
    assert "jitter" in q.reason


def test_steppy_stream_with_small_noise_is_gps():
    # Plateaus of 5-30 s then jumps of 2-4 m, as phone altitude often looks: the
    # noise scale alone stays small, the jumps give it away.
    rng = np.random.default_rng(10)
    levels, e = 50.0, []
    while len(e) < N:
        e += [levels] * int(rng.integers(5, 30))
        levels = 50.0 + rng.choice([-1.0, 1.0]) * rng.uniform(2.0, 4.0)
    e = np.array(e[:N])
    q = elevation_quality(e, T_S)
    assert q.source == "gps"
    assert "steppy" in q.reason
    # ... and the adaptive sum smooths it over a minute, not 10 s
    assert ascent_descent(e, T_S, method="adaptive", quality=q) == ascent_descent(
        e, T_S, threshold_m=max(2.0, 3 * q.noise_m), smooth_window_s=60.0
    )


def test_no_gps_means_no_gps_altitude():
    e = phone_altitude(np.full(N, 5.0), sd_m=10.0, seed=11)
    assert elevation_quality(e, T_S, has_gps=False).source == "barometric"


# --- untrusted streams ------------------------------------------------------------------


def test_stream_far_below_sea_level_is_untrusted():
    e = barometric_altitude(hills(DISTANCE_M), seed=12) - 300.0  # lowest near -262 m
    q = elevation_quality(e, T_S)
    assert q.source == "barometric"
    assert not q.trusted
    assert "sea level" in q.reason
    assert elevation_quality(e, T_S, min_elevation_m=-500.0).trusted


def test_implausible_vertical_speeds_are_untrusted():
    e = barometric_altitude(hills(DISTANCE_M), seed=13)
    for start in range(0, N - 60, 300):  # 150 m glitches of 40 s, every 5 minutes
        e[start : start + 40] += 150.0
    q = elevation_quality(e, T_S)
    assert not q.trusted
    assert "m/s" in q.reason


@pytest.mark.parametrize(
    ("elevation_m", "gain_is_nan"),
    [([], True), ([np.nan] * 50, True), ([120.0], False), ([np.nan, 3.0, np.nan], False),
     (np.full(5, 10.0), False)],
    ids=["empty", "all-nan", "one", "one-finite", "too-few"],
)  # fmt: skip
def test_degenerate_streams_do_not_raise(elevation_m, gain_is_nan):
    e = np.asarray(elevation_m, dtype="float64")
    t = np.arange(e.size, dtype="float64")
    q = elevation_quality(e, t)
    assert q.source == "none"
    assert not q.trusted
    assert math.isnan(q.noise_m)
    assert math.isnan(elevation_noise_m(e, t))
    ascent, descent = ascent_descent(e, t, method="adaptive")
    # No finite value: no gain at all (NaN); some finite values but no climb: zero.
    if gain_is_nan:
        assert math.isnan(ascent) and math.isnan(descent)
    else:
        assert (ascent, descent) == (0.0, 0.0)
    assert elevation_quality(e).source == "none"  # no times


def test_constant_stream_is_no_altimeter():
    q = elevation_quality(np.full(600, 166.0), np.arange(600.0))
    assert (q.source, q.noise_m, q.trusted) == ("none", 0.0, False)


def test_unordered_times_are_sorted_not_rejected():
    e = barometric_altitude(hills(DISTANCE_M), seed=14)
    order = np.random.default_rng(14).permutation(N)
    q = elevation_quality(e[order], T_S[order])
    assert q == elevation_quality(e, T_S)


def test_noise_factor_is_validated():
    with pytest.raises(ValueError):
        ElevationGain(noise_factor=-1.0)
    assert ElevationGain(method="adaptive").method == "adaptive"


def test_public_names():
    assert runload.elevation.elevation_quality is elevation_quality
    assert "elevation_quality" in runload.elevation.__all__


# --- corpus -----------------------------------------------------------------------------


# --- read from a file: which band the importer sums with -------------------------------


def _gpx_track(elevation_m: np.ndarray):
    """A straight 12 km run northwards at 3 m/s, one point a second, with ``elevation_m``."""
    import pandas as pd

    from runload.testing.track import Track

    times = pd.date_range("2024-05-04T07:00:00Z", periods=N, freq="1s", name="time")
    lat = 39.7 + DISTANCE_M / (math.pi / 180.0 * 6_371_008.8)  # metres north to degrees
    samples = pd.DataFrame(
        {"latitude_deg": lat, "longitude_deg": -105.0, "elevation_m": elevation_m},
        index=times,
    )
    return Track(samples=samples, sport="running")


def test_gps_altitude_in_a_file_is_summed_with_the_noise_band(tmp_path):
    # Flat ground (true climb 0 m) recorded with phone altitude (10 m of noise): the
    # importer finds GPS altitude and sums it with the noise-scaled band, not the
    # configured 1 m hysteresis that counts the noise as climbing.
    from runload.testing.gpx import gpx_bytes

    e = phone_altitude(np.full(N, 5.0), sd_m=10.0, seed=10)
    path = tmp_path / "phone.gpx"
    path.write_bytes(gpx_bytes(_gpx_track(e)))
    act = runload.read_activity(path)
    assert (act.elevation_source, act.ascent_trusted) == ("gps", False)
    read = act.samples["elevation_m"].to_numpy(dtype="float64")
    np.testing.assert_array_equal(read, e)  # whole metres survive the file unchanged
    km = DISTANCE_M[-1] / 1000
    default_m, _ = ascent_descent(e, T_S)
    adaptive_m, adaptive_down = ascent_descent(e, T_S, method="adaptive")
    assert default_m / km > 40 and adaptive_m / km < 6  # the band is what matters here
    assert (act.ascent_m, act.descent_m) == (adaptive_m, adaptive_down)


def test_barometric_altitude_in_a_file_keeps_the_configured_band(tmp_path):
    # Smooth hills with 0.2 m steps (a barometric altimeter): the configured hysteresis.
    from runload.testing.gpx import gpx_bytes

    e = np.round(hills(DISTANCE_M) * 5.0) / 5.0
    path = tmp_path / "watch.gpx"
    path.write_bytes(gpx_bytes(_gpx_track(e)))
    act = runload.read_activity(path)
    assert (act.elevation_source, act.ascent_trusted) == ("barometric", True)
    assert (act.ascent_m, act.descent_m) == ascent_descent(e, T_S)


def _read_quiet(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return runload.read_activity(CORPUS / path)


@needs_corpus
def test_fit_files_with_a_device_ascent_are_barometric_and_adaptive_keeps_their_accuracy():
    s = sessions()
    s = s[(s["n_sessions"] == 1) & (s["total_ascent"] >= 20)].drop_duplicates("local_path")
    errors = []
    for _, row in s.iterrows():
        act = _read_quiet(row["local_path"])
        e = act.samples["elevation_m"].to_numpy(dtype="float64")
        t = act.samples.index.asi8 / 1e9
        if np.nanmax(e) == np.nanmin(e):
            # big_activity.fit, a synthetic file: constant altitude, no altimeter data
            assert elevation_quality(e, t).source == "none"
            continue
        q = elevation_quality(e, t, has_gps=bool(act.samples["latitude_deg"].notna().any()))
        assert (q.source, q.trusted) == ("barometric", True), (row["local_path"], q)
        adaptive_m = ascent_descent(e, t, method="adaptive", quality=q)[0]
        assert adaptive_m == pytest.approx(ascent_descent(e, t)[0], rel=0.01)
        errors.append(abs(adaptive_m - row["total_ascent"]) / row["total_ascent"])
    assert len(errors) >= 10
    # docs/accuracy.md: median 12.1 %, p90 29 % on these files (15 streams)
    assert np.median(errors) < 0.15
    assert np.percentile(errors, 90) < 0.35


@needs_corpus
@pytest.mark.parametrize(
    "path",
    [
        # phone apps: the Strava Android app's FIT file and a MapMyRide TCX
        "dtcooper__python-fitparse/tests/files/strava-android-app-201.10-b1218918.fit",
        "alenrajsp__tcxreader/tcxreader/tests/data/mapmyride_biking.tcx",
    ],
)
def test_phone_app_recordings_are_gps(path):
    if not (CORPUS / path).is_file():
        pytest.skip(f"{path} not in this corpus")
    act = _read_quiet(path)
    e = act.samples["elevation_m"].to_numpy(dtype="float64")
    q = elevation_quality(e, act.samples.index.asi8 / 1e9)
    assert q.source == "gps", q
