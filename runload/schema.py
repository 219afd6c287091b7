"""Column names, dtypes and units of runload's two tables, in one place.

*samples*: one frame per activity, index ``time`` (tz-aware UTC, strictly
increasing), the columns of :data:`SAMPLE_COLUMNS` always present in this order,
NaN where the file lacks them.

*activities*: one row per activity, indexed by ``activity_id``, the columns of
:data:`SUMMARY_FIELDS` (without ``activity_id``) in this order.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from .sports import FOOT_SPORTS as _FOOT_SPORTS

__all__ = [
    "ELEVATION_SOURCES",
    "FOOT_SPORTS",
    "SAMPLE_COLUMNS",
    "SAMPLE_UNITS",
    "SPORT_SOURCES",
    "SUMMARY_DTYPES",
    "SUMMARY_FIELDS",
    "SUMMARY_UNITS",
    "SURFACES",
    "empty_activities",
    "empty_samples",
]

#: Columns of a samples frame, in order, with their units.
SAMPLE_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "latitude_deg": "degrees north, WGS84",
        "longitude_deg": "degrees east, WGS84",
        "elevation_m": "m above sea level",
        "distance_m": "m, cumulative from the start",
        "speed_m_s": "m/s",
        "heart_rate_bpm": "beats per minute",
        "cadence_spm": "steps per minute, both feet (foot sports only)",
        "power_w": "W",
    }
)
SAMPLE_COLUMNS: tuple[str, ...] = tuple(SAMPLE_UNITS)

#: Summary fields of an activity (one row of the activities table), in order,
#: with their pandas dtypes.
SUMMARY_DTYPES: Mapping[str, str] = MappingProxyType(
    {
        "activity_id": "object",
        "source_path": "object",
        "format": "object",
        "sport": "object",
        "sub_sport": "object",
        "sport_source": "object",
        "surface": "object",
        "start_time_utc": "datetime64[ns, UTC]",
        "utc_offset_s": "Int64",
        "utc_offset_source": "object",
        "local_date": "object",
        "distance_m": "float64",
        "elapsed_time_s": "float64",
        "moving_time_s": "float64",
        "ascent_m": "float64",
        "descent_m": "float64",
        "elevation_source": "object",
        "elevation_noise_m": "float64",
        "ascent_trusted": "boolean",
        "export_ascent_m": "float64",
        "moving_speed_p50_m_s": "float64",
        "moving_speed_p90_m_s": "float64",
        "has_gps": "bool",
        "device": "object",
        "name": "object",
        "notes": "object",
        "gear": "object",
    }
)
SUMMARY_FIELDS: tuple[str, ...] = tuple(SUMMARY_DTYPES)

SUMMARY_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "sport": "canonical sport name (runload.sports), None when it cannot be told",
        "sport_source": ("where the sport came from: file, export, inferred, user or unknown"),
        "start_time_utc": "UTC timestamp of the first sample",
        "utc_offset_s": "s, local time minus UTC at the start",
        "utc_offset_source": (
            "where the offset came from: file, argument, position, neighbour or default (UTC)"
        ),
        "local_date": "calendar date at the start, in local time (datetime.date)",
        "distance_m": "m",
        "elapsed_time_s": "s, first to last sample",
        "moving_time_s": "s, elapsed minus pauses",
        "ascent_m": "m, smoothed elevation gain",
        "descent_m": "m, smoothed elevation loss (positive number)",
        "elevation_source": (
            "where the elevation comes from: barometric, gps, service (the export's own gain) "
            "or none (see ELEVATION_SOURCES)"
        ),
        "elevation_noise_m": "m, robust scale of the elevation stream's sample-to-sample noise",
        "ascent_trusted": "whether ascent_m and descent_m can be believed (NA: not judged)",
        "export_ascent_m": "m, the elevation gain an export states for the activity",
        "moving_speed_p50_m_s": "m/s, median speed while moving",
        "moving_speed_p90_m_s": "m/s, 90th percentile of speed while moving",
    }
)

#: Values of the ``sport_source`` field.
SPORT_SOURCES: tuple[str, ...] = ("file", "export", "inferred", "user", "unknown")

#: Values of the ``elevation_source`` field.
ELEVATION_SOURCES: tuple[str, ...] = ("barometric", "gps", "service", "none")

#: Values of the ``surface`` field.
SURFACES: tuple[str, ...] = ("road", "trail", "track", "treadmill", "unknown")

#: Sports whose cadence is counted in steps (running, walking, hiking); defined in
#: :mod:`runload.sports`, the one home of the sport vocabulary.
FOOT_SPORTS: frozenset[str] = _FOOT_SPORTS


def empty_samples() -> pd.DataFrame:
    """Return an empty samples frame with the right index and columns."""
    index = pd.DatetimeIndex([], tz="UTC", name="time")
    return pd.DataFrame({c: np.array([], dtype="float64") for c in SAMPLE_COLUMNS}, index=index)


def empty_activities() -> pd.DataFrame:
    """Return an empty activities table (indexed by ``activity_id``)."""
    cols = {
        name: pd.Series([], dtype=dtype)
        for name, dtype in SUMMARY_DTYPES.items()
        if name != "activity_id"
    }
    frame = pd.DataFrame(cols)
    frame.index = pd.Index([], dtype="object", name="activity_id")
    return frame
