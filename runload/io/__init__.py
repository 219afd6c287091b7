"""Importers (one module per format) and the functions that read files and folders."""

from __future__ import annotations

import importlib

from .batch import read_activities
from .core import activity_id_for, read_activity, read_bytes
from .log import ActivityLog
from .registry import formats, register_format, sniff_format

# Each format and export module registers itself when imported.
for _name in ("fit", "gpx", "tcx", "strava", "garmin"):
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # pragma: no cover - only while a module is written
        if _exc.name != f"{__name__}.{_name}":
            raise

__all__ = [
    "ActivityLog",
    "activity_id_for",
    "formats",
    "read_activities",
    "read_activity",
    "read_bytes",
    "register_format",
    "sniff_format",
]
