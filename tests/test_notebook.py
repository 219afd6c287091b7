"""runload.report.notebook: HTML cards and concise reprs, and Analysis._repr_html_."""

from __future__ import annotations

import datetime as dt
import re
import types
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from risk_tables import D, table, weekly_routine

import runload
from runload.analysis import analyze
from runload.report import notebook as nb
from runload.risk import Flag
from runload.testing.gpx import gpx_bytes
from runload.testing.track import Track

MON = D(2024, 1, 1)
MTS = {0: 0.25, 3: 0.25, 6: 0.5}
LONG = (
    "Your 20.0 km run on 2024-02-11 was twice as long as your longest run of the previous "
    "30 days (10.0 km), and this message goes on well past fifty characters so that a cut "
    "would show <right here> & there."
)


def _text(fragment: str) -> str:
    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts: list[str] = []
            self.in_style = False

        def handle_starttag(self, tag, attrs):
            self.in_style = tag == "style"

        def handle_endtag(self, tag):
            self.in_style = False

        def handle_data(self, data):
            if not self.in_style:
                self.parts.append(data)

    p = P()
    p.feed(fragment)
    return " ".join(" ".join(p.parts).split())


def a_flag(**kw):
    fields = {
        "trigger": "long_run_spike",
        "date": D(2024, 2, 11),
        "severity": "high",
        "metric": "spike_ratio",
        "value": 2.0,
        "threshold": 2.0,
        "evidence": "evidence",
        "reference": "Frandsen et al., Br J Sports Med 2025;59(17):1203–10",
        "message": LONG,
        "advice": "Lengthen the long run in small steps.",
        "activity_ids": ("a1",),
    }
    fields.update(kw)
    return Flag(**fields)


def test_flag_card_shows_the_whole_message_escaped():
    html = nb.flag_html(a_flag())
    text = _text(html)
    assert LONG in text  # whole, not cut at 50 characters
    assert "&lt;right here&gt; &amp; there" in html and "<right here>" not in html
    for part in ("long_run_spike", "high", "evidence: evidence", "Frandsen et al.", "small steps"):
        assert part in text
    # a row of a flags table works the same way
    row = runload.risk.flags_frame([a_flag()]).iloc[0]
    assert _text(nb.flag_html(row)) == text


def test_flag_repr_is_one_short_line():
    r = nb.flag_repr(a_flag())
    assert r == "Flag(long_run_spike, high, 2024-02-11, spike_ratio 2 vs 2)"
    notice = nb.flag_repr(a_flag(severity="info", value=float("nan")))
    assert notice == "Flag(long_run_spike, info, 2024-02-11)"


def jump_analysis():
    return analyze(table(weekly_routine(MON, 6, [20.0] * 5 + [40.0], pattern=MTS, gear="A")))


def test_episode_card_and_repr():
    a = jump_analysis()
    (row,) = a.episodes.to_dict("records")
    assert row["triggers"] == ("distance_jump", "long_run_spike")
    # both ratios are exactly 2.0, not above the high mark of 2.0: moderate
    assert nb.episode_repr(row) == (
        "Item(2024-02-05, moderate, distance_jump + long_run_spike, 2 flags)"
    )
    text = _text(nb.episode_html(row, a.flags))
    for k in row["flags"]:
        assert " ".join(a.flags.iloc[k]["message"].split()) in text
        assert " ".join(a.flags.iloc[k]["advice"].split()) in text
    assert "2024-02-05 to 2024-02-11" in text
    assert "distance_jump (" in text and "long_run_spike (evidence)" in text
    # without the flags table: the headline, whole
    assert " ".join(row["headline"].split()) in _text(nb.episode_html(pd.Series(row)))


def test_analysis_repr_html_status_items_and_chart():
    a = jump_analysis()
    html = a._repr_html_()
    text = _text(html)
    assert text.index("Status as of your last run, 2024-02-11:") < text.index("Items of the last")
    assert "This week (from 2024-02-05): 40.0 km" in text
    assert "Items of the last 8 weeks (1 of 1)" in text
    for rec in a.flags.loc[a.flags["severity"] != "info"].to_dict("records"):
        assert " ".join(rec["message"].split()) in text
    assert html.count("<svg") == 1 and "<script" not in html
    imperial = _text(nb.analysis_html(a, units="imperial", chart=False))
    assert "24.9 mi" in imperial
    assert repr(a) == "Analysis(18 activities, 6 weeks, 2 flags, 2 notices, 0 errors)"


