"""The shortcuts of the import speed work give exactly what the general code gives.

``finalize`` builds the samples from arrays when they are already sorted, unique and
float (else through :func:`~runload.activity.clean_samples`), and the elevation smoothing
takes its centred time-window median with numpy instead of pandas' rolling window.  Each
is checked here against the general path it stands in for, value for value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runload.activity import RawActivity, clean_samples, drop_time_outliers, finalize
from runload.elevation import _centred_median, _window_ns, ascent_descent
from runload.geo import path_distance_m
from runload.schema import SAMPLE_COLUMNS

# --------------------------------------------------------------------------- rolling median


def _pandas_median(e: np.ndarray, ns: np.ndarray, window) -> np.ndarray:
    series = pd.Series(e, index=pd.DatetimeIndex(ns.view("M8[ns]")))
    return series.rolling(window, center=True, min_periods=1).median().to_numpy()


def _random_times(rng: np.random.Generator, n: int, kind: int) -> np.ndarray:
    """Increasing times [ns]: 1 Hz, irregular, steps on and around the half window, bursts."""
    steps = [
        np.full(n - 1, 10**9),
        rng.integers(1, 4 * 10**9, n - 1),
        rng.choice([5 * 10**9 - 1, 5 * 10**9, 5 * 10**9 + 1, 10**9, 2_500_000_000], n - 1),
        rng.integers(0, 3, n - 1) * 10**9,  # repeated times
        rng.choice([100_000_000, 500_000_000, 30 * 10**9], n - 1),
    ][kind]
    start = 1_600_000_000_000_000_000 + int(rng.integers(0, 10**12))
    return start + np.concatenate([[0], np.cumsum(steps)]).astype("int64")


@pytest.mark.parametrize("kind", range(5))
def test_centred_median_equals_pandas_rolling(kind):
    rng = np.random.default_rng(kind)
    for _ in range(60):
        n = int(rng.integers(3, 250))
        ns = _random_times(rng, n, kind)
        e = [rng.normal(300, 5, n), np.round(rng.normal(300, 2, n)), rng.integers(0, 3, n) / 2][
            int(rng.integers(0, 3))
        ]
        got = _centred_median(e, ns, _window_ns(10.0))
        assert got is not None
        np.testing.assert_array_equal(got, _pandas_median(e, ns, "10.0s"))


@pytest.mark.parametrize("window_ns", [1_000_000_001, 2_999_999_999, 7_000_000_001, 3_300_000_000])
def test_centred_median_odd_and_uneven_windows(window_ns):
    # pandas closes both ends of a centred window of an odd number of nanoseconds.
    rng = np.random.default_rng(window_ns % 1000)
    for _ in range(40):
        n = int(rng.integers(3, 200))
        half = window_ns // 2
        steps = rng.choice([half, half + 1, half - 1, window_ns, 10**9, 1], n - 1)
        ns = 1_600_000_000_000_000_000 + np.concatenate([[0], np.cumsum(steps)]).astype("int64")
        e = np.round(rng.normal(0, 3, n))
        got = _centred_median(e, ns, window_ns)
        assert got is not None
        np.testing.assert_array_equal(got, _pandas_median(e, ns, pd.Timedelta(window_ns, "ns")))


def test_centred_median_by_hand():
    # Samples 0, 1, 2, 3, 10 s; window 4 s holds the samples within (t - 2 s, t + 2 s].
    ns = np.array([0, 1, 2, 3, 10], dtype="int64") * 10**9
    e = np.array([5.0, 1.0, 4.0, 2.0, 9.0])
    # t=0: (-2, 2] holds 5, 1, 4 -> 4; t=1: (-1, 3] holds 5, 1, 4, 2 -> (2 + 4) / 2 = 3;
    # t=2: (0, 4] holds 1, 4, 2 -> 2; t=3: (1, 5] holds 4, 2 -> 3; t=10: 9 alone.
    np.testing.assert_array_equal(_centred_median(e, ns, 4 * 10**9), [4.0, 3.0, 2.0, 3.0, 9.0])


def test_long_series_dense_windows_and_odd_window_strings_go_to_pandas():
    ns = np.arange(500, dtype="int64") * 10_000_000  # 100 Hz: 1000 samples in 10 s
    e = np.sin(np.arange(500) / 7.0)
    assert _centred_median(e, ns, _window_ns(10.0)) is None
    long_ns = np.arange(5000, dtype="int64") * 10**9
    assert _centred_median(np.zeros(5000), long_ns, _window_ns(10.0)) is None
    assert _window_ns(3e-9) is None  # pandas refuses "3e-09s" as a window: so does ascent_descent
    with pytest.raises(ValueError):
        ascent_descent(e, ns / 1e9, smooth_window_s=3e-9)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("hz", [1.0, 0.3, 4.0, 50.0])
def test_ascent_descent_is_the_hysteresis_of_the_pandas_smoothed_series(seed, hz):
    rng = np.random.default_rng(seed)
    n = 600
    t_s = 1.7e9 + np.cumsum(rng.uniform(0.5, 1.5, n) / hz)
    e = 200 + np.cumsum(rng.normal(0, 0.8, n))
    e[rng.random(n) < 0.1] = np.nan  # missing samples are left out before smoothing
    keep = np.isfinite(e)
    ns = (t_s[keep] * 1e9).astype("int64")
    smoothed = _pandas_median(e[keep], ns, "10.0s")
    expected = ascent_descent(smoothed, smooth_window_s=0, threshold_m=2.0)
    assert ascent_descent(e, t_s, smooth_window_s=10.0, threshold_m=2.0) == expected


# --------------------------------------------------------------------------- finalize

T = pd.date_range("2024-05-01T06:00:00Z", periods=120, freq="s", name="time")


def _base() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = len(T)
    return pd.DataFrame(
        {
            "latitude_deg": 46 + np.cumsum(rng.normal(0, 2e-5, n)),
            "longitude_deg": 14.5 + np.cumsum(rng.normal(0, 2e-5, n)),
            "elevation_m": 300 + np.cumsum(rng.normal(0, 0.7, n)),
            "heart_rate_bpm": rng.integers(100, 180, n).astype(float),
        },
        index=T,
    )


def _frames() -> dict[str, pd.DataFrame]:
    base = _base()
    full = base.reindex(columns=list(SAMPLE_COLUMNS))
    glitch = base.iloc[[-1]].set_axis(pd.DatetimeIndex([pd.Timestamp("2031-01-01", tz="UTC")]))
    return {
        "subset": base,
        "all columns": full,
        "all columns, str index": full.set_axis(pd.Index(SAMPLE_COLUMNS, dtype="str"), axis=1),
        "device distance": full.assign(distance_m=np.arange(len(T)) * 2.5),
        "other order": base[["heart_rate_bpm", "elevation_m", "longitude_deg", "latitude_deg"]],
        "naive times": base.set_axis(T.tz_localize(None)),
        "microseconds": base.set_axis(T.as_unit("us")),
        "other zone": base.set_axis(T.tz_convert("Europe/Paris")),
        "unsorted": base.iloc[np.random.default_rng(1).permutation(len(T))],
        "repeated times": pd.concat([base.iloc[:50], base.iloc[40:60][["heart_rate_bpm"]]]),
        "integers": base.assign(heart_rate_bpm=base["heart_rate_bpm"].astype(int)),
        "extra column": base.assign(note=1.0),
        "clock glitch": pd.concat([base, glitch]),
        "no position": base.drop(columns=["latitude_deg", "longitude_deg"]),
        "one sample": base.iloc[:1],
        "empty": base.iloc[:0],
    }


@pytest.mark.parametrize("case", sorted(_frames()))
def test_finalize_samples_are_the_cleaned_samples(case):
    frame = _frames()[case]
    before = frame.copy()
    raw = RawActivity(format="fit", samples=frame, sport="running", start_time=T[0])
    with pytest.warns() if case == "clock glitch" else _no_warning():
        samples = finalize(raw, activity_id="x", source_path=case).samples
    pd.testing.assert_frame_equal(frame, before)  # the input is not changed
    expected, _ = drop_time_outliers(clean_samples(frame))
    if not np.isfinite(expected["distance_m"]).any() and len(expected):
        # No device distance: finalize adds the GPS path's.
        lat, lon = expected["latitude_deg"].to_numpy(), expected["longitude_deg"].to_numpy()
        if np.isfinite(lat).any():
            t_s = expected.index.asi8 / 1e9
            expected = expected.assign(distance_m=path_distance_m(lat, lon, t_s)[0])
    pd.testing.assert_frame_equal(samples, expected, check_exact=True, check_freq=True)
    assert samples.columns.dtype == expected.columns.dtype
    assert samples.index.name == "time" and str(samples.index.tz) == "UTC"
    assert samples.index.unit == "ns"


class _no_warning:
    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._catch.__exit__(*exc)


@pytest.mark.parametrize("case", ["subset", "other order", "no position"])
def test_finalize_general_path_gives_the_same_samples(case, monkeypatch):
    import runload.activity as activity

    frame = _frames()[case]
    raw = RawActivity(format="gpx", samples=frame, sport="running")
    fast = finalize(raw, activity_id="x", source_path=case)
    monkeypatch.setattr(activity, "_FAST_MAX_SAMPLES", 0)  # too long for the array path
    general = finalize(raw, activity_id="x", source_path=case)
    pd.testing.assert_frame_equal(fast.samples, general.samples, check_exact=True)
    assert fast.summary().equals(general.summary())
