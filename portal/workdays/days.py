"""The values the working-day arithmetic deals in, kept apart so both the calendar and the
holidays-package reader can use them without importing each other."""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CalendarException:
    """A date on which a year's calendar differs from the default week."""

    date: datetime.date
    is_workday: bool
    name: str


@dataclass(frozen=True, slots=True)
class RestDay:
    """A weekday that is a rest day (a public holiday or a day off in lieu), with its name.

    `provisional` marks a statutory holiday of a year whose calendar is not confirmed: the day is
    certainly a rest day, but the notice may add more around it."""

    date: datetime.date
    name: str
    provisional: bool = False
