"""The shoe catalogue: what each shoe is, where runload learned it, and how far it has run.

This module is the one home of runload's gear logic.  The ``worn_shoes`` and
``wrong_shoes`` rules, the shoe table of an analysis and the gear readers all go
through it; neither rule keeps a copy of its own.  Which shoe a given run was made in
is decided by :func:`runload.load.shoe_mileage` (the ``gear`` value of the activity,
else the gear map's date range covering it); everything about the shoes themselves
lives here.

**The catalogue** (:func:`shoe_catalogue`) has one row per shoe, with the columns of
:data:`CATALOGUE_COLUMNS`: ``name`` (as it appears on the activities), ``model``
(brand and model where known), ``type`` (one of :data:`SHOE_TYPES`), optional
``stack_mm`` and ``drop_mm``, ``first_date`` / ``last_date``, ``retired``, the
per-shoe ``limit_km`` and ``initial_km``, and where each came from (``source``,
``type_source``).  It merges three sources, the runner's own word last so that it
always wins:

1. the gear names on the activities (Strava's ``Activity Gear`` column, Garmin's gear
   links), with the dates the shoe was used;
2. an export's own gear list, read by :func:`runload.io.gear.read_gear_catalogue`
   (Strava's ``shoes.csv``, Garmin's gear JSON: brand, model, status, dates);
3. the runner's gear file (:func:`runload.risk.inputs.read_gear`) or gear map.

**The type** is the runner's when they give one, else the export's, else inferred by
:func:`infer_shoe_type` from the model, then from the name.  The inference is
deliberately conservative: it knows a small vocabulary of well-known lines
(:data:`VOCABULARY`) and answers ``unknown`` for everything else, nicknames included
("Blue Pegs", "old ones").  Line names that are also common words ("Ghost", "Ride",
"Guide", "Mach") count only next to their brand or a version number ("Ghost 15",
"Brooks Ghost"); New Balance's numbered lines only with the brand.  When two lines of
different types match equally well, the answer is ``unknown``.

Choices worth knowing:

* **Zero drop is not minimalism.**  Minimalist here means little cushioning under
  the foot.  Altra's zero-drop shoes are cushioned (Torin, Escalante), stability
  (Paradigm) or trail (Lone Peak) shoes; the Escalante Racer is a racing flat.
* **Nike Free.**  Ryan et al. (2014) used the Nike Free 3.0 as their partial
  minimalist shoe, so "Free 3.0" is minimalist; the other Free models span a range of
  cushioning and stay unknown.
* **Running sandals** (Luna, Bedrock, Xero) are minimalist; other sandals, boots,
  flip-flops and casual brands (Converse, Vans, Dr. Martens, Birkenstock, Crocs...)
  are non-running.
* **Racing** covers the carbon-plated race shoes (Vaporfly, Alphafly, Metaspeed,
  Adios Pro, Endorphin Pro...), racing flats and track spikes; plated trainers
  ("super trainers") are not racing shoes.

**The shoe table** (:func:`shoe_table`) gives per shoe its distance, type, first and
last use, its share of the last four weeks' running distance and the distance left
to its replacement mileage (:func:`shoe_limit_km`, the same limit ``worn_shoes``
applies); :func:`shoe_lines` writes it as text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .load import elevation_load, reused, shoe_mileage

__all__ = [
    "CATALOGUE_COLUMNS",
    "SHOE_TABLE_COLUMNS",
    "SHOE_TYPES",
    "VOCABULARY",
    "ShoeLine",
    "assignment_records",
    "gear_map_records",
    "infer_shoe_type",
    "run_shoes",
    "shoe_catalogue",
    "shoe_limit_km",
    "shoe_limits_km",
    "shoe_lines",
    "shoe_table",
]

#: The shoe types, from the most to the least cushioned running shoe, then the rest.
SHOE_TYPES: tuple[str, ...] = (
    "cushioned",
    "stability",
    "trail",
    "racing",
    "minimalist",
    "non-running",
    "unknown",
)

#: Columns of :func:`shoe_catalogue` (and of :func:`runload.io.gear.read_gear_catalogue`).
CATALOGUE_COLUMNS: tuple[str, ...] = (
    "name",
    "model",
    "type",
    "type_source",
    "stack_mm",
    "drop_mm",
    "first_date",
    "last_date",
    "retired",
    "limit_km",
    "initial_km",
    "source",
)

#: Columns of :func:`shoe_table`.
SHOE_TABLE_COLUMNS: tuple[str, ...] = (
    "model",
    "type",
    "runs",
    "distance_km",
    "total_km",
    "first_use",
    "last_use",
    "recent_share_ratio",
    "limit_km",
    "left_km",
    "retired",
)

#: Keys a gear map row may carry besides ``gear``.
GEAR_MAP_KEYS: frozenset[str] = frozenset(
    {
        "start_date",
        "end_date",
        "initial_km",
        "limit_km",
        "type",
        "model",
        "stack_mm",
        "drop_mm",
        "retired",
    }
)


# ------------------------------------------------------------------ vocabulary


@dataclass(frozen=True)
class ShoeLine:
    """One well-known shoe line of the type vocabulary.

    Attributes
    ----------
    phrase : str
        The line's words, lower case (``"vapor glove"``).
    type : str
        One of :data:`SHOE_TYPES`.
    brand : str
        The brand's words, lower case ("" for a brand entry or a generic word).
    needs : {"", "brand", "brand_or_version"}
        What must stand next to a phrase that is also a common word: the brand
        anywhere in the name, or the brand or a version number right after it.
    """

    phrase: str
    type: str
    brand: str = ""
    needs: str = ""


def _lines(kind: str, brand: str, *phrases: str, needs: str = "") -> list[ShoeLine]:
    return [ShoeLine(p, kind, brand, needs) for p in phrases]


_BV = "brand_or_version"

#: The type vocabulary: well-known lines, running-sandal makers and casual brands.
VOCABULARY: tuple[ShoeLine, ...] = tuple(
    # minimalist: little cushioning under the foot
    _lines("minimalist", "vibram", "fivefingers", "five fingers", "bikila")
    + _lines("minimalist", "", "vivobarefoot", "xero", "luna sandals", "bedrock sandals")
    + _lines("minimalist", "merrell", "vapor glove", "trail glove")
    + _lines("minimalist", "new balance", "minimus")
    + _lines("minimalist", "nike", "free 3 0")
    + _lines("minimalist", "inov 8", "bare x", "bare xf")
    # racing: race shoes, racing flats, spikes
    + _lines("racing", "nike", "vaporfly", "alphafly", "streakfly", "dragonfly")
    + _lines("racing", "adidas", "adios pro", "takumi sen", "prime x")
    + _lines("racing", "saucony", "endorphin pro", "endorphin elite")
    + _lines("racing", "asics", "metaspeed")
    + _lines("racing", "hoka", "rocket x", "cielo x1")
    + _lines("racing", "new balance", "sc elite", "rc elite")
    + _lines("racing", "brooks", "hyperion elite")
    + _lines("racing", "puma", "deviate nitro elite", "fast r")
    + _lines("racing", "on", "cloudboom")
    + _lines("racing", "altra", "escalante racer")
    + _lines("racing", "", "racing flat", "racing flats", "spikes")
    # trail
    + _lines("trail", "hoka", "speedgoat", "mafate", "challenger atr")
    + _lines("trail", "altra", "lone peak")
    + _lines("trail", "salomon", "speedcross", "sense ride", "xa pro")
    + _lines("trail", "brooks", "cascadia", "catamount")
    + _lines("trail", "nike", "pegasus trail", "wildhorse", "terra kiger")
    + _lines("trail", "saucony", "peregrine")
    + _lines("trail", "la sportiva", "bushido", "akasha")
    # stability
    + _lines("stability", "asics", "kayano", "gt 2000")
    + _lines("stability", "brooks", "adrenaline", "glycerin gts")
    + _lines("stability", "hoka", "arahi", "gaviota")
    + _lines("stability", "mizuno", "wave inspire")
    + _lines("stability", "altra", "paradigm")
    + _lines("stability", "saucony", "guide", "hurricane", needs=_BV)
    + _lines("stability", "nike", "structure", needs=_BV)
    + _lines("stability", "new balance", "860", needs="brand")
    # cushioned (daily trainers and plated trainers)
    + _lines("cushioned", "nike", "pegasus", "vomero", "invincible", "zoom fly")
    + _lines("cushioned", "brooks", "glycerin")
    + _lines("cushioned", "brooks", "ghost", needs=_BV)
    + _lines("cushioned", "hoka", "clifton", "bondi")
    + _lines("cushioned", "hoka", "mach", needs=_BV)
    + _lines("cushioned", "asics", "novablast", "nimbus", "cumulus")
    + _lines("cushioned", "saucony", "kinvara", "endorphin speed")
    + _lines("cushioned", "saucony", "ride", "triumph", needs=_BV)
    + _lines("cushioned", "new balance", "880", "1080", needs="brand")
    + _lines("cushioned", "adidas", "ultraboost", "supernova", "adizero sl")
    + _lines("cushioned", "adidas", "boston", needs=_BV)
    + _lines("cushioned", "mizuno", "wave rider", "wave sky")
    + _lines("cushioned", "on", "cloudmonster", "cloudsurfer", "cloudflow")
    + _lines("cushioned", "puma", "velocity nitro", "deviate nitro")
    + _lines("cushioned", "altra", "torin", "escalante", "rivera")
    # not made for running
    + _lines(
        "non-running",
        "",
        "converse",
        "chuck taylor",
        "vans",
        "dr martens",
        "doc martens",
        "birkenstock",
        "crocs",
        "timberland",
        "ugg",
        "stan smith",
        "air force 1",
        "sandals",
        "sandal",
        "flip flops",
        "boots",
        "boot",
        "loafers",
        "slippers",
    )
)

#: Brand names (lower case) and the spellings that stand for them.
_BRANDS: Mapping[str, tuple[str, ...]] = {
    "nike": ("nike",),
    "adidas": ("adidas", "adizero"),
    "asics": ("asics", "gel"),
    "brooks": ("brooks",),
    "hoka": ("hoka", "hoka one one"),
    "saucony": ("saucony",),
    "new balance": ("new balance", "nb", "fuelcell", "fresh foam"),
    "mizuno": ("mizuno",),
    "on": ("on running", "on cloud"),
    "puma": ("puma",),
    "altra": ("altra",),
    "salomon": ("salomon",),
    "la sportiva": ("la sportiva",),
    "merrell": ("merrell",),
    "vibram": ("vibram",),
    "inov 8": ("inov 8", "inov8"),
}

_SPLIT_DIGITS = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _words(text: str) -> list[str]:
    """Lower-case words of a shoe name: punctuation dropped, letters split from digits."""
    lowered = text.lower().replace("'", "").replace("’", "").replace(".", " ")
    lowered = _NON_WORD.sub(" ", lowered)
    lowered = _SPLIT_DIGITS.sub(" ", lowered)
    return lowered.split()


def _find(words: list[str], phrase: list[str]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(words) - n + 1) if words[i : i + n] == phrase]


def _has_brand(words: list[str], brand: str) -> bool:
    return any(_find(words, alias.split()) for alias in _BRANDS.get(brand, (brand,)))


def _line_matches(words: list[str], line: ShoeLine) -> bool:
    phrase = line.phrase.split()
    starts = _find(words, phrase)
    if not starts:
        return False
    if line.needs == "":
        return True
    if _has_brand(words, line.brand):
        return True
    if line.needs == "brand":
        return False
    return any(i + len(phrase) < len(words) and words[i + len(phrase)].isdigit() for i in starts)


def infer_shoe_type(text: str | None) -> str:
    """The type of a shoe from its brand and model (or its name), or ``"unknown"``.

    Parameters
    ----------
    text : str or None
        A model ("Vibram FiveFingers V-Run", "Nike ZoomX Vaporfly Next% 3") or a
        shoe's name as the runner typed it.

    Returns
    -------
    str
        One of :data:`SHOE_TYPES`.  The longest matching line of :data:`VOCABULARY`
        decides ("Pegasus Trail 4" is a trail shoe, not a Pegasus); anything the
        vocabulary does not know, or lines of different types matching equally well,
        give ``"unknown"``.

    Examples
    --------
    >>> infer_shoe_type("Brooks Ghost 15")
    'cushioned'
    >>> infer_shoe_type("Blue Pegs")
    'unknown'
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return "unknown"
    words = _words(str(text))
    if not words:
        return "unknown"
    best_len = 0
    kinds: set[str] = set()
    for line in VOCABULARY:
        if not _line_matches(words, line):
            continue
        size = len(line.phrase.split())
        if size > best_len:
            best_len, kinds = size, {line.type}
        elif size == best_len:
            kinds.add(line.type)
    return kinds.pop() if len(kinds) == 1 else "unknown"


