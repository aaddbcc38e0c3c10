"""Working-day arithmetic (工作日计算) for deadlines.

行政许可法 第八十二条 counts the law's periods in working days. A date is a working day when it is
Monday to Friday and not a rest day in a confirmed calendar year, or a Saturday or Sunday that a
confirmed year marks as worked (调休上班). Years that are not confirmed (drafts, or years nobody
has entered yet) count as the default week; callers that show a deadline should warn about them
with `portal.workdays.selectors.unconfirmed_years_between`.

Conventions, the same everywhere:
- the start date never counts: a period "within 5 working days" of an event on day D ends on
  `add_working_days(D, 5)`;
- intervals are half-open, (start, end]: `working_days_between(d, add_working_days(d, n)) == n`.

The module functions each run one query. To compute many deadlines (a list page of 100
applications) build one `WorkCalendar.for_range(...)` and ask it instead: one query in all.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from .days import CalendarException, RestDay
from .models import CalendarDay, CalendarYear, is_default_workday

ONE_DAY = datetime.timedelta(days=1)


class CalendarRangeError(ValueError):
    """A date outside what an in-memory `WorkCalendar` holds was asked for."""


ExceptionLoader = Callable[[datetime.date, datetime.date], Iterable[CalendarException]]


def window_for_working_days(n: int) -> datetime.timedelta:
    """Calendar days that certainly contain n working days after a start date.

    Weekends alone need 7/5 calendar days per working day and the longest rest spell in a
    notice (the Spring Festival) is about nine days, so 2n + 30 is ample; should a calendar ever
    need more, `WorkCalendar` extends itself with one more query.
    """
    return datetime.timedelta(days=2 * n + 30)


def confirmed_exceptions_between(first: datetime.date, last: datetime.date) -> list[CalendarException]:
    """The stored differences from the default week in [first, last], confirmed years only.

    One query. Days of draft years are left out on purpose: they have not been checked against
    the State Council's notice.
    """
    rows = (
        CalendarDay.objects.filter(
            date__gte=first, date__lte=last, year__status=CalendarYear.Status.CONFIRMED
        )
        .order_by("date")
        .values_list("date", "is_workday", "name")
    )
    return [CalendarException(date=date, is_workday=is_workday, name=name) for date, is_workday, name in rows]


def _check_date(value: datetime.date, argument: str) -> None:
    # A datetime is a date subclass, but its calendar day depends on the time zone: the caller
    # must decide (usually `timezone.localdate(value)`), not this module.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(f"{argument} must be a datetime.date, got {type(value).__name__}")


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")


class WorkCalendar:
    """The working-day calendar for a range of dates, held in memory.

    `WorkCalendar.for_range(first=..., last=...)` loads the confirmed differences for the range
    in one query; every question inside the range is then answered without the database. A
    question outside the range makes a calendar built by `for_range` load the missing stretch
    with one more query (a list page still costs one query if its range was wide enough: see
    `window_for_working_days`). A calendar built directly from `exceptions` has no loader and
    raises `CalendarRangeError` instead, which keeps tests honest.
    """

    def __init__(
        self,
        *,
        first: datetime.date,
        last: datetime.date,
        exceptions: Iterable[CalendarException] = (),
        loader: ExceptionLoader | None = None,
    ) -> None:
        _check_date(first, "first")
        _check_date(last, "last")
        if last < first:
            raise ValueError("last must not be before first")
        self.first = first
        self.last = last
        self._loader = loader
        self._exceptions: dict[datetime.date, CalendarException] = {}
        self._add(exceptions)

    @classmethod
    def for_range(cls, *, first: datetime.date, last: datetime.date) -> WorkCalendar:
        """Load the confirmed calendar for [first, last]: one query."""
        _check_date(first, "first")
        _check_date(last, "last")
        if last < first:
            raise ValueError("last must not be before first")
        return cls(
            first=first,
            last=last,
            exceptions=confirmed_exceptions_between(first, last),
            loader=confirmed_exceptions_between,
        )

    def __repr__(self) -> str:
        return f"<WorkCalendar {self.first}..{self.last}, {len(self._exceptions)} exceptions>"

    def _add(self, exceptions: Iterable[CalendarException]) -> None:
        for exception in exceptions:
            self._exceptions[exception.date] = exception

    def _ensure(self, first: datetime.date, last: datetime.date) -> None:
        """Make sure [first, last] is loaded, extending the held range if a loader allows it."""
        if self.first <= first and last <= self.last:
            return
        if self._loader is None:
            raise CalendarRangeError(
                f"{first}..{last} is outside this calendar's range {self.first}..{self.last}"
            )
        if first < self.first:
            self._add(self._loader(first, self.first - ONE_DAY))
            self.first = first
        if last > self.last:
            self._add(self._loader(self.last + ONE_DAY, last))
            self.last = last

    def _is_working_day(self, day: datetime.date) -> bool:
        exception = self._exceptions.get(day)
        return exception.is_workday if exception is not None else is_default_workday(day)

    def is_working_day(self, day: datetime.date) -> bool:
        """Is `day` a working day (工作日)?"""
        _check_date(day, "day")
        self._ensure(day, day)
        return self._is_working_day(day)

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after `start`; `start` itself never counts and n=0 returns it.

        This is the due date of a period of n working days that begins on `start`.
        """
        _check_date(start, "start")
        _check_count(n)
        day = start
        remaining = n
        while remaining:
            day += ONE_DAY
            if not self.first <= day <= self.last:
                self._ensure(day, day + window_for_working_days(remaining))
            if self._is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """The number of working days in (start, end]; 0 when end is not after start."""
        _check_date(start, "start")
        _check_date(end, "end")
        if end <= start:
            return 0
        self._ensure(start + ONE_DAY, end)
        full_weeks, extra_days = divmod((end - start).days, 7)
        count = full_weeks * 5 + sum(
            1
            for offset in range(1, extra_days + 1)
            if is_default_workday(start + datetime.timedelta(days=offset))
        )
        for day, exception in self._exceptions.items():
            if start < day <= end and exception.is_workday != is_default_workday(day):
                count += 1 if exception.is_workday else -1
        return count

    def skipped_rest_days(self, start: datetime.date, end: datetime.date) -> list[RestDay]:
        """The weekday rest days (public holidays, days off in lieu) in (start, end], by date.

        Weekends are left out: a due date's explanation ("skipped 国庆节 10/1–10/8") names only
        what the reader would not expect.
        """
        _check_date(start, "start")
        _check_date(end, "end")
        if end <= start:
            return []
        self._ensure(start + ONE_DAY, end)
        return [
            RestDay(date=day, name=exception.name)
            for day, exception in sorted(self._exceptions.items())
            if start < day <= end and not exception.is_workday and is_default_workday(day)
        ]


