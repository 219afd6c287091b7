"""ankle_weights: negations and abbreviations (issue 8)."""

from __future__ import annotations

import pytest
from risk_tables import D, day, table

from runload.risk.ankle_weights import ankle_weights, mentions_ankle_weights

MON = D(2024, 1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "Run with ankle weights",
        "ankle wts 1 kg",
        "Ankle wt jog",
        "Easy AW run",
        "Hill repeats with AW",
        "w/ AW",
        "AW 1kg",
        "+AW",
        "a.w. run",
        "No pain, with ankle weights",  # the negation is in another clause
        "No rest today: ankle weights",
        "no ankle weights on Monday, with ankle weights today",
    ],
)
def test_counted(text):
    assert mentions_ankle_weights(text)


@pytest.mark.parametrize(
    "text",
    [
        "No ankle weights today",
        "without ankle weights",
        "Without my ankle weights",
        "didn't use ankle weights",
        "didn’t wear the ankle weights",
        "did not use ankle weights",
        "forgot the ankle weights",
        "w/o ankle weights",
        "ohne Knöchelgewichte",
        "sans poids aux chevilles",
        "without AW",
        "aw man, rain again",
        "AWS re:Invent recap run",
        "AW",  # a bare capitalised AW in a name: initials, not a tag
        "Run with Anna W.",
        "ankle sprain",
    ],
)
def test_not_counted(text):
    assert not mentions_ankle_weights(text)


def test_a_tag_that_is_just_aw_counts():
    assert mentions_ankle_weights("AW", tag=True)
    assert mentions_ankle_weights("a.w.", tag=True)
    assert not mentions_ankle_weights("no ankle weights", tag=True)


def test_negated_notes_do_not_count_as_ankle_weight_runs():
    # three runs in the first 14 days whose notes say "no ankle weights": no flag at all
    rows = [{"date": day(MON, d), "km": 5.0, "notes": "no ankle weights today"} for d in (1, 8, 14)]
    assert ankle_weights(table(rows)) == []
    # the same runs done with them: the start (low) and the fast start (moderate)
    rows = [{"date": day(MON, d), "km": 5.0, "notes": "ankle wts 1 kg"} for d in (1, 8, 14)]
    assert [f.severity for f in ankle_weights(table(rows))] == ["low", "moderate"]


def test_growth_is_compared_as_shown():
    # 3 km in week 0, 6.1 km in week 1: 2.03 times, shown "2.0 times": not above 2
    rows = [
        {"date": day(MON, 1), "km": 3.0, "notes": "ankle weights"},
        {"date": day(MON, 8), "km": 6.1, "notes": "ankle weights"},
    ]
    assert [f.metric for f in ankle_weights(table(rows))] == ["tagged_runs"]
    rows[1] = {"date": day(MON, 8), "km": 6.2, "notes": "ankle weights"}  # 2.07 -> "2.1"
    growth = [f for f in ankle_weights(table(rows)) if f.metric == "tagged_growth_ratio"]
    assert [(f.severity, "2.1 times" in f.message) for f in growth] == [("moderate", True)]
