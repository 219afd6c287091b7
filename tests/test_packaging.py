"""The package's promises about itself: public names, typing marker, README commands."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import runload
from runload.schema import SUMMARY_FIELDS

ROOT = Path(__file__).resolve().parents[1]


def test_all_lists_exactly_the_public_names():
    public = {n for n in vars(runload) if not n.startswith("_") or n == "__version__"}
    modules = {n for n in public if type(getattr(runload, n)).__name__ in ("module", "_Feature")}
    assert set(runload.__all__) == public - modules
    for name in runload.__all__:
        assert getattr(runload, name) is not None


def test_py_typed_marker_is_shipped():
    assert (ROOT / "runload" / "py.typed").is_file()


def test_activity_fields_are_the_summary_fields():
    names = [f.name for f in dataclasses.fields(runload.Activity) if f.name != "samples"]
    assert names == list(SUMMARY_FIELDS)


def test_readme_test_command_is_the_one_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    match = re.search(r"^TEST_CMD='(.+)'$", ci, flags=re.MULTILINE)
    assert match, "the test command is not declared in .ci/run"
    assert match.group(1) in (ROOT / "README.md").read_text()
