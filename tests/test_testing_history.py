"""Synthetic runs and histories: truth, noise, presets, files.

Expected values come from the request (distance, climb, pace), from geometry
worked out here (a haversine written in this file), from the calendar
(zoneinfo) and from fitdecode decoding the written files.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import itertools
import math
import time
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import fitdecode
import numpy as np
import pandas as pd
import pytest

from runload.testing.fit import fit_bytes
from runload.testing.history import (
    SCENARIOS,
    HistoryPlan,
    PlannedRun,
    generate_history,
    preset,
    synthetic_track,
    write_history,
)

R_EARTH_M = 6_371_008.8
DENVER = ZoneInfo("America/Denver")
START = pd.Timestamp("2024-03-11T00:40:00Z")  # Sunday 18:40 in Denver


def _path_m(lat: np.ndarray, lon: np.ndarray) -> float:
    """Length of a polyline on the sphere (haversine). [m]"""
    p1, p2 = np.radians(lat[:-1]), np.radians(lat[1:])
    dl = np.radians(lon[1:] - lon[:-1])
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(np.sum(2 * R_EARTH_M * np.arcsin(np.sqrt(a))))


def _lag1(x: np.ndarray) -> float:
    x = x - x.mean()
    return float(np.dot(x[:-1], x[1:]) / np.dot(x, x))


def _gain(z: np.ndarray) -> float:
    return float(np.clip(np.diff(z), 0, None).sum())


# ------------------------------------------------------------ one track


@pytest.mark.parametrize(
    ("surface", "route", "distance_m", "interval_s"),
    [
        ("road", "loop", 10_000.0, 1.0),
        ("road", "out_and_back", 7_300.0, 1.0),
        ("trail", None, 15_000.0, 5.0),
        ("track", None, 6_000.0, 1.0),
        ("road", "loop", 32_000.0, 2.0),
    ],
)
def test_true_path_has_the_requested_length(
    surface: str, route: str | None, distance_m: float, interval_s: float
) -> None:
    tr = synthetic_track(
        START,
        distance_m=distance_m,
        surface=surface,  # type: ignore[arg-type]
        route=route,  # type: ignore[arg-type]
        sample_interval_s=interval_s,
        seed=7,
    )
    truth = tr.truth
    assert truth.distance_m == distance_m
    assert _path_m(truth.latitude_deg, truth.longitude_deg) == pytest.approx(distance_m, rel=0.005)
    d = tr.samples["distance_m"].to_numpy()
    assert d[0] == 0 and d[-1] == pytest.approx(distance_m) and np.all(np.diff(d) > 0)
    # every route starts (and a loop or out-and-back ends) at the origin
    assert truth.latitude_deg[0] == pytest.approx(39.7392, abs=1e-9)
    if surface != "track":
        end_gap = _path_m(truth.latitude_deg[[0, -1]], truth.longitude_deg[[0, -1]])
        assert end_gap < 0.01 * distance_m
    # the time step is the requested interval (no pauses here)
    steps = np.diff(tr.samples.index) / pd.Timedelta(seconds=1)
    assert np.all(steps == interval_s)


def test_track_run_is_laps_of_400_m() -> None:
    tr = synthetic_track(START, distance_m=4_000.0, surface="track", seed=1)
    lat, lon = tr.truth.latitude_deg, tr.truth.longitude_deg
    # the runner is back at the start line after every 400 m
    at_line = np.isclose(tr.truth.distance_along_m % 400.0, 0.0, atol=2.0)
    gaps = [_path_m(lat[[0, k]], lon[[0, k]]) for k in np.flatnonzero(at_line)]
    assert max(gaps) < 5.0
    assert tr.sub_sport == "track" and tr.truth.ascent_m == 0.0


@pytest.mark.parametrize("climb_m", [0.0, 40.0, 250.0])
def test_ascent_truth_matches_the_profile(climb_m: float) -> None:
    tr = synthetic_track(START, distance_m=12_000.0, climb_m=climb_m, seed=3, route="loop")
    truth = tr.truth
    assert truth.ascent_m == pytest.approx(climb_m, abs=1e-6)
    # the profile sampled at each second climbs what the truth says
    assert _gain(truth.elevation_m) == pytest.approx(climb_m, rel=0.01, abs=0.05)
    # a loop comes back to its start: as much down as up
    assert truth.descent_m == pytest.approx(truth.ascent_m, abs=1e-6)
    assert truth.elevation_m[0] == pytest.approx(1600.0)


def test_hilliness_sets_the_relief() -> None:
    tr = synthetic_track(START, distance_m=9_000.0, hilliness_m=30.0, seed=4, route="out_and_back")
    z = tr.truth.elevation_m
    assert z.max() - z.min() == pytest.approx(30.0, rel=0.02)
    assert _gain(z) == pytest.approx(tr.truth.ascent_m, rel=0.01)


def test_noise_is_correlated_and_of_a_few_metres() -> None:
    tr = synthetic_track(START, distance_m=10_000.0, climb_m=60.0, seed=11)
    s, truth = tr.samples, tr.truth
    ele_err = s["elevation_m"].to_numpy() - truth.elevation_m
    north_m = np.radians(s["latitude_deg"].to_numpy() - truth.latitude_deg) * R_EARTH_M
    east_m = (
        np.radians(s["longitude_deg"].to_numpy() - truth.longitude_deg)
        * R_EARTH_M
        * np.cos(np.radians(truth.latitude_deg))
    )
    for err in (ele_err, north_m, east_m):
        assert _lag1(err) > 0.9
        assert 0.3 < err.std() < 6.0
        assert np.abs(err).max() < 25.0
    # noisy GPS makes the measured path a little longer than the truth
    measured = _path_m(s["latitude_deg"].to_numpy(), s["longitude_deg"].to_numpy())
    assert 1.0 < measured / truth.distance_m < 1.05
    # and a naive sum of altimeter noise overstates the climb
    assert _gain(s["elevation_m"].to_numpy()) > truth.ascent_m


def test_no_noise_when_asked() -> None:
    tr = synthetic_track(START, distance_m=5_000.0, gps_noise_m=0.0, elevation_noise_m=0.0, seed=2)
    np.testing.assert_allclose(tr.samples["latitude_deg"], tr.truth.latitude_deg)
    np.testing.assert_allclose(tr.samples["elevation_m"], tr.truth.elevation_m)


def test_treadmill_has_no_positions_and_no_elevation() -> None:
    tr = synthetic_track(START, distance_m=8_000.0, surface="treadmill", seed=5)
    s = tr.samples
    assert s["latitude_deg"].isna().all() and s["longitude_deg"].isna().all()
    assert s["elevation_m"].isna().all()
    assert s["distance_m"].iloc[-1] == pytest.approx(8_000.0)
    assert tr.sub_sport == "treadmill" and tr.truth.ascent_m == 0.0
    with pytest.raises(ValueError):
        synthetic_track(START, distance_m=8_000.0, surface="treadmill", climb_m=50.0)


def test_pauses_leave_no_samples_and_count_in_elapsed_time() -> None:
    tr = synthetic_track(START, distance_m=10_000.0, pauses=3, seed=8)
    idx = tr.samples.index
    assert len(tr.pauses) == 3
    for a, b in tr.pauses:
        assert not ((idx > a) & (idx < b)).any()
        assert 20 <= (b - a).total_seconds() <= 90
    elapsed = (idx[-1] - idx[0]).total_seconds()
    paused = sum((b - a).total_seconds() for a, b in tr.pauses)
    assert tr.truth.elapsed_time_s == elapsed
    assert tr.truth.moving_time_s == elapsed - paused
    # the stops are where the sample clock jumps by more than one interval
    steps = np.diff(idx) / pd.Timedelta(seconds=1)
    assert np.count_nonzero(steps > 1.5) == 3


def test_pace_heart_rate_and_cadence_are_plausible() -> None:
    tr = synthetic_track(START, distance_m=10_000.0, pace_s_per_km=300.0, seed=9)
    assert tr.truth.moving_time_s == pytest.approx(10 * 300.0, rel=0.01)
    hr = tr.samples["heart_rate_bpm"].to_numpy()
    cad = tr.samples["cadence_spm"].to_numpy()
    assert 60 <= hr.min() and hr.max() <= 200 and 130 < hr.mean() < 185
    assert np.all(hr == np.round(hr)) and np.all(cad == np.round(cad))
    assert 160 < cad.mean() < 190


def test_local_time_name_and_offset() -> None:
    tr = synthetic_track(START, distance_m=5_000.0, utc_offset_s=-6 * 3600, seed=1)
    assert tr.truth.local_date == dt.date(2024, 3, 10)  # Sunday evening locally, Monday in UTC
    assert tr.samples.index[0].weekday() == 0
    assert tr.name == "Evening Run" and tr.utc_offset_s == -21600


def test_same_seed_same_track_and_bytes() -> None:
    a = synthetic_track(START, distance_m=6_000.0, pauses=1, seed=42)
    b = synthetic_track(START, distance_m=6_000.0, pauses=1, seed=42)
    c = synthetic_track(START, distance_m=6_000.0, pauses=1, seed=43)
    pd.testing.assert_frame_equal(a.samples, b.samples)
    assert fit_bytes(a) == fit_bytes(b)
    assert not a.samples["latitude_deg"].equals(c.samples["latitude_deg"])


def test_synthetic_track_decodes_with_fitdecode() -> None:
    tr = synthetic_track(START, distance_m=8_000.0, pauses=2, climb_m=50, seed=6)
    data = fit_bytes(tr, compressed_timestamps=True)
    records, session = 0, None
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        for f in reader:
            if isinstance(f, fitdecode.FitDataMessage) and f.name == "record":
                records += 1
            elif isinstance(f, fitdecode.FitDataMessage) and f.name == "session":
                session = f
    assert records == len(tr.samples)
    assert session is not None
    assert session.get_value("total_distance") == pytest.approx(8_000.0, abs=0.01)
    assert session.get_value("total_timer_time") == pytest.approx(tr.truth.moving_time_s)
    assert session.get_value("total_elapsed_time") == pytest.approx(tr.truth.elapsed_time_s)


# ---------------------------------------------------------------- plans


def _weeks(plan: HistoryPlan) -> list[list[PlannedRun]]:
    by_week: dict[dt.date, list[PlannedRun]] = defaultdict(list)
    for r in plan.runs:
        d = r.start_local.date()
        by_week[d - dt.timedelta(days=d.weekday())].append(r)
    return [by_week[k] for k in sorted(by_week)]


def _week_ratios(plan: HistoryPlan) -> list[float]:
    totals = [sum(r.distance_m for r in w) for w in _weeks(plan)]
    return [b / a for a, b in itertools.pairwise(totals)]


def _long_run_ratios(plan: HistoryPlan) -> list[float]:
    """Each run over the longest run of the 30 days before it."""
    runs = sorted(plan.runs, key=lambda r: r.start_local)
    out = []
    for i, r in enumerate(runs):
        prior = [
            p.distance_m for p in runs[:i] if r.start_local - p.start_local <= dt.timedelta(days=30)
        ]
        if len(prior) >= 8:
            out.append(r.distance_m / max(prior))
    return out


def _shoe_totals(plan: HistoryPlan) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for r in plan.runs:
        totals[r.gear or ""] += r.distance_m
    return dict(totals)


def test_steady_has_no_trigger() -> None:
    plan = preset("steady", seed=3)
    weeks = _weeks(plan)
    assert len(weeks) == 12 and all(len(w) == 4 for w in weeks)
    assert all(30_000 <= sum(r.distance_m for r in w) <= 40_000 for w in weeks)
    assert max(abs(x - 1) for x in _week_ratios(plan)) < 0.1
    assert max(_long_run_ratios(plan)) <= 1.1
    assert max(_shoe_totals(plan).values()) < 800_000
    assert {r.surface for r in plan.runs} == {"road"}
    assert plan.expected["fires"] is False


def test_distance_jump_and_its_quiet_counterpart() -> None:
    on, off = preset("distance_jump"), preset("distance_jump", trigger=False)
    assert max(_week_ratios(on)) >= 1.4
    assert max(_week_ratios(off)) <= 1.1
    totals = [sum(r.distance_m for r in w) for w in _weeks(off)]
    assert totals[-1] / totals[0] >= 1.4  # the same volume, reached gradually
    for plan in (on, off):  # no long-run spike mixed in
        assert max(_long_run_ratios(plan)) <= 1.1


def test_long_run_spike_and_its_quiet_counterpart() -> None:
    on, off = preset("long_run_spike"), preset("long_run_spike", trigger=False)
    assert max(_long_run_ratios(on)) > 1.3
    assert max(_long_run_ratios(off)) <= 1.1
    for plan in (on, off):  # the weekly volume does not jump
        assert max(abs(x - 1) for x in _week_ratios(plan)) < 0.1
    spike = max(on.runs, key=lambda r: r.distance_m)
    assert spike.start_local.date() == on.expected["date"]


def _road_share(plan: HistoryPlan) -> list[float]:
    return [
        sum(r.distance_m for r in w if r.surface != "treadmill") / sum(r.distance_m for r in w)
        for w in _weeks(plan)
    ]


def test_treadmill_to_road_and_its_quiet_counterpart() -> None:
    on, off = preset("treadmill_to_road"), preset("treadmill_to_road", trigger=False)
    share = _road_share(on)
    k = next(i for i, x in enumerate(share) if x > 0.5)
    assert k >= 4 and all(x <= 0.25 for x in share[:k]) and share[k] == 1.0
    assert abs(_week_ratios(on)[k - 1] - 1) < 0.1  # same volume
    # quiet: one more road run a week, the shortest first
    road_runs = [sum(r.surface == "road" for r in w) for w in _weeks(off)]
    assert max(np.diff(road_runs)) == 1 and road_runs[-1] == 4
    first = next(w for w in _weeks(off) if any(r.surface == "road" for r in w))
    (road,) = [r for r in first if r.surface == "road"]
    assert road.distance_m == min(r.distance_m for r in first)
    treadmill = [r for r in on.runs if r.surface == "treadmill"]
    assert all(not r.climb_m for r in treadmill)


def test_uphill_overload_and_its_quiet_counterpart() -> None:
    def ratios(plan: HistoryPlan) -> list[float]:
        asc = [sum(r.climb_m or 0.0 for r in w) for w in _weeks(plan)]
        return [asc[i] / np.mean(asc[i - 4 : i]) for i in range(4, len(asc))]

    on, off = preset("uphill_overload"), preset("uphill_overload", trigger=False)
    assert max(ratios(on)) >= 2.0
    assert max(ratios(off)) < 1.5
    for plan in (on, off):
        assert max(abs(x - 1) for x in _week_ratios(plan)) < 0.1


def test_worn_shoes_and_its_quiet_counterpart() -> None:
    on, off = preset("worn_shoes"), preset("worn_shoes", trigger=False)
    assert _shoe_totals(on)["Pegasus 40"] > 800_000
    assert max(_shoe_totals(off).values()) <= 800_000
    assert len(_shoe_totals(off)) == 2
    running = 0.0
    for r in sorted(on.runs, key=lambda r: r.start_local):
        running += r.distance_m
        if running > 800_000:
            assert r.start_local.date() == on.expected["crossing_date"]
            break
    assert off.expected["crossing_date"] is None


def _ankle(plan: HistoryPlan) -> list[tuple[int, float]]:
    out = []
    for w in _weeks(plan):
        tagged = [r for r in w if r.name and "ankle weights" in r.name.lower()]
        kgs = [float(r.name.split()[-2]) for r in tagged if r.name]
        assert all(r.notes and "ankle weights" in r.notes for r in tagged)
        out.append((len(tagged), max(kgs, default=0.0)))
    return out


def test_ankle_weights_and_its_quiet_counterpart() -> None:
    on = _ankle(preset("ankle_weights"))
    off = _ankle(preset("ankle_weights", trigger=False))
    first = next(i for i, (n, _) in enumerate(on) if n)
    assert on[first + 2][0] >= 3 and on[first + 2][1] >= 4 * on[first][1]
    assert max(n for n, _ in off) == 1
    kg = [k for n, k in off if n]
    assert len(kg) >= 6 and max(np.diff(kg)) <= 0.25


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_presets_are_deterministic_and_have_a_sunday_evening_run(scenario: str) -> None:
    plan = preset(scenario, seed=5)
    assert plan == preset(scenario, seed=5)
    assert plan.runs != preset(scenario, seed=6).runs
    # a Sunday-evening local run that is already Monday in UTC
    found = False
    for r in plan.runs:
        utc = r.start_local.replace(tzinfo=DENVER).astimezone(dt.UTC)
        found |= r.start_local.weekday() == 6 and utc.weekday() == 0
    assert found


def test_unknown_scenario() -> None:
    with pytest.raises(ValueError):
        preset("couch")
    with pytest.raises(ValueError):
        preset("steady", start=dt.date(2024, 1, 2))


# -------------------------------------------------------------- histories


def test_generated_history_matches_its_plan_across_dst() -> None:
    # Denver changes from UTC-7 to UTC-6 on 2024-03-10
    plan = preset("steady", weeks=2, start=dt.date(2024, 3, 4), sample_interval_s=5.0)
    items = generate_history(plan)
    runs = sorted(plan.runs, key=lambda r: r.start_local)
    assert len(items) == len(runs) == 8
    for item, run in zip(items, runs, strict=True):
        truth = item.track.truth
        local = run.start_local.replace(tzinfo=DENVER)
        assert truth.distance_m == run.distance_m
        assert truth.ascent_m == pytest.approx(run.climb_m or 0.0, abs=1e-6)
        assert truth.local_date == run.start_local.date()
        assert item.track.utc_offset_s == local.utcoffset().total_seconds()  # type: ignore[union-attr]
        assert item.track.samples.index[0] == pd.Timestamp(local).tz_convert("UTC")
        assert item.gear == run.gear
    offsets = {item.track.utc_offset_s for item in items}
    assert offsets == {-7 * 3600, -6 * 3600}


def _read_fit(path: Path) -> tuple[int, float]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    records, distance = 0, math.nan
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        for f in reader:
            if isinstance(f, fitdecode.FitDataMessage) and f.name == "record":
                records += 1
            elif isinstance(f, fitdecode.FitDataMessage) and f.name == "session":
                distance = f.get_value("total_distance")
    return records, distance


def test_write_history_fit_files_decode(tmp_path: Path) -> None:
    plan = preset("treadmill_to_road", weeks=2, sample_interval_s=3.0)
    items = generate_history(plan)
    paths = write_history(items, tmp_path / "h", formats=("fit",), manifest=True)
    assert len(paths) == len(items)
    assert [p.name.endswith(".gz") for p in paths] == [i % 3 == 2 for i in range(len(paths))]
    for path, item in zip(paths, items, strict=True):
        records, distance = _read_fit(path)
        assert records == len(item.track.samples)
        assert distance == pytest.approx(item.track.truth.distance_m, abs=0.01)
    with open(tmp_path / "h" / "manifest.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["filename"] for r in rows] == [p.name for p in paths]
    assert {r["gear"] for r in rows} == {"Pegasus 40"}
    # same plan, same bytes
    again = write_history(plan, tmp_path / "again", formats=("fit",))
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]


def test_write_history_all_formats(tmp_path: Path) -> None:
    plan = preset("treadmill_to_road", weeks=2, sample_interval_s=5.0, trigger=False)
    paths = write_history(plan, tmp_path, gzip_some=False)
    suffixes = [p.suffix for p in paths]
    assert set(suffixes) == {".fit", ".gpx", ".tcx"}
    by_name = {r.start_local.strftime("%Y-%m-%d_%H%M"): r for r in plan.runs}
    for p in paths:
        run = by_name[p.name[:15]]
        if run.surface == "treadmill":  # GPX cannot hold a run without positions
            assert p.suffix != ".gpx"
        head = p.read_bytes()[:200]
        if p.suffix == ".fit":
            assert head[8:12] == b".FIT"
        else:
            assert head.lstrip().startswith(b"<")


def test_twelve_weeks_generate_and_write_in_seconds(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    paths = write_history(preset("steady"), tmp_path, formats=("fit",))
    elapsed = time.perf_counter() - t0
    assert len(paths) == 48
    assert elapsed < 15.0  # about 2 s on the development machine
