"""Safe, streaming XML reading shared by the GPX and TCX importers.

Three rules keep untrusted activity files harmless and fast:

* **No DTD, ever.**  A ``<!DOCTYPE`` (and so any ``<!ENTITY``) is refused with
  :class:`~runload.UnsafeInputError` before the parser sees the file.  The
  prolog (everything before the root element) is scanned here, by hand,
  because libxml2 in recover mode may skip or half-apply a declaration
  silently.  Entity resolution, DTD loading and network access are also off in
  the parser itself, as a second line of defence.
* **Streaming.**  :func:`iter_end_elements` drives :func:`lxml.etree.iterparse`
  on the elements an importer asks for; the importer frees the elements it has
  read as it goes, and collects values as text in a :class:`PointTable`,
  converted in bulk chunk by chunk, so memory stays flat on large files.
  A small document can instead be parsed whole, in C, by :func:`parse_tree`
  (same parser options), which is faster; a strict parse only: when it fails
  the importer streams, which reports the error or reads in recover mode.
* **Errors are runload errors.**  Malformed XML becomes
  :class:`~runload.ParseError` with reason ``"xml_syntax"`` and the line.
  The parse is strict first; only when the strict parse fails on an undeclared
  namespace prefix (Strava writes ``gpxdata:`` without declaring it) is the
  file parsed again in recover mode, and even then any fatal error that
  libxml2 reports still fails the read.

Times are parsed in bulk with :func:`parse_times_ns`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from itertools import compress
from operator import itemgetter
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from lxml import etree

from ..activity import time_in_range
from ..exceptions import ParseError, UnsafeInputError

__all__ = [
    "PointTable",
    "Prolog",
    "check_prolog",
    "iter_end_elements",
    "line_of",
    "local_name",
    "parse_times_ns",
    "parse_tree",
    "root_local_name",
    "scan_prolog",
    "text_of",
    "to_float",
]

T = TypeVar("T")

_UTF8_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"
_NAME = re.compile(rb"<([^\s/>!?<]+)")
_DECL_WORD = re.compile(rb"<!([A-Za-z\[]*)")
#: The rest of an internal DTD subset from its "[": quoted strings and comments may hold "]>".
_SUBSET_END = re.compile(
    rb"\[(?:<!--.*?-->|\"[^\"]*\"|'[^']*'|[^\]\"'<]|<(?!!--))*\]\s*>", re.DOTALL
)


@dataclass(frozen=True)
class Prolog:
    """What precedes the root element of an XML document.

    Attributes
    ----------
    root_name : str or None
        Local name of the root element (prefix removed), None if it was not
        reached in the bytes given.
    root_offset : int or None
        Offset of the root's ``<`` in the scanned text. [bytes]
    declaration : str or None
        The first markup declaration found before the root (``"DOCTYPE"``,
        ``"ENTITY"``...), None when there is none.
    declaration_line : int or None
        Line (1-based) of that declaration.
    """

    root_name: str | None
    root_offset: int | None
    declaration: str | None = None
    declaration_line: int | None = None


def _ascii_view(data: bytes) -> bytes:
    """The content in an ASCII-compatible encoding, for scanning markup."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace").encode("utf-8")
    if len(data) >= 2 and data[0] != 0 and data[1] == 0:
        return data.decode("utf-16-le", errors="replace").encode("utf-8")
    if len(data) >= 2 and data[0] == 0 and data[1] != 0:
        return data.decode("utf-16-be", errors="replace").encode("utf-8")
    return data


def line_of(data: bytes, offset: int) -> int:
    """Line number (1-based) of byte ``offset`` in ``data``."""
    return data.count(b"\n", 0, max(offset, 0)) + 1


