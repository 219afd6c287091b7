"""Benchmark: the parsed-file cache (SQLite) against diskcache, on what a batch read does.

The workload is the cache of a 3,000-run export: for each run a record of about
1 KB (the summary row, as JSON) and the samples blob of 40-100 minutes at 1 Hz
(position, elevation, distance, speed, heart rate, cadence, quantised as
devices record them, encoded by :func:`runload.io.cache.encode_samples`: about
85 KB).  150 distinct blobs are generated and reused (neither store compresses
or deduplicates, so this changes nothing but the time to set up).

Stores compared, each in a fresh folder:

* ``runload``: :class:`runload.io.cache.ActivityCache` as shipped (SQLite,
  summaries and samples in two tables, LRU eviction, bulk ``get_many``);
* ``sqlite-v1``: the layout before it (one table, the samples blob in the same
  row, one query per key), to show what the split table buys;
* ``diskcache``: :class:`diskcache.Cache` with LRU eviction
  (``eviction_policy="least-recently-used"``), the record and the samples
  under two keys (values over 32 KiB go to files of their own, as diskcache
  does by default); and ``diskcache-lrs``, its default policy
  (least-recently-*stored*), where a read does not write.

Figures, printed in one run:

* **put**: 3,000 entries stored and committed (runload: its own batching of
  200; diskcache: one transaction per ``set``, and batched in ``transact()``);
* **bulk summaries, cold**: a new process opens the store and fetches and
  decodes the 3,000 records (what a warm batch read needs before anything
  else), median of 3 processes; the import time is not counted.  Then the
  same with the store's files dropped from the kernel's page cache first
  (``posix_fadvise(DONTNEED)`` on those files only), as after a reboot;
* **samples get**: 300 random entries, fetched and decoded, per entry;
* **size on disk**: allocated blocks of every file in the folder;
* **eviction**: 200 more entries put into a store that is at its limit (the
  cost of eviction in use, per entry, beside a put with room), then the limit
  lowered to half the store and the time to get under it;
* **contention**: two processes each putting 1,500 entries at once (wall
  time), and the bulk summary read in one process while another writes.

runload-only figures: the stat index (looking up and remembering the identity
of every file), and writing every entry's last use (the batched write a warm
read makes at most once an hour).

The machine's load changes every figure: the load average is printed before
and after; compare stores only within one run.

Usage::

    pip install diskcache   # measurement only; not a runload dependency
    python benchmarks/bench_cache.py [--entries 3000] [--workdir /tmp/runload-bench-cache]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

OPTIONS = "0123456789abcdef"
DISTINCT_BLOBS = 150
#: Entries put into a full store, to time eviction as it happens in use.
EXTRA = 200


# -- the workload ------------------------------------------------------------------------


def _frame(rng: Any, n: int) -> Any:
    import numpy as np
    import pandas as pd

    t0 = 1_700_000_000_000_000_000 + int(rng.integers(0, 10**8)) * 10**9
    index = pd.DatetimeIndex(pd.to_datetime(t0 + np.arange(n) * 10**9, utc=True), name="time")
    speed = np.clip(2.8 + np.cumsum(rng.normal(0, 0.05, n)) * 0.1, 1.5, 5.0)
    heading = np.cumsum(rng.normal(0, 0.05, n))
    semicircle = 2**31 / 180  # FIT positions are whole semicircles
    lat = np.round((47.0 + np.cumsum(speed * np.cos(heading)) / 111_195) * semicircle)
    lon = np.round((8.0 + np.cumsum(speed * np.sin(heading)) / 75_000) * semicircle)
    return pd.DataFrame(
        {
            "latitude_deg": lat / semicircle,
            "longitude_deg": lon / semicircle,
            "elevation_m": np.round((400 + np.cumsum(rng.normal(0, 0.3, n))) * 5) / 5,
            "distance_m": np.round(np.cumsum(speed), 2),
            "speed_m_s": np.round(speed, 3),
            "heart_rate_bpm": np.round(
                np.clip(140 + np.cumsum(rng.normal(0, 0.5, n)) * 0.3, 90, 190)
            ),
            "cadence_spm": np.round(170 + rng.normal(0, 3, n)),
        },
        index=index,
    )


def _record(i: int, rng: Any) -> dict[str, Any]:
    import datetime as dt

    import pandas as pd

    start = pd.Timestamp(1_600_000_000 + i * 86_400, unit="s", tz="UTC")
    summary = {
        "activity_id": f"{rng.integers(0, 2**63):016x}",
        "source_path": f"/home/runner/exports/strava_export_2024/activities/{10**10 + i}.fit.gz",
        "format": "fit",
        "sport": "running",
        "sub_sport": "road",
        "sport_source": "file",
        "surface": "road",
        "start_time_utc": start,
        "utc_offset_s": 3600,
        "utc_offset_source": "file",
        "local_date": dt.date(2020, 9, 13) + dt.timedelta(days=i),
        "distance_m": float(rng.uniform(5000, 20000)),
        "elapsed_time_s": float(rng.uniform(1800, 6000)),
        "moving_time_s": float(rng.uniform(1700, 5800)),
        "ascent_m": float(rng.uniform(0, 600)),
        "descent_m": float(rng.uniform(0, 600)),
        "elevation_source": "barometric",
        "elevation_noise_m": float(rng.uniform(0, 1)),
        "ascent_trusted": True,
        "export_ascent_m": float(rng.uniform(0, 600)),
        "moving_speed_p50_m_s": float(rng.uniform(2, 4)),
        "moving_speed_p90_m_s": float(rng.uniform(3, 5)),
        "has_gps": True,
        "device": "Garmin Forerunner 965",
        "name": "Morning Run along the river and back over the hill",
        "notes": "Easy pace, legs felt heavy on the climbs; new shoes from km 3",
        "gear": "Saucony Endorphin Speed 3",
    }
    return {
        "summary": summary,
        "warnings": ["7 samples more than 48 h away from the rest were dropped"],
        "extras": {"samples": 4000, "heart_rate": True},
    }


def make_workload(entries: int, seed: int = 0) -> dict[str, Any]:
    """Keys, JSON records and samples blobs (as ActivityCache stores them)."""
    import hashlib

    import numpy as np

    from runload.io.cache import dump_record, encode_samples

    rng = np.random.default_rng(seed)
    blobs = [
        encode_samples(_frame(rng, int(rng.integers(2400, 6000)))) for _ in range(DISTINCT_BLOBS)
    ]
    total = entries + EXTRA
    keys = [hashlib.sha256(f"run {i}".encode()).hexdigest() for i in range(total)]
    records = [dump_record(_record(i, rng)) for i in range(total)]
    return {"entries": entries, "keys": keys, "records": records, "blobs": blobs}


# -- the stores --------------------------------------------------------------------------


class Store:
    """One way of keeping the cache: the operations a batch read needs."""

    name = "?"

    def __init__(self, folder: Path, max_bytes: int = 2 * 1024**3) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def put_all(self, work: dict[str, Any], indices: range) -> None:
        raise NotImplementedError

    def bulk_records(self, keys: list[str]) -> int:
        """Fetch and decode the records of ``keys``; the number found."""
        raise NotImplementedError

    def samples(self, key: str) -> Any:
        raise NotImplementedError

    def evict_to(self, max_bytes: int) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class RunloadStore(Store):
    name = "runload"

    def __init__(self, folder: Path, max_bytes: int = 2 * 1024**3) -> None:
        super().__init__(folder, max_bytes)
        from runload.io.cache import ActivityCache

        self.cache = ActivityCache(folder, max_bytes=max_bytes)

    def put_all(self, work: dict[str, Any], indices: range) -> None:
        from runload.io.cache import load_record

        blobs = work["blobs"]
        for i in indices:
            record = load_record(work["records"][i])
            self.cache.put(work["keys"][i], OPTIONS, record, blobs[i % len(blobs)])
        self.cache.flush()

    def bulk_records(self, keys: list[str]) -> int:
        return len(self.cache.get_many(keys, OPTIONS))

    def samples(self, key: str) -> Any:
        return self.cache.samples(key, OPTIONS)

    def evict_to(self, max_bytes: int) -> None:
        from runload.io.cache import ActivityCache

        self.cache.close()
        self.cache = ActivityCache(self.folder, max_bytes=max_bytes)
        len(self.cache)  # opening enforces the limit

    def close(self) -> None:
        self.cache.close()


class SqliteV1Store(Store):
    """The layout before the split: samples in the entry's row, one query per key."""

    name = "sqlite-v1"

    def __init__(self, folder: Path, max_bytes: int = 2 * 1024**3) -> None:
        super().__init__(folder, max_bytes)
        folder.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(folder / "v1.sqlite", isolation_level=None, timeout=10)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS entries (content TEXT NOT NULL, options TEXT NOT NULL, "
            "version TEXT NOT NULL, record TEXT NOT NULL, samples BLOB, created REAL NOT NULL, "
            "PRIMARY KEY (content, options))"
        )

    def put_all(self, work: dict[str, Any], indices: range) -> None:
        from runload.io.cache import dump_record, load_record

        blobs = work["blobs"]
        for n, i in enumerate(indices):
            if n % 200 == 0:
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")
                self.conn.execute("BEGIN IMMEDIATE")
            text = dump_record(load_record(work["records"][i]))  # as put() does
            self.conn.execute(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                (work["keys"][i], OPTIONS, "v", text, blobs[i % len(blobs)], time.time()),
            )
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def bulk_records(self, keys: list[str]) -> int:
        from runload.io.cache import load_record, valid_record

        found = 0
        for key in keys:
            row = self.conn.execute(
                "SELECT record FROM entries WHERE content = ? AND options = ?", (key, OPTIONS)
            ).fetchone()
            if row is not None and valid_record(load_record(row[0])):
                found += 1
        return found

    def samples(self, key: str) -> Any:
        from runload.io.cache import decode_samples

        row = self.conn.execute(
            "SELECT samples FROM entries WHERE content = ? AND options = ?", (key, OPTIONS)
        ).fetchone()
        return decode_samples(row[0])

    def close(self) -> None:
        self.conn.close()


