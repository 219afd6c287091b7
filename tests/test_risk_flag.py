"""Flag, flags_frame and the rule registry."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from risk_tables import D, table

import runload.risk.flag as flag_module
from runload.risk import FLAG_FIELDS, Flag, evaluate, flags_frame, register_rule, rules


def make(**kw) -> Flag:
    base = dict(
        trigger="t",
        date=D(2024, 1, 1),
        severity="low",
        metric="m_ratio",
        value=1.5,
        threshold=1.3,
        evidence="practice",
        reference="ref",
        message="msg",
        advice="adv",
        activity_ids=("a",),
    )
    base.update(kw)
    return Flag(**base)


def test_flag_fields_and_frozen():
    assert FLAG_FIELDS == (
        "trigger", "date", "severity", "metric", "value", "threshold", "evidence",
        "reference", "message", "advice", "activity_ids",
    )  # fmt: skip
    f = make(activity_ids=["x", "y"])
    assert f.activity_ids == ("x", "y")
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.severity = "high"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"severity": "severe"}, ValueError),
        ({"evidence": "strong"}, ValueError),
        ({"date": "2024-01-01"}, TypeError),
        ({"date": dt.datetime(2024, 1, 1)}, TypeError),
    ],
)
def test_flag_validation(kw, error):
    with pytest.raises(error):
        make(**kw)


def test_flags_frame_sorted_typed_and_empty():
    flags = [
        make(date=D(2024, 1, 2), severity="low"),
        make(date=D(2024, 1, 1), severity="info"),
        make(date=D(2024, 1, 2), severity="high", value=np.inf),
    ]
    frame = flags_frame(flags)
    assert list(frame.columns) == list(FLAG_FIELDS)
    assert list(frame["severity"]) == ["info", "high", "low"]
    assert frame["value"].dtype == np.float64 and np.isinf(frame["value"].iloc[1])
    assert isinstance(frame["date"].iloc[0], dt.date)
    assert frame["activity_ids"].iloc[0] == ("a",)
    empty = flags_frame([])
    assert list(empty.columns) == list(FLAG_FIELDS) and len(empty) == 0


def test_a_new_rule_is_one_registration(monkeypatch):
    monkeypatch.setattr(flag_module, "_RULES", dict(flag_module._RULES))

    @register_rule("every_run", evidence="practice", reference="none", advice="none")
    def every_run(activities: pd.DataFrame, *, min_km: float = 0.0) -> list[Flag]:
        return [
            flag_module.make_flag(
                "every_run",
                date=row.local_date,
                severity="low",
                metric="distance_km",
                value=row.distance_m / 1000,
                threshold=min_km,
                message="a run",
                activity_ids=(str(i),),
            )
            for i, row in activities.iterrows()
            if row.distance_m / 1000 > min_km
        ]

    assert "every_run" in rules()
    assert rules()["every_run"].options == ("min_km",)
    acts = table([{"date": D(2024, 1, 1), "km": 5}, {"date": D(2024, 1, 2), "km": 7}])
    found = [f for f in evaluate(acts) if f.trigger == "every_run"]
    assert [f.value for f in found] == [5.0, 7.0]
    assert found[0].evidence == "practice" and found[0].advice == "none"
    with pytest.raises(ValueError):
        register_rule("bad", evidence="anecdote", reference="", advice="")


def test_empty_table_gives_no_flags():
    from runload.schema import empty_activities

    assert evaluate(empty_activities()) == []


def test_findings_flag_notice_or_beginner_flag(monkeypatch):
    from runload.risk.flag import Findings

    monkeypatch.setattr(flag_module, "_RULES", dict(flag_module._RULES))
    register_rule("probe", evidence="practice", reference="r", advice="a")(lambda acts: [])
    common = dict(seen="a big week", metric="m_ratio", value=1.5, threshold=1.3, message="msg")
    found = Findings("probe", baseline_days=28)
    ok = found.add(date=D(2024, 2, 5), history_days=35, severity="moderate", **common)
    early = found.add(date=D(2024, 1, 8), history_days=7, severity="moderate", **common)
    novice = found.add(
        date=D(2024, 1, 8),
        history_days=7,
        severity="moderate",
        beginner_severity="high",
        beginner_message="first weeks",
        **common,
    )
    assert (ok.severity, ok.message) == ("moderate", "msg")
    assert early.severity == "info" and early.message.startswith("A big week, but only 7 days")
    assert (novice.severity, novice.message) == ("high", "first weeks")
    # a log shorter than the baseline adds one notice only when nothing else was said
    runs = pd.DataFrame({"local_date": [D(2024, 1, 1), D(2024, 1, 10)]})
    assert Findings("probe", baseline_days=28).result(runs)[0].severity == "info"
    assert len(found.result(runs)) == 3


#: Days of history each rule needs before it judges (the rules' declared settings,
#: docs/risk.md): the short-log notice is due while the log spans fewer days.
BASELINE_DAYS = {
    "distance_jump": 28,
    "downhill_overload": 28,
    "long_run_spike": 30,
    "uphill_overload": 28,
    "wrong_shoes": 28,
}


@pytest.mark.parametrize("span", [10, 27, 28, 29, 30])
def test_a_log_shorter_than_a_rules_baseline_gets_that_rules_notice(span):
    # 8 km road runs with 40 m of climbing every third day from Monday 4 March 2024, and
    # one on the last day: nothing to flag, only too little history for some rules.
    first = D(2024, 3, 4)
    days = sorted({*range(0, span, 3), span})
    rows = [
        {"date": first + dt.timedelta(days=d), "km": 8.0, "ascent": 40.0, "gear": "Pegasus 40"}
        for d in days
    ]
    last = first + dt.timedelta(days=span)
    expected = sorted(
        (rule, last, "info", "history_days", float(span), float(baseline))
        for rule, baseline in BASELINE_DAYS.items()
        if span < baseline
    )
    flags = evaluate(table(rows))
    got = sorted((f.trigger, f.date, f.severity, f.metric, f.value, f.threshold) for f in flags)
    assert got == expected
    for f in flags:
        assert f.activity_ids == ()
        assert f.message == (
            f"Only {span} days of running history are available before {last.isoformat()}; "
            f"{f.trigger} needs {BASELINE_DAYS[f.trigger]} days to know your usual training, "
            "so no flag was raised yet."
        )
