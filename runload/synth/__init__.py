"""Writers of FIT, GPX and TCX files and a generator of synthetic training histories.

The project's own test fixtures and the bundled demo are made with these, so
that no third-party activity file is copied into the project.
"""

from __future__ import annotations

from .track import Track

__all__ = ["Track"]