class DiskcacheStore(Store):
    name = "diskcache"
    policy = "least-recently-used"
    batched = False

    def __init__(self, folder: Path, max_bytes: int = 2 * 1024**3) -> None:
        super().__init__(folder, max_bytes)
        import diskcache

        self.cache = diskcache.Cache(str(folder), size_limit=max_bytes, eviction_policy=self.policy)

    def put_all(self, work: dict[str, Any], indices: range) -> None:
        from runload.io.cache import dump_record, load_record

        blobs = work["blobs"]
        items = list(indices)
        step = 200 if self.batched else 1
        for start in range(0, len(items), step):
            chunk = items[start : start + step]

            def write(chunk: list[int] = chunk) -> None:
                for i in chunk:
                    key = work["keys"][i]
                    text = dump_record(load_record(work["records"][i]))
                    self.cache.set(f"r:{key}:{OPTIONS}", text)
                    self.cache.set(f"s:{key}:{OPTIONS}", blobs[i % len(blobs)])

            if self.batched:
                with self.cache.transact():
                    write()
            else:
                write()

    def bulk_records(self, keys: list[str]) -> int:
        from runload.io.cache import load_record, valid_record

        found = 0
        for key in keys:
            text = self.cache.get(f"r:{key}:{OPTIONS}")
            if text is not None and valid_record(load_record(text)):
                found += 1
        return found

    def samples(self, key: str) -> Any:
        from runload.io.cache import decode_samples

        return decode_samples(self.cache.get(f"s:{key}:{OPTIONS}"))

    def evict_to(self, max_bytes: int) -> None:
        self.cache.reset("size_limit", max_bytes)
        self.cache.cull()

    def close(self) -> None:
        self.cache.close()


