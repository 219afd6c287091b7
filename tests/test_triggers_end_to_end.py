"""Every trigger from real files: a firing history and its quiet counterpart, plus a steady control.

The histories are written as FIT, GPX and TCX files by runload's own generator, read back with
``analyze`` (files, not tables), and judged by the flags that reach ``moderate`` or ``high``.
"""

from __future__ import annotations

import datetime as dt
import warnings

import pytest

from runload import analyze
from runload.risk import TRIGGERS as REGISTERED
from runload.testing import history

#: Every registered rule: each must have a preset history that shows it.
TRIGGERS = list(REGISTERED)


def test_every_registered_rule_has_a_preset():
    assert set(history.SCENARIOS) - {"steady"} == set(REGISTERED)


def _gear_map(plan) -> list[dict[str, object]]:
    spans: dict[str, list[dt.date]] = {}
    for run in plan.runs:
        if run.gear:
            spans.setdefault(run.gear, []).append(run.start_local.date())
    return [{"gear": g, "start_date": min(d), "end_date": max(d)} for g, d in spans.items()]


def _serious(tmp_path, scenario: str, trigger: bool) -> set[str]:
    plan = history.preset(scenario, trigger=trigger, sample_interval_s=30.0)
    history.write_history(plan, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = analyze(tmp_path, gear_map=_gear_map(plan), cache=None, jobs=1)
    assert result.errors.empty
    assert len(result.activities) == len(plan.runs)
    flags = result.flags
    return set(flags.loc[flags["severity"].isin(["moderate", "high"]), "trigger"])


@pytest.mark.parametrize("scenario", TRIGGERS)
def test_the_trigger_fires_on_its_history(tmp_path, scenario):
    assert scenario in _serious(tmp_path, scenario, trigger=True)


@pytest.mark.parametrize("scenario", TRIGGERS)
def test_the_quiet_counterpart_raises_nothing_serious(tmp_path, scenario):
    assert _serious(tmp_path, scenario, trigger=False) == set()


def test_a_steady_runner_raises_nothing_serious(tmp_path):
    assert _serious(tmp_path, "steady", trigger=False) == set()
