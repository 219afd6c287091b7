import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own parsed-file cache: the user's real cache is never touched."""
    monkeypatch.setenv("RUNLOAD_CACHE_DIR", str(tmp_path_factory.mktemp("runload-cache")))
