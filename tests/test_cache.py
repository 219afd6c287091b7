"""The parsed-file cache: nothing read twice, damage ignored, never the real user folder."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from export_builders import export_activity, fit_of, write

from runload.exceptions import CacheWarning, InvalidOptionError
from runload.io.batch import read_activities
from runload.io.cache import (
    CACHE_ENV,
    DEFAULT_MAX_BYTES,
    MAX_BYTES_ENV,
    ActivityCache,
    FileIdentity,
    MemberIdentity,
    decode_samples,
    default_cache_dir,
    encode_samples,
    file_identity,
    member_identity,
    parse_size,
)
from runload.testing.exports import write_strava_export

DB = "activities-v3.sqlite"


@contextlib.contextmanager
def _db(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection to the cache database: committed, then closed."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the default cache at a temporary folder: tests never touch the user's."""
    folder = tmp_path / "default-cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def export(tmp_path: Path) -> Path:
    acts = [
        export_activity(2 * d, format=("fit", "gpx", "tcx")[d % 3], gzip=d % 2 == 1, gear="Shoe")
        for d in range(1, 7)
    ]
    return write_strava_export(tmp_path / "export.zip", acts)


def _read(source: object, **kwargs: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_activities(source, jobs=1, **kwargs)  # type: ignore[arg-type]


def test_default_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_cache_dir() == tmp_path / "default-cache"
    monkeypatch.delenv(CACHE_ENV)
    import platformdirs

    assert default_cache_dir() == Path(platformdirs.user_cache_dir("runload", appauthor=False))


def test_second_read_parses_nothing(export: Path, _private_cache: Path) -> None:
    first = _read(export)
    assert (first.stats["parsed"], first.stats["cached"]) == (6, 0)
    assert (_private_cache / DB).is_file()
    second = _read(export)
    assert (second.stats["parsed"], second.stats["cached"]) == (0, 6)
    pd.testing.assert_frame_equal(first.activities, second.activities)
    pd.testing.assert_frame_equal(first.errors, second.errors)
    aid = first.activities.index[2]
    pd.testing.assert_frame_equal(first.samples(aid), second.samples(aid))


def test_moved_files_keep_their_cache_entries_and_take_their_new_path(tmp_path: Path) -> None:
    write(tmp_path / "a" / "run.fit", fit_of(1))
    _read(tmp_path / "a")
    (tmp_path / "a").rename(tmp_path / "b")
    log = _read(tmp_path / "b")
    assert log.stats["cached"] == 1
    assert log.activities["source_path"].iloc[0] == str(tmp_path / "b" / "run.fit")


def test_read_options_are_part_of_the_key(export: Path) -> None:
    _read(export)
    other = _read(export, timezone="Asia/Tokyo", max_gap_s=10.0)
    assert other.stats["parsed"] == 6


def test_disabled_cache_writes_nothing(export: Path, _private_cache: Path) -> None:
    for off in (None, False):
        log = _read(export, cache=off)
        assert log.stats["cached"] == 0
    assert not _private_cache.exists()


def test_explicit_folder(export: Path, tmp_path: Path, _private_cache: Path) -> None:
    _read(export, cache=tmp_path / "mine")
    assert (tmp_path / "mine" / DB).is_file()
    assert not _private_cache.exists()
    assert _read(export, cache=ActivityCache(tmp_path / "mine")).stats["cached"] == 6


def test_damaged_entry_is_ignored_and_rebuilt(export: Path, _private_cache: Path) -> None:
    first = _read(export)
    with _db(_private_cache / DB) as conn:
        (content,) = conn.execute("SELECT content FROM entries LIMIT 1").fetchone()
        conn.execute("UPDATE entries SET record = '{not json' WHERE content = ?", (content,))
    second = _read(export)
    assert (second.stats["parsed"], second.stats["cached"]) == (1, 5)
    pd.testing.assert_frame_equal(first.activities, second.activities)
    third = _read(export)
    assert third.stats["cached"] == 6  # rebuilt


def test_damaged_samples_blob_falls_back_to_the_source(export: Path, _private_cache: Path) -> None:
    first = _read(export, cache=None)
    _read(export)
    with _db(_private_cache / DB) as conn:
        conn.execute("UPDATE samples SET blob = x'00ff'")
    log = _read(export)
    assert log.stats["cached"] == 6
    for aid in log.activities.index:
        pd.testing.assert_frame_equal(log.samples(aid), first.samples(aid))


def test_damaged_database_file_is_replaced(export: Path, _private_cache: Path) -> None:
    _private_cache.mkdir(parents=True)
    (_private_cache / DB).write_bytes(b"this is not an SQLite database" * 100)
    log = _read(export)
    assert log.stats["parsed"] == 6
    assert _read(export).stats["cached"] == 6
    assert any(p.name.startswith(f"{DB}.damaged") for p in _private_cache.iterdir())


def test_unusable_cache_folder_warns_and_reads_anyway(export: Path, tmp_path: Path) -> None:
    blocker = write(tmp_path / "a-file", b"x")  # a file where the folder should be
    with pytest.warns(UserWarning, match="cache"):
        log = read_activities(export, jobs=1, cache=blocker / "sub")
    assert len(log.activities) == 6


def test_uncommitted_entries_are_invisible(tmp_path: Path) -> None:
    cache = ActivityCache(tmp_path / "c")
    # A record of the shape a batch read stores (the cache drops records of any other shape).
    record = {"error": {"message": "m", "reason": "empty", "offset": None, "line": None}}
    cache.put("abc", "opt", record)
    other = ActivityCache(tmp_path / "c")
    assert other.get("abc", "opt") is None  # the writer's transaction is still open
    cache.flush()
    assert other.get("abc", "opt") == record
    cache.close()
    other.close()


def test_samples_blob_round_trip_is_exact() -> None:
    index = pd.DatetimeIndex(
        pd.to_datetime([0, 1_000_000_001, 2_500_000_000], unit="ns", utc=True), name="time"
    )
    frame = pd.DataFrame(
        {
            "latitude_deg": [39.7392, np.nan, -33.868820001],
            "longitude_deg": [-104.9903, np.nan, 151.2093],
            "elevation_m": [1600.25, 1601.0, np.nan],
            "distance_m": [0.0, 3.3, 7.123456789],
            "speed_m_s": [np.nan] * 3,
            "heart_rate_bpm": [90.0, 91.0, 95.0],
            "cadence_spm": [np.nan] * 3,
            "power_w": [np.nan] * 3,
        },
        index=index,
    )
    back = decode_samples(encode_samples(frame))
    pd.testing.assert_frame_equal(back, frame, check_exact=True, check_column_type=False)
    with pytest.raises(ValueError):
        decode_samples(b"garbage")


def test_cli_no_cache_flag(export: Path, _private_cache: Path) -> None:
    env_cmd = [sys.executable, "-m", "runload.cli", "analyze", str(export), "--jobs", "1"]
    done = subprocess.run([*env_cmd, "--no-cache"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert not _private_cache.exists()
    done = subprocess.run(env_cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (_private_cache / DB).is_file()


# -- size limit and least-recently-used eviction -------------------------------------------

KIB = 1024
MIB = 1024 * KIB


def _error_record(tag: str) -> dict[str, object]:
    """The smallest record of a shape the cache accepts (a file that could not be read)."""
    return {"error": {"message": tag, "reason": "empty", "offset": None, "line": None}}


def _key(i: int) -> str:
    return f"{i:064x}"


def _used(db: Path) -> dict[str, float]:
    with _db(db) as conn:
        return dict(conn.execute("SELECT content, used FROM entries"))


def _set_used(db: Path, used: dict[str, float]) -> None:
    with _db(db) as conn:
        conn.executemany(
            "UPDATE entries SET used = ? WHERE content = ?", [(t, c) for c, t in used.items()]
        )


def _file_bytes(db: Path) -> int:
    with _db(db) as conn:
        (page,) = conn.execute("PRAGMA page_size").fetchone()
        (count,) = conn.execute("PRAGMA page_count").fetchone()
    return int(page * count)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1048576", 1048576),
        ("500M", 500 * MIB),
        ("2GiB", 2 * 1024 * MIB),
        ("2 gb", 2 * 1024 * MIB),
        ("1.5g", 1536 * MIB),
        ("64k", 64 * KIB),
        ("100b", 100),
    ],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "0", "-1", "2 PB", "1e9", "0.0001k"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


def test_limit_from_argument_environment_or_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MAX_BYTES_ENV, raising=False)
    assert DEFAULT_MAX_BYTES == 2 * 1024 * MIB
    default = ActivityCache(tmp_path / "c")
    assert (default.max_bytes, default.max_bytes_source) == (DEFAULT_MAX_BYTES, "default")
    monkeypatch.setenv(MAX_BYTES_ENV, "300M")
    from_env = ActivityCache(tmp_path / "c")
    assert (from_env.max_bytes, from_env.max_bytes_source) == (300 * MIB, MAX_BYTES_ENV)
    given = ActivityCache(tmp_path / "c", max_bytes="1G")
    assert (given.max_bytes, given.max_bytes_source) == (1024 * MIB, "argument")
    assert ActivityCache(tmp_path / "c", max_bytes=12345).max_bytes == 12345
    monkeypatch.setenv(MAX_BYTES_ENV, "a lot")
    with pytest.warns(CacheWarning, match=MAX_BYTES_ENV):
        bad_env = ActivityCache(tmp_path / "c")
    assert bad_env.max_bytes == DEFAULT_MAX_BYTES
    for bad in (0, -5, "none", 1.5, True):
        with pytest.raises(InvalidOptionError):
            ActivityCache(tmp_path / "c", max_bytes=bad)  # type: ignore[arg-type]


def test_least_recently_used_entries_are_evicted_first(tmp_path: Path) -> None:
    # 20 entries of 100 KiB of incompressible samples under a 1.5 MiB limit:
    # about 2 MiB in all, so some must go; eviction stops at 90 % of the limit.
    blob = {i: np.random.default_rng(i).bytes(100 * KIB) for i in range(20)}
    cache = ActivityCache(tmp_path / "c", max_bytes=int(1.5 * MIB))
    for i in range(10):
        cache.put(_key(i), "opt", _error_record(str(i)), blob[i])
    cache.flush()
    db = cache.path
    # Entries 0..9 last used a day ago, in that order...
    day_ago = time.time() - 86400
    _set_used(db, {_key(i): day_ago + i for i in range(10)})
    # ... then entries 0 and 1 are read again.
    assert cache.get(_key(0), "opt") == _error_record("0")
    assert cache.get_many([_key(1)], "opt") == {_key(1): _error_record("1")}
    assert _used(db)[_key(0)] == day_ago  # a read writes nothing by itself
    for i in range(10, 20):
        cache.put(_key(i), "opt", _error_record(str(i)), blob[i])
    cache.flush()
    kept = {int(k, 16) for k in _used(db)}
    evicted = set(range(20)) - kept
    assert {0, 1} <= kept and set(range(10, 20)) <= kept
    # The least recently used go first, in order: 2, 3, 4...
    assert evicted == set(range(2, 2 + len(evicted))) and len(evicted) >= 5
    assert _file_bytes(db) <= 1.5 * MIB
    for i in kept:
        assert cache.get(_key(i), "opt") == _error_record(str(i))
    with _db(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == len(kept)
    cache.close()


def test_recent_uses_are_not_rewritten(tmp_path: Path) -> None:
    cache = ActivityCache(tmp_path / "c")
    cache.put(_key(1), "opt", _error_record("1"))
    cache.put(_key(2), "opt", _error_record("2"))
    cache.flush()
    hour_and_a_bit = time.time() - 4000
    _set_used(cache.path, {_key(1): hour_and_a_bit, _key(2): time.time() - 60})
    before = _used(cache.path)
    cache.get_many([_key(1), _key(2)], "opt")
    cache.flush()
    after = _used(cache.path)
    assert after[_key(1)] > before[_key(1)] + 3000  # stale: rewritten at the flush
    assert after[_key(2)] == before[_key(2)]  # used a minute ago: left alone
    cache.close()


def test_limit_is_enforced_when_the_cache_is_opened(tmp_path: Path) -> None:
    big = ActivityCache(tmp_path / "c")
    for i in range(12):
        big.put(_key(i), "opt", _error_record(str(i)), np.random.default_rng(i).bytes(100 * KIB))
    big.close()
    assert _file_bytes(big.path) > 1 * MIB
    small = ActivityCache(tmp_path / "c", max_bytes=MIB)
    assert 0 < len(small) < 12
    assert _file_bytes(small.path) <= MIB  # the freed pages went back to the disk
    small.close()


# -- bulk reads and file identities --------------------------------------------------------


def test_get_many_reads_summaries_in_bulk(tmp_path: Path) -> None:
    cache = ActivityCache(tmp_path / "c")
    for i in range(1200):  # more than one query's worth of keys
        cache.put(_key(i), "opt", _error_record(str(i)), b"samples")
    cache.put(_key(5000), "other-options", _error_record("x"))
    cache.flush()
    wanted = [_key(i) for i in range(0, 1300, 2)] + [_key(4), _key(5000)]
    found = cache.get_many(wanted, "opt")
    assert found == {_key(i): _error_record(str(i)) for i in range(0, 1200, 2)}
    assert cache.get_many([], "opt") == {}
    # A damaged record is dropped and deleted, the others still answered.
    with _db(cache.path) as conn:
        conn.execute("UPDATE entries SET record = '[1, 2]' WHERE content = ?", (_key(2),))
    again = cache.get_many([_key(0), _key(2)], "opt")
    assert list(again) == [_key(0)]
    assert cache.get(_key(2), "opt") is None and len(cache) == 1200
    cache.close()


def test_entries_of_another_code_version_are_never_returned(tmp_path: Path) -> None:
    cache = ActivityCache(tmp_path / "c")
    cache.put(_key(1), "opt", _error_record("1"), b"x")
    cache.flush()
    # Another runload (a different code digest) rewrites the entry while this one is open.
    with _db(cache.path) as conn:
        conn.execute("UPDATE entries SET version = 'someone-else'")
    assert cache.get(_key(1), "opt") is None
    assert cache.get_many([_key(1)], "opt") == {}
    assert cache.samples(_key(1), "opt") is None
    cache.close()


def _old_file(path: Path, data: bytes = b"x" * 100) -> Path:
    write(path, data)
    past = time.time() - 600
    os.utime(path, (past, past))
    return path


def test_identities_point_unchanged_files_at_their_content(tmp_path: Path) -> None:
    cache = ActivityCache(tmp_path / "c")
    a = file_identity(_old_file(tmp_path / "a.fit"))
    b = file_identity(_old_file(tmp_path / "b.gpx"))
    assert a == FileIdentity(str(tmp_path / "a.fit"), 100, os.stat(tmp_path / "a.fit").st_mtime_ns)
    assert cache.remember_identities({a: _key(1), b: _key(2)}) == 2
    cache.flush()
    other = ActivityCache(tmp_path / "c")
    assert other.lookup_identities([a, b]) == {a: _key(1), b: _key(2)}
    # Plain tuples of the same shape are the same identities.
    assert other.lookup_identities([tuple(a)]) == {tuple(a): _key(1)}
    # Any change of size or time, or another path, is a miss.
    changed = [a._replace(size=101), a._replace(mtime_ns=a.mtime_ns + 1), a._replace(path="x")]
    assert other.lookup_identities(changed) == {}
    assert other.lookup_identities([]) == {}
    cache.close()
    other.close()


def test_a_changed_file_replaces_its_identity(tmp_path: Path) -> None:
    cache = ActivityCache(tmp_path / "c")
    path = _old_file(tmp_path / "a.fit")
    first = file_identity(path)
    cache.remember_identities({first: _key(1)})
    _old_file(path, b"y" * 200)
    second = file_identity(path)
    cache.remember_identities({second: _key(2)})
    assert cache.lookup_identities([first, second]) == {second: _key(2)}
    assert cache.info().identities == 1
    cache.close()


def test_files_modified_just_now_are_not_remembered(tmp_path: Path) -> None:
    cache = ActivityCache(tmp_path / "c")
    fresh = file_identity(write(tmp_path / "a.fit", b"x"))  # mtime: now
    assert cache.remember_identities({fresh: _key(1)}) == 0
    assert cache.lookup_identities([fresh]) == {}
    cache.close()


def test_archive_member_identities(tmp_path: Path) -> None:
    cache = ActivityCache(tmp_path / "c")
    outer = file_identity(_old_file(tmp_path / "export.zip"))
    inner = member_identity(outer, "activities.zip", crc32=0xDEADBEEF, size=5000)
    run = member_identity(inner, "runs/1.fit", crc32=123, size=456)
    assert run == MemberIdentity(inner, "runs/1.fit", 123, 456)
    cache.remember_identities({run: _key(1)})
    assert cache.lookup_identities([run]) == {run: _key(1)}
    misses = [
        run._replace(crc32=124),
        run._replace(size=457),
        run._replace(name="runs/2.fit"),
        member_identity(inner._replace(crc32=1), "runs/1.fit", crc32=123, size=456),
        member_identity(
            member_identity(
                outer._replace(mtime_ns=1), "activities.zip", crc32=0xDEADBEEF, size=5000
            ),
            "runs/1.fit",
            crc32=123,
            size=456,
        ),
    ]
    assert cache.lookup_identities(misses) == {}
    # An archive modified just now: its members are not remembered either.
    new_zip = file_identity(write(tmp_path / "new.zip", b"z"))
    assert cache.remember_identities({member_identity(new_zip, "a", crc32=1, size=1): _key(2)}) == 0
    cache.close()


@pytest.mark.parametrize(
    "bad",
    [
        "path",
        ("path", 1),
        ("path", "1", 2),
        ("path", 1, 2.5),
        ("path", True, 2),
        (("path", 1, 2), "name", 1),
        (("path", 1, 2), 5, 1, 1),
        (("path", 1), "name", 1, 1),
    ],
)
def test_malformed_identities_are_refused(tmp_path: Path, bad: object) -> None:
    cache = ActivityCache(tmp_path / "c")
    with pytest.raises(TypeError):
        cache.lookup_identities([bad])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        cache.remember_identities({bad: _key(1)})
    with pytest.raises(TypeError):
        cache.remember_identities({("p", 1, 2): 5})  # type: ignore[dict-item]
    cache.close()


def test_eviction_and_clear_forget_the_identities_of_what_went(tmp_path: Path) -> None:
    cache = ActivityCache(tmp_path / "c", max_bytes=int(1.5 * MIB))
    ids = {i: file_identity(_old_file(tmp_path / f"{i}.fit", bytes([i]) * 10)) for i in range(20)}
    for i in range(20):
        cache.put(_key(i), "opt", _error_record(str(i)), np.random.default_rng(i).bytes(100 * KIB))
        cache.remember_identities({ids[i]: _key(i)})
    cache.flush()
    kept = set(_used(cache.path))
    assert 0 < len(kept) < 20
    known = cache.lookup_identities(ids.values())
    assert set(known.values()) == kept  # the identities of evicted entries are gone too
    with _db(cache.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM identities").fetchone()[0] == len(kept)
    assert cache.clear() == len(kept)
    assert cache.lookup_identities(ids.values()) == {}
    assert len(cache) == 0
    cache.close()


def test_an_identity_whose_entry_is_gone_is_a_plain_miss(tmp_path: Path) -> None:
    cache = ActivityCache(tmp_path / "c")
    ident = file_identity(_old_file(tmp_path / "a.fit"))
    cache.remember_identities({ident: _key(1)})  # remembered, but no entry was put
    assert cache.lookup_identities([ident]) == {ident: _key(1)}
    assert cache.get_many([_key(1)], "opt") == {}
    cache.close()


# -- info, clear, layouts ------------------------------------------------------------------


def test_info_and_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MAX_BYTES_ENV, raising=False)
    folder = tmp_path / "c"
    cache = ActivityCache(folder)
    info = cache.info()
    assert not info.exists and info.entries == 0 and info.bytes_on_disk == 0
    assert info.oldest_use is None and info.max_bytes == DEFAULT_MAX_BYTES
    assert cache.clear() == 0
    assert not folder.exists()  # neither created anything
    start = time.time()
    for i in range(3):
        cache.put(_key(i), "opt", _error_record(str(i)), np.random.default_rng(i).bytes(50 * KIB))
    cache.flush()
    info = cache.info()
    assert info.exists and info.entries == 3 and info.bytes_on_disk > 150 * KIB
    assert info.oldest_use is not None and info.newest_use is not None
    assert start - 1 <= info.oldest_use.timestamp() <= info.newest_use.timestamp() <= time.time()
    assert info.oldest_use.tzinfo is not None
    assert cache.clear() == 3
    cleared = cache.info()
    assert cleared.entries == 0 and cleared.bytes_on_disk < 100 * KIB
    cache.close()


def test_a_database_of_the_previous_layout_is_removed(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    for name in ("activities-v1.sqlite", "activities-v1.sqlite-wal"):
        (folder / name).write_bytes(b"old")
    cache = ActivityCache(folder)
    assert len(cache) == 0
    assert sorted(p.name for p in folder.iterdir() if "v1" in p.name) == []
    cache.close()


def test_pickled_cache_travels_without_its_state(tmp_path: Path) -> None:
    import pickle

    cache = ActivityCache(tmp_path / "c", max_bytes=5 * MIB)
    cache.put(_key(1), "opt", _error_record("1"))
    cache.get(_key(1), "opt")
    copy = pickle.loads(pickle.dumps(cache))
    assert copy.max_bytes == 5 * MIB and copy.usable
    cache.close()
    assert copy.get(_key(1), "opt") == _error_record("1")
    copy.close()
