"""A plain script, without an ``if __name__ == "__main__"`` guard, can read a big folder."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd

from runload.testing.fit import fit_bytes
from runload.testing.history import synthetic_track


def test_unguarded_script_reads_in_parallel_and_runs_once(tmp_path):
    for k in range(30):  # above the size where reading goes parallel
        start = pd.Timestamp("2024-05-01T12:00:00Z") + pd.Timedelta(days=k)
        track = synthetic_track(start, distance_m=1000, seed=k, sample_interval_s=5)
        (tmp_path / f"run{k:02d}.fit").write_bytes(fit_bytes(track))
    script = tmp_path / "count.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import runload
            log = runload.read_activities({str(tmp_path)!r}, jobs=2, cache=None, progress=False)
            print("read", len(log.activities), log.stats.get("parsed"))
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("read")]
    assert lines == ["read 30 30"]
