"""Import speed, memory and value agreement of runload against the established decoders.

One run times runload's full import (``runload.io.read_bytes``: decoding plus the
summary: distance, ascent, pauses, time zone) against the baselines on the same
corpus files, already in memory:

- FIT: fitparse (``FitFile(...).get_messages()`` materialised with values),
  fitdecode (``FitReader`` iterating every frame) and garmin-fit-sdk
  (``Decoder(Stream.from_byte_array(...)).read()``);
- GPX: gpxpy (``gpxpy.parse(text)``, the text decoded beforehand).

Each library gets the best of N repeats per file, N chosen so that each file
takes about ``--budget-s`` per library.  Only files that both runload and the
baseline read are compared.  The targets are the ones the project set itself:
FIT at least 30x faster than fitparse and 10x faster than garmin-fit-sdk, GPX at
least 5x faster than gpxpy (median per-file speed ratio), and a 50 MB GPX
imported with a peak RSS under 300 MB.

In the same run, runload's samples are checked against the decoders' own
records (see :func:`check_fit_values` and :func:`check_gpx_values`).

Run ``python benchmarks/bench_import.py --help`` for the options.  This script
is not part of the test suite.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import runload
from runload.io import read_bytes

#: Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_S = 631_065_600
#: FIT ``date_time`` values below this count seconds since the device's power-up.
MIN_ABSOLUTE_FIT_TIME = 0x10000000
#: FIT positions are semicircles: 2**31 of them make 180 degrees.
SEMICIRCLE_DEG = 180.0 / 2**31
#: runload keeps the longest run of samples without a time jump longer than this. [s]
MAX_TIME_JUMP_S = 48 * 3600.0

#: Minimum median per-file speed ratio runload/baseline, by (format, baseline).
TARGETS: Mapping[tuple[str, str], float] = {
    ("fit", "fitparse"): 30.0,
    ("fit", "garmin-fit-sdk"): 10.0,
    ("gpx", "gpxpy"): 5.0,
}
#: Peak resident memory allowed for importing the generated large GPX. [MB]
RSS_LIMIT_MB = 300.0

#: Sample columns compared with the reference decoders, by format.
FIT_COLUMNS = (
    "latitude_deg",
    "longitude_deg",
    "elevation_m",
    "distance_m",
    "heart_rate_bpm",
    "speed_m_s",
)
GPX_COLUMNS = ("latitude_deg", "longitude_deg", "elevation_m")
#: Two values agree when ``|a - b| <= ATOL + RTOL * |b|`` (both NaN also agree).
ATOL = 1e-6
RTOL = 1e-9


def default_corpus() -> Path:
    """The shared corpus: ``$RUNLOAD_CORPUS``, else ``../shared/corpus`` beside the project."""
    env = os.environ.get("RUNLOAD_CORPUS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "corpus"


# --------------------------------------------------------------------------- corpus
@dataclass(frozen=True)
class CorpusFile:
    """One corpus file, read into memory.

    Attributes
    ----------
    path : str
        Path relative to the corpus folder.
    fmt : str
        ``"fit"`` or ``"gpx"``.
    data : bytes
        The file's content.
    """

    path: str
    fmt: str
    data: bytes

    @property
    def mb(self) -> float:
        """Size of the file. [MB, 10**6 bytes]"""
        return len(self.data) / 1e6


def load_corpus(
    corpus: Path, *, formats: Iterable[str] = ("fit", "gpx"), quick: bool = False
) -> list[CorpusFile]:
    """Read the corpus files of the given formats listed in ``MANIFEST.tsv``.

    Parameters
    ----------
    corpus : Path
        The corpus folder.
    formats : iterable of str
        Formats to keep.
    quick : bool
        Keep every third file of each format in size order (small and large
        files alike, so that the medians stay representative).

    Returns
    -------
    list of CorpusFile
        In manifest order (``quick``: in size order).
    """
    with open(corpus / "MANIFEST.tsv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    wanted = set(formats)
    out = [
        CorpusFile(row["local_path"], row["format"], (corpus / row["local_path"]).read_bytes())
        for row in rows
        if row["format"] in wanted
    ]
    if quick:
        subset: list[CorpusFile] = []
        for fmt in wanted:
            by_size = sorted((f for f in out if f.fmt == fmt), key=lambda f: len(f.data))
            subset.extend(by_size[1::3])
        out = subset
    return out


# --------------------------------------------------------------------------- decoders
def decode_runload(data: bytes, path: str) -> runload.Activity:
    """runload's full import of one file."""
    return read_bytes(data, path=path)


