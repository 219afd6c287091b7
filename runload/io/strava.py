"""Strava bulk exports: the zip as downloaded, or its extracted folder.

An export holds ``activities.csv`` (one row per activity) and the files under
``activities/`` (``.gpx``, ``.tcx``, ``.fit``, each possibly ``.gz``).  The CSV
row gives what the file may not: the name, the type, the description (read as
``notes``) and the gear (the shoes); the file gives the samples, the times and
the position.  The local date therefore comes from the file (its own offset,
else its first position), never from the CSV's date.

Both header styles seen in the wild are read:

* the old one, ``id,date,name,type,description,elapsed_time,distance,commute,
  gear,filename``, with ISO dates (``2018-11-27 19:11:32``) and distances in
  metres;
* the current one (``Activity ID,Activity Date,Activity Name,Activity Type,
  ...``), in which ``Elapsed Time`` and ``Distance`` appear twice: first in
  the athlete's display unit (the distance in km or miles), then in raw units
  (seconds, metres).  Columns are found by name, and a repeated name by its
  position: the *second* ``Distance`` is taken, in metres.  A current-style
  header with a single ``Distance`` is read as kilometres.  Dates look like
  ``Mar 3, 2025, 7:00:00 AM``.

Strava writes the CSV's dates in UTC.  A row whose file is missing, empty or
unreadable still gives an activity, known from the CSV alone (format
``summary``: distance, times, type, gear; no samples), with its start taken as
UTC unless ``timezone=`` says otherwise; its ``activity_id`` is derived from
the Strava id (the first 16 hex digits of SHA-256 of ``"strava:<id>"``), so it is
stable across reads.  The row also gets an entry in the errors table
(``no_file``, ``missing_file`` or the file's own reason).

The activity type sets ``sport`` and ``sub_sport`` (:data:`STRAVA_TYPES`):
Run → running, Trail Run → running/trail, Virtual Run → running/
virtual_activity (surface treadmill), Walk → walking, Hike → hiking, Ride →
cycling, and so on.  Which sports count as running is decided later, by
:func:`runload.load.is_running`.

A file name from the CSV is never used as a filesystem path outside the export:
in a folder, a name that leads outside it is refused (``unsafe_path``); in a
zip, names are only looked up among the members.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..activity import plausible_totals, time_in_range
from ..exceptions import ArchiveError, RunloadError
from ..sports import STRAVA_TYPES, strava_sport
from .archive import SafeZip, normalise_member_name
from .files import check_regular_file, read_regular_file, walk_folder
from .limits import DEFAULT_LIMITS, ArchiveLimits
from .plan import ExportSpec, Item, Plan, is_activity_name, register_export
from .rows import summary_only

__all__ = [
    "STRAVA_TYPES",
    "StravaRow",
    "is_strava_dir",
    "is_strava_zip",
    "parse_activities_csv",
    "parse_strava_date",
    "strava_sport",
]

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_EN_DATE = re.compile(
    r"^\s*([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{1,2}),\s*(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*([AaPp])\.?[Mm]\.?\s*$"
)


def parse_strava_date(text: str | None) -> pd.Timestamp | None:
    """A CSV date (either style) as a UTC timestamp.

    None when it cannot be read, or is outside 1980-2100 (``0001-01-01`` and
    ``9999-12-31`` stand for "unset": they are refused, never wrapped).
    """
    try:
        when = _parse_strava_date(text)
        if when is None or not 1979 <= when.year <= 2101:
            return None
        when = when.as_unit("ns")
    except (ValueError, TypeError, OverflowError):
        return None
    return when if time_in_range(np.array([when.value]))[0] else None


def _parse_strava_date(text: str | None) -> pd.Timestamp | None:
    if not text or not text.strip():
        return None
    clean = text.replace("\u202f", " ").replace("\xa0", " ").strip()
    m = _EN_DATE.match(clean)
    if m:
        month = _MONTHS.get(m.group(1).lower())
        if month is None:
            return None
        hour = int(m.group(4)) % 12 + (12 if m.group(7).lower() == "p" else 0)
        try:
            when = dt.datetime(
                int(m.group(3)),
                month,
                int(m.group(2)),
                hour,
                int(m.group(5)),
                int(m.group(6) or 0),
            )
        except ValueError:
            return None
        return pd.Timestamp(when, tz="UTC")
    try:
        ts = pd.Timestamp(clean)
    except (ValueError, TypeError):
        return None
    if ts is pd.NaT:
        return None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _number(text: str | None) -> float:
    if text is None:
        return math.nan
    try:
        value = float(text.strip())
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


@dataclass(frozen=True)
class StravaRow:
    """One row of ``activities.csv``, in runload's units.

    Attributes
    ----------
    line : int
        Line of the row in the CSV (the header is line 1).
    strava_id : str
    start_time_utc : Timestamp or None
        The CSV's date, read as UTC.
    name, activity_type, description, gear, filename : str or None
    elapsed_time_s, moving_time_s : float
        [s]
    distance_m, ascent_m, descent_m : float
        [m]
    problems : tuple of str
        What was wrong with the row and left out (an unreadable date, a
        distance outside the plausibility bounds); the rest of the row is used.
    """

    line: int
    strava_id: str
    start_time_utc: pd.Timestamp | None
    name: str | None
    activity_type: str | None
    description: str | None
    gear: str | None
    filename: str | None
    elapsed_time_s: float
    moving_time_s: float
    distance_m: float
    ascent_m: float
    descent_m: float
    problems: tuple[str, ...] = ()

    def meta(self) -> dict[str, Any]:
        """The summary fields this row overrides in the file's summary."""
        sport, sub = strava_sport(self.activity_type)
        return {
            "sport": sport,
            "sub_sport": sub,
            "name": self.name,
            "notes": self.description,
            "gear": self.gear,
            "export_ascent_m": self.ascent_m,
        }

    def summary(
        self, source_path: str, *, timezone: str | dt.tzinfo | None = None
    ) -> dict[str, Any] | None:
        """The summary-only row for this activity (None without a readable date)."""
        if self.start_time_utc is None:
            return None
        sport, sub = strava_sport(self.activity_type)
        return summary_only(
            key=f"strava:{self.strava_id}",
            source_path=source_path,
            start_time_utc=self.start_time_utc,
            sport=sport,
            sub_sport=sub,
            name=self.name,
            notes=self.description,
            gear=self.gear,
            distance_m=self.distance_m,
            elapsed_time_s=self.elapsed_time_s,
            moving_time_s=self.moving_time_s,
            ascent_m=self.ascent_m,
            descent_m=self.descent_m,
            timezone=timezone,
        )


