"""The one result type of every risk rule, and the registry of rules.

A rule is a plain function ``rule(activities, *, <settings>, ...) -> list[Flag]``
that lives in its own module and registers itself there with
:func:`register_rule`, declaring its evidence grade, citation, the advice that goes
with it and its settings: a frozen dataclass, declared in the same module, whose
fields (made with :func:`setting`) carry the default, unit and source of each
threshold.  Every field must be a keyword-only parameter of the rule with the same
default; registration fails otherwise.  :class:`runload.risk.RiskProfile`, the
trigger list and the tables of docs/risk.md are built from these registrations, so
adding a rule is one new module.

:class:`Findings` is the one place that decides between a flag and an ``info``
notice ("not enough history yet"), and that adds the notice for a log shorter than
the rule's baseline.

Severities are ``"low"``, ``"moderate"`` and ``"high"`` for flags, and ``"info"``
for notices ("not enough history yet", "no shoe data").  Notices are Flags too, so
that one list and one table carry everything a rule says; filter on
``severity != "info"`` to keep the flags only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CONTEXT_ARGUMENTS",
    "DEFAULT_RANGE",
    "EVIDENCE_GRADES",
    "FLAG_FIELDS",
    "SEVERITIES",
    "UNIT_RANGES",
    "Findings",
    "Flag",
    "Rule",
    "flags_frame",
    "register_rule",
    "rule_info",
    "rules",
    "setting",
    "setting_range",
    "settings_rows",
    "settings_table",
]

#: Keyword arguments that :func:`runload.risk.evaluate` offers every rule besides its
#: settings: a rule receives those it declares and never any other.  ``profile`` is the
#: whole :class:`~runload.risk.RiskProfile`, for rules that share another rule's
#: definitions (the break of ``return_after_break``).
CONTEXT_ARGUMENTS: tuple[str, ...] = ("gear_map", "tags", "profile")

#: Severity levels, from least to most serious.  ``"info"`` marks a notice.
SEVERITIES: tuple[str, ...] = ("info", "low", "moderate", "high")

#: What a flag rests on (see docs/risk.md):
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

    def __repr__(self) -> str:
        from ..report.cards import flag_repr

        return flag_repr(self)

    def _repr_html_(self) -> str:
        """The whole flag for notebooks: what was seen, evidence, source and advice."""
        from ..report.cards import flag_html

        return flag_html(self)


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
    frame = pd.DataFrame(data, columns=list(FLAG_FIELDS), dtype=object)
    for name in ("value", "threshold"):
        frame[name] = np.asarray(frame[name], dtype="float64")
    return frame


#: The range a setting takes unless it declares its own, by unit: wide enough
#: for any athlete, narrow enough that no value overflows a date or a
#: duration (``window_weeks = 1e18`` is refused instead of crashing).
UNIT_RANGES: dict[str, tuple[float, float]] = {
    "1": (0.0, 1000.0),
    "1/week": (0.0, 1000.0),
    "d": (0.0, 3650.0),
    "weeks": (0.0, 520.0),
    "kg": (0.0, 500.0),
    "km": (0.0, 100_000.0),
    "m": (0.0, 1_000_000.0),
    "m/km": (0.0, 1000.0),
    "mm": (0.0, 1000.0),
}
#: The range of a setting whose unit is not in :data:`UNIT_RANGES`.
DEFAULT_RANGE: tuple[float, float] = (0.0, 1e9)


def setting(
    default: Any = dataclasses.MISSING,
    *,
    unit: str,
    source: str,
    default_factory: Callable[[], Any] | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Any:
    """A field of a rule's settings dataclass, with its unit and the source of its default.

    Parameters
    ----------
    default : object
        The default value.
    unit : str
        Unit in brackets style without brackets: ``"km"``, ``"d"``, ``"1"`` for a ratio.
    source : str
        Where the default comes from (a citation, or "practical floor", "convention").
    default_factory : callable, optional
        For mutable defaults (mappings), instead of ``default``.
    minimum, maximum : float, optional
        The values a profile may set (inclusive), in ``unit``.  Default: the
        range of the unit in :data:`UNIT_RANGES` (else :data:`DEFAULT_RANGE`);
        see :func:`setting_range`.

    Returns
    -------
    dataclasses.Field
    """
    metadata: dict[str, Any] = {"unit": unit, "source": source}
    if minimum is not None:
        metadata["minimum"] = float(minimum)
    if maximum is not None:
        metadata["maximum"] = float(maximum)
    if default_factory is not None:
        return dataclasses.field(default_factory=default_factory, metadata=metadata, hash=False)
    return dataclasses.field(default=default, metadata=metadata)


def setting_range(f: dataclasses.Field[Any]) -> tuple[float, float]:
    """The (minimum, maximum) a profile may give a setting declared with :func:`setting`."""
    low, high = UNIT_RANGES.get(str(f.metadata.get("unit", "")), DEFAULT_RANGE)
    return float(f.metadata.get("minimum", low)), float(f.metadata.get("maximum", high))


@dataclass(frozen=True)
class Rule:
    """A registered risk rule.

    Attributes
    ----------
    trigger : str
        Rule id (also the name of the RiskProfile section holding its settings).
    func : callable
        ``func(activities, *, <settings>, ...) -> list[Flag]``.
    evidence : str
        One of :data:`EVIDENCE_GRADES`.
    reference : str
        Citation text.
    advice : str
        The article's advice for this trigger, paraphrased.
    settings : type or None
        The frozen dataclass of the rule's settings (None for a rule without any).
    """

    trigger: str
    func: Callable[..., list[Flag]]
    evidence: str
    reference: str
    advice: str
    settings: type | None = None

    @property
    def options(self) -> tuple[str, ...]:
        """Names of the keyword-only parameters the rule accepts."""
        sig = inspect.signature(self.func)
        return tuple(
            p.name for p in sig.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY
        )

    @property
    def setting_names(self) -> tuple[str, ...]:
        """Names of the fields of :attr:`settings` (empty without settings)."""
        if self.settings is None:
            return ()
        return tuple(f.name for f in fields(self.settings))

    def defaults(self) -> Any:
        """An instance of :attr:`settings` with every default (None without settings)."""
        return None if self.settings is None else self.settings()

    def __call__(self, activities: pd.DataFrame, **kwargs: Any) -> list[Flag]:
        """Run the rule.

        Context arguments (:data:`CONTEXT_ARGUMENTS`) the rule does not declare are
        dropped; any other keyword the rule does not accept is an error.

        Raises
        ------
        TypeError
            On a keyword that is neither a parameter of the rule nor a context argument.
        """
        accepted = set(self.options)
        unknown = [k for k in kwargs if k not in accepted and k not in CONTEXT_ARGUMENTS]
        if unknown:
            raise TypeError(
                f"risk rule {self.trigger!r} has no setting {unknown[0]!r} "
                f"(its settings: {', '.join(self.options) or 'none'})"
            )
        return self.func(activities, **{k: v for k, v in kwargs.items() if k in accepted})


_RULES: dict[str, Rule] = {}


def _check_settings(trigger: str, func: Callable[..., Any], settings: type) -> None:
    if not (dataclasses.is_dataclass(settings) and isinstance(settings, type)):
        raise TypeError(f"{trigger}: settings must be a dataclass, not {settings!r}")
    params = inspect.signature(func).parameters
    for f in fields(settings):
        param = params.get(f.name)
        if param is None or param.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(
                f"{trigger}: setting {f.name!r} of {settings.__name__} is not a keyword-only "
                f"parameter of {func.__name__}()"
            )
        if "unit" not in f.metadata or "source" not in f.metadata:
            raise TypeError(
                f"{trigger}: setting {f.name!r} needs a unit and a source (use setting())"
            )
        if f.default is not dataclasses.MISSING and param.default != f.default:
            raise TypeError(
                f"{trigger}: {func.__name__}({f.name}={param.default!r}) does not match the "
                f"default {f.default!r} of {settings.__name__}"
            )


def register_rule(
    trigger: str,
    *,
    evidence: str,
    reference: str,
    advice: str,
    settings: type | None = None,
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
    settings : type, optional
        Frozen dataclass of the rule's settings, its fields made with :func:`setting`.
        Each must be a keyword-only parameter of the rule, with the same default.

    Returns
    -------
    callable
        A decorator returning the function unchanged.

    Raises
    ------
    ValueError
        On an unknown evidence grade.
    TypeError
        When a setting is not a keyword-only parameter of the rule, has another default,
        or lacks its unit or source.
    """
    if evidence not in EVIDENCE_GRADES:
        raise ValueError(f"evidence must be one of {EVIDENCE_GRADES}, not {evidence!r}")

    def decorate(func: Callable[..., list[Flag]]) -> Callable[..., list[Flag]]:
        if settings is not None:
            _check_settings(trigger, func, settings)
        _RULES[trigger] = Rule(trigger, func, evidence, reference, advice, settings)
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


