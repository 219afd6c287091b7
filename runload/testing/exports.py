"""Generated Strava and Garmin bulk exports.

:func:`write_strava_export` writes a Strava export (zip or folder) in either
``activities.csv`` header style; :func:`write_garmin_export` writes a Garmin
Connect data export (outer zip, nested ``UploadedFiles_*.zip`` of FIT files,
``summarizedActivities.json`` and gear file).  Each activity is an
:class:`ExportActivity`: a track, the file format it is exported as, what the
export's metadata says about it, and whether its file is present, empty or
damaged.  :func:`write_history_export` writes a whole generated history
(:mod:`runload.testing.history`) as an extracted Strava export, with each run's
shoe in ``activities.csv``.

The values written into the metadata (distance, times, types, gear) are known
to the caller, so tests compare what runload reads against them.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .fit import fit_bytes
from .gpx import gpx_bytes
from .history import HistoryItem, HistoryPlan, generate_history, pick_format
from .tcx import tcx_bytes
from .track import Track

__all__ = [
    "CURRENT_HEADER",
    "OLD_HEADER",
    "SHOES_HEADER",
    "ExportActivity",
    "encode_activity",
    "garmin_type",
    "strava_date",
    "track_totals",
    "write_garmin_export",
    "write_history_export",
    "write_strava_export",
]

Format = Literal["fit", "gpx", "tcx"]
FileState = Literal["ok", "missing", "empty", "none", "truncated", "garbage"]

#: The current Strava header (first 35 columns): note the repeated names.
CURRENT_HEADER: tuple[str, ...] = (
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
    "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
    "Elapsed Time", "Moving Time", "Distance", "Max Speed", "Average Speed", "Elevation Gain",
    "Elevation Loss", "Elevation Low", "Elevation High", "Max Grade", "Average Grade",
    "Average Positive Grade", "Average Negative Grade", "Max Cadence", "Average Cadence",
    "Max Heart Rate", "Average Heart Rate", "Max Watts", "Average Watts", "Calories",
)  # fmt: skip
#: The header of a Strava export's ``shoes.csv``.
SHOES_HEADER: tuple[str, ...] = (
    "Shoe Name",
    "Shoe Brand",
    "Shoe Model",
    "Shoe Default Sport Types",
)
#: The old Strava header.
OLD_HEADER: tuple[str, ...] = (
    "id", "date", "name", "type", "description", "elapsed_time", "distance", "commute", "gear",
    "filename",
)  # fmt: skip

_GARMIN_TYPES = {
    "Run": "running",
    "Trail Run": "trail_running",
    "Virtual Run": "treadmill_running",
    "Walk": "walking",
    "Hike": "hiking",
    "Ride": "cycling",
    "Swim": "lap_swimming",
}
_MILE_M = 1609.344


@dataclass(frozen=True)
class ExportActivity:
    """One activity of a generated export.

    Attributes
    ----------
    track : Track
        What the file holds.
    format : {"fit", "gpx", "tcx"}
        File format.
    gzip : bool
        Whether the file is gzipped (``.fit.gz``).
    activity_type : str
        The Strava type (``Run``, ``Trail Run``, ``Walk``, ``Ride``...); a
        Garmin export uses :func:`garmin_type` of it.
    name, description, gear : str, optional
        What the export's metadata says (the name defaults to the track's).
    file : {"ok", "missing", "empty", "none", "truncated", "garbage"}
        ``missing``: named in the metadata, absent; ``none``: no file named
        (a manual activity); ``empty``: zero bytes; ``truncated``: the first
        40 % of the bytes; ``garbage``: random bytes.
    export_id : int, optional
        The service's activity id (default: from the position in the export).
    """

    track: Track
    format: Format = "fit"
    gzip: bool = False
    activity_type: str = "Run"
    name: str | None = None
    description: str | None = None
    gear: str | None = None
    file: FileState = "ok"
    export_id: int | None = None

    @property
    def suffix(self) -> str:
        """File suffix, ``.fit`` or ``.fit.gz``."""
        return f".{self.format}" + (".gz" if self.gzip else "")


def garmin_type(strava_type: str) -> str:
    """The Garmin type key written for a Strava type (Run → running...)."""
    return _GARMIN_TYPES.get(strava_type, strava_type.lower().replace(" ", "_"))


def track_totals(track: Track) -> dict[str, float]:
    """Distance [m], elapsed and moving time [s], ascent and descent [m] of a track.

    From the track's truth when it has one (a synthetic track), else from its
    samples: the last ``distance_m`` and the first-to-last time.
    """
    truth = getattr(track, "truth", None)
    if truth is not None:
        return {
            "distance_m": float(truth.distance_m),
            "elapsed_time_s": float(truth.elapsed_time_s),
            "moving_time_s": float(truth.moving_time_s),
            "ascent_m": float(truth.ascent_m),
            "descent_m": float(truth.descent_m),
        }
    idx = track.samples.index
    elapsed = float((idx[-1] - idx[0]).total_seconds()) if len(idx) else float("nan")
    dist = track.samples["distance_m"] if "distance_m" in track.samples else pd.Series(dtype=float)
    return {
        "distance_m": float(np.nanmax(dist)) if dist.notna().any() else float("nan"),
        "elapsed_time_s": elapsed,
        "moving_time_s": elapsed,
        "ascent_m": float("nan"),
        "descent_m": float("nan"),
    }


def encode_activity(activity: ExportActivity, *, seed: int = 0) -> bytes | None:
    """The file bytes of an activity as its ``file`` state says (None when absent)."""
    if activity.file in ("missing", "none"):
        return None
    if activity.file == "empty":
        return b""
    if activity.file == "garbage":
        return np.random.default_rng(seed).bytes(2048)
    if activity.format == "fit":
        data = fit_bytes(activity.track)
    elif activity.format == "gpx":
        data = gpx_bytes(activity.track)
    else:
        data = tcx_bytes(activity.track)
    if activity.file == "truncated":
        data = data[: int(len(data) * 0.4)]
    if activity.gzip:
        data = gzip.compress(data, compresslevel=6, mtime=0)
    return data


def strava_date(when: pd.Timestamp) -> str:
    """A UTC time as the current Strava CSV writes it: ``Mar 3, 2025, 7:00:00 AM``."""
    ts = pd.Timestamp(when).tz_convert("UTC")
    hour12 = ts.hour % 12 or 12
    ampm = "AM" if ts.hour < 12 else "PM"
    return (
        f"{ts.strftime('%b')} {ts.day}, {ts.year}, {hour12}:{ts.minute:02d}:{ts.second:02d} {ampm}"
    )


def _start(track: Track) -> pd.Timestamp:
    return pd.Timestamp(track.samples.index[0]).tz_convert("UTC")


def _csv_text(
    rows: Sequence[tuple[ExportActivity, int, str | None]],
    *,
    style: Literal["current", "old"],
    distance_unit: Literal["km", "mi"],
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if style == "old":
        writer.writerow(OLD_HEADER)
    else:
        writer.writerow(CURRENT_HEADER)
    for act, export_id, filename in rows:
        tot = track_totals(act.track)
        name = act.name if act.name is not None else (act.track.name or "")
        start = _start(act.track)
        if style == "old":
            writer.writerow(
                [
                    export_id,
                    start.strftime("%Y-%m-%d %H:%M:%S"),
                    name,
                    act.activity_type,
                    act.description or "",
                    f"{tot['elapsed_time_s']:.0f}",
                    f"{tot['distance_m']:.1f}",
                    "false",
                    act.gear or "",
                    filename or "",
                ]
            )
            continue
        unit = 1000.0 if distance_unit == "km" else _MILE_M
        row = [""] * len(CURRENT_HEADER)
        row[0] = str(export_id)
        row[1] = strava_date(start)
        row[2] = name
        row[3] = act.activity_type
        row[4] = act.description or ""
        row[5] = f"{tot['elapsed_time_s']:.0f}"
        row[6] = f"{tot['distance_m'] / unit:.2f}"
        row[9] = "false"
        row[11] = act.gear or ""
        row[12] = filename or ""
        row[15] = f"{tot['elapsed_time_s']:.1f}"
        row[16] = f"{tot['moving_time_s']:.1f}"
        row[17] = f"{tot['distance_m']:.1f}"
        if np.isfinite(tot["ascent_m"]):
            row[20] = f"{tot['ascent_m']:.1f}"
            row[21] = f"{tot['descent_m']:.1f}"
        writer.writerow(row)
    return out.getvalue()


def _shoes_csv(shoes: Sequence[Mapping[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SHOES_HEADER)
    for shoe in shoes:
        writer.writerow(
            [
                shoe.get("name", ""),
                shoe.get("brand", ""),
                shoe.get("model", ""),
                shoe.get("sport_types", "Run"),
            ]
        )
    return out.getvalue()


def write_strava_export(
    dest: str | Path,
    activities: Sequence[ExportActivity],
    *,
    style: Literal["current", "old"] = "current",
    archive: bool = True,
    distance_unit: Literal["km", "mi"] = "km",
    first_id: int = 1_000_000,
    extra_members: Mapping[str, bytes] | None = None,
    shoes: Sequence[Mapping[str, str]] | None = None,
) -> Path:
    """Write a Strava bulk export.

    Parameters
    ----------
    dest : path
        The zip file to write (``archive=True``) or the folder to fill.
    activities : sequence of ExportActivity
    style : {"current", "old"}
        ``activities.csv`` header style.
    archive : bool
        A zip as downloaded, or an extracted folder.
    distance_unit : {"km", "mi"}
        The display unit of the current style's first ``Distance`` column.
    first_id : int
        Strava id of the first activity without an ``export_id``.
    extra_members : mapping, optional
        More members (name → bytes) written as they are (hostile names included).
    shoes : sequence of mappings, optional
        The athlete's shoes, written as ``shoes.csv`` (:data:`SHOES_HEADER`): each with
        ``name`` (the nickname, "" for none), ``brand``, ``model`` and optionally
        ``sport_types``.  None writes no ``shoes.csv``.

    Returns
    -------
    Path
        ``dest``.
    """
    dest = Path(dest)
    files: list[tuple[str, bytes]] = []
    rows: list[tuple[ExportActivity, int, str | None]] = []
    for i, act in enumerate(activities):
        export_id = act.export_id if act.export_id is not None else first_id + i
        filename = None if act.file == "none" else f"activities/{export_id}{act.suffix}"
        rows.append((act, export_id, filename))
        data = encode_activity(act, seed=export_id)
        if data is not None and filename is not None:
            files.append((filename, data))
    text = _csv_text(rows, style=style, distance_unit=distance_unit)
    members = [("activities.csv", text.encode()), *files, *(extra_members or {}).items()]
    if shoes is not None:
        members.append(("shoes.csv", _shoes_csv(shoes).encode()))
    if archive:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(name, data)
    else:
        for name, data in members:
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return dest


def write_garmin_export(
    dest: str | Path,
    activities: Sequence[ExportActivity],
    *,
    email: str = "runner@example.com",
    archive: bool = True,
    first_id: int = 9_000_000_000,
    gear_type: str = "Shoes",
    extra_uploads: Mapping[str, bytes] | None = None,
    extra_members: Mapping[str, bytes] | None = None,
    gear_details: Mapping[str, Mapping[str, object]] | None = None,
) -> Path:
    """Write a Garmin Connect data export.

    Files of activities in FIT format go in
    ``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip`` named
    ``<email>_<upload id>.fit`` (the upload id differs from the activity id,
    as in real exports); the summaries in
    ``DI_CONNECT/DI-Connect-Fitness/<email>_0_summarizedActivities.json``, the
    gear and its links in ``<email>_gear.json``.

    Parameters
    ----------
    dest : path
        The zip file to write (``archive=True``) or the folder to fill (the
        nested zip stays a zip, as after unzipping the download).
    activities : sequence of ExportActivity
        ``activity_type`` is a Strava type, mapped by :func:`garmin_type`;
        ``gzip`` is ignored (uploads are stored as they came).
    email : str
        The account e-mail put into file names.
    extra_uploads : mapping, optional
        More members of the nested uploads zip.
    extra_members : mapping, optional
        More members of the outer zip.
    gear_details : mapping, optional
        Gear name → more fields of its entry in the gear file (``gearTypeName``,
        ``gearMakeName``, ``gearModelName``, ``gearStatusName``, ``dateBegin``,
        ``maximumMeters``...), overriding the defaults; a name no activity uses is
        listed too (gear that was never linked).
    """
    dest = Path(dest)
    summaries = []
    gear_pks: dict[str, int] = {}
    gear_links: dict[str, list[dict[str, int]]] = {}
    uploads: list[tuple[str, bytes]] = []
    for i, act in enumerate(activities):
        export_id = act.export_id if act.export_id is not None else first_id + i
        tot = track_totals(act.track)
        start = _start(act.track)
        start_ms = int(start.value // 1_000_000)
        offset = act.track.utc_offset_s or 0
        summaries.append(
            {
                "activityId": export_id,
                "name": act.name if act.name is not None else act.track.name,
                "description": act.description,
                "activityType": garmin_type(act.activity_type),
                "sportType": garmin_type(act.activity_type).upper(),
                "beginTimestamp": start_ms,
                "startTimeGmt": start_ms,
                "startTimeLocal": start_ms + 1000 * offset,
                "duration": 1000.0 * tot["elapsed_time_s"],
                "elapsedDuration": 1000.0 * tot["elapsed_time_s"],
                "movingDuration": 1000.0 * tot["moving_time_s"],
                "distance": 100.0 * tot["distance_m"],
                "elevationGain": None
                if not np.isfinite(tot["ascent_m"])
                else 100 * tot["ascent_m"],
                "elevationLoss": None
                if not np.isfinite(tot["descent_m"])
                else 100 * tot["descent_m"],
            }
        )
        if act.gear:
            pk = gear_pks.setdefault(act.gear, 500 + len(gear_pks))
            gear_links.setdefault(str(pk), []).append({"activityId": export_id, "gearPk": pk})
        data = encode_activity(
            ExportActivity(act.track, act.format, False, act.activity_type, file=act.file),
            seed=export_id,
        )
        if data is not None:
            upload_id = 70_000_000 + 7 * i
            uploads.append((f"{email}_{upload_id}.{act.format}", data))
    uploads += list((extra_uploads or {}).items())
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in uploads:
            zf.writestr(name, data)
    for name in gear_details or {}:
        gear_pks.setdefault(name, 500 + len(gear_pks))
    gear_doc = [
        {
            "gearDTOS": [
                {
                    "gearPk": pk,
                    "customMakeModel": name,
                    "displayName": name,
                    "gearTypeName": gear_type,
                    "gearStatusName": "active",
                    **dict((gear_details or {}).get(name, {})),
                }
                for name, pk in gear_pks.items()
            ],
            "gearActivityDTOs": gear_links,
        }
    ]
    fitness = "DI_CONNECT/DI-Connect-Fitness"
    members: list[tuple[str, bytes]] = [
        (
            f"{fitness}/{email}_0_summarizedActivities.json",
            json.dumps([{"summarizedActivitiesExport": summaries}]).encode(),
        ),
        (f"{fitness}/{email}_gear.json", json.dumps(gear_doc).encode()),
        ("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue()),
        ("DI_CONNECT/DI-Connect-User/user_profile.json", json.dumps({"email": email}).encode()),
        *(extra_members or {}).items(),
    ]
    if archive:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(name, data)
    else:
        for name, data in members:
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return dest


def write_history_export(
    plan_or_items: HistoryPlan | Iterable[HistoryItem],
    folder: str | Path,
    *,
    formats: Sequence[str] = ("fit", "gpx", "tcx"),
    gzip_every: int = 2,
    first_id: int = 10_000_000,
) -> Path:
    """Write a generated history as an extracted Strava bulk export.

    ``activities.csv`` (current header style) names each run, its type (a treadmill run
    is a ``Virtual Run``, a trail run a ``Trail Run``, else ``Run``), its description and
    its shoe (the ``gear`` of the plan: the activity formats have no place for it);
    ``activities/`` holds the files.

    Parameters
    ----------
    plan_or_items : HistoryPlan or iterable of HistoryItem
        A plan is generated first with :func:`~runload.testing.history.generate_history`.
    folder : str or Path
        The export's folder, created when missing.
    formats : sequence of str
        Formats allowed; a run whose format is not among them gets one in rotation
        (never GPX for a run without positions), as in
        :func:`~runload.testing.history.write_history`.
    gzip_every : int
        Gzip every n-th file (the n-th, 2n-th...).
    first_id : int
        Strava activity id of the first run; the others follow in start order.

    Returns
    -------
    Path
        ``folder``.
    """
    items = (
        generate_history(plan_or_items)
        if isinstance(plan_or_items, HistoryPlan)
        else list(plan_or_items)
    )
    formats = tuple(formats)
    if not formats:
        raise ValueError("formats is empty")
    activities = []
    for i, item in enumerate(items):
        track = item.track
        has_gps = bool(np.isfinite(np.asarray(track.samples.get("latitude_deg", []))).any())
        kind = {"treadmill": "Virtual Run", "trail": "Trail Run"}.get(track.sub_sport, "Run")
        activities.append(
            ExportActivity(
                track=track,
                format=pick_format(item.format, i, formats, has_gps),  # type: ignore[arg-type]
                gzip=i % gzip_every == gzip_every - 1,
                activity_type=kind,
                name=track.name,
                description=track.notes,
                gear=item.gear,
                export_id=first_id + i,
            )
        )
    return write_strava_export(folder, activities, style="current", archive=False)
