"""Reading the work calendar's state (what the working-day arithmetic cannot tell by itself)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from .models import CalendarDay, CalendarYear


def unconfirmed_years_between(start: datetime.date, end: datetime.date) -> list[int]:
    """The years touched by [start, end] whose calendar is not confirmed, in order. One query.

    The working-day functions count only such a year's statutory holidays, so a deadline in one
    is provisional and whatever shows it says so (`portal.workdays.provisional`). A year with no
    `CalendarYear` row at all is unconfirmed. Returns an empty list when end is before start.
    """
    if end < start:
        return []
    years = range(start.year, end.year + 1)
    confirmed = set(
        CalendarYear.objects.filter(year__in=years, status=CalendarYear.Status.CONFIRMED).values_list(
            "year", flat=True
        )
    )
    return [year for year in years if year not in confirmed]


def calendar_years_with_day_counts() -> QuerySet[CalendarYear]:
    """Calendar years, newest first, each annotated with `day_count`, for the back office list."""
    return CalendarYear.objects.select_related("confirmed_by").annotate(day_count=Count("days"))


def calendar_days_of_year(*, year: CalendarYear) -> QuerySet[CalendarDay]:
    """The stored differences of one year, by date."""
    return CalendarDay.objects.filter(year=year).order_by("date")


# The State Council publishes a year's holiday notice in October or November of the year before
# (国办发明电〔2025〕7号 for 2026 came out on 4 November 2025), so from this many days before a
# year begins its missing calendar is worth a warning: there is time to enter it from the notice.
CALENDAR_WARNING_DAYS = 60


@dataclass(frozen=True)
class CalendarYearNeedingConfirmation:
    """A year that should have a confirmed calendar by now, and the draft waiting for it, if any."""

    year: int
    draft: CalendarYear | None = None


def calendar_years_needing_confirmation(*, on: datetime.date) -> list[CalendarYearNeedingConfirmation]:
    """The years that lack a confirmed calendar as of `on`, in order. One query.

    The year of `on` always counts; the next year counts from `CALENDAR_WARNING_DAYS` days
    before its 1 January. The system check `workdays.W001` and the back-office home panel both
    ask this, so the warning an operator reads and the one an administrator sees cannot differ.
    """
    years = [on.year]
    if (datetime.date(on.year + 1, 1, 1) - on).days <= CALENDAR_WARNING_DAYS:
        years.append(on.year + 1)
    stored = {
        calendar_year.year: calendar_year for calendar_year in CalendarYear.objects.filter(year__in=years)
    }
    return [
        CalendarYearNeedingConfirmation(year=year, draft=stored.get(year))
        for year in years
        if year not in stored or not stored[year].is_confirmed
    ]


def calendar_year_numbered(year: int) -> CalendarYear | None:
    """The calendar of `year` (a number, e.g. 2027), or None when nobody has entered it. One query."""
    return CalendarYear.objects.select_related("confirmed_by").filter(year=year).first()
