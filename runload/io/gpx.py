"""GPX 1.0 / 1.1 importer.

Reads the track points (``<trk>/<trkseg>/<trkpt>``) of a GPX file (see
:mod:`runload.io.xmlsafe` for the safety rules).  Elements are matched by
local name, so the default namespace of GPX 1.0, 1.1, none at all, and any
extension prefix (``gpxtpx:``, ``ns3:``, Strava's undeclared ``gpxdata:``)
read alike.

Three readings give the same result.  A regular document (every point in one
layout, as devices write them) of up to :data:`SCAN_MAX_BYTES` has its points
read by pattern (:mod:`runload.io.xmlscan`) and the rest from a tree of the
document without them, which is fastest; another document of up to
:data:`TREE_MAX_BYTES` is parsed whole, in C, and its points read from the
tree; a larger one (or one the tree reading
cannot read exactly as the stream would: points outside a ``<trkseg>``,
nested segments, track elements inside a point, malformed XML, an
undeclared prefix) is read in one streaming pass that frees the elements as it
goes, so memory stays flat.

Per point: ``lat``/``lon`` attributes, ``<ele>``, ``<time>``, and from the
extensions heart rate (``hr``, ``heartrate``), cadence (``cad``,
``cadence``), power (``power``, ``PowerInWatts``) and speed (``speed``, also
GPX 1.0's own ``<speed>``); temperature and the rest are ignored.  Points
without a ``<time>`` are dropped and counted.  The gap between the last point
of one segment (or track) and the first of the next is recorded as a pause.

Cadence becomes ``cadence_spm`` (steps of both feet) by the one rule of
:func:`runload.sports.cadence_spm`: strides of one foot (what Garmin's
extension holds) are doubled, steps are kept, for foot sports and for tracks
without a ``<type>``; for other sports it is left out, since a bike's
revolutions per minute are not steps.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from ..activity import RawActivity
from ..exceptions import ParseError
from ..sports import cadence_spm, gpx_sport
from .registry import register_format
from .xmlsafe import (
    PointTable,
    local_name,
    root_local_name,
    text_of,
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

__all__ = ["SCAN_MAX_BYTES", "SCAN_SPEC", "TREE_MAX_BYTES", "gpx_sport", "read_gpx", "sniff_gpx"]

#: Documents up to this size are parsed whole into a tree; larger ones are streamed. [bytes]
#: Reading the tree is about 20 % faster than streaming on typical files of up to 1-2 MB;
#: beyond that, walking a tree much larger than the CPU caches makes it slower than the stream.
TREE_MAX_BYTES = 2 * 2**20
#: Documents up to this size may be read by pattern (:mod:`runload.io.xmlscan`), which
#: holds the text and each value's string (a 13 MB GPX peaked at 4.3 times its size, the
#: tree at 8.3 times): a 1 Hz run of about 8 hours. [bytes]
SCAN_MAX_BYTES = 8 * 2**20

# Per-point value slots: lat and lon come from attributes, the rest from child elements.
_LAT, _LON, _ELE, _HR, _CAD, _POWER, _SPEED, _TIME = range(8)
_WIDTH = 8
_FIELDS: dict[str, int] = {
    "ele": _ELE,
    "hr": _HR,
    "heartrate": _HR,
    "cad": _CAD,
    "cadence": _CAD,
    "power": _POWER,
    "powerinwatts": _POWER,
    "speed": _SPEED,
    "time": _TIME,
}
#: Points between two trims of the already-read elements.
_TRIM_EVERY = 256

# Elements the streaming pass stops at.
_TRKPT, _TRKSEG, _TRK, _OTHER_TOP, _ROOT = range(5)
_KINDS: dict[str, int] = {
    "trkpt": _TRKPT,
    "trkseg": _TRKSEG,
    "trk": _TRK,
    "wpt": _OTHER_TOP,
    "rte": _OTHER_TOP,
    "metadata": _OTHER_TOP,
    "gpx": _ROOT,
}
_TAGS = tuple(f"{{*}}{name}" for name in _KINDS)
#: Field code, in the tree reading, of an element of one of the kinds above inside a point.
_NESTED_KIND = -1


class _NeedsStreaming(Exception):
    """The tree holds a structure that only the streaming pass reads as it should."""


def _tree_field(tag: object) -> int:
    """Value slot of a point's descendant with this tag (0: ignored), or :data:`_NESTED_KIND`."""
    name = local_name(tag)
    if name in _KINDS:
        return _NESTED_KIND
    return _FIELDS.get(name.lower(), 0)


def sniff_gpx(head: bytes) -> bool:
    """Whether ``head`` (the first bytes of a file) starts a document with a ``gpx`` root."""
    return root_local_name(head) == "gpx"


