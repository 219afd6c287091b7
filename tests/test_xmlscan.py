"""Reading regular GPX/TCX documents by pattern (runload.io.xmlscan) gives what the tree gives.

Every document here is read every way that applies (pattern, parsed tree, stream) and the
outcomes compared exactly (``tests/tree_stream.py``); each case also says whether the pattern
reading must apply, so that a change which quietly stops using it, or starts using it where it
is not proved exact, fails.
"""

from __future__ import annotations

import gzip
import re

import numpy as np
import pandas as pd
import pytest
from corpus import CORPUS, needs_corpus
from tree_stream import assert_readings_agree, assert_same_outcome, read_by_pattern

from runload.io import gpx as gpx_module
from runload.io import tcx as tcx_module
from runload.io import xmlscan
from runload.io.gpx import read_gpx
from runload.io.tcx import read_tcx
from runload.io.xmlscan import ScanSpec, fits_skeleton, scan_track
from runload.testing.gpx import gpx_bytes
from runload.testing.tcx import tcx_bytes
from runload.testing.track import Track

T0 = pd.Timestamp("2024-05-04T07:00:00Z")


def _track(n: int = 40, *, pauses: tuple[tuple[int, int], ...] = ()) -> Track:
    i = np.arange(n)
    index = pd.DatetimeIndex(T0 + pd.to_timedelta(i * 5, unit="s"), name="time")
    samples = pd.DataFrame(
        {
            "latitude_deg": 45.0 + i * 1e-4,
            "longitude_deg": 7.25 + i * 3e-5,
            "elevation_m": 200.0 + (i % 7) * 0.5,
            "heart_rate_bpm": 130.0 + (i % 11),
            "cadence_spm": 160.0 + 2 * (i % 6),
        },
        index=index,
    )
    keep = np.ones(n, dtype=bool)
    for a, b in pauses:
        keep[a + 1 : b] = False
    return Track(
        samples=samples[keep],
        sport="running",
        pauses=[(index[a], index[b]) for a, b in pauses],
        name="Run & fun",
        notes="hills",
        device="Synth Watch 1",
    )


GPX = gpx_bytes(_track())
GPX_TWO_SEGMENTS = gpx_bytes(_track(pauses=((10, 20),)))
TCX = tcx_bytes(_track())
TCX_TWO_TRACKS = tcx_bytes(_track(pauses=((10, 20),)))


def _nth_point(doc: bytes, tag: bytes, k: int) -> tuple[int, int]:
    """Start and end offsets of the k-th point element of ``doc``."""
    starts = [m.start() for m in re.finditer(b"<" + tag + b"[ >]", doc)]
    end = doc.index(b"</" + tag + b">", starts[k]) + len(tag) + 3
    return starts[k], end


def _edit_point(doc: bytes, tag: bytes, k: int, old: bytes, new: bytes) -> bytes:
    a, b = _nth_point(doc, tag, k)
    point = doc[a:b]
    assert old in point, (old, point)
    return doc[:a] + point.replace(old, new, 1) + doc[b:]


def _sub_point(doc: bytes, tag: bytes, k: int, pattern: bytes, new: bytes) -> bytes:
    a, b = _nth_point(doc, tag, k)
    point, n = re.subn(pattern, new, doc[a:b], count=1)
    assert n == 1, (pattern, point)
    return doc[:a] + point + doc[b:]


def _gpx_agree(data: bytes, *, pattern: bool) -> None:
    assert_readings_agree(gpx_module, read_gpx, data, tree=None, path="t.gpx", pattern=pattern)


def _tcx_agree(data: bytes, *, pattern: bool) -> None:
    assert_readings_agree(tcx_module, read_tcx, data, tree=None, path="t.tcx", pattern=pattern)


