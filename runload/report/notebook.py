"""Rich display in Jupyter: HTML cards and concise reprs for runload's objects.

The ``*_html`` functions return an HTML fragment for ``_repr_html_``; the
``*_repr`` functions a one-line ``__repr__``.  All text is escaped, flag messages
are shown whole (never cut), and files are named by their base name only.

* :func:`analysis_html`: the status block, the recent items with severity, evidence
  grade and advice, and the overview chart as inline SVG when matplotlib is
  installed.
* :func:`activity_html` / :func:`activity_repr`: a summary card of one activity.
* :func:`log_html` / :func:`log_repr`: what a batch read found.
* :func:`flag_html` / :func:`flag_repr`: one flag (a :class:`~runload.risk.Flag` or a
  row of a flags table).
* :func:`episode_html` / :func:`episode_repr`: one item (a row of
  ``Analysis.episodes``), optionally with its flags.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..units import (
    MISSING,
    check_units,
    format_distance,
    format_duration,
    format_elevation,
    format_pace,
)
from .html import base_name, scrub_paths

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = [
    "NOTEBOOK_CSS",
    "activity_html",
    "activity_repr",
    "analysis_html",
    "episode_html",
    "episode_repr",
    "flag_html",
    "flag_repr",
    "log_html",
    "log_repr",
]

#: Styles of the cards, scoped to ``.runload`` so that they leave the notebook alone.
NOTEBOOK_CSS = """
.runload { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  line-height: 1.45; max-width: 56rem; }
.runload .rl-card { border: 1px solid #d9d9d9; border-left: 5px solid #999;
  border-radius: 6px; padding: 0.5rem 0.8rem; margin: 0.4rem 0; }
