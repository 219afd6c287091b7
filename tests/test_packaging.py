"""The package's promises about itself: public names, typing marker, README commands, the
version, and what the sdist and the wheel ship."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

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


def test_reading_and_the_cli_do_not_load_the_test_helpers():
    # runload.testing is for users' tests (as xarray.testing): off the runtime path;
    # the CLI imports the demo only when `runload demo` runs.
    code = (
        "import sys, runload, runload.cli; "
        "print(sorted(m for m in sys.modules if m.startswith(('runload.testing', 'runload.demo'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_package_data_names_files_that_exist():
    # a pattern that matches nothing ships nothing and misleads the reader of pyproject
    with open(ROOT / "pyproject.toml", "rb") as fh:
        package_data = tomllib.load(fh)["tool"]["setuptools"]["package-data"]
    for package, patterns in package_data.items():
        for pattern in patterns:
            assert sorted((ROOT / package.replace(".", "/")).glob(pattern)), (package, pattern)


def test_activity_fields_are_the_summary_fields():
    names = [f.name for f in dataclasses.fields(runload.Activity) if f.name != "samples"]
    assert names == list(SUMMARY_FIELDS)


def test_readme_test_command_is_the_one_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    match = re.search(r"^TEST_CMD='(.+)'$", ci, flags=re.MULTILINE)
    assert match, "the test command is not declared in .ci/run"
    assert match.group(1) in (ROOT / "README.md").read_text()


def test_the_version_lives_in_one_place():
    from runload._version import __version__

    assert runload.__version__ == __version__
    with open(ROOT / "pyproject.toml", "rb") as fh:
        pyproject = tomllib.load(fh)
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "runload._version.__version__"}
    assigned = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "runload").rglob("*.py")
        if re.search(r"^__version__\s*=", p.read_text(encoding="utf-8"), flags=re.MULTILINE)
    ]
    assert assigned == ["runload/_version.py"]
    assert f"## {__version__} " in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_license_is_mit_for_the_runload_developers():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 runload developers" in text


@pytest.mark.skipif(importlib.util.find_spec("build") is None, reason="needs the 'build' package")
def test_sdist_and_wheel_ship_license_and_changelog(tmp_path):
    # Build from a copy, so the source tree gets no build/ or egg-info from the test.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "runload", src / "runload", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "dist"
    # No --sdist/--wheel: the wheel is built from the sdist, so this checks both.
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (sdist,) = out.glob("runload-*.tar.gz")
    (wheel,) = out.glob("runload-*.whl")
    version = runload.__version__
    with tarfile.open(sdist) as tar:
        names = set(tar.getnames())
    assert {f"runload-{version}/LICENSE", f"runload-{version}/CHANGELOG.md"} <= names
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        metadata = whl.read(f"runload-{version}.dist-info/METADATA").decode()
    assert f"runload-{version}.dist-info/licenses/LICENSE" in names
    assert f"runload-{version}.data/data/share/doc/runload/CHANGELOG.md" in names
    assert {"runload/py.typed", "runload/__main__.py", "runload/_version.py"} <= names
    # the public test helpers and the demo ship; the labelled test histories do not
    assert {"runload/testing/__init__.py", "runload/testing/fit.py", "runload/demo.py"} <= names
    assert not [n for n in names if "scenarios" in n]
    assert f"Version: {version}" in metadata
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Programming Language :: Python :: 3.11" in metadata
