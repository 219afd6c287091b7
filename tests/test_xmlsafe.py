"""Safe XML handling shared by the GPX and TCX importers: prolog scan, refusals, errors, times."""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pytest

import runload
from runload.exceptions import ParseError, RunloadError, UnsafeInputError
from runload.io.gpx import read_gpx, sniff_gpx
from runload.io.tcx import read_tcx, sniff_tcx
from runload.io.xmlsafe import (
    PointTable,
    check_prolog,
    iter_end_elements,
    local_name,
    parse_times_ns,
    parse_tree,
    root_local_name,
    scan_prolog,
)

POINT = '<trkpt lat="1" lon="2"><time>2020-01-01T00:00:00Z</time></trkpt>'
GPX = f"<gpx><trk><trkseg>{POINT}</trkseg></trk></gpx>"

# --------------------------------------------------------------------------- prolog and sniffing


@pytest.mark.parametrize(
    ("head", "root"),
    [
        (b"<gpx>", "gpx"),
        (b'<?xml version="1.0"?><gpx/>', "gpx"),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<gpx version="1.1">', "gpx"),
        (b'  \r\n\t<?xml version="1.0"?>\n<gpx>', "gpx"),
        (
            b'<?xml version="1.0"?>\n<!-- a <gpx> comment -->\n'
            b'<?xml-stylesheet href="a.xsl"?>\n<gpx>',
            "gpx",
        ),
        (b"<g:gpx xmlns:g='http://www.topografix.com/GPX/1/1'>", "gpx"),
        (b'<?xml version="1.0"?><TrainingCenterDatabase xmlns="x">', "TrainingCenterDatabase"),
        ('<?xml version="1.0" encoding="UTF-16"?>\n<gpx>'.encode("utf-16"), "gpx"),
        (b"<kml>", "kml"),
        (b"\x0e\x10FIT....", None),
        (b"<?xml version='1.0'?><!-- unterminated", None),
        (b"", None),
    ],
)
def test_root_local_name(head, root):
    assert root_local_name(head) == root


def test_sniffers():
    assert sniff_gpx(GPX.encode()) and not sniff_tcx(GPX.encode())
    tcx = b'<?xml version="1.0"?>\n<TrainingCenterDatabase xmlns="a"/>'
    assert sniff_tcx(tcx) and not sniff_gpx(tcx)
    # a DOCTYPE does not hide the root from the sniffer: the reader then refuses the file
    assert sniff_gpx(b'<!DOCTYPE gpx [<!ENTITY a "]>">]>\n<gpx>')
    # the root beyond the 4 KiB the sniffer sees: not recognised (the suffix decides)
    assert not sniff_gpx((b"<!--" + b"x" * 5000 + b"-->" + GPX.encode())[:4096])


def test_prolog_records_first_declaration_and_line():
    p = scan_prolog(b'<?xml version="1.0"?>\n<!-- c -->\n\n<!DOCTYPE gpx SYSTEM "gpx.dtd">\n<gpx/>')
    assert (p.root_name, p.declaration, p.declaration_line) == ("gpx", "DOCTYPE", 4)
    assert scan_prolog(GPX.encode()).declaration is None


# --------------------------------------------------------------------------- refusals

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE gpx [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n<gpx><trk><name>&lol9;</name><trkseg>"
    + POINT.encode()
    + b"</trkseg></trk></gpx>"
)


def test_billion_laughs_refused_quickly_without_expansion():
    t0 = time.perf_counter()
    with pytest.raises(UnsafeInputError) as err:
        runload.read_activity(io.BytesIO(LAUGHS))
    elapsed = time.perf_counter() - t0
    assert err.value.reason == "doctype"
    assert err.value.line == 2
    # 10**9 "lol"s would take minutes and gigabytes: a refusal takes milliseconds
    assert elapsed < 0.5


