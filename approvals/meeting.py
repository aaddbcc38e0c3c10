"""The weekly joint meeting sheet (联席会议): what a township or a village has open this week.

On Tuesdays the centre, the village assistants and the departments' liaisons go through the
open work together. The sheet is their agenda, from the system's numbers: open applications
near or past their deadline, open rectifications of bad ratings, and open requests-ledger items.
Every part starts from the jurisdiction selectors, so the sheet (and its XLSX export) shows a
person exactly what their pages show them, cut to one region.
"""

import datetime
import io
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.exports import append_xlsx_row
from portal.people.selectors import offices_user_may_view
from portal.places.models import Region, RegionLevel
from ratings.models import Rectification
from ratings.selectors import OPEN_RECTIFICATION_STATES, rectifications_visible_to, with_provisional_notes

from . import deadlines
from .selectors import Row, _list_columns, applications_visible_to, rows_with_deadlines, with_deadline_order
from .states import OPEN_STATES

NEAR_WORKING_DAYS = 5
"""An application is on the agenda when its deadline is at most this many working days away."""
ROW_LIMIT = 500
"""Rows per part; a sheet longer than this is not a meeting's agenda (the lists page through all)."""


def meeting_regions(user) -> QuerySet[Region]:
    """The townships and villages whose sheet `user` may open: those within the regions of the
    offices whose work they may view (a station's village, a centre's township and its villages,
    a county department's whole county)."""
    prefixes = {office.region.prefix for office in offices_user_may_view(user).select_related("region")}
    if not prefixes:
        return Region.objects.none()
    condition = Q()
    for prefix in prefixes:
        condition |= Q(code__startswith=prefix)
    return (
        Region.objects.filter(condition, level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE])
        .select_related("parent")
        .order_by("code")
    )


@dataclass
class MeetingSheet:
    region: Region
    today: datetime.date
    cutoff: datetime.date
    applications: list[Row]
    rectifications: list[Rectification]
    ledger: list
    truncated: bool = False

    @property
    def overdue_applications(self) -> int:
        return sum(1 for row in self.applications if row.deadline is not None and row.deadline.days_left < 0)

    @property
    def overdue_rectifications(self) -> int:
        return sum(
            1 for r in self.rectifications if r.state == Rectification.State.OPEN and r.due_on < self.today
        )

    @property
    def overdue_ledger(self) -> int:
        return sum(
            1
            for item in self.ledger
            if item.promised_on and item.state == "in_progress" and item.promised_on < self.today
        )


def meeting_sheet(user, region: Region, *, today: datetime.date | None = None) -> MeetingSheet:
    """The sheet for `region` as `user` may see it: five queries whatever its length."""
    # why: a report above the ledger kept in approvals (see pyproject ignore_imports)
    from ledger.selectors import (
        LedgerFilter,
        ledger_list_for,
    )

    today = today or timezone.localdate()
    calendar = deadlines.calendar_around(today, working_days=NEAR_WORKING_DAYS)
    cutoff = calendar.add_working_days(today, NEAR_WORKING_DAYS)
    prefix = region.prefix
    applications = with_deadline_order(
        _list_columns(
            applications_visible_to(user).filter(state__in=OPEN_STATES, village__code__startswith=prefix)
        )
    ).filter(deadline__lte=cutoff)
    application_rows = list(applications[: ROW_LIMIT + 1])
    rectifications = list(
        rectifications_visible_to(user)
        .filter(state__in=OPEN_RECTIFICATION_STATES, rating__application__village__code__startswith=prefix)
        .select_related("office", "rating__application__village", "rating__station")
        .order_by("due_on", "pk")[: ROW_LIMIT + 1]
    )
    ledger = list(
        ledger_list_for(user, LedgerFilter()).filter(village__code__startswith=prefix)[: ROW_LIMIT + 1]
    )
    truncated = any(len(part) > ROW_LIMIT for part in (application_rows, rectifications, ledger))
    return MeetingSheet(
        region=region,
        today=today,
        cutoff=cutoff,
        applications=rows_with_deadlines(application_rows[:ROW_LIMIT], today=today),
        rectifications=with_provisional_notes(rectifications[:ROW_LIMIT]),
        ledger=ledger[:ROW_LIMIT],
        truncated=truncated,
    )


