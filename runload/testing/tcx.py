"""Writing a :class:`~runload.testing.track.Track` as a Garmin TCX file.

Used for test fixtures and the demo.  The document follows the
TrainingCenterDatabase v2 schema's element order, with one lap holding one
``<Track>`` per stretch between pauses.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from ..geo import path_distance_m
from ..schema import FOOT_SPORTS
from .gpx import iso_times, number, segment_starts
from .track import Track, cadence_factor

__all__ = ["tcx_bytes"]

_TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
_AX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def _tcx_sport(sport: str | None) -> str:
    if sport in FOOT_SPORTS:
        return "Running"
    if sport == "cycling":
        return "Biking"
    return "Other"


def tcx_bytes(track: Track, *, run_cadence_prefix: str = "ns3") -> bytes:
    """Serialise ``track`` as a TCX document.

    Parameters
    ----------
    track : Track
        What to write.  NaN values are left out; a sample without a latitude
        has no ``<Position>`` (a treadmill run).  Each pause starts a new
        ``<Track>``.
    run_cadence_prefix : str
        Prefix of the ActivityExtension (``TPX``) elements; ``""`` declares
        that namespace as the default on each ``<TPX>`` instead.

    Returns
    -------
    bytes
        UTF-8 encoded TCX.  ``Sport`` is ``Running`` for foot sports,
        ``Biking`` for cycling, ``Other`` otherwise.  ``DistanceMeters`` of a
        trackpoint comes from the samples' ``distance_m`` when present; the
        lap's from its last value, else from the GPS path.  Heart rate [bpm]
        and ``RunCadence`` (per foot, ``cadence_spm / 2``, foot sports only)
        are written as integers, as the schema types them; ``Speed`` [m/s]
        and ``Watts`` [W] go in the extension.
    """
    samples = track.samples
    index = pd.DatetimeIndex(samples.index)
    if index.tz is None:
        index = index.tz_localize("UTC")
    n = len(samples)

    def col(name: str) -> np.ndarray:
        if name in samples.columns:
            return samples[name].to_numpy(dtype="float64")
        return np.full(n, np.nan)

    lat, lon, ele = col("latitude_deg"), col("longitude_deg"), col("elevation_m")
    dist, speed, hr = col("distance_m"), col("speed_m_s"), col("heart_rate_bpm")
    power = col("power_w")
    per_foot = cadence_factor(track) == 0.5
    cad = col("cadence_spm") / 2.0 if per_foot else np.full(n, np.nan)
    times = iso_times(index)
    new_track = segment_starts(index, track.pauses)

    t_s = index.as_unit("ns").asi8 / 1e9
    elapsed_s = float(t_s[-1] - t_s[0]) if n else 0.0
    paused_s = 0.0
    for p0, p1 in track.pauses:
        lo = max(pd.Timestamp(p0).value / 1e9, t_s[0] if n else 0.0)
        hi = min(pd.Timestamp(p1).value / 1e9, t_s[-1] if n else 0.0)
        paused_s += max(hi - lo, 0.0)
    if np.isfinite(dist).any():
        lap_distance_m = float(np.nanmax(dist))
    elif np.isfinite(lat).any():
        lap_distance_m = float(np.nanmax(path_distance_m(lat, lon, t_s, max_speed_m_s=1e9)[0]))
    else:
        lap_distance_m = 0.0

    p = f"{run_cadence_prefix}:" if run_cadence_prefix else ""
    ax_decl = f' xmlns:{run_cadence_prefix}="{_AX_NS}"' if run_cadence_prefix else ""
    tpx_open = f"<{p}TPX>" if run_cadence_prefix else f'<TPX xmlns="{_AX_NS}">'
    start = times[0] if times else "1970-01-01T00:00:00Z"
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<TrainingCenterDatabase xmlns="{_TCX_NS}" xmlns:xsi="{_XSI_NS}"{ax_decl}>\n',
        "<Activities>\n",
        f'<Activity Sport="{_tcx_sport(track.sport)}">\n',
        f"<Id>{start}</Id>\n",
        f'<Lap StartTime="{start}">\n',
        f"<TotalTimeSeconds>{number(max(elapsed_s - paused_s, 0.0))}</TotalTimeSeconds>\n",
        f"<DistanceMeters>{number(lap_distance_m)}</DistanceMeters>\n",
        "<Calories>0</Calories>\n<Intensity>Active</Intensity>\n",
        "<TriggerMethod>Manual</TriggerMethod>\n",
    ]
    if n:
        out.append("<Track>\n")
    for i, when in enumerate(times):
        if new_track[i]:
            out.append("</Track>\n<Track>\n")
        out.append(f"<Trackpoint><Time>{when}</Time>")
        if np.isfinite(lat[i]) and np.isfinite(lon[i]):
            out.append(
                f"<Position><LatitudeDegrees>{number(lat[i])}</LatitudeDegrees>"
                f"<LongitudeDegrees>{number(lon[i])}</LongitudeDegrees></Position>"
            )
        if np.isfinite(ele[i]):
            out.append(f"<AltitudeMeters>{number(ele[i])}</AltitudeMeters>")
        if np.isfinite(dist[i]):
            out.append(f"<DistanceMeters>{number(dist[i])}</DistanceMeters>")
        if np.isfinite(hr[i]):
            out.append(f"<HeartRateBpm><Value>{round(hr[i])}</Value></HeartRateBpm>")
        ext = ""
        if np.isfinite(speed[i]):
            ext += f"<{p}Speed>{number(speed[i])}</{p}Speed>"
        if np.isfinite(cad[i]):
            ext += f"<{p}RunCadence>{round(cad[i])}</{p}RunCadence>"
        if np.isfinite(power[i]):
            ext += f"<{p}Watts>{round(power[i])}</{p}Watts>"
        if ext:
            out.append(f"<Extensions>{tpx_open}{ext}</{p}TPX></Extensions>")
        out.append("</Trackpoint>\n")
    if n:
        out.append("</Track>\n")
    out.append("</Lap>\n")
    if track.notes:
        out.append(f"<Notes>{escape(track.notes)}</Notes>\n")
    if track.device:
        out.append(
            f'<Creator xsi:type="Device_t"><Name>{escape(track.device)}</Name>'
            "<UnitId>0</UnitId><ProductID>0</ProductID><Version><VersionMajor>0</VersionMajor>"
            "<VersionMinor>0</VersionMinor></Version></Creator>\n"
        )
    out.append("</Activity>\n</Activities>\n</TrainingCenterDatabase>\n")
    return "".join(out).encode("utf-8")
