"""What the GPX and TCX readers share: how a document is read, and what follows.

Each reader has one ``_Extract`` class that reads a document one of three ways
(:class:`TrackReading`); :func:`read_by_pattern`, :func:`read_parsed` and
:func:`read_streamed` start each reading the same way for both.

Both readers collect their points as text in a :class:`~runload.io.xmlsafe.PointTable`
(one row per point, one slot per value) and record where a new segment (GPX
``<trkseg>``, TCX ``<Track>``) starts.  :class:`TrackPoints` then does the rest
the same way for both: it converts the table, refuses a file whose every timed
point is dated outside 1980-2100, says what was dropped or unreadable, builds
the samples frame (positions outside the globe kept without a position, values
that are not finite read as missing, columns in the order of
:data:`runload.schema.SAMPLE_COLUMNS`) and turns segment starts into pauses.
:func:`free_points_before` is how both streaming passes free what they have read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from lxml import etree

from ..exceptions import ParseError
from ..schema import SAMPLE_COLUMNS
from .xmlsafe import PointTable, iter_end_elements, local_name, parse_tree
from .xmlscan import ScannedTrack, ScanSpec, scan_document

__all__ = [
    "TrackPoints",
    "TrackReading",
    "free_points_before",
    "has_ancestor",
    "read_by_pattern",
    "read_parsed",
    "read_streamed",
]

R = TypeVar("R", bound="TrackReading")


class TrackReading(Protocol):
    """One reading of a document by a reader (GPX's or TCX's ``_Extract``), in one of three ways.

    Each gives the reading itself, or None when the document must be read another way.
    """

    def run(self: R, elements: Iterator[etree._Element]) -> R: ...

    def run_tree(self: R, root: etree._Element) -> R | None: ...

    def run_scanned(self: R, root: etree._Element, scan: ScannedTrack) -> R | None: ...


def read_by_pattern(
    data: bytes, path: str, spec: ScanSpec, reading: Callable[[bytes, str], R]
) -> R | None:
    """The points read by pattern and the rest from the skeleton's tree; None if not proved."""
    found = scan_document(data, path, spec)
    return None if found is None else reading(data, path).run_scanned(*found)


def read_parsed(data: bytes, path: str, reading: Callable[[bytes, str], R]) -> R | None:
    """The document parsed whole and read from the tree; None when it must be streamed."""
    root = parse_tree(data, path=path)
    return None if root is None else reading(data, path).run_tree(root)


def read_streamed(
    data: bytes, path: str, tags: tuple[str, ...], reading: Callable[[bytes, str], R]
) -> R:
    """The document read in one streaming pass over the elements ``tags`` name.

    A fresh reading per pass: the stream is read again, in recover mode, when the
    strict pass fails on an undeclared prefix.
    """
    return iter_end_elements(
        data, tags=tags, consume=lambda elements: reading(data, path).run(elements), path=path
    )


def has_ancestor(element: etree._Element, tag: str) -> bool:
    """Whether an ancestor of ``element`` matches ``tag`` (``{*}name`` for any namespace)."""
    return next(element.iterancestors(tag), None) is not None


def free_points_before(point: etree._Element, *, container: str) -> None:
    """Delete the points a streaming pass has read before ``point``, to keep memory flat.

    Never the elements after it (the parser may already have built them).  In
    the element that normally holds the points (``container``: GPX ``trkseg``,
    TCX ``Track``) every earlier child goes; elsewhere (points directly in a
    GPX ``<trk>``, or in a TCX ``<Lap>``) only the run of points just before
    it, so that what the reader reads when that element ends (a track's name,
    a lap's totals) is still there.
    """
    parent = point.getparent()
    if parent is None:
        return
    end = parent.index(point)
    start = 0
    if local_name(parent.tag) != container:
        start = end
        while start > 0 and parent[start - 1].tag == point.tag:
            start -= 1
    del parent[start:end]


