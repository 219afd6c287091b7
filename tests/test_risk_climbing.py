"""uphill_overload and downhill_overload: the outdoor norm, trusted climbing, holidays (issue 8).

Usual week below: Tue 10 km / 200 m, Thu 10 km / 200 m, Sun 20 km / 400 m: 40 km and
800 m, 20 m/km, every run "hilly" (>= 20 m/km).
"""

from __future__ import annotations

import numpy as np
import pytest
from risk_tables import D, day, table

from runload.risk import evaluate
from runload.risk.downhill_overload import downhill_overload
from runload.risk.uphill_overload import uphill_overload

MON = D(2024, 1, 1)


def usual_week(w: int, *, scale: float = 1.0, **extra) -> list[dict]:
    return [
        {"date": day(MON, 7 * w + wd), "km": km, "ascent": up * scale, "surface": "trail", **extra}
        for wd, km, up in ((1, 10.0, 200.0), (3, 10.0, 200.0), (6, 20.0, 400.0))
    ]


def treadmill_week(w: int) -> list[dict]:
    return [
        {"date": day(MON, 7 * w + wd), "km": km, "surface": "treadmill"}
        for wd, km in ((1, 10.0), (3, 10.0), (6, 20.0))
    ]


def proper(flags):
    return [f for f in flags if f.severity != "info"]


def test_trail_runner_back_from_holiday_at_usual_climbing_is_quiet():
    # weeks 0-5 usual, weeks 6-7 holiday (no runs), week 8 usual.  Norm = mean of the
    # last 4 weeks with outdoor running (weeks 2-5) = 800 m: ratio 1.0.  (Counting the
    # holiday weeks as 0 m gave a norm of 400 m, ratio 2.0: flagged.)
    rows = [r for w in range(6) for r in usual_week(w)] + usual_week(8)
    acts = table(rows)
    assert proper(uphill_overload(acts)) == []
    assert proper(downhill_overload(acts)) == []
    assert not [f for f in evaluate(acts) if f.severity in ("moderate", "high")]


def test_back_to_usual_climbing_after_a_flat_holiday_is_quiet():
    # weeks 0-5 usual (800 m), weeks 6-7 flat road (40 km, 40 m: outdoor weeks), week 8
    # usual.  Mean of the last 4 outdoor weeks: (800 + 800 + 40 + 40) / 4 = 420 m, but
    # the median outdoor week of the last 12 is 800 m: the norm is the higher, ratio 1.0.
    flat = [
        {"date": day(MON, 7 * w + wd), "km": km, "ascent": km, "surface": "road"}
        for w in (6, 7)
        for wd, km in ((1, 10.0), (3, 10.0), (6, 20.0))
    ]
    rows = [r for w in range(6) for r in usual_week(w)] + flat + usual_week(8)
    assert proper(uphill_overload(table(rows))) == []
    assert proper(downhill_overload(table(rows))) == []


def test_treadmill_weeks_do_not_count_as_flat_weeks():
    # weeks 0-3 outdoor 800 m, weeks 4-5 treadmill only, week 6 outdoor 800 m: quiet
    rows = [r for w in range(4) for r in usual_week(w)]
    rows += treadmill_week(4) + treadmill_week(5) + usual_week(6)
    assert proper(uphill_overload(table(rows))) == []


def test_a_real_climbing_increase_is_still_flagged():
    # week 5 at twice the climbing: 1600 m vs 800 m (+100 %), 40 m/km vs 20 m/km (+100 %),
    # 3 hilly runs vs 3 a week -> one extra signal: moderate
    rows = [r for w in range(5) for r in usual_week(w)] + usual_week(5, scale=2.0)
    [flag] = uphill_overload(table(rows))
    assert (flag.date, flag.severity, flag.value) == (day(MON, 35), "moderate", 2.0)
    assert "1600 m" in flag.message and "800 m" in flag.message
    assert "40 m/km" in flag.message and "20 m/km" in flag.message


def test_climbing_done_in_the_last_three_months_is_not_an_increase():
    # weeks 0-4 usual (800 m), week 5 at 1300 m (x 1.625 on the norm, +63 % on the
    # biggest week: flagged), weeks 6-9 usual, week 10 at 1300 m again: x 1.625 on the
    # norm of 800 m, but no more than week 5, within the 12-week lookback: quiet
    rows = [r for w in (0, 1, 2, 3, 4, 6, 7, 8, 9) for r in usual_week(w)]
    rows += usual_week(5, scale=1300 / 800) + usual_week(10, scale=1300 / 800)
    flags = proper(uphill_overload(table(rows)))
    assert [f.date for f in flags] == [day(MON, 35)]


def test_untrusted_climbing_is_left_out_and_counted():
    base = [r for w in range(5) for r in usual_week(w)]
    noisy = {
        "date": day(MON, 40),
        "km": 10.0,
        "ascent": 3000.0,
        "trusted": False,
        "elevation_source": "gps",
        "id": "noisy",
    }
    # usual climbing plus one run with 3000 m of untrusted GPS climbing: quiet
    assert proper(uphill_overload(table([*base, *usual_week(5), noisy]))) == []
    # twice the climbing plus that run: flagged on the trusted 1600 m, and said so
    [flag] = uphill_overload(table([*base, *usual_week(5, scale=2.0), noisy]))
    assert flag.value == 2.0 and "noisy" not in flag.activity_ids
    assert "1 run of these weeks was left out" in flag.message
    assert "1 with gps elevation" in flag.message


