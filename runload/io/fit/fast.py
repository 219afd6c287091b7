"""The fast FIT decoder: a message walker in Python with the field gathering done by numpy.

The FIT binary format is a sequence of *definition* messages (which declare, for
a local message type 0-15, the global message number, byte order and field
layout) and *data* messages (a one-byte header naming the local type, then the
fields).  Only the header byte of each message is read in Python: the walker
records where every data message starts, and the fields are then gathered for
all messages of one definition at once with a numpy structured view.  This is
what makes the importer fast (see ``docs/dependencies.md`` for the measurements).

Handled: 12- and 14-byte headers (header CRC 0x0000 allowed), file CRC mismatch
(a warning), truncated and corrupt files (records before the damage are kept,
with a warning saying where decoding stopped), compressed-timestamp headers,
developer fields (sized and skipped), big-endian definitions, chained FIT
files, fields whose size is not a multiple of their base type (read as
invalid), invalid sentinels (NaN), ``enhanced_*`` fields preferred (the last
in :func:`runload.io.fit.messages.assemble`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ...activity import RawActivity
from ...exceptions import ParseError, UnsafeInputError, UnsupportedFormatError
from .crc import crc16
from .messages import FIELD_TIMESTAMP, WANTED, EnumNames, Messages, assemble

__all__ = [
    "MAX_DATA_MESSAGES",
    "MAX_DEFINITIONS",
    "MAX_EMPTY_MESSAGES",
    "read_fit_fast",
    "sniff_fit",
]


# Base types by their number (low 5 bits of the base-type byte):
# (numpy kind, size in bytes, invalid value as an integer bit pattern or None for NaN/strings)
_BASE_TYPES: dict[int, tuple[str, int, int | None]] = {
    0x00: ("u1", 1, 0xFF),  # enum
    0x01: ("i1", 1, 0x7F),  # sint8
    0x02: ("u1", 1, 0xFF),  # uint8
    0x03: ("i2", 2, 0x7FFF),  # sint16
    0x04: ("u2", 2, 0xFFFF),  # uint16
    0x05: ("i4", 4, 0x7FFFFFFF),  # sint32
    0x06: ("u4", 4, 0xFFFFFFFF),  # uint32
    0x07: ("S", 1, None),  # string
    0x08: ("f4", 4, None),  # float32 (invalid: all ones, a NaN)
    0x09: ("f8", 8, None),  # float64
    0x0A: ("u1", 1, 0x00),  # uint8z
    0x0B: ("u2", 2, 0x0000),  # uint16z
    0x0C: ("u4", 4, 0x00000000),  # uint32z
    0x0D: ("u1", 1, 0xFF),  # byte
    0x0E: ("i8", 8, 0x7FFFFFFFFFFFFFFF),  # sint64
    0x0F: ("u8", 8, 0xFFFFFFFFFFFFFFFF),  # uint64
    0x10: ("u8", 8, 0),  # uint64z
}

#: Decoder work budget.  Data messages with no fields carry nothing; a real
#: file has none or a handful, a flood has millions (each byte after a
#: zero-field definition is one).  Beyond this many the file is refused. [messages]
MAX_EMPTY_MESSAGES = 1024
#: Most distinct definitions one file may declare (real files: a few dozen). [definitions]
MAX_DEFINITIONS = 65_536
#: Most data messages one file may hold: 46 days of 1 Hz records. [messages]
MAX_DATA_MESSAGES = 4_000_000


# --------------------------------------------------------------------------- walking
@dataclass
class _Definition:
    global_num: int
    big_endian: bool
    size: int  # bytes of a data message after its header byte
    fields: list[tuple[int, int, int, int]]  # (field number, offset, size, base type number)
    offsets: list[int] = field(default_factory=list)  # where each data message's fields start
    compressed: list[tuple[int, int]] = field(default_factory=list)  # (offset, time offset)


@dataclass
class _Walk:
    definitions: list[_Definition] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)
    any_compressed: bool = False
    damaged: bool = False
    by_layout: dict[bytes, _Definition] = field(default_factory=dict)
    empty: int = 0
    messages: int = 0
    path: str = "<stream>"


def _over_budget(walk: _Walk, what: str, limit: int, pos: int) -> UnsafeInputError:
    return UnsafeInputError(
        f"FIT file holds more than {limit} {what} (by byte {pos}): refused as a flood "
        "(decoder work budget)",
        path=walk.path,
        reason="decoder_budget",
        offset=pos,
    )


def sniff_fit(head: bytes) -> bool:
    """Whether ``head`` starts with a FIT file header."""
    return len(head) >= 12 and head[0] >= 12 and head[8:12] == b".FIT"


def _walk(data: bytes, path: str) -> _Walk:
    walk = _Walk(path=path)
    n = len(data)
    pos = 0
    first = True
    while pos < n:
        if n - pos < 12 or data[pos + 8 : pos + 12] != b".FIT":
            if first:
                raise UnsupportedFormatError(
                    "no FIT header", path=path, reason="unsupported_format", offset=pos
                )
            if data[pos:].strip(b"\x00"):
                walk.warnings.append(
                    f"{n - pos} bytes after the last FIT file at byte {pos} are not a FIT "
                    "header; ignored"
                )
            break
        header_size = data[pos]
        data_size = struct.unpack_from("<I", data, pos + 4)[0]
        if header_size < 12 or pos + header_size > n:
            raise ParseError(
                f"bad FIT header size {header_size}", path=path, reason="bad_header", offset=pos
            )
        if header_size >= 14:
            header_crc = struct.unpack_from("<H", data, pos + 12)[0]
            if header_crc != 0 and header_crc != crc16(memoryview(data)[pos : pos + 12]):
                walk.damage.append(f"header CRC mismatch in the FIT header at byte {pos}")
        start = pos + header_size
        end = start + data_size
        complete = end + 2 <= n
        if not complete:
            walk.damage.append(
                f"file is truncated: the header promises {data_size} data bytes from byte {start}, "
                f"only {max(n - start, 0)} are present"
            )
            end = n
            walk.damaged = True
        elif (
            data_size and crc16(memoryview(data)[pos:end]) != struct.unpack_from("<H", data, end)[0]
        ):
            walk.damage.append(f"file CRC mismatch (FIT file starting at byte {pos})")
        stopped = _walk_messages(data, start, end, walk)
        if stopped is not None:
            walk.damaged = True
            walk.damage.append(
                f"decoding stopped at byte {stopped}: {walk.warnings.pop()}; "
                "the records before it were kept"
            )
            break
        if not complete:
            break
        pos = end + 2
        first = False
    return walk


def _walk_messages(data: bytes, pos: int, end: int, walk: _Walk) -> int | None:
    """Walk the messages in ``data[pos:end]``; return the offset where it had to stop, or None."""
    local: list[_Definition | None] = [None] * 16
    defs = walk.definitions
    while pos < end:
        h = data[pos]
        if h & 0x80:  # compressed timestamp header: local type in bits 5-6
            d = local[(h >> 5) & 0x03]
            if d is None:
                walk.warnings.append("data message of an undefined local type")
                return pos
            nxt = pos + 1 + d.size
            if nxt > end:
                walk.warnings.append("message runs past the end of the data")
                return pos
            _count(walk, d, pos)
            d.compressed.append((pos + 1, h & 0x1F))
            walk.any_compressed = True
            pos = nxt
        elif h & 0x40:  # definition message
            if pos + 6 > end:
                walk.warnings.append("definition runs past the end of the data")
                return pos
            big = data[pos + 2] == 1
            gnum = struct.unpack_from(">H" if big else "<H", data, pos + 3)[0]
            nfields = data[pos + 5]
            p = pos + 6
            if p + 3 * nfields > end:
                walk.warnings.append("definition runs past the end of the data")
                return pos
            fields: list[tuple[int, int, int, int]] = []
            offset = 0
            for k in range(nfields):
                fnum, fsize, btype = data[p + 3 * k], data[p + 3 * k + 1], data[p + 3 * k + 2]
                fields.append((fnum, offset, fsize, btype & 0x1F))
                offset += fsize
            p += 3 * nfields
            if h & 0x20:  # developer fields: sized, not decoded
                if p + 1 > end:
                    walk.warnings.append("definition runs past the end of the data")
                    return pos
                ndev = data[p]
                if p + 1 + 3 * ndev > end:
                    walk.warnings.append("definition runs past the end of the data")
                    return pos
                offset += sum(data[p + 2 + 3 * k] for k in range(ndev))
                p += 1 + 3 * ndev
            layout = data[pos + 2 : p]
            known = walk.by_layout.get(layout)
            if known is None:
                if len(defs) >= MAX_DEFINITIONS:
                    raise _over_budget(walk, "distinct definitions", MAX_DEFINITIONS, pos)
                known = _Definition(gnum, big, offset, fields)
                walk.by_layout[layout] = known
                defs.append(known)
            local[h & 0x0F] = known
            pos = p
        else:  # normal data message
            d = local[h & 0x0F]
            if d is None:
                walk.warnings.append("data message of an undefined local type")
                return pos
            nxt = pos + 1 + d.size
            if nxt > end:
                walk.warnings.append("message runs past the end of the data")
                return pos
            _count(walk, d, pos)
            d.offsets.append(pos + 1)
            pos = nxt
    return None


def _count(walk: _Walk, d: _Definition, pos: int) -> None:
    """Charge one data message to the decoder's work budget."""
    walk.messages += 1
    if walk.messages > MAX_DATA_MESSAGES:
        raise _over_budget(walk, "data messages", MAX_DATA_MESSAGES, pos)
    if d.size == 0:
        walk.empty += 1
        if walk.empty > MAX_EMPTY_MESSAGES:
            raise _over_budget(walk, "data messages without fields", MAX_EMPTY_MESSAGES, pos)


