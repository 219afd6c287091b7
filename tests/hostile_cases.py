"""The catalogue of hostile and broken inputs (issue 10), built with runload's own writers.

Each :class:`Case` writes one input under a folder, names its hostile class,
and states the outcome runload must give:

* ``imported``: read, no error row and no warning;
* ``warning``: read, with a warning saying what was left out (``expect`` is a
  piece of the warning), and ``check`` saying what was kept;
* ``error``: a :class:`~runload.RunloadError` (or an errors row in a batch)
  with the reason code ``expect``; for exports, ``check`` says that the rest
  was read.

Cases marked ``bounded`` (bombs, floods, special files) are also run in a
forked child of a fresh interpreter, which reports the wall time and the peak
resident memory of the read: see :func:`measure` and ``python
tests/hostile_cases.py`` (used by ``tests/test_hostile.py`` and
``benchmarks/bench_hostile.py``).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import resource
import socket
import struct
import sys
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from export_builders import fit_of, gzip_bomb, small_track, write, zip_bytes, zip_of_zeros  # noqa: E402

import runload  # noqa: E402
from runload.exceptions import RunloadError  # noqa: E402
from runload.testing.exports import ExportActivity, write_garmin_export, write_strava_export  # noqa: E402
from runload.testing.fit import FIT_EPOCH, definition, fit_bytes, fit_file  # noqa: E402
from runload.testing.gpx import gpx_bytes  # noqa: E402
from runload.testing.tcx import tcx_bytes  # noqa: E402
from runload.testing.track import Track  # noqa: E402

__all__ = ["CASES", "Case", "Result", "fuzz", "measure", "remove_tree", "run_case"]


@dataclass
class Result:
    """What reading a case gave."""

    outcome: str  # imported, warning, error
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    activities: pd.DataFrame | None = None
    log: Any = None


@dataclass(frozen=True)
class Case:
    """One hostile input and the outcome runload must give (see the module docstring)."""

    name: str
    kind: str
    outcome: str
    expect: str | None
    build: Callable[[Path], Path]
    how: str = "batch"  # batch: read_activities; file: read_activity
    bounded: bool = False
    seconds: float = 2.0
    check: Callable[[Result], None] | None = None


# -- reading ----------------------------------------------------------------------------------


def run_case(case: Case, folder: Path) -> Result:
    """Build the case's input under ``folder`` and read it as the case says."""
    source = case.build(folder)
    return read_source(case, source)


