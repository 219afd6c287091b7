"""runload.analysis.analyze: inputs, the Analysis object, to_json schema, to_text."""

from __future__ import annotations

import datetime as dt
import json
import re
import types
import warnings

import numpy as np
import pandas as pd
import pytest
from risk_tables import D, day, steady_history, table, weekly_routine

from runload.analysis import Analysis, analyze
from runload.load import WEEKLY_LOAD_COLUMNS
from runload.risk import FLAG_FIELDS, SEVERITIES, RiskProfile

MON = D(2024, 1, 1)
MTS = {0: 0.25, 3: 0.25, 6: 0.5}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def jump_table():
    # five weeks of 20 km then 40 km (+100 % on the recent normal of 20 km; the ACWR of 2.0
    # is context only and raises nothing): one moderate distance_jump flag
    return table(weekly_routine(MON, 6, [20.0] * 5 + [40.0], pattern=MTS))


def test_analyze_a_dataframe():
    acts = jump_table()
    a = analyze(acts)
    assert isinstance(a, Analysis)
    assert len(a.activities) == 18
    assert list(a.weekly.columns) == list(WEEKLY_LOAD_COLUMNS)
    assert list(a.weekly["distance_km"]) == pytest.approx([20.0] * 5 + [40.0])
    assert a.weekly.index[0] == pd.Timestamp(MON)
    assert list(a.flags.columns) == [*FLAG_FIELDS, "episode"]
    jumps = a.flags[a.flags["trigger"] == "distance_jump"]
    assert list(zip(jumps["date"], jumps["severity"], strict=True)) == [(D(2024, 2, 5), "moderate")]
    assert list(a.errors.columns) == ["path", "reason", "message"] and a.errors.empty
    assert a.pain is None
    assert (a.notices["severity"] == "info").all()
    # flags: the jump week (high) and its 20 km Sunday run, 2.0 x the 10 km longest run
    # of the previous 30 days (moderate: the upper edge of the 30-100 % band).
    # notices: the first Sunday (10 km vs 5 km, 6 days of history) and "no shoe recorded".
    assert repr(a) == "Analysis(18 activities, 6 weeks, 2 flags, 2 notices, 0 errors)"
    spike = a.flags[a.flags["trigger"] == "long_run_spike"]
    assert list(zip(spike["date"], spike["severity"], strict=True)) == [
        (D(2024, 1, 7), "info"),
        (D(2024, 2, 11), "moderate"),
    ]


def test_analyze_an_activity_log_like_object_keeps_its_errors():
    errors = pd.DataFrame(
        [["bad.fit", "truncated", "bad.fit: cut short [truncated]"]],
        columns=["path", "reason", "message"],
    )
    log = types.SimpleNamespace(activities=jump_table(), errors=errors)
    a = analyze(log)
    assert len(a.errors) == 1
    doc = json.loads(a.to_json())
    assert doc["errors"] == [
        {"path": "bad.fit", "reason": "truncated", "message": "bad.fit: cut short [truncated]"}
    ]


def test_to_json_schema():
    acts = jump_table()
    doc = json.loads(analyze(acts).to_json(indent=2))
    assert set(doc) == {
        "activities",
        "coverage",
        "errors",
        "weeks",
        "flags",
        "episodes",
        "status",
        "shoes",
    }
    assert doc["activities"] == 18 and doc["errors"] == []
    assert len(doc["weeks"]) == 6
    for week in doc["weeks"]:
        assert set(week) == {"week_start", *WEEKLY_LOAD_COLUMNS}
        assert ISO.match(week["week_start"])
        assert isinstance(week["runs"], int)
        for col in WEEKLY_LOAD_COLUMNS:
            assert week[col] is None or isinstance(week[col], int | float)
    first, last = doc["weeks"][0], doc["weeks"][-1]
    assert first["week_start"] == "2024-01-01"
    assert first["distance_change_ratio"] is None  # NaN -> null
    assert last["distance_km"] == pytest.approx(40.0)
    assert last["distance_change_ratio"] == pytest.approx(2.0)
    assert doc["flags"]
    for f in doc["flags"]:
        assert set(f) == {*FLAG_FIELDS, "episode"}
        assert ISO.match(f["date"])
        assert f["severity"] in SEVERITIES
        assert isinstance(f["activity_ids"], list)
        assert all(isinstance(i, str) for i in f["activity_ids"])
        assert f["value"] is None or isinstance(f["value"], float)
        assert isinstance(f["message"], str) and isinstance(f["advice"], str)
    jump = [f for f in doc["flags"] if f["trigger"] == "distance_jump"]
    assert jump[0]["date"] == "2024-02-05" and jump[0]["value"] == pytest.approx(2.0)


