"""Charts of an analysis, drawn with matplotlib (the optional extra ``runload[plot]``).

Every ``plot_*`` function takes the table it draws, keyword-only options and
``ax=None`` (a new figure when None), and returns the Axes it drew on.
:func:`plot_overview` puts them together in one figure (``Analysis.plot()``).

Readable defaults:

* **Units on the axes**, metric or imperial (``units=``, see :mod:`runload.units`);
  the tables themselves stay metric.
* **A colour-blind-safe palette**: the Okabe-Ito colours (:data:`PALETTE`), and
  severity is told by the marker shape as well as its colour.
* **Dates in the runner's local calendar**: weeks start on their local Monday and
  runs sit on their local day, as in the tables (no time zone conversion happens
  here).

Matplotlib is imported when a chart is drawn, never when runload is imported.

Artists that tests and users may want to find carry a ``gid``: ``"outdoor"``,
``"treadmill"``, ``"normal"``, ``"items-<severity>"``, ``"band-<ratio>"``,
``"ascent"``, ``"descent"``, ``"ascent-norm"``, ``"descent-norm"``, ``"shoe-km"``,
``"shoe-limit"``, ``"shoe-warn"``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import RunloadError
from ..units import distance_unit, distance_value, elevation_unit, elevation_value

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..analysis import Analysis
    from ..risk.profile import RiskProfile

__all__ = [
    "BAND_RATIOS",
    "PALETTE",
    "SEVERITY_COLORS",
    "SEVERITY_MARKERS",
    "climbing_norm",
    "plot_climbing",
    "plot_items",
    "plot_long_runs",
    "plot_overview",
    "plot_shoes",
    "plot_weekly_distance",
    "require_matplotlib",
    "weekly_normal",
]

#: The Okabe-Ito palette (Okabe & Ito 2008), distinguishable with the common forms of
#: colour blindness.
PALETTE: Mapping[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}

#: Colour of each flag severity.
SEVERITY_COLORS: Mapping[str, str] = {
    "info": PALETTE["grey"],
    "low": PALETTE["sky_blue"],
    "moderate": PALETTE["orange"],
    "high": PALETTE["vermillion"],
}
#: Marker of each flag severity (shape tells severity without colour).
SEVERITY_MARKERS: Mapping[str, str] = {"info": ".", "low": "o", "moderate": "s", "high": "D"}

#: Run ÷ longest run of the previous 30 days at the edges of Frandsen et al.'s (2025)
#: bands: +10 % (reference up to it), +30 %, +100 %.
BAND_RATIOS: tuple[float, float, float] = (1.10, 1.30, 2.00)

_SURFACE_COLORS = {"outdoor": PALETTE["blue"], "treadmill": PALETTE["reddish_purple"]}
_WEEK_DAYS = 7.0
_BAR_DAYS = 6.0


def require_matplotlib() -> Any:
    """Import matplotlib, or raise a :class:`RunloadError` saying how to install it."""
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise RunloadError(
            'runload\'s charts need matplotlib: pip install "runload[plot]"'
        ) from exc
    return matplotlib


def _axes(ax: Axes | None, figsize: tuple[float, float] = (8.0, 3.5)) -> Axes:
    if ax is not None:
        return ax
    require_matplotlib()
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _day_number(day: Any) -> float:
    """Matplotlib's date number of a local calendar day (date, Timestamp or string)."""
    import matplotlib.dates as mdates

    stamp = pd.Timestamp(day)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return float(mdates.date2num(stamp.to_pydatetime()))


def _week_centres(index: Iterable[Any]) -> np.ndarray:
    return np.array([_day_number(d) + _WEEK_DAYS / 2 for d in index], dtype=float)


def _floats(values: Any) -> np.ndarray:
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _monday(day: Any) -> dt.date:
    d = pd.Timestamp(day).date()
    return d - dt.timedelta(days=d.weekday())


def _empty(ax: Axes, text: str) -> Axes:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


# ---------------------------------------------------------------------------------------
# Weekly distance
# ---------------------------------------------------------------------------------------


