"""A folder of activity files (FIT, GPX, TCX, some gzipped), as a watch or an app leaves them.

The files are a generated history (runload's own writers): 32 km a week with an 11 km long
run, then one long run of 16 km, +45 % over the longest run of the previous 30 days, the
pattern that Frandsen et al. (2025) linked with more running injuries. Run it with::

    python examples/folder.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import runload
from runload.testing.history import preset, write_history


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="runload-folder-") as tmp:
        folder = Path(tmp) / "runs"
        plan = preset("long_run_spike", sample_interval_s=10.0)
        files = write_history(plan, folder, formats=("fit", "gpx", "tcx"))
        gzipped = sum(p.suffix == ".gz" for p in files)
        print(f"{len(files)} files in {folder.name}/, {gzipped} of them gzipped")

        log = runload.read_activities(folder, cache=None)
        print(f"read: {log.activities['format'].value_counts().to_dict()}")
        print(f"not read: {len(log.errors)}\n")
        table = log.activities[["local_date", "format", "sport", "distance_m", "ascent_m"]]
        print(table.tail(5).round(0).to_string(), "\n")

        # Weekly load on the local calendar (rest days count as zero), then the rules.
        weekly = runload.load.weekly_load(log.activities)
        print(weekly[["distance_km", "runs", "longest_run_km"]].tail(4).round(1).to_string(), "\n")

        result = runload.analyze(log)
        flags = result.flags[result.flags.severity != "info"]  # notices left out
        spikes = flags[flags.trigger == "long_run_spike"]
        for flag in spikes.itertuples():
            print(f"{flag.date}  {flag.severity}  ({flag.evidence})")
            print(f"  {flag.message}")
            print(f"  source: {flag.reference}")


if __name__ == "__main__":
    main()
