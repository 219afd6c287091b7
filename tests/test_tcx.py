"""The TCX importer: files from runload's own writer, hand-written files, and the corpus."""

from __future__ import annotations

import gzip
import io
import math
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from corpus import CORPUS, manifest, needs_corpus
from tree_stream import assert_readings_agree, assert_same_outcome, read_by_stream, read_by_tree

import runload
from runload.activity import RawActivity
from runload.exceptions import (
    DataQualityWarning,
    ParseError,
    RunloadError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from runload.io import tcx as tcx_module
from runload.io.tcx import read_tcx, sniff_tcx, tcx_sport
from runload.testing.tcx import tcx_bytes
from runload.testing.track import Track

STEP_DEG = 0.001  # latitude step between points: R * radians(0.001) = 111.19508 m
STEP_M = 6_371_008.8 * math.radians(STEP_DEG)
STEP_S = 20
N = 300
T0 = pd.Timestamp("2024-05-04T07:00:00Z")


def _track(n: int = N, *, sport: str = "running", gps: bool = True, pauses=(), **kw) -> Track:
    """A straight run north, one point every 20 s, a device distance of 5 m/s."""
    i = np.arange(n)
    index = pd.DatetimeIndex(T0 + pd.to_timedelta(i * STEP_S, unit="s"), name="time")
    samples = pd.DataFrame(
        {
            "latitude_deg": 45.0 + i * STEP_DEG if gps else np.nan,
            "longitude_deg": 7.25 if gps else np.nan,
            "elevation_m": 200.0 + (i % 7) if gps else np.nan,
            "distance_m": i * STEP_S * 5.0,
            "speed_m_s": 5.0,
            "heart_rate_bpm": 130.0 + (i % 11),
            "cadence_spm": 160.0 + 2 * (i % 6),
            "power_w": 250.0 + (i % 3),
        },
        index=index,
    )
    keep = np.ones(n, dtype=bool)
    for a, b in pauses:
        keep[a + 1 : b] = False
    kw.setdefault("notes", "legs & <lungs>")
    kw.setdefault("device", "Forerunner Synth")
    return Track(
        samples=samples[keep],
        sport=sport,
        pauses=[(index[a], index[b]) for a, b in pauses],
        **kw,
    )


def _read(data: bytes, **kw) -> runload.Activity:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        return runload.read_activity(io.BytesIO(data), **kw)


def test_round_trip_values_and_metadata():
    track = _track()
    data = tcx_bytes(track)
    assert sniff_tcx(data[:4096])
    a = _read(data)
    exp = track.samples
    assert len(a.samples) == N
    assert str(a.samples.index.tz) == "UTC"
    assert (a.samples.index == exp.index).all()
    for col in ("latitude_deg", "longitude_deg", "elevation_m", "distance_m", "speed_m_s"):
        np.testing.assert_array_equal(a.samples[col], exp[col])
    np.testing.assert_array_equal(a.samples["heart_rate_bpm"], exp["heart_rate_bpm"])
    np.testing.assert_array_equal(a.samples["power_w"], exp["power_w"])
    # RunCadence holds 80..85 strides per foot; runload gives steps of both feet
    np.testing.assert_array_equal(a.samples["cadence_spm"], exp["cadence_spm"])
    # distance is the device's stream (5 m/s * 5980 s), not the GPS path (33.2 km)
    assert a.distance_m == (N - 1) * STEP_S * 5.0
    assert a.format == "tcx"
    assert a.sport == "running"
    assert a.surface == "road"
    assert a.device == "Forerunner Synth"
    assert a.notes == "legs & <lungs>"
    assert a.start_time_utc == T0
    assert a.moving_time_s == a.elapsed_time_s == (N - 1) * STEP_S


def test_raw_fields():
    raw = read_tcx(tcx_bytes(_track(5)), path="x.tcx")
    np.testing.assert_array_equal(raw.samples["distance_m"], np.arange(5) * STEP_S * 5.0)
    assert raw.start_time == T0
    assert raw.totals["moving_time_s"] == 4 * STEP_S
    assert raw.totals["distance_m"] == 4 * STEP_S * 5.0


@pytest.mark.parametrize("prefix", ["ns3", "ax", ""])
def test_extension_prefixes(prefix):
    track = _track(20)
    data = tcx_bytes(track, run_cadence_prefix=prefix)
    assert (b"<TPX xmlns=" in data) == (prefix == "")
    a = _read(data)
    np.testing.assert_array_equal(a.samples["cadence_spm"], track.samples["cadence_spm"])
    np.testing.assert_array_equal(a.samples["speed_m_s"], track.samples["speed_m_s"])
    np.testing.assert_array_equal(a.samples["power_w"], track.samples["power_w"])


def test_each_new_track_starts_after_a_pause():
    track = _track(pauses=[(100, 180), (250, 260)])
    data = tcx_bytes(track)
    assert data.count(b"<Track>") == 3
    raw = read_tcx(data, path="p.tcx")
    t = track.samples.index
    # the pauses run from the last point of one Track to the first of the next
    assert raw.pauses == [(T0 + pd.Timedelta(seconds=100 * STEP_S), t[101]), (t[171], t[172])]
    a = _read(data)
    assert a.elapsed_time_s == (N - 1) * STEP_S
    assert a.moving_time_s == (N - 1 - 80 - 10) * STEP_S  # 5980 s minus 1600 s and 200 s


def test_pause_across_laps_and_lap_totals():
    new_lap = (
        '</Track></Lap>\n<Lap StartTime="2022-01-01T10:00:05Z">'
        "<TotalTimeSeconds>100</TotalTimeSeconds><DistanceMeters>500</DistanceMeters><Track>\n"
    )
    points = _point(0, "") + _point(1, "") + new_lap + _point(5, "") + _point(6, "")
    raw = read_tcx(_tcx("Running", points), path="laps.tcx")
    assert len(raw.samples) == 4
    t = pd.Timestamp("2022-01-01T10:00:00Z")
    assert raw.pauses == [(t + pd.Timedelta(seconds=1), t + pd.Timedelta(seconds=5))]
    # lap totals summed: 2 s and 8 m (first lap), 100 s and 500 m (second)
    assert raw.totals["moving_time_s"] == 102.0
    assert raw.totals["distance_m"] == 508.0


def test_treadmill_run_without_positions():
    track = _track(60, gps=False)
    data = tcx_bytes(track)
    assert b"<Position>" not in data
    a = _read(data)
    assert len(a.samples) == 60
    assert a.samples["latitude_deg"].isna().all()
    assert not a.has_gps
    assert a.surface == "treadmill"
    assert a.distance_m == 59 * STEP_S * 5.0


def test_gzipped_file_on_disk(tmp_path):
    track = _track(30)
    path = tmp_path / "run.tcx.gz"
    path.write_bytes(gzip.compress(tcx_bytes(track)))
    a = runload.read_activity(path)
    assert len(a.samples) == 30
    assert a.activity_id == _read(tcx_bytes(track)).activity_id


@pytest.mark.parametrize(
    ("text", "sport"),
    [("Running", "running"), ("Biking", "cycling"), ("Other", "generic"), ("", None), (None, None)],
)
def test_sport_names(text, sport):
    assert tcx_sport(text) == sport


def _tcx(sport: str, trackpoints: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
        ' xmlns:x="http://www.garmin.com/xmlschemas/ActivityExtension/v2">\n'
        f'<Activities><Activity Sport="{sport}"><Id>2022-01-01T10:00:00Z</Id>\n'
        '<Lap StartTime="2022-01-01T10:00:00Z"><TotalTimeSeconds>2</TotalTimeSeconds>'
        "<DistanceMeters>8</DistanceMeters><Track>\n"
        f"{trackpoints}</Track></Lap>{extra}</Activity></Activities></TrainingCenterDatabase>\n"
    ).encode()


def _point(second: int, inner: str) -> str:
    return f"<Trackpoint><Time>2022-01-01T10:00:0{second}Z</Time>{inner}</Trackpoint>\n"


RUN_CADENCE = "<Extensions><x:TPX><x:RunCadence>88</x:RunCadence></x:TPX></Extensions>"
BIKE_CADENCE = "<Cadence>88</Cadence>"


@pytest.mark.parametrize(
    ("sport", "inner", "expected"),
    [
        ("Running", RUN_CADENCE, 176.0),
        ("Other", RUN_CADENCE, 176.0),  # unknown sport, per-foot RunCadence: doubled
        ("Biking", RUN_CADENCE, None),
        ("Running", BIKE_CADENCE, 176.0),  # Polar writes a run's per-foot cadence here
        ("Biking", BIKE_CADENCE, None),  # rpm: not steps
        ("Other", BIKE_CADENCE, None),
    ],
)
def test_cadence_rules(sport, inner, expected):
    raw = read_tcx(_tcx(sport, _point(0, inner) + _point(1, inner)), path="c.tcx")
    if expected is None:
        assert "cadence_spm" not in raw.samples
    else:
        np.testing.assert_array_equal(raw.samples["cadence_spm"], [expected, expected])


def test_trackpoints_without_time_dropped_and_times_with_offsets():
    points = (
        "<Trackpoint><Time>2022-01-01T12:00:00+02:00</Time></Trackpoint>\n"
        "<Trackpoint><HeartRateBpm><Value>99</Value></HeartRateBpm></Trackpoint>\n"
        "<Trackpoint><Time>2022-01-01T10:00:01.5</Time></Trackpoint>\n"
    )
    raw = read_tcx(_tcx("Running", points), path="t.tcx")
    assert "1 trackpoint(s) without <Time> dropped" in raw.warnings
    expected = pd.DatetimeIndex(["2022-01-01T10:00:00", "2022-01-01T10:00:01.5"]).tz_localize("UTC")
    assert (raw.samples.index == expected).all()
    with pytest.warns(DataQualityWarning, match="without <Time>"):
        runload.read_activity(io.BytesIO(_tcx("Running", points)))


LAPS_ONLY = """<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Activities><Activity Sport="Running">
<Id>2023-02-03T17:30:00Z</Id>
<Lap StartTime="2023-02-03T17:30:00Z"><TotalTimeSeconds>600</TotalTimeSeconds>
<DistanceMeters>2000</DistanceMeters><Intensity>Active</Intensity></Lap>
<Lap StartTime="2023-02-03T17:41:00Z"><TotalTimeSeconds>900.5</TotalTimeSeconds>
<DistanceMeters>3000</DistanceMeters><Intensity>Active</Intensity></Lap>
<Notes>Laps only</Notes>
<Creator><Name>Old Watch</Name></Creator>
</Activity></Activities></TrainingCenterDatabase>
"""


def test_laps_without_trackpoints_use_lap_totals():
    a = _read(LAPS_ONLY.encode())
    assert len(a.samples) == 0
    assert a.start_time_utc == pd.Timestamp("2023-02-03T17:30:00Z")
    assert a.distance_m == 5000.0  # 2000 + 3000
    assert a.moving_time_s == 1500.5  # 600 + 900.5
    assert a.elapsed_time_s == 660.0 + 900.5  # 17:30:00 to the last lap start 17:41:00, + 900.5 s
    assert a.device == "Old Watch"
    assert a.notes == "Laps only"
    assert a.surface == "treadmill"  # a run with a distance and no positions


def test_only_the_first_activity_is_read():
    one = _point(0, "") + _point(1, "")
    second = (
        '</Activity><Activity Sport="Biking"><Id>2022-01-02T10:00:00Z</Id><Lap><Track>'
        + _point(5, "")
        + "</Track></Lap>"
    )
    raw = read_tcx(_tcx("Running", one, extra=second), path="two.tcx")
    assert raw.sport == "running"
    assert len(raw.samples) == 2
    assert any("further activit" in w for w in raw.warnings)


COURSE_ONLY = """<?xml version="1.0"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Courses><Course><Name>Loop</Name><Track>
<Trackpoint><Time>2009-12-31T23:00:00Z</Time><Position><LatitudeDegrees>33.6</LatitudeDegrees>
<LongitudeDegrees>-111.7</LongitudeDegrees></Position></Trackpoint>
</Track></Course></Courses></TrainingCenterDatabase>
"""


@pytest.mark.parametrize(
    ("doc", "what"),
    [
        ("<TrainingCenterDatabase/>", "no activity"),
        (
            '<TrainingCenterDatabase><Activities><Activity Sport="Running"/></Activities>'
            "</TrainingCenterDatabase>",
            "no trackpoints and no start time",
        ),
    ],
)
def test_nothing_to_import_is_empty(doc, what):
    with pytest.raises(ParseError, match=what) as err:
        runload.read_activity(io.BytesIO(doc.encode()))
    assert err.value.reason == "empty"


def test_course_only_is_not_an_activity():
    # A course is a planned route, not training (issue 10): refused as not_an_activity.
    with pytest.raises(UnsupportedFormatError, match="courses") as err:
        runload.read_activity(io.BytesIO(COURSE_ONLY.encode()))
    assert err.value.reason == "not_an_activity"


def test_doctype_refused_and_malformed_reported():
    data = tcx_bytes(_track(3))
    unsafe = data.replace(b"<TrainingCenterDatabase", b"<!DOCTYPE x>\n<TrainingCenterDatabase", 1)
    with pytest.raises(UnsafeInputError) as err:
        runload.read_activity(io.BytesIO(unsafe))
    assert (err.value.reason, err.value.line) == ("doctype", 2)
    broken = data.replace(b"</Lap>", b"</Track>", 1)
    with pytest.raises(ParseError) as err2:
        runload.read_activity(io.BytesIO(broken))
    assert err2.value.reason == "xml_syntax"
    assert err2.value.line == broken[: broken.index(b"</Track>\n</Track>") + 9].count(b"\n") + 1


# --------------------------------------------------------------------------- corpus

TCX_FILES = manifest().query("format == 'tcx'")


def _stdlib_activity_points(data: bytes) -> list[tuple[str, float, float]]:
    """Trackpoints with a Time in the first Activity, read with the standard library's parser."""
    root = ET.fromstring(data)
    ns = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
    activity = root.find("t:Activities//t:Activity", ns)
    if activity is None:
        return []
    out = []
    for tp in activity.iterfind("t:Lap/t:Track/t:Trackpoint", ns):
        when = tp.findtext("t:Time", default="", namespaces=ns).strip()
        if not when:
            continue
        lat = tp.findtext("t:Position/t:LatitudeDegrees", default="nan", namespaces=ns)
        lon = tp.findtext("t:Position/t:LongitudeDegrees", default="nan", namespaces=ns)
        out.append((when, float(lat), float(lon)))
    return out


@needs_corpus
@pytest.mark.parametrize(
    "local_path", TCX_FILES["local_path"].tolist(), ids=lambda p: p.split("/", 1)[-1][-60:]
)
def test_corpus_tcx_imports_or_refuses_and_matches_stdlib(local_path):
    data = (CORPUS / local_path).read_bytes()
    expected = _stdlib_activity_points(data)
    try:
        raw = read_tcx(data, path=local_path)
    except RunloadError as exc:
        # Course files (planned routes) are refused as not_an_activity (issue 10).
        assert exc.reason in ("empty", "not_an_activity")
        assert expected == []
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        a = runload.read_activity(CORPUS / local_path)
    assert len(raw.samples) == len(expected)
    exp_t = pd.to_datetime([e[0] for e in expected], format="ISO8601", utc=True)
    assert (raw.samples.index == exp_t).all()
    if "latitude_deg" in raw.samples:
        np.testing.assert_array_equal(raw.samples["latitude_deg"], [e[1] for e in expected])
        np.testing.assert_array_equal(raw.samples["longitude_deg"], [e[2] for e in expected])
    # The device's distance stream ends within 1 % of its own lap totals.
    device_distance = "distance_m" in raw.samples and raw.samples["distance_m"].notna().any()
    if device_distance and "distance_m" in raw.totals:
        assert a.distance_m == pytest.approx(raw.totals["distance_m"], rel=0.01)


@needs_corpus
def test_corpus_same_ride_as_tcx_and_gpx():
    base = CORPUS / "GoldenCheetah__sweatpy/sweat/examples/data"
    if not (base / "activity_4801048867.tcx").is_file():
        pytest.skip("sweatpy files not in the corpus")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        tcx = runload.read_activity(base / "activity_4801048867.tcx")
        gpx = runload.read_activity(base / "activity_4801048867.gpx")
    assert tcx.sport == gpx.sport == "cycling"
    assert tcx.start_time_utc == gpx.start_time_utc
    # device distance vs GPS path of the same ride: within 2 % (see the corpus README)
    assert tcx.distance_m == pytest.approx(gpx.distance_m, rel=0.02)


# --------------------------------------------------------------------------- tree and stream
# Documents of up to TREE_MAX_BYTES are parsed whole and read from the tree; larger ones are
# streamed.  Both readings must give the same RawActivity (or the same error).


def _read_by_tree(data: bytes, path: str) -> RawActivity:
    return read_by_tree(tcx_module, data, path)


def _read_by_stream(data: bytes, path: str) -> RawActivity:
    return read_by_stream(tcx_module, data, path)


def _assert_readings_agree(data: bytes, *, tree: bool | None) -> None:
    assert_readings_agree(tcx_module, read_tcx, data, tree=tree, path="t.tcx")


@pytest.mark.parametrize("prefix", ["ns3", ""])
@pytest.mark.parametrize("gps", [True, False])
def test_tree_and_stream_agree_on_writer_files(prefix, gps):
    track = _track(80, gps=gps, pauses=[(20, 30), (50, 52)])
    _assert_readings_agree(tcx_bytes(track, run_cadence_prefix=prefix), tree=True)


def _second_activity(sport: str, inner: str = "") -> str:
    return (
        f'</Activity><Activity Sport="{sport}"><Id>2022-01-02T10:00:00Z</Id>'
        '<Lap StartTime="2022-01-02T10:00:00Z"><TotalTimeSeconds>9</TotalTimeSeconds><Track>'
        + _point(5, inner)
        + "</Track></Lap>"
    )


POINTS = _point(0, RUN_CADENCE) + _point(1, BIKE_CADENCE) + _point(2, "")
# Structures the tree reading reads itself.
TREE_DOCS = {
    "plain": _tcx("Running", POINTS),
    "other-sport": _tcx("Other", POINTS),
    "two-activities": _tcx("Running", POINTS, extra=_second_activity("Biking")),
    "values-in-odd-forms": _tcx(
        "Running",
        _point(0, "<HeartRateBpm><Value>1<!-- c -->50</Value></HeartRateBpm>")
        + _point(1, "<HeartRateBpm><Value><![CDATA[151]]></Value></HeartRateBpm>")
        + _point(2, "<DistanceMeters> 7 </DistanceMeters><AltitudeMeters>high</AltitudeMeters>")
        + _point(
            3,
            "<Position><LatitudeDegrees>95</LatitudeDegrees>"
            "<LongitudeDegrees>7</LongitudeDegrees></Position>",
        ),
    ),
    "untimed-and-offset": _tcx(
        "Running",
        "<Trackpoint><HeartRateBpm><Value>99</Value></HeartRateBpm></Trackpoint>\n"
        + "<Trackpoint><Time>2022-01-01T12:00:03+02:00</Time></Trackpoint>\n"
        + _point(4, ""),
    ),
    "several-laps-and-tracks": _tcx(
        "Running",
        _point(0, "") + "</Track><Track>" + _point(2, "") + "</Track></Lap>"
        '<Lap StartTime="2022-01-01T10:00:05Z"><TotalTimeSeconds>4</TotalTimeSeconds>'
        "<Track>" + _point(5, "") + "</Track><Track/><Track>" + _point(7, ""),
    ),
    "trackpoint-outside-a-track": _tcx(
        "Running", _point(0, "") + "</Track>" + _point(1, "") + "<Track>" + _point(2, "")
    ),
    "lap-in-a-lap": _tcx(
        "Running",
        _point(0, "")
        + "</Track><Lap><TotalTimeSeconds>50</TotalTimeSeconds><Track>"
        + _point(3, "")
        + "</Track></Lap><Track>"
        + _point(4, ""),
    ),
    "bad-time": _tcx("Running", _point(0, "") + "<Trackpoint><Time>soon</Time></Trackpoint>"),
    "id-not-a-time": _tcx("Running", POINTS).replace(b"<Id>2022-01-01T10:00:00Z", b"<Id>run 7"),
    "laps-only": LAPS_ONLY.encode(),
    "course-only": COURSE_ONLY.encode(),
    "course-and-activity": COURSE_ONLY.encode().replace(
        b"</TrainingCenterDatabase>",
        b'<Activities><Activity Sport="Running"><Id>2022-01-01T10:00:00Z</Id><Lap><Track>'
        + _point(0, "").encode()
        + b"</Track></Lap></Activity></Activities></TrainingCenterDatabase>",
    ),
    "multisport": (
        "<TrainingCenterDatabase><Activities><MultiSportSession><FirstSport>"
        '<Activity Sport="Biking"><Id>2022-01-01T09:00:00Z</Id><Lap><Track>'
        + _point(0, "")
        + "</Track></Lap></Activity></FirstSport><NextSport>"
        '<Activity Sport="Running"><Id>2022-01-01T10:00:00Z</Id><Lap><Track>'
        + _point(5, "")
        + "</Track></Lap></Activity></NextSport></MultiSportSession></Activities>"
        "</TrainingCenterDatabase>"
    ).encode(),
    "empty": b"<TrainingCenterDatabase/>",
}
# Structures only the stream reads as it should: the tree defers.
STREAM_DOCS = {
    "activity-in-activity": _tcx(
        "Running",
        POINTS,
        extra='<Activity Sport="Biking"><Lap><Track>' + _point(6, "") + "</Track></Lap></Activity>",
    ),
    "trackpoint-in-trackpoint": _tcx(
        "Running", _point(0, "") + _point(1, "<Extensions>" + _point(2, "") + "</Extensions>")
    ),
    "malformed": _tcx("Running", POINTS).replace(b"</Lap>", b"</Track>", 1),
    "undeclared-prefix": _tcx("Running", _point(0, "<y:Speed>3</y:Speed>")),
}


@pytest.mark.parametrize("name", sorted(TREE_DOCS))
def test_tree_and_stream_agree_on_hand_written_files(name):
    _assert_readings_agree(TREE_DOCS[name], tree=True)


@pytest.mark.parametrize("name", sorted(STREAM_DOCS))
def test_tree_defers_to_the_stream_where_they_would_differ(name):
    _assert_readings_agree(STREAM_DOCS[name], tree=False)


def test_large_documents_are_streamed(monkeypatch):
    data = tcx_bytes(_track(50))

    def no_tree(data, path):
        raise AssertionError("the tree reading was used")

    monkeypatch.setattr(tcx_module, "_read_scanned", no_tree)
    monkeypatch.setattr(tcx_module, "_read_parsed", no_tree)
    monkeypatch.setattr(tcx_module, "SCAN_MAX_BYTES", len(data) - 1)
    monkeypatch.setattr(tcx_module, "TREE_MAX_BYTES", len(data) - 1)
    streamed = read_tcx(data, path="big.tcx")
    monkeypatch.undo()
    assert_same_outcome(streamed, read_tcx(data, path="big.tcx"))


def test_tree_and_stream_agree_across_conversion_chunks():
    from runload.io.xmlsafe import PointTable

    n = PointTable.chunk + 300
    _assert_readings_agree(tcx_bytes(_track(n, pauses=[(PointTable.chunk - 2, n - 5)])), tree=True)


def test_stream_keeps_lap_totals_with_many_trackpoints_outside_a_track():
    # The stream frees trackpoints every 256; it used to free the lap's totals with them
    # when the trackpoints sat directly in the <Lap>.
    points = "".join(
        f"<Trackpoint><Time>2022-01-01T10:{k // 60:02d}:{k % 60:02d}Z</Time></Trackpoint>"
        for k in range(600)
    )
    doc = _tcx("Running", "</Track>" + points + "<Track>" + _point(0, ""))
    raw = _read_by_stream(doc, "t.tcx")
    assert raw.totals["moving_time_s"] == 2.0  # the lap's TotalTimeSeconds
    _assert_readings_agree(doc, tree=True)


@needs_corpus
@pytest.mark.parametrize(
    "local_path", TCX_FILES["local_path"].tolist(), ids=lambda p: p.split("/", 1)[-1][-60:]
)
def test_corpus_tree_and_stream_agree(local_path):
    _assert_readings_agree((CORPUS / local_path).read_bytes(), tree=None)


@needs_corpus
def test_corpus_is_read_by_the_tree():
    paths = TCX_FILES["local_path"].tolist()
    read = [tcx_module._read_parsed((CORPUS / p).read_bytes(), p) is not None for p in paths]
    assert sum(read) >= 0.75 * len(paths)
