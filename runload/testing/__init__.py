"""Activity files and training histories to test with: FIT, GPX and TCX writers and generators.

As ``xarray.testing`` does for xarray users, this package gives runload's users (and
runload's own tests) what they need to build test data, apart from the runtime path:
``import runload`` does not import it.

:mod:`runload.testing.track`
    :class:`Track`, the in-memory activity the writers serialise.
:mod:`runload.testing.fit`, :mod:`runload.testing.gpx`, :mod:`runload.testing.tcx`
    :func:`fit_bytes`, :func:`gpx_bytes` and :func:`tcx_bytes`; the FIT module also
    writes the unusual shapes a reader must cope with and damages files
    (:func:`~runload.testing.fit.truncate`, :func:`~runload.testing.fit.flip_crc`).
:mod:`runload.testing.history`
    :func:`synthetic_track` (one run along a realistic route, with measurement noise
    and the truth it was made from), :class:`HistoryPlan` and :class:`PlannedRun` (a
    training history), :func:`preset` (ready-made histories that show one risk trigger,
    or its quiet counterpart), :func:`generate_history`, :func:`write_history` (one
    file per run) and :func:`plan_activities` (an activities table, no files).
:mod:`runload.testing.exports`
    :func:`write_strava_export` and :func:`write_garmin_export` (bulk exports whose
    metadata the caller knows), :func:`write_history_export` (a history as a Strava
    export).

The bundled demo is :mod:`runload.demo`.  Every random draw is seeded by the caller:
the same seed gives byte-identical files.
"""

from __future__ import annotations

from .exports import ExportActivity, write_garmin_export, write_history_export, write_strava_export
from .fit import fit_bytes
from .gpx import gpx_bytes
from .history import (
    HistoryItem,
    HistoryPlan,
    PlannedRun,
    SyntheticTrack,
    Truth,
    generate_history,
    plan_activities,
    preset,
    synthetic_track,
    write_history,
)
from .tcx import tcx_bytes
from .track import Track

__all__ = [
    "ExportActivity",
    "HistoryItem",
    "HistoryPlan",
    "PlannedRun",
    "SyntheticTrack",
    "Track",
    "Truth",
    "fit_bytes",
    "generate_history",
    "gpx_bytes",
    "plan_activities",
    "preset",
    "synthetic_track",
    "tcx_bytes",
    "write_garmin_export",
    "write_history",
    "write_history_export",
    "write_strava_export",
]
