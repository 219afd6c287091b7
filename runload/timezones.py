"""Local UTC offsets: from the file, an argument, or an offline lookup of the position."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["offset_for_position", "offset_for_zone", "zone_for_position"]


@lru_cache(maxsize=4096)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def offset_for_zone(zone: str | dt.tzinfo, when_utc: dt.datetime) -> int:
    """UTC offset of ``zone`` at the instant ``when_utc``. [s]

    Raises
    ------
    ValueError
        When ``zone`` is not an IANA time zone name.
    """
    if isinstance(zone, str):
        try:
            tz: dt.tzinfo = _zone(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {zone!r}") from exc
    else:
        tz = zone
    off = when_utc.astimezone(tz).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


@lru_cache(maxsize=65536)
def _zone_at(lat_e3: int, lon_e3: int) -> str | None:
    import tzfpy

    name = tzfpy.get_tz(lon_e3 / 1000.0, lat_e3 / 1000.0)
    return name or None


def zone_for_position(latitude_deg: float, longitude_deg: float) -> str | None:
    """IANA time zone at a position, looked up offline (tzfpy); None at sea or when unknown."""
    if not (-90 <= latitude_deg <= 90 and -180 <= longitude_deg <= 180):
        return None
    return _zone_at(round(latitude_deg * 1000), round(longitude_deg * 1000))


def offset_for_position(
    latitude_deg: float, longitude_deg: float, when_utc: dt.datetime
) -> int | None:
    """UTC offset at a position and instant, or None when the zone is unknown. [s]"""
    name = zone_for_position(latitude_deg, longitude_deg)
    if name is None:
        return None
    try:
        return offset_for_zone(name, when_utc)
    except ValueError:
        return None
