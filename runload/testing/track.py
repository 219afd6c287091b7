"""The in-memory activity that the file writers serialise."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..schema import FOOT_SPORTS, empty_samples

__all__ = ["MOTIONS", "Track", "cadence_factor"]

#: What a synthetic activity really was, whatever its file says: a run, a walk or a ride.
MOTIONS: tuple[str, ...] = ("run", "walk", "ride")


@dataclass
class Track:
    """An activity to be written as a FIT, GPX or TCX file.

    Attributes
    ----------
    samples : DataFrame
        Index ``time`` (tz-aware UTC), any of the columns of
        :data:`runload.schema.SAMPLE_COLUMNS`; NaN values are omitted from the
        file.  ``cadence_spm`` is steps per minute (both feet) for a run or a
        walk and crank revolutions per minute for a ride; writers convert to
        what the formats store (see :func:`cadence_factor`).
    sport, sub_sport : str
        FIT-style names (``running``, ``treadmill``, ``trail``...).  ``sport``
        None writes no sport where the format allows it (a GPX file without
        ``<type>``); FIT then says ``generic`` and TCX ``Other``.
    name, notes, device : str or None
        Written where the format has a place for them.
    utc_offset_s : int or None
        Local time minus UTC, written as FIT ``activity.local_timestamp``. [s]
    pauses : list of (Timestamp, Timestamp)
        Intervals with the timer stopped: FIT timer stop/start events, a new
        TCX track and a new GPX segment.
    motion : {"run", "walk", "ride"} or None
        What was really done, when the sport does not say it (``sport`` None);
        it decides how cadence is written.  None: from ``sport``.
    """

    samples: pd.DataFrame = field(default_factory=empty_samples)
    sport: str | None = "running"
    sub_sport: str = "generic"
    name: str | None = None
    notes: str | None = None
    device: str | None = None
    utc_offset_s: int | None = None
    pauses: list[tuple[pd.Timestamp, pd.Timestamp]] = field(default_factory=list)
    motion: str | None = None


def cadence_factor(track: Track) -> float | None:
    """What the ``cadence_spm`` column is multiplied by in a file, or None for no cadence.

    Foot sports (and an unlabelled run or walk) store cadence per foot, half
    the steps per minute: 0.5.  Cycling (and an unlabelled ride) stores crank
    revolutions per minute as they are: 1.0.  Other sports: no cadence.
    """
    if track.sport in FOOT_SPORTS or (track.sport is None and track.motion in ("run", "walk")):
        return 0.5
    if track.sport == "cycling" or (track.sport is None and track.motion == "ride"):
        return 1.0
    if track.sport is None and track.motion is None:
        return 0.5  # an unlabelled activity is taken as a run
    return None
