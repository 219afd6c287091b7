"""One call from activity files to weekly load and risk flags: :func:`analyze`.

``analyze`` reads the files (or takes an already-read log or activities table),
builds the weekly load table, runs every risk rule with a :class:`RiskProfile` and,
when a pain journal is given, puts each entry beside the flags that preceded it.
The result, :class:`Analysis`, renders as JSON (:meth:`Analysis.to_json`) or as a
terminal report (:meth:`Analysis.to_text`).

Flags inform; they never diagnose.  Notices (severity ``"info"``, e.g. "not enough
history yet") travel in the same table as the flags; :attr:`Analysis.notices` selects them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .coverage import Coverage, select_runs
from .exceptions import RunloadError
from .io.gear import read_gear_catalogue
from .load import RUNNING_SPORTS, Sports, is_running, weekly_load
from .risk import FLAG_FIELDS, RiskProfile, evaluate, flags_frame, pain_context
from .risk.episodes import group_episodes
from .risk.inputs import read_gear, read_tags
from .risk.pain import read_pain_journal
from .risk.status import Status, training_status
from .shoes import SHOE_TABLE_COLUMNS, shoe_catalogue, shoe_lines, shoe_table
from .timezones import check_timezone
from .units import (
    MISSING,
    check_units,
    distance_value,
    elevation_value,
    format_duration,
    format_pace,
)

__all__ = ["ERROR_FIELDS", "SHOE_TOTAL_FIELDS", "Analysis", "analyze", "shoe_totals"]

#: Columns of :attr:`Analysis.errors`.
ERROR_FIELDS: tuple[str, ...] = ("path", "reason", "message")

#: Weeks of the weekly table and of the items that the text output shows by default.
DEFAULT_TEXT_WEEKS = 8

#: Most implausible runs listed one by one in the text output.
_MAX_LISTED = 10

_DISCLAIMER = "runload is not a medical device: flags inform, they do not diagnose."


@dataclass(frozen=True, eq=False)
class Analysis:
    """The result of :func:`analyze`.

    Attributes
    ----------
    activities : DataFrame
        The activities table (see :mod:`runload.schema`).
    weekly : DataFrame
        :func:`runload.load.weekly_load` of the counted runs: index ``week_start``
        (DatetimeIndex of local Mondays), columns :data:`runload.load.WEEKLY_LOAD_COLUMNS`.
    flags : DataFrame
        Every flag and notice, columns :data:`runload.risk.FLAG_FIELDS`, sorted by date
        then severity.  Notices have severity ``"info"`` (see :attr:`notices`); filter
        ``severity != "info"`` for the flags proper.
    errors : DataFrame
        Files that could not be read: ``path``, ``reason``, ``message``.
    pain : DataFrame or None
        :func:`runload.risk.pain_context` of the pain journal, when one was given.
    profile : RiskProfile
        The thresholds used.
    coverage : Coverage
        What was judged: activities read, counted as runs, left out and why
        (:mod:`runload.coverage`).  ``activities["counted"]`` marks the runs judged.
    episodes : DataFrame
        The flags grouped into items, one per event (:func:`runload.risk.episodes.group_episodes`);
        ``flags["episode"]`` gives each flag's item.
    status : Status or None
        Where the runner stands as of the last run (:func:`runload.risk.status.training_status`);
        None when no run was judged.
    shoes : DataFrame or None
        Distance on each shoe (:func:`shoe_totals`): index ``shoe``, columns ``runs``,
        ``total_km`` [km], ``limit_km`` [km], ``warn_km`` [km] and ``last_use``.
        None when the analysis was built without it.
    """

    activities: pd.DataFrame
    weekly: pd.DataFrame
    flags: pd.DataFrame
    errors: pd.DataFrame
    pain: pd.DataFrame | None
    profile: RiskProfile
    coverage: Coverage
    episodes: pd.DataFrame
    status: Status | None
    shoes: pd.DataFrame | None = None

    @property
    def notices(self) -> pd.DataFrame:
        """The ``info`` rows of :attr:`flags` (e.g. not enough history yet)."""
        return self.flags.loc[self.flags["severity"] == "info"].reset_index(drop=True)

    def _proper_flags(self) -> pd.DataFrame:
        return self.flags.loc[self.flags["severity"] != "info"].reset_index(drop=True)

    def _runs(self) -> pd.DataFrame:
        """The counted activities, labelled as runs (what the load and the rules judged)."""
        table = self.activities
        if "counted" in table.columns:
            table = table.loc[table["counted"].astype(bool)]
        return _as_runs(table)

    def _spike_bands(self) -> tuple[float, float, float]:
        """The ``long_run_spike`` ratios of the profile: flag, moderate, high. [1]"""
        options = self.profile.options("long_run_spike")
        return (
            float(options.get("spike_ratio", 1.10)),
            float(options.get("moderate_ratio", 1.30)),
            float(options.get("high_ratio", 2.00)),
        )

    # -- status in words -------------------------------------------------------------------

    def status_lines(self, *, units: str = "metric") -> list[str]:
        """Where the runner stands (:attr:`status`) as short lines, in ``units``.

        :meth:`runload.risk.status.Status.lines`; empty when no run was judged.

        Parameters
        ----------
        units : {"metric", "imperial"}
        """
        return [] if self.status is None else self.status.lines(units=units)

    # -- pictures --------------------------------------------------------------------------

    def plot(self, *, units: str = "metric", figsize: tuple[float, float] = (11.0, 12.0)) -> Any:
        """The overview figure: weekly distance, long runs, climbing, shoes and flags.

        Needs matplotlib (``pip install "runload[plot]"``); see
        :func:`runload.report.plots.plot_overview`.

        Parameters
        ----------
        units : {"metric", "imperial"}
            Units on the axes.
        figsize : (float, float)
            Figure size. [in]

        Returns
        -------
        matplotlib.figure.Figure
        """
        from .report.plots import plot_overview

        return plot_overview(self, units=check_units(units), figsize=figsize)

    # -- JSON ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of :meth:`to_json` as plain Python objects."""
        weeks = []
        records = self.weekly.to_dict("records")  # keeps each column's type (runs: int)
        for week_start, row in zip(self.weekly.index, records, strict=True):
            item: dict[str, Any] = {"week_start": _jsonable(week_start)}
            item.update({str(c): _jsonable(v) for c, v in row.items()})
            weeks.append(item)
        doc: dict[str, Any] = {
            "activities": len(self.activities),
            "coverage": self.coverage.to_dict(),
            "errors": [
                {k: _jsonable(rec.get(k)) for k in ERROR_FIELDS}
                for rec in self.errors.to_dict("records")
            ],
            "weeks": weeks,
            "flags": [
                {k: _jsonable(rec[k]) for k in (*FLAG_FIELDS, "episode")}
                for rec in self.flags.to_dict("records")
            ],
            "episodes": [
                {k: _jsonable(v) for k, v in rec.items()}
                for rec in self.episodes.to_dict("records")
            ],
            "status": None if self.status is None else self.status.to_dict(),
            "shoes": [],
        }
        if self.shoes is not None and len(self.shoes):
            doc["shoes"] = [
                {"shoe": str(shoe), **{str(k): _jsonable(v) for k, v in row.items()}}
                for shoe, row in zip(self.shoes.index, self.shoes.to_dict("records"), strict=True)
            ]
        if self.pain is not None:
            doc["pain"] = [
                {k: _jsonable(v) for k, v in rec.items()} for rec in self.pain.to_dict("records")
            ]
        return doc

    def to_json(self, *, indent: int | None = None) -> str:
        """The analysis as one JSON object.

        Keys: ``activities`` (count), ``errors`` (list of {path, reason, message}),
        ``weeks`` (one object per week: ``week_start`` as YYYY-MM-DD and the weekly load
        columns), ``flags`` (one object per flag or notice, with the fields of
        :class:`runload.risk.Flag`, dates as YYYY-MM-DD, ``activity_ids`` as a list) and,
        when a pain journal was given, ``pain``.  NaN and infinite numbers become ``null``.

        Parameters
        ----------
        indent : int, optional
            Passed to :func:`json.dumps`.
        """
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)

    # -- HTML ----------------------------------------------------------------------------

    def to_html(
        self,
        path: str | PathLike[str] | None = None,
        *,
        units: str = "metric",
        charts: bool = True,
    ) -> str:
        """The analysis as one self-contained HTML report (:mod:`runload.report.html`).

        The status first, then each item with its evidence grade, citation and advice,
        the charts inline as SVG (when matplotlib is installed), the weekly table, shoe
        mileage and the files not read (base names only).  No scripts, no external
        resources, no maps or coordinates.

        Parameters
        ----------
        path : str or path-like, optional
            Also write the report to this file (UTF-8; ``~`` is expanded).
        units : {"metric", "imperial"}
            Units of the text, the tables and the charts.
        charts : bool
            Include the charts.

        Returns
        -------
        str
            The HTML document.
        """
        from .report.html import report_html

        document = report_html(self, units=check_units(units), charts=charts)
        if path is not None:
            Path(path).expanduser().write_text(document, encoding="utf-8")
        return document

    def _repr_html_(self) -> str:
        """Rich display in Jupyter (:func:`runload.report.notebook.analysis_html`)."""
        from .report.notebook import analysis_html

        return analysis_html(self)

    # -- text ----------------------------------------------------------------------------

    def to_text(
        self,
        *,
        weeks: int | None = DEFAULT_TEXT_WEEKS,
        width: int = 100,
        since: dt.date | str | None = None,
        all_items: bool = False,
        units: str = "metric",
    ) -> str:
        """A readable report for a terminal.

        The first line says what was judged (:attr:`coverage`), then comes where the
        runner stands (:attr:`status`), the weekly table, the items (episodes of
        flags) of the last ``weeks`` weeks, the advice for each trigger once, notices,
        runs to check, files not read and the pain journal.

        Parameters
        ----------
        weeks : int or None
            Show the last this many weeks of the weekly table and of the items
            (None: all).
        width : int
            Line width. [characters]  Every line fits it except a single word longer
            than the width (a long file name); words are never split.  The weekly
            table drops its least needed columns (the ACWR, treadmill, moving time,
            descent, pace, ascent...) until it fits.
        since : date or str, optional
            Show the items from this local date on (YYYY-MM-DD) instead.
        all_items : bool
            Show every item since the first run.
        units : {"metric", "imperial"}
            Distances in km or miles, climbing in m or ft and pace per km or mile in
            the status and the weekly table (:mod:`runload.units`); moving time as
            h:mm:ss.  The flag messages keep the units the
            rules wrote them in.
        """
        u = check_units(units)
        width = max(int(width), 20)
        lines: list[str] = []
        n_weeks = len(self.weekly)
        span = ""
        if n_weeks:
            first, last = self.weekly.index[0], self.weekly.index[-1]
            span = f", {n_weeks} weeks from {_day(first)} to {_day(last)}"
        cov = self.coverage.lines()
        lines += _wrap(cov[0], width, "  ", first="")
        lines += _wrap(
            f"runload analysis: {len(self.activities)} activities{span}; "
            f"{len(self.errors)} file(s) not read",
            width,
            "  ",
            first="",
        )
        for line in cov[1:]:
            lines += _wrap(line, width, "  ", first="")
        lines += _wrap(_DISCLAIMER, width, "  ", first="")
        status = self.status
        if status is not None:
            lines.append("")
            for line in self.status_lines(units=u):
                indent = "    " if line.startswith("  ") else "  "
                lines += _wrap(
                    line.strip(), width, indent, first=line[: len(line) - len(line.lstrip())]
                )
        lines.append("")
        lines += _weekly_text(
            self.weekly if weeks is None else self.weekly.tail(weeks), width=width, units=u
        )
        lines.append("")
        start = self._items_start(weeks=weeks, since=since, all_items=all_items)
        episodes = self.episodes
        shown = episodes
        if start is not None and len(episodes):
            shown = episodes.loc[episodes["last_date"].map(lambda d: d >= start).astype(bool)]
        if not self.coverage.judged:
            lines += _wrap(
                "Flags: none could be raised, because no run was judged (see the first line).",
                width,
                "  ",
                first="",
            )
        elif not len(episodes):
            lines.append("Flags: none")
        else:
            scope = "since the first run" if start is None else f"since {start}"
            lines += _wrap(
                f"Items {scope} ({len(shown)} of {len(episodes)})", width, "  ", first=""
            )
            hidden = len(episodes) - len(shown)
            if hidden:
                lines += _wrap(
                    f"{hidden} earlier item(s) not shown: use --since DATE or --all.",
                    width,
                    "    ",
                    first="  ",
                )
        flags = self.flags
        advice: dict[str, str] = {}
        for ep in shown.to_dict("records"):
            triggers = " + ".join(ep["triggers"])
            head = f"{ep['first_date']}  {ep['severity']:<8}  {triggers}"
            lines += _wrap(head, width, "    ", first="")
            for k in ep["flags"]:
                rec = flags.iloc[k]
                label = f"{rec['trigger']} ({rec['severity']}, {rec['evidence']}): "
                lines += _wrap(label + rec["message"], width, "      ", first="    ")
                lines += _wrap("Source: " + rec["reference"], width, "      ", first="      ")
                advice.setdefault(rec["trigger"], rec["advice"])
        if advice:
            lines.append("")
            lines.append("Advice")
            for trigger, text in advice.items():
                lines += _wrap(f"{trigger}: {text}", width, "    ", first="  ")
        notices = self.notices
        if start is not None and len(notices):
            notices = notices.loc[notices["date"].map(lambda d: d >= start).astype(bool)]
        if len(notices):
            lines.append("")
            lines.append(f"Notices ({len(notices)})")
            for rec in notices.to_dict("records"):
                lines += _wrap(f"{rec['date']}  {rec['trigger']}", width, "    ", first="")
                lines += _wrap(rec["message"], width, "    ")
        if self.shoes is not None and len(self.shoes):
            lines.append("")
            lines.append(f"Shoes ({len(self.shoes)})")
            for line in shoe_lines(self.shoes):
                lines += _wrap(line, width, "    ", first="  ")
        odd = self.coverage.implausible
        if len(odd):
            lines.append("")
            lines.append(f"Runs to check ({len(odd)})")
            for message in odd["message"].tail(_MAX_LISTED):
                lines += _wrap(message, width, "    ", first="  ")
            if len(odd) > _MAX_LISTED:
                lines += _wrap(
                    f"... and {len(odd) - _MAX_LISTED} earlier ones (see to_json()).",
                    width,
                    "    ",
                    first="  ",
                )
        if len(self.errors):
            lines.append("")
            lines.append(f"Files not read ({len(self.errors)})")
            for rec in self.errors.to_dict("records"):
                path, message = str(rec.get("path")), str(rec.get("message"))
                text = message if path in message else f"{path}: {message}"
                lines += _wrap(f"[{rec.get('reason')}] {text}", width, "  ", first="")
        if self.pain is not None:
            lines.append("")
            n = len(self.pain)
            lines.append(f"Pain journal ({n} {'entry' if n == 1 else 'entries'})")
            for rec in self.pain.to_dict("records"):
                lines += _wrap(f"{rec['date']}  {rec['structure']}", width, "    ", first="")
                lines += _wrap(rec["message"], width, "    ")
        return "\n".join(lines) + "\n"

    def _items_start(
        self, *, weeks: int | None, since: dt.date | str | None, all_items: bool
    ) -> dt.date | None:
        """First local date of the items shown (None: all of them)."""
        if all_items:
            return None
        if since is not None:
            return since if isinstance(since, dt.date) else dt.date.fromisoformat(str(since))
        if weeks is None or self.status is None:
            return None
        return self.status.week_start - dt.timedelta(weeks=weeks - 1)

    def __repr__(self) -> str:
        return (
            f"Analysis({len(self.activities)} activities, {len(self.weekly)} weeks, "
            f"{len(self._proper_flags())} flags, {len(self.notices)} notices, "
            f"{len(self.errors)} errors)"
        )


