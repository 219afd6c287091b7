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