# --------------------------------------------------------------------------- gathering
def _gather(
    buf: npt.NDArray[np.uint8],
    d: _Definition,
    offsets: npt.NDArray[np.int64],
    wanted: tuple[int, ...],
) -> dict[int, npt.NDArray[Any]]:
    """Field values of the data messages of one definition, as float64 (NaN = invalid) or bytes."""
    out: dict[int, npt.NDArray[Any]] = {}
    if d.size == 0 or offsets.size == 0:
        return out
    rows = buf[offsets[:, None] + np.arange(d.size)]
    order = ">" if d.big_endian else "<"
    for fnum, foff, fsize, btype in d.fields:
        if fnum not in wanted or fnum in out:
            continue
        kind, bsize, invalid = _BASE_TYPES.get(btype, ("u1", 1, None))
        if kind == "S":
            raw = rows[:, foff : foff + fsize]
            out[fnum] = np.array(
                [bytes(r).split(b"\x00", 1)[0].decode("utf-8", "replace") for r in raw],
                dtype=object,
            )
            continue
        if btype == 0x0D and 1 < fsize <= 6:
            # A byte array (e.g. record.compressed_speed_distance): packed little-endian.
            raw = rows[:, foff : foff + fsize].astype("int64")
            packed = (raw << (8 * np.arange(fsize))).sum(axis=1).astype("float64")
            packed[(raw == 0xFF).all(axis=1)] = np.nan
            out[fnum] = packed
            continue
        if fsize < bsize or fsize % bsize:
            # Size not a multiple of the base type (seen in Coros files): unreadable, invalid.
            out[fnum] = np.full(offsets.size, np.nan)
            continue
        chunk = np.ascontiguousarray(rows[:, foff : foff + bsize])
        values = chunk.view(np.dtype(order + kind)).reshape(-1)
        as_float = values.astype("float64")
        if invalid is not None:
            as_float[values == np.array(invalid).astype(values.dtype)] = np.nan
        out[fnum] = as_float
    return out


