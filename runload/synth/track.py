"""The in-memory activity that the file writers serialise."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..schema import empty_samples

__all__ = ["Track"]


@dataclass
class Track:
    """An activity to be written as a FIT, GPX or TCX file.

    Attributes
    ----------
    samples : DataFrame
        Index ``time`` (tz-aware UTC), any of the columns of
        :data:`runload.schema.SAMPLE_COLUMNS`; NaN values are omitted from the
        file.  ``cadence_spm`` is steps per minute (both feet); writers convert
        to the per-foot cadence the formats store for foot sports.
    sport, sub_sport : str
        FIT-style names (``running``, ``treadmill``, ``trail``...).
    name, notes, device : str or None
        Written where the format has a place for them.
    utc_offset_s : int or None
        Local time minus UTC, written as FIT ``activity.local_timestamp``. [s]
    pauses : list of (Timestamp, Timestamp)
        Intervals with the timer stopped: FIT timer stop/start events, a new
        TCX track and a new GPX segment.
    """

    samples: pd.DataFrame = field(default_factory=empty_samples)
    sport: str = "running"
    sub_sport: str = "generic"
    name: str | None = None
    notes: str | None = None
    device: str | None = None
    utc_offset_s: int | None = None
    pauses: list[tuple[pd.Timestamp, pd.Timestamp]] = field(default_factory=list)
