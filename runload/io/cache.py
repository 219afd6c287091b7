"""The parsed-file cache: a second read of an unchanged export parses nothing.

Entries are keyed by the SHA-256 of a file's bytes (as stored: a ``.fit.gz`` is
hashed compressed), the read options that change the result (time zone,
elevation method, pause gap) and a *code digest*: the runload version plus a
hash of the source of the modules that read files, so that any change to a
reader invalidates what it produced.  An entry holds the summary row, the
data-quality warnings, or the error the file raised, and, once
:meth:`runload.ActivityLog.samples` has asked for them, the samples (stored as
:mod:`runload.io.cache_codec` encodes them: exact values, no pickle).

Storage is one SQLite database (``activities-v3.sqlite``) in the cache folder:
a table of entries (key, record, size, last use), a table of samples blobs
beside it, so that reading thousands of summaries touches only the small rows,
a table of file identities (:mod:`runload.io.cache_identity`) that lets a
warm read skip reading and hashing files that have not changed, and a table of
whole-batch snapshots (:mod:`runload.io.snapshot`) that lets a read of a
source in which nothing changed skip even the planning.  SQLite was
kept over Parquet and over ``diskcache`` by measurement (``docs/dependencies.md``,
``benchmarks/bench_cache.py``).

Location: the folder named by the environment variable ``RUNLOAD_CACHE_DIR``,
else the per-user cache folder of :func:`platformdirs.user_cache_dir`
(``~/.cache/runload`` on Linux).  Entries written by another code digest are
dropped when the cache is opened; :meth:`ActivityCache.clear` empties it
(``runload cache clear``).  Databases of the previous layouts
(``activities-v1.sqlite``, ``activities-v2.sqlite``), whose entries no current
reader could use, are deleted when the cache is opened.

Size: at most :data:`DEFAULT_MAX_BYTES` (2 GiB) unless ``max_bytes=`` or the
environment variable ``RUNLOAD_CACHE_MAX_BYTES`` says otherwise.  When the
database grows past it, the least recently used entries are evicted (down to
90 % of the limit, so that eviction does not run again at the next commit).
The check costs three ``PRAGMA`` reads and runs when the cache is opened and
at each commit, never on a read; last uses are recorded in memory and written
with the next commit, and only for entries whose stored last use is more than
an hour old, so repeated warm reads write nothing.

Warm reads without reading files: a caller ``stat``-s each file *before*
reading it (:func:`file_identity`; :func:`member_identity` for an archive
member, from the archive's directory), asks :meth:`ActivityCache.lookup_identities`
which content hash each unchanged file had, and fetches those records in one
go with :meth:`ActivityCache.get_many`.  Only the files with no answer to
either are read, hashed, parsed and :meth:`~ActivityCache.put`; their
identities are then given to :meth:`ActivityCache.remember_identities`.  When
an identity is trusted, and what that misses, is set out in
:mod:`runload.io.cache_identity`.

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
import os
import re
import sqlite3
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from ..exceptions import CacheWarning, InvalidOptionError
from .cache_codec import decode_samples, dump_record, encode_samples, load_record, valid_record
from .cache_identity import (
    FileIdentity,
    Identity,
    MemberIdentity,
    file_identity,
    identity_keys,
    member_identity,
    settled,
)

__all__ = [
    "CACHE_ENV",
    "DEFAULT_CACHE",
    "DEFAULT_MAX_BYTES",
    "MAX_BYTES_ENV",
    "ActivityCache",
    "CacheInfo",
    "FileIdentity",
    "Identity",
    "MemberIdentity",
    "code_digest",
    "decode_samples",
    "default_cache_dir",
    "default_max_bytes",
    "dump_record",
    "encode_samples",
    "file_identity",
    "load_record",
    "member_identity",
    "options_digest",
    "parse_size",
    "resolve_cache",
    "valid_record",
]

#: Environment variable naming the cache folder.
CACHE_ENV = "RUNLOAD_CACHE_DIR"
#: Environment variable setting the size limit (bytes, or with a unit: ``500M``, ``2GiB``).
MAX_BYTES_ENV = "RUNLOAD_CACHE_MAX_BYTES"
#: The size limit when neither ``max_bytes=`` nor :data:`MAX_BYTES_ENV` is given: about
#: 24,000 one-hour runs recorded at 1 Hz (85 KiB each), that is eight exports of
#: 3,000 runs, or every run of a 20-year daily habit read with three sets of options. [bytes]
DEFAULT_MAX_BYTES = 2 * 1024**3

_DB_NAME = "activities-v3.sqlite"
#: Earlier layouts, deleted when the cache is opened (their entries are unusable).
_OLD_DB_NAMES = ("activities-v1.sqlite", "activities-v2.sqlite")
#: A database is its file, its write-ahead log and its shared-memory index.
_DB_SUFFIXES = ("", "-wal", "-shm")
_SCHEMA_VERSION = 3
_SCHEMA = (
    # Small rows first: id, key, sizes and times, then the ~1 KB record.  The
    # samples live in their own table so that a scan of entries never walks
    # the overflow pages of an 85 KB blob.
    "CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, content TEXT NOT NULL, "
    "options TEXT NOT NULL, version TEXT NOT NULL, size INTEGER NOT NULL, "
    "created REAL NOT NULL, used REAL NOT NULL, record TEXT NOT NULL, "
    "UNIQUE (content, options))",
    "CREATE INDEX IF NOT EXISTS entries_used ON entries (used)",
    "CREATE INDEX IF NOT EXISTS entries_version ON entries (version)",
    "CREATE TABLE IF NOT EXISTS samples (id INTEGER PRIMARY KEY, blob BLOB NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS entries_samples AFTER DELETE ON entries "
    "BEGIN DELETE FROM samples WHERE id = OLD.id; END",
    "CREATE TABLE IF NOT EXISTS identities (location TEXT PRIMARY KEY, stamp TEXT NOT NULL, "
    "content TEXT NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS identities_content ON identities (content)",
    # Whole batches (runload.io.snapshot): the tables a read of an unchanged source gave.
    "CREATE TABLE IF NOT EXISTS batches (key TEXT PRIMARY KEY, version TEXT NOT NULL, "
    "used REAL NOT NULL, blob BLOB NOT NULL)",
)
#: Batch snapshots kept (the most recently used); each is about 0.1 KB per activity.
_BATCHES_KEPT = 16

#: Entries written before a commit (a crash loses at most this many), and the
#: longest a write transaction stays open, so that another process sharing the
#: cache waits at most that long. [entries], [s]
_COMMIT_EVERY = 200
_COMMIT_AFTER_S = 1.0
_BUSY_TIMEOUT_S = 10.0
#: A read records a new last use only when the stored one is older than this. [s]
_TOUCH_AFTER_S = 3600.0
#: Eviction brings the database down to this fraction of the limit.
_LOW_WATER = 0.9
#: Keys per ``IN (...)`` query (SQLite allows 999 parameters before 3.32).
_SQL_CHUNK = 500
#: What the write-ahead log is cut back to after a checkpoint. [bytes]
_WAL_LIMIT = 32 * 1024**2

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

_T = TypeVar("_T")


def default_cache_dir() -> Path:
    """The cache folder: ``$RUNLOAD_CACHE_DIR``, else the user cache folder of platformdirs."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("runload", appauthor=False))


