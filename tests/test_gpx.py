"""The GPX importer: files from runload's own writer, hand-written files, the corpus vs gpxpy."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from corpus import CORPUS, manifest, needs_corpus
from tree_stream import assert_readings_agree, assert_same_outcome, read_by_stream, read_by_tree

import runload
from runload.activity import RawActivity
from runload.exceptions import DataQualityWarning, ParseError, RunloadError, UnsafeInputError
from runload.io import gpx as gpx_module
from runload.io.gpx import gpx_sport, read_gpx, sniff_gpx
from runload.testing.gpx import gpx_bytes
from runload.testing.track import Track

# Hand calculation: points 0.001 degrees of latitude apart on one meridian are
# R * radians(0.001) apart (the haversine of a pure latitude step), with R the
# IUGG mean Earth radius, 6 371 008.8 m: 111.19508 m.
STEP_DEG = 0.001
STEP_M = 6_371_008.8 * math.radians(STEP_DEG)
STEP_S = 20  # 5.56 m/s: a believable (fast) running speed, under the 30 s pause gap
N = 300
T0 = pd.Timestamp("2024-05-04T07:00:00Z")


def _track(n: int = N, *, sport: str = "running", pauses=(), **kw) -> Track:
    """A straight run north: point i at latitude 45 + i * 0.001, every 20 s."""
    i = np.arange(n)
    index = pd.DatetimeIndex(T0 + pd.to_timedelta(i * STEP_S, unit="s"), name="time")
    samples = pd.DataFrame(
        {
            "latitude_deg": 45.0 + i * STEP_DEG,
            "longitude_deg": 7.25,
            "elevation_m": 200.0 + (i % 7),
            "heart_rate_bpm": 130.0 + (i % 11),
            "cadence_spm": 160.0 + 2 * (i % 6),  # even: per foot 80..85 is a whole number
        },
        index=index,
    )
    keep = np.ones(n, dtype=bool)
    for a, b in pauses:
        keep[a + 1 : b] = False
    kw.setdefault("name", "Morning <easy> run")
    kw.setdefault("notes", "legs & lungs")
    kw.setdefault("device", "Synth Watch 1")
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


def _check_points(a: runload.Activity, track: Track) -> None:
    exp = track.samples
    assert len(a.samples) == len(exp)
    assert str(a.samples.index.tz) == "UTC"
    assert (a.samples.index == exp.index).all()
    # Coordinates are written in the shortest exact decimal: they read back exactly.
    np.testing.assert_array_equal(a.samples["latitude_deg"], exp["latitude_deg"])
    np.testing.assert_array_equal(a.samples["longitude_deg"], exp["longitude_deg"])
    np.testing.assert_array_equal(a.samples["elevation_m"], exp["elevation_m"])
    np.testing.assert_array_equal(a.samples["heart_rate_bpm"], exp["heart_rate_bpm"])


# --------------------------------------------------------------------------- round trips


def test_round_trip_values_distance_and_metadata():
    track = _track()
    a = _read(gpx_bytes(track))
    _check_points(a, track)
    # per-foot cadence (80..85) in the file, both feet (160..170) in runload
    np.testing.assert_array_equal(a.samples["cadence_spm"], track.samples["cadence_spm"])
    assert a.samples["distance_m"].iloc[-1] == pytest.approx((N - 1) * STEP_M, rel=1e-9)
    assert a.distance_m == pytest.approx(33_247.329, abs=0.01)  # 299 * 111.19508 m
    assert a.elapsed_time_s == (N - 1) * STEP_S
    assert a.moving_time_s == (N - 1) * STEP_S
    assert a.format == "gpx"
    assert a.sport == "running"
    assert a.surface == "road"
    assert a.name == "Morning <easy> run"
    assert a.notes == "legs & lungs"
    assert a.device == "Synth Watch 1"
    assert a.start_time_utc == T0
    assert a.samples[["speed_m_s", "power_w"]].isna().all().all()


@pytest.mark.parametrize("version", ["1.0", "1.1"])
@pytest.mark.parametrize("namespaced", [True, False])
@pytest.mark.parametrize("prefix", ["gpxtpx", "ns3", ""])
def test_versions_namespaces_and_prefixes_read_alike(version, namespaced, prefix):
    track = _track(40)
    data = gpx_bytes(track, version=version, namespaced=namespaced, extensions_prefix=prefix)
    if not namespaced:
        assert b'xmlns="' not in data
    a = _read(data)
    _check_points(a, track)
    np.testing.assert_array_equal(a.samples["cadence_spm"], track.samples["cadence_spm"])


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("space", ["", "\n", " \r\n\t \n"])
def test_bom_and_whitespace_before_declaration(bom, space):
    track = _track(10)
    data = gpx_bytes(track, bom=bom, leading_whitespace=space)
    assert data.startswith(b"\xef\xbb\xbf" if bom else space.encode())
    assert sniff_gpx(data[:4096])
    _check_points(_read(data), track)


def test_gzipped_file_on_disk(tmp_path):
    track = _track()
    path = tmp_path / "run.gpx.gz"
    path.write_bytes(gzip.compress(gpx_bytes(track)))
    a = runload.read_activity(path)
    _check_points(a, track)
    assert a.source_path == str(path)
    # the id is that of the decompressed content: same as the plain file
    assert a.activity_id == _read(gpx_bytes(track)).activity_id


def test_pause_between_segments_is_not_moving_time():
    # Samples 0..100, pause, 180..299: the writer starts a new <trkseg> after the pause.
    track = _track(pauses=[(100, 180)])
    data = gpx_bytes(track)
    assert data.count(b"<trkseg>") == 2
    a = _read(data)
    _check_points(a, track)
    assert a.elapsed_time_s == (N - 1) * STEP_S
    assert a.moving_time_s == (N - 1) * STEP_S - 80 * STEP_S  # minus the 1600 s pause
    # The path is straight: the distance across the break is still counted.
    assert a.distance_m == pytest.approx((N - 1) * STEP_M, rel=1e-9)


def test_several_tracks_and_short_pause():
    # A 10 s gap (under max_gap_s) is a pause only because a new <trk> starts there.
    track = _track(20)
    data = gpx_bytes(track).decode()
    lines = data.split("\n")
    k = next(i for i, line in enumerate(lines) if "<trkpt" in line) + 10  # after 10 points
    lines.insert(k, "</trkseg></trk><trk><name>second</name><trkseg>")
    raw = read_gpx("\n".join(lines).encode(), path="two.gpx")
    assert len(raw.samples) == 20
    t = track.samples.index
    assert raw.pauses == [(t[9], t[10])]
    assert raw.name == "Morning <easy> run"  # the first track's name
    a = _read("\n".join(lines).encode())
    assert a.moving_time_s == 19 * STEP_S - STEP_S


def test_points_without_time_are_dropped_and_counted():
    track = _track(12)
    data = gpx_bytes(track).decode()
    # Remove the <time> of points 3 and 7 (by hand: 2 points, 10 left).
    times = re.findall(r"<time>[^<]*</time>", data.split("<trk>")[1])
    for stamp in (times[3], times[7]):
        data = data.replace(stamp, "", 1)
    raw = read_gpx(data.encode(), path="x.gpx")
    assert len(raw.samples) == 10
    assert any("2 track point(s) without <time>" in w for w in raw.warnings)
    with pytest.warns(DataQualityWarning, match="without <time>"):
        a = runload.read_activity(io.BytesIO(data.encode()))
    expected = track.samples.drop(track.samples.index[[3, 7]])
    assert (a.samples.index == expected.index).all()
    np.testing.assert_array_equal(a.samples["latitude_deg"], expected["latitude_deg"])


# --------------------------------------------------------------------------- sport and cadence


@pytest.mark.parametrize(
    ("text", "sport", "sub_sport"),
    [
        ("running", "running", None),
        ("Run", "running", None),
        ("9", "running", None),
        ("trail_running", "running", "trail"),
        ("walking", "walking", None),
        ("hiking", "hiking", None),
        ("cycling", "cycling", None),
        ("biking", "cycling", None),
        ("Ride", "cycling", None),
        ("Kite Surfing", "kite surfing", None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_sport_names(text, sport, sub_sport):
    assert gpx_sport(text) == (sport, sub_sport)


@pytest.mark.parametrize(
    ("gpx_type", "factor"),
    [("running", 2.0), ("9", 2.0), ("hiking", 2.0), ("cycling", None), ("jkljkl", None)],
)
def test_cadence_doubled_for_foot_sports_only(gpx_type, factor):
    track = _track(10)
    data = gpx_bytes(track).replace(b"<type>running</type>", f"<type>{gpx_type}</type>".encode())
    raw = read_gpx(data, path="x.gpx")
    per_foot = track.samples["cadence_spm"].to_numpy() / 2  # what the file holds
    if factor is None:
        # Not a foot sport: the column is not there at all (runload.sports.cadence_spm).
        assert list(raw.samples.columns) == [
            "latitude_deg",
            "longitude_deg",
            "elevation_m",
            "heart_rate_bpm",
        ]
    else:
        np.testing.assert_array_equal(raw.samples["cadence_spm"], per_foot * factor)


def test_no_type_keeps_the_cadence_and_trail_type_means_trail():
    # Without <type> the sport is unknown: the cadence is kept, in steps of both feet (the
    # file holds 80..85 strides of one foot, runload.sports.cadence_spm doubles them).
    track = _track(10)
    data = gpx_bytes(track)
    raw = read_gpx(data.replace(b"<type>running</type>\n", b""), path="x.gpx")
    assert raw.sport is None
    np.testing.assert_array_equal(raw.samples["cadence_spm"], track.samples["cadence_spm"])
    a = _read(gpx_bytes(_track(10, sub_sport="trail")))
    assert (a.sport, a.sub_sport, a.surface) == ("running", "trail", "trail")


# --------------------------------------------------------------------------- hand-written files

STRAVA_LIKE = """<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
 <metadata><time>2021-06-01T05:00:00Z</time></metadata>
 <trk>
  <name>Lunch Run</name>
  <type>9</type>
  <trkseg>
   <trkpt lat="51.0" lon="4.0"><ele>10</ele><time>2021-06-01T05:00:00Z</time>
    <extensions><power>250</power><gpxdata:hr>150</gpxdata:hr><gpxdata:cadence>88</gpxdata:cadence>
    </extensions></trkpt>
   <trkpt lat="51.0001" lon="4.0"><ele>11</ele><time>2021-06-01T05:00:01Z</time>
    <extensions><power>260</power><gpxdata:hr>151</gpxdata:hr><gpxdata:cadence>89</gpxdata:cadence>
    </extensions></trkpt>
  </trkseg>
 </trk>
