"""Reading one activity: :func:`read_activity`."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import BinaryIO

from ..activity import DEFAULT_MAX_GAP_S, Activity, finalize
from ..elevation import DEFAULT_ELEVATION_GAIN, ElevationGain
from ..exceptions import ParseError, RunloadError, UnsafeInputError, UnsupportedFormatError
from ..timezones import check_timezone
from .files import DEFAULT_MAX_FILE_BYTES, read_regular_file
from .limits import DEFAULT_LIMITS, ArchiveLimits
from .registry import formats, gunzip_bounded, is_gzip, sniff_format

__all__ = ["activity_id_for", "load_source", "read_activity", "read_bytes"]

Source = str | os.PathLike[str] | BinaryIO


def activity_id_for(content: bytes) -> str:
    """Stable activity id: the first 16 hex digits of the SHA-256 of the decompressed content."""
    return hashlib.sha256(content).hexdigest()[:16]


def load_source(source: Source, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> tuple[bytes, str]:
    """Read ``source`` (a path or a binary file object) into memory, at most ``max_bytes``.

    A path (``~`` expanded) must name a regular file (see
    :func:`runload.io.files.read_regular_file`: FIFOs, devices and sockets are
    refused without a blocking read).  Returns the bytes and the path to show
    in messages.

    Raises
    ------
    RunloadError
        ``unreadable``, ``not_a_regular_file``, or ``file_too_large`` above
        ``max_bytes`` [bytes].
    """
    if isinstance(source, str | os.PathLike):
        path = os.path.expanduser(os.fspath(source))
        return read_regular_file(path, max_bytes=max_bytes), path
    read = getattr(source, "read", None)
    if read is None:
        raise TypeError(
            f"source must be a path or a binary file object, not {type(source).__name__}"
        )
    data = read(max_bytes + 1)
    if isinstance(data, str):
        raise TypeError("source must be opened in binary mode ('rb')")
    name = getattr(source, "name", None)
    shown = str(name) if isinstance(name, str) else "<stream>"
    if len(data) > max_bytes:
        raise UnsafeInputError(
            f"stream is longer than the cap of {max_bytes} bytes: not read",
            path=shown,
            reason="file_too_large",
        )
    return bytes(data), shown


def read_bytes(
    data: bytes,
    *,
    path: str = "<stream>",
    format: str | None = None,
    timezone: str | dt.tzinfo | None = None,
    elevation: ElevationGain = DEFAULT_ELEVATION_GAIN,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> Activity:
    """Like :func:`read_activity` for content already in memory."""
    return read_hashed_bytes(
        data,
        None,
        path=path,
        format=format,
        timezone=timezone,
        elevation=elevation,
        max_gap_s=max_gap_s,
        limits=limits,
    )


def read_hashed_bytes(
    data: bytes,
    content_sha256: str | None,
    *,
    path: str = "<stream>",
    format: str | None = None,
    timezone: str | dt.tzinfo | None = None,
    elevation: ElevationGain = DEFAULT_ELEVATION_GAIN,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> Activity:
    """:func:`read_bytes` for a caller that has just hashed ``data`` (a batch's worker).

    ``content_sha256`` must be ``hashlib.sha256(data).hexdigest()`` (it is not
    checked): when ``data`` is not gzipped, the activity id is taken from it
    instead of hashing the same bytes again.  None: hash as :func:`read_bytes` does.
    """
    stored = data
    depth = 0
    while is_gzip(data):
        depth += 1
        if depth > 2:
            raise UnsupportedFormatError(
                "gzip nested more than twice", path=path, reason="nested_gzip", offset=0
            )
        data = gunzip_bounded(data, path=path, limits=limits)
    if not data:
        raise ParseError("file is empty", path=path, reason="empty", offset=0)
    fmt = format.lower() if format else sniff_format(data, path, path=path)
    spec = formats().get(fmt)
    if spec is None:
        raise UnsupportedFormatError(
            f"unknown format {format!r}; known: {', '.join(sorted(formats()))}",
            path=path,
            reason="unsupported_format",
        )
    try:
        raw = spec.reader(data, path=path)
    except RunloadError as exc:
        raise exc.with_path(path) from exc.__cause__
    except (ValueError, KeyError, IndexError, TypeError, OverflowError, UnicodeError) as exc:
        # A dependency or an unforeseen corner: never let it escape bare.
        raise ParseError(
            f"cannot decode {fmt.upper()} content: {type(exc).__name__}: {exc}",
            path=path,
            reason="parse_error",
        ) from exc
    return finalize(
        raw,
        activity_id=(
            content_sha256[:16]
            if content_sha256 is not None and data is stored
            else activity_id_for(data)
        ),
        source_path=path,
        timezone=timezone,
        elevation=elevation,
        max_gap_s=max_gap_s,
    )


def read_activity(
    source: Source,
    *,
    format: str | None = None,
    timezone: str | dt.tzinfo | None = None,
    elevation: ElevationGain = DEFAULT_ELEVATION_GAIN,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> Activity:
    """Read one FIT, GPX or TCX file (optionally gzipped).

    Parameters
    ----------
    source : path or binary file object
        The file.  Its format is sniffed from the content (FIT header, XML root
        element, gzip magic) and, failing that, from the suffix.
    format : {"fit", "gpx", "tcx"}, optional
        Skip sniffing and read as this format.
    timezone : str or tzinfo, optional
        IANA zone for files that do not carry their own UTC offset (GPX, TCX,
        FIT without ``local_timestamp``).  Default: the zone of the first GPS
        position (offline lookup), else UTC.
    elevation : ElevationGain
        How elevation gain and loss are computed (default: a 10 s centred median, then a 2 m
        hysteresis; see :class:`runload.elevation.ElevationGain`).
    max_gap_s : float
        A gap between samples longer than this is a pause. [s]
    limits : ArchiveLimits
        Caps on the file's size (``max_file_bytes``) and on what a gzipped
        file may expand to (see :mod:`runload.io.limits`).

    Returns
    -------
    Activity

    Raises
    ------
    RunloadError
        A subclass naming the file, a reason code and, where known, the byte
        offset or line: :class:`~runload.UnsupportedFormatError`,
        :class:`~runload.ParseError`, :class:`~runload.UnsafeInputError`.
    InvalidOptionError
        Before anything is read, for an unknown ``timezone`` (also a ValueError).
    """
    check_timezone(timezone)
    data, path = load_source(source, max_bytes=limits.max_file_bytes)
    return read_bytes(
        data,
        path=path,
        format=format,
        timezone=timezone,
        elevation=elevation,
        max_gap_s=max_gap_s,
        limits=limits,
    )
