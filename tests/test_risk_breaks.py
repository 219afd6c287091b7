"""Breaks, returns, beginners and cut-back weeks (issue 8), on hand-built tables.

The pre-break history used below: weeks starting 2024-01-01 with Tue 8 km, Thu 12 km and
Sun 20 km (40 km a week).  Its last run is Sunday 2024-01-28 (day 27); the reference
window (28 days up to that run) holds all 12 runs: 40 km a week, longest 20 km, median
run 12 km, so runs under max(0.2 × 12, 3) = 3 km are trivial.
"""

from __future__ import annotations

import pytest
from risk_tables import D, day, table, weekly_routine

from runload.risk import evaluate
from runload.risk.distance_jump import distance_jump
from runload.risk.long_run_spike import long_run_spike
from runload.risk.return_after_break import resume_share, return_after_break

MON = D(2024, 1, 1)
LAST = day(MON, 27)


def pre_break(weeks: int = 4) -> list[dict]:
    return weekly_routine(MON, weeks, [40.0] * weeks, pattern={1: 0.2, 3: 0.3, 6: 0.5})


def serious(flags) -> list:
    return [f for f in flags if f.severity in ("moderate", "high")]


def test_resume_share_by_hand():
    assert resume_share(14, loss_per_week=0.1, min_resume_share=0.5) == pytest.approx(0.8)
    assert resume_share(28, loss_per_week=0.1, min_resume_share=0.5) == pytest.approx(0.6)
    assert resume_share(42, loss_per_week=0.1, min_resume_share=0.5) == 0.5
    assert resume_share(3, loss_per_week=0.1, min_resume_share=0.5) == pytest.approx(1 - 0.3 / 7)


@pytest.mark.parametrize("jog", [False, True])
def test_20_km_first_run_after_six_weeks_off(jog):
    # return on day 27 + 42 = day 69: share 0.5, so the 20 km run is judged against
    # 0.5 × 20 = 10 km: ratio 2.0 (+100 %, not above) -> moderate.  The first week holds
    # only this run: 20 km against 0.5 × 40 = 20 km, ratio 1.0.
    rows = pre_break()
    if jog:
        rows.append({"date": day(MON, 48), "km": 2.0, "id": "jog"})
    rows.append({"date": day(MON, 69), "km": 20.0, "id": "back"})
    flags = evaluate(table(rows))
    found = [(f.trigger, f.date, f.severity) for f in serious(flags)]
    assert found == [("return_after_break", day(MON, 69), "moderate")]
    [ret] = [f for f in flags if f.trigger == "return_after_break"]
    assert ret.value == pytest.approx(2.0) and ret.activity_ids == ("back",)
    assert "42 days" in ret.message and "50 %" in ret.message and "10.0 km" in ret.message
    assert "expert judgement" in ret.message
    assert ("short jog" in ret.message) is jog
    # the spike rule uses the pre-break longest run (20 km): no spike; no weekly jump
    assert not [
        f for f in flags if f.trigger in ("long_run_spike", "distance_jump") and f.date > LAST
    ]


def test_first_week_after_a_break_is_judged_too():
    # three 10 km runs from day 69: each run is 10 / 10 km (ratio 1.0), but the first 7
    # days hold 30 km against 20 km: ratio 1.5 (+50 %) -> moderate, on the week's runs.
    rows = pre_break() + [{"date": day(MON, d), "km": 10.0, "id": f"r{d}"} for d in (69, 71, 73)]
    [flag] = return_after_break(table(rows))
    assert (flag.severity, flag.value) == ("moderate", pytest.approx(1.5))
    assert flag.activity_ids == ("r69", "r71", "r73")
    assert "30.0 km" in flag.message and "20.0 km" in flag.message


def test_break_length_edges():
    # 14 days: a break, share 0.8: a 20 km run against 16 km -> +25 % -> low
    rows = [*pre_break(), {"date": day(MON, 27 + 14), "km": 20.0}]
    assert [(f.severity, round(f.value, 2)) for f in return_after_break(table(rows))] == [
        ("low", 1.25)
    ]
    # 13 days: no break
    rows = [*pre_break(), {"date": day(MON, 27 + 13), "km": 20.0}]
    assert return_after_break(table(rows)) == []
    # a modest return (8 km after 6 weeks: 8 / 10 km) is quiet
    rows = [*pre_break(), {"date": day(MON, 69), "km": 8.0}]
    assert return_after_break(table(rows)) == []


def test_a_break_without_a_complete_reference_is_a_notice():
    rows = [{"date": MON, "km": 10.0}, {"date": day(MON, 2), "km": 10.0}]
    rows.append({"date": day(MON, 30), "km": 20.0, "id": "back"})
    [note] = return_after_break(table(rows))
    assert note.severity == "info" and note.value == 2 and note.threshold == 3
    assert note.activity_ids == ("back",)


def test_runner_who_always_runs_short_is_not_on_a_break():
    # 2.5 km runs every other day: under 3 km, but not under half of the typical run,
    # so none is trivial and there is no break
    rows = [{"date": day(MON, d), "km": 2.5} for d in range(0, 60, 2)]
    assert return_after_break(table(rows)) == []


def test_week_after_a_zero_week_is_judged():
    # 40, 40, 40, 40, 0, 60: the normal is the median of the last 4 weeks with running
    # (40 km); 60 / 40 = +50 % -> moderate.  The gap (Sun day 27 to Tue day 36) is 9 days:
    # no break, so the week is distance_jump's.
    rows = pre_break() + weekly_routine(day(MON, 35), 1, [60.0], pattern={1: 0.2, 3: 0.3, 6: 0.5})
    flags = distance_jump(table(rows))
    assert [(f.date, f.severity, round(f.value, 2)) for f in flags] == [
        (day(MON, 35), "moderate", 1.5)
    ]
    quiet = pre_break() + weekly_routine(day(MON, 35), 1, [40.0], pattern={1: 0.2, 3: 0.3, 6: 0.5})
    assert distance_jump(table(quiet)) == []


