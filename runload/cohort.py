"""Many runners at once: :func:`analyze_cohort`.

A cohort is a folder in which each runner is one entry: a subfolder (of files,
or an extracted Strava or Garmin export) or an export zip.  Each runner is
read with :func:`runload.read_activities` and analysed with
:func:`runload.analysis.analyze`; the results are stacked into tidy tables
with a ``runner`` column, ready for a researcher's own statistics
(``groupby("runner")``, mixed models...).

Runners are read one after the other, all of them sharing one pool of worker
processes (or the executor given, such as a Dask cluster's), so the pool starts
once for the whole cohort.  A runner whose reading or analysis fails outright
becomes a row of the errors table (reason ``runner_failed``); the others go on.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .io.cache import DEFAULT_CACHE, resolve_cache
from .io.progress import interactive
from .io.rows import ERROR_COLUMNS
from .io.workers import default_jobs, make_pool
from .load import RUNNING_SPORTS

__all__ = ["COVERAGE_COLUMNS", "CohortAnalysis", "analyze_cohort", "cohort_runners"]

#: Columns of :attr:`CohortAnalysis.coverage`.
COVERAGE_COLUMNS: tuple[str, ...] = (
    "runner",
    "activities",
    "runs",
    "no_sport",
    "other_sports",
    "implausible",
    "untrusted_climbing",
)


@dataclass(frozen=True, eq=False)
class CohortAnalysis:
    """The result of :func:`analyze_cohort`: four tables, each with a ``runner`` column.

    Attributes
    ----------
    activities : DataFrame
        ``runner``, ``activity_id``, then the summary fields (see
        :mod:`runload.schema`); one row per activity.
    weekly : DataFrame
        ``runner``, ``week_start``, then :data:`runload.load.WEEKLY_LOAD_COLUMNS`.
    flags : DataFrame
        ``runner``, then :data:`runload.risk.FLAG_FIELDS` (notices included,
        severity ``"info"``).
    errors : DataFrame
        ``runner``, ``path``, ``reason``, ``message``.
    runners : tuple of str
        The runners, in order.
    coverage : DataFrame
        One row per runner analysed: :data:`COVERAGE_COLUMNS` (activities read,
        counted as runs, left out for having no sport, for another sport, as
        implausible runs, and runs whose climbing was not judged), so that a runner
        whose files were never judged cannot pass for one without flags.
    """

    activities: pd.DataFrame
    weekly: pd.DataFrame
    flags: pd.DataFrame
    errors: pd.DataFrame
    runners: tuple[str, ...]
    coverage: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"CohortAnalysis({len(self.runners)} runners, {len(self.activities)} activities, "
            f"{len(self.flags)} flags and notices, {len(self.errors)} errors)"
        )


def cohort_runners(root: str | os.PathLike[str]) -> list[tuple[str, Path]]:
    """The runners of a cohort folder: (name, path) for each subfolder and ``.zip``, sorted.

    A zip's runner is its name without ``.zip``, unless a subfolder has that
    name (then the zip keeps its full name).  Hidden entries are ignored.
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        raise NotADirectoryError(f"cohort root is not a folder: {root}")
    entries = sorted(p for p in root.iterdir() if not p.name.startswith("."))
    folders = {p.name for p in entries if p.is_dir()}
    out = []
    for p in entries:
        if p.is_dir():
            out.append((p.name, p))
        elif p.is_file() and p.suffix.lower() == ".zip":
            out.append((p.name if p.stem in folders else p.stem, p))
    return out


def _with_runner(frame: pd.DataFrame, runner: str) -> pd.DataFrame:
    out = frame.copy()
    out.insert(0, "runner", runner)
    return out


