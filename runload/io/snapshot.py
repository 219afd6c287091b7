"""Whole-batch snapshots: a second read of an unchanged source is one cache read.

The per-file cache spares parsing; a warm read of a large export still plans it
(parses the export's CSV), looks up thousands of entries and builds the tables
again.  When *nothing* under the source has changed, all of that gives the same
answer, so :func:`runload.read_activities` also stores the tables it returned
(activities, errors, warnings, manual entries, counts, and where each
activity's samples come from) under a *source key*:

* the path, size and modification time (to the nanosecond) of every file
  under each source folder (walked as planning walks it: symbolic links to
  folders are not entered), and of each source file;
* the read options, the limits, ``duplicates=``, and the code digest of the
  reading code (:func:`runload.io.cache.code_digest`).

A file added, removed, rewritten or touched changes the key, and the batch is
read file by file as usual (which itself skips the unchanged files).  A source
with a file modified in the last :data:`~runload.io.cache_identity.RACY_S`
seconds gets no key (its time could be reused by a second write), nor does one
that cannot be listed completely.  The same blind spot as file identities
applies (a file rewritten with its size and old time put back; see
:mod:`runload.io.cache_identity`); ``rehash=True`` reads everything.

The snapshot is zlib-compressed JSON of the tables column by column: no pickle,
and every value exact (floats are written with :func:`repr`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from ..schema import SUMMARY_DTYPES, SUMMARY_FIELDS, empty_activities
from .cache_identity import RACY_S
from .files import walk_folder
from .limits import ArchiveLimits
from .plan import Item
from .rows import ERROR_COLUMNS

__all__ = ["Snapshot", "decode", "encode", "source_key"]

_FORMAT = 1


class _Unsettled(Exception):
    """A source cannot be keyed: a file changed just now, or a folder could not be listed."""


def _stamp(path: Path, now_ns: int) -> list[Any]:
    try:
        st = os.stat(path)
    except OSError:
        return [os.fspath(path), None, None]  # a broken link or a vanished file: keyed as such
    if st.st_mtime_ns > now_ns - int(RACY_S * 1e9):
        raise _Unsettled(str(path))
    return [os.fspath(path), int(st.st_size), int(st.st_mtime_ns)]


def source_key(
    sources: Iterable[str | os.PathLike[str]],
    *,
    options_key: str,
    code: str,
    limits: ArchiveLimits,
    duplicates: bool,
) -> str | None:
    """The key of what a batch read of ``sources`` would see, or None when it cannot be told.

    One ``stat`` per file under the sources (about 10 ms per 1,000 files).
    """
    now_ns = time.time_ns()
    parts: list[Any] = [_FORMAT, code, options_key, repr(limits), bool(duplicates)]

    def unlisted(path: Path, exc: OSError) -> None:
        raise _Unsettled(str(path))

    try:
        for src in sources:
            path = Path(src).expanduser()
            if path.is_dir():
                parts.append(["dir", os.path.abspath(path)])
                parts.extend(
                    _stamp(child, now_ns) for child in walk_folder(path, on_error=unlisted)
                )
            else:
                parts.append(_stamp(Path(os.path.abspath(path)), now_ns))
    except _Unsettled:
        return None
    text = json.dumps(parts, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class Snapshot:
    """The tables of one batch read, and where each activity's samples come from."""

    activities: pd.DataFrame
    errors: pd.DataFrame
    warnings: pd.DataFrame
    manual: pd.Index
    stats: dict[str, float]
    entries: dict[str, tuple[Item | None, str | None]]


# -- columns --------------------------------------------------------------------------------


def _column(values: pd.Series, dtype: str) -> list[Any]:
    if dtype.startswith("datetime64"):
        return [int(v) for v in values.to_numpy(dtype="datetime64[ns]").view("int64")]
    if dtype == "float64":
        return [float(v) for v in values.to_numpy(dtype="float64")]
    if dtype in ("Int64", "boolean"):
        return [None if v is pd.NA else v for v in values.astype(object)]
    if dtype == "bool":
        return [bool(v) for v in values]
    out: list[Any] = []
    for v in values:
        if isinstance(v, dt.date):
            out.append({"d": v.isoformat()})
        elif v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
        else:
            out.append(v)
    return out


def _uncolumn(values: list[Any], dtype: str) -> Any:
    if dtype.startswith("datetime64"):
        stamps = pd.DatetimeIndex(np.asarray(values, dtype="datetime64[ns]"))
        return stamps.tz_localize("UTC").array
    if dtype == "float64":
        return np.asarray(values, dtype="float64")
    if dtype in ("Int64", "boolean", "bool"):
        return pd.array(values, dtype=cast(Any, dtype))
    return [dt.date.fromisoformat(v["d"]) if isinstance(v, dict) else v for v in values]


def encode(snapshot: Snapshot) -> bytes:
    """The snapshot as compressed JSON."""
    acts = snapshot.activities
    table = {
        "index": [str(i) for i in acts.index],
        "columns": {
            c: _column(acts[c], SUMMARY_DTYPES[c]) for c in SUMMARY_FIELDS if c != "activity_id"
        },
    }
    doc = {
        "format": _FORMAT,
        "activities": table,
        "errors": snapshot.errors[list(ERROR_COLUMNS)].astype(object).values.tolist(),
        "warnings": snapshot.warnings[["path", "message"]].astype(object).values.tolist(),
        "manual": [str(i) for i in snapshot.manual],
        "stats": snapshot.stats,
        "entries": {
            aid: None if item is None else [item.path, list(item.locator), content]
            for aid, (item, content) in snapshot.entries.items()
        },
    }
    return zlib.compress(json.dumps(doc, separators=(",", ":")).encode("utf-8"), 1)


def decode(blob: bytes) -> Snapshot:
    """The snapshot of :func:`encode`.

    Raises
    ------
    ValueError
        When the blob is damaged or of another format.
    """
    try:
        doc = json.loads(zlib.decompress(blob).decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"damaged snapshot: {exc}") from exc
    if not isinstance(doc, Mapping) or doc.get("format") != _FORMAT:
        raise ValueError("snapshot of another format")
    try:
        table = doc["activities"]
        index = pd.Index(table["index"], name="activity_id")
        if len(index):
            columns = {
                c: _uncolumn(table["columns"][c], SUMMARY_DTYPES[c])
                for c in SUMMARY_FIELDS
                if c != "activity_id"
            }
            # Built as the batch builds it (runload.io.rows.activities_frame), so that
            # pandas infers the same dtypes for the text columns.
            activities = pd.DataFrame(columns, index=index)
        else:
            activities = empty_activities()
        errors = pd.DataFrame(doc["errors"], columns=list(ERROR_COLUMNS)).astype("object")
        warnings = pd.DataFrame(doc["warnings"], columns=["path", "message"]).astype("object")
        manual = pd.Index(doc["manual"], dtype=object)
        stats = {str(k): v if isinstance(v, int) else float(v) for k, v in doc["stats"].items()}
        entries: dict[str, tuple[Item | None, str | None]] = {}
        for aid, entry in doc["entries"].items():
            if entry is None:
                entries[aid] = (None, None)
            else:
                path, locator, content = entry
                entries[aid] = (Item(str(path), tuple(str(x) for x in locator)), content)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"damaged snapshot: {type(exc).__name__}: {exc}") from exc
    return Snapshot(activities, errors, warnings, manual, stats, entries)