def weekly_normal(weekly: pd.DataFrame, *, profile: RiskProfile | None = None) -> pd.Series:
    """The runner's recent normal week before each week, as ``distance_jump`` and the status use it.

    Parameters
    ----------
    weekly : DataFrame
        :func:`runload.load.weekly_load` (index ``week_start``, column ``distance_km``).
    profile : RiskProfile, optional
        Whose ``distance_jump`` settings (normal weeks, lookback) and break definition
        apply; the defaults when omitted.

    Returns
    -------
    Series
        Index as ``weekly``; the normal before each week (NaN before the first week
        with running). [km]
    """
    from ..risk.baselines import break_definition, recent_normal
    from ..risk.profile import RiskProfile

    prof = profile if profile is not None else RiskProfile()
    settings = prof.distance_jump
    km = np.nan_to_num(_floats(weekly["distance_km"]) if len(weekly) else np.zeros(0))
    trivial = break_definition(prof).trivial_share
    values = [
        recent_normal(
            km,
            k,
            weeks=int(settings.normal_weeks),
            lookback_weeks=int(settings.lookback_weeks),
            min_weeks=1,
            trivial_share=trivial,
        )[0]
        for k in range(len(km))
    ]
    return pd.Series(values, index=weekly.index, dtype=float, name="normal_week_km")


def plot_weekly_distance(
    weekly: pd.DataFrame,
    *,
    episodes: pd.DataFrame | None = None,
    normal_km: pd.Series | Sequence[float] | None = None,
    units: str = "metric",
    ax: Axes | None = None,
) -> Axes:
    """Weekly distance as bars split by surface, the recent normal and each week's items.

    Parameters
    ----------
    weekly : DataFrame
        :func:`runload.load.weekly_load`: index ``week_start`` (local Mondays), columns
        ``outdoor_km`` and ``treadmill_km``. [km]
    episodes : DataFrame, optional
        The items (:attr:`runload.analysis.Analysis.episodes`): one marker above its
        week's bar per item, coloured and shaped by severity; several items of a week
        are stacked.
    normal_km : Series or sequence of float, optional
        The recent normal before each week (:func:`weekly_normal`), drawn as a dashed
        step line. [km]
    units : {"metric", "imperial"}
        Kilometres or miles on the y axis.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
        Bars are centred on the middle of their week (Monday + 3.5 days) and are six
        days wide.
    """
    ax = _axes(ax)
    unit = distance_unit(units)
    if weekly.empty:
        return _empty(ax, "No runs")
    x = _week_centres(weekly.index)
    outdoor = np.array(
        [distance_value(v, units) for v in np.nan_to_num(_floats(weekly["outdoor_km"]))]
    )
    treadmill = np.array(
        [distance_value(v, units) for v in np.nan_to_num(_floats(weekly["treadmill_km"]))]
    )
    bars = ax.bar(
        x,
        outdoor,
        width=_BAR_DAYS,
        color=_SURFACE_COLORS["outdoor"],
        label="outdoor",
        gid="outdoor",
    )
    for patch in bars.patches:
        patch.set_gid("outdoor")
    bars = ax.bar(
        x,
        treadmill,
        width=_BAR_DAYS,
        bottom=outdoor,
        color=_SURFACE_COLORS["treadmill"],
        label="treadmill",
        gid="treadmill",
    )
    for patch in bars.patches:
        patch.set_gid("treadmill")
    total = outdoor + treadmill
    if normal_km is not None:
        normal = np.array([distance_value(v, units) for v in _floats(list(normal_km))])
        if np.isfinite(normal).any():
            ax.step(
                x,
                normal,
                where="mid",
                color=PALETTE["black"],
                linestyle="--",
                linewidth=1.2,
                label="recent normal",
                gid="normal",
            )
    top = float(np.nanmax(total)) if total.size else 0.0
    step = max(top, 1.0) * 0.07
    if episodes is not None and len(episodes):
        position = {round(_day_number(d)): k for k, d in enumerate(weekly.index)}
        stacked: dict[int, int] = {}
        points: dict[str, list[tuple[float, float]]] = {}
        for rec in episodes.to_dict("records"):
            k = position.get(round(_day_number(_monday(rec["week_start"]))))
            if k is None:
                continue
            level = stacked.get(k, 0)
            stacked[k] = level + 1
            y = total[k] + step * (1 + level)
            points.setdefault(str(rec["severity"]), []).append((float(x[k]), float(y)))
        for severity in ("low", "moderate", "high", "info"):
            if severity not in points:
                continue
            xs, ys = zip(*points[severity], strict=True)
            ax.scatter(
                xs,
                ys,
                s=36,
                marker=SEVERITY_MARKERS[severity],
                color=SEVERITY_COLORS[severity],
                edgecolors=PALETTE["black"],
                linewidths=0.6,
                zorder=3,
                label=f"{severity} item",
                gid=f"items-{severity}",
            )
        top = max(top, max(total[k] + step * (n + 1) for k, n in stacked.items()))
    ax.set_ylim(0, max(top, 1.0) * 1.3)  # headroom for the legend
    ax.set_ylabel(f"distance per week [{unit}]")
    ax.set_title("Weekly distance")
    _date_axis(ax)
    ax.legend(loc="upper left", fontsize="small", ncols=2, frameon=False)
    return ax


