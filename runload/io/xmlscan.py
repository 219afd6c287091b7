"""Reading the points of a regular track document by pattern, proved equal to the tree reading.

Most GPX and TCX files are written by a program, point after point in one
fixed layout: every ``<trkpt>`` (or ``<Trackpoint>``) holds the same elements
in the same order, with the same whitespace between them.  For such a file,
building a libxml2 tree and walking it point by point in Python costs about
three times what the values are worth.  :func:`scan_track` reads the points
instead with one regular expression, learnt from the file's first point, and
returns:

* the text of each value, per slot, exactly as the tree reading would collect
  it (``element.text`` of each value element, ``get()`` of each attribute);
* a *skeleton*: the document with the points cut out of their containers,
  small enough to parse as a tree for everything else (names, sport, laps,
  namespaces, well-formedness);
* how many points each container held, in document order.

The proof that nothing was missed is a count: each point the expression
matches holds a known number of ``<``, and the ``<`` of every container must
all belong to matched points, so what lies between them is text without
markup (which the tree reading ignores too).  Values are matched as text
without ``<``; ``&`` (entities), carriage returns in values and whitespace in
attributes, which the parser would rewrite, are refused.

It gives None, and the caller reads the file the usual way, whenever that
equality is not proved:

* the document has a comment, CDATA section, DOCTYPE, processing instruction
  (other than the XML declaration), an encoding other than UTF-8/ASCII, or a
  character XML does not allow (the parser would refuse it);
* a point differs from the first one in any tag, attribute, whitespace
  between elements, or has an empty or entity-bearing value (such documents
  are mostly found out from the first points and a few in each quarter of the
  document, before all of it is read);
* the first point has mixed content, a container element that maps to a
  value, a self-closing value element, a namespace declaration on the point
  element or a prefix declared inside it (a default namespace declared on an
  element inside it is kept: :func:`fits_skeleton` has the parser check it),
  an ``xml:id``, more than :data:`_MAX_TAGS_PER_POINT` tags or
  :data:`_MAX_POINT_CHARS` characters, or an element the reader treats as
  structure (``NESTED``: a ``trkseg`` inside a point, say).

The caller must still check the skeleton: that it parses, that its containers
are the ones counted here, that it holds no point outside them, and that every
namespace prefix in :attr:`ScannedTrack.prefixes` is declared where the points
are (an undeclared prefix makes the strict tree parse fail, and the file is
then read in recover mode).  Documents with points of several layouts (a
heart-rate strap that drops out) are read from the tree: an alternation of
layouts measured no faster than the tree on them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from ..exceptions import RunloadError
from .xmlsafe import local_name, parse_tree

__all__ = [
    "IGNORED",
    "NESTED",
    "ScanSpec",
    "ScannedTrack",
    "fits_skeleton",
    "scan_document",
    "scan_track",
]

#: ``slot_of`` result for an element whose value is not read.
IGNORED = -1
#: ``slot_of`` result for an element that makes the reader fall back to the tree.
NESTED = -2

_UTF8_BOM = b"\xef\xbb\xbf"
_NAME = r"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?"
# A tag inside a point: close, open or self-closing, with its attributes (quoted values).
# ASCII: XML's whitespace is ASCII, and so are the names read here (any other is left to the tree).
_TAG = re.compile(
    rf"<(/?)({_NAME})((?:\s+{_NAME}\s*=\s*(?:\"[^\"<&]*\"|'[^'<&]*'))*)\s*(/?)>", re.ASCII
)
_ATTRIBUTE = re.compile(rf"(\s+)({_NAME})(\s*=\s*)(?:\"([^\"<&]*)\"|'([^'<&]*)')", re.ASCII)
_ENCODING = re.compile(rb"\sencoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
_ASCII_NAMES = frozenset({"us-ascii", "ascii"})  # read here when every byte is ASCII
#: Longest XML declaration read here. [bytes]
_MAX_DECLARATION = 4096
# Characters XML does not allow (C0 controls but tab, newline, carriage return) ...
_CONTROL = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
# ... nor U+FFFE and U+FFFF (here in UTF-8); nor is "]]>" allowed outside a CDATA section.
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


@dataclass(frozen=True)
class ScannedTrack:
    """What :func:`scan_track` read from a document.

    Attributes
    ----------
    skeleton : bytes
        The document (UTF-8) with the content of every container removed.
    counts : list of int
        Points in each container, in document order (0 for an empty one).
    columns : dict of int to sequence of str
        For each slot the points hold, its text at every point, in document
        order (the containers one after the other).
    prefixes : frozenset of str
        Namespace prefixes the points use; each must be declared on (or
        above) every container that holds points.
    containers : list of str
        The qualified name of each container, in document order.
    point : str
        The text of the first point (every other has its layout).
    depth : int
        Elements nested in a point, the point included.

    A caller checks them against the skeleton's tree with :func:`fits_skeleton`.
    """

    skeleton: bytes
    counts: list[int]
    columns: dict[int, Sequence[str]]
    prefixes: frozenset[str]
    containers: list[str]
    point: str
    depth: int


@dataclass(frozen=True)
class _Shape:
    pattern: re.Pattern[str]
    head: str  # how a point starts ("<trkpt")
    text: str  # the point it was learnt from
    depth: int  # elements nested in a point, the point included
    tags: int  # "<" per point
    slots: dict[int, int]  # slot -> index of its group in a match
    prefixes: frozenset[str]


@dataclass(frozen=True)
class ScanSpec:
    """What :func:`scan_track` needs to know of a format's points.

    Attributes
    ----------
    point : str
        Local name of a point element (``"trkpt"``, ``"Trackpoint"``).
    container : str
        Local name of the element that holds the points (``"trkseg"``, ``"Track"``).
    structure : frozenset of str
        Local names of elements that must not lie inside a point (the
        reader's own structure: ``trkseg``, ``Lap``...): a document with one
        there is not read here.
    fields : mapping of str to int
        Slot of each element whose text is a value, by lower-cased local name;
        other elements are not read.
    attributes : mapping of str to int
        Slot of each attribute of the point element that is read (``lat``).
    time_slot : int
        The slot of the time; a document whose points have none is not read here.
    """

    point: str
    container: str
    structure: frozenset[str]
    fields: Mapping[str, int]
    attributes: Mapping[str, int]
    time_slot: int

    def slot_of(self, name: str) -> int:
        """Slot of an element inside a point, from its local name (or IGNORED, NESTED)."""
        if name in self.structure:
            return NESTED
        return self.fields.get(name.lower(), IGNORED)


def scan_track(data: bytes, spec: ScanSpec) -> ScannedTrack | None:
    """Read the points of a regular document without a tree; None when not proved equal.

    Parameters
    ----------
    data : bytes
        The whole (decompressed) document.
    spec : ScanSpec
        The format's points.

    Returns
    -------
    ScannedTrack or None
        None when the document is not one this reading is proved exact for.
    """
    text = _plain_text(data)
    if text is None:
        return None
    # Any prefix: a container the pattern did not see would pair the counts with the wrong ones.
    opening = re.compile(
        rf"<((?:[^\s<>/:=\"']+:)?{re.escape(spec.container)})(\s[^<>]*|/)?>", re.ASCII
    )
    crlf = "\r" in text
    # The layout of the first point, and the next few points checked against it, before
    # anything reads the whole document: an irregular one is left to the tree cheaply.
    shape: _Shape | None = None
    found = opening.search(text)
    if found is not None and not (found.group(2) or "").rstrip().endswith("/"):
        first = text.find("<", found.end())
        if first != -1 and not text.startswith("</", first):
            shape = _learn(text, first, crlf, spec)
            if shape is None or not _sampled_points_match(shape, text, first):
                return None
    if not _allowed_characters(data):
        return None

    pieces: list[str] = []  # the skeleton
    regions: list[tuple[int, int, int]] = []  # (index in counts, start, end of the content)
    counts: list[int] = []
    names: list[str] = []
    copied = search = 0
    while (found := opening.search(text, search)) is not None:
        if len(names) == _MAX_CONTAINERS:
            return None
        names.append(found.group(1))
        if (found.group(2) or "").rstrip().endswith("/"):  # <trkseg/>: empty
            counts.append(0)
            search = found.end()
            continue
        start = found.end()
        closing = _closing_tag(text, found.group(1), start)
        if closing is None:
            return None
        pieces.append(text[copied:start])
        regions.append((len(counts), start, closing))
        counts.append(0)
        copied = search = closing
    pieces.append(text[copied:])

    rows: list[tuple[str, ...]] = []
    for index, start, end in regions:
        first = text.find("<", start, end)
        if first == -1:
            continue  # nothing but text, which the tree reading ignores too
        if text.find("&", start, end) != -1:
            return None
        if shape is None:
            shape = _learn(text, first, crlf, spec)
            if shape is None or not _leading_points_match(shape.pattern, text, first):
                return None
        found_rows = shape.pattern.findall(text, start, end)
        # Every "<" belongs to a matched point: the rest is text without markup.
        if text.count("<", start, end) != len(found_rows) * shape.tags:
            return None
        counts[index] = len(found_rows)
        if shape.pattern.groups == 1:
            found_rows = [(value,) for value in found_rows]
        if rows:
            rows.extend(found_rows)
        else:
            rows = found_rows  # one region, the usual case: no copy
    if shape is None:
        return None
    by_group = list(zip(*rows, strict=True))
    return ScannedTrack(
        skeleton="".join(pieces).encode("utf-8"),
        counts=counts,
        columns={slot: by_group[group] for slot, group in shape.slots.items()},
        prefixes=shape.prefixes,
        containers=names,
        point=shape.text,
        depth=shape.depth,
    )


#: Most containers (segments, tracks) a document read here may have; a GPX file has a
#: few, a TCX file one per lap.
_MAX_CONTAINERS = 4096
#: Deepest nesting (containers' ancestors, container, point) read here: libxml2 refuses
#: documents deeper than 256 without its huge-tree option; near it, the tree decides.
_MAX_DEPTH = 200


def _closing_tag(text: str, name: str, start: int) -> int | None:
    """Where the end tag of the container ``name`` opened before ``start`` is.

    ``</name>`` is looked for first (one search at memory speed); written
    with whitespace before ``>``, by a pattern.  Should such a form come
    before a plain one, the region found is too long and holds an end tag no
    point accounts for: the count of ``<`` then refuses the document.
    """
    position = text.find(f"</{name}>", start)
    if position != -1:
        return position
    found = re.compile(rf"</{re.escape(name)}\s*>", re.ASCII).search(text, start)
    return None if found is None else found.start()


def scan_document(
    data: bytes, path: str, spec: ScanSpec
) -> tuple[etree._Element, ScannedTrack] | None:
    """The points read by pattern and the tree of the rest (the skeleton); None if not proved.

    The caller still checks the skeleton's containers against the scan with
    :func:`fits_skeleton`.  A skeleton the strict parser refuses gives None:
    the whole document is then read again by the other readings, which say why.
    """
    scan = scan_track(data, spec)
    if scan is None:
        return None
    try:
        root = parse_tree(scan.skeleton, path=path)
    except RunloadError:
        return None
    return None if root is None else (root, scan)


def fits_skeleton(scan: ScannedTrack, containers: Sequence[etree._Element]) -> bool:
    """Whether the skeleton's containers are the scanned ones, and the points fit in them.

    ``containers`` are the container elements of the skeleton's tree, in
    document order.  They must have the names counted, in order; every
    container holding points must declare (or inherit) the prefixes the points
    use and leave room for their depth; and the first point, whose layout every
    point has, must be well-formed XML with the namespaces of the container it
    is in (an attribute written twice through two prefixes of one namespace, an
    ``xmlns`` that is not a URI, a name longer than the parser allows).
    """
    if len(containers) != len(scan.containers):
        return False
    namespaces: set[tuple[tuple[str, str], ...]] = set()
    for element, name, count in zip(containers, scan.containers, scan.counts, strict=True):
        prefix = element.prefix
        if (f"{prefix}:" if prefix else "") + local_name(element.tag) != name:
            return False
        if count == 0:
            continue
        if not scan.prefixes <= element.nsmap.keys():
            return False
        if sum(1 for _ in element.iterancestors()) + 1 + scan.depth > _MAX_DEPTH:
            return False
        namespaces.add(tuple(sorted((p or "", uri) for p, uri in element.nsmap.items())))
    return all(_point_parses(scan.point, declared) for declared in namespaces)


def _point_parses(point: str, namespaces: tuple[tuple[str, str], ...]) -> bool:
    """Whether ``point`` is well-formed XML with these namespaces (prefix "" is the default)."""
    declarations = "".join(
        f' xmlns{":" + prefix if prefix else ""}="{html.escape(uri, quote=True)}"'
        for prefix, uri in namespaces
    )
    try:
        return parse_tree(f"<w{declarations}>{point}</w>".encode()) is not None
    except RunloadError:
        return False


#: Longest point read here (a device's point is 100 to 1,000 characters), and most
#: attributes on it: a hostile point would otherwise become a pattern of megabytes.
_MAX_POINT_CHARS = 16384
_MAX_POINT_ATTRIBUTES = 32
#: Most tags one point may have here (a device's point has 5 to 30): a hostile document
#: of nested elements is left to the tree, which limits the depth, without building a
#: pattern of a million parts.
_MAX_TAGS_PER_POINT = 256
#: Points checked one by one against the layout before the whole region is read.
_LEADING_POINTS = 16
_TEXT = re.compile("[^<]*")


def _sampled_points_match(shape: _Shape, text: str, first: int) -> bool:
    """Whether the first points, and a few from each quarter of the document, have the layout.

    A quick refusal of irregular documents; a false answer either way costs
    only time (the proof is :func:`scan_track`'s count of every ``<``).
    """
    if not _leading_points_match(shape.pattern, text, first):
        return False
    for quarter in (1, 2, 3):
        position = text.find(shape.head, first + (len(text) - first) * quarter // 4)
        if position != -1 and not _leading_points_match(shape.pattern, text, position):
            return False
    return True


def _leading_points_match(pattern: re.Pattern[str], text: str, position: int) -> bool:
    """Whether the points from ``position`` (up to :data:`_LEADING_POINTS`, or to the end
    of their container) have the layout.

    Only a quick refusal of irregular documents (points with and without a
    heart rate, say), whose points vary early; :func:`scan_track` proves every
    container whole afterwards.
    """
    for _ in range(_LEADING_POINTS):
        found = pattern.match(text, position)
        if found is None:
            return False
        position = _TEXT.match(text, found.end()).end()  # type: ignore[union-attr]
        if position == len(text) or text.startswith("</", position):
            break
    return True


def _plain_text(data: bytes) -> str | None:
    """The document as text, when it is UTF-8 with no construct a pattern could misread.

    (Characters XML does not allow are checked later: :func:`_allowed_characters`.)

    Each check looks for one rare byte first (a search for one byte runs at
    memory speed; one for three bytes measured seventy times slower).
    """
    head = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    head = head[:1024].lstrip()
    # Comments, CDATA sections and DOCTYPEs may hold anything that looks like markup.
    if b"!" in data and b"<!" in data:
        return None
    # So may processing instructions; the XML declaration is the one allowed.
    declaration = b""
    end = -1
    if head.startswith(b"<?xml") and head[5:6] in (b" ", b"\t", b"\n", b"\r"):
        begin = data.find(b"<?xml")
        end = data.find(b"?>", begin, begin + _MAX_DECLARATION)
        if end == -1:
            return None
        declaration = data[begin:end]
    allowed = 1 if declaration else 0
    if data.find(b"?", end + 2 if end >= 0 else 0) != -1 and data.count(b"<?") > allowed:
        return None
    declared = _ENCODING.search(declaration)
    if declared is not None:
        encoding = declared.group(1).decode().lower()
        if encoding in _ASCII_NAMES:
            if not data.isascii():
                return None
        elif encoding not in _UTF8_NAMES:
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _allowed_characters(data: bytes) -> bool:
    """Whether ``data`` holds only characters (and no ``]]>``) XML allows in text.

    The parser refuses the others; a pattern would not notice them.  Checked
    after the first points are found regular, being the one check that reads
    every byte.
    """
    if len(data.translate(None, _CONTROL)) != len(data):
        return False
    return not (
        (b"]" in data and b"]]>" in data)
        or (b"\xef" in data and any(sequence in data for sequence in _NONCHARACTERS))
    )


def _learn(region: str, start: int, crlf: bool, spec: ScanSpec) -> _Shape | None:
    """The pattern of the point at ``start``; None when it cannot be read exactly.

    The pattern is the point's own text with each value (an attribute read,
    the text of an element without children) replaced by a group; everything
    else, whitespace between elements included, must be the same at every point.
    ``crlf``: whether the document holds a carriage return (which the parser
    turns into a newline: a value holding one is not read here).
    """
    limit = min(len(region), start + _MAX_POINT_CHARS)  # a longer point is not read here
    point, slot_of, attributes = spec.point, spec.slot_of, spec.attributes
    first = _TAG.match(region, start, limit)
    if first is None or first.group(1) or first.group(4) or _local(first.group(2)) != point:
        return None
    name = first.group(2)
    parts = [re.escape(f"<{name}")]
    slots: dict[int, int] = {}
    used: set[str] = set()
    _prefix_of(name, used)
    groups = 0
    seen: set[str] = set()
    at = 0
    attrs_text = first.group(3)
    for attr in _ATTRIBUTE.finditer(attrs_text):
        if groups == _MAX_POINT_ATTRIBUTES:
            return None
        attr_name = attr.group(2)
        if (
            attr.start() != at
            or attr_name in seen
            or attr_name.split(":")[0] == "xmlns"
            or attr_name == "xml:id"
        ):
            return None  # duplicates, namespace declarations, IDs: the tree decides
        seen.add(attr_name)
        at = attr.end()
        _prefix_of(attr_name, used)
        quote = '"' if attr.group(4) is not None else "'"
        parts.append(re.escape(f"{attr.group(1)}{attr_name}{attr.group(3)}{quote}"))
        # Whitespace in an attribute is normalised by the parser: not read here.
        parts.append(f"([^{quote}<&\\t\\n\\r]*)")
        parts.append(re.escape(quote))
        if attr_name in attributes:
            slots[attributes[attr_name]] = groups
        groups += 1
    if at != len(attrs_text):
        return None
    parts.append(re.escape(region[first.end(3) : first.end()]))

    # The elements inside the point, up to its closing tag.
    value = "([^<\\r]+)" if crlf else "([^<]+)"
    stack = [name]
    depth = 1
    pos = first.end()
    n_tags = 1
    open_leaf: str | None = None  # the element opened last, while nothing else followed
    while stack:
        if n_tags > _MAX_TAGS_PER_POINT:
            return None
        tag = _TAG.search(region, pos, limit)
        if tag is None:
            return None
        between = region[pos : tag.start()]
        is_close, tag_name, tag_attrs, self_closing = tag.groups()
        slot = slot_of(_local(tag_name))
        n_tags += 1
        if is_close:
            if tag_attrs or self_closing or tag_name != stack.pop():
                return None  # "</a x>", "</a/>", or not the element open
            if open_leaf == tag_name:  # an element without children: a value
                if not between:
                    if slot >= 0:
                        return None  # empty: None in the tree
                else:
                    parts.append(value)
                    if slot >= 0:  # a later element of the same slot wins, as in the tree
                        slots[slot] = groups
                    groups += 1
            elif between.strip():
                return None  # mixed content
            else:
                parts.append(re.escape(between))
        else:
            if between.strip() or slot == NESTED:
                return None
            if open_leaf is not None and slot_of(_local(open_leaf)) >= 0:
                return None  # an element with children whose text would be read as a value
            parts.append(re.escape(between))
            _prefix_of(tag_name, used)
            names = [attr.group(2) for attr in _ATTRIBUTE.finditer(tag_attrs)]
            if len(set(names)) != len(names) or "xml:id" in names:
                return None  # a duplicate attribute; an ID, which must differ at every point
            for attr_name in names:
                if attr_name.startswith("xmlns:"):
                    return None  # a prefix declared inside a point: scope is the tree's job
                if attr_name != "xmlns":
                    _prefix_of(attr_name, used)
            if self_closing and slot >= 0:
                return None  # a value element without text: None in the tree
            depth = max(depth, len(stack) + 1)
            if not self_closing:
                stack.append(tag_name)
        parts.append(re.escape(tag.group(0)))
        open_leaf = tag_name if not is_close and not self_closing else None
        pos = tag.end()
    if spec.time_slot not in slots:
        return None
    pattern = re.compile("".join(parts))
    if pattern.match(region, start) is None:
        return None
    used.discard("xml")
    return _Shape(
        pattern=pattern,
        head=f"<{name}",
        text=region[start:pos],
        depth=depth,
        tags=n_tags,
        slots=slots,
        prefixes=frozenset(used),
    )


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _prefix_of(name: str, used: set[str]) -> None:
    prefix, colon, _ = name.partition(":")
    if colon:
        used.add(prefix)
