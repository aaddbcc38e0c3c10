"""Reading the work calendar's state (what the working-day arithmetic cannot tell by itself)."""

import datetime

from django.db.models import Count, QuerySet

from .models import CalendarDay, CalendarYear


def unconfirmed_years_between(start: datetime.date, end: datetime.date) -> list[int]:
    """The years touched by [start, end] whose calendar is not confirmed, in order. One query.

    The working-day functions treat such a year as the default Monday–Friday week, so a page
    that shows a deadline in one should say so (e.g. "the 2027 calendar is not confirmed yet;
    public holidays are not counted"). A year with no `CalendarYear` row at all is unconfirmed.
    Returns an empty list when end is before start.
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
