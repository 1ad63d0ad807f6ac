"""What goes into a cell of an exported file, the same for CSV and XLSX.

A spreadsheet treats a text cell that begins with `=`, `+`, `-` or `@` as a formula, and a
leading tab or carriage return can hide one; a business message or an order id comes from a
channel or a platform, so any of them could carry `=HYPERLINK(...)` into a merchant's Excel.
Such text gets a leading apostrophe (OWASP's advice for CSV injection), which shows the value
as text and keeps it readable. Numbers and booleans are written as what they are."""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def cell(value: Any) -> str | int | float | bool | None:
    """A row value as a cell: text neutralised, numbers kept, nothing as an empty cell, and a
    nested value (a list or mapping) as its text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return neutralise(value if isinstance(value, str) else str(value))


def csv_cell(value: Any) -> str:
    """CSV has only text: booleans as true/false (as the JSON lists show them)."""
    shown = cell(value)
    if shown is None:
        return ""
    if isinstance(shown, bool):
        return "true" if shown else "false"
    return str(shown)