class _Extract:
    """State of one reading of a GPX document: a streaming pass (:meth:`run`) or a tree."""

    def __init__(self, data: bytes, path: str) -> None:
        self.table = PointTable(_WIDTH, time_slot=_TIME, path=path, data=data)
        self.segment_end = 0  # points seen at the end of the previous non-empty segment
        self.breaks: list[int] = []  # points seen (timed or not) when a new segment starts
        self.trk_name: str | None = None
        self.trk_desc: str | None = None
        self.trk_cmt: str | None = None
        self.trk_type: str | None = None
        self.meta_name: str | None = None
        self.meta_notes: str | None = None
        self.creator: str | None = None
        self.n_other = 0

    def run(self, elements: Iterator[etree._Element]) -> _Extract:
        kinds: dict[object, int] = {}
        fields: dict[object, int] = {}
        table = self.table
        rows = table.rows
        chunk = table.chunk
        n = 0
        for el in elements:
            kind = kinds.get(el.tag)
            if kind is None:
                kind = kinds[el.tag] = _KINDS.get(local_name(el.tag), -1)
            if kind == _TRKPT:
                row = [el.get("lat"), el.get("lon"), None, None, None, None, None, None]
                for child in el.iterdescendants():
                    code = fields.get(child.tag)
                    if code is None:
                        code = fields[child.tag] = _FIELDS.get(local_name(child.tag).lower(), 0)
                    if code:
                        row[code] = child.text
                rows.extend(row)
                n += 1
                if not n % _TRIM_EVERY:
                    free_points_before(el, container="trkseg")
                    if not n % chunk:
                        table.flush()
            elif kind == _TRKSEG:
                if n > self.segment_end:
                    if self.segment_end > 0:
                        self.breaks.append(self.segment_end)
                    self.segment_end = n
                el.clear()
            elif kind == _TRK:
                self._read_track_info(el)
                el.clear()
            elif kind == _OTHER_TOP:
                if local_name(el.tag) == "metadata":
                    self._read_metadata(el)
                else:
                    self.n_other += 1
                el.clear()
            elif kind == _ROOT and el.getparent() is None:
                self._read_root(el)
        return self

    def run_tree(self, root: etree._Element) -> _Extract | None:
        """Read a whole parsed document as :meth:`run` reads its stream.

        The stream is read in the order elements end, and elements already
        read are cleared or trimmed as it goes; the tree is read in document
        order and nothing is freed.  The two agree when every point is a
        child of a ``<trkseg>``, no segment lies inside another segment or a
        point, no point holds a track element (``trk``, ``wpt``...), and
        tracks and metadata blocks do not nest.  Returns None (read nothing)
        otherwise: the caller then streams the document.
        """
        if any(has_ancestor(segment, "{*}trkseg") for segment in root.iter("{*}trkseg")):
            return None  # the stream ends a segment where an inner one ends, even an empty one
        try:
            n_points = self._points_from_tree(root)
        except _NeedsStreaming:
            return None
        return self._read_rest(root, n_points)

    def run_scanned(self, root: etree._Element, scan: ScannedTrack) -> _Extract | None:
        """Read a document whose points :func:`~runload.io.xmlscan.scan_track` read.

        ``root`` is the parsed skeleton (the document without its points).
        The points are taken as :meth:`run_tree` would read them from the
        whole tree, under the same conditions; None (read nothing) when the
        skeleton holds a point outside the segments, or its segments are not
        the ones scanned or do not fit the points
        (:func:`~runload.io.xmlscan.fits_skeleton`).
        """
        if next(root.iter("{*}trkpt"), None) is not None:
            return None
        segments = list(root.iter("{*}trkseg"))
        if not fits_skeleton(scan, segments):
            return None
        n_points = 0
        for segment, count in zip(segments, scan.counts, strict=True):
            if count == 0:
                continue
            if has_ancestor(segment, "{*}trkseg"):
                return None
            if n_points:
                self.breaks.append(n_points)
            n_points += count
        self.table.add_columns(scan.columns)
        return self._read_rest(root, n_points)

    def _read_rest(self, root: etree._Element, n_points: int) -> _Extract | None:
        """Tracks, metadata and the root, once the points are read."""
        for trk in root.iter("{*}trk"):
            if has_ancestor(trk, "{*}trk"):
                return None
            self._read_track_info(trk)
        for metadata in root.iter("{*}metadata"):
            if has_ancestor(metadata, "{*}metadata"):
                return None
            self._read_metadata(metadata)
        if local_name(root.tag) == "gpx":
            self._read_root(root)
        if n_points == 0:  # routes and waypoints only matter when there is no track point
            self.n_other = sum(1 for _ in root.iter("{*}wpt", "{*}rte"))
        return self

    def _points_from_tree(self, root: etree._Element) -> int:
        """Collect every point of the tree; the number of points (timed or not)."""
        fields: dict[object, int] = {}
        table = self.table
        rows = table.rows
        chunk = table.chunk
        n = 0
        segment = None
        for el in root.iter("{*}trkpt"):
            parent = el.getparent()
            if parent is not segment:
                # A new segment: in the stream, the end of the previous one.
                if (
                    parent is None
                    or local_name(parent.tag) != "trkseg"
                    or has_ancestor(parent, "{*}trkseg")
                ):
                    raise _NeedsStreaming
                if n:
                    self.breaks.append(n)
                segment = parent
            row = [el.get("lat"), el.get("lon"), None, None, None, None, None, None]
            for child in el.iterdescendants():
                code = fields.get(child.tag)
                if code is None:
                    code = fields[child.tag] = _tree_field(child.tag)
                if code:
                    if code < 0:
                        raise _NeedsStreaming
                    row[code] = child.text
            rows.extend(row)
            n += 1
            if not n % chunk:
                table.flush()
        return n

    def _read_track_info(self, trk: etree._Element) -> None:
        for child in trk:
            name = local_name(child.tag)
            if name == "name" and self.trk_name is None:
                self.trk_name = text_of(child)
            elif name == "type" and self.trk_type is None:
                self.trk_type = text_of(child)
            elif name == "desc" and self.trk_desc is None:
                self.trk_desc = text_of(child)
            elif name == "cmt" and self.trk_cmt is None:
                self.trk_cmt = text_of(child)

    def _read_metadata(self, parent: etree._Element) -> None:
        for child in parent:
            name = local_name(child.tag)
            if name == "name" and self.meta_name is None:
                self.meta_name = text_of(child)
            elif name == "desc" and self.meta_notes is None:
                self.meta_notes = text_of(child)

    def _read_root(self, root: etree._Element) -> None:
        creator = root.get("creator")
        self.creator = (creator.strip() or None) if creator is not None else None
        # GPX 1.0 keeps name and desc directly under <gpx>.
        self._read_metadata(root)


