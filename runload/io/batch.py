"""Reading many files: :func:`read_activities` and the :class:`ActivityLog` it returns.

A *source* is any mix of activity files, folders (searched recursively), zip
archives, and the bulk exports of Strava (:mod:`runload.io.strava`) and Garmin
Connect (:mod:`runload.io.garmin`), whether still zipped or extracted.

How a batch runs:

1. **Plan.**  Every source is turned into :class:`Item` s (one per file or
   archive member to read, with the metadata an export gives it), summary-only
   activities (export rows without a readable file) and error rows.
2. **Load and hash** (in the calling process).  Each item's bytes are read,
   archive members under the caps of :mod:`runload.io.archive`, and hashed;
   when the cache (:mod:`runload.io.cache`) knows the hash, nothing is parsed.
3. **Parse** (in worker processes).  The remaining items go to a process pool
   in small chunks, at most a few chunks in flight, so the parent never holds
   more than a handful of files.  Workers return summary rows, warnings and
   (for the cache) compressed samples, never whole activities.  Fewer than
   :data:`SEQUENTIAL_BELOW` files to parse are parsed in the calling process:
   starting a pool costs more than it saves.  Any
   :class:`concurrent.futures.Executor` can be passed instead, a Dask
   ``client.get_executor()`` included.
4. **Combine.**  Export metadata is applied (names, sport, gear), exact and
   near duplicates are resolved (:mod:`runload.io.duplicates`), and the
   activities, errors and warnings tables are built.

One bad file never stops a batch: it becomes a row of ``ActivityLog.errors``
(path, reason code, message), and a :class:`~runload.SkippedFileWarning` is
emitted once.  A worker process that dies takes no other file with it: the
files it held are retried one at a time in a fresh pool, and the one that
kills its worker again is recorded with the reason ``worker_crashed``.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import multiprocessing
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..activity import (
    DEFAULT_MAX_GAP_S,
    Activity,
    classify_surface,
    plausible_totals,
    time_in_range,
)
from ..elevation import DEFAULT_ELEVATION_GAIN, ElevationGain
from ..exceptions import RunloadError, SkippedFileWarning
from ..localtime import infer_missing_offsets, local_date, resolve_offset
from ..schema import SUMMARY_DTYPES, SUMMARY_FIELDS, empty_activities, empty_samples
from ..timezones import check_timezone
from .archive import DEFAULT_LIMITS, ArchiveLimits, ArchiveStack, is_zip
from .core import read_bytes
from .files import check_regular_file, read_regular_file, walk_folder
from .registry import gunzip_bounded, is_gzip

__all__ = [
    "ERROR_COLUMNS",
    "SEQUENTIAL_BELOW",
    "ActivityLog",
    "Item",
    "ReadOptions",
    "discover",
    "load_item",
    "read_activities",
    "read_item",
]

#: Columns of ``ActivityLog.errors``.
ERROR_COLUMNS: tuple[str, ...] = ("path", "reason", "message")

#: Batches with fewer files than this to parse are parsed in the calling
#: process: a pool's start-up (about 0.5 s, importing numpy and pandas in the
#: first worker) costs more than it saves on a few files of 10-100 ms each.
SEQUENTIAL_BELOW = 24

_ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
#: Largest chunk sent to a worker: this many files or this many bytes. [files], [bytes]
_CHUNK_FILES = 4
_CHUNK_BYTES = 2 << 20

_KEEP = object()


# -- items ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One file to read: where it is shown as coming from, and how to get its bytes.

    Attributes
    ----------
    path : str
        The display path, used in the activities and errors tables.  Members
        of archives are shown as ``archive.zip!member``; for Garmin exports the
        account e-mail in names is replaced by ``<account>``.
    locator : tuple of str
        How to get the bytes, picklable: ``("file", path)`` or
        ``("zip", archive_path, member[, inner member])``.
    meta : mapping
        Summary fields that override what the file says (an export's name,
        notes, gear, sport and sub-sport).
    fallback : mapping, optional
        A summary-only row to use when the file cannot be read (an export row
        still describes a real activity).
    group : str, optional
        The export the item belongs to, for metadata joined after parsing.
    redact : bool
        Whether messages about this item must pass through the export's
        redaction (Garmin account e-mails).
    """

    path: str
    locator: tuple[str, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)
    fallback: Mapping[str, Any] | None = None
    group: str | None = None
    redact: bool = False


@dataclass
class Plan:
    """What a source stands for: items to read, summary-only rows, errors, joins.

    ``warnings`` are (path, message) rows about export metadata that was read
    with something left out; ``manual`` holds the activity ids of summary-only
    rows that are manual entries (no file was ever recorded).
    """

    items: list[Item] = field(default_factory=list)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    joins: list[Any] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    manual: set[str] = field(default_factory=set)


def is_macos_metadata(name: str) -> bool:
    """Whether a name is macOS metadata: a ``._name`` resource fork or under ``__MACOSX/``."""
    lower = name.replace("\\", "/").lower()
    return lower.rsplit("/", 1)[-1].startswith("._") or "__macosx/" in lower


def is_activity_name(name: str) -> bool:
    """Whether a file or member name is an activity file.

    It is when it ends in ``.fit``, ``.gpx`` or ``.tcx`` (each optionally
    ``.gz``), and is not macOS metadata (``._name`` resource forks and the
    ``__MACOSX/`` folder that zips made on a Mac carry).
    """
    if is_macos_metadata(name):
        return False
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return lower.endswith(_ACTIVITY_SUFFIXES)


