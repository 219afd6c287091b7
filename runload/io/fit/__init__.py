"""FIT importer.

Three modules, one direction of imports:

- :mod:`~runload.io.fit.messages`: what both decoders share, the FIT profile
  numbers read (messages, fields, timer events, file types that hold no
  activity) and :func:`~runload.io.fit.messages.assemble`, which builds the
  :class:`~runload.activity.RawActivity` from decoded messages;
- :mod:`~runload.io.fit.fast`: runload's own decoder, a message walker in
  Python whose field gathering is done by numpy (with :mod:`~runload.io.fit.crc`);
- :mod:`~runload.io.fit.fallback`: fitdecode, the robust pure-Python decoder,
  used when the fast walker fails on a structure it does not foresee.

:func:`read_fit` tries the first and, failing that, the second; it is
registered as the ``fit`` format when this package is imported.
"""

from __future__ import annotations

from ...activity import RawActivity
from ...exceptions import RunloadError
from ..registry import register_format
from .crc import crc16
from .fallback import read_fit_fitdecode
from .fast import (
    MAX_DATA_MESSAGES,
    MAX_DEFINITIONS,
    MAX_EMPTY_MESSAGES,
    read_fit_fast,
    sniff_fit,
)
from .messages import FIT_EPOCH_S, NOT_ACTIVITY_FILE_TYPES, enum_name

#: How :func:`read_fit` names enum values (sport, manufacturer...).  A module attribute so
#: that ``benchmarks/sport_confusion.py`` can hide the sport labels by patching it.
_enum_name = enum_name

__all__ = [
    "FIT_EPOCH_S",
    "MAX_DATA_MESSAGES",
    "MAX_DEFINITIONS",
    "MAX_EMPTY_MESSAGES",
    "NOT_ACTIVITY_FILE_TYPES",
    "crc16",
    "read_fit",
    "read_fit_fast",
    "read_fit_fitdecode",
    "sniff_fit",
]


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
        Read by the fast decoder; by fitdecode when the fast decoder fails
        on an unforeseen structure (a warning then says so).
    """
    try:
        return read_fit_fast(data, path=path, names=_enum_name)
    except RunloadError:
        raise
    except Exception as exc:  # an unforeseen structure: the robust decoder decides
        raw = read_fit_fitdecode(data, path=path, names=_enum_name)
        raw.warnings.append(f"read with the fallback decoder (fast path failed: {exc!r})")
        return raw


register_format("fit", suffixes=(".fit",), sniff=sniff_fit, reader=read_fit)
