"""Rich display in Jupyter: the card of a whole analysis, and the record cards re-exported.

* :func:`analysis_html`: the status block, the recent items with severity, evidence
  grade and advice, and the overview chart as inline SVG when matplotlib is
  installed.
* From :mod:`runload.report.cards` (the leaf the record classes use themselves):
  :func:`activity_html` / :func:`activity_repr`, :func:`log_html` /
  :func:`log_repr`, :func:`flag_html` / :func:`flag_repr`, :func:`episode_html` /
  :func:`episode_repr`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..units import check_units
from .cards import (
    NOTEBOOK_CSS,
    activity_html,
    activity_repr,
    episode_html,
    episode_repr,
    flag_html,
    flag_repr,
    html_text,
    log_html,
    log_repr,
    wrap_card,
)

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

_DISCLAIMER = "runload is not a medical device: flags inform, they do not diagnose."


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
        parts.append(f"<p><b>{html_text(lines[0])}</b></p><ul>")
        parts += [f"<li>{html_text(line.strip())}</li>" for line in lines[1:]]
        parts.append("</ul>")
    else:
        parts.append("<p><b>No run was judged.</b></p>")
    parts.append(
        f'<p class="rl-muted">{html_text(a.coverage.headline())}; '
        f"{len(a.errors)} file(s) not read.</p>"
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
    return wrap_card("".join(parts))


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
