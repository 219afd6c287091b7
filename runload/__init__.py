"""runload: training load and the training patterns behind ankle overuse, with graded evidence."""

from __future__ import annotations

from . import load, risk
from .activity import Activity
from .analysis import Analysis, analyze
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
from .risk import Flag, RiskProfile

__version__ = "0.1.0"

__all__ = [
    "Activity",
    "ActivityLog",
    "Analysis",
    "ArchiveError",
    "CorruptFileWarning",
    "DataQualityWarning",
    "ElevationGain",
    "Flag",
    "ParseError",
    "RiskProfile",
    "RunloadError",
    "RunloadWarning",
    "SkippedFileWarning",
    "UnsafeInputError",
    "UnsupportedFormatError",
    "__version__",
    "analyze",
    "ascent_descent",
    "read_activities",
    "read_activity",
]
