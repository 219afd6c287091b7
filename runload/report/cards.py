"""HTML cards and concise reprs of runload's records: activities, logs, flags and items.

Leaf of the display code: it imports nothing from runload but :mod:`runload.units`,
so the record classes (:class:`~runload.Activity`, :class:`~runload.ActivityLog`,
:class:`~runload.risk.Flag`) can use it for their ``__repr__`` and ``_repr_html_``
without the presentation layer importing them back.  :mod:`runload.report.notebook`
adds the card of a whole analysis and re-exports these.

The ``*_html`` functions return an HTML fragment for ``_repr_html_``; the ``*_repr``
functions a one-line ``__repr__``.  All text is escaped, flag messages are shown whole
(never cut), and files are named by their base name only (:func:`base_name`,
:func:`scrub_paths`, which the HTML report uses too).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

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

__all__ = [
    "NOTEBOOK_CSS",
    "activity_html",
    "activity_repr",
    "base_name",
    "episode_html",
    "episode_repr",
    "flag_html",
    "flag_repr",
    "html_text",
    "log_html",
    "log_repr",
    "scrub_paths",
    "wrap_card",
]

#: An absolute path inside a message: at least two components after a root, a drive or ``~``.
_PATHISH = re.compile(r"(?<![\w.])(?:[A-Za-z]:|~)?(?:[\\/][^\\/\s:;,'\"()\[\]]+){2,}")


def base_name(path: Any) -> str:
    """The last component of a POSIX or Windows path (or of a URL-like string)."""
    text = str(path if path is not None else "")
    name = PureWindowsPath(text).name if "\\" in text else PurePosixPath(text).name
    return name or text


def scrub_paths(text: str, paths: Iterable[Any] = ()) -> str:
    """``text`` with every path in ``paths``, and anything else path-shaped, cut to its base name.

    Parameters
    ----------
    text : str
    paths : iterable
        Known paths to replace first (longest first).
    """
    out = str(text)
    for path in sorted({str(p) for p in paths if p is not None}, key=len, reverse=True):
        if path and path != base_name(path):
            out = out.replace(path, base_name(path))
    return _PATHISH.sub(lambda m: base_name(m.group(0)), out)


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


def html_text(value: Any) -> str:
    """``value`` as HTML text (escaped; None as nothing)."""
    return html.escape("" if value is None else str(value), quote=True)


def wrap_card(body: str) -> str:
    """``body`` in runload's notebook frame, with its stylesheet."""
    return f'<div class="runload"><style>{NOTEBOOK_CSS}</style>{body}</div>'


def _badge(severity: str) -> str:
    sev = severity if severity in _SEVERITIES else "info"
    return f'<span class="rl-badge rl-{sev}">{html_text(severity)}</span>'


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
        + "".join(f"<tr><th>{html_text(k)}</th><td>{html_text(v)}</td></tr>" for k, v in pairs)
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
        f"<p><{heading}>{html_text(_get(flag, 'trigger'))}</{heading}> {_badge(severity)} "
        f'<span class="rl-muted">{html_text(_day(_get(flag, "date")))} · evidence: '
        f"{html_text(_get(flag, 'evidence'))}</span></p>"
        f"<p>{html_text(_get(flag, 'message', ''))}</p>"
        f'<p class="rl-muted">Source: {html_text(_get(flag, "reference", ""))}</p>'
        f'<p class="rl-advice"><b>Advice:</b> {html_text(_get(flag, "advice", ""))}</p>'
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
    return wrap_card(f'<div class="rl-card rl-{html_text(severity)}">{_flag_body(flag)}</div>')


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
        f'<div class="rl-card rl-{html_text(severity)}">',
        f"<p><b>{html_text(when)}</b> {_badge(severity)} {html_text(named)}</p>",
    ]
    positions = [int(k) for k in (_get(row, "flags") or ())]
    if flags is not None and positions:
        for k in positions:
            body.append(_flag_body(flags.iloc[k], heading="b"))
    else:
        body.append(f"<p>{html_text(_get(row, 'headline', ''))}</p>")
    n_runs = len(tuple(_get(row, "activity_ids") or ()))
    body.append(f'<p class="rl-muted">{n_runs} run(s) involved.</p></div>')
    return wrap_card("".join(body))


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
    title = html_text(name) if name else "Activity"
    return wrap_card(f'<div class="rl-card"><p><b>{title}</b></p>{_rows(pairs)}</div>')


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
    parts = [f'<div class="rl-card"><p><b>{html_text(log_repr(log))}</b></p>']
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
                    f"<tr><td>{html_text(s)}</td><td>{int(r['count'])}</td>"
                    f"<td>{html_text(format_distance(r['sum'], u))}</td></tr>"
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
                f"<tr><td>{html_text(_day(rec.get('local_date')))}</td>"
                f"<td>{html_text(rec.get('sport'))}</td>"
                f"<td>{html_text(format_distance(d_km, u))}</td>"
                f"<td>{html_text(format_duration(moving))}</td>"
                f"<td>{html_text(format_pace(d_km, moving, u))}</td></tr>"
            )
        parts.append("</table>")
    if len(errors):
        paths = list(errors["path"]) if "path" in errors.columns else []
        parts.append(f'<p class="rl-muted">Files not read ({len(errors)}):</p><table>')
        parts.append("<tr><th>Reason</th><th>File</th><th>Message</th></tr>")
        for rec in errors.head(max_rows).to_dict("records"):
            parts.append(
                f"<tr><td>{html_text(rec.get('reason'))}</td><td>{html_text(base_name(rec.get('path')))}</td>"
                f"<td>{html_text(scrub_paths(str(rec.get('message', '')), paths))}</td></tr>"
            )
        parts.append("</table>")
        if len(errors) > max_rows:
            parts.append(f'<p class="rl-muted">… and {len(errors) - max_rows} more.</p>')
    parts.append("</div>")
    return wrap_card("".join(parts))


# ---------------------------------------------------------------------------------------
# Analysis
# ---------------------------------------------------------------------------------------