def _deadline_text(row: Row) -> str:
    deadline = row.deadline
    if deadline is None:
        return ""
    if deadline.paused:
        return _("paused")
    if deadline.days_left < 0:
        return _("%(days)s working days overdue") % {"days": -deadline.days_left}
    return _("%(days)s working days left") % {"days": deadline.days_left}


def meeting_xlsx(sheet: MeetingSheet) -> bytes:
    """The sheet as a workbook: a summary and one worksheet per part, with headers frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    # why: a report above the ledger kept in approvals (see pyproject ignore_imports)
    from ledger.selectors import responsible_label

    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    bold = Font(bold=True)
    append_xlsx_row(summary, [_("Joint meeting sheet (联席会议)"), sheet.region.name])
    summary["A1"].font = bold
    append_xlsx_row(summary, [_("Date"), sheet.today.isoformat()])
    append_xlsx_row(summary, [_("Applications due by"), sheet.cutoff.isoformat()])
    append_xlsx_row(summary, [])
    append_xlsx_row(summary, [_("Part"), _("Open"), _("Overdue")])
    append_xlsx_row(
        summary, [_("Applications near their deadline"), len(sheet.applications), sheet.overdue_applications]
    )
    append_xlsx_row(
        summary, [_("Rectifications of bad ratings"), len(sheet.rectifications), sheet.overdue_rectifications]
    )
    append_xlsx_row(summary, [_("Requests ledger (民情台账)"), len(sheet.ledger), sheet.overdue_ledger])

    def part(title: str, header: list[str], rows: list[list]) -> None:
        worksheet = book.create_sheet(title[:31])
        append_xlsx_row(worksheet, header)
        for cell in worksheet[1]:
            cell.font = bold
        for row in rows:
            append_xlsx_row(worksheet, row)
        worksheet.freeze_panes = "A2"
        for column, width in zip("ABCDEFGH", (24, 28, 14, 16, 20, 14, 24, 30), strict=False):
            worksheet.column_dimensions[column].width = width

    part(
        _("Applications"),
        [
            _("Number"),
            _("Item"),
            _("Villager"),
            _("Village"),
            _("State"),
            _("Deadline"),
            # Its own context: the work calendar's "Days" are its adjusted days (调整日).
            pgettext("meeting workbook column", "Days"),
            _("Office"),
        ],
        [
            [
                row.application.number,
                row.application.item_title,
                row.application.applicant_name,
                row.application.village.name,
                str(row.application.get_state_display()),
                row.deadline.date.isoformat() if row.deadline else "",
                _deadline_text(row),
                row.application.current_office.short_name or row.application.current_office.name
                if row.application.current_office
                else "",
            ]
            for row in sheet.applications
        ],
    )
    part(
        _("Rectifications"),
        [_("Number"), _("Item"), _("Rating"), _("Village"), _("State"), _("Due by"), _("Office")],
        [
            [
                r.rating.application.number,
                r.rating.application.item_title,
                str(r.rating.get_level_display()),
                r.rating.application.village.name,
                str(r.get_state_display()),
                r.due_on.isoformat(),
                r.office.short_name or r.office.name,
            ]
            for r in sheet.rectifications
        ],
    )
    part(
        _("Requests ledger"),
        [
            _("Number"),
            _("What is needed"),
            _("Villager"),
            _("Village"),
            _("State"),
            _("Promised by"),
            _("Who"),
            _("What is promised"),
        ],
        [
            [
                item.number,
                item.need,
                item.villager_name,
                item.village.name,
                str(item.get_state_display()),
                item.promised_on.isoformat() if item.promised_on else "",
                str(responsible_label(item)) if item.promised_on else "",
                item.promise,
            ]
            for item in sheet.ledger
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