def read_gpx(data: bytes, *, path: str) -> RawActivity:
    """Read the track of a GPX document.

    Parameters
    ----------
    data : bytes
        The (decompressed) GPX document.
    path : str
        Where it came from, for messages.

    Returns
    -------
    RawActivity
        ``format="gpx"``; samples with a UTC ``time`` index and the columns
        the file has (``latitude_deg``, ``longitude_deg``, ``elevation_m``,
        ``heart_rate_bpm``, ``cadence_spm`` [both feet], ``power_w``,
        ``speed_m_s``); pauses between segments; ``sport`` from
        ``<trk><type>``; ``name``, ``notes`` (``desc``/``cmt``) and ``device``
        (the ``creator`` attribute).

    Raises
    ------
    UnsafeInputError
        The file declares a DOCTYPE or entities (reason ``"doctype"``).
    ParseError
        Malformed XML (``"xml_syntax"``), an unreadable time (``"bad_time"``),
        or no timed track point (``"empty"``).
    """
    state = _read_scanned(data, path) if len(data) <= SCAN_MAX_BYTES else None
    if state is None and len(data) <= TREE_MAX_BYTES:
        state = _read_parsed(data, path)
    if state is None:
        state = _read_stream(data, path)
    return _assemble(state, path)


def _read_parsed(data: bytes, path: str) -> _Extract | None:
    return read_parsed(data, path, _Extract)


#: The points as :mod:`runload.io.xmlscan` reads them.
SCAN_SPEC = ScanSpec(
    point="trkpt",
    container="trkseg",
    structure=frozenset(_KINDS),
    fields=_FIELDS,
    attributes={"lat": _LAT, "lon": _LON},
    time_slot=_TIME,
)


def _read_scanned(data: bytes, path: str) -> _Extract | None:
    return read_by_pattern(data, path, SCAN_SPEC, _Extract)


def _read_stream(data: bytes, path: str) -> _Extract:
    return read_streamed(data, path, _TAGS, _Extract)


def _assemble(st: _Extract, path: str) -> RawActivity:
    sport, sub_sport = gpx_sport(st.trk_type)
    points = TrackPoints(st.table, noun="track point", time_tag="<time>", path=path)
    if points.t_ns.size == 0:
        if points.dropped:
            what = f"all {points.dropped} track points lack a <time>"
        elif st.n_other:
            what = "no track points (routes or waypoints only)"
        else:
            what = "no track points"
        raise ParseError(f"nothing to import: {what}", path=path, reason="empty")
    values = points.values
    samples = points.samples(
        {
            "latitude_deg": values.get(_LAT),
            "longitude_deg": values.get(_LON),
            "elevation_m": values.get(_ELE),
            "speed_m_s": values.get(_SPEED),
            "heart_rate_bpm": values.get(_HR),
            "cadence_spm": cadence_spm(values.get(_CAD), sport),
            "power_w": values.get(_POWER),
        }
    )
    return RawActivity(
        format="gpx",
        samples=samples,
        sport=sport,
        sub_sport=sub_sport,
        name=st.trk_name or st.meta_name,
        notes=st.trk_desc or st.trk_cmt or st.meta_notes,
        device=st.creator,
        start_time=points.first_time,
        pauses=points.pauses(st.breaks),
        warnings=points.warnings,
    )


register_format("gpx", suffixes=(".gpx",), sniff=sniff_gpx, reader=read_gpx)
