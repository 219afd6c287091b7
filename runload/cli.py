"""The ``runload`` command: a thin layer over the public functions.

``runload analyze PATH...``  the flags and weekly load of a history
``runload demo``             the same on a bundled, generated demo history
``runload read PATH...``     the activities table only
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="runload",
        description="Training load and the training patterns behind ankle overuse, "
        "with the evidence behind each flag. Flags inform; they do not diagnose.",
    )
    parser.add_argument("--version", action="version", version=f"runload {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=("table", "json"), default="table", help="output format")
        p.add_argument("--profile", type=Path, help="TOML file of risk thresholds (RiskProfile)")
        p.add_argument("--pain", type=Path, help="pain journal CSV: date, location, score (0-10)")
        p.add_argument(
            "--tags",
            type=Path,
            metavar="FILE",
            help="your tags per run (CSV or TOML: activity_id or date, name, tags), "
            "e.g. runs with ankle weights; see docs/risk.md",
        )
        p.add_argument(
            "--gear",
            type=Path,
            metavar="FILE",
            help="which shoe when (CSV or TOML: shoe, first_date, last_date, limit_km, "
            "initial_km), for files without gear; see docs/risk.md",
        )
        p.add_argument(
            "--timezone",
            help="IANA time zone for files with neither their own offset nor a GPS position",
        )
        p.add_argument(
            "--sport",
            action="append",
            metavar="SPORT",
            help="count activities of this sport as runs (repeatable; default: running). "
            "Activities whose sport nothing could tell are taken to be the first SPORT given",
        )
        p.add_argument("--no-cache", action="store_true", help="do not use the parsed-file cache")
        p.add_argument(
            "--jobs", type=int, default=None, help="worker processes (default: all cores)"
        )

    def items(p: argparse.ArgumentParser) -> None:
        shown = p.add_mutually_exclusive_group()
        shown.add_argument(
            "--since",
            type=dt.date.fromisoformat,
            metavar="DATE",
            help="list the items from this local date (YYYY-MM-DD; default: the last 8 weeks)",
        )
        shown.add_argument("--all", action="store_true", help="list every item since the first run")

    analyze = sub.add_parser("analyze", help="analyse activity files, folders or exports")
    analyze.add_argument("paths", nargs="+", type=Path, help="files, folders or export zips")
    common(analyze)
    items(analyze)

    demo = sub.add_parser(
        "demo", help="analyse a generated demo history (written to a temp folder)"
    )
    demo.add_argument("--keep", type=Path, help="write the demo files to this folder and keep them")
    common(demo)
    items(demo)

    read = sub.add_parser("read", help="list the activities found in files or folders")
    read.add_argument("paths", nargs="+", type=Path)
    read.add_argument("--timezone", help="IANA time zone for files without their own offset")
    read.add_argument("--format", choices=("table", "csv"), default="table")
    read.add_argument("--no-cache", action="store_true", help="do not use the parsed-file cache")
    read.add_argument(
        "--jobs", type=int, default=None, help="worker processes (default: all cores)"
    )
    return parser


def _analyze(paths: Sequence[Path], args: argparse.Namespace) -> int:
    from .analysis import analyze
    from .risk import RiskProfile

    profile = RiskProfile.from_toml(args.profile) if args.profile else None
    kwargs: dict[str, object] = {}
    if getattr(args, "no_cache", False):
        kwargs["cache"] = None
    if getattr(args, "jobs", None) is not None:
        kwargs["jobs"] = args.jobs
    if args.tags is not None:
        kwargs["tags"] = args.tags
    if args.gear is not None:
        kwargs["gear_map"] = args.gear
    if args.sport:
        kwargs["sports"] = _sports(args.sport)
        kwargs["sport"] = args.sport[0].strip().lower()
    result = analyze(
        [str(p) for p in paths],
        profile=profile,
        timezone=args.timezone,
        pain=args.pain,
        **kwargs,  # type: ignore[arg-type]
    )
    if len(result.activities) == 0:
        reasons = ", ".join(sorted(set(result.errors["reason"]))) if len(result.errors) else "none"
        print(
            f"runload: no activity could be read from {len(paths)} path(s) "
            f"({len(result.errors)} errors: {reasons})",
            file=sys.stderr,
        )
        return 1
    if args.format == "json":
        print(result.to_json())
    else:
        print(result.to_text(since=args.since, all_items=args.all))
    return 0


def _sports(names: Sequence[str]) -> frozenset[str]:
    """What counts, from ``--sport`` values: ``running`` stands for every running sub-sport."""
    from .load import RUNNING_SPORTS

    out: set[str] = set()
    for name in names:
        key = name.strip().lower()
        out |= RUNNING_SPORTS if key == "running" else {key}
    return frozenset(out)


def _read(args: argparse.Namespace) -> int:
    from .io import read_activities

    options: dict[str, object] = {"cache": None} if args.no_cache else {}
    log = read_activities(
        [str(p) for p in args.paths],
        timezone=args.timezone,
        jobs=args.jobs,
        **options,  # type: ignore[arg-type]
    )
    if len(log.activities) == 0:
        print(f"runload: no activity could be read ({len(log.errors)} errors)", file=sys.stderr)
        return 1
    cols = [
        "local_date",
        "format",
        "sport",
        "sport_source",
        "surface",
        "distance_m",
        "moving_time_s",
        "ascent_m",
        "gear",
        "name",
    ]
    table = log.activities[cols]
    if args.format == "csv":
        table.to_csv(sys.stdout)
    else:
        with pd.option_context("display.width", 160, "display.max_rows", 500):
            print(table.to_string(float_format=lambda v: f"{v:.0f}"))
        if len(log.errors):
            print(f"\n{len(log.errors)} file(s) skipped:")
            for row in log.errors.itertuples():
                print(f"  {row.reason}: {row.message}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    warnings.simplefilter("ignore")  # the tables report what was skipped and why
    from .exceptions import RunloadError

    try:
        if args.command == "analyze":
            return _analyze(args.paths, args)
        if args.command == "read":
            return _read(args)
        if args.command == "demo":
            from .synth.history import write_demo

            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                write_demo(args.keep)
                return _analyze([args.keep], args)
            with tempfile.TemporaryDirectory(prefix="runload-demo-") as tmp:
                write_demo(Path(tmp))
                return _analyze([Path(tmp)], args)
    except (RunloadError, ValueError, OSError) as exc:
        print(f"runload: {exc}", file=sys.stderr)
        return 2
    return 2  # pragma: no cover - argparse requires a command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
