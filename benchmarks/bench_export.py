"""Benchmark: ``runload analyze`` on a generated Strava export of 3,000 runs.

Generates (once) an extracted Strava export under ``/tmp`` (never in the
repository): 3,000 runs of 30-90 min at 1 Hz, a third each ``.fit.gz``,
``.gpx.gz`` and ``.tcx`` (see :func:`write_benchmark_export` in ``benchmarks/_exports.py``).
Then measures

* ``--repeat`` (default 3) cold ``runload analyze`` runs (each with an empty
  cache), each followed by a warm one (same cache), as a subprocess: wall time
  and the peak resident memory of the whole process tree (the command, its fork
  server and workers; sampled every 20 ms); every run and the medians are printed;
* the same files read one by one with fitparse (FIT) and gpxpy (GPX), on a
  sample of each kind, extrapolated to the export (TCX has no reader in either
  library and is left out of that total), against runload's single-process
  time on the same sample.

Targets (issue 11, 2 cores): cold within 25 s, warm within 1 s, peak RSS at most
395 MiB (the peak before the work on that issue).

Usage::

    python benchmarks/bench_export.py [--dest /tmp/runload-bench] [--runs 3000] [--sample 60]
                                      [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _generate(folder: Path, runs: int) -> None:
    from _exports import write_benchmark_export

    marker = folder / ".complete"
    if marker.is_file() and marker.read_text().strip() == str(runs):
        print(f"export: reusing {folder}")
        return
    print(f"export: writing {runs} runs to {folder} ...", flush=True)
    t0 = time.perf_counter()
    write_benchmark_export(folder, runs=runs)
    marker.write_text(str(runs))
    print(f"export: written in {time.perf_counter() - t0:.0f} s")


def _tree_rss(proc: object) -> int:
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]  # type: ignore[attr-defined]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _run_cli(folder: Path, cache_dir: Path) -> tuple[float, int]:
    """Wall time [s] and peak RSS of the process tree [bytes] of one ``runload analyze``."""
    import psutil

    exe = Path(sys.executable).with_name("runload")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "runload.cli"]
    env = {**os.environ, "RUNLOAD_CACHE_DIR": str(cache_dir)}
    # Python's default: compiled modules are cached (__pycache__).  Without it (some
    # sandboxes set PYTHONDONTWRITEBYTECODE) every start compiles runload again: ~0.13 s.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.perf_counter()
    popen = subprocess.Popen(
        [*cmd, "analyze", str(folder), "--format", "json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    proc = psutil.Process(popen.pid)
    peak = 0
    while popen.poll() is None:
        peak = max(peak, _tree_rss(proc))
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    if popen.returncode != 0:
        raise SystemExit(f"runload analyze failed: {popen.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
    return wall, peak


def _by_kind(folder: Path) -> dict[str, list[Path]]:
    kinds: dict[str, list[Path]] = {}
    for p in sorted((folder / "activities").iterdir()):
        kinds.setdefault(p.name.split(".", 1)[1], []).append(p)
    return kinds


def _time_each(paths: list[Path], read: object) -> float:
    t0 = time.perf_counter()
    for p in paths:
        read(p)  # type: ignore[operator]
    return (time.perf_counter() - t0) / len(paths)


def _fitparse(path: Path) -> int:
    import fitparse

    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    fit = fitparse.FitFile(data)
    return sum(1 for _ in fit.get_messages("record"))


def _gpxpy(path: Path) -> int:
    import gpxpy

    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    gpx = gpxpy.parse(data.decode("utf-8"))
    return sum(len(s.points) for t in gpx.tracks for s in t.segments)


def _runload(path: Path) -> int:
    import warnings

    from runload.io.workers import ReadOptions, parse_bytes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return len(parse_bytes(path.read_bytes(), str(path), ReadOptions()).samples)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dest", type=Path, default=Path("/tmp/runload-bench"))
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--sample", type=int, default=60, help="files per kind for the baseline")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="cold + warm pairs to run")
    args = parser.parse_args(argv)

    folder = args.dest / "export"
    _generate(folder, args.runs)
    kinds = _by_kind(folder)
    size = sum(p.stat().st_size for ps in kinds.values() for p in ps)
    print(
        "export: "
        + ", ".join(f"{len(v)} {k}" for k, v in sorted(kinds.items()))
        + f"; {size / 1e9:.2f} GB on disk; {os.cpu_count()} cores"
    )

    colds: list[float] = []
    warms: list[float] = []
    peak = 0
    for run in range(1, args.repeat + 1):
        with tempfile.TemporaryDirectory(prefix="runload-bench-cache-") as cache:
            cold, cold_rss = _run_cli(folder, Path(cache))
            warm, warm_rss = _run_cli(folder, Path(cache))
            cache_bytes = sum(p.stat().st_size for p in Path(cache).rglob("*") if p.is_file())
        colds.append(cold)
        warms.append(warm)
        peak = max(peak, cold_rss, warm_rss)
        print(
            f"run {run}: cold {cold:6.1f} s (peak RSS {cold_rss / 2**20:4.0f} MiB)   "
            f"warm {warm:5.2f} s (peak RSS {warm_rss / 2**20:4.0f} MiB)   "
            f"cache {cache_bytes / 2**20:.0f} MiB"
        )
    cold, warm = statistics.median(colds), statistics.median(warms)
    print(
        f"median of {args.repeat}: cold {cold:.1f} s, warm {warm:.2f} s; "
        f"peak RSS {peak / 2**20:.0f} MiB"
    )
    ok = cold <= 25 and warm <= 1 and peak <= 395 * 2**20
    print("targets (cold <= 25 s, warm <= 1 s, RSS <= 395 MiB):", "met" if ok else "MISSED")

    if not args.skip_baseline:
        baseline = 0.0
        print(f"one by one, {args.sample} files per kind (single process):")
        for kind, reader, name in (("fit.gz", _fitparse, "fitparse"), ("gpx.gz", _gpxpy, "gpxpy")):
            sample = kinds.get(kind, [])[: args.sample]
            if not sample:
                continue
            theirs = _time_each(sample, reader)
            ours = _time_each(sample, _runload)
            baseline += theirs * len(kinds[kind])
            print(
                f"  {kind:7s} {name:8s} {1000 * theirs:7.1f} ms/file   runload {1000 * ours:6.1f} "
                f"ms/file   ratio {theirs / ours:5.1f}x"
            )
        tcx = kinds.get("tcx", [])[: args.sample]
        if tcx:
            print(f"  tcx     runload  {1000 * _time_each(tcx, _runload):7.1f} ms/file "
                  "(no fitparse/gpxpy reader)")  # fmt: skip
        print(
            f"fitparse + gpxpy, FIT and GPX files only, extrapolated: {baseline:6.0f} s; "
            f"runload analyze cold (all files, analysis included): {cold:.1f} s; "
            f"ratio {baseline / cold:.1f}x"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
