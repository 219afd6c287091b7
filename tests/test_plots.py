"""runload.report.plots: what each chart holds, checked against values worked out by hand."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from risk_tables import D, table, weekly_routine

from runload.analysis import analyze
from runload.report import plots
from runload.units import KM_PER_MI

MON = D(2024, 1, 1)
MTS = {0: 0.25, 3: 0.25, 6: 0.5}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def jump_analysis():
    # five weeks of 20 km then 40 km: a distance_jump in the week of 2024-02-05 and a
    # long_run_spike on its Sunday (20 km vs 10 km: ratio 2.0)
    rows = weekly_routine(MON, 6, [20.0] * 5 + [40.0], pattern=MTS, gear="A")
    rows[0]["surface"] = "treadmill"  # Monday 2024-01-01: 5 km on a treadmill
    return analyze(table(rows), gear_map=None)


def _axes():
    return Figure().add_subplot()


def _patches(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def _day(d):
    return mdates.date2num(pd.Timestamp(d).to_pydatetime())


def test_weekly_bars_equal_the_weekly_table_and_items_sit_on_their_weeks():
    a = jump_analysis()
    ax = plots.plot_weekly_distance(
        a.weekly, episodes=a.episodes, normal_km=plots.weekly_normal(a.weekly), ax=_axes()
    )
    outdoor = _patches(ax, "outdoor")
    treadmill = _patches(ax, "treadmill")
    # by hand: week 1 is 5 km treadmill + 15 km outdoor, then 20, 20, 20, 20, 40 outdoor
    assert [p.get_height() for p in outdoor] == pytest.approx([15, 20, 20, 20, 20, 40])
    assert [p.get_height() for p in treadmill] == pytest.approx([5, 0, 0, 0, 0, 0])
    assert [p.get_y() for p in treadmill] == pytest.approx([15, 20, 20, 20, 20, 40])
    # bars centred mid-week: Monday + 3.5 days
    centres = [p.get_x() + p.get_width() / 2 for p in outdoor]
    assert centres[0] == pytest.approx(_day(MON) + 3.5)
    # the only item (distance_jump + long_run_spike) is in the week of 2024-02-05
    assert list(a.episodes["week_start"]) == [D(2024, 2, 5)]
    items = [c for c in ax.collections if str(c.get_gid()).startswith("items-")]
    assert list(a.episodes["severity"]) == ["moderate"]
    assert [c.get_gid() for c in items] == ["items-moderate"]
    (x, y), *_ = items[0].get_offsets()
    assert x == pytest.approx(_day(D(2024, 2, 5)) + 3.5)
    assert y > 40  # above the 40 km bar
    # the recent normal before the last week is 20 km (the bigger half of 20, 20, 20, 20)
    normal = next(line for line in ax.lines if line.get_gid() == "normal")
    assert normal.get_ydata()[-1] == pytest.approx(20.0)
    assert np.isnan(normal.get_ydata()[0])  # nothing before the first week
    assert "[km]" in ax.get_ylabel()


def test_weekly_bars_in_miles():
    a = jump_analysis()
    ax = plots.plot_weekly_distance(a.weekly, units="imperial", ax=_axes())
    heights = [p.get_height() for p in _patches(ax, "outdoor")]
    assert heights[-1] == pytest.approx(40 / 1.609344)
    assert "[mi]" in ax.get_ylabel()
    assert KM_PER_MI == 1.609344


def test_long_runs_ratio_points_and_band_lines():
    a = jump_analysis()
    spikes = a.flags.loc[(a.flags["trigger"] == "long_run_spike") & (a.flags["severity"] != "info")]
    spike_ids = [i for ids in spikes["activity_ids"] for i in ids]
    ax = plots.plot_long_runs(a._runs(), flagged=spike_ids, ax=_axes())
    bands = sorted(
        line.get_ydata()[0] for line in ax.lines if str(line.get_gid()).startswith("band-")
    )
    assert bands == pytest.approx([1.1, 1.3, 2.0])
    points = np.concatenate(
        [c.get_offsets() for c in ax.collections if str(c.get_gid()).startswith("runs-")]
    )
    # by hand: the 20 km Sunday 2024-02-11 against the longest run of the previous 30 days
    # (10 km) is 2.0; so is the first Sunday (10 km vs 5 km); every other run is at most 1.0
    by_day = {round(x): y for x, y in points}
    assert by_day[round(_day(D(2024, 2, 11)))] == pytest.approx(2.0)
    assert by_day[round(_day(D(2024, 1, 7)))] == pytest.approx(2.0)
    others = [
        y for x, y in points if round(x) not in {round(_day(D(2024, 2, 11))), round(_day(MON) + 6)}
    ]
    assert len(points) == 17 and max(others) == pytest.approx(1.0)
    ring = next(c for c in ax.collections if c.get_gid() == "flagged")
    assert [round(x) for x, _ in ring.get_offsets()] == [round(_day(D(2024, 2, 11)))]


def test_climbing_bars_and_norm():
    rows = weekly_routine(MON, 5, [20.0] * 5, pattern=MTS)
    for r in rows:
        r["ascent"] = 100.0 if r["date"] < D(2024, 1, 29) else 300.0
        r["descent"] = 50.0
    a = analyze(table(rows))
    ax = plots.plot_climbing(a.weekly, ax=_axes())
    ascent = [p.get_height() for p in _patches(ax, "ascent")]
    descent = [p.get_height() for p in _patches(ax, "descent")]
    assert ascent == pytest.approx([300, 300, 300, 300, 900])  # 3 runs a week
    assert descent == pytest.approx([-150] * 5)
    norm = next(line for line in ax.lines if line.get_gid() == "ascent-norm").get_ydata()
    assert np.isnan(norm[0]) and norm[-1] == pytest.approx(300.0)
    feet = plots.plot_climbing(a.weekly, units="imperial", ax=_axes())
    assert _patches(feet, "ascent")[0].get_height() == pytest.approx(300 / 0.3048)
    assert "[ft]" in feet.get_ylabel()


def test_shoes_bars_and_limits():
    shoes = pd.DataFrame(
        {"total_km": [850.0, 120.0], "limit_km": [800.0, 600.0], "warn_km": [480.0, 360.0]},
        index=pd.Index(["Old", "New"], name="shoe"),
    )
    ax = plots.plot_shoes(shoes, ax=_axes())
    widths = [p.get_width() for p in _patches(ax, "shoe-km")]
    assert widths == pytest.approx([850, 120])
    limits = next(c for c in ax.collections if c.get_gid() == "shoe-limit")
    xs = sorted({round(float(seg[0][0])) for seg in limits.get_segments()})
    assert xs == [600, 800]
    ticks = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks(), strict=True))
    assert ticks["Old"] > ticks["New"]  # first row on top


def test_items_timeline_rows_by_trigger():
    a = jump_analysis()
    ax = plots.plot_items(a.flags, ax=_axes())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    proper = a.flags.loc[a.flags["severity"] != "info"]
    assert sorted(labels) == sorted(set(proper["trigger"]))
    n = sum(len(c.get_offsets()) for c in ax.collections)
    assert n == len(proper)


def test_analysis_plot_overview_has_five_charts_and_empty_inputs_draw():
    a = jump_analysis()
    fig = a.plot()
    assert len(fig.axes) == 5
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "Weekly distance" and "Shoe mileage" in titles
    empty = analyze(table([]))
    assert len(empty.plot().axes) == 5
