"""``python -m runload``: the ``runload`` command."""

from __future__ import annotations

import sys

if __name__ == "__main__":
    try:
        from .cli import main
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C while importing
        sys.stderr.write("runload: interrupted\n")
        sys.exit(130)
    sys.exit(main())
