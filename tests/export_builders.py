"""Small exports and hostile archives for the export, archive, batch and cache tests.

Tracks are short (a few hundred samples at most) so the suites stay fast; the
values the tests expect come from what was written into the files and the
metadata (the synthetic tracks' truth, the CSV cells), not from runload.
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
from pathlib import Path

import pandas as pd

from runload.testing.exports import ExportActivity
from runload.testing.fit import fit_bytes
from runload.testing.history import SyntheticTrack, synthetic_track

__all__ = [
    "encrypted_member_zip",
    "gzip_bomb",
    "lying_size_zip",
    "small_track",
    "zip_bytes",
    "zip_of_zeros",
]


def small_track(
    day: int,
    *,
    distance_m: float = 2000.0,
    hour_utc: int = 7,
    utc_offset_s: int | None = 3600,
    surface: str = "road",
    sport: str = "running",
    seed: int | None = None,
    interval_s: float = 5.0,
    month: int = 3,
    minute: int = 0,
) -> SyntheticTrack:
    """A short synthetic run (about ``distance_m / (interval_s · 3 m/s)`` samples)."""
    start = pd.Timestamp(2024, month, 1, hour_utc, minute, tz="UTC") + pd.Timedelta(days=day - 1)
    return synthetic_track(
        start,
        distance_m=distance_m,
        pace_s_per_km=330.0,
        surface=surface,  # type: ignore[arg-type]
        sport=sport,
        seed=day if seed is None else seed,
        sample_interval_s=interval_s,
        utc_offset_s=utc_offset_s,
    )


def fit_of(day: int, **kwargs: object) -> bytes:
    """FIT bytes of :func:`small_track`."""
    return fit_bytes(small_track(day, **kwargs))  # type: ignore[arg-type]


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive holding ``members`` (names written as given, hostile ones included)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = compression
            zf.writestr(info, data)
    return buf.getvalue()


def zip_of_zeros(name: str, size: int) -> bytes:
    """A zip with one member of ``size`` zero bytes (a compression-ratio bomb)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as out:
            block = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                out.write(block)
    return buf.getvalue()


def gzip_bomb(expanded: int = 1 << 30) -> bytes:
    """Gzip members of 8 MiB of zeros, concatenated: ``expanded`` bytes from about 1/1000 of it."""
    one = gzip.compress(b"\0" * (8 << 20), compresslevel=9, mtime=0)
    return one * (expanded // (8 << 20))


def _patch_all(data: bytes, signature: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    pos = out.find(signature)
    while pos != -1:
        struct.pack_into(fmt, out, pos + offset, value)
        pos = out.find(signature, pos + 4)
    return bytes(out)


def encrypted_member_zip(members: dict[str, bytes], encrypted: str) -> bytes:
    """A zip in which member ``encrypted`` has the 'encrypted' flag (bit 0) set."""
    raw = bytearray(zip_bytes(members, compression=zipfile.ZIP_STORED))
    target = encrypted.encode()
    # Local header: flags at +6, name length at +26, name at +30.
    pos = raw.find(b"PK\x03\x04")
    while pos != -1:
        (n,) = struct.unpack_from("<H", raw, pos + 26)
        if bytes(raw[pos + 30 : pos + 30 + n]) == target:
            (flags,) = struct.unpack_from("<H", raw, pos + 6)
            struct.pack_into("<H", raw, pos + 6, flags | 1)
        pos = raw.find(b"PK\x03\x04", pos + 4)
    # Central directory: flags at +8, name length at +28, name at +46.
    pos = raw.find(b"PK\x01\x02")
    while pos != -1:
        (n,) = struct.unpack_from("<H", raw, pos + 28)
        if bytes(raw[pos + 46 : pos + 46 + n]) == target:
            (flags,) = struct.unpack_from("<H", raw, pos + 8)
            struct.pack_into("<H", raw, pos + 8, flags | 1)
        pos = raw.find(b"PK\x01\x02", pos + 4)
    return bytes(raw)


def lying_size_zip(name: str, real_size: int, claimed_size: int) -> bytes:
    """A zip whose one member (zeros) claims ``claimed_size`` bytes, inflating to ``real_size``."""
    raw = zip_bytes({name: b"\0" * real_size})
    raw = _patch_all(raw, b"PK\x03\x04", 22, "<I", claimed_size)
    return _patch_all(raw, b"PK\x01\x02", 24, "<I", claimed_size)


def write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` (creating folders); return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def export_activity(day: int, **kwargs: object) -> ExportActivity:
    """An :class:`ExportActivity` of :func:`small_track` (keyword arguments split between them)."""
    track_keys = {"distance_m", "hour_utc", "utc_offset_s", "surface", "sport", "seed", "minute"}
    track_kwargs = {k: v for k, v in kwargs.items() if k in track_keys}
    act_kwargs = {k: v for k, v in kwargs.items() if k not in track_keys}
    return ExportActivity(small_track(day, **track_kwargs), **act_kwargs)  # type: ignore[arg-type]
