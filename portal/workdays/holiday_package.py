"""Reading a year's schedule from the `holidays` package (holidays.China).

The package encodes the State Council's yearly notices, so it makes a good first draft; an
administrator still checks the draft against the notice before it counts (a package release can
lag behind a notice or carry a mistake).

Only differences from the default week are returned: holidays on weekdays become rest days and
the package's `weekend_workdays` in the year become make-up workdays. Holidays that fall on a
weekend are left out: the day is a rest day anyway.
"""

import datetime
import functools
import re

import holidays
from holidays.countries.china import ChinaStaticHolidays

from .days import CalendarException
from .models import is_default_workday

# The package names days in the notice's language (Simplified Chinese) and marks days off in
# lieu as "休息日（由 2025-01-26 调休）": the date is the weekend day that is worked instead.
PACKAGE_LANGUAGE = "zh_CN"
_REFERENCED_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# Trailing qualifiers the package adds to a holiday's name: （补假） observed, （推定） estimated.
_QUALIFIER = re.compile(r"（[^（）]*）$")

# Data, not interface text: the notice calls a worked weekend day "<holiday>调休上班", and the
# stored name follows the notice so a checker can compare them line by line.
MAKE_UP_WORKDAY_SUFFIX = "调休上班"


class PackageHasNoSchedule(Exception):
    """The installed holidays package does not carry the State Council schedule for the year."""


def package_version() -> str:
    return holidays.__version__


def package_has_schedule(year: int) -> bool:
    """Does the package carry the notice's schedule for `year`, not merely a guess?

    For years without a notice the package still computes the fixed and lunar holidays by rule
    (2027 gives 春节 etc.), but without the notice's 调休 days, so such a draft would be quietly
    wrong. The package keeps each notice's moved days in its static table, keyed by year.
    """
    return year in getattr(ChinaStaticHolidays, "special_public_holidays", {})


def _referenced_date(label: str) -> datetime.date | None:
    match = _REFERENCED_DATE.search(label)
    if match is None:
        return None
    return datetime.date(*(int(part) for part in match.groups()))


def package_schedule(*, year: int) -> dict[datetime.date, CalendarException]:
    """The year's differences from the default week according to the holidays package.

    Raises PackageHasNoSchedule when the package has no notice for the year.
    """
    if not package_has_schedule(year):
        raise PackageHasNoSchedule(year)
    # One year either side too, so a day off in lieu near New Year can find its holiday's name.
    package = holidays.China(years=(year - 1, year, year + 1), language=PACKAGE_LANGUAGE)
    named: dict[datetime.date, str] = {}  # the holidays themselves, with plain names
    lieu_for_workday: dict[datetime.date, datetime.date] = {}  # worked weekend day -> day off
    for day, label in package.items():
        worked_instead = _referenced_date(label)
        if worked_instead is None:
            named[day] = _QUALIFIER.sub("", label).strip()
        else:
            lieu_for_workday[worked_instead] = day

    def nearest_holiday_name(day: datetime.date) -> str:
        if day in named:
            return named[day]
        # A day off in lieu takes the name of the holiday it extends (ties go to the earlier).
        nearest = min(named, key=lambda other: (abs((other - day).days), other))
        return named[nearest]

    schedule: dict[datetime.date, CalendarException] = {}
    for day in package:
        if day.year == year and is_default_workday(day):
            schedule[day] = CalendarException(date=day, is_workday=False, name=nearest_holiday_name(day))
    for day in package.weekend_workdays:
        if day.year == year and not is_default_workday(day):
            holiday_name = nearest_holiday_name(lieu_for_workday.get(day, day))
            schedule[day] = CalendarException(
                date=day, is_workday=True, name=f"{holiday_name}{MAKE_UP_WORKDAY_SUFFIX}"
            )
    return dict(sorted(schedule.items()))


# A combined label such as "中秋节; 国庆节" (both on one day) is read as one name.
_LABEL_SEPARATOR = "; "
# Since 2025 春节 runs from 除夕 to 初三; the package names 除夕 on its own.
_STATUTORY_NAMES = {"农历除夕": "春节"}


@functools.lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[datetime.date, str]:
    """The statutory public holidays of `year` (《全国年节及纪念日放假办法》), with their names.

    These days are certain whatever the year's State Council notice says: 元旦, 春节 (除夕 to
    初三 from 2025), 清明, 劳动节, 端午, 中秋 and 国庆 (the package computes the lunar ones). What
    is not certain before the notice, and so left out: days added to join a holiday to a weekend
    (the package marks them 补假, "observed"), days off in lieu and the make-up workdays.
    Weekend dates are kept; a caller that wants only differences from the default week filters
    them (`statutory_rest_days`).
    """
    package = holidays.China(years=year, language=PACKAGE_LANGUAGE, observed=False)
    found: dict[datetime.date, str] = {}
    for day, label in package.items():
        if day.year != year or _referenced_date(label) is not None:
            continue  # a day off in lieu of a worked weekend day comes from a notice
        names = [_QUALIFIER.sub("", part).strip() for part in label.split(_LABEL_SEPARATOR)]
        names = [_STATUTORY_NAMES.get(name, name) for name in names if name]
        found[day] = "、".join(dict.fromkeys(names))
    return dict(sorted(found.items()))


def statutory_rest_days(year: int) -> list[CalendarException]:
    """The statutory holidays of `year` that fall on a Monday to Friday: the rest days a year
    without a confirmed calendar certainly has (its other days count as the default week)."""
    return [
        CalendarException(date=day, is_workday=False, name=name)
        for day, name in statutory_holidays(year).items()
        if is_default_workday(day)
    ]
