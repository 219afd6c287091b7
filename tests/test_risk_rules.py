"""The risk rules on hand-built activities tables, with hand-computed expectations.

New rules and the issue-8 behaviour have their own files (test_risk_breaks.py,
test_risk_climbing.py, test_risk_treadmill.py, test_risk_ankle_weights.py).

Weekly tables use runs on Monday, Thursday and Sunday (25 %, 25 %, 50 % of the week), so
the first run is on the first Monday: a week starting 28 days later has exactly 28 days
of history.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from risk_tables import D, day, steady_history, table, weekly_routine

from runload.risk import Flag, evaluate, rules
from runload.risk.ankle_weights import ANKLE_WEIGHT_PATTERN, ankle_weights
from runload.risk.distance_jump import distance_jump
from runload.risk.long_run_spike import long_run_spike
from runload.risk.uphill_overload import uphill_overload
from runload.risk.worn_shoes import worn_shoes

MON = D(2024, 1, 1)  # a Monday
MTS = {0: 0.25, 3: 0.25, 6: 0.5}


def weeks_table(totals: list[float], **extra: object):
    return table(weekly_routine(MON, len(totals), totals, pattern=MTS, **extra))


def proper(flags: list[Flag]) -> list[Flag]:
    return [f for f in flags if f.severity != "info"]


def notices(flags: list[Flag]) -> list[Flag]:
    return [f for f in flags if f.severity == "info"]


# ---------------------------------------------------------------- registry


def test_registry_has_the_nine_triggers_with_their_grades():
    grades = {t: r.evidence for t, r in rules().items()}
    assert grades == {
        "distance_jump": "weak evidence",
        "long_run_spike": "evidence",
        "return_after_break": "mechanistic",
        "treadmill_to_road": "mechanistic",
        "uphill_overload": "mechanistic",
        "downhill_overload": "mechanistic",
        "worn_shoes": "practice",
        "ankle_weights": "practice",
        "wrong_shoes": "evidence",
    }
    for rule in rules().values():
        assert rule.reference and rule.advice
    # every rule but three judges against a baseline of history; return_after_break's
    # completeness rule replaces one, and the shoe and weight limits need none
    without = {t for t, r in rules().items() if "baseline_days" not in r.options}
    assert without == {"worn_shoes", "ankle_weights", "return_after_break"}


# ---------------------------------------------------------------- distance_jump

# Five weeks of 20 km, then week 6 (starting 2024-02-05, 35 days of history).  The recent
# normal is the median of the last 4 weeks with running: 20 km.  The ACWR at its Sunday
# would be (X / 7) / (60 / 21) = X / 20, but it never changes the severity.
JUMP_WEEK = D(2024, 2, 5)


@pytest.mark.parametrize(
    ("last_km", "severity"),
    [
        (27.0, "moderate"),  # +35 % (was low: the week-over-week ratio alone)
        (31.0, "moderate"),  # +55 %, ACWR 1.55: no longer raised by the ACWR
        (40.0, "moderate"),  # +100 % exactly: not above the high mark
        (41.0, "high"),  # +105 %
    ],
)
def test_distance_jump_fires_with_severity(last_km, severity):
    flags = distance_jump(weeks_table([20.0] * 5 + [last_km]))
    assert [(f.date, f.severity) for f in flags] == [(JUMP_WEEK, severity)]
    f = flags[0]
    assert f.value == pytest.approx(last_km / 20.0)
    assert f.threshold == 1.30
    assert f.metric == "distance_to_normal_ratio"
    assert f.evidence == "weak evidence"
    assert "context only" in f.message and "tendency" in f.message
    assert f"{last_km:.1f} km" in f.message and "20.0 km" in f.message
    assert len(f.activity_ids) == 3


def test_distance_jump_return_to_normal_after_a_light_week_is_quiet():
    # 30, 30, 30, 30, 20, 34: normal = median(30, 30, 30, 20) = 30; 34 / 30 = +13 %.
    # (Judged against the light week alone this was +70 % and flagged moderate.)
    assert distance_jump(weeks_table([30.0] * 4 + [20.0, 34.0])) == []


def test_distance_jump_edges_and_quiet_cases():
    # exactly +30 % is not above the threshold, nor is 26.08 km (+30.4 %, shown "+30 %")
    assert distance_jump(weeks_table([20.0] * 5 + [26.0])) == []
    assert distance_jump(weeks_table([20.0] * 5 + [26.08])) == []
    # 26.2 km: +31 % -> moderate
    assert [f.severity for f in distance_jump(weeks_table([20.0] * 5 + [26.2]))] == ["moderate"]
    # tiny weeks: 4 -> 8 km (+100 %) is below the 10 km minimum
    assert distance_jump(weeks_table([4.0] * 5 + [8.0])) == []
    # +25 % is quiet
    assert distance_jump(weeks_table([20.0] * 5 + [25.0])) == []


def test_distance_jump_short_log_gives_one_notice():
    flags = distance_jump(weeks_table([20.0, 20.0]))
    [note] = flags
    assert note.severity == "info" and note.metric == "history_days"
    assert note.value == 13 and note.threshold == 28  # first run Mon, last run Sun of week 2


def test_distance_jump_threshold_is_keyword_only_and_tunable():
    acts = weeks_table([20.0] * 5 + [25.0])
    assert [f.severity for f in distance_jump(acts, change_ratio=1.2)] == ["moderate"]
    with pytest.raises(TypeError):
        distance_jump(acts, 1.2)  # type: ignore[misc]


# ---------------------------------------------------------------- long_run_spike

# 10 km runs every 7 days from day 0 to 28, then one run of X km on day 35: the window
# (days 5..34) holds the runs of days 7..28, longest 10 km; history 35 >= 30 days.
SPIKE_DAY = day(MON, 35)


def spike_table(last_km: float, *, base_km: float = 10.0, last_day: int = 35):
    rows = [{"date": day(MON, d), "km": base_km} for d in range(0, last_day, 7)]
    rows.append({"date": day(MON, last_day), "km": last_km, "id": "spike"})
    return table(rows)


def test_long_run_spike_reference_band_is_not_flagged():
    assert long_run_spike(spike_table(11.0)) == []  # +10 %: the reference band


@pytest.mark.parametrize(
    ("km", "severity"),
    [
        (12.0, "low"),  # +20 %
        (13.0, "low"),  # +30 %: upper edge of the 10-30 % band
        (13.5, "moderate"),  # +35 %
        (20.0, "moderate"),  # +100 %: upper edge of the 30-100 % band
        (21.0, "high"),  # +110 %
    ],
)
def test_long_run_spike_bands(km, severity):
    flags = long_run_spike(spike_table(km))
    assert [(f.date, f.severity, f.activity_ids) for f in flags] == [
        (SPIKE_DAY, severity, ("spike",))
    ]
    f = flags[0]
    assert f.value == pytest.approx(km / 10.0)
    assert f.evidence == "evidence" and "Frandsen" in f.reference
    hrr = {"low": "1.64", "moderate": "1.52", "high": "2.28"}[severity]
    assert hrr in f.message
    assert "10.0 km" in f.message and f"{km:.1f} km" in f.message


def test_long_run_spike_quiet_and_floor():
    assert long_run_spike(spike_table(10.5)) == []
    # 1 km runs then 2.5 km (+150 %) stays under the 3 km floor
    assert long_run_spike(spike_table(2.5, base_km=1.0)) == []
    assert [
        f.severity for f in long_run_spike(spike_table(2.5, base_km=1.0), min_distance_km=2)
    ] == ["high"]


def test_long_run_spike_baseline():
    # day 21: 21 days of history < 30; 13 km is +30 % on the longest run so far, below
    # the beginner limit of +50 % -> a notice, no flag
    flags = long_run_spike(spike_table(13.0, last_day=21))
    assert proper(flags) == []
    [note] = notices(flags)
    assert note.date == day(MON, 21) and note.value == 21 and note.threshold == 30


# ---------------------------------------------------------------- uphill_overload

# Weeks 0-3: 30 km (Mon 7.5, Thu 7.5, Sun 15) with 200 m of ascent (6.67 m/km, no hilly
# run); norm = 200 m, 6.67 m/km, 0 hilly runs.  Week 4 starts on day 28 (history 28).
HILL_WEEK = day(MON, 28)


def hill_table(week4_km: float, week4_ascent: float, *, norm_ascent: float = 200.0):
    rows = []
    for w in range(5):
        km, up = (30.0, norm_ascent) if w < 4 else (week4_km, week4_ascent)
        for wd, share in MTS.items():
            rows.append({"date": day(MON, 7 * w + wd), "km": km * share, "ascent": up * share,
                         "descent": 0.9 * up * share})  # fmt: skip
    return table(rows)


@pytest.mark.parametrize(
    ("km", "ascent", "severity"),
    [
        (45.0, 400.0, "low"),  # ratio 2.0; 8.9 m/km = 1.33 x norm; no hilly run
        (30.0, 400.0, "moderate"),  # ratio 2.0; 13.3 m/km = 2 x norm; no hilly run (< 20 m/km)
        (30.0, 900.0, "high"),  # ratio 4.5; 30 m/km; 3 hilly runs vs 0
        (30.0, 302.0, "moderate"),  # ratio 1.51, 10.07 m/km = 1.51 x norm
    ],
)
def test_uphill_overload_bands(km, ascent, severity):
    flags = uphill_overload(hill_table(km, ascent))
    assert [(f.date, f.severity) for f in flags] == [(HILL_WEEK, severity)]
    f = flags[0]
    assert f.value == pytest.approx(ascent / 200.0)
    assert f"{ascent:.0f} m" in f.message and "200 m" in f.message
    assert "the article" in f.message and "not injury data" in f.message
    assert f.evidence == "mechanistic" and len(f.activity_ids) == 3


@pytest.mark.parametrize(
    "ascent",
    [
        301.0,  # ratio 1.505, shown "+50 %": not above +50 %
        300.0,  # ratio 1.5 exactly: not above
        290.0,
    ],
)
def test_uphill_overload_at_or_below_the_ratio_is_quiet(ascent):
    # 28 days of history before week 4: no notice either
    assert uphill_overload(hill_table(30.0, ascent)) == []


def test_uphill_overload_minimum_ascent():
    # norm 100 m, week 240 m: 2.4 x but under 250 m
    assert proper(uphill_overload(hill_table(30.0, 240.0, norm_ascent=100.0))) == []
    assert [f.severity for f in uphill_overload(hill_table(30.0, 260.0, norm_ascent=100.0))] == [
        "moderate"
    ]


def test_uphill_overload_baseline():
    # the spike in week 2 (14 days of history) gives a notice only
    rows = []
    for w, up in enumerate([200.0, 200.0, 600.0]):
        rows += [
            {"date": day(MON, 7 * w + wd), "km": 30 * s, "ascent": up * s} for wd, s in MTS.items()
        ]
    flags = uphill_overload(table(rows))
    assert proper(flags) == []
    assert [(n.date, n.value) for n in notices(flags)] == [(day(MON, 14), 14)]


# ---------------------------------------------------------------- worn_shoes


def shoe_rows(n: int, km: float = 20.0, gear: str | None = "Shoe1", start: dt.date = MON):
    return [{"date": day(start, i), "km": km, "gear": gear} for i in range(n)]


def test_worn_shoes_low_then_moderate():
    # 20 km a day: 480 km on run 24 (day 23), 800 km on run 40 (day 39)
    flags = worn_shoes(table(shoe_rows(45)))
    assert [(f.date, f.severity, f.value, f.threshold) for f in flags] == [
        (day(MON, 23), "low", 480.0, 480.0),
        (day(MON, 39), "moderate", 800.0, 800.0),
    ]
    assert all(f.evidence == "practice" and "Shoe1" in f.message for f in flags)
    assert "1 pair" in flags[1].message and "Malisoux" in flags[1].message
    # below 480 km: nothing
    assert worn_shoes(table(shoe_rows(23))) == []


def test_worn_shoes_per_shoe_limit_and_rotation():
    rows = shoe_rows(30, gear="Shoe1") + [
        {"date": day(MON, i), "km": 5.0, "gear": "Shoe2", "minute": 600} for i in range(30)
    ]
    flags = worn_shoes(table(rows), shoe_limits_km={"Shoe1": 500.0})
    # Shoe1: warn at 0.6 x 500 = 300 km (run 15, day 14), limit 500 km (run 25, day 24)
    assert [(f.date, f.severity, f.threshold) for f in flags] == [
        (day(MON, 14), "low", 300.0),
        (day(MON, 24), "moderate", 500.0),
    ]
    assert "2 pairs" in flags[1].message


def test_worn_shoes_from_gear_map_with_initial_mileage():
    rows = shoe_rows(3, gear=None)
    gear_map = {"Old": {"start_date": MON, "end_date": None, "initial_km": 790.0}}
    flags = worn_shoes(table(rows), gear_map=gear_map)
    # 790 + 20 = 810 km on the first run: one moderate flag, no separate low flag
    assert [(f.date, f.severity, f.value) for f in flags] == [(MON, "moderate", 810.0)]
    # date-range form
    flags = worn_shoes(table(shoe_rows(45, gear=None)), gear_map={"Ranged": (MON, None)})
    assert [f.severity for f in flags] == ["low", "moderate"]


def test_worn_shoes_without_gear_is_a_notice():
    flags = worn_shoes(table(shoe_rows(5, gear=None)))
    assert [f.severity for f in flags] == ["info"]
    assert "gear" in flags[0].message


# ---------------------------------------------------------------- ankle_weights


@pytest.mark.parametrize(
    "text",
    [
        "Run with ankle weights",
        "ANKLE-WEIGHT jog",
        "Lauf mit Knöchelgewichten",
        "Fussgewichte 1 kg",
        "footing avec poids aux chevilles",
        "chevillères lestées",
        "ankle_weights",
    ],
)
def test_ankle_weight_wordings(text):
    assert ANKLE_WEIGHT_PATTERN.search(text)


@pytest.mark.parametrize("text", ["gym weights", "ankle sprain", "Weighted vest run"])
def test_ankle_weight_non_matches(text):
    assert not ANKLE_WEIGHT_PATTERN.search(text)


def aw_rows(tagged: list[tuple[int, float]], *, untagged_days: range = range(0, 0)):
    rows = [{"date": day(MON, d), "km": 8.0} for d in untagged_days]
    rows += [
        {"date": day(MON, d), "km": km, "name": "Easy run with ankle weights", "minute": 600}
        for d, km in tagged
    ]
    return rows


def test_ankle_weights_first_run_is_low_and_slow_build_is_quiet():
    # days 1 and 8 in the first 14 days (2 runs, not more); week of day 14: two runs
    # (days 15, 19) against one (x2, not more); week of day 21: two again
    flags = ankle_weights(table(aw_rows([(1, 3.0), (8, 3.0), (15, 3.0), (19, 3.0), (22, 3.0),
                                         (25, 3.0)])))  # fmt: skip
    assert [(f.date, f.severity) for f in flags] == [(day(MON, 1), "low")]
    assert "first" in flags[0].message and flags[0].evidence == "practice"
    assert "slowly" in flags[0].advice


def test_ankle_weights_fast_start():
    # three tagged runs within the first 14 days (days 1, 8, 14): the third is flagged
    flags = ankle_weights(table(aw_rows([(1, 3.0), (8, 3.0), (14, 3.0)])))
    assert [(f.date, f.severity, f.value) for f in flags] == [
        (day(MON, 1), "low", 1.0),
        (day(MON, 14), "moderate", 3.0),
    ]
    # day 15 is outside the first 14 days (days 1..14)
    flags = ankle_weights(table(aw_rows([(1, 3.0), (8, 3.0), (15, 3.0)])))
    assert [f.severity for f in flags] == ["low"]


def test_ankle_weights_doubling_is_not_growth():
    # week 0: one run of 3 km (day 1); week 1: one of 6 km (day 8): x2 exactly, not above;
    # only the first tagged run is said
    flags = ankle_weights(table(aw_rows([(1, 3.0), (8, 6.0)])))
    assert [(f.date, f.metric, f.severity) for f in flags] == [(day(MON, 1), "tagged_runs", "low")]


@pytest.mark.parametrize(
    ("km", "severity"),
    [
        (7.0, "moderate"),  # x2.33
        (12.0, "moderate"),  # x4 exactly: not above the high mark
        (13.0, "high"),  # x4.33
    ],
)
def test_ankle_weights_weekly_growth(km, severity):
    # week 0: one run of 3 km (day 1); week 1: one run of km (day 8) -> ratio km / 3
    flags = ankle_weights(table(aw_rows([(1, 3.0), (8, km)])))
    growth = [f for f in flags if f.metric == "tagged_growth_ratio"]
    assert [(f.date, f.severity) for f in growth] == [(day(MON, 7), severity)]
    assert growth[0].value == pytest.approx(km / 3.0)
    assert f"{km:.1f} km" in growth[0].message


def test_ankle_weights_from_tags_and_new_block():
    rows = [{"date": day(MON, d), "km": 5.0, "id": f"r{d}"} for d in (0, 3, 50)]
    flags = ankle_weights(table(rows), tags={"r0": ["ankle weights"], "r50": "ankle_weights"})
    # r0 starts a block; r50 comes 50 days later (> 28): a new block, a new start notice
    assert [(f.date, f.severity, f.activity_ids) for f in flags] == [
        (day(MON, 0), "low", ("r0",)),
        (day(MON, 50), "low", ("r50",)),
    ]
    assert ankle_weights(table(rows)) == []


# ---------------------------------------------------------------- steady control


@pytest.mark.parametrize("seed", range(6))
def test_steady_runner_never_gets_moderate_or_high(seed):
    acts = table(steady_history(MON, 70, seed=seed))
    flags = evaluate(acts)
    assert not [f for f in flags if f.severity in ("moderate", "high")]
    counts = Counter(f.severity for f in flags)
    assert counts["low"] <= 4  # the ankle-weights start, rare long-run noise


def test_steady_mostly_treadmill_routine_is_quiet():
    # 3 treadmill runs of 8 km and one 12 km road run every week, +-10 % noise: the road
    # run is routine, not a switch (after the first 4 weeks)
    import random

    rng = random.Random(7)
    rows = []
    for w in range(30):
        for wd in (0, 2, 4):
            rows.append({"date": day(MON, 7 * w + wd), "km": 8 * rng.uniform(0.9, 1.1),
                         "surface": "treadmill"})  # fmt: skip
        rows.append({"date": day(MON, 7 * w + 6), "km": 12 * rng.uniform(0.9, 1.1)})
    flags = evaluate(table(rows))
    assert [f for f in flags if f.severity not in ("info", "low")] == []
    assert [f for f in flags if f.trigger == "treadmill_to_road" and f.severity != "info"] == []


def test_evaluate_sorts_and_respects_disabled():
    from runload.risk import RiskProfile

    acts = weeks_table([20.0] * 5 + [40.0])
    flags = evaluate(acts)
    assert [f.date for f in flags] == sorted(f.date for f in flags)
    assert any(f.trigger == "distance_jump" for f in flags)
    off = evaluate(acts, profile=RiskProfile(disabled=("distance_jump",)))
    assert not any(f.trigger == "distance_jump" for f in off)
    only = evaluate(acts, triggers=["distance_jump"])
    assert {f.trigger for f in only} == {"distance_jump"}
    with pytest.raises(KeyError, match="nonsense"):
        evaluate(acts, triggers=["nonsense"])


def test_rules_do_not_mutate_input():
    acts = table(steady_history(MON, 10))
    before = acts.copy(deep=True)
    evaluate(acts, tags={acts.index[0]: "ankle weights"})
    assert acts.equals(before)


def test_steady_control_can_fail():
    # the same steady history with one week doubled must raise a moderate or high flag,
    # otherwise the steady control above would prove nothing
    rows = steady_history(MON, 30, seed=0)
    doubled = [dict(r, km=2 * r["km"]) if 140 <= (r["date"] - MON).days < 147 else r for r in rows]
    flags = evaluate(table(doubled))
    assert {f.trigger for f in flags if f.severity in ("moderate", "high")} >= {
        "distance_jump",
        "long_run_spike",
    }
