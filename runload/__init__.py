"""runload: training load and the training patterns behind ankle overuse, with graded evidence."""

from __future__ import annotations

from .activity import Activity
from .elevation import ElevationGain, ascent_descent
from .exceptions import (
    ArchiveError,
    CorruptFileWarning,
    DataQualityWarning,
    ParseError,
    RunloadError,
    RunloadWarning,
    SkippedFileWarning,
    UnsafeInputError,
    UnsupportedFormatError,
)
from .io import ActivityLog, read_activities, read_activity

__version__ = "0.1.0"

__all__ = [
    "Activity",
    "ActivityLog",
    "ArchiveError",
    "CorruptFileWarning",
    "DataQualityWarning",
    "ElevationGain",
    "ParseError",
    "RunloadError",
    "RunloadWarning",
    "SkippedFileWarning",
    "UnsafeInputError",
    "UnsupportedFormatError",
    "__version__",
    "ascent_descent",
    "read_activities",
    "read_activity",
]
