"""The writers' new options and the labelled histories do what they say.

Expected values come from the request (speeds, offsets, volumes), from the
written files parsed here with ElementTree and fitdecode (not runload's
readers), from a haversine written in this file and from zoneinfo.  No rule
outcome is asserted: the rules change; ``benchmarks/validate_rules.py`` judges them.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import fitdecode
import numpy as np
import pandas as pd
import pytest
import scenarios
from scenarios import ExpectedItem, scenario, write_scenario

from runload.testing.fit import fit_bytes
from runload.testing.gpx import gpx_bytes
from runload.testing.history import generate_history, synthetic_track, write_history
from runload.testing.tcx import tcx_bytes

R_EARTH_M = 6_371_008.8
START = pd.Timestamp("2024-06-02T10:00:00Z")
GPX = "{http://www.topografix.com/GPX/1/1}"
TPX = "{http://www.garmin.com/xmlschemas/TrackPointExtension/v1}"


def _path_m(lat: np.ndarray, lon: np.ndarray) -> float:
    """Length of a polyline on the sphere (haversine). [m]"""
    p1, p2 = np.radians(lat[:-1]), np.radians(lat[1:])
    dl = np.radians(lon[1:] - lon[:-1])
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(np.sum(2 * R_EARTH_M * np.arcsin(np.sqrt(a))))


def _gpx(data: bytes) -> dict[str, object]:
    """What a GPX document holds, parsed with ElementTree."""
    root = ET.fromstring(data)
    trk = root.find(f"{GPX}trk")
    assert trk is not None
    points = trk.findall(f".//{GPX}trkpt")
    ele_text = [p.findtext(f"{GPX}ele") for p in points]
    cad = [p.findtext(f".//{TPX}cad") for p in points]
    return {
        "type": trk.find(f"{GPX}type"),
        "name": trk.findtext(f"{GPX}name"),
        "lat": np.array([float(p.get("lat")) for p in points]),
        "lon": np.array([float(p.get("lon")) for p in points]),
        "ele_text": ele_text,
        "ele": np.array([float(t) for t in ele_text if t is not None]),
        "time": pd.DatetimeIndex([p.findtext(f"{GPX}time") for p in points]),
        "time_text": [p.findtext(f"{GPX}time") for p in points],
        "cad": np.array([float(c) for c in cad if c is not None]),
    }


def _fit_messages(data: bytes) -> dict[str, list[fitdecode.FitDataMessage]]:
    out: dict[str, list[fitdecode.FitDataMessage]] = defaultdict(list)
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                out[frame.name].append(frame)
    return out


# ------------------------------------------------------------ untyped files


def test_an_untyped_run_is_written_without_a_type_and_named_like_morning_run() -> None:
    tr = synthetic_track(
        START, distance_m=8_000.0, sport=None, utc_offset_s=-4 * 3600, seed=2, route="loop"
    )
    g = _gpx(gpx_bytes(tr))
    assert g["type"] is None
    assert b"<type>" not in gpx_bytes(tr)
    assert g["name"] == "Morning Run"  # 06:00 local
    # a run: per-foot cadence about 80-95 (160-190 steps/min), 8 km in about 44 min
    assert 78 <= np.median(g["cad"]) <= 95
    assert tr.truth.motion == "run" and tr.truth.sport_in_file is None
    # FIT has to say something: generic
    (sport,) = _fit_messages(fit_bytes(tr))["sport"]
    assert sport.get_value("sport") == "generic"
    assert b'Sport="Other"' in tcx_bytes(tr)


@pytest.mark.parametrize(("name", "cadence"), [("Lunch Ride", True), ("", False)])
def test_an_untyped_ride_goes_at_7_m_s_with_rpm_cadence_or_none(name: str, cadence: bool) -> None:
    tr = synthetic_track(
        START,
        distance_m=30_000.0,
        pace_s_per_km=1000.0 / 7.0,
        sport=None,
        motion="ride",
        name=name,
        record_cadence=cadence,
        seed=5,
    )
    data = gpx_bytes(tr)
    g = _gpx(data)
    assert g["type"] is None
    assert g["name"] == (name or None)
    assert b"<name>" in data if name else b"<name>" not in data
    seconds = (g["time"][-1] - g["time"][0]).total_seconds()
    speed = _path_m(tr.truth.latitude_deg, tr.truth.longitude_deg) / seconds
    assert speed == pytest.approx(7.0, rel=0.03)
    if cadence:  # crank revolutions per minute, written as they are (not halved)
        assert np.median(g["cad"]) == pytest.approx(85.0, abs=3)
    else:
        assert g["cad"].size == 0
    # heart rate of a steady ride, not pinned at a runner's maximum
    assert tr.samples["heart_rate_bpm"].median() < 175


def test_a_walk_labelled_as_a_run() -> None:
    tr = synthetic_track(
        START,
        distance_m=5_000.0,
        pace_s_per_km=1000.0 / 1.4,
        sport="running",
        motion="walk",
        seed=8,
        sample_interval_s=5.0,
    )
    msgs = _fit_messages(fit_bytes(tr))
    assert msgs["session"][0].get_value("sport") == "running"
    # 1.4 m/s throughout: every 5-minute stretch of the true path
    t = (tr.samples.index - tr.samples.index[0]).total_seconds().to_numpy()
    d = tr.truth.distance_along_m
    edges = np.arange(0.0, t[-1], 300.0)
    at = np.interp(edges, t, d)
    speeds = np.diff(at) / 300.0
    assert np.all((speeds > 1.1) & (speeds < 1.7))
    # a walker's cadence (steps/min), well below a runner's 160+
    cadence = np.array([m.get_value("cadence") for m in msgs["record"]], dtype=float) * 2
    assert 100 <= np.median(cadence) <= 130
    assert tr.truth.motion == "walk"


def test_plans_count_only_what_was_run() -> None:
    plan = scenario("untyped_gpx")
    rides = [r for r in plan.runs if r.motion == "ride"]
    assert rides and all(r.sport is None for r in rides)
    assert all(r.sport is None for r in plan.runs)
    weekly = plan.weekly_distance_m()
    assert set(np.round(np.array(list(weekly.values())) / 1000.0, 1)) == {30.0}


# ----------------------------------------------------------------- elevation


def _phone(offset_m: float | None, *, seed: int = 4, noise_m: float | None = None):
    return synthetic_track(
        START,
        distance_m=12_000.0,
        hilliness_m=1.0,
        base_elevation_m=5.0,
        elevation_model="phone",
        elevation_offset_m=offset_m,
        elevation_noise_m=noise_m,
        seed=seed,
        route="loop",
    )


def test_phone_altitude_is_noisy_quantised_and_below_sea_level_when_asked() -> None:
    tr = _phone(-120.0)
    g = _gpx(gpx_bytes(tr))
    # whole metres, as phone apps write them
    assert all(t is not None and "." not in t for t in g["ele_text"])
    ele = g["ele"]
    assert ele.max() < 0.0  # a riverside route 5 m up, recorded 100+ m below sea level
    truth = tr.truth.elevation_m
    assert truth.max() - truth.min() == pytest.approx(1.0, rel=0.05)  # flat, truly
    err = ele - truth
    assert np.mean(err) == pytest.approx(-120.0, abs=15.0)
    assert 5.0 <= np.std(err) <= 20.0
    # climbing made of noise: a flat run "climbs" hundreds of metres, sample by sample
    assert tr.truth.ascent_m < 3.0
    assert np.clip(np.diff(ele), 0, None).sum() > 200.0
    assert tr.truth.elevation_model == "phone" and tr.truth.elevation_offset_m == -120.0


def test_phone_altitude_jumps_and_the_noise_level_follows_the_request() -> None:
    quiet = _phone(0.0, noise_m=5.0, seed=9)
    loud = _phone(0.0, noise_m=15.0, seed=9)
    sd = [np.std(t.samples["elevation_m"].to_numpy() - t.truth.elevation_m) for t in (quiet, loud)]
    assert sd[0] < sd[1]
    # jumps: one-second steps far beyond what a 60 s wander gives (4 per hour by default)
    steps = [
        np.abs(np.diff(_phone(0.0, seed=s).samples["elevation_m"].to_numpy())).max()
        for s in range(6)
    ]
    assert max(steps) > 8.0


def test_barometric_elevation_is_smooth_for_comparison() -> None:
    baro = synthetic_track(
        START, distance_m=12_000.0, hilliness_m=1.0, base_elevation_m=5.0, seed=4, route="loop"
    )
    ele = baro.samples["elevation_m"].to_numpy()
    assert not np.all(ele == np.rint(ele))
    err = ele - baro.truth.elevation_m
    assert np.std(err) < 4.0
    assert np.abs(np.diff(ele)).max() < 2.0
    assert baro.truth.elevation_model == "barometric"


def test_the_same_seed_gives_the_same_run_whichever_device_recorded_it() -> None:
    kw = {"distance_m": 6_000.0, "climb_m": 40.0, "seed": 12, "route": "loop"}
    baro = synthetic_track(START, **kw)
    phone = synthetic_track(START, elevation_model="phone", **kw)
    np.testing.assert_array_equal(baro.truth.elevation_m, phone.truth.elevation_m)
    np.testing.assert_array_equal(baro.samples["heart_rate_bpm"], phone.samples["heart_rate_bpm"])
    assert not np.allclose(baro.samples["elevation_m"], phone.samples["elevation_m"])


# --------------------------------------------------------- routes and devices


def test_a_route_seed_fixes_the_path_whatever_the_seed() -> None:
    a = synthetic_track(START, distance_m=7_000.0, climb_m=42.0, route_seed=3, route="loop", seed=1)
    b = synthetic_track(START, distance_m=7_000.0, climb_m=42.0, route_seed=3, route="loop", seed=2)
    # same true path, sampled at (slightly) different distances: compare on a common grid
    grid = np.linspace(0.0, 7_000.0, 500)
    for name in ("latitude_deg", "longitude_deg", "elevation_m"):
        ta, tb = getattr(a.truth, name), getattr(b.truth, name)
        np.testing.assert_allclose(
            np.interp(grid, a.truth.distance_along_m, ta),
            np.interp(grid, b.truth.distance_along_m, tb),
            rtol=0,
            atol=1e-6 if name != "elevation_m" else 0.05,
        )
    assert not np.array_equal(a.samples["latitude_deg"], b.samples["latitude_deg"])


def test_device_switch_keeps_the_routes_and_the_true_climb(tmp_path) -> None:
    plan = scenario("device_switch", sample_interval_s=10.0)
    weekly_ascent = list(plan.weekly_ascent_m().values())
    assert len(weekly_ascent) == 16 and max(weekly_ascent) - min(weekly_ascent) < 1e-6
    items = generate_history(plan)
    switch = plan.expected["switch_week"]
    for item, run in zip(items, sorted(plan.runs, key=lambda r: r.start_local), strict=True):
        phone = run.start_local.date() >= switch
        assert item.format == ("gpx" if phone else "fit")
        assert item.track.truth.elevation_model == ("phone" if phone else "barometric")
    # the same slot of week 1 and week 16 is the same true route
    first, last = items[0].track.truth, items[-4].track.truth
    assert first.distance_m == last.distance_m
    assert first.ascent_m == pytest.approx(last.ascent_m, abs=1e-9)
    assert _path_m(first.latitude_deg, first.longitude_deg) == pytest.approx(
        _path_m(last.latitude_deg, last.longitude_deg), rel=1e-3
    )
    paths = write_history(plan, tmp_path, gzip_some=False)
    assert Counter(p.suffix for p in paths) == {".fit": 32, ".gpx": 32}


def test_a_point_to_point_race_descends_what_was_asked() -> None:
    tr = synthetic_track(
        START,
        distance_m=12_000.0,
        route="point_to_point",
        elevation_change_m=-1_000.0,
        climb_m=40.0,
        base_elevation_m=2_600.0,
        seed=6,
    )
    z = tr.truth.elevation_m
    assert z[0] - z[-1] == pytest.approx(1_000.0, abs=0.5)
    d = np.diff(z)
    assert d[d > 0].sum() == pytest.approx(40.0, rel=0.02)
    assert -d[d < 0].sum() == pytest.approx(1_040.0, rel=0.01)
    # it ends far from where it started
    assert _path_m(tr.truth.latitude_deg[[0, -1]], tr.truth.longitude_deg[[0, -1]]) > 1_000.0
    with pytest.raises(ValueError, match="point_to_point"):
        synthetic_track(START, distance_m=5_000.0, route="loop", elevation_change_m=-100.0)


# ------------------------------------------------------------------ calendar


def test_the_new_york_sunday_evening_run_is_sunday_in_new_york(tmp_path) -> None:
    from runload import read_activity

    plan = scenario("new_york_sunday")
    spike_local = plan.expected["spike_local"]
    assert spike_local.weekday() == 6 and spike_local.time() >= dt.time(20, 0)
    items = generate_history(plan)
    (item,) = [
        i
        for i in items
        if i.track.truth.start_time_utc
        == pd.Timestamp(spike_local.replace(tzinfo=ZoneInfo("America/New_York"))).tz_convert("UTC")
    ]
    assert item.format == "gpx"
    data = gpx_bytes(item.track)
    g = _gpx(data)
    # UTC times only: no offset anywhere in the file, and the first one is Monday in UTC and Zurich
    assert all(t.endswith("Z") for t in g["time_text"])
    first = g["time"][0]
    assert first.tz_convert("UTC").weekday() == 0
    assert first.tz_convert("Europe/Zurich").weekday() == 0
    assert first.tz_convert("America/New_York").weekday() == 6
    # positions in New York (Central Park)
    assert abs(g["lat"][0] - 40.78) < 0.01 and abs(g["lon"][0] + 73.97) < 0.01
    path = tmp_path / "sunday.gpx"
    path.write_bytes(data)
    activity = read_activity(path)
    assert activity.local_date == spike_local.date()
    assert activity.local_date.weekday() == 6


# ------------------------------------------------------------------ the plans


def _weekly_km(plan) -> list[float]:
    return [round(v / 1000.0, 1) for v in plan.weekly_distance_m().values()]


def test_cutback_blocks_are_40_44_48_24() -> None:
    assert _weekly_km(scenario("cutback_blocks")) == [40.0, 44.0, 48.0, 24.0] * 4


def _mondays_with_runs(plan) -> list[dt.date]:
    return sorted(
        {r.start_local.date() - dt.timedelta(days=r.start_local.weekday()) for r in plan.runs}
    )


def test_return_after_six_weeks_off() -> None:
    for name, jog in (
        ("return_after_break", False),
        ("return_with_jog", True),
        ("return_full_week", False),
    ):
        plan = scenario(name)
        weekly = plan.weekly_distance_m()
        mondays = sorted(weekly)
        before = [m for m in mondays if m < dt.date(2024, 3, 11)]
        assert [round(weekly[m] / 1000) for m in before] == [35] * 10
        break_start, break_end = plan.expected["break_weeks"]
        in_break = [
            r
            for r in plan.runs
            if break_start <= r.start_local.date() <= break_end + dt.timedelta(days=6)
        ]
        assert [r.distance_m for r in in_break] == ([2_000.0] if jog else [])
        last_before = max(r.start_local for r in plan.runs if r.start_local.date() < break_start)
        first_after = min(r.start_local for r in plan.runs if r.start_local.date() > break_end)
        assert (first_after.date() - last_before.date()).days >= 42
        (item,) = plan.expected["items"]
        if name == "return_full_week":
            assert round(weekly[plan.expected["return_week"]]) == 35_000
            assert item.date == plan.expected["return_week"]
        else:
            first = next(r for r in plan.runs if r.start_local == first_after)
            assert first.distance_m == 20_000.0 and item.date == first_after.date()
            longest_before = max(r.distance_m for r in plan.runs if r.start_local < last_before)
            assert longest_before < 13_000.0


def test_beginners() -> None:
    plan = scenario("beginner_growth")
    km = np.array(list(plan.weekly_distance_m().values()))
    ratios = km[1:5] / km[:4]
    assert np.all(ratios > 1.30)
    per_week = Counter(_mondays_of(plan))
    assert set(per_week.values()) == {3}
    assert [i.date for i in plan.expected["items"]] == sorted(per_week)[1:5]
    plan = scenario("beginner_long_run")
    runs = sorted(plan.runs, key=lambda r: r.start_local)
    assert [r.distance_m for r in runs[:3]] == [4_000.0] * 3
    longest = max(runs, key=lambda r: r.distance_m)
    assert longest.distance_m == 15_000.0
    assert (longest.start_local.date() - runs[0].start_local.date()).days < 14


def _mondays_of(plan) -> list[dt.date]:
    return [r.start_local.date() - dt.timedelta(days=r.start_local.weekday()) for r in plan.runs]


@pytest.mark.parametrize("name", ["trail_holiday_off", "trail_holiday_flat"])
def test_trail_climbing_with_a_holiday(name: str) -> None:
    plan = scenario(name)
    ascent = plan.weekly_ascent_m()
    holiday = set(plan.expected["holiday_weeks"])
    usual = [a for m, a in ascent.items() if m not in holiday and m != plan.expected["back_week"]]
    assert all(950.0 <= a <= 1_050.0 for a in usual)
    assert all(ascent.get(m, 0.0) < 100.0 for m in holiday)
    trail = [r for r in plan.runs if _monday(r) not in holiday]
    assert all(r.surface == "trail" for r in trail)


def _monday(run) -> dt.date:
    d = run.start_local.date()
    return d - dt.timedelta(days=d.weekday())


def test_treadmill_transitions() -> None:
    abrupt = scenario("treadmill_abrupt").expected["road_share"]
    gradual = scenario("treadmill_gradual").expected["road_share"]
    for shares in (abrupt, gradual):
        assert all(s <= 0.2 for s in shares[:5])  # 4+ weeks at >= 80 % treadmill
    assert all(s == 1.0 for s in abrupt[5:])
    steps = gradual[4:9]
    assert all(b > a for a, b in itertools.pairwise(steps)) and steps[-1] == 1.0
    assert max(b - a for a, b in itertools.pairwise(steps)) <= 0.35
    for name in ("treadmill_abrupt", "treadmill_gradual"):
        assert set(_weekly_km(scenario(name))) == {30.0}


def test_downhill_race_descends_a_kilometre_after_flat_training() -> None:
    plan = scenario("downhill_race", sample_interval_s=30.0)
    (race,) = [r for r in plan.runs if r.route == "point_to_point"]
    assert race.start_local.date() == plan.expected["items"][0].date
    others = [r for r in plan.runs if r is not race]
    assert max(r.climb_m or 0.0 for r in others) < 25.0
    (track,) = [
        i.track
        for i in generate_history(plan)
        if i.track.truth.distance_m == race.distance_m and i.track.name == race.name
    ]
    assert track.truth.descent_m == pytest.approx(1_040.0, rel=0.02)


def test_ankle_weight_notes_negated_then_real() -> None:
    plan = scenario("ankle_weight_notes")
    notes = [(r.start_local.date(), r.notes) for r in plan.runs if r.notes]
    negated = [n for _, n in notes if "no ankle" in n.lower() or "without" in n.lower()]
    real = [n for _, n in notes if n not in negated]
    assert len(negated) == 4 and len(real) == 4
    assert {"ankle wts", "AW session", "Easy run with ankle weights 1 kg"} <= set(real)
    tagged = [r for r in plan.runs if r.tags]
    assert [r.tags for r in tagged] == [("ankle weights",)]
    (item,) = plan.expected["items"]
    assert all(_monday(r) == item.date for r in tagged)
    # every negated note comes before every real one
    assert max(d for d, n in notes if n in negated) < min(d for d, n in notes if n in real)


def test_an_ordinary_year() -> None:
    plan = scenario("ordinary_year")
    weekly = plan.weekly_distance_m()
    per_week = Counter(_mondays_of(plan))
    assert len(weekly) == 50  # 52 weeks less a two-week holiday
    assert set(per_week.values()) <= {3, 4}
    km = np.array(list(weekly.values())) / 1000.0
    assert km.max() <= 40.5 and np.median(km) >= 25.0
    # mostly road, some hills
    assert all(r.surface == "road" for r in plan.runs)
    per_km = np.array([(r.climb_m or 0.0) / r.distance_m * 1000 for r in plan.runs])
    assert 0.15 < np.mean(per_km > 10) < 0.45
    # two shoes in rotation, each retired before 800 km
    mileage = Counter()
    for r in plan.runs:
        mileage[r.gear] += r.distance_m
    assert len(mileage) == 3 and max(mileage.values()) < 800_000.0
    runs = sorted(plan.runs, key=lambda r: r.start_local)
    assert runs[0].gear != runs[1].gear
    (race,) = [r for r in runs if r.distance_m == 21_100.0]
    assert race.start_local.date() == plan.expected["race_date"]
    assert plan.expected["max_other_serious"] == 2 and plan.expected["items"] == ()


@pytest.mark.parametrize("name", scenarios.SCENARIO_NAMES)
def test_every_plan_states_what_it_expects(name: str) -> None:
    plan = scenario(name)
    exp = plan.expected
    assert exp["scenario"] == name and exp["description"]
    assert exp["write_as"] in ("files", "strava_export")
    items = exp["items"]
    assert all(isinstance(i, ExpectedItem) and i.triggers for i in items)
    if not items and exp["judged"]:
        assert exp["max_other_serious"] is not None  # a quiet history is judged on its quiet
    mondays = set(_mondays_of(plan))
    for item in items:  # every expected case falls in a week with runs
        assert item.date - dt.timedelta(days=item.date.weekday()) in mondays


def test_expected_items_match_in_the_same_iso_week() -> None:
    item = ExpectedItem(("long_run_spike",), dt.date(2024, 2, 18))  # a Sunday
    assert item.matches("long_run_spike", dt.date(2024, 2, 12), "moderate")
    assert not item.matches("long_run_spike", dt.date(2024, 2, 19), "high")  # Monday: next week
    assert not item.matches("long_run_spike", dt.date(2024, 2, 18), "low")
    assert not item.matches("distance_jump", dt.date(2024, 2, 18), "high")


def test_write_scenario_writes_a_strava_export_for_rotated_shoes(tmp_path) -> None:
    plan = scenario("ordinary_year", sample_interval_s=60.0)
    plan = type(plan)(**{**plan.__dict__, "runs": plan.runs[:6]})
    out = write_scenario(plan, tmp_path)
    table = pd.read_csv(out / "activities.csv")
    gear_col = next(c for c in table.columns if "gear" in c.lower())
    assert list(table[gear_col]) == [r.gear for r in sorted(plan.runs, key=lambda r: r.start_local)]


def test_walks_saved_as_runs_are_labelled_running_but_left_out_of_the_run_volume() -> None:
    plan = scenario("walks_as_runs", sample_interval_s=30.0)
    walks = [r for r in plan.runs if r.motion == "walk"]
    assert len(walks) == 10 and all(r.sport == "running" for r in walks)
    assert max(r.distance_m for r in walks) == 20_000.0
    assert set(_weekly_km(plan)) == {30.0}
    (long_walk,) = [i.track for i in generate_history(plan) if i.track.truth.distance_m == 20_000.0]
    moving_speed = long_walk.truth.distance_m / long_walk.truth.moving_time_s
    assert moving_speed == pytest.approx(1.4, rel=0.02)
    assert long_walk.sport == "running" and long_walk.truth.motion == "walk"