def scan_prolog(data: bytes) -> Prolog:
    """Walk the prolog of an XML document up to its root element.

    Skips a UTF-8 byte-order mark, whitespace, the XML declaration, processing
    instructions and comments; records the first ``<!...>`` declaration
    (DOCTYPE) and keeps going to the root element.  UTF-16 content is
    transcoded first.  Never raises: a prolog cut short (for instance a 4 KiB
    head) just leaves ``root_name`` as None.

    Parameters
    ----------
    data : bytes
        The document, or its first bytes.

    Returns
    -------
    Prolog
    """
    text = _ascii_view(data)
    n = len(text)
    pos = len(_UTF8_BOM) if text.startswith(_UTF8_BOM) else 0
    declaration: str | None = None
    declaration_line: int | None = None
    while True:
        while pos < n and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= n or text[pos] != 0x3C:  # "<"
            return Prolog(None, None, declaration, declaration_line)
        if text.startswith(b"<?", pos):
            end = text.find(b"?>", pos + 2)
            if end < 0:
                return Prolog(None, None, declaration, declaration_line)
            pos = end + 2
        elif text.startswith(b"<!--", pos):
            end = text.find(b"-->", pos + 4)
            if end < 0:
                return Prolog(None, None, declaration, declaration_line)
            pos = end + 3
        elif text.startswith(b"<!", pos):
            if declaration is None:
                m = _DECL_WORD.match(text, pos)
                word = m.group(1).decode("ascii", "replace") if m else ""
                declaration = word.upper() or "<!"
                declaration_line = line_of(text, pos)
            # Skip the declaration, internal subset included, to reach the root.
            close = text.find(b">", pos)
            bracket = text.find(b"[", pos)
            if bracket >= 0 and (close < 0 or bracket < close):
                m_end = _SUBSET_END.match(text, bracket)
                if m_end is None:
                    return Prolog(None, None, declaration, declaration_line)
                pos = m_end.end()
            elif close < 0:
                return Prolog(None, None, declaration, declaration_line)
            else:
                pos = close + 1
        else:
            m = _NAME.match(text, pos)
            if m is None:
                return Prolog(None, None, declaration, declaration_line)
            qname = m.group(1).decode("utf-8", "replace")
            return Prolog(qname.rpartition(":")[2], pos, declaration, declaration_line)


def root_local_name(head: bytes) -> str | None:
    """Local name of the root element of a document that starts with ``head``, or None."""
    return scan_prolog(head).root_name


def check_prolog(data: bytes, *, path: str | None = None) -> Prolog:
    """Refuse a document whose prolog declares a DOCTYPE or entities.

    Parameters
    ----------
    data : bytes
        The whole (decompressed) document.
    path : str, optional
        For the error message.

    Returns
    -------
    Prolog
        When the document is acceptable.

    Raises
    ------
    UnsafeInputError
        Reason ``"doctype"``, with the line of the declaration.
    ParseError
        Reason ``"xml_syntax"`` for another ``<!`` construct before the root,
        which is not well-formed XML.
    """
    prolog = scan_prolog(data)
    decl = prolog.declaration
    if decl is None:
        return prolog
    if decl in ("DOCTYPE", "ENTITY"):
        raise UnsafeInputError(
            f"XML {decl} declaration refused: document type definitions and entities are "
            "never expanded",
            path=path,
            reason="doctype",
            line=prolog.declaration_line,
        )
    raise ParseError(
        f"unexpected '<!{decl}' before the root element",
        path=path,
        reason="xml_syntax",
        line=prolog.declaration_line,
    )


def local_name(tag: object) -> str:
    """Local part of an lxml tag.

    ``{ns}hr``, ``gpxtpx:hr`` (an undeclared prefix, read in recover mode) and
    ``hr`` all give ``hr``.
    """
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].rpartition(":")[2]


def text_of(element: etree._Element | None) -> str | None:
    """Stripped text of ``element``, None when absent or blank."""
    if element is None or element.text is None:
        return None
    text = element.text.strip()
    return text or None


def to_float(text: str | None) -> float:
    """``float(text)``, NaN for a missing or unreadable number."""
    if text is None:
        return np.nan
    try:
        return float(text)
    except ValueError:
        return np.nan


class _RetryInRecoverMode(Exception):
    pass


#: libxml2 namespace errors (an undeclared prefix...): the only ones recover mode is used for.
_NAMESPACE_ERRORS = frozenset(
    getattr(etree.ErrorTypes, name) for name in dir(etree.ErrorTypes) if name.startswith("NS_ERR")
)