_OLD_COLUMNS = ("id", "date", "name", "type", "description", "elapsed_time", "distance")


def _columns(header: Sequence[str]) -> dict[str, list[int]]:
    pos: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        pos.setdefault(name.strip().lower().lstrip("\ufeff"), []).append(i)
    return pos


def parse_activities_csv(data: bytes, *, path: str = "activities.csv") -> list[StravaRow]:
    """The rows of a Strava ``activities.csv`` (either header style).

    Raises
    ------
    ArchiveError
        ``unknown_csv_header`` when the header is neither style (for example a
        translated export), ``bad_csv`` when the text cannot be parsed.
    """
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ArchiveError("activities.csv is empty", path=path, reason="bad_csv") from None
    except csv.Error as exc:
        raise ArchiveError(f"cannot parse: {exc}", path=path, reason="bad_csv") from exc
    pos = _columns(header)

    def first(*names: str) -> int | None:
        for n in names:
            if n in pos:
                return pos[n][0]
        return None

    if "activity id" in pos and "filename" in pos:
        i_id = first("activity id")
        i_date = first("activity date")
        i_name = first("activity name")
        i_type = first("activity type")
        i_desc = first("activity description")
        i_gear = first("activity gear")
        i_file = first("filename")
        elapsed = pos.get("elapsed time", [])
        i_elapsed = elapsed[-1] if elapsed else None
        i_moving = first("moving time")
        dist = pos.get("distance", [])
        i_dist, dist_scale = (
            (dist[1], 1.0) if len(dist) >= 2 else ((dist[0], 1000.0) if dist else (None, 1.0))
        )
        i_gain = first("elevation gain")
        i_loss = first("elevation loss")
    elif all(c in pos for c in _OLD_COLUMNS) and "filename" in pos:
        i_id, i_date, i_name, i_type = first("id"), first("date"), first("name"), first("type")
        i_desc, i_gear, i_file = first("description"), first("gear"), first("filename")
        i_elapsed, i_moving = first("elapsed_time"), first("moving_time")
        i_dist, dist_scale = first("distance"), 1.0
        i_gain, i_loss = first("elevation_gain"), None
    else:
        raise ArchiveError(
            "activities.csv header is neither Strava style (old or current English); "
            "its rows' names, types and gear are not used",
            path=path,
            reason="unknown_csv_header",
        )

    def get(row: Sequence[str], i: int | None) -> str | None:
        if i is None or i >= len(row):
            return None
        value = row[i].strip()
        return value or None

    rows: list[StravaRow] = []
    try:
        for row in reader:
            if not row or not any(cell.strip() for cell in row):
                continue
            strava_id = get(row, i_id)
            if strava_id is None:
                continue
            date_text = get(row, i_date)
            start = parse_strava_date(date_text)
            problems: list[str] = []
            if start is None and date_text is not None:
                problems.append(
                    f"date {date_text[:40]!r} is unreadable or outside 1980-2100; not used"
                )
            distance_m, elapsed_s, moving_s, dropped = plausible_totals(
                _number(get(row, i_dist)) * dist_scale,
                _number(get(row, i_elapsed)),
                _number(get(row, i_moving)),
            )
            problems += dropped
            rows.append(
                StravaRow(
                    line=reader.line_num,
                    strava_id=strava_id[:100],
                    start_time_utc=start,
                    name=get(row, i_name),
                    activity_type=get(row, i_type),
                    description=get(row, i_desc),
                    gear=get(row, i_gear),
                    filename=get(row, i_file),
                    elapsed_time_s=elapsed_s,
                    moving_time_s=moving_s,
                    distance_m=distance_m,
                    ascent_m=_number(get(row, i_gain)),
                    descent_m=_number(get(row, i_loss)),
                    problems=tuple(problems),
                )
            )
    except csv.Error as exc:
        raise ArchiveError(
            f"cannot parse line {reader.line_num}: {exc}", path=path, reason="bad_csv"
        ) from exc
    return rows


