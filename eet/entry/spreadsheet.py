"""Cells for spreadsheets: a text that Excel or LibreOffice would read as a formula is written as
text. Every door that writes a .csv or .xlsx (the dwelling list, the audit trail, the meeting pack)
passes its text cells through `neutralise`, so a site named `=HYPERLINK(...)` or a decision that
starts with `+` or `@` stays the words someone typed (OWASP: CSV injection)."""

from __future__ import annotations

# A cell starting with one of these is a formula (or becomes one after a tab or carriage return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe; anything
    else (numbers, dates, None, other text) is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