def decode_fitparse(data: bytes) -> list[dict[str, Any]]:
    """fitparse: every message with its values."""
    from fitparse import FitFile

    return [msg.get_values() for msg in FitFile(io.BytesIO(data)).get_messages()]


def decode_fitdecode(data: bytes) -> list[Any]:
    """fitdecode: every frame of the file (default CRC and error handling)."""
    import fitdecode

    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        return list(reader)


def decode_garmin(data: bytes) -> Any:
    """garmin-fit-sdk: the decoded messages; raises when the SDK reports errors."""
    from garmin_fit_sdk import Decoder, Stream

    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    if errors:
        raise ValueError(f"garmin-fit-sdk: {errors[0]}")
    return messages


def decode_gpxpy(text: str) -> Any:
    """gpxpy: the parsed document."""
    import gpxpy

    return gpxpy.parse(text)


def gpx_text(data: bytes) -> str:
    """The document as text for gpxpy (UTF-8 with or without BOM, else Latin-1)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --------------------------------------------------------------------------- timing
@dataclass
class Timing:
    """Best time of one library on one file.

    Attributes
    ----------
    seconds : float or None
        Best of ``repeats`` calls, None when the library could not read the file. [s]
    repeats : int
        Calls made.
    error : str or None
        Why the file could not be read.
    """

    seconds: float | None
    repeats: int
    error: str | None = None


def time_best(
    fn: Callable[[], Any], *, budget_s: float, max_repeats: int = 200
) -> tuple[Timing, Any]:
    """Time ``fn`` as the best of N calls, N chosen to spend about ``budget_s``.

    The first call is timed too, and its result returned, so that a slow
    library reading a large file is called once only.  Garbage collection is
    off during the calls, as :mod:`timeit` does.

    Parameters
    ----------
    fn : callable
        The call to time; an exception means the file could not be read.
    budget_s : float
        Time to spend on this call. [s]
    max_repeats : int
        Upper bound of N.

    Returns
    -------
    Timing
        The best time (or the error).
    object
        What the first call returned (None on error).
    """
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        try:
            result = fn()
        except Exception as exc:
            return Timing(None, 1, f"{type(exc).__name__}: {exc}"[:200]), None
        best = time.perf_counter() - t0
        n = min(max_repeats, int(budget_s / max(best, 1e-9)))
        for _ in range(n - 1):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        return Timing(best, max(n, 1)), result
    finally:
        gc.enable()


# --------------------------------------------------------------------------- references
def fit_seconds(value: Any) -> float:
    """A FIT time as seconds since the FIT epoch (NaN when missing)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp() - FIT_EPOCH_S
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float("nan")


