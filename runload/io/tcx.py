"""Garmin Training Center (TCX) importer.

Reads the first ``<Activity>`` of a TCX file (see :mod:`runload.io.xmlsafe`
for the safety rules); elements are matched by local name, so any namespace
prefix reads alike.

Three readings give the same result, as for GPX (:mod:`runload.io.gpx`).  A
regular document of up to :data:`SCAN_MAX_BYTES` has its trackpoints read by
pattern (:mod:`runload.io.xmlscan`) and the rest from a tree of the document
without them; another document of up to :data:`TREE_MAX_BYTES` is parsed
whole, in C, with the same safe parser, and its trackpoints are read from the
tree; a larger one, or one
the tree reading cannot read exactly as the stream would (malformed XML, an
undeclared prefix, an activity inside an activity, track elements inside a
trackpoint), is read in one streaming pass that frees elements as it goes.

Per trackpoint: ``Time``, ``Position`` (``LatitudeDegrees``,
``LongitudeDegrees``), ``AltitudeMeters``, ``DistanceMeters`` (the device's
own cumulative distance), ``HeartRateBpm/Value``, ``Cadence`` and, in the
``TPX`` extension, ``RunCadence``, ``Speed`` and ``Watts``.  Trackpoints
without a time are dropped and counted; without a position they are kept
(a treadmill run has none).  Each ``<Track>`` after the first starts after a
pause.  Lap totals (``TotalTimeSeconds``, ``DistanceMeters``) are summed into
``RawActivity.totals``, which :func:`runload.activity.finalize` uses when the
trackpoints cannot give a value (files with laps and no trackpoints).

Cadence: ``RunCadence`` (strides of one foot) becomes ``cadence_spm`` (steps
of both feet) by the one rule of :func:`runload.sports.cadence_spm`, for foot
sports and for activities of unknown or ``Other`` sport.  The trackpoint's own
``Cadence`` is a bike's revolutions per minute in the schema, but Polar and
other watches write a run's cadence there; it is read (by the same rule) for
foot sports only, where ``RunCadence`` is missing.  Courses (planned routes,
``<Courses>``) are not activities and are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from lxml import etree

from ..activity import RawActivity
from ..exceptions import ParseError, UnsupportedFormatError
from ..sports import FOOT_SPORTS, cadence_spm, tcx_sport
from .registry import register_format
from .xmlsafe import (
    PointTable,
    local_name,
    parse_times_ns,
    root_local_name,
    text_of,
    to_float,
)
from .xmlscan import ScannedTrack, ScanSpec, fits_skeleton
from .xmltrack import (
    TrackPoints,
    free_points_before,
    has_ancestor,
    read_by_pattern,
    read_parsed,
    read_streamed,
)

__all__ = ["SCAN_MAX_BYTES", "SCAN_SPEC", "TREE_MAX_BYTES", "read_tcx", "sniff_tcx", "tcx_sport"]

#: Documents up to this size are parsed whole into a tree; larger ones are streamed. [bytes]
#: (A 2-hour run recorded every second is about 3.3 MB of TCX.)
TREE_MAX_BYTES = 4 * 2**20
#: Documents up to this size may be read by pattern (:mod:`runload.io.xmlscan`): the same
#: limit as GPX's (:data:`runload.io.gpx.SCAN_MAX_BYTES`, where the memory is measured),
#: a 1 Hz run of about 5 hours. [bytes]
SCAN_MAX_BYTES = 8 * 2**20

# Per-trackpoint value slots.
(
    _LAT,
    _LON,
    _ALT,
    _DIST,
    _HR,
    _CAD,
    _RUNCAD,
    _SPEED,
    _WATTS,
    _TIME,
) = range(10)
_WIDTH = 10
_FIELDS: dict[str, int] = {
    "latitudedegrees": _LAT,
    "longitudedegrees": _LON,
    "altitudemeters": _ALT,
    "distancemeters": _DIST,
    "value": _HR,  # only HeartRateBpm has a Value inside a Trackpoint
    "cadence": _CAD,
    "runcadence": _RUNCAD,
    "speed": _SPEED,
    "watts": _WATTS,
    "time": _TIME,
}
_TRIM_EVERY = 256

_TRACKPOINT, _TRACK, _LAP, _ACTIVITY, _COURSE = range(5)
_KINDS: dict[str, int] = {
    "Trackpoint": _TRACKPOINT,
    "Track": _TRACK,
    "Lap": _LAP,
    "Activity": _ACTIVITY,
    "Course": _COURSE,
}
_TAGS = tuple(f"{{*}}{name}" for name in _KINDS)
#: Field code, in the tree reading, of an element of one of the kinds above inside a trackpoint.
_NESTED_KIND = -2


class _NeedsStreaming(Exception):
    """The tree holds a structure that only the streaming pass reads as it should."""


def _tree_field(tag: object) -> int:
    """Value slot of a trackpoint's descendant with this tag (-1: ignored), or _NESTED_KIND."""
    name = local_name(tag)
    if name in _KINDS:
        return _NESTED_KIND
    return _FIELDS.get(name.lower(), -1)