@pytest.mark.parametrize(
    ("prolog", "line"),
    [
        (b'<!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 2),  # external entity
        (b'<!DOCTYPE gpx SYSTEM "http://example.invalid/gpx.dtd">', 2),  # external DTD (network)
        (b"<!DOCTYPE gpx>", 2),
        (b'<!ENTITY x "y">', 2),  # a stray entity declaration
        (b"<!-- " + b"padding " * 1000 + b"-->\n<!DOCTYPE gpx>", 3),  # beyond the sniffer's 4 KiB
    ],
)
@pytest.mark.parametrize("reader", [read_gpx, read_tcx])
def test_declarations_refused_by_both_readers(prolog, line, reader):
    data = b'<?xml version="1.0"?>\n' + prolog + b"\n" + GPX.encode()
    with pytest.raises(UnsafeInputError) as err:
        reader(data, path="evil.xml")
    assert err.value.reason == "doctype"
    assert err.value.line == line
    assert err.value.path == "evil.xml"


def test_hidden_doctype_refused_through_read_activity_by_suffix(tmp_path):
    path = tmp_path / "evil.gpx"
    path.write_bytes(b"<!-- " + b"padding " * 1000 + b"-->\n" + LAUGHS[22:])
    with pytest.raises(UnsafeInputError):
        runload.read_activity(path)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_documents_read_and_their_doctype_refused(encoding):
    doc = '<?xml version="1.0" encoding="UTF-16"?>\n' + GPX.replace(
        "<trk>", "<trk><name>caf\u00e9</name>"
    )
    a = runload.read_activity(io.BytesIO(doc.encode(encoding)))
    assert a.name == "caf\u00e9"
    assert len(a.samples) == 1
    evil = doc.replace("<gpx>", '<!DOCTYPE gpx [<!ENTITY a "b">]>\n<gpx>')
    with pytest.raises(UnsafeInputError) as err:
        runload.read_activity(io.BytesIO(evil.encode(encoding)))
    assert err.value.line == 2


def test_other_markup_declaration_before_root_is_a_syntax_error():
    with pytest.raises(ParseError) as err:
        check_prolog(b"<![CDATA[x]]><gpx/>")
    assert err.value.reason == "xml_syntax"


# --------------------------------------------------------------------------- malformed XML


@pytest.mark.parametrize(
    ("doc", "line"),
    [
        (GPX[:-30], 1),  # truncated
        (GPX.replace("</trkseg>", "</trk>", 1), 1),
        ("<gpx>\n<trk>\n<name>a &undefined; b</name></trk>\n</gpx>", 3),
        ("<gpx>\n\n<trk a=1></trk></gpx>", 3),
        ("<gpx></gpx>\n<gpx></gpx>", 2),  # two roots
        ("<gpx>\n<trk><name>caf\xe9</name></trk></gpx>", 2),  # Latin-1 byte, declared UTF-8
    ],
)
def test_malformed_xml_is_parse_error_with_line(doc, line):
    data = doc.encode("latin-1")
    with pytest.raises(ParseError) as err:
        read_gpx(data, path="bad.gpx")
    assert err.value.reason == "xml_syntax"
    assert err.value.line == line
    assert isinstance(err.value.__cause__, Exception)  # the lxml error is chained, not raised


def test_whitespace_before_declaration_keeps_line_numbers():
    doc = "\n\n" + '<?xml version="1.0"?>\n<gpx>\n<trk>\n</trkseg></trk></gpx>'
    with pytest.raises(ParseError) as err:
        read_gpx(doc.encode(), path="bad.gpx")
    assert err.value.line == 6


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02garbage",
        b"<gpx",
        b"<<<>>>",
        "<gpx>\u2603</gpx>".encode("utf-16-le"),
        b"\xff" * 100,
    ],
)
def test_garbage_never_escapes_as_a_bare_exception(data):
    for reader in (read_gpx, read_tcx):
        with pytest.raises(RunloadError):
            reader(data, path="x")
    with pytest.raises(RunloadError):
        runload.read_activity(io.BytesIO(data), format="gpx")


def test_recover_mode_only_for_namespace_errors():
    calls = []

    def consume(elements):
        calls.append(1)
        return [local_name(e.tag) for e in elements]

    doc = b'<a xmlns="urn:a"><b><p:c/></b><b/></a>'  # undeclared prefix p
    assert iter_end_elements(doc, tags=("{*}b",), consume=consume) == ["b", "b"]
    assert len(calls) == 2  # strict pass stopped at p:c, recover pass read all
    calls.clear()
    assert iter_end_elements(b"<a><b/></a>", tags=("{*}b",), consume=consume) == ["b"]
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("tag", "name"),
    [("{urn:x}hr", "hr"), ("gpxdata:hr", "hr"), ("hr", "hr"), (None, "")],
)
def test_local_name(tag, name):
    assert local_name(tag) == name


# --------------------------------------------------------------------------- times