def _content_start(data: bytes) -> int:
    """Offset of the first markup after a UTF-8 BOM and whitespace.

    libxml2 refuses whitespace before the XML declaration; real files have it.
    0 when there is nothing to skip or the text is not ASCII-compatible.
    """
    pos = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    n = len(data)
    while pos < n and data[pos] in _WHITESPACE:
        pos += 1
    if pos == len(_UTF8_BOM) and data.startswith(_UTF8_BOM):
        return 0  # a BOM alone is fine
    if pos < n and data[pos] != 0x3C:  # not "<": leave it to the parser (UTF-16...)
        return 0
    return pos


def _first_error(
    exc: etree.XMLSyntaxError, log: etree._ListErrorLog
) -> tuple[int, int | None, str]:
    """(libxml2 error type, line, message) of the error that stopped the parser.

    The exception's own line and message can be generic ("no element found",
    line 0) when entity resolution is off; the parser's own error log has the
    real one.  (``exc.error_log`` is not used: it may hold earlier parses' errors.)
    """
    for entry in log:
        if entry.level >= etree.ErrorLevels.ERROR:
            line = entry.line if entry.line > 0 else None
            return entry.type, line, str(entry.message)
    line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
    message = str(exc.msg) if getattr(exc, "msg", None) else str(exc)
    # The parser's own "line N, column M" suffix: the error carries the line itself.
    return int(getattr(exc, "code", -1)), line, re.sub(r", line \d+, column \d+$", "", message)


def _syntax_error(
    exc: etree.XMLSyntaxError, log: etree._ListErrorLog, path: str | None, line_shift: int
) -> ParseError:
    _code, line, message = _first_error(exc, log)
    if line is not None:
        line += line_shift
    return ParseError(f"malformed XML: {message}", path=path, reason="xml_syntax", line=line)


#: libxml2 options of every parse: no entities, DTD or network; no blank text,
#: comments or processing instructions in the tree.
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "huge_tree": False,
    "remove_blank_text": True,  # fewer nodes to build; blank text reads as missing anyway
    "remove_comments": True,
    "remove_pis": True,
}

_local = threading.local()