def number(value: Any) -> float:
    """A field value as a float (NaN for missing, arrays and text)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float("nan")


def first_finite(*values: Any) -> float:
    """The first of ``values`` that is a finite number, else NaN."""
    for v in values:
        x = number(v)
        if np.isfinite(x):
            return x
    return float("nan")


def fit_record_row(values: Mapping[str, Any]) -> tuple[float, list[float]]:
    """FIT time and compared values (in runload's units) of one ``record`` message.

    ``values`` maps field names to decoded values as fitdecode and
    garmin-fit-sdk give them: positions in semicircles, other fields scaled.
    ``enhanced_altitude`` and ``enhanced_speed`` are preferred.
    """
    return fit_seconds(values.get("timestamp")), [
        number(values.get("position_lat")) * SEMICIRCLE_DEG,
        number(values.get("position_long")) * SEMICIRCLE_DEG,
        first_finite(values.get("enhanced_altitude"), values.get("altitude")),
        number(values.get("distance")),
        number(values.get("heart_rate")),
        first_finite(values.get("enhanced_speed"), values.get("speed")),
    ]


def keep_longest_run(frame: pd.DataFrame, *, max_jump_s: float = MAX_TIME_JUMP_S) -> pd.DataFrame:
    """The longest run of rows (sorted by time) without a time jump over ``max_jump_s``."""
    if len(frame) < 2:
        return frame
    t = pd.DatetimeIndex(frame.index).asi8
    breaks = np.flatnonzero(np.diff(t) > max_jump_s * 1e9) + 1
    if breaks.size == 0:
        return frame
    bounds = np.concatenate([[0], breaks, [len(t)]])
    k = int(np.argmax(np.diff(bounds)))
    return frame.iloc[bounds[k] : bounds[k + 1]]


def tidy_reference(frame: pd.DataFrame) -> pd.DataFrame:
    """Apply runload's documented sample rules to a reference decoder's points.

    Sort by time (stable), merge points with the same time (the first
    non-null value of each column) and keep the longest run without a time
    jump over 48 h.  Positions outside [-90, 90] x [-180, 180] become NaN.
    """
    out = frame.copy()
    if "latitude_deg" in out and "longitude_deg" in out:
        bad = ~((out["latitude_deg"].abs() <= 90) & (out["longitude_deg"].abs() <= 180))
        out.loc[bad, ["latitude_deg", "longitude_deg"]] = np.nan
    out = out.sort_index(kind="stable")
    if out.index.has_duplicates:
        out = out.groupby(level=0, sort=False).first()
    return keep_longest_run(out)


def fit_reference(
    records: Iterable[Mapping[str, Any]], activities: Iterable[Mapping[str, Any]]
) -> pd.DataFrame:
    """A reference samples frame from a decoder's FIT ``record`` and ``activity`` messages.

    Records without a timestamp are dropped.  Relative (power-up) timestamps
    are anchored as runload does: when the ``activity`` message's own
    ``timestamp`` is relative and its ``local_timestamp`` absolute, they are
    shifted by the difference; any relative timestamp left is dropped.

    Returns
    -------
    DataFrame
        Index ``time`` (UTC), columns :data:`FIT_COLUMNS`.
    """
    times: list[float] = []
    rows: list[list[float]] = []
    for values in records:
        t, row = fit_record_row(values)
        times.append(t)
        rows.append(row)
    ts = np.asarray(times, dtype="float64")
    relative = np.isfinite(ts) & (ts < MIN_ABSOLUTE_FIT_TIME)
    if relative.any():
        for act in activities:
            a_ts = fit_seconds(act.get("timestamp"))
            a_local = fit_seconds(act.get("local_timestamp"))
            if np.isfinite(a_ts) and np.isfinite(a_local):
                if a_ts < MIN_ABSOLUTE_FIT_TIME <= a_local:
                    ts = np.where(relative, ts + (a_local - a_ts), ts)
                break
    keep = np.isfinite(ts) & (ts >= MIN_ABSOLUTE_FIT_TIME)
    ns = (ts[keep].astype("int64") + FIT_EPOCH_S) * 1_000_000_000
    index = pd.DatetimeIndex(ns.view("M8[ns]"), name="time").tz_localize("UTC")
    values = np.asarray(rows, dtype="float64").reshape(-1, len(FIT_COLUMNS))[keep]
    return tidy_reference(pd.DataFrame(values, index=index, columns=list(FIT_COLUMNS)))


def fitdecode_messages(frames: Iterable[Any]) -> dict[str, list[dict[str, Any]]]:
    """The ``record`` and ``activity`` messages of fitdecode frames, as name -> value dicts."""
    import fitdecode

    out: dict[str, list[dict[str, Any]]] = {"record": [], "activity": []}
    for frame in frames:
        if not isinstance(frame, fitdecode.FitDataMessage) or frame.name not in out:
            continue
        values: dict[str, Any] = {}
        for fld in frame.fields:
            values.setdefault(fld.name, fld.value)
        out[frame.name].append(values)
    return out


def gpxpy_reference(gpx: Any) -> pd.DataFrame:
    """A reference samples frame from gpxpy's track points (points without a time dropped)."""
    times: list[pd.Timestamp] = []
    rows: list[tuple[float, float, float]] = []
    for track in gpx.tracks:
        for segment in track.segments:
            for p in segment.points:
                if p.time is None:
                    continue
                t = pd.Timestamp(p.time)
                times.append(t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC"))
                rows.append((number(p.latitude), number(p.longitude), number(p.elevation)))
    index = pd.DatetimeIndex(times, name="time").as_unit("ns")
    frame = pd.DataFrame(rows, index=index, columns=list(GPX_COLUMNS), dtype="float64")
    return tidy_reference(frame)


def first_difference(
    ours: pd.DataFrame,
    ref: pd.DataFrame,
    columns: Iterable[str],
    *,
    ref_name: str,
    time_tolerance_ns: int = 0,
) -> str | None:
    """Describe the first disagreement between runload's samples and a reference, or None.

    Times agree within ``time_tolerance_ns`` (gpxpy keeps microseconds, runload
    nanoseconds). [ns]  A column the reference lacks entirely is not compared
    (runload fills ``distance_m`` from the GPS path when the file has no
    distance stream).
    """
    if len(ours) != len(ref):
        extra = ours.index.difference(ref.index)
        missing = ref.index.difference(ours.index)
        where = (
            f"first only in runload: {extra[0]}"
            if len(extra)
            else f"first only in {ref_name}: {missing[0]}"
            if len(missing)
            else "same times"
        )
        return f"{len(ours)} samples vs {len(ref)} {ref_name} records ({where})"
    gap_ns = np.abs(pd.DatetimeIndex(ours.index).asi8 - pd.DatetimeIndex(ref.index).asi8)
    if (gap_ns > time_tolerance_ns).any():
        k = int(np.argmax(gap_ns > time_tolerance_ns))
        return f"time #{k}: runload {ours.index[k]} vs {ref_name} {ref.index[k]}"
    for col in columns:
        b = ref[col].to_numpy(dtype="float64")
        if not np.isfinite(b).any():
            continue
        a = ours[col].to_numpy(dtype="float64")
        same = (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= ATOL + RTOL * np.abs(b))
        if not same.all():
            k = int(np.argmin(same))
            mine, theirs = float(a[k]), float(b[k])
            return f"{col} at {ours.index[k]}: runload {mine!r} vs {ref_name} {theirs!r}"
    return None


# --------------------------------------------------------------------------- checks
@dataclass
class ValueCheck:
    """Agreement of runload's samples with one reference decoder.

    Attributes
    ----------
    compared : int
        Files both read.
    identical : int
        Files whose samples agree in count, time and every compared value.
    mismatches : dict
        File -> first difference.
    refused_empty : int
        Files runload refused while the reference found no timed record
        either (settings, workouts, route-only GPX).
    """

    compared: int = 0
    identical: int = 0
    mismatches: dict[str, str] = field(default_factory=dict)
    refused_empty: int = 0

    def add(self, path: str, difference: str | None) -> None:
        """Count one compared file."""
        self.compared += 1
        if difference is None:
            self.identical += 1
        else:
            self.mismatches[path] = difference


def check_against(
    check: ValueCheck,
    path: str,
    ours: runload.Activity | None,
    ref: pd.DataFrame,
    columns: Iterable[str],
    ref_name: str,
    *,
    time_tolerance_ns: int = 0,
) -> None:
    """Compare one file's samples with a reference frame and record the outcome in ``check``."""
    if ours is None:
        if len(ref) == 0:
            check.refused_empty += 1
        else:
            check.add(path, f"runload refused the file; {ref_name} has {len(ref)} records")
        return
    difference = first_difference(
        ours.samples, ref, columns, ref_name=ref_name, time_tolerance_ns=time_tolerance_ns
    )
    check.add(path, difference)


def check_fit_values(
    path: str,
    ours: runload.Activity | None,
    results: Mapping[str, Any],
    checks: Mapping[str, ValueCheck],
    data: bytes,
) -> None:
    """Compare runload's FIT samples with fitdecode's and garmin-fit-sdk's records.

    Both references go through :func:`fit_reference`.  garmin-fit-sdk merges
    heart rates from HRV/HR messages into the records by default; where the
    file has such messages the SDK is read again without that merge, so that
    both sides report what the records hold.
    """
    frames = results.get("fitdecode")
    if frames is not None:
        msgs = fitdecode_messages(frames)
        ref = fit_reference(msgs["record"], msgs["activity"])
        check_against(checks["fitdecode"], path, ours, ref, FIT_COLUMNS, "fitdecode")
    messages = results.get("garmin-fit-sdk")
    if messages is not None:
        if messages.get("hr_mesgs"):
            from garmin_fit_sdk import Decoder, Stream

            messages, _ = Decoder(Stream.from_byte_array(bytearray(data))).read(
                merge_heart_rates=False
            )
        ref = fit_reference(messages.get("record_mesgs", []), messages.get("activity_mesgs", []))
        check_against(checks["garmin-fit-sdk"], path, ours, ref, FIT_COLUMNS, "garmin-fit-sdk")


def check_gpx_values(
    path: str, ours: runload.Activity | None, results: Mapping[str, Any], check: ValueCheck
) -> None:
    """Compare runload's GPX samples (time, position, elevation) with gpxpy's track points.

    Times are compared to the microsecond, gpxpy's resolution.
    """
    gpx = results.get("gpxpy")
    if gpx is None:
        return
    ref = gpxpy_reference(gpx)
    check_against(check, path, ours, ref, GPX_COLUMNS, "gpxpy", time_tolerance_ns=1000)


# --------------------------------------------------------------------------- the run
BASELINES: Mapping[str, tuple[str, ...]] = {
    "fit": ("fitparse", "fitdecode", "garmin-fit-sdk"),
    "gpx": ("gpxpy",),
}
#: Baselines whose result the value checks use (the others' results are dropped at once).
_KEEP_RESULT = frozenset({"fitdecode", "garmin-fit-sdk", "gpxpy"})


def baseline_call(lib: str, f: CorpusFile) -> Callable[[], Any]:
    """The timed call of baseline ``lib`` on file ``f``."""
    if lib == "fitparse":
        return lambda: decode_fitparse(f.data)
    if lib == "fitdecode":
        return lambda: decode_fitdecode(f.data)
    if lib == "garmin-fit-sdk":
        return lambda: decode_garmin(f.data)
    if lib == "gpxpy":
        text = gpx_text(f.data)
        return lambda: decode_gpxpy(text)
    raise ValueError(f"unknown baseline {lib!r}")


def runload_call(f: CorpusFile) -> Callable[[], Any]:
    """The timed call of runload on file ``f`` (its own errors mean 'not read')."""
    return lambda: decode_runload(f.data, f.path)


def warm_up(files: list[CorpusFile]) -> None:
    """Import every library and run each once on a small file, so lazy imports are not timed."""
    for fmt, libs in BASELINES.items():
        small = [f for f in files if f.fmt == fmt and len(f.data) > 5000]
        if not small:
            continue
        f = min(small, key=lambda g: len(g.data))
        for call in [runload_call(f), *(baseline_call(lib, f) for lib in libs)]:
            try:
                call()
            except Exception:
                pass  # warming up only: failures are timed and reported later


def read_with_fallback(f: CorpusFile) -> bool:
    """Whether runload reads ``f`` with its fitdecode fallback (an untimed call, warnings kept)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            decode_runload(f.data, f.path)
        except Exception:
            return False
    return any("fallback decoder" in str(w.message) for w in caught)


def run_corpus(
    files: list[CorpusFile], *, budget_s: float, progress: bool = True
) -> tuple[dict[str, dict[str, dict[str, Timing]]], dict[str, ValueCheck], dict[str, int]]:
    """Time every library on every file and check runload's values, file by file.

    Returns
    -------
    timings : dict
        format -> library -> file path -> :class:`Timing`.
    checks : dict
        reference name -> :class:`ValueCheck`.
    fallbacks : dict
        format -> number of files runload read with its fallback decoder.
    """
    timings: dict[str, dict[str, dict[str, Timing]]] = {
        fmt: {lib: {} for lib in ("runload", *libs)} for fmt, libs in BASELINES.items()
    }
    checks = {"fitdecode": ValueCheck(), "garmin-fit-sdk": ValueCheck(), "gpxpy": ValueCheck()}
    fallbacks = dict.fromkeys(BASELINES, 0)
    for i, f in enumerate(files, 1):
        if progress:
            print(f"  [{i}/{len(files)}] {f.fmt} {len(f.data) / 1e3:8.1f} kB {f.path}", flush=True)
        if read_with_fallback(f):
            fallbacks[f.fmt] += 1
        timing, ours = time_best(runload_call(f), budget_s=budget_s)
        timings[f.fmt]["runload"][f.path] = timing
        results: dict[str, Any] = {}
        for lib in BASELINES[f.fmt]:
            t, result = time_best(baseline_call(lib, f), budget_s=budget_s)
            timings[f.fmt][lib][f.path] = t
            if lib in _KEEP_RESULT and result is not None:
                results[lib] = result
            del result
        if f.fmt == "fit":
            check_fit_values(f.path, ours, results, checks, f.data)
        else:
            check_gpx_values(f.path, ours, results, checks["gpxpy"])
    return timings, checks, fallbacks


def summarize(
    fmt: str, timings: Mapping[str, Mapping[str, Timing]], sizes: Mapping[str, int]
) -> dict[str, Any]:
    """Speed figures of one format: per baseline, on the files both it and runload read.

    Returns
    -------
    dict
        ``files`` (corpus files of the format), ``runload_read``, ``runload_mb_s``
        (on all files runload read) and ``baselines``: per baseline ``read``,
        ``files``, ``mb`` (both read), ``runload_mb_s``, ``baseline_mb_s``,
        ``median_ratio``, ``p10_ratio``, ``p90_ratio``, ``target``, ``passed``.
    """
    ours = {p: t.seconds for p, t in timings["runload"].items() if t.seconds is not None}
    out: dict[str, Any] = {
        "files": len(timings["runload"]),
        "runload_read": len(ours),
        "runload_mb": sum(sizes[p] for p in ours) / 1e6,
        "runload_mb_s": sum(sizes[p] for p in ours) / 1e6 / max(sum(ours.values()), 1e-12),
        "baselines": {},
    }
    for lib, per_file in timings.items():
        if lib == "runload":
            continue
        theirs = {p: t.seconds for p, t in per_file.items() if t.seconds is not None}
        both = sorted(set(ours) & set(theirs))
        mb = sum(sizes[p] for p in both) / 1e6
        ratios = np.array([theirs[p] / ours[p] for p in both], dtype="float64")
        target = TARGETS.get((fmt, lib))
        median = float(np.median(ratios)) if ratios.size else float("nan")
        out["baselines"][lib] = {
            "read": len(theirs),
            "files": len(both),
            "mb": mb,
            "runload_mb_s": mb / max(sum(ours[p] for p in both), 1e-12),
            "baseline_mb_s": mb / max(sum(theirs[p] for p in both), 1e-12),
            "median_ratio": median,
            "p10_ratio": float(np.percentile(ratios, 10)) if ratios.size else float("nan"),
            "p90_ratio": float(np.percentile(ratios, 90)) if ratios.size else float("nan"),
            "target": target,
            "passed": None if target is None else bool(median >= target),
        }
    return out


def print_speed_table(fmt: str, summary: Mapping[str, Any]) -> None:
    """Print one format's speed table."""
    print(
        f"\n{fmt.upper()}: runload read {summary['runload_read']}/{summary['files']} files, "
        f"{summary['runload_mb']:.2f} MB at {summary['runload_mb_s']:.2f} MB/s (full import)"
    )
    head = (
        f"{'baseline':<15}{'read':>5}{'both':>6}{'MB':>8}{'runload MB/s':>14}{'base MB/s':>11}"
        f"{'median x':>10}{'p10 x':>8}{'p90 x':>8}  target"
    )
    print(head)
    print("-" * len(head))
    for lib, s in summary["baselines"].items():
        verdict = (
            "-"
            if s["target"] is None
            else f">={s['target']:.0f}x {'PASS' if s['passed'] else 'FAIL'}"
        )
        print(
            f"{lib:<15}{s['read']:>5}{s['files']:>6}{s['mb']:>8.2f}{s['runload_mb_s']:>14.2f}"
            f"{s['baseline_mb_s']:>11.3f}{s['median_ratio']:>10.1f}{s['p10_ratio']:>8.1f}"
            f"{s['p90_ratio']:>8.1f}  {verdict}"
        )


def print_checks(checks: Mapping[str, ValueCheck], *, max_listed: int = 20) -> None:
    """Print the value-agreement counts and the first difference of each mismatching file."""
    print("\nValues (record count, time, position, elevation, distance, heart rate, speed):")
    for name, c in checks.items():
        refused = (
            f", {c.refused_empty} refused by runload with no timed record in {name} either"
            if c.refused_empty
            else ""
        )
        print(f"  vs {name:<15} {c.identical}/{c.compared} files identical{refused}")
        for k, (path, diff) in enumerate(sorted(c.mismatches.items())):
            if k == max_listed:
                print(f"      ... {len(c.mismatches) - max_listed} more")
                break
            print(f"      {path}: {diff}")


# --------------------------------------------------------------------------- memory
_RSS_CHILD = r"""
import json, resource, sys, time
lib, path = sys.argv[1], sys.argv[2]


def peak_bytes():
    # VmHWM is the peak of this program's own memory map; ru_maxrss would also count
    # the parent's peak before exec on Linux.
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return ru if sys.platform == "darwin" else ru * 1024


if lib == "runload":
    import warnings
    import runload
    warnings.simplefilter("ignore")
else:
    import gpxpy
after_import = peak_bytes()
t0 = time.perf_counter()
if lib == "runload":
    n = len(runload.read_activity(path).samples)
else:
    with open(path, encoding="utf-8") as fh:
        gpx = gpxpy.parse(fh.read())
    n = sum(len(s.points) for t in gpx.tracks for s in t.segments)
seconds = time.perf_counter() - t0
print(json.dumps({"after_import_mb": after_import / 1e6, "peak_mb": peak_bytes() / 1e6,
                  "seconds": seconds, "points": n}))
"""


def synthetic_samples(n: int, *, seed: int = 7) -> pd.DataFrame:
    """``n`` one-second samples of a plausible run: a wandering path, hills, heart rate, cadence."""
    rng = np.random.default_rng(seed)
    t = pd.date_range("2024-05-01T06:00:00Z", periods=n, freq="s", name="time")
    heading = np.cumsum(rng.normal(0.0, 0.05, n))
    step_m = 2.8 + 0.3 * rng.standard_normal(n)
    north_m = np.cumsum(step_m * np.cos(heading))
    east_m = np.cumsum(step_m * np.sin(heading))
    lat0, lon0 = 46.05, 14.50
    lat = lat0 + north_m / 111_195.0
    lon = lon0 + east_m / (111_195.0 * np.cos(np.radians(lat0)))
    ele = 300.0 + 40.0 * np.sin(np.arange(n) / 900.0) + rng.normal(0.0, 0.5, n)
    return pd.DataFrame(
        {
            "latitude_deg": np.round(lat, 7),
            "longitude_deg": np.round(lon, 7),
            "elevation_m": np.round(ele, 1),
            "heart_rate_bpm": np.round(150 + 10 * np.sin(np.arange(n) / 300.0)),
            "cadence_spm": np.round(170 + rng.normal(0.0, 2.0, n)),
        },
        index=t,
    )


def synthetic_gpx(n: int) -> bytes:
    """A GPX 1.1 document with ``n`` track points, written by runload's own GPX writer."""
    samples = synthetic_samples(n)
    try:
        from runload.testing.gpx import gpx_bytes
        from runload.testing.track import Track
    except ImportError:  # the writer not there yet: the same points, written here
        return _plain_gpx(samples)
    return gpx_bytes(Track(samples=samples, sport="running", name="Synthetic long run"))


def _plain_gpx(samples: pd.DataFrame) -> bytes:
    times = pd.DatetimeIndex(samples.index).strftime("%Y-%m-%dT%H:%M:%SZ")
    points = [
        f'<trkpt lat="{la}" lon="{lo}"><ele>{el}</ele><time>{t}</time></trkpt>\n'
        for la, lo, el, t in zip(
            samples["latitude_deg"],
            samples["longitude_deg"],
            samples["elevation_m"],
            times,
            strict=True,
        )
    ]
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="bench" '
    head += 'xmlns="http://www.topografix.com/GPX/1/1">\n<trk><trkseg>\n'
    return (head + "".join(points) + "</trkseg></trk>\n</gpx>\n").encode()


def large_gpx(target_mb: float) -> tuple[bytes, int]:
    """A synthetic GPX of about ``target_mb`` MB and its number of points."""
    probe = 2000
    per_point = len(synthetic_gpx(probe)) / probe
    n = max(probe, int(target_mb * 1e6 / per_point))
    return synthetic_gpx(n), n


def measure_rss(path: Path, lib: str) -> dict[str, Any]:
    """Peak RSS of importing ``path`` with ``lib`` ("runload" or "gpxpy") in a fresh interpreter.

    Returns
    -------
    dict
        ``peak_mb`` (peak of the process) [MB], ``after_import_mb`` (peak before
        the import started: interpreter and libraries) [MB], ``seconds`` [s],
        ``points``; or ``error``.
    """
    proc = subprocess.run(
        [sys.executable, "-c", _RSS_CHILD, lib, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run_memory(target_mb: float) -> dict[str, Any]:
    """Generate the large GPX, import it with runload and gpxpy in fresh processes."""
    data, n = large_gpx(target_mb)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large.gpx"
        path.write_bytes(data)
        out: dict[str, Any] = {"file_mb": len(data) / 1e6, "points": n, "limit_mb": RSS_LIMIT_MB}
        for lib in ("runload", "gpxpy"):
            out[lib] = measure_rss(path, lib)
    peak = out["runload"].get("peak_mb")
    out["passed"] = peak is not None and peak < RSS_LIMIT_MB
    return out


def print_memory(mem: Mapping[str, Any]) -> None:
    """Print the large-GPX memory figures."""
    print(f"\nLarge GPX: {mem['file_mb']:.1f} MB, {mem['points']} points (generated)")
    for lib in ("runload", "gpxpy"):
        r = mem[lib]
        if "error" in r:
            print(f"  {lib:<8} failed: {r['error']}")
            continue
        print(
            f"  {lib:<8} peak RSS {r['peak_mb']:7.1f} MB"
            f" (after imports {r['after_import_mb']:.1f})"
            f"  {r['seconds']:6.2f} s = {mem['file_mb'] / r['seconds']:6.2f} MB/s"
            f"  points {r['points']}"
        )
    print(f"  runload peak < {mem['limit_mb']:.0f} MB: {'PASS' if mem['passed'] else 'FAIL'}")


# --------------------------------------------------------------------------- main
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus(), help="corpus folder")
    parser.add_argument("--quick", action="store_true", help="a subset of the files, 10 MB GPX")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--budget-s",
        type=float,
        default=0.2,
        help="time spent per file per library; N repeats fill it (default 0.2 s)",
    )
    parser.add_argument(
        "--rss-mb", type=float, help="size of the generated GPX (default 50, --quick 10) [MB]"
    )
    parser.add_argument("--no-rss", action="store_true", help="skip the large-GPX memory test")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-file progress")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 0 when every target is met, 1 otherwise."""
    args = parse_args(argv)
    if not (args.corpus / "MANIFEST.tsv").is_file():
        print(f"no corpus at {args.corpus} (pass --corpus or set RUNLOAD_CORPUS)", file=sys.stderr)
        return 2
    files = load_corpus(args.corpus, quick=args.quick)
    sizes = {f.path: len(f.data) for f in files}
    print(
        f"runload {runload.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; {len(files)} files from {args.corpus}"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warm_up(files)
        started = time.perf_counter()
        timings, checks, fallbacks = run_corpus(
            files, budget_s=args.budget_s, progress=not args.quiet
        )
    summaries = {fmt: summarize(fmt, timings[fmt], sizes) for fmt in timings}
    for fmt, summary in summaries.items():
        print_speed_table(fmt, summary)
        if fallbacks[fmt]:
            print(f"  ({fallbacks[fmt]} file(s) read by runload's fitdecode fallback)")
    print_checks(checks)
    print(f"\ncorpus pass: {time.perf_counter() - started:.0f} s")

    memory = None
    if not args.no_rss:
        memory = run_memory(args.rss_mb or (10.0 if args.quick else 50.0))
        print_memory(memory)

    verdicts = [
        s["passed"] for summary in summaries.values() for s in summary["baselines"].values()
    ]
    if memory is not None:
        verdicts.append(memory["passed"])
    ok = all(v for v in verdicts if v is not None)
    print(f"\nall targets met: {'yes' if ok else 'NO'}")
    if args.json:
        payload = {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "quick": args.quick,
            "speed": summaries,
            "fallbacks": fallbacks,
            "values": {
                name: {
                    "compared": c.compared,
                    "identical": c.identical,
                    "refused_empty": c.refused_empty,
                    "mismatches": c.mismatches,
                }
                for name, c in checks.items()
            },
            "per_file": {
                fmt: {
                    lib: {p: t.seconds for p, t in per_file.items()}
                    for lib, per_file in by_lib.items()
                }
                for fmt, by_lib in timings.items()
            },
            "memory": memory,
        }
        args.json.write_text(json.dumps(payload, indent=1, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