</gpx>
"""


def test_undeclared_prefix_reads_in_recover_mode():
    raw = read_gpx(STRAVA_LIKE.encode(), path="strava.gpx")
    assert raw.sport == "running"
    assert raw.name == "Lunch Run"
    assert raw.device == "StravaGPX"
    np.testing.assert_array_equal(raw.samples["heart_rate_bpm"], [150.0, 151.0])
    np.testing.assert_array_equal(raw.samples["cadence_spm"], [176.0, 178.0])
    np.testing.assert_array_equal(raw.samples["power_w"], [250.0, 260.0])


def test_undeclared_prefix_does_not_hide_a_syntax_error():
    broken = STRAVA_LIKE.replace("</trkseg>", "</trk>")
    with pytest.raises(ParseError) as err:
        read_gpx(broken.encode(), path="strava.gpx")
    assert err.value.reason == "xml_syntax"
    assert err.value.line == 14  # the line of the misplaced </trk>, counted by hand


def test_times_with_offsets_fractions_and_naive():
    stamps = [
        "2021-06-01T07:00:00+02:00",  # 05:00:00 UTC
        "2021-06-01T05:00:01.250Z",
        " 2021-06-01T05:00:02 ",  # naive: taken as UTC
        "2021-06-01T00:00:03-05:00",  # 05:00:03 UTC
    ]
    pts = "".join(f'<trkpt lat="51.0" lon="4.0"><time>{s}</time></trkpt>\n' for s in stamps)
    doc = f"<gpx><trk><trkseg>\n{pts}</trkseg></trk></gpx>"
    raw = read_gpx(doc.encode(), path="t.gpx")
    expected = pd.DatetimeIndex(
        [
            "2021-06-01T05:00:00",
            "2021-06-01T05:00:01.25",
            "2021-06-01T05:00:02",
            "2021-06-01T05:00:03",
        ]
    ).tz_localize("UTC")
    assert (raw.samples.index == expected).all()


@pytest.mark.parametrize(
    ("trk_text", "root_text", "name", "notes"),
    [
        ("<name>T</name><cmt>C</cmt><desc>D</desc>", "", "T", "D"),  # desc preferred to cmt
        ("<cmt>C</cmt>", "", None, "C"),
        ("", "<name>R</name><desc>RD</desc>", "R", "RD"),  # GPX 1.0: under <gpx>
        ("", "<metadata><name>M</name><desc>MD</desc></metadata>", "M", "MD"),  # GPX 1.1
        ("<name>T</name>", "<metadata><name>M</name></metadata>", "T", None),
    ],
)
def test_name_and_notes(trk_text, root_text, name, notes):
    doc = (
        f'<gpx creator=" Phone ">{root_text}<trk>{trk_text}<trkseg>'
        '<trkpt lat="1" lon="2"><name>point name</name><desc>point desc</desc>'
        "<time>2021-06-01T05:00:00Z</time></trkpt></trkseg></trk></gpx>"
    )
    raw = read_gpx(doc.encode(), path="n.gpx")
    assert (raw.name, raw.notes, raw.device) == (name, notes, "Phone")


def test_unreadable_time_names_its_line():
    good = '<trkpt lat="1" lon="2"><time>2021-06-01T05:00:00Z</time></trkpt>\n'
    doc = "<gpx><trk><trkseg>\n" + good * 3
    doc += '<trkpt lat="1" lon="2"><time>yesterday</time></trkpt>\n</trkseg></trk></gpx>'
    with pytest.raises(ParseError) as err:
        read_gpx(doc.encode(), path="t.gpx")
    assert err.value.reason == "bad_time"
    assert err.value.line == 5


def test_invalid_positions_are_kept_without_position():
    doc = (
        "<gpx><trk><type>running</type><trkseg>\n"
        '<trkpt lat="95.0" lon="4.0"><time>2021-06-01T05:00:00Z</time></trkpt>\n'
        '<trkpt lat="north" lon="4.0"><time>2021-06-01T05:00:01Z</time></trkpt>\n'
        '<trkpt lat="51.0" lon="4.0"><time>2021-06-01T05:00:02Z</time></trkpt>\n'
        "</trkseg></trk></gpx>"
    )
    raw = read_gpx(doc.encode(), path="p.gpx")
    assert len(raw.samples) == 3
    np.testing.assert_array_equal(raw.samples["latitude_deg"], [np.nan, np.nan, 51.0])
    assert any("invalid position" in w for w in raw.warnings)


@pytest.mark.parametrize(
    ("doc", "what"),
    [
        ("<gpx/>", "no track points"),
        ("<gpx><trk><trkseg></trkseg></trk></gpx>", "no track points"),
        ('<gpx><rte><rtept lat="1" lon="2"/></rte></gpx>', "routes or waypoints"),
        ('<gpx><trk><trkseg><trkpt lat="1" lon="2"/></trkseg></trk></gpx>', "lack a <time>"),
    ],
)
def test_nothing_to_import_is_empty(doc, what):
    with pytest.raises(ParseError, match=what) as err:
        runload.read_activity(io.BytesIO(doc.encode()))
    assert err.value.reason == "empty"


def test_doctype_refused_through_read_activity():
    data = gpx_bytes(_track(5)).replace(b"<gpx ", b'<!DOCTYPE gpx [<!ENTITY who "me">]>\n<gpx ', 1)
    with pytest.raises(UnsafeInputError) as err:
        runload.read_activity(io.BytesIO(data))
    assert err.value.reason == "doctype"
    assert err.value.line == 2


def test_long_file_across_conversion_chunks():
    # More points than one conversion chunk (16 384), with a pause and a point
    # without time on either side of the chunk boundary: nothing shifts.
    from runload.io.xmlsafe import PointTable

    n = PointTable.chunk + 700
    track = _track(n, pauses=[(PointTable.chunk - 3, PointTable.chunk + 2)])
    data = gpx_bytes(track).decode()
    stamps = re.findall(r"<time>[^<]*</time>", data.split("<trk>")[1])
    drop = [PointTable.chunk - 10, PointTable.chunk + 100]  # positions among the written points
    for k in sorted(drop, reverse=True):
        head, _, tail = data.rpartition(stamps[k])
        data = head + tail
    raw = read_gpx(data.encode(), path="long.gpx")
    expected = track.samples.drop(track.samples.index[drop])
    assert "2 track point(s) without <time> dropped" in raw.warnings
    assert (raw.samples.index == expected.index).all()
    np.testing.assert_array_equal(raw.samples["latitude_deg"], expected["latitude_deg"])
    np.testing.assert_array_equal(raw.samples["heart_rate_bpm"], expected["heart_rate_bpm"])
    t = track.samples.index
    gap = PointTable.chunk - 3 + 1  # index, among written points, of the first after the pause
    assert raw.pauses == [(t[gap - 1], t[gap])]


# --------------------------------------------------------------------------- corpus

GPX_FILES = manifest().query("format == 'gpx'")


def _gpxpy_points(data: bytes):
    gpxpy = pytest.importorskip("gpxpy")
    try:
        doc = gpxpy.parse(data.decode("utf-8-sig"))
    except Exception:  # gpxpy cannot read it: nothing to compare with
        return None
    pts = [p for t in doc.tracks for s in t.segments for p in s.points if p.time is not None]
    return pts


def _utc_seconds(t: dt.datetime) -> float:
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.timestamp()


@needs_corpus
@pytest.mark.parametrize(
    "local_path", GPX_FILES["local_path"].tolist(), ids=lambda p: p.split("/", 1)[-1][-60:]
)
def test_corpus_gpx_imports_or_refuses_and_matches_gpxpy(local_path):
    data = (CORPUS / local_path).read_bytes()
    try:
        raw = read_gpx(data, path=local_path)
    except RunloadError as exc:
        raw, refusal = None, exc
    else:
        refusal = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        try:
            runload.read_activity(CORPUS / local_path)
        except RunloadError:
            assert refusal is not None  # the reader and read_activity agree
    pts = _gpxpy_points(data)
    if pts is None:
        pytest.skip(f"gpxpy cannot read {local_path}: nothing to compare with")
    if raw is None and refusal is not None and refusal.reason == "time_out_of_range":
        # Times outside 1980-2100 are refused, not read (issue 10); gpxpy reads them.
        assert pts and all(not 1980 <= p.time.year <= 2100 for p in pts if p.time is not None)
        return
    if raw is None:
        # Refused files hold no timed track point by gpxpy's reading either.
        assert refusal is not None and refusal.reason == "empty"
        assert pts == []
        return
    s = raw.samples
    assert len(s) == len(pts)
    np.testing.assert_array_equal(s["latitude_deg"], [p.latitude for p in pts])
    np.testing.assert_array_equal(s["longitude_deg"], [p.longitude for p in pts])
    ele = [np.nan if p.elevation is None else p.elevation for p in pts]
    if "elevation_m" in s:
        np.testing.assert_array_equal(s["elevation_m"], ele)
    else:
        assert np.isnan(ele).all()
    np.testing.assert_allclose(
        s.index.asi8 / 1e9, [_utc_seconds(p.time) for p in pts], rtol=0, atol=1e-6
    )


@needs_corpus
def test_corpus_strava_and_garmin_exports_of_one_ride_agree():
    # The same ride exported by Strava (type 1) and by Garmin Connect (type cycling).
    base = CORPUS / "GoldenCheetah__sweatpy/sweat/examples/data"
    if not (base / "4078723797_strava.gpx").is_file():
        pytest.skip("sweatpy files not in the corpus")
    strava = read_gpx((base / "4078723797_strava.gpx").read_bytes(), path="s")
    garmin = read_gpx((base / "activity_4078723797.gpx").read_bytes(), path="g")
    assert strava.sport == garmin.sport == "cycling"
    assert (strava.samples.index == garmin.samples.index).all()
    s, g = strava.samples, garmin.samples
    np.testing.assert_allclose(s["latitude_deg"], g["latitude_deg"], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(s["heart_rate_bpm"], g["heart_rate_bpm"])


# --------------------------------------------------------------------------- tree and stream
# Small documents are parsed whole and read from the tree; large ones are streamed.  Both
# readings must give the same RawActivity (or the same error) for every document.


def _read_by_tree(data: bytes, path: str) -> RawActivity:
    return read_by_tree(gpx_module, data, path)


def _read_by_stream(data: bytes, path: str) -> RawActivity:
    return read_by_stream(gpx_module, data, path)


def _assert_readings_agree(data: bytes, *, tree: bool | None) -> None:
    assert_readings_agree(gpx_module, read_gpx, data, tree=tree, path="t.gpx")


@pytest.mark.parametrize("version", ["1.0", "1.1"])
@pytest.mark.parametrize("namespaced", [True, False])
@pytest.mark.parametrize("prefix", ["gpxtpx", "ns3", ""])
def test_tree_and_stream_agree_on_writer_files(version, namespaced, prefix):
    track = _track(60, pauses=[(20, 30)])
    data = gpx_bytes(track, version=version, namespaced=namespaced, extensions_prefix=prefix)
    _assert_readings_agree(data, tree=True)


def test_tree_and_stream_agree_across_tracks_segments_and_dropped_points():
    track = _track(40, pauses=[(10, 15)])
    text = gpx_bytes(track).decode()
    lines = text.split("\n")
    k = next(i for i, line in enumerate(lines) if "<trkpt" in line) + 25
    lines.insert(k, "</trkseg><trkseg/></trk><trk><name>second</name><type>walk</type><trkseg>")
    text = "\n".join(lines)
    head, body = text.split("<trk>", 1)
    stamps = re.findall(r"<time>[^<]*</time>", body)
    for stamp in (stamps[0], stamps[24], stamps[25]):  # around both breaks
        body = body.replace(stamp, "<time> </time>", 1)
    text = head + "<trk>" + body
    raw = _read_by_tree(text.encode(), "t.gpx")
    assert "3 track point(s) without <time> dropped" in raw.warnings  # by hand: 3 blanked
    assert len(raw.pauses) == 2  # by hand: 2 breaks
    _assert_readings_agree(text.encode(), tree=True)


def test_tree_and_stream_agree_across_conversion_chunks():
    from runload.io.xmlsafe import PointTable

    n = PointTable.chunk + 300
    track = _track(n, pauses=[(PointTable.chunk - 2, PointTable.chunk + 1)])
    _assert_readings_agree(gpx_bytes(track), tree=True)


HEAD = (
    '<?xml version="1.0"?>\n<gpx creator="Edge" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:x="urn:x">'
)


def _pts(a: int, b: int, extra: str = "") -> str:
    return "".join(
        f'<trkpt lat="{45 + i / 1000}" lon="7.25"><ele>{200 + i % 7}</ele>'
        f"<time>2021-06-01T05:{i // 60:02d}:{i % 60:02d}Z</time>{extra}</trkpt>\n"
        for i in range(a, b)
    )


def _trk(points: str, head: str = "") -> str:
    return f"<trk>{head}<trkseg>{points}</trkseg></trk>"


def _ext(inner: str) -> str:
    return f"<extensions>{inner}</extensions>"


# Structures the tree reading reads itself: values in odd forms, segments, metadata.
TREE_DOCS = {
    "comment-in-value": _trk(_pts(0, 3, _ext("<x:hr>1<!-- c -->2</x:hr>"))),
    "cdata-and-case": _trk(
        _pts(0, 3, _ext("<x:HR><![CDATA[150]]></x:HR><x:Cadence> 80 </x:Cadence>"))
    ),
    "last-wins": _trk(
        _pts(0, 3, _ext("<x:ele>1</x:ele><x:ele/><x:time>2021-06-01T06:00:00Z</x:time>")),
        head="<type>run</type>",
    ),
    "text-split-by-element": _trk(_pts(0, 3, _ext("<x:power>5<x:b/>6</x:power>"))),
    "blank-values": _trk(_pts(0, 3, _ext("<x:hr> </x:hr>"))),
    "bad-numbers": _trk(
        _pts(0, 3, _ext("<x:hr>fast</x:hr><x:cad>-nan</x:cad><x:speed>1_0</x:speed>"))
    ),
    "empty-segments": (
        f"<trk><trkseg/><trkseg>{_pts(0, 3)}</trkseg><trkseg></trkseg>"
        f"<trkseg>{_pts(3, 6)}</trkseg></trk>" + _trk(_pts(10, 12))
    ),
    "metadata-variants": (
        "<metadata><desc>md</desc></metadata><metadata><name>m2</name></metadata>"
        + _trk(_pts(0, 3), head="<cmt>c</cmt>")
        + _trk(_pts(3, 5), head="<name>second</name>")
    ),
    "point-in-other-namespace": _trk(
        _pts(0, 3) + '<x:trkpt lat="1" lon="2"><time>2021-06-01T07:00:00Z</time></x:trkpt>'
    ),
    "offset-times": _trk(
        _pts(0, 2) + '<trkpt lat="1" lon="2"><time>2021-06-01T07:00:05+02:00</time></trkpt>'
    ),
    "unsorted": _trk(_pts(5, 9) + _pts(0, 6)),
    "bad-time": _trk(_pts(0, 3) + _pts(3, 4, "<x:time>soon</x:time>")),
    "all-untimed": _trk('<trkpt lat="1" lon="2"/>') + '<wpt lat="1" lon="2"/>',
    "waypoints-only": '<wpt lat="1" lon="2"/><rte><rtept lat="1" lon="2"/></rte>',
}
# Structures only the stream reads as it should (it frees elements as it goes): the tree defers.
STREAM_DOCS = {
    "points-without-segment": f"<trk><name>N</name>{_pts(0, 300)}</trk>",
    "nested-tracks": (
        f"<trk><name>outer</name><trkseg>{_pts(0, 5)}</trkseg>"
        + _trk(_pts(5, 9), head="<name>inner</name>")
        + "</trk>"
    ),
    "nested-segments": _trk(_pts(0, 5) + f"<trkseg>{_pts(5, 9)}</trkseg>" + _pts(9, 12)),
    "waypoint-in-point": _trk(_pts(0, 3) + _pts(3, 4, _ext("<wpt><x:hr>99</x:hr></wpt>"))),
    "point-in-point": _trk(_pts(0, 3) + _pts(3, 4, _ext(_pts(4, 5)))),
    "nested-metadata": (
        "<metadata><name>a</name><metadata><name>b</name></metadata></metadata>" + _trk(_pts(0, 3))
    ),
    "malformed": f"<trk><trkseg>{_pts(0, 3)}</trk>",
    "undeclared-prefix": _trk(_pts(0, 3, _ext("<gpxdata:hr>140</gpxdata:hr>"))),
}


@pytest.mark.parametrize("name", sorted(TREE_DOCS))
def test_tree_and_stream_agree_on_hand_written_files(name):
    _assert_readings_agree((HEAD + TREE_DOCS[name] + "</gpx>").encode(), tree=True)


@pytest.mark.parametrize("name", sorted(STREAM_DOCS))
def test_tree_defers_to_the_stream_where_they_would_differ(name):
    _assert_readings_agree((HEAD + STREAM_DOCS[name] + "</gpx>").encode(), tree=False)


def test_large_documents_are_streamed(monkeypatch):
    data = gpx_bytes(_track(50))

    def no_tree(data, path):
        raise AssertionError("the tree reading was used")

    monkeypatch.setattr(gpx_module, "_read_scanned", no_tree)
    monkeypatch.setattr(gpx_module, "_read_parsed", no_tree)
    monkeypatch.setattr(gpx_module, "SCAN_MAX_BYTES", len(data) - 1)
    monkeypatch.setattr(gpx_module, "TREE_MAX_BYTES", len(data) - 1)
    streamed = read_gpx(data, path="big.gpx")
    monkeypatch.undo()
    assert_same_outcome(streamed, read_gpx(data, path="big.gpx"))


@needs_corpus
@pytest.mark.parametrize(
    "local_path", GPX_FILES["local_path"].tolist(), ids=lambda p: p.split("/", 1)[-1][-60:]
)
def test_corpus_tree_and_stream_agree(local_path):
    _assert_readings_agree((CORPUS / local_path).read_bytes(), tree=None)


@needs_corpus
def test_corpus_is_read_by_the_tree():
    # So that the comparison above is not empty: the corpus files are well-formed, with their
    # points in segments, and the tree reading reads (nearly) all of them.
    paths = GPX_FILES["local_path"].tolist()
    read = [gpx_module._read_parsed((CORPUS / p).read_bytes(), p) is not None for p in paths]
    assert sum(read) >= 0.9 * len(paths)


@pytest.mark.parametrize(
    "data",
    [
        ('<?xml version="1.0" encoding="UTF-16"?>\n' + HEAD.split("\n", 1)[1]).encode("utf-16"),
        ('<?xml version="1.0" encoding="ISO-8859-1"?>\n<gpx creator="caf\xe9">').encode("latin-1"),
        b"\xef\xbb\xbf \r\n" + HEAD.encode(),
    ],
    ids=["utf-16", "latin-1", "bom-and-whitespace"],
)
def test_tree_and_stream_agree_on_encodings(data):
    body = _trk(_pts(0, 5), head="<name>\xe9t\xe9</name>") + "</gpx>"
    encoding = (
        "utf-16-le" if data.startswith(b"\xff\xfe") else "latin-1" if b"8859" in data else "utf-8"
    )
    _assert_readings_agree(data + body.encode(encoding), tree=True)


@pytest.mark.parametrize(
    ("where", "n"),
    [("trk", 300), ("trk", 1000), ("gpx", 300)],
)
def test_stream_keeps_the_names_of_tracks_whose_points_are_outside_segments(where, n):
    # The stream frees the points it has read every 256 points; it used to free the
    # track's <name> (and <type>) with them when the points sat directly in the <trk>.
    pts = _pts(0, n)
    if where == "trk":
        body = f"<trk><name>Outside</name><type>running</type>{pts}</trk>"
    else:  # GPX 1.0 keeps the name under <gpx>
        body = f"<name>Root</name>{pts}"
    data = (HEAD + body + "</gpx>").encode()
    assert gpx_module._read_scanned(data, "t.gpx") is None  # no segment: streamed
    assert gpx_module._read_parsed(data, "t.gpx") is None
    raw = read_gpx(data, path="t.gpx")
    assert len(raw.samples) == n
    if where == "trk":
        assert (raw.name, raw.sport) == ("Outside", "running")
    else:
        assert raw.name == "Root"
