"""The HTML report of an analysis: one self-contained file to keep or share.

:func:`report_html` writes a single HTML document:

1. where the runner stands (the status) and what was judged;
2. each item (episode of flags), newest first, with every flag's evidence grade,
   citation and the article's advice, after a timeline of the flags;
3. the weekly load: charts of distance, long runs and climbing, then the table;
4. shoe mileage (chart and table), notices, runs to check and the files that could
   not be read.

Charts are inline SVG (they need matplotlib; without it the report says so and
carries on).

Self-contained: no scripts, no external fonts, stylesheets, images or map tiles
(chart text is drawn as SVG paths).  Responsive CSS and a viewport meta tag make it
readable on a phone; wide tables scroll sideways inside their box.

Private by construction: no maps, no coordinates, no device names and no folder
paths.  Files not read are named by their base name only (a path can reveal a user
name), and the same path is cut down to its base name inside the error messages.
Every piece of text is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..units import (
    MISSING,
    check_units,
    distance_unit,
    distance_value,
    elevation_unit,
    elevation_value,
    format_distance,
    format_duration,
    format_pace,
)
from .cards import base_name, scrub_paths

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..analysis import Analysis

__all__ = ["REPORT_CSS", "base_name", "figure_svg", "report_html", "scrub_paths"]

#: The report's whole stylesheet (no external fonts: system font stacks only).
REPORT_CSS = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --line: #d9d9d9;
  --low: #56B4E9; --moderate: #E69F00; --high: #D55E00; --info: #999999; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica,
  Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 0 0 0.4rem; }
p, li { overflow-wrap: anywhere; }
.muted { color: var(--muted); font-size: 0.9rem; }
.status { border: 2px solid var(--ink); border-radius: 8px; padding: 0.75rem 1rem; }
.status ul { margin: 0.3rem 0 0; padding-left: 1.2rem; }
.item { border: 1px solid var(--line); border-left: 6px solid var(--info);
  border-radius: 6px; padding: 0.75rem 1rem; margin: 0.75rem 0; }
.item.low { border-left-color: var(--low); }
.item.moderate { border-left-color: var(--moderate); }
.item.high { border-left-color: var(--high); }
.flag { margin: 0.6rem 0 0; }
.badge { display: inline-block; padding: 0 0.45rem; border-radius: 0.6rem;
  font-size: 0.8rem; border: 1px solid var(--ink); white-space: nowrap; }
.badge.low { background: var(--low); } .badge.moderate { background: var(--moderate); }
.badge.high { background: var(--high); color: #fff; } .badge.info { background: #eee; }
.badge.grade { background: #fff; }
.source, .advice { font-size: 0.92rem; margin: 0.25rem 0 0; }
.advice { background: #f4f8fb; padding: 0.4rem 0.6rem; border-radius: 4px; }
figure { margin: 1rem 0; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 0.9rem; color: var(--muted); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--line); text-align: right;
  white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
td.text { text-align: left; white-space: normal; min-width: 12rem; }
@media (max-width: 40rem) { body { font-size: 15px; } main { padding: 0.6rem; } }
""".strip()

_DISCLAIMER = "runload is not a medical device: flags inform, they do not diagnose."

_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def figure_svg(figure: Figure, *, salt: str = "runload") -> str:
    """A matplotlib figure as an inline ``<svg>`` element (text as paths, no metadata date).

    Parameters
    ----------
    figure : Figure
    salt : str
        Seed of the SVG's internal ids; use a different one for each figure of a page.
    """
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    start = text.find("<svg")
    svg = text[start:] if start >= 0 else text
    svg = _METADATA.sub("", svg, count=1)  # the RDF block says only "Matplotlib"
    return svg.replace("<svg ", '<svg role="img" ', 1)