# Documents the pattern reading reads, and must read exactly as the tree does.
GPX_READ = {
    "writer": GPX,
    "two-segments": GPX_TWO_SEGMENTS,
    "crlf": GPX.replace(b"\n", b"\r\n"),
    "bom-and-space": b"\xef\xbb\xbf  \n" + GPX,
    "no-declaration": GPX[GPX.index(b"<gpx") :],
    "gpx-1.0-no-namespace": gpx_bytes(_track(), version="1.0", namespaced=False),
    "other-prefix": gpx_bytes(_track(), extensions_prefix="ns3"),
    "entity-outside-points": GPX.replace(b"<name>", b"<name>&lt;b&gt; ", 1),
    "self-closing-segment": GPX.replace(b"<trkseg>", b"<trkseg/><trkseg>", 1),
    "text-between-points": GPX.replace(b"</trkpt>\n", b"</trkpt> junk > text \n"),
    "single-quotes": re.sub(rb'(lat|lon)="([^"]*)"', rb"\1='\2'", GPX),
    "lon-before-lat": re.sub(rb'lat="([^"]*)" lon="([^"]*)"', rb'lon="\2" lat="\1"', GPX),
    "unreadable-number": GPX.replace(b"<ele>", b"<ele>x", 3),
    "bad-time": _edit_point(GPX, b"trkpt", 5, b"Z</time>", b"Zsoon</time>"),
    # Not ISO 8601: refused (numpy would warn and apply the offset).
    "offset-and-z": GPX.replace(b"Z</time>", b"+01:00Z</time>"),
    "time-out-of-range": GPX.replace(b"<time>2024-05-04T07:00:", b"<time>1900-05-04T07:00:"),
    "times-only": re.sub(
        rb"<ele>[^<]*</ele>|<extensions>.*?</extensions>", b"", GPX, flags=re.DOTALL
    ),
    "two-tracks": GPX.replace(b"</trk>", b"</trk><trk><name>b</name></trk>", 1),
    "whitespace-value": GPX.replace(b"<ele>", b"<ele> ", 5),
    "non-ascii-outside-points": GPX.replace(b"<name>", "<name>Lauf ü ".encode(), 1),
}

# Documents it must leave to the tree or the stream (which must still agree).
GPX_LEFT = {
    "comment": GPX.replace(b"<trkseg>", b"<trkseg><!-- <trkpt> -->", 1),
    "cdata": GPX.replace(b"<name>", b"<name><![CDATA[x]]>", 1),
    "processing-instruction": GPX.replace(b"<trk>", b"<?pi <trkseg> ?><trk>", 1),
    "entity-in-point": GPX.replace(b"<ele>2", b"<ele>&#50;", 1),
    "latin-1": GPX.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"', 1)
    if b'encoding="UTF-8"' in GPX
    else GPX.replace(b"?>", b' encoding="ISO-8859-1"?>', 1),
    "point-without-hr": _sub_point(GPX, b"trkpt", 7, rb"<gpxtpx:hr>[^<]*</gpxtpx:hr>", b""),
    "last-point-without-hr": _sub_point(GPX, b"trkpt", 39, rb"<gpxtpx:hr>[^<]*</gpxtpx:hr>", b""),
    "one-point-reindented": _edit_point(GPX, b"trkpt", 3, b"<ele>", b"\n  <ele>"),
    "undeclared-prefix": re.sub(rb' xmlns:gpxtpx="[^"]*"', b"", GPX, count=1),
    "control-character": _edit_point(GPX, b"trkpt", 2, b"<ele>", b"<ele>\x01"),
    "cdata-end-in-text": GPX.replace(b"</trkpt>\n", b"</trkpt> ]]> \n", 1),
    "nested-segment": GPX.replace(b"</trkpt>\n", b"</trkpt><trkseg></trkseg>\n", 1),
    "point-outside-segment": GPX.replace(b"<trkseg>", b"", 1).replace(b"</trkseg>", b"", 1),
    "no-times": re.sub(rb"<time>[^<]*</time>", b"", GPX),
    "empty-value": _sub_point(GPX, b"trkpt", 0, rb"<ele>[^<]*</ele>", b"<ele></ele>"),
    "later-empty-value": _sub_point(GPX, b"trkpt", 9, rb"<ele>[^<]*</ele>", b"<ele></ele>"),
    # A value element written <hr/> is None in the tree, and the last hr of a point wins.
    "self-closing-value": GPX.replace(b"<gpxtpx:cad>", b"<gpxtpx:hr/><gpxtpx:cad>"),
    "duplicate-attribute": _edit_point(GPX, b"trkpt", 0, b" lon=", b' lat="1" lon='),
    "duplicate-attribute-inside": GPX.replace(b"<ele>", b'<ele a="1" a="2">'),
    "no-break-space-in-tags": GPX.replace(b"<ele>", "<ele\u00a0>".encode()),
    "prefix-declared-in-point": GPX.replace(b"<extensions>", b'<extensions xmlns:q="urn:q">'),
    "unclosed-point": _edit_point(GPX, b"trkpt", 4, b"</trkpt>", b""),
    "segment-never-closed": GPX[: GPX.rindex(b"</trkseg>")],
}


