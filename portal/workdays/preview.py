"""A year of the work calendar drawn as twelve month grids, for checking it against the notice.

Both the page that enters a year from the notice and the page that confirms a draft draw the
year from the same inputs, the days stored (or about to be stored) and the statutory holidays,
so the administrator sees before saving exactly what the confirm page will show.

A stored calendar keeps only the days that differ from the default week, so a holiday's
weekend days are not stored. For the picture, a holiday's name spreads over the rest days
joined to it (the weekend around 国庆节), which is how the notice counts a break ("共7天").
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.dates import WEEKDAYS
from django.utils.translation import pgettext_lazy

from .days import CalendarException
from .holiday_package import MAKE_UP_WORKDAY_SUFFIX
from .models import is_default_workday

ONE_DAY = datetime.timedelta(days=1)

# Column heads of a month, Monday first: short (一 … 日) and in full for screen readers.
WEEKDAY_HEADERS = [
    (pgettext_lazy("calendar column", "Mon"), WEEKDAYS[0]),
    (pgettext_lazy("calendar column", "Tue"), WEEKDAYS[1]),
    (pgettext_lazy("calendar column", "Wed"), WEEKDAYS[2]),
    (pgettext_lazy("calendar column", "Thu"), WEEKDAYS[3]),
    (pgettext_lazy("calendar column", "Fri"), WEEKDAYS[4]),
    (pgettext_lazy("calendar column", "Sat"), WEEKDAYS[5]),
    (pgettext_lazy("calendar column", "Sun"), WEEKDAYS[6]),
]


class DayKind:
    WORKDAY = "workday"  # Monday to Friday, worked
    WEEKEND = "weekend"  # Saturday or Sunday, rest as usual
    HOLIDAY = "holiday"  # a day off of a holiday (休)
    MAKE_UP = "make-up"  # a Saturday or Sunday worked instead (班)


@dataclass(frozen=True)
class PreviewDay:
    date: datetime.date
    kind: str
    name: str = ""
    statutory: bool = False

    @property
    def is_rest(self) -> bool:
        return self.kind in (DayKind.WEEKEND, DayKind.HOLIDAY)

    @property
    def short_name(self) -> str:
        """The name without "调休上班": the cell's mark says that already."""
        return self.name.removesuffix(MAKE_UP_WORKDAY_SUFFIX) or self.name


@dataclass(frozen=True)
class PreviewMonth:
    first: datetime.date
    # Monday-first weeks; None pads the days of other months.
    weeks: list[list[PreviewDay | None]]


@dataclass(frozen=True)
class YearPreview:
    year: int
    months: list[PreviewMonth]
    rest_weekdays: int  # Monday to Friday days off
    make_up_days: int  # Saturdays and Sundays worked
    working_days: int
    # Statutory holidays the calendar works: always a mistake in a year's calendar.
    statutory_worked: list[PreviewDay]


def year_preview(
    *, year: int, exceptions: Iterable[CalendarException], statutory: dict[datetime.date, str]
) -> YearPreview:
    """The year's days, each a workday, a weekend, a holiday's day off or a make-up workday."""
    stored = {exception.date: exception for exception in exceptions if exception.date.year == year}
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def is_rest(day: datetime.date) -> bool:
        exception = stored.get(day)
        return not exception.is_workday if exception is not None else not is_default_workday(day)

    names: dict[datetime.date, str] = {}
    seeds = [(day, exception.name) for day, exception in stored.items() if not exception.is_workday]
    seeds += [(day, name) for day, name in statutory.items() if day.year == year and is_rest(day)]
    for seed, name in sorted(seeds):
        if seed in names:
            continue
        names[seed] = name
        for step in (ONE_DAY, -ONE_DAY):
            day = seed + step
            while first <= day <= last and is_rest(day) and day not in names:
                names[day] = name
                day += step

    days: dict[datetime.date, PreviewDay] = {}
    day = first
    while day <= last:
        exception = stored.get(day)
        if exception is not None and exception.is_workday:
            kind, name = DayKind.MAKE_UP, exception.name
        elif day in names:
            kind, name = DayKind.HOLIDAY, names[day]
        else:
            kind, name = (DayKind.WORKDAY if is_default_workday(day) else DayKind.WEEKEND), ""
        days[day] = PreviewDay(date=day, kind=kind, name=name, statutory=day in statutory)
        day += ONE_DAY

    months = []
    for month in range(1, 13):
        weeks = [
            [days[datetime.date(year, month, number)] if number else None for number in week]
            for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month)
        ]
        months.append(PreviewMonth(first=datetime.date(year, month, 1), weeks=weeks))
    return YearPreview(
        year=year,
        months=months,
        rest_weekdays=sum(
            1 for d in days.values() if d.kind == DayKind.HOLIDAY and is_default_workday(d.date)
        ),
        make_up_days=sum(1 for d in days.values() if d.kind == DayKind.MAKE_UP),
        working_days=sum(1 for d in days.values() if not d.is_rest),
        statutory_worked=[d for d in days.values() if d.statutory and not d.is_rest],
    )