def is_working_day(day: datetime.date) -> bool:
    """Is `day` a working day (工作日)? One query."""
    return WorkCalendar.for_range(first=day, last=day).is_working_day(day)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start` (start never counts; n=0 returns start). One query.

    Raises ValueError for a negative n. For many deadlines at once use `WorkCalendar`.
    """
    _check_date(start, "start")
    _check_count(n)
    if n == 0:
        return start
    calendar = WorkCalendar.for_range(first=start + ONE_DAY, last=start + window_for_working_days(n))
    return calendar.add_working_days(start, n)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The number of working days in (start, end]; 0 when end is not after start. One query."""
    _check_date(start, "start")
    _check_date(end, "end")
    if end <= start:
        return 0
    return WorkCalendar.for_range(first=start + ONE_DAY, last=end).working_days_between(start, end)


def skipped_rest_days(start: datetime.date, end: datetime.date) -> list[RestDay]:
    """The weekday rest days in (start, end] with their names, so a due date can say what it
    skipped. One query."""
    _check_date(start, "start")
    _check_date(end, "end")
    if end <= start:
        return []
    return WorkCalendar.for_range(first=start + ONE_DAY, last=end).skipped_rest_days(start, end)


__all__ = [
    "CalendarException",
    "CalendarRangeError",
    "RestDay",
    "WorkCalendar",
    "add_working_days",
    "confirmed_exceptions_between",
    "is_working_day",
    "skipped_rest_days",
    "window_for_working_days",
    "working_days_between",
]