def test_an_irregular_point_between_the_sampled_ones_is_refused_by_the_count():
    """The first points and a few per quarter are checked early; the count proves the rest."""
    doc = gpx_bytes(_track(400))
    late = _sub_point(doc, b"trkpt", 60, rb"<gpxtpx:hr>[^<]*</gpxtpx:hr>", b"")
    spec = gpx_module.SCAN_SPEC
    shape = xmlscan._learn(late.decode(), late.index(b"<trkpt"), False, spec)
    assert shape is not None
    assert xmlscan._sampled_points_match(shape, late.decode(), late.index(b"<trkpt"))
    _gpx_agree(late, pattern=False)
    _gpx_agree(doc, pattern=True)


def test_mutations_did_what_they_say():
    """Each edited document differs from the one it was made from (the edit applied)."""
    for name, doc in {**GPX_READ, **GPX_LEFT}.items():
        if name not in ("writer", "two-segments"):
            assert doc != GPX, name
    for name, doc in {**TCX_READ, **TCX_LEFT}.items():
        if name not in ("writer", "two-tracks"):
            assert doc != TCX, name


@pytest.mark.parametrize("name", sorted(GPX_READ))
def test_gpx_read_by_pattern_exactly_as_the_tree(name):
    _gpx_agree(GPX_READ[name], pattern=True)


@pytest.mark.parametrize("name", sorted(GPX_LEFT))
def test_gpx_left_to_the_tree_or_stream(name):
    _gpx_agree(GPX_LEFT[name], pattern=False)


def test_gpx_pattern_values_are_the_writer_values():
    """Independent of the tree: the pattern reading gives the numbers the writer wrote."""
    track = _track()
    raw = read_by_pattern(gpx_module, GPX, "t.gpx")
    np.testing.assert_allclose(raw.samples["latitude_deg"], track.samples["latitude_deg"])
    np.testing.assert_allclose(raw.samples["elevation_m"], track.samples["elevation_m"])
    np.testing.assert_array_equal(raw.samples["heart_rate_bpm"], track.samples["heart_rate_bpm"])
    assert (raw.samples.index == track.samples.index).all()
    assert raw.name == "Run & fun"


def test_gpx_segments_become_pauses_by_pattern():
    raw = read_by_pattern(gpx_module, GPX_TWO_SEGMENTS, "t.gpx")
    assert raw.pauses == [(T0 + pd.Timedelta(seconds=50), T0 + pd.Timedelta(seconds=100))]


