"""Cohorts: one table per kind with a ``runner`` column, each runner as analyze() sees it."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from export_builders import export_activity, fit_of, write

from runload.analysis import analyze
from runload.cohort import analyze_cohort, cohort_runners
from runload.io.batch import read_activities
from runload.testing.exports import write_garmin_export, write_strava_export


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("cohort")
    # anna: 5 km every third day for a month, then a 15 km long run (a spike).
    for i, day in enumerate(range(1, 31, 3)):
        write(base / "anna" / f"r{i:02d}.fit", fit_of(day, distance_m=5000.0, interval_s=10.0))
    write(base / "anna" / "long.fit", fit_of(33, distance_m=15000.0, interval_s=10.0))
    ben = [export_activity(4 * d, format="gpx", gear="Ghost") for d in range(1, 6)]
    ben.append(export_activity(25, format="fit", file="missing"))
    write_strava_export(base / "ben.zip", ben)
    write_garmin_export(
        base / "cara", [export_activity(3 * d, format="fit") for d in range(1, 6)], archive=False
    )
    write(base / "dora.zip", b"PK\x03\x04 but not an archive")
    write(base / "notes.txt", b"ignored")
    write(base / ".hidden" / "x.fit", fit_of(2))
    return base


def _quiet(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def result(root: Path):  # type: ignore[no-untyped-def]
    return _quiet(analyze_cohort, root, jobs=1, cache=None)


def test_runners(root: Path, result) -> None:  # type: ignore[no-untyped-def]
    assert result.runners == ("anna", "ben", "cara", "dora")
    assert [name for name, _ in cohort_runners(root)] == list(result.runners)


def test_activities_table(result) -> None:  # type: ignore[no-untyped-def]
    acts = result.activities
    assert list(acts.columns[:2]) == ["runner", "activity_id"]
    assert acts.groupby("runner").size().to_dict() == {"anna": 11, "ben": 6, "cara": 5}
    assert set(acts.loc[acts["runner"] == "ben", "gear"].dropna()) == {"Ghost"}


def test_each_runner_as_analyze_sees_it(root: Path, result) -> None:  # type: ignore[no-untyped-def]
    for runner, path in (("anna", root / "anna"), ("ben", root / "ben.zip")):
        alone = _quiet(analyze, _quiet(read_activities, path, jobs=1, cache=None))
        flags = result.flags.loc[result.flags["runner"] == runner].drop(columns="runner")
        pd.testing.assert_frame_equal(
            flags.reset_index(drop=True), alone.flags.reset_index(drop=True)
        )
        weekly = result.weekly.loc[result.weekly["runner"] == runner].drop(columns="runner")
        expected = alone.weekly.copy()
        expected.index.name = "week_start"
        pd.testing.assert_frame_equal(weekly.set_index("week_start"), expected, check_names=False)
    anna = result.flags.loc[result.flags["runner"] == "anna"]
    assert (anna["severity"] != "info").any()  # the long run stands out


def test_coverage_says_what_was_judged_per_runner(root: Path) -> None:
    result = _quiet(analyze_cohort, root, jobs=1, cache=None, runners=["anna", "ben", "cara"])
    cov = result.coverage.set_index("runner")
    assert list(result.coverage.columns) == [
        "runner",
        "activities",
        "runs",
        "no_sport",
        "other_sports",
        "implausible",
        "untrusted_climbing",
    ]
    # anna's 11 FIT runs, ben's 5 GPX runs plus the summary-only row of his missing file,
    # cara's 5 runs: every activity is a run, none left out.
    assert cov["activities"].to_dict() == {"anna": 11, "ben": 6, "cara": 5}
    assert cov["runs"].to_dict() == {"anna": 11, "ben": 6, "cara": 5}
    assert (cov[["no_sport", "other_sports", "implausible"]] == 0).all().all()


def test_errors_carry_the_runner(result) -> None:  # type: ignore[no-untyped-def]
    errors = result.errors
    assert list(errors.columns) == ["runner", "path", "reason", "message"]
    assert "missing_file" in set(errors.loc[errors["runner"] == "ben", "reason"])
    assert (errors["runner"] == "dora").any()
    assert not (errors["runner"] == "anna").any()


def test_a_subset_of_runners(root: Path) -> None:
    some = _quiet(analyze_cohort, root, jobs=1, cache=None, runners=["cara"])
    assert some.runners == ("cara",)
    assert set(some.activities["runner"]) == {"cara"}


def test_cohort_with_a_process_pool(root: Path, result) -> None:  # type: ignore[no-untyped-def]
    pooled = _quiet(analyze_cohort, root, jobs=2, cache=None, runners=["anna", "ben"])
    expected = result.activities.loc[result.activities["runner"].isin(["anna", "ben"])]
    pd.testing.assert_frame_equal(pooled.activities, expected.reset_index(drop=True))


def test_zip_and_folder_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "eve").mkdir()
    write(tmp_path / "eve.zip", b"")
    assert [n for n, _ in cohort_runners(tmp_path)] == ["eve", "eve.zip"]