def analyze(
    source: Any,
    *,
    profile: RiskProfile | Mapping[str, Any] | str | PathLike[str] | None = None,
    timezone: str | dt.tzinfo | None = None,
    pain: pd.DataFrame | str | PathLike[str] | None = None,
    gear_map: Any = None,
    tags: Mapping[str, Iterable[str] | str] | str | PathLike[str] | None = None,
    sports: Sports = RUNNING_SPORTS,
    sport: str | None = None,
    **read_options: Any,
) -> Analysis:
    """Read activities, compute weekly load and run the risk rules.

    Parameters
    ----------
    source : path, list of paths, ActivityLog or DataFrame
        Anything :func:`runload.read_activities` accepts (files, folders), or an
        already-read ActivityLog (anything with ``.activities`` and ``.errors``), or an
        activities table.
    profile : RiskProfile, mapping or path, optional
        Thresholds: a profile, a mapping for :meth:`RiskProfile.from_dict`, or a TOML
        file for :meth:`RiskProfile.from_toml`.  Default: :class:`RiskProfile()`.
    timezone : str or tzinfo, optional
        Passed to :func:`runload.read_activities` when files are read (ignored for an
        already-read source, whose ``local_date`` is fixed).
    pain : path or DataFrame, optional
        A pain journal (see :func:`runload.risk.read_pain_journal`).
    gear_map : optional
        Shoes and date ranges for runs without ``gear`` (see
        :func:`runload.risk.worn_shoes.gear_map_records`), or the path of a gear file
        (:func:`runload.risk.inputs.read_gear`; ``--gear``).
    tags : mapping or path, optional
        ``activity_id`` → user tags, e.g. ``{"a1": ["ankle weights"]}``, or the path of
        a tags file (:func:`runload.risk.inputs.read_tags`; ``--tags``).
    sports : iterable of str or None, default :data:`runload.load.RUNNING_SPORTS`
        Which activities count as runs (entries as for :func:`runload.load.is_running`;
        None counts every activity).  The counted activities are judged as runs by
        the load and every rule.
    sport : str, optional
        The user's word for activities whose sport nothing could tell (no sport in the
        file or the export, and none inferred): ``sport="running"`` counts them as
        runs (``sport_source = "user"``).
    **read_options
        Passed to :func:`runload.read_activities` when files are read: ``jobs``,
        ``executor``, ``progress``, ``cache``, ``elevation``, ``max_gap_s``...

    Returns
    -------
    Analysis
    """
    check_timezone(timezone)  # before any work (read_activities checks it again for paths)
    if isinstance(tags, str | PathLike):
        tags = read_tags(tags)
    if isinstance(gear_map, str | PathLike):
        gear_map = read_gear(gear_map)
    activities, errors = _activities_and_errors(source, timezone, read_options)
    if profile is None:
        prof = RiskProfile()
    elif isinstance(profile, RiskProfile):
        prof = profile
    elif isinstance(profile, Mapping):
        prof = RiskProfile.from_dict(profile)
    else:
        prof = RiskProfile.from_toml(profile)
    table, coverage = select_runs(activities, sports=sports, sport=sport)
    from .load import reusing_results

    # The weekly load, the rules, the status and the shoe table all start from the same
    # run table, breaks and shoes: each is computed once (nothing below modifies a table).
    with reusing_results():
        judged = _as_runs(table.loc[table["counted"]])
        weekly = weekly_load(judged)
        exported, gear_errors = _export_gear(source)
        if len(gear_errors):
            errors = pd.concat([errors, gear_errors], ignore_index=True)
        catalogue = shoe_catalogue(judged, gear_map=gear_map, exports=exported)
        flag_list = evaluate(judged, profile=prof, gear_map=catalogue, tags=tags)
        flags, episodes = group_episodes(flags_frame(flag_list))
        spike_ratio = 1.10
        if "long_run_spike" not in prof.disabled:
            spike_ratio = float(prof.options("long_run_spike").get("spike_ratio", spike_ratio))
        status = training_status(judged, flags, profile=prof, spike_ratio=spike_ratio)
        pain_frame = None
        if pain is not None:
            pain_frame = pain_context(read_pain_journal(pain), flags)
        shoes = shoe_totals(judged, catalogue, profile=prof)
    return Analysis(
        activities=table,
        weekly=weekly,
        flags=flags,
        errors=errors,
        pain=pain_frame,
        profile=prof,
        coverage=coverage,
        episodes=episodes,
        status=status,
        shoes=shoes,
    )


