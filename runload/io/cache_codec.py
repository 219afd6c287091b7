"""How a cache entry is stored: the samples blob and the JSON record.

Pure functions, no I/O: :mod:`runload.io.cache` stores what they return.

Samples are one zlib-compressed blob of byte-shuffled little-endian arrays
(times as int64 nanoseconds, then each column of
:data:`runload.schema.SAMPLE_COLUMNS` that is not all NaN, as float64): no
pickle, exact values.  Records (summary row, warnings, or the error a file
raised) are JSON, with timestamps, dates and non-finite floats tagged so they
come back as they went in.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import struct
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..schema import SAMPLE_COLUMNS, SUMMARY_FIELDS

__all__ = [
    "decode_samples",
    "dump_record",
    "encode_samples",
    "load_record",
    "valid_record",
]

_MAGIC = b"RLS2"
_HEADER = struct.Struct("<4sIII")


# -- samples blobs -----------------------------------------------------------------------
#
# Layout (before zlib): header (magic, rows, columns, bit mask of the columns
# present), then the time index (int64 ns) and each present column (float64),
# each *byte-shuffled*: all first bytes, then all second bytes...  Shuffling
# puts the slowly varying high bytes together, which deflates 25 % smaller and
# 30 % faster than the plain arrays; all-NaN columns are not stored at all.


def _shuffle(values: np.ndarray) -> bytes:
    return np.ascontiguousarray(values).view(np.uint8).reshape(-1, 8).T.tobytes()


def _unshuffle(raw: bytes, offset: int, n: int, dtype: str) -> np.ndarray:
    planes = np.frombuffer(raw, dtype=np.uint8, count=8 * n, offset=offset).reshape(8, n)
    return np.ascontiguousarray(planes.T).view(dtype).reshape(n)


def encode_samples(samples: pd.DataFrame, *, level: int = 1) -> bytes:
    """A samples frame as a compact, exact blob (see the comment above)."""
    n = len(samples)
    mask = 0
    times = pd.DatetimeIndex(samples.index).as_unit("ns").asi8
    parts = [_shuffle(np.asarray(times, dtype="<i8"))]
    for k, col in enumerate(SAMPLE_COLUMNS):
        if col not in samples:
            continue
        values = np.asarray(samples[col].to_numpy(dtype="float64"), dtype="<f8")
        if n and np.isnan(values).all():
            continue
        mask |= 1 << k
        parts.append(_shuffle(values))
    header = _HEADER.pack(_MAGIC, n, len(SAMPLE_COLUMNS), mask)
    return zlib.compress(header + b"".join(parts), level)


def decode_samples(blob: bytes) -> pd.DataFrame:
    """The samples frame of :func:`encode_samples`.

    Raises
    ------
    ValueError
        When the blob is damaged.
    """
    try:
        raw = zlib.decompress(blob)
    except zlib.error as exc:
        raise ValueError(f"damaged samples blob: {exc}") from exc
    if len(raw) < _HEADER.size:
        raise ValueError("damaged samples blob: too short")
    magic, n, ncols, mask = _HEADER.unpack_from(raw)
    if magic != _MAGIC or ncols != len(SAMPLE_COLUMNS) or mask >> ncols:
        raise ValueError("damaged samples blob: bad header")
    present = [k for k in range(ncols) if mask >> k & 1]
    if len(raw) != _HEADER.size + 8 * n * (1 + len(present)):
        raise ValueError("damaged samples blob: wrong length")
    pos = _HEADER.size
    t = _unshuffle(raw, pos, n, "<i8")
    pos += 8 * n
    cols = {}
    for k, col in enumerate(SAMPLE_COLUMNS):
        if k in present:
            cols[col] = _unshuffle(raw, pos, n, "<f8").astype("float64")
            pos += 8 * n
        else:
            cols[col] = np.full(n, np.nan)
    index = pd.DatetimeIndex(t.astype("datetime64[ns]"), name="time").tz_localize("UTC")
    return pd.DataFrame(cols, index=index, columns=pd.Index(SAMPLE_COLUMNS, dtype=object))


# -- records -----------------------------------------------------------------------------


def _to_json(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return {"$ts": int(value.value)}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": repr(value)}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if "$ts" in value:
            return pd.Timestamp(int(value["$ts"]), tz="UTC")
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if "$float" in value:
            return float(value["$float"])
    return value


def dump_record(record: Mapping[str, Any]) -> str:
    """A record (summary fields and bookkeeping) as JSON text."""
    out = {}
    for key, value in record.items():
        if isinstance(value, Mapping):
            out[key] = {k: _to_json(v) for k, v in value.items()}
        else:
            out[key] = _to_json(value)
    return json.dumps(out, allow_nan=False)


def load_record(text: str) -> dict[str, Any]:
    """The record of :func:`dump_record`.

    Raises
    ------
    ValueError
        When the text is damaged.
    """
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("record is not an object")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and not ({"$ts", "$date", "$float"} & value.keys()):
            out[key] = {k: _from_json(v) for k, v in value.items()}
        else:
            out[key] = _from_json(value)
    return out


def _optional_int(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def valid_record(record: Mapping[str, Any]) -> bool:
    """Whether a stored record has the shape a batch read needs.

    Either ``{"error": {"message": str, "reason": str, "offset": int|None,
    "line": int|None}}`` or ``{"summary": {every summary field}, "warnings":
    [str, ...], "extras": {...}}`` with the start a Timestamp and the local
    date a date.
    """
    err = record.get("error")
    if err is not None:
        return (
            isinstance(err, Mapping)
            and isinstance(err.get("message"), str)
            and isinstance(err.get("reason"), str)
            and _optional_int(err.get("offset"))
            and _optional_int(err.get("line"))
        )
    summary = record.get("summary")
    if not isinstance(summary, Mapping) or any(f not in summary for f in SUMMARY_FIELDS):
        return False
    if not isinstance(summary["activity_id"], str):
        return False
    start = summary["start_time_utc"]
    if not isinstance(start, pd.Timestamp) or start.tzinfo is None:
        return False
    if not isinstance(summary["local_date"], dt.date):
        return False
    warnings_ = record.get("warnings", [])
    if not isinstance(warnings_, list) or not all(isinstance(w, str) for w in warnings_):
        return False
    return isinstance(record.get("extras", {}), Mapping)