def test_cut_back_block_raises_nothing_above_low():
    # 40-44-48-24 km, three times: each week against the median of the 4 before it is at
    # most 48 / 42 = +14 %; long runs (half the week) rise 20 -> 22 -> 24 km (+9 %).
    totals = [40.0, 44.0, 48.0, 24.0] * 3
    flags = evaluate(table(weekly_routine(MON, 12, totals, pattern={0: 0.25, 3: 0.25, 6: 0.5})))
    assert not [f for f in flags if f.severity in ("moderate", "high")]
    assert not [f for f in flags if f.trigger == "distance_jump" and f.severity != "info"]


def test_beginner_50_percent_week_two_flags():
    # week 1: 10 km (Mon 2.5, Thu 2.5, Sun 5), week 2: 15 km: +50 % on the first week.
    acts = table(weekly_routine(MON, 2, [10.0, 15.0], pattern={0: 0.25, 3: 0.25, 6: 0.5}))
    flags = distance_jump(acts)
    assert [(f.date, f.severity, f.value) for f in flags] == [(day(MON, 7), "moderate", 1.5)]
    assert "Nielsen" in flags[0].message and "novices" in flags[0].message.lower()
    assert "tendency" in flags[0].message and "Buist 2008" in flags[0].message


def test_beginner_partial_first_week_is_not_a_normal():
    # first run on a Saturday: that week (one 3 km run) is too partial to be the normal;
    # week 2 (12 km) is not judged; week 3 (15 km) is +25 % on week 2: quiet
    rows = [{"date": day(MON, 5), "km": 3.0}]
    rows += weekly_routine(day(MON, 7), 2, [12.0, 15.0], pattern={0: 0.25, 3: 0.25, 6: 0.5})
    assert [f for f in distance_jump(table(rows)) if f.severity != "info"] == []


def test_beginner_long_run_far_beyond_the_early_runs():
    # 3 km on days 0, 2, 4, 7, 9, then 8 km on day 11: 8 / 3 = +167 % on the longest run
    # so far, with 11 days and 5 runs of history -> high (beyond +100 %), not a notice
    rows = [{"date": day(MON, d), "km": 3.0} for d in (0, 2, 4, 7, 9)]
    rows.append({"date": day(MON, 11), "km": 8.0, "id": "long"})
    flags = long_run_spike(table(rows))
    assert [(f.activity_ids, f.severity) for f in flags] == [(("long",), "high")]
    assert "so far" in flags[0].message and "expert judgement" in flags[0].message
    # 4.8 km (+60 %) is moderate; 4.2 km (+40 %) only a notice
    rows[-1] = {"date": day(MON, 11), "km": 4.8, "id": "long"}
    assert [f.severity for f in long_run_spike(table(rows))] == ["moderate"]
    rows[-1] = {"date": day(MON, 11), "km": 4.2, "id": "long"}
    assert [f.severity for f in long_run_spike(table(rows))] == ["info"]


def test_runner_every_third_day_is_not_jumping():
    # 8 km every third day: weeks of two runs (16 km) and of three (24 km).  A three-run
    # week is +50 % on a two-run median, but no more than the biggest recent week (24 km),
    # so it is no jump.  A real step to 32 km (+33 % on that biggest week) still is.
    rows = [{"date": day(MON, 3 * i), "km": 8.0} for i in range(40)]
    assert [f for f in distance_jump(table(rows)) if f.severity != "info"] == []
    rows += [{"date": day(MON, 126 + d), "km": 8.0} for d in (0, 2, 4, 6)]
    flags = [f for f in distance_jump(table(rows)) if f.severity != "info"]
    assert [(f.date, f.severity) for f in flags] == [(day(MON, 126), "moderate")]


def test_the_weeks_of_a_comeback_are_judged_against_the_scaled_pre_break_longest():
    # Six weeks off after the 40 km weeks (longest run 20 km), then a careful comeback:
    # 4, 5 and 7 km runs, then 9 km, then 13 km.  After 42 days off the share is 50 %:
    # up to 10 km is within what return_after_break allows, so the 5 -> 7 -> 9 km steps
    # (+40 %, +29 % on the 30-day longest) are no spikes; 13 km is +30 % on 10 km (low,
    # since 30 % is not above 30 %).
    back = day(LAST, 42)
    rows = [
        *pre_break(),
        {"date": back, "km": 4.0},
        {"date": day(back, 2), "km": 5.0},
        {"date": day(back, 4), "km": 7.0},
        {"date": day(back, 7), "km": 9.0},
        {"date": day(back, 10), "km": 13.0},
    ]
    flags = [f for f in long_run_spike(table(rows)) if f.severity != "info"]
    assert [(f.date, f.severity) for f in flags] == [(day(back, 10), "low")]
    assert flags[0].value == pytest.approx(13.0 / 10.0)
    assert "50 % of your longest run before the break (20.0 km)" in flags[0].message
    # Without the break the same 7 km after 5 km would be a +40 % spike (moderate).
    plain = table(
        [
            {"date": day(MON, 0), "km": 5.0},
            {"date": day(MON, 40), "km": 5.0},
            {"date": day(MON, 42), "km": 7.0},
        ]
    )
    assert [f.severity for f in long_run_spike(plain) if f.date == day(MON, 42)] == ["moderate"]