def test_times_parsed_in_bulk_to_utc():
    got = parse_times_ns(
        [
            "2020-03-29T01:59:59Z",
            "2020-03-29T03:00:00+02:00",  # 01:00:00 UTC
            "2020-03-29T01:00:00.000123Z",
            "2020-03-29T01:00:00",  # naive: UTC
            "  2020-03-28T20:30:00-05:00\n",  # 01:30:00 UTC
        ]
    )
    base = pd.Timestamp("2020-03-29T00:00:00Z").value
    hour = 3_600_000_000_000
    expected = [
        base + hour + 59 * 60_000_000_000 + 59_000_000_000,
        base + hour,
        base + hour + 123_000,
        base + hour,
        base + hour + 30 * 60_000_000_000,
    ]
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("bad", ["2020-13-01T00:00:00Z", "soon", "", "2020-01-01T00:00:00Z junk"])
def test_bad_time_named_with_line(bad):
    data = b"<x>\n<t>2020-01-01T00:00:00Z</t>\n<t>" + bad.encode() + b"</t>\n</x>"
    with pytest.raises(ParseError) as err:
        parse_times_ns(["2020-01-01T00:00:00Z", bad], path="p", data=data)
    assert err.value.reason == "bad_time"
    if bad:
        assert err.value.line == 3


# --------------------------------------------------------------------------- whole-document parse


def test_parse_tree_refuses_a_doctype_before_parsing():
    data = b'<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY x "y">]>\n<gpx>&x;</gpx>'
    with pytest.raises(UnsafeInputError) as err:
        parse_tree(data, path="d.gpx")
    assert (err.value.reason, err.value.line) == ("doctype", 2)


@pytest.mark.parametrize(
    "data",
    [
        b"<gpx><trk></gpx>",  # malformed
        b'<gpx xmlns="urn:a"><p:hr>1</p:hr></gpx>',  # undeclared prefix: the stream recovers
        b"<gpx>&undefined;</gpx>",  # entities are never expanded
        b"",
    ],
)
def test_parse_tree_leaves_faulty_documents_to_the_stream(data):
    assert parse_tree(data) is None


def test_parse_tree_reads_what_the_stream_reads():
    data = (
        b'\xef\xbb\xbf \r\n<?xml version="1.0"?>\n<!-- c --><gpx><a>1<!-- x -->2</a>'
        b"<b><![CDATA[<3>]]></b><?pi?>\n  <c> </c></gpx>"
    )
    root = parse_tree(data)
    assert root is not None
    seen = iter_end_elements(
        data, tags=("{*}a", "{*}b", "{*}c"), consume=lambda els: [(e.tag, e.text) for e in els]
    )
    assert [(e.tag, e.text) for e in root] == seen == [("a", "12"), ("b", "<3>"), ("c", " ")]


# --------------------------------------------------------------------------- point table


def test_point_table_converts_like_float_and_counts_unreadable_numbers():
    table = PointTable(3, time_slot=2)
    rows = [
        ("1_000", "1.5", "2020-01-01T00:00:00Z"),
        (" 7 \n", "fast", "2020-01-01T00:00:01Z"),
        ("nan", "-2", "2020-01-01T00:00:02Z"),
        ("\u0661\u0662", None, "2020-01-01T00:00:03Z"),
        ("2", "3", None),  # no time: dropped
        ("1e400", "0.25", "2020-01-01T00:00:05Z"),
        (None, None, "2020-01-01T00:00:06Z"),
    ]
    for row in rows:
        table.rows.extend(row)
    t_ns, keep, values = table.finish()
    assert keep.tolist() == [True, True, True, True, False, True, True]
    assert table.dropped == 1
    # A column Python's float() reads whole is read by it: underscores, surrounding
    # whitespace, "nan", Arabic-Indic digits, overflow to inf.
    inf, nan = float("inf"), float("nan")
    np.testing.assert_array_equal(values[0], [1000.0, 7.0, nan, 12.0, inf, nan])
    # An unreadable word is missing and counted; the rest of its column is still read.
    np.testing.assert_array_equal(values[1], [1.5, nan, -2.0, nan, 0.25, nan])
    assert table.bad_numbers == 1
    np.testing.assert_array_equal(np.diff(t_ns), [10**9, 10**9, 10**9, 2 * 10**9, 10**9])


def test_point_table_leaves_out_a_slot_without_any_value():
    table = PointTable(3, time_slot=0)
    table.rows.extend(["2020-01-01T00:00:00Z", None, "1", "2020-01-01T00:00:01Z", None, None])
    _, _, values = table.finish()
    assert set(values) == {2}
    np.testing.assert_array_equal(values[2], [1.0, np.nan])
