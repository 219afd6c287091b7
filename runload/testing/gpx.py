"""Writing a :class:`~runload.testing.track.Track` as a GPX 1.0 or 1.1 file.

Used for test fixtures and the demo: the project's files are made by the
project's own code, never copied from elsewhere.  The options reproduce the
variations real files show (version, namespaces, extension prefixes, a
byte-order mark, whitespace before the XML declaration).
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import numpy.typing as npt
import pandas as pd

from .track import Track, cadence_factor

__all__ = ["gpx_bytes"]

_GPX_NS = {"1.0": "http://www.topografix.com/GPX/1/0", "1.1": "http://www.topografix.com/GPX/1/1"}
_TPX_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"


def iso_times(index: pd.DatetimeIndex) -> list[str]:
    """ISO 8601 UTC strings ending in ``Z``.

    Whole seconds, or milliseconds for all when any time has a fraction.
    """
    utc = index.tz_convert("UTC") if index.tz is not None else index.tz_localize("UTC")
    ns = utc.as_unit("ns").asi8
    values = ns.view("M8[ns]")
    if len(ns) and bool((ns % 1_000_000_000 != 0).any()):
        text = np.datetime_as_string(values, unit="ms", timezone="UTC")
    else:
        text = np.datetime_as_string(values, unit="s", timezone="UTC")
    return [str(s) for s in text]


def number(value: float) -> str:
    """Shortest text that reads back as exactly ``value``, without an exponent (xsd:decimal)."""
    return np.format_float_positional(float(value), trim="-")


def segment_starts(
    index: pd.DatetimeIndex, pauses: Sequence[tuple[pd.Timestamp, pd.Timestamp]]
) -> npt.NDArray[np.bool_]:
    """For each sample, whether it opens a new segment (it is the first one after a pause ends)."""
    n = len(index)
    starts = np.zeros(n, dtype=bool)
    if n == 0:
        return starts
    ends = np.sort(np.array([pd.Timestamp(p1).value for _, p1 in pauses], dtype="int64"))
    t = index.as_unit("ns").asi8
    segment = np.searchsorted(ends, t, side="right")
    starts[1:] = segment[1:] != segment[:-1]
    return starts


def _column(samples: pd.DataFrame, name: str) -> npt.NDArray[np.float64]:
    if name in samples.columns:
        return samples[name].to_numpy(dtype="float64")
    return np.full(len(samples), np.nan)


def _gpx_type(sport: str, sub_sport: str) -> str:
    if sport == "running" and sub_sport in ("trail", "track", "treadmill", "street"):
        return f"{sub_sport}_running"
    return sport


def gpx_bytes(
    track: Track,
    *,
    version: str = "1.1",
    namespaced: bool = True,
    extensions_prefix: str = "gpxtpx",
    bom: bool = False,
    leading_whitespace: str = "",
) -> bytes:
    """Serialise ``track`` as a GPX document.

    Parameters
    ----------
    track : Track
        What to write.  Samples without a time cannot exist (the index is the
        time); NaN values are left out.  A pause starts a new ``<trkseg>``.
    version : {"1.1", "1.0"}
        GPX version.  1.1 puts heart rate and cadence in ``<extensions>``;
        1.0 (which has no ``<extensions>``) puts the Garmin
        TrackPointExtension directly in ``<trkpt>`` and writes ``<speed>``.
    namespaced : bool
        Declare the GPX namespace as the default namespace; ``False`` writes
        un-namespaced GPX, as some loggers do.
    extensions_prefix : str
        Prefix of the Garmin TrackPointExtension elements (``gpxtpx``,
        ``ns3``...); ``""`` writes them in the default namespace.
    bom : bool
        Start with a UTF-8 byte-order mark.
    leading_whitespace : str
        Whitespace written before the XML declaration.

    Returns
    -------
    bytes
        UTF-8 encoded GPX.  Heart rate [bpm] and cadence are written as
        integers (the extension's types); cadence per foot, ``cadence_spm / 2``,
        for foot sports, and in revolutions per minute for cycling (see
        :func:`~runload.testing.track.cadence_factor`).  A track whose ``sport``
        is None gets no ``<type>`` element, as many phone apps and old exports
        write.  Power [W] goes in an unprefixed ``<power>`` element in the
        extensions (as Strava writes it).
    """
    if version not in _GPX_NS:
        raise ValueError(f"version must be '1.0' or '1.1', not {version!r}")
    if leading_whitespace.strip():
        raise ValueError("leading_whitespace must be whitespace only")
    samples = track.samples
    index = pd.DatetimeIndex(samples.index)
    if index.tz is None:
        index = index.tz_localize("UTC")
    times = iso_times(index)
    lat = _column(samples, "latitude_deg")
    lon = _column(samples, "longitude_deg")
    ele = _column(samples, "elevation_m")
    speed = _column(samples, "speed_m_s")
    hr = _column(samples, "heart_rate_bpm")
    factor = cadence_factor(track)
    cad = _column(samples, "cadence_spm") * (factor if factor is not None else np.nan)
    power = _column(samples, "power_w")
    new_segment = segment_starts(index, track.pauses)

    p = f"{extensions_prefix}:" if extensions_prefix else ""
    tpx_decl = f' xmlns:{extensions_prefix}="{_TPX_NS}"' if extensions_prefix else ""
    ns_decl = f' xmlns="{_GPX_NS[version]}"' if namespaced else ""
    creator = track.device or "runload"
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<gpx version="{version}" creator={quoteattr(creator)}{ns_decl}{tpx_decl}>\n',
    ]
    start = times[0] if times else None
    if version == "1.1":
        out.append("<metadata>")
        if track.name:
            out.append(f"<name>{escape(track.name)}</name>")
        if start:
            out.append(f"<time>{start}</time>")
        out.append("</metadata>\n")
    else:
        if track.name:
            out.append(f"<name>{escape(track.name)}</name>\n")
        if start:
            out.append(f"<time>{start}</time>\n")
    out.append("<trk>\n")
    if track.name:
        out.append(f"<name>{escape(track.name)}</name>\n")
    if track.notes:
        out.append(f"<desc>{escape(track.notes)}</desc>\n")
    if track.sport is not None:
        out.append(f"<type>{escape(_gpx_type(track.sport, track.sub_sport))}</type>\n")
    out.append("<trkseg>\n")
    for i, when in enumerate(times):
        if new_segment[i]:
            out.append("</trkseg>\n<trkseg>\n")
        if np.isfinite(lat[i]) and np.isfinite(lon[i]):
            out.append(f'<trkpt lat="{number(lat[i])}" lon="{number(lon[i])}">')
        else:
            out.append("<trkpt>")
        if np.isfinite(ele[i]):
            out.append(f"<ele>{number(ele[i])}</ele>")
        out.append(f"<time>{when}</time>")
        if version == "1.0" and np.isfinite(speed[i]):
            out.append(f"<speed>{number(speed[i])}</speed>")
        tpx = ""
        if np.isfinite(hr[i]):
            tpx += f"<{p}hr>{round(hr[i])}</{p}hr>"
        if np.isfinite(cad[i]):
            tpx += f"<{p}cad>{round(cad[i])}</{p}cad>"
        if tpx:
            tpx = f"<{p}TrackPointExtension>{tpx}</{p}TrackPointExtension>"
        if version == "1.1":
            extra = f"<power>{round(power[i])}</power>" if np.isfinite(power[i]) else ""
            if tpx or extra:
                out.append(f"<extensions>{extra}{tpx}</extensions>")
        elif tpx:
            out.append(tpx)
        out.append("</trkpt>\n")
    out.append("</trkseg>\n</trk>\n</gpx>\n")
    body = "".join(out).encode("utf-8")
    return (b"\xef\xbb\xbf" if bom else b"") + leading_whitespace.encode("ascii") + body
