"""What an analysis judged: which activities counted as runs, which did not and why.

A risk tool that says "no flags" about a history it never looked at misleads.
:func:`select_runs` decides which activities the load and the rules see (the
sports that count, the user's word for activities nothing could label, and
runs too implausible to count), and :class:`Coverage` keeps the tally so that
the output can say, first and plainly, what was judged: "68 activities read,
0 counted as runs: 68 have no sport; pass --sport running to count them".

Plausibility checks on each counted run (thresholds below, reasons in
``docs/load.md``, "What counts as a run"):

``walk``
    Labelled a run, but the 90th percentile of its moving speed is below
    :data:`WALK_P90_M_S`: a walk throughout.  It is left out of the run load, as
    walks are: judged as a run, a long walk would read as a sudden long run.
    ``sports=`` (``--sport walking``) counts walks when the runner wants them.
``too_fast``
    The median moving speed is above :data:`MAX_RUN_P50_M_S`, faster than any
    runner holds for long (the men's marathon record is about 5.9 m/s): a
    ride or a drive recorded as a run.  It is left out of the load, so a ride
    never leaks into the run load.
``no_distance``
    At least :data:`STILL_MIN_S` of recording with less than
    :data:`STILL_MAX_M` covered (a watch left running, a gym session).  It
    adds nothing to distance; it is left out of the run count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .load import RUNNING_SPORTS, is_running

__all__ = [
    "MAX_RUN_P50_M_S",
    "STILL_MAX_M",
    "STILL_MIN_S",
    "WALK_P90_M_S",
    "Coverage",
    "select_runs",
]

#: A run whose moving speed stays below this 90 % of the time is a walk throughout. [m/s]
WALK_P90_M_S = 1.9
#: A "run" whose median moving speed is above this is not on foot. [m/s]
MAX_RUN_P50_M_S = 6.5
#: Recording time from which a run without distance is noticed. [s]
STILL_MIN_S = 20 * 60.0
#: Distance below which such a recording counts as covering nothing. [m]
STILL_MAX_M = 200.0

#: Why a run's climbing is not believed, by its ``elevation_source``.
_CLIMBING_WHY = {
    "gps": "with GPS or phone altitude (too noisy to judge climbing)",
    "barometric": "with altimeter data out of range (below sea level or implausibly steep)",
    "none": "without usable altitude (constant or too few samples)",
}

#: Plausibility codes that take a run out of the load.
_EXCLUDED = frozenset({"walk", "too_fast", "no_distance"})


@dataclass(frozen=True)
class Coverage:
    """The tally of what an analysis judged.

    Attributes
    ----------
    activities : int
        Activities read.
    runs : int
        Activities counted as runs (judged by the load and the rules).
    no_sport : int
        Activities left out because nothing told their sport.
    other_sports : dict
        Sport → number of activities left out because their sport does not count.
    sport_sources : dict
        ``sport_source`` → number of counted runs (``file``, ``export``, ``inferred``,
        ``user``).
    implausible : DataFrame
        One row per counted-as-run activity that failed a plausibility check:
        ``activity_id``, ``local_date``, ``check`` (``walk``, ``too_fast``,
        ``no_distance``), ``excluded`` (bool), ``message``.
    untrusted_climbing : int
        Counted runs whose climbing cannot be believed (``ascent_trusted`` False),
        left out of the uphill and downhill baselines and flags.
    climbing_reasons : dict
        ``elevation_source`` → number of those runs.
    manual : int
        Counted runs known only from an export's list, without a file (Strava manual
        entries, ``format = "summary"``): their distance and time count, nothing else.
    """

    activities: int
    runs: int
    no_sport: int
    other_sports: dict[str, int]
    sport_sources: dict[str, int]
    implausible: pd.DataFrame = field(repr=False)
    untrusted_climbing: int = 0
    climbing_reasons: dict[str, int] = field(default_factory=dict)
    manual: int = 0

    @property
    def judged(self) -> bool:
        """Whether any run was judged."""
        return self.runs > 0

    def headline(self) -> str:
        """One line: how many activities were read, how many counted, and the fix if few did."""
        text = f"{self.activities} activities read, {self.runs} counted as runs"
        left = []
        if self.no_sport:
            left.append(
                f"{self.no_sport} {'has' if self.no_sport == 1 else 'have'} no sport; "
                "pass --sport running (sport='running' in Python) to count them"
            )
        if self.other_sports:
            parts = ", ".join(f"{k} {v}" for k, v in sorted(self.other_sports.items()))
            left.append(f"{sum(self.other_sports.values())} other sports ({parts})")
        excluded = int(self.implausible["excluded"].sum()) if len(self.implausible) else 0
        if excluded:
            left.append(f"{excluded} implausible as runs")
        return text + (": " + "; ".join(left) if left else "")

    def lines(self) -> list[str]:
        """The headline, then one line on inferred sports and one on untrusted climbing."""
        out = [self.headline()]
        if self.manual:
            out.append(
                f"{self.manual} of the runs are manual entries (no file): their distance and "
                "time count, there is nothing else to judge in them."
            )
        inferred = self.sport_sources.get("inferred", 0)
        if inferred:
            out.append(
                f"{inferred} of the runs had no sport in their file; runload inferred it from "
                "their speed, cadence and name."
            )
        if self.untrusted_climbing:
            why = "; ".join(
                f"{v} {_CLIMBING_WHY.get(k, k)}" for k, v in sorted(self.climbing_reasons.items())
            )
            out.append(
                f"{self.untrusted_climbing} runs left out of the uphill and downhill judgement, "
                f"their climbing cannot be believed: {why}."
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain Python objects for JSON."""
        return {
            "activities": self.activities,
            "runs": self.runs,
            "no_sport": self.no_sport,
            "other_sports": dict(self.other_sports),
            "sport_sources": dict(self.sport_sources),
            "untrusted_climbing": self.untrusted_climbing,
            "climbing_reasons": dict(self.climbing_reasons),
            "manual": self.manual,
            "implausible": [
                {
                    "activity_id": str(r["activity_id"]),
                    "local_date": str(r["local_date"]),
                    "check": r["check"],
                    "excluded": bool(r["excluded"]),
                    "message": r["message"],
                }
                for r in self.implausible.to_dict("records")
            ],
        }