#: Columns of :func:`shoe_totals`: those of :func:`runload.shoes.shoe_table` and ``warn_km``.
SHOE_TOTAL_FIELDS: tuple[str, ...] = (*SHOE_TABLE_COLUMNS, "warn_km")


def shoe_totals(
    runs: pd.DataFrame, catalogue: Any = None, *, profile: RiskProfile | None = None
) -> pd.DataFrame:
    """The shoe table of :func:`runload.shoes.shoe_table` with the profile's limits.

    Parameters
    ----------
    runs : DataFrame
        The runs judged (an activities table).
    catalogue : DataFrame or gear map, optional
        The shoe catalogue (:func:`runload.shoes.shoe_catalogue`), or anything
        :func:`runload.shoes.gear_map_records` accepts.
    profile : RiskProfile, optional
        Whose ``worn_shoes`` settings give the limits (``limit_km``, per-shoe
        ``shoe_limits_km``) and ``warn_fraction``.

    Returns
    -------
    DataFrame
        Index ``shoe``, most recently used first; columns :data:`SHOE_TOTAL_FIELDS`
        (``warn_km`` = ``warn_fraction × limit_km`` [km], where the charts start to warn).
    """
    prof = profile if profile is not None else RiskProfile()
    settings = prof.worn_shoes
    if not isinstance(catalogue, pd.DataFrame) or "first_date" not in catalogue.columns:
        catalogue = shoe_catalogue(runs, gear_map=catalogue)
    table = shoe_table(
        runs,
        catalogue,
        limit_km=float(settings.limit_km),
        shoe_limits_km=dict(settings.shoe_limits_km or {}),
    )
    table = table.loc[table["runs"] > 0] if len(table) else table
    table = table.assign(warn_km=table["limit_km"].astype(float) * float(settings.warn_fraction))
    return table[list(SHOE_TOTAL_FIELDS)]


