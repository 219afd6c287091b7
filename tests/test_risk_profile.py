"""RiskProfile: defaults with sources (docs/risk.md), TOML round trip, clear errors on bad keys."""

from __future__ import annotations

import pytest
from risk_tables import D, table, weekly_routine

from runload.risk import RiskProfile, evaluate


def test_defaults_follow_evidence_md():
    p = RiskProfile()
    assert p.distance_jump.change_ratio == 1.30  # Nielsen 2014: > 30 %
    assert not hasattr(p.distance_jump, "acwr_ratio")  # ACWR is context, never a threshold
    assert p.return_after_break.break_days == 14  # detraining within 2-4 weeks
    assert p.downhill_overload.descent_ratio == 1.5
    assert (p.long_run_spike.spike_ratio, p.long_run_spike.moderate_ratio) == (1.10, 1.30)
    assert p.long_run_spike.high_ratio == 2.00 and p.long_run_spike.window_days == 30
    assert p.worn_shoes.limit_km == 800.0
    assert p.worn_shoes.warn_fraction * p.worn_shoes.limit_km == pytest.approx(480.0)
    assert p.treadmill_to_road.treadmill_share == 0.60
    assert p.uphill_overload.ascent_ratio == 1.5


def test_toml_round_trip(tmp_path):
    p = RiskProfile.from_dict(
        {
            "athlete": 'Ann "the runner"',
            "disabled": ["ankle_weights"],
            "distance_jump": {"change_ratio": 1.25, "min_week_km": 15},
            "long_run_spike": {"baseline_days": 21},
            "worn_shoes": {
                "limit_km": 700.0,
                "shoe_limits_km": {"Pegasus 40": 650, "Trail X": 900},
            },
        }
    )
    path = tmp_path / "profile.toml"
    path.write_text(p.to_toml(), encoding="utf-8")
    q = RiskProfile.from_toml(path)
    assert q == p
    assert q.athlete == 'Ann "the runner"'
    assert q.disabled == ("ankle_weights",)
    assert q.distance_jump.change_ratio == 1.25
    assert q.distance_jump.min_week_km == 15.0
    assert q.distance_jump.high_ratio == 2.0  # untouched default
    assert q.long_run_spike.baseline_days == 21
    assert q.shoe_limit_km("Pegasus 40") == 650.0
    assert q.shoe_limit_km("Unknown") == 700.0
    assert q.to_dict() == p.to_dict()


def test_hand_written_toml(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        'athlete = "Bo"\n[uphill_overload]\nascent_ratio = 2\n'
        '[worn_shoes.shoe_limits_km]\n"Ghost 15" = 600\n',
        encoding="utf-8",
    )
    p = RiskProfile.from_toml(path)
    assert p.uphill_overload.ascent_ratio == 2.0
    assert p.worn_shoes.shoe_limits_km == {"Ghost 15": 600.0}
    assert p.options("uphill_overload")["ascent_ratio"] == 2.0


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"distnce_jump": {}}, "'distnce_jump'"),
        ({"distance_jump": {"change_ration": 1.2}}, "'change_ration' in [distance_jump]"),
        ({"distance_jump": {"change_ratio": "high"}}, "change_ratio must be a number"),
        ({"distance_jump": {"change_ratio": True}}, "change_ratio must be a number"),
        ({"distance_jump": {"baseline_days": 2.5}}, "baseline_days must be a non-negative integer"),
        ({"distance_jump": {"change_ratio": -1}}, "non-negative"),
        ({"disabled": ["no_such_rule"]}, "'no_such_rule'"),
        ({"worn_shoes": {"shoe_limits_km": {"A": "x"}}}, "shoe_limits_km.A"),
        ({"distance_jump": 3}, "[distance_jump] must be a table"),
    ],
)
def test_bad_keys_and_values(data, needle):
    with pytest.raises(ValueError) as info:
        RiskProfile.from_dict(data)
    assert needle in str(info.value)


def test_bad_toml_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[long_run_spike]\nspike_rato = 1.2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.toml.*'spike_rato'"):
        RiskProfile.from_toml(path)
    path.write_text("not toml at all = = =", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.toml.*invalid TOML"):
        RiskProfile.from_toml(path)


def test_profile_is_frozen_and_changes_what_fires():
    p = RiskProfile()
    with pytest.raises(AttributeError):
        p.athlete = "x"  # type: ignore[misc]
    # +25 % on the recent normal: quiet by default, moderate with change_ratio = 1.2
    acts = table(
        weekly_routine(D(2024, 1, 1), 6, [20.0] * 5 + [25.0], pattern={0: 0.25, 3: 0.25, 6: 0.5})
    )
    assert not [f for f in evaluate(acts) if f.trigger == "distance_jump"]
    tuned = RiskProfile.from_dict({"distance_jump": {"change_ratio": 1.2}})
    fired = [f for f in evaluate(acts, profile=tuned) if f.trigger == "distance_jump"]
    assert [(f.severity, f.threshold) for f in fired] == [("moderate", 1.2)]


def test_per_shoe_limit_reaches_the_rule():
    rows = [{"date": D(2024, 1, 1 + i), "km": 20.0, "gear": "Light"} for i in range(26)]
    prof = RiskProfile.from_dict({"worn_shoes": {"shoe_limits_km": {"Light": 500}}})
    flags = [f for f in evaluate(table(rows), profile=prof) if f.trigger == "worn_shoes"]
    # 20 km a day: 300 km (0.6 x 500) on day 15, 500 km on day 25
    assert [(f.date, f.severity) for f in flags] == [
        (D(2024, 1, 15), "low"),
        (D(2024, 1, 25), "moderate"),
    ]