def read_source(case: Case, source: Path) -> Result:
    """Read a built input (``case.how``) and sort the outcome."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if case.how == "file":
            try:
                activity = runload.read_activity(source)
            except RunloadError as exc:
                return Result("error", [exc.reason])
            texts = [str(w.message) for w in caught]
            frame = activity.summary().to_frame().T
            return Result("warning" if texts else "imported", [], texts, frame)
        log = runload.read_activities(source, cache=None, jobs=1, progress=False)
    reasons = [str(r) for r in log.errors["reason"]]
    texts = [str(m) for m in log.warnings["message"]]
    outcome = "error" if reasons else ("warning" if texts else "imported")
    return Result(outcome, reasons, texts, log.activities, log)


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(case: Case, folder: Path) -> dict[str, Any]:
    """Build the input, then read it in a forked child: outcome, time, peak memory.

    ``seconds`` is the wall time, ``cpu_seconds`` the child's own CPU time
    (user + system: what the work costs, whatever else the machine runs).

    The child's peak resident memory (``ru_maxrss``) starts from its own
    resident set at the fork (the interpreter with runload imported), so the
    figure is the whole reading process at its worst.
    """
    source = case.build(folder)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reads, reports, and leaves without cleanup
        os.close(r)
        try:
            base = _rss_mib()
            t0 = time.perf_counter()
            use0 = resource.getrusage(resource.RUSAGE_SELF)
            res = read_source(case, source)
            seconds = time.perf_counter() - t0
            use1 = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (use1.ru_utime - use0.ru_utime) + (use1.ru_stime - use0.ru_stime)
            peak = use1.ru_maxrss / 1024
            failed = None
            if case.check is not None:
                try:
                    case.check(res)
                except AssertionError as exc:
                    failed = f"check failed: {exc}"
            out = {
                "check": failed,
                "warnings": res.warnings[:5],
                "name": case.name,
                "outcome": res.outcome,
                "reasons": res.reasons,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "peak_mib": peak,
                "base_mib": base,
            }
        except BaseException as exc:  # reported, never raised in the child
            out = {"name": case.name, "outcome": f"crash: {type(exc).__name__}: {exc}"}
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        piece = os.read(r, 1 << 16)
        if not piece:
            break
        chunks.append(piece)
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks) or b'{"outcome": "died"}')


def remove_tree(path: Path) -> None:
    """Delete a folder tree without recursion (shutil.rmtree recurses: 1,200 levels break it)."""
    stack = [str(path)]
    while stack:
        top = stack[-1]
        try:
            entries = list(os.scandir(top))
        except FileNotFoundError:
            stack.pop()
            continue
        subdirs = [e.path for e in entries if e.is_dir(follow_symlinks=False)]
        for e in entries:
            if not e.is_dir(follow_symlinks=False):
                os.unlink(e.path)
        if subdirs:
            stack.extend(subdirs)
        else:
            os.rmdir(top)
            stack.pop()


# -- builders -----------------------------------------------------------------------------------


def _good_run(folder: Path, name: str = "good.fit", day: int = 1) -> Path:
    return write(folder / name, fit_of(day))


def _fifo(folder: Path) -> Path:
    _good_run(folder)
    os.mkfifo(folder / "run.fit")
    return folder


def _dev_zero(folder: Path) -> Path:
    _good_run(folder)
    (folder / "zero.fit").symlink_to("/dev/zero")
    return folder


def _socket(folder: Path) -> Path:
    _good_run(folder)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(folder / "run.fit"))
    finally:
        sock.close()
    return folder


def _sparse_3gib(folder: Path) -> Path:
    _good_run(folder)
    big = folder / "big.fit"
    with open(big, "wb") as fh:
        fh.write(fit_of(2)[:64])
        fh.truncate(3 << 30)
    return folder


def _deep_folders(folder: Path) -> Path:
    deep = folder / "top"
    deep.mkdir()
    path = str(deep)
    for _ in range(1200):  # one level at a time: os.makedirs recurses
        path = os.path.join(path, "d")
        os.mkdir(path)
    with open(os.path.join(path, "good.fit"), "wb") as fh:
        fh.write(fit_of(1))
    return deep


def _link_loop(folder: Path) -> Path:
    top = folder / "top"
    (top / "a").mkdir(parents=True)
    _good_run(top / "a")
    (top / "a" / "back").symlink_to(top, target_is_directory=True)
    (top / "self").symlink_to(".", target_is_directory=True)
    return top


def _zero_field_records(n_bytes: int) -> bytes:
    return fit_file(definition(0, 20) + b"\x00" * n_bytes)


def _zero_field_gz(folder: Path) -> Path:
    return write(folder / "flood.fit.gz", gzip.compress(_zero_field_records(16 << 20), 9, mtime=0))


def _zero_field_gz_small(folder: Path) -> Path:
    # Under the ratio-free size of runload.io.limits.ArchiveLimits (1 MiB): the gzip
    # bounds let it through, the FIT decoder's work budget must refuse it.
    return write(folder / "flood.fit.gz", gzip.compress(_zero_field_records(900 << 10), 9, mtime=0))


def _zero_field_plain(folder: Path) -> Path:
    return write(folder / "flood.fit", _zero_field_records(4 << 20))


def _definition_flood(folder: Path) -> Path:
    one = definition(0, 20, [(253, 4, 0x86)])
    return write(folder / "defs.fit", fit_file(one * ((4 << 20) // len(one))))


def _distinct_definition_flood(folder: Path) -> Path:
    defs = b"".join(
        definition(0, 300 + g % 60_000, [(1 + g // 60_000, 1, 2)]) for g in range(70_000)
    )
    return write(folder / "defs.fit", fit_file(defs))


def _overlapping_zip(folder: Path) -> Path:
    """20 central-directory entries sharing one member's bytes (ratio about 3, under the cap)."""
    rng = np.random.default_rng(10)
    payload = rng.integers(0, 16, size=4 << 20, dtype=np.uint8).tobytes()
    one = zip_bytes({"run0.fit": payload})
    eocd = one.rfind(b"PK\x05\x06")
    cd_offset = struct.unpack_from("<I", one, eocd + 16)[0]
    cd = one[cd_offset:eocd]
    name_len = struct.unpack_from("<H", cd, 28)[0]
    entries = []
    for i in range(20):
        name = f"run{i}.fit".encode()
        entry = bytearray(cd[:46]) + name + cd[46 + name_len :]
        struct.pack_into("<H", entry, 28, len(name))
        entries.append(bytes(entry))
    new_cd = b"".join(entries)
    end = bytearray(one[eocd:])
    struct.pack_into("<HHII", end, 8, 20, 20, len(new_cd), cd_offset)
    return write(folder / "overlap.zip", one[:cd_offset] + new_cd + bytes(end))


