"""Every error and warning class runload raises or emits, and nothing else.

Errors carry the file they concern, a short machine-readable ``reason`` code and,
where it is known, the byte ``offset`` or the ``line`` at which the problem was
found.  Batch readers turn them into rows of an errors table instead of stopping.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "CacheWarning",
    "CorruptFileWarning",
    "DataQualityWarning",
    "InvalidOptionError",
    "ParseError",
    "RunloadError",
    "RunloadWarning",
    "SkippedFileWarning",
    "UnsafeInputError",
    "UnsupportedFormatError",
]


class RunloadError(Exception):
    """Base class of every error raised by runload.

    Parameters
    ----------
    message : str
        What went wrong, in plain words.
    path : str, optional
        The file (or archive member) concerned.
    reason : str
        A short, stable code such as ``"truncated"`` or ``"doctype"``; the
        batch errors table uses it.
    offset : int, optional
        Byte offset in the (decompressed) file where the problem was found.
    line : int, optional
        Line number (1-based) for text formats.
    """

    default_reason = "error"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        reason: str | None = None,
        offset: int | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.reason = reason or self.default_reason
        self.offset = offset
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.path is not None:
            where.append(str(self.path))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.offset is not None:
            where.append(f"byte {self.offset}")
        prefix = ": ".join([", ".join(where)]) if where else ""
        body = f"{self.message} [{self.reason}]"
        return f"{prefix}: {body}" if prefix else body

    def with_path(self, path: str) -> RunloadError:
        """Return this error with ``path`` filled in when it was not known yet."""
        if self.path is None:
            self.path = path
            self.args = (self._render(),)
        return self


class UnsupportedFormatError(RunloadError):
    """The content is not a FIT, GPX or TCX file (or gzip of one)."""

    default_reason = "unsupported_format"


class ParseError(RunloadError):
    """The file claims a supported format but cannot be decoded."""

    default_reason = "parse_error"


class UnsafeInputError(RunloadError):
    """The input was refused for safety: an XML DOCTYPE/entity, or a decompression bomb."""

    default_reason = "unsafe_input"


class ArchiveError(RunloadError):
    """An export archive (zip) or one of its members cannot be used."""

    default_reason = "archive_error"


class InvalidOptionError(RunloadError, ValueError):
    """An option given by the caller is not valid (an unknown time zone, a number out of range).

    Raised before any file is read.  It is also a :class:`ValueError`, so code
    that caught the bare ``ValueError`` of earlier versions keeps working.
    """

    default_reason = "invalid_option"


class RunloadWarning(UserWarning):
    """Base class of every warning emitted by runload."""


class DataQualityWarning(RunloadWarning):
    """The file was read, but some of its content is doubtful or was dropped."""


class CorruptFileWarning(DataQualityWarning):
    """The file is damaged (CRC mismatch, truncation); what came before the damage was kept."""


class SkippedFileWarning(RunloadWarning):
    """A batch job skipped a file; the reason is in the errors table as well."""


class CacheWarning(RunloadWarning):
    """The parsed-file cache could not be used; files are read without it."""
