"""The readings of an XML track (pattern, parsed tree, stream) must agree: shared checks.

``runload.io.gpx`` and ``runload.io.tcx`` each read a small regular document by pattern, another
small one from its parsed tree, and a large or unusual one as a stream; both expose
``_read_scanned``, ``_read_parsed``, ``_read_stream`` and ``_assemble``.  These helpers read a
document every way that applies and compare what comes out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pandas as pd

from runload.activity import RawActivity
from runload.exceptions import RunloadError


def whole_reading(module: ModuleType, data: bytes, path: str) -> Any:
    """The reading a small document gets (by pattern, else from the parsed tree), or None."""
    state = module._read_scanned(data, path)
    return state if state is not None else module._read_parsed(data, path)


def read_by_tree(module: ModuleType, data: bytes, path: str) -> RawActivity:
    """The reading the reader picks for a small document (by pattern, else parsed)."""
    state = whole_reading(module, data, path)
    assert state is not None, "the tree reading deferred to the stream"
    return module._assemble(state, path)


def read_by_parsed_tree(module: ModuleType, data: bytes, path: str) -> RawActivity:
    state = module._read_parsed(data, path)
    assert state is not None, "the parsed tree deferred to the stream"
    return module._assemble(state, path)


def read_by_pattern(module: ModuleType, data: bytes, path: str) -> RawActivity:
    state = module._read_scanned(data, path)
    assert state is not None, "the pattern reading deferred"
    return module._assemble(state, path)


def read_by_stream(module: ModuleType, data: bytes, path: str) -> RawActivity:
    return module._assemble(module._read_stream(data, path), path)


def outcome(read: Callable[[bytes, str], RawActivity], data: bytes, path: str) -> Any:
    """What one reading gives: the RawActivity, or the error's type, reason, line and text."""
    try:
        return read(data, path)
    except RunloadError as exc:
        return (type(exc).__name__, exc.reason, exc.line, str(exc))


def assert_same_outcome(a: Any, b: Any) -> None:
    if not isinstance(a, RawActivity) or not isinstance(b, RawActivity):
        assert a == b
        return
    pd.testing.assert_frame_equal(a.samples, b.samples, check_exact=True)
    assert a.samples.columns.dtype == b.samples.columns.dtype
    for f in dataclasses.fields(a):
        if f.name != "samples":
            assert getattr(a, f.name) == getattr(b, f.name), f.name


def assert_readings_agree(
    module: ModuleType,
    read: Callable[..., RawActivity],
    data: bytes,
    *,
    tree: bool | None,
    path: str,
    pattern: bool | None = None,
) -> None:
    """Every reading that applies gives what the stream does; ``read`` (which picks one) too.

    The readings: the stream, the parsed tree, and the points read by pattern
    with the rest from the skeleton's tree (``runload.io.xmlscan``).
    ``tree``: whether a whole-document reading (pattern or parsed tree) must
    apply (True) or defer to the stream (False); ``pattern``: whether the
    pattern reading must apply; None: either.
    """
    stream = outcome(lambda d, p: read_by_stream(module, d, p), data, path)
    parsed = module._read_parsed(data, path) is not None
    scanned = module._read_scanned(data, path) is not None
    assert parsed or not scanned, "read by pattern a document the strict tree parse refuses"
    if tree is not None:
        assert (parsed or scanned) is tree
    if pattern is not None:
        assert scanned is pattern
    if parsed:
        got = outcome(lambda d, p: read_by_parsed_tree(module, d, p), data, path)
        assert_same_outcome(got, stream)
    if scanned:
        assert_same_outcome(outcome(lambda d, p: read_by_pattern(module, d, p), data, path), stream)
    assert_same_outcome(outcome(lambda d, p: read(d, path=p), data, path), stream)