# ------------------------------------------------------------------ gear maps


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str | None:
    if _missing(value):
        return None
    out = str(value).strip()
    return out or None


def _float(value: Any) -> float | None:
    if _missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    return float(value)


def _date(value: Any) -> dt.date | None:
    if _missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def _catalogue_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Gear map rows of a catalogue: only the runner's own rows assign runs by date."""
    rows: list[dict[str, Any]] = []
    for row in frame.to_dict("records"):
        user = row.get("source") == "user"
        rows.append(
            {
                "gear": row.get("name"),
                "start_date": row.get("first_date") if user else None,
                "end_date": row.get("last_date") if user else None,
                "initial_km": row.get("initial_km"),
                "limit_km": row.get("limit_km"),
                "type": row.get("type") if row.get("type_source") in ("user", "export") else None,
                "model": row.get("model"),
                "stack_mm": row.get("stack_mm"),
                "drop_mm": row.get("drop_mm"),
                "retired": row.get("retired"),
                "assign": user,
                "source": row.get("source"),
            }
        )
    return rows


def gear_map_records(gear_map: Any) -> list[dict[str, Any]] | None:
    """Bring any accepted form of gear map into a list of rows, one per shoe (period).

    Parameters
    ----------
    gear_map : DataFrame, sequence of mappings, mapping, or None
        * rows with ``gear``, ``start_date``, ``end_date`` and optionally ``initial_km``,
          ``limit_km``, ``type``, ``model``, ``stack_mm``, ``drop_mm``, ``retired``
          (what :func:`runload.risk.inputs.read_gear` returns);
        * a mapping ``{shoe: (start_date, end_date)}`` or ``{shoe: {"start_date": ...,
          "type": ...}}`` with ``None`` for an open end;
        * a catalogue (what :func:`shoe_catalogue` or
          :func:`runload.io.gear.read_gear_catalogue` returns): its rows describe the
          shoes, and only those from the runner (``source == "user"``) assign runs by
          date.

    Returns
    -------
    list of dict or None
        Rows with ``gear`` and the keys given; catalogue rows also carry ``assign``.

    Raises
    ------
    ValueError
        On a mapping entry of the wrong shape or with an unknown key.
    """
    if gear_map is None:
        return None
    if isinstance(gear_map, pd.DataFrame):
        if "gear" not in gear_map.columns and "name" in gear_map.columns:
            return _catalogue_rows(gear_map)
        return [{str(k): v for k, v in row.items()} for row in gear_map.to_dict("records")]
    if isinstance(gear_map, Mapping):
        rows: list[dict[str, Any]] = []
        for shoe, spec in gear_map.items():
            if isinstance(spec, Mapping):
                unknown = set(spec) - GEAR_MAP_KEYS
                if unknown:
                    raise ValueError(f"gear_map[{shoe!r}]: unknown key(s) {sorted(unknown)}")
                rows.append({"gear": str(shoe), **spec})
            elif isinstance(spec, Sequence) and not isinstance(spec, str) and len(spec) == 2:
                rows.append({"gear": str(shoe), "start_date": spec[0], "end_date": spec[1]})
            else:
                raise ValueError(
                    f"gear_map[{shoe!r}] must be (start_date, end_date) or a mapping, not {spec!r}"
                )
        return rows
    return [dict(row) for row in gear_map]


