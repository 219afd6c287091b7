"""Risk rules: training patterns the article links to ankle overuse, with graded evidence.

One module per trigger (``ankle_weights``, ``distance_jump``, ``downhill_overload``,
``long_run_spike``, ``return_after_break``, ``treadmill_to_road``, ``uphill_overload``,
``worn_shoes``); each registers its rule and its settings with :func:`register_rule`
where it is defined.  Every module of this package that is not a support module
(:data:`SUPPORT_MODULES`) is imported here, so a new rule is one new module.
:data:`TRIGGERS` and :class:`RiskProfile` are built from the registry;
:func:`evaluate` runs every registered rule with the settings of a profile.

Flags inform; they never diagnose.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from .flag import (
    EVIDENCE_GRADES,
    FLAG_FIELDS,
    SEVERITIES,
    Flag,
    Rule,
    flags_frame,
    register_rule,
    rule_info,
    rules,
)
from .pain import locate_structure, pain_context, read_pain_journal
from .profile import RiskProfile

#: Modules of this package that hold no rule (everything else is imported as a rule).
SUPPORT_MODULES: frozenset[str] = frozenset(
    {"baselines", "climbing", "episodes", "flag", "inputs", "pain", "profile", "status"}
)

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module not in SUPPORT_MODULES and not _module.startswith("_"):
        importlib.import_module(f"{__name__}.{_module}")

#: Trigger ids of the built-in rules, in registration order (a contract: the module of
#: each has the same name).
TRIGGERS: tuple[str, ...] = tuple(rules())

__all__ = [
    "EVIDENCE_GRADES",
    "FLAG_FIELDS",
    "SEVERITIES",
    "SUPPORT_MODULES",
    "TRIGGERS",
    "Flag",
    "RiskProfile",
    "Rule",
    "evaluate",
    "flags_frame",
    "locate_structure",
    "pain_context",
    "read_pain_journal",
    "register_rule",
    "rule_info",
    "rules",
]


def evaluate(
    activities: pd.DataFrame,
    *,
    profile: RiskProfile | None = None,
    gear_map: Any = None,
    tags: Mapping[str, Iterable[str] | str] | None = None,
    triggers: Iterable[str] | None = None,
) -> list[Flag]:
    """Run the registered risk rules on an activities table.

    Parameters
    ----------
    activities : DataFrame
        The activities table (see :mod:`runload.schema`); not modified.
    profile : RiskProfile, optional
        Thresholds; the defaults of :class:`RiskProfile` when omitted.  Rules listed in
        ``profile.disabled`` are skipped.
    gear_map : mapping or list, optional
        Shoes to date ranges, for activities without a ``gear`` value: what
        :func:`runload.risk.inputs.read_gear` returns, or the forms of
        :func:`runload.risk.worn_shoes.gear_map_records`.
    tags : mapping, optional
        ``activity_id`` → user tags (e.g. ``"ankle weights"``), or what
        :func:`runload.risk.inputs.read_tags` returns (entries by date are matched to
        the activities here).
    triggers : iterable of str, optional
        Run only these rules.

    Returns
    -------
    list of Flag
        Flags and ``info`` notices of every rule, sorted by date, then severity (highest
        first).
    """
    profile = profile if profile is not None else RiskProfile()
    registered = rules()
    wanted = list(registered) if triggers is None else list(triggers)
    for trigger in wanted:
        if trigger not in registered:
            raise KeyError(f"no risk rule {trigger!r}; known: {sorted(registered)}")
    resolve = getattr(tags, "resolve", None)
    if callable(resolve):
        tags = resolve(activities)
    out: list[Flag] = []
    for trigger in wanted:
        if trigger in profile.disabled:
            continue
        kwargs: dict[str, object] = dict(profile.options(trigger))
        kwargs["gear_map"] = gear_map
        kwargs["tags"] = tags
        kwargs["profile"] = profile
        out.extend(registered[trigger](activities, **kwargs))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(out, key=lambda f: (f.date, -order[f.severity], f.trigger, f.activity_ids))