def sniff_tcx(head: bytes) -> bool:
    """Whether ``head`` starts a document whose root is ``TrainingCenterDatabase``."""
    return root_local_name(head) == "TrainingCenterDatabase"


class _Extract:
    """State of one reading of a TCX document: a streaming pass (:meth:`run`) or a tree."""

    def __init__(self, data: bytes, path: str) -> None:
        self.table = PointTable(_WIDTH, time_slot=_TIME, path=path, data=data)
        self.breaks: list[int] = []  # row count at which a new Track starts
        self.activity: etree._Element | None = None  # the Activity being read
        self.extra_activities = 0
        self.skipped_points = 0  # in courses or further activities
        self.sport: str | None = None
        self.activity_id: str | None = None
        self.notes: str | None = None
        self.device: str | None = None
        self.lap_time_s: list[float] = []
        self.lap_distance_m: list[float] = []
        self.lap_start: list[str] = []

    def _owner(self, track: etree._Element) -> etree._Element | None:
        """The Activity a Track belongs to (through its Lap), None for a Course's."""
        lap = track.getparent()
        if lap is None or local_name(lap.tag) != "Lap":
            return None
        activity = lap.getparent()
        if activity is None or local_name(activity.tag) != "Activity":
            return None
        return activity

    def _accepts(self, activity: etree._Element | None) -> bool:
        if activity is None:
            return False
        if self.activity is None:
            self.activity = activity
        return activity is self.activity

    def run(self, elements: Iterator[etree._Element]) -> _Extract:
        kinds: dict[object, int] = {}
        fields: dict[object, int] = {}
        table = self.table
        rows = table.rows
        chunk = table.chunk
        n = 0  # rows collected
        seen = 0  # trackpoints seen, for trimming
        track: etree._Element | None = None
        accepted = False
        for el in elements:
            kind = kinds.get(el.tag)
            if kind is None:
                kind = kinds[el.tag] = _KINDS.get(local_name(el.tag), -1)
            if kind == _TRACKPOINT:
                parent = el.getparent()
                if parent is not track:
                    track = parent
                    accepted = parent is not None and self._accepts(self._owner(parent))
                    if accepted and n > 0:
                        self.breaks.append(n)
                seen += 1
                if accepted:
                    row: list[str | None] = [None] * _WIDTH
                    for child in el.iterdescendants():
                        code = fields.get(child.tag)
                        if code is None:
                            code = fields[child.tag] = _FIELDS.get(
                                local_name(child.tag).lower(), -1
                            )
                        if code >= 0:
                            row[code] = child.text
                    rows.extend(row)
                    n += 1
                    if not n % chunk:
                        table.flush()
                else:
                    self.skipped_points += 1
                if not seen % _TRIM_EVERY:
                    free_points_before(el, container="Track")
            elif kind == _TRACK:
                el.clear()
            elif kind == _LAP:
                activity = el.getparent()
                if (
                    activity is not None
                    and local_name(activity.tag) == "Activity"
                    and self._accepts(activity)
                ):
                    self._read_lap(el)
                el.clear()
            elif kind == _ACTIVITY:
                if self._accepts(el):
                    self._read_activity(el)
                else:
                    self.extra_activities += 1
                el.clear()
            elif kind == _COURSE:
                el.clear()
        return self

    def run_tree(self, root: etree._Element) -> _Extract | None:
        """Read a whole parsed document as :meth:`run` reads its stream.

        The stream accepts the first activity that one of its trackpoints,
        laps or its own end reaches; with no activity inside another, that is
        the first ``<Activity>`` of the document, and the tree reads it
        directly.  Returns None (read nothing) when an activity lies inside
        another or a trackpoint holds track elements: the caller then streams
        the document.
        """
        activities = list(root.iter("{*}Activity"))
        if any(has_ancestor(a, "{*}Activity") for a in activities):
            return None
        if activities:
            self.activity = activities[0]
            self.extra_activities = len(activities) - 1
        try:
            self._points_from_tree(root)
        except _NeedsStreaming:
            return None
        self._read_laps_and_activity()
        return self

    def run_scanned(self, root: etree._Element, scan: ScannedTrack) -> _Extract | None:
        """Read a document whose trackpoints :func:`~runload.io.xmlscan.scan_track` read.

        ``root`` is the parsed skeleton (the document without its
        trackpoints).  The trackpoints are taken as :meth:`run_tree` would
        read them from the whole tree: those of the first activity's tracks,
        a pause before each further track, the others counted as skipped.
        None (read nothing) when the skeleton holds a trackpoint outside the
        tracks, nests activities, or its tracks are not the ones scanned or do
        not fit the trackpoints (:func:`~runload.io.xmlscan.fits_skeleton`).
        """
        if next(root.iter("{*}Trackpoint"), None) is not None:
            return None
        tracks = list(root.iter("{*}Track"))
        if not fits_skeleton(scan, tracks):
            return None
        activities = list(root.iter("{*}Activity"))
        if any(has_ancestor(a, "{*}Activity") for a in activities):
            return None
        if activities:
            self.activity = activities[0]
            self.extra_activities = len(activities) - 1
        kept: list[tuple[int, int]] = []  # (first, end) of the points kept, in scan order
        n = start = 0
        for track, count in zip(tracks, scan.counts, strict=True):
            if count == 0:
                continue
            if self._accepts(self._owner(track)):
                if n:
                    self.breaks.append(n)
                kept.append((start, start + count))
                n += count
            else:
                self.skipped_points += count
            start += count
        columns = scan.columns
        if kept and (len(kept) > 1 or kept[0] != (0, start)):
            columns = {
                slot: [value for a, b in kept for value in column[a:b]]
                for slot, column in columns.items()
            }
        if kept:
            self.table.add_columns(columns)
        self._read_laps_and_activity()
        return self

    def _read_laps_and_activity(self) -> None:
        if self.activity is not None:
            for child in self.activity:
                if local_name(child.tag) == "Lap":
                    self._read_lap(child)
            self._read_activity(self.activity)

    def _points_from_tree(self, root: etree._Element) -> None:
        fields: dict[object, int] = {}
        table = self.table
        rows = table.rows
        chunk = table.chunk
        n = 0
        track: etree._Element | None = None
        accepted = False
        for el in root.iter("{*}Trackpoint"):
            parent = el.getparent()
            if parent is not track:
                track = parent
                accepted = parent is not None and self._accepts(self._owner(parent))
                if accepted and n > 0:
                    self.breaks.append(n)
            if not accepted:
                self.skipped_points += 1
                continue
            row: list[str | None] = [None] * _WIDTH
            for child in el.iterdescendants():
                code = fields.get(child.tag)
                if code is None:
                    code = fields[child.tag] = _tree_field(child.tag)
                if code >= 0:
                    row[code] = child.text
                elif code == _NESTED_KIND:
                    raise _NeedsStreaming
            rows.extend(row)
            n += 1
            if not n % chunk:
                table.flush()

    def _read_lap(self, lap: etree._Element) -> None:
        start = lap.get("StartTime")
        if start is not None and start.strip():
            self.lap_start.append(start.strip())
        total_s = distance_m = np.nan
        for child in lap:
            name = local_name(child.tag)
            if name == "TotalTimeSeconds":
                total_s = to_float(child.text)
            elif name == "DistanceMeters":
                distance_m = to_float(child.text)
        self.lap_time_s.append(total_s)
        self.lap_distance_m.append(distance_m)

    def _read_activity(self, activity: etree._Element) -> None:
        self.sport = tcx_sport(activity.get("Sport"))
        for child in activity:
            name = local_name(child.tag)
            if name == "Id":
                self.activity_id = text_of(child)
            elif name == "Notes":
                self.notes = text_of(child)
            elif name == "Creator":
                for sub in child:
                    if local_name(sub.tag) == "Name":
                        self.device = text_of(sub)


