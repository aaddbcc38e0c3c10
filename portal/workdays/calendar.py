"""Working-day arithmetic (工作日计算) for deadlines.

行政许可法 第八十二条 counts the law's periods in working days. In a year whose calendar a county
administrator has confirmed, a date is a working day when it is Monday to Friday and not a rest
day of that calendar, or a Saturday or Sunday it marks as worked (调休上班).

A year without a confirmed calendar (a draft, or a year nobody has entered: the State Council
publishes each notice late in the year before) is not counted as a bare Monday–Friday week:
its statutory holidays (《全国年节及纪念日放假办法》: 元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆) are
certain and are rest days. What only the notice can say (days joined to a weekend, make-up
workdays) is unknown, so every deadline in or through such a year is provisional: callers ask
`WorkCalendar.unconfirmed_years(start, end)` and say so wherever the date is shown or sent.

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
from dataclasses import dataclass

from .days import CalendarException, RestDay
from .holiday_package import statutory_rest_days
from .models import CalendarYear, is_default_workday

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class YearCalendar:
    """What counts in one year: a confirmed calendar's differences from the default week, or, for
    a year not confirmed, its statutory holidays on weekdays (and the mark that it is provisional)."""

    year: int
    confirmed: bool
    exceptions: tuple[CalendarException, ...]


class CalendarRangeError(ValueError):
    """A date outside what an in-memory `WorkCalendar` holds was asked for."""


YearLoader = Callable[[Iterable[int]], Iterable[YearCalendar]]


def window_for_working_days(n: int) -> datetime.timedelta:
    """Calendar days that certainly contain n working days after a start date.

    Weekends alone need 7/5 calendar days per working day and the longest rest spell in a
    notice (the Spring Festival) is about nine days, so 2n + 30 is ample; should a calendar ever
    need more, `WorkCalendar` extends itself with one more query.
    """
    return datetime.timedelta(days=2 * n + 30)


def year_calendars(years: Iterable[int]) -> list[YearCalendar]:
    """The calendars of `years`, by year: one query, whatever the number of years.

    Days of draft years are left out on purpose: they have not been checked against the State
    Council's notice. Such a year, like a year never entered, counts its statutory holidays only.
    """
    wanted = sorted(set(years))
    if not wanted:
        return []
    confirmed: dict[int, list[CalendarException]] = {}
    rows = (
        CalendarYear.objects.filter(year__in=wanted, status=CalendarYear.Status.CONFIRMED)
        .order_by("year", "days__date")
        .values_list("year", "days__date", "days__is_workday", "days__name")
    )
    for year, date, is_workday, name in rows:
        days = confirmed.setdefault(year, [])
        if date is not None:  # a confirmed year without days (only by deleting them all)
            days.append(CalendarException(date=date, is_workday=is_workday, name=name))
    return [
        YearCalendar(year=year, confirmed=True, exceptions=tuple(confirmed[year]))
        if year in confirmed
        else YearCalendar(year=year, confirmed=False, exceptions=tuple(statutory_rest_days(year)))
        for year in wanted
    ]


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
    """The working-day calendar for a range of whole years, held in memory.

    `WorkCalendar.for_range(first=..., last=...)` loads the years that [first, last] touches in
    one query; every question inside them is then answered without the database. A question
    outside them makes a calendar built by `for_range` load the missing years with one more
    query (a list page still costs one query if its range was wide enough: see
    `window_for_working_days`). A calendar built directly from `exceptions` has no loader and
    raises `CalendarRangeError` instead, which keeps tests honest; its years count as confirmed
    unless named in `unconfirmed_years`.
    """

    def __init__(
        self,
        *,
        first: datetime.date,
        last: datetime.date,
        exceptions: Iterable[CalendarException] = (),
        loader: YearLoader | None = None,
        unconfirmed_years: Iterable[int] = (),
    ) -> None:
        _check_date(first, "first")
        _check_date(last, "last")
        if last < first:
            raise ValueError("last must not be before first")
        self.first = first
        self.last = last
        self._loader = loader
        self._exceptions: dict[datetime.date, CalendarException] = {}
        self._unconfirmed: set[int] = set(unconfirmed_years)
        self._add(exceptions)

    @classmethod
    def for_range(cls, *, first: datetime.date, last: datetime.date) -> WorkCalendar:
        """Load the calendar of the years [first, last] touches: one query."""
        _check_date(first, "first")
        _check_date(last, "last")
        if last < first:
            raise ValueError("last must not be before first")
        loaded = year_calendars(range(first.year, last.year + 1))
        return cls(
            first=datetime.date(first.year, 1, 1),
            last=datetime.date(last.year, 12, 31),
            exceptions=[exception for year in loaded for exception in year.exceptions],
            unconfirmed_years=[year.year for year in loaded if not year.confirmed],
            loader=year_calendars,
        )

    def __repr__(self) -> str:
        return f"<WorkCalendar {self.first}..{self.last}, {len(self._exceptions)} exceptions>"

    def _add(self, exceptions: Iterable[CalendarException]) -> None:
        for exception in exceptions:
            self._exceptions[exception.date] = exception

    def _load_years(self, years: list[int]) -> None:
        for year_calendar in self._loader(years):
            self._add(year_calendar.exceptions)
            if not year_calendar.confirmed:
                self._unconfirmed.add(year_calendar.year)
        self.first = min(self.first, datetime.date(min(years), 1, 1))
        self.last = max(self.last, datetime.date(max(years), 12, 31))

    def _ensure(self, first: datetime.date, last: datetime.date) -> None:
        """Make sure [first, last] is loaded, extending the held years if a loader allows it."""
        if self.first <= first and last <= self.last:
            return
        if self._loader is None:
            raise CalendarRangeError(
                f"{first}..{last} is outside this calendar's range {self.first}..{self.last}"
            )
        missing = [
            *range(first.year, self.first.year),
            *range(self.last.year + 1, last.year + 1),
        ]
        self._load_years(missing)

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
            RestDay(date=day, name=exception.name, provisional=day.year in self._unconfirmed)
            for day, exception in sorted(self._exceptions.items())
            if start < day <= end and not exception.is_workday and is_default_workday(day)
        ]

    def unconfirmed_years(self, start: datetime.date, end: datetime.date) -> list[int]:
        """The years of (start, end] without a confirmed calendar, in order: a deadline counted
        from `start` to `end` is provisional when this is not empty. [] when end is not after
        start (nothing was counted)."""
        _check_date(start, "start")
        _check_date(end, "end")
        if end <= start:
            return []
        self._ensure(start + ONE_DAY, end)
        return [year for year in range((start + ONE_DAY).year, end.year + 1) if year in self._unconfirmed]


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
    "is_working_day",
    "skipped_rest_days",
    "window_for_working_days",
    "working_days_between",
    "year_calendars",
    "YearCalendar",
]
