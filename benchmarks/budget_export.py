"""Where the time of ``runload analyze`` on the 3,000-run export goes, stage by stage.

Each stage is timed on its own, in this one process, and set against its
*floor*: the least that stage could cost with the same inputs (the C library
doing only its own part: listing with ``os.scandir``, reading bytes, zlib,
OpenSSL, numpy turning the values' text into numbers).  Per-file stages are timed on a
sample of ``--sample`` files of each kind and extrapolated to the export;
whole-export stages run on all of it.  CPU figures are for one core: with two
workers, the parse stages take about half of their CPU time in wall time.

Usage::

    python benchmarks/budget_export.py [--dest /tmp/runload-bench] [--sample 100]

The export is the one of ``benchmarks/bench_export.py`` (generated there).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def _best(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _walk_floor(folder: Path) -> int:
    n = 0
    stack = [str(folder)]
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    entry.stat()
                    n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dest", type=Path, default=Path("/tmp/runload-bench"))
    parser.add_argument("--sample", type=int, default=100, help="files per kind")
    args = parser.parse_args(argv)
    folder = args.dest / "export"
    if not (folder / "activities").is_dir():
        raise SystemExit(f"no export at {folder}: run benchmarks/bench_export.py first")

    from lxml import etree

    import runload
    from runload.activity import finalize
    from runload.analysis import analyze
    from runload.io import gpx as gpx_io
    from runload.io import tcx as tcx_io
    from runload.io.cache import ActivityCache, dump_record
    from runload.io.core import activity_id_for
    from runload.io.plan import plan_sources
    from runload.io.registry import formats, sniff_format
    from runload.io.xmlscan import scan_track

    files = sorted((folder / "activities").iterdir())
    kinds: dict[str, list[Path]] = {}
    for p in files:
        kinds.setdefault(p.name.split(".", 1)[1], []).append(p)
    total = len(files)
    rows: list[tuple[str, float, float, str]] = []

    def row(stage: str, seconds: float, floor: float, note: str = "") -> None:
        rows.append((stage, seconds, floor, note))

    # -- listing -----------------------------------------------------------------------
    row(
        "listing + planning (CSV)",
        _best(lambda: plan_sources(folder)),
        _best(lambda: _walk_floor(folder)),
        "floor: os.scandir walk with one stat per file",
    )

    # -- per-file stages, on a sample --------------------------------------------------
    sample = [p for k in sorted(kinds) for p in kinds[k][: args.sample]]
    scale = {k: len(v) / min(len(v), args.sample) for k, v in kinds.items()}

    def per_kind(fn: Callable[[Path, bytes], Any], data: dict[Path, bytes]) -> float:
        spent = 0.0
        for kind in kinds:
            chosen = [p for p in sample if p.name.split(".", 1)[1] == kind]
            t0 = time.perf_counter()
            for p in chosen:
                fn(p, data[p])
            spent += (time.perf_counter() - t0) * scale[kind]
        return spent

    raw = {p: p.read_bytes() for p in sample}
    plain = {p: gzip.decompress(b) if p.suffix == ".gz" else b for p, b in raw.items()}
    ids = {p: activity_id_for(b) for p, b in plain.items()}
    row(
        "read from disk",
        per_kind(lambda p, b: p.read_bytes(), raw),
        per_kind(lambda p, b: os.read(os.open(p, os.O_RDONLY), len(b)), raw),
        "page cache; floor: one os.read",
    )

    def hashes(p: Path, b: bytes) -> None:
        hashlib.sha256(b).hexdigest()  # the cache key
        if p.suffix == ".gz":  # the activity id (a plain file's reuses the key's hash)
            activity_id_for(plain[p])

    def hashes_floor(p: Path, b: bytes) -> None:
        hashlib.sha256(b).digest()
        if p.suffix == ".gz":
            hashlib.sha256(plain[p]).digest()

    row(
        "hash (SHA-256: cache key; a gzipped file's id)",
        per_kind(hashes, raw),
        per_kind(hashes_floor, raw),
        "",
    )
    from runload.io.registry import gunzip_bounded

    row(
        "gunzip (bounded)",
        per_kind(lambda p, b: gunzip_bounded(b) if p.suffix == ".gz" else b, raw),
        per_kind(lambda p, b: gzip.decompress(b) if p.suffix == ".gz" else b, raw),
        "floor: gzip.decompress",
    )

    def reader(p: Path, b: bytes) -> Any:
        fmt = sniff_format(b, str(p))
        return formats()[fmt].reader(b, path=str(p))

    def xml_tree(p: Path, b: bytes) -> Any:
        if b[:1] == b"<" or b.lstrip()[:1] == b"<":
            return etree.fromstring(b, etree.XMLParser(resolve_entities=False, huge_tree=True))
        return len(b)

    # The values' text as the XML readers collect it, to time its conversion alone.
    columns: dict[Path, dict[int, Any]] = {}
    for p, b in plain.items():
        module = {"gpx": gpx_io, "tcx": tcx_io}.get(sniff_format(b, str(p)))
        if module is not None:
            spec = module.SCAN_SPEC
            scan = scan_track(b, spec)
            if scan is not None:
                columns[p] = {-1 if s == spec.time_slot else s: c for s, c in scan.columns.items()}

    def conversion_floor(p: Path, b: bytes) -> None:
        for slot, column in columns.get(p, {}).items():
            if slot == -1:
                np.array([v[:-1] for v in column], dtype="M8[ns]")
            else:
                np.array(column, dtype="float64")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row(
            "parse (format readers)",
            per_kind(reader, plain),
            per_kind(conversion_floor, plain),
            "floor: the values' text to numbers (XML); FIT has none measured",
        )
        row(
            "  (for comparison: libxml2 building each XML tree)",
            0.0,
            per_kind(xml_tree, plain),
            "the floor before XML was read by pattern; not in the sum",
        )
        raws = {p: reader(p, b) for p, b in plain.items()}
        row(
            "finalize (numpy: distance, pauses, elevation, sport, local time)",
            per_kind(
                lambda p, b: finalize(raws[p], activity_id=ids[p], source_path=str(p)),
                plain,
            ),
            0.0,
            "",
        )

    # -- whole-export stages -----------------------------------------------------------
    with tempfile.TemporaryDirectory(prefix="runload-budget-") as tmp:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            log = runload.read_activities(folder, cache=None, progress=False)
        records = [
            {"summary": {**row_, "activity_id": aid}, "warnings": [], "extras": {"samples": 1}}
            for aid, row_ in log.activities.to_dict(orient="index").items()
        ]

        def cache_writes() -> None:
            store = ActivityCache(Path(tmp) / f"c{time.perf_counter_ns()}")
            for i, rec in enumerate(records):
                store.put(f"{i:064x}", "opts", rec)
            store.close()

        row(
            "cache writes (3,000 summary records)",
            _best(cache_writes, 1),
            _best(lambda: [dump_record(r) for r in records], 1),
            "floor: encoding the records",
        )
        analysis = analyze(log)
        row("analysis (load, rules, status)", _best(lambda: analyze(log), 3), 0.0, "")
        row("JSON output", _best(lambda: analysis.to_json(), 3), 0.0, "")

    print(f"export: {total} files; sample {args.sample} per kind; one core")
    print(f"{'stage':66s} {'CPU s':>7s} {'floor s':>8s}")
    for stage, seconds, floor, note in rows:
        shown = f"{floor:8.2f}" if floor else "       -"
        spent = f"{seconds:7.2f}" if seconds else "      -"
        print(f"{stage:66s} {spent} {shown}  {note}")
    print(f"{'sum':66s} {sum(r[1] for r in rows):7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
