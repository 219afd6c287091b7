"""The ``wrong_shoes`` rule on generated shoe histories (tests/shoe_scenarios.py) and small tables.

Expected weeks, severities and shares are worked out by hand from the plans: four runs a
week of 7, 8, 11 and 6 km (32 km).
"""

from __future__ import annotations

import datetime as dt

import pytest
import shoe_scenarios as shoes
from risk_tables import table

from runload.demo import demo_plan
from runload.risk import RiskProfile, evaluate
from runload.risk.wrong_shoes import wrong_shoes
from runload.testing.history import plan_activities

MON = dt.date(2024, 1, 1)


def week(k: int) -> dt.date:
    return MON + dt.timedelta(weeks=k)


def found(flags):
    return [(f.metric, f.date, f.severity) for f in flags if f.severity != "info"]


def run(plan, **settings):
    return wrong_shoes(plan_activities(plan), **settings)


def test_abrupt_switch_to_minimalist_at_full_volume_is_moderate():
    flags = run(shoes.minimalist_switch())
    # week 6: 0 % → 100 % minimalist (rise 100 points ≥ 70: abrupt) with 32 of the usual
    # 32 km (100 % ≥ 80 %: full volume): 2 points
    assert found(flags) == [("less_cushioned_share_rise_ratio", week(6), "moderate")]
    [flag] = flags
    assert flag.value == pytest.approx(1.0) and flag.threshold == 0.30
    assert flag.evidence == "evidence" and "Ryan" in flag.reference
    assert "Vibram FiveFingers V-Run" in flag.message and "abrupt" in flag.message
    assert len(flag.activity_ids) == 4


def test_body_mass_raises_the_switch_for_a_heavier_runner():
    plan = shoes.minimalist_switch(body_mass_kg=92.0)
    assert found(run(plan, body_mass_kg=92.0)) == plan.expected["items"]
    assert plan.expected["items"][0][2] == "high"
    # a lighter runner keeps the two points of the switch: moderate, never lowered
    assert found(run(plan, body_mass_kg=60.0))[0][2] == "moderate"
    # through the profile, as a runner would set it
    profile = RiskProfile(wrong_shoes={"body_mass_kg": 92.0})
    acts = plan_activities(plan)
    serious = [f for f in evaluate(acts, profile=profile) if f.trigger == "wrong_shoes"]
    assert [f.severity for f in serious] == ["high"]
    assert "92 kg" in serious[0].message and "Fuller" in serious[0].message


def test_gradual_eight_week_transition_is_not_flagged():
    plan = shoes.minimalist_switch(abrupt=False)
    # shares 18.75 → 40.6 → 65.6 → 100 %: rises of 21.9, 25 and 34.4 points, the last
    # when the 4 weeks before hold 59.4 % minimalist distance (more than 40 %)
    assert run(plan) == []


def test_runs_in_non_running_shoes():
    plan = shoes.non_running_runs()
    flags = run(plan)
    assert found(flags) == plan.expected["items"]
    low, moderate = flags
    assert low.value == pytest.approx(6 / 32) and moderate.value == pytest.approx(21 / 32)
    assert all(f.evidence == "practice" for f in flags)
    assert "not made for running" in low.message and "Converse Chuck Taylor" in low.message


@pytest.mark.parametrize("most", [False, True])
def test_racing_shoe_long_run_habit(most):
    plan = shoes.racing_long_runs(most=most)
    flags = run(plan)
    assert found(flags) == plan.expected["items"]
    # week 5: long runs of weeks 3, 4, 5 in racing shoes, 33 of 128 km (or 57 with
    # Thursday's runs too)
    assert flags[0].value == pytest.approx((57 if most else 33) / 128)
    assert all(f.evidence == "practice" for f in flags)
    assert "3 of the 4 weeks" in flags[0].message


def test_one_race_in_racing_shoes_is_not_a_habit():
    rows = [
        {"date": week(k) + dt.timedelta(days=d), "km": 8.0, "gear": "Ghost 15"}
        for k in range(6)
        for d in (1, 3, 5)
    ]
    rows.append({"date": week(5) + dt.timedelta(days=6), "km": 21.1, "gear": "Nike Vaporfly 3"})
    # 21.1 of 4 × 24 + 21.1 = 117.1 km (18 %), one long run of four: nothing
    assert found(wrong_shoes(table(rows))) == []


def test_unknown_shoe_types_give_a_notice_not_a_flag():
    flags = run(shoes.unknown_shoe_types())
    assert found(flags) == []
    [notice] = flags
    assert notice.severity == "info" and notice.metric == "shoe_types_unknown"
    assert "Shoe types unknown" in notice.message
    assert "'Blue Pegs'" in notice.message and "'old ones'" in notice.message
    assert notice.value == pytest.approx(1.0)


def test_the_gear_file_types_a_nickname():
    acts = plan_activities(shoes.unknown_shoe_types())
    gear = [
        {"gear": "Blue Pegs", "start_date": MON, "end_date": None, "type": "cushioned"},
        {"gear": "old ones", "start_date": MON, "end_date": None, "model": "Xero HFS"},
    ]
    flags = wrong_shoes(acts, gear_map=gear)
    assert found(flags) == [("less_cushioned_share_rise_ratio", week(6), "moderate")]


def test_a_much_lower_stack_counts_as_less_cushioned():
    acts = plan_activities(shoes.unknown_shoe_types())
    gear = {
        "Blue Pegs": {"start_date": MON, "end_date": None, "type": "cushioned", "stack_mm": 34},
        "old ones": {"start_date": MON, "end_date": None, "type": "racing", "stack_mm": 22},
    }
    # 22 mm is 12 mm below the 34 mm of the weeks before (≥ 10 mm): less cushioned
    assert found(wrong_shoes(acts, gear_map=gear))[0][:2] == (
        "less_cushioned_share_rise_ratio",
        week(6),
    )
    gear["old ones"]["stack_mm"] = 27  # 7 mm lower: not much lower, and not minimalist
    # left: racing shoes from week 6; week 7: 64 of weeks 4-7's 128 km (50 %), two long
    # runs: low; week 8: 96 of 128 km and three long runs: moderate
    assert found(wrong_shoes(acts, gear_map=gear)) == [
        ("racing_share_ratio", week(7), "low"),
        ("racing_share_ratio", week(8), "moderate"),
    ]


def test_short_history_gives_a_notice_instead_of_a_switch_flag():
    rows = [{"date": MON + dt.timedelta(days=d), "km": 8.0, "gear": "Ghost 15"} for d in (0, 2, 4)]
    rows += [
        {"date": MON + dt.timedelta(days=7 + d), "km": 8.0, "gear": "Vivobarefoot Primus"}
        for d in (0, 2, 4)
    ]
    flags = wrong_shoes(table(rows))
    assert found(flags) == []
    assert [f.metric for f in flags] == ["history_days"]


def test_demo_runner_moves_long_runs_into_racing_shoes():
    plan = demo_plan()
    flags = [f for f in evaluate(plan_activities(plan)) if f.trigger == "wrong_shoes"]
    assert found(flags) == [("racing_share_ratio", plan.expected["racing_habit_week_start"], "low")]


def test_no_shoe_at_all_leaves_the_word_to_worn_shoes():
    rows = [{"date": MON + dt.timedelta(days=2 * k), "km": 8.0} for k in range(6)]
    assert wrong_shoes(table(rows)) == []
    worn = [f for f in evaluate(table(rows)) if f.trigger == "worn_shoes"]
    assert [f.severity for f in worn] == ["info"]
