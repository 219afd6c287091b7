"""Summary rows: export metadata applied to them, rows from exports alone, and the tables.

The activities table is built from plain summary dicts (one per activity, the
fields of :data:`runload.schema.SUMMARY_FIELDS`); this module holds what makes
and changes those rows outside the file readers: :func:`apply_meta` (an
export's name, sport, gear and climbing laid over what a file says),
:func:`summary_only` (an activity known from an export row alone), and the
typed ``activities`` and ``errors`` tables of an
:class:`~runload.io.log.ActivityLog`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..activity import Activity, classify_surface, plausible_totals, time_in_range
from ..exceptions import RunloadError
from ..localtime import local_date, resolve_offset
from ..schema import SUMMARY_DTYPES, SUMMARY_FIELDS, empty_activities

__all__ = [
    "ERROR_COLUMNS",
    "activities_frame",
    "apply_meta",
    "errors_frame",
    "summary_dict",
    "summary_only",
]

#: Columns of ``ActivityLog.errors``.
ERROR_COLUMNS: tuple[str, ...] = ("path", "reason", "message")


def apply_meta(summary: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, Any]:
    """A summary row with an export's metadata applied, and its surface classified again.

    ``meta`` may hold ``sport`` and ``sub_sport`` (the export's activity type:
    the sport always wins; a ``sub_sport`` of None keeps the file's own when
    the sport agrees), and ``name``, ``notes``, ``gear``, ``device`` (used
    when not empty).
    """
    out = dict(summary)
    if not meta:
        return out
    sport = meta.get("sport")
    if sport:
        sub = meta.get("sub_sport")
        if sub is None:
            same = (summary.get("sport") or "").lower() == sport
            sub = summary.get("sub_sport") if same else None
        out["sport"] = sport
        out["sub_sport"] = sub
        out["sport_source"] = "export"
    for key in ("name", "notes", "gear", "device"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            out[key] = value.strip()
    stated = _finite(meta.get("export_ascent_m"))
    if stated is not None and stated >= 0:
        out["export_ascent_m"] = stated
        if out.get("elevation_source") != "barometric":
            # Our stream is GPS altitude (or absent): the service's corrected gain is
            # the better number (see docs/importers.md, "Elevation that can be believed").
            ours_ascent = _finite(out.get("ascent_m"))
            ours_descent = _finite(out.get("descent_m"))
            out["ascent_m"] = stated
            if ours_ascent and ours_descent is not None:
                out["descent_m"] = ours_descent * stated / ours_ascent
            elif ours_descent is None or out.get("elevation_source") == "none":
                out["descent_m"] = float("nan")
            out["elevation_source"] = "service"
            out["ascent_trusted"] = True
    dist = out.get("distance_m")
    has_distance = bool(dist is not None and np.isfinite(dist) and dist > 0)
    if out.get("format") == "summary":
        has_distance = False  # no samples: nothing says treadmill except the type or name
    out["surface"] = classify_surface(
        out.get("sport"),
        out.get("sub_sport"),
        out.get("name"),
        bool(out.get("has_gps")),
        has_distance,
    )
    return out


def _finite(value: Any) -> float | None:
    """``value`` as a finite float, or None."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def summary_only(
    *,
    key: str,
    source_path: str,
    start_time_utc: pd.Timestamp,
    sport: str | None,
    sub_sport: str | None,
    name: str | None = None,
    notes: str | None = None,
    gear: str | None = None,
    distance_m: float = float("nan"),
    elapsed_time_s: float = float("nan"),
    moving_time_s: float = float("nan"),
    ascent_m: float = float("nan"),
    descent_m: float = float("nan"),
    utc_offset_s: int | None = None,
    timezone: str | dt.tzinfo | None = None,
) -> dict[str, Any]:
    """A summary row for an activity known only from an export's metadata (format ``summary``).

    ``key`` (such as ``"strava:123"``) gives the stable ``activity_id``.  The
    local offset is ``utc_offset_s`` when the export gives it (source
    ``file``), else that of ``timezone`` (``argument``), else 0 (``default``:
    the start is taken as UTC).  Totals outside the plausibility bounds
    (:func:`runload.activity.plausible_totals`) become NaN; the export
    readers report them as warnings when they parse the metadata.

    Raises
    ------
    RunloadError
        ``time_out_of_range`` for a start outside 1980-2100.
    """
    start = pd.Timestamp(start_time_utc)
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    start = start.as_unit("ns")
    if not time_in_range(np.array([start.value]))[0]:
        raise RunloadError(
            f"start {start} is outside 1980-2100", path=source_path, reason="time_out_of_range"
        )
    distance_m, elapsed_time_s, moving_time_s, _ = plausible_totals(
        distance_m, elapsed_time_s, moving_time_s
    )
    offset, source = resolve_offset(start, file_offset_s=utc_offset_s, timezone=timezone)
    if not np.isfinite(moving_time_s):
        moving_time_s = elapsed_time_s
    row = {
        "activity_id": hashlib.sha256(key.encode()).hexdigest()[:16],
        "source_path": source_path,
        "format": "summary",
        "sport": sport,
        "sub_sport": sub_sport,
        "sport_source": "export" if sport else "unknown",
        "surface": "unknown",
        "start_time_utc": start,
        "utc_offset_s": offset,
        "utc_offset_source": source,
        "local_date": local_date(start, offset),
        "distance_m": float(distance_m),
        "elapsed_time_s": float(elapsed_time_s),
        "moving_time_s": float(moving_time_s),
        "ascent_m": float(ascent_m),
        "descent_m": float(descent_m),
        "elevation_source": "service" if np.isfinite(ascent_m) else "none",
        "elevation_noise_m": float("nan"),
        "ascent_trusted": True if np.isfinite(ascent_m) else None,
        "export_ascent_m": float(ascent_m),
        "moving_speed_p50_m_s": float("nan"),
        "moving_speed_p90_m_s": float("nan"),
        "has_gps": False,
        "device": None,
        "name": name,
        "notes": notes,
        "gear": gear,
    }
    return apply_meta(row, {"sport": sport, "sub_sport": sub_sport} if sport else {})


