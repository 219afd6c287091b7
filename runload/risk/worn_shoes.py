"""``worn_shoes``: a shoe's cumulative distance past its replacement mileage.

The article's trigger 1, "wrong shoes: too tight, or without supportive cushioning".
runload cannot see fit or cushioning, only mileage: replacing running shoes at
480–800 km (300–500 mi) is a convention (Cook et al. 1985 found about 60 % of the
cushioning left at 800 km in machine tests) with no injury-outcome data behind it, so
the grade is *practice*.  Shoe rotation is reported as context: runners who used
several pairs in parallel had a lower injury hazard (Malisoux et al. 2015,
HR 0.614, 0.389–0.969).

Each shoe is flagged at most twice, on the run that crosses each mark:
``warn_fraction × limit`` (480 of 800 km) → low, ``limit`` → moderate (only the
moderate flag when one run crosses both).  No history baseline is needed: mileage is
cumulative.  Without any shoe information an ``info`` notice says the rule could not run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..load import shoe_mileage, shoe_rotation
from ..shoes import assignment_of, gear_map_records, records_of, shoe_limit_km
from ..shoes import shoe_limits_km as gear_limits_of
from .flag import Flag, make_flag, register_rule, run_table, setting

__all__ = ["WornShoesSettings", "gear_map_records", "worn_shoes"]

_COOK = "Cook et al. 1985: 480–800 km replacement convention (machine tests)"


@dataclass(frozen=True)
class WornShoesSettings:
    """Settings of the ``worn_shoes`` rule (Cook et al. 1985, practice).

    Attributes
    ----------
    limit_km : float
        Replacement mileage: crossing it gives a moderate flag. [km]
    warn_fraction : float
        Crossing ``warn_fraction × limit`` gives a low flag (480 of 800 km). [1]
    rotation_weeks : int
        Window in which shoes used in parallel are counted (context only). [weeks]
    shoe_limits_km : mapping of str to float
        Per-shoe replacement mileage, overriding ``limit_km`` and a gear file's
        ``limit_km``. [km]
    """

    limit_km: float = setting(800.0, unit="km", source=_COOK)
    warn_fraction: float = setting(0.6, unit="1", source=f"{_COOK}: 480 of 800 km")
    rotation_weeks: int = setting(
        4, unit="weeks", source="Malisoux et al. 2015 (rotation; context only)"
    )
    shoe_limits_km: Mapping[str, float] = setting(
        unit="km", source="the runner's own choice", default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "shoe_limits_km", MappingProxyType(dict(self.shoe_limits_km)))


_D = WornShoesSettings()

REFERENCE = (
    "Cook et al., Am J Sports Med 1985 (480–800 km replacement convention); rotation: "
    "Malisoux et al., Scand J Med Sci Sports 2015;25:110–5"
)
ADVICE = (
    "Check that your shoes still fit without pressing and still cushion; the article names "
    "shoes that are too tight or lack supportive cushioning as a cause of ankle pain. "
    "Replacing them around 480–800 km is a common rule of thumb, and alternating two "
    "pairs may help."
)

GearMapLike = pd.DataFrame | Sequence[Mapping[str, Any]] | Mapping[str, Any] | None


@register_rule(
    "worn_shoes",
    evidence="practice",
    reference=REFERENCE,
    advice=ADVICE,
    settings=WornShoesSettings,
)
def worn_shoes(
    activities: pd.DataFrame,
    *,
    limit_km: float = _D.limit_km,
    warn_fraction: float = _D.warn_fraction,
    rotation_weeks: int = _D.rotation_weeks,
    shoe_limits_km: Mapping[str, float] | None = None,
    gear_map: GearMapLike = None,
) -> list[Flag]:
    """Flag the runs on which a shoe passes its warning and replacement mileage.

    Parameters
    ----------
    activities : DataFrame
        The activities table; the shoe of a run is its ``gear`` value, else the
        ``gear_map`` entry covering its date.
    limit_km : float
        Replacement mileage (moderate flag). [km]
    warn_fraction : float
        Fraction of the limit that gives a low flag. [1]
    rotation_weeks : int
        Window in which shoes used in parallel are counted for the message. [weeks]
    shoe_limits_km : mapping of str to float, optional
        Per-shoe limits overriding ``limit_km`` and the ``limit_km`` of a gear map row. [km]
    gear_map : optional
        See :func:`gear_map_records`; a row's ``limit_km`` is that shoe's limit unless
        ``shoe_limits_km`` names the shoe.

    Returns
    -------
    list of Flag
        Dated on the crossing run; ``metric`` is ``shoe_km``, ``threshold`` the mark.
    """
    records = assignment_of(gear_map)
    gear_limits = gear_limits_of(records_of(gear_map))
    mileage = shoe_mileage(activities, gear_map=records)
    if mileage.empty:
        runs = run_table(activities)
        if runs.empty:
            return []
        last: dt.date = runs["local_date"].max()
        return [
            make_flag(
                "worn_shoes",
                date=last,
                severity="info",
                metric="shoe_km",
                value=float("nan"),
                threshold=limit_km,
                message=(
                    "No shoe is recorded for any run, so shoe mileage could not be checked; "
                    "set the gear of your activities or pass a gear map of shoes and dates."
                ),
            )
        ]
    rotation = shoe_rotation(activities, window_days=7 * rotation_weeks, gear_map=records)
    out: list[Flag] = []
    for shoe, rows in mileage.groupby("gear", sort=False):
        limit = shoe_limit_km(
            str(shoe),
            limit_km=limit_km,
            shoe_limits_km=shoe_limits_km,
            gear_limits_km=gear_limits,
        )
        warn = warn_fraction * limit
        cumulative = rows["cumulative_km"].to_numpy(dtype=float)
        # A shoe whose first run already starts past a mark (initial_km) is flagged there.
        before = np.concatenate([[-np.inf], cumulative[:-1]])
        for severity, mark in (("moderate", limit), ("low", warn)):
            crossing = np.flatnonzero((cumulative >= mark) & (before < mark))
            if not crossing.size:
                continue
            i = int(crossing[0])
            activity_id = rows.index[i]
            if severity == "low" and cumulative[i] >= limit:
                continue  # the same run crossed the limit: the moderate flag says it
            date: dt.date = rows["local_date"].iloc[i]
            pairs = int(rotation.get(activity_id, 1))
            pair_text = "1 pair" if pairs == 1 else f"{pairs} pairs"
            mark_text = (
                f"its replacement mileage of {limit:.0f} km"
                if severity == "moderate"
                else f"{mark:.0f} km, where the usual {mark:.0f}–{limit:.0f} km replacement "
                "range begins"
            )
            message = (
                f"Shoe '{shoe}' reached {cumulative[i]:.0f} km on {date.isoformat()}, passing "
                f"{mark_text} (a convention from machine tests of cushioning, not injury "
                f"data). In the {rotation_weeks} weeks up to that run you used {pair_text} of "
                "shoes; runners who alternated several pairs had a 39 % lower injury hazard "
                "in one study (Malisoux 2015, HR 0.614), shown here as context."
            )
            out.append(
                make_flag(
                    "worn_shoes",
                    date=date,
                    severity=severity,
                    metric="shoe_km",
                    value=float(cumulative[i]),
                    threshold=mark,
                    message=message,
                    activity_ids=(str(activity_id),),
                )
            )
    return sorted(out, key=lambda f: (f.date, f.activity_ids))
