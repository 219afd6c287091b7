"""A cohort on a Dask cluster: ``executor=client.get_executor()`` runs unchanged."""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from export_builders import export_activity

from runload.cohort import analyze_cohort
from runload.io.batch import read_activities
from runload.testing.exports import write_garmin_export, write_strava_export

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None,
    reason="dask.distributed is not installed (pip install 'runload[dask]')",
)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        )
        dask_client = Client(cluster)
    try:
        yield dask_client
    finally:
        dask_client.close()
        cluster.close()


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cohort")
    write_strava_export(
        root / "ben.zip",
        [
            export_activity(3 * d, format=("fit", "gpx", "tcx")[d % 3], gear="A")
            for d in range(1, 8)
        ],
    )
    write_garmin_export(
        root / "cara.zip", [export_activity(3 * d, format="fit") for d in range(3, 9)]
    )
    return root


def _quiet(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def test_read_activities_on_a_dask_cluster(client: Any, cohort: Path) -> None:
    source = cohort / "ben.zip"
    on_dask = _quiet(read_activities, source, executor=client.get_executor(), cache=None)
    local = _quiet(read_activities, source, jobs=1, cache=None)
    assert on_dask.stats["parsed"] == 7
    pd.testing.assert_frame_equal(on_dask.activities, local.activities)


def test_cohort_on_a_dask_cluster(client: Any, cohort: Path) -> None:
    on_dask = _quiet(analyze_cohort, cohort, executor=client.get_executor(), cache=None)
    local = _quiet(analyze_cohort, cohort, jobs=1, cache=None)
    assert on_dask.runners == ("ben", "cara")
    pd.testing.assert_frame_equal(on_dask.activities, local.activities)
    pd.testing.assert_frame_equal(on_dask.flags, local.flags)
    assert on_dask.activities.groupby("runner").size().to_dict() == {"ben": 7, "cara": 6}