TCX_READ = {
    "writer": TCX,
    "two-tracks": TCX_TWO_TRACKS,
    "crlf": TCX.replace(b"\n", b"\r\n"),
    "tpx-default-namespace": tcx_bytes(_track(), run_cadence_prefix=""),
    "second-activity": TCX.replace(
        b"</Activities>",
        b'<Activity Sport="Biking"><Id>2024-05-05T07:00:00Z</Id>'
        + TCX[TCX.index(b"<Lap") : TCX.index(b"</Lap>") + 6]
        + b"</Activity></Activities>",
        1,
    ),
    "course-after-activity": TCX.replace(
        b"</Activities>",
        b"</Activities><Courses><Course><Name>c</Name>"
        + TCX[TCX.index(b"<Track>") : TCX.index(b"</Track>") + 8]
        + b"</Course></Courses>",
        1,
    ),
}

TCX_LEFT = {
    "comment": TCX.replace(b"<Track>", b"<Track><!-- x -->", 1),
    "trackpoint-in-lap": TCX.replace(b"<Track>", b"", 1).replace(b"</Track>", b"", 1),
    "point-with-a-lap": _edit_point(TCX, b"Trackpoint", 0, b"</Time>", b"</Time><Lap/>"),
    "nested-activity": TCX.replace(b"<Lap ", b"<Activity><Id>x</Id></Activity><Lap ", 1),
}


@pytest.mark.parametrize("name", sorted(TCX_READ))
def test_tcx_read_by_pattern_exactly_as_the_tree(name):
    _tcx_agree(TCX_READ[name], pattern=True)


@pytest.mark.parametrize("name", sorted(TCX_LEFT))
def test_tcx_left_to_the_tree_or_stream(name):
    _tcx_agree(TCX_LEFT[name], pattern=False)


def test_tcx_pattern_values_are_the_writer_values():
    track = _track()
    raw = read_by_pattern(tcx_module, TCX, "t.tcx")
    np.testing.assert_allclose(raw.samples["longitude_deg"], track.samples["longitude_deg"])
    np.testing.assert_array_equal(raw.samples["cadence_spm"], track.samples["cadence_spm"])
    assert (raw.samples.index == track.samples.index).all()


def test_scan_track_counts_each_container_and_cuts_the_points_out():
    doc = (
        b'<?xml version="1.0"?><r xmlns:p="urn:p"><s/><s>\n'
        b'<pt a="1"><t>x</t><p:v>2</p:v></pt>\n<pt a="3"><t>y</t><p:v>4</p:v></pt>\n'
        b"</s><s> </s><s><pt a='5'><t>z</t><p:v>6</p:v></pt></s></r>"
    )
    spec = ScanSpec(
        point="pt",
        container="s",
        structure=frozenset({"s"}),
        fields={"t": 0, "v": 1},
        attributes={"a": 2},
        time_slot=0,
    )
    assert scan_track(doc, spec) is None  # the third point's quotes: not the first's layout
    doc = doc.replace(b"a='5'", b'a="5"')
    scan = scan_track(doc, spec)
    assert scan is not None
    assert scan.counts == [0, 2, 0, 1]
    assert scan.columns == {0: ("x", "y", "z"), 1: ("2", "4", "6"), 2: ("1", "3", "5")}
    assert scan.prefixes == {"p"}
    assert scan.skeleton == (
        b'<?xml version="1.0"?><r xmlns:p="urn:p"><s/><s></s><s></s><s></s></r>'
    )


def test_fits_skeleton_checks_the_containers_names_order_and_number():
    """The skeleton's containers must be the scanned ones: same number, names, order."""
    from runload.io.xmlsafe import parse_tree

    doc = (
        b'<?xml version="1.0"?><gpx xmlns:g="urn:g"><trk><trkseg>'
        + b"<trkpt><time>2024-05-04T07:00:00Z</time></trkpt></trkseg>"
        + b"<g:trkseg></g:trkseg></trk></gpx>"
    )
    scan = scan_track(doc, gpx_module.SCAN_SPEC)
    assert scan is not None
    assert scan.containers == ["trkseg", "g:trkseg"]
    root = parse_tree(scan.skeleton)
    segments = list(root.iter("{*}trkseg"))
    assert fits_skeleton(scan, segments)
    assert not fits_skeleton(scan, segments[::-1])  # another order
    assert not fits_skeleton(scan, segments[:1])  # another number
    other = parse_tree(scan.skeleton.replace(b"g:trkseg", b"trkseg"))
    assert not fits_skeleton(scan, list(other.iter("{*}trkseg")))  # other names


