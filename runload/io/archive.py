"""Reading zip archives (exports) safely, in memory.

Exports come from elsewhere and are treated as untrusted:

* Members are read into memory, never extracted.  A member's name is only
  ever a label (shown as ``archive.zip!member``): ``../`` or absolute names
  are harmless because no name is ever joined to a filesystem path.
* Every member is checked before a byte of it is decompressed: its declared
  size against :attr:`ArchiveLimits.max_member_bytes` (or
  :attr:`~ArchiveLimits.max_nested_bytes` for an archive inside the archive),
  and its compression ratio against :attr:`~ArchiveLimits.max_ratio`.  The
  declared size also bounds what :mod:`zipfile` will produce: a member whose
  data expands past it stops there and fails its CRC check.
* All members read from one archive tree share a budget of
  :attr:`~ArchiveLimits.max_total_bytes`; an archive with more than
  :attr:`~ArchiveLimits.max_members` members is refused whole.
* Archives nest at most :attr:`~ArchiveLimits.max_depth` deep (a Garmin export
  holds zips of FIT files: depth 2).  A nested archive larger than
  :attr:`~ArchiveLimits.spool_bytes` is held in an anonymous temporary file
  (deleted when closed, never named after a member) instead of in memory.
* Encrypted members (general purpose flag bit 0) are skipped with the reason
  ``encrypted``.

Gzip members (``.fit.gz``) are decompressed later, by the reader, with the
same :class:`~runload.io.limits.ArchiveLimits` (see :func:`runload.io.registry.gunzip_bounded`).
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from ..exceptions import ArchiveError, UnsafeInputError
from .limits import DEFAULT_LIMITS, ArchiveLimits

__all__ = [
    "DEFAULT_LIMITS",
    "ArchiveLimits",
    "Member",
    "SafeZip",
    "is_zip",
    "member_display",
    "normalise_member_name",
]

_ENCRYPTED_FLAG = 0x1
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Member:
    """One file listed by an archive (folders are not listed).

    ``name`` is the name as stored (a label, never a filesystem path); ``key``
    its normalised form used for look-ups (see :func:`normalise_member_name`).
    """

    name: str
    key: str
    size: int
    compressed_size: int
    encrypted: bool


@dataclass
class _Budget:
    remaining: int


def is_zip(head: bytes) -> bool:
    """Whether ``head`` starts like a zip archive (local header or empty archive)."""
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise_member_name(name: str) -> str:
    """The look-up form of a member name: forward slashes, no leading ``./`` or ``/``.

    Used only to match names (a CSV's ``activities/1.gpx`` against the
    archive's members); the result is never used as a filesystem path.
    """
    key = name.replace("\\", "/")
    while key.startswith("./"):
        key = key[2:]
    return key.lstrip("/")


def member_display(archive: str, name: str) -> str:
    """How a member is shown: ``archive!name`` with control characters replaced."""
    return f"{archive}!{_CONTROL.sub('?', name)}"


class SafeZip:
    """A zip archive whose members are read into memory under :class:`ArchiveLimits`.

    Parameters
    ----------
    source : path or binary file object
        The archive.
    display : str
        How the archive is named in paths and messages.
    limits : ArchiveLimits
        Caps (see the module docstring).
    depth : int
        1 for an archive on disk, 2 for an archive inside it.

    Raises
    ------
    ArchiveError
        ``bad_zip`` when the content is not a readable zip archive,
        ``too_many_members`` beyond ``limits.max_members``.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | IO[bytes],
        *,
        display: str,
        limits: ArchiveLimits = DEFAULT_LIMITS,
        depth: int = 1,
        _budget: _Budget | None = None,
        _owned: IO[bytes] | None = None,
    ) -> None:
        self.display = display
        self.limits = limits
        self.depth = depth
        self._budget = _budget if _budget is not None else _Budget(limits.max_total_bytes)
        self._owned = _owned
        try:
            self._zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            if _owned is not None:
                _owned.close()
            raise ArchiveError(
                f"not a readable zip archive: {exc}", path=display, reason="bad_zip"
            ) from exc
        infos = self._zip.infolist()
        if len(infos) > limits.max_members:
            self.close()
            raise UnsafeInputError(
                f"archive lists {len(infos)} members, more than the {limits.max_members} allowed",
                path=display,
                reason="too_many_members",
            )
        try:
            _check_layout(infos, display)
        except UnsafeInputError:
            self.close()
            raise
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._by_key: dict[str, Member] = {}
        self.members: list[Member] = []
        for info in infos:
            if info.is_dir():
                continue
            key = normalise_member_name(info.filename)
            member = Member(
                name=info.filename,
                key=key,
                size=info.file_size,
                compressed_size=info.compress_size,
                encrypted=bool(info.flag_bits & _ENCRYPTED_FLAG),
            )
            self.members.append(member)
            if key not in self._infos:
                self._infos[key] = info
                self._by_key[key] = member

    # -- life cycle ------------------------------------------------------------------

    def close(self) -> None:
        """Close the archive (and its temporary file, for a spooled nested archive)."""
        zf = getattr(self, "_zip", None)
        if zf is not None:
            zf.close()
        if self._owned is not None:
            self._owned.close()
            self._owned = None

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- look-up ---------------------------------------------------------------------

    def __iter__(self) -> Iterator[Member]:
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)

    def find(self, name: str) -> Member | None:
        """The member stored under ``name`` (compared in normalised form), if any."""
        return self._by_key.get(normalise_member_name(name))

    def path_of(self, member: Member | str) -> str:
        """Display path of a member: ``archive!name``."""
        name = member.name if isinstance(member, Member) else member
        return member_display(self.display, name)

    # -- reading ---------------------------------------------------------------------

    def check(self, member: Member, *, nested: bool = False) -> None:
        """Raise if ``member`` may not be read (encrypted, too large, bomb-like ratio)."""
        path = self.path_of(member)
        if member.encrypted:
            raise ArchiveError(
                "member is encrypted; skipped (no password is ever asked)",
                path=path,
                reason="encrypted",
            )
        cap = self.limits.max_nested_bytes if nested else self.limits.max_member_bytes
        if member.size > cap:
            raise UnsafeInputError(
                f"member declares {member.size} bytes, more than the {cap} allowed",
                path=path,
                reason="member_too_large",
            )
        if member.size > self.limits.ratio_free_bytes:
            ratio = member.size / max(member.compressed_size, 1)
            if ratio > self.limits.max_ratio:
                raise UnsafeInputError(
                    f"member expands {ratio:.0f}x ({member.compressed_size} to {member.size} "
                    f"bytes), above the {self.limits.max_ratio:.0f}x allowed: refused as a bomb",
                    path=path,
                    reason="decompression_bomb",
                )
        if member.size > self._budget.remaining:
            raise UnsafeInputError(
                "the archive's total size cap "
                f"({self.limits.max_total_bytes} bytes) is reached; member not read",
                path=path,
                reason="archive_too_large",
            )

    def _copy(self, member: Member, out: IO[bytes] | bytearray, cap: int) -> int:
        path = self.path_of(member)
        info = self._infos_by_member(member)
        total = 0
        try:
            with self._zip.open(info) as fh:
                while True:
                    piece = fh.read(_CHUNK)
                    if not piece:
                        break
                    total += len(piece)
                    if total > cap:
                        raise UnsafeInputError(
                            f"member expands beyond {cap} bytes: refused",
                            path=path,
                            reason="member_too_large",
                        )
                    if isinstance(out, bytearray):
                        out += piece
                    else:
                        out.write(piece)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise ArchiveError(f"damaged member: {exc}", path=path, reason="bad_member") from exc
        except NotImplementedError as exc:
            raise ArchiveError(
                f"unsupported compression: {exc}", path=path, reason="unsupported_compression"
            ) from exc
        except RuntimeError as exc:  # zipfile's "password required"
            raise ArchiveError(str(exc), path=path, reason="encrypted") from exc
        self._budget.remaining -= total
        return total

    def _infos_by_member(self, member: Member) -> zipfile.ZipInfo:
        info = self._infos.get(member.key)
        if info is None or info.filename != member.name:
            for candidate in self._zip.infolist():
                if candidate.filename == member.name:
                    return candidate
            raise ArchiveError("no such member", path=self.path_of(member), reason="missing_file")
        return info

    def read(self, member: Member | str) -> bytes:
        """The bytes of one member, after :meth:`check`.

        Raises
        ------
        ArchiveError
            ``encrypted``, ``bad_member`` (CRC or stream damage),
            ``missing_file``, ``unsupported_compression``.
        UnsafeInputError
            ``member_too_large``, ``decompression_bomb``, ``archive_too_large``.
        """
        m = self._resolve(member)
        self.check(m)
        buf = bytearray()
        self._copy(m, buf, min(m.size, self.limits.max_member_bytes))
        return bytes(buf)

    def open_nested(self, member: Member | str) -> SafeZip:
        """Open an archive stored inside this one (one level deeper).

        Raises
        ------
        ArchiveError
            ``nesting_too_deep`` beyond ``limits.max_depth``, or as :meth:`read`.
        """
        m = self._resolve(member)
        path = self.path_of(m)
        if self.depth + 1 > self.limits.max_depth:
            raise ArchiveError(
                f"archive nested more than {self.limits.max_depth} deep; not opened",
                path=path,
                reason="nesting_too_deep",
            )
        self.check(m, nested=True)
        spool = tempfile.SpooledTemporaryFile(max_size=self.limits.spool_bytes)
        try:
            self._copy(m, spool, min(m.size, self.limits.max_nested_bytes))
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        return SafeZip(
            spool,
            display=path,
            limits=self.limits,
            depth=self.depth + 1,
            _budget=self._budget,
            _owned=spool,
        )

    def _resolve(self, member: Member | str) -> Member:
        if isinstance(member, Member):
            return member
        found = self.find(member)
        if found is None:
            raise ArchiveError(
                "no such member in the archive", path=self.path_of(member), reason="missing_file"
            )
        return found