def _csv_looks_strava(head: bytes) -> bool:
    first_line = head.split(b"\n", 1)[0].lower()
    return b"filename" in first_line and (b"activity id" in first_line or b"id," in first_line)


# -- folders --------------------------------------------------------------------------------


def _folder_csv(folder: Path) -> Path | None:
    for candidate in (folder / "activities.csv", folder / "activities" / "activities.csv"):
        if candidate.is_file():
            if (folder / "activities").is_dir():
                return candidate
            try:
                check_regular_file(candidate)
                with open(candidate, "rb") as fh:
                    if _csv_looks_strava(fh.read(4096)):
                        return candidate
            except (OSError, RunloadError):
                continue
    return None


def is_strava_dir(folder: Path) -> bool:
    """Whether a folder is an extracted Strava export.

    It is when it holds ``activities.csv`` and either an ``activities/``
    folder or a Strava-style header (a translated export is still an export:
    its files are read, its CSV reported as ``unknown_csv_header``).
    """
    return _folder_csv(folder) is not None


def _read_limited(path: Path, limit: int) -> bytes:
    return read_regular_file(path, max_bytes=limit)


def _row_path(csv_display: str, row: StravaRow) -> str:
    return f"{csv_display}#{row.strava_id}"


def _add_rows(
    rows: Sequence[StravaRow],
    csv_display: str,
    plan: Plan,
    *,
    timezone: str | dt.tzinfo | None,
    locate: Any,
) -> set[str]:
    """Items and summary-only rows for the CSV rows; returns the keys of the files used."""
    used: set[str] = set()
    for row in rows:
        where = _row_path(csv_display, row)
        for problem in row.problems:
            plan.warnings.append((where, f"activities.csv line {row.line}: {problem}"))
        if row.filename is None:
            fallback = row.summary(where, timezone=timezone)
            # A manual entry: no file was ever recorded.  Counted from the CSV alone
            # (ActivityLog.manual), not an error; without a usable date it cannot be.
            if fallback is not None:
                plan.summaries.append(fallback)
                plan.manual.add(str(fallback["activity_id"]))
            else:
                plan.errors.append(
                    (
                        where,
                        "bad_date",
                        f"{where}: the CSV row (line {row.line}) names no file and has no "
                        "usable date; not counted [bad_date]",
                    )
                )
            continue
        found = locate(row.filename)
        if isinstance(found, RunloadError):
            fallback = row.summary(where, timezone=timezone)
            if fallback is not None:
                plan.summaries.append(fallback)
            plan.errors.append((str(found.path), found.reason, str(found)))
            continue
        key, item_path, locator = found
        used.add(key)
        # The summary-only row is built only if the file cannot be read.
        later = functools.partial(row.summary, where, timezone=timezone)
        plan.items.append(Item(item_path, locator, meta=row.meta(), fallback=later))
    return used


