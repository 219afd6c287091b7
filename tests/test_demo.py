"""The bundled demo (runload.demo): a Strava export of one runner's sixteen weeks.

What the demo is built to show is checked on the generated tracks' truth (distances,
surfaces, shoes, dates) and on the written files (the CSV, fitdecode reading the FIT
files with their CRCs checked), not on runload's own reading of them.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections import defaultdict
from pathlib import Path

import fitdecode

from runload.demo import demo_plan, write_demo
from runload.testing.history import generate_history


def _fit_records(path: Path) -> int:
    """Record messages of a FIT file (gzipped or not), read with a CRC check."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        return sum(
            1 for f in reader if isinstance(f, fitdecode.FitDataMessage) and f.name == "record"
        )


def test_demo(tmp_path: Path) -> None:
    paths = write_demo(tmp_path)
    size = sum(p.stat().st_size for p in paths)
    assert size < 10e6
    kinds = {p.name.split(".", 1)[1] for p in paths}
    assert {"fit", "gpx", "tcx", "fit.gz", "csv"} <= kinds
    # a Strava bulk export: one CSV row (with its shoe) per activity file
    with open(tmp_path / "activities.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert len(body) == len(paths) - 1
    gear = [r[header.index("Activity Gear")] for r in body]
    assert all(gear)
    # the content, from the generated tracks' truth
    items = generate_history(demo_plan())
    assert len(items) == len(body)
    truths = [item.track.truth for item in items]
    start = truths[0].local_date
    assert (truths[-1].local_date - start).days > 100
    # a shoe passes 800 km
    shoes: dict[str, float] = defaultdict(float)
    for item, truth in zip(items, truths, strict=True):
        shoes[item.gear] += truth.distance_m
    assert max(shoes.values()) > 800_000
    # a treadmill-to-road switch: weeks mostly on the treadmill, then none
    weekly: dict[int, list[str]] = defaultdict(list)
    for truth in truths:
        weekly[(truth.local_date - start).days // 7].append(truth.surface)
    share = [weekly[k].count("treadmill") / len(weekly[k]) for k in sorted(weekly)]
    switch = next(i for i, x in enumerate(share) if x == 0)
    assert switch >= 4 and all(x >= 0.75 for x in share[:switch])
    # a long run more than 30 % longer than anything in the previous 30 days
    dist = [(t.local_date, t.distance_m) for t in truths]
    spikes = [
        d
        for i, (day, d) in enumerate(dist)
        if d > 1.3 * max((x for dd, x in dist[:i] if (day - dd).days <= 30), default=math.inf)
    ]
    assert spikes
    # FIT files in it (plain and gzipped) decode with a valid CRC
    fits = [p for p in paths if ".fit" in p.name]
    for p in fits[::8]:
        assert _fit_records(p) > 100
