"""Reading many files: :func:`read_activities`, the orchestration of a batch.

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
   more than a handful of files.  Workers return summary rows and warnings,
   never samples (those are read, and cached, on the first
   :meth:`ActivityLog.samples` call for an activity).  Fewer than
   :data:`SEQUENTIAL_BELOW` files to parse are parsed in the calling process:
   starting a pool costs more than it saves.  Any
   :class:`concurrent.futures.Executor` can be passed instead, a Dask
   ``client.get_executor()`` included.
4. **Combine.**  Export metadata is applied (names, sport, gear), exact and
   near duplicates are resolved (:mod:`runload.io.duplicates`), and the
   activities, errors and warnings tables are built.

The pieces live in their own modules: planning and the export registry in
:mod:`runload.io.plan`, summary rows and tables in :mod:`runload.io.rows`, the
worker's job and the pools in :mod:`runload.io.workers`, the result in
:mod:`runload.io.log`; this module runs steps 2-4.

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
import os
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..activity import DEFAULT_MAX_GAP_S
from ..elevation import DEFAULT_ELEVATION_GAIN, ElevationGain
from ..exceptions import RunloadError, SkippedFileWarning
from ..localtime import infer_missing_offsets
from ..timezones import check_timezone
from .archive import ArchiveStack
from .cache import DEFAULT_CACHE, ActivityCache, code_digest, options_digest, resolve_cache
from .cache_identity import FileIdentity, Identity, MemberIdentity, file_identity
from .duplicates import fill_metadata, find_duplicates, merge_metadata
from .limits import DEFAULT_LIMITS, ArchiveLimits
from .log import ActivityLog, SampleLoader
from .plan import Item, exports, plan_sources, read_item_bytes
from .progress import Progress, interactive
from .rows import activities_frame, apply_meta, errors_frame
from .snapshot import Snapshot, decode, encode, source_key
from .workers import (
    ReadOptions,
    WorkerTask,
    default_jobs,
    executor_width,
    make_pool,
    parse_chunk,
)

__all__ = ["SEQUENTIAL_BELOW", "read_activities"]

#: Batches with fewer files than this to parse are parsed in the calling
#: process: a pool's start-up (about 0.5 s, importing numpy and pandas in the
#: first worker) costs more than it saves on a few files of 10-100 ms each.
SEQUENTIAL_BELOW = 24

#: Largest chunk sent to a worker: this many files or this many bytes. [files], [bytes]
_CHUNK_FILES = 4
_CHUNK_BYTES = 2 << 20


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
    progress: Progress
    entries: list[_Entry] = field(default_factory=list)
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    stats: dict[str, int] = field(
        default_factory=lambda: {"files": 0, "cached": 0, "parsed": 0, "failed": 0}
    )

    def show(self, item: Item, text: str) -> str:
        if item.redact:
            for spec in exports().values():
                if spec.redact is not None:
                    text = spec.redact(text)
        return text

    def fail(self, index: int, item: Item, reason: str, message: str) -> None:
        self.errors.append((index, item.path, reason, self.show(item, message)))
        self.stats["failed"] += 1
        fallback = item.fallback_row()
        if fallback is not None:
            self.entries.append(_Entry(index, None, fallback))

    def record(
        self, index: int, item: Item, content: str | None, rec: Mapping[str, Any], *, fresh: bool
    ) -> None:
        """Take one parse record (fresh from a worker, or from the cache)."""
        if fresh and self.cache is not None and content is not None and not rec.get("transient"):
            self.cache.put(content, self.options_key, rec)
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


def _identity(item: Item, archives: dict[str, FileIdentity | None]) -> Identity | None:
    """What ``stat`` says about an item (a member: that its archive is unchanged), or None."""
    kind, path = item.locator[0], item.locator[1]
    try:
        if kind == "file":
            return file_identity(path)
        if kind == "zip":
            if path not in archives:
                archives[path] = file_identity(path)
            outer = archives[path]
            if outer is None:
                return None
            # An unchanged archive file holds unchanged members: no need to list it.
            return MemberIdentity(outer, "!".join(item.locator[2:]), 0, 0)
    except OSError:
        archives.setdefault(path, None)
    return None


#: One file in the parent: its index, item, content hash (None: the worker hashes
#: the bytes it reads), bytes (None for a plain file, which the worker reads
#: itself) and size.
Task = tuple[int, Item, str | None, bytes | None, int]


def _worker_tasks(chunk: Sequence[Task]) -> list[WorkerTask]:
    return [
        (item.path, data, item.locator[1] if data is None else None, size, content is None)
        for _i, item, content, data, size in chunk
    ]


class _Runner:
    """Loads, hashes, looks up and parses the items of a batch."""

    def __init__(
        self,
        batch: _Batch,
        *,
        jobs: int | None,
        executor: cf.Executor | None,
        limits: ArchiveLimits,
        rehash: bool = False,
    ) -> None:
        self.batch = batch
        self.limits = limits
        self.jobs = jobs if jobs is not None else default_jobs()
        if self.jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.pool: cf.Executor | None = executor
        self.own_pool: cf.Executor | None = None
        width = self.jobs if executor is None or jobs is not None else executor_width(executor)
        self.window = 2 * width + 2
        self.sequential = executor is None and self.jobs == 1
        self.inflight: dict[cf.Future[list[dict[str, Any]]], list[Task]] = {}
        self.suspects: list[Task] = []
        self.chunk: list[Task] = []
        self.chunk_bytes = 0
        self.rehash = rehash
        self.seen: dict[Identity, str] = {}  # identity → content hash, of the files hashed
        self.unhashed: dict[int, Identity] = {}  # index → identity, of files workers hash

    # -- results ---------------------------------------------------------------------

    def handle(self, chunk: Sequence[Task], recs: Sequence[Mapping[str, Any]]) -> None:
        for (index, item, content, _data, _size), rec in zip(chunk, recs, strict=True):
            if content is None:  # hashed by the worker
                content = rec.get("content")
                rec = {key: value for key, value in rec.items() if key != "content"}
                identity = self.unhashed.pop(index, None)
                if content is not None and identity is not None and not rec.get("transient"):
                    self.seen[identity] = content
            self.batch.record(index, item, content, rec, fresh=True)
            self.batch.stats["parsed"] += 1
            self.batch.progress.update()

    def parse_here(self, chunk: Sequence[Task]) -> None:
        self.handle(chunk, parse_chunk(_worker_tasks(chunk), self.batch.options))

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
        self.own_pool = make_pool(self.jobs)
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
            self.own_pool = make_pool(self.jobs)
            self.pool = self.own_pool
        while len(self.inflight) >= self.window:
            self.collect(block=True)
        try:
            fut = self.pool.submit(parse_chunk, _worker_tasks(chunk), self.batch.options)
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

    def known(self, items: Sequence[Item]) -> dict[int, tuple[Identity | None, str, Any]]:
        """Items whose identity (path, size, mtime) the cache has seen: no need to read them.

        Returns index → (identity, content hash, record or None); the record is
        None when the cache knows the file's hash but has no entry for it with
        these options (the file is then read as usual, without hashing again).
        """
        cache = self.batch.cache
        if cache is None:
            return {}
        archives: dict[str, FileIdentity | None] = {}
        identities: dict[int, Identity] = {}
        for index, item in enumerate(items):
            identity = _identity(item, archives)
            if identity is not None:
                identities[index] = identity
        if self.rehash:
            return {i: (ident, "", None) for i, ident in identities.items()}
        contents = cache.lookup_identities(identities.values())
        records = cache.get_many(set(contents.values()), self.batch.options_key)
        out: dict[int, tuple[Identity | None, str, Any]] = {}
        for index, identity in identities.items():
            content = contents.get(identity, "")
            out[index] = (identity, content, records.get(content))
        return out

    def hash_in_workers(self) -> bool:
        """Whether plain files are hashed by the workers that read them, not here first.

        The parent reads and hashes a file only to find its record in the
        cache under another path (a moved or copied file); with nothing in the
        cache for these options there is nothing to find, so each file is read
        once, by its worker, which hashes it there (and, when it is not
        gzipped, takes the activity id from the same hash).
        """
        if self.sequential:
            return False
        cache = self.batch.cache
        return cache is None or not cache.has_entries(self.batch.options_key)

    def run(self, items: Sequence[Item]) -> None:
        batch = self.batch
        pending: list[Task] = []  # held back until there are enough to be worth a pool
        stack = ArchiveStack(self.limits)
        known = self.known(items)
        unhashed = self.hash_in_workers()
        try:
            for index, item in enumerate(items):
                batch.stats["files"] += 1
                identity, content, rec = known.get(index, (None, "", None))
                if rec is not None:
                    batch.record(index, item, content, rec, fresh=False)
                    batch.stats["cached"] += 1
                    batch.progress.update()
                    continue
                if unhashed and item.locator[0] == "file":
                    stat = identity if identity is not None else _identity(item, {})
                    if isinstance(stat, FileIdentity):
                        if identity is not None:
                            self.unhashed[index] = identity
                        pending = self.schedule((index, item, None, None, stat.size), pending)
                        continue
                try:
                    data = read_item_bytes(item, stack)
                except RunloadError as exc:
                    batch.fail(index, item, exc.reason, str(exc))
                    batch.progress.update()
                    continue
                content = hashlib.sha256(data).hexdigest()
                if identity is not None:
                    self.seen[identity] = content
                if batch.cache is not None:
                    rec = batch.cache.get(content, batch.options_key)
                    if rec is not None:
                        batch.record(index, item, content, rec, fresh=False)
                        batch.stats["cached"] += 1
                        batch.progress.update()
                        continue
                # Plain files are read again by the worker: cheaper than the pipe.
                keep = None if item.locator[0] == "file" and not self.sequential else data
                task: Task = (index, item, content, keep, len(data))
                del data
                pending = self.schedule(task, pending)
            stack.close()
            for held in pending:  # too few to be worth a pool
                self.parse_here([held])
            self.flush()
            while self.inflight:
                self.collect(block=True)
            retry = sorted(self.suspects, key=lambda t: t[0])
            self.suspects = []
            for suspect in retry:
                self.retry_alone(suspect)
        finally:
            stack.close()
            if batch.cache is not None:
                if self.seen:
                    batch.cache.remember_identities(self.seen)
                batch.cache.flush()
            if self.own_pool is not None:
                self.own_pool.shutdown(wait=True, cancel_futures=True)

    def schedule(self, task: Task, pending: list[Task]) -> list[Task]:
        """Parse ``task`` here, hold it back, or send it (and those held) to the pool.

        Returns the tasks held back: too few so far to be worth starting a pool.
        """
        if self.sequential:
            self.parse_here([task])
        elif self.pool is None and len(pending) + 1 < SEQUENTIAL_BELOW:
            pending.append(task)
        else:
            for held in pending:
                self.add(held)
            self.add(task)
            self.collect(block=False)
            return []
        return pending

    def retry_alone(self, task: Task) -> None:
        """A file that was in a pool that broke: parse it alone, in a pool of its own."""
        index, item = task[0], task[1]
        pool = make_pool(1)
        try:
            recs = pool.submit(parse_chunk, _worker_tasks([task]), self.batch.options).result()
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


def read_activities(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    timezone: str | dt.tzinfo | None = None,
    elevation: ElevationGain = DEFAULT_ELEVATION_GAIN,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    jobs: int | None = None,
    executor: cf.Executor | None = None,
    progress: bool | None = None,
    cache: Any = DEFAULT_CACHE,
    duplicates: bool = True,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    rehash: bool = False,
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
        Caps on untrusted input (see :mod:`runload.io.limits`).
    rehash : bool
        Read and hash every file, even those the cache has seen with the same
        path, size and modification time (which are otherwise taken as
        unchanged without being read; see :mod:`runload.io.cache_identity`
        for the rare edits that keep all three).

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
        limits=limits,
    )
    options_key = options_digest(timezone=timezone, elevation=elevation, max_gap_s=max_gap_s)
    store = resolve_cache(cache)
    sources = [source] if isinstance(source, str | os.PathLike) else list(source)
    key = None
    if store is not None:
        # Taken before anything is read: a file changed during the read changes the key.
        key = source_key(
            sources,
            options_key=options_key,
            code=code_digest(),
            limits=limits,
            duplicates=duplicates,
        )
        if key is not None and not rehash:
            kept = _snapshot_log(store, key, options, options_key, limits, t_start)
            if kept is not None:
                return kept
    plan = plan_sources(sources, timezone=timezone, limits=limits)
    show = interactive() if progress is None else bool(progress)
    bar = Progress(len(plan.items), show)
    batch = _Batch(options=options, options_key=options_key, cache=store, progress=bar)
    try:
        _Runner(batch, jobs=jobs, executor=executor, limits=limits, rehash=rehash).run(plan.items)
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
        fill_metadata(first.summary, entry.summary)
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
    _warn_skipped(failed, n_items + len(plan.summaries))
    notes = sorted(batch.notes, key=lambda n: n[0])
    notes += [(-1, path, f"{path}: {message}") for path, message in plan.warnings]
    # Manual entries (export rows without a file) that are still in the table.
    manual_ids = set(plan.manual)
    for join in plan.joins:
        manual_ids |= set(getattr(join, "manual", ()))
    manual = pd.Index(sorted(manual_ids & set(frame.index)), dtype=object)
    sample_entries = {aid: (e.item, e.content) for aid, e in by_id.items()}
    loader = SampleLoader(sample_entries, options, options_key, store, limits)
    stats: dict[str, float] = dict(batch.stats)
    stats["duplicates"] = n_dupes
    stats["manual_entries"] = len(manual)
    stats["seconds"] = time.perf_counter() - t_start
    log = ActivityLog(
        frame,
        errors_frame([e[1:] for e in errors]),
        warnings=pd.DataFrame([n[1:] for n in notes], columns=["path", "message"]).astype("object"),
        loader=loader,
        stats=stats,
        manual=manual,
    )
    if store is not None:
        if key is not None and not any(e[2] in _TRANSIENT for e in errors):
            snap = Snapshot(log.activities, log.errors, log.warnings, manual, stats, sample_entries)
            snap.stats["rows"] = n_items + len(plan.summaries)
            store.put_batch(key, encode(snap))
            del stats["rows"]
        store.flush()
    return log


#: Error reasons that may not happen again on the next read: a batch that had
#: them is not kept whole (its files are read again next time).
_TRANSIENT = frozenset({"unreadable", "worker_error", "worker_crashed", "internal_error"})


def _warn_skipped(failed: int, total: int) -> None:
    if failed:
        warnings.warn(
            f"{failed} of {total} files or export rows could not be read; see ActivityLog.errors",
            SkippedFileWarning,
            stacklevel=3,
        )


def _snapshot_log(
    store: ActivityCache,
    key: str,
    options: ReadOptions,
    options_key: str,
    limits: ArchiveLimits,
    t_start: float,
) -> ActivityLog | None:
    """The log a previous read of the same unchanged source gave, from the cache, or None."""
    blob = store.get_batch(key)
    if blob is None:
        return None
    try:
        snap = decode(blob)
    except ValueError:
        store.discard_batch(key)
        return None
    stats = dict(snap.stats)
    total = int(stats.pop("rows", 0))
    stats["cached"] = stats["files"]
    stats["parsed"] = 0
    stats["seconds"] = time.perf_counter() - t_start
    _warn_skipped(int((snap.errors["reason"] != "duplicate").sum()), total)
    return ActivityLog(
        snap.activities,
        snap.errors,
        warnings=snap.warnings,
        loader=SampleLoader(snap.entries, options, options_key, store, limits),
        stats=stats,
        manual=snap.manual,
    )
