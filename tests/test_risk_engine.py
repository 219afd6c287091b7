"""The rule engine: rules registered with their settings, the profile and docs built from them."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from risk_tables import D, table

import runload.risk.flag as flag_module
from runload.risk import TRIGGERS, Flag, RiskProfile, evaluate, register_rule, rules
from runload.risk.flag import Findings, above, setting, settings_rows, shown_pct

DOCS = Path(__file__).resolve().parent.parent / "docs" / "risk.md"


def test_triggers_come_from_the_registry():
    assert set(TRIGGERS) == set(rules())
    assert {"return_after_break", "downhill_overload"} <= set(TRIGGERS)


@pytest.mark.parametrize("trigger", sorted(rules()))
def test_every_setting_is_a_keyword_parameter_with_the_same_default(trigger):
    rule = rules()[trigger]
    assert rule.settings is not None, f"{trigger} declares no settings"
    params = inspect.signature(rule.func).parameters
    defaults = rule.settings()
    for f in dataclasses.fields(rule.settings):
        assert f.name in params, f"{trigger}: setting {f.name} is not a parameter"
        assert params[f.name].kind is inspect.Parameter.KEYWORD_ONLY
        assert f.metadata["unit"] and f.metadata["source"]
        if params[f.name].default is not None:
            assert params[f.name].default == getattr(defaults, f.name)
    # the settings class lives in the rule's own module
    assert rule.settings.__module__ == rule.func.__module__


def test_registration_refuses_a_setting_the_rule_does_not_take(monkeypatch):
    monkeypatch.setattr(flag_module, "_RULES", dict(flag_module._RULES))

    @dataclass(frozen=True)
    class Settings:
        min_km: float = setting(1.0, unit="km", source="test")

    def rule(activities: pd.DataFrame, *, min_kms: float = 1.0) -> list[Flag]:
        return []

    with pytest.raises(TypeError, match="'min_km'"):
        register_rule("typo", evidence="practice", reference="", advice="", settings=Settings)(rule)

    def other_default(activities: pd.DataFrame, *, min_km: float = 2.0) -> list[Flag]:
        return []

    with pytest.raises(TypeError, match="does not match"):
        register_rule("typo", evidence="practice", reference="", advice="", settings=Settings)(
            other_default
        )
    assert "typo" not in rules()


def test_calling_a_rule_with_an_unknown_setting_is_an_error():
    acts = table([{"date": D(2024, 1, 1), "km": 5.0}])
    with pytest.raises(TypeError, match="'change_ration'"):
        rules()["distance_jump"](acts, change_ration=1.2)
    # context arguments a rule does not declare are dropped, not errors
    assert rules()["distance_jump"](acts, gear_map=None, tags=None) is not None


def test_a_new_rule_with_settings_gets_a_profile_section(monkeypatch):
    monkeypatch.setattr(flag_module, "_RULES", dict(flag_module._RULES))

    @dataclass(frozen=True)
    class LongRunSettings:
        min_km: float = setting(10.0, unit="km", source="test")

    @register_rule(
        "long_runs", evidence="practice", reference="r", advice="a", settings=LongRunSettings
    )
    def long_runs(activities: pd.DataFrame, *, min_km: float = 10.0) -> list[Flag]:
        found = Findings("long_runs", baseline_days=0)
        for i, row in activities.iterrows():
            if row.distance_m / 1000 > min_km:
                found.add(
                    date=row.local_date,
                    history_days=0,
                    seen="",
                    severity="low",
                    metric="distance_km",
                    value=row.distance_m / 1000,
                    threshold=min_km,
                    message="long",
                    activity_ids=(str(i),),
                )
        return found.result()

    profile = RiskProfile.from_dict({"long_runs": {"min_km": 6}})
    assert profile.long_runs.min_km == 6.0 and RiskProfile().long_runs.min_km == 10.0
    acts = table([{"date": D(2024, 1, 1), "km": 5}, {"date": D(2024, 1, 2), "km": 7}])
    found = [f for f in evaluate(acts, profile=profile) if f.trigger == "long_runs"]
    assert [f.value for f in found] == [7.0]
    assert "[long_runs]" in profile.to_toml()


def test_profile_keeps_its_old_interface():
    p = RiskProfile(disabled=["ankle_weights"])
    assert p.disabled == ("ankle_weights",)
    assert p == RiskProfile(disabled=("ankle_weights",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.athlete = "x"  # type: ignore[misc]
    from runload.risk.profile import DistanceJumpSettings  # still importable by name

    q = RiskProfile(distance_jump=DistanceJumpSettings(change_ratio=1.2))
    assert q.distance_jump.change_ratio == 1.2 and q.options("distance_jump")["change_ratio"] == 1.2
    assert q.replace(athlete="Ann").athlete == "Ann"
    with pytest.raises(TypeError, match="nonsense"):
        RiskProfile(nonsense={})
    with pytest.raises(ValueError, match="'break_dayz' in \\[return_after_break\\]"):
        RiskProfile.from_dict({"return_after_break": {"break_dayz": 10}})


def test_shown_values_are_what_is_compared():
    assert shown_pct(1.304) == 30 and not above(1.304, 1.30)
    assert shown_pct(1.31) == 31 and above(1.31, 1.30)
    assert not above(1.1, 1.1) and above(float("inf"), 1.1)


def test_docs_tables_are_built_from_the_registry():
    text = DOCS.read_text(encoding="utf-8")
    for trigger in rules():
        for row in settings_rows(trigger):
            line = f"| `{row['name']}` | {row['default']} | {row['unit']} | {row['source']} |"
            assert line in text, f"docs/risk.md lacks the row for {trigger}.{row['name']}"


def test_profile_survives_pickle_and_deepcopy():
    import copy
    import pickle

    p = RiskProfile(athlete="A", worn_shoes={"shoe_limits_km": {"X": 500}})
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.deepcopy(p) == p and copy.deepcopy(p).shoe_limit_km("X") == 500.0
