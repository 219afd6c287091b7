"""The ``runload`` command: its JSON contract, exit codes and the bundled demo."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pandas as pd
import pytest

from runload.cli import main
from runload.synth.fit import fit_bytes
from runload.synth.history import synthetic_track

WEEKLY_COLUMNS = [
    "distance_km",
    "runs",
    "longest_run_km",
    "moving_time_s",
    "ascent_m",
    "descent_m",
    "treadmill_km",
    "outdoor_km",
    "distance_change_ratio",
    "acwr_uncoupled_ratio",
    "acwr_ewma_ratio",
    "monotony_ratio",
]
FLAG_FIELDS = [
    "trigger",
    "date",
    "severity",
    "metric",
    "value",
    "threshold",
    "evidence",
    "reference",
    "message",
    "advice",
    "activity_ids",
]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def demo_json(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("demo")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["demo", "--keep", str(folder), "--format", "json", "--no-cache"])
    assert status == 0
    return json.loads(out.getvalue())


def test_demo_json_follows_the_contract(demo_json):
    assert set(demo_json) >= {"activities", "errors", "weeks", "flags"}
    assert demo_json["activities"] == 83
    assert demo_json["errors"] == []
    for week in demo_json["weeks"]:
        assert DATE.match(week["week_start"])
        assert set(WEEKLY_COLUMNS) <= set(week)
    for flag in demo_json["flags"]:
        assert set(FLAG_FIELDS) <= set(flag)
        assert DATE.match(flag["date"])
        assert flag["severity"] in {"info", "low", "moderate", "high"}
        assert flag["evidence"] in {"evidence", "weak evidence", "mechanistic", "practice"}


def test_demo_raises_the_triggers_it_was_built_with(demo_json):
    fired = {f["trigger"] for f in demo_json["flags"] if f["severity"] in {"moderate", "high"}}
    # the demo plan: a treadmill-to-road switch, a +45 % long run, a shoe past 800 km
    assert {"treadmill_to_road", "long_run_spike", "worn_shoes"} <= fired
    assert "distance_jump" not in fired  # its weekly volume is steady


def test_nothing_readable_exits_non_zero_with_one_line(tmp_path, capsys):
    (tmp_path / "notes.gpx").write_bytes(b"not xml at all")
    status = main(["analyze", str(tmp_path), "--no-cache"])
    err = capsys.readouterr().err.strip()
    assert status != 0
    assert len(err.splitlines()) == 1
    assert "no activity could be read" in err


def test_analyze_table_output_runs_on_one_file(tmp_path, capsys):
    track = synthetic_track(pd.Timestamp("2024-05-05T14:00:00Z"), distance_m=5000, seed=3)
    (tmp_path / "run.fit").write_bytes(fit_bytes(track))
    assert main(["analyze", str(tmp_path / "run.fit"), "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "1 activities" in out or "1 activity" in out
    assert "not a medical device" in out


def _fit_runs(folder, days, km=8.0):
    """FIT runs (no gear, plain names) at 07:00 UTC on the given dates."""
    folder.mkdir(parents=True, exist_ok=True)
    for k, day in enumerate(days):
        track = synthetic_track(
            f"{day.isoformat()}T07:00:00Z",
            distance_m=km * 1000,
            sample_interval_s=10.0,
            seed=k,
            name="Morning Run",
            utc_offset_s=0,
        )
        (folder / f"run{k:02d}.fit").write_bytes(fit_bytes(track))


def _cli_json(*args: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main([*args, "--format", "json", "--no-cache"])
    assert status == 0
    return json.loads(out.getvalue())


def test_tags_and_gear_files_reach_the_rules(tmp_path):
    import datetime as dt

    days = [dt.date(2024, 3, 4) + dt.timedelta(days=2 * k) for k in range(6)]
    runs = tmp_path / "runs"
    _fit_runs(runs, days)
    # Nothing in the files says shoe or ankle weights: without the two files, no such flag.
    plain = _cli_json("analyze", str(runs))
    flagged = {f["trigger"] for f in plain["flags"] if f["severity"] != "info"}
    assert not flagged & {"worn_shoes", "ankle_weights"}

    tags = tmp_path / "tags.csv"
    tags.write_text(f"date,tags\n{days[3].isoformat()},ankle weights\n", encoding="utf-8")
    gear = tmp_path / "gear.toml"
    # 790 km before the first run: the second 8 km run passes 800 km.
    gear.write_text(
        '[[shoe]]\nname = "Old Pegs"\nfirst_date = 2024-01-01\ninitial_km = 790.0\n',
        encoding="utf-8",
    )
    doc = _cli_json("analyze", str(runs), "--tags", str(tags), "--gear", str(gear))
    by_trigger: dict[str, list[str]] = {}
    for f in doc["flags"]:
        if f["severity"] != "info":
            by_trigger.setdefault(f["trigger"], []).append(f["date"])
    assert by_trigger["ankle_weights"] == [days[3].isoformat()]
    assert days[1].isoformat() in by_trigger["worn_shoes"]


def test_a_bad_tags_file_names_the_file_and_line(tmp_path, capsys):
    import datetime as dt

    runs = tmp_path / "runs"
    _fit_runs(runs, [dt.date(2024, 3, 4)])
    tags = tmp_path / "tags.csv"
    tags.write_text("date,tags\nnot-a-date,ankle weights\n", encoding="utf-8")
    status = main(["analyze", str(runs), "--tags", str(tags), "--no-cache"])
    assert status == 2
    err = capsys.readouterr().err
    assert "tags.csv" in err and "line 2" in err


def test_sport_option_says_what_counts(tmp_path):
    import datetime as dt

    from runload.synth.gpx import gpx_bytes

    folder = tmp_path / "gpx"
    folder.mkdir()
    for k in range(3):
        day = dt.date(2024, 3, 4) + dt.timedelta(days=2 * k)
        # Untyped GPX walks at 1.3 m/s, no name: inferred walking, not running.
        track = synthetic_track(
            f"{day.isoformat()}T07:00:00Z",
            distance_m=4000.0,
            pace_s_per_km=1000.0 / 1.3,
            sample_interval_s=5.0,
            seed=k,
            sport=None,
            motion="walk",
            name="",
        )
        (folder / f"a{k}.gpx").write_bytes(gpx_bytes(track))
    base = _cli_json("analyze", str(folder))
    assert base["coverage"]["runs"] == 0
    assert base["coverage"]["other_sports"] == {"walking": 3}
    assert base["weeks"] == []
    doc = _cli_json("analyze", str(folder), "--sport", "walking")
    assert doc["coverage"]["runs"] == 3
    assert sum(w["runs"] for w in doc["weeks"]) == 3