def _corpus_files(*suffixes: str) -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name.lower().endswith(suffixes)
    )


@needs_corpus
@pytest.mark.parametrize("local_path", _corpus_files(".gpx", ".gpx.gz", ".tcx", ".tcx.gz"))
def test_corpus_files_agree_every_way(local_path):
    data = (CORPUS / local_path).read_bytes()
    if local_path.endswith(".gz"):
        data = gzip.decompress(data)
    if ".gpx" in local_path:
        assert_readings_agree(gpx_module, read_gpx, data, tree=None, path=local_path)
    else:
        assert_readings_agree(tcx_module, read_tcx, data, tree=None, path=local_path)


@pytest.mark.parametrize(
    ("module", "read", "doc"), [(gpx_module, read_gpx, GPX), (tcx_module, read_tcx, TCX)]
)
def test_size_limits_pick_the_reading(module, read, doc, monkeypatch):
    """Above the tree's limit a regular document is still read by pattern; above the
    pattern's limit it is streamed."""
    expected = read(doc, path="t")

    def refuse(data, path):
        raise AssertionError("this reading must not be used")

    monkeypatch.setattr(module, "TREE_MAX_BYTES", len(doc) - 1)
    monkeypatch.setattr(module, "_read_parsed", refuse)
    monkeypatch.setattr(module, "_read_stream", refuse)
    assert_same_outcome(read(doc, path="t"), expected)

    monkeypatch.undo()
    streamed = module._read_stream
    monkeypatch.setattr(module, "SCAN_MAX_BYTES", len(doc) - 1)
    monkeypatch.setattr(module, "TREE_MAX_BYTES", len(doc) - 1)
    monkeypatch.setattr(module, "_read_scanned", refuse)
    monkeypatch.setattr(module, "_read_parsed", refuse)
    monkeypatch.setattr(module, "_read_stream", streamed)
    assert_same_outcome(read(doc, path="t"), expected)


# Documents found by fuzzing (438,750 edited writer documents, a helper's review): the pattern
# reading applied to each and did not agree with the stream (or read a document the strict tree
# parse refuses).  Each is a minimal example of one cause; the pattern reading must refuse them.
_T = b"<time>2024-05-04T07:00:00Z</time>"


def _small_gpx(points: bytes, *, root: bytes = b"", decl: bytes = b"", wrap: int = 0) -> bytes:
    inner = b"<w>" * wrap + b"<trkseg>" + points + b"</trkseg>" + b"</w>" * wrap
    return decl + b"<gpx" + root + b"><trk>" + inner + b"</trk></gpx>"


