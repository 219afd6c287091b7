"""Readers for the runner's own inputs to the rules: a tags file and a gear file.

Both read CSV (UTF-8, a BOM allowed, header required, columns in any order and any
case, blank lines skipped) or TOML (by the ``.toml`` suffix).  Every error is a
:class:`~runload.exceptions.ParseError` naming the file and, where there is one, the
1-based line.

**Tags** (:func:`read_tags`) say what a file cannot, e.g. that a run was done with ankle
weights.  Each entry picks runs by ``activity_id``, or by ``date`` (local date,
YYYY-MM-DD) with an optional ``name`` (matched case-insensitively as part of the
activity name, for days with several runs).  ``tags`` holds one or more tags,
separated by ``;`` in CSV::

    activity_id,date,name,tags
    a1b2c3,,,ankle weights
    ,2024-05-04,,ankle weights;hills
    ,2024-05-06,evening,AW

or in TOML::

    [[tag]]
    activity_id = "a1b2c3"
    tags = ["ankle weights"]

    [[tag]]
    date = 2024-05-04
    name = "evening"
    tags = ["ankle weights"]

**Gear** (:func:`read_gear`) says which shoe was worn when, for activities without a
``gear`` value (FIT files rarely carry one), and what each shoe is.  Columns/keys:
``shoe`` (name), ``first_date`` and optional ``last_date`` (YYYY-MM-DD, inclusive; empty =
still in use), optional ``limit_km`` (this shoe's replacement mileage) and ``initial_km``
(distance run before the first date), and optionally what the shoe is: ``type`` (one of
:data:`runload.shoes.SHOE_TYPES`: cushioned, stability, trail, racing, minimalist,
non-running, unknown), ``model`` (brand and model, from which runload infers the type when
``type`` is empty), ``stack_mm`` and ``drop_mm`` (heel stack height and heel-to-toe drop)
and ``retired`` (yes/no, true/false or 1/0 in CSV; a boolean in TOML).  What this file
says about a shoe wins over what an export or the model name says::

    shoe,first_date,last_date,limit_km,initial_km,type,model,stack_mm
    Pegasus 40,2024-01-01,2024-06-30,650,,cushioned,Nike Pegasus 40,33
    Blue ones,2024-07-01,,,,minimalist,,8

    [[shoe]]
    name = "Pegasus 40"
    first_date = 2024-01-01
    last_date = 2024-06-30
    limit_km = 650
    type = "cushioned"
    model = "Nike Pegasus 40"
    stack_mm = 33
    retired = true
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import ParseError
from ..shoes import SHOE_TYPES

__all__ = ["TagEntry", "UserTags", "read_gear", "read_tags"]

TAG_COLUMNS: tuple[str, ...] = ("activity_id", "date", "name", "tags")
GEAR_COLUMNS: tuple[str, ...] = (
    "shoe",
    "first_date",
    "last_date",
    "limit_km",
    "initial_km",
    "type",
    "model",
    "stack_mm",
    "drop_mm",
    "retired",
)


@dataclass(frozen=True)
class TagEntry:
    """One entry of a tags file.

    Attributes
    ----------
    tags : tuple of str
    activity_id : str or None
    date : datetime.date or None
    name : str or None
        Part of the activity name to match (case-insensitive), with ``date``.
    line : int or None
        Where the entry is in its file (1-based).
    """

    tags: tuple[str, ...]
    activity_id: str | None = None
    date: dt.date | None = None
    name: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class UserTags(Mapping[str, list[str]]):
    """What :func:`read_tags` returns: a mapping ``activity_id`` → tags, plus dated entries.

    As a mapping it holds the entries given by ``activity_id``;
    :meth:`resolve` adds those given by date (and name) for an activities table.
    :func:`runload.risk.evaluate` calls :meth:`resolve` itself, so
    ``evaluate(acts, tags=read_tags("tags.csv"))`` works as is.
    """

    entries: tuple[TagEntry, ...] = ()
    source: str = ""
    _by_id: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, list[str]] = {}
        for e in self.entries:
            if e.activity_id is not None:
                by_id.setdefault(e.activity_id, []).extend(e.tags)
        object.__setattr__(self, "_by_id", by_id)

    def __getitem__(self, key: str) -> list[str]:
        return self._by_id[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def resolve(self, activities: pd.DataFrame) -> dict[str, list[str]]:
        """``activity_id`` → tags for ``activities``, dated entries matched by local date.

        Parameters
        ----------
        activities : DataFrame
            The activities table (``local_date``; ``name`` for entries with a name).

        Returns
        -------
        dict of str to list of str
        """
        out: dict[str, list[str]] = {k: list(v) for k, v in self._by_id.items()}
        dated = [e for e in self.entries if e.date is not None]
        if not dated or "local_date" not in activities.columns:
            return out
        dates = [_as_date(v) for v in activities["local_date"]]
        names = (
            [v if isinstance(v, str) else "" for v in activities["name"]]
            if "name" in activities.columns
            else [""] * len(activities)
        )
        for e in dated:
            for activity_id, d, name in zip(activities.index, dates, names, strict=True):
                if d != e.date:
                    continue
                if e.name and e.name.lower() not in name.lower():
                    continue
                out.setdefault(str(activity_id), []).extend(e.tags)
        return out


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return None


def _error(path: str, message: str, line: int | None, reason: str) -> ParseError:
    return ParseError(message, path=path, line=line, reason=reason)


def _read_text(path: Path, reason: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error(str(path), "not UTF-8 text", None, reason) from exc
    except OSError as exc:
        raise _error(str(path), f"cannot read: {exc.strerror or exc}", None, reason) from exc


def _csv_rows(
    path: Path, text: str, known: tuple[str, ...], reason: str
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as (line, {column: stripped text}); unknown columns are errors."""
    name = str(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise _error(name, "the file is empty", None, reason) from None
    except csv.Error as exc:
        raise _error(name, f"bad CSV: {exc}", 1, reason) from exc
    keys = [h.strip().lower() for h in header]
    unknown = [k for k in keys if k and k not in known]
    if unknown:
        raise _error(name, f"unknown column {unknown[0]!r} (known: {', '.join(known)})", 1, reason)
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _error(name, f"bad CSV: {exc}", reader.line_num, reason) from exc
        line = start
        start = reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(keys):
            raise _error(name, f"{len(values)} fields for {len(keys)} columns", line, reason)
        yield line, {k: v.strip() for k, v in zip(keys, values, strict=False) if k}


def _toml(path: Path, text: str, reason: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise _error(str(path), f"invalid TOML: {exc}", line, reason) from exc


def _toml_entries(
    path: Path, text: str, table: str, keys: tuple[str, ...], reason: str
) -> list[tuple[int | None, Mapping[str, Any]]]:
    """The ``[[table]]`` entries of a TOML file with their lines; anything else is an error."""
    name = str(path)
    doc = _toml(path, text, reason)
    unknown = [k for k in doc if k != table]
    if unknown:
        raise _error(name, f"unknown table {unknown[0]!r} (use [[{table}]])", None, reason)
    tables = doc.get(table, [])
    if not isinstance(tables, list):
        raise _error(name, f"'{table}' must be an array of tables ([[{table}]])", None, reason)
    lines = _toml_lines(text, table)
    out: list[tuple[int | None, Mapping[str, Any]]] = []
    for k, entry in enumerate(tables):
        line = lines[k] if k < len(lines) else None
        if not isinstance(entry, Mapping):
            raise _error(name, f"each [[{table}]] must be a table", line, reason)
        bad = [key for key in entry if key not in keys]
        if bad:
            raise _error(name, f"unknown key {bad[0]!r} (known: {', '.join(keys)})", line, reason)
        out.append((line, entry))
    return out


def _parse_date(value: Any, what: str, path: str, line: int | None, reason: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _error(path, f"{what} {value!r} is not YYYY-MM-DD", line, reason) from None


def _toml_lines(text: str, header: str) -> list[int]:
    """1-based line of each ``[[header]]`` table, to name it in errors."""
    return [
        k + 1 for k, raw in enumerate(text.splitlines()) if raw.strip().startswith(f"[[{header}]]")
    ]


def read_tags(path: str | PathLike[str]) -> UserTags:
    """Read a tags file (CSV or TOML; see the module notes for the layout).

    Parameters
    ----------
    path : str or path
        A ``.csv`` or ``.toml`` file.

    Returns
    -------
    UserTags
        A mapping ``activity_id`` → list of tags, whose :meth:`UserTags.resolve` adds
        the entries given by date; :func:`runload.risk.evaluate` accepts it as ``tags``.

    Raises
    ------
    ParseError
        ``reason="tags_file"``, naming the file and the line.
    """
    p = Path(path)
    name = str(p)
    reason = "tags_file"
    text = _read_text(p, reason)
    raw: list[tuple[int | None, Mapping[str, Any]]]
    if p.suffix.lower() == ".toml":
        raw = _toml_entries(p, text, "tag", TAG_COLUMNS, reason)
    else:
        raw = list(_csv_rows(p, text, TAG_COLUMNS, reason))
    entries = [_tag_entry(values, name, line, reason) for line, values in raw]
    return UserTags(entries=tuple(entries), source=name)


def _tag_entry(values: Mapping[str, Any], path: str, line: int | None, reason: str) -> TagEntry:
    tags_value = values.get("tags", "")
    tags: list[str]
    if isinstance(tags_value, str):
        tags = [t.strip() for t in tags_value.split(";") if t.strip()]
    elif isinstance(tags_value, Iterable):
        tags = [str(t).strip() for t in tags_value if str(t).strip()]
    else:
        raise _error(path, "tags must be text or a list of text", line, reason)
    if not tags:
        raise _error(path, "no tags given", line, reason)
    activity_id = values.get("activity_id")
    activity_id = str(activity_id).strip() if activity_id not in (None, "") else None
    date_value = values.get("date")
    date = (
        _parse_date(date_value, "date", path, line, reason)
        if date_value not in (None, "")
        else None
    )
    label = values.get("name")
    label = str(label).strip() if label not in (None, "") else None
    if activity_id is None and date is None:
        raise _error(path, "an entry needs an activity_id or a date", line, reason)
    if activity_id is not None and (date is not None or label is not None):
        raise _error(path, "give an activity_id or a date (and name), not both", line, reason)
    return TagEntry(tags=tuple(tags), activity_id=activity_id, date=date, name=label, line=line)


def read_gear(path: str | PathLike[str]) -> list[dict[str, Any]]:
    """Read a gear file (CSV or TOML; see the module notes for the layout).

    Parameters
    ----------
    path : str or path
        A ``.csv`` or ``.toml`` file.

    Returns
    -------
    list of dict
        One row per shoe with ``gear``, ``start_date``, ``end_date`` (None when open),
        ``initial_km`` [km] and ``limit_km`` [km] (None when not given), ``type``,
        ``model`` (None when not given), ``stack_mm``, ``drop_mm`` [mm] (None when not
        given) and ``retired`` (None when not given): what ``evaluate(gear_map=...)``,
        :func:`runload.load.shoe_mileage` and :func:`runload.shoes.shoe_catalogue`
        accept; the ``worn_shoes`` rule uses ``limit_km`` as the shoe's replacement
        mileage unless the profile sets one for it, ``wrong_shoes`` uses the type and
        stack.

    Raises
    ------
    ParseError
        ``reason="gear_file"``, naming the file and the line.
    """
    p = Path(path)
    name = str(p)
    reason = "gear_file"
    text = _read_text(p, reason)
    raw: list[tuple[int | None, Mapping[str, Any]]]
    if p.suffix.lower() == ".toml":
        raw = []
        for line, table in _toml_entries(p, text, "shoe", ("name", *GEAR_COLUMNS[1:]), reason):
            values = dict(table)
            if "name" in values:
                values["shoe"] = values.pop("name")
            raw.append((line, values))
    else:
        raw = list(_csv_rows(p, text, GEAR_COLUMNS, reason))
    return [_gear_row(values, name, line, reason) for line, values in raw]


def _number(value: Any, what: str, path: str, line: int | None, reason: str) -> float | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, bool):
        raise _error(path, f"{what} must be a number, not {value!r}", line, reason)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _error(path, f"{what} must be a number, not {value!r}", line, reason) from None
    if not math.isfinite(number) or number < 0:
        raise _error(path, f"{what} must be a non-negative number, not {value!r}", line, reason)
    return number


def _gear_row(
    values: Mapping[str, Any], path: str, line: int | None, reason: str
) -> dict[str, Any]:
    shoe = str(values.get("shoe") or "").strip()
    if not shoe:
        raise _error(path, "shoe name is missing", line, reason)
    first_value = values.get("first_date")
    if first_value in (None, ""):
        raise _error(path, f"first_date of {shoe!r} is missing", line, reason)
    first = _parse_date(first_value, "first_date", path, line, reason)
    last_value = values.get("last_date")
    last = (
        _parse_date(last_value, "last_date", path, line, reason)
        if last_value not in (None, "")
        else None
    )
    if last is not None and last < first:
        raise _error(path, f"last_date of {shoe!r} is before its first_date", line, reason)
    limit = _number(values.get("limit_km"), "limit_km", path, line, reason)
    if limit is not None and limit <= 0:
        raise _error(path, "limit_km must be positive", line, reason)
    initial = _number(values.get("initial_km"), "initial_km", path, line, reason)
    kind = _optional_text(values.get("type"), "type", path, line, reason)
    if kind is not None:
        kind = kind.lower().replace("_", "-").replace(" ", "-")
        if kind not in SHOE_TYPES:
            raise _error(
                path,
                f"type of {shoe!r} must be one of {', '.join(SHOE_TYPES)}, not {kind!r}",
                line,
                reason,
            )
    return {
        "gear": shoe,
        "start_date": first,
        "end_date": last,
        "initial_km": initial or 0.0,
        "limit_km": limit,
        "type": kind,
        "model": _optional_text(values.get("model"), "model", path, line, reason),
        "stack_mm": _number(values.get("stack_mm"), "stack_mm", path, line, reason),
        "drop_mm": _number(values.get("drop_mm"), "drop_mm", path, line, reason),
        "retired": _flag(values.get("retired"), path, line, reason),
    }


def _optional_text(value: Any, what: str, path: str, line: int | None, reason: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _error(path, f"{what} must be text, not {value!r}", line, reason)
    return value.strip() or None


_TRUE = frozenset({"yes", "true", "1", "y"})
_FALSE = frozenset({"no", "false", "0", "n"})


def _flag(value: Any, path: str, line: int | None, reason: str) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _error(path, f"retired must be yes or no, not {value!r}", line, reason)