#: Fixed part of a zip local file header (before the name and extra field). [bytes]
_LOCAL_HEADER_BYTES = 30


def _check_layout(infos: list[zipfile.ZipInfo], display: str) -> None:
    """Refuse archives whose entries overlap or repeat.

    A zip's central directory may point several entries at the same bytes (or
    at overlapping ones): 20 entries sharing one 256 MiB stream pass every
    per-member check and still inflate 5 GiB.  Each entry owns at least its
    30-byte local header and its compressed data, from its header offset on;
    two entries whose spans overlap, or two entries with the same name, make
    the archive refused whole, before a byte is inflated.  What is inflated
    across all members of an archive tree is capped by
    :attr:`ArchiveLimits.max_total_bytes` as members are read.
    """
    spans = sorted(
        (info.header_offset, info.header_offset + _LOCAL_HEADER_BYTES + info.compress_size, k)
        for k, info in enumerate(infos)
        if not info.is_dir()
    )
    end_before = -1
    last: zipfile.ZipInfo | None = None
    for start, end, k in spans:
        info = infos[k]
        if start < end_before and last is not None:
            raise UnsafeInputError(
                f"members {_CONTROL.sub('?', last.filename)!r} and "
                f"{_CONTROL.sub('?', info.filename)!r} share bytes (overlapping or duplicated "
                "zip entries, a way to inflate one stream many times): archive refused",
                path=display,
                reason="overlapping_members",
            )
        if end > end_before:
            end_before, last = end, info
    names: set[str] = set()
    for info in infos:
        if info.is_dir():
            continue
        if info.filename in names:
            raise UnsafeInputError(
                f"member {_CONTROL.sub('?', info.filename)!r} is listed twice "
                "(duplicated zip entries): archive refused",
                path=display,
                reason="duplicate_members",
            )
        names.add(info.filename)