def _messages(
    buf: npt.NDArray[np.uint8], walk: _Walk, gnum: int
) -> tuple[npt.NDArray[np.int64], dict[int, npt.NDArray[Any]], npt.NDArray[np.int64]]:
    """All messages of one global number in file order: (offsets, fields, compressed time offsets).

    The third array holds the 5-bit time offset of compressed-timestamp
    messages and -1 for normal ones.
    """
    wanted = WANTED[gnum]
    parts: list[
        tuple[npt.NDArray[np.int64], dict[int, npt.NDArray[Any]], npt.NDArray[np.int64]]
    ] = []
    for d in walk.definitions:
        if d.global_num != gnum or not (d.offsets or d.compressed):
            continue
        offs = np.asarray(d.offsets + [o for o, _ in d.compressed], dtype=np.int64)
        toff = np.concatenate(
            [
                np.full(len(d.offsets), -1, dtype=np.int64),
                np.array([t for _, t in d.compressed], dtype=np.int64),
            ]
        )
        parts.append((offs, _gather(buf, d, offs, wanted), toff))
    if not parts:
        return np.array([], dtype=np.int64), {}, np.array([], dtype=np.int64)
    offsets = np.concatenate([p[0] for p in parts])
    toffs = np.concatenate([p[2] for p in parts])
    fields: dict[int, npt.NDArray[Any]] = {}
    for f in wanted:
        cols = []
        for offs, vals, _ in parts:
            if f in vals:
                cols.append(vals[f])
            else:
                cols.append(np.full(offs.size, np.nan))
        fields[f] = np.concatenate(cols)
    order = np.argsort(offsets, kind="stable")
    return offsets[order], {f: v[order] for f, v in fields.items()}, toffs[order]