def plan_dir(
    folder: Path,
    plan: Plan,
    *,
    timezone: str | dt.tzinfo | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> None:
    """Add an extracted Strava export to ``plan``."""
    csv_path = _folder_csv(folder)
    root = folder.resolve()
    rows: list[StravaRow] = []
    if csv_path is not None:
        try:
            rows = parse_activities_csv(
                _read_limited(csv_path, limits.max_member_bytes), path=str(csv_path)
            )
        except (RunloadError, OSError) as exc:
            reason = getattr(exc, "reason", "unreadable")
            plan.errors.append((str(csv_path), reason, str(exc)))
    bases = [csv_path.parent] if csv_path is not None else []
    if csv_path is not None and csv_path.parent != folder:
        bases.append(folder)
    # The activity files found by walking the export (not following links), by
    # their normalised path: a CSV name that is one of them needs no resolving
    # (3,000 realpath calls were a third of planning a large export).
    activities = folder / "activities"
    walked: list[Path] = []
    inside: set[str] = set()
    if activities.is_dir():
        walked = list(walk_folder(activities))
        if activities.resolve().is_relative_to(root):
            inside = {os.path.normpath(p) for p in walked if not p.is_symlink()}

    def locate(name: str) -> tuple[str, str, tuple[str, ...]] | RunloadError:
        shown = str(folder / name)
        for base in bases or [folder]:
            plain = os.path.normpath(base / name)
            if plain in inside:
                return plain, plain, ("file", plain)
            candidate = (base / name).resolve()
            if not candidate.is_relative_to(root):
                return ArchiveError(
                    f"file name {name!r} leads outside the export; not read",
                    path=shown,
                    reason="unsafe_path",
                )
            if candidate.is_file():
                return str(candidate), str(base / name), ("file", str(base / name))
        return ArchiveError(
            "file named in activities.csv is missing; known from the CSV only",
            path=shown,
            reason="missing_file",
        )

    used = _add_rows(rows, str(csv_path), plan, timezone=timezone, locate=locate)
    for path in walked:
        if not is_activity_name(path.name):
            continue
        if os.path.normpath(path) in used or str(path.resolve()) in used:
            continue
        plan.items.append(Item(str(path), ("file", str(path))))


# -- zips -------------------------------------------------------------------------------------


def _zip_csv(archive: SafeZip) -> Any:
    best = None
    for member in archive:
        parts = member.key.split("/")
        if parts[-1].lower() == "activities.csv" and len(parts) <= 3:
            if best is None or len(parts) < len(best.key.split("/")):
                best = member
    return best


def is_strava_zip(archive: SafeZip) -> bool:
    """Whether an archive is a Strava bulk export (as :func:`is_strava_dir`)."""
    member = _zip_csv(archive)
    if member is None:
        return False
    folder = member.key.rsplit("/", 1)[0] + "/" if "/" in member.key else ""
    if any(m.key.startswith(folder + "activities/") for m in archive):
        return True
    try:
        return _csv_looks_strava(archive.read(member)[:4096])
    except RunloadError:
        return True  # let planning report what is wrong with it


def plan_zip(
    path: Path,
    archive: SafeZip,
    plan: Plan,
    *,
    timezone: str | dt.tzinfo | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> None:
    """Add a zipped Strava export to ``plan``."""
    member = _zip_csv(archive)
    rows: list[StravaRow] = []
    csv_display = archive.path_of(member) if member is not None else archive.display
    if member is not None:
        try:
            rows = parse_activities_csv(archive.read(member), path=csv_display)
        except RunloadError as exc:
            plan.errors.append((csv_display, exc.reason, str(exc)))
    # Names in the CSV are relative to the export's root: the CSV's folder, or its parent.
    csv_dir = member.key.rsplit("/", 1)[0] + "/" if member is not None and "/" in member.key else ""
    prefixes = [csv_dir]
    if csv_dir:
        parent = csv_dir.rstrip("/").rsplit("/", 1)[0] + "/" if "/" in csv_dir.rstrip("/") else ""
        prefixes.append(parent)

    def locate(name: str) -> tuple[str, str, tuple[str, ...]] | RunloadError:
        key = normalise_member_name(name)
        for prefix in prefixes:
            found = archive.find(prefix + key)
            if found is not None:
                return found.key, archive.path_of(found), ("zip", str(path), found.name)
        return ArchiveError(
            "file named in activities.csv is not in the archive; known from the CSV only",
            path=archive.path_of(prefixes[0] + key),
            reason="missing_file",
        )

    used = _add_rows(rows, csv_display, plan, timezone=timezone, locate=locate)
    for m in archive:
        parts = m.key.split("/")
        if "activities" in parts[:-1] and is_activity_name(parts[-1]) and m.key not in used:
            plan.items.append(Item(archive.path_of(m), ("zip", str(path), m.name)))


register_export(
    ExportSpec(
        name="strava",
        is_dir=is_strava_dir,
        plan_dir=plan_dir,
        is_zip=is_strava_zip,
        plan_zip=plan_zip,
    )
)
