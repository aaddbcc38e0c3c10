"""Read the four sheets of a catalogue from an XLSX workbook or a folder of CSV files.

The reader knows the layout only: which sheets and columns exist, and which cells hold what
text. It turns every cell into a stripped string (numbers without a trailing `.0`, dates as
YYYY-MM-DD), so the checks in `checks.py` see the same thing whichever file type came in.
Row numbers are the ones a person sees in the spreadsheet: the header is row 1, and blank rows
are skipped but still counted.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from portal.exports import restored_cell

from . import format as fmt
from .problems import Problem

Source = Path | str | bytes | BinaryIO


@dataclass
class SheetRows:
    """The data rows of one sheet: (row number, {column key: cell text})."""

    name: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # The column keys row 1 names. The checks tell an absent column from empty cells where the
    # format says so: a file without the 申请表 column leaves every item's form as it is.
    columns: set[str] = field(default_factory=set)


@dataclass
class RawCatalogue:
    sheets: dict[str, SheetRows]
    problems: list[Problem]

    @property
    def row_count(self) -> int:
        return sum(len(sheet.rows) for sheet in self.sheets.values())


def cell_text(value) -> str:
    """A cell as the text a person sees in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return fmt.yes_no(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # An export quotes text a spreadsheet would evaluate (portal/exports.py); the quote goes.
    return restored_cell(str(value)).replace("\r\n", "\n").replace("\r", "\n").strip()


def catalogue_read(source: Source) -> RawCatalogue:
    """Read a workbook (path ending .xlsx, bytes or a binary file) or a folder of CSV files.

    Never raises for a bad file: what cannot be read comes back as problems."""
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            return _read_csv_folder(path)
        if not path.is_file():
            return _unreadable(_("There is no file or folder at %(path)s.") % {"path": path})
        return _read_workbook(path.read_bytes())
    if isinstance(source, bytes):
        return _read_workbook(source)
    return _read_workbook(source.read())


def _unreadable(message: str) -> RawCatalogue:
    return RawCatalogue(sheets={}, problems=[Problem(sheet="", row=None, column="", message=message)])


def _read_workbook(data: bytes) -> RawCatalogue:
    # openpyxl is imported here: commands and views that never read a workbook stay light.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        return _unreadable(
            _(
                "The file is not an XLSX workbook: save the spreadsheet as an Excel workbook (.xlsx) and try again."
            )
        )
    try:
        titles = {title.strip().lower(): title for title in workbook.sheetnames}
        sheets: dict[str, SheetRows] = {}
        problems: list[Problem] = []
        for name in fmt.SHEETS:
            title = titles.get(name)
            if title is None:
                problems.append(_missing_sheet(name, _("The workbook has no sheet named “%(sheet)s”.")))
                continue
            worksheet = workbook[title]
            # Some spreadsheet programs write wrong dimensions; read every row there is.
            worksheet.reset_dimensions()
            rows = ([cell_text(value) for value in row] for row in worksheet.iter_rows(values_only=True))
            sheets[name] = _sheet_rows(name, rows, problems)
        return RawCatalogue(sheets=sheets, problems=problems)
    finally:
        workbook.close()


def _read_csv_folder(folder: Path) -> RawCatalogue:
    sheets: dict[str, SheetRows] = {}
    problems: list[Problem] = []
    for name in fmt.SHEETS:
        path = folder / f"{name}.csv"
        if not path.is_file():
            problems.append(_missing_sheet(name, _("The folder has no file %(sheet)s.csv.")))
            continue
        try:
            # utf-8-sig: spreadsheet programs put a byte-order mark in front of UTF-8 CSV.
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            problems.append(
                Problem(
                    sheet=name,
                    row=None,
                    column="",
                    message=_("The file is not UTF-8 text: save it as UTF-8 CSV."),
                )
            )
            continue
        rows = ([cell_text(value) for value in row] for row in csv.reader(io.StringIO(text, newline="")))
        sheets[name] = _sheet_rows(name, rows, problems)
    return RawCatalogue(sheets=sheets, problems=problems)


def _missing_sheet(name: str, message: str) -> Problem:
    return Problem(sheet=name, row=None, column="", message=message % {"sheet": name})


def _sheet_rows(name: str, rows: Iterable[list[str]], problems: list[Problem]) -> SheetRows:
    """Match the header against the format, then collect the non-blank data rows."""
    sheet = SheetRows(name=name)
    numbered: Iterator[tuple[int, list[str]]] = enumerate(rows, start=1)
    header = next(numbered, None)
    if header is None or not any(header[1]):
        problems.append(
            Problem(sheet=name, row=1, column="", message=_("Row 1 must hold the column names; it is empty."))
        )
        return sheet
    keys = _header_keys(name, header[1], problems)
    sheet.columns = {key for key in keys if key}
    for number, cells in numbered:
        if not any(cells):
            continue
        values = {column.key: "" for column in fmt.COLUMNS[name]}
        for index, text in enumerate(cells):
            if not text:
                continue
            key = keys[index] if index < len(keys) else None
            if key == "":
                continue  # under a header cell already reported as a problem
            if key is None:
                problems.append(
                    Problem(
                        sheet=name,
                        row=number,
                        column=_column_letter(index),
                        message=_("This cell is in a column without a known name in row 1."),
                    )
                )
            else:
                values[key] = text
        sheet.rows.append((number, values))
    return sheet


def _header_keys(name: str, cells: list[str], problems: list[Problem]) -> list[str | None]:
    """The column key of each header cell: None where the cell is empty, "" where it was
    reported as a problem (unknown or repeated), so its cells are not reported once more."""
    known = {column.key for column in fmt.COLUMNS[name]}
    keys: list[str | None] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        key = fmt.header_key(cell) if cell else ""
        if not key:
            keys.append(None)
        elif key not in known:
            problems.append(
                Problem(
                    sheet=name,
                    row=1,
                    column=_column_letter(index),
                    message=_("Unknown column “%(cell)s”: the format has %(known)s.")
                    % {"cell": cell, "known": ", ".join(column.key for column in fmt.COLUMNS[name])},
                )
            )
            keys.append("")
        elif key in seen:
            problems.append(
                Problem(
                    sheet=name,
                    row=1,
                    column=key,
                    message=_("The column “%(key)s” appears twice.") % {"key": key},
                )
            )
            keys.append("")
        else:
            seen.add(key)
            keys.append(key)
    problems.extend(
        Problem(sheet=name, row=1, column=column.key, message=_("The column is missing from row 1."))
        for column in fmt.COLUMNS[name]
        if column.key not in seen and not column.may_be_absent
    )
    return keys


def _column_letter(index: int) -> str:
    """A, B, … Z, AA, … for a zero-based column index, as the spreadsheet shows it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
