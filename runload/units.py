"""Metric or imperial: how distances, paces, durations and elevations are written.

runload computes and stores everything in SI-based units (``distance_km``,
``ascent_m``, ``moving_time_s``); the tables and the JSON document keep them, with the
unit in each column name.  This module only *writes* numbers for people, in one of
:data:`UNIT_SYSTEMS`:

* distance: ``12.3 km`` or ``7.6 mi``;
* pace: ``5:04 min/km`` or ``8:10 min/mi``;
* elevation: ``656 m`` or ``2152 ft``;
* duration: ``1:02:03`` (h:mm:ss) in both.

A missing or non-finite value is written as :data:`MISSING`.
"""

from __future__ import annotations

import math
from typing import Literal

from .exceptions import InvalidOptionError

__all__ = [
    "FT_PER_M",
    "KM_PER_MI",
    "MISSING",
    "UNIT_SYSTEMS",
    "Units",
    "check_units",
    "distance_unit",
    "distance_value",
    "elevation_unit",
    "elevation_value",
    "format_distance",
    "format_duration",
    "format_elevation",
    "format_pace",
    "pace_s_per_unit",
]

Units = Literal["metric", "imperial"]

#: The unit systems runload writes numbers in.
UNIT_SYSTEMS: tuple[str, ...] = ("metric", "imperial")
#: Kilometres in one international mile (exact by definition). [km/mi]
KM_PER_MI = 1.609344
#: Feet in one metre (1 ft = 0.3048 m exactly). [ft/m]
FT_PER_M = 1.0 / 0.3048
#: What a missing value is written as.
MISSING = "–"


def check_units(units: str) -> Units:
    """Return ``units`` if it names a unit system, else raise.

    Parameters
    ----------
    units : str
        ``"metric"`` or ``"imperial"`` (case and surrounding space ignored).

    Raises
    ------
    InvalidOptionError
        For any other value.
    """
    value = str(units).strip().lower()
    if value == "metric":
        return "metric"
    if value == "imperial":
        return "imperial"
    raise InvalidOptionError(f"units must be one of {UNIT_SYSTEMS}, not {units!r}")


def _number(value: float | None) -> float | None:
    """``value`` as a finite float, or None."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _finite(value: float | None) -> bool:
    return _number(value) is not None


def distance_unit(units: str = "metric") -> str:
    """``"km"`` or ``"mi"``."""
    return "km" if check_units(units) == "metric" else "mi"


def distance_value(km: float, units: str = "metric") -> float:
    """A distance given in kilometres, in the distance unit of ``units``. [km or mi]"""
    return float(km) if check_units(units) == "metric" else float(km) / KM_PER_MI


def elevation_unit(units: str = "metric") -> str:
    """``"m"`` or ``"ft"``."""
    return "m" if check_units(units) == "metric" else "ft"


def elevation_value(m: float, units: str = "metric") -> float:
    """An elevation given in metres, in the elevation unit of ``units``. [m or ft]"""
    return float(m) if check_units(units) == "metric" else float(m) * FT_PER_M


def format_distance(km: float | None, units: str = "metric", *, digits: int = 1) -> str:
    """A distance, e.g. ``"12.3 km"`` or ``"7.6 mi"``.

    Parameters
    ----------
    km : float
        The distance. [km]
    units : {"metric", "imperial"}
    digits : int
        Decimals shown.
    """
    unit = distance_unit(units)
    value = _number(km)
    if value is None:
        return MISSING
    return f"{distance_value(value, units):.{digits}f} {unit}"


def format_elevation(m: float | None, units: str = "metric") -> str:
    """An elevation gain, loss or height, to the metre or foot: ``"656 m"``, ``"2152 ft"``.

    Parameters
    ----------
    m : float
        The elevation. [m]
    units : {"metric", "imperial"}
    """
    unit = elevation_unit(units)
    value = _number(m)
    if value is None:
        return MISSING
    return f"{elevation_value(value, units):.0f} {unit}"


def format_duration(seconds: float | None) -> str:
    """A duration as h:mm:ss, e.g. ``"1:02:03"`` or ``"0:42:10"``, rounded to the second.

    Parameters
    ----------
    seconds : float
        The duration (negative values are written with a leading minus). [s]
    """
    value = _number(seconds)
    if value is None:
        return MISSING
    total = round(value)
    sign = "-" if total < 0 else ""
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


def pace_s_per_unit(distance_km: float, time_s: float, units: str = "metric") -> float:
    """Time per kilometre or per mile; NaN when the distance is not positive. [s/km or s/mi]

    Parameters
    ----------
    distance_km : float
        Distance covered. [km]
    time_s : float
        Time taken (moving time for a running pace). [s]
    units : {"metric", "imperial"}
    """
    distance = distance_value(distance_km, units) if _finite(distance_km) else float("nan")
    if not (_finite(time_s) and distance > 0):
        return float("nan")
    return float(time_s) / distance


def format_pace(distance_km: float, time_s: float, units: str = "metric") -> str:
    """A pace as m:ss per kilometre or mile, e.g. ``"5:04 min/km"`` or ``"8:10 min/mi"``.

    Seconds are rounded, carrying into the minutes (5:59.6 is written 6:00).

    Parameters
    ----------
    distance_km : float
        Distance covered. [km]
    time_s : float
        Time taken. [s]
    units : {"metric", "imperial"}
    """
    per_unit = pace_s_per_unit(distance_km, time_s, units)
    if not _finite(per_unit):
        return MISSING
    minutes, secs = divmod(round(per_unit), 60)
    return f"{minutes}:{secs:02d} min/{distance_unit(units)}"
