"""The format registry: content sniffing first, file suffix second.

Each importer module registers itself at its end with :func:`register_format`,
so a new format is one new module plus its tests.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

from ..activity import RawActivity
from ..exceptions import ParseError, UnsafeInputError, UnsupportedFormatError
from .limits import DEFAULT_LIMITS, ArchiveLimits

__all__ = [
    "FormatSpec",
    "formats",
    "gunzip_bounded",
    "is_gzip",
    "register_format",
    "sniff_format",
]

Reader = Callable[..., RawActivity]


@dataclass(frozen=True)
class FormatSpec:
    """A registered format: its name, suffixes, content sniffer and reader."""

    name: str
    suffixes: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    reader: Reader


_REGISTRY: dict[str, FormatSpec] = {}


def register_format(
    name: str, *, suffixes: tuple[str, ...], sniff: Callable[[bytes], bool], reader: Reader
) -> None:
    """Register an importer. ``sniff`` sees the first 4 KiB of the decompressed content."""
    _REGISTRY[name] = FormatSpec(name, suffixes, sniff, reader)


def formats() -> dict[str, FormatSpec]:
    """The registered formats by name."""
    return dict(_REGISTRY)


def is_gzip(data: bytes) -> bool:
    """Whether ``data`` starts with the gzip magic number."""
    return data[:2] == b"\x1f\x8b"


def gunzip_bounded(
    data: bytes,
    *,
    path: str | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> bytes:
    """Decompress gzip ``data`` (all members), refusing bombs.

    The caps are those of archive members (:mod:`runload.io.limits`):
    decompression stops with :class:`UnsafeInputError` as soon as the output
    passes ``limits.max_member_bytes``, or passes ``limits.ratio_free_bytes``
    while having expanded the input consumed so far more than
    ``limits.max_ratio`` times (activity files compress 3-20x; a bomb 1000x),
    so a bomb is refused after a few milliseconds.
    """
    max_bytes = limits.max_member_bytes
    max_ratio = limits.max_ratio
    ratio_free = limits.ratio_free_bytes
    out = bytearray()
    view = memoryview(data)
    pos = 0
    chunk = 1 << 20
    while pos < len(data):
        d = zlib.decompressobj(wbits=31)
        tail: bytes | memoryview = view[pos:]
        try:
            while True:
                piece = d.decompress(tail, chunk)
                out += piece
                tail = d.unconsumed_tail
                consumed = len(data) - len(tail) - len(d.unused_data)
                if len(out) > max_bytes or (
                    len(out) > ratio_free and len(out) > max_ratio * consumed
                ):
                    raise UnsafeInputError(
                        f"gzip expands to more than {len(out)} bytes from {consumed}: "
                        "refused as a decompression bomb",
                        path=path,
                        reason="decompression_bomb",
                    )
                if d.eof or (not tail and not piece):
                    break
        except zlib.error as exc:
            raise ParseError(
                f"corrupt gzip data: {exc}", path=path, reason="bad_gzip", offset=pos
            ) from exc
        if not d.eof:
            raise ParseError(
                "gzip stream ends early (truncated)",
                path=path,
                reason="truncated_gzip",
                offset=len(data),
            )
        rest = d.unused_data
        pos = len(data) - len(rest)
        if not rest.strip(b"\x00"):
            break
        if not is_gzip(rest):
            break
    return bytes(out)


def sniff_format(data: bytes, name: str | None = None, *, path: str | None = None) -> str:
    """Name of the format of ``data``: by content first, then by the suffix of ``name``."""
    head = data[:4096]
    for spec in _REGISTRY.values():
        if spec.sniff(head):
            return spec.name
    if name:
        lower = name.lower()
        if lower.endswith(".gz"):
            lower = lower[:-3]
        for spec in _REGISTRY.values():
            if lower.endswith(spec.suffixes):
                return spec.name
    raise UnsupportedFormatError(
        "not a FIT, GPX or TCX file (content and name both unrecognised)",
        path=path or name,
        reason="unsupported_format",
        offset=0,
    )