@dataclass
class ArchiveStack:
    """Archives kept open while consecutive members of the same archives are read.

    Keyed by the chain of names leading to each archive (the file's path, then
    member names); only the most recently used chain stays open.
    """

    limits: ArchiveLimits = DEFAULT_LIMITS
    _open: list[tuple[tuple[str, ...], SafeZip]] = field(default_factory=list)

    def get(self, chain: tuple[str, ...], display: str) -> SafeZip:
        """The archive at ``chain`` (``(path,)`` or ``(path, member, ...)``).

        ``display`` names the outermost archive (the file on disk).
        """
        for i, (key, _) in enumerate(self._open):
            if key == chain:
                for _key, z in self._open[i + 1 :]:
                    z.close()
                del self._open[i + 1 :]
                return self._open[i][1]
        # Keep the longest open prefix of the chain, close the rest.
        keep = 0
        for i, (key, _) in enumerate(self._open):
            if chain[: len(key)] == key:
                keep = i + 1
            else:
                break
        for _key, z in self._open[keep:]:
            z.close()
        del self._open[keep:]
        if len(chain) == 1:
            archive = SafeZip(chain[0], display=display, limits=self.limits)
        else:
            parent = self.get(chain[:-1], display)
            archive = parent.open_nested(chain[-1])
        self._open.append((chain, archive))
        return archive

    def close(self) -> None:
        """Close every open archive."""
        for _key, z in reversed(self._open):
            z.close()
        self._open.clear()
