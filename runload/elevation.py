"""Elevation gain and loss from noisy altimeter or GPS elevation samples.

A naive sum of positive differences counts every wobble of the sensor as
climbing and overstates gain several-fold on GPS elevation.  runload applies
a *hysteresis*: the reference level moves only once elevation has left it by
more than ``threshold_m`` (GoldenCheetah and Runalyze use 3 m; heartandsole a
5 m threshold).  runload first takes a 10 s centred rolling median (which
removes single-sample spikes without flattening real climbs) and then applies
a 2 m hysteresis.  The default was chosen by measurement on the corpus of real
device files against the devices' own ``total_ascent`` (see ``docs/accuracy.md``).

That default suits barometric altimeters.  Phone and GPS altitude is another
signal: noisy (metres to tens of metres), steppy, and often below sea level
where the ground is not; on it the default turns noise into hundreds of metres
of "climbing" on a flat run.  :func:`elevation_quality` says where a stream
most likely comes from, how noisy it is and whether climbing computed from it
can be believed; ``method="adaptive"`` widens the hysteresis band with the
measured noise and smooths noisy streams over a longer window.  The thresholds
are module constants, measured on the corpus and on synthetic streams with
``benchmarks/ascent_by_source.py`` ("Elevation source and noise" in
``docs/accuracy.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

__all__ = [
    "ElevationGain",
    "ElevationQuality",
    "ascent_descent",
    "elevation_noise_m",
    "elevation_quality",
]

Method = Literal["hysteresis", "naive", "adaptive"]
Source = Literal["barometric", "gps", "service", "none"]


@dataclass(frozen=True)
class ElevationGain:
    """How elevation gain and loss are computed.

    Parameters
    ----------
    method : {"hysteresis", "naive", "adaptive"}
        ``"hysteresis"`` moves the reference level only when elevation leaves
        it by more than ``threshold_m``; ``"naive"`` sums every positive
        (negative) difference and is offered for comparison only;
        ``"adaptive"`` reads the stream's quality (:func:`elevation_quality`)
        and uses a band of ``max(threshold_m, noise_factor * noise_m)``, with
        a rolling median of :data:`NOISY_SMOOTH_WINDOW_S` instead of
        ``smooth_window_s`` when the stream is judged ``"gps"`` (noisy,
        steppy or jittery).  On streams not judged ``"gps"`` whose noise is
        below ``threshold_m / noise_factor`` (0.67 m by default: all but two of
        the corpus's barometric FIT files, whose gain moves by less than
        0.1 %) it gives the same numbers as ``"hysteresis"``.
    threshold_m : float
        Hysteresis band (the smallest band, for ``"adaptive"``). [m]
    smooth_window_s : float
        Width of a centred rolling median applied to the elevation before the
        hysteresis, 0 for none. [s]
    noise_factor : float
        ``"adaptive"`` only: the band in units of the measured noise. [1]
    """

    method: Method = "hysteresis"
    threshold_m: float = 2.0
    smooth_window_s: float = 10.0
    noise_factor: float = 3.0

    def __post_init__(self) -> None:
        if self.method not in ("hysteresis", "naive", "adaptive"):
            raise ValueError(f"unknown elevation method {self.method!r}")
        if not self.threshold_m >= 0:
            raise ValueError("threshold_m must be >= 0")
        if not self.smooth_window_s >= 0:
            raise ValueError("smooth_window_s must be >= 0")
        if not self.noise_factor >= 0:
            raise ValueError("noise_factor must be >= 0")


DEFAULT_ELEVATION_GAIN = ElevationGain()


def ascent_descent(
    elevation_m: npt.ArrayLike,
    time_s: npt.ArrayLike | None = None,
    *,
    method: Method = DEFAULT_ELEVATION_GAIN.method,
    threshold_m: float = DEFAULT_ELEVATION_GAIN.threshold_m,
    smooth_window_s: float = DEFAULT_ELEVATION_GAIN.smooth_window_s,
    noise_factor: float = DEFAULT_ELEVATION_GAIN.noise_factor,
    quality: ElevationQuality | None = None,
    noise_m: float | None = None,
) -> tuple[float, float]:
    """Total elevation gain and loss of a series.

    Parameters
    ----------
    elevation_m : array_like
        Elevation samples in time order; NaN samples are ignored. [m]
    time_s : array_like, optional
        Sample times, needed for any smoothing (``smooth_window_s > 0``, or
        ``"adaptive"``); without them the series is not smoothed and the
        adaptive noise is measured as if the samples were 1 s apart. [s]
    method, threshold_m, smooth_window_s, noise_factor
        See :class:`ElevationGain`.
    quality : ElevationQuality, optional
        ``"adaptive"`` only: :func:`elevation_quality` of this stream when
        already known (it then costs nothing more); measured here when None.
    noise_m : float, optional
        ``"adaptive"`` only: overrides the noise of ``quality`` (or of the
        quality measured here). [m]

    Returns
    -------
    ascent_m, descent_m : float
        Gain and loss, both positive; NaN when there are no elevation samples. [m]
    """
    cfg = ElevationGain(method, threshold_m, smooth_window_s, noise_factor)
    e = np.asarray(elevation_m, dtype="float64")
    finite = np.isfinite(e)
    if not finite.any():
        return float("nan"), float("nan")
    e = e[finite]
    t = None if time_s is None else np.asarray(time_s, dtype="float64")[finite]
    band = cfg.threshold_m
    window_s = cfg.smooth_window_s
    if cfg.method == "adaptive":
        if quality is None:
            quality = elevation_quality(e, t)
        noise = quality.noise_m if noise_m is None else noise_m
        if np.isfinite(noise):  # too few samples to measure: plain hysteresis
            if quality.source == "gps":
                window_s = max(window_s, NOISY_SMOOTH_WINDOW_S)
            band = max(band, cfg.noise_factor * noise)
    if window_s > 0 and t is not None and e.size > 2:
        e = _rolling_median(e, t, window_s)
    if cfg.method == "naive" or band == 0:
        d = np.diff(e)
        return float(d[d > 0].sum()), float(-d[d < 0].sum())
    return _hysteresis(e, band)


def _rolling_median(
    e: npt.NDArray[np.float64], t: npt.NDArray[np.float64], window_s: float
) -> npt.NDArray[np.float64]:
    """Centred rolling median over ``window_s`` seconds (numpy when small, else pandas)."""
    ns = (t * 1e9).astype("int64")
    smoothed = _centred_median(e, ns, _window_ns(window_s))
    if smoothed is None:
        import pandas as pd

        s = pd.Series(e, index=pd.DatetimeIndex(ns.view("M8[ns]")))
        smoothed = (
            s.rolling(f"{window_s}s", center=True, min_periods=1).median().to_numpy(dtype="float64")
        )
    return smoothed


# --- Where an elevation stream comes from and whether its climbing can be believed ---
#
# Measured with benchmarks/ascent_by_source.py on the corpus (FIT files of barometric
# Garmin/Wahoo/Coros units, their GPX/TCX exports, handheld-GPS and phone tracks) and on
# synthetic phone-like streams; see "Elevation source and noise" in docs/accuracy.md.

#: Width of the centred rolling median whose residual measures the noise.  A median
#: reproduces any monotone stretch exactly, so real climbs and descents leave no
#: residual; what is left is the wobble around turning points and the noise. [s]
NOISE_WINDOW_S = 60.0
#: Highest noise of an altimeter-like stream: the corpus's barometric FIT files and
#: their exports measure 0 to 0.70 m, its GPS-altitude tracks 1.7 to 2.8 m (the Strava
#: Android file 0.9 m, told apart by its jumps); synthetic phone noise of 2 m standard
#: deviation measures 1.4 m. [m]
BAROMETRIC_MAX_NOISE_M = 1.0
#: A step of at least :data:`JUMP_M` between samples at most :data:`JUMP_MAX_INTERVAL_S`
#: apart is a jump; barometric units at 1 s show them in at most 0.5 % of steps, phone
#: altitude (plateaus then jumps) in 4 % (the Strava Android FIT file) and more. [m], [s]
JUMP_M = 2.0
JUMP_MAX_INTERVAL_S = 2.0
#: Largest share of jumps in an altimeter-like stream. [1]
BAROMETRIC_MAX_JUMP_RATIO = 0.02
#: The jump cue is read only when at least this share of the steps are that close:
#: "smart recording" units write a sample when something changes, so their few
#: 1 s steps are the fast ones (a barometric Forerunner 920XT: 3 % jumps in 12 %
#: of its steps). [1]
JUMP_MIN_CLOSE_RATIO = 0.5
#: Largest believable per-second jitter: the standard deviation of the change between
#: samples 1-2 s apart, per square root of a second, measured like the noise (trimmed
#: RMS, divided by sqrt(2) so that white noise of sd ``s`` gives ``s``).  Terrain adds
#: almost nothing at that lag; barometric files measure 0 to 0.29 m, the corpus's GPS
#: tracks 0.21 to 0.38 m.  GPS altitude that wanders with a correlation time of a
#: minute (runload.testing's phone model) jitters by 0.13 ``s`` or more per second
#: (0.64 m for ``s`` = 5 m) while the 60 s residual sees only a third of ``s``; its
#: slow part is what turns a flat run into climbing, so jitter above this is not
#: believed (and is GPS, not a barometer).  Read under the same condition as the jumps.
#: [m]
MAX_JITTER_M = 0.5
#: Rolling median of ``method="adaptive"`` on a stream judged ``"gps"``: correlated
#: phone noise outlasts a 10 s median. [s]
NOISY_SMOOTH_WINDOW_S = 60.0
#: Noise above which climbing is not believed.  On a synthetic hilly run the adaptive
#: gain falls short by 19 % at 1.5 m of measured noise, 23 % at 2.1 m, 37 % at 3.8 m
#: and 48 % at 7.8 m: the band (3x the noise) hides ever larger hills. [m]
TRUSTED_MAX_NOISE_M = 3.0
#: Lowest believable elevation (1st percentile of the stream, so that single glitches
#: do not count): only a handful of depressions lie lower (the Dead Sea and Jordan
#: valley, Lake Assal, the Turpan, Qattara and Danakil depressions); phone altitude
#: often does. [m]
MIN_PLAUSIBLE_ELEVATION_M = -100.0
#: Vertical speed over :data:`VERTICAL_SPEED_SPAN_S` that neither feet nor wheels reach
#: (a fast road descent is 1 to 3 m/s); more than :data:`MAX_FAST_SPAN_RATIO` of such
#: spans means glitches, not terrain. [m/s], [s], [1]
MAX_VERTICAL_SPEED_M_S = 5.0
VERTICAL_SPEED_SPAN_S = 10.0
MAX_FAST_SPAN_RATIO = 0.01
#: Fewest finite samples for an estimate. [samples]
MIN_QUALITY_SAMPLES = 10

#: Share of the residuals kept by the noise scale, and the root mean square of the
#: kept share of a standard normal: sqrt(1 - 2 z phi(z) / 0.75) with z = 1.1503. [1]
_TRIM_KEEP = 0.75
_TRIMMED_RMS_TO_SD = 0.60702


@dataclass(frozen=True)
class ElevationQuality:
    """Where an elevation stream most likely comes from, and how far to believe it.

    Attributes
    ----------
    source : {"barometric", "gps", "service", "none"}
        ``"barometric"``: smooth, altimeter-like stream (barometric altimeters;
        also the odd GPS unit that filters its altitude as smoothly, whose
        climbing behaves the same); ``"gps"``: noisy or steppy GPS/phone
        altitude; ``"none"``: no usable stream (too few samples, or a constant
        value written by a device without an altimeter).  ``"service"`` is for
        totals an export states itself (Strava, Garmin Connect); this module
        never returns it.
    noise_m : float
        High-frequency noise of the stream (:func:`elevation_noise_m`); NaN
        when there are too few samples. [m]
    trusted : bool
        Whether climbing computed from the stream can be believed.
    reason : str
        Short human-readable explanation of ``source`` and ``trusted``.
    """

    source: Source
    noise_m: float
    trusted: bool
    reason: str


def elevation_noise_m(
    elevation_m: npt.ArrayLike,
    time_s: npt.ArrayLike | None = None,
    *,
    window_s: float = NOISE_WINDOW_S,
) -> float:
    """Robust scale of the high-frequency noise of an elevation stream.

    The residual ``r = e - median_window(e)`` of the stream from its centred
    rolling median over ``window_s``, scaled as a standard deviation by a
    trimmed root mean square: the RMS of the smallest 75 % of ``|r|`` divided
    by 0.607 (its value for a standard normal law).  A rolling median keeps
    monotone climbs and descents exactly, so on a real profile the residual is
    zero except near summits and valleys; the trim ignores the largest quarter
    of residuals (those turning points, glitches); and unlike the median
    absolute deviation, which quantised streams pin to multiples of their
    step, the trimmed mean varies smoothly.  For white noise of standard
    deviation ``s`` it returns ``s`` (1 m rounding included); for AR(1)
    noise correlated from one second to the next by 0.9, 0.95 and 0.98 (a
    correlation time of 10, 20 and 50 s) it returns 0.75, 0.6 and 0.35 ``s``:
    the part that varies within the window, which a smoother does not remove
    and a hysteresis would count.  The residual is taken at no more than 512
    evenly strided samples, which keeps the cost below a millisecond.

    Parameters
    ----------
    elevation_m : array_like
        Elevation samples in time order; NaN samples are ignored. [m]
    time_s : array_like, optional
        Sample times; samples are taken as 1 s apart when None. [s]
    window_s : float
        Width of the rolling median. [s]

    Returns
    -------
    float
        Noise as a standard deviation; NaN for fewer than
        :data:`MIN_QUALITY_SAMPLES` finite samples. [m]
    """
    prepared = _prepare(elevation_m, time_s)
    if prepared is None:
        return float("nan")
    return _noise_m(*prepared, window_s=window_s)


def elevation_quality(
    elevation_m: npt.ArrayLike,
    time_s: npt.ArrayLike | None = None,
    *,
    has_gps: bool | None = None,
    max_noise_m: float = TRUSTED_MAX_NOISE_M,
    min_elevation_m: float = MIN_PLAUSIBLE_ELEVATION_M,
    max_vertical_speed_m_s: float = MAX_VERTICAL_SPEED_M_S,
) -> ElevationQuality:
    """Source, noise and trustworthiness of an elevation stream.

    The source is read from the stream itself: a stream is ``"gps"`` when its
    noise (:func:`elevation_noise_m`) exceeds :data:`BAROMETRIC_MAX_NOISE_M`
    or more than :data:`BAROMETRIC_MAX_JUMP_RATIO` of its 1-2 s steps jump by
    :data:`JUMP_M` or more (phone altitude holds a value, then jumps), or its
    per-second jitter exceeds :data:`MAX_JITTER_M` (both read only when most
    steps are 1-2 s apart), and ``"barometric"`` otherwise.
    The file format is no cue: FIT stores every altitude at 0.2 m resolution,
    phone apps' FIT files included.

    Climbing is not trusted when the stream goes below ``min_elevation_m``
    (1st percentile, so single glitches do not count), when more than
    :data:`MAX_FAST_SPAN_RATIO` of its 10 s spans climb or drop faster than
    ``max_vertical_speed_m_s``, when its noise exceeds ``max_noise_m``, or
    when its jitter exceeds :data:`MAX_JITTER_M`.
    Sum a ``"gps"`` stream, trusted or not, with
    ``ascent_descent(..., method="adaptive", quality=quality)``.
    Cheap: a few vectorised passes and one strided rolling median (about
    0.5 ms for an hour at 1 s).

    Parameters
    ----------
    elevation_m : array_like
        Elevation samples in time order; NaN samples are ignored. [m]
    time_s : array_like, optional
        Sample times; samples are taken as 1 s apart when None. [s]
    has_gps : bool, optional
        Whether the activity has GPS positions.  False makes a varying stream
        ``"barometric"`` whatever its noise (there is no GPS altitude to come
        from); None or True let the stream decide.
    max_noise_m : float
        Noise above which climbing is not trusted. [m]
    min_elevation_m : float
        Lowest believable elevation. [m]
    max_vertical_speed_m_s : float
        Highest believable vertical speed over 10 s. [m/s]

    Returns
    -------
    ElevationQuality
    """
    prepared = _prepare(elevation_m, time_s)
    if prepared is None:
        return ElevationQuality("none", float("nan"), False, "fewer than 10 elevation samples")
    e, t = prepared
    lo, hi = float(e.min()), float(e.max())
    if lo == hi:
        return ElevationQuality(
            "none", 0.0, False, f"constant elevation ({lo:g} m): no altimeter data"
        )
    noise = _noise_m(e, t, window_s=NOISE_WINDOW_S)

    d = np.diff(e)
    dt = np.diff(t)
    close = (dt > 0) & (dt <= JUMP_MAX_INTERVAL_S)
    n_close = int(np.count_nonzero(close))
    if n_close >= max(MIN_QUALITY_SAMPLES, JUMP_MIN_CLOSE_RATIO * d.size):
        step, dt_close = (d, dt) if n_close == d.size else (d[close], dt[close])
        jump_ratio = float(np.count_nonzero(np.abs(step) >= JUMP_M)) / n_close
        jitter = _trimmed_sd(step / np.sqrt(dt_close)) / np.sqrt(2.0)
    else:
        jump_ratio = jitter = 0.0
    if has_gps is False:
        source: Source = "barometric"
        why = f"no GPS positions; noise {noise:.1f} m"
    elif noise > BAROMETRIC_MAX_NOISE_M:
        source, why = "gps", f"noisy: {noise:.1f} m"
    elif jump_ratio > BAROMETRIC_MAX_JUMP_RATIO:
        source, why = "gps", f"steppy: {jump_ratio:.0%} of steps jump >= {JUMP_M:g} m"
    elif jitter > MAX_JITTER_M:
        source, why = "gps", f"jittery: {jitter:.1f} m a second"
    else:
        source, why = "barometric", f"smooth: noise {noise:.1f} m"

    if lo - min_elevation_m >= 1.0:
        # The 1st percentile lies between two samples, so it is at least the lowest
        # one: no need to compute it when that is well above the limit.
        low = lo
    else:
        low = float(np.percentile(e, 1))
    end = _span_end(t, VERTICAL_SPEED_SPAN_S)
    # ``end`` never decreases, so the spans that end inside the stream come first.
    m = int(np.count_nonzero(end < t.size))
    span_s = t[end[:m]] - t[:m]
    fast = np.abs(e[end[:m]] - e[:m]) > max_vertical_speed_m_s * span_s
    fast_ratio = np.count_nonzero(fast) / m if m else 0.0
    if low < min_elevation_m:
        trusted, verdict = False, f"untrusted: down to {low:.0f} m, far below sea level"
    elif fast_ratio > MAX_FAST_SPAN_RATIO:
        trusted = False
        verdict = (
            f"untrusted: {fast_ratio:.0%} of 10 s spans move faster than "
            f"{max_vertical_speed_m_s:g} m/s vertically"
        )
    elif not noise <= max_noise_m:
        trusted = False
        verdict = f"untrusted: noise above {max_noise_m:g} m hides real climbing"
    elif jitter > MAX_JITTER_M:
        trusted = False
        verdict = (
            f"untrusted: jitter of {jitter:.1f} m a second means slow GPS wander "
            "that looks like hills"
        )
    else:
        trusted, verdict = True, "trusted"
    return ElevationQuality(source, noise, trusted, f"{why}; {verdict}")


def _prepare(
    elevation_m: npt.ArrayLike, time_s: npt.ArrayLike | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """Finite samples in time order, with times (1 s apart when none); None if too few."""
    e = np.asarray(elevation_m, dtype="float64").ravel()
    if time_s is None:
        t = np.arange(e.size, dtype="float64")
    else:
        t = np.asarray(time_s, dtype="float64").ravel()
        if t.size != e.size:
            raise ValueError("elevation_m and time_s differ in length")
    keep = np.isfinite(e) & np.isfinite(t)
    if np.count_nonzero(keep) < MIN_QUALITY_SAMPLES:
        return None
    e, t = e[keep], t[keep]
    if (np.diff(t) < 0).any():
        order = np.argsort(t, kind="stable")
        e, t = e[order], t[order]
    return e, t


def _noise_m(
    e: npt.NDArray[np.float64], t: npt.NDArray[np.float64], *, window_s: float = NOISE_WINDOW_S
) -> float:
    """:func:`elevation_noise_m` of finite samples in time order.

    The residual is taken at no more than :data:`_NOISE_CENTRES` evenly strided
    samples (a robust scale needs no more), each against the median of the samples
    within ``window_s / 2`` of it, which keeps the cost at a fraction of a
    millisecond on a long activity.
    """
    n = e.size
    if n < MIN_QUALITY_SAMPLES:
        return float("nan")
    centres = np.arange(0, n, max(1, n // _NOISE_CENTRES))
    half = window_s / 2
    start = np.searchsorted(t, t[centres] - half, side="left")
    count = np.searchsorted(t, t[centres] + half, side="right") - start
    width = int(count.max())
    if width > _NOISE_MAX_WINDOW_SAMPLES:
        residual = e - _rolling_median(e, t, window_s)
    else:
        # One row per centre: the samples of its window, padded with +inf (every
        # sample is finite), sorted.  Full windows (all but the ends and gaps) are
        # copied from a strided view of the stream; only the others need padding.
        offsets = np.arange(width)
        if width >= 1:
            # Every window of ``width`` samples, as a read-only strided view.
            windows = as_strided(
                e, (n - width + 1, width), (e.strides[0], e.strides[0]), writeable=False
            )
            table = windows[np.minimum(start, n - width)]
            part = np.flatnonzero(count < width)
        else:
            table = np.empty((centres.size, 0))
            part = np.arange(centres.size)
        if part.size:
            table[part] = np.where(
                offsets < count[part, None],
                e[np.minimum(start[part, None] + offsets, n - 1)],
                np.inf,
            )
        table.sort(axis=1)
        rows = np.arange(centres.size)
        mid = count // 2
        upper = table[rows, mid]
        lower = table[rows, np.maximum(mid - 1, 0)]
        residual = e[centres] - np.where(count % 2 == 1, upper, (upper + lower) / 2)
    return _trimmed_sd(residual)


def _span_end(t: npt.NDArray[np.float64], span_s: float) -> npt.NDArray[np.intp]:
    """``np.searchsorted(t, t + span_s)`` for sorted ``t``, cheaper on even sampling.

    The answer for the first sample, ``k``, is a guess for all (``i + k``), checked
    against the neighbours in ``t`` (index ``j`` is the answer exactly when
    ``t[j - 1] < key <= t[j]``); only the keys whose guess fails are searched, which
    on evenly sampled streams are just the last few.
    """
    n = t.size
    keys = t + span_s
    k = int(np.searchsorted(t, keys[0])) if n else 0
    if k < 1:
        return np.searchsorted(t, keys)
    padded = np.empty(n + k + 1)
    padded[:n] = t
    padded[n:] = np.inf
    good = (padded[k - 1 : k - 1 + n] < keys) & (keys <= padded[k : k + n])
    end = np.arange(k, k + n)
    if not good.all():
        bad = ~good
        end[bad] = np.searchsorted(t, keys[bad])
    return end


def _trimmed_sd(residual: npt.NDArray[np.float64]) -> float:
    """Standard deviation from the root mean square of the smallest 75 % of residuals."""
    a = np.abs(residual)
    keep = max(1, int(_TRIM_KEEP * a.size))
    smallest = np.partition(a, keep - 1)[:keep]
    return float(np.sqrt(np.mean(smallest**2)) / _TRIMMED_RMS_TO_SD)


#: Most samples at which :func:`_noise_m` takes the residual. [samples]
_NOISE_CENTRES = 512
#: Widest noise window done with a sorted table; pandas' rolling median does wider. [samples]
_NOISE_MAX_WINDOW_SAMPLES = 256


#: Longest series (and widest window) smoothed with numpy; pandas' rolling window, whose
#: fixed cost is what numpy saves on short series, does the longer ones as fast. [samples]
_MAX_NUMPY_SAMPLES = 4096
_MAX_WINDOW_SAMPLES = 64


@lru_cache(maxsize=64)
def _window_ns(window_s: float) -> int | None:
    """The smoothing window as pandas reads ``f"{window_s}s"``, in ns; None if it cannot."""
    import pandas as pd
    from pandas.tseries.frequencies import to_offset

    try:
        return int(pd.Timedelta(to_offset(f"{window_s}s").nanos).as_unit("ns").value)
    except (TypeError, ValueError, OverflowError):
        return None


def _centred_median(
    e: npt.NDArray[np.float64], ns: npt.NDArray[np.int64], window_ns: int | None
) -> npt.NDArray[np.float64] | None:
    """Centred rolling median over a time window, as pandas computes it, with numpy.

    Equal, value for value, to ``Series(e, DatetimeIndex(ns)).rolling(window,
    center=True, min_periods=1).median()``: the window of sample ``i`` holds
    the samples with ``ns[i] - h < ns[j] <= ns[i] + h``, ``h = window_ns // 2``
    (both ends closed when ``window_ns`` is odd), which is how pandas bounds a
    centred time window; the median of an even count is the mean of the two
    middle values, ``(a + b) / 2``, as in pandas.  Sorting a small table of
    windows is much faster than pandas' per-call overhead on short series.

    Returns None (let pandas do it) for a series longer than
    :data:`_MAX_NUMPY_SAMPLES`, times not in order, or a window holding more
    than :data:`_MAX_WINDOW_SAMPLES` samples.
    """
    n = e.size
    if window_ns is None or window_ns <= 0 or not 0 < n <= _MAX_NUMPY_SAMPLES:
        return None
    if not (np.abs(ns[[0, -1]]) < 2**62).all() or (np.diff(ns) < 0).any():
        return None
    half = window_ns // 2
    start = np.searchsorted(ns, ns - (half + window_ns % 2), side="right")
    count = np.searchsorted(ns, ns + half, side="right") - start
    width = int(count.max())
    if width > _MAX_WINDOW_SAMPLES:
        return None
    # One row per window, padded with +inf (every sample is finite), sorted.
    offsets = np.arange(width)
    take = np.minimum(start[:, None] + offsets, n - 1)
    table = np.where(offsets < count[:, None], e[take], np.inf)
    table.sort(axis=1)
    rows = np.arange(n)
    mid = count // 2
    upper = table[rows, mid]
    lower = table[rows, np.maximum(mid - 1, 0)]
    return np.where(count % 2 == 1, upper, (upper + lower) / 2)


def _hysteresis(e: npt.NDArray[np.float64], band: float) -> tuple[float, float]:
    # Only samples that leave the current band can move the reference, so the
    # Python loop runs over candidates: a sample is a candidate when it lies
    # more than ``band`` from the previous candidate-free stretch.  In practice
    # the loop below over plain floats is fast enough (~50 ns a sample).
    ascent = descent = 0.0
    ref = float(e[0])
    for x in e.tolist():
        if x > ref + band:
            ascent += x - ref
            ref = x
        elif x < ref - band:
            descent += ref - x
            ref = x
    return ascent, descent
