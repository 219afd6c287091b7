"""Two processes sharing one cache: writing, reading and evicting at the same time.

Every entry is derived from its label, so anyone can check what they read:
the content key is the SHA-256 of the label, the record's message is the label,
and the samples come from a generator seeded with the key.  Each process puts
its own entries and some that both put (the same key written twice at once),
reads back everything either may have written, remembers and looks up file
identities, and commits (and so may evict) every round.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import sqlite3
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

ROUNDS = 12
PER_ROUND = 8  # own entries per round, plus SHARED that both processes put
SHARED = 2
ROWS = 1500  # samples rows: about 22 KB per entry, incompressible
OPTIONS = "opt"


@contextlib.contextmanager
def _db(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection to the cache database: committed, then closed."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def _labels(who: int, rounds: range) -> list[str]:
    out = []
    for r in rounds:
        out += [f"p{who}-r{r}-k{k}" for k in range(PER_ROUND)]
        out += [f"shared-r{r}-k{k}" for k in range(SHARED)]
    return out


def _content(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def _record(label: str) -> dict[str, Any]:
    return {"error": {"message": label, "reason": "empty", "offset": None, "line": None}}


def _samples(content: str) -> pd.DataFrame:
    rng = np.random.default_rng(int(content[:12], 16))
    index = pd.DatetimeIndex(
        pd.to_datetime(np.arange(ROWS) * 1_000_000_000 + 1_700_000_000_000_000_000, utc=True),
        name="time",
    )
    return pd.DataFrame(
        {"distance_m": np.cumsum(rng.random(ROWS)), "heart_rate_bpm": rng.random(ROWS) * 200},
        index=index,
    )


def _identity(label: str) -> tuple[str, int, int]:
    return (f"/runs/{label}.fit", len(label), 1_600_000_000_000_000_000)


def _check(found: dict[str, Any], by_content: dict[str, str], bad: list[str]) -> None:
    for content, record in found.items():
        if record != _record(by_content[content]):
            bad.append(f"record of {by_content[content]}: {record!r}")


def _work(folder: str, who: int, max_bytes: int, barrier: Any, results: Any) -> None:
    out: dict[str, Any] = {"who": who, "errors": [], "warnings": [], "bad": [], "reads": 0}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from runload.io.cache import ActivityCache, encode_samples

            cache = ActivityCache(folder, max_bytes=max_bytes)
            len(cache)  # open (and create) before the start line: both race to create it
            barrier.wait(timeout=60)
            everyone = {
                _content(label): label for w in (0, 1) for label in _labels(w, range(ROUNDS))
            }
            for r in range(ROUNDS):
                mine = _labels(who, range(r, r + 1))
                for label in mine:
                    content = _content(label)
                    cache.put(content, OPTIONS, _record(label), encode_samples(_samples(content)))
                cache.remember_identities({_identity(label): _content(label) for label in mine})
                cache.flush()
                # Read back all either process may have written by now.
                found = cache.get_many(everyone, OPTIONS)
                out["reads"] += len(found)
                _check(found, everyone, out["bad"])
                for content in list(found)[:: max(1, len(found) // 6)]:
                    frame = cache.samples(content, OPTIONS)
                    if frame is not None:
                        expected = _samples(content)
                        if not np.array_equal(frame["distance_m"], expected["distance_m"]):
                            out["bad"].append(f"samples of {everyone[content]}")
                one = cache.get(_content(mine[0]), OPTIONS)
                if one is not None and one != _record(mine[0]):
                    out["bad"].append(f"get of {mine[0]}")
                ids = [_identity(label) for label in everyone.values()]
                for ident, content in cache.lookup_identities(ids).items():
                    if content != _content(ident[0][len("/runs/") : -len(".fit")]):
                        out["bad"].append(f"identity {ident}")
                # Rounds in step (the writes inside a round still race): otherwise a process
                # held back by the scheduler can fall many rounds behind, and the other's
                # later writes evict its last round, which the eviction test expects to stay.
                barrier.wait(timeout=60)
            cache.close()
        out["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    except BaseException:
        out["errors"].append(traceback.format_exc())
    results.put(out)


def _run_two(folder: Path, max_bytes: int) -> list[dict[str, Any]]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_work, args=(str(folder), who, max_bytes, barrier, results))
        for who in (0, 1)
    ]
    for proc in procs:
        proc.start()
    outs = [results.get(timeout=240) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    for out in outs:
        assert out["errors"] == [], out["errors"]
        assert out["warnings"] == [], out["warnings"]  # no CacheWarning: nothing gave up
        assert out["bad"] == [], out["bad"]
        assert out["reads"] > 0
    return outs


def _stored(folder: Path) -> dict[str, str]:
    """Content → label of every entry, after checking the database and every entry in it."""
    from runload.io.cache import decode_samples, load_record

    with _db(folder / "activities-v3.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = conn.execute(
            "SELECT content, record, blob FROM entries LEFT JOIN samples USING (id)"
        ).fetchall()
        (n_samples,) = conn.execute("SELECT COUNT(*) FROM samples").fetchone()
        orphans = conn.execute(
            "SELECT COUNT(*) FROM identities WHERE content NOT IN (SELECT content FROM entries)"
        ).fetchone()[0]
    assert n_samples == len(rows)
    assert orphans == 0
    stored = {}
    for content, text, blob in rows:
        label = load_record(text)["error"]["message"]
        assert _content(label) == content
        assert np.array_equal(decode_samples(blob)["distance_m"], _samples(content)["distance_m"])
        stored[content] = label
    return stored


def test_two_processes_without_eviction_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    _run_two(folder, max_bytes=1024**3)
    stored = _stored(folder)
    written = set(_labels(0, range(ROUNDS))) | set(_labels(1, range(ROUNDS)))
    assert set(stored.values()) == written


def test_two_processes_evicting_stay_consistent(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    limit = 1536 * 1024  # about a third of what is written
    _run_two(folder, max_bytes=limit)
    stored = _stored(folder)
    written = set(_labels(0, range(ROUNDS))) | set(_labels(1, range(ROUNDS)))
    assert set(stored.values()) <= written
    assert 0 < len(stored) < len(written)
    # What stays is recent: each process's last round survives.
    last = set(_labels(0, range(ROUNDS - 1, ROUNDS))) | set(_labels(1, range(ROUNDS - 1, ROUNDS)))
    assert last <= set(stored.values())
    with _db(folder / "activities-v3.sqlite") as conn:
        (page,) = conn.execute("PRAGMA page_size").fetchone()
        (count,) = conn.execute("PRAGMA page_count").fetchone()
    assert page * count <= limit


@pytest.mark.parametrize("who", [0])
def test_the_worker_alone(tmp_path: Path, who: int) -> None:
    """The same work in this process (a failure here is easier to read than in a child)."""

    class _Now:
        def wait(self, timeout: float) -> None:
            return None

    class _Box:
        def put(self, value: dict[str, Any]) -> None:
            self.value = value

    box = _Box()
    _work(str(tmp_path / "alone"), who, 1024**3, _Now(), box)
    assert box.value["errors"] == [] and box.value["bad"] == [] and box.value["warnings"] == []
    assert set(_stored(tmp_path / "alone").values()) == set(_labels(who, range(ROUNDS)))
