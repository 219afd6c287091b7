"""Reading many files: :func:`read_activities` and the :class:`ActivityLog` it returns.

One bad file never stops a batch: it becomes a row of ``ActivityLog.errors``
(path, reason code, message) and a :class:`~runload.SkippedFileWarning`.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..activity import DEFAULT_MAX_GAP_S, Activity
from ..elevation import DEFAULT_ELEVATION_GAIN, ElevationGain
from ..exceptions import RunloadError, SkippedFileWarning
from ..schema import SUMMARY_DTYPES, SUMMARY_FIELDS, empty_activities
from .core import read_bytes

__all__ = ["ERROR_COLUMNS", "ActivityLog", "Item", "discover", "read_activities"]

#: Columns of ``ActivityLog.errors``.
ERROR_COLUMNS: tuple[str, ...] = ("path", "reason", "message")

_ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")


@dataclass(frozen=True)
class Item:
    """One file to read: where it is shown as coming from, and how to get its bytes.

    ``locator`` is a plain tuple so that items can be sent to worker processes:
    ``("file", path)`` reads a file.  ``meta`` holds summary fields that
    override what the file says (an export's name, gear or sport).
    """

    path: str
    locator: tuple[str, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)


def _is_activity_file(name: str) -> bool:
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return lower.endswith(_ACTIVITY_SUFFIXES)


def discover(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> Iterator[Item]:
    """The files a source stands for: a file, a folder (recursive, sorted) or a list of them."""
    if isinstance(source, str | os.PathLike):
        sources: Iterable[str | os.PathLike[str]] = [source]
    else:
        sources = source
    for src in sources:
        path = Path(src)
        if path.is_dir():
            for sub in sorted(p for p in path.rglob("*") if p.is_file()):
                if _is_activity_file(sub.name):
                    yield Item(str(sub), ("file", str(sub)))
        else:
            yield Item(str(path), ("file", str(path)))


def load_item(item: Item) -> bytes:
    """The bytes of an item."""
    kind = item.locator[0]
    if kind == "file":
        try:
            with open(item.locator[1], "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise RunloadError(
                f"cannot open: {exc.strerror or exc}", path=item.path, reason="unreadable"
            ) from exc
    raise RunloadError(f"unknown item kind {kind!r}", path=item.path, reason="internal")


@dataclass(frozen=True)
class ReadOptions:
    """Options passed to every file read in a batch."""

    timezone: str | dt.tzinfo | None = None
    elevation: ElevationGain = DEFAULT_ELEVATION_GAIN
    max_gap_s: float = DEFAULT_MAX_GAP_S


def read_item(item: Item, options: ReadOptions) -> Activity:
    """Read one item into an :class:`Activity`, applying its ``meta`` overrides."""
    activity = read_bytes(
        load_item(item),
        path=item.path,
        timezone=options.timezone,
        elevation=options.elevation,
        max_gap_s=options.max_gap_s,
    )
    if item.meta:
        from dataclasses import replace

        known = {k: v for k, v in item.meta.items() if k in SUMMARY_FIELDS and v is not None}
        activity = replace(activity, **known)
    return activity


class ActivityLog:
    """What a batch read found: the activities table, the errors table, and the samples.

    Attributes
    ----------
    activities : DataFrame
        One row per activity, indexed by ``activity_id``; columns are the
        summary fields (see :mod:`runload.schema`), sorted by start time.
    errors : DataFrame
        One row per file that could not be read (or was left out, such as a
        duplicate): ``path``, ``reason`` (a short code), ``message``.
    warnings : DataFrame
        Data-quality warnings raised while reading files that were kept
        (CRC mismatch, truncation, dropped points): ``path``, ``message``.
    """

    def __init__(
        self,
        activities: pd.DataFrame,
        errors: pd.DataFrame,
        *,
        warnings: pd.DataFrame | None = None,
        loader: Callable[[str], pd.DataFrame] | None = None,
    ) -> None:
        self.activities = activities
        self.errors = errors
        self.warnings = (
            warnings if warnings is not None else pd.DataFrame(columns=["path", "message"])
        )
        self._loader = loader

    def samples(self, activity_id: str) -> pd.DataFrame:
        """The samples of one activity (read again from its source on demand)."""
        if activity_id not in self.activities.index:
            raise KeyError(f"no activity {activity_id!r} in this log")
        if self._loader is None:
            raise RunloadError("this log has no access to the source files", reason="no_samples")
        return self._loader(activity_id)

    def __len__(self) -> int:
        return len(self.activities)

    def __repr__(self) -> str:
        return f"ActivityLog({len(self.activities)} activities, {len(self.errors)} errors)"


def activities_frame(rows: list[pd.Series]) -> pd.DataFrame:
    """The activities table from summary rows (typed, sorted by start time)."""
    if not rows:
        return empty_activities()
    frame = pd.DataFrame(rows)
    frame.index.name = "activity_id"
    frame = frame.reindex(columns=[c for c in SUMMARY_FIELDS if c != "activity_id"])
    for col, dtype in SUMMARY_DTYPES.items():
        if col in frame.columns and dtype != "object":
            frame[col] = frame[col].astype(pd.api.types.pandas_dtype(dtype))
    return frame.sort_values("start_time_utc", kind="stable")


def errors_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """The errors table from (path, reason, message) rows."""
    return pd.DataFrame(rows, columns=list(ERROR_COLUMNS)).astype("object")


def read_activities(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    timezone: str | dt.tzinfo | None = None,
    elevation: ElevationGain = DEFAULT_ELEVATION_GAIN,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
) -> ActivityLog:
    """Read every activity file in ``source``.

    Parameters
    ----------
    source : path or list of paths
        Files and folders (searched recursively for ``.fit``, ``.gpx``,
        ``.tcx``, each optionally ``.gz``).
    timezone, elevation, max_gap_s
        As for :func:`runload.read_activity`.

    Returns
    -------
    ActivityLog
        ``activities`` (one row per activity, indexed by ``activity_id``),
        ``errors`` (files that could not be read, with a reason), and
        ``samples(activity_id)``.
    """
    options = ReadOptions(timezone=timezone, elevation=elevation, max_gap_s=max_gap_s)
    items = list(discover(source))
    rows: list[pd.Series] = []
    errors: list[tuple[str, str, str]] = []
    notes: list[tuple[str, str]] = []
    by_id: dict[str, Item] = {}
    for item in items:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                activity = read_item(item, options)
            notes.extend((item.path, str(w.message)) for w in caught)
        except RunloadError as exc:
            errors.append((item.path, exc.reason, str(exc)))
            continue
        if activity.activity_id in by_id:
            first = by_id[activity.activity_id].path
            errors.append(
                (item.path, "duplicate", f"{item.path}: same content as {first} [duplicate]")
            )
            continue
        by_id[activity.activity_id] = item
        rows.append(activity.summary())

    failed = sum(1 for e in errors if e[1] != "duplicate")
    if failed:
        warnings.warn(
            f"{failed} of {len(items)} files could not be read; see ActivityLog.errors",
            SkippedFileWarning,
            stacklevel=2,
        )

    def loader(activity_id: str) -> pd.DataFrame:
        return read_item(by_id[activity_id], options).samples

    return ActivityLog(
        activities_frame(rows),
        errors_frame(errors),
        warnings=pd.DataFrame(notes, columns=["path", "message"]).astype("object"),
        loader=loader,
    )