def test_to_json_infinite_value_becomes_null():
    # four flat weeks, then 600 m of climbing: ratio to a zero norm is infinite
    rows = []
    for w, up in enumerate([0.0, 0.0, 0.0, 0.0, 600.0]):
        rows += [
            {"date": day(MON, 7 * w + wd), "km": 30 * s, "ascent": up * s} for wd, s in MTS.items()
        ]
    a = analyze(table(rows))
    hill = a.flags[a.flags["trigger"] == "uphill_overload"]
    assert np.isinf(hill["value"]).all() and len(hill) == 1
    doc = json.loads(a.to_json())
    [flag] = [f for f in doc["flags"] if f["trigger"] == "uphill_overload"]
    assert flag["value"] is None and flag["severity"] == "high"  # 20 m/km, 3 hilly runs


def test_to_text_report():
    log = types.SimpleNamespace(
        activities=jump_table(),
        errors=pd.DataFrame(
            [["x.gpx", "parse_error", "x.gpx: broken"]], columns=["path", "reason", "message"]
        ),
    )
    text = analyze(log).to_text(width=90)
    assert "18 activities" in text and "1 file(s) not read" in text
    assert "not a medical device" in text
    # The jump week and its 20 km Sunday spike are one event: one item with both rules.
    assert "2024-02-05  moderate  distance_jump + long_run_spike" in text
    assert "distance_jump (moderate, weak evidence): " in text
    assert "long_run_spike (moderate, evidence): " in text
    assert "Nielsen" in text and "Frandsen" in text
    advice = text.split("\nAdvice\n", 1)[1]
    assert advice.count("distance_jump: ") == 1 and advice.count("long_run_spike: ") == 1
    assert text.count("Build distance up gradually") == 1
    assert "Files not read (1)" in text and "x.gpx" in text
    assert "2024-02-05  40.0" in text  # the weekly table row
    assert all(len(line) <= 90 for line in text.splitlines() if line.startswith("    "))


def test_profile_as_dict_or_toml_path(tmp_path):
    acts = table(weekly_routine(MON, 6, [20.0] * 5 + [25.0], pattern=MTS))
    assert not (analyze(acts).flags["trigger"] == "distance_jump").any()
    a = analyze(acts, profile={"distance_jump": {"change_ratio": 1.2}})
    assert (a.flags["trigger"] == "distance_jump").sum() == 1
    path = tmp_path / "p.toml"
    path.write_text("[distance_jump]\nchange_ratio = 1.2\n", encoding="utf-8")
    b = analyze(acts, profile=path)
    assert b.profile.distance_jump.change_ratio == 1.2
    assert (b.flags["trigger"] == "distance_jump").sum() == 1
    with pytest.raises(ValueError, match="chnage"):
        analyze(acts, profile={"distance_jump": {"chnage": 1}})
    assert (
        analyze(acts, profile=RiskProfile(disabled=("worn_shoes",)))
        .flags["trigger"]
        .ne("worn_shoes")
        .all()
    )


def test_pain_tags_and_gear_map(tmp_path):
    acts = jump_table()
    ids = list(acts.index)
    pain = tmp_path / "pain.csv"
    pain.write_text("date,location,score\n2024-02-10,outer ankle,3\n", encoding="utf-8")
    a = analyze(
        acts,
        pain=pain,
        tags={ids[0]: ["ankle weights"]},
        gear_map={"Old pair": {"start_date": MON, "end_date": None, "initial_km": 790.0}},
    )
    assert a.pain is not None
    row = a.pain.iloc[0]
    assert row["structure"] == "peroneal tendons"
    assert "distance_jump" in row["flag_triggers"]  # 2024-02-05 is within 14 days
    triggers = set(a.flags["trigger"])
    assert {"ankle_weights", "worn_shoes"} <= triggers
    shoe = a.flags[a.flags["trigger"] == "worn_shoes"]
    # 790 + 5 km = 795 on the first run (past 480), 800 km on the second (Thursday)
    assert list(zip(shoe["date"], shoe["severity"], strict=True)) == [
        (MON, "low"),
        (D(2024, 1, 4), "moderate"),
    ]
    doc = json.loads(a.to_json())
    assert set(doc) == {
        "activities",
        "coverage",
        "errors",
        "weeks",
        "flags",
        "episodes",
        "status",
        "shoes",
        "pain",
    }
    assert doc["pain"][0]["date"] == "2024-02-10"
    assert doc["pain"][0]["structure"] == "peroneal tendons"
    assert "Pain journal (1 entry)" in a.to_text()


