"""The gear lists of Strava and Garmin exports, read into a shoe catalogue.

Activities carry only a shoe's name; an export also lists the shoes themselves:

* **Strava** bulk exports hold ``shoes.csv`` at their top level, one row per shoe:
  ``Shoe Name`` (the runner's nickname, empty when none), ``Shoe Brand``, ``Shoe Model``
  and more columns that are not used.  A shoe's name is its nickname, else brand and
  model, as Strava shows it on the activities.
* **Garmin** Connect exports hold ``DI_CONNECT/DI-Connect-Fitness/<e-mail>_gear.json``:
  ``gearDTOS``, one entry per piece of gear.  Only shoes count (``gearTypeName``
  starting with "shoe").  The name is ``customMakeModel``, else ``displayName``, as on
  the activities (:func:`runload.io.garmin.parse_gear`); the model is ``gearMakeName`` and
  ``gearModelName`` (a make of "Other" is dropped), else the name; ``gearStatusName``
  "retired" marks a retired shoe; ``dateBegin`` and ``dateEnd`` (ISO text or milliseconds
  since the epoch) are the dates of use; ``maximumMeters`` (when above 0) is the shoe's
  replacement mileage.

:func:`read_gear_catalogue` takes the export as a zip or as its extracted folder (or
one of the two files itself).  A zip's members are read in memory under
:class:`~runload.io.archive.ArchiveLimits`; no member name ever becomes a filesystem
path.  Every error names the file (e-mail addresses in Garmin names are replaced by
``<account>``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Callable, Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import ParseError
from ..shoes import CATALOGUE_COLUMNS, infer_shoe_type
from .archive import DEFAULT_LIMITS, ArchiveLimits, SafeZip, is_zip
from .files import walk_folder
from .garmin import is_gear_file as _is_garmin_gear
from .garmin import redact_account

__all__ = ["parse_garmin_gear", "parse_strava_shoes", "read_gear_catalogue"]

_REASON = "gear_catalogue"


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="object") for c in CATALOGUE_COLUMNS})


def _row(
    name: str,
    model: str | None,
    source: str,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    retired: bool = False,
    limit_km: float = math.nan,
) -> dict[str, Any]:
    kind = infer_shoe_type(model)
    if kind == "unknown":
        kind = infer_shoe_type(name)
    return {
        "name": name,
        "model": model,
        "type": kind,
        "type_source": "inferred" if kind != "unknown" else "none",
        "stack_mm": math.nan,
        "drop_mm": math.nan,
        "first_date": first,
        "last_date": last,
        "retired": retired,
        "limit_km": limit_km,
        "initial_km": 0.0,
        "source": source,
    }


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return _empty()
    frame = pd.DataFrame(rows, columns=list(CATALOGUE_COLUMNS))
    for name in ("stack_mm", "drop_mm", "limit_km", "initial_km"):
        frame[name] = frame[name].astype("float64")
    frame["retired"] = frame["retired"].astype(bool)
    return frame


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _joined(brand: str | None, model: str | None) -> str | None:
    if brand and brand.lower() in ("other", "unknown"):
        brand = None
    if brand and model and model.lower().startswith(brand.lower()):
        return model
    parts = [p for p in (brand, model) if p]
    return " ".join(parts) or None


def parse_strava_shoes(data: bytes, *, path: str = "shoes.csv") -> pd.DataFrame:
    """The shoes of a Strava ``shoes.csv``.

    Parameters
    ----------
    data : bytes
        The file's content (UTF-8, a BOM allowed).
    path : str
        How the file is named in errors.

    Returns
    -------
    DataFrame
        Columns :data:`runload.shoes.CATALOGUE_COLUMNS`, ``source`` ``"strava"``; the
        type inferred from brand and model, else from the name.

    Raises
    ------
    ParseError
        ``reason="gear_catalogue"``, naming the file (and the line): not UTF-8, no
        header, no ``Shoe Name`` or ``Shoe Model`` column.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError("not UTF-8 text", path=path, reason=_REASON) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ParseError("the file is empty", path=path, reason=_REASON) from None
    except csv.Error as exc:
        raise ParseError(f"bad CSV: {exc}", path=path, line=1, reason=_REASON) from exc

    def column(*names: str) -> int | None:
        for name in names:
            if name in header:
                return header.index(name)
        return None

    i_name = column("shoe name", "name")
    i_brand = column("shoe brand", "brand")
    i_model = column("shoe model", "model")
    if i_name is None and i_model is None:
        raise ParseError("no 'Shoe Name' or 'Shoe Model' column", path=path, line=1, reason=_REASON)
    rows: list[dict[str, Any]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue

            def get(i: int | None, values: list[str] = values) -> str | None:
                return _clean(values[i]) if i is not None and i < len(values) else None

            model = _joined(get(i_brand), get(i_model))
            name = get(i_name) or model
            if name:
                rows.append(_row(name, model, "strava"))
    except csv.Error as exc:
        raise ParseError(
            f"bad CSV: {exc}", path=path, line=reader.line_num, reason=_REASON
        ) from exc
    return _frame(rows)


def _garmin_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        return dt.datetime.fromtimestamp(value / 1000.0, tz=dt.UTC).date()
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def parse_garmin_gear(data: bytes, *, path: str = "gear.json") -> pd.DataFrame:
    """The shoes of a Garmin ``*_gear.json``.

    Parameters
    ----------
    data : bytes
        The file's content.
    path : str
        How the file is named in errors.

    Returns
    -------
    DataFrame
        Columns :data:`runload.shoes.CATALOGUE_COLUMNS`, ``source`` ``"garmin"``, one
        row per shoe (other gear left out).

    Raises
    ------
    ParseError
        ``reason="gear_catalogue"``, naming the file, when the content is not JSON.
    """
    try:
        payload = json.loads(data.decode("utf-8-sig", errors="replace"))
    except ValueError as exc:
        raise ParseError(f"not JSON: {exc}", path=path, reason=_REASON) from exc
    blocks = payload if isinstance(payload, list) else [payload]
    rows: list[dict[str, Any]] = []
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        for gear in block.get("gearDTOS") or []:
            if not isinstance(gear, Mapping):
                continue
            if not str(gear.get("gearTypeName") or "").lower().startswith("shoe"):
                continue
            name = _clean(gear.get("customMakeModel")) or _clean(gear.get("displayName"))
            if not name:
                continue
            model = _joined(_clean(gear.get("gearMakeName")), _clean(gear.get("gearModelName")))
            limit = gear.get("maximumMeters")
            limit_km = (
                float(limit) / 1000.0
                if isinstance(limit, int | float) and not isinstance(limit, bool) and limit > 0
                else math.nan
            )
            rows.append(
                _row(
                    name,
                    model or name,
                    "garmin",
                    first=_garmin_date(gear.get("dateBegin")),
                    last=_garmin_date(gear.get("dateEnd")),
                    retired=str(gear.get("gearStatusName") or "").lower() == "retired",
                    limit_km=limit_km,
                )
            )
    return _frame(rows)


def _is_strava_shoes(key: str) -> bool:
    return key.rsplit("/", 1)[-1].lower() == "shoes.csv"


def _parser(key: str) -> Callable[..., pd.DataFrame] | None:
    """The parser of an archive member holding a gear list, by its name (None: not one)."""
    if _is_strava_shoes(key):
        return parse_strava_shoes
    if _is_garmin_gear(key):
        return parse_garmin_gear
    return None


def read_gear_catalogue(
    source: str | PathLike[str], *, limits: ArchiveLimits = DEFAULT_LIMITS
) -> pd.DataFrame:
    """The shoes listed by a Strava or Garmin export (zip or extracted folder).

    Parameters
    ----------
    source : str or path
        An export zip, its extracted folder, or a ``shoes.csv`` / ``*_gear.json`` file.
    limits : ArchiveLimits
        Caps on what is read (member and file sizes, archive totals).

    Returns
    -------
    DataFrame
        Columns :data:`runload.shoes.CATALOGUE_COLUMNS`, one row per shoe listed (empty
        when the export lists none); pass it to
        ``runload.shoes.shoe_catalogue(exports=[...])``.

    Raises
    ------
    ParseError
        ``reason="gear_catalogue"``: a gear file that cannot be read, or a source that
        is neither a zip, a folder nor a gear file; the message names the file.
    ArchiveError, UnsafeInputError
        From the zip (damaged, too large, a bomb), naming the archive and member.
    """
    p = Path(source)
    shown = redact_account(str(p))
    frames: list[pd.DataFrame] = []
    if p.is_dir():
        for file in walk_folder(p):  # iterative, no symlinked folders, loop-safe
            if not file.is_file():
                continue
            rel = file.relative_to(p).as_posix()
            display = redact_account(str(file))
            if _is_strava_shoes(rel) and rel.count("/") <= 1:  # at the top, or one folder down
                frames.append(parse_strava_shoes(_read_file(file, limits), path=display))
            elif _is_garmin_gear(f"{p.name}/{rel}"):
                frames.append(parse_garmin_gear(_read_file(file, limits), path=display))
    elif p.is_file():
        try:
            with p.open("rb") as fh:
                head = fh.read(4)
        except OSError as exc:
            raise ParseError(
                f"cannot read: {exc.strerror or exc}", path=shown, reason=_REASON
            ) from exc
        if is_zip(head):
            with SafeZip(p, display=shown, limits=limits) as archive:
                for member in archive:
                    parse = _parser(member.key)
                    if parse is not None:
                        display = redact_account(archive.path_of(member))
                        frames.append(parse(archive.read(member), path=display))
        elif p.name.lower() == "shoes.csv":
            frames.append(parse_strava_shoes(_read_file(p, limits), path=shown))
        elif p.suffix.lower() == ".json" and "gear" in p.name.lower():
            frames.append(parse_garmin_gear(_read_file(p, limits), path=shown))
        else:
            raise ParseError(
                "not an export zip, an export folder, shoes.csv or a Garmin gear file",
                path=shown,
                reason=_REASON,
            )
    else:
        raise ParseError("no such file or folder", path=shown, reason=_REASON)
    frames = [f for f in frames if not f.empty]
    if not frames:
        return _empty()
    return pd.concat(frames, ignore_index=True)


def _read_file(path: Path, limits: ArchiveLimits) -> bytes:
    shown = redact_account(str(path))
    try:
        size = path.stat().st_size
        if size > limits.max_member_bytes:
            raise ParseError(
                f"more than the {limits.max_member_bytes} bytes allowed",
                path=shown,
                reason=_REASON,
            )
        return path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror or exc}", path=shown, reason=_REASON) from exc