def _column(frame: pd.DataFrame, name: str, default: Any) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(default, index=frame.index, dtype=object)


def _floats(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def plausibility(activities: pd.DataFrame) -> pd.DataFrame:
    """The plausibility checks of the module docstring, one row per failed check.

    Parameters
    ----------
    activities : DataFrame
        Activities counted as runs (uses ``moving_speed_p50_m_s``,
        ``moving_speed_p90_m_s``, ``distance_m``, ``elapsed_time_s``, ``local_date``).

    Returns
    -------
    DataFrame
        Columns ``activity_id``, ``local_date``, ``check``, ``excluded``, ``message``.
    """
    # Only what is labelled a run can be "a walk labelled as a run".
    labelled_run = (
        is_running(activities).to_numpy(dtype=bool)
        if {"sport", "sub_sport"} <= set(activities.columns)
        else np.ones(len(activities), dtype=bool)
    )
    return _plausibility(activities, labelled_run)


def _plausibility(activities: pd.DataFrame, labelled_run: np.ndarray) -> pd.DataFrame:
    p50 = _floats(activities, "moving_speed_p50_m_s")
    p90 = _floats(activities, "moving_speed_p90_m_s")
    dist = _floats(activities, "distance_m")
    elapsed = _floats(activities, "elapsed_time_s")
    dates = _column(activities, "local_date", None).to_numpy(dtype=object)
    with np.errstate(invalid="ignore"):
        too_fast = np.isfinite(p50) & (p50 > MAX_RUN_P50_M_S)
        walk = labelled_run & np.isfinite(p90) & (p90 < WALK_P90_M_S)
        still = (
            np.isfinite(elapsed)
            & (elapsed >= STILL_MIN_S)
            & ~(np.isfinite(dist) & (dist >= STILL_MAX_M))
        )
    ids = activities.index.tolist()
    rows = []
    for k in np.flatnonzero(too_fast | walk | still).tolist():
        aid = ids[k]
        date = dates[k]
        if too_fast[k]:
            rows.append(
                (
                    aid,
                    date,
                    "too_fast",
                    f"{date}: a run at a median moving speed of {p50[k] * 3.6:.0f} km/h, faster "
                    f"than any runner holds (limit {MAX_RUN_P50_M_S * 3.6:.0f} km/h): probably a "
                    "ride or a drive; left out of the load.",
                )
            )
        elif walk[k]:
            rows.append(
                (
                    aid,
                    date,
                    "walk",
                    f"{date}: labelled a run, but 90 % of the moving time was slower than "
                    f"{p90[k] * 3.6:.1f} km/h (walking pace, below {WALK_P90_M_S * 3.6:.1f} km/h); "
                    "left out of the run load as a walk.",
                )
            )
        if still[k]:
            covered = dist[k] if np.isfinite(dist[k]) else 0.0
            rows.append(
                (
                    aid,
                    date,
                    "no_distance",
                    f"{date}: {elapsed[k] / 60:.0f} min recorded with {covered:.0f} m covered; "
                    "left out of the run count.",
                )
            )
    frame = pd.DataFrame(rows, columns=["activity_id", "local_date", "check", "message"])
    frame.insert(3, "excluded", frame["check"].isin(_EXCLUDED).astype(bool))
    return frame


def _untrusted(trusted: pd.Series) -> np.ndarray:
    """Where ``ascent_trusted`` is False (a bool False; missing and other values are not)."""
    if isinstance(trusted.dtype, pd.BooleanDtype):
        return ~trusted.to_numpy(dtype=bool, na_value=True)
    if trusted.dtype == bool:
        return ~trusted.to_numpy(dtype=bool)
    values = trusted.astype(object).tolist()
    return np.array([isinstance(v, bool | np.bool_) and not bool(v) for v in values], dtype=bool)


def _lowered(sports: Iterable[str]) -> frozenset[str]:
    """Sports as :func:`runload.load.is_running` compares them."""
    return frozenset(s.strip().lower() for s in ([sports] if isinstance(sports, str) else sports))


def select_runs(
    activities: pd.DataFrame,
    *,
    sports: Iterable[str] | None = RUNNING_SPORTS,
    sport: str | None = None,
) -> tuple[pd.DataFrame, Coverage]:
    """The activities the load and the rules judge, and the tally of what was left out.

    Parameters
    ----------
    activities : DataFrame
        The activities table; not modified.
    sports : iterable of str or None, default :data:`runload.load.RUNNING_SPORTS`
        What counts (entries as for :func:`runload.load.is_running`; None: everything).
    sport : str, optional
        The user's word for activities whose sport nothing could tell: they get this
        sport with ``sport_source = "user"`` (``"running"`` counts them as runs).

    Returns
    -------
    activities : DataFrame
        A copy of the table with a bool column ``counted`` (judged as a run).  Rows
        given the user's sport carry it.
    coverage : Coverage
    """
    table = activities.copy()
    sport_col = _column(table, "sport", None).astype(object)
    missing = sport_col.isna() | (sport_col.astype(str).str.strip() == "")
    if sport:
        table.loc[missing, "sport"] = sport.strip().lower()
        table.loc[missing, "sport_source"] = "user"
        missing = pd.Series(False, index=table.index)
    if sports is not None and not isinstance(sports, str):
        sports = frozenset(sports)
    wanted = is_running(table, sports=sports) if len(table) else pd.Series([], dtype=bool)
    chosen = wanted.to_numpy(dtype=bool)
    if not {"sport", "sub_sport"} <= set(table.columns):
        labelled = np.ones(len(table), dtype=bool)
    elif sports is not None and _lowered(sports) == _lowered(RUNNING_SPORTS):
        labelled = chosen  # what plausibility calls a run is what was chosen
    else:
        labelled = is_running(table).to_numpy(dtype=bool)
    checks = _plausibility(table.loc[chosen], labelled[chosen])
    excluded_ids = set(checks.loc[checks["excluded"], "activity_id"])
    counted = wanted & ~table.index.isin(list(excluded_ids))
    table["counted"] = counted.to_numpy(dtype=bool)

    not_counted = ~wanted.to_numpy(dtype=bool)
    no_sport = int((missing.to_numpy(dtype=bool) & not_counted).sum())
    others = table.loc[not_counted & ~missing.to_numpy(dtype=bool), "sport"]
    other_sports = dict(Counter(str(s) for s in others.tolist()))
    runs = table.loc[table["counted"]]
    sources = dict(Counter(str(s) for s in _column(runs, "sport_source", "unknown").tolist()))
    untrusted = pd.Series(
        _untrusted(_column(runs, "ascent_trusted", None)), index=runs.index, dtype=bool
    )
    sources_of_untrusted = _column(runs, "elevation_source", "unknown")[untrusted]
    reasons = dict(Counter(str(s) for s in sources_of_untrusted.tolist()))
    coverage = Coverage(
        activities=len(table),
        runs=int(table["counted"].sum()),
        no_sport=no_sport,
        other_sports=other_sports,
        sport_sources=sources,
        implausible=checks.reset_index(drop=True),
        untrusted_climbing=int(untrusted.sum()),
        climbing_reasons=reasons,
        manual=int((_column(runs, "format", None).astype(object) == "summary").sum()),
    )
    return table, coverage
