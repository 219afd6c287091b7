"""Progress bars, shown only where someone can see them."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["Progress", "interactive"]


def interactive() -> bool:
    """Whether a progress bar would be seen: stderr is a terminal, or a Jupyter kernel runs."""
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        get = getattr(ipython, "get_ipython", None)
        shell = get() if callable(get) else None
        if shell is not None and hasattr(shell, "kernel"):
            return True
    return False


class Progress:
    """A tqdm bar over ``total`` items when ``show`` (else does nothing)."""

    def __init__(self, total: int, show: bool) -> None:
        self._bar: Any = None
        if show and total:
            try:  # tqdm.auto wants ipywidgets in a notebook; without them, the text bar
                import ipywidgets  # noqa: F401
                from tqdm.auto import tqdm
            except ImportError:
                from tqdm.std import tqdm

            self._bar = tqdm(total=total, unit="file", desc="runload", leave=False)

    def update(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