def _charts(analysis: Analysis, units: str) -> dict[str, str]:
    """Each chart as a ``<figure>`` with its caption, by name; empty without matplotlib."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return {}
    from . import plots

    a = analysis
    runs = a._runs()
    spike_ids = [
        str(aid)
        for ids, trig, sev in zip(
            a.flags["activity_ids"], a.flags["trigger"], a.flags["severity"], strict=True
        )
        if trig == "long_run_spike" and sev != "info"
        for aid in (ids or ())
    ]
    window = 30
    if "long_run_spike" not in a.profile.disabled:
        window = int(a.profile.options("long_run_spike").get("window_days", 30))
    draws: list[tuple[str, str, tuple[float, float], Callable[[Any], Any]]] = [
        (
            "weekly",
            "Weekly distance by surface; the dashed line is your recent normal, markers are "
            "the items of each week (shape and colour: severity).",
            (6.4, 3.2),
            lambda ax: plots.plot_weekly_distance(
                a.weekly,
                episodes=a.episodes,
                normal_km=plots.weekly_normal(a.weekly, profile=a.profile),
                units=units,
                ax=ax,
            ),
        ),
        (
            "long_runs",
            "Each run divided by the longest run of the previous "
            f"{window} days; lines at +10 %, +30 % and +100 % (Frandsen et al. 2025).",
            (6.4, 3.2),
            lambda ax: plots.plot_long_runs(
                runs, window_days=window, bands=a._spike_bands(), flagged=spike_ids, ax=ax
            ),
        ),
        (
            "climbing",
            "Weekly ascent (up) and descent (down) against the mean of your four earlier "
            "weeks with running.",
            (6.4, 3.2),
            lambda ax: plots.plot_climbing(a.weekly, flags=a.flags, units=units, ax=ax),
        ),
        (
            "shoes",
            "Distance on each shoe; the solid tick is its replacement mileage, the dotted "
            "one where the usual replacement range begins.",
            (6.4, 0.9 + 0.55 * max(1, 0 if a.shoes is None else len(a.shoes))),
            lambda ax: plots.plot_shoes(
                a.shoes if a.shoes is not None else pd.DataFrame(), units=units, ax=ax
            ),
        ),
        (
            "items",
            "Flags by trigger over time.",
            (6.4, 1.4 + 0.35 * max(1, a._proper_flags()["trigger"].nunique())),
            lambda ax: plots.plot_items(a.flags, ax=ax),
        ),
    ]
    out = {}
    for name, caption, size, draw in draws:
        fig = Figure(figsize=size, layout="constrained")
        draw(fig.add_subplot())
        svg = figure_svg(fig, salt=f"runload-{name}")
        out[name] = f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"
    return out


def _weekly_table(weekly: pd.DataFrame, units: str) -> str:
    if weekly.empty:
        return "<p>No runs.</p>"
    du, eu = distance_unit(units), elevation_unit(units)
    head = [
        "Week from",
        f"Distance [{du}]",
        "Runs",
        f"Longest [{du}]",
        "Time [h:mm:ss]",
        f"Pace [min/{du}]",
        f"Ascent [{eu}]",
        f"Descent [{eu}]",
        f"Treadmill [{du}]",
        "Change",
    ]
    rows = []
    for week_start, rec in zip(weekly.index, weekly.to_dict("records"), strict=True):
        change = rec.get("distance_change_ratio")
        pace = format_pace(rec["distance_km"], rec["moving_time_s"], units)
        cells = [
            pd.Timestamp(week_start).date().isoformat(),
            f"{distance_value(rec['distance_km'], units):.1f}",
            str(int(rec["runs"])),
            f"{distance_value(rec['longest_run_km'], units):.1f}",
            format_duration(rec["moving_time_s"]) if rec["runs"] else MISSING,
            pace.split(" ")[0],
            _num(elevation_value(rec["ascent_m"], units), "{:.0f}"),
            _num(elevation_value(rec["descent_m"], units), "{:.0f}"),
            f"{distance_value(rec['treadmill_km'], units):.1f}",
            _num(change, "{:.2f}"),
        ]
        rows.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    return (
        '<div class="scroll"><table><thead><tr>'
        + "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
        + "</tr></thead><tbody>"
        + "".join(reversed(rows))
        + "</tbody></table></div>"
        + '<p class="muted">Newest week first.  Change: this week ÷ the week before.</p>'
    )


def _num(value: Any, fmt: str) -> str:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return MISSING
    return fmt.format(f) if np.isfinite(f) else MISSING


def _shoe_table(shoes: pd.DataFrame | None, units: str) -> str:
    if shoes is None or shoes.empty:
        return "<p>No shoe is recorded for any run.</p>"
    head = ["Shoe", "Runs", "Distance", "Limit", "Left", "Last used"]
    rows = []
    for name, rec in zip(shoes.index, shoes.to_dict("records"), strict=True):
        left = float(rec["limit_km"]) - float(rec["total_km"])
        cells = [
            str(name),
            str(int(rec["runs"])),
            format_distance(rec["total_km"], units, digits=0),
            format_distance(rec["limit_km"], units, digits=0),
            format_distance(left, units, digits=0) if left >= 0 else "past the limit",
            str(rec["last_use"]),
        ]
        rows.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    return (
        '<div class="scroll"><table><thead><tr>'
        + "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


def _badge(text: str, kind: str) -> str:
    return f'<span class="badge {_e(kind)}">{_e(text)}</span>'


def _items(analysis: Analysis) -> str:
    episodes = analysis.episodes
    if not analysis.coverage.judged:
        return "<p>No flag could be raised, because no run was judged.</p>"
    if not len(episodes):
        return "<p>No flags.</p>"
    flags = analysis.flags
    parts = []
    for ep in reversed(episodes.to_dict("records")):
        sev = str(ep["severity"])
        when = str(ep["first_date"])
        if ep["last_date"] != ep["first_date"]:
            when += f" to {ep['last_date']}"
        body = [
            f'<article class="item {_e(sev)}">',
            f"<h3>{_e(when)} {_badge(sev, sev)} {_e(' + '.join(ep['triggers']))}</h3>",
        ]
        for k in ep["flags"]:
            rec = flags.iloc[int(k)]
            body.append(
                '<div class="flag">'
                f"<p><strong>{_e(rec['trigger'])}</strong> "
                f"{_badge(rec['severity'], rec['severity'])} "
                f"{_badge('evidence: ' + str(rec['evidence']), 'grade')}</p>"
                f"<p>{_e(rec['message'])}</p>"
                f'<p class="source">Source: {_e(rec["reference"])}</p>'
                f'<p class="advice"><strong>Advice:</strong> {_e(rec["advice"])}</p>'
                "</div>"
            )
        body.append("</article>")
        parts.append("".join(body))
    return "".join(parts)


def report_html(analysis: Analysis, *, units: str = "metric", charts: bool = True) -> str:
    """The analysis as one self-contained HTML document (see the module docstring).

    Parameters
    ----------
    analysis : Analysis
    units : {"metric", "imperial"}
        Units of the text, tables and charts.
    charts : bool
        Draw the charts (needs matplotlib; left out with a note when it is missing).

    Returns
    -------
    str
    """
    u = check_units(units)
    a = analysis
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        "<title>runload report</title>",
        f"<style>{REPORT_CSS}</style>",
        "</head><body><main>",
        "<h1>runload report</h1>",
    ]
    # 1. status
    out.append('<section class="status" id="status"><h2 style="margin-top:0">Status</h2>')
    lines = a.status_lines(units=u)
    if lines:
        out.append(f"<p><strong>{_e(lines[0])}</strong></p><ul>")
        out += [f"<li>{_e(line.strip())}</li>" for line in lines[1:]]
        out.append("</ul>")
    else:
        out.append("<p><strong>No run was judged.</strong></p>")
    for line in a.coverage.lines():
        out.append(f'<p class="muted">{_e(line)}</p>')
    out.append(f'<p class="muted">{_e(_DISCLAIMER)}</p></section>')
    drawn = _charts(a, u) if charts else {}
    if charts and not drawn:
        out.append('<p>Charts need matplotlib: <code>pip install "runload[plot]"</code>.</p>')
    # 2. items, with the timeline of flags
    n = len(a.episodes)
    out.append(f'<section id="items"><h2>Items ({n})</h2>')
    if n:
        out.append(drawn.get("items", ""))
    out.append(_items(a))
    out.append("</section>")
    # 3. the weekly load: charts, then the table
    out.append(f'<section id="weeks"><h2>Weekly load ({len(a.weekly)} weeks)</h2>')
    out += [drawn.get(k, "") for k in ("weekly", "long_runs", "climbing")]
    out.append(_weekly_table(a.weekly, u))
    out.append("</section>")
    out.append('<section id="shoes"><h2>Shoe mileage</h2>')
    if a.shoes is not None and len(a.shoes):
        out.append(drawn.get("shoes", ""))
    out.append(_shoe_table(a.shoes, u))
    out.append("</section>")
    notices = a.notices
    if len(notices):
        out.append(f'<section id="notices"><h2>Notices ({len(notices)})</h2><ul>')
        for rec in notices.to_dict("records"):
            out.append(f"<li>{_e(rec['date'])} {_e(rec['trigger'])}: {_e(rec['message'])}</li>")
        out.append("</ul></section>")
    odd = a.coverage.implausible
    if len(odd):
        out.append(f'<section id="checks"><h2>Runs to check ({len(odd)})</h2><ul>')
        out += [f"<li>{_e(m)}</li>" for m in odd["message"]]
        out.append("</ul></section>")
    out.append(f'<section id="errors"><h2>Files not read ({len(a.errors)})</h2>')
    if len(a.errors):
        paths = [rec.get("path") for rec in a.errors.to_dict("records")]
        out.append(
            '<div class="scroll"><table><thead><tr><th scope="col">Reason</th>'
            '<th scope="col">File</th><th scope="col">Message</th></tr></thead><tbody>'
        )
        for rec in a.errors.to_dict("records"):
            message = scrub_paths(str(rec.get("message", "")), paths)
            out.append(
                f"<tr><td>{_e(rec.get('reason'))}</td><td>{_e(base_name(rec.get('path')))}</td>"
                f'<td class="text">{_e(message)}</td></tr>'
            )
        out.append("</tbody></table></div>")
    else:
        out.append("<p>Every file was read.</p>")
    out.append("</section>")
    if a.pain is not None and len(a.pain):
        out.append(f'<section id="pain"><h2>Pain journal ({len(a.pain)})</h2><ul>')
        for rec in a.pain.to_dict("records"):
            out.append(f"<li>{_e(rec['date'])} {_e(rec['structure'])}: {_e(rec['message'])}</li>")
        out.append("</ul></section>")
    out.append(
        '<p class="muted">Made by runload.  Units: '
        + _e("kilometres and metres" if u == "metric" else "miles and feet")
        + ".  No maps, coordinates or device names are included.</p>"
    )
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"
