"""Episodes (one event, one item) and the runner's status, on hand-built tables."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from risk_tables import D, table

from runload import analyze
from runload.risk import Flag, flags_frame
from runload.risk.episodes import group_episodes
from runload.risk.status import training_status


def _flag(trigger, date, severity, ids, evidence="evidence"):
    return Flag(
        trigger=trigger,
        date=date,
        severity=severity,
        metric="x_ratio",
        value=1.0,
        threshold=1.0,
        evidence=evidence,
        reference=f"ref {trigger}",
        message=f"{trigger} on {date}",
        advice=f"advice {trigger}",
        activity_ids=tuple(ids),
    )


def test_flags_on_the_same_runs_of_a_week_are_one_episode():
    flags = flags_frame(
        [
            # Week of Monday 2024-02-05: the weekly jump lists its runs; the Sunday spike is
            # one of them; an ankle-weight run on another day of that week is another event.
            _flag("distance_jump", D(2024, 2, 5), "high", ["a", "b", "c"], "weak evidence"),
            _flag("long_run_spike", D(2024, 2, 11), "moderate", ["c"]),
            _flag("ankle_weights", D(2024, 2, 6), "low", ["z"], "practice"),
            # A shoe passing its mileage on run b is about the shoe: an item of its own.
            _flag("worn_shoes", D(2024, 2, 7), "low", ["b"], "practice"),
            # The next week's spike is another event, even on a run id seen before.
            _flag("long_run_spike", D(2024, 2, 12), "moderate", ["c"]),
            _flag("distance_jump", D(2024, 2, 5), "info", ["a"], "weak evidence"),
        ]
    )
    out, episodes = group_episodes(flags)
    assert len(out) == len(flags) and len(episodes) == 4
    first = episodes.iloc[0]
    assert first["triggers"] == ("distance_jump", "long_run_spike")
    assert first["evidence"] == ("weak evidence", "evidence")
    assert first["severity"] == "high"
    assert first["week_start"] == D(2024, 2, 5)
    assert (first["first_date"], first["last_date"]) == (D(2024, 2, 5), D(2024, 2, 11))
    assert first["headline"] == "distance_jump on 2024-02-05"
    assert set(first["activity_ids"]) == {"a", "b", "c"}
    by_trigger = {t: e for t, e in zip(out["trigger"], out["episode"], strict=True)}
    assert out.loc[out["severity"] == "info", "episode"].tolist() == [-1]
    jump = out.loc[(out["trigger"] == "distance_jump") & (out["severity"] == "high")]
    spikes = out.loc[out["trigger"] == "long_run_spike", "episode"].tolist()
    assert spikes[0] == int(jump["episode"].iloc[0]) and spikes[1] != spikes[0]
    assert by_trigger["ankle_weights"] != spikes[0]
    assert by_trigger["worn_shoes"] not in (spikes[0], by_trigger["ankle_weights"])
    assert sorted(episodes["episode"]) == [0, 1, 2, 3]


def test_no_flags_no_episodes():
    out, episodes = group_episodes(flags_frame([]))
    assert out.empty and episodes.empty
    assert "episode" in out.columns and "triggers" in episodes.columns


def test_status_against_the_recent_normal_and_the_next_steps():
    # Weeks from Monday 2024-01-01: 20, 0 (a break), 22, 24, 18 km, then 10 km so far.
    rows = [
        {"date": D(2024, 1, 2), "km": 8},
        {"date": D(2024, 1, 6), "km": 12},
        {"date": D(2024, 1, 16), "km": 10},
        {"date": D(2024, 1, 20), "km": 12},
        {"date": D(2024, 1, 23), "km": 10},
        {"date": D(2024, 1, 27), "km": 14},
        {"date": D(2024, 1, 30), "km": 6},
        {"date": D(2024, 2, 3), "km": 12},
        {"date": D(2024, 2, 6), "km": 10},
    ]
    acts = table(rows)
    flags = flags_frame(
        [
            _flag("long_run_spike", D(2024, 1, 20), "low", ["x"]),  # 18 days before: not active
            _flag("long_run_spike", D(2024, 1, 27), "moderate", ["y"]),  # 11 days before
            _flag("distance_jump", D(2024, 2, 5), "info", []),  # notices are never active
        ]
    )
    s = training_status(acts, flags)
    assert s is not None
    assert s.as_of == D(2024, 2, 6) and s.week_start == D(2024, 2, 5)
    assert s.week_km == pytest.approx(10.0)
    # Normal, as distance_jump reads it: the mean of the bigger half of the last 4 weeks
    # with running (20, 22, 24, 18; the zero week is a break, not part of the norm):
    # (24 + 22) / 2 = 23 km.
    assert s.weeks_in_normal == 4 and s.normal_week_km == pytest.approx(23.0)
    # Longest run in the 30 days 2024-01-08 ... 2024-02-06: 14 km; +10 % = 15.4 km.
    assert s.longest_30d_km == pytest.approx(14.0)
    assert s.next_long_run_km == pytest.approx(15.4)
    # Next week: 10 % over the larger of the normal (23) and this week (10) = 25.3 km.
    assert s.next_week_km == pytest.approx(25.3)
    assert list(s.active["date"]) == [D(2024, 1, 27)]
    text = "\n".join(s.lines())
    assert "up to 15.4 km" in text and "up to 25.3 km" in text
    assert "recent normal of 23.0 km a week" in text and "-57 %" in text  # 10 / 23 - 1
    doc = s.to_dict()
    assert doc["next_long_run_km"] == pytest.approx(15.4)
    assert doc["active_flags"] == [
        {"trigger": "long_run_spike", "date": "2024-01-27", "severity": "moderate"}
    ]


def test_status_of_a_first_run_and_of_no_run():
    acts = table([{"date": D(2024, 3, 4), "km": 5}])
    s = training_status(acts, flags_frame([]))
    assert s is not None
    assert math.isnan(s.normal_week_km) and s.weeks_in_normal == 0
    assert s.next_long_run_km == pytest.approx(5.5)
    assert s.next_week_km == pytest.approx(5.5)
    assert "no earlier weeks with running" in "\n".join(s.lines())
    assert s.to_dict()["normal_week_km"] is None
    assert training_status(acts.iloc[0:0], flags_frame([])) is None


def _steady_with_two_long_runs():
    # 20 weeks of 5 + 5 + 10 km from Monday 2024-01-01; the Sundays of weeks 6 and 19
    # are 20 km runs, twice the longest run of the 30 days before (a spike).
    rows = []
    start = D(2024, 1, 1)
    for w in range(20):
        for d, km in ((1, 5.0), (3, 5.0), (6, 20.0 if w in (6, 19) else 10.0)):
            rows.append({"date": start + dt.timedelta(days=7 * w + d), "km": km})
    return table(rows)


def test_analysis_opens_with_the_status_and_lists_recent_items_only():
    a = analyze(_steady_with_two_long_runs())
    assert a.status is not None and a.status.as_of == D(2024, 5, 19)
    spikes = a.flags.loc[(a.flags["trigger"] == "long_run_spike") & (a.flags["severity"] != "info")]
    assert list(spikes["date"]) == [D(2024, 2, 18), D(2024, 5, 19)]
    text = a.to_text()
    lines = text.splitlines()
    assert lines[0] == "60 activities read, 60 counted as runs"
    assert lines.index("Status as of your last run, 2024-05-19:") < lines.index(
        "Weekly load (last 8 weeks)"
    )
    # The last 8 weeks start on Monday 2024-03-25: the February spike is not listed.
    n = len(a.episodes)
    assert f"Items since 2024-03-25 (1 of {n})" in text
    assert f"{n - 1} earlier item(s) not shown" in text
    assert "2024-02-18" not in text.split("Items since", 1)[1].split("Advice", 1)[0]
    every = a.to_text(all_items=True)
    assert f"Items since the first run ({n} of {n})" in every and "2024-02-18" in every
    since = a.to_text(since=D(2024, 2, 1))
    assert f"Items since 2024-02-01 ({n} of {n})" in since