def settings_rows(trigger: str) -> list[dict[str, str]]:
    """The settings of rule ``trigger`` as rows ``name``, ``default``, ``unit``, ``source``.

    The tables of docs/risk.md are these rows; a test checks that the docs match.
    """
    rule = rule_info(trigger)
    if rule.settings is None:
        return []
    defaults = rule.settings()
    rows = []
    for f in fields(rule.settings):
        value = getattr(defaults, f.name)
        text = "{}" if isinstance(value, Mapping) and not value else f"{value!r}"
        rows.append(
            {
                "name": f.name,
                "default": text,
                "unit": str(f.metadata["unit"]),
                "source": str(f.metadata["source"]),
            }
        )
    return rows


def settings_table(trigger: str) -> str:
    """The settings of rule ``trigger`` as the Markdown table used in docs/risk.md."""
    lines = ["| Setting | Default | Unit | Source |", "|---|---|---|---|"]
    lines += [
        f"| `{r['name']}` | {r['default']} | {r['unit']} | {r['source']} |"
        for r in settings_rows(trigger)
    ]
    return "\n".join(lines)


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


def run_table(activities: pd.DataFrame) -> pd.DataFrame:
    """The running activities, chronological: ``local_date``, ``distance_km``, ``ascent_m``...

    Thin wrapper on :func:`runload.load.elevation_load` (same selection of runs as every
    load function), used by the rules to find the runs of a week and the first run date.
    """
    from ..load import elevation_load

    return elevation_load(activities)