def test_inputs_are_not_mutated():
    acts = table(steady_history(MON, 8))
    before = acts.copy(deep=True)
    analyze(acts)
    assert acts.equals(before)


def test_empty_table():
    from runload.schema import empty_activities

    a = analyze(empty_activities())
    doc = json.loads(a.to_json())
    cov = doc.pop("coverage")
    assert doc == {
        "activities": 0,
        "errors": [],
        "weeks": [],
        "flags": [],
        "episodes": [],
        "status": None,
        "shoes": [],
    }
    assert (cov["activities"], cov["runs"]) == (0, 0)
    text = a.to_text()
    assert text.splitlines()[0] == "0 activities read, 0 counted as runs"
    assert "no runs" in text
    assert "Flags: none could be raised" in text


def test_unlabelled_activities_are_said_first_and_counted_on_the_users_word():
    acts = table(steady_history(MON, 6))
    acts["sport"] = None
    acts["sport_source"] = "unknown"
    a = analyze(acts)
    n = len(acts)
    first = a.to_text().splitlines()[0]
    assert first.startswith(f"{n} activities read, 0 counted as runs: {n} have no sport")
    assert "--sport running" in first
    assert "Flags: none\n" not in a.to_text()
    assert a.weekly.empty
    b = analyze(acts, sport="running")
    assert b.coverage.runs == n
    assert b.coverage.sport_sources == {"user": n}
    assert set(b.activities["sport_source"]) == {"user"}
    assert b.weekly["runs"].sum() == n
    assert b.to_text().splitlines()[0] == f"{n} activities read, {n} counted as runs"


def test_sports_selects_what_counts_and_rides_never_count_by_default():
    acts = table(steady_history(MON, 6))
    ride = acts.index[0]
    acts.loc[ride, "sport"] = "cycling"
    a = analyze(acts)
    assert a.coverage.other_sports == {"cycling": 1}
    assert not a.activities.loc[ride, "counted"]
    assert a.weekly["runs"].sum() == len(acts) - 1
    walks = acts.copy()
    walks["sport"] = "walking"
    b = analyze(walks, sports={"walking"})
    assert b.coverage.runs == len(walks)
    assert b.weekly["runs"].sum() == len(walks)


def test_implausible_runs_are_noticed_and_rides_recorded_as_runs_left_out():
    acts = table(steady_history(MON, 6))
    fast, walk, still = acts.index[:3]
    acts["moving_speed_p50_m_s"] = 3.0
    acts["moving_speed_p90_m_s"] = 3.4
    acts.loc[fast, ["moving_speed_p50_m_s", "moving_speed_p90_m_s"]] = [8.0, 9.0]  # 29 km/h
    acts.loc[walk, ["moving_speed_p50_m_s", "moving_speed_p90_m_s"]] = [1.3, 1.5]
    acts.loc[still, ["distance_m", "elapsed_time_s"]] = [50.0, 3600.0]
    a = analyze(acts)
    odd = a.coverage.implausible
    checks = dict(zip(odd["activity_id"], odd["check"], strict=True))
    assert checks == {fast: "too_fast", walk: "walk", still: "no_distance"}
    counted = a.activities["counted"]
    assert not counted[fast] and not counted[still] and not counted[walk]
    assert a.coverage.runs == len(acts) - 3
    assert "Runs to check (3)" in a.to_text()
    # Walks the runner chose to count are not "walks labelled as runs".
    walks = acts.loc[[walk]].assign(sport="walking")
    b = analyze(walks, sports={"walking"})
    assert b.coverage.implausible.empty and b.coverage.runs == 1


# ---------------------------------------------------------------- end to end, real files

from runload.testing import history  # noqa: E402


def _gear_map(plan) -> list[dict[str, object]]:
    spans: dict[str, list[dt.date]] = {}
    for run in plan.runs:
        if run.gear:
            spans.setdefault(run.gear, []).append(run.start_local.date())
    return [{"gear": g, "start_date": min(d), "end_date": max(d)} for g, d in spans.items()]


