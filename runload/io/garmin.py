"""Garmin Connect data exports (the "Export your data" zip, or its extracted folder).

Layout (as exported since 2018)::

    DI_CONNECT/
      DI-Connect-Fitness/
        <e-mail>_0_summarizedActivities.json   [{"summarizedActivitiesExport": [...]}]
        <e-mail>_gear.json                      [{"gearDTOS": [...], "gearActivityDTOs": {...}}]
      DI-Connect-Uploaded-Files/
        UploadedFiles_0-_Part1.zip              the original FIT (or GPX/TCX) uploads

The uploaded files are named by upload, not by activity, so each file read is
matched to its summary by start time (the nearest summary start within
:data:`MATCH_TOLERANCE_S`).  A matched file takes the summary's name,
description (as ``notes``), activity type (as ``sport``/``sub_sport``, see
:data:`GARMIN_TYPES`) and the gear linked to the activity in the gear file
(shoes preferred).  A summary that no file matches (a manual entry, or a file
that could not be read) becomes an activity known from the summary alone
(format ``summary``), with the local offset the summary gives
(``startTimeLocal − startTimeGmt``); a summary with a ``parentId`` (a leg of
a multisport activity) does not, since its parent's file covers it.

Summary units: ``startTimeGmt``/``beginTimestamp`` and ``startTimeLocal`` in
milliseconds since the epoch, ``duration``, ``elapsedDuration`` and
``movingDuration`` in milliseconds, ``distance``, ``elevationGain`` and
``elevationLoss`` in centimetres.

File names in these exports contain the account's e-mail address.  It is never
shown or stored: every display path, error and warning message of a Garmin
export passes through :func:`redact_account`, which replaces anything
e-mail-like with ``<account>``; only the locator used to open the file keeps
the real name.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..activity import EARLIEST_TIME_NS, LATEST_TIME_NS, plausible_totals
from ..exceptions import ArchiveError, RunloadError
from ..sports import GARMIN_TYPES, garmin_sport
from .archive import SafeZip
from .files import check_regular_file, read_regular_file, walk_folder
from .limits import DEFAULT_LIMITS, ArchiveLimits
from .plan import (
    ExportSpec,
    Item,
    Plan,
    is_activity_name,
    plan_generic_zip,
    register_export,
)
from .rows import apply_meta, summary_only

__all__ = [
    "GARMIN_TYPES",
    "MATCH_TOLERANCE_S",
    "GarminJoin",
    "GarminSummary",
    "garmin_sport",
    "is_garmin_dir",
    "is_garmin_zip",
    "is_gear_file",
    "parse_gear",
    "parse_summaries",
    "redact_account",
]

#: Largest difference between a file's start and its summary's start. [s]
MATCH_TOLERANCE_S = 120.0

# Any local@domain form: a local part of letters (any script), digits and
# ``. _ % + - ' !`` or a quoted string, then a domain of labels made of letters
# (any script), digits and hyphens, with or without dots (``JANE@LOCALHOST``),
# or an address literal in brackets.  An underscore ends the domain: Garmin
# appends ``_0_summarizedActivities.json`` to the address.
_LABEL = r"(?:[^\W_]|-)+"
_EMAIL = re.compile(
    r"(?:\"[^\"\s]*\"|[\w.%+\-'!#$&*=?^`{|}~]+)@"
    rf"(?:\[[^\]\s]*\]|{_LABEL}(?:\.{_LABEL})*)"
)
_MAX_OFFSET_S = 14 * 3600
_EARLIEST_MS = EARLIEST_TIME_NS / 1e6
_LATEST_MS = LATEST_TIME_NS / 1e6


def redact_account(text: str) -> str:
    """``text`` with every e-mail-like part replaced by ``<account>``."""
    return _EMAIL.sub("<account>", text)


def _ms_time(value: Any) -> float | None:
    """Milliseconds since the epoch from a number or a date string (taken as UTC)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return float(text)
        try:
            ts = pd.Timestamp(text)
            if ts is pd.NaT:
                return None
            ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
            return float(ts.as_unit("ns").value) / 1e6
        except (ValueError, TypeError, OverflowError):
            return None
    return None


def _scaled(value: Any, scale: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value) * scale if math.isfinite(value) else math.nan


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


