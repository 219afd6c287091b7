"""The ``runload`` command: its JSON contract, exit codes, the demo and the terminal."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from runload.cli import main, terminal_safe
from runload.safetext import neutralise_formula
from runload.testing.fit import fit_bytes
from runload.testing.history import synthetic_track

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
    assert status == 1  # EXIT_NOTHING_READ; 2 is for bad options and paths
    assert err == "runload: no activity could be read from 1 path(s) (1 errors: xml_syntax)"


def test_analyze_table_output_runs_on_one_file(tmp_path, capsys):
    track = synthetic_track(pd.Timestamp("2024-05-05T14:00:00Z"), distance_m=5000, seed=3)
    (tmp_path / "run.fit").write_bytes(fit_bytes(track))
    # the text is wrapped to the terminal: a fixed width keeps the lines whole
    assert main(["analyze", str(tmp_path / "run.fit"), "--no-cache", "--width", "120"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # 5 km on Sunday 5 May 2024: one activity in the ISO week starting Monday 29 April
    assert lines[:3] == [
        "1 activities read, 1 counted as runs",
        "runload analysis: 1 activities, 1 weeks from 2024-04-29 to 2024-04-29; 0 file(s) not read",
        "runload is not a medical device: flags inform, they do not diagnose.",
    ]


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
    assert [f for f in plain["flags"] if f["severity"] != "info"] == []

    tags = tmp_path / "tags.csv"
    tags.write_text(f"date,tags\n{days[3].isoformat()},ankle weights\n", encoding="utf-8")
    gear = tmp_path / "gear.toml"
    # 790 km before the first run: the second 8 km run passes 800 km.
    gear.write_text(
        '[[shoe]]\nname = "Old Pegs"\nfirst_date = 2024-01-01\ninitial_km = 790.0\n',
        encoding="utf-8",
    )
    doc = _cli_json("analyze", str(runs), "--tags", str(tags), "--gear", str(gear))
    # The shoe: 790 + 8 = 798 km after the first run (past the 480 km low mark), 806 km
    # after the second (past 800 km).  The one tagged run: a first use, low.
    assert sorted(
        (f["date"], f["trigger"], f["severity"], f["value"])
        for f in doc["flags"]
        if f["severity"] != "info"
    ) == [
        (days[0].isoformat(), "worn_shoes", "low", 798.0),
        (days[1].isoformat(), "worn_shoes", "moderate", 806.0),
        (days[3].isoformat(), "ankle_weights", "low", 1.0),
    ]


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

    from runload.testing.gpx import gpx_bytes

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


# -- the terminal: python -m, pipes, Ctrl-C, paths, widths, safe output ----------------------


def _run(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "runload", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        **kw,
    )


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    from runload.demo import write_demo

    folder = tmp_path_factory.mktemp("demo_export")
    write_demo(folder)
    return folder


def test_python_dash_m_runs_the_command():
    done = _run("--version")
    assert done.returncode == 0
    import runload

    assert done.stdout.strip() == f"runload {runload.__version__}"


def test_a_closed_pipe_ends_quietly(demo_folder):
    proc = subprocess.Popen(
        [sys.executable, "-m", "runload", "analyze", str(demo_folder), "--no-cache", "--all"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader went away before a line was written (`| head -0`)
    _, err = proc.communicate(timeout=120)
    # closed before the analysis (seconds of reading) could print: its first write fails
    assert proc.returncode == 141
    assert err == b""


def test_ctrl_c_in_a_batch_prints_one_line_and_exits_130(demo_folder, tmp_path):
    # 6 copies of the demo's 83 files, read by one process without the cache: several
    # seconds of work, interrupted after the start-up, as a terminal does (the whole group).
    for k in range(6):
        shutil.copytree(demo_folder / "activities", tmp_path / f"copy{k}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "runload", "analyze", str(tmp_path), "--no-cache", "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(2.0)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip() == "runload: interrupted"
    assert "Traceback" not in out + err


def test_a_path_that_does_not_exist_is_named(tmp_path):
    missing = tmp_path / "no_such_export.zip"
    done = _run("analyze", str(missing), "--no-cache")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"runload: no such file or folder: {missing}"]
    assert done.stdout == ""


def test_bad_option_files_are_named_too(tmp_path, capsys):
    _fit_runs(tmp_path / "runs", [dt.date(2024, 3, 4)])
    status = main(["analyze", str(tmp_path / "runs"), "--profile", str(tmp_path / "coach.toml")])
    assert status == 2
    assert str(tmp_path / "coach.toml") in capsys.readouterr().err


def test_tilde_is_expanded_in_paths_and_options(tmp_path, monkeypatch, capsys):
    _fit_runs(tmp_path / "runs", [dt.date(2024, 3, 4), dt.date(2024, 3, 6)])
    (tmp_path / "tags.csv").write_text("date,tags\n2024-03-06,ankle weights\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    status = main(["analyze", "~/runs", "--tags", "~/tags.csv", "--no-cache", "--format", "json"])
    assert status == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["coverage"]["runs"] == 2
    assert "ankle_weights" in {f["trigger"] for f in doc["flags"]}


def test_text_fits_80_columns(demo_folder):
    width = 80
    done = _run("analyze", str(demo_folder), "--no-cache", "--all", env={"COLUMNS": str(width)})
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert len(lines) > 30
    too_long = [line for line in lines if len(line) > width]
    assert too_long == []


def test_width_option_beats_columns(demo_folder, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["analyze", str(demo_folder), "--no-cache", "--width", "80"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 80
    with pytest.raises(SystemExit):
        main(["analyze", str(demo_folder), "--width", "10"])


def test_csv_formula_cells_are_neutralised():
    # OWASP: = + - @ tab and CR start a formula in a spreadsheet
    for cell in ["=HYPERLINK(1)", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]:
        assert neutralise_formula(cell) == "'" + cell
    for cell in ["Morning Run", "", "a=b", "-5.0"]:
        assert neutralise_formula(cell) == cell


def _hostile_folder(folder: Path) -> None:
    folder.mkdir()
    track = synthetic_track(
        pd.Timestamp("2024-05-05T14:00:00Z"),
        distance_m=5000,
        seed=3,
        name='=HYPERLINK("http://example.invalid")\x1b[31m\x07',
    )
    (folder / "run\x1b]0;title\x07.fit").write_bytes(fit_bytes(track))
    (folder / "bad\x1b[2J.gpx").write_bytes(b"not xml at all")


def test_read_csv_writes_no_formula_and_no_control_character(tmp_path, capsys):
    _hostile_folder(tmp_path / "h")
    assert main(["read", str(tmp_path / "h"), "--no-cache", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    frame = pd.read_csv(io.StringIO(out))
    assert frame["name"].iloc[0].startswith("'=HYPERLINK(")
    assert "\x1b" not in out and "\x07" not in out


@pytest.mark.parametrize("command", ["read", "analyze"])
def test_control_characters_never_reach_the_terminal(tmp_path, command):
    _hostile_folder(tmp_path / "h")
    done = _run(command, str(tmp_path / "h"), "--no-cache")
    assert done.returncode == 0
    text = done.stdout + done.stderr
    assert "\\x1b[2J" in text  # the bad file is named, its escape made visible
    assert not any(ord(ch) < 32 and ch != "\n" for ch in text)


def test_terminal_safe_keeps_newlines_and_printable_text():
    assert terminal_safe("a\nb – ü ≥ 10 %") == "a\nb – ü ≥ 10 %"
    assert terminal_safe("x\x1b[31my\x07\r\x9b\nz\tw") == "x\\x1b[31my\\x07\\x0d\\x9b\nz\\x09w"


def test_json_output_stays_valid_with_control_characters(tmp_path, capsys):
    _hostile_folder(tmp_path / "h")
    assert main(["analyze", str(tmp_path / "h"), "--no-cache", "--format", "json"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert any("\x1b" in e["path"] for e in doc["errors"])  # the data keeps the real name
    assert "\x1b" not in out


def test_report_needs_existing_paths(tmp_path):
    done = _run("report", str(tmp_path / "nothing"), "-o", str(tmp_path / "r.html"))
    assert done.returncode == 2
    assert "nothing" in done.stderr
    assert not (tmp_path / "r.html").exists()


def test_report_names_a_bad_output_before_reading(tmp_path, capsys):
    _fit_runs(tmp_path / "runs", [dt.date(2024, 3, 4)])
    status = main(["report", str(tmp_path / "runs"), "-o", str(tmp_path / "no" / "r.html")])
    assert status == 2
    assert f"no such folder: {tmp_path / 'no'}" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "runs"), "-o", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize("units", ["metric", "imperial"])
def test_report_writes_one_html_file(demo_folder, tmp_path, monkeypatch, units, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    args = ["report", str(demo_folder), "-o", "~/r.html", "--no-cache", "--units", units]
    assert main(args) == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "wrote" in capsys.readouterr().out


def test_imperial_units_reach_the_text(demo_folder, capsys):
    week = re.compile(r"This week \(from [\d-]+\): ([\d.]+) (km|mi)")
    assert main(["analyze", str(demo_folder), "--no-cache"]) == 0
    km = week.search(capsys.readouterr().out)
    assert main(["analyze", str(demo_folder), "--no-cache", "--units", "imperial"]) == 0
    mi = week.search(capsys.readouterr().out)
    assert km and mi and km.group(2) == "km" and mi.group(2) == "mi"
    # 1 mi = 1.609344 km; both are rounded to 0.1
    assert float(mi.group(1)) == pytest.approx(float(km.group(1)) / 1.609344, abs=0.06)


def test_demo_json_lists_the_shoes(demo_json):
    shoes = {s["shoe"]: s for s in demo_json["shoes"]}
    assert set(shoes) == {"Ghost 15", "Nike Vaporfly 3", "Speedgoat 5"}
    assert shoes["Nike Vaporfly 3"]["type"] == "racing"
    assert shoes["Speedgoat 5"]["type"] == "trail"
    ghost = shoes["Ghost 15"]
    # The road shoe passed its 800 km limit in the last weeks (the demo's worn-shoe case).
    assert ghost["total_km"] > 800 and ghost["left_km"] == pytest.approx(800 - ghost["total_km"])
    assert sum(s["runs"] for s in shoes.values()) == demo_json["activities"]