class DiskcacheBatchedStore(DiskcacheStore):
    name = "diskcache-batched"
    batched = True


class DiskcacheLrsStore(DiskcacheStore):
    name = "diskcache-lrs"
    policy = "least-recently-stored"


STORES: dict[str, type[Store]] = {
    cls.name: cls
    for cls in (
        RunloadStore,
        SqliteV1Store,
        DiskcacheStore,
        DiskcacheBatchedStore,
        DiskcacheLrsStore,
    )
}


# -- measuring ---------------------------------------------------------------------------


def _disk_bytes(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total


def _drop_from_page_cache(folder: Path) -> bool:
    """Ask the kernel to forget the store's files (as after a reboot); False where it cannot."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for root, _, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)  # dirty pages are not dropped: write them first
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return True


def _child(args: argparse.Namespace) -> None:
    """Run one timed operation in this (fresh) process; print its figures as JSON."""
    with open(args.work, "rb") as fh:
        work = pickle.load(fh)
    cls = STORES[args.store]
    # Import everything the operation needs before the clock starts.
    import runload.io.cache  # noqa: F401

    if cls.name.startswith("diskcache"):
        import diskcache  # noqa: F401
    out: dict[str, Any] = {}
    if args.child == "bulk":
        t0 = time.perf_counter()
        store = cls(Path(args.folder))
        found = store.bulk_records(work["keys"][: work["entries"]])
        out["seconds"] = time.perf_counter() - t0
        out["found"] = found
        store.close()
    elif args.child == "write":
        start, count = args.start, args.count
        t0 = time.perf_counter()
        store = cls(Path(args.folder))
        store.put_all(work, range(start, start + count))
        store.close()
        out["seconds"] = time.perf_counter() - t0
        out["window"] = [time.time() - out["seconds"], time.time()]
    elif args.child == "bulk-loop":
        store = cls(Path(args.folder))
        spans = []
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            start = time.time()
            t0 = time.perf_counter()
            store.bulk_records(work["keys"][: work["entries"]])
            spans.append((start, time.perf_counter() - t0))
        store.close()
        out["spans"] = spans
    print(json.dumps(out))


def _spawn(
    op: str, store: str, folder: Path, work_file: Path, **extra: Any
) -> subprocess.Popen[str]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        op,
        "--store",
        store,
        "--folder",
        str(folder),
        "--work",
        str(work_file),
    ]
    for key, value in extra.items():
        cmd += [f"--{key}", str(value)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


def _result(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = proc.communicate(timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode})")
    return dict(json.loads(out.strip().splitlines()[-1]))


def measure(name: str, work: dict[str, Any], work_file: Path, root: Path) -> dict[str, Any]:
    entries = work["entries"]
    keys = work["keys"][:entries]
    payload = sum(len(r) for r in work["records"][:entries]) + sum(
        len(work["blobs"][i % len(work["blobs"])]) for i in range(entries)
    )
    cls = STORES[name]
    folder = root / name
    shutil.rmtree(folder, ignore_errors=True)
    res: dict[str, Any] = {"store": name}

    store = cls(folder)
    t0 = time.perf_counter()
    store.put_all(work, range(entries))
    seconds = time.perf_counter() - t0
    store.close()
    res["put_per_s"] = entries / seconds
    res["put_mb_s"] = payload / seconds / 1e6
    res["disk_mb"] = _disk_bytes(folder) / 1e6

    bulk = [_result(_spawn("bulk", name, folder, work_file)) for _ in range(3)]
    assert all(b["found"] == entries for b in bulk), bulk
    res["bulk_cold_ms"] = statistics.median(b["seconds"] for b in bulk) * 1e3
    uncached = []
    for _ in range(3):
        if not _drop_from_page_cache(folder):
            break
        uncached.append(_result(_spawn("bulk", name, folder, work_file))["seconds"])
    if uncached:
        res["bulk_uncached_ms"] = statistics.median(uncached) * 1e3

    store = cls(folder)
    store.bulk_records(keys)  # warm the process
    t0 = time.perf_counter()
    store.bulk_records(keys)
    res["bulk_warm_ms"] = (time.perf_counter() - t0) * 1e3
    picks = random.Random(1).sample(keys, min(300, entries))
    t0 = time.perf_counter()
    for key in picks:
        store.samples(key)
    res["samples_ms"] = (time.perf_counter() - t0) / len(picks) * 1e3
    res["decode_ms"] = _decode_ms(work, picks)
    if name == "runload":
        res |= _runload_only(store, work)
    store.close()

    # A reader's bulk summaries while another process writes (every entry again).
    reader = _spawn("bulk-loop", name, folder, work_file, seconds=8)
    time.sleep(2.0)  # the reader's imports, and a few reads alone
    writer = _spawn("write", name, folder, work_file, start=0, count=entries)
    begin, end = _result(writer)["window"]
    spans = _result(reader)["spans"]
    during = [seconds for start, seconds in spans if start >= begin and start + seconds <= end]
    alone = [seconds for start, seconds in spans if start + seconds < begin or start > end]
    res["bulk_under_write_ms"] = statistics.median(during) * 1e3 if during else float("nan")
    res["bulk_beside_ms"] = statistics.median(alone) * 1e3 if alone else float("nan")
    res["bulk_under_write_n"] = len(during)

    if name != "sqlite-v1":  # the old layout had no eviction
        # Eviction as it happens in use: the store is full, new entries keep coming.
        store = cls(folder, max_bytes=_disk_bytes(folder))
        t0 = time.perf_counter()
        store.put_all(work, range(entries, entries + EXTRA))
        res["put_full_ms"] = (time.perf_counter() - t0) / EXTRA * 1e3
        res["put_room_ms"] = 1e3 / res["put_per_s"]
        store.close()
        before = _disk_bytes(folder)
        store = cls(folder)
        t0 = time.perf_counter()
        store.evict_to(before // 2)
        res["evict_s"] = time.perf_counter() - t0
        store.close()
        res["evicted_disk_mb"] = _disk_bytes(folder) / 1e6
        res["evict_target_mb"] = before / 2 / 1e6

    # Two writers at once, into an empty store: wall time from the first put to the last
    # commit (process start-up not counted), against one process writing everything.
    both = root / f"{name}-two"
    shutil.rmtree(both, ignore_errors=True)
    cls(both).close()
    half = entries // 2
    procs = [
        _spawn("write", name, both, work_file, start=0, count=half),
        _spawn("write", name, both, work_file, start=half, count=entries - half),
    ]
    windows = [_result(proc)["window"] for proc in procs]
    res["two_writers_s"] = max(w[1] for w in windows) - min(w[0] for w in windows)
    res["one_writer_s"] = entries / res["put_per_s"]
    check = cls(both)
    assert check.bulk_records(keys) == entries, "entries lost by two writers"
    check.close()
    shutil.rmtree(both, ignore_errors=True)
    return res


def _decode_ms(work: dict[str, Any], keys: list[str]) -> float:
    """Decoding alone, per entry: what every store pays on top of fetching the blob."""
    from runload.io.cache import decode_samples

    index = {key: i for i, key in enumerate(work["keys"])}
    blobs = [work["blobs"][index[key] % len(work["blobs"])] for key in keys]
    t0 = time.perf_counter()
    for blob in blobs:
        decode_samples(blob)
    return (time.perf_counter() - t0) / len(blobs) * 1e3


def _runload_only(store: Store, work: dict[str, Any]) -> dict[str, Any]:
    """The stat index and the last-use write, on the runload store."""
    from runload.io.cache import FileIdentity

    cache = store.cache  # type: ignore[attr-defined]
    old = time.time_ns() - 3600 * 10**9
    ids = {
        FileIdentity(f"/home/runner/export/activities/{i}.fit.gz", 80_000 + i, old + i): key
        for i, key in enumerate(work["keys"][: work["entries"]])
    }
    t0 = time.perf_counter()
    cache.remember_identities(ids)
    cache.flush()
    remember = time.perf_counter() - t0
    t0 = time.perf_counter()
    found = cache.lookup_identities(ids)
    lookup = time.perf_counter() - t0
    assert len(found) == len(ids)
    # Last uses: make every entry stale, read them all, time the batched write.
    conn = sqlite3.connect(cache.path)
    with conn:
        conn.execute("UPDATE entries SET used = used - 86400")
    conn.close()
    cache.get_many(work["keys"][: work["entries"]], OPTIONS)
    t0 = time.perf_counter()
    cache.flush()
    touch = time.perf_counter() - t0
    return {
        "remember_ids_ms": remember * 1e3,
        "lookup_ids_ms": lookup * 1e3,
        "touch_write_ms": touch * 1e3,
    }


COLUMNS = [
    ("put_per_s", "put [entries/s]", "{:.0f}"),
    ("put_mb_s", "put [MB/s]", "{:.0f}"),
    ("bulk_cold_ms", "bulk summaries, new process [ms]", "{:.0f}"),
    ("bulk_uncached_ms", "  same, files dropped from the OS cache [ms]", "{:.0f}"),
    ("bulk_warm_ms", "bulk summaries, again [ms]", "{:.0f}"),
    ("samples_ms", "samples get+decode [ms/entry]", "{:.2f}"),
    ("decode_ms", "  of which decoding [ms/entry]", "{:.2f}"),
    ("disk_mb", "size on disk [MB]", "{:.0f}"),
    ("put_room_ms", "put, with room [ms/entry]", "{:.2f}"),
    ("put_full_ms", "put into a full store (evicting) [ms/entry]", "{:.2f}"),
    ("evict_s", "limit lowered to half: evict [s]", "{:.2f}"),
    ("evicted_disk_mb", "size after eviction [MB]", "{:.0f}"),
    ("two_writers_s", "two processes writing half each [s]", "{:.1f}"),
    ("one_writer_s", "  one process writing all [s]", "{:.1f}"),
    ("bulk_under_write_ms", "bulk summaries while another writes [ms]", "{:.0f}"),
    ("bulk_under_write_n", "  (reads made during the write)", "{:.0f}"),
    ("bulk_beside_ms", "  same reader, before/after the write [ms]", "{:.0f}"),
    ("lookup_ids_ms", "stat index: look up every file [ms]", "{:.0f}"),
    ("remember_ids_ms", "stat index: remember every file [ms]", "{:.0f}"),
    ("touch_write_ms", "write every last use [ms]", "{:.0f}"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--stores", default="runload,sqlite-v1,diskcache,diskcache-batched,diskcache-lrs"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    # internal: one timed operation in a child process
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=5.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    root = args.workdir or Path(tempfile.mkdtemp(prefix="runload-bench-cache-"))
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    work = make_workload(args.entries)
    work_file = root / "workload.pickle"
    with open(work_file, "wb") as fh:
        pickle.dump(work, fh)
    blobs = [len(work["blobs"][i % len(work["blobs"])]) for i in range(args.entries)]
    records = [len(r) for r in work["records"]]
    print(
        f"workload: {args.entries} entries, samples blob mean "
        f"{statistics.mean(blobs) / 1e3:.0f} KB "
        f"(min {min(blobs) / 1e3:.0f}, max {max(blobs) / 1e3:.0f}), record mean "
        f"{statistics.mean(records):.0f} B; generated in {time.perf_counter() - t0:.1f} s; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    results = []
    for name in args.stores.split(","):
        print(f"measuring {name} ...", flush=True)
        results.append(measure(name, work, work_file, root))
    width = max(len(label) for _, label, _ in COLUMNS)
    print()
    print(" " * width + "".join(f"{r['store']:>19}" for r in results))
    for key, label, fmt in COLUMNS:
        cells = [fmt.format(r[key]) if key in r else "-" for r in results]
        print(f"{label:<{width}}" + "".join(f"{c:>19}" for c in cells))
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.workdir is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