def records_of(gear_map: Any) -> list[dict[str, Any]] | None:
    """:func:`gear_map_records` of a gear map, once per gear map object in an analysis."""
    return reused(("gear_map_records",), (gear_map,), lambda: gear_map_records(gear_map))


def assignment_of(gear_map: Any) -> list[dict[str, Any]] | None:
    """``assignment_records(gear_map_records(gear_map))``, once per gear map in an analysis."""
    return reused(("assignment",), (gear_map,), lambda: assignment_records(records_of(gear_map)))


def assignment_records(records: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
    """The rows of a gear map that assign runs to shoes by date (for ``shoe_mileage``).

    Catalogue rows that only describe a shoe (``assign`` False) are left out.
    """
    if records is None:
        return None
    rows = [
        {k: row.get(k) for k in ("gear", "start_date", "end_date", "initial_km")}
        for row in records
        if row.get("assign", True) is not False
    ]
    return rows or None


def shoe_limits_km(records: Sequence[Mapping[str, Any]] | None) -> dict[str, float]:
    """Per-shoe replacement mileage given by gear map rows (``limit_km``). [km]"""
    out: dict[str, float] = {}
    for row in records or ():
        value = _float(row.get("limit_km"))
        if value is not None and math.isfinite(value):
            out[str(row.get("gear"))] = value
    return out


def shoe_limit_km(
    shoe: str,
    *,
    limit_km: float = 800.0,
    shoe_limits_km: Mapping[str, float] | None = None,
    gear_limits_km: Mapping[str, float] | None = None,
) -> float:
    """The replacement mileage of ``shoe``: the profile's, else the gear file's, else the default.

    Parameters
    ----------
    shoe : str
    limit_km : float
        Default replacement mileage (Cook et al. 1985: 480–800 km, practice). [km]
    shoe_limits_km : mapping, optional
        Per-shoe limits of the profile (``worn_shoes.shoe_limits_km``); they win. [km]
    gear_limits_km : mapping, optional
        Per-shoe limits of the gear file or export. [km]
    """
    if shoe_limits_km and shoe in shoe_limits_km:
        return float(shoe_limits_km[shoe])
    if gear_limits_km and shoe in gear_limits_km:
        return float(gear_limits_km[shoe])
    return float(limit_km)


# ------------------------------------------------------------------ runs and shoes


def run_shoes(activities: pd.DataFrame, *, gear_map: Any = None) -> pd.DataFrame:
    """Every run with its shoe (None when no shoe is known).

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    gear_map : optional
        Any form of :func:`gear_map_records`.

    Returns
    -------
    DataFrame
        One row per run (the runs of :func:`runload.load.elevation_load`), index
        ``activity_id``, chronological: ``local_date``, ``distance_km`` [km] and
        ``gear`` (str or None).
    """
    table = elevation_load(activities)
    mileage = shoe_mileage(activities, gear_map=assignment_of(gear_map))
    return reused(("run_shoes",), (table, mileage), lambda: _run_shoes(table, mileage))


def _run_shoes(table: pd.DataFrame, mileage: pd.DataFrame) -> pd.DataFrame:
    runs = table[["local_date", "distance_km"]]
    gear = mileage["gear"].reindex(runs.index)
    out = runs.copy()
    out["gear"] = pd.Series(
        [g if type(g) is str else None if _missing(g) else str(g) for g in gear.tolist()],
        index=out.index,
        dtype=object,
    )
    return out


def _shoe_dates(runs: pd.DataFrame) -> dict[Any, tuple[Any, Any]]:
    """First and last date of each shoe of :func:`run_shoes`, in order of first use.

    What ``groupby("gear", sort=False)`` of the runs with a shoe gives, by a dict.
    """
    return reused(("shoe_dates",), (runs,), lambda: _first_and_last(runs))


def _first_and_last(runs: pd.DataFrame) -> dict[Any, tuple[Any, Any]]:
    spans: dict[Any, tuple[Any, Any]] = {}
    for gear, day in zip(runs["gear"].tolist(), runs["local_date"].tolist(), strict=True):
        if gear is None or (type(gear) is not str and _missing(gear)):
            continue
        span = spans.get(gear)
        if span is None:
            spans[gear] = (day, day)
        elif day < span[0] or day > span[1]:
            spans[gear] = (min(span[0], day), max(span[1], day))
    return spans


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _blank(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "model": None,
        "type": None,
        "type_source": "none",
        "stack_mm": np.nan,
        "drop_mm": np.nan,
        "first_date": None,
        "last_date": None,
        "retired": False,
        "limit_km": np.nan,
        "initial_km": 0.0,
        "source": "activities",
    }


def _merge(entry: dict[str, Any], row: Mapping[Any, Any], source: str) -> None:
    """Overwrite ``entry`` with every value ``row`` gives (later sources win)."""
    model = _text(row.get("model"))
    if model:
        entry["model"] = model
    kind = _text(row.get("type"))
    if row.get("type_source") in ("inferred", "none"):
        kind = None  # a guess of the source's own: inferred again below, from all we know
    if kind:
        kind = kind.lower().replace("_", "-").replace(" ", "-")
        if kind == "nonrunning":
            kind = "non-running"
        if kind not in SHOE_TYPES:
            raise ValueError(f"shoe {entry['name']!r}: unknown type {kind!r} (one of {SHOE_TYPES})")
        entry["type"] = kind
        entry["type_source"] = "user" if source == "user" else "export"
    for name in ("stack_mm", "drop_mm", "limit_km"):
        value = _float(row.get(name))
        if value is not None:
            entry[name] = value
    initial = _float(row.get("initial_km"))
    if initial:
        entry["initial_km"] = initial
    for name, key in (("first_date", "start_date"), ("last_date", "end_date")):
        day = _date(row.get(name, row.get(key)))
        if day is not None:
            entry[name] = day
    retired = row.get("retired")
    if not _missing(retired):
        entry["retired"] = bool(retired)
    entry["source"] = source


def shoe_catalogue(
    activities: pd.DataFrame | None = None,
    *,
    gear_map: Any = None,
    exports: Iterable[pd.DataFrame] = (),
) -> pd.DataFrame:
    """One row per shoe, from the activities, the exports' gear lists and the runner's gear file.

    Parameters
    ----------
    activities : DataFrame, optional
        The activities table: every gear name on a run becomes a shoe, with the
        dates it was used (``first_date``, ``last_date``).
    gear_map : optional
        The runner's gear file or map (any form of :func:`gear_map_records`); its
        values win over every other source.  A catalogue passed here keeps its
        sources.
    exports : iterable of DataFrame
        Catalogues read from exports (:func:`runload.io.gear.read_gear_catalogue`).

    Returns
    -------
    DataFrame
        Columns :data:`CATALOGUE_COLUMNS`, one row per shoe (names matched without
        regard to case or repeated spaces), in order of first use.  ``type`` is the
        runner's, else the export's, else :func:`infer_shoe_type` of the model, then of
        the name (``type_source``: ``user``, ``export``, ``inferred`` or ``none``).
        ``stack_mm``, ``drop_mm`` [mm], ``limit_km`` [km] are NaN when unknown,
        ``initial_km`` [km] 0.

    Raises
    ------
    ValueError
        On a type that is not one of :data:`SHOE_TYPES`.
    """
    entries: dict[str, dict[str, Any]] = {}

    def entry(name: str) -> dict[str, Any]:
        return entries.setdefault(_key(name), _blank(name))

    records = records_of(gear_map)
    if activities is not None:
        runs = run_shoes(activities, gear_map=gear_map)
        for name, (first, last) in _shoe_dates(runs).items():
            e = entry(str(name))
            e["first_date"] = first
            e["last_date"] = last
    for frame in exports:
        for export_row in frame.to_dict("records"):
            label = _text(export_row.get("name"))
            if label:
                _merge(entry(label), export_row, str(export_row.get("source") or "export"))
    for row in records or ():
        label = _text(row.get("gear"))
        if label:
            _merge(entry(label), row, str(row.get("source") or "user"))
    out = []
    for e in entries.values():
        if e["type"] is None:
            inferred = infer_shoe_type(e["model"])
            if inferred == "unknown":
                inferred = infer_shoe_type(e["name"])
            e["type"] = inferred
            e["type_source"] = "inferred" if inferred != "unknown" else "none"
        out.append(e)
    frame = pd.DataFrame(out, columns=list(CATALOGUE_COLUMNS))
    for name in ("stack_mm", "drop_mm", "limit_km", "initial_km"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    frame["retired"] = frame["retired"].astype(bool)
    order = sorted(
        range(len(frame)),
        key=lambda i: (
            frame["first_date"].iloc[i] is None,
            frame["first_date"].iloc[i] or dt.date.min,
        ),
    )
    return frame.iloc[order].reset_index(drop=True)


def shoe_types(catalogue: pd.DataFrame) -> dict[str, str]:
    """``{name: type}`` of a catalogue, with names in their matching form (see :func:`type_of`)."""
    return {_key(str(n)): str(t) for n, t in zip(catalogue["name"], catalogue["type"], strict=True)}


def type_of(types: Mapping[str, str], shoe: str | None) -> str:
    """The type of ``shoe`` in ``types`` (from :func:`shoe_types`); ``unknown`` without one."""
    if shoe is None:
        return "unknown"
    return types.get(_key(shoe), "unknown")


# ------------------------------------------------------------------ the shoe table


def shoe_table(
    activities: pd.DataFrame,
    catalogue: pd.DataFrame | None = None,
    *,
    gear_map: Any = None,
    as_of: dt.date | None = None,
    recent_weeks: int = 4,
    limit_km: float = 800.0,
    shoe_limits_km: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Per shoe: distance, type, first and last use, recent share, distance left to its limit.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    catalogue : DataFrame, optional
        What :func:`shoe_catalogue` returns; built from ``activities`` and
        ``gear_map`` when omitted.
    gear_map : optional
        The runner's gear file or map, used to assign runs without a ``gear`` value
        (any form of :func:`gear_map_records`; a catalogue passed as ``catalogue``
        is used for that too when this is None).
    as_of : datetime.date, optional
        Last day of the recent window; the date of the last run by default.
    recent_weeks : int, default 4
        Length of the recent window (``as_of`` and the days before it). [weeks]
    limit_km : float, default 800
        Replacement mileage of a shoe without its own (``worn_shoes.limit_km``). [km]
    shoe_limits_km : mapping, optional
        Per-shoe limits of the profile (``worn_shoes.shoe_limits_km``); they win over
        a gear file's ``limit_km``. [km]

    Returns
    -------
    DataFrame
        Index ``shoe`` (the name), one row per catalogue shoe, most recently used
        first; columns :data:`SHOE_TABLE_COLUMNS`: ``model``, ``type``, ``runs``,
        ``distance_km`` (run in this log) [km], ``total_km`` (plus ``initial_km``)
        [km], ``first_use`` and ``last_use`` (dates of runs, None without runs),
        ``recent_share_ratio`` (the shoe's share of all running distance in the
        window, runs without a shoe included) [1], ``limit_km`` [km], ``left_km``
        (limit minus total, negative once past it) [km], ``retired``.
    """
    if catalogue is None:
        catalogue = shoe_catalogue(activities, gear_map=gear_map)
    if gear_map is None:
        gear_map = catalogue
    runs = run_shoes(activities, gear_map=gear_map)
    km = np.nan_to_num(runs["distance_km"].to_numpy(dtype=float), nan=0.0)
    last_day = as_of if as_of is not None else (max(runs["local_date"]) if len(runs) else None)
    if last_day is not None:
        first_day = last_day - dt.timedelta(days=7 * recent_weeks - 1)
        recent = np.array(
            [first_day <= d <= last_day for d in runs["local_date"].tolist()], dtype=bool
        )
    else:
        recent = np.zeros(len(runs), dtype=bool)
    recent_total = float(km[recent].sum())
    keyed: dict[Any, str | None] = {}
    for g in runs["gear"].tolist():
        if g not in keyed:
            keyed[g] = None if g is None else _key(g)
    keys = np.array([keyed[g] for g in runs["gear"].tolist()], dtype=object)
    all_dates = np.empty(len(runs), dtype=object)
    all_dates[:] = runs["local_date"].tolist()
    gear_limits = shoe_limits_km_of(catalogue)
    rows = []
    for row in catalogue.to_dict("records"):
        mine = keys == _key(str(row["name"]))
        dates = all_dates[mine].tolist()
        distance = float(km[mine].sum())
        total = distance + float(row["initial_km"] or 0.0)
        limit = shoe_limit_km(
            str(row["name"]),
            limit_km=limit_km,
            shoe_limits_km=shoe_limits_km,
            gear_limits_km=gear_limits,
        )
        share = float(km[mine & recent].sum()) / recent_total if recent_total > 0 else np.nan
        rows.append(
            {
                "shoe": row["name"],
                "model": row["model"],
                "type": row["type"],
                "runs": int(mine.sum()),
                "distance_km": distance,
                "total_km": total,
                "first_use": min(dates) if dates else None,
                "last_use": max(dates) if dates else None,
                "recent_share_ratio": share,
                "limit_km": limit,
                "left_km": limit - total,
                "retired": bool(row["retired"]),
            }
        )
    table = pd.DataFrame(rows, columns=["shoe", *SHOE_TABLE_COLUMNS])
    table["runs"] = table["runs"].astype("int64")
    for name in ("distance_km", "total_km", "recent_share_ratio", "limit_km", "left_km"):
        table[name] = table[name].astype("float64")
    table["retired"] = table["retired"].astype(bool)
    order = sorted(
        range(len(table)),
        key=lambda i: (table["last_use"].iloc[i] or dt.date.min, table["total_km"].iloc[i]),
        reverse=True,
    )
    return table.iloc[order].set_index("shoe")


def shoe_limits_km_of(catalogue: pd.DataFrame) -> dict[str, float]:
    """Per-shoe ``limit_km`` of a catalogue (shoes that have one). [km]"""
    return {
        str(n): float(v)
        for n, v in zip(catalogue["name"], catalogue["limit_km"], strict=True)
        if not _missing(v)
    }


def shoe_lines(table: pd.DataFrame, *, recent_weeks: int = 4) -> list[str]:
    """The shoe table as lines of text, one per shoe.

    Parameters
    ----------
    table : DataFrame
        What :func:`shoe_table` returns.
    recent_weeks : int
        The window the table's recent share covers (for the wording). [weeks]

    Returns
    -------
    list of str
        E.g. ``"Ghost 15 (cushioned): 812 km in 80 runs, 2024-01-09 to 2024-04-28;
        96 % of the last 4 weeks; 12 km past its 800 km limit"``.
    """
    out = []
    for shoe, row in table.iterrows():
        model = row["model"]
        label = f"{shoe}" + (f", {model}" if model and _key(str(model)) != _key(str(shoe)) else "")
        text = f"{label} ({row['type']}): {row['total_km']:.0f} km"
        if row["runs"]:
            text += f" in {row['runs']} run{'s' if row['runs'] != 1 else ''}"
            text += f", {row['first_use'].isoformat()} to {row['last_use'].isoformat()}"
        share = row["recent_share_ratio"]
        if np.isfinite(share):
            text += f"; {share * 100:.0f} % of the last {recent_weeks} weeks"
        left = row["left_km"]
        if left >= 0:
            text += f"; {left:.0f} km left to its {row['limit_km']:.0f} km limit"
        else:
            text += f"; {-left:.0f} km past its {row['limit_km']:.0f} km limit"
        if row["retired"]:
            text += "; retired"
        out.append(text)
    return out
