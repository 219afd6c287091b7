"""A cohort: one folder per runner, analysed together into long, tidy tables.

Four generated runners (runload's own writers): a steady one, one whose weekly distance
jumps, one who moves from the treadmill to the road, and one who starts climbing much more.
Each table of the result has a ``runner`` column, ready for ``groupby``::

    python examples/cohort.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import runload
from runload.testing.history import preset, write_history

RUNNERS = {
    "ana": "steady",
    "ben": "distance_jump",
    "chen": "treadmill_to_road",
    "dora": "uphill_overload",
}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="runload-cohort-") as tmp:
        root = Path(tmp) / "cohort"
        for k, (runner, scenario) in enumerate(RUNNERS.items()):
            plan = preset(scenario, seed=k, sample_interval_s=10.0)
            write_history(plan, root / runner, formats=("fit", "tcx"))

        cohort = runload.analyze_cohort(root, cache=None)
        print(cohort.coverage.to_string(), "\n")

        flags = cohort.flags[cohort.flags.severity.isin(["moderate", "high"])]
        print("Flags of moderate or high severity, per runner and trigger:")
        print(flags.groupby(["runner", "trigger"]).size().to_string(), "\n")

        weekly = cohort.weekly.groupby("runner")["distance_km"].agg(["mean", "max"])
        print("Weekly distance [km]:")
        print(weekly.round(1).to_string())


if __name__ == "__main__":
    main()
