"""A pain journal next to the flags: where it hurts, and what training preceded it.

The journal is a CSV file with a header and the columns ``date`` (YYYY-MM-DD, local),
``location`` (free text such as "back of heel") and ``score`` (0–10); other columns
(e.g. ``notes``) are kept.  :func:`pain_context` names, for each entry, the structure
the article associates with that area (back of the heel → Achilles tendon; front of
the shin → tibialis anterior tendon; inside of the ankle → posterior tibial tendon;
outer ankle → peroneal tendons) and lists the flags of the preceding days.

runload is not a medical device: this puts your notes beside your training, it does
not say what is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import ParseError
from .flag import FLAG_FIELDS, Flag, flags_frame

__all__ = [
    "PAIN_COLUMNS",
    "STRUCTURES",
    "locate_structure",
    "pain_context",
    "read_pain_journal",
]

#: Required columns of a pain journal.
PAIN_COLUMNS: tuple[str, ...] = ("date", "location", "score")

#: Structures the article names, and the word sets that point to each.  A location is
#: matched on its set of words after dropping filler words and the side of the body.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Achilles tendon": (
        "back heel",
        "heel back",
        "rear heel",
        "behind heel",
        "posterior heel",
        "heel above bone",
        "back heel above bone",
        "achilles",
        "achilles tendon",
        "achilles heel",
    ),
    "tibialis anterior tendon": (
        "front shin",
        "shin front",
        "anterior shin",
        "tibialis anterior",
        "tibialis anterior tendon",
        "anterior tibial",
        "anterior tibial tendon",
    ),
    "posterior tibial tendon": (
        "inside ankle",
        "inner ankle",
        "medial ankle",
        "ankle inside",
        "ankle inner",
        "ankle medial",
        "posterior tibial",
        "posterior tibial tendon",
        "tibialis posterior",
        "tibialis posterior tendon",
    ),
    "peroneal tendons": (
        "outer ankle",
        "outside ankle",
        "lateral ankle",
        "ankle outer",
        "ankle outside",
        "ankle lateral",
        "peroneal",
        "peroneal tendon",
        "peroneal tendons",
        "peroneus",
        "fibular tendons",
    ),
}

#: Structure names returned by :func:`locate_structure` (plus ``"unmapped"``).
STRUCTURES: tuple[str, ...] = (*_SYNONYMS, "unmapped")

_FILLER = frozenset(
    {"the", "of", "my", "a", "on", "at", "in", "side", "left", "right", "both", "l", "r", "area"}
)
_WORD = re.compile(r"[a-z]+")

_LOOKUP: dict[frozenset[str], str] = {
    frozenset(phrase.split()): structure
    for structure, phrases in _SYNONYMS.items()
    for phrase in phrases
}


def locate_structure(location: str) -> str:
    """Map a free-text pain location to the structure the article names there.

    Parameters
    ----------
    location : str
        E.g. ``"back of the heel"``, ``"Outer ankle (left)"``, ``"inside-ankle"``.

    Returns
    -------
    str
        ``"Achilles tendon"``, ``"tibialis anterior tendon"``, ``"posterior tibial tendon"``,
        ``"peroneal tendons"`` or ``"unmapped"``.  Ambiguous words alone ("heel", "shin",
        "ankle") stay unmapped.
    """
    words = frozenset(w for w in _WORD.findall(str(location).lower()) if w not in _FILLER)
    return _LOOKUP.get(words, "unmapped")


def read_pain_journal(source: str | PathLike[str] | pd.DataFrame) -> pd.DataFrame:
    """Read and validate a pain journal.

    Parameters
    ----------
    source : path or DataFrame
        A CSV file (UTF-8, header row with at least ``date``, ``location``, ``score``,
        in any order and case), or a DataFrame with those columns.

    Returns
    -------
    DataFrame
        Columns ``date`` (datetime.date, local), ``location`` (str), ``score`` (float,
        0–10), then any further columns of the input; sorted by date (stable), with a
        fresh RangeIndex.  The input is not modified.

    Raises
    ------
    ParseError
        ``reason="pain_journal"``; the message names the file (``path``) and, for a CSV,
        the 1-based ``line`` of the offending row.
    """
    if isinstance(source, pd.DataFrame):
        name = "<DataFrame>"
        header = [str(c) for c in source.columns]
        rows: Iterable[tuple[int | None, str, Sequence[Any]]] = (
            (None, f"row {label!r}", tuple(values))
            for label, values in zip(source.index, source.itertuples(index=False), strict=True)
        )
        return _build(name, header, rows)
    path = Path(source)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(
            "pain journal is not UTF-8 text", path=name, reason="pain_journal"
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError("pain journal is empty", path=name, reason="pain_journal") from None
    except csv.Error as exc:
        raise ParseError(f"bad CSV: {exc}", path=name, line=1, reason="pain_journal") from exc

    def numbered() -> Iterable[tuple[int | None, str, Sequence[Any]]]:
        start = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ParseError(
                    f"bad CSV: {exc}", path=name, line=reader.line_num, reason="pain_journal"
                ) from exc
            line = start
            start = reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            yield line, f"line {line}", values

    return _build(name, header, numbered())


def _build(
    name: str, header: Sequence[str], rows: Iterable[tuple[int | None, str, Sequence[Any]]]
) -> pd.DataFrame:
    keys = [h.strip().lower() for h in header]
    missing = [c for c in PAIN_COLUMNS if c not in keys]
    if missing:
        raise ParseError(
            f"pain journal lacks column(s) {', '.join(missing)} (found: {', '.join(keys)})",
            path=name,
            line=1 if name != "<DataFrame>" else None,
            reason="pain_journal",
        )
    extra = [k for k in keys if k not in PAIN_COLUMNS]
    records: dict[str, list[Any]] = {k: [] for k in (*PAIN_COLUMNS, *extra)}
    for line, where, values in rows:
        if len(values) != len(keys):
            raise _row_error(name, line, where, f"has {len(values)} fields, expected {len(keys)}")
        row = dict(zip(keys, values, strict=True))
        records["date"].append(_parse_date(row["date"], name, line, where))
        location = "" if _missing(row["location"]) else str(row["location"]).strip()
        if not location:
            raise _row_error(name, line, where, "location is empty")
        records["location"].append(location)
        records["score"].append(_parse_score(row["score"], name, line, where))
        for k in extra:
            records[k].append(row[k])
    frame = pd.DataFrame(records)
    frame["date"] = frame["date"].astype("object")
    frame["location"] = frame["location"].astype("object")
    frame["score"] = frame["score"].astype("float64")
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def _row_error(name: str, line: int | None, where: str, what: str) -> ParseError:
    message = what if line is not None else f"{where}: {what}"
    return ParseError(message, path=name, line=line, reason="pain_journal")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _parse_date(value: Any, name: str, line: int | None, where: str) -> dt.date:
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = "" if _missing(value) else str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise _row_error(name, line, where, f"date {text!r} is not YYYY-MM-DD") from None


def _parse_score(value: Any, name: str, line: int | None, where: str) -> float:
    text = "" if _missing(value) else str(value).strip()
    try:
        score = float(text)
    except ValueError:
        raise _row_error(name, line, where, f"score {text!r} is not a number") from None
    if not (0.0 <= score <= 10.0):
        raise _row_error(name, line, where, f"score {text} is outside 0–10")
    return score


def pain_context(
    journal: pd.DataFrame | str | PathLike[str],
    flags: Iterable[Flag] | pd.DataFrame,
    *,
    days: int = 14,
) -> pd.DataFrame:
    """Put each pain entry beside the structure it points to and the flags that preceded it.

    Parameters
    ----------
    journal : DataFrame or path
        As returned by :func:`read_pain_journal` (a path is read with it).
    flags : iterable of Flag, or DataFrame
        Flags (e.g. ``Analysis.flags``); ``info`` notices are ignored.
    days : int
        A flag is listed with an entry when ``entry date − days ≤ flag date ≤ entry date``. [d]

    Returns
    -------
    DataFrame
        One row per entry: ``date``, ``location``, ``score``, ``structure`` (see
        :func:`locate_structure`), ``flag_count`` (int), ``flag_triggers`` (tuple of
        distinct trigger ids, oldest first), ``flags`` (tuple of
        ``"YYYY-MM-DD trigger (severity)"``), ``message`` (plain words, no diagnosis).
    """
    if days < 0:
        raise ValueError(f"days must be >= 0, not {days}")
    entries = journal if isinstance(journal, pd.DataFrame) else read_pain_journal(journal)
    missing = [c for c in PAIN_COLUMNS if c not in entries.columns]
    if missing:
        raise ValueError(f"journal lacks column(s) {', '.join(missing)}")
    table = flags if isinstance(flags, pd.DataFrame) else flags_frame(flags)
    absent = [c for c in ("trigger", "date", "severity") if c not in table.columns]
    if absent:
        raise ValueError(f"flags lack column(s) {', '.join(absent)} (expected {FLAG_FIELDS})")
    table = table[table["severity"] != "info"]
    flag_dates = [_as_date(d) for d in table["date"]]
    listed = sorted(
        zip(flag_dates, table["trigger"], table["severity"], strict=True), key=lambda t: t[0]
    )

    out: dict[str, list[Any]] = {
        k: []
        for k in (
            "date",
            "location",
            "score",
            "structure",
            "flag_count",
            "flag_triggers",
            "flags",
            "message",
        )
    }
    for date_value, location, score in zip(
        entries["date"], entries["location"], entries["score"], strict=True
    ):
        date = _as_date(date_value)
        start = date - dt.timedelta(days=days)
        near = [(d, t, s) for d, t, s in listed if start <= d <= date]
        structure = locate_structure(str(location))
        triggers = tuple(dict.fromkeys(t for _, t, _ in near))
        out["date"].append(date)
        out["location"].append(location)
        out["score"].append(float(score))
        out["structure"].append(structure)
        out["flag_count"].append(len(near))
        out["flag_triggers"].append(triggers)
        out["flags"].append(tuple(f"{d.isoformat()} {t} ({s})" for d, t, s in near))
        out["message"].append(_message(location, float(score), structure, near, days))
    frame = pd.DataFrame(out)
    for k in out:
        if k not in ("score", "flag_count"):
            frame[k] = frame[k].astype("object")
    frame["score"] = frame["score"].astype("float64")
    frame["flag_count"] = frame["flag_count"].astype("int64")
    return frame


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _message(
    location: Any, score: float, structure: str, near: list[tuple[dt.date, str, str]], days: int
) -> str:
    head = f"{location}, pain {score:g}/10: "
    if structure == "unmapped":
        head += "not one of the ankle areas the article describes."
    else:
        head += f"the article associates this area with the {structure}."
    if near:
        items = "; ".join(f"{t} on {d.isoformat()} ({s})" for d, t, s in near)
        body = f" Training flags in the {days} days up to this entry: {items}."
    else:
        body = f" No training flag in the {days} days up to this entry."
    tail = (
        " This is context for you, not a diagnosis; pain that lasts for weeks or gets worse "
        "is worth showing to a doctor or physiotherapist."
    )
    return head + body + tail