def _is_zip_file(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        check_regular_file(path)
        with open(path, "rb") as fh:
            return is_zip(fh.read(4))
    except (OSError, RunloadError):
        return False


def plan_sources(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    timezone: str | dt.tzinfo | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> Plan:
    """Turn a source (files, folders, archives, exports) into a :class:`Plan`."""
    sources: Iterable[str | os.PathLike[str]]
    sources = [source] if isinstance(source, str | os.PathLike) else source
    plan = Plan()
    for src in sources:
        path = Path(src).expanduser()
        if path.is_dir():
            _plan_dir(path, plan, timezone=timezone, limits=limits)
        elif path.is_file() and _is_zip_file(path):
            _plan_zip(path, plan, timezone=timezone, limits=limits)
        else:
            plan.items.append(Item(str(path), ("file", str(path))))
    return plan


def _plan_dir(
    folder: Path, plan: Plan, *, timezone: str | dt.tzinfo | None, limits: ArchiveLimits
) -> None:
    """Walk a folder (iteratively: no depth limit, no symbolic links to folders, no loops)."""
    from . import garmin, strava

    def export(path: Path) -> bool:
        if strava.is_strava_dir(path):
            strava.plan_dir(path, plan, timezone=timezone, limits=limits)
            return True
        if garmin.is_garmin_dir(path):
            garmin.plan_dir(path, plan, timezone=timezone, limits=limits)
            return True
        return False

    def unlisted(path: Path, exc: OSError) -> None:
        plan.errors.append((str(path), "unreadable", f"{path}: cannot list: {exc}"))

    if export(folder):
        return
    for child in walk_folder(folder, enter=lambda p: not export(p), on_error=unlisted):
        if is_activity_name(child.name):
            plan.items.append(Item(str(child), ("file", str(child))))
        elif child.suffix.lower() == ".zip" and not is_macos_metadata(child.name):
            _plan_zip(child, plan, timezone=timezone, limits=limits)


def _plan_zip(
    path: Path, plan: Plan, *, timezone: str | dt.tzinfo | None, limits: ArchiveLimits
) -> None:
    from . import garmin, strava
    from .archive import SafeZip

    display = str(path)
    try:
        check_regular_file(path, display=display)
        archive = SafeZip(path, display=display, limits=limits)
    except RunloadError as exc:
        plan.errors.append((display, exc.reason, str(exc)))
        return
    with archive:
        if strava.is_strava_zip(archive):
            strava.plan_zip(path, archive, plan, timezone=timezone, limits=limits)
        elif garmin.is_garmin_zip(archive):
            garmin.plan_zip(path, archive, plan, timezone=timezone, limits=limits)
        else:
            plan_generic_zip(path, archive, plan)


def plan_generic_zip(
    path: Path,
    archive: Any,
    plan: Plan,
    *,
    chain: tuple[str, ...] = (),
    redact: Callable[[str], str] | None = None,
    group: str | None = None,
    members: Iterable[Any] | None = None,
) -> None:
    """Items for the activity files of an archive, descending into archives inside it."""
    show = redact or (lambda s: s)
    for member in archive if members is None else members:
        lower = member.key.lower()
        if is_activity_name(lower):
            plan.items.append(
                Item(
                    show(archive.path_of(member)),
                    ("zip", str(path), *chain, member.name),
                    group=group,
                    redact=redact is not None,
                )
            )
        elif lower.endswith(".zip") and not is_macos_metadata(lower):
            try:
                inner = archive.open_nested(member)
            except RunloadError as exc:
                shown = show(archive.path_of(member))
                plan.errors.append((shown, exc.reason, show(str(exc))))
                continue
            with inner:
                plan_generic_zip(
                    path, inner, plan, chain=(*chain, member.name), redact=redact, group=group
                )


def discover(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> Iterator[Item]:
    """The files a source stands for: files, folders (recursive, sorted), archives, exports."""
    yield from plan_sources(source).items


# -- loading and parsing ------------------------------------------------------------------


def _read_file(item: Item, max_bytes: int) -> bytes:
    return read_regular_file(item.locator[1], display=item.path, max_bytes=max_bytes)


def _load(item: Item, stack: ArchiveStack) -> bytes:
    kind = item.locator[0]
    if kind == "file":
        return _read_file(item, stack.limits.max_file_bytes)
    if kind == "zip":
        chain = tuple(item.locator[1:-1])
        archive = stack.get(chain, _top_display(item))
        try:
            return archive.read(item.locator[-1])
        except RunloadError as exc:
            raise RunloadError(exc.message, path=item.path, reason=exc.reason) from exc
    raise RunloadError(f"unknown item kind {kind!r}", path=item.path, reason="internal")


def _top_display(item: Item) -> str:
    # The display path of the outermost archive: the item's path up to the first "!".
    return item.path.split("!", 1)[0] if "!" in item.path else item.locator[1]


def load_item(item: Item, *, limits: ArchiveLimits = DEFAULT_LIMITS) -> bytes:
    """The bytes of an item (a file, or a member of an archive read under ``limits``)."""
    stack = ArchiveStack(limits)
    try:
        return _load(item, stack)
    finally:
        stack.close()


@dataclass(frozen=True)
class ReadOptions:
    """Options passed to every file read in a batch."""

    timezone: str | dt.tzinfo | None = None
    elevation: ElevationGain = DEFAULT_ELEVATION_GAIN
    max_gap_s: float = DEFAULT_MAX_GAP_S
    max_bytes: int = DEFAULT_LIMITS.max_member_bytes
    max_file_bytes: int = DEFAULT_LIMITS.max_file_bytes


def _parse(data: bytes, path: str, options: ReadOptions) -> Activity:
    if is_gzip(data):
        data = gunzip_bounded(data, path=path, max_bytes=options.max_bytes)
    return read_bytes(
        data,
        path=path,
        timezone=options.timezone,
        elevation=options.elevation,
        max_gap_s=options.max_gap_s,
    )


def apply_meta(summary: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, Any]:
    """A summary row with an export's metadata applied, and its surface classified again.

    ``meta`` may hold ``sport`` and ``sub_sport`` (the export's activity type:
    the sport always wins; a ``sub_sport`` of None keeps the file's own when
    the sport agrees), and ``name``, ``notes``, ``gear``, ``device`` (used
    when not empty).
    """
    out = dict(summary)
    if not meta:
        return out
    sport = meta.get("sport")
    if sport:
        sub = meta.get("sub_sport")
        if sub is None:
            same = (summary.get("sport") or "").lower() == sport
            sub = summary.get("sub_sport") if same else None
        out["sport"] = sport
        out["sub_sport"] = sub
        out["sport_source"] = "export"
    for key in ("name", "notes", "gear", "device"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            out[key] = value.strip()
    stated = _finite(meta.get("export_ascent_m"))
    if stated is not None and stated >= 0:
        out["export_ascent_m"] = stated
        if out.get("elevation_source") != "barometric":
            # Our stream is GPS altitude (or absent): the service's corrected gain is
            # the better number (see docs/importers.md, "Elevation that can be believed").
            ours_ascent = _finite(out.get("ascent_m"))
            ours_descent = _finite(out.get("descent_m"))
            out["ascent_m"] = stated
            if ours_ascent and ours_descent is not None:
                out["descent_m"] = ours_descent * stated / ours_ascent
            elif ours_descent is None or out.get("elevation_source") == "none":
                out["descent_m"] = float("nan")
            out["elevation_source"] = "service"
            out["ascent_trusted"] = True
    dist = out.get("distance_m")
    has_distance = bool(dist is not None and np.isfinite(dist) and dist > 0)
    if out.get("format") == "summary":
        has_distance = False  # no samples: nothing says treadmill except the type or name
    out["surface"] = classify_surface(
        out.get("sport"),
        out.get("sub_sport"),
        out.get("name"),
        bool(out.get("has_gps")),
        has_distance,
    )
    return out


def _finite(value: Any) -> float | None:
    """``value`` as a finite float, or None."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def read_item(item: Item, options: ReadOptions) -> Activity:
    """Read one item into an :class:`Activity`, applying its ``meta`` overrides."""
    activity = _parse(load_item(item), item.path, options)
    if item.meta:
        summary = apply_meta(_summary_dict(activity), item.meta)
        fields = (
            "sport",
            "sub_sport",
            "sport_source",
            "surface",
            "name",
            "notes",
            "gear",
            "ascent_m",
            "descent_m",
            "elevation_source",
            "ascent_trusted",
            "export_ascent_m",
        )
        known = {k: summary[k] for k in fields}
        activity = replace(activity, **known)
    return activity


def summary_only(
    *,
    key: str,
    source_path: str,
    start_time_utc: pd.Timestamp,
    sport: str | None,
    sub_sport: str | None,
    name: str | None = None,
    notes: str | None = None,
    gear: str | None = None,
    distance_m: float = float("nan"),
    elapsed_time_s: float = float("nan"),
    moving_time_s: float = float("nan"),
    ascent_m: float = float("nan"),
    descent_m: float = float("nan"),
    utc_offset_s: int | None = None,
    timezone: str | dt.tzinfo | None = None,
) -> dict[str, Any]:
    """A summary row for an activity known only from an export's metadata (format ``summary``).

    ``key`` (such as ``"strava:123"``) gives the stable ``activity_id``.  The
    local offset is ``utc_offset_s`` when the export gives it (source
    ``file``), else that of ``timezone`` (``argument``), else 0 (``default``:
    the start is taken as UTC).  Totals outside the plausibility bounds
    (:func:`runload.activity.plausible_totals`) become NaN; the export
    readers report them as warnings when they parse the metadata.

    Raises
    ------
    RunloadError
        ``time_out_of_range`` for a start outside 1980-2100.
    """
    start = pd.Timestamp(start_time_utc)
    start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
    start = start.as_unit("ns")
    if not time_in_range(np.array([start.value]))[0]:
        raise RunloadError(
            f"start {start} is outside 1980-2100", path=source_path, reason="time_out_of_range"
        )
    distance_m, elapsed_time_s, moving_time_s, _ = plausible_totals(
        distance_m, elapsed_time_s, moving_time_s
    )
    offset, source = resolve_offset(start, file_offset_s=utc_offset_s, timezone=timezone)
    if not np.isfinite(moving_time_s):
        moving_time_s = elapsed_time_s
    row = {
        "activity_id": hashlib.sha256(key.encode()).hexdigest()[:16],
        "source_path": source_path,
        "format": "summary",
        "sport": sport,
        "sub_sport": sub_sport,
        "sport_source": "export" if sport else "unknown",
        "surface": "unknown",
        "start_time_utc": start,
        "utc_offset_s": offset,
        "utc_offset_source": source,
        "local_date": local_date(start, offset),
        "distance_m": float(distance_m),
        "elapsed_time_s": float(elapsed_time_s),
        "moving_time_s": float(moving_time_s),
        "ascent_m": float(ascent_m),
        "descent_m": float(descent_m),
        "elevation_source": "service" if np.isfinite(ascent_m) else "none",
        "elevation_noise_m": float("nan"),
        "ascent_trusted": True if np.isfinite(ascent_m) else None,
        "export_ascent_m": float(ascent_m),
        "moving_speed_p50_m_s": float("nan"),
        "moving_speed_p90_m_s": float("nan"),
        "has_gps": False,
        "device": None,
        "name": name,
        "notes": notes,
        "gear": gear,
    }
    return apply_meta(row, {"sport": sport, "sub_sport": sub_sport} if sport else {})


def _summary_dict(activity: Activity) -> dict[str, Any]:
    return {f: getattr(activity, f) for f in SUMMARY_FIELDS}


# Warnings are process-global: parse one file at a time per process (threads of
# one process, as in a threaded Dask worker, take turns).
_WARN_LOCK = threading.Lock()


#: What a worker gets for one file: the display path, and either the bytes, or
#: (for a plain file) None, the file's path and its size when it was hashed.
WorkerTask = tuple[str, bytes | None, str | None, int]


def _parse_one(
    path: str,
    data: bytes | None,
    file_path: str | None,
    size: int,
    options: ReadOptions,
    want_samples: bool,
) -> dict[str, Any]:
    """Parse one file into a plain, picklable record (never raises for a bad file).

    A plain file is read here rather than sent through the pipe; if its size
    changed since the parent hashed it, the record is marked ``stale`` and not
    cached.
    """
    from .cache import encode_samples

    stale = False
    if data is None:
        try:
            data = read_regular_file(
                file_path or path, display=path, max_bytes=options.max_file_bytes
            )
        except RunloadError as exc:
            return {
                "error": {
                    "message": exc.message,
                    "reason": exc.reason,
                    "offset": None,
                    "line": None,
                },
                "transient": True,
            }
        stale = len(data) != size
    try:
        with _WARN_LOCK, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            activity = _parse(data, path, options)
    except RunloadError as exc:
        return {
            "error": {
                "message": exc.message,
                "reason": exc.reason,
                "offset": exc.offset,
                "line": exc.line,
            },
            "transient": stale,
        }
    except Exception as exc:  # a bug or an unforeseen corner: one file, not the batch
        return {
            "error": {
                "message": f"unexpected {type(exc).__name__}: {exc}",
                "reason": "internal_error",
                "offset": None,
                "line": None,
            },
            "transient": True,
        }
    hr = activity.samples["heart_rate_bpm"].to_numpy()
    record: dict[str, Any] = {
        "summary": _summary_dict(activity),
        "warnings": [_strip_path(str(w.message), path) for w in caught],
        "extras": {
            "samples": len(activity.samples),
            "heart_rate": bool(np.isfinite(hr).any()) if len(hr) else False,
        },
    }
    if stale:
        record["transient"] = True
    if want_samples and not stale:
        record["blob"] = encode_samples(activity.samples)
    return record


def _parse_chunk(
    tasks: Sequence[WorkerTask], options: ReadOptions, want_samples: bool
) -> list[dict[str, Any]]:
    """The worker's job: parse a few files."""
    return [
        _parse_one(path, data, file_path, size, options, want_samples)
        for path, data, file_path, size in tasks
    ]


def _strip_path(message: str, path: str) -> str:
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


# -- executors ----------------------------------------------------------------------------


def default_jobs() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _make_pool(jobs: int) -> cf.Executor:
    """A process pool that is safe to start from where it is called.

    A single-threaded process forks (on Linux): workers start at once and a
    user's script is not imported again, so it needs no ``__main__`` guard.
    Forking a process that runs threads (a notebook kernel, a progress bar's
    monitor, a Dask client) can deadlock the child, so there the pool uses
    forkserver (with runload preloaded), else spawn.
    """
    ctx: multiprocessing.context.BaseContext
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        ctx = multiprocessing.get_context("fork")
    elif "forkserver" in methods:
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload(["runload.io"])
        ctx = server
    else:
        ctx = multiprocessing.get_context("spawn")
    return cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx)


def _interactive() -> bool:
    """Whether a progress bar would be seen: stderr is a terminal, or a Jupyter kernel runs."""
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        get = getattr(ipython, "get_ipython", None)
        shell = get() if callable(get) else None
        if shell is not None and hasattr(shell, "kernel"):
            return True
    return False


class _Progress:
    def __init__(self, total: int, show: bool) -> None:
        self._bar: Any = None
        if show and total:
            try:  # tqdm.auto wants ipywidgets in a notebook; without them, the text bar
                import ipywidgets  # noqa: F401
                from tqdm.auto import tqdm
            except ImportError:
                from tqdm.std import tqdm

            self._bar = tqdm(total=total, unit="file", desc="runload", leave=False)

    def update(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


# -- the batch ----------------------------------------------------------------------------


@dataclass
class _Entry:
    index: int
    item: Item | None
    summary: dict[str, Any]
    content: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Batch:
    """The state of one :func:`read_activities` call."""

    options: ReadOptions
    options_key: str
    cache: Any
    progress: _Progress
    entries: list[_Entry] = field(default_factory=list)
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    stats: dict[str, int] = field(
        default_factory=lambda: {"files": 0, "cached": 0, "parsed": 0, "failed": 0}
    )

    def show(self, item: Item, text: str) -> str:
        if item.redact:
            from .garmin import redact_account

            return redact_account(text)
        return text

    def fail(self, index: int, item: Item, reason: str, message: str) -> None:
        self.errors.append((index, item.path, reason, self.show(item, message)))
        self.stats["failed"] += 1
        if item.fallback is not None:
            self.entries.append(_Entry(index, None, dict(item.fallback)))

    def record(
        self, index: int, item: Item, content: str | None, rec: Mapping[str, Any], *, fresh: bool
    ) -> None:
        """Take one parse record (fresh from a worker, or from the cache)."""
        if fresh and self.cache is not None and content is not None and not rec.get("transient"):
            stored = {k: v for k, v in rec.items() if k != "blob"}
            self.cache.put(content, self.options_key, stored, rec.get("blob"))
        err = rec.get("error")
        if err is not None:
            exc = RunloadError(
                str(err["message"]),
                path=item.path,
                reason=str(err["reason"]),
                offset=err.get("offset"),
                line=err.get("line"),
            )
            self.fail(index, item, exc.reason, str(exc))
            return
        summary = dict(rec["summary"])
        summary["source_path"] = item.path
        for message in rec.get("warnings", ()):
            self.notes.append((index, item.path, self.show(item, f"{item.path}: {message}")))
        self.entries.append(_Entry(index, item, summary, content, dict(rec.get("extras", {}))))


def _resolve_cache(cache: Any) -> Any:
    from .cache import ActivityCache

    if cache is None or cache is False:
        return None
    if cache is True or cache is _DEFAULT_CACHE:
        return ActivityCache()
    if isinstance(cache, ActivityCache):
        return cache
    if isinstance(cache, str | os.PathLike):
        return ActivityCache(cache)
    raise TypeError(
        "cache must be True, False, None, a folder path or an ActivityCache, "
        f"not {type(cache).__name__}"
    )


class _DefaultCache:
    def __repr__(self) -> str:
        return "<default cache>"


#: The default of ``read_activities(cache=...)``: the folder of
#: :func:`runload.io.cache.default_cache_dir`.
_DEFAULT_CACHE: Any = _DefaultCache()


#: One file in the parent: its index, item, content hash, bytes (None for a plain
#: file, which the worker reads itself) and size.
Task = tuple[int, Item, str, bytes | None, int]


def _worker_tasks(chunk: Sequence[Task]) -> list[WorkerTask]:
    return [
        (item.path, data, item.locator[1] if data is None else None, size)
        for _i, item, _c, data, size in chunk
    ]


def _executor_width(executor: cf.Executor) -> int:
    """How many tasks an executor runs at once, as far as can be told."""
    width = getattr(executor, "_max_workers", None)
    if isinstance(width, int) and width > 0:
        return width
    client = getattr(executor, "_client", None)  # a Dask ClientExecutor
    if client is not None:
        try:
            return max(1, int(sum(client.nthreads().values())))
        except Exception:
            pass
    return default_jobs()


class _Runner:
    """Loads, hashes, looks up and parses the items of a batch."""

    def __init__(
        self,
        batch: _Batch,
        *,
        jobs: int | None,
        executor: cf.Executor | None,
        limits: ArchiveLimits,
    ) -> None:
        self.batch = batch
        self.limits = limits
        self.jobs = jobs if jobs is not None else default_jobs()
        if self.jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.pool: cf.Executor | None = executor
        self.own_pool: cf.Executor | None = None
        width = self.jobs if executor is None or jobs is not None else _executor_width(executor)
        self.window = 2 * width + 2
        self.sequential = executor is None and self.jobs == 1
        self.want_samples = batch.cache is not None
        self.inflight: dict[cf.Future[list[dict[str, Any]]], list[Task]] = {}
        self.suspects: list[Task] = []
        self.chunk: list[Task] = []
        self.chunk_bytes = 0

    # -- results ---------------------------------------------------------------------

    def handle(self, chunk: Sequence[Task], recs: Sequence[Mapping[str, Any]]) -> None:
        for (index, item, content, _data, _size), rec in zip(chunk, recs, strict=True):
            self.batch.record(index, item, content, rec, fresh=True)
            self.batch.stats["parsed"] += 1
            self.batch.progress.update()

    def parse_here(self, chunk: Sequence[Task]) -> None:
        self.handle(
            chunk, _parse_chunk(_worker_tasks(chunk), self.batch.options, self.want_samples)
        )

    def _lost(self, chunk: Sequence[Task], exc: BaseException) -> None:
        for index, item, _c, _d, _s in chunk:
            self.batch.fail(
                index,
                item,
                "worker_error",
                f"{item.path}: {type(exc).__name__}: {exc} [worker_error]",
            )
            self.batch.progress.update()

    def _replace_pool(self) -> None:
        """The pool broke: every unfinished chunk becomes a suspect; start a fresh pool."""
        for fut, chunk in list(self.inflight.items()):
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                self.handle(chunk, fut.result())
            else:
                self.suspects.extend(chunk)
        self.inflight.clear()
        if self.own_pool is not None:
            self.own_pool.shutdown(wait=False, cancel_futures=True)
        self.own_pool = _make_pool(self.jobs)
        self.pool = self.own_pool

    def collect(self, *, block: bool) -> None:
        if not self.inflight:
            return
        done, _ = cf.wait(
            list(self.inflight), timeout=None if block else 0, return_when=cf.FIRST_COMPLETED
        )
        broken = False
        for fut in done:
            chunk = self.inflight.pop(fut)
            try:
                recs = fut.result()
            except cf.BrokenExecutor:
                self.suspects.extend(chunk)
                broken = True
                continue
            except Exception as exc:  # a remote worker lost, a pickling failure...
                self._lost(chunk, exc)
                continue
            self.handle(chunk, recs)
        if broken:
            self._replace_pool()

    # -- submission ------------------------------------------------------------------

    def submit(self, chunk: list[Task]) -> None:
        if self.pool is None:
            self.own_pool = _make_pool(self.jobs)
            self.pool = self.own_pool
        while len(self.inflight) >= self.window:
            self.collect(block=True)
        try:
            fut = self.pool.submit(
                _parse_chunk, _worker_tasks(chunk), self.batch.options, self.want_samples
            )
        except (cf.BrokenExecutor, RuntimeError):
            self.suspects.extend(chunk)
            self._replace_pool()
            return
        self.inflight[fut] = chunk

    def add(self, task: Task) -> None:
        self.chunk.append(task)
        self.chunk_bytes += task[4]
        if len(self.chunk) >= _CHUNK_FILES or self.chunk_bytes >= _CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.chunk:
            chunk, self.chunk, self.chunk_bytes = self.chunk, [], 0
            self.submit(chunk)

    # -- the loop --------------------------------------------------------------------

    def run(self, items: Sequence[Item]) -> None:
        batch = self.batch
        pending: list[Task] = []  # held back until there are enough to be worth a pool
        stack = ArchiveStack(self.limits)
        try:
            for index, item in enumerate(items):
                batch.stats["files"] += 1
                try:
                    data = _load(item, stack)
                except RunloadError as exc:
                    batch.fail(index, item, exc.reason, str(exc))
                    batch.progress.update()
                    continue
                content = hashlib.sha256(data).hexdigest()
                if batch.cache is not None:
                    rec = batch.cache.get(content, batch.options_key)
                    if rec is not None:
                        batch.record(index, item, content, rec, fresh=False)
                        batch.stats["cached"] += 1
                        batch.progress.update()
                        continue
                # Plain files are read again by the worker: cheaper than the pipe.
                keep = None if item.locator[0] == "file" and not self.sequential else data
                task = (index, item, content, keep, len(data))
                del data
                if self.sequential:
                    self.parse_here([task])
                elif self.pool is None and len(pending) + 1 < SEQUENTIAL_BELOW:
                    pending.append(task)
                else:
                    for held in pending:
                        self.add(held)
                    pending = []
                    self.add(task)
                    self.collect(block=False)
            stack.close()
            for held in pending:  # too few to be worth a pool
                self.parse_here([held])
            self.flush()
            while self.inflight:
                self.collect(block=True)
            retry = sorted(self.suspects, key=lambda t: t[0])
            self.suspects = []
            for task in retry:
                self.retry_alone(task)
        finally:
            stack.close()
            if batch.cache is not None:
                batch.cache.flush()
            if self.own_pool is not None:
                self.own_pool.shutdown(wait=True, cancel_futures=True)

    def retry_alone(self, task: Task) -> None:
        """A file that was in a pool that broke: parse it alone, in a pool of its own."""
        index, item = task[0], task[1]
        pool = _make_pool(1)
        try:
            recs = pool.submit(
                _parse_chunk, _worker_tasks([task]), self.batch.options, self.want_samples
            ).result()
        except cf.BrokenExecutor:
            self.batch.fail(
                index,
                item,
                "worker_crashed",
                f"{item.path}: the worker process reading this file died [worker_crashed]",
            )
            self.batch.progress.update()
            return
        except Exception as exc:
            self._lost([task], exc)
            return
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        self.handle([task], recs)


# -- the result ---------------------------------------------------------------------------


class ActivityLog:
    """What a batch read found: the activities table, the errors table, and the samples.

    Attributes
    ----------
    activities : DataFrame
        One row per activity, indexed by ``activity_id``; columns are the
        summary fields (see :mod:`runload.schema`), sorted by start time.
        Activities known only from an export's metadata have format ``summary``.
    errors : DataFrame
        One row per file that could not be read, or was left out (a
        ``duplicate``, an export row ``missing_file``): ``path``, ``reason``
        (a short code), ``message``.
    warnings : DataFrame
        Data-quality warnings raised while reading files that were kept
        (CRC mismatch, truncation, dropped points): ``path``, ``message``.
    stats : dict
        ``files`` (items read), ``cached`` (answered by the cache), ``parsed``,
        ``failed``, ``duplicates``, ``manual_entries``, ``seconds``.
    manual : Index
        The ``activity_id`` of every activity that is a manual entry: an
        export row with no file (Strava ``activities.csv`` rows without a
        file name, Garmin summaries marked ``manualActivity``).  They are
        counted (format ``summary``), and are not errors: show them as, e.g.,
        "13 manual entries (no file) counted".
    """

    def __init__(
        self,
        activities: pd.DataFrame,
        errors: pd.DataFrame,
        *,
        warnings: pd.DataFrame | None = None,
        loader: Callable[[str], pd.DataFrame] | None = None,
        stats: Mapping[str, float] | None = None,
        manual: pd.Index | None = None,
    ) -> None:
        self.activities = activities
        self.manual = manual if manual is not None else pd.Index([], dtype=object)
        self.errors = errors
        self.warnings = (
            warnings if warnings is not None else pd.DataFrame(columns=["path", "message"])
        )
        self._loader = loader
        self.stats: dict[str, float] = dict(stats or {})

    def samples(self, activity_id: str) -> pd.DataFrame:
        """The samples of one activity (from the cache, else read again from its source).

        An activity known only from an export's metadata has no samples: an
        empty frame is returned.
        """
        if activity_id not in self.activities.index:
            raise KeyError(f"no activity {activity_id!r} in this log")
        if self._loader is None:
            raise RunloadError("this log has no access to the source files", reason="no_samples")
        return self._loader(activity_id)

    def __len__(self) -> int:
        return len(self.activities)

    def __repr__(self) -> str:
        from ..report.cards import log_repr

        return log_repr(self)

    def _repr_html_(self) -> str:
        """A card for notebooks: counts, the first activities and what was not read."""
        from ..report.cards import log_html

        return log_html(self)


def activities_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The activities table from summary rows (typed, sorted by start time)."""
    if not rows:
        return empty_activities()
    frame = pd.DataFrame.from_records(list(rows), columns=list(SUMMARY_FIELDS))
    frame = frame.set_index("activity_id")
    typed = {c: d for c, d in SUMMARY_DTYPES.items() if c in frame.columns and d != "object"}
    frame = frame.astype(typed)
    return frame.sort_values("start_time_utc", kind="stable")


def errors_frame(rows: Sequence[tuple[str, str, str]]) -> pd.DataFrame:
    """The errors table from (path, reason, message) rows.

    The path and the reason have their own columns, so the message keeps only what
    they do not say: a leading ``"<path>: "`` or ``"<path>, "`` and a trailing
    ``" [<reason>]"`` are taken off (``"byte 0: no FIT header"``), and a table
    cut to a narrow width still shows why.
    """
    cleaned = [(p, r, _short_message(str(m), str(p), str(r))) for p, r, m in rows]
    return pd.DataFrame(cleaned, columns=list(ERROR_COLUMNS)).astype("object")


def _short_message(message: str, path: str, reason: str) -> str:
    for sep in (": ", ", "):
        if path and message.startswith(path + sep):
            message = message[len(path) + len(sep) :]
            break
    tail = f" [{reason}]"
    if message.endswith(tail):
        message = message[: -len(tail)]
    return message or reason


def read_activities(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    timezone: str | dt.tzinfo | None = None,
    elevation: ElevationGain = DEFAULT_ELEVATION_GAIN,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    jobs: int | None = None,
    executor: cf.Executor | None = None,
    progress: bool | None = None,
    cache: Any = _DEFAULT_CACHE,
    duplicates: bool = True,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> ActivityLog:
    """Read every activity in ``source``: files, folders, archives, Strava and Garmin exports.

    Parameters
    ----------
    source : path or list of paths
        Activity files (``.fit``, ``.gpx``, ``.tcx``, each optionally
        ``.gz``), folders (searched recursively), zip archives, a Strava bulk
        export or a Garmin Connect data export (zipped or extracted).
    timezone, elevation, max_gap_s
        As for :func:`runload.read_activity`.  ``timezone`` also places the
        start of activities known only from a Strava CSV row (else UTC).
    jobs : int, optional
        Worker processes.  Default: every core this process may use.  ``1``
        parses in the calling process.
    executor : concurrent.futures.Executor, optional
        Run the parsing there instead, e.g. a Dask cluster's
        ``client.get_executor()``.  It is not shut down.
    progress : bool, optional
        Show a progress bar (:mod:`tqdm.auto`, terminal or notebook).
        Default: when stderr is a terminal or in a Jupyter kernel.
    cache : bool, path, ActivityCache or None
        The parsed-file cache.  Default: the folder of
        ``$RUNLOAD_CACHE_DIR``, else the user cache folder; a path uses that
        folder; ``None`` or ``False`` disables it.
    duplicates : bool
        Drop near duplicates (see :mod:`runload.io.duplicates`); exact copies
        are always dropped.
    limits : ArchiveLimits
        Caps for archives (see :mod:`runload.io.archive`).

    Raises
    ------
    InvalidOptionError
        Before anything is read, for an unknown ``timezone`` (also a ValueError).

    Returns
    -------
    ActivityLog
        ``activities`` (one row per activity, indexed by ``activity_id``),
        ``errors`` (files that could not be read or were left out, with a
        reason), ``warnings``, ``samples(activity_id)`` and ``stats``.
    """
    check_timezone(timezone)  # options are checked before any work
    t_start = time.perf_counter()
    options = ReadOptions(
        timezone=timezone,
        elevation=elevation,
        max_gap_s=max_gap_s,
        max_bytes=limits.max_member_bytes,
        max_file_bytes=limits.max_file_bytes,
    )
    from .cache import options_digest

    options_key = options_digest(timezone=timezone, elevation=elevation, max_gap_s=max_gap_s)
    store = _resolve_cache(cache)
    plan = plan_sources(source, timezone=timezone, limits=limits)
    show = _interactive() if progress is None else bool(progress)
    bar = _Progress(len(plan.items), show)
    batch = _Batch(options=options, options_key=options_key, cache=store, progress=bar)
    try:
        _Runner(batch, jobs=jobs, executor=executor, limits=limits).run(plan.items)
    finally:
        bar.close()

    n_items = len(plan.items)
    entries = sorted(batch.entries, key=lambda e: e.index)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        if entry.item is not None and entry.item.meta:
            entry.summary = apply_meta(entry.summary, entry.item.meta)
    for join in plan.joins:
        members = [e for e in entries if e.item is not None and e.item.group == join.group]
        for e in members:
            e.summary = join.apply(e.summary)
        plan.summaries.extend(join.unmatched())
    extra_entries = [_Entry(n_items + i, None, s) for i, s in enumerate(plan.summaries)]
    errors: list[tuple[int, str, str, str]] = list(batch.errors)
    errors += [(-1, *e) for e in plan.errors]

    # Exact duplicates: same content, same id.  The first is kept, filled in from the rest.
    by_id: dict[str, _Entry] = {}
    for entry in [*entries, *extra_entries]:
        aid = entry.summary["activity_id"]
        first = by_id.get(aid)
        if first is None:
            by_id[aid] = entry
            rows.append(entry.summary)
            continue
        for key in ("name", "notes", "gear"):
            if not first.summary.get(key) and entry.summary.get(key):
                first.summary[key] = entry.summary[key]
        path = entry.summary["source_path"]
        errors.append(
            (
                entry.index,
                path,
                "duplicate",
                f"{path}: same content as {first.summary['source_path']} [duplicate]",
            )
        )
    # Files that say nothing about local time (treadmill GPX/TCX) borrow the
    # offset of the runner's nearest activity in time that does.
    frame = infer_missing_offsets(activities_frame(rows))
    n_dupes = sum(1 for e in errors if e[2] == "duplicate")
    if duplicates and len(frame) > 1:
        from .duplicates import find_duplicates, merge_metadata

        samples_n = {e.summary["activity_id"]: int(e.extras.get("samples", 0)) for e in entries}
        heart = {e.summary["activity_id"]: bool(e.extras.get("heart_rate")) for e in entries}
        found = find_duplicates(frame, samples=samples_n, heart_rate=heart)
        for dup in found:
            dropped_path = str(frame.at[dup.dropped, "source_path"])
            kept_path = str(frame.at[dup.kept, "source_path"])
            errors.append(
                (
                    by_id[dup.dropped].index,
                    dropped_path,
                    "duplicate",
                    dup.describe(dropped_path, kept_path),
                )
            )
        frame = merge_metadata(frame, found)
        n_dupes += len(found)
        for dup in found:
            by_id.pop(dup.dropped, None)

    errors.sort(key=lambda e: e[0])
    failed = sum(1 for e in errors if e[2] != "duplicate")
    if failed:
        warnings.warn(
            f"{failed} of {n_items + len(plan.summaries)} files or export rows could not be "
            "read; see ActivityLog.errors",
            SkippedFileWarning,
            stacklevel=2,
        )
    notes = sorted(batch.notes, key=lambda n: n[0])
    notes += [(-1, path, f"{path}: {message}") for path, message in plan.warnings]
    # Manual entries (export rows without a file) that are still in the table.
    manual_ids = set(plan.manual)
    for join in plan.joins:
        manual_ids |= set(getattr(join, "manual", ()))
    manual = pd.Index(sorted(manual_ids & set(frame.index)), dtype=object)
    loader = _Loader(
        {aid: (e.item, e.content) for aid, e in by_id.items()}, options, options_key, store, limits
    )
    stats: dict[str, float] = dict(batch.stats)
    stats["duplicates"] = n_dupes
    stats["manual_entries"] = len(manual)
    stats["seconds"] = time.perf_counter() - t_start
    if store is not None:
        store.flush()
    return ActivityLog(
        frame,
        errors_frame([e[1:] for e in errors]),
        warnings=pd.DataFrame([n[1:] for n in notes], columns=["path", "message"]).astype("object"),
        loader=loader,
        stats=stats,
        manual=manual,
    )


class _Loader:
    """Samples on demand: from the cache, else from the source."""

    def __init__(
        self,
        entries: Mapping[str, tuple[Item | None, str | None]],
        options: ReadOptions,
        options_key: str,
        cache: Any,
        limits: ArchiveLimits,
    ) -> None:
        self._entries = dict(entries)
        self._options = options
        self._options_key = options_key
        self._cache = cache
        self._limits = limits

    def __call__(self, activity_id: str) -> pd.DataFrame:
        item, content = self._entries[activity_id]
        if item is None:
            return empty_samples()
        if self._cache is not None and content is not None:
            found = self._cache.samples(content, self._options_key)
            if found is not None:
                return found
        data = load_item(item, limits=self._limits)
        return _parse(data, item.path, self._options).samples
