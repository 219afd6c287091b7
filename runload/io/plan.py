"""What a source stands for: the :class:`Item` s to read, and the export registry.

This is the leaf of the batch reader: the planning types (:class:`Item`,
:class:`Plan`), the name rules for activity files, how an item's bytes are
fetched (:func:`load_item`), and the registry of bulk-export kinds.  An export
module (:mod:`runload.io.strava`, :mod:`runload.io.garmin`) describes itself
with an :class:`ExportSpec` and calls :func:`register_export` when imported,
as the file formats do with :func:`runload.io.registry.register_format`; plain
zip archives are the kind registered here, tried after every other.  Nothing
in this module imports an export module, so the exports can import it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import RunloadError
from .archive import ArchiveStack, SafeZip, is_zip
from .files import check_regular_file, read_regular_file, walk_folder
from .limits import DEFAULT_LIMITS, ArchiveLimits

__all__ = [
    "ExportSpec",
    "Item",
    "Plan",
    "discover",
    "exports",
    "is_activity_name",
    "is_macos_metadata",
    "load_item",
    "plan_generic_zip",
    "plan_sources",
    "register_export",
]

_ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")


@dataclass(frozen=True)
class Item:
    """One file to read: where it is shown as coming from, and how to get its bytes.

    Attributes
    ----------
    path : str
        The display path, used in the activities and errors tables.  Members
        of archives are shown as ``archive.zip!member``; for Garmin exports the
        account e-mail in names is replaced by ``<account>``.
    locator : tuple of str
        How to get the bytes, picklable: ``("file", path)`` or
        ``("zip", archive_path, member[, inner member])``.
    meta : mapping
        Summary fields that override what the file says (an export's name,
        notes, gear, sport and sub-sport).
    fallback : mapping or callable, optional
        A summary-only row to use when the file cannot be read (an export row
        still describes a real activity), or a callable that makes it (or
        None) when it is needed: :meth:`Item.fallback_row`.
    group : str, optional
        The export the item belongs to, for metadata joined after parsing.
    redact : bool
        Whether messages about this item must pass through the export's
        redaction (Garmin account e-mails).
    """

    path: str
    locator: tuple[str, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)
    fallback: Mapping[str, Any] | Callable[[], Mapping[str, Any] | None] | None = None
    group: str | None = None
    redact: bool = False

    def fallback_row(self) -> dict[str, Any] | None:
        """The summary-only row to use when the file cannot be read, if there is one."""
        row = self.fallback() if callable(self.fallback) else self.fallback
        return None if row is None else dict(row)


@dataclass
class Plan:
    """What a source stands for: items to read, summary-only rows, errors, joins.

    ``warnings`` are (path, message) rows about export metadata that was read
    with something left out; ``manual`` holds the activity ids of summary-only
    rows that are manual entries (no file was ever recorded).  A join is an
    object with a ``group`` (the :attr:`Item.group` it applies to), an
    ``apply(summary) -> summary`` method, an ``unmatched() -> list of rows``
    method and, optionally, a ``manual`` set of activity ids.
    """

    items: list[Item] = field(default_factory=list)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    joins: list[Any] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    manual: set[str] = field(default_factory=set)


def is_macos_metadata(name: str) -> bool:
    """Whether a name is macOS metadata: a ``._name`` resource fork or under ``__MACOSX/``."""
    lower = name.replace("\\", "/").lower()
    return lower.rsplit("/", 1)[-1].startswith("._") or "__macosx/" in lower


def is_activity_name(name: str) -> bool:
    """Whether a file or member name is an activity file.

    It is when it ends in ``.fit``, ``.gpx`` or ``.tcx`` (each optionally
    ``.gz``), and is not macOS metadata (``._name`` resource forks and the
    ``__MACOSX/`` folder that zips made on a Mac carry).
    """
    if is_macos_metadata(name):
        return False
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return lower.endswith(_ACTIVITY_SUFFIXES)


# -- the export registry ------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSpec:
    """A kind of bulk export: how to recognise it, and how to plan its reading.

    Attributes
    ----------
    name : str
        Short name (``"strava"``, ``"garmin"``, ``"zip"``).
    is_dir : callable
        ``is_dir(path) -> bool``: whether an extracted folder is this export.
    plan_dir : callable
        ``plan_dir(path, plan, *, timezone, limits)``: add the folder's items,
        summary rows, errors and joins to ``plan``.
    is_zip : callable
        ``is_zip(archive) -> bool`` for an open :class:`~runload.io.archive.SafeZip`.
    plan_zip : callable
        ``plan_zip(path, archive, plan, *, timezone, limits)``.
    redact : callable, optional
        ``redact(text) -> text``: what messages about the export's items (those
        with :attr:`Item.redact`) must hide, such as the account e-mail in
        Garmin's file names.
    catch_all : bool
        Tried only after every other kind (plain zip archives).
    """

    name: str
    is_dir: Callable[[Path], bool]
    plan_dir: Callable[..., None]
    is_zip: Callable[[SafeZip], bool]
    plan_zip: Callable[..., None]
    redact: Callable[[str], str] | None = None
    catch_all: bool = False


_EXPORTS: dict[str, ExportSpec] = {}


def register_export(spec: ExportSpec) -> None:
    """Register (or replace) a kind of bulk export."""
    _EXPORTS[spec.name] = spec


def exports() -> Mapping[str, ExportSpec]:
    """The registered export kinds, in the order they are tried (catch-alls last)."""
    ordered = sorted(_EXPORTS.values(), key=lambda s: s.catch_all)
    return {s.name: s for s in ordered}


# -- planning -----------------------------------------------------------------------------


def _is_zip_file(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        check_regular_file(path)
        with open(path, "rb") as fh:
            return is_zip(fh.read(4))
    except (OSError, RunloadError):
        return False


def plan_sources(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    timezone: str | dt.tzinfo | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> Plan:
    """Turn a source (files, folders, archives, exports) into a :class:`Plan`."""
    sources: Iterable[str | os.PathLike[str]]
    sources = [source] if isinstance(source, str | os.PathLike) else source
    plan = Plan()
    for src in sources:
        path = Path(src).expanduser()
        if path.is_dir():
            _plan_dir(path, plan, timezone=timezone, limits=limits)
        elif path.is_file() and _is_zip_file(path):
            _plan_zip(path, plan, timezone=timezone, limits=limits)
        else:
            plan.items.append(Item(str(path), ("file", str(path))))
    return plan


def _plan_dir(
    folder: Path, plan: Plan, *, timezone: str | dt.tzinfo | None, limits: ArchiveLimits
) -> None:
    """Walk a folder (iteratively: no depth limit, no symbolic links to folders, no loops)."""

    def export(path: Path) -> bool:
        for spec in exports().values():
            if spec.is_dir(path):
                spec.plan_dir(path, plan, timezone=timezone, limits=limits)
                return True
        return False

    def unlisted(path: Path, exc: OSError) -> None:
        plan.errors.append((str(path), "unreadable", f"{path}: cannot list: {exc}"))

    if export(folder):
        return
    for child in walk_folder(folder, enter=lambda p: not export(p), on_error=unlisted):
        if is_activity_name(child.name):
            plan.items.append(Item(str(child), ("file", str(child))))
        elif child.suffix.lower() == ".zip" and not is_macos_metadata(child.name):
            _plan_zip(child, plan, timezone=timezone, limits=limits)


def _plan_zip(
    path: Path, plan: Plan, *, timezone: str | dt.tzinfo | None, limits: ArchiveLimits
) -> None:
    display = str(path)
    try:
        check_regular_file(path, display=display)
        archive = SafeZip(path, display=display, limits=limits)
    except RunloadError as exc:
        plan.errors.append((display, exc.reason, str(exc)))
        return
    with archive:
        for spec in exports().values():
            if spec.is_zip(archive):
                spec.plan_zip(path, archive, plan, timezone=timezone, limits=limits)
                return


def plan_generic_zip(
    path: Path,
    archive: Any,
    plan: Plan,
    *,
    chain: tuple[str, ...] = (),
    redact: Callable[[str], str] | None = None,
    group: str | None = None,
    members: Iterable[Any] | None = None,
) -> None:
    """Items for the activity files of an archive, descending into archives inside it."""
    show = redact or (lambda s: s)
    for member in archive if members is None else members:
        lower = member.key.lower()
        if is_activity_name(lower):
            plan.items.append(
                Item(
                    show(archive.path_of(member)),
                    ("zip", str(path), *chain, member.name),
                    group=group,
                    redact=redact is not None,
                )
            )
        elif lower.endswith(".zip") and not is_macos_metadata(lower):
            try:
                inner = archive.open_nested(member)
            except RunloadError as exc:
                shown = show(archive.path_of(member))
                plan.errors.append((shown, exc.reason, show(str(exc))))
                continue
            with inner:
                plan_generic_zip(
                    path, inner, plan, chain=(*chain, member.name), redact=redact, group=group
                )


def _plan_plain_zip(
    path: Path, archive: SafeZip, plan: Plan, *, timezone: Any = None, limits: Any = None
) -> None:
    plan_generic_zip(path, archive, plan)


register_export(
    ExportSpec(
        name="zip",
        is_dir=lambda path: False,
        plan_dir=lambda *args, **kwargs: None,
        is_zip=lambda archive: True,
        plan_zip=_plan_plain_zip,
        catch_all=True,
    )
)


def discover(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> Iterator[Item]:
    """The files a source stands for: files, folders (recursive, sorted), archives, exports."""
    yield from plan_sources(source).items


# -- an item's bytes ----------------------------------------------------------------------


def read_item_bytes(item: Item, stack: ArchiveStack) -> bytes:
    """The bytes of an item, archives opened through ``stack`` (kept open for the next item)."""
    kind = item.locator[0]
    if kind == "file":
        return read_regular_file(
            item.locator[1], display=item.path, max_bytes=stack.limits.max_file_bytes
        )
    if kind == "zip":
        chain = tuple(item.locator[1:-1])
        archive = stack.get(chain, _top_display(item))
        try:
            return archive.read(item.locator[-1])
        except RunloadError as exc:
            raise RunloadError(exc.message, path=item.path, reason=exc.reason) from exc
    raise RunloadError(f"unknown item kind {kind!r}", path=item.path, reason="internal")


def _top_display(item: Item) -> str:
    # The display path of the outermost archive: the item's path up to the first "!".
    return item.path.split("!", 1)[0] if "!" in item.path else item.locator[1]


def load_item(item: Item, *, limits: ArchiveLimits = DEFAULT_LIMITS) -> bytes:
    """The bytes of an item (a file, or a member of an archive read under ``limits``)."""
    stack = ArchiveStack(limits)
    try:
        return read_item_bytes(item, stack)
    finally:
        stack.close()
