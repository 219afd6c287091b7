"""The same run recorded twice: find it, keep the richer record.

A run synced from a watch to both Garmin Connect and Strava, or uploaded twice,
appears twice in a combined history.  Exact copies share their content hash
(and so their ``activity_id``) and are caught while reading; this module finds
*near* duplicates: two records of one activity, in different formats or from
different services.

Two activities are the same activity when

* their starts are at most ``max_start_diff_s`` apart (default 300 s: devices
  and services disagree on the start by the auto-start delay, seldom more),
* their distances differ by at most ``max_distance_diff`` of the longer one
  (default 5 %: GPS-derived and foot-pod distances of one run differ by 1-4 %;
  when either distance is unknown, the elapsed times are compared instead), and
* they overlap in time for at least ``min_overlap`` of the shorter one
  (default 50 %), so that two interval repeats of equal length, started a
  few minutes apart, stay two activities.

Within a group of duplicates the richest record is kept: one read from a file
over one known only from an export's summary, then one with GPS, then one
with heart rate, then the one with more samples, then the one with more of
name, notes, gear and device filled in; ties go to the first in path order.
Name, notes and gear the kept record lacks are taken from the dropped ones
(an export's CSV often knows the shoes that the device file does not).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_MAX_DISTANCE_DIFF",
    "DEFAULT_MAX_START_DIFF_S",
    "DEFAULT_MIN_OVERLAP",
    "Duplicate",
    "fill_metadata",
    "find_duplicates",
    "merge_metadata",
    "richness",
]

DEFAULT_MAX_START_DIFF_S = 300.0
DEFAULT_MAX_DISTANCE_DIFF = 0.05
DEFAULT_MIN_OVERLAP = 0.5

_META = ("name", "notes", "gear", "device")
_FILLED_FROM_DROPPED = ("name", "notes", "gear")


@dataclass(frozen=True)
class Duplicate:
    """One dropped record: its id, the id kept instead, and how close they were."""

    dropped: str
    kept: str
    start_diff_s: float
    distance_diff: float

    def describe(self, dropped_path: str, kept_path: str) -> str:
        """A sentence for the errors table."""
        dist = (
            f"distance {100 * self.distance_diff:.1f} % apart"
            if np.isfinite(self.distance_diff)
            else "distance unknown"
        )
        return (
            f"{dropped_path}: same activity as {kept_path} (starts "
            f"{self.start_diff_s:.0f} s apart, {dist}); the richer record was kept [duplicate]"
        )


def richness(
    activities: pd.DataFrame,
    *,
    samples: Mapping[str, int] | None = None,
    heart_rate: Mapping[str, bool] | None = None,
) -> pd.DataFrame:
    """The sort keys that rank duplicate records (higher is richer).

    Parameters
    ----------
    activities : DataFrame
        The activities table (index ``activity_id``).
    samples, heart_rate : mapping, optional
        ``activity_id`` → number of samples, and → whether any sample has a
        heart rate (known to the reader, not part of the table).

    Returns
    -------
    DataFrame
        Columns ``from_file``, ``has_gps``, ``has_heart_rate``, ``samples``,
        ``metadata`` (count of name, notes, gear, device present).
    """
    ids = activities.index
    samples = samples or {}
    heart_rate = heart_rate or {}
    meta = pd.Series(0, index=ids, dtype="int64")
    for col in _META:
        if col in activities:
            meta += (
                activities[col]
                .map(lambda v: isinstance(v, str) and bool(v.strip()))
                .astype("int64")
            )
    fmt = activities["format"] if "format" in activities else pd.Series(None, index=ids)
    return pd.DataFrame(
        {
            "from_file": (fmt != "summary").astype("int64").to_numpy(),
            "has_gps": activities["has_gps"].fillna(False).astype("int64").to_numpy()
            if "has_gps" in activities
            else 0,
            "has_heart_rate": [int(bool(heart_rate.get(a, False))) for a in ids],
            "samples": [int(samples.get(a, 0)) for a in ids],
            "metadata": meta.to_numpy(),
        },
        index=ids,
    )


def _close(a: float, b: float) -> float:
    """Relative difference of two positive values, NaN when either is unknown or zero."""
    if not (np.isfinite(a) and np.isfinite(b)) or a <= 0 or b <= 0:
        return float("nan")
    return abs(a - b) / max(a, b)


def find_duplicates(
    activities: pd.DataFrame,
    *,
    samples: Mapping[str, int] | None = None,
    heart_rate: Mapping[str, bool] | None = None,
    max_start_diff_s: float = DEFAULT_MAX_START_DIFF_S,
    max_distance_diff: float = DEFAULT_MAX_DISTANCE_DIFF,
    min_overlap: float = DEFAULT_MIN_OVERLAP,
) -> list[Duplicate]:
    """The records to drop as duplicates of another (see the module docstring).

    Parameters
    ----------
    activities : DataFrame
        The activities table: index ``activity_id`` (unique), columns
        ``start_time_utc``, ``distance_m``, ``elapsed_time_s``, ``format``,
        ``has_gps``, ``source_path`` and the metadata columns.
    samples, heart_rate : mapping, optional
        See :func:`richness`.
    max_start_diff_s : float
        Largest difference of the starts. [s]
    max_distance_diff : float
        Largest difference of the distances (or, when a distance is unknown,
        of the elapsed times), as a fraction of the larger. [1]
    min_overlap : float
        Smallest time overlap as a fraction of the shorter activity. [1]

    Returns
    -------
    list of Duplicate
        One per dropped record, in start order.  The input is not changed.
    """
    n = len(activities)
    if n < 2:
        return []
    start = pd.to_datetime(activities["start_time_utc"], utc=True)
    t0 = (start - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype="float64")
    dist = pd.to_numeric(activities["distance_m"], errors="coerce").to_numpy(dtype="float64")
    elapsed = pd.to_numeric(activities["elapsed_time_s"], errors="coerce").to_numpy(dtype="float64")
    order = np.argsort(t0, kind="stable")
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for pos, i in enumerate(order):
        for j in order[pos + 1 :]:
            dt_s = t0[j] - t0[i]
            if dt_s > max_start_diff_s:
                break
            diff = _close(dist[i], dist[j])
            if not np.isfinite(diff):
                diff = _close(elapsed[i], elapsed[j])
            if not (np.isfinite(diff) and diff <= max_distance_diff):
                continue
            ei, ej = elapsed[i], elapsed[j]
            if np.isfinite(ei) and np.isfinite(ej) and ei > 0 and ej > 0:
                overlap = min(t0[i] + ei, t0[j] + ej) - max(t0[i], t0[j])
                if overlap < min_overlap * min(ei, ej):
                    continue
            parent[find(int(j))] = find(int(i))

    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    rank = richness(activities, samples=samples, heart_rate=heart_rate).to_numpy(dtype="int64")
    paths = (
        activities["source_path"].astype(str).to_numpy()
        if "source_path" in activities
        else np.array([""] * n)
    )
    ids = activities.index.to_numpy()
    out: list[Duplicate] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        # Richest first; ties: first path.
        keyed = sorted(
            members,
            key=lambda k: (
                *(-int(v) for v in rank[k]),
                paths[k],
                str(ids[k]),
            ),
        )
        keep = keyed[0]
        for k in keyed[1:]:
            diff = _close(dist[keep], dist[k])
            out.append(
                Duplicate(
                    dropped=str(ids[k]),
                    kept=str(ids[keep]),
                    start_diff_s=float(abs(t0[k] - t0[keep])),
                    distance_diff=diff,
                )
            )
    position = {str(a): k for k, a in enumerate(ids)}
    out.sort(key=lambda d: (t0[position[d.dropped]], d.dropped))
    return out


def _has_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def fill_metadata(kept: MutableMapping[str, object], other: Mapping[str, object]) -> None:
    """Fill in, in place, the name, notes and gear that ``kept`` lacks from ``other``.

    The one rule for both kinds of duplicate: exact copies (same content,
    merged while reading) and near duplicates (:func:`merge_metadata`).  A
    value counts as missing when it is not a string with some text in it.
    """
    for col in _FILLED_FROM_DROPPED:
        if col in kept and not _has_text(kept[col]) and _has_text(other.get(col)):
            kept[col] = other[col]


def merge_metadata(activities: pd.DataFrame, duplicates: list[Duplicate]) -> pd.DataFrame:
    """``activities`` without the dropped records, the kept ones filled in from them.

    Name, notes and gear missing from a kept record are taken from the first
    dropped duplicate that has them (:func:`fill_metadata`).  Returns a new frame.
    """
    if not duplicates:
        return activities
    out = activities.copy()
    cols = [c for c in _FILLED_FROM_DROPPED if c in out.columns]
    for dup in duplicates:
        kept: dict[str, object] = {c: out.at[dup.kept, c] for c in cols}
        before = dict(kept)
        fill_metadata(kept, {c: activities.at[dup.dropped, c] for c in cols})
        for col in cols:
            if kept[col] is not before[col]:
                out.at[dup.kept, col] = str(kept[col])
    return out.drop(index=[d.dropped for d in duplicates])
