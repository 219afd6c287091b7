"""The robust FIT decoder: fitdecode, used when the fast walker fails on a file.

It reads the same messages and fields as the fast walker
(:data:`runload.io.fit.messages.WANTED`) and hands them to the same
:func:`~runload.io.fit.messages.assemble`, so a file reads alike whichever
decoder read it.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from ...activity import RawActivity
from ...exceptions import ParseError
from .messages import MESG_RECORD, WANTED, EnumNames, Messages, assemble

__all__ = ["read_fit_fitdecode"]


def read_fit_fitdecode(data: bytes, *, path: str, names: EnumNames | None = None) -> RawActivity:
    """Read a FIT file with fitdecode into the same :class:`RawActivity` as the fast path.

    ``names``: as for :func:`~runload.io.fit.messages.assemble`.
    """
    import fitdecode

    rows: dict[int, list[dict[int, Any]]] = {g: [] for g in WANTED}
    damage: list[str] = []
    try:
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.WARN,
            error_handling=fitdecode.ErrorHandling.WARN,
        ) as reader:
            for frame in reader:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                gnum = frame.global_mesg_num
                if gnum not in rows:
                    continue
                wanted = WANTED[gnum]
                values: dict[int, Any] = {}
                for fld in frame.fields:
                    num = fld.def_num
                    if num in wanted and num not in values:
                        values[num] = fld.raw_value
                rows[gnum].append(values)
    except fitdecode.FitError as exc:
        if not rows[MESG_RECORD]:
            raise ParseError(f"cannot decode FIT: {exc}", path=path, reason="parse_error") from exc
        damage.append(f"decoding stopped early ({exc}); the records before it were kept")

    msgs: Messages = {}
    for gnum, found in rows.items():
        fields: dict[int, Any] = {}
        for num in WANTED[gnum]:
            column = [r.get(num) for r in found]
            if any(isinstance(v, str) for v in column):
                fields[num] = np.array(column, dtype=object)
            else:
                fields[num] = np.array(
                    [
                        np.nan if v is None or isinstance(v, tuple | bytes) else float(v)
                        for v in column
                    ],
                    dtype="float64",
                )
        msgs[gnum] = (np.arange(len(found)), fields, np.full(len(found), -1))
    raw = assemble(msgs, [], path, damaged=bool(damage), names=names)
    raw.damage.extend(damage)
    return raw