@dataclass(frozen=True)
class RunWeeks:
    """The local weeks of a run table (:func:`run_weeks`).

    Attributes
    ----------
    dates : list of datetime.date
        Local date of each run.
    first_monday : datetime.date
        Monday of the first run's week.
    count : int
        Weeks from the first run's week to the last run's.
    week_of : ndarray of int
        Per run: its week, counted from ``first_monday``.
    """

    dates: list[dt.date]
    first_monday: dt.date
    count: int
    week_of: np.ndarray

    def monday(self, k: int) -> dt.date:
        """The Monday of week ``k``."""
        return self.first_monday + dt.timedelta(days=7 * k)


def run_weeks(runs: pd.DataFrame) -> RunWeeks:
    """The local weeks (Monday to Sunday) of a non-empty run table with ``local_date``.

    The same as ``d - timedelta(days=d.weekday())`` for each date, counted in weeks
    from the first such Monday; computed once per run table in
    :func:`runload.load.reusing_results`.
    """
    from ..load import reused

    return reused(("run_weeks",), (runs,), lambda: _run_weeks(runs))


def _run_weeks(runs: pd.DataFrame) -> RunWeeks:
    dates: list[dt.date] = list(runs["local_date"])
    day = np.fromiter((d.toordinal() for d in dates), dtype=np.int64, count=len(dates))
    monday = day - (day - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
    first = int(monday.min())
    return RunWeeks(
        dates=dates,
        first_monday=dt.date.fromordinal(first),
        count=(int(monday.max()) - first) // 7 + 1,
        week_of=(monday - first) // 7,
    )


def runs_between(runs: pd.DataFrame, first: dt.date, last: dt.date) -> tuple[str, ...]:
    """Ids of the runs of :func:`run_table` dated ``first`` … ``last`` (inclusive)."""
    dates = runs["local_date"].tolist()
    mask = [(first <= d <= last) for d in dates]
    return tuple(map(str, runs.index[np.asarray(mask, dtype=bool)].tolist()))


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


# --- shown values and thresholds ---------------------------------------------------------


def shown_pct(ratio: float) -> int:
    """The percentage change that messages show for ``ratio``: 1.304 -> 30. [%]"""
    return round((ratio - 1.0) * 100.0)


def above(ratio: float, threshold: float) -> bool:
    """Whether ``ratio`` exceeds ``threshold`` *as shown*, in whole percent of change.

    Messages print changes as whole percentages, so a value shown as "+30 %" is never
    flagged for exceeding 30 %: 1.304 is not above 1.30, 1.305 is (shown "+31 %").
    Infinite ratios (a value after nothing) are above every finite threshold.
    """
    if not np.isfinite(ratio):
        return bool(ratio > 0)
    return shown_pct(ratio) > shown_pct(threshold)


def above_all(ratios: np.ndarray, threshold: float) -> np.ndarray:
    """:func:`above` of each ratio of an array (the same rounding: half to even)."""
    ratios = np.asarray(ratios, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        shown = np.round((ratios - 1.0) * 100.0) > shown_pct(threshold)
    return np.where(np.isfinite(ratios), shown, ratios > 0)


def share_pct(share: float) -> int:
    """A share (0-1) as the whole percentage messages show: 0.804 -> 80. [%]"""
    return round(share * 100.0)


def at_least_share(share: float, threshold: float) -> bool:
    """Whether ``share`` reaches ``threshold`` *as shown*, in whole percent (0.795 -> 80 %)."""
    return share_pct(share) >= share_pct(threshold)


def plural(n: float, word: str, words: str | None = None) -> str:
    """``plural(1, "run") == "1 run"``, ``plural(3, "run") == "3 runs"``."""
    count = int(n)
    return f"{count} {word if count == 1 else (words or word + 's')}"


# --- the one skeleton: a flag, or a notice while the baseline is missing --------------


class Findings:
    """What one rule found, turned into flags or ``info`` notices.

    Every rule that compares the runner with their own history goes through
    :meth:`add`: with at least ``baseline_days`` of history the finding is a flag;
    before that it is a notice carrying the same numbers ("not enough history yet"),
    unless the rule passes a ``beginner_severity``: an absolute limit that holds
    without a baseline (see the beginner rules in docs/risk.md), which makes it a
    flag all the same.  :meth:`result` adds one notice when the whole log is shorter
    than the baseline and nothing else was said.

    Parameters
    ----------
    trigger : str
        The rule's id.
    baseline_days : int
        Days of running history the rule needs. [d]
    """

    def __init__(self, trigger: str, *, baseline_days: int) -> None:
        self.trigger = trigger
        self.baseline_days = int(baseline_days)
        self.flags: list[Flag] = []
        self.noticed = False

    def add(
        self,
        *,
        date: dt.date,
        history_days: float,
        seen: str,
        severity: str,
        metric: str,
        value: float,
        threshold: float,
        message: str,
        activity_ids: Sequence[str] = (),
        beginner_severity: str | None = None,
        beginner_message: str = "",
    ) -> Flag:
        """Record a finding; return the Flag or notice made of it.

        Parameters
        ----------
        date : datetime.date
            Date of the run, or the Monday of the week.
        history_days : float
            Days of history before ``date``. [d]
        seen : str
            What was seen, one clause without final stop (used by the notice).
        severity, metric, value, threshold, message
            The flag, once the baseline is there.
        activity_ids : sequence of str
        beginner_severity : str, optional
            Severity of a flag raised while the baseline is missing (None: a notice).
        beginner_message : str
            Message of that flag (default: ``message``).
        """
        if history_days >= self.baseline_days:
            flag = make_flag(
                self.trigger,
                date=date,
                severity=severity,
                metric=metric,
                value=value,
                threshold=threshold,
                message=message,
                activity_ids=activity_ids,
            )
        elif beginner_severity is not None:
            flag = make_flag(
                self.trigger,
                date=date,
                severity=beginner_severity,
                metric=metric,
                value=value,
                threshold=threshold,
                message=beginner_message or message,
                activity_ids=activity_ids,
            )
        else:
            flag = history_notice(
                self.trigger,
                date=date,
                history_days=history_days,
                baseline_days=self.baseline_days,
                what=seen,
                activity_ids=activity_ids,
            )
            self.noticed = True
        self.flags.append(flag)
        return flag

    def append(self, flag: Flag) -> None:
        """Record a ready-made flag (no baseline applies to it)."""
        self.flags.append(flag)

    def result(self, runs: pd.DataFrame | None = None) -> list[Flag]:
        """The flags and notices, plus the short-log notice when it applies.

        Parameters
        ----------
        runs : DataFrame, optional
            A table with a ``local_date`` column (the runs the rule looked at); None or
            empty adds no short-log notice.
        """
        out = list(self.flags)
        if runs is not None:
            out += short_history_notice(
                self.trigger,
                runs,
                baseline_days=self.baseline_days,
                emitted=self.noticed or bool(self.flags),
            )
        return out
