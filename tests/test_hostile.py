"""Hostile and broken inputs (issue 10).

Nothing may hang runload, exhaust its memory, abort a batch, or pass as training.

The catalogue is ``tests/hostile_cases.py``: every case is read here and must
give the outcome it states.  Bombs, floods and special files are also read in
a forked child of a fresh interpreter that reports its CPU time and peak
resident memory, and each must stay under 2 s of CPU (its own bound where
stated) and 300 MiB.  Options, redaction, the moving-time algorithm and property
tests of the metadata parsers follow.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hostile_cases import CASES, Case, fuzz, remove_tree, run_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runload
from runload.activity import (
    MAX_DISTANCE_M,
    RawActivity,
    _moving_time_s,
    finalize,
    plausible_totals,
)
from runload.exceptions import InvalidOptionError, RunloadError
from runload.io.garmin import parse_gear, parse_summaries, redact_account
from runload.io.strava import parse_activities_csv, parse_strava_date
from runload.io.xmlsafe import parse_times_ns
from runload.load import weekly_load
from runload.risk.profile import RiskProfile
from runload.safetext import escape_control, neutralise_formula

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="FIFOs, sockets, /dev/zero, fork")

#: Bound on the reading process's peak resident memory for bombs and floods. [MiB]
MAX_PEAK_MIB = 300.0


UNBOUNDED = [c for c in CASES if not c.bounded]


@pytest.mark.parametrize("case", UNBOUNDED, ids=[c.name for c in UNBOUNDED])
def test_case_gives_its_stated_outcome(case: Case, tmp_path: Path) -> None:
    try:
        res = run_case(case, tmp_path)
    finally:
        remove_tree(tmp_path)  # pytest's own clean-up recurses
    assert res.outcome == case.outcome, (res.reasons, res.warnings)
    if case.outcome == "error":
        assert case.expect in res.reasons
    elif case.outcome == "warning":
        assert case.expect is not None
        assert any(case.expect in w for w in res.warnings), res.warnings
    if case.check is not None:
        case.check(res)


BOUNDED = [c for c in CASES if c.bounded]


@pytest.mark.parametrize(
    "case", BOUNDED, ids=[f"{c.name}_under_{c.seconds:g}s_cpu_and_300MiB" for c in BOUNDED]
)
def test_bomb_or_flood_is_bounded_in_time_and_memory(case: Case, tmp_path: Path) -> None:
    # A fresh interpreter builds the input, then reads it in a forked child that
    # reports its CPU time and peak resident memory (hostile_cases.measure).
    try:
        done = subprocess.run(
            [sys.executable, str(HERE / "hostile_cases.py"), str(tmp_path), case.name],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    finally:
        remove_tree(tmp_path)  # 1,200 nested folders: pytest's own clean-up recurses
    row = json.loads(done.stdout.strip().splitlines()[-1])
    assert row["outcome"] == case.outcome, row
    if case.outcome == "error":
        assert case.expect in row["reasons"]
    elif case.outcome == "warning":
        assert any(case.expect in w for w in row["warnings"]), row
    assert row["check"] is None, row
    # CPU time of the reading process: the machine's other work does not count.
    assert row["cpu_seconds"] < case.seconds, row
    assert row["peak_mib"] < MAX_PEAK_MIB, row


def test_mutated_fit_gpx_tcx_raise_nothing_but_runload_error() -> None:
    # Fixed seed: 300 mutations of each file (benchmarks/bench_hostile.py runs more).
    counts = fuzz(300, seed=10)
    assert sum(counts.values()) == 900
    assert not [k for k in counts if k.startswith("escaped")], counts
    assert counts.get("imported", 0) + counts.get("warning", 0) > 0


# -- moving time --------------------------------------------------------------------------------


def test_moving_time_100k_records_and_50k_pauses_under_2_s() -> None:
    n = 100_000
    t0 = pd.Timestamp("2024-03-01T07:00:00Z")
    index = pd.DatetimeIndex(t0 + pd.to_timedelta(np.arange(n), unit="s"), name="time")
    samples = pd.DataFrame({"distance_m": np.arange(n) * 3.0}, index=index)
    # 50,000 pauses: [2k + 0.25, 2k + 0.75] s, half a second each.
    pauses = [
        (t0 + pd.Timedelta(seconds=2 * k + 0.25), t0 + pd.Timedelta(seconds=2 * k + 0.75))
        for k in range(50_000)
    ]
    raw = RawActivity(format="fit", samples=samples, pauses=pauses, gaps_are_pauses=False)
    start = time.perf_counter()
    act = finalize(raw, activity_id="x", source_path="p")
    assert time.perf_counter() - start < 2.0
    # Worked out by hand: 99,999 s elapsed, 50,000 half-second pauses inside it.
    assert act.elapsed_time_s == 99_999.0
    assert act.moving_time_s == pytest.approx(99_999.0 - 25_000.0)


@given(
    st.lists(st.floats(0, 100), min_size=0, max_size=40),
    st.lists(st.tuples(st.floats(-10, 110), st.floats(0, 20)), max_size=12),
    st.sampled_from([math.inf, 5.0]),
)
@settings(max_examples=200, deadline=None, derandomize=True)
def test_moving_time_matches_the_sample_by_sample_definition(times, spans, gap) -> None:
    t = np.sort(np.asarray(times, dtype="float64"))
    pauses = [(a, a + w) for a, w in spans]
    got = _moving_time_s(t, pauses, gap)
    # The definition, interval by interval: the time of each step not covered by any pause.
    expected = 0.0
    for a, b in itertools.pairwise(t):
        if b - a > gap:
            continue
        cuts = sorted({a, b, *(x for p in pauses for x in p if a < x < b)})
        for lo, hi in itertools.pairwise(cuts):
            mid = (lo + hi) / 2
            if not any(p0 <= mid <= p1 for p0, p1 in pauses):
                expected += hi - lo
    assert got == pytest.approx(expected, abs=1e-6)


# -- options are checked before any work ----------------------------------------------------------


def test_unknown_time_zone_is_refused_before_reading(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "run.fit")  # reading it would be an errors row, not an exception
    for call in (
        lambda: runload.read_activities(tmp_path, timezone="Mars/Olympus", cache=None),
        lambda: runload.read_activity(tmp_path / "run.fit", timezone="Mars/Olympus"),
    ):
        with pytest.raises(InvalidOptionError, match="Mars/Olympus") as info:
            call()
        assert isinstance(info.value, ValueError) and info.value.reason == "bad_timezone"


def test_profile_window_weeks_1e18_is_a_clear_error() -> None:
    with pytest.raises(InvalidOptionError, match=r"window_weeks .* outside its range 0 to 520"):
        RiskProfile.from_dict({"uphill_overload": {"window_weeks": 10**18}}, source="p.toml")
    with pytest.raises(ValueError, match="ascent_ratio"):
        RiskProfile.from_dict({"uphill_overload": {"ascent_ratio": 1e18}})


def test_non_utf8_profile_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "athlete.toml"
    path.write_bytes(b'athlete = "J\xf6rg"\n')  # Latin-1
    with pytest.raises(ValueError, match=r"athlete\.toml.*UTF-8"):
        RiskProfile.from_toml(path)


def test_tilde_is_expanded_in_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from export_builders import fit_of, write

    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path / "runs" / "a.fit", fit_of(1))
    assert len(runload.read_activities("~/runs", cache="~/cache", jobs=1)) == 1
    assert (tmp_path / "cache").is_dir()
    assert runload.read_activity("~/runs/a.fit").distance_m > 0


# -- outputs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["josé.müller@exämple.de", "JANE@LOCALHOST", "a.b+c@sub.example.co.uk", '"odd"@[10.0.0.1]'],
)
def test_redaction_covers_any_local_at_domain(text: str) -> None:
    assert redact_account(f"x/{text}_0_summarizedActivities.json") == (
        "x/<account>_0_summarizedActivities.json"
    )


def test_safetext_escapes_controls_and_defuses_formulas() -> None:
    assert escape_control("run\x1b[2J\x07.fit") == "run\\x1b[2J\\x07.fit"
    assert neutralise_formula('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise_formula("-5.2") == "-5.2"
    assert neutralise_formula("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise_formula("Morning run") == "Morning run"


# -- cache ---------------------------------------------------------------------------------------


def test_cache_entry_of_the_wrong_shape_is_rebuilt(tmp_path: Path) -> None:
    from export_builders import fit_of, write

    from runload.io.cache import ActivityCache

    write(tmp_path / "runs" / "a.fit", fit_of(1))
    first = runload.read_activities(tmp_path / "runs", cache=tmp_path / "c", jobs=1)
    cache = ActivityCache(tmp_path / "c")
    for content, options in list(cache.keys()):
        cache.put(content, options, {"summary": {"activity_id": 5}, "warnings": 3})
    cache.flush()
    cache.close()
    again = runload.read_activities(tmp_path / "runs", cache=tmp_path / "c", jobs=1)
    assert again.stats["cached"] == 0 and again.stats["parsed"] == 1
    pd.testing.assert_frame_equal(again.activities, first.activities)


# -- property tests ------------------------------------------------------------------------------

_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)), max_size=30
)  # any text a CSV or JSON may hold


@given(st.lists(st.lists(_TEXT, min_size=0, max_size=12), max_size=8))
@settings(max_examples=150, deadline=None, derandomize=True)
def test_strava_csv_parser_never_raises_outside_runload_error(rows) -> None:
    import csv
    import io

    header = ["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Elapsed Time",
              "Distance", "Filename", "Elapsed Time", "Distance", "Moving Time"]  # fmt: skip
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    try:
        parsed = parse_activities_csv(buf.getvalue().encode("utf-8", "surrogatepass"))
    except RunloadError:
        return
    for row in parsed:
        if row.start_time_utc is not None:
            assert pd.Timestamp("1980-01-01", tz="UTC") <= row.start_time_utc
            assert row.start_time_utc < pd.Timestamp("2101-01-01", tz="UTC")
        for value in (row.distance_m, row.elapsed_time_s, row.moving_time_s):
            assert math.isnan(value) or 0 <= value <= MAX_DISTANCE_M


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)
_SUMMARY_KEYS = ["activityId", "startTimeGmt", "beginTimestamp", "startTimeLocal", "distance",
                 "duration", "elapsedDuration", "movingDuration", "activityType", "name",
                 "parentId", "elevationGain", "manualActivity"]  # fmt: skip


@given(st.lists(st.dictionaries(st.sampled_from(_SUMMARY_KEYS), _JSON, max_size=8), max_size=6))
@settings(max_examples=80, deadline=None, derandomize=True)
def test_garmin_summaries_parser_never_raises_outside_runload_error(records) -> None:
    data = json.dumps([{"summarizedActivitiesExport": records}]).encode()
    problems: list = []
    for summary in parse_summaries(data, problems=problems):
        assert summary.start_time_utc.year in range(1980, 2101)
        for value in (summary.distance_m, summary.elapsed_time_s, summary.moving_time_s):
            assert math.isnan(value) or 0 <= value <= MAX_DISTANCE_M


@given(_JSON)
@settings(max_examples=150, deadline=None, derandomize=True)
def test_garmin_gear_parser_never_raises_outside_runload_error(payload) -> None:
    gear = parse_gear(json.dumps(payload).encode())
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in gear.items())


@given(_TEXT)
@settings(max_examples=200, deadline=None, derandomize=True)
def test_strava_dates_are_none_or_in_range(text) -> None:
    when = parse_strava_date(text)
    assert when is None or 1980 <= when.year <= 2100


@given(st.lists(st.text(alphabet="0123456789-:TZ+. ", max_size=30), min_size=1, max_size=5))
@settings(max_examples=200, deadline=None, derandomize=True)
def test_xml_times_are_read_in_range_or_refused(values) -> None:
    try:
        t_ns = parse_times_ns(values)
    except RunloadError as exc:
        assert exc.reason in ("bad_time", "time_out_of_range")
        return
    assert ((t_ns >= 315_532_800 * 10**9) & (t_ns < 4_133_980_800 * 10**9)).all()


@given(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
)
@settings(max_examples=200, deadline=None, derandomize=True)
def test_plausible_totals_keep_only_possible_values(distance, elapsed, moving) -> None:
    d, e, m, _ = plausible_totals(distance, elapsed, moving)
    for value in (d, e, m):
        assert math.isnan(value) or value >= 0
    assert math.isnan(d) or d <= MAX_DISTANCE_M
    if not (math.isnan(d) or math.isnan(m) or m == 0):
        assert d / m <= 100.0


_ACTIVITY_ROWS = st.lists(
    st.tuples(
        st.integers(0, 120),  # day
        st.floats(0, 60_000, allow_nan=False) | st.just(float("nan")),  # distance [m]
        st.floats(0, 20_000, allow_nan=False),  # moving time [s]
        st.sampled_from(["running", "cycling", None]),
    ),
    max_size=40,
)


@given(_ACTIVITY_ROWS)
@settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
def test_weekly_load_totals_what_it_is_given(rows) -> None:
    base = pd.Timestamp("2024-01-01T07:00:00Z")
    starts = [base + pd.Timedelta(days=day) for day, _, _, _ in rows]
    frame = pd.DataFrame(
        {
            "start_time_utc": pd.DatetimeIndex(starts, tz="UTC")
            if rows
            else pd.DatetimeIndex([], tz="UTC"),
            "local_date": [s.date() for s in starts],
            "sport": [s for _, _, _, s in rows],
            "sub_sport": [None] * len(rows),
            "distance_m": [d for _, d, _, _ in rows],
            "moving_time_s": [m for _, _, m, _ in rows],
            "ascent_m": 0.0,
            "descent_m": 0.0,
            "surface": "road",
        },
        index=pd.Index([f"a{k}" for k in range(len(rows))], name="activity_id"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weekly = weekly_load(frame)
    assert np.isfinite(weekly["distance_km"]).all()
    assert (weekly["distance_km"] >= 0).all()
    running = [d for _, d, _, s in rows if s == "running" and np.isfinite(d)]
    assert weekly["distance_km"].sum() == pytest.approx(sum(running) / 1000.0, abs=1e-6)