def summary_dict(activity: Activity) -> dict[str, Any]:
    """The summary fields of an activity, as a plain dict (a row of the activities table)."""
    return {f: getattr(activity, f) for f in SUMMARY_FIELDS}


def activities_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The activities table from summary rows (typed, sorted by start time)."""
    if not rows:
        return empty_activities()
    frame = pd.DataFrame.from_records(list(rows), columns=list(SUMMARY_FIELDS))
    frame = frame.set_index("activity_id")
    typed = {c: d for c, d in SUMMARY_DTYPES.items() if c in frame.columns and d != "object"}
    frame = frame.astype(typed)
    return frame.sort_values("start_time_utc", kind="stable")


def errors_frame(rows: Sequence[tuple[str, str, str]]) -> pd.DataFrame:
    """The errors table from (path, reason, message) rows.

    The path and the reason have their own columns, so the message keeps only what
    they do not say: a leading ``"<path>: "`` or ``"<path>, "`` and a trailing
    ``" [<reason>]"`` are taken off (``"byte 0: no FIT header"``), and a table
    cut to a narrow width still shows why.
    """
    cleaned = [(p, r, _short_message(str(m), str(p), str(r))) for p, r, m in rows]
    return pd.DataFrame(cleaned, columns=list(ERROR_COLUMNS)).astype("object")


def _short_message(message: str, path: str, reason: str) -> str:
    for sep in (": ", ", "):
        if path and message.startswith(path + sep):
            message = message[len(path) + len(sep) :]
            break
    tail = f" [{reason}]"
    if message.endswith(tail):
        message = message[: -len(tail)]
    return message or reason
