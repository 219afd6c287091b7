"""The sport vocabulary (runload.sports), names, and inferring the sport of unlabelled activities.

The synthetic activities are built here with numpy; their expected sports follow from the
documented thresholds and the speeds chosen (a 3 m/s run is 5:33 min/km), not from running
the classifier.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from corpus import CORPUS, needs_corpus

import runload.io.garmin as garmin_io
import runload.io.gpx as gpx_io
import runload.io.strava as strava_io
import runload.io.tcx as tcx_io
from runload import load, schema, sports
from runload.sports import (
    FOOT_SPORTS,
    SportGuess,
    garmin_sport,
    gpx_sport,
    infer_sport,
    sport_from_name,
    strava_sport,
    tcx_sport,
)

START = pd.Timestamp("2024-05-01 06:00", tz="UTC")


def frame(
    speed_m_s: np.ndarray,
    *,
    cadence_spm: np.ndarray | float = math.nan,
    power_w: np.ndarray | float = math.nan,
    elevation_m: np.ndarray | float = math.nan,
    step_s: float = 1.0,
    with_speed: bool = True,
    times_s: np.ndarray | None = None,
) -> pd.DataFrame:
    """A samples frame whose distance integrates ``speed_m_s`` (one value per sample)."""
    speed = np.asarray(speed_m_s, dtype=float)
    t = np.arange(speed.size) * step_s if times_s is None else np.asarray(times_s, dtype=float)
    dt = np.diff(t, prepend=t[:1])
    distance = np.cumsum(speed * dt)
    index = pd.DatetimeIndex(START + pd.to_timedelta(t, unit="s"), name="time")
    n = speed.size
    cols = {
        "latitude_deg": np.full(n, math.nan),
        "longitude_deg": np.full(n, math.nan),
        "elevation_m": np.broadcast_to(elevation_m, n).astype(float),
        "distance_m": distance,
        "speed_m_s": speed if with_speed else np.full(n, math.nan),
        "heart_rate_bpm": np.full(n, math.nan),
        "cadence_spm": np.broadcast_to(cadence_spm, n).astype(float),
        "power_w": np.broadcast_to(power_w, n).astype(float),
    }
    return pd.DataFrame({c: cols[c] for c in schema.SAMPLE_COLUMNS}, index=index)


def jitter(rng: np.random.Generator, centre: float, spread: float, n: int) -> np.ndarray:
    """``n`` values uniformly within ``centre ± spread``."""
    return centre + rng.uniform(-spread, spread, n)


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Running", ("running", None)),
        ("run", ("running", None)),
        ("9", ("running", None)),  # Strava's number for a run
        ("1", ("cycling", None)),  # Strava's number for a ride
        ("  Trail   Run ", ("running", "trail")),
        ("treadmill_running", ("running", "treadmill")),
        ("Biking", ("cycling", None)),
        ("Hike", ("hiking", None)),
        ("Kayak", ("kayak", None)),  # unknown text kept, lower case
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_gpx_types(text: str | None, expected: tuple[str | None, str | None]) -> None:
    assert gpx_sport(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Running", "running"), ("Biking", "cycling"), ("Other", "generic"), ("", None), (None, None)],
)
def test_tcx_sports(text: str | None, expected: str | None) -> None:
    assert tcx_sport(text) == expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("Run", ("running", None)),
        ("Trail Run", ("running", "trail")),
        ("VirtualRide", ("cycling", "virtual_activity")),
        ("E-Bike Ride", ("cycling", "e_bike_fitness")),
        ("Walk", ("walking", None)),
        ("Stand Up Paddling", ("stand_up_paddleboarding", None)),
        ("Badminton", ("badminton", None)),
        (None, (None, None)),
    ],
)
def test_strava_types(kind: str | None, expected: tuple[str | None, str | None]) -> None:
    assert strava_sport(kind) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("running", ("running", None)),
        ("treadmill_running", ("running", "treadmill")),
        ("road_biking", ("cycling", "road")),
        ("Hiking", ("hiking", None)),
        ("open_water_swimming", ("swimming", "open_water")),
        ("padel", ("padel", None)),
        ("", (None, None)),
    ],
)
def test_garmin_types(key: str, expected: tuple[str | None, str | None]) -> None:
    assert garmin_sport(key) == expected


def test_readers_use_the_one_vocabulary() -> None:
    assert gpx_io.gpx_sport is sports.gpx_sport
    assert tcx_io.tcx_sport is sports.tcx_sport
    assert strava_io.strava_sport is sports.strava_sport
    assert strava_io.STRAVA_TYPES is sports.STRAVA_TYPES
    assert garmin_io.garmin_sport is sports.garmin_sport
    assert garmin_io.GARMIN_TYPES is sports.GARMIN_TYPES


def test_groups_agree_with_their_users() -> None:
    # schema and load keep their names; the sets must not drift apart from sports.py.
    assert frozenset(schema.FOOT_SPORTS) == FOOT_SPORTS
    assert frozenset(load.RUNNING_SPORTS) == sports.RUNNING_SPORTS
    assert {"running", "walking", "hiking"} <= FOOT_SPORTS
    assert "cycling" not in FOOT_SPORTS
    assert "treadmill" in sports.TREADMILL_SUB_SPORTS


def test_every_table_maps_to_lower_case_names() -> None:
    pairs = [*sports.GPX_TYPES.values(), *sports.STRAVA_TYPES.values()]
    pairs += [*sports.GARMIN_TYPES.values()]
    for sport, sub in pairs:
        assert sport == sport.lower() and " " not in sport
        assert sub is None or (sub == sub.lower() and " " not in sub)
    assert set(sports.TCX_SPORTS.values()) == {"running", "cycling", "generic"}


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Morning Run", "running"),
        ("EASY RUN 10K", "running"),
        ("Saturday parkrun", "running"),
        ("Abendlauf", "running"),
        ("Lauf am Morgen", "running"),
        ("Course à pied le matin", "running"),
        ("Carrera de mañana", "running"),
        ("Corsa mattutina", "running"),
        ("Hardlopen met de club", "running"),
        ("Ochtendloop", "running"),
        ("Sexta-Feira Corrida Matutina", "running"),
        ("Lunch Ride", "cycling"),
        ("Radfahrt am Nachmittag", "cycling"),
        ("Sortie vélo", "cycling"),
        ("Giro in bici", "cycling"),
        ("Ochtendrit", "cycling"),
        ("Evening Walk", "walking"),
        ("Spaziergang", "walking"),
        ("Morgenspaziergang", "walking"),
        ("Wandeling in het bos", "walking"),
        ("Caminhada matinal", "walking"),
        ("Afternoon Hike", "hiking"),
        ("Wanderung am Morgen", "hiking"),
        ("Randonnée au lac", "hiking"),
        ("Pool swim", "swimming"),
    ],
)
def test_names_that_say_a_sport(name: str, expected: str) -> None:
    assert sport_from_name(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        None,
        "",
        "Afternoon Activity",
        "Brunch with friends",  # "run" inside a word
        "Rerun of Tuesday",
        "Golf course",  # bare "course" is not a run
        "Loop around the lake",  # English loop, not Dutch "loop"
        "Trek Madone",  # a bicycle, not a trek
        "Verlauf",  # German for "progress"
        "Run to the bike shop",  # two sports: the title cannot say which was recorded
        "Walk/run intervals",
        "Bike + run brick",
    ],
)
def test_names_that_stay_unknown(name: str | None) -> None:
    assert sport_from_name(name) is None


# ---------------------------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------------------------


def test_steady_run_with_running_cadence() -> None:
    rng = np.random.default_rng(1)
    n = 1800  # 30 min at 3 m/s (5:33 min/km), 85 strides/min per foot = 170 steps/min
    guess = infer_sport(frame(jitter(rng, 3.0, 0.3, n), cadence_spm=jitter(rng, 170, 4, n)))
    assert isinstance(guess, SportGuess)
    assert guess.sport == "running"
    assert guess.speed_p50_m_s == pytest.approx(3.0, abs=0.1)
    assert guess.speed_p90_m_s == pytest.approx(3.24, abs=0.1)  # uniform ±0.3: 2.7 + 0.9 * 0.6
    assert guess.cadence_p50_spm == pytest.approx(170, abs=2)
    assert guess.moving_time_s == pytest.approx(n - 1)
    assert "p50 3.0 m/s" in guess.reason


def test_speed_from_distance_when_speed_is_missing() -> None:
    rng = np.random.default_rng(2)
    samples = frame(jitter(rng, 3.0, 0.3, 1200), with_speed=False, step_s=2.0)
    guess = infer_sport(samples)
    assert guess.sport == "running"
    assert guess.speed_p50_m_s == pytest.approx(3.0, abs=0.1)


def test_ride() -> None:
    rng = np.random.default_rng(3)
    n = 3600  # 7 m/s = 25 km/h, pedalling at 85 rpm with some coasting and power
    cadence = np.where(rng.uniform(size=n) < 0.2, 0.0, 85.0)
    guess = infer_sport(frame(jitter(rng, 7.0, 1.5, n), cadence_spm=cadence, power_w=180.0))
    assert guess.sport == "cycling"
    assert guess.speed_p50_m_s == pytest.approx(7.0, abs=0.15)
    assert guess.coasting_fraction == pytest.approx(0.2, abs=0.03)
    assert guess.power_fraction == pytest.approx(1.0)


def test_slow_ride_that_coasts_is_a_ride() -> None:
    # 4 m/s is a running speed; a quarter of the moving time with the cranks still is not.
    rng = np.random.default_rng(4)
    n = 2400
    cadence = np.where(rng.uniform(size=n) < 0.25, 0.0, 150.0)  # 75 rpm, doubled by a reader
    guess = infer_sport(frame(jitter(rng, 4.0, 0.5, n), cadence_spm=cadence))
    assert guess.sport == "cycling"


def test_hilly_ride_at_running_median_is_never_a_run() -> None:
    # Climbing at 2.5 m/s for 88 % of the time, descending at 7 m/s for 12 %: the median is
    # a jog, the 95th percentile is not; no cadence to tell.
    n = 3000
    speed = np.where(np.arange(n) % 100 < 88, 2.5, 7.0)
    guess = infer_sport(frame(speed))
    assert guess.sport is None
    assert guess.speed_p50_m_s == pytest.approx(2.5)
    assert guess.speed_p95_m_s == pytest.approx(7.0)


def test_fast_steady_speed_between_run_and_ride_is_unknown() -> None:
    guess = infer_sport(frame(np.full(1800, 5.5)))  # 3:02 min/km, or 19.8 km/h
    assert guess.sport is None


def test_walk() -> None:
    rng = np.random.default_rng(5)
    n = 2400  # 1.3 m/s = 4.7 km/h, 55 strides/min per foot = 110 steps/min, flat
    samples = frame(jitter(rng, 1.3, 0.2, n), cadence_spm=jitter(rng, 110, 4, n), elevation_m=20.0)
    guess = infer_sport(samples)
    assert guess.sport == "walking"
    assert guess.speed_p50_m_s == pytest.approx(1.3, abs=0.05)


def test_hike() -> None:
    rng = np.random.default_rng(6)
    n = 3 * 3600  # 1.0 m/s for 3 h: 10.8 km, climbing 700 m (65 m/km)
    elevation = np.linspace(500.0, 1200.0, n)
    guess = infer_sport(frame(jitter(rng, 1.0, 0.2, n), elevation_m=elevation))
    assert guess.sport == "hiking"
    assert guess.elevation_range_m == pytest.approx(700.0)


def test_stop_and_go_run_recorded_through_the_stops() -> None:
    # 60 s running at 3.2 m/s, then 120 s standing at a crossing, recorded every second:
    # two thirds of the samples stand still; the moving ones still say running.
    cycle = np.concatenate([np.full(60, 3.2), np.zeros(120)])
    guess = infer_sport(frame(np.tile(cycle, 15)))
    assert guess.sport == "running"
    assert guess.speed_p50_m_s == pytest.approx(3.2)
    assert guess.moving_time_s == pytest.approx(15 * 60, abs=15)


def test_run_with_long_unrecorded_pauses() -> None:
    # Auto-pause: 5 min blocks at 2.8 m/s, the watch stopped for 10 min between them.
    blocks = [np.arange(300) + k * 900.0 for k in range(6)]
    times = np.concatenate(blocks)
    guess = infer_sport(frame(np.full(times.size, 2.8), times_s=times))
    assert guess.sport == "running"
    assert guess.moving_time_s == pytest.approx(6 * 299, abs=1)


@pytest.mark.parametrize(
    "samples",
    [
        pd.DataFrame(),
        frame(np.array([])),
        frame(np.array([3.0])),
        frame(np.full(100, math.nan)),
        frame(np.zeros(600)),  # standing still for 10 min
        frame(np.full(20, 3.0)),  # 19 s of running: too short to tell
        pd.DataFrame({"distance_m": [0.0, 10.0, 20.0]}),  # no time index
        frame(np.full(100, 3.0)).iloc[::-1],  # time running backwards
    ],
)
def test_odd_input_gives_unknown_without_raising(samples: pd.DataFrame) -> None:
    guess = infer_sport(samples)
    assert guess.sport is None
    assert guess.reason


def test_odd_input_keeps_the_name() -> None:
    assert infer_sport(pd.DataFrame(), name="Morning Run").sport == "running"


def test_name_and_content() -> None:
    rng = np.random.default_rng(7)
    run = frame(jitter(rng, 3.0, 0.3, 1800))
    ride = frame(jitter(rng, 7.0, 1.0, 1800))
    walk = frame(jitter(rng, 1.3, 0.2, 1800))
    # Agreement.
    assert infer_sport(run, name="Morning Run").sport == "running"
    # A name that says ride wins over running content: rides stay out of the run load.
    assert infer_sport(run, name="Lunch Ride").sport == "cycling"
    # A name that says run does not make a ride a run: unknown.
    guess = infer_sport(ride, name="Morning Run")
    assert guess.sport is None
    assert guess.from_name == "running" and guess.from_content == "cycling"
    # Otherwise the name wins (the athlete chose it): a slow "run" stays a run.
    assert infer_sport(walk, name="Recovery run").sport == "running"
    # No name, or one that names no sport: the content decides.
    assert infer_sport(ride, name="Afternoon Activity").sport == "cycling"


def test_fast_enough_for_batches() -> None:
    rng = np.random.default_rng(8)
    samples = frame(jitter(rng, 3.0, 0.3, 4 * 3600), cadence_spm=170.0)  # a 4 h activity
    infer_sport(samples)
    t0 = time.perf_counter()
    for _ in range(20):
        infer_sport(samples)
    per_call_s = (time.perf_counter() - t0) / 20
    assert per_call_s < 0.05  # well under the time to read the file


# ---------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------


def _benchmark_module():  # type: ignore[no-untyped-def]
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "sport_confusion.py"
    spec = importlib.util.spec_from_file_location("sport_confusion", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@needs_corpus
def test_corpus_running_vs_not_running() -> None:
    # The files that state their sport, read with the label hidden (see the benchmark).
    # Scored on the files with enough movement to classify: the others (heart-rate-only
    # recordings, 13 s test stubs, indoor files without speed) give no content to judge.
    # When measured (docs/sports.md), 49 of 53 were right with the name hidden and 50 with
    # it: the misses are one walk recorded in running mode (heart rate 70-97 bpm, 1.6 m/s;
    # the same recording as FIT, TCX and GPX) and one run/walk session (p50 1.7 m/s), both
    # left out of the run load.  That is short of the 95 % aimed at; no ride is ever a run.
    bench = _benchmark_module()
    labelled, runpandas, _ = bench.classify_corpus(CORPUS)
    assert sum(r.truth is not None for r in labelled) >= 60
    for with_name, target in ((False, 0.92), (True, 0.94)):
        right, total = bench.running_accuracy(labelled, with_name=with_name, moving_only=True)
        assert total >= 50
        assert right / total >= target, (with_name, right, total)
        assert bench.rides_as_runs(labelled, with_name=with_name) == 0
    # Name hidden, nothing but runs is called a run.  (With names, one multisport file whose
    # first leg is titled "Run" is.)
    false_runs = [r.path for r in labelled if r.blind.sport == "running" and r.truth != "running"]
    assert false_runs == []
    assert len(runpandas) == 68
    assert sum(r.blind.sport == "running" for r in runpandas) / len(runpandas) >= 0.9
