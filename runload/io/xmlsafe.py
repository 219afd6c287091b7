"""Safe, streaming XML reading shared by the GPX and TCX importers.

Three rules keep untrusted activity files harmless and fast:

* **No DTD, ever.**  A ``<!DOCTYPE`` (and so any ``<!ENTITY``) is refused with
  :class:`~runload.UnsafeInputError` before the parser sees the file.  The
  prolog (everything before the root element) is scanned here, by hand,
  because libxml2 in recover mode may skip or half-apply a declaration
  silently.  Entity resolution, DTD loading and network access are also off in
  the parser itself, as a second line of defence.
* **Streaming.**  :func:`iter_end_elements` drives :func:`lxml.etree.iterparse`
  on the elements an importer asks for; the importer frees each element
  (:func:`release`) once it has read it, so memory stays flat on large files.
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from lxml import etree

from ..exceptions import ParseError, UnsafeInputError

__all__ = [
    "Prolog",
    "check_prolog",
    "iter_end_elements",
    "line_of",
    "local_name",
    "parse_times_ns",
    "release",
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
_DOCTYPE_END = re.compile(rb"\]\s*>")


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
                m_end = _DOCTYPE_END.search(text, bracket)
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
    """Local part of an lxml tag: ``{ns}hr``, ``gpxtpx:hr`` (undeclared prefix) and ``hr`` give ``hr``."""
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


def release(element: etree._Element) -> None:
    """Free an element that has been read, and the siblings already read before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


class _RetryInRecoverMode(Exception):
    pass


def _syntax_error(exc: etree.XMLSyntaxError, path: str | None) -> ParseError:
    line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
    message = str(exc.msg) if getattr(exc, "msg", None) else str(exc)
    return ParseError(f"malformed XML: {message}", path=path, reason="xml_syntax", line=line)


def _drive(
    data: bytes,
    tags: Sequence[str],
    consume: Callable[[Iterator[etree._Element]], T],
    *,
    recover: bool,
    path: str | None,
) -> T:
    events = etree.iterparse(
        BytesIO(data),
        events=("end",),
        tag=tags,
        recover=recover,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )

    def elements() -> Iterator[etree._Element]:
        for _event, element in events:
            yield element

    try:
        result = consume(elements())
    except etree.XMLSyntaxError as exc:
        if not recover and exc.domain == etree.ErrorDomains.NAMESPACE:
            raise _RetryInRecoverMode from exc
        raise _syntax_error(exc, path) from exc
    if recover:
        fatal = events.error_log.filter_from_fatals()
        if len(fatal):
            first = fatal[0]
            raise ParseError(
                f"malformed XML: {first.message}",
                path=path,
                reason="xml_syntax",
                line=first.line if first.line > 0 else None,
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
        Reads the elements; should :func:`release` each one it has finished with.
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


def parse_times_ns(
    strings: Sequence[str], *, path: str | None = None, data: bytes | None = None
) -> npt.NDArray[np.int64]:
    """Parse ISO 8601 times in bulk to UTC nanoseconds since the epoch.

    Accepts ``Z``, numeric offsets (converted to UTC), fractional seconds and
    naive times (taken as UTC).

    Parameters
    ----------
    strings : sequence of str
        Stripped time strings.
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
        Reason ``"bad_time"``, naming the first unreadable value and its line
        when ``data`` is given.
    """
    if len(strings) == 0:
        return np.empty(0, dtype="int64")
    try:
        parsed = pd.to_datetime(list(strings), format="ISO8601", utc=True)
        values = parsed.as_unit("ns").asi8
        if not parsed.hasnans:
            return np.asarray(values, dtype="int64")
    except (ValueError, OverflowError, TypeError) as exc:  # OutOfBoundsDatetime is a ValueError
        cause: Exception | None = exc
    else:
        cause = None
    coerced = pd.to_datetime(list(strings), format="ISO8601", utc=True, errors="coerce")
    bad = np.flatnonzero(np.asarray(coerced.isna()))
    if bad.size:
        first = strings[int(bad[0])]
    else:  # every value parses alone but not together (out of range in ns)
        first = strings[0]
    line = None
    if data is not None:
        at = data.find(first.encode("utf-8", "replace"))
        if at >= 0:
            line = line_of(data, at)
    raise ParseError(
        f"cannot read time {first!r} as ISO 8601", path=path, reason="bad_time", line=line
    ) from cause