FOUND_BY_FUZZING = {
    # _TAG accepts attributes and a "/" on an end tag; _learn does not refuse them.
    "end-tag-slash": (gpx_module, _small_gpx(b"<trkpt><time>2024-05-04T07:00:00Z</time/></trkpt>")),
    "end-tag-attribute": (
        gpx_module,
        _small_gpx(b'<trkpt><time>2024-05-04T07:00:00Z</time a="1"></trkpt>'),
    ),
    "tcx-end-tag-slash": (
        tcx_module,
        b"<TrainingCenterDatabase><Activities><Activity><Id>2024-05-04T07:00:00Z</Id><Lap><Track>"
        b"<Trackpoint><Time>2024-05-04T07:00:00Z</Time/></Trackpoint>"
        b"</Track></Lap></Activity></Activities></TrainingCenterDatabase>",
    ),
    # Namespace rules inside a point: one expanded attribute name twice (two prefixes, one URI),
    # a default namespace that is not a URI or is the xml namespace, xml:id values.
    "namespaced-attribute-redefined": (
        gpx_module,
        _small_gpx(b'<trkpt a:x="1" b:x="2">' + _T + b"</trkpt>", root=b' xmlns:a="u" xmlns:b="u"'),
    ),
    "default-namespace-not-a-uri": (
        gpx_module,
        _small_gpx(b'<trkpt><time xmlns="a b">2024-05-04T07:00:00Z</time></trkpt>'),
    ),
    "default-namespace-is-xml": (
        gpx_module,
        _small_gpx(
            b'<trkpt><time xmlns="http://www.w3.org/XML/1998/namespace">'
            b"2024-05-04T07:00:00Z</time></trkpt>"
        ),
    ),
    "xml-id-not-a-name": (
        gpx_module,
        _small_gpx(b'<trkpt><time xml:id="1">2024-05-04T07:00:00Z</time></trkpt>'),
    ),
    "xml-id-twice": (
        gpx_module,
        _small_gpx(b'<trkpt><time xml:id="a">2024-05-04T07:00:00Z</time></trkpt>' * 2),
    ),
    # Encodings: US-ASCII counts as UTF-8 (non-ASCII only inside points); an encoding declared
    # after the first 1024 bytes is not seen.
    "us-ascii-declared": (
        gpx_module,
        _small_gpx(
            "<trkpt><time>2024-05-04T07:00:00Z</time><ele>\u00e9</ele></trkpt>".encode(),
            decl=b'<?xml version="1.0" encoding="US-ASCII"?>',
        ),
    ),
    "encoding-after-1024-bytes": (
        gpx_module,
        _small_gpx(
            "<trkpt><time>2024-05-04T07:00:00Z</time><ele>\u0662</ele></trkpt>".encode(),
            decl=b'<?xml version="1.0"' + b" " * 1024 + b'encoding="ISO-8859-1"?>',
        ),
    ),
    # libxml2's limits without huge_tree: the skeleton is within them, the whole document not.
    "depth-over-256": (gpx_module, _small_gpx(b"<trkpt>" + _T + b"</trkpt>", wrap=252)),
    "name-over-50000": (
        gpx_module,
        _small_gpx(b"<trkpt>" + _T + b"<" + b"x" * 50001 + b"/></trkpt>"),
    ),
    # Containers inside the one processing instruction allowed at the head, and a container the
    # ASCII pattern does not see (non-ASCII prefix): the counts pair with the wrong containers.
    "point-inside-head-pi": (
        gpx_module,
        "<?xml-stylesheet <trkseg><trkpt><time>2024-05-04T07:00:00Z</time></trkpt></trkseg>?>"
        '<gpx><trk><\u00e9:trkseg xmlns:\u00e9="e"/></trk></gpx>'.encode(),
    ),
    "tcx-course-points-read-as-the-activity's": (
        tcx_module,
        "<?xml-stylesheet <Track/>?><TrainingCenterDatabase><Courses><Course><Track><Trackpoint>"
        "<Time>2024-05-04T07:00:00Z</Time></Trackpoint></Track></Course></Courses><Activities>"
        '<Activity><Id>2024-05-04T07:00:00Z</Id><Lap><\u00e9:Track xmlns:\u00e9="e"/></Lap>'
        "</Activity></Activities></TrainingCenterDatabase>".encode(),
    ),
    "tcx-activity-points-skipped": (
        tcx_module,
        "<?xml-stylesheet <Track/>?><TrainingCenterDatabase><Activities><Activity>"
        "<Id>2024-05-04T07:00:00Z</Id><Lap><Track><Trackpoint><Time>2024-05-04T07:00:00Z</Time>"
        "</Trackpoint></Track></Lap></Activity></Activities><Courses><Course>"
        '<\u00e9:Track xmlns:\u00e9="e"/></Course></Courses></TrainingCenterDatabase>'.encode(),
    ),
    "prefix-checked-on-another-segment": (
        gpx_module,
        "<?xml-stylesheet <trkseg/>?><gpx><trk><trkseg><trkpt>"
        "<p:time>2024-05-04T07:00:00Z</p:time></trkpt></trkseg>"
        '<\u00e9:trkseg xmlns:\u00e9="e" xmlns:p="p"/></trk></gpx>'.encode(),
    ),
}