def _export_gear(source: Any) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """The gear lists of the exports among ``source`` (zips and folders), and read errors."""
    if isinstance(source, pd.DataFrame) or hasattr(source, "activities"):
        return [], _empty_errors()
    paths = [source] if isinstance(source, str | PathLike) else list(source or [])
    frames: list[pd.DataFrame] = []
    problems = []
    for item in paths:
        if not isinstance(item, str | PathLike):
            continue
        path = Path(item).expanduser()
        if not (path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip")):
            continue
        try:
            found = read_gear_catalogue(path)
        except RunloadError as exc:
            problems.append([str(path), getattr(exc, "reason", None) or "gear_catalogue", str(exc)])
            continue
        if len(found):
            frames.append(found)
    return frames, pd.DataFrame(problems, columns=list(ERROR_FIELDS))


def _as_runs(counted: pd.DataFrame) -> pd.DataFrame:
    """The counted activities, each labelled so that the load and the rules select it.

    The user chose what counts (``sports=``); an activity counted under another sport
    (a walk, say) is relabelled ``running`` in this internal copy only.
    """
    if counted.empty:
        return counted
    runs = is_running(counted)
    if bool(runs.all()):
        return counted
    out = counted.copy()
    out.loc[~runs.to_numpy(dtype=bool), "sport"] = "running"
    return out


def _activities_and_errors(
    source: Any, timezone: str | dt.tzinfo | None, read_options: Mapping[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if isinstance(source, pd.DataFrame):
        return source, _empty_errors()
    if hasattr(source, "activities") and hasattr(source, "errors"):
        activities = source.activities
        errors = source.errors
        if not isinstance(activities, pd.DataFrame):
            raise TypeError("source.activities must be a DataFrame")
        if errors is None:
            errors = _empty_errors()
        return activities, errors
    from .io.batch import read_activities

    log = read_activities(source, timezone=timezone, **read_options)
    return log.activities, log.errors


def _empty_errors() -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series([], dtype="object") for k in ERROR_FIELDS})


def _day(value: Any) -> str:
    """A calendar day (Timestamp or date) as YYYY-MM-DD."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat() if isinstance(value, pd.Timestamp) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, tuple | list | np.ndarray):
        return [_jsonable(v) for v in value]
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _wrap(text: str, width: int, indent: str, *, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        str(text),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


#: Columns of the text weekly table: column, metric header, imperial header, kind, format.
#: Kind ``d`` is a distance [km], ``e`` an elevation [m], ``t`` a duration [s] (h:mm:ss),
#: ``p`` the pace of the week's moving time (m:ss per km or mi), ``n`` a plain number.
_TEXT_COLUMNS: tuple[tuple[str, str, str, str, str], ...] = (
    ("distance_km", "km", "mi", "d", "{:.1f}"),
    ("runs", "runs", "runs", "n", "{:.0f}"),
    ("longest_run_km", "longest", "longest", "d", "{:.1f}"),
    ("moving_time_s", "time", "time", "t", ""),
    ("pace", "min/km", "min/mi", "p", ""),
    ("ascent_m", "ascent_m", "ascent_ft", "e", "{:.0f}"),
    ("descent_m", "descent_m", "descent_ft", "e", "{:.0f}"),
    ("treadmill_km", "treadmill", "treadmill", "d", "{:.1f}"),
    ("distance_change_ratio", "change", "change", "n", "{:.2f}"),
    ("acwr_uncoupled_ratio", "acwr*", "acwr*", "n", "{:.2f}"),
)

#: Columns left out first when the weekly table is wider than the text, in this order.
_DROP_ORDER: tuple[str, ...] = (
    "acwr_uncoupled_ratio",
    "treadmill_km",
    "moving_time_s",
    "descent_m",
    "pace",
    "ascent_m",
    "distance_change_ratio",
    "longest_run_km",
    "runs",
)

_ACWR_NOTE = "* acute:chronic ratio (uncoupled): context only, not an injury predictor."


def _weekly_text(weekly: pd.DataFrame, *, width: int = 100, units: str = "metric") -> list[str]:
    """The weekly table as text lines, narrowed to ``width`` by dropping columns."""
    if weekly.empty:
        return ["Weekly load: no runs"]
    imperial = check_units(units) == "imperial"
    has_pace = {"distance_km", "moving_time_s"} <= set(weekly.columns)
    cols = [c for c in _TEXT_COLUMNS if c[0] in weekly.columns or (c[0] == "pace" and has_pace)]
    cells: dict[str, list[str]] = {"week": [_day(w) for w in weekly.index]}
    headers: dict[str, str] = {"week": "week"}
    for name, metric_head, imperial_head, kind, fmt in cols:
        headers[name] = imperial_head if imperial else metric_head
        column = []
        if kind == "p":
            for km, seconds in zip(weekly["distance_km"], weekly["moving_time_s"], strict=True):
                pace = format_pace(km, seconds, units)
                column.append(pace.split(" ")[0] if pace != MISSING else "-")
            cells[name] = column
            continue
        for value in weekly[name]:
            f = float(value) if value is not None else float("nan")
            if not np.isfinite(f):
                column.append("-")
                continue
            if kind == "t":
                column.append(format_duration(f) if f > 0 else "-")
                continue
            if kind == "d":
                f = distance_value(f, units)
            elif kind == "e":
                f = elevation_value(f, units)
            column.append(fmt.format(f))
        cells[name] = column
    names = ["week"] + [c[0] for c in cols]

    def render(shown: list[str]) -> list[str]:
        widths = [max(len(headers[n]), *(len(v) for v in cells[n])) for n in shown]
        rows = [[headers[n] for n in shown]]
        rows += [[cells[n][i] for n in shown] for i in range(len(weekly))]
        return [
            "  ".join(
                c.ljust(w) if k == 0 else c.rjust(w)
                for k, (c, w) in enumerate(zip(row, widths, strict=True))
            )
            for row in rows
        ]

    shown = list(names)
    table = render(shown)
    for name in _DROP_ORDER:
        if max(len(line) for line in table) <= width:
            break
        if name in shown:
            shown.remove(name)
            table = render(shown)
    out = _wrap(f"Weekly load (last {len(weekly)} weeks)", width, "  ", first="")
    dropped = [headers[n] for n in names if n not in shown]
    out += table
    if "acwr_uncoupled_ratio" in shown:
        out += _wrap(_ACWR_NOTE, width, "  ", first="")
    if dropped:
        out += _wrap(
            f"(Not shown at this width: {', '.join(dropped)}; use a larger width to see them.)",
            width,
            "  ",
            first="",
        )
    return out
