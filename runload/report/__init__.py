"""Pictures and shareable output of an analysis: plots, the HTML report, notebook display.

* :mod:`runload.report.plots`: matplotlib figures (``pip install "runload[plot]"``);
  each function takes ``ax=None`` and returns the Axes.
* :mod:`runload.report.html`: one self-contained HTML file (charts inline as SVG).
* :mod:`runload.report.notebook`: HTML cards and concise reprs for Jupyter.

Matplotlib is imported only when a chart is drawn, so runload works without it.
"""

from __future__ import annotations

__all__: list[str] = []
