"""File identities: what lets a warm read skip reading and hashing unchanged files.

The cache is keyed by the SHA-256 of a file's bytes, so finding an entry means
reading the whole file.  An *identity* is what can be learnt without reading
it, and :class:`runload.io.cache.ActivityCache` remembers which content hash
each identity had when it was last hashed:

- a file on disk: :class:`FileIdentity` ``(path, size, mtime_ns)``, from one
  ``stat`` (:func:`file_identity`);
- an archive member: :class:`MemberIdentity` ``(archive, name, crc32, size)``,
  where ``archive`` is the identity of the archive holding it (a file, or for a
  zip inside a zip the member identity of the inner zip), and ``crc32`` and
  ``size`` come from the archive's directory, read without inflating anything.

When is an identity trusted?
    Only when *every* part matches what was stored for the same location (the
    same path; the same archive location and member name): the same size, the
    same modification time to the nanosecond, and for a member the same CRC-32
    and size as well as an unchanged archive.  Anything else and the file is
    read and hashed again.

What that misses
    A file rewritten in place with exactly the same size *and* its old
    modification time put back: tools that copy or restore times (``cp -p``,
    ``rsync -t``, unzip and tar restoring the times stored in an archive, some
    sync clients) or filesystems with coarse times (FAT: 2 s, some network
    filesystems) can do that.  Two guards: a file modified less than
    :data:`RACY_S` before it was remembered is not remembered at all (git's
    "racily clean" rule: a second write within the same tick would leave the
    same time), and a caller may offer a ``--rehash``-style option that skips
    the look-up and hashes every file (remembering the fresh identities).

Identities are plain tuples (the named tuples below are tuples too), so a
caller may build them by hand; the strings stored are canonical JSON, with
undecodable path characters (surrogate escapes) escaped.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, NamedTuple

__all__ = [
    "RACY_S",
    "FileIdentity",
    "Identity",
    "MemberIdentity",
    "file_identity",
    "identity_keys",
    "member_identity",
    "settled",
]

#: A file modified less than this long before it is remembered is not
#: remembered: its time could be reused by a second write. [s]
RACY_S = 2.0


class FileIdentity(NamedTuple):
    """A file on disk as ``stat`` sees it.

    Attributes
    ----------
    path : str
        The path the caller reads the file by (make it absolute:
        :func:`os.path.abspath`, so that the working folder does not matter).
    size : int
        Size. [bytes]
    mtime_ns : int
        Modification time. [ns since the Unix epoch]
    """

    path: str
    size: int
    mtime_ns: int


class MemberIdentity(NamedTuple):
    """A member of an archive, as the archive's directory describes it.

    Attributes
    ----------
    archive : FileIdentity or MemberIdentity
        The archive holding the member (a member identity for a zip in a zip).
    name : str
        The member's name in the archive.
    crc32 : int
        The CRC-32 the archive declares for the member.
    size : int
        The member's uncompressed size. [bytes]
    """

    archive: FileIdentity | MemberIdentity
    name: str
    crc32: int
    size: int


#: Either kind of identity (plain tuples of the same shape are accepted).
Identity = FileIdentity | MemberIdentity


def file_identity(path: str | os.PathLike[str], stat: os.stat_result | None = None) -> FileIdentity:
    """The identity of a file: its absolute path, size and modification time.

    Parameters
    ----------
    path : str or path
        The file (made absolute with :func:`os.path.abspath`; links are not
        resolved, which would cost a system call per folder level).
    stat : os.stat_result, optional
        Its ``stat``, when the caller has it already (``os.DirEntry.stat()``).

    Raises
    ------
    OSError
        When the file cannot be ``stat``-ed.
    """
    st = os.stat(path) if stat is None else stat
    return FileIdentity(os.path.abspath(os.fspath(path)), int(st.st_size), int(st.st_mtime_ns))


def member_identity(
    archive: FileIdentity | MemberIdentity, name: str, *, crc32: int, size: int
) -> MemberIdentity:
    """The identity of an archive member (``zipfile.ZipInfo``: ``CRC``, ``file_size``)."""
    return MemberIdentity(archive, name, int(crc32), int(size))


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parts(identity: Any) -> tuple[list[Any], list[Any], int]:
    """(location, stamp, mtime_ns of the outermost file) of an identity."""
    if not isinstance(identity, tuple):
        raise TypeError(f"an identity is a tuple, not {type(identity).__name__}")
    if len(identity) == 3:
        path, size, mtime_ns = identity
        if isinstance(path, str) and _int(size) and _int(mtime_ns):
            return ["f", path], [size, mtime_ns], mtime_ns
    elif len(identity) == 4:
        archive, name, crc32, size = identity
        if isinstance(name, str) and _int(crc32) and _int(size):
            location, stamp, mtime_ns = _parts(archive)
            return ["m", location, name], [stamp, crc32, size], mtime_ns
    raise TypeError(
        "an identity is (path, size, mtime_ns) or (archive identity, name, crc32, size), "
        f"not {identity!r}"
    )


def identity_keys(identity: Identity | tuple[Any, ...]) -> tuple[str, str]:
    """The stored form of an identity: (location, stamp), both canonical JSON.

    The location says *where* (a path; an archive location and a member name),
    the stamp says *which version* (size and time; the archive's stamp, CRC-32
    and size).  One stamp is kept per location, so a file that changes
    replaces its old identity instead of adding one.

    Raises
    ------
    TypeError
        When ``identity`` has neither shape.
    """
    location, stamp, _ = _parts(identity)
    return json.dumps(location, separators=(",", ":")), json.dumps(stamp, separators=(",", ":"))


def settled(identity: Identity | tuple[Any, ...], *, now_ns: int | None = None) -> bool:
    """Whether the outermost file was last modified at least :data:`RACY_S` ago."""
    _, _, mtime_ns = _parts(identity)
    now = time.time_ns() if now_ns is None else now_ns
    return mtime_ns <= now - int(RACY_S * 1e9)
