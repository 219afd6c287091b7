"""treadmill_to_road: abruptness and volume moved outdoors (issue 8), by hand.

Weeks start on Monday 2024-01-01; each week has 4 runs of 6 km (Mon, Wed, Fri, Sun),
24 km.  ``road`` gives how many of a week's runs (the last ones) are on the road.
"""

from __future__ import annotations

import random

from risk_tables import D, day, table

from runload.risk import evaluate
from runload.risk.treadmill_to_road import treadmill_to_road

MON = D(2024, 1, 1)


def weeks(road: list[int], *, km: float = 6.0, last_long: float | None = None) -> list[dict]:
    rows = []
    for w, n_road in enumerate(road):
        for j, wd in enumerate((0, 2, 4, 6)):
            surface = "road" if j >= 4 - n_road else "treadmill"
            length = last_long if (last_long and j == 3 and surface == "road") else km
            rows.append(
                {"date": day(MON, 7 * w + wd), "km": length, "surface": surface, "id": f"w{w}r{j}"}
            )
    return rows


def proper(flags):
    return [f for f in flags if f.severity != "info"]


def test_the_articles_case_is_at_least_moderate():
    # weeks 0-4 all treadmill, then all road at the same volume.  Week 5: the 4 weeks
    # before are 100 % treadmill; outdoor share 0 -> 100 % (rise 1.0 >= 0.7: abrupt);
    # 24 km outdoors = 100 % of the usual 24 km (full volume); longest run 6 / 6 km:
    # 2 points -> moderate.  Week 6 scores the same: not reported again.
    flags = proper(treadmill_to_road(table(weeks([0] * 5 + [4] * 4))))
    assert [(f.date, f.severity) for f in flags] == [(day(MON, 35), "moderate")]
    f = flags[0]
    assert f.value == 1.0 and f.metric == "outdoor_share_rise_ratio"
    assert "4 of your 4 runs (100 % of 24.0 km) were outdoors" in f.message
    assert "16 of your 16 runs (100 % of 96.0 km) were on the treadmill" in f.message
    assert len(f.activity_ids) == 4


def test_the_articles_case_with_a_long_road_run_is_high():
    # as above, with the Sunday road run 9 km = 1.5 x the 6 km treadmill mean: 3 points
    flags = proper(treadmill_to_road(table(weeks([0] * 5 + [4] * 2, last_long=9.0))))
    assert [(f.date, f.severity) for f in flags] == [(day(MON, 35), "high")]


def test_a_gradual_four_week_transition_stays_low():
    # road runs per week 0,0,0,0,0,1,2,3,4 (outdoor share .25, .5, .75, 1.0):
    # week 5: rise .25 < .3 -> nothing; week 6: period 90/96 treadmill, rise .5, volume
    # 12/24 = .5 -> low; week 7: rise .5, volume .75 -> low (not reported again);
    # week 8: period 60/96 = .625 treadmill, rise 1.0 - .5 = .5, volume 1.0 -> 1 point,
    # low (not reported again).  One low item.
    flags = proper(treadmill_to_road(table(weeks([0] * 5 + [1, 2, 3, 4]))))
    assert [(f.date, f.severity) for f in flags] == [(day(MON, 42), "low")]
    assert "2 of your 4 runs" in flags[0].message


def test_messages_state_true_counts():
    # one 10 km treadmill run (day 1), then 3 weeks without running, then a road week of
    # 4 x 5 km: "1 of your 1 run ... was on the treadmill"
    rows = [{"date": day(MON, 0), "km": 3.0, "surface": "road"}]
    rows.append({"date": day(MON, 8), "km": 10.0, "surface": "treadmill"})
    rows += [{"date": day(MON, 35 + d), "km": 5.0, "surface": "road"} for d in (0, 2, 4, 6)]
    flags = proper(treadmill_to_road(table(rows)))
    assert len(flags) == 1
    assert "1 of your 1 run (100 % of 10.0 km) was on the treadmill" in flags[0].message
    assert "4 weeks on the treadmill" not in flags[0].message


def test_switch_during_the_baseline_is_a_notice():
    flags = treadmill_to_road(table(weeks([0, 0, 0, 4])))
    assert [(f.severity, f.date) for f in flags] == [("info", day(MON, 21))]


def test_mostly_treadmill_routine_with_a_weekly_road_run_is_quiet():
    rng = random.Random(7)
    rows = []
    for w in range(30):
        for wd in (0, 2, 4):
            rows.append(
                {
                    "date": day(MON, 7 * w + wd),
                    "km": 8 * rng.uniform(0.9, 1.1),
                    "surface": "treadmill",
                }
            )
        rows.append({"date": day(MON, 7 * w + 6), "km": 12 * rng.uniform(0.9, 1.1)})
    assert proper(treadmill_to_road(table(rows))) == []
    assert not [f for f in evaluate(table(rows)) if f.severity in ("moderate", "high")]


def test_no_treadmill_no_output():
    assert treadmill_to_road(table(weeks([4] * 6))) == []
