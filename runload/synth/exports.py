"""Generated Strava and Garmin bulk exports, for tests and the benchmark.

:func:`write_strava_export` writes a Strava export (zip or folder) in either
``activities.csv`` header style; :func:`write_garmin_export` writes a Garmin
Connect data export (outer zip, nested ``UploadedFiles_*.zip`` of FIT files,
``summarizedActivities.json`` and gear file).  Each activity is an
:class:`ExportActivity`: a track, the file format it is exported as, what the
export's metadata says about it, and whether its file is present, empty or
damaged.  :func:`write_benchmark_export` writes a large extracted Strava
export, one file at a time, for ``benchmarks/bench_export.py``.

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
    "write_benchmark_export",
    "write_garmin_export",
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
        from .gpx import gpx_bytes

        data = gpx_bytes(activity.track)
    else:
        from .tcx import tcx_bytes

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


# -- the benchmark export ----------------------------------------------------------------

#: Share of each file kind in :func:`write_benchmark_export`.
BENCHMARK_MIX: Mapping[str, float] = {"fit.gz": 1 / 3, "gpx.gz": 1 / 3, "tcx": 1 / 3}


def _benchmark_file(args: tuple[int, int, str]) -> tuple[int, str, str, str, dict[str, float]]:
    """Write one run of the benchmark export (a worker's job)."""
    from .history import synthetic_track

    i, seed, folder = args
    rng = np.random.default_rng([seed, i])
    minutes = float(rng.uniform(30.0, 90.0))
    pace = float(rng.uniform(270.0, 390.0))
    start = pd.Timestamp("2016-01-04T06:00:00Z") + pd.Timedelta(days=int(i * 2920 / 3000))
    start += pd.Timedelta(minutes=float(rng.integers(0, 14 * 60)))
    surface = "trail" if rng.random() < 0.15 else "road"
    track = synthetic_track(
        start,
        distance_m=1000.0 * minutes * 60.0 / pace,
        pace_s_per_km=pace,
        surface=surface,  # type: ignore[arg-type]
        seed=int(seed * 100_000 + i),
        utc_offset_s=-7 * 3600,
    )
    u = (i * 0.6180339887) % 1.0
    edges = np.cumsum(list(BENCHMARK_MIX.values()))
    kind = list(BENCHMARK_MIX)[int(np.searchsorted(edges, u, side="right"))]
    fmt, _, gz = kind.partition(".")
    act = ExportActivity(track, fmt, bool(gz), "Trail Run" if surface == "trail" else "Run")  # type: ignore[arg-type]
    data = encode_activity(act) or b""
    name = f"activities/{10_000_000 + i}.{kind}"
    (Path(folder) / name).write_bytes(data)
    return i, name, act.activity_type, strava_date(_start(track)), track_totals(track)


def write_benchmark_export(
    folder: str | Path, *, runs: int = 3000, seed: int = 7, jobs: int | None = None
) -> Path:
    """Write an extracted Strava export of ``runs`` runs for the benchmark.

    Runs of 30-90 minutes at 1 Hz (4:30-6:30 min/km, 15 % on trails), one every
    day or so over eight years, as ``.fit.gz``, ``.gpx.gz`` and ``.tcx`` in the
    shares of :data:`BENCHMARK_MIX`, with a current-style ``activities.csv``.
    Files are written as they are made, so memory stays flat; ``jobs``
    processes share the work.
    """
    folder = Path(folder)
    (folder / "activities").mkdir(parents=True, exist_ok=True)
    args = [(i, seed, str(folder)) for i in range(runs)]
    results: Iterable[tuple[int, str, str, str, dict[str, float]]]
    if jobs == 1:
        results = map(_benchmark_file, args)
    else:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=jobs)
        results = pool.map(_benchmark_file, args, chunksize=8)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CURRENT_HEADER)
    try:
        for i, name, kind, date, tot in sorted(results, key=lambda r: r[0]):
            row = [""] * len(CURRENT_HEADER)
            row[0] = str(10_000_000 + i)
            row[1] = date
            row[2] = f"Run {i}"
            row[3] = kind
            row[5] = f"{tot['elapsed_time_s']:.0f}"
            row[6] = f"{tot['distance_m'] / 1000:.2f}"
            row[11] = ("Shoe A", "Shoe B", "Shoe C")[(i // 400) % 3]
            row[12] = name
            row[15] = f"{tot['elapsed_time_s']:.1f}"
            row[16] = f"{tot['moving_time_s']:.1f}"
            row[17] = f"{tot['distance_m']:.1f}"
            writer.writerow(row)
    finally:
        if jobs != 1:
            pool.shutdown()
    (folder / "activities.csv").write_text(out.getvalue())
    return folder