def test_missing_or_nan_trust_counts_as_trusted():
    rows = [r for w in range(5) for r in usual_week(w)] + usual_week(5, scale=2.0)
    acts = table(rows)
    without = acts.drop(columns=["ascent_trusted"])
    assert [f.severity for f in uphill_overload(without)] == ["moderate"]
    nan = acts.copy()
    nan["ascent_trusted"] = np.nan
    assert [f.severity for f in uphill_overload(nan)] == ["moderate"]


def test_treadmill_km_do_not_dilute_per_km():
    # week 5: doubled climbing plus 20 km of treadmill: per outdoor km 1600 / 40 = 40 m/km
    rows = [r for w in range(5) for r in usual_week(w)] + usual_week(5, scale=2.0)
    rows.append({"date": day(MON, 40), "km": 20.0, "surface": "treadmill"})
    [flag] = uphill_overload(table(rows))
    assert "40 m/km" in flag.message
    assert "1 treadmill run that week is not counted" in flag.message


def test_downhill_race_after_flat_training():
    # weeks 0-4: Tue 8 km, Thu 8 km (40 m down each), Sun 14 km (70 m): 150 m a week,
    # 5 m/km.  Week 5: the same Tue/Thu and a 21 km race with 1260 m of descent (60 m/km)
    # and 100 m of ascent.  Week 5: 1340 m down vs 150 m (x 8.93); 1340 / 37 = 36 m/km vs
    # 5 m/km; one steep descent (< 2) -> moderate.  Uphill: 180 m < 250 m -> quiet.
    rows = []
    for w in range(6):
        for wd, km, down in ((1, 8.0, 40.0), (3, 8.0, 40.0)):
            rows.append({"date": day(MON, 7 * w + wd), "km": km, "ascent": down, "descent": down})
        if w < 5:
            rows.append({"date": day(MON, 7 * w + 6), "km": 14.0, "ascent": 70.0, "descent": 70.0})
    rows.append(
        {"date": day(MON, 41), "km": 21.0, "ascent": 100.0, "descent": 1260.0, "id": "race"}
    )
    acts = table(rows)
    [flag] = downhill_overload(acts)
    assert (flag.date, flag.severity) == (day(MON, 35), "moderate")
    assert flag.value == pytest.approx(1340 / 150)
    assert flag.metric == "descent_to_norm_ratio" and flag.evidence == "mechanistic"
    assert "race" in flag.activity_ids
    assert "54 %" in flag.message and "73 %" in flag.message and "not injury data" in flag.message
    assert proper(uphill_overload(acts)) == []


def _flat_spell_then(scale: float) -> list[dict]:
    """Weeks 0-7 usual (800 m), weeks 8-11 flat road (40 km, 100 m), week 12 scaled."""
    flat = [
        {"date": day(MON, 7 * w + wd), "km": km, "ascent": up, "surface": "road"}
        for w in range(8, 12)
        for wd, km, up in ((1, 10.0, 25.0), (3, 10.0, 25.0), (6, 20.0, 50.0))
    ]
    return [r for w in range(8) for r in usual_week(w)] + flat + usual_week(12, scale=scale)


def test_a_little_above_the_habitual_week_after_a_flat_spell_is_quiet():
    # Week 12 climbs 1000 m (25 m/km).  Mean of the last 4 outdoor weeks (8-11): 100 m,
    # x 10.  Median outdoor week of the 12-week lookback (weeks 0-11: eight of 800 m, four
    # of 100 m): 800 m.  The norm is the higher, 800 m: x 1.25, not above x 1.5.  The
    # biggest week (800 m) does not shield it: 1000 m is +25 % on it, above +10 %.
    assert proper(uphill_overload(table(_flat_spell_then(1000 / 800)))) == []


def test_well_above_the_habitual_week_after_a_flat_spell_is_flagged_on_it():
    # Week 12 climbs 1320 m: x 1.65 on the 800 m norm (+65 %, and on the biggest week).
    # Per outdoor km: 1320 / 40 = 33 m/km against the higher of the recent 400 / 160 =
    # 2.5 m/km and the median week's 20 m/km: x 1.65, one signal.  Hilly runs: 3 against
    # the higher of 0 (recent) and 3 (median): no second signal.  Moderate.
    [flag] = proper(uphill_overload(table(_flat_spell_then(1320 / 800))))
    assert (flag.date, flag.severity) == (day(MON, 84), "moderate")
    assert flag.value == pytest.approx(1.65, abs=1e-12)
    assert "you climbed 1320 m on your outdoor runs, +65 % on your norm of 800 m" in flag.message
    assert "33 m/km (usually 20 m/km)" in flag.message
