"""Offsets of activities without position or file offset come from their neighbours in time."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from runload.io.rows import activities_frame
from runload.localtime import infer_missing_offsets


def _row(aid, start, offset, source):
    start = pd.Timestamp(start)
    local = (start + pd.Timedelta(seconds=offset)).date()
    return {
        "activity_id": aid,
        "start_time_utc": start,
        "utc_offset_s": offset,
        "utc_offset_source": source,
        "local_date": local,
        "distance_m": 5000.0,
    }


def test_treadmill_run_takes_the_offset_of_the_nearest_outdoor_run():
    table = activities_frame(
        [
            _row("road", "2025-03-01T15:00:00Z", -7 * 3600, "position"),
            # Sunday 2 March 18:15 in Denver is Monday 01:15 UTC
            _row("treadmill", "2025-03-03T01:15:00Z", 0, "default"),
            _row("far", "2025-06-01T01:15:00Z", 0, "default"),  # 3 months away: left alone
            _row("given", "2025-03-03T02:00:00Z", 3600, "argument"),
        ]
    )
    out = infer_missing_offsets(table)
    assert out.loc["treadmill", "utc_offset_source"] == "neighbour"
    assert out.loc["treadmill", "utc_offset_s"] == -7 * 3600
    assert out.loc["treadmill", "local_date"] == dt.date(2025, 3, 2)
    assert out.loc["far", "utc_offset_source"] == "default"
    assert out.loc["far", "local_date"] == dt.date(2025, 6, 1)
    assert out.loc["given", "utc_offset_s"] == 3600
    # the input is not modified
    assert table.loc["treadmill", "utc_offset_source"] == "default"


def test_nothing_known_changes_nothing():
    table = activities_frame([_row("a", "2025-03-03T01:15:00Z", 0, "default")])
    pd.testing.assert_frame_equal(infer_missing_offsets(table), table)
