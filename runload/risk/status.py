"""Where the runner stands today: this week against their normal, active flags, the next step.

:func:`training_status` looks at a history as of its last run and answers the
three questions a runner asks after an analysis:

* **This week.**  The distance of the local week of the last run against the
  runner's *recent normal*, the same one ``distance_jump`` judges a week by
  (:func:`runload.risk.baselines.recent_normal`, with the profile's
  ``distance_jump`` settings): the mean of the bigger half of the last four
  weeks with running before it.  Zero weeks are breaks, not the norm; see
  ``docs/risk.md``.
* **Active flags.**  The flags (not notices) of the last :data:`ACTIVE_DAYS`
  days up to the last run.
* **The next step, in numbers.**  The next long run up to ``spike_ratio`` times
  the longest run of the last 30 days keeps it in the reference band of
  Frandsen et al. (2025), where sessions at most 10 % longer than that longest
  run had the lowest injury rate.  Next week up to ``week_ratio`` times the
  larger of the normal and this week's distance keeps the weekly progression in
  the band that Nielsen et al. (2014) used as reference (< 10 %).  These are
  the bands the evidence compared against, not guarantees.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..load import elevation_load
from ..units import check_units, format_distance
from .baselines import break_definition, recent_normal
from .flag import run_weeks
from .profile import RiskProfile


def _profile(profile: RiskProfile | None) -> RiskProfile:
    return profile if profile is not None else RiskProfile()


__all__ = ["ACTIVE_DAYS", "Status", "training_status"]

#: Flags of this many days up to the last run are active. [d]
ACTIVE_DAYS = 14
#: Longest-run window of the next-step advice (Frandsen et al. 2025). [d]
LONG_RUN_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Status:
    """The runner's position as of the last run (see the module docstring).

    Attributes
    ----------
    as_of : datetime.date
        Local date of the last run.
    week_start : datetime.date
        Monday of the last run's local week.
    week_km : float
        Distance of that week so far. [km]
    normal_week_km : float
        The recent normal before this week (see the module docstring); NaN without
        enough earlier weeks with running. [km]
    weeks_in_normal : int
        How many recent weeks with running the normal was taken from.
    longest_30d_km : float
        Longest run of the 30 days up to the last run. [km]
    next_long_run_km : float
        Longest next run within ``spike_ratio`` of ``longest_30d_km``. [km]
    next_week_km : float
        Most distance next week within ``week_ratio`` of the larger of the normal
        and this week. [km]
    spike_ratio, week_ratio : float
        The ratios used. [1]
    active : DataFrame
        Flags (not notices) dated in the last :data:`ACTIVE_DAYS` days.
    """

    as_of: dt.date
    week_start: dt.date
    week_km: float
    normal_week_km: float
    weeks_in_normal: int
    longest_30d_km: float
    next_long_run_km: float
    next_week_km: float
    spike_ratio: float
    week_ratio: float
    active: pd.DataFrame = field(repr=False)

    def lines(self, *, units: str = "metric") -> list[str]:
        """The status as short lines of text; sub-lines start with two spaces.

        Parameters
        ----------
        units : {"metric", "imperial"}
            Distances in kilometres or miles (:mod:`runload.units`).
        """
        u = check_units(units)

        def dist(km: float) -> str:
            return format_distance(km, u)

        week = f"This week (from {self.week_start}): {dist(self.week_km)}"
        if np.isfinite(self.normal_week_km) and self.normal_week_km > 0:
            pct = round((self.week_km / self.normal_week_km - 1) * 100)
            change = "the same" if pct == 0 else f"{pct:+d} %"
            week += (
                f", against your recent normal of {dist(self.normal_week_km)} a week "
                f"(the bigger half of your last {self.weeks_in_normal} weeks with running): "
                f"{change}."
            )
        else:
            week += "; no earlier weeks with running to compare with."
        out = [f"Status as of your last run, {self.as_of}:", "  " + week]
        if len(self.active):
            parts = [
                f"{rec['trigger']} ({rec['severity']}, {rec['date']})"
                for rec in self.active.to_dict("records")
            ]
            out.append(f"  Active flags (last {ACTIVE_DAYS} days): " + ", ".join(parts) + ".")
        else:
            out.append(f"  Active flags (last {ACTIVE_DAYS} days): none.")
        if np.isfinite(self.next_long_run_km):
            out.append(
                f"  Next long run: up to {dist(self.next_long_run_km)} keeps it within "
                f"+{(self.spike_ratio - 1) * 100:.0f} % of your longest run in the last "
                f"{LONG_RUN_WINDOW_DAYS} days ({dist(self.longest_30d_km)})."
            )
        if np.isfinite(self.next_week_km):
            out.append(
                f"  Next week: up to {dist(self.next_week_km)} keeps the weekly increase "
                f"within +{(self.week_ratio - 1) * 100:.0f} %."
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain Python objects for JSON (NaN becomes None)."""

        def num(x: float) -> float | None:
            return float(x) if np.isfinite(x) else None

        return {
            "as_of": self.as_of.isoformat(),
            "week_start": self.week_start.isoformat(),
            "week_km": num(self.week_km),
            "normal_week_km": num(self.normal_week_km),
            "weeks_in_normal": self.weeks_in_normal,
            "longest_30d_km": num(self.longest_30d_km),
            "next_long_run_km": num(self.next_long_run_km),
            "next_week_km": num(self.next_week_km),
            "active_flags": [
                {"trigger": r["trigger"], "date": r["date"].isoformat(), "severity": r["severity"]}
                for r in self.active.to_dict("records")
            ],
        }