def _duplicate_names_zip(folder: Path) -> Path:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("run.fit", fit_of(1))
            zf.writestr("run.fit", fit_of(2))
    return write(folder / "dupes.zip", buf.getvalue())


def _zip_bomb(folder: Path) -> Path:
    return write(folder / "bomb.zip", zip_of_zeros("bomb.fit", 64 << 20))


def _gzip_bomb(folder: Path) -> Path:
    return write(folder / "bomb.fit.gz", gzip_bomb(1 << 30))


def _zip_slip(folder: Path) -> Path:
    return write(
        folder / "slip.zip", zip_bytes({"../../escaped.fit": fit_of(1), "/abs/evil.fit": fit_of(2)})
    )


def _nested_too_deep(folder: Path) -> Path:
    inner = zip_bytes({"deeper.zip": zip_bytes({"run.fit": fit_of(1)})})
    return write(folder / "outer.zip", zip_bytes({"nested.zip": inner, "run.fit": fit_of(2)}))


def _track(n: int, *, step_s: float = 1.0, start: str = "2024-03-01T07:00:00Z") -> Track:
    t0 = pd.Timestamp(start)
    index = pd.DatetimeIndex(t0 + pd.to_timedelta(np.arange(n) * step_s, unit="s"), name="time")
    lat = 47.0 + np.arange(n) * 2e-5
    samples = pd.DataFrame(
        {"latitude_deg": lat, "longitude_deg": np.full(n, 8.0), "elevation_m": np.full(n, 400.0)},
        index=index,
    )
    return Track(samples=samples, sport="running")


#: 2024-03-01T07:00:00Z in FIT seconds (since 1989-12-31T00:00:00Z). [s]
_FIT_T0 = int((pd.Timestamp("2024-03-01T07:00:00Z") - FIT_EPOCH).total_seconds())


