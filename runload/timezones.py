"""Local UTC offsets: from the file, an argument, or an offline lookup of the position."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .exceptions import InvalidOptionError

__all__ = ["check_timezone", "offset_for_position", "offset_for_zone", "zone_for_position"]


@lru_cache(maxsize=4096)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def check_timezone(zone: str | dt.tzinfo | None, *, option: str = "timezone") -> None:
    """Check a time zone option before any work is done.

    Parameters
    ----------
    zone : str, tzinfo or None
        An IANA time zone name (looked up with :mod:`zoneinfo`), a
        :class:`datetime.tzinfo`, or None (no zone given).
    option : str
        The option's name, for the message.

    Raises
    ------
    InvalidOptionError
        A :class:`ValueError` too, naming the bad value, when ``zone`` is
        neither None, a tzinfo, nor a known IANA name.
    """
    if zone is None or isinstance(zone, dt.tzinfo):
        return
    if not isinstance(zone, str):
        raise InvalidOptionError(
            f"{option} must be an IANA time zone name such as 'Europe/Zurich', "
            f"not {type(zone).__name__}",
            reason="bad_timezone",
        )
    _lookup(zone, option)


def _lookup(zone: str, option: str = "timezone") -> ZoneInfo:
    try:
        return _zone(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InvalidOptionError(
            f"unknown {option} {zone!r}: not an IANA time zone name such as 'Europe/Zurich'",
            reason="bad_timezone",
        ) from exc


def offset_for_zone(zone: str | dt.tzinfo, when_utc: dt.datetime) -> int:
    """UTC offset of ``zone`` at the instant ``when_utc``. [s]

    Raises
    ------
    InvalidOptionError
        A :class:`ValueError`, when ``zone`` is not an IANA time zone name.
    """
    tz: dt.tzinfo = _lookup(zone) if isinstance(zone, str) else zone
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