.runload .rl-low { border-left-color: #56B4E9; }
.runload .rl-moderate { border-left-color: #E69F00; }
.runload .rl-high { border-left-color: #D55E00; }
.runload .rl-badge { display: inline-block; padding: 0 0.4rem; border-radius: 0.6rem;
  font-size: 0.8em; border: 1px solid #333; white-space: nowrap; }
.runload .rl-badge.rl-low { background: #56B4E9; color: #000; }
.runload .rl-badge.rl-moderate { background: #E69F00; color: #000; }
.runload .rl-badge.rl-high { background: #D55E00; color: #fff; }
.runload .rl-muted { color: #666; font-size: 0.9em; }
.runload .rl-advice { background: rgba(86, 180, 233, 0.12); padding: 0.3rem 0.5rem;
  border-radius: 4px; }
.runload table { border-collapse: collapse; }
.runload th, .runload td { padding: 0.15rem 0.6rem; text-align: left; vertical-align: top; }
.runload svg { max-width: 100%; height: auto; }
""".strip()

_SEVERITIES = ("info", "low", "moderate", "high")


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _wrap(body: str) -> str:
    return f'<div class="runload"><style>{NOTEBOOK_CSS}</style>{body}</div>'


def _badge(severity: str) -> str:
    sev = severity if severity in _SEVERITIES else "info"
    return f'<span class="rl-badge rl-{sev}">{_e(severity)}</span>'


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a dataclass, a mapping or a Series."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    if isinstance(obj, pd.Series):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _float(value: Any) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return f


def _day(value: Any) -> str:
    if value is None:
        return MISSING
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _rows(pairs: list[tuple[str, str]]) -> str:
    return (
        "<table>"
        + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs)
        + "</table>"
    )


# ---------------------------------------------------------------------------------------
# Flags and episodes
# ---------------------------------------------------------------------------------------


def flag_repr(flag: Any) -> str:
    """One line: ``Flag(long_run_spike, moderate, 2024-03-23, spike_ratio 1.46 vs 1.3)``.

    Parameters
    ----------
    flag : Flag, mapping or Series
        A :class:`runload.risk.Flag` or a row of a flags table.
    """
    metric = _get(flag, "metric", "")
    value, threshold = _float(_get(flag, "value")), _float(_get(flag, "threshold"))
    measured = ""
    if np.isfinite(value):
        measured = f", {metric} {value:.3g}"
        if np.isfinite(threshold):
            measured += f" vs {threshold:.3g}"
    return (
        f"Flag({_get(flag, 'trigger')}, {_get(flag, 'severity')}, "
        f"{_day(_get(flag, 'date'))}{measured})"
    )


def _flag_body(flag: Any, *, heading: str = "strong") -> str:
    severity = str(_get(flag, "severity", "info"))
    return (
        f"<p><{heading}>{_e(_get(flag, 'trigger'))}</{heading}> {_badge(severity)} "
        f'<span class="rl-muted">{_e(_day(_get(flag, "date")))} · evidence: '
        f"{_e(_get(flag, 'evidence'))}</span></p>"
        f"<p>{_e(_get(flag, 'message', ''))}</p>"
        f'<p class="rl-muted">Source: {_e(_get(flag, "reference", ""))}</p>'
        f'<p class="rl-advice"><b>Advice:</b> {_e(_get(flag, "advice", ""))}</p>'
    )


def flag_html(flag: Any) -> str:
    """A card for one flag: trigger, severity, date, evidence grade, the whole message,
    the citation and the article's advice.

    Parameters
    ----------
    flag : Flag, mapping or Series
        A :class:`runload.risk.Flag` or a row of a flags table.
    """
    severity = str(_get(flag, "severity", "info"))
    return _wrap(f'<div class="rl-card rl-{_e(severity)}">{_flag_body(flag)}</div>')


def episode_repr(row: Any) -> str:
    """One line: ``Item(2024-03-04, moderate, downhill_overload + uphill_overload, 2 flags)``.

    Parameters
    ----------
    row : mapping or Series
        A row of ``Analysis.episodes``.
    """
    triggers = " + ".join(str(t) for t in (_get(row, "triggers") or ()))
    n = len(tuple(_get(row, "flags") or ()))
    return (
        f"Item({_day(_get(row, 'first_date'))}, {_get(row, 'severity')}, {triggers}, "
        f"{n} flag{'s' if n != 1 else ''})"
    )


def episode_html(row: Any, flags: pd.DataFrame | None = None) -> str:
    """A card for one item (episode): dates, severity, triggers with their evidence grades,
    the headline and, given the flags table, each flag in full.

    Parameters
    ----------
    row : mapping or Series
        A row of ``Analysis.episodes``.
    flags : DataFrame, optional
        ``Analysis.flags``: show every flag of the item (its ``flags`` positions).
    """
    severity = str(_get(row, "severity", "info"))
    first, last = _day(_get(row, "first_date")), _day(_get(row, "last_date"))
    when = first if first == last else f"{first} to {last}"
    triggers = tuple(_get(row, "triggers") or ())
    grades = tuple(_get(row, "evidence") or ())
    named = ", ".join(
        f"{t} ({g})" for t, g in zip(triggers, list(grades) + [""] * len(triggers), strict=False)
    )
    body = [
        f'<div class="rl-card rl-{_e(severity)}">',
        f"<p><b>{_e(when)}</b> {_badge(severity)} {_e(named)}</p>",
    ]
    positions = [int(k) for k in (_get(row, "flags") or ())]
    if flags is not None and positions:
        for k in positions:
            body.append(_flag_body(flags.iloc[k], heading="b"))
    else:
        body.append(f"<p>{_e(_get(row, 'headline', ''))}</p>")
    n_runs = len(tuple(_get(row, "activity_ids") or ()))
    body.append(f'<p class="rl-muted">{n_runs} run(s) involved.</p></div>')
    return _wrap("".join(body))


# ---------------------------------------------------------------------------------------
# Activities and logs
# ---------------------------------------------------------------------------------------


def activity_repr(activity: Any, *, units: str = "metric") -> str:
    """One line: ``Activity(2024-03-23 running/road, 24.3 km, 2:01:05, 4:59 min/km, 'a.fit')``.

    Parameters
    ----------
    activity : Activity
    units : {"metric", "imperial"}
    """
    u = check_units(units)
    km = _float(_get(activity, "distance_m")) / 1000.0
    moving = _float(_get(activity, "moving_time_s"))
    sport = _get(activity, "sport") or "unknown sport"
    surface = _get(activity, "surface") or "unknown"
    return (
        f"Activity({_day(_get(activity, 'local_date'))} {sport}/{surface}, "
        f"{format_distance(km, u)}, {format_duration(moving)}, {format_pace(km, moving, u)}, "
        f"{base_name(_get(activity, 'source_path', ''))!r})"
    )


def activity_html(activity: Any, *, units: str = "metric") -> str:
    """A summary card of one activity: date, sport, surface, distance, times, pace,
    climbing, shoe and file name (no device, no coordinates, no folder).

    Parameters
    ----------
    activity : Activity
    units : {"metric", "imperial"}
    """
    u = check_units(units)
    km = _float(_get(activity, "distance_m")) / 1000.0
    moving = _float(_get(activity, "moving_time_s"))
    trusted = _get(activity, "ascent_trusted")
    climb = (
        f"+{format_elevation(_get(activity, 'ascent_m'), u)} / "
        f"−{format_elevation(_get(activity, 'descent_m'), u)}"
    )
    if not (
        np.isfinite(_float(_get(activity, "ascent_m")))
        or np.isfinite(_float(_get(activity, "descent_m")))
    ):
        climb = "no elevation"
    elif trusted is False:
        climb += " (not trusted: " + str(_get(activity, "elevation_source", "")) + ")"
    sport = str(_get(activity, "sport") or "unknown")
    sub = _get(activity, "sub_sport")
    name = _get(activity, "name")
    pairs = [
        ("Date", _day(_get(activity, "local_date"))),
        ("Sport", sport + (f" / {sub}" if sub else "") + f" ({_get(activity, 'sport_source')})"),
        ("Surface", str(_get(activity, "surface"))),
        ("Distance", format_distance(km, u, digits=2)),
        ("Moving time", format_duration(moving)),
        ("Elapsed time", format_duration(_get(activity, "elapsed_time_s"))),
        ("Pace (moving)", format_pace(km, moving, u)),
        ("Climbing", climb),
        ("Shoe", str(_get(activity, "gear") or MISSING)),
        ("File", f"{base_name(_get(activity, 'source_path', ''))} ({_get(activity, 'format')})"),
    ]
    title = _e(name) if name else "Activity"
    return _wrap(f'<div class="rl-card"><p><b>{title}</b></p>{_rows(pairs)}</div>')


def log_repr(log: Any) -> str:
    """One line: ``ActivityLog(83 activities from 2024-01-08 to 2024-04-28, 0 errors)``.

    Parameters
    ----------
    log : ActivityLog
        Anything with ``activities`` and ``errors`` tables.
    """
    acts, errors = log.activities, log.errors
    span = ""
    if len(acts) and "local_date" in acts.columns:
        dates = [d for d in acts["local_date"] if d is not None and not pd.isna(d)]
        if dates:
            span = f" from {_day(min(dates))} to {_day(max(dates))}"
    manual_ids = getattr(log, "manual", None)
    manual = 0 if manual_ids is None else len(manual_ids)
    extra = f", {manual} manual entries" if manual else ""
    return f"ActivityLog({len(acts)} activities{span}{extra}, {len(errors)} errors)"


def log_html(log: Any, *, units: str = "metric", max_rows: int = 10) -> str:
    """What a batch read found: counts, distance by sport, the last activities and the
    files not read (reason first, base names only).

    Parameters
    ----------
    log : ActivityLog
        Anything with ``activities`` and ``errors`` tables.
    units : {"metric", "imperial"}
    max_rows : int
        Most activities and errors listed.
    """
    u = check_units(units)
    acts, errors = log.activities, log.errors
    parts = [f'<div class="rl-card"><p><b>{_e(log_repr(log))}</b></p>']
    if len(acts):
        sport = acts["sport"].fillna("unknown").astype(str) if "sport" in acts.columns else None
        km = pd.to_numeric(acts.get("distance_m"), errors="coerce").fillna(0.0) / 1000.0
        if sport is not None:
            by = (
                km.groupby(sport.to_numpy())
                .agg(["count", "sum"])
                .sort_values("sum", ascending=False)
            )
            parts.append(
                "<table><tr><th>Sport</th><th>Activities</th><th>Distance</th></tr>"
                + "".join(
                    f"<tr><td>{_e(s)}</td><td>{int(r['count'])}</td>"
                    f"<td>{_e(format_distance(r['sum'], u))}</td></tr>"
                    for s, r in by.iterrows()
                )
                + "</table>"
            )
        recent = acts.tail(max_rows).iloc[::-1]
        parts.append(f'<p class="rl-muted">Last {len(recent)} activities:</p><table>')
        parts.append(
            "<tr><th>Date</th><th>Sport</th><th>Distance</th><th>Moving</th><th>Pace</th></tr>"
        )
        for rec in recent.to_dict("records"):
            d_km = _float(rec.get("distance_m")) / 1000.0
            moving = _float(rec.get("moving_time_s"))
            parts.append(
                f"<tr><td>{_e(_day(rec.get('local_date')))}</td><td>{_e(rec.get('sport'))}</td>"
                f"<td>{_e(format_distance(d_km, u))}</td><td>{_e(format_duration(moving))}</td>"
                f"<td>{_e(format_pace(d_km, moving, u))}</td></tr>"
            )
        parts.append("</table>")
    if len(errors):
        paths = list(errors["path"]) if "path" in errors.columns else []
        parts.append(f'<p class="rl-muted">Files not read ({len(errors)}):</p><table>')
        parts.append("<tr><th>Reason</th><th>File</th><th>Message</th></tr>")
        for rec in errors.head(max_rows).to_dict("records"):
            parts.append(
                f"<tr><td>{_e(rec.get('reason'))}</td><td>{_e(base_name(rec.get('path')))}</td>"
                f"<td>{_e(scrub_paths(str(rec.get('message', '')), paths))}</td></tr>"
            )
        parts.append("</table>")
        if len(errors) > max_rows:
            parts.append(f'<p class="rl-muted">… and {len(errors) - max_rows} more.</p>')
    parts.append("</div>")
    return _wrap("".join(parts))


# ---------------------------------------------------------------------------------------
# Analysis
# ---------------------------------------------------------------------------------------


def analysis_html(
    analysis: Analysis,
    *,
    units: str = "metric",
    weeks: int = 8,
    chart: bool = True,
) -> str:
    """The notebook view of an analysis.

    The status block (what was judged and where the runner stands), the items of
    the last ``weeks`` weeks (newest first) with severity, evidence grade, the whole
    message, citation and advice, and the overview chart as inline SVG when
    matplotlib is installed.

    Parameters
    ----------
    analysis : Analysis
    units : {"metric", "imperial"}
    weeks : int
        Show the items of this many weeks up to the last run. [weeks]
    chart : bool
        Include the overview chart.
    """
    u = check_units(units)
    a = analysis
    parts = ['<div class="rl-card">']
    lines = a.status_lines(units=u)
    if lines:
        parts.append(f"<p><b>{_e(lines[0])}</b></p><ul>")
        parts += [f"<li>{_e(line.strip())}</li>" for line in lines[1:]]
        parts.append("</ul>")
    else:
        parts.append("<p><b>No run was judged.</b></p>")
    parts.append(
        f'<p class="rl-muted">{_e(a.coverage.headline())}; {len(a.errors)} file(s) not read.</p>'
    )
    parts.append("</div>")
    episodes = a.episodes
    if a.status is not None and len(episodes):
        since = a.status.week_start - dt.timedelta(weeks=weeks - 1)
        recent = episodes.loc[episodes["last_date"].map(lambda d: d >= since).astype(bool)]
    else:
        recent = episodes
    parts.append(
        f"<p><b>Items of the last {weeks} weeks ({len(recent)} of {len(episodes)})</b></p>"
    )
    for rec in reversed(recent.to_dict("records")):
        parts.append(_unwrap(episode_html(rec, a.flags)))
    if chart and _has_matplotlib():
        from matplotlib.figure import Figure

        from .html import figure_svg
        from .plots import plot_overview

        fig = plot_overview(a, units=u, figure=Figure(figsize=(10, 11), layout="constrained"))
        parts.append(figure_svg(fig, salt="runload-notebook"))
    parts.append(
        '<p class="rl-muted">Flags inform; they do not diagnose. '
        "<code>to_html(path)</code> writes the full report.</p>"
    )
    return _wrap("".join(parts))


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _unwrap(fragment: str) -> str:
    """A card without its own ``<div class="runload"><style>`` wrapper."""
    head = f'<div class="runload"><style>{NOTEBOOK_CSS}</style>'
    if fragment.startswith(head) and fragment.endswith("</div>"):
        return fragment[len(head) : -len("</div>")]
    return fragment
