"""Reader speed: runload's GPX, TCX and FIT readers against gpxpy and fitdecode.

One run prints, for the files of the corpus (``../shared/corpus`` beside the
project, or ``$RUNLOAD_CORPUS``) and for generated 1 Hz files (written under a
temporary folder in ``/tmp``, never in the repository):

- GPX: MB/s per core of ``runload.io.gpx.read_gpx`` and of ``gpxpy.parse``
  (when gpxpy is installed; otherwise it says so);
- TCX: ms per file and MB/s of ``runload.io.tcx.read_tcx``;
- FIT: MB/s of ``runload.io.fit.read_fit`` and of fitdecode (``FitReader``
  iterating every frame), when fitdecode is installed.

Only the readers are timed (bytes in memory to ``RawActivity``), not the
summary that :func:`runload.read_activity` adds.  Each file is read
``--repeat`` times and the fastest reading counts; a format's MB/s is its total
bytes over the sum of those fastest times.  Times are the CPU time of this
single-threaded process (``time.process_time``), so the figures are per core
and other jobs on the machine disturb them less than they would wall-clock
times.  Files a reader refuses are left out of its sums (and counted); gpxpy
and fitdecode are timed on the files runload reads.

Run ``python benchmarks/bench_readers.py --help`` for the options.  Not part of
the test suite.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from runload.exceptions import RunloadError
from runload.io.fit import read_fit
from runload.io.gpx import read_gpx
from runload.io.tcx import read_tcx
from runload.testing.fit import fit_bytes
from runload.testing.gpx import gpx_bytes
from runload.testing.history import synthetic_track
from runload.testing.tcx import tcx_bytes

MB = 1e6


def default_corpus() -> Path:
    """The corpus folder: $RUNLOAD_CORPUS, else ``../shared/corpus`` beside the project."""
    env = os.environ.get("RUNLOAD_CORPUS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_files(corpus: Path, fmt: str) -> list[tuple[str, bytes]]:
    """(name, bytes) of the corpus files of one format, as the manifest lists them."""
    manifest = corpus / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for row in rows:
        if row["format"] == fmt and (corpus / row["local_path"]).is_file():
            out.append((row["local_path"], (corpus / row["local_path"]).read_bytes()))
    return out


def generated_files(folder: Path, fmt: str, hours: Iterable[float]) -> list[tuple[str, bytes]]:
    """1 Hz runs of the given lengths written as ``fmt`` into ``folder``, read back."""
    out = []
    for k, h in enumerate(hours):
        track = synthetic_track(
            pd.Timestamp("2024-05-04T07:00:00Z") + pd.Timedelta(days=k),
            distance_m=h * 3600.0 / 330.0 * 1000.0,  # 5:30 min/km for h hours
            pace_s_per_km=330.0,
            sample_interval_s=1.0,
            seed=k,
        )
        writer = {"gpx": gpx_bytes, "tcx": tcx_bytes, "fit": fit_bytes}[fmt]
        path = folder / f"run_{h:g}h.{fmt}"
        path.write_bytes(writer(track))
        out.append((path.name, path.read_bytes()))
    return out


@dataclass
class Timing:
    """Fastest readings of one reader over a set of files."""

    files: int = 0
    refused: int = 0
    bytes: int = 0
    seconds: float = 0.0

    @property
    def mb_s(self) -> float:
        return self.bytes / MB / self.seconds if self.seconds else float("nan")

    @property
    def ms_per_file(self) -> float:
        return 1000.0 * self.seconds / self.files if self.files else float("nan")


def best_time(read: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` calls of ``read``, in CPU time of this process. [s]"""
    best = float("inf")
    gc.collect()
    for _ in range(repeat):
        t0 = time.process_time()
        read()
        best = min(best, time.process_time() - t0)
    return best