def analyze_cohort(
    root: str | os.PathLike[str],
    *,
    profile: Any = None,
    timezone: str | dt.tzinfo | None = None,
    jobs: int | None = None,
    executor: cf.Executor | None = None,
    progress: bool | None = None,
    cache: Any = DEFAULT_CACHE,
    gear_maps: Mapping[str, Any] | None = None,
    runners: Iterable[str] | None = None,
    sports: Iterable[str] | None = RUNNING_SPORTS,
    sport: str | None = None,
) -> CohortAnalysis:
    """Read and analyse every runner of a cohort folder.

    Parameters
    ----------
    root : path
        A folder with one entry per runner (see :func:`cohort_runners`).
    profile : RiskProfile, mapping or path, optional
        Thresholds, as for :func:`runload.analysis.analyze`, shared by all runners.
    timezone : str or tzinfo, optional
        As for :func:`runload.read_activities`.
    jobs : int, optional
        Worker processes of the shared pool (default: every core; ``1``:
        everything in the calling process).
    executor : concurrent.futures.Executor, optional
        Parse there instead (a Dask ``client.get_executor()``); not shut down.
    progress : bool, optional
        A progress bar over runners (default: when interactive).
    cache : bool, path, ActivityCache or None
        As for :func:`runload.read_activities`.
    gear_maps : mapping, optional
        Runner → ``gear_map`` for :func:`runload.analysis.analyze`.
    runners : iterable of str, optional
        Analyse only these runners.
    sports, sport : optional
        What counts as a run, and the sport of activities nothing labels, as for
        :func:`runload.analysis.analyze`.

    Returns
    -------
    CohortAnalysis
    """
    from .analysis import analyze
    from .io.batch import read_activities
    from .load import WEEKLY_LOAD_COLUMNS
    from .risk import FLAG_FIELDS, RiskProfile

    found = cohort_runners(root)
    if runners is not None:
        wanted = set(runners)
        found = [(name, path) for name, path in found if name in wanted]
    if isinstance(profile, Mapping):
        profile = RiskProfile.from_dict(profile)
    elif profile is not None and not isinstance(profile, RiskProfile):
        profile = RiskProfile.from_toml(profile)
    store = resolve_cache(cache)
    opened = store if store is not cache else None
    n_jobs = jobs if jobs is not None else default_jobs()
    own: cf.Executor | None = None
    pool = executor
    if pool is None and n_jobs > 1:
        own = make_pool(n_jobs)
        pool = own

    activities: list[pd.DataFrame] = []
    weekly: list[pd.DataFrame] = []
    flags: list[pd.DataFrame] = []
    errors: list[pd.DataFrame] = []
    coverage: list[pd.DataFrame] = []
    bar: Any = None
    if (progress if progress is not None else interactive()) and found:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(found), unit="runner", desc="runload cohort", leave=False)
    try:
        for name, path in found:
            if own is not None and getattr(own, "_broken", False):
                own.shutdown(wait=False, cancel_futures=True)
                own = make_pool(n_jobs)
                pool = own
            try:
                log = read_activities(
                    path,
                    timezone=timezone,
                    jobs=n_jobs,
                    executor=pool,
                    progress=False,
                    cache=store,
                )
                result = analyze(
                    log,
                    profile=profile,
                    gear_map=(gear_maps or {}).get(name),
                    sports=sports,
                    sport=sport,
                )
            except Exception as exc:  # one runner never stops the cohort
                errors.append(
                    pd.DataFrame(
                        [[name, str(path), "runner_failed", f"{type(exc).__name__}: {exc}"]],
                        columns=["runner", *ERROR_COLUMNS],
                    )
                )
            else:
                acts = result.activities.copy()
                acts.index.name = "activity_id"
                activities.append(_with_runner(acts.reset_index(), name))
                week = result.weekly.copy()
                week.index.name = "week_start"
                weekly.append(_with_runner(week.reset_index(), name))
                flags.append(_with_runner(result.flags, name))
                errors.append(_with_runner(result.errors, name))
                cov = result.coverage
                implausible = int(cov.implausible["excluded"].astype(bool).sum())
                coverage.append(
                    pd.DataFrame(
                        [
                            [
                                name,
                                cov.activities,
                                cov.runs,
                                cov.no_sport,
                                sum(cov.other_sports.values()),
                                implausible,
                                cov.untrusted_climbing,
                            ]
                        ],
                        columns=list(COVERAGE_COLUMNS),
                    )
                )
            if bar is not None:
                bar.update()
    finally:
        if bar is not None:
            bar.close()
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)
        if opened is not None:
            opened.close()

    from .schema import SUMMARY_FIELDS

    def stack(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame({c: pd.Series([], dtype="object") for c in columns})
        return pd.concat(frames, ignore_index=True)

    return CohortAnalysis(
        activities=stack(activities, ["runner", *SUMMARY_FIELDS]),
        weekly=stack(weekly, ["runner", "week_start", *WEEKLY_LOAD_COLUMNS]),
        flags=stack(flags, ["runner", *FLAG_FIELDS]),
        errors=stack(errors, ["runner", *ERROR_COLUMNS]),
        runners=tuple(name for name, _ in found),
        coverage=stack(coverage, list(COVERAGE_COLUMNS)),
    )
