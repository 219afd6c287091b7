"""Parsing files in worker processes: the options, the worker's job, and the pools.

A worker gets :data:`WorkerTask` s (a display path and either the bytes, or for
a plain file its path, read in the worker) and returns plain, picklable
records: a summary row, the warnings raised and a few counts; never whole
activities or samples (a batch needs only the summaries: samples are read, and
cached, when :meth:`runload.ActivityLog.samples` asks for them), and never an
exception for a bad file.  :func:`make_pool` starts a process pool that is safe from where it
is called (scripts, notebooks, threaded programs).
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import multiprocessing
import os
import sys
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..activity import DEFAULT_MAX_GAP_S, Activity
from ..elevation import DEFAULT_ELEVATION_GAIN, ElevationGain
from ..exceptions import RunloadError
from .core import read_hashed_bytes
from .files import read_regular_file
from .limits import DEFAULT_LIMITS, ArchiveLimits
from .plan import Item, load_item
from .rows import apply_meta, summary_dict

__all__ = [
    "ReadOptions",
    "WorkerTask",
    "default_jobs",
    "executor_width",
    "make_pool",
    "parse_bytes",
    "parse_chunk",
    "read_item",
]


@dataclass(frozen=True)
class ReadOptions:
    """Options passed to every file read in a batch."""

    timezone: str | dt.tzinfo | None = None
    elevation: ElevationGain = DEFAULT_ELEVATION_GAIN
    max_gap_s: float = DEFAULT_MAX_GAP_S
    limits: ArchiveLimits = DEFAULT_LIMITS


def parse_bytes(
    data: bytes, path: str, options: ReadOptions, *, content_sha256: str | None = None
) -> Activity:
    """Read one file's bytes (gzipped or not) into an :class:`Activity`.

    ``content_sha256``: the SHA-256 (hex) of ``data``, when already computed.
    """
    return read_hashed_bytes(
        data,
        content_sha256,
        path=path,
        timezone=options.timezone,
        elevation=options.elevation,
        max_gap_s=options.max_gap_s,
        limits=options.limits,
    )


def read_item(item: Item, options: ReadOptions) -> Activity:
    """Read one item into an :class:`Activity`, applying its ``meta`` overrides."""
    activity = parse_bytes(load_item(item, limits=options.limits), item.path, options)
    if item.meta:
        summary = apply_meta(summary_dict(activity), item.meta)
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


# Warnings are process-global: parse one file at a time per process (threads of
# one process, as in a threaded Dask worker, take turns).
_WARN_LOCK = threading.Lock()


#: What a worker gets for one file: the display path, and either the bytes, or
#: (for a plain file) None, the file's path and its size when it was hashed (or,
#: when the worker is to hash it, stat-ed); and whether the worker hashes the bytes.
WorkerTask = tuple[str, bytes | None, str | None, int, bool]


def parse_one(
    path: str,
    data: bytes | None,
    file_path: str | None,
    size: int,
    options: ReadOptions,
    hash_content: bool = False,
) -> dict[str, Any]:
    """Parse one file into a plain, picklable record (never raises for a bad file).

    A plain file is read here rather than sent through the pipe; if its size
    changed since the parent hashed (or stat-ed) it, the record is marked
    ``transient`` and not cached.  With ``hash_content``, the record's
    ``content`` is the SHA-256 (hex) of the bytes read, hashed here, where
    the bytes are, instead of in the parent (also for a file that fails).
    """
    stale = False
    content: str | None = None
    if data is None:
        try:
            data = read_regular_file(
                file_path or path, display=path, max_bytes=options.limits.max_file_bytes
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
    if hash_content:
        content = hashlib.sha256(data).hexdigest()
    record = _parse_record(data, path, options, content)
    if content is not None:
        record["content"] = content
    if stale:
        record["transient"] = True
    return record


def _parse_record(
    data: bytes, path: str, options: ReadOptions, content: str | None
) -> dict[str, Any]:
    try:
        with _WARN_LOCK, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            activity = parse_bytes(data, path, options, content_sha256=content)
    except RunloadError as exc:
        return {
            "error": {
                "message": exc.message,
                "reason": exc.reason,
                "offset": exc.offset,
                "line": exc.line,
            },
            "transient": False,
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
        "summary": summary_dict(activity),
        "warnings": [_strip_path(str(w.message), path) for w in caught],
        "extras": {
            "samples": len(activity.samples),
            "heart_rate": bool(np.isfinite(hr).any()) if len(hr) else False,
        },
    }
    return record


def parse_chunk(tasks: Sequence[WorkerTask], options: ReadOptions) -> list[dict[str, Any]]:
    """The worker's job: parse a few files."""
    return [
        parse_one(path, data, file_path, size, options, hash_content)
        for path, data, file_path, size, hash_content in tasks
    ]


def _strip_path(message: str, path: str) -> str:
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


# -- executors ----------------------------------------------------------------------------


# -- executors ----------------------------------------------------------------------------


def default_jobs() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def make_pool(jobs: int) -> cf.Executor:
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


def executor_width(executor: cf.Executor) -> int:
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