def _strict_parser() -> etree.XMLParser:
    """This thread's strict parser for :func:`parse_tree` (lxml parsers are per thread)."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(recover=False, **_PARSER_OPTIONS)
    return parser


def parse_tree(data: bytes, *, path: str | None = None) -> etree._Element | None:
    """Parse a whole document into a tree, strictly, or give None.

    The prolog is checked first (:func:`check_prolog`), and the parser has the
    same options as :func:`iter_end_elements`, so the tree holds the same
    elements, text and attributes as the streaming pass sees.  Any syntax
    error, an undeclared namespace prefix included, gives None: the caller
    then reads the document with :func:`iter_end_elements`, which reports the
    error (with its line) or reads the file in recover mode.  Meant for
    documents small enough to hold as a tree (up to a MB or two), which are
    read faster this way than streamed.

    Parameters
    ----------
    data : bytes
        The whole (decompressed) document.
    path : str, optional
        For error messages.

    Returns
    -------
    lxml.etree._Element or None
        The root element, None when the strict parse failed.

    Raises
    ------
    UnsafeInputError
        DOCTYPE or ENTITY declarations (reason ``"doctype"``).
    ParseError
        Reason ``"xml_syntax"`` for another ``<!`` construct before the root.
    """
    check_prolog(data, path=path)
    start = _content_start(data)
    try:
        return etree.fromstring(data[start:] if start else data, _strict_parser())
    except (etree.LxmlError, ValueError):
        return None


def _drive(
    data: bytes,
    tags: Sequence[str],
    consume: Callable[[Iterator[etree._Element]], T],
    *,
    recover: bool,
    path: str | None,
) -> T:
    stream = BytesIO(data)  # shares the buffer: no copy
    start = _content_start(data)
    stream.seek(start)
    line_shift = data.count(b"\n", 0, start)
    events = etree.iterparse(
        stream,
        events=("end",),
        tag=tags,
        recover=recover,
        **_PARSER_OPTIONS,
    )

    try:
        # itemgetter in C: no Python frame per element on the hot path
        result = consume(map(itemgetter(1), events))
    except etree.XMLSyntaxError as exc:
        log = events.error_log
        if not recover and _first_error(exc, log)[0] in _NAMESPACE_ERRORS:
            raise _RetryInRecoverMode from exc
        raise _syntax_error(exc, log, path, line_shift) from exc
    if recover:
        fatal = events.error_log.filter_from_fatals()
        if len(fatal):
            first = fatal[0]
            raise ParseError(
                f"malformed XML: {first.message}",
                path=path,
                reason="xml_syntax",
                line=first.line + line_shift if first.line > 0 else None,
            )
    return result


def iter_end_elements(
    data: bytes,
    *,
    tags: Sequence[str],
    consume: Callable[[Iterator[etree._Element]], T],
    path: str | None = None,
) -> T:
    """Stream the elements named ``tags`` of ``data`` (as they close) into ``consume``.

    The prolog is checked first (:func:`check_prolog`).  ``consume`` receives
    an iterator of elements in document order, each yielded when its end tag
    is read, and returns the importer's result.  It may be called twice: when
    the strict parse stops at an undeclared namespace prefix, parsing starts
    again in recover mode, so ``consume`` must start from a clean state each
    time it is called.

    Parameters
    ----------
    data : bytes
        The whole (decompressed) document.
    tags : sequence of str
        lxml tag selectors such as ``"{*}trkpt"``.
    consume : callable
        Reads the elements; should delete the ones it has finished with (only
        those already read: the parser may have built the next ones).
    path : str, optional
        For error messages.

    Returns
    -------
    Whatever ``consume`` returns.

    Raises
    ------
    UnsafeInputError
        DOCTYPE or ENTITY declarations (reason ``"doctype"``).
    ParseError
        Malformed XML (reason ``"xml_syntax"``, with the line).
    """
    check_prolog(data, path=path)
    try:
        return _drive(data, tags, consume, recover=False, path=path)
    except _RetryInRecoverMode:
        return _drive(data, tags, consume, recover=True, path=path)


_NS_MIN = pd.Timestamp.min.tz_localize("UTC")
_NS_MAX = pd.Timestamp.max.tz_localize("UTC")


def _bad_time(value: str, path: str | None, data: bytes | None) -> ParseError:
    line = None
    if data is not None:
        at = data.find(value.encode("utf-8", "replace"))
        if at >= 0:
            line = line_of(data, at)
    return ParseError(
        f"cannot read time {value!r} as ISO 8601", path=path, reason="bad_time", line=line
    )


_YEAR = re.compile(r"\s*([+-]?\d{4,})-")


def _out_of_range(value: str, path: str | None, data: bytes | None) -> ParseError:
    line = None
    if data is not None:
        at = data.find(value.encode("utf-8", "replace"))
        if at >= 0:
            line = line_of(data, at)
    return ParseError(
        f"time {value!r} is outside 1980-2100: an unset or faulty clock; refused, not wrapped",
        path=path,
        reason="time_out_of_range",
        line=line,
    )


def _parse_time_column(
    text: Sequence[str | None], path: str | None, data: bytes | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Parse time strings: (times, missing, outside).

    ``missing`` marks None or blank entries and times outside 1980-2100;
    ``outside`` marks the latter only (they are never wrapped: numpy's ns
    parser would turn 0001-01-01 into 1754).  An unreadable time raises
    ``bad_time``.
    """
    values = text if isinstance(text, list) else list(text)
    fast = _parse_utc_z_times(values)
    if fast is not None:
        outside = ~time_in_range(fast)
        return fast, outside, outside
    parsed = pd.to_datetime(cast(list[str], values), format="ISO8601", utc=True, errors="coerce")
    unusable = ~np.asarray((parsed >= _NS_MIN) & (parsed <= _NS_MAX))  # NaT compares False
    outside = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(unusable):
        value = values[i]
        if value is not None and str(value).strip():
            word = str(value).strip()
            year = _YEAR.match(word)
            if year is not None and not 1980 <= int(year.group(1)) <= 2100:
                outside[i] = True
                continue
            raise _bad_time(word, path, data)
    t_ns = np.zeros(len(values), dtype="int64")
    ok = ~unusable
    if ok.any():
        t_ns[ok] = np.asarray(parsed[ok].as_unit("ns").asi8)
        outside |= ok & ~time_in_range(t_ns)
    return t_ns, unusable | outside, outside


#: What numpy's time parser takes for the start of a time zone (besides a "-").
_ZONE_MARKS = ("+", "Z", "z", "\u2212", " ", "\t", "\n", "\r", "\x0b", "\x0c")


