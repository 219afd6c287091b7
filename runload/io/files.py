"""Files on disk, read safely: regular files only, capped in size; folders walked iteratively.

Users point runload at whole home folders, NAS shares and exports from
strangers, so nothing on disk is trusted:

* Only **regular files** are read.  A named pipe (FIFO) would block
  :func:`open` forever, a symbolic link to ``/dev/zero`` would never end, a
  socket or a device is not a file: each becomes a :class:`~runload.RunloadError`
  with the reason ``not_a_regular_file`` *before* it is opened for a blocking
  read (it is only ever opened non-blocking, to check what it is).
* A file is read through a **bounded reader**: at most ``max_bytes``
  (:attr:`runload.io.limits.ArchiveLimits.max_file_bytes`, 256 MiB by
  default).  A larger file, or one that grows past the cap while it is read,
  is refused with the reason ``file_too_large`` and a message naming the cap;
  nothing beyond the cap is read (a 3 GiB sparse file costs nothing).
* **Folders** are walked with an explicit stack, not recursion (1,200 nested
  folders are fine), in name order, without following symbolic links to
  folders unless asked, and never entering a folder twice (a loop of links is
  harmless even when links are followed).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from ..exceptions import RunloadError, UnsafeInputError
from .limits import DEFAULT_LIMITS

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "check_regular_file",
    "file_kind",
    "read_regular_file",
    "walk_folder",
]

#: Default cap on one file read from disk (an hour of 1 Hz FIT is about 100 KiB,
#: of GPX 1 MiB; the largest real files are tens of MiB): that of
#: :data:`runload.io.limits.DEFAULT_LIMITS`. [bytes]
DEFAULT_MAX_FILE_BYTES = DEFAULT_LIMITS.max_file_bytes

_CHUNK = 1 << 20
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def file_kind(mode: int) -> str:
    """A plain-words name of the kind of file with ``st_mode`` ``mode``."""
    if stat.S_ISREG(mode):
        return "regular file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    return "special file"


def _not_regular(display: str, mode: int) -> RunloadError:
    return RunloadError(
        f"not a regular file but a {file_kind(mode)}: not read",
        path=display,
        reason="not_a_regular_file",
    )


def _too_large(display: str, size: int | None, max_bytes: int) -> UnsafeInputError:
    told = f"{size} bytes, " if size is not None else ""
    return UnsafeInputError(
        f"file is too large ({told}over the cap of {max_bytes} bytes: "
        "ArchiveLimits.max_file_bytes): not read",
        path=display,
        reason="file_too_large",
    )


def _unreadable(display: str, exc: OSError) -> RunloadError:
    return RunloadError(f"cannot open: {exc.strerror or exc}", path=display, reason="unreadable")


def check_regular_file(
    path: str | os.PathLike[str], *, display: str | None = None
) -> os.stat_result:
    """The status of ``path`` (links followed) if it is a regular file.

    Nothing is opened.

    Raises
    ------
    RunloadError
        ``not_a_regular_file`` (folders, FIFOs, sockets, devices), or
        ``unreadable`` when it cannot be examined.
    """
    shown = display if display is not None else os.fspath(path)
    try:
        st = os.stat(path)
    except (OSError, ValueError) as exc:
        if isinstance(exc, OSError):
            raise _unreadable(shown, exc) from exc
        raise RunloadError(f"cannot open: {exc}", path=shown, reason="unreadable") from exc
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(shown, st.st_mode)
    return st


def read_regular_file(
    path: str | os.PathLike[str],
    *,
    display: str | None = None,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> bytes:
    """The bytes of a regular file, read through a bounded reader.

    Parameters
    ----------
    path : path
        The file.
    display : str, optional
        How the file is named in errors (default: ``path``).
    max_bytes : int
        Most bytes read. [bytes]

    Returns
    -------
    bytes
        The whole file.

    Raises
    ------
    RunloadError
        ``not_a_regular_file`` for FIFOs, sockets, devices and folders (checked
        before opening, and again on the open descriptor, which is opened
        non-blocking so that a FIFO swapped in meanwhile cannot block);
        ``unreadable`` when it cannot be opened.
    UnsafeInputError
        ``file_too_large`` above ``max_bytes``.
    """
    shown = display if display is not None else os.fspath(path)
    st = check_regular_file(path, display=shown)
    if st.st_size > max_bytes:
        raise _too_large(shown, st.st_size, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOCTTY | _CLOEXEC | _BINARY)
    except OSError as exc:
        raise _unreadable(shown, exc) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(shown, st.st_mode)
        if st.st_size > max_bytes:
            raise _too_large(shown, st.st_size, max_bytes)
        parts: list[bytes] = []
        total = 0
        while True:
            # The stated size plus one byte in one call (a file that grew is read on).
            want = max(st.st_size + 1 - total, _CHUNK)
            piece = os.read(fd, min(want, max_bytes + 1 - total))
            if not piece:
                break
            total += len(piece)
            if total > max_bytes:
                raise _too_large(shown, None, max_bytes)
            parts.append(piece)
    except OSError as exc:
        raise _unreadable(shown, exc) from exc
    finally:
        os.close(fd)
    return b"".join(parts)


def walk_folder(
    folder: str | os.PathLike[str],
    *,
    enter: Callable[[Path], bool] | None = None,
    follow_symlinks: bool = False,
    on_error: Callable[[Path, OSError], None] | None = None,
) -> Iterator[Path]:
    """Every entry under ``folder`` that is not a folder, depth first, in name order.

    Iterative (an explicit stack), so depth is not limited by Python's
    recursion limit, and loop-safe: a folder (by device and inode) is entered
    at most once.

    Parameters
    ----------
    folder : path
        Where to start.
    enter : callable, optional
        Called with each folder found (not ``folder`` itself); when it returns
        False the folder is not entered (the caller handles it, e.g. an export).
    follow_symlinks : bool
        Enter symbolic links to folders (default: no; a link to a folder is
        then skipped, neither entered nor yielded).
    on_error : callable, optional
        Called with a folder that cannot be listed and the error; default: skip it.

    Yields
    ------
    Path
        Files, and special files (FIFOs, sockets, devices, broken links): the
        reader refuses what is not a regular file.
    """
    root = Path(folder)
    seen: set[tuple[int, int]] = set()
    try:
        st = root.stat()
        seen.add((st.st_dev, st.st_ino))
    except OSError:
        pass
    stack: list[Iterator[Path]] = [iter(_children(root, on_error))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        try:
            is_link = child.is_symlink()
            is_dir = child.is_dir()
        except OSError:
            is_link, is_dir = False, False
        if not is_dir:
            yield child
            continue
        if is_link and not follow_symlinks:
            continue
        try:
            st = child.stat()
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            continue
        seen.add(key)
        if enter is not None and not enter(child):
            continue
        stack.append(iter(_children(child, on_error)))


def _children(folder: Path, on_error: Callable[[Path, OSError], None] | None) -> list[Path]:
    try:
        return sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        if on_error is not None:
            on_error(folder, exc)
        return []
