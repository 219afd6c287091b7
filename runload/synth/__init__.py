"""Writers of FIT, GPX and TCX files and a generator of synthetic training histories.

The project's own test fixtures and the bundled demo are made with these, so
that no third-party activity file is copied into the project.  Histories live
in :mod:`runload.synth.history` (one run: ``synthetic_track``; plans and
presets) and :mod:`runload.synth.scenarios` (labelled histories of what real
runners do, with what the risk rules should say about them).
"""

from __future__ import annotations

from .fit import fit_bytes
from .gpx import gpx_bytes
from .tcx import tcx_bytes
from .track import Track

__all__ = ["Track", "fit_bytes", "gpx_bytes", "tcx_bytes"]
