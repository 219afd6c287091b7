"""The HTML report in a real browser: headless Chromium loads the demo's report.

Checks: no console message at all (errors, failed loads), the status text is in
the DOM Chromium built, every chart is an inline SVG with a non-zero size, and the
charts' colours are really painted (pixels of the screenshot).  The screenshots are
kept under ``tests/artifacts/`` (or ``$RUNLOAD_ARTIFACTS``) and their paths printed.

Skipped when Chromium is not installed (CI installs it in ``.ci/run``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from runload.analysis import analyze
from runload.demo import write_demo


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)

ARTIFACTS = Path(os.environ.get("RUNLOAD_ARTIFACTS", Path(__file__).parent / "artifacts"))

#: The console lines Chromium writes with --enable-logging=stderr --v=0.
_CONSOLE = re.compile(r":CONSOLE[:(]")


def _run(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        # any attempt to reach the network fails (and would be logged)
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if _CONSOLE.search(line)]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder)
    analysis = analyze(folder)
    path = tmp_path_factory.mktemp("report") / "report.html"
    analysis.to_html(path)
    return analysis, path


class _Svgs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.svgs: list[dict[str, str | None]] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svgs.append(dict(attrs))
        if tag == "script":
            self.scripts += 1


def _points(size: str | None) -> float:
    match = re.fullmatch(r"([\d.]+)(pt|px)?", str(size or ""))
    assert match, size
    return float(match.group(1))


def test_the_console_catches_errors(tmp_path):
    # the control: a page with a script error does log a console line
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>undefinedFunction();</script>")
    done = _run(tmp_path / "profile", "--dump-dom", bad.as_uri())
    assert any("undefinedFunction" in line for line in _console(done.stderr))


def test_report_loads_cleanly_with_status_and_charts(demo_report, tmp_path):
    analysis, path = demo_report
    done = _run(tmp_path / "profile", "--dump-dom", path.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert _console(done.stderr) == []
    dom = done.stdout
    # the status text, as the browser parsed it
    text = " ".join(re.sub(r"<[^>]+>", " ", dom).split())
    status = analysis.status_lines()
    assert status[0] in text
    for line in status[1:]:
        assert " ".join(line.split()) in text
    parsed = _Svgs()
    parsed.feed(dom)
    assert parsed.scripts == 0
    assert len(parsed.svgs) == 5
    for attrs in parsed.svgs:
        assert _points(attrs.get("width")) > 100 and _points(attrs.get("height")) > 50


def test_screenshots_show_the_charts(demo_report, tmp_path):
    _, path = demo_report
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone = ARTIFACTS / "report-phone.png"
    full = ARTIFACTS / "report-full.png"
    for target, size in ((phone, "412,1600"), (full, "900,7200")):
        target.unlink(missing_ok=True)
        done = _run(
            tmp_path / f"profile-{target.stem}",
            f"--screenshot={target}",
            f"--window-size={size}",
            path.as_uri(),
        )
        assert target.exists() and target.stat().st_size > 10_000, done.stderr[-2000:]
        assert _console(done.stderr) == []
        print(f"screenshot: {target}")
    import matplotlib.image as mpimg

    pixels = (mpimg.imread(full)[..., :3] * 255).round().astype(int)

    def count(hex_colour: str) -> int:
        rgb = np.array([int(hex_colour[k : k + 2], 16) for k in (1, 3, 5)])
        return int((np.abs(pixels - rgb).max(axis=-1) <= 8).sum())

    # the weekly bars (blue outdoor, purple treadmill) and the ascent bars (green) are
    # painted: each covers thousands of pixels on a 900-pixel-wide page
    assert count("#0072B2") > 5_000
    assert count("#CC79A7") > 1_000
    assert count("#009E73") > 1_000