def read_tcx(data: bytes, *, path: str) -> RawActivity:
    """Read the first activity of a TCX document.

    Parameters
    ----------
    data : bytes
        The (decompressed) TCX document.
    path : str
        Where it came from, for messages.

    Returns
    -------
    RawActivity
        ``format="tcx"``; samples with a UTC ``time`` index and the columns
        the file has (``latitude_deg``, ``longitude_deg``, ``elevation_m``,
        ``distance_m`` [device], ``speed_m_s``, ``heart_rate_bpm``,
        ``cadence_spm`` [both feet], ``power_w``); a pause before each Track
        after the first; ``sport``, ``start_time`` (the Activity Id),
        ``device`` (Creator Name), ``notes``; lap ``totals``.

    Raises
    ------
    UnsafeInputError
        The file declares a DOCTYPE or entities (reason ``"doctype"``).
    ParseError
        Malformed XML (``"xml_syntax"``), an unreadable time (``"bad_time"``),
        or neither trackpoints nor a start time (``"empty"``).
    """
    state = _read_scanned(data, path) if len(data) <= SCAN_MAX_BYTES else None
    if state is None and len(data) <= TREE_MAX_BYTES:
        state = _read_parsed(data, path)
    if state is None:
        state = _read_stream(data, path)
    return _assemble(state, path)