def _parse_utc_z_times(values: list[str | None]) -> npt.NDArray[np.int64] | None:
    """Fast path for the common case: every time present, in UTC, written ``...Z``.

    numpy parses ``YYYY-MM-DDTHH:MM:SS[.fff]`` in C; anything else (offsets,
    missing values, other layouts) returns None and goes the general way.
    """
    try:
        naive = [v[:-1] for v in values if v[-1] == "Z" and v[10] == "T"]  # type: ignore[index]
        if len(naive) != len(values):
            return None
        # numpy wraps years outside 1678-2261 silently at ns precision: only 4-digit
        # years of 1980-2100 take this path (the general one refuses the others).
        years = {v[:4] for v in naive}
        if min(years) < "1980" or max(years) > "2100":
            return None
        # numpy reads a time zone (an offset before the "Z", a second "Z" or "z", whitespace)
        # with a warning: such a time is left to the general way, which refuses it.  (A time
        # numpy cannot read at all may still warn before it fails; the file fails then too.)
        joined = "".join(naive)
        if joined.count("-") != 2 * len(naive) or any(mark in joined for mark in _ZONE_MARKS):
            return None
        stamps = np.array(naive, dtype="M8[ns]")
    except (TypeError, IndexError, ValueError):
        return None
    if np.isnat(stamps).any():
        return None
    return stamps.view("int64")


def parse_times_ns(
    strings: Sequence[str], *, path: str | None = None, data: bytes | None = None
) -> npt.NDArray[np.int64]:
    """Parse ISO 8601 times in bulk to UTC nanoseconds since the epoch.

    Accepts ``Z``, numeric offsets (converted to UTC), fractional seconds and
    naive times (taken as UTC); surrounding whitespace is ignored.

    Parameters
    ----------
    strings : sequence of str
        Time strings.
    path : str, optional
        For the error message.
    data : bytes, optional
        The document, to find the line of an unreadable time.

    Returns
    -------
    ndarray of int64
        Nanoseconds since 1970-01-01T00:00Z. [ns]

    Raises
    ------
    ParseError
        Reason ``"bad_time"``, naming the first unreadable (or blank) value,
        or ``"time_out_of_range"``, naming the first time outside 1980-2100
        (never wrapped), and its line when ``data`` is given.
    """
    if len(strings) == 0:
        return np.empty(0, dtype="int64")
    text: list[str | None] = list(strings)
    t_ns, missing, outside = _parse_time_column(text, path, data)
    if outside.any():
        raise _out_of_range(str(text[int(np.argmax(outside))]).strip(), path, data)
    if missing.any():
        raise _bad_time(str(text[int(np.flatnonzero(missing)[0])]), path, data)
    return t_ns


def _to_float(column: Sequence[str | None]) -> npt.NDArray[np.float64]:
    """Numbers from text (None for missing); unreadable text gives NaN.

    ``float`` semantics throughout: numpy converts each string with Python's
    own ``float`` (and None to NaN), in C.
    """
    try:
        return np.array(column, dtype="float64")
    except ValueError:
        return np.asarray(
            pd.to_numeric(np.array(column, dtype=object), errors="coerce"), dtype="float64"
        )