def time_reader(
    files: list[tuple[str, bytes]],
    read: Callable[[bytes, str], object],
    repeat: int,
    *,
    only: set[str] | None = None,
) -> tuple[Timing, set[str]]:
    """Time ``read`` on each file; the names of the files it read."""
    timing = Timing()
    read_ok: set[str] = set()
    for name, data in files:
        if only is not None and name not in only:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                read(data, name)
        except (RunloadError, Exception):  # a refusal (or a baseline's failure): left out
            timing.refused += 1
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            seconds = best_time(lambda d=data, n=name: read(d, n), repeat)
        timing.files += 1
        timing.bytes += len(data)
        timing.seconds += seconds
        read_ok.add(name)
    return timing, read_ok


def _gpxpy_reader() -> Callable[[bytes, str], object] | None:
    try:
        import gpxpy
    except ImportError:
        return None
    return lambda data, name: gpxpy.parse(data.decode("utf-8-sig"))


def _fitdecode_reader() -> Callable[[bytes, str], object] | None:
    try:
        import fitdecode
    except ImportError:
        return None

    def read(data: bytes, name: str) -> object:
        with fitdecode.FitReader(io.BytesIO(data)) as reader:
            return sum(1 for _ in reader)

    return read


def _line(label: str, t: Timing, *, per_file: bool = False) -> str:
    text = f"  {label:<28} {t.mb_s:8.1f} MB/s  ({t.files} files, {t.bytes / MB:.1f} MB"
    if per_file:
        text += f", {t.ms_per_file:.1f} ms/file"
    if t.refused:
        text += f", {t.refused} refused"
    return text + ")"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--repeat", type=int, default=5, help="readings per file (fastest counts)")
    parser.add_argument(
        "--hours",
        type=float,
        nargs="+",
        default=[0.5, 1.0, 2.0],
        help="lengths of the generated 1 Hz runs [h]",
    )
    args = parser.parse_args(argv)
    print(
        f"Python {sys.version.split()[0]}, one process (per core), CPU time, "
        f"best of {args.repeat} per file"
    )
    if not (args.corpus / "MANIFEST.tsv").is_file():
        print(f"corpus not found at {args.corpus}: generated files only")
    gpxpy_read = _gpxpy_reader()
    fitdecode_read = _fitdecode_reader()

    with tempfile.TemporaryDirectory(prefix="runload-bench-", dir="/tmp") as tmp:
        folder = Path(tmp)
        for fmt in ("gpx", "tcx", "fit"):
            sets = {
                "corpus": corpus_files(args.corpus, fmt),
                "generated 1 Hz": generated_files(folder, fmt, args.hours),
            }
            print(f"\n{fmt.upper()}")
            for label, files in sets.items():
                if not files:
                    continue
                if fmt == "gpx":
                    ours, ok = time_reader(files, lambda d, n: read_gpx(d, path=n), args.repeat)
                    print(_line(f"{label}: runload", ours))
                    if gpxpy_read is None:
                        print("  gpxpy is not installed: no comparison")
                    else:
                        theirs, _ = time_reader(files, gpxpy_read, args.repeat, only=ok)
                        print(_line(f"{label}: gpxpy", theirs))
                        print(f"  {'':<28} runload/gpxpy {ours.mb_s / theirs.mb_s:.1f}x")
                elif fmt == "tcx":
                    ours, _ = time_reader(files, lambda d, n: read_tcx(d, path=n), args.repeat)
                    print(_line(f"{label}: runload", ours, per_file=True))
                else:
                    ours, ok = time_reader(files, lambda d, n: read_fit(d, path=n), args.repeat)
                    print(_line(f"{label}: runload", ours))
                    if fitdecode_read is None:
                        print("  fitdecode is not installed: no comparison")
                    else:
                        theirs, _ = time_reader(files, fitdecode_read, args.repeat, only=ok)
                        print(_line(f"{label}: fitdecode", theirs))
                        print(f"  {'':<28} runload/fitdecode {ours.mb_s / theirs.mb_s:.1f}x")
            if fmt == "tcx":
                for name, data in sets["generated 1 Hz"]:
                    t = best_time(lambda d=data, n=name: read_tcx(d, path=n), args.repeat)
                    print(f"  {name:<28} {1000 * t:8.1f} ms  ({len(data) / MB:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