def _analyze_preset(tmp_path, scenario: str, trigger: bool = True):
    plan = history.preset(scenario, trigger=trigger, sample_interval_s=30.0)
    history.write_history(plan, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyze(tmp_path, timezone=plan.timezone, gear_map=_gear_map(plan))
    assert a.errors.empty
    assert len(a.activities) == len(plan.runs)
    return plan, a


def _proper(a: Analysis, trigger: str) -> pd.DataFrame:
    f = a.flags
    return f[(f["trigger"] == trigger) & (f["severity"] != "info")]


@pytest.mark.parametrize(
    ("scenario", "date_key", "severities"),
    [
        ("distance_jump", "week_start", {"low", "moderate", "high"}),
        ("long_run_spike", "date", {"moderate"}),  # 16 / 11 km = +45 %
    ],
)
def test_end_to_end_presets_fire_on_the_planned_date(tmp_path, scenario, date_key, severities):
    plan, a = _analyze_preset(tmp_path, scenario)
    found = _proper(a, scenario)
    on_date = found[found["date"] == plan.expected[date_key]]
    assert len(on_date) >= 1, found[["date", "severity"]]
    assert set(on_date["severity"]) <= severities


def test_end_to_end_treadmill_switch(tmp_path):
    plan, a = _analyze_preset(tmp_path, "treadmill_to_road")
    found = _proper(a, "treadmill_to_road")
    switch = plan.expected["switch_week_start"]
    assert len(found) and all(switch <= d < switch + dt.timedelta(days=7) for d in found["date"])


def test_end_to_end_steady_history_is_quiet(tmp_path):
    _, a = _analyze_preset(tmp_path, "steady")
    assert not a.flags["severity"].isin(["moderate", "high"]).any(), a.flags


# -- text at any width, units ----------------------------------------------------------------


def _long_log():
    acts = table(steady_history(MON, 20))
    errors = pd.DataFrame(
        [
            [
                "/home/someone/exports/" + "x" * 90 + ".fit",
                "truncated",
                "the file ends in the middle of a record, so nothing after byte 1234 was read",
            ]
        ],
        columns=["path", "reason", "message"],
    )
    return types.SimpleNamespace(activities=acts, errors=errors)


@pytest.mark.parametrize("width", [40, 60, 80, 100])
def test_to_text_fits_the_width_without_splitting_words(width):
    a = analyze(_long_log())
    text = a.to_text(width=width, all_items=True)
    wide = a.to_text(width=1000, all_items=True)
    words = wide[wide.index("\nItems") :].split()
    for line in text.splitlines():
        if len(line) > width:
            # only a single token longer than the width may stick out
            assert any(len(tok) > width - 4 for tok in line.split()), line
    # the prose after the table holds the same words in the same order (none split)
    assert text[text.index("\nItems") :].split() == words


def test_narrow_weekly_table_drops_columns_and_says_so():
    a = analyze(jump_table())
    wide = a.to_text(width=100)
    narrow = a.to_text(width=40)
    head_wide = next(line for line in wide.splitlines() if line.startswith("week "))
    head_narrow = next(line for line in narrow.splitlines() if line.startswith("week "))
    assert "acwr*" in head_wide and "acwr*" not in head_narrow
    assert "Not shown at this width" in narrow and "Not shown" not in wide
    table_rows = [line for line in narrow.splitlines() if re.match(r"^\d{4}-\d{2}-\d{2}  ", line)]
    assert table_rows and all(len(line) <= 40 for line in table_rows)


def test_to_text_in_imperial_units():
    # six weeks: 20 km x 5 then 40 km; this week 40 km = 24.9 mi, normal 20 km = 12.4 mi
    a = analyze(jump_table())
    text = a.to_text(units="imperial", width=200)
    assert "This week (from 2024-02-05): 24.9 mi" in text
    assert "recent normal of 12.4 mi a week" in text
    header = next(line for line in text.splitlines() if line.startswith("week "))
    assert header.split()[:2] == ["week", "mi"] and "ascent_ft" in header
    # the runs take 330 s a km: 40 km in 3:40:00, 5:30 min/km, 531.1 s a mile = 8:51 min/mi
    row = next(line for line in text.splitlines() if line.startswith("2024-02-05  "))
    assert row.split()[1:6] == ["24.9", "3", "12.4", "3:40:00", "8:51"]
    assert header.split()[4:6] == ["time", "min/mi"]
    metric = a.to_text(width=200)
    row = next(line for line in metric.splitlines() if line.startswith("2024-02-05  "))
    assert row.split()[1:6] == ["40.0", "3", "20.0", "3:40:00", "5:30"]
    assert "This week (from 2024-02-05): 40.0 km" in metric
    # the metric status lines are the Status's own
    assert a.status_lines() == a.status.lines()
    with pytest.raises(ValueError, match="units"):
        a.to_text(units="parsecs")


def test_manual_entries_are_counted_and_said_so():
    acts = table(steady_history(MON, 6))
    manual = acts.index[-1]
    acts.loc[manual, ["format", "has_gps"]] = ["summary", False]
    a = analyze(acts)
    assert a.coverage.manual == 1 and a.coverage.runs == len(acts)
    assert "1 of the runs are manual entries (no file)" in a.to_text(width=200)
    assert a.to_dict()["coverage"]["manual"] == 1


def test_a_bad_time_zone_is_refused_before_any_work():
    from runload import InvalidOptionError

    with pytest.raises(InvalidOptionError, match="Mars/Olympus"):
        analyze(table(steady_history(MON, 2)), timezone="Mars/Olympus")


# -- the plausibility checks, vectorised: the same rows as the loop ----------------------


def _slow_checks(acts: pd.DataFrame, labelled: np.ndarray) -> list[tuple]:
    from runload.coverage import MAX_RUN_P50_M_S, STILL_MAX_M, STILL_MIN_S, WALK_P90_M_S

    def floats(name: str) -> np.ndarray:
        return pd.to_numeric(acts[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    p50, p90 = floats("moving_speed_p50_m_s"), floats("moving_speed_p90_m_s")
    dist, elapsed = floats("distance_m"), floats("elapsed_time_s")
    rows = []
    for k, aid in enumerate(acts.index):
        if np.isfinite(p50[k]) and p50[k] > MAX_RUN_P50_M_S:
            rows.append((aid, "too_fast", f"{p50[k] * 3.6:.0f}"))
        elif labelled[k] and np.isfinite(p90[k]) and p90[k] < WALK_P90_M_S:
            rows.append((aid, "walk", f"{p90[k] * 3.6:.1f}"))
        if (
            np.isfinite(elapsed[k])
            and elapsed[k] >= STILL_MIN_S
            and not (np.isfinite(dist[k]) and dist[k] >= STILL_MAX_M)
        ):
            rows.append((aid, "no_distance", f"{elapsed[k] / 60:.0f}"))
    return rows


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("sports", ["default", None, ("running", "walking"), "running"])
def test_select_runs_checks_the_same_rows_as_the_loop(seed, sports):
    from runload.coverage import select_runs
    from runload.load import RUNNING_SPORTS, is_running

    rng = np.random.default_rng(seed)
    n = 120
    acts = table(
        [
            {
                "date": MON + dt.timedelta(days=k // 2),
                "km": float(rng.choice([0.0, 0.05, 5.0, 12.0])),
                "sport": str(rng.choice(["running", "walking", "cycling", "Running "])),
            }
            for k in range(n)
        ]
    )
    for name, choices in (
        ("moving_speed_p50_m_s", [np.nan, 1.0, 3.0, 6.6, 9.0]),
        ("moving_speed_p90_m_s", [np.nan, 1.5, 1.9, 3.5]),
        ("elapsed_time_s", [np.nan, 600.0, 1200.0, 3600.0]),
    ):
        acts[name] = rng.choice(choices, size=n)
    chosen = RUNNING_SPORTS if sports == "default" else sports
    _, coverage = select_runs(acts, sports=chosen)
    wanted = is_running(acts, sports=chosen).to_numpy(dtype=bool)
    labelled = is_running(acts).to_numpy(dtype=bool)
    expected = _slow_checks(acts.loc[wanted], labelled[wanted])
    got = coverage.implausible
    assert list(zip(got["activity_id"], got["check"], strict=True)) == [r[:2] for r in expected]
    for message, row in zip(got["message"], expected, strict=True):
        assert row[2] in message
    assert len(expected) > 0


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([True, False, None, True, False], dtype="boolean"),
        pd.Series([True, False, True], dtype=bool),
        pd.Series([True, False, None, np.nan, "no", 0, np.False_, np.True_], dtype=object),
        pd.Series([None, None], dtype=object),
    ],
)
def test_untrusted_climbing_is_a_false_and_nothing_else(column):
    from runload.coverage import _untrusted

    values = column.astype(object).tolist()
    expected = [isinstance(v, bool | np.bool_) and not bool(v) for v in values]
    assert _untrusted(column).tolist() == expected
