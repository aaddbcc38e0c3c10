"""State change: entering a year's calendar from the State Council's holiday notice, as a draft.

This is how a year gets its calendar when the holidays package has no schedule for it yet (the
package follows the notice by weeks or months, and a schedule must never be guessed): a county
administrator types or pastes the notice, checks the preview, and saves a draft, which the
confirm page then confirms like any other draft. See `portal.workdays.notice` for the reading
and the rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.audit.services import audit_change
from portal.errors import DomainError, NotPermitted

from .models import FIRST_YEAR, LAST_YEAR, CalendarDay, CalendarYear
from .notice import NoticeHoliday, holidays_check, holidays_differences, normalize_notice_number
from .policies import ENTER, calendar_year_policy

# The Wagtail log action written when a year is entered from the notice (registered in
# wagtail_hooks.py, next to the confirmation's).
ENTER_LOG_ACTION = "workdays.calendar_year.enter_from_notice"


class CalendarYearAlreadyConfirmed(DomainError):
    """The year is confirmed: entering it again would move deadlines without a confirmation."""

    def __init__(self, calendar_year: CalendarYear):
        self.calendar_year = calendar_year
        super().__init__(
            _(
                "The %(year)s calendar is already confirmed and is not overwritten. If the notice "
                "really differs from it, change its days one by one under Calendar days."
            )
            % {"year": calendar_year.year}
        )


class HolidaysRefused(DomainError):
    """The holidays break a rule of `holidays_check`; `problems` lists every one."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


def _holidays_for_log(holidays: Sequence[NoticeHoliday]) -> list[dict]:
    return [
        {
            "name": holiday.name,
            "first": holiday.first.isoformat(),
            "last": holiday.last.isoformat(),
            "workdays": [day.isoformat() for day in holiday.workdays],
        }
        for holiday in holidays
    ]


@transaction.atomic
def calendar_year_enter_from_notice(
    *, actor, year: int, notice: str, holidays: Sequence[NoticeHoliday]
) -> CalendarYear:
    """Store `year` as a draft made of the notice's holidays, replacing a draft's days.

    Only a county administrator (or a superuser) may, like confirming: the days are the ones
    that will move every office's deadlines once confirmed. The holidays are checked again
    here (`holidays_check`), whatever the page already checked. A confirmed year is refused
    (`CalendarYearAlreadyConfirmed`); a draft's days, wherever they came from, are replaced,
    because a draft is not checked yet. The year's row is locked, so two administrators saving
    at once leave one consistent set of days. Records the notice's number, who entered it and
    when in the year's source note, and writes a Wagtail log entry with the holidays.
    """
    if not calendar_year_policy.user_has_permission(actor, ENTER):
        raise NotPermitted(_("Only a county administrator may enter a work calendar."))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(
            _("The year must be between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    notice = normalize_notice_number(notice)
    if not notice:
        raise DomainError(_("Enter the notice's document number, e.g. 国办发明电〔2025〕7号."))
    check = holidays_check(year=year, holidays=holidays)
    if check.errors:
        raise HolidaysRefused(check.errors)

    calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(year=year)
    if calendar_year.is_confirmed:
        raise CalendarYearAlreadyConfirmed(calendar_year)

    differences = holidays_differences(holidays)
    # The year's rows, and any row dated in the year but filed under another one (possible only
    # by bypassing CalendarDay.clean): the date is unique, so this year must own it.
    replaced, _details = CalendarDay.objects.filter(Q(year=calendar_year) | Q(date__year=year)).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(
            date=day,
            year=calendar_year,
            is_workday=difference.is_workday,
            name=difference.name,
            source=CalendarDay.Source.MANUAL,
        )
        for day, difference in differences.items()
    )
    now = timezone.now()
    calendar_year.notice = notice
    calendar_year.source_note = _(
        "Entered from the State Council's notice %(notice)s by %(user)s on %(date)s."
    ) % {
        "notice": notice,
        "user": str(actor),
        "date": formats.date_format(timezone.localtime(now), "Y-m-d H:i"),
    }
    calendar_year.save(update_fields=["notice", "source_note"])
    # The days are written in bulk, which no model signal sees: one audit row says what changed.
    audit_change(
        obj=calendar_year,
        act="days",
        before={"days": replaced},
        after={"days": len(differences), "holidays": _holidays_for_log(holidays)},
    )
    log(
        instance=calendar_year,
        action=ENTER_LOG_ACTION,
        user=actor,
        data={
            "notice": notice,
            "holidays": _holidays_for_log(holidays),
            "days": len(differences),
            "replaced_days": replaced,
        },
    )
    return calendar_year


def entered_days_summary(holidays: Sequence[NoticeHoliday]) -> tuple[int, int]:
    """(weekday rest days, worked weekend days) the holidays make: what the save message says."""
    differences = holidays_differences(holidays).values()
    return (
        sum(1 for day in differences if not day.is_workday),
        sum(1 for day in differences if day.is_workday),
    )


__all__ = [
    "ENTER_LOG_ACTION",
    "CalendarYearAlreadyConfirmed",
    "HolidaysRefused",
    "calendar_year_enter_from_notice",
    "entered_days_summary",
]
