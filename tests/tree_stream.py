"""The two readings of an XML track (the parsed tree, the stream) must agree: shared checks.

``runload.io.gpx`` and ``runload.io.tcx`` each read a small document from its parsed tree and
a large or unusual one as a stream; both expose ``_read_tree``, ``_read_stream`` and
``_assemble``.  These helpers read a document both ways and compare what comes out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pandas as pd

from runload.activity import RawActivity
from runload.exceptions import RunloadError


def read_by_tree(module: ModuleType, data: bytes, path: str) -> RawActivity:
    state = module._read_tree(data, path)
    assert state is not None, "the tree reading deferred to the stream"
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
) -> None:
    """The tree reading gives what the stream does; ``read`` (which picks one) too.

    ``tree``: whether the tree reading must apply (True) or defer to the stream (False);
    None: either.
    """
    stream = outcome(lambda d, p: read_by_stream(module, d, p), data, path)
    applies = module._read_tree(data, path) is not None
    if tree is not None:
        assert applies is tree
    if applies:
        assert_same_outcome(outcome(lambda d, p: read_by_tree(module, d, p), data, path), stream)
    assert_same_outcome(outcome(lambda d, p: read(d, path=p), data, path), stream)