def _fit_pauses(folder: Path) -> Path:
    """100,000 records at 1 s and 50,000 timer stop/start pairs, written message by message.

    Records carry a timestamp, a position and a distance; the timer stops at
    second 2k and starts at 2k + 1 for k = 1 ... 49,999 (plus a start at 0 and a
    stop at the end): 49,999 s of pauses in 99,999 s.
    """
    n = 100_000
    rec = np.zeros(
        n, dtype=[("h", "u1"), ("t", "<u4"), ("lat", "<i4"), ("lon", "<i4"), ("d", "<u4")]
    )
    rec["h"] = 0
    rec["t"] = _FIT_T0 + np.arange(n)
    rec["lat"] = np.round((47.0 + np.arange(n) * 2e-5) * 2**31 / 180).astype("int64")
    rec["lon"] = round(8.0 * 2**31 / 180)
    rec["d"] = np.arange(n) * 200  # 2 m a second [cm]
    k = np.arange(1, 50_000)
    times = np.concatenate([[0], 2 * k, 2 * k + 1, [n - 1]])
    kinds = np.concatenate([[0], np.full(k.size, 4), np.zeros(k.size, dtype=int), [4]])
    order = np.argsort(times, kind="stable")
    ev = np.zeros(times.size, dtype=[("h", "u1"), ("t", "<u4"), ("e", "u1"), ("et", "u1")])
    ev["h"] = 1
    ev["t"] = _FIT_T0 + times[order]
    ev["et"] = kinds[order]
    records = (
        definition(2, 0, [(0, 1, 0x00)])
        + bytes((2, 4))  # file_id.type = activity
        + definition(0, 20, [(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (5, 4, 0x86)])
        + rec.tobytes()
        + definition(1, 21, [(253, 4, 0x86), (0, 1, 0x00), (1, 1, 0x00)])
        + ev.tobytes()
    )
    return write(folder / "pauses.fit", fit_file(records))


def _check_pauses(res: Result) -> None:
    assert res.activities is not None
    assert float(res.activities["moving_time_s"].iloc[0]) == 99_999.0 - 49_999.0


def _gpx_segments(folder: Path) -> Path:
    """30,000 segments of 2 points 1 s apart, 1 s between segments."""
    track = _track(60_000)
    idx = track.samples.index
    pauses = [(idx[2 * k + 1], idx[2 * k + 2]) for k in range(29_999)]
    track = Track(samples=track.samples, sport="running", pauses=pauses)
    return write(folder / "segments.gpx", gpx_bytes(track))


def _gpx_with_time(text: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        data = gpx_bytes(_track(20))
        old = b"<time>2024-03-01T07:00:05Z</time>"  # a track point's time
        assert data.count(old) == 1
        data = data.replace(old, f"<time>{text}</time>".encode())
        return write(folder / "times.gpx", data)

    return build


def _check_19_points(res: Result) -> None:
    # 20 points 1 s apart, the 6th (07:00:05) misdated: 19 kept, 07:00:00 to 07:00:19.
    assert res.activities is not None
    assert float(res.activities["elapsed_time_s"].iloc[0]) == 19.0
    assert str(res.activities["start_time_utc"].iloc[0]) == "2024-03-01 07:00:00+00:00"


def _gpx_all_times(text: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        data = gpx_bytes(_track(20))
        for s in range(20):
            old = f"<time>2024-03-01T07:00:{s:02d}Z</time>".encode()
            data = data.replace(old, f"<time>{text}</time>".encode())
        return write(folder / "times.gpx", data)

    return build


def _tcx_all_times(year: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        data = tcx_bytes(small_track(1)).replace(b"<Time>2024-", f"<Time>{year}-".encode())
        data = data.replace(b"<Id>2024-", f"<Id>{year}-".encode())
        data = data.replace(b'StartTime="2024-', f'StartTime="{year}-'.encode())
        return write(folder / "times.tcx", data)

    return build


def _gpx_near_limit_kiribati(folder: Path) -> Path:
    """Times near the end of the ns range, at a UTC+14 position (Kiritimati, Kiribati)."""
    track = _track(20, start="2262-04-11T09:00:00Z")
    track.samples["latitude_deg"] = 1.87
    track.samples["longitude_deg"] = -157.4
    return write(folder / "kiribati.gpx", gpx_bytes(track))


def _fit_type(file_type: int) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        return write(folder / "planned.fit", fit_bytes(small_track(1), file_type=file_type))

    return build


def _tcx_course(folder: Path) -> Path:
    doc = (
        '<?xml version="1.0"?>\n<TrainingCenterDatabase xmlns="http://www.garmin.com/'
        'xmlschemas/TrainingCenterDatabase/v2"><Courses><Course><Name>Loop</Name><Track>'
        + "".join(
            f"<Trackpoint><Time>2024-03-01T07:00:{s:02d}Z</Time><Position><LatitudeDegrees>"
            f"47.0{s:02d}</LatitudeDegrees><LongitudeDegrees>8.0</LongitudeDegrees></Position>"
            "<DistanceMeters>{}</DistanceMeters></Trackpoint>".format(s * 3)
            for s in range(30)
        )
        + "</Track></Course></Courses></TrainingCenterDatabase>"
    )
    return write(folder / "course.tcx", doc.encode())


def _tcx_huge_distance(folder: Path) -> Path:
    data = tcx_bytes(small_track(1))
    last = data.rindex(b"<DistanceMeters>")
    end = data.index(b"</DistanceMeters>", last)
    data = data[: last + 16] + b"1e308" + data[end:]
    return write(folder / "far.tcx", data)


def _check_tcx_far(res: Result) -> None:
    assert res.activities is not None and len(res.activities) == 1
    distance = float(res.activities["distance_m"].iloc[0])
    assert 1500.0 < distance < 2500.0  # the 2 km run, without the 1e308 m point


def _strava(folder: Path, rows_patch: Callable[[str], str], *, manual: int = 0) -> Path:
    acts = [ExportActivity(small_track(d), name=f"Run {d}") for d in (1, 2, 3)]
    acts += [
        ExportActivity(small_track(10 + d), name=f"Manual {d}", file="none") for d in range(manual)
    ]
    dest = write_strava_export(folder / "strava", acts, archive=False)
    csv_path = dest / "activities.csv"
    csv_path.write_text(rows_patch(csv_path.read_text()))
    return dest


def _strava_bad_dates(folder: Path) -> Path:
    def patch(text: str) -> str:
        lines = text.splitlines()
        # Row 1 (with a file) gets 0001-01-01; row 2 (with a file) 9999-12-31.
        lines[1] = lines[1].replace(lines[1].split('"')[1], "Jan 1, 0001, 7:00:00 AM", 1)
        lines[2] = lines[2].replace(lines[2].split('"')[1], "Dec 31, 9999, 7:00:00 AM", 1)
        return "\n".join(lines) + "\n"

    return _strava(folder, patch)


def _check_three_runs(res: Result) -> None:
    assert res.activities is not None and len(res.activities) == 3


def _strava_negative_distance(folder: Path) -> Path:
    def patch(text: str) -> str:
        lines = text.splitlines()
        header = next(iter(__import__("csv").reader([lines[0]])))
        dist = [i for i, h in enumerate(header) if h == "Distance"][-1]
        cells = next(iter(__import__("csv").reader([lines[-1]])))
        cells[dist] = "-5000000"
        buf = io.StringIO()
        __import__("csv").writer(buf, lineterminator="\n").writerow(cells)
        lines[-1] = buf.getvalue().rstrip("\n")
        return "\n".join(lines) + "\n"

    return _strava(folder, patch, manual=1)


def _check_negative_distance(res: Result) -> None:
    acts = res.activities
    assert acts is not None and len(acts) == 4
    manual = acts[acts["name"] == "Manual 0"]
    assert manual["distance_m"].isna().all()  # kept, without the impossible distance
    assert (acts["distance_m"].dropna() > 0).all()
    assert res.log.stats["manual_entries"] == 1


def _garmin(folder: Path, change: Callable[[list[Any]], None]) -> Path:
    acts = [ExportActivity(small_track(d), name=f"Run {d}") for d in (1, 2)]
    acts.append(ExportActivity(small_track(3), name="Manual", file="none"))
    dest = write_garmin_export(folder / "garmin", acts, archive=False)
    fitness = dest / "DI_CONNECT" / "DI-Connect-Fitness"
    summaries = next(fitness.glob("*summarizedActivities.json"))
    payload = json.loads(summaries.read_text())
    change(payload[0]["summarizedActivitiesExport"])
    summaries.write_text(json.dumps(payload))
    return dest


def _garmin_bad_starts(folder: Path) -> Path:
    def change(records: list[Any]) -> None:
        template = dict(records[-1])
        for k, start in enumerate(("0001-01-01T00:00:00", 1e300, 253402300799000)):
            bad = dict(template, activityId=42 + k, startTimeGmt=start, beginTimestamp=start)
            records.append(bad)

    return _garmin(folder, change)


def _check_garmin_rest(res: Result) -> None:
    assert res.activities is not None and len(res.activities) == 3  # 2 files + the manual one


def _garmin_deep_json(folder: Path) -> Path:
    dest = _garmin(folder, lambda records: None)
    fitness = dest / "DI_CONNECT" / "DI-Connect-Fitness"
    summaries = next(fitness.glob("*summarizedActivities.json"))
    summaries.write_text("[" * 100_000 + "]" * 100_000)
    return dest


def _check_garmin_files_read(res: Result) -> None:
    assert res.activities is not None and len(res.activities) == 2  # the files, without metadata


def _garmin_gear_int(folder: Path) -> Path:
    dest = _garmin(folder, lambda records: None)
    fitness = dest / "DI_CONNECT" / "DI-Connect-Fitness"
    gear = next(fitness.glob("*gear.json"))
    gear.write_text(json.dumps([{"gearDTOS": 5, "gearActivityDTOs": 7}]))
    return dest


def _doctype(text: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        data = gpx_bytes(_track(5))
        root = data.index(b"<gpx")
        return write(folder / "entity.gpx", data[:root] + text.encode() + b"\n" + data[root:])

    return build


_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;'
    '&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'
    '&lol2;">]>'
)
_XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _check_slip(res: Result) -> None:
    assert res.activities is not None and len(res.activities) == 2
    assert not Path("/abs/evil.fit").exists()


CASES: list[Case] = [
    # -- special files and sizes: nothing blocks, nothing is read whole
    Case("fifo_named_run_fit", "special files", "error", "not_a_regular_file", _fifo, bounded=True),
    Case(
        "symlink_to_dev_zero",
        "special files",
        "error",
        "not_a_regular_file",
        _dev_zero,
        bounded=True,
    ),
    Case("unix_socket_named_run_fit", "special files", "error", "not_a_regular_file", _socket),
    Case(
        "sparse_3_gib_fit", "special files", "error", "file_too_large", _sparse_3gib, bounded=True
    ),
    # -- folders
    # 1,200 levels of 2,400-character paths: every stat walks the whole path (5 s bound)
    Case(
        "folders_1200_deep", "folders", "imported", None, _deep_folders, bounded=True, seconds=5.0
    ),
    Case("symlink_loops", "folders", "imported", None, _link_loop),
    # -- FIT floods: the decoder's work budget
    Case(
        "zero_field_fit_gz_16_mib",
        "fit floods",
        "error",
        "decompression_bomb",
        _zero_field_gz,
        bounded=True,
    ),
    Case(
        "zero_field_fit_gz_900_kib",
        "fit floods",
        "error",
        "decoder_budget",
        _zero_field_gz_small,
        bounded=True,
    ),
    Case(
        "zero_field_fit_4_mib",
        "fit floods",
        "error",
        "decoder_budget",
        _zero_field_plain,
        bounded=True,
    ),
    Case(
        "same_definition_4_mib",
        "fit floods",
        "error",
        "not_an_activity",
        _definition_flood,
        bounded=True,
    ),
    Case(
        "distinct_definitions_70k",
        "fit floods",
        "error",
        "decoder_budget",
        _distinct_definition_flood,
        bounded=True,
    ),
    # -- archives
    Case(
        "zip_20_entries_one_stream",
        "archives",
        "error",
        "overlapping_members",
        _overlapping_zip,
        bounded=True,
    ),
    Case("zip_duplicate_names", "archives", "error", "duplicate_members", _duplicate_names_zip),
    Case("zip_bomb_ratio", "archives", "error", "decompression_bomb", _zip_bomb, bounded=True),
    Case("gzip_bomb_1_gib", "archives", "error", "decompression_bomb", _gzip_bomb, bounded=True),
    Case("zip_slip_names", "archives", "imported", None, _zip_slip, check=_check_slip),
    Case("zip_nested_too_deep", "archives", "error", "nesting_too_deep", _nested_too_deep),
    # -- quadratic work
    Case(
        "fit_100k_records_50k_pauses",
        "moving time",
        "imported",
        None,
        _fit_pauses,
        how="file",
        bounded=True,
        check=_check_pauses,
    ),
    Case(
        "gpx_30k_segments", "moving time", "imported", None, _gpx_segments, how="file", bounded=True
    ),
    # -- times outside 1980-2100: refused, never wrapped
    Case(
        "gpx_one_time_0001",
        "times",
        "warning",
        "1 track point(s) dated outside 1980-2100 dropped",
        _gpx_with_time("0001-01-01T00:00:00Z"),
        how="file",
        check=_check_19_points,
    ),
    Case(
        "gpx_one_time_2300",
        "times",
        "warning",
        "1 track point(s) dated outside 1980-2100 dropped",
        _gpx_with_time("2300-01-01T00:00:00Z"),
        how="file",
        check=_check_19_points,
    ),
    Case(
        "gpx_all_times_0001",
        "times",
        "error",
        "time_out_of_range",
        _gpx_all_times("0001-01-01T00:00:00Z"),
        how="file",
    ),
    Case(
        "tcx_all_times_2300",
        "times",
        "error",
        "time_out_of_range",
        _tcx_all_times("2300"),
        how="file",
    ),
    Case(
        "gpx_near_ns_limit_utc_plus_14",
        "times",
        "error",
        "time_out_of_range",
        _gpx_near_limit_kiribati,
        how="file",
    ),
    # -- file types: only activities are training
    Case("fit_course", "file types", "error", "not_an_activity", _fit_type(6), how="file"),
    Case("fit_workout", "file types", "error", "not_an_activity", _fit_type(5), how="file"),
    Case("fit_settings", "file types", "error", "not_an_activity", _fit_type(2), how="file"),
    Case("fit_monitoring", "file types", "error", "not_an_activity", _fit_type(15), how="file"),
    Case("tcx_course", "file types", "error", "not_an_activity", _tcx_course, how="file"),
    # -- plausibility
    Case(
        "tcx_distance_1e308",
        "plausibility",
        "warning",
        "distance_m values outside",
        _tcx_huge_distance,
        check=_check_tcx_far,
    ),
    Case(
        "strava_row_minus_5000_km",
        "plausibility",
        "warning",
        "distance -5e+06 m",
        _strava_negative_distance,
        check=_check_negative_distance,
    ),
    # -- export metadata: one bad value never loses the export
    Case(
        "strava_dates_0001_and_9999",
        "metadata",
        "warning",
        "outside 1980-2100",
        _strava_bad_dates,
        check=_check_three_runs,
    ),
    Case(
        "garmin_starts_0001_1e300_9999",
        "metadata",
        "error",
        "time_out_of_range",
        _garmin_bad_starts,
        check=_check_garmin_rest,
    ),
    Case(
        "garmin_json_100000_deep",
        "metadata",
        "error",
        "bad_json",
        _garmin_deep_json,
        check=_check_garmin_files_read,
        bounded=True,
    ),
    Case("garmin_gear_dtos_5", "metadata", "imported", None, _garmin_gear_int),
    # -- classic attacks (already refused before issue 10)
    Case(
        "xml_billion_laughs",
        "classic",
        "error",
        "doctype",
        _doctype(_LAUGHS),
        how="file",
        bounded=True,
    ),
    Case("xml_external_entity", "classic", "error", "doctype", _doctype(_XXE), how="file"),
]

CASES_BY_NAME = {c.name: c for c in CASES}


# -- mutation fuzzing -----------------------------------------------------------------------------


def fuzz_seeds() -> dict[str, bytes]:
    """The files mutated by :func:`fuzz`: a short run as FIT (compressed timestamps), GPX, TCX."""
    track = small_track(3, distance_m=1200.0)
    return {
        "run.fit": fit_bytes(track, compressed_timestamps=True),
        "run.gpx": gpx_bytes(track),
        "run.tcx": tcx_bytes(track),
    }


def _mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """One to four random edits: flipped bytes, a cut, an inserted, repeated or deleted span."""
    out = bytearray(data)
    for _ in range(int(rng.integers(1, 5))):
        if not out:
            break
        kind = int(rng.integers(0, 6))
        at = int(rng.integers(0, len(out)))
        span = int(rng.integers(1, 64))
        if kind == 0:
            out[at] = int(rng.integers(0, 256))
        elif kind == 1:
            out[at] ^= 1 << int(rng.integers(0, 8))
        elif kind == 2:
            del out[at:]
        elif kind == 3:
            out[at:at] = rng.integers(0, 256, size=span, dtype=np.uint8).tobytes()
        elif kind == 4:
            out[at:at] = out[at : at + span] * int(rng.integers(2, 20))
        else:
            del out[at : at + span]
    return bytes(out)


def fuzz(n_per_file: int, *, seed: int = 10) -> dict[str, int]:
    """Read ``n_per_file`` mutations of each :func:`fuzz_seeds` file; count the outcomes.

    Outcomes: ``imported``, ``warning`` (imported with a warning), ``error:<reason>``
    (a RunloadError), and ``escaped:<exception>`` for anything else, which must
    never happen.  A fixed ``seed`` makes the run repeatable.
    """
    from runload.io.core import read_bytes

    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}
    for name, data in fuzz_seeds().items():
        for _ in range(n_per_file):
            mutated = _mutate(data, rng)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    read_bytes(mutated, path=name)
                    outcome = "warning" if caught else "imported"
                except RunloadError as exc:
                    outcome = f"error:{exc.reason}"
                except Exception as exc:  # reported: the catalogue's tests fail on it
                    outcome = f"escaped:{type(exc).__name__}"
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def main(argv: list[str]) -> int:
    """``python tests/hostile_cases.py FOLDER [NAME ...]``: measure cases, print JSON lines."""
    folder = Path(argv[0])
    names = argv[1:] or [c.name for c in CASES if c.bounded]
    for name in names:
        case = CASES_BY_NAME[name]
        where = folder / name
        where.mkdir(parents=True, exist_ok=True)
        row = measure(case, where)
        remove_tree(where)
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
