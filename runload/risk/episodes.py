"""One event, one item: flags of several rules about the same runs grouped into episodes.

A long Sunday run can raise a weekly ``distance_jump`` and a ``long_run_spike``
at once; a runner should see one item about that week, not two, and still be
able to read every rule's evidence.  :func:`group_episodes` links two flags
when they fall in the same local week (Monday to Sunday) and share at least
one activity; weekly rules list every run of their week, so a weekly flag and
a flag on one of its runs always join.  Each connected group is one episode,
as severe as its most severe flag.  Notices (severity ``info``) are not
grouped, and flags about the state of equipment rather than about the training
(:data:`STANDALONE_TRIGGERS`: a shoe passing its mileage) stay items of their own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from .flag import SEVERITIES

__all__ = ["EPISODE_FIELDS", "STANDALONE_TRIGGERS", "group_episodes"]

#: Triggers whose flags are never grouped with others.
STANDALONE_TRIGGERS: frozenset[str] = frozenset({"worn_shoes"})

#: Columns of the episodes table.
EPISODE_FIELDS: tuple[str, ...] = (
    "episode",
    "week_start",
    "first_date",
    "last_date",
    "severity",
    "triggers",
    "evidence",
    "headline",
    "activity_ids",
    "flags",
)

_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def group_episodes(
    flags: pd.DataFrame, *, standalone: frozenset[str] = STANDALONE_TRIGGERS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group the flags of one history into episodes.

    Parameters
    ----------
    flags : DataFrame
        A flags table (:func:`runload.risk.flags_frame`); not modified.
    standalone : frozenset of str
        Triggers whose flags are items of their own.

    Returns
    -------
    flags : DataFrame
        A copy with an ``episode`` column (int; -1 for notices).
    episodes : DataFrame
        One row per episode, in date order, columns :data:`EPISODE_FIELDS`:
        ``week_start`` (Monday of the local week), ``first_date`` and ``last_date``
        of its flags, ``severity`` (the highest), ``triggers`` and ``evidence``
        (tuples, most severe flag first), ``headline`` (the most severe flag's
        message), ``activity_ids`` (tuple, every run involved) and ``flags`` (tuple
        of the row positions of its flags in the returned flags table).
    """
    out = flags.reset_index(drop=True).copy()
    trigger: list[str] = [str(t) for t in out["trigger"]]
    date: list[dt.date] = list(out["date"])
    severity: list[str] = [str(v) for v in out["severity"]]
    evidence_of: list[str] = [str(v) for v in out["evidence"]]
    message: list[str] = [str(v) for v in out["message"]]
    ids_of: list[tuple[str, ...]] = [tuple(v or ()) for v in out["activity_ids"]]
    episode = np.full(len(out), -1, dtype="int64")
    proper = [k for k in range(len(out)) if severity[k] != "info"]
    parent = {k: k for k in proper}

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    by_week: dict[dt.date, list[int]] = {}
    for k in proper:
        if trigger[k] not in standalone:
            by_week.setdefault(_monday(date[k]), []).append(k)
    for members in by_week.values():
        owner: dict[str, int] = {}
        for k in members:
            for aid in ids_of[k]:
                if aid in owner:
                    a, b = find(owner[aid]), find(k)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
                else:
                    owner[aid] = k

    groups: dict[int, list[int]] = {}
    for k in proper:
        groups.setdefault(find(k), []).append(k)
    ordered = sorted(groups.values(), key=lambda ks: (min(date[k] for k in ks), ks[0]))
    rows: list[dict[str, Any]] = []
    for number, members in enumerate(ordered):
        by_severity = sorted(members, key=lambda k: (-_RANK[severity[k]], date[k], k))
        top = by_severity[0]
        ids: list[str] = []
        for k in members:
            ids += [aid for aid in ids_of[k] if aid not in ids]
        dates = [date[k] for k in members]
        triggers: list[str] = []
        evidence: list[str] = []
        for k in by_severity:
            if trigger[k] not in triggers:
                triggers.append(trigger[k])
                evidence.append(evidence_of[k])
        rows.append(
            {
                "episode": number,
                "week_start": _monday(min(dates)),
                "first_date": min(dates),
                "last_date": max(dates),
                "severity": severity[top],
                "triggers": tuple(triggers),
                "evidence": tuple(evidence),
                "headline": message[top],
                "activity_ids": tuple(ids),
                "flags": tuple(sorted(members)),
            }
        )
        episode[members] = number
    out["episode"] = episode
    table = pd.DataFrame(rows, columns=list(EPISODE_FIELDS), dtype=object)
    table["episode"] = table["episode"].astype("int64")
    return out, table