_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?)\s*([kmgt]?)(i?b)?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(text: str) -> int:
    """A size in bytes from text: ``"2147483648"``, ``"500M"``, ``"2GiB"``, ``"1.5g"``.

    Units are binary (``K`` = 1024 bytes; ``KB`` and ``KiB`` mean the same).

    Raises
    ------
    ValueError
        When the text is not a size, or is not positive.
    """
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a size: {text!r} (give bytes, or a number with K, M, G or T)")
    value = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if value <= 0:
        raise ValueError(f"a size must be positive, not {text!r}")
    return value


def default_max_bytes() -> tuple[int, str]:
    """The size limit when none is given, and where it came from.

    ``$RUNLOAD_CACHE_MAX_BYTES`` when set (a :class:`CacheWarning` when it is
    not a size, and then the default), else :data:`DEFAULT_MAX_BYTES`.

    Returns
    -------
    (int, str)
        The limit [bytes] and its source: ``"RUNLOAD_CACHE_MAX_BYTES"`` or ``"default"``.
    """
    env = os.environ.get(MAX_BYTES_ENV, "").strip()
    if env:
        try:
            return parse_size(env), MAX_BYTES_ENV
        except ValueError as exc:
            warnings.warn(
                f"${MAX_BYTES_ENV} ignored: {exc}; the cache keeps its default limit",
                CacheWarning,
                stacklevel=3,
            )
    return DEFAULT_MAX_BYTES, "default"


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