def _read_parsed(data: bytes, path: str) -> _Extract | None:
    return read_parsed(data, path, _Extract)


#: The trackpoints as :mod:`runload.io.xmlscan` reads them.
SCAN_SPEC = ScanSpec(
    point="Trackpoint",
    container="Track",
    structure=frozenset(_KINDS),
    fields=_FIELDS,
    attributes={},
    time_slot=_TIME,
)


def _read_scanned(data: bytes, path: str) -> _Extract | None:
    return read_by_pattern(data, path, SCAN_SPEC, _Extract)


def _read_stream(data: bytes, path: str) -> _Extract:
    return read_streamed(data, path, _TAGS, _Extract)


def _one_time(text: str | None, path: str) -> pd.Timestamp | None:
    if text is None:
        return None
    try:
        return pd.Timestamp(int(parse_times_ns([text], path=path)[0]), tz="UTC")
    except ParseError:
        return None


def _lap_totals(st: _Extract, path: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    times = np.array(st.lap_time_s, dtype="float64")
    dists = np.array(st.lap_distance_m, dtype="float64")
    if np.isfinite(times).any():
        totals["moving_time_s"] = float(np.nansum(times))
        elapsed = totals["moving_time_s"]
        if len(st.lap_start) == len(times) and len(times) > 0:
            try:
                starts_s = parse_times_ns(st.lap_start, path=path) / 1e9
            except ParseError:
                starts_s = None
            if starts_s is not None:
                ends_s = starts_s + np.nan_to_num(times)
                elapsed = max(elapsed, float(ends_s.max() - starts_s.min()))
        totals["elapsed_time_s"] = elapsed
    if np.isfinite(dists).any():
        totals["distance_m"] = float(np.nansum(dists))
    return totals


def _assemble(st: _Extract, path: str) -> RawActivity:
    points = TrackPoints(st.table, noun="trackpoint", time_tag="<Time>", path=path)
    sport = st.sport
    warnings = points.warnings
    if st.extra_activities:
        warnings.append(f"{st.extra_activities} further activit(ies) in the file ignored")

    start_time = _one_time(st.activity_id, path)
    if start_time is None and st.activity_id is not None:
        warnings.append(f"activity Id {st.activity_id!r} is not a time; ignored")
    if start_time is None and st.lap_start:
        start_time = _one_time(st.lap_start[0], path)
    if st.activity is None and st.skipped_points:
        raise UnsupportedFormatError(
            "TCX file holds courses (planned routes) and no activity: not counted as training",
            path=path,
            reason="not_an_activity",
        )
    if points.t_ns.size == 0 and start_time is None:
        if st.activity is None:
            what = "no activity (courses only)" if st.skipped_points else "no activity"
        elif points.dropped:
            what = (
                f"all {points.dropped} trackpoints lack a <Time> and the activity has no start time"
            )
        else:
            what = "no trackpoints and no start time"
        raise ParseError(f"nothing to import: {what}", path=path, reason="empty")

    values = points.values
    samples = points.samples(
        {
            "latitude_deg": values.get(_LAT),
            "longitude_deg": values.get(_LON),
            "elevation_m": values.get(_ALT),
            "distance_m": values.get(_DIST),
            "speed_m_s": values.get(_SPEED),
            "heart_rate_bpm": values.get(_HR),
            "cadence_spm": _cadence_spm(values.get(_RUNCAD), values.get(_CAD), sport),
            "power_w": values.get(_WATTS),
        }
    )
    return RawActivity(
        format="tcx",
        samples=samples,
        sport=sport,
        notes=st.notes,
        device=st.device,
        start_time=start_time if start_time is not None else points.first_time,
        pauses=points.pauses(st.breaks),
        totals=_lap_totals(st, path),
        warnings=warnings,
    )


def _cadence_spm(
    run_cadence: np.ndarray | None, cadence: np.ndarray | None, sport: str | None
) -> np.ndarray | None:
    """Steps per minute (both feet) from RunCadence, else Cadence for foot sports."""
    values = run_cadence
    if sport in FOOT_SPORTS and cadence is not None:
        # The trackpoint's own Cadence is a bike's in the schema; Polar writes a run's there.
        values = cadence if values is None else np.where(np.isfinite(values), values, cadence)
    return cadence_spm(values, sport)


register_format("tcx", suffixes=(".tcx",), sniff=sniff_tcx, reader=read_tcx)
