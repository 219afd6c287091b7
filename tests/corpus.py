"""Access to the shared corpus of real activity files (skipped when absent)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

CORPUS = Path(
    os.environ.get("RUNLOAD_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus")
)
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "MANIFEST.tsv").is_file(),
    reason=f"shared corpus not found at {CORPUS} (set RUNLOAD_CORPUS to its folder)",
)


@lru_cache(maxsize=1)
def manifest() -> pd.DataFrame:
    """The corpus manifest (one row per file), empty when the corpus is absent."""
    path = CORPUS / "MANIFEST.tsv"
    if not path.is_file():
        return pd.DataFrame(columns=["local_path", "format", "notes", "sport"])
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    return frame


@lru_cache(maxsize=1)
def sessions() -> pd.DataFrame:
    """The devices' own session totals (fit_sessions.tsv)."""
    path = CORPUS / "fit_sessions.tsv"
    if not path.is_file():
        return pd.DataFrame(columns=["local_path"])
    return pd.read_csv(path, sep="\t")


def files(fmt: str) -> list[str]:
    """Local paths (relative to the corpus) of the files of one format."""
    m = manifest()
    return sorted(m.loc[m["format"] == fmt, "local_path"].tolist())