class PointTable:
    """Per-point text values, collected row by row and converted in chunks.

    An importer appends ``width`` values per point (text or None) to
    :attr:`rows`, calling :meth:`flush` every :attr:`chunk` points, or hands
    whole columns to :meth:`add_columns` (the pattern reading); the text
    is then converted in bulk, column by column (times with numpy, or
    :func:`pandas.to_datetime` when they are not all UTC ``...Z``; numbers
    with Python's ``float`` semantics, unreadable ones read as NaN and
    counted), which is faster than converting in the parsing loop and keeps
    memory bounded on large files.

    Parameters
    ----------
    width : int
        Values per point.
    time_slot : int
        Which value is the time; a point whose time is missing or blank is
        dropped (and counted in :attr:`dropped`), one dated outside 1980-2100
        is dropped (and counted in :attr:`out_of_range`), one whose time cannot
        be read fails the import.
    path : str, optional
        For error messages.
    data : bytes, optional
        The document, to find the line of an unreadable time.
    """

    chunk = 1 << 14

    def __init__(
        self, width: int, *, time_slot: int, path: str | None = None, data: bytes | None = None
    ) -> None:
        self.width = width
        self.time_slot = time_slot
        self.path = path
        self.data = data
        self.rows: list[str | None] = []
        self._columns: list[Mapping[int, Sequence[str | None]]] = []
        self.dropped = 0
        self.out_of_range = 0
        self.bad_numbers = 0
        self._times: list[npt.NDArray[np.int64]] = []
        self._keep: list[npt.NDArray[np.bool_]] = []
        self._values: list[list[npt.NDArray[np.float64] | None]] = [[] for _ in range(width)]

    def flush(self) -> None:
        """Convert the columns added and the rows collected so far (and empty :attr:`rows`)."""
        while self._columns:
            self._convert(self._columns.pop(0))
        rows = self.rows
        if not rows:
            return
        width = self.width
        self._convert({slot: rows[slot::width] for slot in range(width)})
        del rows[:]

    def add_columns(self, columns: Mapping[int, Sequence[str | None]]) -> None:
        """Add whole columns of points read another way, after the rows collected so far.

        They are converted with the rows, at the next :meth:`flush` (or
        :meth:`finish`), so an unreadable time fails there, as it would in a row.

        Parameters
        ----------
        columns : mapping of int to sequence of str or None
            Text of each slot at every point; a slot left out has no value at
            any point.  The time slot must be given, and every column must have
            the same length.
        """
        self.flush()
        self._columns.append(columns)

    def _convert(self, columns: Mapping[int, Sequence[str | None]]) -> None:
        t_ns, missing, outside = _parse_time_column(columns[self.time_slot], self.path, self.data)
        n_missing = int(np.count_nonzero(missing))
        n_outside = int(np.count_nonzero(outside)) if n_missing else 0
        self.out_of_range += n_outside
        self.dropped += n_missing - n_outside
        keep = ~missing
        self._keep.append(keep)
        self._times.append(t_ns[keep] if n_missing else t_ns)
        kept = keep.tolist() if n_missing else None
        for slot in range(self.width):
            if slot == self.time_slot:
                continue
            given = columns.get(slot)
            if given is None:
                self._values[slot].append(None)
                continue
            column = list(compress(given, kept)) if kept is not None else given
            if not column:  # every point of the chunk dropped: no value, as when all are absent
                self._values[slot].append(None)
                continue
            numbers = _to_float(column)
            unread = np.flatnonzero(np.isnan(numbers))
            if unread.size:  # missing (None), "nan" or unreadable text
                n_absent = column.count(None)
                if n_absent == len(column):
                    self._values[slot].append(None)
                    continue
                if unread.size > n_absent:
                    for i in unread.tolist():
                        value = column[i]
                        if value is None:
                            continue
                        word = value.strip().lower()
                        if word and word != "nan":
                            self.bad_numbers += 1
            self._values[slot].append(numbers)

    def finish(
        self,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], dict[int, npt.NDArray[np.float64]]]:
        """Convert what is left and return the whole table.

        Returns
        -------
        time_ns : ndarray of int64
            Times of the kept points (those with a time). [ns since the epoch, UTC]
        keep : ndarray of bool
            For every point collected, whether it was kept.
        values : dict of int to ndarray
            For each slot that holds at least one value, its numbers at the
            kept points (NaN where missing or unreadable).
        """
        self.flush()
        values: dict[int, npt.NDArray[np.float64]] = {}
        if len(self._times) == 1:  # one chunk: nothing to join
            for slot, chunks in enumerate(self._values):
                if slot != self.time_slot and chunks[0] is not None:
                    values[slot] = chunks[0]
            return self._times[0], self._keep[0], values
        t_ns = np.concatenate(self._times) if self._times else np.empty(0, dtype="int64")
        keep = np.concatenate(self._keep) if self._keep else np.empty(0, dtype=bool)
        sizes = [len(t) for t in self._times]
        for slot, chunks in enumerate(self._values):
            if slot == self.time_slot or all(c is None for c in chunks):
                continue
            parts = [
                c if c is not None else np.full(n, np.nan)
                for c, n in zip(chunks, sizes, strict=True)
            ]
            values[slot] = np.concatenate(parts)
        return t_ns, keep, values
