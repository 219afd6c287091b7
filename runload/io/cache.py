"""The parsed-file cache: a second read of an unchanged export parses nothing.

Entries are keyed by the SHA-256 of a file's bytes (as stored: a ``.fit.gz`` is
hashed compressed), the read options that change the result (time zone,
elevation method, pause gap) and a *code digest*: the runload version plus a
hash of the source of the modules that read files, so that any change to a
reader invalidates what it produced.  An entry holds the summary row, the
data-quality warnings, or the error the file raised, and the samples.

Storage is one SQLite database (``activities-v1.sqlite``) in the cache folder,
chosen over Parquet because it is in the standard library, gives atomic
transactions for free, and answers thousands of key look-ups in milliseconds
(measured: see ``docs/exports.md``).  Samples are stored as one zlib-compressed
blob of byte-shuffled little-endian arrays (times as int64 nanoseconds, then
each column of :data:`runload.schema.SAMPLE_COLUMNS` that is not all NaN, as
float64): no pickle, exact values.

Location: the folder named by the environment variable ``RUNLOAD_CACHE_DIR``,
else the per-user cache folder of :func:`platformdirs.user_cache_dir`
(``~/.cache/runload`` on Linux).  Entries written by another code digest are
dropped when the cache is opened; :meth:`ActivityCache.clear` empties it.

Robustness: a damaged entry (unreadable record or samples) is deleted and the
file read again; a damaged database file is moved aside and a new one
started; a cache that cannot be written (read-only folder, locked by another
process for more than 10 s) is left alone with a warning, and reading goes on
without it.  The cache never makes a read fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import sqlite3
import struct
import time
import warnings
import zlib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import CacheWarning
from ..schema import SAMPLE_COLUMNS, SUMMARY_FIELDS

__all__ = [
    "CACHE_ENV",
    "DEFAULT_CACHE",
    "ActivityCache",
    "code_digest",
    "decode_samples",
    "default_cache_dir",
    "encode_samples",
    "options_digest",
    "resolve_cache",
]

#: Environment variable naming the cache folder.
CACHE_ENV = "RUNLOAD_CACHE_DIR"
_DB_NAME = "activities-v1.sqlite"
_MAGIC = b"RLS2"
_HEADER = struct.Struct("<4sIII")
#: Entries written before a commit (a crash loses at most this many), and the
#: longest a write transaction stays open, so that another process sharing the
#: cache waits at most that long. [entries], [s]
_COMMIT_EVERY = 200
_BUSY_TIMEOUT_S = 10.0

# Modules whose source decides what a file reads as (all of runload.io and the
# shared finalisation rules).
_CODE_MODULES = (
    "activity.py",
    "elevation.py",
    "geo.py",
    "localtime.py",
    "schema.py",
    "sports.py",
    "timezones.py",
)


def default_cache_dir() -> Path:
    """The cache folder: ``$RUNLOAD_CACHE_DIR``, else the user cache folder of platformdirs."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("runload", appauthor=False))


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The runload version plus a hash of the source of the file-reading code."""
    from .._version import __version__

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(__version__.encode())
    paths = sorted((root / "io").rglob("*.py")) + [root / name for name in _CODE_MODULES]
    for path in paths:
        try:
            h.update(path.name.encode())
            h.update(path.read_bytes())
        except OSError:
            h.update(b"?")
    return f"{__version__}+{h.hexdigest()[:12]}"


def options_digest(*, timezone: Any, elevation: Any, max_gap_s: float) -> str:
    """A short, stable digest of the read options that change a file's summary."""
    tz = getattr(timezone, "key", None) or (None if timezone is None else str(timezone))
    text = json.dumps([tz, repr(elevation), float(max_gap_s)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


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


class ActivityCache:
    """Parsed files on disk, keyed by content hash and read options.

    Parameters
    ----------
    directory : path, optional
        The cache folder (created when missing).  Default:
        :func:`default_cache_dir`.

    Notes
    -----
    Only the process that owns the instance writes (a batch read's parent
    process, never its workers), in transactions of up to 200 entries or 1 s.
    Several processes may share one cache folder: readers never wait (WAL
    journal), writers take turns.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = (
            Path(directory).expanduser() if directory is not None else default_cache_dir()
        )
        self.path = self.directory / _DB_NAME
        self._conn: sqlite3.Connection | None = None
        self._pending = 0
        self._last_commit = time.monotonic()
        self._disabled = False
        self._version = code_digest()

    # -- connection ------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection | None:
        if self._disabled:
            return None
        if self._conn is not None:
            return self._conn
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            conn = self._open()
        except sqlite3.DatabaseError:
            # Not a database (or damaged beyond use): move it aside, start afresh.
            try:
                os.replace(self.path, self.path.with_name(f"{_DB_NAME}.damaged-{os.getpid()}"))
                conn = self._open()
            except (OSError, sqlite3.Error) as exc:
                self._give_up(exc)
                return None
        except OSError as exc:
            self._give_up(exc)
            return None
        self._conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS entries (content TEXT NOT NULL, options TEXT NOT NULL, "
                "version TEXT NOT NULL, record TEXT NOT NULL, samples BLOB, created REAL NOT NULL, "
                "PRIMARY KEY (content, options))"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS entries_version ON entries (version)")
            # Housekeeping only: skipped when another process is writing.
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                conn.execute("DELETE FROM entries WHERE version != ?", (self._version,))
            except sqlite3.OperationalError:
                pass
            conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                conn.close()
                raise OSError(str(exc)) from exc
            conn.close()
            raise
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _give_up(self, exc: BaseException) -> None:
        if not self._disabled:
            warnings.warn(
                f"runload cache at {self.directory} not used: {exc}", CacheWarning, stacklevel=4
            )
        self._disabled = True
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
        self._conn = None
        return None

    # -- reading ---------------------------------------------------------------------

    def get(self, content: str, options: str) -> dict[str, Any] | None:
        """The record stored for (content hash, options), or None (a damaged one is dropped)."""
        conn = self._connect()
        if conn is None:
            return None
        try:
            row = conn.execute(
                "SELECT record FROM entries WHERE content = ? AND options = ?", (content, options)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        try:
            record = load_record(row[0])
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError):
            record = None
        if record is None or not valid_record(record):
            # Valid JSON of the wrong shape (an older or foreign writer, a damaged
            # entry): dropped, and the file is read again.
            self.discard(content, options)
            return None
        return record

    def samples(self, content: str, options: str) -> pd.DataFrame | None:
        """The samples stored for (content hash, options), or None (a damaged entry is dropped)."""
        conn = self._connect()
        if conn is None:
            return None
        try:
            row = conn.execute(
                "SELECT samples FROM entries WHERE content = ? AND options = ?", (content, options)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None or row[0] is None:
            return None
        try:
            return decode_samples(bytes(row[0]))
        except ValueError:
            self.discard(content, options)
            return None

    def __len__(self) -> int:
        conn = self._connect()
        if conn is None:
            return 0
        try:
            return int(conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0])
        except sqlite3.Error:
            return 0

    # -- writing ---------------------------------------------------------------------

    def put(
        self,
        content: str,
        options: str,
        record: Mapping[str, Any],
        samples: bytes | None = None,
    ) -> None:
        """Store one entry (committed in batches; see :meth:`flush`)."""
        conn = self._connect()
        if conn is None:
            return
        try:
            text = dump_record(record)
        except (TypeError, ValueError):
            return
        try:
            if self._pending == 0:
                conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                (content, options, self._version, text, samples, time.time()),
            )
            self._pending += 1
            if self._pending >= _COMMIT_EVERY or time.monotonic() - self._last_commit > 1.0:
                self.flush()
        except sqlite3.Error as exc:
            self._rollback()
            self._give_up(exc)

    def flush(self) -> None:
        """Commit the entries written so far."""
        if self._conn is None or self._pending == 0:
            return
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            self._give_up(exc)
        self._pending = 0
        self._last_commit = time.monotonic()

    def _rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        self._pending = 0

    def discard(self, content: str, options: str) -> None:
        """Delete one entry (a damaged one)."""
        conn = self._connect()
        if conn is None:
            return
        try:
            conn.execute(
                "DELETE FROM entries WHERE content = ? AND options = ?", (content, options)
            )
        except sqlite3.Error:
            pass

    def keys(self) -> Iterable[tuple[str, str]]:
        """The (content, options) keys of every entry."""
        conn = self._connect()
        if conn is None:
            return []
        try:
            return [tuple(r) for r in conn.execute("SELECT content, options FROM entries")]
        except sqlite3.Error:
            return []

    def clear(self) -> None:
        """Delete every entry."""
        conn = self._connect()
        if conn is None:
            return
        self.flush()
        try:
            conn.execute("DELETE FROM entries")
            conn.execute("VACUUM")
        except sqlite3.Error as exc:
            self._give_up(exc)

    def close(self) -> None:
        """Commit and close the database."""
        self.flush()
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
        self._conn = None

    def __enter__(self) -> ActivityCache:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ActivityCache({str(self.directory)!r})"

    def __getstate__(self) -> dict[str, Any]:
        # Sent to a worker by mistake: travel without the connection.
        state = self.__dict__.copy()
        state["_conn"] = None
        state["_pending"] = 0
        return state


# -- which cache a call means -------------------------------------------------------------


class _DefaultCache:
    def __repr__(self) -> str:
        return "<default cache>"


#: The default of ``cache=`` in :func:`runload.read_activities` and
#: :func:`runload.analyze_cohort`: the folder of :func:`default_cache_dir`.
DEFAULT_CACHE: Any = _DefaultCache()


def resolve_cache(cache: Any) -> ActivityCache | None:
    """The cache a ``cache=`` argument means: the one rule for every entry point.

    ``True`` or :data:`DEFAULT_CACHE` open the default folder, a path opens
    that folder, an :class:`ActivityCache` is used as it is, ``None`` and
    ``False`` mean no cache.  The caller closes a cache it opened here (one
    that ``is not cache``).

    Raises
    ------
    TypeError
        For anything else.
    """
    if cache is None or cache is False:
        return None
    if cache is True or cache is DEFAULT_CACHE:
        return ActivityCache()
    if isinstance(cache, ActivityCache):
        return cache
    if isinstance(cache, str | os.PathLike):
        return ActivityCache(cache)
    raise TypeError(
        "cache must be True, False, None, a folder path or an ActivityCache, "
        f"not {type(cache).__name__}"
    )