def training_status(
    activities: pd.DataFrame,
    flags: pd.DataFrame,
    *,
    profile: RiskProfile | None = None,
    spike_ratio: float = 1.10,
    week_ratio: float = 1.10,
) -> Status | None:
    """The runner's status as of the last run; None when there is no run.

    Parameters
    ----------
    activities : DataFrame
        The runs judged (an activities table; runs are selected as in :mod:`runload.load`).
    flags : DataFrame
        The flags table of the same history.
    profile : RiskProfile, optional
        Whose ``distance_jump`` and ``return_after_break`` settings define the normal.
    spike_ratio : float
        Next long run ÷ longest run of the last 30 days. [1]
    week_ratio : float
        Next week ÷ the larger of the normal week and this week. [1]
    """
    runs = elevation_load(activities)
    if runs.empty:
        return None
    weeks = run_weeks(runs)
    dates = weeks.dates
    km = runs["distance_km"].to_numpy(dtype="float64", na_value=np.nan)
    km = np.where(np.isfinite(km), km, 0.0)
    as_of: dt.date = max(dates)
    week_start = as_of - dt.timedelta(days=as_of.weekday())
    # the runs are in date order: those from a date on are the last ones (summed in order)
    values: list[float] = km.tolist()
    week_km = float(sum(values[bisect.bisect_left(dates, week_start) :]))
    n_weeks = weeks.count
    weekly = np.bincount(weeks.week_of, weights=km, minlength=n_weeks)  # each week in order
    settings = _profile(profile).distance_jump
    normal, used = recent_normal(
        weekly,
        n_weeks - 1,
        weeks=int(settings.normal_weeks),
        lookback_weeks=int(settings.lookback_weeks),
        min_weeks=1,
        trivial_share=break_definition(profile).trivial_share,
    )
    window_start = as_of - dt.timedelta(days=LONG_RUN_WINDOW_DAYS - 1)
    recent = values[bisect.bisect_left(dates, window_start) :]
    longest = float(max(recent)) if recent else float("nan")
    base_week = max(week_km, normal) if np.isfinite(normal) else week_km
    active = flags.iloc[0:0]
    if len(flags):
        since = as_of - dt.timedelta(days=ACTIVE_DAYS - 1)
        keep = (flags["severity"] != "info") & flags["date"].map(lambda d: since <= d <= as_of)
        active = flags.loc[keep.astype(bool)].reset_index(drop=True)
    return Status(
        as_of=as_of,
        week_start=week_start,
        week_km=week_km,
        normal_week_km=normal,
        weeks_in_normal=len(used) if np.isfinite(normal) else 0,
        longest_30d_km=longest,
        next_long_run_km=longest * spike_ratio if longest > 0 else float("nan"),
        next_week_km=base_week * week_ratio if base_week > 0 else float("nan"),
        spike_ratio=spike_ratio,
        week_ratio=week_ratio,
        active=active,
    )