# Found by review: a later segment that binds a prefix again (two prefixes, one namespace, in
# that segment only), and points too big to be worth a pattern (cost, not correctness: each
# took seconds to refuse at megabyte sizes; here they are just over the limits).
FOUND_BY_FUZZING["prefix-bound-again-in-a-later-segment"] = (
    gpx_module,
    b'<?xml version="1.0"?><gpx xmlns:a="u" xmlns:b="v"><trk><trkseg><trkpt a:x="1" b:x="2">'
    + _T
    + b'</trkpt></trkseg><trkseg xmlns:b="u"><trkpt a:x="1" b:x="2">'
    + _T
    + b"</trkpt></trkseg></trk></gpx>",
)
FOUND_BY_FUZZING["point-with-40-attributes"] = (
    gpx_module,
    _small_gpx(b"<trkpt " + b"".join(b'a%d="1" ' % i for i in range(40)) + b">" + _T + b"</trkpt>"),
)
FOUND_BY_FUZZING["point-of-20000-characters"] = (
    gpx_module,
    _small_gpx(b"<trkpt>" + b" " * 20_000 + _T + b"</trkpt>"),
)


@pytest.mark.parametrize("name", sorted(FOUND_BY_FUZZING))
def test_documents_found_by_fuzzing_are_left_to_the_tree_or_stream(name):
    module, doc = FOUND_BY_FUZZING[name]
    read = read_gpx if module is gpx_module else read_tcx
    path = "t.gpx" if module is gpx_module else "t.tcx"
    assert_readings_agree(module, read, doc, tree=None, path=path, pattern=False)


def test_a_conversion_chunk_whose_points_are_all_dropped_adds_no_column(monkeypatch):
    """The tree and stream convert in chunks: a chunk of points without a time only, before
    timed ones, must leave the sensor columns absent, as the pattern reading does."""
    from runload.io.xmlsafe import PointTable

    monkeypatch.setattr(PointTable, "chunk", 8)
    untimed = b'<trkpt lat="45.0" lon="7.0"><ele>1</ele><time> </time></trkpt>\n' * 8
    timed = b"".join(
        b'<trkpt lat="45.0" lon="7.0"><time>2024-05-04T07:00:0%dZ</time></trkpt>\n' % i
        for i in range(4)
    )
    doc = b'<?xml version="1.0"?><gpx><trk><trkseg>' + untimed + timed + b"</trkseg></trk></gpx>"
    _gpx_agree(doc, pattern=False)  # two layouts: the tree reads it, and must agree
    raw = read_gpx(doc, path="t.gpx")
    assert list(raw.samples.columns) == ["latitude_deg", "longitude_deg"]


@needs_corpus
def test_corpus_files_read_by_pattern():
    """How many corpus files the pattern reading takes (so that a change that quietly stops
    using it fails): those of devices and services that write every point alike."""
    counts = {}
    for module, suffixes in ((gpx_module, (".gpx", ".gpx.gz")), (tcx_module, (".tcx", ".tcx.gz"))):
        read = 0
        for local_path in _corpus_files(*suffixes):
            data = (CORPUS / local_path).read_bytes()
            if local_path.endswith(".gz"):
                data = gzip.decompress(data)
            read += module._read_scanned(data, local_path) is not None
        counts[module.__name__] = read
    assert counts == {"runload.io.gpx": 21, "runload.io.tcx": 8}
