"""The one result type of every risk rule, and the registry of rules.

A rule is a plain function ``rule(activities, *, <thresholds>, ...) -> list[Flag]``
that lives in its own module and registers itself there with
:func:`register_rule`, declaring its evidence grade, citation and the advice that
goes with it.  Its thresholds are keyword-only parameters whose defaults come from
:class:`runload.risk.RiskProfile`, so the profile is the one place where every
threshold is set.

Severities are ``"low"``, ``"moderate"`` and ``"high"`` for flags, and ``"info"``
for notices ("not enough history yet", "no shoe data").  Notices are Flags too, so
that one list and one table carry everything a rule says; filter on
``severity != "info"`` to keep the flags only.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "EVIDENCE_GRADES",
    "FLAG_FIELDS",
    "SEVERITIES",
    "Flag",
    "Rule",
    "flags_frame",
    "register_rule",
    "rule_info",
    "rules",
]

#: Severity levels, from least to most serious.  ``"info"`` marks a notice.
SEVERITIES: tuple[str, ...] = ("info", "low", "moderate", "high")

#: What a flag rests on (see docs/risk.md and EVIDENCE.md):
#: ``evidence`` = prospective injury data; ``weak evidence`` = prospective data with a
#: wide or non-significant effect; ``mechanistic`` = biomechanical data only;
#: ``practice`` = coach or vendor convention without injury-outcome data.
EVIDENCE_GRADES: tuple[str, ...] = ("evidence", "weak evidence", "mechanistic", "practice")


@dataclass(frozen=True)
class Flag:
    """One finding of a risk rule: what was seen, how strong the evidence is, what to do.

    Flags inform; they never diagnose.

    Parameters
    ----------
    trigger : str
        Rule id, e.g. ``"long_run_spike"``.
    date : datetime.date
        Local date of the run, or the first day (Monday) of the week for weekly rules.
    severity : str
        One of :data:`SEVERITIES`; ``"info"`` is a notice, not a flag.
    metric : str
        Name of the measured quantity, with its unit suffix (``"spike_ratio"``).
    value : float
        The measured value (NaN for notices without one).
    threshold : float
        The threshold the value was compared with.
    evidence : str
        One of :data:`EVIDENCE_GRADES`.
    reference : str
        Citation of the source behind the threshold.
    message : str
        What was seen, with numbers, in plain words.
    advice : str
        What the article advises for this trigger, paraphrased.
    activity_ids : tuple of str
        Activities involved.
    """

    trigger: str
    date: dt.date
    severity: str
    metric: str
    value: float
    threshold: float
    evidence: str
    reference: str
    message: str
    advice: str
    activity_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        if self.evidence not in EVIDENCE_GRADES:
            raise ValueError(f"evidence must be one of {EVIDENCE_GRADES}, not {self.evidence!r}")
        if not isinstance(self.date, dt.date) or isinstance(self.date, dt.datetime):
            raise TypeError(f"date must be a datetime.date, not {type(self.date).__name__}")
        if not isinstance(self.activity_ids, tuple):
            object.__setattr__(self, "activity_ids", tuple(self.activity_ids))

    @property
    def is_notice(self) -> bool:
        """True for ``"info"`` notices."""
        return self.severity == "info"


#: Columns of :func:`flags_frame`, in order (the fields of :class:`Flag`).
FLAG_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Flag))

_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def flags_frame(flags: Iterable[Flag]) -> pd.DataFrame:
    """Return flags as a table, one row per flag, sorted by date, then severity (highest first).

    Parameters
    ----------
    flags : iterable of Flag

    Returns
    -------
    DataFrame
        Columns :data:`FLAG_FIELDS`; ``date`` holds ``datetime.date`` objects, ``value`` and
        ``threshold`` are float64, ``activity_ids`` holds tuples.  Empty (with those
        columns) when there are no flags.
    """
    items = sorted(
        flags, key=lambda f: (f.date, -_SEVERITY_RANK[f.severity], f.trigger, f.activity_ids)
    )
    data: dict[str, list[Any]] = {name: [getattr(f, name) for f in items] for name in FLAG_FIELDS}
    frame = pd.DataFrame(data, columns=list(FLAG_FIELDS))
    for name in ("value", "threshold"):
        frame[name] = np.asarray(frame[name], dtype="float64")
    for name in FLAG_FIELDS:
        if name not in ("value", "threshold"):
            frame[name] = frame[name].astype("object")
    return frame


@dataclass(frozen=True)
class Rule:
    """A registered risk rule.

    Attributes
    ----------
    trigger : str
        Rule id (also the name of the RiskProfile section holding its thresholds).
    func : callable
        ``func(activities, *, <thresholds>, ...) -> list[Flag]``.
    evidence : str
        One of :data:`EVIDENCE_GRADES`.
    reference : str
        Citation text.
    advice : str
        The article's advice for this trigger, paraphrased.
    """

    trigger: str
    func: Callable[..., list[Flag]]
    evidence: str
    reference: str
    advice: str

    @property
    def options(self) -> tuple[str, ...]:
        """Names of the keyword-only parameters the rule accepts."""
        sig = inspect.signature(self.func)
        return tuple(
            p.name for p in sig.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY
        )

    def __call__(self, activities: pd.DataFrame, **kwargs: Any) -> list[Flag]:
        """Run the rule, passing only the keyword arguments it accepts."""
        accepted = set(self.options)
        return self.func(activities, **{k: v for k, v in kwargs.items() if k in accepted})


_RULES: dict[str, Rule] = {}


def register_rule(
    trigger: str, *, evidence: str, reference: str, advice: str
) -> Callable[[Callable[..., list[Flag]]], Callable[..., list[Flag]]]:
    """Register a rule function under ``trigger`` (use as a decorator, in the rule's module).

    Parameters
    ----------
    trigger : str
        Rule id; registering the same id twice replaces the earlier rule.
    evidence : str
        One of :data:`EVIDENCE_GRADES`.
    reference : str
        Citation of the source behind the rule's thresholds.
    advice : str
        The article's advice for the trigger, paraphrased.

    Returns
    -------
    callable
        A decorator returning the function unchanged.
    """
    if evidence not in EVIDENCE_GRADES:
        raise ValueError(f"evidence must be one of {EVIDENCE_GRADES}, not {evidence!r}")

    def decorate(func: Callable[..., list[Flag]]) -> Callable[..., list[Flag]]:
        _RULES[trigger] = Rule(trigger, func, evidence, reference, advice)
        return func

    return decorate


def rules() -> Mapping[str, Rule]:
    """Return the registered rules, by trigger id, in registration order (read-only)."""
    return MappingProxyType(dict(_RULES))


def rule_info(trigger: str) -> Rule:
    """Return the registered rule ``trigger`` (KeyError naming the known ids otherwise)."""
    try:
        return _RULES[trigger]
    except KeyError:
        raise KeyError(f"no risk rule {trigger!r}; known: {sorted(_RULES)}") from None


# --- helpers shared by the rule modules -------------------------------------------------


def make_flag(
    rule_trigger: str,
    *,
    date: dt.date,
    severity: str,
    metric: str,
    value: float,
    threshold: float,
    message: str,
    activity_ids: Sequence[str] = (),
) -> Flag:
    """Build a Flag for a registered rule, filling in its evidence, reference and advice."""
    rule = rule_info(rule_trigger)
    return Flag(
        trigger=rule_trigger,
        date=date,
        severity=severity,
        metric=metric,
        value=float(value),
        threshold=float(threshold),
        evidence=rule.evidence,
        reference=rule.reference,
        message=message,
        advice=rule.advice,
        activity_ids=tuple(str(a) for a in activity_ids),
    )


def history_notice(
    rule_trigger: str,
    *,
    date: dt.date,
    history_days: float,
    baseline_days: int,
    what: str,
    activity_ids: Sequence[str] = (),
) -> Flag:
    """An ``info`` notice: a rule saw ``what`` but lacks ``baseline_days`` of history to judge it.

    Parameters
    ----------
    rule_trigger : str
        The rule's id.
    date : datetime.date
        Date the notice refers to.
    history_days : float
        Days of history available before ``date``. [d]
    baseline_days : int
        Days of history the rule needs. [d]
    what : str
        What was seen (one sentence, no final stop), or "" when nothing in particular.
    """
    days = 0 if not np.isfinite(history_days) else max(int(history_days), 0)
    seen = f"{what}, but " if what else ""
    message = (
        f"{seen}only {days} days of running history are available before {date.isoformat()}; "
        f"{rule_trigger} needs {baseline_days} days to know your usual training, so no flag "
        "was raised yet."
    )
    message = message[0].upper() + message[1:]
    return make_flag(
        rule_trigger,
        date=date,
        severity="info",
        metric="history_days",
        value=float(days),
        threshold=float(baseline_days),
        message=message,
        activity_ids=activity_ids,
    )


def fmt_ratio_pct(ratio: float) -> str:
    """Format a ratio as a signed percentage change: 1.35 -> '+35 %'."""
    if not np.isfinite(ratio):
        return "from nothing"
    return f"{(ratio - 1.0) * 100:+.0f} %"


def run_table(activities: pd.DataFrame) -> pd.DataFrame:
    """The running activities, chronological: ``local_date``, ``distance_km``, ``ascent_m``...

    Thin wrapper on :func:`runload.load.elevation_load` (same selection of runs as every
    load function), used by the rules to find the runs of a week and the first run date.
    """
    from ..load import elevation_load

    return elevation_load(activities)


def runs_between(runs: pd.DataFrame, first: dt.date, last: dt.date) -> tuple[str, ...]:
    """Ids of the runs of :func:`run_table` dated ``first`` … ``last`` (inclusive)."""
    dates = runs["local_date"]
    mask = [(first <= d <= last) for d in dates]
    return tuple(str(i) for i in runs.index[np.asarray(mask, dtype=bool)])


def short_history_notice(
    rule_trigger: str, runs: pd.DataFrame, *, baseline_days: int, emitted: bool
) -> list[Flag]:
    """One ``info`` notice when the whole log spans fewer than ``baseline_days`` days.

    Returns [] when there are no runs, when the span is long enough, or when the rule
    already ``emitted`` a notice of its own.
    """
    if emitted or runs.empty:
        return []
    first, last = runs["local_date"].min(), runs["local_date"].max()
    span = (last - first).days
    if span >= baseline_days:
        return []
    return [
        history_notice(
            rule_trigger, date=last, history_days=span, baseline_days=baseline_days, what=""
        )
    ]
