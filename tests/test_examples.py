"""The examples run, on data they generate, and say what they are meant to show.

The notebook is executed by ``.ci/run`` (``pytest --nbmake examples/``); here it is only
checked to be a valid notebook kept without outputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _run(script: str, tmp_path: Path) -> str:
    env = {**os.environ, "TMPDIR": str(tmp_path), "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(tmp_path.iterdir()) == [], "the example left files behind"
    return done.stdout


def test_one_export_reads_the_zip_and_finds_the_demo_triggers(tmp_path):
    out = _run("one_export.py", tmp_path)
    assert "ActivityLog(83 activities from 2024-01-08 to 2024-04-28, 0 errors)" in out
    assert "83 activities read, 83 counted as runs" in out
    assert "Status as of your last run" in out
    for trigger in ("treadmill_to_road", "long_run_spike", "worn_shoes"):
        assert trigger in out


def test_folder_reads_three_formats_and_flags_the_long_run(tmp_path):
    out = _run("folder.py", tmp_path)
    assert "read: {'fit': 16, 'gpx': 16, 'tcx': 16}" in out
    assert "not read: 0" in out
    # the preset's one long run of 16 km against an 11 km longest: Frandsen's +30-100 % band
    assert "moderate  (evidence)" in out
    assert "Frandsen" in out


def test_cohort_gives_each_runner_their_own_trigger(tmp_path):
    out = _run("cohort.py", tmp_path)
    flagged = out.split("per runner and trigger:")[1].split("Weekly distance")[0]
    assert "ben     distance_jump" in flagged
    assert "chen    treadmill_to_road" in flagged
    assert "dora    " in flagged and "uphill_overload" in flagged
    assert "ana" not in flagged  # the steady runner has no flag of moderate or high severity


@pytest.mark.parametrize("script", ["quickstart.py", "one_export.py", "folder.py", "cohort.py"])
def test_each_script_says_how_to_run_it(script):
    text = (EXAMPLES / script).read_text(encoding="utf-8")
    assert f"python examples/{script}" in text


def test_notebook_is_valid_and_kept_without_outputs():
    nbformat = pytest.importorskip("nbformat")
    path = EXAMPLES / "demo_to_report.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    source = "\n".join(c.source for c in code)
    for step in ("write_demo", "read_activities", "analyze", "status", "plot()", "to_html("):
        assert step in source
    assert json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"]


def test_ci_runs_the_notebooks():
    assert "--nbmake examples" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
