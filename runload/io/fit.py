"""FIT importer: a message walker in Python with the field gathering done by numpy.

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
invalid), invalid sentinels (NaN), ``enhanced_*`` fields preferred.

Should the fast walker fail on an unforeseen structure, the file is read again
with fitdecode, the robust pure-Python decoder, before giving up.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..activity import RawActivity
from ..exceptions import ParseError, RunloadError, UnsafeInputError, UnsupportedFormatError
from ..schema import SAMPLE_COLUMNS
from ..sports import FOOT_SPORTS
from .registry import register_format

__all__ = ["FIT_EPOCH_S", "crc16", "read_fit", "sniff_fit"]

#: Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_S = 631_065_600
#: FIT date_time values below this are relative (seconds since power-up).
_MIN_ABSOLUTE_TIME = 0x10000000
_SEMICIRCLE_DEG = 180.0 / 2**31

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

# Global message numbers and the fields read from each.
MESG_FILE_ID = 0
MESG_SPORT = 12
MESG_SESSION = 18
MESG_RECORD = 20
MESG_EVENT = 21
MESG_ACTIVITY = 34
FIELD_TIMESTAMP = 253

_WANTED: dict[int, tuple[int, ...]] = {
    MESG_FILE_ID: (0, 1, 2, 4),
    MESG_SPORT: (0, 1, 3),
    MESG_SESSION: (2, 5, 6, 7, 8, 9, 22, 23, FIELD_TIMESTAMP),
    MESG_RECORD: (FIELD_TIMESTAMP, 0, 1, 2, 3, 4, 5, 6, 7, 8, 53, 73, 78),
    MESG_EVENT: (0, 1, FIELD_TIMESTAMP),
    MESG_ACTIVITY: (5, FIELD_TIMESTAMP),
}

# event 0 = timer; event_type 0 = start; stop, stop_all, stop_disable, stop_disable_all
_TIMER_EVENT = 0
_TIMER_START = 0
_TIMER_STOPS = frozenset({1, 4, 8, 9})


#: ``file_id.type`` values (FIT profile type ``file``) of files that hold no activity:
#: device, settings, sport, workout, course, schedules, weight, totals, goals,
#: blood pressure, monitoring (a, daily, b), activity summary, segment, segment
#: list, exd configuration.  4 is an activity; unknown values are read.
NOT_ACTIVITY_FILE_TYPES: dict[int, str] = {
    1: "device",
    2: "settings",
    3: "sport",
    5: "workout",
    6: "course",
    7: "schedules",
    9: "weight",
    10: "totals",
    11: "goals",
    14: "blood_pressure",
    15: "monitoring_a",
    20: "activity_summary",
    28: "monitoring_daily",
    32: "monitoring_b",
    34: "segment",
    35: "segment_list",
    40: "exd_configuration",
}

#: Decoder work budget.  Data messages with no fields carry nothing; a real
#: file has none or a handful, a flood has millions (each byte after a
#: zero-field definition is one).  Beyond this many the file is refused. [messages]
MAX_EMPTY_MESSAGES = 1024
#: Most distinct definitions one file may declare (real files: a few dozen). [definitions]
MAX_DEFINITIONS = 65_536
#: Most data messages one file may hold: 46 days of 1 Hz records. [messages]
MAX_DATA_MESSAGES = 4_000_000


# --------------------------------------------------------------------------- CRC
def _crc_table() -> npt.NDArray[np.uint16]:
    table = np.zeros(256, dtype=np.uint16)
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table[byte] = crc
    return table


_CRC_TABLE = _crc_table()
_CRC_LIST = _CRC_TABLE.tolist()


def _crc_py(data: bytes | memoryview, crc: int = 0) -> int:
    table = _CRC_LIST
    for b in bytes(data):
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc


_CRC_WIDTH = 256  # bytes per chunk in the vectorised CRC


@lru_cache(maxsize=4)
def _zero_shift_tables(n: int) -> tuple[list[int], list[int]]:
    """Tables of the linear map 'append n zero bytes' for the low and high byte of a CRC."""
    values = np.concatenate([np.arange(256), np.arange(256) << 8]).astype(np.uint16)
    for _ in range(n):
        values = (values >> 8) ^ _CRC_TABLE[values & 0xFF]
    return values[:256].tolist(), values[256:].tolist()


def crc16(data: bytes | memoryview) -> int:
    """The FIT CRC-16 (polynomial 0xA001 reflected, initial value 0) of ``data``.

    Large inputs are split into equal chunks whose CRCs are computed side by
    side with numpy and then combined: the CRC is linear, so the CRC of
    ``A + B`` is the CRC of ``A`` shifted through ``len(B)`` zero bytes, XOR
    the CRC of ``B``.
    """
    n = len(data)
    width = _CRC_WIDTH if n >= 64 * _CRC_WIDTH else _CRC_WIDTH // 4
    chunks = n // width
    if chunks < 4:
        return _crc_py(data)
    body = np.frombuffer(data, dtype=np.uint8, count=chunks * width).reshape(chunks, width)
    body = np.ascontiguousarray(body.T)
    crc = np.zeros(chunks, dtype=np.uint16)
    for k in range(width):
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ body[k]) & 0xFF]
    lo, hi = _zero_shift_tables(width)
    total = 0
    for c in crc.tolist():
        total = (lo[total & 0xFF] ^ hi[total >> 8]) ^ c
    return _crc_py(memoryview(data)[chunks * width :], total)


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
    wanted = _WANTED[gnum]
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
    buf: npt.NDArray[np.uint8], walk: _Walk, gnum_fields: dict[int, tuple[Any, ...]]
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


# --------------------------------------------------------------------------- enums
def _enum_name(type_name: str, value: float) -> str | None:
    if value != value:  # NaN
        return None
    from fitdecode.profile import FIELD_TYPES  # the FIT profile's enum names

    ftype = FIELD_TYPES.get(type_name)
    enum = getattr(ftype, "enum", None) or {}
    return str(enum.get(int(value), f"{type_name}_{int(value)}"))


def _first_valid(values: npt.NDArray[Any] | None) -> float:
    if values is None:
        return float("nan")
    for v in values:
        if isinstance(v, float) and v == v:
            return v
    return float("nan")


def _first_text(values: npt.NDArray[Any] | None) -> str | None:
    if values is None:
        return None
    for v in values:
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


# --------------------------------------------------------------------------- reader
def read_fit(data: bytes, *, path: str) -> RawActivity:
    """Read a FIT activity file.

    Parameters
    ----------
    data : bytes
        The whole (decompressed) file.
    path : str
        Shown in errors and warnings.

    Returns
    -------
    RawActivity
    """
    try:
        return _read_fit_fast(data, path)
    except RunloadError:
        raise
    except Exception as exc:  # an unforeseen structure: the robust decoder decides
        from .fit_fallback import read_fit_fitdecode

        raw = read_fit_fitdecode(data, path=path)
        raw.warnings.append(f"read with the fallback decoder (fast path failed: {exc!r})")
        return raw


def _read_fit_fast(data: bytes, path: str) -> RawActivity:
    walk = _walk(data, path)
    buf = np.frombuffer(data, dtype=np.uint8)
    msgs = {g: _messages(buf, walk, g) for g in _WANTED}
    if walk.any_compressed:
        _resolve_compressed_timestamps(buf, walk, msgs)
    raw = _assemble(msgs, walk.warnings, path, damaged=walk.damaged)
    raw.damage.extend(walk.damage)
    return raw


def _assemble(
    msgs: dict[int, tuple[Any, dict[int, npt.NDArray[Any]], Any]],
    warns: list[str],
    path: str,
    *,
    damaged: bool = False,
) -> RawActivity:
    """Build the RawActivity from the gathered message fields (shared with the fallback)."""
    session = msgs[MESG_SESSION][1]
    sport_msg = msgs[MESG_SPORT][1]
    sport = _enum_name("sport", _first_valid(session.get(5)))
    sub_sport = _enum_name("sub_sport", _first_valid(session.get(6)))
    if sport is None:
        sport = _enum_name("sport", _first_valid(sport_msg.get(0)))
        sub_sport = sub_sport or _enum_name("sub_sport", _first_valid(sport_msg.get(1)))
    name = _first_text(sport_msg.get(3))

    file_id = msgs[MESG_FILE_ID][1]
    file_type = _first_valid(file_id.get(0))
    if file_type == file_type and int(file_type) in NOT_ACTIVITY_FILE_TYPES:
        kind = NOT_ACTIVITY_FILE_TYPES[int(file_type)]
        raise UnsupportedFormatError(
            f"FIT file is a {kind} file (file_id.type {int(file_type)}), not an activity: "
            "not counted as training",
            path=path,
            reason="not_an_activity",
        )
    manufacturer = _enum_name("manufacturer", _first_valid(file_id.get(1)))
    product_num = _first_valid(file_id.get(2))
    device = manufacturer
    if manufacturer is not None and product_num == product_num:
        product = (
            _enum_name("garmin_product", product_num)
            if manufacturer == "garmin"
            else str(int(product_num))
        )
        device = f"{manufacturer} {product}"

    rec = msgs[MESG_RECORD][1]
    ts = np.asarray(rec.get(FIELD_TIMESTAMP, np.array([])), dtype="float64")
    act = msgs[MESG_ACTIVITY][1]
    a_ts, a_local = _first_valid(act.get(FIELD_TIMESTAMP)), _first_valid(act.get(5))
    relative = np.isfinite(ts) & (ts < _MIN_ABSOLUTE_TIME)
    utc_offset_s: int | None = None
    if (
        relative.any()
        and a_ts == a_ts
        and a_ts < _MIN_ABSOLUTE_TIME
        and a_local >= _MIN_ABSOLUTE_TIME
    ):
        # Old devices count seconds since power-up; the activity message ties that clock to
        # local wall time.  The UTC offset is then unknown: local time stands in for UTC.
        ts = np.where(relative, ts + (a_local - a_ts), ts)
        warns.append(
            "record times are relative to power-up; anchored to the activity's local time "
            "(the UTC offset is unknown, pass timezone= if it matters)"
        )
        a_ts = a_local
    keep = np.isfinite(ts) & (ts >= _MIN_ABSOLUTE_TIME)
    n_rel = int(np.count_nonzero(np.isfinite(ts) & (ts < _MIN_ABSOLUTE_TIME)))
    if n_rel:
        warns.append(f"{n_rel} records with relative (power-up) timestamps dropped")
    n_no_time = int(np.count_nonzero(~np.isfinite(ts)))
    if n_no_time:
        warns.append(f"{n_no_time} records without a timestamp dropped")

    def col(num: int, scale: float = 1.0, offset: float = 0.0) -> npt.NDArray[np.float64]:
        v = rec.get(num)
        if v is None:
            return np.full(int(keep.sum()), np.nan)
        return np.asarray(v[keep], dtype="float64") / scale - offset

    def prefer(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.where(np.isfinite(a), a, b)

    cadence = col(4) + np.nan_to_num(col(53, 128.0))
    cadence = (
        cadence * 2.0 if (sport or "generic") in FOOT_SPORTS | {"generic"} else cadence * np.nan
    )
    distance = col(5, 100.0)
    speed = prefer(col(73, 1000.0), col(6, 1000.0))
    packed = col(8)
    if not np.isfinite(distance).any() and np.isfinite(packed).any():
        distance, packed_speed = _unpack_speed_distance(packed)
        speed = prefer(speed, packed_speed)
    ns = (ts[keep].astype("int64") + FIT_EPOCH_S) * 1_000_000_000
    index = pd.DatetimeIndex(ns.view("M8[ns]"), name="time").tz_localize("UTC")
    lat, lon = col(0) * _SEMICIRCLE_DEG, col(1) * _SEMICIRCLE_DEG
    bad_pos = ~((np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    lat[bad_pos] = np.nan
    lon[bad_pos] = np.nan
    columns = {
        "latitude_deg": lat,
        "longitude_deg": lon,
        "elevation_m": prefer(col(78, 5.0, 500.0), col(2, 5.0, 500.0)),
        "distance_m": distance,
        "speed_m_s": speed,
        "heart_rate_bpm": col(3),
        "cadence_spm": cadence,
        "power_w": col(7),
    }
    samples = pd.DataFrame(
        np.column_stack([columns[c] for c in SAMPLE_COLUMNS]) if len(index) else None,
        index=index,
        columns=pd.Index(SAMPLE_COLUMNS, dtype=object),
        dtype="float64",
    )

    # Timer pauses from events.
    ev = msgs[MESG_EVENT][1]
    pauses: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    has_timer_events = False
    if ev.get(0) is not None and len(ev[0]):
        ev_t = ev[FIELD_TIMESTAMP]
        timer = (ev[0] == _TIMER_EVENT) & np.isfinite(ev_t)
        has_timer_events = bool(np.any(timer & (ev[1] == _TIMER_START)))
        order = np.argsort(ev_t[timer], kind="stable")
        stopped_at: float | None = None
        for t, etype in zip(ev_t[timer][order].tolist(), ev[1][timer][order].tolist(), strict=True):
            if etype in _TIMER_STOPS and stopped_at is None:
                stopped_at = t
            elif etype == _TIMER_START and stopped_at is not None:
                if t > stopped_at:
                    pauses.append((_fit_time(stopped_at), _fit_time(t)))
                stopped_at = None

    if a_ts == a_ts and a_local == a_local and a_ts >= _MIN_ABSOLUTE_TIME:
        off = int(a_local - a_ts)
        if abs(off) <= 14 * 3600:
            utc_offset_s = round(off / 60.0) * 60

    totals: dict[str, float] = {}
    for key, num, scale in (
        ("distance_m", 9, 100.0),
        ("elapsed_time_s", 7, 1000.0),
        ("moving_time_s", 8, 1000.0),
        ("ascent_m", 22, 1.0),
        ("descent_m", 23, 1.0),
    ):
        v = np.asarray(session.get(num, []), dtype="float64")
        if np.isfinite(v).any():
            totals[key] = float(np.nansum(v)) / scale
    start_raw = _first_valid(session.get(2))
    start_time = (
        _fit_time(start_raw) if start_raw == start_raw and start_raw >= _MIN_ABSOLUTE_TIME else None
    )

    if len(samples) == 0 and not totals:
        raise UnsupportedFormatError(
            "FIT file holds no activity (no records and no session): "
            "perhaps a settings, course or monitoring file",
            path=path,
            reason="not_an_activity",
        )
    return RawActivity(
        format="fit",
        samples=samples,
        sport=sport,
        sub_sport=sub_sport,
        name=name,
        device=device,
        utc_offset_s=utc_offset_s,
        start_time=start_time,
        pauses=pauses,
        distance_from_device=bool(np.isfinite(samples["distance_m"]).any()),
        complete=not damaged,
        gaps_are_pauses=not has_timer_events,
        totals=totals,
        warnings=warns,
    )


def _unpack_speed_distance(
    packed: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Decode record.compressed_speed_distance.

    Three bytes: a 12-bit speed [cm/s] and a 12-bit rolling distance [1/16 m].
    """
    valid = np.isfinite(packed)
    bits = np.where(valid, packed, 0).astype("int64")
    speed = np.where(valid, (bits & 0xFFF) / 100.0, np.nan)
    rolling = (bits >> 12) & 0xFFF
    step = np.diff(rolling[valid], prepend=rolling[valid][:1]) % 4096
    distance = np.full(packed.shape, np.nan)
    distance[valid] = np.cumsum(step) / 16.0
    return distance, speed


def _fit_time(t: float) -> pd.Timestamp:
    return pd.Timestamp(int(t) + FIT_EPOCH_S, unit="s", tz="UTC")


register_format("fit", suffixes=(".fit",), sniff=sniff_fit, reader=read_fit)
