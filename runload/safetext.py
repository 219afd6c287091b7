"""Text from files, made safe to show: control characters escaped, spreadsheet formulas defused.

Names, paths and notes come from other people's files.  Written raw to a
terminal, an ESC or BEL character can move the cursor, change colours or
retitle the window; written raw to a CSV cell, text starting with ``=``,
``+``, ``-``, ``@`` (or a tab or carriage return) is run as a formula by
spreadsheet programs.  These helpers are for the output layer (the command
line); the tables themselves keep the text as it was read.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_PREFIXES", "escape_control", "neutralise_formula"]

# C0 controls except none (tab and newline are escaped too: one value, one line),
# DEL, the C1 controls (0x80-0x9f), which some terminals obey as well, and the
# bidirectional overrides and isolates (U+202A-202E, U+2066-2069), which reorder text.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_control(text: str) -> str:
    """``text`` with every control character written as ``\\xNN``.

    Parameters
    ----------
    text : str
        Any text (a file name, an activity name).

    Returns
    -------
    str
        The same text, printable: ``"run\\x1b[2J.fit"`` for a name holding ESC.
    """
    return _CONTROL.sub(_escape, text)


def neutralise_formula(value: str) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula.

    A cell starting with one of :data:`FORMULA_PREFIXES` gets a leading single
    quote (as OWASP recommends); a number such as ``-5.2`` is left alone, so
    numeric columns stay numeric.

    Parameters
    ----------
    value : str
        The cell's text.

    Returns
    -------
    str
    """
    if not value or not value.startswith(FORMULA_PREFIXES):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value
