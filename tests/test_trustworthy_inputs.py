"""Trustworthy inputs to the rules, end to end on files from runload's own writers.

What counts as a run (untyped GPX runs and rides, walks labelled as runs), which
elevation can be believed (phone altitude on a flat route, a switch from a
barometric watch to a phone, an export's own gain), and the one calendar (a
New York Sunday-evening run analysed with a Zurich time zone).  Expected values
come from the scenarios' construction (tests/scenarios.py), not from the
code under test.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import scenarios as sc

import runload
from runload.testing.exports import ExportActivity, write_strava_export
from runload.testing.history import generate_history

SERIOUS = {"moderate", "high"}


def _analyze(name: str, tmp_path, **options):
    plan = sc.scenario(name)
    path = sc.write_scenario(plan, tmp_path / name)
    options = {**plan.expected.get("analyze", {}), **options}
    return plan, runload.analyze(path, cache=None, **options)


def _serious(a) -> pd.DataFrame:
    return a.flags.loc[a.flags["severity"].isin(SERIOUS)]


def test_untyped_gpx_runs_are_inferred_and_rides_never_count(tmp_path):
    plan, a = _analyze("untyped_gpx", tmp_path)
    acts = a.activities
    n_runs = sum(1 for r in plan.runs if r.motion in (None, "run"))
    n_rides = sum(1 for r in plan.runs if r.motion == "ride")
    assert (n_runs, n_rides) == (40, 20)
    assert set(acts["sport_source"]) == {"inferred"}
    assert (acts["sport"] == "running").sum() == n_runs
    assert (acts["sport"] == "cycling").sum() == n_rides
    # Rides never reach the load: the weekly distance is the runs' planned distance.
    planned_km = sum(r.distance_m for r in plan.runs if r.motion in (None, "run")) / 1000
    assert a.weekly["distance_km"].sum() == pytest.approx(planned_km, rel=0.03)
    assert not acts.loc[acts["sport"] == "cycling", "counted"].any()
    first = a.to_text().splitlines()[0]
    assert first.startswith(f"{n_runs + n_rides} activities read, {n_runs} counted as runs")
    assert f"cycling {n_rides}" in first
    # The planned spike (16 km after 10.5 km long runs) is found on its date.
    (item,) = plan.expected["items"]
    spikes = _serious(a).loc[lambda f: f["trigger"] == "long_run_spike", "date"]
    assert list(spikes) == [item.date]


def test_the_user_can_count_unlabelled_activities(tmp_path):
    plan = sc.scenario("untyped_gpx")
    folder = sc.write_scenario(plan, tmp_path / "h")
    log = runload.read_activities(folder, cache=None)
    acts = log.activities.copy()
    acts["sport"] = None  # as if nothing could be inferred
    acts["sport_source"] = "unknown"
    a = runload.analyze(acts)
    assert a.coverage.runs == 0 and a.coverage.no_sport == len(acts)
    text = a.to_text()
    assert text.splitlines()[0].startswith(f"{len(acts)} activities read, 0 counted as runs")
    assert "pass --sport running" in text.splitlines()[0] + text.splitlines()[1]
    assert "Flags: none could be raised" in text and "\nFlags: none\n" not in text
    b = runload.analyze(acts, sport="running")
    assert set(b.activities["sport_source"]) == {"user"}
    # The user's word counts the 40 runs; the 20 rides (about 7 m/s, 25 km/h) are
    # implausible as runs and stay out of the load.
    assert b.coverage.runs == 40
    checks = b.coverage.implausible
    assert (checks["check"] == "too_fast").sum() == 20 and checks["excluded"].all()
    assert b.weekly["runs"].sum() == 40


def test_walks_labelled_as_runs_are_noticed(tmp_path):
    plan, a = _analyze("walks_as_runs", tmp_path)
    walks = [r for r in plan.runs if r.motion == "walk"]
    checks = a.coverage.implausible
    walk_checks = checks.loc[checks["check"] == "walk"]
    assert len(walk_checks) == len(walks) == 10
    assert sorted(walk_checks["local_date"]) == sorted(r.start_local.date() for r in walks)
    assert walk_checks["excluded"].all()
    assert a.coverage.runs == len(plan.runs) - len(walks)
    assert a.weekly["runs"].sum() == len(plan.runs) - len(walks)
    assert f"Runs to check ({len(checks)})" in a.to_text()
    # The 20 km walk is not read as a sudden 20 km run.
    long_walk = plan.expected["long_walk"]
    serious = _serious(a)
    assert not (serious["date"] == long_walk).any()
    assert "long_run_spike" not in set(serious["trigger"])


def test_phone_altitude_on_a_flat_route_is_not_climbing(tmp_path):
    _, a = _analyze("flat_phone", tmp_path)
    acts = a.activities
    assert set(acts["elevation_source"]) == {"gps"}
    assert not acts["ascent_trusted"].astype(bool).any()
    # The phone writes altitudes far below sea level on a route 5 m above it.
    assert (acts["elevation_noise_m"] > 1.0).all()
    assert a.coverage.untrusted_climbing == len(acts)
    assert "left out of the uphill and downhill judgement" in a.to_text()
    flagged = set(a.flags.loc[a.flags["severity"] != "info", "trigger"])
    assert not flagged & {"uphill_overload", "downhill_overload"}


def test_the_same_route_with_a_barometric_watch_is_believed(tmp_path):
    _, a = _analyze("flat_barometric", tmp_path)
    acts = a.activities
    assert set(acts["elevation_source"]) == {"barometric"}
    assert acts["ascent_trusted"].astype(bool).all()
    # True climbing is about 0.5 m/km; the default gain stays within a few m/km.
    per_km = acts["ascent_m"].sum() / (acts["distance_m"].sum() / 1000)
    assert per_km < 3.0
    assert _serious(a).empty


def test_a_device_switch_is_not_a_change_in_climbing(tmp_path):
    plan, a = _analyze("device_switch", tmp_path)
    acts = a.activities
    switch = plan.expected["switch_week"]
    before = acts.loc[acts["local_date"].map(lambda d: d < switch)]
    after = acts.loc[acts["local_date"].map(lambda d: d >= switch)]
    assert set(before["elevation_source"]) == {"barometric"}
    assert set(after["elevation_source"]) == {"gps"}
    # Same routes and the same true climb (6 m/km) throughout: the watch reads it.
    per_km = before["ascent_m"].sum() / (before["distance_m"].sum() / 1000)
    assert per_km == pytest.approx(6.0, rel=0.25)
    climbing = a.flags.loc[a.flags["trigger"].isin(["uphill_overload", "downhill_overload"])]
    assert climbing.loc[climbing["severity"] != "info"].empty


def test_a_position_wins_over_the_timezone_argument(tmp_path):
    plan, a = _analyze("new_york_sunday", tmp_path)  # analysed with Europe/Zurich
    acts = a.activities
    assert set(acts["utc_offset_source"]) == {"position"}
    spike_local = plan.expected["spike_local"]
    assert spike_local.weekday() == 6 and spike_local.hour == 20  # Sunday 20:30 in New York
    start_utc = pd.Timestamp(spike_local, tz="America/New_York").tz_convert("UTC")
    assert start_utc.weekday() == 0  # Monday in UTC, and in Zurich
    row = acts.loc[(acts["start_time_utc"] - start_utc).abs() < pd.Timedelta(minutes=5)]
    assert list(row["local_date"]) == [spike_local.date()]
    spikes = _serious(a).loc[lambda f: f["trigger"] == "long_run_spike", "date"]
    assert list(spikes) == [spike_local.date()]
    # The week of the spike is New York's: the Sunday run counts in the week before Monday.
    monday = spike_local.date() - dt.timedelta(days=6)
    assert a.weekly.loc[pd.Timestamp(monday), "longest_run_km"] == pytest.approx(16.0, rel=0.03)


def test_an_exports_own_gain_replaces_phone_altitude_but_not_a_barometer(tmp_path):
    plan = sc.scenario("device_switch")
    items = generate_history(plan)
    switch = plan.expected["switch_week"]
    activities = []
    for i, item in enumerate(items):
        phone = item.track.truth.local_date >= switch
        activities.append(
            ExportActivity(
                track=item.track,
                format="gpx" if phone else "fit",
                gzip=False,
                activity_type="Run",
                name=item.track.name,
                gear=item.gear,
                export_id=30_000_000 + i,
            )
        )
    write_strava_export(tmp_path / "strava", activities, style="current", archive=False)
    log = runload.read_activities(tmp_path / "strava", cache=None)
    acts = log.activities.sort_values("start_time_utc")
    truth = np.array([round(it.track.truth.ascent_m, 1) for it in items])
    assert np.allclose(acts["export_ascent_m"].to_numpy(dtype=float), truth)
    phone = acts["local_date"].map(lambda d: d >= switch).to_numpy(dtype=bool)
    assert set(acts.loc[phone, "elevation_source"]) == {"service"}
    assert acts.loc[phone, "ascent_trusted"].astype(bool).all()
    assert np.allclose(acts.loc[phone, "ascent_m"].to_numpy(dtype=float), truth[phone])
    # Where the watch's altimeter measured the climb, runload's own number is kept.
    assert set(acts.loc[~phone, "elevation_source"]) == {"barometric"}
    ours = acts.loc[~phone, "ascent_m"].to_numpy(dtype=float)
    assert not np.allclose(ours, truth[~phone])
    assert ours == pytest.approx(truth[~phone], rel=0.3)
