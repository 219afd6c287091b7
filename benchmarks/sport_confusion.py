"""How well :func:`runload.sports.infer_sport` tells runs from everything else, on real files.

Every corpus file whose sport the file itself states (FIT session or sport message, TCX
``Activity/@Sport``, GPX ``<trk><type>``) is read twice with :func:`runload.read_activity`:
once as it is, for the true label, and once with the readers' sport mapping switched off
(:func:`labels_hidden`), so that the samples are exactly what an unlabelled file would give
(the readers drop or keep cadence according to the sport).  The unlabelled samples are
classified with ``infer_sport`` twice: name hidden, then with the file's own name.

Labels that name no sport (GPX types such as ``t`` or ``jkljkl``, FIT ``generic``) are left
out of the table and listed.  The 68 GPX files of runpandas, which carry no type but which
that project's documentation calls runs (MANIFEST: ``running (per runpandas docs)``), are
reported apart.  The figures in ``docs/sports.md`` come from this script.

Usage::

    python benchmarks/sport_confusion.py [--corpus PATH] [-v]

The exit status is 0 when running vs not running is right (name hidden) for at least 95 % of
the labelled files that hold enough movement to classify and no ride is classified as a run,
1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pandas as pd

import runload
import runload.io.fit as fit_io
import runload.io.gpx as gpx_io
import runload.io.tcx as tcx_io
from runload.sports import (
    GARMIN_TYPES,
    MIN_MOVING_TIME_S,
    STRAVA_TYPES,
    SportGuess,
    infer_sport,
)

TRUE_CLASSES = ("running", "cycling", "walking-hiking", "other")
PREDICTED_CLASSES = ("running", "cycling", "walking-hiking", "unknown")
#: Labels that name no sport: left out of the table.
NOT_A_SPORT = frozenset({"generic", "all", "invalid"})
RUNPANDAS_LABEL = "running (per runpandas docs)"


def default_corpus() -> Path:
    """The corpus folder: $RUNLOAD_CORPUS, else ``../shared/corpus`` beside the project."""
    env = os.environ.get("RUNLOAD_CORPUS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "corpus"


@contextlib.contextmanager
def labels_hidden() -> Iterator[None]:
    """Read files as if they stated no sport (the readers' sport lookups return nothing)."""
    real_enum = fit_io._enum_name

    def enum_without_sport(type_name: str, value: float) -> str | None:
        if type_name in ("sport", "sub_sport"):
            return None
        return real_enum(type_name, value)

    with (
        mock.patch.object(gpx_io, "gpx_sport", lambda text: (None, None)),
        mock.patch.object(tcx_io, "tcx_sport", lambda text: None),
        mock.patch.object(fit_io, "_enum_name", enum_without_sport),
    ):
        yield


def true_class(sport: str | None) -> str | None:
    """The table row of a stated sport; None when the label names no sport."""
    if sport is None or sport in NOT_A_SPORT:
        return None
    if sport in ("running", "trail_running"):
        return "running"
    if sport == "cycling":
        return "cycling"
    if sport in ("walking", "hiking"):
        return "walking-hiking"
    if sport in _known_sports():
        return "other"
    return None  # free text that is no sport name (GPX types such as "t", "NC")


def _known_sports() -> frozenset[str]:
    """Every sport name the FIT profile and runload's vocabulary know."""
    from fitdecode.profile import FIELD_TYPES

    names = {str(v) for v in getattr(FIELD_TYPES["sport"], "enum", {}).values()}
    names |= {sport for sport, _ in (*STRAVA_TYPES.values(), *GARMIN_TYPES.values())}
    return frozenset(names)


def predicted_class(guess: SportGuess) -> str:
    """The table column of a guess."""
    if guess.sport in ("walking", "hiking"):
        return "walking-hiking"
    if guess.sport in ("running", "cycling"):
        return guess.sport
    return "unknown"


@dataclass
class Row:
    """One file's label and guesses."""

    path: str
    fmt: str
    label: str | None
    truth: str | None
    blind: SportGuess
    named: SportGuess
    name: str | None


def _read(path: Path) -> runload.Activity | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return runload.read_activity(path)
        except runload.RunloadError:
            return None


def classify_corpus(corpus: Path) -> tuple[list[Row], list[Row], float]:
    """(labelled rows, runpandas rows, seconds spent in infer_sport) for the corpus."""
    manifest = pd.read_csv(corpus / "MANIFEST.tsv", sep="\t", dtype=str, keep_default_na=False)
    manifest = manifest[manifest["format"].isin(["fit", "gpx", "tcx"])]
    labelled: list[Row] = []
    runpandas: list[Row] = []
    spent = 0.0
    for rec in manifest.itertuples(index=False):
        path = corpus / str(rec.local_path)
        act = _read(path)
        if act is None:
            continue
        with labels_hidden():
            hidden = _read(path)
        if hidden is None:
            continue
        is_runpandas = rec.sport == RUNPANDAS_LABEL
        # The file's own word only: an activity without one may carry an inferred sport.
        label = act.sport if getattr(act, "sport_source", "file") == "file" else None
        if label is None and not is_runpandas:
            continue
        truth = true_class(label)
        if str(rec.sport).startswith("multisport") and truth is not None:
            truth = "other"  # the file's first leg names it; the content mixes sports
        t0 = time.perf_counter()
        blind = infer_sport(hidden.samples)
        named = infer_sport(hidden.samples, name=act.name)
        spent += time.perf_counter() - t0
        row = Row(
            path=str(rec.local_path),
            fmt=str(rec.format),
            label=label,
            truth="running" if is_runpandas else truth,
            blind=blind,
            named=named,
            name=act.name,
        )
        (runpandas if is_runpandas else labelled).append(row)
    return labelled, runpandas, spent


def confusion(rows: list[Row], *, with_name: bool) -> pd.DataFrame:
    """Counts of true class (rows) against predicted class (columns)."""
    table = pd.DataFrame(0, index=list(TRUE_CLASSES), columns=list(PREDICTED_CLASSES))
    for row in rows:
        if row.truth is None:
            continue
        table.loc[row.truth, predicted_class(row.named if with_name else row.blind)] += 1
    table.index.name = "true \\ predicted"
    return table


def has_movement(row: Row) -> bool:
    """Whether the samples hold enough movement for the content to say anything."""
    return row.blind.moving_time_s >= MIN_MOVING_TIME_S


def running_accuracy(
    rows: list[Row], *, with_name: bool, moving_only: bool = False
) -> tuple[int, int]:
    """(right, total) on running vs not running; unknown counts as not running.

    With ``moving_only``, only the files with enough movement to classify (see
    :func:`has_movement`) are scored.
    """
    scored = [r for r in rows if r.truth is not None and (has_movement(r) or not moving_only)]
    right = sum(
        (r.truth == "running") == ((r.named if with_name else r.blind).sport == "running")
        for r in scored
    )
    return right, len(scored)


def rides_as_runs(rows: list[Row], *, with_name: bool) -> int:
    """Rides classified as runs."""
    return sum(
        r.truth == "cycling" and (r.named if with_name else r.blind).sport == "running"
        for r in rows
    )


def _markdown(table: pd.DataFrame) -> str:
    head = "| " + " | ".join([str(table.index.name), *table.columns]) + " |"
    rule = "|" + "---|" * (len(table.columns) + 1)
    body = [f"| {i} | " + " | ".join(str(v) for v in table.loc[i]) + " |" for i in table.index]
    return "\n".join([head, rule, *body])


def main(argv: list[str] | None = None) -> int:
    """Print the tables; exit 0 when the targets are met."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per file")
    args = parser.parse_args(argv)
    labelled, runpandas, spent = classify_corpus(args.corpus)
    if args.verbose:
        for r in labelled + runpandas:
            print(
                f"{r.fmt} {r.label!s:<28} {r.truth!s:<15} blind={r.blind.sport!s:<8} "
                f"named={r.named.sport!s:<8} name={r.name!r:<30} {r.blind.reason} | {r.path}"
            )
        print()
    ok = True
    for with_name in (False, True):
        title = "with the file's name" if with_name else "name hidden"
        right, total = running_accuracy(labelled, with_name=with_name)
        leaks = rides_as_runs(labelled, with_name=with_name)
        print(f"## Files that state their sport ({title})\n")
        print(_markdown(confusion(labelled, with_name=with_name)))
        m_right, m_total = running_accuracy(labelled, with_name=with_name, moving_only=True)
        print(
            f"\nRunning vs not running: {right}/{total} right ({right / max(total, 1):.1%}); "
            f"on the {m_total} files with at least {MIN_MOVING_TIME_S:.0f} s of movement: "
            f"{m_right}/{m_total} ({m_right / max(m_total, 1):.1%}); "
            f"rides classified as runs: {leaks}\n"
        )
        if not with_name:
            ok = ok and m_total > 0 and m_right / m_total >= 0.95 and leaks == 0
    still = [r for r in labelled if r.truth is not None and not has_movement(r)]
    by_truth = pd.Series([r.truth for r in still]).value_counts()
    print(
        f"Files without {MIN_MOVING_TIME_S:.0f} s of movement (test stubs, indoor files without "
        f"speed, heart-rate-only recordings): {len(still)} ("
        + ", ".join(f"{k}: {v}" for k, v in by_truth.items())
        + ")\n"
    )
    skipped = sorted({str(r.label) for r in labelled if r.truth is None})
    print(f"Left out (the label names no sport): {skipped}\n")
    for with_name in (False, True):
        title = "with the file's name" if with_name else "name hidden"
        counts = pd.Series(
            [predicted_class(r.named if with_name else r.blind) for r in runpandas]
        ).value_counts()
        print(f"## runpandas GPX files, runs per that project's docs ({title})\n")
        print(", ".join(f"{k}: {v}" for k, v in counts.items()), f"(of {len(runpandas)})\n")
    n = len(labelled) + len(runpandas)
    print(f"infer_sport: {spent * 1e3 / max(n, 1):.2f} ms per activity ({n} activities, x2)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
