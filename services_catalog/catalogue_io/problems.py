"""A problem found in a catalogue file: where it is (sheet, row, column) and what is wrong."""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from .format import SHEETS


@dataclass(frozen=True)
class Problem:
    """One thing to fix before the file can be imported.

    `row` counts as the spreadsheet does (the header is row 1); it is None for a problem with
    the whole file or sheet. `column` is the column key, or a column letter for a cell under an
    empty heading, or "" when no single column is at fault."""

    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        place = ", ".join(
            part
            for part in (self.sheet, _("row %(row)s") % {"row": self.row} if self.row else "", self.column)
            if part
        )
        return f"{place}: {self.message}" if place else self.message


def problem_sort_key(problem: Problem) -> tuple:
    """Problems read best sheet by sheet, top to bottom, in the format's sheet order."""
    sheet_index = SHEETS.index(problem.sheet) if problem.sheet in SHEETS else -1
    return (sheet_index, problem.row or 0)
