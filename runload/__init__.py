"""runload: training load and the training patterns behind ankle overuse, with graded evidence."""

from __future__ import annotations

from . import load as load
from . import risk as risk
from ._version import __version__
from .activity import Activity
from .analysis import Analysis, analyze
from .cohort import CohortAnalysis, analyze_cohort
from .elevation import ElevationGain, ascent_descent
from .exceptions import (
    ArchiveError,
    CacheWarning,
    CorruptFileWarning,
    DataQualityWarning,
    InvalidOptionError,
    ParseError,
    RunloadError,
    RunloadWarning,
    SkippedFileWarning,
    UnsafeInputError,
    UnsupportedFormatError,
)
from .io import ActivityLog, read_activities, read_activity
from .io.archive import ArchiveLimits
from .io.cache import ActivityCache
from .risk import Flag, RiskProfile

__all__ = [
    "Activity",
    "ActivityCache",
    "ActivityLog",
    "Analysis",
    "ArchiveError",
    "ArchiveLimits",
    "CacheWarning",
    "CohortAnalysis",
    "CorruptFileWarning",
    "DataQualityWarning",
    "ElevationGain",
    "Flag",
    "InvalidOptionError",
    "ParseError",
    "RiskProfile",
    "RunloadError",
    "RunloadWarning",
    "SkippedFileWarning",
    "UnsafeInputError",
    "UnsupportedFormatError",
    "__version__",
    "analyze",
    "analyze_cohort",
    "ascent_descent",
    "read_activities",
    "read_activity",
]
