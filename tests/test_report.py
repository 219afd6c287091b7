"""runload.report.html and Analysis.to_html: one self-contained, private, escaped HTML file."""

from __future__ import annotations

import dataclasses
import re
import types
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from risk_tables import D, table, weekly_routine

from runload.analysis import analyze
from runload.report.html import base_name, scrub_paths

MON = D(2024, 1, 1)
MTS = {0: 0.25, 3: 0.25, 6: 0.5}


def jump_analysis(**extra):
    # five weeks of 20 km then 40 km: one item in the week of 2024-02-05
    # (distance_jump + long_run_spike); shoe "A" on every run (180 km)
    rows = weekly_routine(MON, 6, [20.0] * 5 + [40.0], pattern=MTS, gear="A", **extra)
    errors = pd.DataFrame(
        [
            [
                "/home/alice/Garmin Forerunner/2024/bad.fit",
                "truncated",
                "/home/alice/Garmin Forerunner/2024/bad.fit: cut short at byte 1234",
            ]
        ],
        columns=["path", "reason", "message"],
    )
    return analyze(types.SimpleNamespace(activities=table(rows), errors=errors))


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(document):
    p = _Collect()
    p.feed(document)
    return p


@pytest.fixture(scope="module")
def report():
    a = jump_analysis(name="Run along the Elbe in Hamburg")
    return a, a.to_html()


def test_one_self_contained_document(report):
    _, doc = report
    assert doc.startswith("<!DOCTYPE html>")
    p = parse(doc)
    tags = [t for t, _ in p.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert "iframe" not in tags and "object" not in tags
    viewport = [a for t, a in p.tags if t == "meta" and a.get("name") == "viewport"]
    assert viewport and "width=device-width" in viewport[0]["content"]
    # nothing is fetched: every href or src points inside the document
    for _, attrs in p.tags:
        for key in ("href", "xlink:href", "src"):
            if attrs.get(key) is not None:
                assert attrs[key].startswith("#"), attrs
    assert "@import" not in doc and "url(http" not in doc and "@font-face" not in doc
    # five charts, each inline SVG with a size
    svgs = [a for t, a in p.tags if t == "svg"]
    assert len(svgs) == 5
    for attrs in svgs:
        assert float(re.sub(r"[a-z]+$", "", attrs["width"])) > 0
        assert float(re.sub(r"[a-z]+$", "", attrs["height"])) > 0


def test_status_first_then_items_then_tables(report):
    _, doc = report
    text = " ".join(" ".join(parse(doc).text).split())
    status = "Status as of your last run, 2024-02-11:"
    assert status in text
    order = [
        text.index(status),
        text.index("Items (1)"),
        text.index("Weekly load (6 weeks)"),
        text.index("Shoe mileage"),
        text.index("Files not read (1)"),
    ]
    assert order == sorted(order)
    # the status lines in words: 40 km this week against a normal of 20 km, +100 %
    assert "This week (from 2024-02-05): 40.0 km, against your recent normal of 20.0 km" in text
    assert "+100 %" in text


def test_each_item_has_its_evidence_citation_advice_and_whole_message(report):
    a, doc = report
    text = " ".join(" ".join(parse(doc).text).split())
    proper = a.flags.loc[a.flags["severity"] != "info"]
    assert set(proper["trigger"]) == {"distance_jump", "long_run_spike"}
    for rec in proper.to_dict("records"):
        assert " ".join(rec["message"].split()) in text  # whole, never cut
        assert " ".join(rec["reference"].split()) in text
        assert " ".join(rec["advice"].split()) in text
        assert f"evidence: {rec['evidence']}" in text


def test_weekly_and_shoe_tables_hold_the_numbers(report):
    _, doc = report
    rows = re.findall(r"<tr><td>(\d{4}-\d{2}-\d{2})</td><td>([\d.]+)</td><td>(\d+)</td>", doc)
    # newest first: 40 km then five weeks of 20 km, three runs each
    assert rows == [
        ("2024-02-05", "40.0", "3"),
        *[(str(D(2024, 1, 1) + pd.Timedelta(weeks=k)), "20.0", "3") for k in (4, 3, 2, 1, 0)],
    ]
    # shoe A: 5 x 20 + 40 = 140 km of an 800 km limit, 660 km left
    assert re.search(r"<td>A</td><td>18</td><td>140 km</td><td>800 km</td><td>660 km</td>", doc)


def test_private_no_paths_no_places_no_devices(report):
    _, doc = report
    assert "bad.fit" in doc
    assert "alice" not in doc and "/home" not in doc and "Forerunner" not in doc
    assert "Hamburg" not in doc and "Elbe" not in doc  # activity names are left out
    assert "latitude" not in doc and "longitude" not in doc


def test_text_is_escaped():
    a = jump_analysis()
    flags = a.flags.copy()
    flags["message"] = flags["message"].astype(str) + ' <script>alert("x")</script> & <b>'
    doc = dataclasses.replace(a, flags=flags).to_html(charts=False)
    assert "<script>" not in doc
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in doc


def test_imperial_units_and_writing_a_file(tmp_path, monkeypatch):
    a = jump_analysis()
    monkeypatch.setenv("HOME", str(tmp_path))
    doc = a.to_html("~/r.html", units="imperial", charts=False)
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == doc
    # 40 km = 24.9 mi; 20 km = 12.4 mi; headers carry the unit
    assert "24.9 mi" in doc and "Distance [mi]" in doc and "Ascent [ft]" in doc
    assert "<svg" not in doc
    with pytest.raises(ValueError, match="units"):
        a.to_html(units="leagues")


def test_an_analysis_without_runs_still_reports():
    doc = analyze(table([])).to_html()
    assert "No run was judged." in doc and "<svg" in doc


def test_paths_cut_to_base_names():
    assert base_name("C:\\Users\\bob\\runs\\a.gpx") == "a.gpx"
    assert base_name("/home/alice/a.fit.gz") == "a.fit.gz"
    assert (
        scrub_paths("see /home/alice/x/a.fit at 5 m/km, 12 km/h") == "see a.fit at 5 m/km, 12 km/h"
    )
    assert scrub_paths("C:\\Users\\bob\\b.tcx failed") == "b.tcx failed"


def test_runload_works_without_matplotlib(tmp_path):
    # matplotlib is imported only to draw; with it blocked the report still comes out
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import sys
        import runload
        assert "matplotlib" not in sys.modules, "imported at import time"
        sys.modules["matplotlib"] = None  # as if it were not installed
        import datetime as dt
        sys.path.insert(0, TESTS)
        from risk_tables import table, weekly_routine
        acts = table(weekly_routine(dt.date(2024, 1, 1), 6, [20.0] * 5 + [40.0], gear="A"))
        a = runload.analyze(acts)
        assert len(a.episodes) == 1
        doc = a.to_html()
        assert "pip install" in doc and "<svg" not in doc, doc[-500:]
        assert "runload" in a._repr_html_()
        try:
            a.plot()
        except runload.RunloadError as exc:
            assert "runload[plot]" in str(exc)
        else:
            raise SystemExit("plot() without matplotlib should fail")
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", f"TESTS = {str(Path(__file__).parent)!r}\n{script}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
