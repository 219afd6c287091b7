"""The ``runload`` command: a thin layer over the public functions.

``runload analyze PATH...``            the flags and weekly load of a history
``runload report PATH... -o FILE``     the same as one self-contained HTML file
``runload demo``                       the analysis of a bundled, generated demo history
``runload read PATH...``               the activities table only
``runload cache info|clear``           where the parsed-file cache is and what it holds; empty it

``python -m runload`` is the same command.  The text fits the terminal (``--width``,
else ``$COLUMNS``, else the terminal's own width); ``--units imperial`` shows miles and
min/mi.  Everything written to the terminal has its control characters escaped, so a
file name holding ESC or BEL cannot drive the terminal; ``--format csv`` prefixes cells
that a spreadsheet would run as a formula with an apostrophe.

Exit status: 0 done, 1 nothing could be read (``cache``: the cache could not be used),
2 a bad option, path or input file, 130 interrupted (Ctrl-C), 141 the reader of the
output went away (``runload demo | head``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import pandas as pd

from .safetext import escape_control, neutralise_formula

if TYPE_CHECKING:
    from .analysis import Analysis

__all__ = ["main", "terminal_safe"]

#: Narrowest text the report is wrapped to. [characters]
MIN_WIDTH = 40

#: Width used when the output is not a terminal and nothing else says. [characters]
DEFAULT_WIDTH = 100

#: Exit statuses.
EXIT_NOTHING_READ = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

# -- safe output ---------------------------------------------------------------------------

# DEL and the C1 controls pass through json.dumps(ensure_ascii=False); inside a JSON string
# (the only place they can be) \u00XX is a valid escape, where \xNN would not be.
_JSON_CONTROL = re.compile(r"[\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """Escape the control characters of ``text`` line by line, keeping its newlines.

    Every line goes through :func:`runload.safetext.escape_control`: ESC, BEL,
    carriage returns, tabs, DEL and the C1 controls become visible ``\\xNN``
    escapes, so text that came from a file or a file name cannot move the
    cursor, retitle the window or hide what follows.

    Parameters
    ----------
    text : str
        Text about to be written to a terminal.

    Returns
    -------
    str
    """
    return "\n".join(escape_control(line) for line in text.split("\n"))


def _json_safe(text: str) -> str:
    return _JSON_CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _csv_cell(value: object) -> object:
    return neutralise_formula(value) if isinstance(value, str) else value


def _emit(
    text: str, stream: TextIO | None = None, *, escape: Callable[[str], str] | None = None
) -> None:
    """Write one block of text (a newline is added) with its control characters escaped."""
    stream = sys.stdout if stream is None else stream
    stream.write((escape or terminal_safe)(text) + "\n")


def _fail(message: str, status: int = EXIT_USAGE) -> int:
    _emit(f"runload: {message}", sys.stderr)
    return status


# -- options -------------------------------------------------------------------------------


def _path(value: str) -> Path:
    """An argparse type: a path with ``~`` expanded."""
    return Path(value).expanduser()


def _width(value: str) -> int:
    try:
        width = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if width < MIN_WIDTH:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_WIDTH}, not {width}")
    return width


def terminal_width(option: int | None = None) -> int:
    """The width to wrap text to: ``--width``, else ``$COLUMNS``, else the terminal's.

    When the output is not a terminal and ``$COLUMNS`` is unset, :data:`DEFAULT_WIDTH`.
    Never below :data:`MIN_WIDTH`. [characters]
    """
    if option is not None:
        return max(MIN_WIDTH, option)
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    try:
        width = os.get_terminal_size(sys.stdout.fileno()).columns
    except (AttributeError, ValueError, OSError):
        width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return max(MIN_WIDTH, width or DEFAULT_WIDTH)


def _parser() -> argparse.ArgumentParser:
    from ._version import __version__

    parser = argparse.ArgumentParser(
        prog="runload",
        description="Training load and the training patterns behind ankle overuse, "
        "with the evidence behind each flag. Flags inform; they do not diagnose.",
    )
    parser.add_argument("--version", action="version", version=f"runload {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def reading(p: argparse.ArgumentParser) -> None:
        p.add_argument("--profile", type=_path, help="TOML file of risk thresholds (RiskProfile)")
        p.add_argument("--pain", type=_path, help="pain journal CSV: date, location, score (0-10)")
        p.add_argument(
            "--tags",
            type=_path,
            metavar="FILE",
            help="your tags per run (CSV or TOML: activity_id or date, name, tags), "
            "e.g. runs with ankle weights; see docs/risk.md",
        )
        p.add_argument(
            "--gear",
            type=_path,
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
            "--rehash",
            action="store_true",
            help="read and hash every file, even those unchanged in size and time since cached",
        )
        p.add_argument(
            "--jobs", type=int, default=None, help="worker processes (default: all cores)"
        )
        units(p)

    def units(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--units",
            choices=("metric", "imperial"),
            default="metric",
            help="km and min/km, or miles and min/mi, in the text and the report "
            "(tables keep SI units in their column names)",
        )

    def text(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=("table", "json"), default="table", help="output format")
        p.add_argument(
            "--width",
            type=_width,
            metavar="N",
            help="wrap the text to N columns (default: $COLUMNS, else the terminal's width)",
        )
        shown = p.add_mutually_exclusive_group()
        shown.add_argument(
            "--since",
            type=dt.date.fromisoformat,
            metavar="DATE",
            help="list the items from this local date (YYYY-MM-DD; default: the last 8 weeks)",
        )
        shown.add_argument("--all", action="store_true", help="list every item since the first run")

    analyze = sub.add_parser("analyze", help="analyse activity files, folders or exports")
    analyze.add_argument("paths", nargs="+", type=_path, help="files, folders or export zips")
    reading(analyze)
    text(analyze)

    report = sub.add_parser(
        "report", help="write the analysis as one self-contained HTML file (charts included)"
    )
    report.add_argument("paths", nargs="+", type=_path, help="files, folders or export zips")
    report.add_argument(
        "-o",
        "--output",
        type=_path,
        default=Path("report.html"),
        metavar="FILE",
        help="the HTML file to write (default: report.html)",
    )
    reading(report)

    demo = sub.add_parser(
        "demo", help="analyse a generated demo history (written to a temp folder)"
    )
    demo.add_argument(
        "--keep", type=_path, help="write the demo files to this folder and keep them"
    )
    reading(demo)
    text(demo)

    read = sub.add_parser("read", help="list the activities found in files or folders")
    read.add_argument("paths", nargs="+", type=_path)
    read.add_argument("--timezone", help="IANA time zone for files without their own offset")
    read.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="table, or CSV (cells that a spreadsheet would run as a formula get a leading ')",
    )
    read.add_argument("--width", type=_width, metavar="N", help="wrap the table to N columns")
    read.add_argument("--no-cache", action="store_true", help="do not use the parsed-file cache")
    read.add_argument(
        "--rehash",
        action="store_true",
        help="read and hash every file, even those unchanged in size and time since cached",
    )
    read.add_argument(
        "--jobs", type=int, default=None, help="worker processes (default: all cores)"
    )

    cache = sub.add_parser("cache", help="show or empty the parsed-file cache")
    actions = cache.add_subparsers(dest="action", required=True)
    for action, what in (
        ("info", "where the cache is, how many files it holds, its size and limit"),
        ("clear", "delete every cached file (they are parsed again when next read)"),
    ):
        p = actions.add_parser(action, help=what)
        p.add_argument(
            "--cache-dir",
            type=_path,
            metavar="DIR",
            help="the cache folder (default: $RUNLOAD_CACHE_DIR, else the per-user cache "
            "folder); the size limit comes from $RUNLOAD_CACHE_MAX_BYTES (default 2 GiB)",
        )
    return parser


def _missing_paths(args: argparse.Namespace) -> list[Path]:
    """Input paths (positional and option files) that do not exist."""
    given: list[Path] = list(getattr(args, "paths", []) or [])
    for name in ("profile", "pain", "tags", "gear"):
        value = getattr(args, name, None)
        if value is not None:
            given.append(value)
    return [p for p in given if not os.path.lexists(p)]


# -- commands ------------------------------------------------------------------------------


def _run_analysis(paths: Sequence[Path], args: argparse.Namespace) -> Analysis:
    from .analysis import analyze
    from .risk import RiskProfile

    profile = RiskProfile.from_toml(args.profile) if args.profile else None
    kwargs: dict[str, object] = {}
    if args.no_cache:
        kwargs["cache"] = None
    if args.rehash:
        kwargs["rehash"] = True
    if args.jobs is not None:
        kwargs["jobs"] = args.jobs
    if args.tags is not None:
        kwargs["tags"] = args.tags
    if args.gear is not None:
        kwargs["gear_map"] = args.gear
    if args.sport:
        kwargs["sports"] = _sports(args.sport)
        kwargs["sport"] = args.sport[0].strip().lower()
    return analyze(
        [str(p) for p in paths],
        profile=profile,
        timezone=args.timezone,
        pain=args.pain,
        **kwargs,  # type: ignore[arg-type]
    )


def _nothing_read(result: Analysis, n_paths: int) -> int:
    errors = result.errors
    reasons = ", ".join(sorted(set(errors["reason"]))) if len(errors) else "none"
    return _fail(
        f"no activity could be read from {n_paths} path(s) ({len(errors)} errors: {reasons})",
        EXIT_NOTHING_READ,
    )


def _analyze(paths: Sequence[Path], args: argparse.Namespace) -> int:
    result = _run_analysis(paths, args)
    if len(result.activities) == 0:
        return _nothing_read(result, len(paths))
    if args.format == "json":
        _emit(result.to_json(), escape=_json_safe)
        return 0
    text = result.to_text(
        width=terminal_width(args.width), since=args.since, all_items=args.all, units=args.units
    )
    _emit(text)
    return 0


def _report(args: argparse.Namespace) -> int:
    output: Path = args.output
    if output.is_dir():
        return _fail(f"{output} is a folder: give the HTML file to write with -o FILE")
    if not output.parent.is_dir():
        return _fail(f"no such folder: {output.parent} (for -o {output})")
    result = _run_analysis(args.paths, args)
    if len(result.activities) == 0:
        return _nothing_read(result, len(args.paths))
    result.to_html(output, units=args.units)
    size = output.stat().st_size
    _emit(f"wrote {output} ({size / 1024:.0f} KiB)")
    return 0


def _sports(names: Sequence[str]) -> frozenset[str]:
    """What counts, from ``--sport`` values: ``running`` stands for every running sub-sport."""
    from .load import RUNNING_SPORTS

    out: set[str] = set()
    for name in names:
        key = name.strip().lower()
        out |= RUNNING_SPORTS if key == "running" else {key}
    return frozenset(out)


_READ_COLUMNS = [
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


def _read(args: argparse.Namespace) -> int:
    from .io import read_activities

    options: dict[str, object] = {"cache": None} if args.no_cache else {}
    if args.rehash:
        options["rehash"] = True
    log = read_activities(
        [str(p) for p in args.paths],
        timezone=args.timezone,
        jobs=args.jobs,
        **options,  # type: ignore[arg-type]
    )
    if len(log.activities) == 0:
        return _fail(f"no activity could be read ({len(log.errors)} errors)", EXIT_NOTHING_READ)
    table = log.activities[[c for c in _READ_COLUMNS if c in log.activities.columns]]
    if args.format == "csv":
        safe = table.copy()
        safe.index = safe.index.map(_csv_cell)
        for column in safe.columns:
            if safe[column].dtype == object or isinstance(safe[column].dtype, pd.StringDtype):
                safe[column] = safe[column].map(_csv_cell)
        _emit(safe.to_csv().rstrip("\n"))
        return 0
    width = terminal_width(args.width)
    with pd.option_context("display.max_rows", 500):
        _emit(table.to_string(float_format=lambda v: f"{v:.0f}", line_width=width))
    if len(log.errors):
        lines = [f"\n{len(log.errors)} file(s) skipped:"]
        lines += [f"  [{row.reason}] {row.path}: {row.message}" for row in log.errors.itertuples()]
        _emit("\n".join(lines))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .demo import write_demo

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        write_demo(args.keep)
        return _analyze([args.keep], args)
    with tempfile.TemporaryDirectory(prefix="runload-demo-") as tmp:
        write_demo(Path(tmp))
        return _analyze([Path(tmp)], args)


def _size(n: int) -> str:
    """A size in bytes as people read it: ``512 B``, ``1.5 MiB``."""
    if n < 1024:
        return f"{n} B"
    value = n / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def _when(moment: dt.datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _cache(args: argparse.Namespace) -> int:
    from .exceptions import CacheWarning
    from .io.cache import MAX_BYTES_ENV, ActivityCache

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CacheWarning)
        cache = ActivityCache(args.cache_dir)
        try:
            before = cache.info()
            removed = cache.clear() if args.action == "clear" else 0
            after = cache.info() if args.action == "clear" else before
        finally:
            cache.close()
    notes = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
    if not cache.usable:
        return _fail("; ".join(notes) or f"the cache at {cache.directory} could not be used", 1)
    for note in notes:
        _emit(f"runload: {note}", sys.stderr)
    if args.action == "clear":
        if not before.exists and not before.bytes_on_disk:
            _emit(f"no cache at {before.directory}: nothing to clear")
        else:
            freed = max(0, before.bytes_on_disk - after.bytes_on_disk)
            _emit(
                f"cleared the cache at {before.directory}: {removed:,} cached file(s) removed, "
                f"{_size(freed)} freed"
            )
        return 0
    source = {
        "default": f"the default; set ${MAX_BYTES_ENV} to change it",
        MAX_BYTES_ENV: f"from ${MAX_BYTES_ENV}",
    }.get(before.max_bytes_source, before.max_bytes_source)
    lines = [
        f"cache folder:  {before.directory}",
        f"database:      {before.path}" + ("" if before.exists else " (not created yet)"),
        f"entries:       {before.entries:,} cached file(s), "
        f"{before.identities:,} remembered file identities",
        f"size on disk:  {_size(before.bytes_on_disk)}",
        f"size limit:    {_size(before.max_bytes)} ({source}); "
        "least recently used files are evicted beyond it",
        f"oldest use:    {_when(before.oldest_use)}",
        f"newest use:    {_when(before.newest_use)}",
    ]
    _emit("\n".join(lines))
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    from .exceptions import RunloadError

    missing = _missing_paths(args)
    if missing:
        return _fail("no such file or folder: " + ", ".join(str(p) for p in missing))
    commands = {"analyze": lambda: _analyze(args.paths, args), "report": lambda: _report(args)}
    commands |= {"read": lambda: _read(args), "demo": lambda: _demo(args)}
    commands |= {"cache": lambda: _cache(args)}
    try:
        return commands[args.command]()
    except (RunloadError, ValueError, OSError) as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        return _fail(str(exc))


def _quiet_stdout() -> None:
    """After a broken pipe: send what is still buffered to /dev/null, so exit is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no real stdout
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 done, 1 nothing could be read, 2 a bad option, path or input file,
        130 interrupted, 141 the output pipe was closed.
    """
    try:
        args = _parser().parse_args(argv)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tables report what was skipped and why
            status = _dispatch(args)
        sys.stdout.flush()
        return status
    except KeyboardInterrupt:
        _emit("runload: interrupted", sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE


def run() -> None:
    """Entry point of ``python -m runload``: exit with the status of :func:`main`."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