def _resolve_compressed_timestamps(
    buf: npt.NDArray[np.uint8], walk: _Walk, gnum_fields: Messages
) -> None:
    """Fill the timestamps of compressed-header messages, in file order across all messages."""
    entries: list[tuple[int, int, float, int]] = []  # (offset, gnum, timestamp or NaN, toff)
    for gnum, (offsets, fields, toffs) in gnum_fields.items():
        ts = fields.get(FIELD_TIMESTAMP)
        if ts is None:
            continue
        for k in range(offsets.size):
            entries.append((int(offsets[k]), gnum, float(ts[k]), int(toffs[k])))
    # Messages of types we do not read can carry timestamps that anchor compressed ones.
    other_ts = _other_timestamps(buf, walk, set(gnum_fields))
    entries.extend((o, -1, t, -1) for o, t in other_ts)
    entries.sort()
    last: float | None = None
    filled: dict[tuple[int, int], float] = {}
    for offset, gnum, t, toff in entries:
        if toff >= 0:
            if last is None:
                continue
            last_i = int(last)
            t = float(last_i + ((toff - last_i) & 0x1F))
            filled[(gnum, offset)] = t
            last = t
        elif t == t:  # not NaN
            last = t
    for gnum, (offsets, fields, toffs) in gnum_fields.items():
        ts = fields.get(FIELD_TIMESTAMP)
        if ts is None:
            continue
        for pos in np.flatnonzero(toffs >= 0).tolist():
            ts[pos] = filled.get((gnum, int(offsets[pos])), np.nan)


def _other_timestamps(
    buf: npt.NDArray[np.uint8], walk: _Walk, skip: set[int]
) -> list[tuple[int, float]]:
    out: list[tuple[int, float]] = []
    for d in walk.definitions:
        if d.global_num in skip or not d.offsets:
            continue
        if not any(f[0] == FIELD_TIMESTAMP for f in d.fields):
            continue
        offs = np.asarray(d.offsets, dtype=np.int64)
        ts = _gather(buf, d, offs, (FIELD_TIMESTAMP,)).get(FIELD_TIMESTAMP)
        if ts is not None:
            out.extend(zip(offs.tolist(), ts.tolist(), strict=True))
    return out


# --------------------------------------------------------------------------- reader
def read_fit_fast(data: bytes, *, path: str, names: EnumNames | None = None) -> RawActivity:
    """Read a FIT activity file with the fast walker.

    Raises a :class:`~runload.RunloadError` for what it recognises as bad
    input; any other exception means a structure it does not foresee (the
    caller then tries the fallback decoder).  ``names``: as for
    :func:`~runload.io.fit.messages.assemble`.
    """
    walk = _walk(data, path)
    buf = np.frombuffer(data, dtype=np.uint8)
    msgs: Messages = {g: _messages(buf, walk, g) for g in WANTED}
    if walk.any_compressed:
        _resolve_compressed_timestamps(buf, walk, msgs)
    raw = assemble(msgs, walk.warnings, path, damaged=walk.damaged, names=names)
    raw.damage.extend(walk.damage)
    return raw