@dataclass(frozen=True)
class GarminSummary:
    """One activity of ``summarizedActivities.json``, in runload's units.

    Attributes
    ----------
    garmin_id : str
    start_time_utc : Timestamp
    utc_offset_s : int or None
        ``startTimeLocal − startTimeGmt``, when both are given. [s]
    type_key : str or None
    name, description : str or None
    distance_m, elapsed_time_s, moving_time_s, ascent_m, descent_m : float
        [m], [s], [s], [m], [m]
    parent_id : str or None
        Set for the legs of a multisport activity.
    manual : bool
        The summary says it is a manual entry (``manualActivity``): no file.
    """

    garmin_id: str
    start_time_utc: pd.Timestamp
    utc_offset_s: int | None
    type_key: str | None
    name: str | None
    description: str | None
    distance_m: float
    elapsed_time_s: float
    moving_time_s: float
    ascent_m: float
    descent_m: float
    parent_id: str | None = None
    manual: bool = False


def _summary_records(payload: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(payload, Mapping):
        payload = [payload]
    if not isinstance(payload, list):
        return
    for chunk in payload:
        if isinstance(chunk, Mapping) and "summarizedActivitiesExport" in chunk:
            inner = chunk["summarizedActivitiesExport"]
            if isinstance(inner, list):
                yield from (r for r in inner if isinstance(r, Mapping))
        elif isinstance(chunk, Mapping) and "activityId" in chunk:
            yield chunk


def _load_json(data: bytes, path: str) -> Any:
    """JSON from bytes; anything unreadable (syntax, nesting too deep) is ``bad_json``."""
    try:
        return json.loads(data.decode("utf-8-sig", errors="replace"))
    except RecursionError as exc:
        raise ArchiveError(
            "JSON nested too deep to read: refused", path=path, reason="bad_json"
        ) from exc
    except ValueError as exc:
        raise ArchiveError(f"not JSON: {exc}", path=path, reason="bad_json") from exc


def _id_text(value: Any) -> str | None:
    """An activity id as text (a number or a short string), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    if isinstance(value, str) and value.strip() and len(value) <= 100:
        return value.strip()
    return None


def parse_summaries(
    data: bytes,
    *,
    path: str = "summarizedActivities.json",
    problems: list[tuple[str, str, str]] | None = None,
) -> list[GarminSummary]:
    """The activities of a ``*_summarizedActivities.json``.

    Every value is checked on the way in: a record without a usable id or with
    a start outside 1980-2100 (``0001-01-01``, ``1e300``, year 9999) is left
    out, totals outside the plausibility bounds
    (:func:`runload.activity.plausible_totals`) are dropped, and the other
    records are read.

    Parameters
    ----------
    data : bytes
        The file.
    path : str
        Shown in messages.
    problems : list, optional
        Receives ``(where, kind, message)`` for each record or value left out:
        kind ``error`` (the record is not read; its reason code starts the
        message in brackets) or ``warning`` (a value dropped).

    Raises
    ------
    ArchiveError
        ``bad_json`` when the content is not JSON (or nested too deep to read).
    """
    payload = _load_json(data, path)
    out: list[GarminSummary] = []
    sink: list[tuple[str, str, str]] = problems if problems is not None else []
    for rec in _summary_records(payload):
        garmin_id = _id_text(rec.get("activityId"))
        if garmin_id is None:
            sink.append((path, "error", "[bad_metadata] a summary without a usable activityId"))
            continue
        where = f"{path}#{garmin_id}"
        try:
            summary, dropped = _summary(rec, garmin_id)
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            sink.append((where, "error", f"[bad_metadata] summary not read: {exc}"))
            continue
        if summary is None:
            sink.append(
                (
                    where,
                    "error",
                    "[time_out_of_range] startTimeGmt/beginTimestamp is missing, unreadable "
                    "or outside 1980-2100; summary not read",
                )
            )
            continue
        sink.extend((where, "warning", message) for message in dropped)
        out.append(summary)
    return out


def _summary(rec: Mapping[str, Any], garmin_id: str) -> tuple[GarminSummary | None, list[str]]:
    """One summary record, checked: (None, []) without a usable start."""
    start_ms = _ms_time(rec.get("startTimeGmt"))
    if start_ms is None:
        start_ms = _ms_time(rec.get("beginTimestamp"))
    if start_ms is None or not _EARLIEST_MS <= start_ms < _LATEST_MS:
        return None, []
    local_ms = _ms_time(rec.get("startTimeLocal"))
    offset = None
    if local_ms is not None and abs(local_ms - start_ms) <= 2 * _MAX_OFFSET_S * 1000:
        off = round((local_ms - start_ms) / 60000.0) * 60
        offset = int(off) if abs(off) <= _MAX_OFFSET_S else None
    kind: Any = rec.get("activityType")
    if isinstance(kind, Mapping):
        kind = kind.get("typeKey")
    if not isinstance(kind, str) or not kind.strip():
        sport_type = rec.get("sportType")
        kind = sport_type.lower() if isinstance(sport_type, str) else None
    elapsed = _scaled(rec.get("elapsedDuration"), 1e-3)
    if not math.isfinite(elapsed):
        elapsed = _scaled(rec.get("duration"), 1e-3)
    distance, elapsed, moving, dropped = plausible_totals(
        _scaled(rec.get("distance"), 1e-2), elapsed, _scaled(rec.get("movingDuration"), 1e-3)
    )
    parent = rec.get("parentId")
    summary = GarminSummary(
        garmin_id=garmin_id,
        start_time_utc=pd.Timestamp(int(start_ms) * 1_000_000, tz="UTC"),
        utc_offset_s=offset,
        type_key=kind[:100] if isinstance(kind, str) else None,
        name=_text(rec.get("name")),
        description=_text(rec.get("description")),
        distance_m=distance,
        elapsed_time_s=elapsed,
        moving_time_s=moving,
        ascent_m=_scaled(rec.get("elevationGain"), 1e-2),
        descent_m=_scaled(rec.get("elevationLoss"), 1e-2),
        parent_id=_id_text(parent),
        manual=rec.get("manualActivity") is True,
    )
    return summary, dropped


def parse_gear(data: bytes, *, path: str = "gear.json") -> dict[str, str]:
    """Garmin activity id → gear name, from a ``*_gear.json`` (shoes preferred).

    Raises
    ------
    ArchiveError
        ``bad_json`` when the content is not JSON.
    """
    payload = _load_json(data, path)
    blocks = payload if isinstance(payload, list) else [payload]
    names: dict[str, tuple[str, bool]] = {}
    links: list[tuple[str, str]] = []
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        gear_list = block.get("gearDTOS")
        for gear in gear_list if isinstance(gear_list, list) else []:
            if not isinstance(gear, Mapping) or _id_text(gear.get("gearPk")) is None:
                continue
            name = _text(gear.get("customMakeModel")) or _text(gear.get("displayName"))
            if name is None:
                continue
            kind = str(gear.get("gearTypeName") or "").lower()
            names[str(_id_text(gear.get("gearPk")))] = (name, kind.startswith("shoe"))
        activity_links = block.get("gearActivityDTOs") or {}
        if isinstance(activity_links, Mapping):
            for pk, acts in activity_links.items():
                for act in acts if isinstance(acts, list) else []:
                    if not isinstance(act, Mapping):
                        continue
                    activity = _id_text(act.get("activityId"))
                    gear_pk = _id_text(act.get("gearPk", pk))
                    if activity is not None and gear_pk is not None:
                        links.append((activity, gear_pk))
    out: dict[str, str] = {}
    shoe: dict[str, bool] = {}
    for activity, pk in links:
        if pk not in names:
            continue
        name, is_shoe = names[pk]
        if activity not in out or (is_shoe and not shoe[activity]):
            out[activity] = name
            shoe[activity] = is_shoe
    return out


@dataclass
class GarminJoin:
    """Matches the files of one Garmin export to its summaries, after they are read.

    Parameters
    ----------
    group : str
        The export's key (its path); items of the export carry it.
    source_path : str
        Display path of the summaries file (redacted), for summary-only rows.
    summaries : list of GarminSummary
    gear : mapping
        Garmin activity id → gear name.
    timezone : str or tzinfo, optional
        Unused for summaries, which carry their own offset; kept for summaries
        without ``startTimeLocal``.
    """

    group: str
    source_path: str
    summaries: list[GarminSummary]
    gear: Mapping[str, str] = field(default_factory=dict)
    timezone: str | dt.tzinfo | None = None
    tolerance_s: float = MATCH_TOLERANCE_S
    _starts: list[float] = field(default_factory=list, init=False)
    _order: list[int] = field(default_factory=list, init=False)
    _used: set[int] = field(default_factory=set, init=False)
    manual: set[str] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        keyed = sorted(
            range(len(self.summaries)), key=lambda i: self.summaries[i].start_time_utc.value
        )
        self._order = keyed
        self._starts = [self.summaries[i].start_time_utc.value / 1e9 for i in keyed]

    def match(self, start_time_utc: pd.Timestamp) -> GarminSummary | None:
        """The summary starting nearest to ``start_time_utc``, within the tolerance."""
        if not self._starts:
            return None
        t = pd.Timestamp(start_time_utc).value / 1e9
        k = bisect.bisect_left(self._starts, t)
        best: int | None = None
        for j in (k - 1, k):
            if 0 <= j < len(self._starts):
                gap = abs(self._starts[j] - t)
                if gap <= self.tolerance_s and (best is None or gap < abs(self._starts[best] - t)):
                    best = j
        if best is None:
            return None
        index = self._order[best]
        self._used.add(index)
        return self.summaries[index]

    def meta(self, summary: GarminSummary) -> dict[str, Any]:
        """The summary fields a matched file takes from its summary."""
        sport, sub = garmin_sport(summary.type_key)
        return {
            "sport": sport,
            "sub_sport": sub,
            "name": summary.name,
            "notes": summary.description,
            "gear": self.gear.get(summary.garmin_id),
            "export_ascent_m": summary.ascent_m,
        }

    def apply(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """A file's summary row with its Garmin summary's metadata applied (if one matches)."""
        found = self.match(row["start_time_utc"])
        return apply_meta(row, self.meta(found)) if found is not None else dict(row)

    def unmatched(self) -> list[dict[str, Any]]:
        """Summary-only rows for the summaries no file matched (legs of multisport excepted)."""
        rows = []
        for i, s in enumerate(self.summaries):
            if i in self._used or s.parent_id is not None:
                continue
            sport, sub = garmin_sport(s.type_key)
            try:
                row = summary_only(
                    key=f"garmin:{s.garmin_id}",
                    source_path=f"{self.source_path}#{s.garmin_id}",
                    start_time_utc=s.start_time_utc,
                    sport=sport,
                    sub_sport=sub,
                    name=s.name,
                    notes=s.description,
                    gear=self.gear.get(s.garmin_id),
                    distance_m=s.distance_m,
                    elapsed_time_s=s.elapsed_time_s,
                    moving_time_s=s.moving_time_s,
                    ascent_m=s.ascent_m,
                    descent_m=s.descent_m,
                    utc_offset_s=s.utc_offset_s,
                    timezone=self.timezone,
                )
            except RunloadError:
                continue  # parse_summaries already left out what cannot be placed
            if s.manual:
                self.manual.add(str(row["activity_id"]))
            rows.append(row)
        return rows


# -- detection ------------------------------------------------------------------------------


def _is_summaries(name: str) -> bool:
    return name.lower().endswith("summarizedactivities.json")


def is_gear_file(key: str) -> bool:
    """Whether the export member (or file) at ``key`` is a Garmin gear list."""
    lower = key.lower()
    base = lower.rsplit("/", 1)[-1]
    return "gear" in base and base.endswith(".json") and "di-connect-fitness" in lower


def _in_uploads(key: str) -> bool:
    return "uploaded-files" in key.lower()


def is_garmin_dir(folder: Path) -> bool:
    """Whether a folder is an extracted Garmin export (holds ``DI_CONNECT`` or its parts)."""
    return any(
        (folder / name).is_dir()
        for name in ("DI_CONNECT", "DI-Connect-Fitness", "DI-Connect-Uploaded-Files")
    )


def is_garmin_zip(archive: SafeZip) -> bool:
    """Whether an archive is a Garmin export."""
    return any(
        m.key.startswith("DI_CONNECT/") or "/DI-Connect-" in m.key or _is_summaries(m.key)
        for m in archive
    )


# -- planning -------------------------------------------------------------------------------


def _add_metadata(
    plan: Plan,
    group: str,
    summary_files: Sequence[tuple[str, Callable[[], bytes]]],
    gear_files: Sequence[tuple[str, Callable[[], bytes]]],
    timezone: str | dt.tzinfo | None,
) -> None:
    summaries: list[GarminSummary] = []
    gear: dict[str, str] = {}
    shown = summary_files[0][0] if summary_files else group
    for display, read in summary_files:
        problems: list[tuple[str, str, str]] = []
        try:
            summaries += parse_summaries(read(), path=display, problems=problems)
        except RunloadError as exc:
            plan.errors.append((display, exc.reason, redact_account(str(exc))))
        for where, kind, message in problems:
            shown_where, text = redact_account(where), redact_account(message)
            if kind == "error":
                reason = text[1 : text.index("]")] if text.startswith("[") else "bad_metadata"
                body = text[text.index("]") + 2 :] if text.startswith("[") else text
                plan.errors.append((shown_where, reason, f"{shown_where}: {body} [{reason}]"))
            else:
                plan.warnings.append((shown_where, text))
    for display, read in gear_files:
        try:
            gear.update(parse_gear(read(), path=display))
        except RunloadError as exc:
            plan.errors.append((display, exc.reason, redact_account(str(exc))))
    if summaries or gear:
        plan.joins.append(
            GarminJoin(
                group=group, source_path=shown, summaries=summaries, gear=gear, timezone=timezone
            )
        )


def plan_zip(
    path: Path,
    archive: SafeZip,
    plan: Plan,
    *,
    timezone: str | dt.tzinfo | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> None:
    """Add a zipped Garmin export to ``plan``."""
    group = str(path)
    archive.display = redact_account(archive.display)
    members = list(archive)

    def reader(member: Any) -> Callable[[], bytes]:
        return lambda: archive.read(member)

    summary_files = [
        (redact_account(archive.path_of(m)), reader(m)) for m in members if _is_summaries(m.key)
    ]
    gear_files = [
        (redact_account(archive.path_of(m)), reader(m)) for m in members if is_gear_file(m.key)
    ]
    _add_metadata(plan, group, summary_files, gear_files, timezone)
    uploads = [m for m in members if _in_uploads(m.key)]
    plan_generic_zip(
        path,
        archive,
        plan,
        redact=redact_account,
        group=group,
        members=uploads if uploads else members,
    )


def plan_dir(
    folder: Path,
    plan: Plan,
    *,
    timezone: str | dt.tzinfo | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> None:
    """Add an extracted Garmin export to ``plan``."""
    group = str(folder)
    files = list(walk_folder(folder))

    def reader(p: Path) -> Callable[[], bytes]:
        def read() -> bytes:
            return read_regular_file(
                p, display=redact_account(str(p)), max_bytes=limits.max_member_bytes
            )

        return read

    rel = {p: p.relative_to(folder).as_posix() for p in files}
    summary_files = [(redact_account(str(p)), reader(p)) for p in files if _is_summaries(p.name)]
    gear_files = [(redact_account(str(p)), reader(p)) for p in files if is_gear_file(rel[p])]
    _add_metadata(plan, group, summary_files, gear_files, timezone)
    uploads = [p for p in files if _in_uploads(rel[p])] or files
    for p in uploads:
        if is_activity_name(p.name):
            plan.items.append(
                Item(redact_account(str(p)), ("file", str(p)), group=group, redact=True)
            )
        elif p.suffix.lower() == ".zip":
            shown = redact_account(str(p))
            try:
                check_regular_file(p, display=shown)
                archive = SafeZip(p, display=shown, limits=limits)
            except RunloadError as exc:
                plan.errors.append((shown, exc.reason, redact_account(str(exc))))
                continue
            with archive:
                plan_generic_zip(p, archive, plan, redact=redact_account, group=group)


register_export(
    ExportSpec(
        name="garmin",
        is_dir=is_garmin_dir,
        plan_dir=plan_dir,
        is_zip=is_garmin_zip,
        plan_zip=plan_zip,
        redact=redact_account,
    )
)