class TrackPoints:
    """The converted points of one track, and what was dropped on the way.

    Parameters
    ----------
    table : PointTable
        The points collected (converted here, see :meth:`PointTable.finish`).
    noun : str
        What a point is called in messages (``"track point"``, ``"trackpoint"``).
    time_tag : str
        The time element as shown in messages (``"<time>"``, ``"<Time>"``).
    path : str
        Where the document came from, for messages.

    Attributes
    ----------
    t_ns : ndarray of int64
        Times of the points kept (those with a readable time in 1980-2100). [ns, UTC]
    keep : ndarray of bool
        For every point collected, whether it was kept.
    values : dict of int to ndarray
        The numbers of each slot that holds any, at the kept points (NaN where missing).
    dropped : int
        Points without a time.
    warnings : list of str
        Points dropped (no time, dated outside 1980-2100) and unreadable numbers;
        :meth:`samples` adds positions outside the globe.

    Raises
    ------
    ParseError
        Reason ``"time_out_of_range"`` when every timed point is dated outside
        1980-2100 (an unset or faulty clock: refused, not wrapped).
    """

    def __init__(self, table: PointTable, *, noun: str, time_tag: str, path: str) -> None:
        self.t_ns, self.keep, self.values = table.finish()
        self.noun = noun
        self.dropped = table.dropped
        outside = table.out_of_range
        if self.t_ns.size == 0 and outside:
            raise ParseError(
                f"all {outside} timed {noun}s are dated outside 1980-2100: an unset or "
                "faulty clock; refused, not wrapped",
                path=path,
                reason="time_out_of_range",
            )
        self.warnings: list[str] = []
        if self.dropped:
            self.warnings.append(f"{self.dropped} {noun}(s) without {time_tag} dropped")
        if outside:
            self.warnings.append(f"{outside} {noun}(s) dated outside 1980-2100 dropped")
        if table.bad_numbers:
            self.warnings.append(f"{table.bad_numbers} unreadable number(s) read as missing")

    @property
    def first_time(self) -> pd.Timestamp | None:
        """The earliest kept time, None without points. [UTC]"""
        if self.t_ns.size == 0:
            return None
        return pd.Timestamp(int(self.t_ns.min()), tz="UTC")

    def samples(self, columns: Mapping[str, npt.NDArray[np.float64] | None]) -> pd.DataFrame:
        """The samples frame: a UTC ``time`` index and the columns given that hold values.

        Parameters
        ----------
        columns : mapping of str to ndarray or None
            Sample column name to its values at the kept points (None: the file
            has none).  ``latitude_deg`` and ``longitude_deg`` are kept only
            where both make a position on the globe; a point with any other
            position keeps its other values (a warning counts them), and
            without any valid position both columns are left out.  Values that
            are not finite read as NaN.  Other names are kept in the order of
            :data:`~runload.schema.SAMPLE_COLUMNS`.
        """
        n = self.t_ns.size
        kept: dict[str, npt.NDArray[np.float64]] = {}
        if n:
            nan = np.full(n, np.nan)
            lat = columns.get("latitude_deg")
            lon = columns.get("longitude_deg")
            lat = nan if lat is None else lat
            lon = nan if lon is None else lon
            valid = (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)  # False for NaN
            n_invalid = int(np.count_nonzero(~valid & (np.isfinite(lat) | np.isfinite(lon))))
            if n_invalid:
                self.warnings.append(
                    f"{n_invalid} {self.noun}(s) with an invalid position kept without it"
                )
            if valid.any():
                kept["latitude_deg"] = np.where(valid, lat, np.nan)
                kept["longitude_deg"] = np.where(valid, lon, np.nan)
            for name, column in columns.items():
                if column is not None and name not in ("latitude_deg", "longitude_deg"):
                    kept[name] = np.where(np.isfinite(column), column, np.nan)
        names = [c for c in SAMPLE_COLUMNS if c in kept]
        index = pd.DatetimeIndex(self.t_ns.view("M8[ns]"), name="time").tz_localize("UTC")
        return pd.DataFrame(
            np.column_stack([kept[c] for c in names]) if names else None,
            index=index,
            columns=pd.Index(names, dtype=object),
            dtype="float64",
        )

    def pauses(self, breaks: Iterable[int]) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """Pauses from segment starts.

        ``breaks`` are the numbers of points collected (kept or not) before each
        new segment; a break becomes a pause from the last kept point before it
        to the first kept point after it, when time passes between them.
        """
        t_ns = self.t_ns
        kept_before = np.concatenate(([0], np.cumsum(self.keep)))
        out = []
        for k in sorted({int(kept_before[b]) for b in breaks}):
            if 0 < k < t_ns.size and t_ns[k] > t_ns[k - 1]:
                out.append(
                    (pd.Timestamp(int(t_ns[k - 1]), tz="UTC"), pd.Timestamp(int(t_ns[k]), tz="UTC"))
                )
        return out