def _chunks(items: Sequence[_T], size: int = _SQL_CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _utc(seconds: float | None) -> dt.datetime | None:
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


@dataclass(frozen=True)
class CacheInfo:
    """What :meth:`ActivityCache.info` reports.

    Attributes
    ----------
    directory, path : Path
        The cache folder and its database file.
    exists : bool
        Whether the database file exists (nothing is created to answer).
    entries : int
        Cached files (one per file and set of read options).
    identities : int
        Remembered file identities (:mod:`runload.io.cache_identity`).
    bytes_on_disk : int
        The database with its write-ahead log and shared-memory index, and any
        database of an earlier layout still there (deleted at the next use). [bytes]
    max_bytes : int
        The size limit. [bytes]
    max_bytes_source : str
        Where the limit came from: ``"argument"``, ``"RUNLOAD_CACHE_MAX_BYTES"``
        or ``"default"``.
    oldest_use, newest_use : datetime or None
        The least and most recent last use of an entry (UTC; to within an
        hour, see the module notes); None when there are no entries.
    """

    directory: Path
    path: Path
    exists: bool
    entries: int
    identities: int
    bytes_on_disk: int
    max_bytes: int
    max_bytes_source: str
    oldest_use: dt.datetime | None
    newest_use: dt.datetime | None


class ActivityCache:
    """Parsed files on disk, keyed by content hash and read options.

    Parameters
    ----------
    directory : path, optional
        The cache folder (created when missing).  Default:
        :func:`default_cache_dir`.
    max_bytes : int or str, optional
        The size limit [bytes] (a string may carry a unit: ``"500M"``).
        Default: ``$RUNLOAD_CACHE_MAX_BYTES``, else :data:`DEFAULT_MAX_BYTES`.

    Raises
    ------
    InvalidOptionError
        When ``max_bytes`` is not a positive size.

    Notes
    -----
    Only the process that owns the instance writes (a batch read's parent
    process, never its workers), in transactions of up to 200 entries or 1 s.
    Several processes may share one cache folder: readers never wait (WAL
    journal), writers take turns, and any of them may evict.

    Reads do not write: a read notes the entry's use in memory, and
    :meth:`flush` (called every 200 entries, after a batch read and by
    :meth:`close`) writes the uses, then evicts if the database is over the
    limit.  The limit covers the database file; its write-ahead log adds up to
    the size of one transaction (about 20 MB) while a batch is being written.

    The limit is checked, and the least recently used entries evicted, when the
    cache is opened and at each commit.  Evicting an entry also forgets the
    file identities that pointed at its content (when no other entry has it).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        max_bytes: int | str | None = None,
    ) -> None:
        self.directory = (
            Path(directory).expanduser() if directory is not None else default_cache_dir()
        )
        self.path = self.directory / _DB_NAME
        if max_bytes is None:
            self.max_bytes, self.max_bytes_source = default_max_bytes()
        else:
            self.max_bytes = _checked_limit(max_bytes)
            self.max_bytes_source = "argument"
        self._conn: sqlite3.Connection | None = None
        self._pending = 0
        self._last_commit = time.monotonic()
        self._touched: set[tuple[str, str]] = set()
        self._disabled = False
        self._version = code_digest()

    @property
    def usable(self) -> bool:
        """False once the cache has given up (a :class:`CacheWarning` said why)."""
        return not self._disabled

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
        self._remove_old_layouts()
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            # auto_vacuum only takes effect before the first table (and before WAL)
            # is written: it lets eviction and clear() give pages back to the disk.
            # On an existing database, setting it would wait for the write lock.
            if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
                conn.execute("PRAGMA busy_timeout = 0")
                try:
                    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
                except sqlite3.OperationalError:
                    pass  # another process is creating it
                conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA journal_size_limit = {_WAL_LIMIT}")
            self._create_schema(conn)
            # Housekeeping only: skipped when another process is writing.
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                self._housekeeping(conn)
            except sqlite3.OperationalError:
                self._rollback_conn(conn)
            conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
        except sqlite3.OperationalError as exc:
            conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise OSError(str(exc)) from exc
            raise
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    @staticmethod
    def _create_schema(conn: sqlite3.Connection) -> None:
        if conn.execute("PRAGMA user_version").fetchone()[0] == _SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Checked again under the lock: another process may have just made it.
            found = conn.execute("PRAGMA user_version").fetchone()[0]
            if found not in (0, _SCHEMA_VERSION):
                raise sqlite3.DatabaseError(f"unknown cache layout {found}")
            if found == 0:
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            ActivityCache._rollback_conn(conn)
            raise

    def _housekeeping(self, conn: sqlite3.Connection) -> None:
        """Drop entries of other code digests, and evict if over the limit."""
        stale = conn.execute(
            "SELECT 1 FROM entries WHERE version < ?1 OR version > ?1 LIMIT 1", (self._version,)
        ).fetchone()
        if stale is None and not self._over_limit(conn):
            return
        conn.execute("BEGIN IMMEDIATE")
        if stale is not None:
            conn.execute("DELETE FROM entries WHERE version < ?1 OR version > ?1", (self._version,))
            conn.execute("DELETE FROM batches WHERE version < ?1 OR version > ?1", (self._version,))
            self._forget_orphan_identities(conn)
        evicted = self._evict(conn)
        conn.execute("COMMIT")
        if evicted is not None:
            self._give_back(conn)

    def _files(self, names: Iterable[str]) -> list[Path]:
        return [self.directory / f"{name}{suffix}" for name in names for suffix in _DB_SUFFIXES]

    def _remove_old_layouts(self) -> None:
        for path in self._files(_OLD_DB_NAMES):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass

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

    # -- size limit ------------------------------------------------------------------

    @staticmethod
    def _pages(conn: sqlite3.Connection) -> tuple[int, int, int]:
        """(page size [bytes], pages in the file, free pages) as this connection sees them."""
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        count = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        return int(size), int(count), int(free)

    def _over_limit(self, conn: sqlite3.Connection) -> bool:
        size, count, _ = self._pages(conn)
        return size * count > self.max_bytes

    def _evict(self, conn: sqlite3.Connection) -> int | None:
        """Inside a write transaction: evict least recently used entries while over the limit.

        Returns the number evicted, or None when the file was within the limit.
        """
        page, count, free = self._pages(conn)
        if page * count <= self.max_bytes:
            return None
        used = page * (count - free)
        target = int(self.max_bytes * _LOW_WATER)
        evicted = 0
        # The pages an entry takes exceed its payload a little (page slack, indexes):
        # scale what to drop by the database's own ratio, then check again.
        while used > self.max_bytes:
            payload = conn.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()[0]
            if not payload:
                break
            need = (used - target) * payload / used
            victims: list[int] = []
            freed = 0
            cursor = conn.execute("SELECT id, size FROM entries ORDER BY used, id")
            try:
                while freed < need:
                    rows = cursor.fetchmany(256)
                    if not rows:
                        break
                    for entry_id, size in rows:
                        victims.append(entry_id)
                        freed += size
                        if freed >= need:
                            break
            finally:
                cursor.close()
            for chunk in _chunks(victims):
                conn.execute(f"DELETE FROM entries WHERE id IN ({_marks(len(chunk))})", chunk)
            evicted += len(victims)
            page, count, free = self._pages(conn)
            used = page * (count - free)
        if evicted:
            self._forget_orphan_identities(conn)
        return evicted

    @staticmethod
    def _forget_orphan_identities(conn: sqlite3.Connection) -> None:
        conn.execute(
            "DELETE FROM identities WHERE NOT EXISTS "
            "(SELECT 1 FROM entries WHERE entries.content = identities.content)"
        )

    def _give_back(self, conn: sqlite3.Connection) -> None:
        """Outside a transaction: return free pages beyond the limit to the disk (best effort)."""
        try:
            page, count, free = self._pages(conn)
            excess = min(free, count - self.max_bytes // page)
            if excess > 0:
                # One statement frees one page per step; executescript steps to the end.
                conn.executescript(f"PRAGMA incremental_vacuum({int(excess)});")
        except sqlite3.Error:
            pass

    # -- reading ---------------------------------------------------------------------

    def _note_use(self, content: str, options: str, used: float | None) -> None:
        if used is None or used < time.time() - _TOUCH_AFTER_S:
            self._touched.add((content, options))

    def get(self, content: str, options: str) -> dict[str, Any] | None:
        """The record stored for (content hash, options), or None (a damaged one is dropped)."""
        conn = self._connect()
        if conn is None:
            return None
        try:
            row = conn.execute(
                "SELECT record, used FROM entries WHERE content = ? AND options = ? "
                "AND version = ?",
                (content, options, self._version),
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        record = self._decode(content, options, row[0])
        if record is not None:
            self._note_use(content, options, row[1])
        return record

    def _decode(self, content: str, options: str, text: Any) -> dict[str, Any] | None:
        try:
            record = load_record(text)
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError):
            record = None
        if record is None or not valid_record(record):
            # Valid JSON of the wrong shape (an older or foreign writer, a damaged
            # entry): dropped, and the file is read again.
            self.discard(content, options)
            return None
        return record

    def has_entries(self, options: str) -> bool:
        """Whether any record is stored for these options (False when the cache cannot be read)."""
        conn = self._connect()
        if conn is None:
            return False
        try:
            row = conn.execute(
                "SELECT 1 FROM entries WHERE options = ? AND version = ? LIMIT 1",
                (options, self._version),
            ).fetchone()
        except sqlite3.Error:
            return False
        return row is not None

    def get_many(self, contents: Iterable[str], options: str) -> dict[str, dict[str, Any]]:
        """The records stored for many content hashes with one set of options, in bulk.

        One query per 500 keys; samples are not read.  Damaged records are
        dropped (and deleted) as by :meth:`get`.

        Parameters
        ----------
        contents : iterable of str
            Content hashes (duplicates are fine).
        options : str
            The options digest (:func:`options_digest`).

        Returns
        -------
        dict
            Content hash → record, for the hashes found; the others are missing.
        """
        conn = self._connect()
        if conn is None:
            return {}
        wanted = list(dict.fromkeys(contents))
        rows: list[tuple[str, str, float]] = []
        try:
            for chunk in _chunks(wanted):
                rows += conn.execute(
                    "SELECT content, record, used FROM entries WHERE options = ? AND version = ? "
                    f"AND content IN ({_marks(len(chunk))})",
                    (options, self._version, *chunk),
                ).fetchall()
        except sqlite3.Error:
            return {}
        found: dict[str, dict[str, Any]] = {}
        for content, text, used in rows:
            record = self._decode(content, options, text)
            if record is not None:
                found[content] = record
                self._note_use(content, options, used)
        return found

    def samples(self, content: str, options: str) -> pd.DataFrame | None:
        """The samples stored for (content hash, options), or None (a damaged entry is dropped)."""
        conn = self._connect()
        if conn is None:
            return None
        try:
            row = conn.execute(
                "SELECT samples.blob, entries.used FROM entries JOIN samples "
                "ON samples.id = entries.id "
                "WHERE entries.content = ? AND entries.options = ? AND entries.version = ?",
                (content, options, self._version),
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None or row[0] is None:
            return None
        try:
            frame = decode_samples(bytes(row[0]))
        except ValueError:
            self.discard(content, options)
            return None
        self._note_use(content, options, row[1])
        return frame

    def __len__(self) -> int:
        conn = self._connect()
        if conn is None:
            return 0
        try:
            return int(conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0])
        except sqlite3.Error:
            return 0

    # -- file identities -------------------------------------------------------------

    def lookup_identities(self, identities: Iterable[Identity | tuple[Any, ...]]) -> dict[Any, str]:
        """The content hash each unchanged file had when it was last hashed.

        An identity is trusted only when everything in it matches what was
        remembered for its location (see :mod:`runload.io.cache_identity`):
        same path, size and ``mtime_ns``; for an archive member the same
        archive (itself unchanged), member name, CRC-32 and size.  The hash
        returned may have no entry (evicted, or read with other options): ask
        :meth:`get_many`, and read the files it does not answer.

        Parameters
        ----------
        identities : iterable of FileIdentity, MemberIdentity or tuples of their shape

        Returns
        -------
        dict
            Identity (as given) → content hash, for the identities known; the others are missing.

        Raises
        ------
        TypeError
            When an identity has neither shape.
        """
        by_location: dict[str, list[tuple[Any, str]]] = {}
        for identity in identities:
            location, stamp = identity_keys(identity)
            by_location.setdefault(location, []).append((identity, stamp))
        conn = self._connect()
        if conn is None or not by_location:
            return {}
        found: dict[Any, str] = {}
        try:
            for chunk in _chunks(list(by_location)):
                for location, stamp, content in conn.execute(
                    "SELECT location, stamp, content FROM identities "
                    f"WHERE location IN ({_marks(len(chunk))})",
                    chunk,
                ):
                    for identity, wanted in by_location[location]:
                        if wanted == stamp:
                            found[identity] = content
        except sqlite3.Error:
            return {}
        return found

    def remember_identities(self, mapping: Mapping[Any, str]) -> int:
        """Remember the content hash of files just read, for :meth:`lookup_identities`.

        Take each identity *before* reading the file (``stat``, then read and
        hash): a file that changes in between then fails the next look-up
        instead of being trusted.  A file modified less than 2 s ago
        (:data:`runload.io.cache_identity.RACY_S`) is not remembered.  Written
        with the entries (committed by :meth:`flush`); one location keeps one
        identity, so a changed file replaces its old one.

        Parameters
        ----------
        mapping : mapping
            Identity (:class:`FileIdentity`, :class:`MemberIdentity` or a tuple of
            their shape) → content hash (the key given to :meth:`put`).

        Returns
        -------
        int
            How many were remembered (0 when the cache is not usable).

        Raises
        ------
        TypeError
            When an identity has neither shape or a hash is not a string.
        """
        now_ns = time.time_ns()
        rows: list[tuple[str, str, str]] = []
        for identity, content in mapping.items():
            if not isinstance(content, str):
                raise TypeError(f"a content hash is a str, not {type(content).__name__}")
            location, stamp = identity_keys(identity)
            if settled(identity, now_ns=now_ns):
                rows.append((location, stamp, content))
        conn = self._connect()
        if conn is None or not rows:
            return 0
        try:
            self._begin(conn)
            conn.executemany(
                "INSERT OR REPLACE INTO identities (location, stamp, content) VALUES (?, ?, ?)",
                rows,
            )
            self._pending += 1
            self._commit_if_due()
        except sqlite3.Error as exc:
            self._rollback()
            self._give_up(exc)
            return 0
        return len(rows)

    # -- writing ---------------------------------------------------------------------

    @staticmethod
    def _begin(conn: sqlite3.Connection) -> None:
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")

    def _commit_if_due(self) -> None:
        if self._pending >= _COMMIT_EVERY or time.monotonic() - self._last_commit > _COMMIT_AFTER_S:
            self.flush()

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
        now = time.time()
        size = len(text) + (len(samples) if samples is not None else 0)
        try:
            self._begin(conn)
            (entry_id,) = conn.execute(
                "INSERT INTO entries (content, options, version, size, created, used, record) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content, options) DO UPDATE SET "
                "version = excluded.version, size = excluded.size, created = excluded.created, "
                "used = excluded.used, record = excluded.record RETURNING id",
                (content, options, self._version, size, now, now, text),
            ).fetchone()
            if samples is None:
                conn.execute("DELETE FROM samples WHERE id = ?", (entry_id,))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO samples (id, blob) VALUES (?, ?)", (entry_id, samples)
                )
            self._touched.discard((content, options))
            self._pending += 1
            self._commit_if_due()
        except sqlite3.Error as exc:
            self._rollback()
            self._give_up(exc)

    def flush(self) -> None:
        """Commit what was written, record the uses noted by reads, and evict if over the limit."""
        conn = self._conn
        if conn is None or (self._pending == 0 and not self._touched):
            return
        evicted: int | None = None
        try:
            if self._touched:
                self._begin(conn)
                now = time.time()
                conn.executemany(
                    "UPDATE entries SET used = ? WHERE content = ? AND options = ?",
                    [(now, content, options) for content, options in self._touched],
                )
                self._touched.clear()
            if conn.in_transaction:
                evicted = self._evict(conn)
                conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            self._give_up(exc)
        self._pending = 0
        self._last_commit = time.monotonic()
        if evicted is not None and self._conn is not None:
            self._give_back(self._conn)

    @staticmethod
    def _rollback_conn(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _rollback(self) -> None:
        if self._conn is not None:
            self._rollback_conn(self._conn)
        self._pending = 0

    def discard(self, content: str, options: str) -> None:
        """Delete one entry (a damaged one)."""
        conn = self._connect()
        if conn is None:
            return
        self._touched.discard((content, options))
        try:
            conn.execute(
                "DELETE FROM entries WHERE content = ? AND options = ?", (content, options)
            )
        except sqlite3.Error:
            pass

    # -- whole batches ---------------------------------------------------------------

    def get_batch(self, key: str) -> bytes | None:
        """The snapshot stored under ``key`` (:mod:`runload.io.snapshot`), or None."""
        conn = self._connect()
        if conn is None:
            return None
        try:
            row = conn.execute(
                "SELECT blob FROM batches WHERE key = ? AND version = ?", (key, self._version)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        try:
            self._begin(conn)
            conn.execute("UPDATE batches SET used = ? WHERE key = ?", (time.time(), key))
            conn.execute("COMMIT")
        except sqlite3.Error:
            self._rollback()
        return bytes(row[0])

    def put_batch(self, key: str, blob: bytes) -> None:
        """Store a snapshot under ``key``, keeping the most recently used few."""
        conn = self._connect()
        if conn is None:
            return
        try:
            self._begin(conn)
            conn.execute(
                "INSERT OR REPLACE INTO batches (key, version, used, blob) VALUES (?, ?, ?, ?)",
                (key, self._version, time.time(), blob),
            )
            conn.execute(
                "DELETE FROM batches WHERE key NOT IN "
                "(SELECT key FROM batches ORDER BY used DESC LIMIT ?)",
                (_BATCHES_KEPT,),
            )
            self._pending += 1
            self.flush()
        except sqlite3.Error as exc:
            self._rollback()
            self._give_up(exc)

    def discard_batch(self, key: str) -> None:
        """Delete one snapshot (a damaged one)."""
        conn = self._connect()
        if conn is None:
            return
        try:
            self._begin(conn)
            conn.execute("DELETE FROM batches WHERE key = ?", (key,))
            conn.execute("COMMIT")
        except sqlite3.Error:
            self._rollback()

    def keys(self) -> Iterable[tuple[str, str]]:
        """The (content, options) keys of every entry."""
        conn = self._connect()
        if conn is None:
            return []
        try:
            return [tuple(r) for r in conn.execute("SELECT content, options FROM entries")]
        except sqlite3.Error:
            return []

    def info(self) -> CacheInfo:
        """Where the cache is, what it holds and how big it is (nothing is created to answer)."""
        on_disk = 0
        for path in self._files((_DB_NAME, *_OLD_DB_NAMES)):
            try:
                on_disk += path.stat().st_size
            except OSError:
                pass
        counts: tuple[int, int, float | None, float | None] = (0, 0, None, None)
        exists = self.path.is_file()
        conn = self._connect() if exists or self._conn is not None else None
        if conn is not None:
            try:
                entries, oldest, newest = conn.execute(
                    "SELECT COUNT(*), MIN(used), MAX(used) FROM entries"
                ).fetchone()
                (identities,) = conn.execute("SELECT COUNT(*) FROM identities").fetchone()
                counts = (int(entries), int(identities), oldest, newest)
            except sqlite3.Error:
                pass
        return CacheInfo(
            directory=self.directory,
            path=self.path,
            exists=exists,
            entries=counts[0],
            identities=counts[1],
            bytes_on_disk=on_disk,
            max_bytes=self.max_bytes,
            max_bytes_source=self.max_bytes_source,
            oldest_use=_utc(counts[2]),
            newest_use=_utc(counts[3]),
        )

    def clear(self) -> int:
        """Delete every entry and identity and give the space back to the disk.

        A database of an earlier layout is deleted too.

        Returns
        -------
        int
            How many entries were deleted (0 when there was no cache: nothing is created).
        """
        if self.directory.is_dir():
            self._remove_old_layouts()
        if self._conn is None and not self.path.is_file():
            return 0
        conn = self._connect()
        if conn is None:
            return 0
        self.flush()
        self._touched.clear()
        if self._conn is None:  # the flush gave up
            return 0
        try:
            self._begin(conn)
            (count,) = conn.execute("SELECT COUNT(*) FROM entries").fetchone()
            conn.execute("DELETE FROM samples")
            conn.execute("DELETE FROM entries")
            conn.execute("DELETE FROM identities")
            conn.execute("DELETE FROM batches")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            self._give_up(exc)
            return 0
        try:
            conn.executescript("PRAGMA incremental_vacuum;")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
        return int(count)

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
        state["_touched"] = set()
        return state


def _checked_limit(value: int | str) -> int:
    if isinstance(value, str):
        try:
            return parse_size(value)
        except ValueError as exc:
            raise InvalidOptionError(str(exc), reason="bad_cache_limit") from exc
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidOptionError(
            f"max_bytes must be a positive number of bytes, not {value!r}",
            reason="bad_cache_limit",
        )
    return value


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