# ---------------------------------------------------------------------------------------
# Long runs against the previous 30 days
# ---------------------------------------------------------------------------------------


def plot_long_runs(
    runs: pd.DataFrame,
    *,
    window_days: int = 30,
    bands: Sequence[float] = BAND_RATIOS,
    flagged: Iterable[str] = (),
    ax: Axes | None = None,
) -> Axes:
    """Each run's distance against the longest run of the previous ``window_days`` days.

    The y axis is the ratio run ÷ longest run of the previous 30 days (Frandsen et
    al. 2025); horizontal lines mark ``bands`` (+10 %, +30 %, +100 %), and the
    points are coloured by the band they fall in.  Runs without an earlier run in
    the window have no ratio and are not drawn.

    Parameters
    ----------
    runs : DataFrame
        An activities table of the runs judged (see :func:`runload.load.long_run_spikes`).
    window_days : int
        The window of the longest previous run. [d]
    bands : sequence of float
        Ratios of the band edges, ascending. [1]
    flagged : iterable of str
        ``activity_id`` of runs a rule flagged: ringed in black.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
    """
    from ..load import long_run_spikes

    ax = _axes(ax)
    spikes = long_run_spikes(runs, window_days=window_days) if len(runs) else pd.DataFrame()
    if spikes.empty or not np.isfinite(_floats(spikes["spike_ratio"])).any():
        return _empty(ax, "No run with an earlier run in the window")
    ratio = _floats(spikes["spike_ratio"])
    ok = np.isfinite(ratio)
    x = np.array([_day_number(d) for d in spikes["local_date"]], dtype=float)
    edges = sorted(float(b) for b in bands)
    level = np.searchsorted(np.array(edges), ratio, side="left")  # 0: <= first edge
    colours = [PALETTE["grey"], SEVERITY_COLORS["low"], SEVERITY_COLORS["moderate"]]
    colours += [SEVERITY_COLORS["high"]] * max(0, len(edges) + 1 - len(colours))
    names = [f"≤ +{(edges[0] - 1) * 100:.0f} %"]
    names += [
        f"+{(lo - 1) * 100:.0f} to +{(hi - 1) * 100:.0f} %" for lo, hi in itertools.pairwise(edges)
    ]
    names.append(f"> +{(edges[-1] - 1) * 100:.0f} %")
    for k in range(len(edges) + 1):
        sel = ok & (level == k)
        if sel.any():
            ax.scatter(
                x[sel],
                ratio[sel],
                s=18,
                color=colours[k],
                edgecolors="none",
                label=names[k],
                gid=f"runs-{k}",
                zorder=2,
            )
    for edge in edges:
        ax.axhline(
            edge,
            color=PALETTE["black"],
            linestyle=":",
            linewidth=1.0,
            gid=f"band-{edge:g}",
            zorder=1,
        )
        ax.annotate(
            f"+{(edge - 1) * 100:.0f} %",
            xy=(1.0, edge),
            xycoords=("axes fraction", "data"),
            xytext=(2, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
        )
    wanted = {str(a) for a in flagged}
    ring = np.array([str(i) in wanted for i in spikes.index], dtype=bool) & ok
    if ring.any():
        ax.scatter(
            x[ring],
            ratio[ring],
            s=80,
            facecolors="none",
            edgecolors=PALETTE["black"],
            linewidths=1.2,
            label="flagged",
            gid="flagged",
            zorder=3,
        )
    top = max(float(np.nanmax(ratio[ok])), edges[-1])
    ax.set_ylim(0, top * 1.4)  # headroom for the legend
    ax.set_ylabel(f"run ÷ longest of previous {window_days} d [1]")
    ax.set_title(f"Each run against the longest run of the previous {window_days} days")
    _date_axis(ax)
    ax.legend(loc="upper left", fontsize="small", ncols=5, frameon=False)
    return ax


# ---------------------------------------------------------------------------------------
# Climbing
# ---------------------------------------------------------------------------------------


def climbing_norm(
    values: Sequence[float] | np.ndarray, runs: Sequence[int] | np.ndarray, *, weeks: int = 4
) -> np.ndarray:
    """The mean of the last ``weeks`` weeks with running before each week.

    A plain reference for the eye; the ``uphill_overload`` and ``downhill_overload``
    rules use their own outdoor norm (see ``docs/risk.md``).

    Parameters
    ----------
    values : sequence of float
        Weekly ascent or descent. [m]
    runs : sequence of int
        Weekly number of runs (weeks without runs are left out of the norm).
    weeks : int
        How many earlier weeks with running form the norm.

    Returns
    -------
    ndarray
        NaN before the first week with running. [m]
    """
    v = np.nan_to_num(np.asarray(values, dtype=float))
    with_runs = np.asarray(runs, dtype=float) > 0
    out = np.full(v.size, np.nan)
    for k in range(v.size):
        earlier = np.flatnonzero(with_runs[:k])[-weeks:]
        if earlier.size:
            out[k] = float(v[earlier].mean())
    return out


def plot_climbing(
    weekly: pd.DataFrame,
    *,
    norm_weeks: int = 4,
    flags: pd.DataFrame | None = None,
    units: str = "metric",
    ax: Axes | None = None,
) -> Axes:
    """Weekly ascent (up) and descent (down) against the runner's norm.

    Parameters
    ----------
    weekly : DataFrame
        :func:`runload.load.weekly_load` (``ascent_m``, ``descent_m``, ``runs``).
    norm_weeks : int
        The norm is the mean of this many earlier weeks with running
        (:func:`climbing_norm`), drawn as dashed step lines.
    flags : DataFrame, optional
        The flags table: weeks flagged by ``uphill_overload`` get a marker above the
        ascent bar, by ``downhill_overload`` below the descent bar.
    units : {"metric", "imperial"}
        Metres or feet.
    ax : Axes, optional

    Returns
    -------
    Axes
        Ascent bars have positive heights, descent bars negative ones.
    """
    ax = _axes(ax)
    unit = elevation_unit(units)
    if weekly.empty:
        return _empty(ax, "No runs")
    x = _week_centres(weekly.index)
    ascent = np.array(
        [elevation_value(v, units) for v in np.nan_to_num(_floats(weekly["ascent_m"]))]
    )
    descent = np.array(
        [elevation_value(v, units) for v in np.nan_to_num(_floats(weekly["descent_m"]))]
    )
    runs = _floats(weekly["runs"])
    up = ax.bar(
        x, ascent, width=_BAR_DAYS, color=PALETTE["bluish_green"], label="ascent", gid="ascent"
    )
    down = ax.bar(
        x, -descent, width=_BAR_DAYS, color=PALETTE["blue"], label="descent", gid="descent"
    )
    for patch in up.patches:
        patch.set_gid("ascent")
    for patch in down.patches:
        patch.set_gid("descent")
    up_norm = climbing_norm(ascent, runs, weeks=norm_weeks)
    down_norm = climbing_norm(descent, runs, weeks=norm_weeks)
    ax.step(
        x,
        up_norm,
        where="mid",
        color=PALETTE["black"],
        linestyle="--",
        linewidth=1.1,
        label=f"norm (mean of {norm_weeks} earlier weeks)",
        gid="ascent-norm",
    )
    ax.step(
        x,
        -down_norm,
        where="mid",
        color=PALETTE["black"],
        linestyle="--",
        linewidth=1.1,
        gid="descent-norm",
    )
    ax.axhline(0, color=PALETTE["black"], linewidth=0.6)
    span = max(float(np.nanmax(np.concatenate([ascent, descent, [1.0]]))), 1.0)
    if flags is not None and len(flags):
        position = {round(_day_number(d)): k for k, d in enumerate(weekly.index)}
        for trigger, sign, values in (
            ("uphill_overload", 1.0, ascent),
            ("downhill_overload", -1.0, descent),
        ):
            sel = flags.loc[(flags["trigger"] == trigger) & (flags["severity"] != "info")]
            for rec in sel.to_dict("records"):
                k = position.get(round(_day_number(_monday(rec["date"]))))
                if k is None:
                    continue
                severity = str(rec["severity"])
                ax.scatter(
                    [x[k]],
                    [sign * (values[k] + span * 0.08)],
                    s=36,
                    marker=SEVERITY_MARKERS[severity],
                    color=SEVERITY_COLORS[severity],
                    edgecolors=PALETTE["black"],
                    linewidths=0.6,
                    zorder=3,
                    gid=f"items-{trigger}",
                )
    ax.set_ylim(-span * 1.25, span * 1.5)  # headroom for the legend
    ax.set_ylabel(f"per week [{unit}] (descent below 0)")
    ax.set_title("Weekly ascent and descent")
    _date_axis(ax)
    ax.legend(loc="upper left", fontsize="small", ncols=3, frameon=False)
    return ax


# ---------------------------------------------------------------------------------------
# Shoes
# ---------------------------------------------------------------------------------------


def plot_shoes(shoes: pd.DataFrame, *, units: str = "metric", ax: Axes | None = None) -> Axes:
    """Distance on each shoe against its replacement mileage.

    Parameters
    ----------
    shoes : DataFrame
        One row per shoe, index the shoe's name, columns ``total_km`` and
        ``limit_km`` [km], optionally ``warn_km`` [km] (as
        :attr:`runload.analysis.Analysis.shoes`).
    units : {"metric", "imperial"}
    ax : Axes, optional

    Returns
    -------
    Axes
        One horizontal bar per shoe (first row on top); a solid tick at the limit, a
        dotted one at the warning mark.
    """
    ax = _axes(ax)
    unit = distance_unit(units)
    if shoes is None or shoes.empty:
        return _empty(ax, "No shoe recorded")
    names = [str(n) for n in shoes.index]
    y = np.arange(len(names))[::-1].astype(float)
    total = np.array([distance_value(v, units) for v in np.nan_to_num(_floats(shoes["total_km"]))])
    limit = np.array([distance_value(v, units) for v in _floats(shoes["limit_km"])])
    warn = (
        np.array([distance_value(v, units) for v in _floats(shoes["warn_km"])])
        if "warn_km" in shoes.columns
        else np.full(len(names), np.nan)
    )
    colours = [
        SEVERITY_COLORS["moderate"]
        if np.isfinite(lim) and t >= lim
        else (SEVERITY_COLORS["low"] if np.isfinite(w) and t >= w else PALETTE["bluish_green"])
        for t, lim, w in zip(total, limit, warn, strict=True)
    ]
    bars = ax.barh(y, total, height=0.6, color=colours, gid="shoe-km")
    for patch in bars.patches:
        patch.set_gid("shoe-km")
    ok = np.isfinite(limit)
    ax.vlines(
        limit[ok],
        y[ok] - 0.42,
        y[ok] + 0.42,
        color=PALETTE["vermillion"],
        linewidth=2,
        label="limit",
        gid="shoe-limit",
    )
    ok_w = np.isfinite(warn)
    if ok_w.any():
        ax.vlines(
            warn[ok_w],
            y[ok_w] - 0.42,
            y[ok_w] + 0.42,
            color=PALETTE["black"],
            linestyles=":",
            linewidth=1.5,
            label="warning mark",
            gid="shoe-warn",
        )
    for yy, t in zip(y, total, strict=True):
        ax.annotate(
            f"{t:.0f} {unit}",
            xy=(t, yy),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
        )
    ax.set_yticks(y, names)
    right = float(np.nanmax(np.concatenate([total, limit[ok], [1.0]])))
    ax.set_xlim(0, right * 1.15)
    ax.set_xlabel(f"distance on the shoe [{unit}]")
    ax.set_title("Shoe mileage")
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    return ax


# ---------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------


def plot_items(
    flags: pd.DataFrame,
    *,
    triggers: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A timeline of the flags, one row per trigger, each flag on its local date.

    Parameters
    ----------
    flags : DataFrame
        The flags table (notices, severity ``info``, are left out).
    triggers : sequence of str, optional
        Rows to show, top to bottom; default: the triggers present, in order of first
        appearance.
    ax : Axes, optional

    Returns
    -------
    Axes
        Markers coloured and shaped by severity; the y tick labels are the triggers.
    """
    ax = _axes(ax)
    proper = flags.loc[flags["severity"] != "info"] if len(flags) else flags
    if proper is None or not len(proper):
        return _empty(ax, "No flags")
    names = list(triggers) if triggers is not None else list(dict.fromkeys(proper["trigger"]))
    row = {t: len(names) - 1 - k for k, t in enumerate(names)}
    for severity in ("low", "moderate", "high"):
        sel = proper.loc[(proper["severity"] == severity) & proper["trigger"].isin(names)]
        if not len(sel):
            continue
        ax.scatter(
            [_day_number(d) for d in sel["date"]],
            [row[t] for t in sel["trigger"]],
            s=48,
            marker=SEVERITY_MARKERS[severity],
            color=SEVERITY_COLORS[severity],
            edgecolors=PALETTE["black"],
            linewidths=0.6,
            label=severity,
            gid=f"items-{severity}",
            zorder=3,
        )
    ax.set_yticks(range(len(names)), names[::-1])
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.grid(axis="y", color="0.9")
    ax.set_title("Flags by trigger")
    _date_axis(ax)
    ax.legend(loc="upper left", fontsize="small", ncols=3, frameon=False, bbox_to_anchor=(0, -0.12))
    return ax


# ---------------------------------------------------------------------------------------
# Overview
# ---------------------------------------------------------------------------------------


def plot_overview(
    analysis: Analysis,
    *,
    units: str = "metric",
    figure: Figure | None = None,
    figsize: tuple[float, float] = (11.0, 12.0),
) -> Figure:
    """The overview figure of an analysis: the five charts of this module.

    Weekly distance (full width), each run against its 30-day longest run, weekly
    ascent and descent, shoe mileage and the flags by trigger.

    Parameters
    ----------
    analysis : Analysis
    units : {"metric", "imperial"}
    figure : Figure, optional
        Draw into this (empty) figure; default: a new pyplot figure.
    figsize : (float, float)
        Size of a new figure. [in]

    Returns
    -------
    Figure
    """
    require_matplotlib()
    if figure is None:
        import matplotlib.pyplot as plt

        figure = plt.figure(figsize=figsize, layout="constrained")
    grid = figure.add_gridspec(4, 2, height_ratios=[1.1, 1.0, 1.0, 0.9])
    a = analysis
    plot_weekly_distance(
        a.weekly,
        episodes=a.episodes,
        normal_km=weekly_normal(a.weekly, profile=a.profile),
        units=units,
        ax=figure.add_subplot(grid[0, :]),
    )
    runs = a._runs()
    spike_ids = [
        aid
        for ids, trig, sev in zip(
            a.flags["activity_ids"], a.flags["trigger"], a.flags["severity"], strict=True
        )
        if trig == "long_run_spike" and sev != "info"
        for aid in (ids or ())
    ]
    window = (
        int(a.profile.options("long_run_spike").get("window_days", 30))
        if ("long_run_spike" not in a.profile.disabled)
        else 30
    )
    plot_long_runs(
        runs,
        window_days=window,
        bands=a._spike_bands(),
        flagged=spike_ids,
        ax=figure.add_subplot(grid[1, :]),
    )
    plot_climbing(a.weekly, flags=a.flags, units=units, ax=figure.add_subplot(grid[2, :]))
    plot_shoes(
        a.shoes if a.shoes is not None else pd.DataFrame(),
        units=units,
        ax=figure.add_subplot(grid[3, 0]),
    )
    plot_items(a.flags, ax=figure.add_subplot(grid[3, 1]))
    return figure
