"""The result of reading many files: :class:`ActivityLog`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from ..exceptions import RunloadError
from ..schema import empty_samples
from .cache import encode_samples
from .limits import ArchiveLimits
from .plan import Item, load_item
from .workers import ReadOptions, parse_bytes

__all__ = ["ActivityLog", "SampleLoader"]


class ActivityLog:
    """What a batch read found: the activities table, the errors table, and the samples.

    Attributes
    ----------
    activities : DataFrame
        One row per activity, indexed by ``activity_id``; columns are the
        summary fields (see :mod:`runload.schema`), sorted by start time.
        Activities known only from an export's metadata have format ``summary``.
    errors : DataFrame
        One row per file that could not be read, or was left out (a
        ``duplicate``, an export row ``missing_file``): ``path``, ``reason``
        (a short code), ``message``.
    warnings : DataFrame
        Data-quality warnings raised while reading files that were kept
        (CRC mismatch, truncation, dropped points): ``path``, ``message``.
    stats : dict
        ``files`` (items read), ``cached`` (answered by the cache), ``parsed``,
        ``failed``, ``duplicates``, ``manual_entries``, ``seconds``.
    manual : Index
        The ``activity_id`` of every activity that is a manual entry: an
        export row with no file (Strava ``activities.csv`` rows without a
        file name, Garmin summaries marked ``manualActivity``).  They are
        counted (format ``summary``), and are not errors: show them as, e.g.,
        "13 manual entries (no file) counted".
    """

    def __init__(
        self,
        activities: pd.DataFrame,
        errors: pd.DataFrame,
        *,
        warnings: pd.DataFrame | None = None,
        loader: Callable[[str], pd.DataFrame] | None = None,
        stats: Mapping[str, float] | None = None,
        manual: pd.Index | None = None,
    ) -> None:
        self.activities = activities
        self.manual = manual if manual is not None else pd.Index([], dtype=object)
        self.errors = errors
        self.warnings = (
            warnings if warnings is not None else pd.DataFrame(columns=["path", "message"])
        )
        self._loader = loader
        self.stats: dict[str, float] = dict(stats or {})

    def samples(self, activity_id: str) -> pd.DataFrame:
        """The samples of one activity: from the cache, else read again from its source.

        A batch parses files for their summaries only; the first call for an
        activity reads its file again (tens of milliseconds) and, when the log
        has a cache and the file is unchanged, stores the samples there, so
        later calls, in this session or the next, are cache reads.

        An activity known only from an export's metadata has no samples: an
        empty frame is returned.
        """
        if activity_id not in self.activities.index:
            raise KeyError(f"no activity {activity_id!r} in this log")
        if self._loader is None:
            raise RunloadError("this log has no access to the source files", reason="no_samples")
        return self._loader(activity_id)

    def __len__(self) -> int:
        return len(self.activities)

    def __repr__(self) -> str:
        from ..report.cards import log_repr

        return log_repr(self)

    def _repr_html_(self) -> str:
        """A card for notebooks: counts, the first activities and what was not read."""
        from ..report.cards import log_html

        return log_html(self)


class SampleLoader:
    """Samples on demand: from the cache, else read from the source (and then cached)."""

    def __init__(
        self,
        entries: Mapping[str, tuple[Item | None, str | None]],
        options: ReadOptions,
        options_key: str,
        cache: Any,
        limits: ArchiveLimits,
    ) -> None:
        self._entries = dict(entries)
        self._options = options
        self._options_key = options_key
        self._cache = cache
        self._limits = limits

    def __call__(self, activity_id: str) -> pd.DataFrame:
        item, content = self._entries[activity_id]
        if item is None:
            return empty_samples()
        cache = self._cache
        if cache is not None and content is not None:
            found = cache.samples(content, self._options_key)
            if found is not None:
                return found
        data = load_item(item, limits=self._limits)
        samples = parse_bytes(data, item.path, self._options).samples
        if cache is not None and content is not None:
            # Cached on first use, and only if the file is still what was read.
            record = cache.get(content, self._options_key)
            if record is not None and hashlib.sha256(data).hexdigest() == content:
                cache.put(content, self._options_key, record, encode_samples(samples))
                cache.flush()
        return samples