def _gpx_activity(tmp_path):
    # 300 points 0.001 degrees of latitude apart, every 20 s: 299 steps of 111.195 m
    # (IUGG mean radius) = 33.247 km in 5980 s = 1:39:40, 179.9 s/km = 3:00 min/km
    i = np.arange(300)
    index = pd.DatetimeIndex(
        pd.Timestamp("2024-05-04T07:00:00Z") + pd.to_timedelta(i * 20, unit="s"), name="time"
    )
    samples = pd.DataFrame(
        {"latitude_deg": 45.0 + i * 0.001, "longitude_deg": 7.25, "elevation_m": 200.0},
        index=index,
    )
    track = Track(samples=samples, name="Run by the <river>", device="Synth Watch 1")
    path = tmp_path / "secret-folder" / "run.gpx"
    path.parent.mkdir()
    path.write_bytes(gpx_bytes(track))
    return runload.read_activity(path)


def test_activity_card_and_repr(tmp_path):
    act = _gpx_activity(tmp_path)
    text = _text(nb.activity_html(act))
    assert "Run by the <river>" in text and "&lt;river&gt;" in nb.activity_html(act)
    assert "33.25 km" in text and "1:39:40" in text and "3:00 min/km" in text
    assert "run.gpx (gpx)" in text
    assert "secret-folder" not in text and "Synth Watch" not in text and "45.0" not in text
    assert "20.66 mi" in _text(nb.activity_html(act, units="imperial"))
    r = nb.activity_repr(act)
    assert r.startswith("Activity(2024-05-04 running/")
    assert "33.2 km, 1:39:40, 3:00 min/km, 'run.gpx')" in r


def test_log_card_reason_first_and_base_names():
    acts = table(weekly_routine(MON, 2, [20.0, 20.0], pattern=MTS))
    errors = pd.DataFrame(
        [["/home/alice/runs/bad.fit", "truncated", "/home/alice/runs/bad.fit: cut short"]],
        columns=["path", "reason", "message"],
    )
    log = types.SimpleNamespace(activities=acts, errors=errors, manual=pd.Index(["m1"]))
    assert nb.log_repr(log) == (
        "ActivityLog(6 activities from 2024-01-01 to 2024-01-14, 1 manual entries, 1 errors)"
    )
    html = nb.log_html(log)
    assert "alice" not in html
    assert re.search(r"<td>truncated</td><td>bad\.fit</td><td>bad\.fit: cut short</td>", html)
    text = _text(html)
    assert "running 6 40.0 km" in text  # by sport: 6 runs, 40 km


@pytest.mark.parametrize("days", [0, 1])
def test_cards_take_dates_as_dates_or_timestamps(days):
    day = D(2024, 2, 11) + dt.timedelta(days=days)
    assert str(day) in nb.flag_repr({"trigger": "t", "severity": "low", "date": pd.Timestamp(day)})


def test_the_classes_display_through_the_notebook_functions(tmp_path):
    """Flag, Activity and ActivityLog use the notebook functions for repr and HTML."""
    import datetime as dt

    import runload
    from runload.report import notebook
    from runload.risk import Flag
    from runload.testing.fit import fit_bytes
    from runload.testing.history import synthetic_track

    message = "A long message about a run that must never be cut short. " * 4
    flag = Flag(
        trigger="long_run_spike",
        date=dt.date(2024, 3, 9),
        severity="moderate",
        metric="spike_ratio",
        value=1.45,
        threshold=1.1,
        evidence="evidence",
        reference="Frandsen et al., Br J Sports Med 2025",
        message=message,
        advice="Lengthen the long run in small steps.",
        activity_ids=("a1",),
    )
    assert repr(flag) == notebook.flag_repr(flag) and len(repr(flag)) < 120
    assert flag._repr_html_() == notebook.flag_html(flag)
    assert message.strip() in flag._repr_html_()

    track = synthetic_track("2024-03-09T07:00:00Z", distance_m=5000.0, sample_interval_s=5.0)
    path = tmp_path / "run.fit"
    path.write_bytes(fit_bytes(track))
    activity = runload.read_activity(path)
    assert repr(activity) == notebook.activity_repr(activity)
    assert activity._repr_html_() == notebook.activity_html(activity)
    log = runload.read_activities(tmp_path, cache=None, jobs=1)
    assert repr(log) == notebook.log_repr(log)
    assert log._repr_html_() == notebook.log_html(log)
