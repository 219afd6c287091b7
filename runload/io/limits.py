"""The limits on untrusted input, in one place: :class:`ArchiveLimits`.

Every bounded read in runload takes its caps from one :class:`ArchiveLimits`:
zip archives and their members (:mod:`runload.io.archive`), gzip streams
(:func:`runload.io.registry.gunzip_bounded`: a ``.fit.gz`` on disk or inside an
export), and plain files on disk (:mod:`runload.io.files`).  A decompression
bomb is refused by the same two tests wherever it hides: the output passes
``max_member_bytes``, or it passes ``ratio_free_bytes`` while having expanded
the input more than ``max_ratio`` times.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "ArchiveLimits"]


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps on what untrusted input may make runload read or decompress.

    Attributes
    ----------
    max_members : int
        Most members (files and folders) one archive may list.
    max_member_bytes : int
        Largest uncompressed size of one archive member read into memory
        (activity files, CSV, JSON), and of one decompressed gzip stream. [bytes]
    max_nested_bytes : int
        Largest declared uncompressed size of an archive inside the archive. [bytes]
    max_total_bytes : int
        Most bytes read from one archive tree, nested archives included. [bytes]
    max_ratio : float
        Largest uncompressed ÷ compressed size of a member (or of a gzip
        stream, as far as it has been read) above ``ratio_free_bytes``.
        Activity XML deflates 5-20x, a bomb 1000x.
    ratio_free_bytes : int
        Members up to this size are not ratio-checked (tiny files compress
        absurdly well without harm). [bytes]
    max_depth : int
        Nesting depth: 1 is the archive itself, 2 an archive inside it.
    spool_bytes : int
        A nested archive larger than this is held in an anonymous temporary
        file rather than in memory. [bytes]
    max_file_bytes : int
        Largest activity file, CSV or JSON read from disk (not archives, which
        are read member by member under the caps above); a larger one is an
        errors row ``file_too_large``. [bytes]
    """

    max_members: int = 200_000
    max_member_bytes: int = 256 << 20
    max_nested_bytes: int = 8 << 30
    max_total_bytes: int = 64 << 30
    max_ratio: float = 200.0
    ratio_free_bytes: int = 1 << 20
    max_depth: int = 2
    spool_bytes: int = 64 << 20
    max_file_bytes: int = 256 << 20


#: The limits used unless others are given.
DEFAULT_LIMITS = ArchiveLimits()
